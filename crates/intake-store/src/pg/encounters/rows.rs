//! Reading encounter and answer rows on the server: the SELECT with its newest events,
//! and the decoding of SQLite's `encounters/read.rs`, so damage is named the same way
//! ([`StoreError::Damaged`] naming the visit, and the answer's key).

use intake_core::questionnaire::response::{Key, KeyParseError};
use intake_core::{AnswerSource, EncounterId, EncounterStatus, EventKind, PatientId, TemplateId};
use postgres::types::ToSql;
use postgres::Row;

use super::time_of;
use crate::pg::{get, Params, PgDb};
use crate::{decode_values, AnswerRow, CarriedFrom, EncounterRow, EventRef, StoreError};

/// The encounter rows' SELECT. Its parameters `$1` to `$4` are the words of the events it
/// joins (see [`PgDb::encounters_where`]); a caller's own parameters start at `$5`.
const SELECT: &str = "\
SELECT e.id, e.patient_id, p.mrn, p.given || ' ' || p.family, e.template_id, t.slug,
       t.version, t.title, e.status, e.section, e.started_at, e.started_by, e.updated_at,
       e.submitted_at, e.submitted_by,
       (SELECT count(*) FROM encounter_answers a WHERE a.encounter_id = e.id),
       e.carry_notes, e.signed_at, e.signed_by, e.amending_by, e.amending_since,
       e.amending_reason,
       am.by, am.at, am.text, rt.by, rt.at, rt.text, er.by, er.at, er.text
FROM encounters e
JOIN patients p ON p.id = e.patient_id
JOIN templates t ON t.id = e.template_id
LEFT JOIN LATERAL (SELECT v.by, v.at, v.text FROM encounter_events v
                   WHERE v.encounter_id = e.id AND v.kind = $1
                   ORDER BY v.seq DESC LIMIT 1) am ON true
LEFT JOIN LATERAL (SELECT v.by, v.at, v.text FROM encounter_events v
                   WHERE v.encounter_id = e.id AND v.kind = $2 AND e.status = $3
                   ORDER BY v.seq DESC LIMIT 1) rt ON true
LEFT JOIN LATERAL (SELECT v.by, v.at, v.text FROM encounter_events v
                   WHERE v.encounter_id = e.id AND v.kind = $4
                   ORDER BY v.seq DESC LIMIT 1) er ON true";

impl PgDb<'_> {
    /// The encounters [`SELECT`] finds with `rest` (a WHERE clause, an order), whose
    /// parameters start at `$5`.
    pub(super) fn encounters_where(
        &self,
        rest: &str,
        params: Params<'_>,
    ) -> Result<Vec<EncounterRow>, StoreError> {
        let words = [
            EventKind::Amended.as_str(),
            EventKind::Returned.as_str(),
            EncounterStatus::Draft.as_str(),
            EventKind::EnteredInError.as_str(),
        ];
        let mut all: Vec<&(dyn ToSql + Sync)> =
            words.iter().map(|w| w as &(dyn ToSql + Sync)).collect();
        all.extend_from_slice(params);
        self.query(&format!("{SELECT} {rest}"), &all)?
            .iter()
            .map(encounter_from_row)
            .collect()
    }
}

/// An event joined by [`SELECT`] at columns `i`, `i + 1`, `i + 2` (by, at, text).
fn event_ref(r: &Row, i: usize, id: i64) -> Result<Option<EventRef>, StoreError> {
    let by: Option<String> = get(r, i, "encounter_events")?;
    let at: Option<String> = get(r, i + 1, "encounter_events")?;
    let text: Option<String> = get(r, i + 2, "encounter_events")?;
    match (by, at) {
        (Some(by), Some(at)) => Ok(Some(EventRef {
            by,
            at: time_of("encounter_events", id, &at)?,
            text: text.unwrap_or_default(),
        })),
        _ => Ok(None),
    }
}

