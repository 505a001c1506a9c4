//! The `encounters` and `encounter_answers` tables: one intake form filled for one
//! patient, with every answer's source, author, time and write count (`rev`). Triggers
//! refuse any change to the answers of an encounter that is not a draft.

use chrono::{DateTime, Utc};
use rusqlite::{params, OptionalExtension, Row};

use crate::{format_time, parse_time, Db, StoreError};

/// An encounter with what the screens show beside it (patient, template).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EncounterRow {
    pub id: i64,
    pub patient_id: i64,
    pub mrn: String,
    pub patient_name: String,
    pub template_id: i64,
    pub template_slug: String,
    pub template_version: String,
    pub template_title: String,
    pub status: String,
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
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AnswerRow {
    pub key: String,
    pub link_id: String,
    /// A JSON array of FHIR `value[x]` objects.
    pub values: String,
    pub source: String,
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
    pub encounter: i64,
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
    pub key: &'a str,
    pub link_id: &'a str,
    pub values: &'a str,
    pub source: &'a str,
    pub carried: Option<&'a CarriedFrom>,
    pub needs_confirmation: bool,
}

/// Which encounters to list.
#[derive(Debug, Clone, Default)]
pub struct EncounterFilter {
    pub patient_id: Option<i64>,
    pub status: Option<String>,
    pub limit: Option<u32>,
}

const SELECT: &str =
    "SELECT e.id, e.patient_id, p.mrn, p.given || ' ' || p.family, e.template_id, \
     t.slug, t.version, t.title, e.status, e.section, e.started_at, e.started_by, e.updated_at, \
     e.submitted_at, e.submitted_by, \
     (SELECT count(*) FROM encounter_answers a WHERE a.encounter_id = e.id), e.carry_notes, \
     e.signed_at, e.signed_by, e.amending_by, e.amending_since, e.amending_reason, \
     (SELECT by || char(31) || at || char(31) || coalesce(text, '') FROM encounter_events v \
      WHERE v.encounter_id = e.id AND v.kind = 'amended' ORDER BY v.seq DESC LIMIT 1), \
     (SELECT by || char(31) || at || char(31) || coalesce(text, '') FROM encounter_events v \
      WHERE v.encounter_id = e.id AND v.kind = 'returned' AND e.status = 'draft' \
      ORDER BY v.seq DESC LIMIT 1), \
     (SELECT by || char(31) || at || char(31) || coalesce(text, '') FROM encounter_events v \
      WHERE v.encounter_id = e.id AND v.kind = 'entered_in_error' ORDER BY v.seq DESC LIMIT 1) \
     FROM encounters e JOIN patients p ON p.id = e.patient_id \
     JOIN templates t ON t.id = e.template_id";

fn time(s: String) -> Result<DateTime<Utc>, StoreError> {
    parse_time(&s)
}

/// `by \x1f at \x1f text`, as the SELECT above joins an event.
fn event_ref(joined: Option<String>) -> Result<Option<EventRef>, StoreError> {
    let Some(joined) = joined else {
        return Ok(None);
    };
    let mut parts = joined.splitn(3, '\x1f');
    let (by, at, text) = (parts.next(), parts.next(), parts.next());
    match (by, at, text) {
        (Some(by), Some(at), Some(text)) => Ok(Some(EventRef {
            by: by.to_string(),
            at: parse_time(at)?,
            text: text.to_string(),
        })),
        _ => Err(StoreError::BadValue(format!(
            "an encounter event reads {joined:?}"
        ))),
    }
}

fn from_row(r: &Row<'_>) -> rusqlite::Result<Result<EncounterRow, StoreError>> {
    let started: String = r.get(10)?;
    let signed_at: Option<String> = r.get(17)?;
    let amending = (
        r.get::<_, Option<String>>(19)?,
        r.get::<_, Option<String>>(20)?,
        r.get::<_, Option<String>>(21)?,
    );
    let events = (r.get(22)?, r.get(23)?, r.get(24)?);
    let signed_by: Option<String> = r.get(18)?;
    let updated: String = r.get(12)?;
    let submitted: Option<String> = r.get(13)?;
    let fields = (
        r.get(0)?,
        r.get(1)?,
        r.get(2)?,
        r.get(3)?,
        r.get(4)?,
        r.get(5)?,
        r.get(6)?,
        r.get(7)?,
        r.get(8)?,
        r.get(9)?,
        r.get(11)?,
        r.get(14)?,
        r.get(15)?,
        r.get(16)?,
    );
    Ok((|| {
        Ok(EncounterRow {
            id: fields.0,
            patient_id: fields.1,
            mrn: fields.2,
            patient_name: fields.3,
            template_id: fields.4,
            template_slug: fields.5,
            template_version: fields.6,
            template_title: fields.7,
            status: fields.8,
            section: fields.9,
            started_at: time(started)?,
            started_by: fields.10,
            updated_at: time(updated)?,
            submitted_at: submitted.map(time).transpose()?,
            submitted_by: fields.11,
            answered: fields.12,
            carry_notes: fields.13,
            signed_at: signed_at.map(time).transpose()?,
            signed_by,
            amending: match amending {
                (Some(by), Some(since), reason) => Some(EventRef {
                    by,
                    at: parse_time(&since)?,
                    text: reason.unwrap_or_default(),
                }),
                _ => None,
            },
            amended: event_ref(events.0)?,
            returned: event_ref(events.1)?,
            in_error: event_ref(events.2)?,
        })
    })())
}

