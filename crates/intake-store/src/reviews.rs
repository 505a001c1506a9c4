//! What happens to an encounter after submission: signing (with the record exactly as
//! signed), returning it to the nurse, amending it, marking it entered in error. Each is
//! an `encounter_events` row that never changes; the latest signature and an amendment in
//! progress also sit on the encounter. Triggers (migration 0006) allow only the moves
//! between statuses that the review allows and refuse answer changes outside a draft or
//! an open amendment, so these functions cannot be bypassed by another code path.
//!
//! Nothing here decides who may do what, or checks that a record is unchanged since a
//! physician read it: `intake-api` does, inside the same transaction.

use chrono::{DateTime, Utc};
use rusqlite::{params, Row};

use crate::encounters::AnswerRow;
use crate::{format_time, parse_time, Db, StoreError};

/// One stored event of an encounter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventRow {
    pub seq: i64,
    /// `returned`, `signed`, `amendment_started`, `amendment_discarded`, `amended`,
    /// `entered_in_error`.
    pub kind: String,
    pub at: DateTime<Utc>,
    pub by: String,
    pub text: Option<String>,
    /// For `signed` and `amended`: the record as signed, and its SHA-256 (hex).
    pub record_json: Option<String>,
    pub record_sha256: Option<String>,
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
    pub encounter_id: i64,
    pub patient_id: i64,
    pub template_id: i64,
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

/// An event row as read: seq, kind, at, by, text, record JSON, record SHA-256.
type RawEvent = (
    i64,
    String,
    String,
    String,
    Option<String>,
    Option<String>,
    Option<String>,
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
    ))
}

