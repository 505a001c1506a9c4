//! The `patient_merges` table: links saying one chart belongs with another.
//!
//! A link is kept for ever: undoing it stamps `undone_at`/`undone_by` once (migration
//! 0010's triggers refuse any other change, a delete, a second active link of one chart
//! and chains). The visits and records of either chart are never touched here.

use chrono::{DateTime, Utc};
use intake_core::PatientId;
use rusqlite::{params, OptionalExtension, Row};

use crate::traits::Merges;
use crate::{format_time, parse_time, SqliteDb, StoreError};

/// One link between two charts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MergeRow {
    pub id: i64,
    /// The chart that was merged away (it stays, marked "merged into").
    pub merged: PatientId,
    /// The chart that shows the visits of both.
    pub survivor: PatientId,
    pub reason: String,
    pub by: String,
    pub at: DateTime<Utc>,
    pub undone_by: Option<String>,
    pub undone_at: Option<DateTime<Utc>>,
}

const COLUMNS: &str =
    "id, merged_id, survivor_id, reason, merged_by, merged_at, undone_by, undone_at";

type Raw = (
    i64,
    i64,
    i64,
    String,
    String,
    String,
    Option<String>,
    Option<String>,
);

fn raw(r: &Row<'_>) -> rusqlite::Result<Raw> {
    Ok((
        r.get("id")?,
        r.get("merged_id")?,
        r.get("survivor_id")?,
        r.get("reason")?,
        r.get("merged_by")?,
        r.get("merged_at")?,
        r.get("undone_by")?,
        r.get("undone_at")?,
    ))
}

fn decode(raw: Raw) -> Result<MergeRow, StoreError> {
    let (id, merged, survivor, reason, by, at, undone_by, undone_at) = raw;
    Ok(MergeRow {
        id,
        merged: PatientId(merged),
        survivor: PatientId(survivor),
        reason,
        by,
        at: parse_time(&at)?,
        undone_by,
        undone_at: undone_at.as_deref().map(parse_time).transpose()?,
    })
}

impl Merges for SqliteDb<'_> {
    fn insert_patient_merge(
        &self,
        merged: PatientId,
        survivor: PatientId,
        reason: &str,
        at: DateTime<Utc>,
        by: &str,
    ) -> Result<i64, StoreError> {
        self.conn
            .prepare_cached(
                "INSERT INTO patient_merges (merged_id, survivor_id, reason, merged_by, merged_at) \
                 VALUES (?1, ?2, ?3, ?4, ?5)",
            )?
            .execute(params![merged.0, survivor.0, reason, by, format_time(at)])?;
        Ok(self.conn.last_insert_rowid())
    }

    fn undo_patient_merge(&self, id: i64, at: DateTime<Utc>, by: &str) -> Result<bool, StoreError> {
        let changed = self
            .conn
            .prepare_cached(
                "UPDATE patient_merges SET undone_at = ?2, undone_by = ?3 \
                 WHERE id = ?1 AND undone_at IS NULL",
            )?
            .execute(params![id, format_time(at), by])?;
        Ok(changed == 1)
    }

    fn merged_into(&self, patient: PatientId) -> Result<Option<MergeRow>, StoreError> {
        self.conn
            .prepare_cached(&format!(
                "SELECT {COLUMNS} FROM patient_merges \
                 WHERE merged_id = ?1 AND undone_at IS NULL ORDER BY id DESC LIMIT 1"
            ))?
            .query_row([patient.0], raw)
            .optional()?
            .map(decode)
            .transpose()
    }

    fn merged_from(&self, survivor: PatientId) -> Result<Vec<MergeRow>, StoreError> {
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT {COLUMNS} FROM patient_merges \
             WHERE survivor_id = ?1 AND undone_at IS NULL ORDER BY id"
        ))?;
        let rows = stmt.query_map([survivor.0], raw)?;
        let mut out = Vec::new();
        for row in rows {
            out.push(decode(row?)?);
        }
        Ok(out)
    }

    fn merges_touching(&self, patients: &[PatientId]) -> Result<Vec<MergeRow>, StoreError> {
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT {COLUMNS} FROM patient_merges \
             WHERE (merged_id = ?1 OR survivor_id = ?1) AND undone_at IS NULL"
        ))?;
        let mut out: Vec<MergeRow> = Vec::new();
        for id in patients {
            for row in stmt.query_map([id.0], raw)? {
                let row = decode(row?)?;
                if !out.iter().any(|seen| seen.id == row.id) {
                    out.push(row);
                }
            }
        }
        out.sort_by_key(|row| row.id);
        Ok(out)
    }
}
