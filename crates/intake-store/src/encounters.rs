//! The `encounters` and `encounter_answers` tables: one intake form filled for one
//! patient, with every answer's source, author, time and write count (`rev`). Triggers
//! refuse any change to the answers of an encounter that is not a draft.

use chrono::{DateTime, Utc};
use intake_core::questionnaire::response::{Key, KeyParseError};
use intake_core::questionnaire::value_json::{from_json, to_json};
use intake_core::questionnaire::AnswerValue;
use intake_core::{AnswerSource, EncounterId, EncounterStatus, EventKind, PatientId, TemplateId};
use rusqlite::{params, OptionalExtension, Row};

use crate::{format_time, parse_time, Db, StoreError};

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

/// The encounter rows' SELECT. Status and event words come from their enums (never
/// spelled in SQL here); they are fixed ASCII words, so formatting them in is safe.
fn select() -> String {
    let event = |kind: EventKind, extra: &str| {
        format!(
            "(SELECT by || char(31) || at || char(31) || coalesce(text, '') FROM encounter_events v \
             WHERE v.encounter_id = e.id AND v.kind = '{kind}'{extra} ORDER BY v.seq DESC LIMIT 1)"
        )
    };
    format!(
        "SELECT e.id, e.patient_id, p.mrn, p.given || ' ' || p.family AS patient_name, \
         e.template_id, t.slug, t.version, t.title, e.status, e.section, e.started_at, \
         e.started_by, e.updated_at, e.submitted_at, e.submitted_by, \
         (SELECT count(*) FROM encounter_answers a WHERE a.encounter_id = e.id) AS answered, \
         e.carry_notes, e.signed_at, e.signed_by, e.amending_by, e.amending_since, \
         e.amending_reason, {} AS amended_event, {} AS returned_event, {} AS in_error_event \
         FROM encounters e JOIN patients p ON p.id = e.patient_id \
         JOIN templates t ON t.id = e.template_id",
        event(EventKind::Amended, ""),
        event(
            EventKind::Returned,
            &format!(" AND e.status = '{}'", EncounterStatus::Draft)
        ),
        event(EventKind::EnteredInError, ""),
    )
}

/// `by \x1f at \x1f text`, as the SELECT above joins an event.
fn event_ref(id: i64, joined: Option<String>) -> Result<Option<EventRef>, StoreError> {
    let Some(joined) = joined else {
        return Ok(None);
    };
    let mut parts = joined.splitn(3, '\x1f');
    let (by, at, text) = (parts.next(), parts.next(), parts.next());
    match (by, at, text) {
        (Some(by), Some(at), Some(text)) => Ok(Some(EventRef {
            by: by.to_string(),
            at: time_of("encounter_events", id, at)?,
            text: text.to_string(),
        })),
        _ => Err(StoreError::damaged(
            "encounter_events",
            format!("visit {id}"),
            format!("an event reads {joined:?}"),
        )),
    }
}

/// A time of visit `id`, or the row named as damaged.
fn time_of(table: &'static str, id: i64, s: &str) -> Result<DateTime<Utc>, StoreError> {
    parse_time(s).map_err(|e| StoreError::damaged(table, format!("visit {id}"), e.to_string()))
}

/// The raw columns of one encounter row, read by name.
struct RawEncounter {
    id: i64,
    patient_id: i64,
    mrn: String,
    patient_name: String,
    template_id: i64,
    slug: String,
    version: String,
    title: String,
    status: String,
    section: Option<String>,
    started_at: String,
    started_by: String,
    updated_at: String,
    submitted_at: Option<String>,
    submitted_by: Option<String>,
    answered: i64,
    carry_notes: Option<String>,
    signed_at: Option<String>,
    signed_by: Option<String>,
    amending_by: Option<String>,
    amending_since: Option<String>,
    amending_reason: Option<String>,
    amended: Option<String>,
    returned: Option<String>,
    in_error: Option<String>,
}

fn raw_encounter(r: &Row<'_>) -> rusqlite::Result<RawEncounter> {
    Ok(RawEncounter {
        id: r.get("id")?,
        patient_id: r.get("patient_id")?,
        mrn: r.get("mrn")?,
        patient_name: r.get("patient_name")?,
        template_id: r.get("template_id")?,
        slug: r.get("slug")?,
        version: r.get("version")?,
        title: r.get("title")?,
        status: r.get("status")?,
        section: r.get("section")?,
        started_at: r.get("started_at")?,
        started_by: r.get("started_by")?,
        updated_at: r.get("updated_at")?,
        submitted_at: r.get("submitted_at")?,
        submitted_by: r.get("submitted_by")?,
        answered: r.get("answered")?,
        carry_notes: r.get("carry_notes")?,
        signed_at: r.get("signed_at")?,
        signed_by: r.get("signed_by")?,
        amending_by: r.get("amending_by")?,
        amending_since: r.get("amending_since")?,
        amending_reason: r.get("amending_reason")?,
        amended: r.get("amended_event")?,
        returned: r.get("returned_event")?,
        in_error: r.get("in_error_event")?,
    })
}

