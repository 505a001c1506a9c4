//! The revision history of answers (`encounter_answer_revisions`, migration 0005): every
//! value an answer held before it was replaced or removed, kept by triggers. Read-only
//! here: nothing in the crate writes it but the triggers.

use chrono::{DateTime, Utc};

use crate::{parse_time, Db, StoreError};

/// One earlier value of an answer (replaced or removed), from the revision history.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RevisionRow {
    pub key: String,
    pub rev: i64,
    pub values: String,
    pub source: String,
    pub author: String,
    pub at: DateTime<Utc>,
    pub source_encounter: Option<i64>,
    pub confirmed_by: Option<String>,
    /// True when the answer was removed (not replaced) after this value.
    pub removed: bool,
}

impl Db<'_> {
    /// Every earlier value of an encounter's answers, by key then revision.
    pub fn answer_revisions(&self, encounter_id: i64) -> Result<Vec<RevisionRow>, StoreError> {
        self.revisions_where(encounter_id, "")
    }

    /// The earlier values of an encounter's answers that were carried from another visit
    /// (what "changes since last visit" compares with), by key then revision.
    pub fn carried_revisions(&self, encounter_id: i64) -> Result<Vec<RevisionRow>, StoreError> {
        self.revisions_where(encounter_id, "AND source = 'carried'")
    }

    fn revisions_where(
        &self,
        encounter_id: i64,
        and: &str,
    ) -> Result<Vec<RevisionRow>, StoreError> {
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT answer_key, rev, value_json, source, author, at, source_encounter, \
             confirmed_by, removed FROM encounter_answer_revisions WHERE encounter_id = ?1 {and} \
             ORDER BY answer_key, rev"
        ))?;
        let rows = stmt.query_map([encounter_id], |r| {
            let at: String = r.get(5)?;
            Ok((
                r.get(0)?,
                r.get(1)?,
                r.get(2)?,
                r.get(3)?,
                r.get(4)?,
                at,
                r.get(6)?,
                r.get(7)?,
                r.get::<_, i64>(8)?,
            ))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let r = row?;
            out.push(RevisionRow {
                key: r.0,
                rev: r.1,
                values: r.2,
                source: r.3,
                author: r.4,
                at: parse_time(&r.5)?,
                source_encounter: r.6,
                confirmed_by: r.7,
                removed: r.8 != 0,
            });
        }
        Ok(out)
    }
}
