//! The contract of the patient register.

use intake_core::mrn::generated_mrn;
use intake_core::patient::{Sex, ValidPatient};
use intake_core::PatientId;

use super::fixtures::{add_patient, ok, person, t};
use crate::prelude::*;
use crate::{PatientRow, PatientStatus, StoreError, WordMatch};

pub(super) fn full() -> ValidPatient {
    ValidPatient {
        sex: Sex::Other,
        phone: "+1 (555) 010-2000".into(),
        email: "zoe@example.org".into(),
        address_line: "1 Rue Ève".into(),
        city: "Zürich".into(),
        postal_code: "8001".into(),
        country: "CH".into(),
        language: "fr".into(),
        emergency_name: "Ana".into(),
        emergency_relationship: "sister".into(),
        emergency_phone: "555 0199".into(),
        notes: "line one\nline two".into(),
        ..person("Łukasz", "Zoë", "1980-02-03")
    }
}

pub(super) fn ids(rows: Vec<PatientRow>) -> Vec<PatientId> {
    let mut ids: Vec<PatientId> = rows.into_iter().map(|r| r.id).collect();
    ids.sort();
    ids
}

pub(super) fn retire<B: Backend>(b: &B, id: PatientId) {
    ok(
        b.write(|tx| {
            tx.set_patient_status(
                id,
                1,
                PatientStatus::EnteredInError,
                "duplicate",
                t(9),
                "admin",
            )
        }),
        "marking entered in error",
    );
}

pub fn insert_patient_then_read_it<B: Backend>(b: &B) {
    let p = full();
    let id = add_patient(b, &p, "A-1");
    let row = ok(b.read(|tx| tx.patient(id)), "reading").expect("the new patient");
    assert_eq!(
        row.fields,
        ValidPatient {
            mrn: Some("A-1".into()),
            ..p
        },
        "every field comes back as written, the MRN in it"
    );
    assert_eq!(
        (
            row.id,
            row.mrn.as_str(),
            row.status,
            row.status_reason,
            row.version
        ),
        (id, "A-1", PatientStatus::Active, None, 1),
        "active, at version 1"
    );
    assert_eq!(
        (
            row.created_at,
            row.created_by.as_str(),
            row.updated_at,
            row.updated_by.as_str()
        ),
        (t(0), "setup", t(0), "setup")
    );
    assert_eq!(
        ok(b.read(|tx| tx.patient(PatientId(id.0 + 9))), "reading"),
        None,
        "a missing id is None"
    );
}

pub fn patient_by_mrn_finds_that_mrn_only<B: Backend>(b: &B) {
    let id = add_patient(b, &full(), "A-1");
    add_patient(b, &person("Other", "One", "1990-01-01"), "A-10");
    let found = ok(b.read(|tx| tx.patient_by_mrn("A-1")), "reading");
    assert_eq!(found.map(|p| p.id), Some(id));
    assert_eq!(
        ok(b.read(|tx| tx.patient_by_mrn("A")), "reading"),
        None,
        "no prefix match"
    );
}

pub fn patient_by_compact_mrn_ignores_dashes<B: Backend>(b: &B) {
    let id = add_patient(b, &full(), "000003-4");
    add_patient(b, &person("Other", "One", "1990-01-01"), "000003-5");
    let found = ok(b.read(|tx| tx.patient_by_compact_mrn("0000034")), "reading");
    assert_eq!(found.map(|p| p.id), Some(id), "0000034 finds 000003-4");
    assert_eq!(
        ok(b.read(|tx| tx.patient_by_compact_mrn("000003")), "reading"),
        None,
        "no prefix match"
    );
}

pub fn next_generated_mrn_skips_taken_ones<B: Backend>(b: &B) {
    let first = ok(b.write(|tx| tx.next_generated_mrn()), "generating");
    let n = (0..10_000u64)
        .find(|&n| generated_mrn(n) == first)
        .expect("a generated MRN is generated_mrn(n) of a small n");
    // Someone types the next one in by hand; the store must not offer it again.
    add_patient(b, &full(), &generated_mrn(n + 1));
    let next = ok(b.write(|tx| tx.next_generated_mrn()), "generating");
    assert_eq!(next, generated_mrn(n + 2), "the taken MRN is skipped");
}