const ANSWER_COLUMNS: &str =
    "answer_key, link_id, value_json, source, author, at, rev, in_record, source_encounter, \
     source_date, source_author, source_confirmed_by, needs_confirmation, confirmed_by, confirmed_at";

fn answer_from_row(r: &Row<'_>) -> rusqlite::Result<Result<AnswerRow, StoreError>> {
    let at: String = r.get(5)?;
    let source_encounter: Option<i64> = r.get(8)?;
    let source_date: Option<String> = r.get(9)?;
    let source_author: Option<String> = r.get(10)?;
    let source_confirmed_by: Option<String> = r.get(11)?;
    let confirmed_at: Option<String> = r.get(14)?;
    let row = (
        r.get(0)?,
        r.get(1)?,
        r.get(2)?,
        r.get(3)?,
        r.get(4)?,
        r.get(6)?,
        r.get::<_, i64>(7)?,
        r.get::<_, i64>(12)?,
        r.get(13)?,
    );
    Ok((|| {
        let carried = match (source_encounter, source_date) {
            (Some(encounter), Some(date)) => Some(CarriedFrom {
                encounter,
                date: parse_time(&date)?,
                author: source_author.unwrap_or_default(),
                confirmed_by: source_confirmed_by,
            }),
            _ => None,
        };
        Ok(AnswerRow {
            key: row.0,
            link_id: row.1,
            values: row.2,
            source: row.3,
            author: row.4,
            at: parse_time(&at)?,
            rev: row.5,
            in_record: row.6 != 0,
            carried,
            needs_confirmation: row.7 != 0,
            confirmed_by: row.8,
            confirmed_at: confirmed_at.as_deref().map(parse_time).transpose()?,
        })
    })())
}