impl Db<'_> {
    fn add_event(
        &self,
        id: i64,
        kind: &str,
        at: DateTime<Utc>,
        by: &str,
        text: Option<&str>,
        record: Option<(&str, &str)>,
    ) -> Result<(), StoreError> {
        self.conn
            .prepare_cached(
                "INSERT INTO encounter_events (encounter_id, seq, kind, at, by, text, record_json, \
                 record_sha256) VALUES (?1, 1 + coalesce((SELECT max(seq) FROM encounter_events \
                 WHERE encounter_id = ?1), 0), ?2, ?3, ?4, ?5, ?6, ?7)",
            )?
            .execute(params![
                id,
                kind,
                format_time(at),
                by,
                text,
                record.map(|r| r.0),
                record.map(|r| r.1),
            ])?;
        Ok(())
    }

    /// Every event of an encounter, oldest first.
    pub fn encounter_events(&self, id: i64) -> Result<Vec<EventRow>, StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT seq, kind, at, by, text, record_json, record_sha256 FROM encounter_events \
             WHERE encounter_id = ?1 ORDER BY seq",
        )?;
        let rows = stmt.query_map([id], event_from_row)?;
        let mut out = Vec::new();
        for row in rows {
            let (seq, kind, at, by, text, record_json, record_sha256) = row?;
            out.push(EventRow {
                seq,
                kind,
                at: parse_time(&at)?,
                by,
                text,
                record_json,
                record_sha256,
            });
        }
        Ok(out)
    }

    /// Marks which answers are in the record (every one but `left_out`, the answers of
    /// disabled items). Only a draft or an open amendment may change them.
    pub fn mark_in_record(&self, id: i64, left_out: &[String]) -> Result<(), StoreError> {
        self.conn
            .prepare_cached(
                "UPDATE encounter_answers SET in_record = 1 WHERE encounter_id = ?1 AND in_record = 0",
            )?
            .execute([id])?;
        let mut mark = self.conn.prepare_cached(
            "UPDATE encounter_answers SET in_record = 0 WHERE encounter_id = ?1 AND answer_key = ?2",
        )?;
        for key in left_out {
            mark.execute(params![id, key])?;
        }
        Ok(())
    }

    /// Signs a submitted encounter (`First`: it becomes `signed`) or closes the amendment in
    /// progress (`Amendment`: it becomes `amended`), keeping the record as signed.
    pub fn sign_encounter(
        &self,
        id: i64,
        signature: Signature,
        record: (&str, &str),
        at: DateTime<Utc>,
        by: &str,
    ) -> Result<(), StoreError> {
        let (kind, reason) = match signature {
            Signature::First => ("signed", None),
            Signature::Amendment => (
                "amended",
                self.conn.query_row(
                    "SELECT amending_reason FROM encounters WHERE id = ?1",
                    [id],
                    |r| r.get::<_, Option<String>>(0),
                )?,
            ),
        };
        self.conn.execute(
            "UPDATE encounters SET status = ?2, signed_at = ?3, signed_by = ?4, updated_at = ?3, \
             amending_by = NULL, amending_since = NULL, amending_reason = NULL WHERE id = ?1",
            params![id, kind, format_time(at), by],
        )?;
        self.add_event(id, kind, at, by, reason.as_deref(), Some(record))
    }

    /// Sends a submitted intake back to the nurse as a draft, with a comment.
    pub fn return_encounter(
        &self,
        id: i64,
        comment: &str,
        at: DateTime<Utc>,
        by: &str,
    ) -> Result<(), StoreError> {
        self.conn.execute(
            "UPDATE encounters SET status = 'draft', submitted_at = NULL, submitted_by = NULL, \
             updated_at = ?2 WHERE id = ?1",
            params![id, format_time(at)],
        )?;
        self.mark_in_record(id, &[])?;
        self.add_event(id, "returned", at, by, Some(comment), None)
    }

    /// Opens an amendment of a signed record: its answers may change until it is signed
    /// again or discarded.
    pub fn start_amendment(
        &self,
        id: i64,
        reason: &str,
        at: DateTime<Utc>,
        by: &str,
    ) -> Result<(), StoreError> {
        self.conn.execute(
            "UPDATE encounters SET amending_by = ?2, amending_since = ?3, amending_reason = ?4, \
             updated_at = ?3 WHERE id = ?1",
            params![id, by, format_time(at), reason],
        )?;
        self.add_event(id, "amendment_started", at, by, Some(reason), None)
    }

    /// Closes an amendment without signing it (the caller has put the answers back first).
    pub fn discard_amendment(
        &self,
        id: i64,
        at: DateTime<Utc>,
        by: &str,
    ) -> Result<(), StoreError> {
        self.conn.execute(
            "UPDATE encounters SET amending_by = NULL, amending_since = NULL, \
             amending_reason = NULL, updated_at = ?2 WHERE id = ?1",
            params![id, format_time(at)],
        )?;
        self.add_event(id, "amendment_discarded", at, by, None, None)
    }

    /// Marks an encounter entered in error (an amendment in progress ends with it).
    pub fn mark_encounter_in_error(
        &self,
        id: i64,
        reason: &str,
        at: DateTime<Utc>,
        by: &str,
    ) -> Result<(), StoreError> {
        self.conn.execute(
            "UPDATE encounters SET status = 'entered_in_error', amending_by = NULL, \
             amending_since = NULL, amending_reason = NULL, updated_at = ?2 WHERE id = ?1",
            params![id, format_time(at)],
        )?;
        self.add_event(id, "entered_in_error", at, by, Some(reason), None)
    }

    /// Puts an answer back exactly as it was kept (value, provenance, confirmation): a new
    /// write of its key, so the replaced value goes to the revision history.
    pub fn restore_answer(&self, id: i64, a: &AnswerRow) -> Result<(), StoreError> {
        let c = a.carried.as_ref();
        self.conn
            .prepare_cached(
                "INSERT INTO encounter_answers (encounter_id, answer_key, link_id, value_json, \
                 source, author, at, rev, in_record, source_encounter, source_date, source_author, \
                 source_confirmed_by, needs_confirmation, confirmed_by, confirmed_at) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, 1 + coalesce((SELECT max(rev) FROM \
                 encounter_answer_revisions WHERE encounter_id = ?1 AND answer_key = ?2), 0), \
                 ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15) \
                 ON CONFLICT (encounter_id, answer_key) DO UPDATE SET \
                 value_json = excluded.value_json, source = excluded.source, \
                 author = excluded.author, at = excluded.at, rev = rev + 1, \
                 in_record = excluded.in_record, source_encounter = excluded.source_encounter, \
                 source_date = excluded.source_date, source_author = excluded.source_author, \
                 source_confirmed_by = excluded.source_confirmed_by, \
                 needs_confirmation = excluded.needs_confirmation, \
                 confirmed_by = excluded.confirmed_by, confirmed_at = excluded.confirmed_at",
            )?
            .execute(params![
                id,
                a.key,
                a.link_id,
                a.values,
                a.source,
                a.author,
                format_time(a.at),
                a.in_record,
                c.map(|c| c.encounter),
                c.map(|c| format_time(c.date)),
                c.map(|c| c.author.as_str()),
                c.and_then(|c| c.confirmed_by.as_deref()),
                a.needs_confirmation,
                a.confirmed_by,
                a.confirmed_at.map(format_time),
            ])?;
        Ok(())
    }

    /// Submitted intakes waiting for review, oldest submission first.
    pub fn review_queue(&self, f: &QueueFilter) -> Result<Vec<QueueRow>, StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT e.id, e.patient_id, e.template_id, p.given || ' ' || p.family, p.mrn, \
             p.birth_date, t.title, e.submitted_at, e.submitted_by \
             FROM encounters e JOIN patients p ON p.id = e.patient_id \
             JOIN templates t ON t.id = e.template_id \
             WHERE e.status = 'submitted' AND (?1 IS NULL OR e.submitted_at >= ?1) \
             AND (?2 IS NULL OR e.submitted_at < ?2) AND (?3 IS NULL OR e.submitted_by = ?3) \
             ORDER BY e.submitted_at, e.id LIMIT 1000",
        )?;
        let rows = stmt.query_map(
            params![
                f.from.map(format_time),
                f.until.map(format_time),
                f.submitted_by
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
                encounter_id,
                patient_id,
                template_id,
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

    /// How many intakes wait for review.
    pub fn review_count(&self) -> Result<i64, StoreError> {
        Ok(self.conn.query_row(
            "SELECT count(*) FROM encounters WHERE status = 'submitted'",
            [],
            |r| r.get(0),
        )?)
    }

    /// Who submitted the intakes waiting for review, by name.
    pub fn review_submitters(&self) -> Result<Vec<String>, StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT DISTINCT submitted_by FROM encounters WHERE status = 'submitted' \
             AND submitted_by IS NOT NULL ORDER BY submitted_by",
        )?;
        let rows = stmt.query_map([], |r| r.get(0))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// The visit a review compares with: the patient's newest earlier encounter of the
    /// same form (any version) that counts (submitted, signed, amended).
    pub fn previous_visit(&self, id: i64) -> Result<Option<i64>, StoreError> {
        use rusqlite::OptionalExtension;
        Ok(self
            .conn
            .prepare_cached(
                "SELECT p.id FROM encounters e JOIN templates te ON te.id = e.template_id \
                 JOIN encounters p ON p.patient_id = e.patient_id AND p.id <> e.id \
                 JOIN templates tp ON tp.id = p.template_id AND tp.slug = te.slug \
                 WHERE e.id = ?1 AND p.status IN ('submitted', 'signed', 'amended') \
                 AND (p.started_at < e.started_at OR (p.started_at = e.started_at AND p.id < e.id)) \
                 ORDER BY p.started_at DESC, p.id DESC LIMIT 1",
            )?
            .query_row([id], |r| r.get(0))
            .optional()?)
    }
}