pub fn refused_a_taken_mrn_is_a_duplicate<B: Backend>(b: &B) {
    let first = add_patient(b, &full(), "A-1");
    let again = b.write(|tx| {
        tx.insert_patient(
            &person("Else", "Someone", "1970-01-01"),
            "A-1",
            &serde_json::json!({}),
            t(1),
            "nurse",
        )
    });
    assert!(
        matches!(again, Err(StoreError::Duplicate { what: "MRN" })),
        "a taken MRN is Duplicate {{ what: \"MRN\" }}: {again:?}"
    );
    assert_eq!(ok(b.read(|tx| tx.count_patients()), "counting"), 1);
    let kept = ok(b.read(|tx| tx.patient_by_mrn("A-1")), "reading").expect("the first");
    assert_eq!((kept.id, kept.fields.family.as_str()), (first, "Łukasz"));
}

pub fn update_patient_bumps_the_version<B: Backend>(b: &B) {
    let id = add_patient(b, &full(), "A-1");
    let changed = ValidPatient {
        family: "Nowak".into(),
        phone: "555 0100".into(),
        ..full()
    };
    let changes = serde_json::json!({ "family": ["Łukasz", "Nowak"] });
    let v = ok(
        b.write(|tx| tx.update_patient(id, 1, &changed, &changes, t(20), "nurse")),
        "updating",
    );
    assert_eq!(v, Some(2), "the new version");
    let row = ok(b.read(|tx| tx.patient(id)), "reading").expect("the patient");
    assert_eq!(
        (
            row.fields.family.as_str(),
            row.fields.phone.as_str(),
            row.version
        ),
        ("Nowak", "555 0100", 2)
    );
    assert_eq!((row.updated_at, row.updated_by.as_str()), (t(20), "nurse"));
    assert_eq!(row.created_at, t(0), "created stays");
    let found = ok(
        b.read(|tx| tx.search_patient_names(&["nowak".into()], WordMatch::Whole, None, false, 10)),
        "searching",
    );
    assert_eq!(ids(found), [id], "the search index follows the new name");
}

pub fn refused_a_stale_patient_update<B: Backend>(b: &B) {
    let id = add_patient(b, &full(), "A-1");
    let edit = |family: &str| ValidPatient {
        family: family.into(),
        ..full()
    };
    let changes = serde_json::json!({});
    ok(
        b.write(|tx| tx.update_patient(id, 1, &edit("First"), &changes, t(1), "anna")),
        "the first edit",
    );
    let stale = ok(
        b.write(|tx| tx.update_patient(id, 1, &edit("Second"), &changes, t(2), "bea")),
        "the stale edit",
    );
    assert_eq!(
        stale, None,
        "an edit from version 1 after version 2 is refused"
    );
    let row = ok(b.read(|tx| tx.patient(id)), "reading").expect("the patient");
    assert_eq!(
        (row.fields.family.as_str(), row.version),
        ("First", 2),
        "nothing of the stale edit was written"
    );
    let revisions = ok(b.read(|tx| tx.patient_revisions(id)), "reading");
    assert_eq!(revisions.len(), 2, "no revision for the stale edit");
}

pub fn set_patient_status_marks_entered_in_error<B: Backend>(b: &B) {
    let id = add_patient(b, &full(), "A-1");
    let v = ok(
        b.write(|tx| {
            tx.set_patient_status(
                id,
                1,
                PatientStatus::EnteredInError,
                "duplicate of A-2",
                t(7),
                "admin",
            )
        }),
        "marking",
    );
    assert_eq!(v, Some(2));
    let row = ok(b.read(|tx| tx.patient(id)), "reading").expect("the patient is kept");
    assert_eq!(
        (row.status, row.status_reason.as_deref(), row.version),
        (PatientStatus::EnteredInError, Some("duplicate of A-2"), 2)
    );
    let last = ok(b.read(|tx| tx.patient_revisions(id)), "reading")
        .pop()
        .expect("a revision");
    assert_eq!(
        (
            last.version,
            last.reason.as_deref(),
            last.at,
            last.by.as_str()
        ),
        (2, Some("duplicate of A-2"), t(7), "admin")
    );
    let changes: serde_json::Value =
        serde_json::from_str(&last.changes).expect("the changes are JSON");
    assert_eq!(
        changes,
        serde_json::json!({
            "status": [PatientStatus::Active.as_str(), PatientStatus::EnteredInError.as_str()]
        }),
        "the revision says from what to what"
    );
}