impl RawEncounter {
    fn decode(self) -> Result<EncounterRow, StoreError> {
        let id = self.id;
        let t = |s: &str| time_of("encounters", id, s);
        let status = EncounterStatus::parse(&self.status)
            .map_err(|e| StoreError::damaged("encounters", format!("visit {id}"), e.to_string()))?;
        Ok(EncounterRow {
            id: EncounterId(id),
            patient_id: PatientId(self.patient_id),
            mrn: self.mrn,
            patient_name: self.patient_name,
            template_id: TemplateId(self.template_id),
            template_slug: self.slug,
            template_version: self.version,
            template_title: self.title,
            status,
            section: self.section,
            started_at: t(&self.started_at)?,
            started_by: self.started_by,
            updated_at: t(&self.updated_at)?,
            submitted_at: self.submitted_at.as_deref().map(t).transpose()?,
            submitted_by: self.submitted_by,
            answered: self.answered,
            carry_notes: self.carry_notes,
            signed_at: self.signed_at.as_deref().map(t).transpose()?,
            signed_by: self.signed_by,
            amending: match (self.amending_by, self.amending_since) {
                (Some(by), Some(since)) => Some(EventRef {
                    by,
                    at: t(&since)?,
                    text: self.amending_reason.unwrap_or_default(),
                }),
                _ => None,
            },
            amended: event_ref(id, self.amended)?,
            returned: event_ref(id, self.returned)?,
            in_error: event_ref(id, self.in_error)?,
        })
    }
}

pub(crate) const ANSWER_COLUMNS: &str =
    "encounter_id, answer_key, link_id, value_json, source, author, at, rev, in_record, \
     source_encounter, source_date, source_author, source_confirmed_by, needs_confirmation, \
     confirmed_by, confirmed_at";

/// The raw columns of one answer row, read by name.
pub(crate) struct RawAnswer {
    encounter: i64,
    key: String,
    link_id: String,
    values: String,
    source: String,
    author: String,
    at: String,
    rev: i64,
    in_record: bool,
    source_encounter: Option<i64>,
    source_date: Option<String>,
    source_author: Option<String>,
    source_confirmed_by: Option<String>,
    needs_confirmation: bool,
    confirmed_by: Option<String>,
    confirmed_at: Option<String>,
}

pub(crate) fn raw_answer(r: &Row<'_>) -> rusqlite::Result<RawAnswer> {
    Ok(RawAnswer {
        encounter: r.get("encounter_id")?,
        key: r.get("answer_key")?,
        link_id: r.get("link_id")?,
        values: r.get("value_json")?,
        source: r.get("source")?,
        author: r.get("author")?,
        at: r.get("at")?,
        rev: r.get("rev")?,
        in_record: r.get("in_record")?,
        source_encounter: r.get("source_encounter")?,
        source_date: r.get("source_date")?,
        source_author: r.get("source_author")?,
        source_confirmed_by: r.get("source_confirmed_by")?,
        needs_confirmation: r.get("needs_confirmation")?,
        confirmed_by: r.get("confirmed_by")?,
        confirmed_at: r.get("confirmed_at")?,
    })
}

/// Reads a stored `value_json`: a JSON array of FHIR `value[x]` objects.
pub fn decode_values(json: &str) -> Result<Vec<AnswerValue>, String> {
    let parsed: serde_json::Value =
        serde_json::from_str(json).map_err(|e| format!("the stored value is not JSON ({e})"))?;
    let serde_json::Value::Array(items) = parsed else {
        return Err("the stored value is not a list of values".to_string());
    };
    items
        .iter()
        .map(|v| from_json(v).map_err(|e| format!("a stored value cannot be read ({})", e.0)))
        .collect()
}

/// Writes values as `value_json` stores them.
pub fn encode_values(values: &[AnswerValue]) -> String {
    serde_json::Value::Array(values.iter().map(to_json).collect()).to_string()
}

impl RawAnswer {
    pub(crate) fn decode(self) -> Result<AnswerRow, StoreError> {
        let id = self.encounter;
        let damaged = |why: String| {
            StoreError::damaged(
                "encounter_answers",
                format!("visit {id}, answer {:?}", self.key),
                why,
            )
        };
        let key: Key = self.key.parse().map_err(|e: KeyParseError| {
            damaged(format!("the answer's key cannot be read ({})", e.0))
        })?;
        let values = decode_values(&self.values).map_err(damaged)?;
        let source = AnswerSource::parse(&self.source).map_err(|e| damaged(e.to_string()))?;
        let t = |s: &str| time_of("encounter_answers", id, s);
        let carried = match (self.source_encounter, self.source_date.as_deref()) {
            (Some(encounter), Some(date)) => Some(CarriedFrom {
                encounter: EncounterId(encounter),
                date: t(date)?,
                author: self.source_author.clone().unwrap_or_default(),
                confirmed_by: self.source_confirmed_by.clone(),
            }),
            _ => None,
        };
        Ok(AnswerRow {
            key,
            link_id: self.link_id.clone(),
            values,
            values_json: self.values.clone(),
            source,
            author: self.author.clone(),
            at: t(&self.at)?,
            rev: self.rev,
            in_record: self.in_record,
            carried,
            needs_confirmation: self.needs_confirmation,
            confirmed_by: self.confirmed_by.clone(),
            confirmed_at: self.confirmed_at.as_deref().map(t).transpose()?,
        })
    }
}

