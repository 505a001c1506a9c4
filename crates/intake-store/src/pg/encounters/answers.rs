//! Encounters and their answers on the server (SQLite's `crate::encounters`). An answer is
//! updated with `rev + 1` (the triggers keep the old value as a revision) or, when there
//! is none, inserted counting on from its history: an insert over an existing answer is
//! refused, an upsert's included.

use chrono::{DateTime, Utc};
use intake_core::questionnaire::response::Key;
use intake_core::{EncounterId, EncounterStatus, PatientId, TemplateId};

use super::rows::{answer_from_row, ANSWER_COLUMNS};
use crate::pg::{get, PgDb};
use crate::traits::{Encounters, Reviews};
use crate::{
    encode_values, format_time, parse_time, AnswerRow, AnswerWrite, EncounterFilter, EncounterRow,
    StoreError,
};

impl Encounters for PgDb<'_> {
    fn insert_encounter(
        &self,
        patient_id: PatientId,
        template_id: TemplateId,
        at: DateTime<Utc>,
        by: &str,
    ) -> Result<EncounterId, StoreError> {
        let row = self.query_one(
            "INSERT INTO encounters (patient_id, template_id, started_at, started_by, updated_at) \
             VALUES ($1, $2, $3, $4, $3) RETURNING id",
            &[&patient_id.0, &template_id.0, &format_time(at), &by],
        )?;
        Ok(EncounterId(get(&row, 0, "encounters")?))
    }

    fn encounter(&self, id: EncounterId) -> Result<Option<EncounterRow>, StoreError> {
        Ok(self
            .encounters_where("WHERE e.id = $5", &[&id.0])?
            .into_iter()
            .next())
    }

    fn list_encounters(&self, f: &EncounterFilter) -> Result<Vec<EncounterRow>, StoreError> {
        let limit = i64::from(f.limit.unwrap_or(1000));
        let status = f.status.map(EncounterStatus::as_str);
        self.encounters_where(
            "WHERE ($5::bigint IS NULL OR e.patient_id = $5) \
             AND ($6::text IS NULL OR e.status = $6) \
             ORDER BY e.started_at COLLATE \"C\" DESC, e.id DESC LIMIT $7",
            &[&f.patient_id.map(|p| p.0), &status, &limit],
        )
    }

    fn answers(&self, encounter_id: EncounterId) -> Result<Vec<AnswerRow>, StoreError> {
        self.query(
            &format!(
                "SELECT {ANSWER_COLUMNS} FROM encounter_answers WHERE encounter_id = $1 \
                 ORDER BY answer_key COLLATE \"C\""
            ),
            &[&encounter_id.0],
        )?
        .iter()
        .map(answer_from_row)
        .collect()
    }

    fn answer(
        &self,
        encounter_id: EncounterId,
        key: &Key,
    ) -> Result<Option<AnswerRow>, StoreError> {
        self.query_opt(
            &format!(
                "SELECT {ANSWER_COLUMNS} FROM encounter_answers \
                 WHERE encounter_id = $1 AND answer_key = $2"
            ),
            &[&encounter_id.0, &key.to_string()],
        )?
        .as_ref()
        .map(answer_from_row)
        .transpose()
    }

    fn answers_at(
        &self,
        wanted: &[(EncounterId, Key)],
    ) -> Result<Vec<(EncounterId, AnswerRow)>, StoreError> {
        let ids: Vec<i64> = wanted.iter().map(|(id, _)| id.0).collect();
        let keys: Vec<String> = wanted.iter().map(|(_, key)| key.to_string()).collect();
        let rows = self.query(
            &format!(
                "SELECT {ANSWER_COLUMNS} FROM encounter_answers \
                 JOIN unnest($1::bigint[], $2::text[]) AS wanted (e, k) \
                 ON encounter_id = wanted.e AND answer_key = wanted.k"
            ),
            &[&ids, &keys],
        )?;
        let mut found = std::collections::HashMap::new();
        for row in &rows {
            let id: i64 = get(row, 0, "encounter_answers")?;
            let answer = answer_from_row(row)?;
            found.insert((id, answer.key.to_string()), answer);
        }
        // In the order asked, as SQLite answers.
        Ok(ids
            .into_iter()
            .zip(keys)
            .filter_map(|(id, key)| found.remove(&(id, key)).map(|a| (EncounterId(id), a)))
            .collect())
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
        let source_encounter = carried.map(|c| c.encounter.0);
        let source_date = carried.map(|c| format_time(c.date));
        let source_author = carried.map(|c| c.author.as_str());
        let source_confirmed_by = carried.and_then(|c| c.confirmed_by.as_deref());
        // An update first (the trigger keeps the old value as a revision), an insert when
        // there is nothing to update.
        let updated = self.query_opt(
            "UPDATE encounter_answers SET value_json = $3, source = $4, author = $5, at = $6, \
             rev = rev + 1, source_encounter = $7, source_date = $8, source_author = $9, \
             source_confirmed_by = $10, needs_confirmation = $11, confirmed_by = NULL, \
             confirmed_at = NULL WHERE encounter_id = $1 AND answer_key = $2 RETURNING rev",
            &[
                &encounter_id.0,
                &key,
                &values,
                &a.source.as_str(),
                &by,
                &at,
                &source_encounter,
                &source_date,
                &source_author,
                &source_confirmed_by,
                &a.needs_confirmation,
            ],
        )?;
        if let Some(row) = updated {
            return get(&row, 0, "encounter_answers");
        }
        let row = self.query_one(
            "INSERT INTO encounter_answers (encounter_id, answer_key, link_id, value_json, \
             source, author, at, rev, source_encounter, source_date, source_author, \
             source_confirmed_by, needs_confirmation, confirmed_by, confirmed_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, 1 + coalesce((SELECT max(rev) FROM \
             encounter_answer_revisions WHERE encounter_id = $1 AND answer_key = $2), 0), \
             $8, $9, $10, $11, $12, NULL, NULL) RETURNING rev",
            &[
                &encounter_id.0,
                &key,
                &a.key.link_id(),
                &values,
                &a.source.as_str(),
                &by,
                &at,
                &source_encounter,
                &source_date,
                &source_author,
                &source_confirmed_by,
                &a.needs_confirmation,
            ],
        )?;
        get(&row, 0, "encounter_answers")
    }

    fn save_receipt(
        &self,
        encounter_id: EncounterId,
        save_id: &str,
    ) -> Result<Option<(String, DateTime<Utc>)>, StoreError> {
        let row = self.query_opt(
            "SELECT saved_by, saved_at FROM save_receipts \
             WHERE encounter_id = $1 AND save_id = $2",
            &[&encounter_id.0, &save_id],
        )?;
        row.map(|r| {
            let by: String = get(&r, 0, "save_receipts")?;
            let at: String = get(&r, 1, "save_receipts")?;
            Ok((by, parse_time(&at)?))
        })
        .transpose()
    }

    fn add_save_receipt(
        &self,
        encounter_id: EncounterId,
        save_id: &str,
        by: &str,
        at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        self.execute(
            "DELETE FROM save_receipts WHERE encounter_id = $1 AND saved_at < $2",
            &[
                &encounter_id.0,
                &format_time(at - chrono::Duration::days(1)),
            ],
        )?;
        self.execute(
            "INSERT INTO save_receipts (encounter_id, save_id, saved_by, saved_at) \
             VALUES ($1, $2, $3, $4)",
            &[&encounter_id.0, &save_id, &by, &format_time(at)],
        )?;
        Ok(())
    }

    fn confirm_answer(
        &self,
        encounter_id: EncounterId,
        key: &Key,
        at: DateTime<Utc>,
        by: &str,
    ) -> Result<bool, StoreError> {
        let n = self.execute(
            "UPDATE encounter_answers SET confirmed_by = $3, confirmed_at = $4 \
             WHERE encounter_id = $1 AND answer_key = $2 AND needs_confirmation \
             AND confirmed_by IS NULL",
            &[&encounter_id.0, &key.to_string(), &by, &format_time(at)],
        )?;
        Ok(n > 0)
    }

    fn set_carry_notes(&self, id: EncounterId, notes: &str) -> Result<(), StoreError> {
        self.execute(
            "UPDATE encounters SET carry_notes = $2 WHERE id = $1",
            &[&id.0, &notes],
        )?;
        Ok(())
    }

    fn delete_answer(&self, encounter_id: EncounterId, key: &Key) -> Result<bool, StoreError> {
        let n = self.execute(
            "DELETE FROM encounter_answers WHERE encounter_id = $1 AND answer_key = $2",
            &[&encounter_id.0, &key.to_string()],
        )?;
        Ok(n > 0)
    }

    fn touch_encounter(
        &self,
        id: EncounterId,
        section: Option<&str>,
        at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        self.execute(
            "UPDATE encounters SET updated_at = $2, section = coalesce($3::text, section) \
             WHERE id = $1",
            &[&id.0, &format_time(at), &section],
        )?;
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
        let moved = self.execute(
            "UPDATE encounters SET status = $4, submitted_at = $2, submitted_by = $3, \
             updated_at = $2 WHERE id = $1 AND status = $5",
            &[
                &id.0,
                &format_time(at),
                &by,
                &EncounterStatus::Submitted.as_str(),
                &EncounterStatus::Draft.as_str(),
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
        // One statement for a whole page of search results, not a round trip a patient.
        let ids: Vec<i64> = patient_ids.iter().map(|p| p.0).collect();
        let rows = self.query(
            "SELECT DISTINCT ON (patient_id) patient_id, started_at, status FROM encounters \
             WHERE patient_id = ANY($1) AND status <> $2 \
             ORDER BY patient_id, started_at COLLATE \"C\" DESC, id DESC",
            &[&ids, &EncounterStatus::EnteredInError.as_str()],
        )?;
        let mut newest = std::collections::HashMap::new();
        for row in &rows {
            let id: i64 = get(row, 0, "encounters")?;
            let at: String = get(row, 1, "encounters")?;
            let status: String = get(row, 2, "encounters")?;
            let status = EncounterStatus::parse(&status).map_err(|_| {
                StoreError::damaged(
                    "encounters",
                    format!("patient {id}"),
                    format!("unknown status {status:?}"),
                )
            })?;
            newest.insert(id, (parse_time(&at)?, status));
        }
        // In the order asked, as SQLite answers.
        let mut out = Vec::new();
        for &id in patient_ids {
            if let Some((at, status)) = newest.remove(&id.0) {
                out.push((id, at, status));
            }
        }
        Ok(out)
    }
}
