//! Chart merges on the server (`patient_merges`): the SQLite backend's `merges.rs`. A
//! link is kept for ever; migration 0003's triggers refuse any change but the one undo,
//! a delete, a second active link of one chart and chains.

use chrono::{DateTime, Utc};
use intake_core::PatientId;
use postgres::Row;

use crate::pg::{get, PgDb};
use crate::traits::Merges;
use crate::{format_time, parse_time, MergeRow, StoreError};

const COLUMNS: &str =
    "id, merged_id, survivor_id, reason, merged_by, merged_at, undone_by, undone_at";

const TABLE: &str = "patient_merges";

fn decode(r: &Row) -> Result<MergeRow, StoreError> {
    let at: String = get(r, 5, TABLE)?;
    let undone_at: Option<String> = get(r, 7, TABLE)?;
    Ok(MergeRow {
        id: get(r, 0, TABLE)?,
        merged: PatientId(get(r, 1, TABLE)?),
        survivor: PatientId(get(r, 2, TABLE)?),
        reason: get(r, 3, TABLE)?,
        by: get(r, 4, TABLE)?,
        at: parse_time(&at)?,
        undone_by: get(r, 6, TABLE)?,
        undone_at: undone_at.as_deref().map(parse_time).transpose()?,
    })
}

impl Merges for PgDb<'_> {
    fn insert_patient_merge(
        &self,
        merged: PatientId,
        survivor: PatientId,
        reason: &str,
        at: DateTime<Utc>,
        by: &str,
    ) -> Result<i64, StoreError> {
        let row = self.query_one(
            "INSERT INTO patient_merges (merged_id, survivor_id, reason, merged_by, merged_at) \
             VALUES ($1, $2, $3, $4, $5) RETURNING id",
            &[&merged.0, &survivor.0, &reason, &by, &format_time(at)],
        )?;
        get(&row, 0, TABLE)
    }

    fn undo_patient_merge(&self, id: i64, at: DateTime<Utc>, by: &str) -> Result<bool, StoreError> {
        let changed = self.execute(
            "UPDATE patient_merges SET undone_at = $2, undone_by = $3 \
             WHERE id = $1 AND undone_at IS NULL",
            &[&id, &format_time(at), &by],
        )?;
        Ok(changed == 1)
    }

    fn merged_into(&self, patient: PatientId) -> Result<Option<MergeRow>, StoreError> {
        self.query_opt(
            &format!(
                "SELECT {COLUMNS} FROM patient_merges \
                 WHERE merged_id = $1 AND undone_at IS NULL ORDER BY id DESC LIMIT 1"
            ),
            &[&patient.0],
        )?
        .as_ref()
        .map(decode)
        .transpose()
    }

    fn merged_from(&self, survivor: PatientId) -> Result<Vec<MergeRow>, StoreError> {
        self.query(
            &format!(
                "SELECT {COLUMNS} FROM patient_merges \
                 WHERE survivor_id = $1 AND undone_at IS NULL ORDER BY id"
            ),
            &[&survivor.0],
        )?
        .iter()
        .map(decode)
        .collect()
    }

    fn merges_touching(&self, patients: &[PatientId]) -> Result<Vec<MergeRow>, StoreError> {
        let ids: Vec<i64> = patients.iter().map(|p| p.0).collect();
        self.query(
            &format!(
                "SELECT {COLUMNS} FROM patient_merges \
                 WHERE (merged_id = ANY($1) OR survivor_id = ANY($1)) AND undone_at IS NULL \
                 ORDER BY id"
            ),
            &[&ids],
        )?
        .iter()
        .map(decode)
        .collect()
    }
}
