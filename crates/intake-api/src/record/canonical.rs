//! An encounter's record as one canonical JSON text, and its SHA-256.
//!
//! The record is every stored answer of the encounter with its provenance (source,
//! author, time, where a carried value came from, who confirmed it) and whether it is in
//! the record, plus which patient and which form version it belongs to. The text is
//! canonical: object keys sorted at every level, no spaces, answers sorted by key, so the
//! same record always gives the same bytes and the same hash, whatever serde_json's
//! features in this build. The hash is what a physician's "changed since you opened it"
//! check compares and what a signature keeps; the text is what a signature stores, so
//! every signed version can be shown again exactly.
//!
//! The record's form is versioned ([`RecordForm`]), because a signature must keep
//! verifying whatever later releases change: form 1 writes each answer's key as it was
//! stored before migration 0007 (`"<rows>:<linkId>"`, derived from the path key: its
//! rows and the item's own linkId) and sorts by that text; form 2 writes the path key.
//! Each signature stores its form; a record is shown and compared in the form of the
//! encounter's newest signature (form 2 when it has none), and every new signature is
//! written in form 2.

use chrono::{DateTime, Utc};
use intake_core::questionnaire::response::{FormIndex, Key, KeyParseError};
use intake_core::{AnswerSource, EncounterId};
use intake_store::{
    decode_values, format_time, parse_time, AnswerRow, CarriedFrom, Db, EncounterRow, EventRow,
};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::ApiError;

/// The form a record is written and hashed in (stored with each signature).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum RecordForm {
    /// Keys as `"<rows>:<linkId>"`: every signature made before migration 0007.
    Rows,
    /// Keys as paths (`medications/medication[1]/med-name`).
    Paths,
}

impl RecordForm {
    /// The form of every new signature.
    pub const NEW: RecordForm = RecordForm::Paths;

    pub fn number(self) -> u32 {
        match self {
            RecordForm::Rows => 1,
            RecordForm::Paths => 2,
        }
    }

    /// The form a signature event says it was made in.
    pub fn of(event: &EventRow) -> Result<RecordForm, ApiError> {
        match event.record_form {
            Some(1) => Ok(RecordForm::Rows),
            Some(2) | None => Ok(RecordForm::Paths),
            Some(n) => Err(ApiError::Internal(format!(
                "This record is damaged: a signature of {} says its record is in form {n}, which this version does not know.",
                event.seq
            ))),
        }
    }

    /// The form an encounter's record is shown and compared in: its newest signature's,
    /// or [`RecordForm::NEW`] when it has none.
    pub fn current(events: &[EventRow]) -> Result<RecordForm, ApiError> {
        match events.iter().rev().find(|e| e.record_json.is_some()) {
            Some(e) => RecordForm::of(e),
            None => Ok(RecordForm::NEW),
        }
    }

    fn key_text(self, key: &Key) -> String {
        match self {
            RecordForm::Rows => key.legacy_text(),
            RecordForm::Paths => key.to_string(),
        }
    }
}

/// One answer as the record keeps it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct RecordAnswer {
    key: String,
    link_id: String,
    values: Value,
    source: String,
    author: String,
    at: String,
    in_record: bool,
    carried: Option<RecordCarried>,
    needs_confirmation: bool,
    confirmed_by: Option<String>,
    confirmed_at: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct RecordCarried {
    encounter: i64,
    date: String,
    author: String,
    confirmed_by: Option<String>,
}

/// The whole record.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Record {
    encounter: i64,
    patient: i64,
    mrn: String,
    template: String,
    version: String,
    answers: Vec<RecordAnswer>,
}

/// A record's canonical text and its SHA-256 in hex.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Canonical {
    pub json: String,
    pub sha256: String,
}

fn answer(a: &AnswerRow, form: RecordForm) -> RecordAnswer {
    RecordAnswer {
        key: form.key_text(&a.key),
        link_id: a.link_id.clone(),
        // The exact stored text (the store has checked that it reads as values).
        values: serde_json::from_str(&a.values_json)
            .unwrap_or_else(|_| Value::String(a.values_json.clone())),
        source: a.source.as_str().to_string(),
        author: a.author.clone(),
        at: format_time(a.at),
        in_record: a.in_record,
        carried: a.carried.as_ref().map(|c| RecordCarried {
            encounter: c.encounter.0,
            date: format_time(c.date),
            author: c.author.clone(),
            confirmed_by: c.confirmed_by.clone(),
        }),
        needs_confirmation: a.needs_confirmation,
        confirmed_by: a.confirmed_by.clone(),
        confirmed_at: a.confirmed_at.map(format_time),
    }
}