fn encounter_from_row(r: &Row) -> Result<EncounterRow, StoreError> {
    const T: &str = "encounters";
    let id: i64 = get(r, 0, T)?;
    let s = |i| get::<String>(r, i, T);
    let o = |i| get::<Option<String>>(r, i, T);
    let t = |s: &str| time_of(T, id, s);
    let status = s(8)?;
    let status = EncounterStatus::parse(&status)
        .map_err(|e| StoreError::damaged(T, format!("visit {id}"), e.to_string()))?;
    let amending = match (o(19)?, o(20)?) {
        (Some(by), Some(since)) => Some(EventRef {
            by,
            at: t(&since)?,
            text: o(21)?.unwrap_or_default(),
        }),
        _ => None,
    };
    Ok(EncounterRow {
        id: EncounterId(id),
        patient_id: PatientId(get(r, 1, T)?),
        mrn: s(2)?,
        patient_name: s(3)?,
        template_id: TemplateId(get(r, 4, T)?),
        template_slug: s(5)?,
        template_version: s(6)?,
        template_title: s(7)?,
        status,
        section: o(9)?,
        started_at: t(&s(10)?)?,
        started_by: s(11)?,
        updated_at: t(&s(12)?)?,
        submitted_at: o(13)?.as_deref().map(t).transpose()?,
        submitted_by: o(14)?,
        answered: get(r, 15, T)?,
        carry_notes: o(16)?,
        signed_at: o(17)?.as_deref().map(t).transpose()?,
        signed_by: o(18)?,
        amending,
        amended: event_ref(r, 22, id)?,
        returned: event_ref(r, 25, id)?,
        in_error: event_ref(r, 28, id)?,
    })
}

/// The columns [`answer_from_row`] reads, in its order.
pub(super) const ANSWER_COLUMNS: &str =
    "encounter_id, answer_key, link_id, value_json, source, author, at, rev, in_record, \
     source_encounter, source_date, source_author, source_confirmed_by, needs_confirmation, \
     confirmed_by, confirmed_at";

/// An answer row of [`ANSWER_COLUMNS`], named as SQLite's decoding names it ("visit 12,
/// answer \"weight\"").
pub(super) fn answer_from_row(r: &Row) -> Result<AnswerRow, StoreError> {
    const T: &str = "encounter_answers";
    let id: i64 = get(r, 0, T)?;
    let raw_key: String = get(r, 1, T)?;
    let s = |i| get::<String>(r, i, T);
    let o = |i| get::<Option<String>>(r, i, T);
    let damaged =
        |why: String| StoreError::damaged(T, format!("visit {id}, answer {raw_key:?}"), why);
    let key: Key = raw_key.parse().map_err(|e: KeyParseError| {
        damaged(format!("the answer's key cannot be read ({})", e.text))
    })?;
    let values_json = s(3)?;
    let values = decode_values(&values_json).map_err(damaged)?;
    let source = AnswerSource::parse(&s(4)?).map_err(|e| damaged(e.to_string()))?;
    let t = |s: &str| time_of(T, id, s);
    let source_encounter: Option<i64> = get(r, 9, T)?;
    let carried = match (source_encounter, o(10)?) {
        (Some(encounter), Some(date)) => Some(CarriedFrom {
            encounter: EncounterId(encounter),
            date: t(&date)?,
            author: o(11)?.unwrap_or_default(),
            confirmed_by: o(12)?,
        }),
        _ => None,
    };
    Ok(AnswerRow {
        key,
        link_id: s(2)?,
        values,
        values_json,
        source,
        author: s(5)?,
        at: t(&s(6)?)?,
        rev: get(r, 7, T)?,
        in_record: get(r, 8, T)?,
        carried,
        needs_confirmation: get(r, 13, T)?,
        confirmed_by: o(14)?,
        confirmed_at: o(15)?.as_deref().map(t).transpose()?,
    })
}
