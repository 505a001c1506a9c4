//! The outcomes query: which encounters count (submitted, signed, amended; never drafts
//! or entered in error), which answers count (with a value, in the record, not
//! calculated), carried answers edited afterwards, and the range of submission times.

use chrono::{DateTime, Duration, TimeZone, Utc};
use intake_core::questionnaire::response::Key;
use intake_core::{AnswerSource, EncounterId, PatientId, TemplateId};
use intake_store::prelude::*;
use intake_store::{decode_values, AnswerWrite, CarriedFrom, OutcomeRow, Store};
use rusqlite::Connection;

/// Tuesday 24 November 2026, 09:00 UTC, plus `min` minutes.
fn t(min: i64) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 24, 9, 0, 0).unwrap() + Duration::minutes(min)
}

fn setup(dir: &std::path::Path) -> (Store, Connection) {
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
    (store, conn)
}

fn start(store: &Store, at: DateTime<Utc>) -> EncounterId {
    store
        .write(|db| db.insert_encounter(PatientId(1), TemplateId(1), at, "nurse"))
        .unwrap()
}

fn put(
    store: &Store,
    id: EncounterId,
    key: &str,
    values: &str,
    source: &str,
    from: Option<&CarriedFrom>,
) {
    let key: Key = key.parse().expect("a key");
    let values = decode_values(values).expect("values");
    let source = AnswerSource::parse(source).expect("a source");
    store
        .write(|db| {
            db.put_answer(
                id,
                &AnswerWrite {
                    key: &key,
                    values: &values,
                    source,
                    carried: from,
                    needs_confirmation: false,
                },
                t(1),
                "nurse",
            )
        })
        .unwrap();
}

fn submit(store: &Store, id: EncounterId, left_out: &[&str], at: DateTime<Utc>) {
    let left_out: Vec<Key> = left_out.iter().map(|k| k.parse().expect("a key")).collect();
    store
        .write(|db| db.submit_encounter(id, &left_out, at, "nurse"))
        .unwrap();
}

/// (answered, carried unchanged, carried edited, typed, prefilled)
fn counts(row: &OutcomeRow) -> (i64, i64, i64, i64, i64) {
    (
        row.answered,
        row.carried_unchanged,
        row.carried_edited,
        row.typed,
        row.prefilled,
    )
}

#[test]
fn each_answer_counts_once_by_where_it_came_from() {
    let dir = tempfile::tempdir().unwrap();
    let (store, _conn) = setup(dir.path());
    let earlier = start(&store, t(-60 * 24 * 30));
    submit(&store, earlier, &[], t(-60 * 24 * 30 + 5));
    let from = CarriedFrom {
        encounter: earlier,
        date: t(-60 * 24 * 30),
        author: "nurse".into(),
        confirmed_by: None,
    };

    let id = start(&store, t(0));
    put(
        &store,
        id,
        "visit/reason",
        r#"[{"valueString":"Cough"}]"#,
        "typed",
        None,
    );
    put(
        &store,
        id,
        "vitals/bmi",
        r#"[{"valueDecimal":22.9}]"#,
        "calculated",
        None,
    );
    put(
        &store,
        id,
        "allergies/allergy[1]",
        "[]",
        "carried",
        Some(&from),
    );
    put(
        &store,
        id,
        "allergies/allergy[1]/substance",
        r#"[{"valueString":"Latex"}]"#,
        "carried",
        Some(&from),
    );
    put(
        &store,
        id,
        "social/occupation",
        r#"[{"valueString":"Teacher"}]"#,
        "carried",
        Some(&from),
    );
    put(
        &store,
        id,
        "social/occupation",
        r#"[{"valueString":"Head teacher"}]"#,
        "typed",
        None,
    );
    put(
        &store,
        id,
        "insurance/insurer",
        r#"[{"valueString":"Mutual"}]"#,
        "carried",
        Some(&from),
    );
    put(
        &store,
        id,
        "insurance/insurer",
        r#"[{"valueString":"Mutual"}]"#,
        "typed",
        None,
    );
    // Typed twice, never carried: still typed, once.
    put(
        &store,
        id,
        "vitals/weight",
        r#"[{"valueDecimal":80}]"#,
        "typed",
        None,
    );
    put(
        &store,
        id,
        "vitals/weight",
        r#"[{"valueDecimal":81}]"#,
        "typed",
        None,
    );
    put(
        &store,
        id,
        "sex",
        r#"[{"valueCoding":{"code":"female"}}]"#,
        "record",
        None,
    );
    put(
        &store,
        id,
        "visit/visit-type",
        r#"[{"valueCoding":{"code":"new"}}]"#,
        "initial",
        None,
    );
    // An initial value the nurse changed is typed.
    put(
        &store,
        id,
        "vitals/pain",
        r#"[{"valueInteger":0}]"#,
        "initial",
        None,
    );
    put(
        &store,
        id,
        "vitals/pain",
        r#"[{"valueInteger":3}]"#,
        "typed",
        None,
    );
    // Answered, then disabled: not in the record.
    put(
        &store,
        id,
        "pregnancy/pregnant",
        r#"[{"valueBoolean":false}]"#,
        "typed",
        None,
    );
    put(
        &store,
        id,
        "pregnancy/lmp",
        r#"[{"valueDate":"2026-11-01"}]"#,
        "carried",
        Some(&from),
    );
    submit(&store, id, &["pregnancy/pregnant", "pregnancy/lmp"], t(17));

    let rows = store.read(|db| db.outcomes(t(-10), t(60))).unwrap();
    assert_eq!(
        rows.len(),
        1,
        "the earlier visit is outside the range: {rows:?}"
    );
    let row = &rows[0];
    assert_eq!(row.encounter_id, id);
    assert_eq!(row.mrn, "000001-8");
    assert_eq!((row.started_at, row.submitted_at), (t(0), t(17)));
    // reason, weight, pain typed; occupation and insurer carried then edited (typed again
    // as it was is still an edit); the substance carried; sex and visit type pre-filled.
    // Not counted: BMI, the allergy row, the two disabled answers.
    assert_eq!(counts(row), (8, 1, 2, 3, 2), "{row:?}");
}

