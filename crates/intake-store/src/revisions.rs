//! The revision history of answers (`encounter_answer_revisions`, migration 0005): every
//! value an answer held before it was replaced or removed, kept by triggers. Read-only
//! here: nothing in the crate writes it but the triggers.

use chrono::{DateTime, Utc};

use intake_core::questionnaire::response::{Key, KeyParseError};
use intake_core::questionnaire::AnswerValue;
use intake_core::{AnswerSource, EncounterId};
use rusqlite::params;

use crate::encounters::decode_values;
use crate::traits::Revisions;
use crate::{parse_time, SqliteDb, StoreError};

/// One earlier value of an answer (replaced or removed), from the revision history.
#[derive(Debug, Clone, PartialEq)]
pub struct RevisionRow {
    pub key: Key,
    pub rev: i64,
    pub values: Vec<AnswerValue>,
    pub source: AnswerSource,
    pub author: String,
    pub at: DateTime<Utc>,
    pub source_encounter: Option<EncounterId>,
    pub confirmed_by: Option<String>,
    /// True when the answer was removed (not replaced) after this value.
    pub removed: bool,
}

impl Revisions for SqliteDb<'_> {
    fn answer_revisions(&self, encounter_id: EncounterId) -> Result<Vec<RevisionRow>, StoreError> {
        self.revisions_where(encounter_id, None)
    }

    fn carried_revisions(&self, encounter_id: EncounterId) -> Result<Vec<RevisionRow>, StoreError> {
        self.revisions_where(encounter_id, Some(AnswerSource::Carried))
    }
}

impl SqliteDb<'_> {
    fn revisions_where(
        &self,
        encounter_id: EncounterId,
        source: Option<AnswerSource>,
    ) -> Result<Vec<RevisionRow>, StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT answer_key, rev, value_json, source, author, at, source_encounter, \
             confirmed_by, removed FROM encounter_answer_revisions WHERE encounter_id = ?1 \
             AND (?2 IS NULL OR source = ?2) ORDER BY answer_key, rev",
        )?;
        let rows = stmt.query_map(
            params![encounter_id.0, source.map(AnswerSource::as_str)],
            |r| {
                Ok((
                    r.get::<_, String>("answer_key")?,
                    r.get::<_, i64>("rev")?,
                    r.get::<_, String>("value_json")?,
                    r.get::<_, String>("source")?,
                    r.get::<_, String>("author")?,
                    r.get::<_, String>("at")?,
                    r.get::<_, Option<i64>>("source_encounter")?,
                    r.get::<_, Option<String>>("confirmed_by")?,
                    r.get::<_, bool>("removed")?,
                ))
            },
        )?;
        let mut out = Vec::new();
        for row in rows {
            let r = row?;
            let damaged = |why: String| {
                StoreError::damaged(
                    "encounter_answer_revisions",
                    format!("visit {encounter_id}, answer {:?} revision {}", r.0, r.1),
                    why,
                )
            };
            out.push(RevisionRow {
                key: r.0.parse().map_err(|e: KeyParseError| {
                    damaged(format!("the key cannot be read ({})", e.text))
                })?,
                rev: r.1,
                values: decode_values(&r.2).map_err(damaged)?,
                source: AnswerSource::parse(&r.3).map_err(|e| damaged(e.to_string()))?,
                author: r.4.clone(),
                at: parse_time(&r.5).map_err(|e| damaged(e.to_string()))?,
                source_encounter: r.6.map(EncounterId),
                confirmed_by: r.7.clone(),
                removed: r.8,
            });
        }
        Ok(out)
    }
}
