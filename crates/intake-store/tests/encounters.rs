//! Encounters in the store: drafts, answers with their write counts, submission, and
//! the triggers that keep a submitted encounter's answers as they were.
//! These are the SQLite-specific parts (raw SQL against the triggers, an old schema);
//! what every backend must do is the contract (`tests/contract.rs`).

use chrono::{DateTime, TimeZone, Utc};
use intake_core::questionnaire::response::Key;
use intake_core::{AnswerSource, EncounterId, EncounterStatus, PatientId, TemplateId};
use intake_store::prelude::*;
use intake_store::{decode_values, encode_values, AnswerWrite, CarriedFrom, Store, StoreError};
use rusqlite::Connection;

fn t(sec: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 24, 9, 0, 0).unwrap() + chrono::Duration::seconds(sec.into())
}

/// A database file with one patient and one template, and a draft for them.
fn setup(dir: &std::path::Path) -> (Store, EncounterId) {
    let path = dir.join("intake.db");
    let store = Store::open(&path).unwrap();
    let conn = Connection::open(&path).unwrap();
    conn.execute_batch(
        "INSERT INTO patients (id, mrn, family, given, birth_date, sex, created_at, created_by, \
         updated_at, updated_by) VALUES (1, '000001-8', 'Łukasz', 'Zoë', '1980-02-03', 'female', \
         '2026-11-24T08:00:00Z', 'admin', '2026-11-24T08:00:00Z', 'admin');
         INSERT INTO templates (id, slug, version, title, status, original, sha256, report, \
         imported_at, imported_by) VALUES (1, 'f', '1', 'Form', 'active', x'7B7D', '', '{}', \
         '2026-11-24T08:00:00Z', 'admin');",
    )
    .unwrap();
    let id = store
        .write(|db| db.insert_encounter(PatientId(1), TemplateId(1), t(0), "nurse"))
        .unwrap();
    (store, id)
}

/// A key as the screen sends it.
fn k(key: &str) -> Key {
    key.parse().expect("a key")
}

fn put(store: &Store, id: EncounterId, key: &str, values: &str) -> Result<i64, StoreError> {
    let key = k(key);
    let values = decode_values(values).expect("values");
    store.write(|db| {
        db.put_answer(
            id,
            &AnswerWrite {
                key: &key,
                values: &values,
                source: AnswerSource::Typed,
                carried: None,
                needs_confirmation: false,
            },
            t(5),
            "nurse",
        )
    })
}

