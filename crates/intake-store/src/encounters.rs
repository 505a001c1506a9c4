//! The `encounters` and `encounter_answers` tables: one intake form filled for one
//! patient, with every answer's source, author, time and write count (`rev`). Triggers
//! refuse any change to the answers of an encounter that is not a draft.

mod read;

use chrono::{DateTime, Utc};
use intake_core::questionnaire::response::Key;
use intake_core::questionnaire::AnswerValue;
use intake_core::{AnswerSource, EncounterId, EncounterStatus, PatientId, TemplateId};
use rusqlite::{params, OptionalExtension};

use crate::traits::{Encounters, Reviews};
use crate::{format_time, parse_time, SqliteDb, StoreError};
use read::{collect, raw_answer, raw_encounter, select, RawAnswer, RawEncounter, ANSWER_COLUMNS};
pub use read::{decode_values, encode_values};

/// An encounter with what the screens show beside it (patient, template).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EncounterRow {
    pub id: EncounterId,
    pub patient_id: PatientId,
    pub mrn: String,
    pub patient_name: String,
    pub template_id: TemplateId,
    pub template_slug: String,
    pub template_version: String,
    pub template_title: String,
    pub status: EncounterStatus,
    pub section: Option<String>,
    pub started_at: DateTime<Utc>,
    pub started_by: String,
    pub updated_at: DateTime<Utc>,
    pub submitted_at: Option<DateTime<Utc>>,
    pub submitted_by: Option<String>,
    /// How many answer rows it has (rows of repeating groups included).
    pub answered: i64,
    /// What the carry-forward plan said when it started (JSON), if anything.
    pub carry_notes: Option<String>,
    /// The latest signature (the first one, or the newest amendment's).
    pub signed_at: Option<DateTime<Utc>>,
    pub signed_by: Option<String>,
    /// An amendment in progress.
    pub amending: Option<EventRef>,
    /// The newest completed amendment, with its reason.
    pub amended: Option<EventRef>,
    /// The newest return to the nurse, with its comment (only while a draft).
    pub returned: Option<EventRef>,
    /// Why and by whom it was entered in error.
    pub in_error: Option<EventRef>,
}

/// Who did something to an encounter, when, and what they wrote (a comment or reason).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventRef {
    pub by: String,
    pub at: DateTime<Utc>,
    pub text: String,
}

/// One stored answer.
#[derive(Debug, Clone, PartialEq)]
pub struct AnswerRow {
    pub key: Key,
    pub link_id: String,
    pub values: Vec<AnswerValue>,
    /// The values exactly as stored (a JSON array of FHIR `value[x]` objects): a record's
    /// hash covers this text, so it is kept byte for byte.
    pub values_json: String,
    pub source: AnswerSource,
    pub author: String,
    pub at: DateTime<Utc>,
    pub rev: i64,
    pub in_record: bool,
    /// For a carried answer: where it came from.
    pub carried: Option<CarriedFrom>,
    /// A carried value this visit must confirm (or change) before submission.
    pub needs_confirmation: bool,
    pub confirmed_by: Option<String>,
    pub confirmed_at: Option<DateTime<Utc>>,
}

/// The earlier answer a carried value was copied from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CarriedFrom {
    pub encounter: EncounterId,
    /// The date of that visit.
    pub date: DateTime<Utc>,
    /// Who entered the value there.
    pub author: String,
    /// Who confirmed it there, if it was itself carried and confirmed.
    pub confirmed_by: Option<String>,
}

/// What one write of an answer carries. A write replaces the answer's provenance and
/// confirmation with its own: a typed value over a carried one is simply typed.
#[derive(Debug, Clone)]
pub struct AnswerWrite<'a> {
    pub key: &'a Key,
    pub values: &'a [AnswerValue],
    pub source: AnswerSource,
    pub carried: Option<&'a CarriedFrom>,
    pub needs_confirmation: bool,
}

/// Which encounters to list.
#[derive(Debug, Clone, Default)]
pub struct EncounterFilter {
    pub patient_id: Option<PatientId>,
    pub status: Option<EncounterStatus>,
    pub limit: Option<u32>,
}