/// Writes `v` with object keys sorted at every level and no insignificant spaces.
fn write_canonical(v: &Value, out: &mut String) {
    match v {
        Value::Object(map) => {
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort();
            out.push('{');
            for (i, k) in keys.into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                out.push_str(&Value::String(k.clone()).to_string());
                out.push(':');
                write_canonical(&map[k], out);
            }
            out.push('}');
        }
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_canonical(item, out);
            }
            out.push(']');
        }
        scalar => out.push_str(&scalar.to_string()),
    }
}

/// The canonical record of an encounter with these answers, in `form`.
pub(crate) fn canonical(e: &EncounterRow, answers: &[AnswerRow], form: RecordForm) -> Canonical {
    let mut list: Vec<RecordAnswer> = answers.iter().map(|a| answer(a, form)).collect();
    list.sort_by(|a, b| a.key.cmp(&b.key));
    let record = Record {
        encounter: e.id.0,
        patient: e.patient_id.0,
        mrn: e.mrn.clone(),
        template: e.template_slug.clone(),
        version: e.template_version.clone(),
        answers: list,
    };
    // A struct of strings, numbers and JSON values always converts.
    let value = serde_json::to_value(&record).unwrap_or(Value::Null);
    let mut json = String::new();
    write_canonical(&value, &mut json);
    let sha256 = hex::encode(Sha256::digest(json.as_bytes()));
    Canonical { json, sha256 }
}

/// The record as the review shows it and every "changed since you opened it" check
/// compares it: in the form of the encounter's newest signature.
pub(crate) fn shown(db: &Db<'_>, e: &EncounterRow) -> Result<Canonical, ApiError> {
    let form = RecordForm::current(&db.encounter_events(e.id)?)?;
    Ok(canonical(e, &db.answers(e.id)?, form))
}

fn time(s: &str) -> Result<DateTime<Utc>, ApiError> {
    parse_time(s).map_err(|e| ApiError::Internal(format!("a signed record holds {e}")))
}

/// The answers a signed record holds, as stored rows again (`rev` is 0: a kept record
/// has no write counts). A form-1 record's keys become paths through its form (`index`).
pub(crate) fn answers_of(
    json: &str,
    form: RecordForm,
    index: &FormIndex<'_>,
) -> Result<Vec<AnswerRow>, ApiError> {
    let record: Record = serde_json::from_str(json)
        .map_err(|e| ApiError::Internal(format!("a signed record cannot be read: {e}")))?;
    let encounter = record.encounter;
    record
        .answers
        .into_iter()
        .map(|a| {
            let damaged = |why: String| {
                ApiError::Internal(format!(
                    "This record is damaged: the signed version of visit {} holds answer {:?}, which cannot be read ({why}).",
                    encounter, a.key
                ))
            };
            let values_json = a.values.to_string();
            Ok(AnswerRow {
                key: match form {
                    RecordForm::Rows => index.key_from_legacy(&a.key),
                    RecordForm::Paths => a.key.parse(),
                }
                .map_err(|e: KeyParseError| damaged(e.text))?,
                link_id: a.link_id,
                values: decode_values(&values_json).map_err(damaged)?,
                values_json,
                source: AnswerSource::parse(&a.source).map_err(|e| damaged(e.to_string()))?,
                author: a.author,
                at: time(&a.at)?,
                rev: 0,
                in_record: a.in_record,
                carried: a
                    .carried
                    .map(|c| {
                        Ok::<_, ApiError>(CarriedFrom {
                            encounter: EncounterId(c.encounter),
                            date: time(&c.date)?,
                            author: c.author,
                            confirmed_by: c.confirmed_by,
                        })
                    })
                    .transpose()?,
                needs_confirmation: a.needs_confirmation,
                confirmed_by: a.confirmed_by,
                confirmed_at: a.confirmed_at.as_deref().map(time).transpose()?,
            })
        })
        .collect()
}

/// The answers a signature kept, in its own form.
pub(crate) fn signed_answers(
    event: &EventRow,
    index: &FormIndex<'_>,
) -> Result<Vec<AnswerRow>, ApiError> {
    let json = event.record_json.as_deref().unwrap_or("{}");
    answers_of(json, RecordForm::of(event)?, index)
}

/// Whether two answers hold the same value and provenance (write counts aside).
pub(crate) fn same_answer(a: &AnswerRow, b: &AnswerRow) -> bool {
    answer(a, RecordForm::NEW) == answer(b, RecordForm::NEW)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn canonical_text_sorts_keys_at_every_level() {
        let v: Value = serde_json::from_str(r#"{"b":1,"a":{"z":[{"y":2,"x":"é"}],"c":null}}"#)
            .expect("test JSON");
        let mut out = String::new();
        write_canonical(&v, &mut out);
        assert_eq!(out, r#"{"a":{"c":null,"z":[{"x":"é","y":2}]},"b":1}"#);
    }
}