impl Db<'_> {
    /// Starts a draft encounter.
    pub fn insert_encounter(
        &self,
        patient_id: i64,
        template_id: i64,
        at: DateTime<Utc>,
        by: &str,
    ) -> Result<i64, StoreError> {
        let at = format_time(at);
        self.conn.execute(
            "INSERT INTO encounters (patient_id, template_id, started_at, started_by, updated_at) \
             VALUES (?1, ?2, ?3, ?4, ?3)",
            params![patient_id, template_id, at, by],
        )?;
        Ok(self.conn.last_insert_rowid())
    }

    pub fn encounter(&self, id: i64) -> Result<Option<EncounterRow>, StoreError> {
        self.conn
            .prepare_cached(&format!("{SELECT} WHERE e.id = ?1"))?
            .query_row([id], from_row)
            .optional()?
            .transpose()
    }

    /// Encounters, newest first.
    pub fn list_encounters(&self, f: &EncounterFilter) -> Result<Vec<EncounterRow>, StoreError> {
        let mut stmt = self.conn.prepare_cached(&format!(
            "{SELECT} WHERE (?1 IS NULL OR e.patient_id = ?1) AND (?2 IS NULL OR e.status = ?2) \
             ORDER BY e.started_at DESC, e.id DESC LIMIT ?3"
        ))?;
        let limit = i64::from(f.limit.unwrap_or(1000));
        let rows = stmt.query_map(params![f.patient_id, f.status, limit], from_row)?;
        let mut out = Vec::new();
        for row in rows {
            out.push(row??);
        }
        Ok(out)
    }

    /// Every answer of an encounter, by key.
    pub fn answers(&self, encounter_id: i64) -> Result<Vec<AnswerRow>, StoreError> {
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT {ANSWER_COLUMNS} FROM encounter_answers WHERE encounter_id = ?1 ORDER BY answer_key"
        ))?;
        let rows = stmt.query_map([encounter_id], answer_from_row)?;
        let mut out = Vec::new();
        for row in rows {
            out.push(row??);
        }
        Ok(out)
    }

    /// One answer of an encounter, if it has one for `key`.
    pub fn answer(&self, encounter_id: i64, key: &str) -> Result<Option<AnswerRow>, StoreError> {
        self.conn
            .prepare_cached(&format!(
                "SELECT {ANSWER_COLUMNS} FROM encounter_answers WHERE encounter_id = ?1 AND answer_key = ?2"
            ))?
            .query_row(params![encounter_id, key], answer_from_row)
            .optional()?
            .transpose()
    }

    /// Writes one answer (insert or replace), counting the write; returns the new `rev`.
    /// A key written again after it was removed goes on counting from its history.
    pub fn put_answer(
        &self,
        encounter_id: i64,
        a: &AnswerWrite<'_>,
        at: DateTime<Utc>,
        by: &str,
    ) -> Result<i64, StoreError> {
        let carried = a.carried;
        let rev: i64 = self.conn.prepare_cached(
            "INSERT INTO encounter_answers (encounter_id, answer_key, link_id, value_json, source, \
             author, at, rev, source_encounter, source_date, source_author, source_confirmed_by, \
             needs_confirmation, confirmed_by, confirmed_at) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, 1 + coalesce((SELECT max(rev) FROM \
             encounter_answer_revisions WHERE encounter_id = ?1 AND answer_key = ?2), 0), \
             ?8, ?9, ?10, ?11, ?12, NULL, NULL) \
             ON CONFLICT (encounter_id, answer_key) DO UPDATE SET value_json = excluded.value_json, \
             source = excluded.source, author = excluded.author, at = excluded.at, rev = rev + 1, \
             source_encounter = excluded.source_encounter, source_date = excluded.source_date, \
             source_author = excluded.source_author, \
             source_confirmed_by = excluded.source_confirmed_by, \
             needs_confirmation = excluded.needs_confirmation, confirmed_by = NULL, confirmed_at = NULL \
             RETURNING rev",
        )?
        .query_row(
            params![
                encounter_id,
                a.key,
                a.link_id,
                a.values,
                a.source,
                by,
                format_time(at),
                carried.map(|c| c.encounter),
                carried.map(|c| format_time(c.date)),
                carried.map(|c| c.author.as_str()),
                carried.and_then(|c| c.confirmed_by.as_deref()),
                a.needs_confirmation,
            ],
            |r| r.get(0),
        )?;
        Ok(rev)
    }

    /// Confirms a carried value for this visit; true when there was one to confirm.
    /// Confirming is not a change of value: the `rev` stays.
    pub fn confirm_answer(
        &self,
        encounter_id: i64,
        key: &str,
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
            .execute(params![encounter_id, key, by, format_time(at)])?;
        Ok(n > 0)
    }

    /// Keeps what the carry-forward plan said when the intake started.
    pub fn set_carry_notes(&self, id: i64, notes: &str) -> Result<(), StoreError> {
        self.conn
            .prepare_cached("UPDATE encounters SET carry_notes = ?2 WHERE id = ?1")?
            .execute(params![id, notes])?;
        Ok(())
    }

    /// Removes one answer; true when there was one.
    pub fn delete_answer(&self, encounter_id: i64, key: &str) -> Result<bool, StoreError> {
        let n = self
            .conn
            .prepare_cached(
                "DELETE FROM encounter_answers WHERE encounter_id = ?1 AND answer_key = ?2",
            )?
            .execute(params![encounter_id, key])?;
        Ok(n > 0)
    }

    /// Records a change to a draft: when, and optionally the section the nurse is in.
    pub fn touch_encounter(
        &self,
        id: i64,
        section: Option<&str>,
        at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        self.conn
            .prepare_cached(
                "UPDATE encounters SET updated_at = ?2, section = coalesce(?3, section) WHERE id = ?1",
            )?
            .execute(params![id, format_time(at), section])?;
        Ok(())
    }

    /// Marks which answers go into the submitted record (disabled ones do not) and
    /// moves the draft to `submitted`, in that order (answers change only in drafts).
    pub fn submit_encounter(
        &self,
        id: i64,
        left_out: &[String],
        at: DateTime<Utc>,
        by: &str,
    ) -> Result<(), StoreError> {
        self.mark_in_record(id, left_out)?;
        self.conn.execute(
            "UPDATE encounters SET status = 'submitted', submitted_at = ?2, submitted_by = ?3, \
             updated_at = ?2 WHERE id = ?1 AND status = 'draft'",
            params![id, format_time(at), by],
        )?;
        Ok(())
    }

    /// The last visit of each of these patients (started_at of their newest encounter).
    pub fn last_visits(
        &self,
        patient_ids: &[i64],
    ) -> Result<Vec<(i64, DateTime<Utc>)>, StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT max(started_at) FROM encounters WHERE patient_id = ?1 \
             AND status <> 'entered_in_error'",
        )?;
        let mut out = Vec::new();
        for &id in patient_ids {
            let at: Option<String> = stmt.query_row([id], |r| r.get(0))?;
            if let Some(at) = at {
                out.push((id, parse_time(&at)?));
            }
        }
        Ok(out)
    }

    /// The stored template an encounter uses: its original bytes.
    pub fn template_by_id(&self, id: i64) -> Result<Option<Vec<u8>>, StoreError> {
        self.template_original(id)
    }
}