#[test]
fn submission_leaves_disabled_answers_out_of_the_record_and_freezes_the_rest() {
    let dir = tempfile::tempdir().unwrap();
    let (store, id) = setup(dir.path());
    put(&store, id, "visit/reason", r#"[{"valueString":"cough"}]"#).unwrap();
    put(
        &store,
        id,
        "pregnancy/pregnant",
        r#"[{"valueBoolean":false}]"#,
    )
    .unwrap();
    store
        .write(|db| db.submit_encounter(id, &[k("pregnancy/pregnant")], t(60), "nurse"))
        .unwrap();
    let answers = store.read(|db| db.answers(id)).unwrap();
    let in_record: Vec<(String, bool)> = answers
        .iter()
        .map(|a| (a.key.to_string(), a.in_record))
        .collect();
    assert_eq!(
        in_record,
        vec![
            ("pregnancy/pregnant".to_string(), false),
            ("visit/reason".to_string(), true)
        ],
        "kept, but out of the record"
    );
    let e = store.read(|db| db.encounter(id)).unwrap().unwrap();
    assert_eq!(
        (e.status.as_str(), e.submitted_by.as_deref()),
        ("submitted", Some("nurse"))
    );

    // Not through the store's own methods, and not through raw SQL either.
    let err = put(&store, id, "visit/reason", r#"[{"valueString":"changed"}]"#).unwrap_err();
    assert!(err.to_string().contains("not a draft"), "{err}");
    let conn = Connection::open(dir.path().join("intake.db")).unwrap();
    for sql in [
        "UPDATE encounter_answers SET value_json = '[]' WHERE encounter_id = 1",
        "DELETE FROM encounter_answers WHERE encounter_id = 1",
        "INSERT INTO encounter_answers (encounter_id, answer_key, link_id, value_json, source, author, at, rev, in_record) VALUES (1, 'x', 'x', '[]', 'typed', 'nurse', '2026-11-24T09:00:00Z', 1, 1)",
        "DELETE FROM encounters",
    ] {
        let err = conn.execute(sql, []).unwrap_err().to_string();
        assert!(err.contains("never change") || err.contains("never deleted"), "{sql}: {err}");
    }
    assert_eq!(store.read(|db| db.answers(id)).unwrap().len(), 2);
}

#[test]
fn carried_answers_keep_their_provenance_until_typed_over_and_history_keeps_every_value() {
    let dir = tempfile::tempdir().unwrap();
    let (store, id) = setup(dir.path());
    let earlier = store
        .write(|db| db.insert_encounter(PatientId(1), TemplateId(1), t(0), "nurse"))
        .unwrap();
    let from = CarriedFrom {
        encounter: earlier,
        date: t(1),
        author: "maria".into(),
        confirmed_by: Some("nora".into()),
    };
    let med = k("medications/medication[1]/med-name");
    let aspirin = decode_values(r#"[{"valueString":"Aspirin"}]"#).unwrap();
    let carried = AnswerWrite {
        key: &med,
        values: &aspirin,
        source: AnswerSource::Carried,
        carried: Some(&from),
        needs_confirmation: true,
    };
    store
        .write(|db| db.put_answer(id, &carried, t(2), "nurse"))
        .unwrap();
    let a = &store.read(|db| db.answers(id)).unwrap()[0];
    assert_eq!(
        (a.source.as_str(), a.carried.as_ref()),
        ("carried", Some(&from))
    );
    assert!(a.needs_confirmation && a.confirmed_by.is_none());

    // Confirming records who and when, and is not a new value.
    assert!(store
        .write(|db| db.confirm_answer(id, &k("medications/medication[1]/med-name"), t(3), "nurse"))
        .unwrap());
    assert!(
        !store
            .write(|db| db.confirm_answer(
                id,
                &k("medications/medication[1]/med-name"),
                t(4),
                "nurse"
            ))
            .unwrap(),
        "once"
    );
    let a = &store.read(|db| db.answers(id)).unwrap()[0];
    assert_eq!(
        (a.confirmed_by.as_deref(), a.confirmed_at, a.rev),
        (Some("nurse"), Some(t(3)), 1)
    );

    // Typing over it makes it typed; the carried value stays in the history.
    assert_eq!(
        put(
            &store,
            id,
            "medications/medication[1]/med-name",
            r#"[{"valueString":"Aspirin 75 mg"}]"#
        )
        .unwrap(),
        2
    );
    let a = &store.read(|db| db.answers(id)).unwrap()[0];
    assert_eq!(
        (a.source.as_str(), a.carried.as_ref(), a.needs_confirmation),
        ("typed", None, false)
    );
    assert!(a.confirmed_by.is_none());
    // Removed, then written again: the count goes on from the history.
    assert!(store
        .write(|db| db.delete_answer(id, &k("medications/medication[1]/med-name")))
        .unwrap());
    assert_eq!(
        put(
            &store,
            id,
            "medications/medication[1]/med-name",
            r#"[{"valueString":"Clopidogrel"}]"#
        )
        .unwrap(),
        3
    );
    let history = store.read(|db| db.answer_revisions(id)).unwrap();
    let seen: Vec<(i64, String, &str, bool)> = history
        .iter()
        .map(|r| {
            (
                r.rev,
                encode_values(&r.values),
                r.source.as_str(),
                r.removed,
            )
        })
        .collect();
    assert_eq!(
        seen,
        [
            (
                1,
                r#"[{"valueString":"Aspirin"}]"#.to_string(),
                "carried",
                false
            ),
            (
                2,
                r#"[{"valueString":"Aspirin 75 mg"}]"#.to_string(),
                "typed",
                true
            ),
        ]
    );
    assert_eq!(history[0].source_encounter, Some(earlier));
    assert_eq!(history[0].confirmed_by.as_deref(), Some("nurse"));

    // The history cannot be rewritten from a SQL shell either.
    let conn = Connection::open(dir.path().join("intake.db")).unwrap();
    for sql in [
        "UPDATE encounter_answer_revisions SET value_json = '[]'",
        "DELETE FROM encounter_answer_revisions",
    ] {
        let err = conn.execute(sql, []).unwrap_err().to_string();
        assert!(err.contains("kept as written"), "{sql}: {err}");
    }
}

#[test]
fn answers_written_before_provenance_existed_survive_the_upgrade() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("intake.db");
    {
        let mut conn = Connection::open(&path).unwrap();
        intake_store::migrations::migrate_to(&mut conn, &path, 4).unwrap();
        conn.execute_batch(
            "INSERT INTO patients (id, mrn, family, given, birth_date, sex, created_at, created_by, \
             updated_at, updated_by) VALUES (1, '000001-8', 'Łukasz', 'Zoë', '1980-02-03', 'female', \
             '2026-11-24T08:00:00Z', 'admin', '2026-11-24T08:00:00Z', 'admin');
             INSERT INTO templates (id, slug, version, title, status, original, sha256, report, \
             imported_at, imported_by) VALUES (1, 'f', '1', 'Form', 'active', x'7B7D', '', '{}', \
             '2026-11-24T08:00:00Z', 'admin');
             INSERT INTO encounters (id, patient_id, template_id, status, started_at, started_by, \
             updated_at) VALUES (1, 1, 1, 'draft', '2026-11-24T08:00:00Z', 'nurse', '2026-11-24T08:00:00Z');
             INSERT INTO encounter_answers VALUES (1, ':weight', 'weight', '[{\"valueDecimal\":82}]', \
             'typed', 'nurse', '2026-11-24T08:01:00Z', 3, 1);
             UPDATE encounters SET status = 'submitted' WHERE id = 1;",
        )
        .unwrap();
    }
    let store = Store::open(&path).unwrap();
    let answers = store.read(|db| db.answers(EncounterId(1))).unwrap();
    assert_eq!(answers.len(), 1);
    let a = &answers[0];
    assert_eq!(
        (a.key.to_string().as_str(), a.values_json.as_str(), a.rev),
        ("weight", r#"[{"valueDecimal":82}]"#, 3),
        "the value and its count survive; the form ('{{}}') cannot be read, so the key \
         keeps its linkId as a one-segment path"
    );
    assert_eq!((a.carried.as_ref(), a.needs_confirmation), (None, false));
    // The submitted encounter's answers are still frozen after the table was rebuilt.
    let conn = Connection::open(&path).unwrap();
    let err = conn
        .execute("UPDATE encounter_answers SET value_json = '[]'", [])
        .unwrap_err()
        .to_string();
    assert!(err.contains("never change"), "{err}");
}

/// Tries `sql` on the database file directly, as a SQL shell would.
fn raw(dir: &std::path::Path, sql: &str) -> Result<usize, String> {
    let conn = Connection::open(dir.join("intake.db")).unwrap();
    conn.execute(sql, []).map_err(|e| e.to_string())
}

#[test]
fn a_signed_encounter_refuses_raw_sql_until_an_amendment_is_opened() {
    use intake_store::Signature;
    let dir = tempfile::tempdir().unwrap();
    let (store, id) = setup(dir.path());
    put(&store, id, "vitals/weight", r#"[{"valueDecimal":82}]"#).unwrap();
    store
        .write(|db| db.submit_encounter(id, &[], t(10), "nurse"))
        .unwrap();
    store
        .write(|db| db.sign_encounter(id, Signature::First, signed("abc"), t(20), "physician"))
        .unwrap();
    let e = store.read(|db| db.encounter(id)).unwrap().unwrap();
    assert_eq!(
        (e.status.as_str(), e.signed_by.as_deref()),
        ("signed", Some("physician"))
    );

    // Below the API: no answer change, no way back to a draft, no rewriting the signature.
    for sql in [
        "UPDATE encounter_answers SET value_json = '[{\"valueDecimal\":70}]' WHERE encounter_id = 1",
        "DELETE FROM encounter_answers WHERE encounter_id = 1",
        "INSERT INTO encounter_answers (encounter_id, answer_key, link_id, value_json, source, author, at, rev) VALUES (1, 'x', 'x', '[]', 'typed', 'nurse', '2026-11-24T09:00:00Z', 1)",
        "UPDATE encounters SET status = 'draft' WHERE id = 1",
        "UPDATE encounters SET status = 'submitted' WHERE id = 1",
        "UPDATE encounter_events SET text = 'forged' WHERE encounter_id = 1",
        "DELETE FROM encounter_events WHERE encounter_id = 1",
    ] {
        let err = raw(dir.path(), sql).expect_err(sql);
        assert!(
            err.contains("never change")
                || err.contains("changes only by an amendment")
                || err.contains("kept as written"),
            "{sql}: {err}"
        );
    }
    assert_eq!(
        store.read(|db| db.answers(id)).unwrap()[0].values,
        decode_values(r#"[{"valueDecimal":82}]"#).unwrap(),
        "the signed value is unchanged"
    );

    // An amendment opens the answers to change; signing it closes them again.
    store
        .write(|db| db.start_amendment(id, "Typo", t(30), "physician"))
        .unwrap();
    put(&store, id, "vitals/weight", r#"[{"valueDecimal":81}]"#).unwrap();
    store
        .write(|db| db.sign_encounter(id, Signature::Amendment, signed("def"), t(40), "physician"))
        .unwrap();
    let e = store.read(|db| db.encounter(id)).unwrap().unwrap();
    assert_eq!(e.status, EncounterStatus::Amended);
    assert_eq!(e.amended.as_ref().map(|a| a.text.as_str()), Some("Typo"));
    assert!(raw(
        dir.path(),
        "DELETE FROM encounter_answers WHERE encounter_id = 1"
    )
    .is_err());
    let revisions = store.read(|db| db.answer_revisions(id)).unwrap();
    assert_eq!(
        revisions
            .iter()
            .map(|r| r.values.clone())
            .collect::<Vec<_>>(),
        [decode_values(r#"[{"valueDecimal":82}]"#).unwrap()],
        "the signed value is kept in the history"
    );
    let kinds: Vec<&str> = store
        .read(|db| db.encounter_events(id))
        .unwrap()
        .into_iter()
        .map(|e| e.kind.as_str())
        .collect();
    assert_eq!(kinds, ["signed", "amendment_started", "amended"]);

    // Entered in error is final; a draft or submitted one cannot be amended.
    store
        .write(|db| db.mark_encounter_in_error(id, "Wrong patient", t(50), "admin"))
        .unwrap();
    for sql in [
        "UPDATE encounters SET status = 'amended' WHERE id = 1",
        "UPDATE encounters SET amending_by = 'physician' WHERE id = 1",
    ] {
        assert!(raw(dir.path(), sql).is_err(), "{sql}");
    }
}

/// The trigger on status moves refuses exactly what the life cycle in core refuses: each
/// pair of different statuses is tried in raw SQL on an encounter brought to the first.
#[test]
fn the_status_trigger_allows_exactly_the_moves_of_the_life_cycle() {
    let dir = tempfile::tempdir().unwrap();
    let (store, _) = setup(dir.path());
    let conn = Connection::open(dir.path().join("intake.db")).unwrap();
    let set = |id: EncounterId, to: EncounterStatus| {
        conn.execute(
            "UPDATE encounters SET status = ?2 WHERE id = ?1",
            rusqlite::params![id.0, to.as_str()],
        )
        .map_err(|e| e.to_string())
    };
    // The allowed moves that bring a new draft to each status.
    let path = |to: EncounterStatus| -> Vec<EncounterStatus> {
        use EncounterStatus as S;
        match to {
            S::Draft => vec![],
            S::Submitted => vec![S::Submitted],
            S::Signed => vec![S::Submitted, S::Signed],
            S::Amended => vec![S::Submitted, S::Signed, S::Amended],
            S::EnteredInError => vec![S::EnteredInError],
        }
    };
    let mut tried = 0;
    for &from in EncounterStatus::ALL {
        for &to in EncounterStatus::ALL {
            if from == to {
                continue;
            }
            let id = store
                .write(|db| db.insert_encounter(PatientId(1), TemplateId(1), t(0), "nurse"))
                .unwrap();
            for step in path(from) {
                set(id, step).unwrap_or_else(|e| panic!("reaching {from} by {step}: {e}"));
            }
            let moved = set(id, to);
            assert_eq!(
                moved.is_ok(),
                from.may_move_to(to),
                "{from} -> {to}: the trigger said {moved:?}"
            );
            tried += 1;
        }
    }
    assert_eq!(tried, 20, "every ordered pair of different statuses");
}

/// A stand-in record for a signature (the store keeps whatever text it is given).
fn signed(sha256: &str) -> intake_store::SignedRecord<'_> {
    intake_store::SignedRecord {
        json: "{}",
        sha256,
        form: 2,
    }
}
