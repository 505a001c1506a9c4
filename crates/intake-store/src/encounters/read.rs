//! Reading encounter and answer rows: the SELECT with its joined events, the raw
//! columns by name, and their decoding into typed rows. A value that cannot be decoded
//! is [`StoreError::Damaged`] naming the visit (and the answer), never a default.

use chrono::{DateTime, Utc};
use intake_core::questionnaire::response::{Key, KeyParseError};
use intake_core::questionnaire::value_json::{from_json, to_json};
use intake_core::questionnaire::AnswerValue;
use intake_core::{AnswerSource, EncounterId, EncounterStatus, EventKind, PatientId, TemplateId};
use rusqlite::Row;

use super::{AnswerRow, CarriedFrom, EncounterRow, EventRef};
use crate::{parse_time, StoreError};

/// The encounter rows' SELECT. Status and event words come from their enums (never
/// spelled in SQL here); they are fixed ASCII words, so formatting them in is safe.
pub(super) fn select() -> String {
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
pub(super) struct RawEncounter {
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

pub(super) fn raw_encounter(r: &Row<'_>) -> rusqlite::Result<RawEncounter> {
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
    pub(super) fn decode(self) -> Result<EncounterRow, StoreError> {
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
            damaged(format!("the answer's key cannot be read ({})", e.text))
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
pub(super) fn collect<R, T>(
    rows: impl Iterator<Item = rusqlite::Result<R>>,
    decode: impl Fn(R) -> Result<T, StoreError>,
) -> Result<Vec<T>, StoreError> {
    let mut out = Vec::new();
    for row in rows {
        out.push(decode(row?)?);
    }
    Ok(out)
}
