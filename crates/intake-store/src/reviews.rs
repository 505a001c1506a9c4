//! What happens to an encounter after submission: signing (with the record exactly as
//! signed), returning it to the nurse, amending it, marking it entered in error. Each is
//! an `encounter_events` row that never changes; the latest signature and an amendment in
//! progress also sit on the encounter. Triggers (migration 0006) allow only the moves
//! between statuses that the review allows and refuse answer changes outside a draft or
//! an open amendment; migration 0008 freezes every other column of a non-draft encounter
//! and lets a signature, a return or an amendment's opening or closing reach it only
//! right after its event, so each method here writes its event first.
//!
//! Nothing here decides who may do what, or checks that a record is unchanged since a
//! physician read it: `intake-api` does, inside the same transaction.

use chrono::{DateTime, Utc};
use intake_core::questionnaire::response::Key;
use intake_core::{EncounterId, EncounterStatus, EventKind, PatientId, TemplateId};
use rusqlite::{params, Row};

use crate::encounters::AnswerRow;
use crate::traits::Reviews;
use crate::{format_time, parse_time, SqliteDb, StoreError};

/// One stored event of an encounter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventRow {
    pub seq: i64,
    pub kind: EventKind,
    pub at: DateTime<Utc>,
    pub by: String,
    pub text: Option<String>,
    /// For `signed` and `amended`: the record as signed, and its SHA-256 (hex).
    pub record_json: Option<String>,
    pub record_sha256: Option<String>,
    /// For `signed` and `amended`: the form the record was written and hashed in (1:
    /// keys as `"<rows>:<linkId>"`, signatures before migration 0007; 2: keys as paths).
    pub record_form: Option<u32>,
}

/// A record as a signature keeps it: its canonical text, its SHA-256 (hex), and the
/// form it was written in (see [`EventRow::record_form`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SignedRecord<'a> {
    pub json: &'a str,
    pub sha256: &'a str,
    pub form: u32,
}

/// A signature: a first one (`signed`) or an amendment's (`amended`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Signature {
    First,
    Amendment,
}

/// One intake waiting for review, with what the queue shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueueRow {
    pub encounter_id: EncounterId,
    pub patient_id: PatientId,
    pub template_id: TemplateId,
    pub patient_name: String,
    pub mrn: String,
    pub birth_date: String,
    pub template_title: String,
    pub submitted_at: DateTime<Utc>,
    pub submitted_by: String,
}

/// Which waiting intakes to list: submitted from `from` (inclusive) to `until`
/// (exclusive), by one person.
#[derive(Debug, Clone, Default)]
pub struct QueueFilter {
    pub from: Option<DateTime<Utc>>,
    pub until: Option<DateTime<Utc>>,
    pub submitted_by: Option<String>,
}

/// An event row as read: seq, kind, at, by, text, record JSON, record SHA-256, form.
type RawEvent = (
    i64,
    String,
    String,
    String,
    Option<String>,
    Option<String>,
    Option<String>,
    i64,
);

fn event_from_row(r: &Row<'_>) -> rusqlite::Result<RawEvent> {
    Ok((
        r.get(0)?,
        r.get(1)?,
        r.get(2)?,
        r.get(3)?,
        r.get(4)?,
        r.get(5)?,
        r.get(6)?,
        r.get(7)?,
    ))
}

