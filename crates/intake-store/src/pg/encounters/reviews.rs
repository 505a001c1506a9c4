//! The review on the server (SQLite's `crate::reviews`): each move writes its event first,
//! since the triggers let the encounter take a signature, a return or an amendment's
//! opening or closing only right after its event.

use chrono::{DateTime, Utc};
use intake_core::questionnaire::response::Key;
use intake_core::{EncounterId, EncounterStatus, EventKind, PatientId, TemplateId};

use crate::pg::{get, PgDb};
use crate::traits::Reviews;
use crate::{
    format_time, parse_time, AnswerRow, EventRow, QueueFilter, QueueRow, Signature, SignedRecord,
    StoreError,
};

impl Reviews for PgDb<'_> {
    fn encounter_events(&self, id: EncounterId) -> Result<Vec<EventRow>, StoreError> {
        const T: &str = "encounter_events";
        let rows = self.query(
            "SELECT seq, kind, at, by, text, record_json, record_sha256, record_form \
             FROM encounter_events WHERE encounter_id = $1 ORDER BY seq",
            &[&id.0],
        )?;
        let mut out = Vec::new();
        for r in &rows {
            let seq: i64 = get(r, 0, T)?;
            let kind: String = get(r, 1, T)?;
            let at: String = get(r, 2, T)?;
            let record_json: Option<String> = get(r, 5, T)?;
            let form: i32 = get(r, 7, T)?;
            let damaged =
                |why: String| StoreError::damaged(T, format!("visit {id}, event {seq}"), why);
            out.push(EventRow {
                seq,
                kind: EventKind::parse(&kind).map_err(|e| damaged(e.to_string()))?,
                at: parse_time(&at).map_err(|e| damaged(e.to_string()))?,
                by: get(r, 3, T)?,
                text: get(r, 4, T)?,
                record_form: record_json
                    .is_some()
                    .then(|| u32::try_from(form).map_err(|e| damaged(e.to_string())))
                    .transpose()?,
                record_json,
                record_sha256: get(r, 6, T)?,
            });
        }
        Ok(out)
    }

    fn mark_in_record(&self, id: EncounterId, left_out: &[Key]) -> Result<(), StoreError> {
        self.execute(
            "UPDATE encounter_answers SET in_record = true \
             WHERE encounter_id = $1 AND NOT in_record",
            &[&id.0],
        )?;
        for key in left_out {
            self.execute(
                "UPDATE encounter_answers SET in_record = false \
                 WHERE encounter_id = $1 AND answer_key = $2",
                &[&id.0, &key.to_string()],
            )?;
        }
        Ok(())
    }

    fn sign_encounter(
        &self,
        id: EncounterId,
        signature: Signature,
        record: SignedRecord<'_>,
        at: DateTime<Utc>,
        by: &str,
    ) -> Result<(), StoreError> {
        let status = match signature {
            Signature::First => EncounterStatus::Signed,
            Signature::Amendment => EncounterStatus::Amended,
        };
        let (kind, reason) = match signature {
            Signature::First => (EventKind::Signed, None),
            Signature::Amendment => {
                let row = self.query_opt(
                    "SELECT amending_reason FROM encounters WHERE id = $1",
                    &[&id.0],
                )?;
                let reason: Option<String> = match row {
                    Some(r) => get(&r, 0, "encounters")?,
                    None => None,
                };
                (EventKind::Amended, reason)
            }
        };
        // The event first: the encounter takes a signature (and closes an amendment) only
        // when its newest event is that signature.
        self.add_event(id, kind, at, by, reason.as_deref(), Some(record))?;
        self.execute(
            "UPDATE encounters SET status = $2, signed_at = $3, signed_by = $4, updated_at = $3, \
             amending_by = NULL, amending_since = NULL, amending_reason = NULL WHERE id = $1",
            &[&id.0, &status.as_str(), &format_time(at), &by],
        )?;
        Ok(())
    }

    fn return_encounter(
        &self,
        id: EncounterId,
        comment: &str,
        at: DateTime<Utc>,
        by: &str,
    ) -> Result<(), StoreError> {
        // The event first: a submission is cleared only after it.
        self.add_event(id, EventKind::Returned, at, by, Some(comment), None)?;
        self.execute(
            "UPDATE encounters SET status = $3, submitted_at = NULL, submitted_by = NULL, \
             updated_at = $2 WHERE id = $1",
            &[&id.0, &format_time(at), &EncounterStatus::Draft.as_str()],
        )?;
        self.mark_in_record(id, &[])
    }

    fn start_amendment(
        &self,
        id: EncounterId,
        reason: &str,
        at: DateTime<Utc>,
        by: &str,
    ) -> Result<(), StoreError> {
        // The event first: an amendment opens only after it.
        self.add_event(id, EventKind::AmendmentStarted, at, by, Some(reason), None)?;
        self.execute(
            "UPDATE encounters SET amending_by = $2, amending_since = $3, amending_reason = $4, \
             updated_at = $3 WHERE id = $1",
            &[&id.0, &by, &format_time(at), &reason],
        )?;
        Ok(())
    }

    fn discard_amendment(
        &self,
        id: EncounterId,
        at: DateTime<Utc>,
        by: &str,
    ) -> Result<(), StoreError> {
        // The event first: an amendment closes only after it.
        self.add_event(id, EventKind::AmendmentDiscarded, at, by, None, None)?;
        self.execute(
            "UPDATE encounters SET amending_by = NULL, amending_since = NULL, \
             amending_reason = NULL, updated_at = $2 WHERE id = $1",
            &[&id.0, &format_time(at)],
        )?;
        Ok(())
    }

    fn mark_encounter_in_error(
        &self,
        id: EncounterId,
        reason: &str,
        at: DateTime<Utc>,
        by: &str,
    ) -> Result<(), StoreError> {
        // The event first: an open amendment closes only after it.
        self.add_event(id, EventKind::EnteredInError, at, by, Some(reason), None)?;
        self.execute(
            "UPDATE encounters SET status = $3, amending_by = NULL, \
             amending_since = NULL, amending_reason = NULL, updated_at = $2 WHERE id = $1",
            &[
                &id.0,
                &format_time(at),
                &EncounterStatus::EnteredInError.as_str(),
            ],
        )?;
        Ok(())
    }

    fn restore_answer(&self, id: EncounterId, a: &AnswerRow) -> Result<(), StoreError> {
        let c = a.carried.as_ref();
        let key = a.key.to_string();
        let at = format_time(a.at);
        let source_encounter = c.map(|c| c.encounter.0);
        let source_date = c.map(|c| format_time(c.date));
        let source_author = c.map(|c| c.author.as_str());
        let source_confirmed_by = c.and_then(|c| c.confirmed_by.as_deref());
        let confirmed_at = a.confirmed_at.map(format_time);
        // An update first, an insert when there is nothing to update (an insert over an
        // existing answer is refused).
        let updated = self.execute(
            "UPDATE encounter_answers SET value_json = $3, source = $4, author = $5, \
             at = $6, rev = rev + 1, in_record = $7, source_encounter = $8, \
             source_date = $9, source_author = $10, source_confirmed_by = $11, \
             needs_confirmation = $12, confirmed_by = $13, confirmed_at = $14 \
             WHERE encounter_id = $1 AND answer_key = $2",
            &[
                &id.0,
                &key,
                &a.values_json,
                &a.source.as_str(),
                &a.author,
                &at,
                &a.in_record,
                &source_encounter,
                &source_date,
                &source_author,
                &source_confirmed_by,
                &a.needs_confirmation,
                &a.confirmed_by,
                &confirmed_at,
            ],
        )?;
        if updated == 0 {
            self.execute(
                "INSERT INTO encounter_answers (encounter_id, answer_key, link_id, \
                 value_json, source, author, at, rev, in_record, source_encounter, \
                 source_date, source_author, source_confirmed_by, needs_confirmation, \
                 confirmed_by, confirmed_at) VALUES ($1, $2, $3, $4, $5, $6, $7, \
                 1 + coalesce((SELECT max(rev) FROM encounter_answer_revisions \
                 WHERE encounter_id = $1 AND answer_key = $2), 0), \
                 $8, $9, $10, $11, $12, $13, $14, $15)",
                &[
                    &id.0,
                    &key,
                    &a.link_id,
                    &a.values_json,
                    &a.source.as_str(),
                    &a.author,
                    &at,
                    &a.in_record,
                    &source_encounter,
                    &source_date,
                    &source_author,
                    &source_confirmed_by,
                    &a.needs_confirmation,
                    &a.confirmed_by,
                    &confirmed_at,
                ],
            )?;
        }
        Ok(())
    }

    fn review_queue(&self, f: &QueueFilter) -> Result<Vec<QueueRow>, StoreError> {
        const T: &str = "encounters";
        let rows = self.query(
            "SELECT e.id, e.patient_id, e.template_id, p.given || ' ' || p.family, p.mrn, \
             p.birth_date, t.title, e.submitted_at, e.submitted_by \
             FROM encounters e JOIN patients p ON p.id = e.patient_id \
             JOIN templates t ON t.id = e.template_id \
             WHERE e.status = $4 \
             AND ($1::text IS NULL OR e.submitted_at COLLATE \"C\" >= $1) \
             AND ($2::text IS NULL OR e.submitted_at COLLATE \"C\" < $2) \
             AND ($3::text IS NULL OR e.submitted_by = $3) \
             ORDER BY e.submitted_at COLLATE \"C\", e.id LIMIT 1000",
            &[
                &f.from.map(format_time),
                &f.until.map(format_time),
                &f.submitted_by,
                &EncounterStatus::Submitted.as_str(),
            ],
        )?;
        let mut out = Vec::new();
        for r in &rows {
            let at: String = get(r, 7, T)?;
            out.push(QueueRow {
                encounter_id: EncounterId(get(r, 0, T)?),
                patient_id: PatientId(get(r, 1, T)?),
                template_id: TemplateId(get(r, 2, T)?),
                patient_name: get(r, 3, T)?,
                mrn: get(r, 4, T)?,
                birth_date: get(r, 5, T)?,
                template_title: get(r, 6, T)?,
                submitted_at: parse_time(&at)?,
                submitted_by: get(r, 8, T)?,
            });
        }
        Ok(out)
    }

    fn review_count(&self) -> Result<i64, StoreError> {
        let row = self.query_one(
            "SELECT count(*) FROM encounters WHERE status = $1",
            &[&EncounterStatus::Submitted.as_str()],
        )?;
        get(&row, 0, "encounters")
    }

    fn review_submitters(&self) -> Result<Vec<String>, StoreError> {
        self.query(
            "SELECT DISTINCT submitted_by COLLATE \"C\" FROM encounters WHERE status = $1 \
             AND submitted_by IS NOT NULL ORDER BY 1",
            &[&EncounterStatus::Submitted.as_str()],
        )?
        .iter()
        .map(|r| get(r, 0, "encounters"))
        .collect()
    }

    fn previous_visit(&self, id: EncounterId) -> Result<Option<EncounterId>, StoreError> {
        let row = self.query_opt(
            "SELECT p.id FROM encounters e JOIN templates te ON te.id = e.template_id \
             JOIN encounters p ON p.id <> e.id AND (p.patient_id = e.patient_id \
               OR p.patient_id IN (SELECT merged_id FROM patient_merges \
                 WHERE survivor_id = e.patient_id AND undone_at IS NULL)) \
             JOIN templates tp ON tp.id = p.template_id AND tp.slug = te.slug \
             WHERE e.id = $1 AND p.status IN ($2, $3, $4) \
             AND (p.started_at COLLATE \"C\" < e.started_at \
                  OR (p.started_at = e.started_at AND p.id < e.id)) \
             ORDER BY p.started_at COLLATE \"C\" DESC, p.id DESC LIMIT 1",
            &[
                &id.0,
                &EncounterStatus::Submitted.as_str(),
                &EncounterStatus::Signed.as_str(),
                &EncounterStatus::Amended.as_str(),
            ],
        )?;
        row.map(|r| get(&r, 0, "encounters").map(EncounterId))
            .transpose()
    }
}

impl PgDb<'_> {
    fn add_event(
        &self,
        id: EncounterId,
        kind: EventKind,
        at: DateTime<Utc>,
        by: &str,
        text: Option<&str>,
        record: Option<SignedRecord<'_>>,
    ) -> Result<(), StoreError> {
        // Events without a record take the column's default; a form that does not fit
        // is refused by the column's check.
        let form = record.map_or(1, |r| i32::try_from(r.form).unwrap_or(i32::MAX));
        self.execute(
            "INSERT INTO encounter_events (encounter_id, seq, kind, at, by, text, record_json, \
             record_sha256, record_form) VALUES ($1, 1 + coalesce((SELECT max(seq) FROM \
             encounter_events WHERE encounter_id = $1), 0), $2, $3, $4, $5, $6, $7, $8)",
            &[
                &id.0,
                &kind.as_str(),
                &format_time(at),
                &by,
                &text,
                &record.map(|r| r.json),
                &record.map(|r| r.sha256),
                &form,
            ],
        )?;
        Ok(())
    }
}