#[test]
fn only_submitted_signed_and_amended_encounters_count() {
    let dir = tempfile::tempdir().unwrap();
    let (store, conn) = setup(dir.path());
    let mut ids = Vec::new();
    for (i, status) in [
        "submitted",
        "signed",
        "amended",
        "entered_in_error",
        "draft",
    ]
    .iter()
    .enumerate()
    {
        let id = start(&store, t(i as i64));
        put(
            &store,
            id,
            "visit/reason",
            r#"[{"valueString":"Cough"}]"#,
            "typed",
            None,
        );
        if *status != "draft" {
            submit(&store, id, &[], t(i as i64 + 10));
            // An amended record was signed first (the store allows no other way there).
            let path: &[&str] = match *status {
                "amended" => &["signed", "amended"],
                "submitted" => &[],
                _ => std::slice::from_ref(status),
            };
            for step in path {
                conn.execute(
                    "UPDATE encounters SET status = ?2 WHERE id = ?1",
                    rusqlite::params![id.0, step],
                )
                .unwrap();
            }
        }
        ids.push(id);
    }
    // Submitted with no answer at all: counted, with zeros.
    let empty = start(&store, t(30));
    submit(&store, empty, &[], t(31));

    let rows = store.read(|db| db.outcomes(t(0), t(60))).unwrap();
    let counted: Vec<EncounterId> = rows.iter().map(|r| r.encounter_id).collect();
    assert_eq!(counted, [ids[0], ids[1], ids[2], empty]);
    assert!(
        rows[..3].iter().all(|r| counts(r) == (1, 0, 0, 1, 0)),
        "{rows:?}"
    );
    assert_eq!(counts(&rows[3]), (0, 0, 0, 0, 0));
}

#[test]
fn the_range_is_of_submission_times_from_included_to_excluded() {
    let dir = tempfile::tempdir().unwrap();
    let (store, _conn) = setup(dir.path());
    // Started before the range, submitted at its very start: in.
    let at_start = start(&store, t(-30));
    submit(&store, at_start, &[], t(0));
    let inside = start(&store, t(10));
    submit(&store, inside, &[], t(59));
    // Started inside, submitted at the end: out.
    let at_end = start(&store, t(40));
    submit(&store, at_end, &[], t(60));

    let rows = store.read(|db| db.outcomes(t(0), t(60))).unwrap();
    let counted: Vec<EncounterId> = rows.iter().map(|r| r.encounter_id).collect();
    assert_eq!(counted, [at_start, inside]);
    assert!(store
        .read(|db| db.outcomes(t(60), t(0)))
        .unwrap()
        .is_empty());
}