impl Reviews for SqliteDb<'_> {
    fn encounter_events(&self, id: EncounterId) -> Result<Vec<EventRow>, StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT seq, kind, at, by, text, record_json, record_sha256, record_form \
             FROM encounter_events WHERE encounter_id = ?1 ORDER BY seq",
        )?;
        let rows = stmt.query_map([id.0], event_from_row)?;
        let mut out = Vec::new();
        for row in rows {
            let (seq, kind, at, by, text, record_json, record_sha256, form) = row?;
            let damaged = |why: String| {
                StoreError::damaged("encounter_events", format!("visit {id}, event {seq}"), why)
            };
            out.push(EventRow {
                seq,
                kind: EventKind::parse(&kind).map_err(|e| damaged(e.to_string()))?,
                at: parse_time(&at).map_err(|e| damaged(e.to_string()))?,
                by,
                text,
                record_form: record_json
                    .is_some()
                    .then(|| u32::try_from(form).map_err(|e| damaged(e.to_string())))
                    .transpose()?,
                record_json,
                record_sha256,
            });
        }
        Ok(out)
    }

    fn mark_in_record(&self, id: EncounterId, left_out: &[Key]) -> Result<(), StoreError> {
        self.conn
            .prepare_cached(
                "UPDATE encounter_answers SET in_record = 1 WHERE encounter_id = ?1 AND in_record = 0",
            )?
            .execute([id.0])?;
        let mut mark = self.conn.prepare_cached(
            "UPDATE encounter_answers SET in_record = 0 WHERE encounter_id = ?1 AND answer_key = ?2",
        )?;
        for key in left_out {
            mark.execute(params![id.0, key.to_string()])?;
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
            Signature::Amendment => (
                EventKind::Amended,
                self.conn.query_row(
                    "SELECT amending_reason FROM encounters WHERE id = ?1",
                    [id.0],
                    |r| r.get::<_, Option<String>>(0),
                )?,
            ),
        };
        // The event first: migration 0008 lets the encounter take a signature (and close
        // an amendment) only when its newest event is that signature.
        self.add_event(id, kind, at, by, reason.as_deref(), Some(record))?;
        self.conn.execute(
            "UPDATE encounters SET status = ?2, signed_at = ?3, signed_by = ?4, updated_at = ?3, \
             amending_by = NULL, amending_since = NULL, amending_reason = NULL WHERE id = ?1",
            params![id.0, status.as_str(), format_time(at), by],
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
        // The event first: migration 0008 clears a submission only after it.
        self.add_event(id, EventKind::Returned, at, by, Some(comment), None)?;
        self.conn.execute(
            "UPDATE encounters SET status = ?3, submitted_at = NULL, submitted_by = NULL, \
             updated_at = ?2 WHERE id = ?1",
            params![id.0, format_time(at), EncounterStatus::Draft.as_str()],
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
        // The event first: migration 0008 opens an amendment only after it.
        self.add_event(id, EventKind::AmendmentStarted, at, by, Some(reason), None)?;
        self.conn.execute(
            "UPDATE encounters SET amending_by = ?2, amending_since = ?3, amending_reason = ?4, \
             updated_at = ?3 WHERE id = ?1",
            params![id.0, by, format_time(at), reason],
        )?;
        Ok(())
    }

    fn discard_amendment(
        &self,
        id: EncounterId,
        at: DateTime<Utc>,
        by: &str,
    ) -> Result<(), StoreError> {
        // The event first: migration 0008 closes an amendment only after it.
        self.add_event(id, EventKind::AmendmentDiscarded, at, by, None, None)?;
        self.conn.execute(
            "UPDATE encounters SET amending_by = NULL, amending_since = NULL, \
             amending_reason = NULL, updated_at = ?2 WHERE id = ?1",
            params![id.0, format_time(at)],
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
        // The event first: migration 0008 closes an open amendment only after it.
        self.add_event(id, EventKind::EnteredInError, at, by, Some(reason), None)?;
        self.conn.execute(
            "UPDATE encounters SET status = ?3, amending_by = NULL, \
             amending_since = NULL, amending_reason = NULL, updated_at = ?2 WHERE id = ?1",
            params![
                id.0,
                format_time(at),
                EncounterStatus::EnteredInError.as_str()
            ],
        )?;
        Ok(())
    }

    fn restore_answer(&self, id: EncounterId, a: &AnswerRow) -> Result<(), StoreError> {
        let c = a.carried.as_ref();
        let params = params![
            id.0,
            a.key.to_string(),
            a.link_id,
            a.values_json,
            a.source.as_str(),
            a.author,
            format_time(a.at),
            a.in_record,
            c.map(|c| c.encounter.0),
            c.map(|c| format_time(c.date)),
            c.map(|c| c.author.as_str()),
            c.and_then(|c| c.confirmed_by.as_deref()),
            a.needs_confirmation,
            a.confirmed_by,
            a.confirmed_at.map(format_time),
        ];
        // An update first, an insert when there is nothing to update (migration 0008
        // refuses any insert over an existing answer).
        let updated = self
            .conn
            .prepare_cached(
                "UPDATE encounter_answers SET value_json = ?4, source = ?5, author = ?6, \
                 at = ?7, rev = rev + 1, in_record = ?8, source_encounter = ?9, \
                 source_date = ?10, source_author = ?11, source_confirmed_by = ?12, \
                 needs_confirmation = ?13, confirmed_by = ?14, confirmed_at = ?15 \
                 WHERE encounter_id = ?1 AND answer_key = ?2",
            )?
            .execute(params)?;
        if updated == 0 {
            self.conn
                .prepare_cached(
                    "INSERT INTO encounter_answers (encounter_id, answer_key, link_id, \
                     value_json, source, author, at, rev, in_record, source_encounter, \
                     source_date, source_author, source_confirmed_by, needs_confirmation, \
                     confirmed_by, confirmed_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, \
                     1 + coalesce((SELECT max(rev) FROM encounter_answer_revisions \
                     WHERE encounter_id = ?1 AND answer_key = ?2), 0), \
                     ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)",
                )?
                .execute(params)?;
        }
        Ok(())
    }

    fn review_queue(&self, f: &QueueFilter) -> Result<Vec<QueueRow>, StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT e.id, e.patient_id, e.template_id, p.given || ' ' || p.family, p.mrn, \
             p.birth_date, t.title, e.submitted_at, e.submitted_by \
             FROM encounters e JOIN patients p ON p.id = e.patient_id \
             JOIN templates t ON t.id = e.template_id \
             WHERE e.status = ?4 AND (?1 IS NULL OR e.submitted_at >= ?1) \
             AND (?2 IS NULL OR e.submitted_at < ?2) AND (?3 IS NULL OR e.submitted_by = ?3) \
             ORDER BY e.submitted_at, e.id LIMIT 1000",
        )?;
        let rows = stmt.query_map(
            params![
                f.from.map(format_time),
                f.until.map(format_time),
                f.submitted_by,
                EncounterStatus::Submitted.as_str()
            ],
            |r| {
                Ok((
                    (r.get(0)?, r.get(1)?, r.get(2)?),
                    (r.get(3)?, r.get(4)?, r.get(5)?, r.get(6)?),
                    (r.get::<_, String>(7)?, r.get(8)?),
                ))
            },
        )?;
        let mut out = Vec::new();
        for row in rows {
            let ((encounter_id, patient_id, template_id), (name, mrn, birth, title), (at, by)) =
                row?;
            out.push(QueueRow {
                encounter_id: EncounterId(encounter_id),
                patient_id: PatientId(patient_id),
                template_id: TemplateId(template_id),
                patient_name: name,
                mrn,
                birth_date: birth,
                template_title: title,
                submitted_at: parse_time(&at)?,
                submitted_by: by,
            });
        }
        Ok(out)
    }

    fn review_count(&self) -> Result<i64, StoreError> {
        Ok(self.conn.query_row(
            "SELECT count(*) FROM encounters WHERE status = ?1",
            [EncounterStatus::Submitted.as_str()],
            |r| r.get(0),
        )?)
    }

    fn review_submitters(&self) -> Result<Vec<String>, StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT DISTINCT submitted_by FROM encounters WHERE status = ?1 \
             AND submitted_by IS NOT NULL ORDER BY submitted_by",
        )?;
        let rows = stmt.query_map([EncounterStatus::Submitted.as_str()], |r| r.get(0))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    fn previous_visit(&self, id: EncounterId) -> Result<Option<EncounterId>, StoreError> {
        use rusqlite::OptionalExtension;
        Ok(self
            .conn
            .prepare_cached(
                "SELECT p.id FROM encounters e JOIN templates te ON te.id = e.template_id \
                 JOIN encounters p ON p.id <> e.id AND (p.patient_id = e.patient_id \
                   OR p.patient_id IN (SELECT merged_id FROM patient_merges \
                     WHERE survivor_id = e.patient_id AND undone_at IS NULL)) \
                 JOIN templates tp ON tp.id = p.template_id AND tp.slug = te.slug \
                 WHERE e.id = ?1 AND p.status IN (?2, ?3, ?4) \
                 AND (p.started_at < e.started_at OR (p.started_at = e.started_at AND p.id < e.id)) \
                 ORDER BY p.started_at DESC, p.id DESC LIMIT 1",
            )?
            .query_row(
                params![
                    id.0,
                    EncounterStatus::Submitted.as_str(),
                    EncounterStatus::Signed.as_str(),
                    EncounterStatus::Amended.as_str()
                ],
                |r| r.get(0).map(EncounterId),
            )
            .optional()?)
    }
}

impl SqliteDb<'_> {
    fn add_event(
        &self,
        id: EncounterId,
        kind: EventKind,
        at: DateTime<Utc>,
        by: &str,
        text: Option<&str>,
        record: Option<SignedRecord<'_>>,
    ) -> Result<(), StoreError> {
        self.conn
            .prepare_cached(
                "INSERT INTO encounter_events (encounter_id, seq, kind, at, by, text, record_json, \
                 record_sha256, record_form) VALUES (?1, 1 + coalesce((SELECT max(seq) FROM \
                 encounter_events WHERE encounter_id = ?1), 0), ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            )?
            .execute(params![
                id.0,
                kind.as_str(),
                format_time(at),
                by,
                text,
                record.map(|r| r.json),
                record.map(|r| r.sha256),
                // Events without a record take the column's default.
                record.map_or(1, |r| r.form),
            ])?;
        Ok(())
    }
}