pub fn refused_a_stale_patient_status_change<B: Backend>(b: &B) {
    let id = add_patient(b, &full(), "A-1");
    retire(b, id);
    let stale = ok(
        b.write(|tx| tx.set_patient_status(id, 1, PatientStatus::Active, "oops", t(10), "admin")),
        "the stale change",
    );
    assert_eq!(
        stale, None,
        "a change from a version that is gone is refused"
    );
    let row = ok(b.read(|tx| tx.patient(id)), "reading").expect("the patient");
    assert_eq!(
        (row.status, row.version),
        (PatientStatus::EnteredInError, 2)
    );
}

pub fn patient_revisions_keep_changes_text_exactly<B: Backend>(b: &B) {
    let p = full();
    let first = serde_json::json!({ "family": [null, "Łukasz"], "given": [null, "Zoë"] });
    let id = ok(
        b.write(|tx| tx.insert_patient(&p, "A-1", &first, t(1), "nurse")),
        "registering",
    );
    let second = serde_json::json!({ "notes": ["line one\nline two", "\"quoted\""] });
    ok(
        b.write(|tx| tx.update_patient(id, 1, &p, &second, t(2), "bea")),
        "updating",
    );
    let revisions = ok(b.read(|tx| tx.patient_revisions(id)), "reading");
    let seen: Vec<(i64, String, String)> = revisions
        .iter()
        .map(|r| (r.version, r.changes.clone(), r.by.clone()))
        .collect();
    assert_eq!(
        seen,
        [
            (1, first.to_string(), "nurse".to_string()),
            (2, second.to_string(), "bea".to_string())
        ],
        "oldest first, the changes kept as the exact JSON text"
    );
    assert_eq!((revisions[0].at, revisions[1].at), (t(1), t(2)));
}

pub fn count_patients_counts_every_one<B: Backend>(b: &B) {
    assert_eq!(ok(b.read(|tx| tx.count_patients()), "counting"), 0);
    add_patient(b, &full(), "A-1");
    let gone = add_patient(b, &person("Gone", "One", "1980-02-03"), "A-2");
    retire(b, gone);
    assert_eq!(
        ok(b.read(|tx| tx.count_patients()), "counting"),
        2,
        "patients entered in error are kept and counted"
    );
}

pub fn count_patients_not_flagged_counts_those_a_tool_did_not_mark<B: Backend>(b: &B) {
    let not_flagged = |b: &B| {
        ok(
            b.read(|tx| tx.count_patients_not_flagged("demo")),
            "counting",
        )
    };
    assert_eq!(not_flagged(b), 0, "an empty register has none");
    let demo = serde_json::json!({ "mrn": [null, "D-1"], "demo": [null, true] });
    let p = person("Demo", "One", "1980-02-03");
    ok(
        b.write(|tx| tx.insert_patient(&p, "D-1", &demo, t(0), "cli:demo")),
        "registering a demo patient",
    );
    assert_eq!(not_flagged(b), 0, "a patient marked demo is not counted");
    add_patient(b, &full(), "A-1");
    let said_false = serde_json::json!({ "demo": [null, false] });
    let q = person("Real", "Two", "1981-03-04");
    ok(
        b.write(|tx| tx.insert_patient(&q, "A-2", &said_false, t(0), "anna")),
        "registering a patient marked not demo",
    );
    assert_eq!(
        not_flagged(b),
        2,
        "a patient without the flag, or with it false, is counted"
    );
}
