//! What the contract tests start from, made through the traits only.

use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use intake_core::patient::{Sex, ValidPatient};
use intake_core::questionnaire::response::Key;
use intake_core::questionnaire::AnswerValue;
use intake_core::{AnswerSource, EncounterId, PatientId, Role, TemplateId, TemplateStatus, UserId};

use crate::prelude::*;
use crate::{decode_values, AnswerWrite, CarriedFrom, NewTemplate, NewUser, Signature, StoreError};

/// Tuesday 24 November 2026, 09:00 UTC, plus `sec` seconds.
pub(crate) fn t(sec: i64) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 24, 9, 0, 0)
        .single()
        .expect("a fixed date")
        + Duration::seconds(sec)
}

/// The value of `r`, or a panic saying what was being done.
pub(crate) fn ok<T>(r: Result<T, StoreError>, doing: &str) -> T {
    r.unwrap_or_else(|e| panic!("{doing}: {e}"))
}

pub(crate) fn add_user<B: Backend>(b: &B, name: &str, role: Role) -> UserId {
    ok(
        b.write(|tx| {
            tx.insert_user(
                &NewUser {
                    username: name,
                    display_name: &format!("{name} (display)"),
                    role,
                    password_hash: "hash",
                    must_change_password: false,
                },
                t(0),
                "setup",
            )
        }),
        "adding a user",
    )
}

pub(crate) fn person(family: &str, given: &str, birth: &str) -> ValidPatient {
    ValidPatient {
        mrn: None,
        family: family.to_string(),
        given: given.to_string(),
        birth_date: NaiveDate::parse_from_str(birth, "%Y-%m-%d").expect("a fixed date"),
        sex: Sex::Female,
        phone: String::new(),
        email: String::new(),
        address_line: String::new(),
        city: String::new(),
        postal_code: String::new(),
        country: String::new(),
        language: String::new(),
        emergency_name: String::new(),
        emergency_relationship: String::new(),
        emergency_phone: String::new(),
        notes: String::new(),
    }
}

pub(crate) fn add_patient<B: Backend>(b: &B, p: &ValidPatient, mrn: &str) -> PatientId {
    let changes = serde_json::json!({ "registered": true });
    ok(
        b.write(|tx| tx.insert_patient(p, mrn, &changes, t(0), "setup")),
        "registering a patient",
    )
}

pub(crate) fn add_template<B: Backend>(b: &B, slug: &str, version: &str) -> TemplateId {
    ok(
        b.write(|tx| {
            let id = tx.insert_template(
                &NewTemplate {
                    slug,
                    version,
                    title: &format!("Form {slug} {version}"),
                    original: b"{}",
                    sha256: "sha",
                    report: "{}",
                },
                t(0),
                "setup",
            )?;
            tx.set_template_status(id, TemplateStatus::Active, t(0), "setup")?;
            Ok::<_, StoreError>(id)
        }),
        "importing a form",
    )
}

/// One patient (Zoë Łukasz) and one active form (`f` version 1).
pub(crate) fn setup<B: Backend>(b: &B) -> (PatientId, TemplateId) {
    let patient = add_patient(b, &person("Łukasz", "Zoë", "1980-02-03"), "000001-8");
    (patient, add_template(b, "f", "1"))
}

pub(crate) fn draft<B: Backend>(
    b: &B,
    patient: PatientId,
    template: TemplateId,
    at: i64,
) -> EncounterId {
    ok(
        b.write(|tx| tx.insert_encounter(patient, template, t(at), "nurse")),
        "starting a draft",
    )
}

/// A draft of the [`setup`] patient and form.
pub(crate) fn setup_draft<B: Backend>(b: &B) -> (PatientId, TemplateId, EncounterId) {
    let (patient, template) = setup(b);
    (patient, template, draft(b, patient, template, 0))
}

pub(crate) fn key(text: &str) -> Key {
    text.parse().expect("a fixed key")
}

pub(crate) fn values(json: &str) -> Vec<AnswerValue> {
    decode_values(json).expect("fixed values")
}

/// Writes a typed answer.
pub(crate) fn put<B: Backend>(
    b: &B,
    id: EncounterId,
    k: &str,
    json: &str,
) -> Result<i64, StoreError> {
    put_from(b, id, k, json, AnswerSource::Typed)
}

pub(crate) fn put_from<B: Backend>(
    b: &B,
    id: EncounterId,
    k: &str,
    json: &str,
    source: AnswerSource,
) -> Result<i64, StoreError> {
    let k = key(k);
    let v = values(json);
    b.write(|tx| {
        tx.put_answer(
            id,
            &AnswerWrite {
                key: &k,
                values: &v,
                source,
                carried: None,
                needs_confirmation: false,
            },
            t(5),
            "nurse",
        )
    })
}

pub(crate) fn submit<B: Backend>(b: &B, id: EncounterId, at: i64) {
    ok(
        b.write(|tx| tx.submit_encounter(id, &[], t(at), "nurse")),
        "submitting",
    )
}

pub(crate) fn sign<B: Backend>(b: &B, id: EncounterId, at: i64) {
    ok(
        b.write(|tx| {
            tx.sign_encounter(
                id,
                Signature::First,
                record_of("{}", "sha"),
                t(at),
                "doctor",
            )
        }),
        "signing",
    )
}

/// An encounter that must exist.
pub(crate) fn encounter<B: Backend>(b: &B, id: EncounterId) -> crate::EncounterRow {
    ok(b.read(|tx| tx.encounter(id)), "reading an encounter")
        .unwrap_or_else(|| panic!("visit {id} exists"))
}

/// Asserts `r` is a refusal by the database, and returns its words.
pub(crate) fn refused<T: std::fmt::Debug>(r: Result<T, StoreError>, what: &str) -> String {
    match r {
        Err(StoreError::Refused { why }) => why,
        other => {
            panic!("{what} must be refused by the database (StoreError::Refused), got {other:?}")
        }
    }
}

/// A record as a signature keeps it, in the current form (2: keys as paths).
pub(crate) fn record_of<'a>(json: &'a str, sha256: &'a str) -> crate::SignedRecord<'a> {
    crate::SignedRecord {
        json,
        sha256,
        form: 2,
    }
}

/// Where a carried answer came from: `encounter`, entered by maria at t(1), confirmed
/// there by nora.
pub(crate) fn carried_from(encounter: EncounterId) -> CarriedFrom {
    CarriedFrom {
        encounter,
        date: t(1),
        author: "maria".into(),
        confirmed_by: Some("nora".into()),
    }
}

/// Writes a carried answer from `from` at t(2), waiting for confirmation.
pub(crate) fn put_carried<B: Backend>(
    b: &B,
    id: EncounterId,
    from: &CarriedFrom,
    k: &str,
    json: &str,
) -> i64 {
    put_carried_as(b, id, from, k, json, true)
}

/// Writes a carried answer from `from` at t(2), waiting for confirmation or not.
pub(crate) fn put_carried_as<B: Backend>(
    b: &B,
    id: EncounterId,
    from: &CarriedFrom,
    k: &str,
    json: &str,
    needs_confirmation: bool,
) -> i64 {
    let k = key(k);
    let v = values(json);
    ok(
        b.write(|tx| {
            tx.put_answer(
                id,
                &AnswerWrite {
                    key: &k,
                    values: &v,
                    source: AnswerSource::Carried,
                    carried: Some(from),
                    needs_confirmation,
                },
                t(2),
                "nurse",
            )
        }),
        "carrying",
    )
}