/// Collects decoded rows, stopping at the first that cannot be read.
fn collect<R, T>(
    rows: impl Iterator<Item = rusqlite::Result<R>>,
    decode: impl Fn(R) -> Result<T, StoreError>,
) -> Result<Vec<T>, StoreError> {
    let mut out = Vec::new();
    for row in rows {
        out.push(decode(row?)?);
    }
    Ok(out)
}

impl Db<'_> {
    /// Starts a draft encounter.
    pub fn insert_encounter(
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

    pub fn encounter(&self, id: EncounterId) -> Result<Option<EncounterRow>, StoreError> {
        self.conn
            .prepare_cached(&format!("{} WHERE e.id = ?1", select()))?
            .query_row([id.0], raw_encounter)
            .optional()?
            .map(RawEncounter::decode)
            .transpose()
    }

    /// Encounters, newest first.
    pub fn list_encounters(&self, f: &EncounterFilter) -> Result<Vec<EncounterRow>, StoreError> {
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

    /// Every answer of an encounter, by key. An answer that cannot be read back is an
    /// error naming the visit and the key ([`StoreError::Damaged`]), never a blank.
    pub fn answers(&self, encounter_id: EncounterId) -> Result<Vec<AnswerRow>, StoreError> {
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT {ANSWER_COLUMNS} FROM encounter_answers WHERE encounter_id = ?1 ORDER BY answer_key"
        ))?;
        let rows = stmt.query_map([encounter_id.0], raw_answer)?;
        collect(rows, RawAnswer::decode)
    }

    /// One answer of an encounter, if it has one for `key`.
    pub fn answer(
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

    /// Writes one answer (insert or replace), counting the write; returns the new `rev`.
    /// A key written again after it was removed goes on counting from its history.
    pub fn put_answer(
        &self,
        encounter_id: EncounterId,
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
                encounter_id.0,
                a.key.to_string(),
                a.key.link_id,
                encode_values(a.values),
                a.source.as_str(),
                by,
                format_time(at),
                carried.map(|c| c.encounter.0),
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

    /// Keeps what the carry-forward plan said when the intake started.
    pub fn set_carry_notes(&self, id: EncounterId, notes: &str) -> Result<(), StoreError> {
        self.conn
            .prepare_cached("UPDATE encounters SET carry_notes = ?2 WHERE id = ?1")?
            .execute(params![id.0, notes])?;
        Ok(())
    }

    /// Removes one answer; true when there was one.
    pub fn delete_answer(&self, encounter_id: EncounterId, key: &Key) -> Result<bool, StoreError> {
        let n = self
            .conn
            .prepare_cached(
                "DELETE FROM encounter_answers WHERE encounter_id = ?1 AND answer_key = ?2",
            )?
            .execute(params![encounter_id.0, key.to_string()])?;
        Ok(n > 0)
    }

    /// Records a change to a draft: when, and optionally the section the nurse is in.
    pub fn touch_encounter(
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

    /// Marks which answers go into the submitted record (disabled ones do not) and
    /// moves the draft to `submitted`, in that order (answers change only in drafts).
    pub fn submit_encounter(
        &self,
        id: EncounterId,
        left_out: &[Key],
        at: DateTime<Utc>,
        by: &str,
    ) -> Result<(), StoreError> {
        self.mark_in_record(id, left_out)?;
        self.conn.execute(
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
        Ok(())
    }

    /// The last visit of each of these patients (started_at of their newest encounter).
    pub fn last_visits(
        &self,
        patient_ids: &[PatientId],
    ) -> Result<Vec<(PatientId, DateTime<Utc>)>, StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT max(started_at) FROM encounters WHERE patient_id = ?1 AND status <> ?2",
        )?;
        let mut out = Vec::new();
        for &id in patient_ids {
            let at: Option<String> = stmt.query_row(
                params![id.0, EncounterStatus::EnteredInError.as_str()],
                |r| r.get(0),
            )?;
            if let Some(at) = at {
                out.push((id, parse_time(&at)?));
            }
        }
        Ok(out)
    }

    /// The stored template an encounter uses: its original bytes.
    pub fn template_by_id(&self, id: TemplateId) -> Result<Option<Vec<u8>>, StoreError> {
        self.template_original(id)
    }
}
