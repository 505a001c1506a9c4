//! The contract of the patient register.

use intake_core::mrn::generated_mrn;
use intake_core::patient::{Sex, ValidPatient};
use intake_core::search::NearWord;
use intake_core::PatientId;

use super::fixtures::{add_patient, ok, person, t};
use crate::prelude::*;
use crate::{PatientRow, PatientStatus, StoreError, WordMatch};

fn full() -> ValidPatient {
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

fn ids(rows: Vec<PatientRow>) -> Vec<PatientId> {
    let mut ids: Vec<PatientId> = rows.into_iter().map(|r| r.id).collect();
    ids.sort();
    ids
}

fn retire<B: Backend>(b: &B, id: PatientId) {
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

pub fn search_patient_names_whole_and_prefix<B: Backend>(b: &B) {
    let zoe = add_patient(b, &full(), "A-1");
    let zoey = add_patient(b, &person("Zoeyson", "Max", "1990-05-06"), "A-2");
    let obrien = add_patient(b, &person("O'Brien", "Zoë", "1980-02-03"), "A-3");
    let gone = add_patient(b, &person("Lukasz", "Zoe", "1980-02-03"), "A-4");
    retire(b, gone);
    let search = |words: &[&str], how, birth: Option<&str>, inactive| {
        let words: Vec<String> = words.iter().map(|w| w.to_string()).collect();
        let birth =
            birth.map(|d| chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d").expect("a date"));
        ids(ok(
            b.read(|tx| tx.search_patient_names(&words, how, birth, inactive, 50)),
            "searching",
        ))
    };
    assert_eq!(
        search(&["zoe"], WordMatch::Whole, None, false),
        [zoe, obrien],
        "whole words, accents folded; inactive left out"
    );
    assert_eq!(
        search(&["zoe"], WordMatch::Prefix, None, false),
        [zoe, zoey, obrien],
        "prefixes"
    );
    assert_eq!(
        search(&["zoe", "luk"], WordMatch::Prefix, None, false),
        [zoe],
        "every word must match"
    );
    assert_eq!(
        search(&["obrien"], WordMatch::Whole, None, false),
        [obrien],
        "a name without its separators"
    );
    assert_eq!(
        search(&["zoe"], WordMatch::Prefix, Some("1980-02-03"), false),
        [zoe, obrien],
        "and born on that date"
    );
    assert_eq!(
        search(&["zoe"], WordMatch::Whole, None, true),
        [zoe, obrien, gone],
        "inactive patients when asked"
    );
    assert_eq!(
        search(&[], WordMatch::Prefix, None, true),
        [],
        "no words, nobody"
    );
    let limited = ok(
        b.read(|tx| tx.search_patient_names(&["zoe".into()], WordMatch::Prefix, None, true, 2)),
        "searching",
    );
    assert_eq!(limited.len(), 2, "at most the limit");
}

pub fn search_patient_names_near_and_their_words<B: Backend>(b: &B) {
    let kowalski = add_patient(b, &person("Kowalski", "Jan", "1970-01-02"), "A-1");
    let kowalska = add_patient(b, &person("Kowalska", "Anna", "1972-01-02"), "A-2");
    add_patient(b, &person("Nowak", "Jan", "1980-01-02"), "A-3");
    let mut words = ok(
        b.read(|tx| tx.name_words_starting("ko", 7, 9, 100)),
        "reading words",
    );
    words.sort();
    assert_eq!(
        words,
        ["kowalska", "kowalski"],
        "the name words with that start and length"
    );
    assert!(
        ok(
            b.read(|tx| tx.name_words_starting("ko", 2, 6, 100)),
            "reading words"
        )
        .is_empty(),
        "none of those lengths"
    );
    let near = |word: &str, near: &[&str]| NearWord {
        word: word.into(),
        near: near.iter().map(|n| n.to_string()).collect(),
    };
    let found = ok(
        b.read(|tx| {
            tx.search_patient_names_near(
                &[near("kowalksi", &["kowalski"]), near("ja", &[])],
                None,
                false,
                10,
            )
        }),
        "searching",
    );
    assert_eq!(
        ids(found),
        vec![kowalski],
        "a near word and a prefix, both required"
    );
    let found = ok(
        b.read(|tx| tx.search_patient_names_near(&[near("kowal", &["nowak"])], None, false, 10)),
        "searching",
    );
    assert_eq!(found.len(), 3, "a prefix or a near word: {:?}", ids(found));
    let _ = kowalska;
}

pub fn search_patient_phones_by_start_and_ending<B: Backend>(b: &B) {
    let zoe = add_patient(b, &full(), "A-1");
    let other = add_patient(
        b,
        &ValidPatient {
            phone: "555 0177".into(),
            ..person("Other", "One", "1990-01-01")
        },
        "A-2",
    );
    let search = |digits: &str| {
        ids(ok(
            b.read(|tx| tx.search_patient_phones(digits, false, 50)),
            "searching",
        ))
    };
    assert_eq!(search("1555010"), [zoe], "the start of the number");
    assert_eq!(search("2000"), [zoe], "its last four digits");
    assert_eq!(search("555"), [zoe, other], "a start of any index term");
    assert_eq!(search("0177"), [other]);
    assert_eq!(search(""), [], "no digits, nobody");
    retire(b, other);
    assert_eq!(search("0177"), [], "inactive patients are left out");
    assert_eq!(
        ids(ok(
            b.read(|tx| tx.search_patient_phones("0177", true, 50)),
            "searching"
        )),
        [other],
        "unless asked for"
    );
}

pub fn patients_born_on_a_date<B: Backend>(b: &B) {
    let zoe = add_patient(b, &full(), "A-1");
    add_patient(b, &person("Other", "One", "1990-01-01"), "A-2");
    let gone = add_patient(b, &person("Gone", "One", "1980-02-03"), "A-3");
    retire(b, gone);
    let date = chrono::NaiveDate::from_ymd_opt(1980, 2, 3).expect("a date");
    let found = |inactive| {
        ids(ok(
            b.read(|tx| tx.patients_born_on(date, inactive, 50)),
            "searching",
        ))
    };
    assert_eq!(found(false), [zoe], "born that day, active");
    assert_eq!(found(true), [zoe, gone], "inactive ones when asked");
}

pub fn patients_with_phone_digits_are_active_ones<B: Backend>(b: &B) {
    let zoe = add_patient(b, &full(), "A-1");
    let twin = add_patient(
        b,
        &ValidPatient {
            family: "Twin".into(),
            ..full()
        },
        "A-2",
    );
    add_patient(b, &person("No", "Phone", "1990-01-01"), "A-3");
    retire(b, twin);
    let found = |digits: &str| {
        ids(ok(
            b.read(|tx| tx.patients_with_phone_digits(digits, 50)),
            "searching",
        ))
    };
    assert_eq!(
        found("15550102000"),
        [zoe],
        "exactly these digits, active only"
    );
    assert_eq!(found("5550102000"), [], "not a part of the number");
    assert_eq!(
        found(""),
        [],
        "no digits match nobody, not the patients without a phone"
    );
}

pub fn patients_with_email_are_active_ones<B: Backend>(b: &B) {
    let zoe = add_patient(b, &full(), "A-1");
    let twin = add_patient(
        b,
        &ValidPatient {
            family: "Twin".into(),
            ..full()
        },
        "A-2",
    );
    add_patient(b, &person("No", "Email", "1990-01-01"), "A-3");
    retire(b, twin);
    let found = |email: &str| {
        ids(ok(
            b.read(|tx| tx.patients_with_email(email, 50)),
            "searching",
        ))
    };
    assert_eq!(
        found("zoe@example.org"),
        [zoe],
        "exactly this email, active only"
    );
    assert_eq!(found("zoe@example"), [], "not a part of it");
    assert_eq!(found(""), [], "no email matches nobody");
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
