//! The `audit_log` table: append-only (triggers refuse UPDATE and DELETE) and
//! hash-chained (`intake_core::audit`). Appending happens inside the same write
//! transaction as the action it records.

use chrono::{DateTime, Utc};
use intake_core::audit::{
    self, AuditContent, ChainVerdict, ChainedEntry, HashFormat, GENESIS_HASH,
};
use rusqlite::{params, OptionalExtension, Row};

use crate::traits::Audit;
use crate::{format_time, SqliteDb, StoreError};

/// An entry to append. The store numbers and hashes it.
#[derive(Debug, Clone)]
pub struct NewAuditEntry<'a> {
    pub at: DateTime<Utc>,
    pub actor: &'a str,
    pub action: &'a str,
    pub patient_id: Option<i64>,
    pub entity: &'a str,
    pub entity_id: Option<String>,
    pub detail: serde_json::Value,
}

/// A stored entry, as listed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditRow {
    pub content: AuditContent,
    pub prev_hash: String,
    pub hash: String,
}

/// Which entries to list, newest first.
#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    /// Only entries with a sequence number below this (for paging back).
    pub before_seq: Option<i64>,
    /// Only entries whose action starts with this (`session.`, `user.created`).
    pub action_prefix: Option<String>,
    pub actor: Option<String>,
    /// Only entries about this patient (who saw or changed the chart).
    pub patient_id: Option<i64>,
    /// Only entries with exactly this action (`encounter.signed`).
    pub action: Option<String>,
    /// Only entries at or after this time.
    pub from: Option<DateTime<Utc>>,
    /// Only entries before this time.
    pub until: Option<DateTime<Utc>>,
    pub limit: u32,
}

const COLUMNS: &str =
    "seq, at, actor, action, patient_id, entity, entity_id, detail, prev_hash, hash, hash_format";

fn from_row(r: &Row<'_>) -> rusqlite::Result<AuditRow> {
    let seq: i64 = r.get(0)?;
    let format: i64 = r.get(10)?;
    // The table's CHECK admits only known formats; a file from a newer binary is refused
    // when opened, so an unknown number here means the row was tampered with.
    let format = HashFormat::from_number(format).ok_or_else(|| {
        rusqlite::Error::FromSqlConversionFailure(
            10,
            rusqlite::types::Type::Integer,
            format!("audit entry {seq} names an unknown hash format {format}").into(),
        )
    })?;
    Ok(AuditRow {
        content: AuditContent {
            format,
            seq,
            at: r.get(1)?,
            actor: r.get(2)?,
            action: r.get(3)?,
            patient_id: r.get(4)?,
            entity: r.get(5)?,
            entity_id: r.get(6)?,
            detail: r.get(7)?,
        },
        prev_hash: r.get(8)?,
        hash: r.get(9)?,
    })
}

impl Audit for SqliteDb<'_> {
    fn append_audit(&self, entry: &NewAuditEntry<'_>) -> Result<i64, StoreError> {
        let last: Option<(i64, String)> = self
            .conn
            .query_row(
                "SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1",
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?;
        let (seq, prev_hash) = match last {
            Some((seq, hash)) => (seq + 1, hash),
            None => (1, GENESIS_HASH.to_string()),
        };
        let content = AuditContent {
            format: HashFormat::CURRENT,
            seq,
            at: format_time(entry.at),
            actor: entry.actor.to_string(),
            action: entry.action.to_string(),
            patient_id: entry.patient_id,
            entity: entry.entity.to_string(),
            entity_id: entry.entity_id.clone(),
            detail: entry.detail.to_string(),
        };
        let hash = content.hash(&prev_hash);
        self.conn.execute(
            &format!(
                "INSERT INTO audit_log ({COLUMNS}) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)"
            ),
            params![
                content.seq,
                content.at,
                content.actor,
                content.action,
                content.patient_id,
                content.entity,
                content.entity_id,
                content.detail,
                prev_hash,
                hash,
                content.format.number()
            ],
        )?;
        Ok(seq)
    }

    fn list_audit(&self, filter: &AuditFilter) -> Result<Vec<AuditRow>, StoreError> {
        let mut stmt = self.conn.prepare(&format!(
            "SELECT {COLUMNS} FROM audit_log \
             WHERE seq < coalesce(?1, 9223372036854775807) \
               AND (?2 IS NULL OR substr(action, 1, length(?2)) = ?2) \
               AND (?3 IS NULL OR actor = ?3) \
               AND (?5 IS NULL OR patient_id = ?5) \
               AND (?6 IS NULL OR action = ?6) \
               AND (?7 IS NULL OR at >= ?7) \
               AND (?8 IS NULL OR at < ?8) \
             ORDER BY seq DESC LIMIT ?4"
        ))?;
        let rows = stmt.query_map(
            params![
                filter.before_seq,
                filter.action_prefix,
                filter.actor,
                filter.limit,
                filter.patient_id,
                filter.action,
                filter.from.map(format_time),
                filter.until.map(format_time)
            ],
            from_row,
        )?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    fn audit_actions(&self) -> Result<Vec<String>, StoreError> {
        let mut stmt = self
            .conn
            .prepare("SELECT DISTINCT action FROM audit_log ORDER BY action")?;
        let rows = stmt.query_map([], |r| r.get(0))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    fn verify_audit(&self) -> Result<ChainVerdict, StoreError> {
        let mut stmt = self
            .conn
            .prepare(&format!("SELECT {COLUMNS} FROM audit_log ORDER BY seq"))?;
        let mut rows = stmt.query_map([], from_row)?;
        let mut read_error = None;
        let entries = std::iter::from_fn(|| match rows.next()? {
            Ok(row) => Some(ChainedEntry {
                content: row.content,
                prev_hash: row.prev_hash,
                hash: row.hash,
            }),
            Err(e) => {
                read_error = Some(e);
                None
            }
        });
        let verdict = audit::verify(entries);
        match read_error {
            Some(e) => Err(e.into()),
            None => Ok(verdict),
        }
    }
}