impl Encounters for SqliteDb<'_> {
    fn insert_encounter(
        &self,
        patient_id: PatientId,
        template_id: TemplateId,
        at: DateTime<Utc>,
        by: &str,
    ) -> Result<EncounterId, StoreError> {
        let at = format_time(at);
        self.conn.execute(
            "INSERT INTO encounters (patient_id, template_id, started_at, started_by, updated_at) \
             VALUES (?1, ?2, ?3, ?4, ?3)",
            params![patient_id.0, template_id.0, at, by],
        )?;
        Ok(EncounterId(self.conn.last_insert_rowid()))
    }

    fn encounter(&self, id: EncounterId) -> Result<Option<EncounterRow>, StoreError> {
        self.conn
            .prepare_cached(&format!("{} WHERE e.id = ?1", select()))?
            .query_row([id.0], raw_encounter)
            .optional()?
            .map(RawEncounter::decode)
            .transpose()
    }

    fn list_encounters(&self, f: &EncounterFilter) -> Result<Vec<EncounterRow>, StoreError> {
        let mut stmt = self.conn.prepare_cached(&format!(
            "{} WHERE (?1 IS NULL OR e.patient_id = ?1) AND (?2 IS NULL OR e.status = ?2) \
             ORDER BY e.started_at DESC, e.id DESC LIMIT ?3",
            select()
        ))?;
        let limit = i64::from(f.limit.unwrap_or(1000));
        let status = f.status.map(EncounterStatus::as_str);
        let rows = stmt.query_map(
            params![f.patient_id.map(|p| p.0), status, limit],
            raw_encounter,
        )?;
        collect(rows, RawEncounter::decode)
    }

    fn answers(&self, encounter_id: EncounterId) -> Result<Vec<AnswerRow>, StoreError> {
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT {ANSWER_COLUMNS} FROM encounter_answers WHERE encounter_id = ?1 ORDER BY answer_key"
        ))?;
        let rows = stmt.query_map([encounter_id.0], raw_answer)?;
        collect(rows, RawAnswer::decode)
    }

    fn answer(
        &self,
        encounter_id: EncounterId,
        key: &Key,
    ) -> Result<Option<AnswerRow>, StoreError> {
        self.conn
            .prepare_cached(&format!(
                "SELECT {ANSWER_COLUMNS} FROM encounter_answers WHERE encounter_id = ?1 AND answer_key = ?2"
            ))?
            .query_row(params![encounter_id.0, key.to_string()], raw_answer)
            .optional()?
            .map(RawAnswer::decode)
            .transpose()
    }

    fn answers_at(
        &self,
        wanted: &[(EncounterId, Key)],
    ) -> Result<Vec<(EncounterId, AnswerRow)>, StoreError> {
        let mut out = Vec::new();
        for (id, key) in wanted {
            if let Some(answer) = self.answer(*id, key)? {
                out.push((*id, answer));
            }
        }
        Ok(out)
    }

    fn put_answer(
        &self,
        encounter_id: EncounterId,
        a: &AnswerWrite<'_>,
        at: DateTime<Utc>,
        by: &str,
    ) -> Result<i64, StoreError> {
        let carried = a.carried;
        let key = a.key.to_string();
        let values = encode_values(a.values);
        let at = format_time(at);
        let params = params![
            encounter_id.0,
            key,
            a.key.link_id(),
            values,
            a.source.as_str(),
            by,
            at,
            carried.map(|c| c.encounter.0),
            carried.map(|c| format_time(c.date)),
            carried.map(|c| c.author.as_str()),
            carried.and_then(|c| c.confirmed_by.as_deref()),
            a.needs_confirmation,
        ];
        // An update first (the trigger keeps the old value as a revision), an insert when
        // there is nothing to update: migration 0008 refuses any insert over an existing
        // answer, an upsert's included.
        let updated: Option<i64> = self
            .conn
            .prepare_cached(
                "UPDATE encounter_answers SET value_json = ?4, source = ?5, author = ?6, at = ?7, \
                 rev = rev + 1, source_encounter = ?8, source_date = ?9, source_author = ?10, \
                 source_confirmed_by = ?11, needs_confirmation = ?12, confirmed_by = NULL, \
                 confirmed_at = NULL WHERE encounter_id = ?1 AND answer_key = ?2 RETURNING rev",
            )?
            .query_row(params, |r| r.get(0))
            .optional()?;
        if let Some(rev) = updated {
            return Ok(rev);
        }
        let rev: i64 = self
            .conn
            .prepare_cached(
                "INSERT INTO encounter_answers (encounter_id, answer_key, link_id, value_json, \
                 source, author, at, rev, source_encounter, source_date, source_author, \
                 source_confirmed_by, needs_confirmation, confirmed_by, confirmed_at) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, 1 + coalesce((SELECT max(rev) FROM \
                 encounter_answer_revisions WHERE encounter_id = ?1 AND answer_key = ?2), 0), \
                 ?8, ?9, ?10, ?11, ?12, NULL, NULL) RETURNING rev",
            )?
            .query_row(params, |r| r.get(0))?;
        Ok(rev)
    }

    fn save_receipt(
        &self,
        encounter_id: EncounterId,
        save_id: &str,
    ) -> Result<Option<(String, DateTime<Utc>)>, StoreError> {
        let found: Option<(String, String)> = self
            .conn
            .prepare_cached(
                "SELECT saved_by, saved_at FROM save_receipts \
                 WHERE encounter_id = ?1 AND save_id = ?2",
            )?
            .query_row(params![encounter_id.0, save_id], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })
            .optional()?;
        found.map(|(by, at)| Ok((by, parse_time(&at)?))).transpose()
    }

    fn add_save_receipt(
        &self,
        encounter_id: EncounterId,
        save_id: &str,
        by: &str,
        at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        self.conn
            .prepare_cached("DELETE FROM save_receipts WHERE encounter_id = ?1 AND saved_at < ?2")?
            .execute(params![
                encounter_id.0,
                format_time(at - chrono::Duration::days(1))
            ])?;
        self.conn
            .prepare_cached(
                "INSERT INTO save_receipts (encounter_id, save_id, saved_by, saved_at) \
                 VALUES (?1, ?2, ?3, ?4)",
            )?
            .execute(params![encounter_id.0, save_id, by, format_time(at)])?;
        Ok(())
    }

    fn confirm_answer(
        &self,
        encounter_id: EncounterId,
        key: &Key,
        at: DateTime<Utc>,
        by: &str,
    ) -> Result<bool, StoreError> {
        let n = self
            .conn
            .prepare_cached(
                "UPDATE encounter_answers SET confirmed_by = ?3, confirmed_at = ?4 \
                 WHERE encounter_id = ?1 AND answer_key = ?2 AND needs_confirmation = 1 \
                 AND confirmed_by IS NULL",
            )?
            .execute(params![
                encounter_id.0,
                key.to_string(),
                by,
                format_time(at)
            ])?;
        Ok(n > 0)
    }

    fn set_carry_notes(&self, id: EncounterId, notes: &str) -> Result<(), StoreError> {
        self.conn
            .prepare_cached("UPDATE encounters SET carry_notes = ?2 WHERE id = ?1")?
            .execute(params![id.0, notes])?;
        Ok(())
    }

    fn delete_answer(&self, encounter_id: EncounterId, key: &Key) -> Result<bool, StoreError> {
        let n = self
            .conn
            .prepare_cached(
                "DELETE FROM encounter_answers WHERE encounter_id = ?1 AND answer_key = ?2",
            )?
            .execute(params![encounter_id.0, key.to_string()])?;
        Ok(n > 0)
    }

    fn touch_encounter(
        &self,
        id: EncounterId,
        section: Option<&str>,
        at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        self.conn
            .prepare_cached(
                "UPDATE encounters SET updated_at = ?2, section = coalesce(?3, section) WHERE id = ?1",
            )?
            .execute(params![id.0, format_time(at), section])?;
        Ok(())
    }

    fn submit_encounter(
        &self,
        id: EncounterId,
        left_out: &[Key],
        at: DateTime<Utc>,
        by: &str,
    ) -> Result<(), StoreError> {
        self.mark_in_record(id, left_out)?;
        let moved = self.conn.execute(
            "UPDATE encounters SET status = ?4, submitted_at = ?2, submitted_by = ?3, \
             updated_at = ?2 WHERE id = ?1 AND status = ?5",
            params![
                id.0,
                format_time(at),
                by,
                EncounterStatus::Submitted.as_str(),
                EncounterStatus::Draft.as_str()
            ],
        )?;
        if moved == 0 {
            return Err(StoreError::Refused {
                why: format!("visit {id} is not a draft, so it cannot be submitted"),
            });
        }
        Ok(())
    }

    fn last_visits(
        &self,
        patient_ids: &[PatientId],
    ) -> Result<Vec<(PatientId, DateTime<Utc>, EncounterStatus)>, StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT started_at, status FROM encounters WHERE patient_id = ?1 AND status <> ?2
             ORDER BY started_at DESC, id DESC LIMIT 1",
        )?;
        let mut out = Vec::new();
        for &id in patient_ids {
            let newest: Option<(String, String)> = stmt
                .query_row(
                    params![id.0, EncounterStatus::EnteredInError.as_str()],
                    |r| Ok((r.get(0)?, r.get(1)?)),
                )
                .optional()?;
            if let Some((at, status)) = newest {
                let status = EncounterStatus::parse(&status).map_err(|_| {
                    StoreError::damaged(
                        "encounters",
                        format!("patient {}", id.0),
                        format!("unknown status {status:?}"),
                    )
                })?;
                out.push((id, parse_time(&at)?, status));
            }
        }
        Ok(out)
    }
}
