//! Immutability against any SQL (migration 0008): what a SQL shell on the database file
//! tries, beside a running store, and what it gets. Each bad input is refused with a
//! message naming what was refused, and the whole database reads the same afterwards.
//! SQLite-specific: raw SQL through rusqlite on the file the store has open.

use std::collections::BTreeMap;

use chrono::{DateTime, TimeZone, Utc};
use intake_core::questionnaire::response::Key;
use intake_core::{AnswerSource, EncounterId, PatientId, TemplateId};
use intake_store::prelude::*;
use intake_store::{decode_values, AnswerWrite, Signature, SignedRecord, Store, StoreError};
use rusqlite::types::Value;
use rusqlite::Connection;

fn t(sec: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 24, 9, 0, 0).unwrap() + chrono::Duration::seconds(sec.into())
}

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

/// A database beside a running store: two patients (one with a revision), two templates,
/// a user, an audit entry; visit 1 signed (its weight written twice, so it has a
/// revision), visit 2 a draft with one answer.
struct Clinic {
    _dir: tempfile::TempDir,
    store: Store,
    conn: Connection,
    signed: EncounterId,
    draft: EncounterId,
}

fn clinic() -> Clinic {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let path = dir.path().join("intake.db");
    let store = Store::open(&path).expect("a new database");
    let conn = Connection::open(&path).expect("the same file, as a SQL shell opens it");
    conn.execute_batch(
        "INSERT INTO patients (id, mrn, family, given, birth_date, sex, created_at, created_by, \
         updated_at, updated_by) VALUES (1, '000001-8', 'Łukasz', 'Zoë', '1980-02-03', 'female', \
         '2026-11-24T08:00:00Z', 'admin', '2026-11-24T08:00:00Z', 'admin'), \
         (2, '000002-6', 'Other', 'Person', '1970-01-01', 'male', \
         '2026-11-24T08:00:00Z', 'admin', '2026-11-24T08:00:00Z', 'admin');
         INSERT INTO patient_revisions (id, patient_id, version, at, by, changes) \
         VALUES (1, 1, 2, '2026-11-24T08:10:00Z', 'admin', '{}');
         INSERT INTO templates (id, slug, version, title, status, original, sha256, report, \
         imported_at, imported_by) VALUES (1, 'f', '1', 'Form', 'active', x'7B7D', '', '{}', \
         '2026-11-24T08:00:00Z', 'admin'), (2, 'g', '1', 'Other form', 'active', x'7B7D', '', \
         '{}', '2026-11-24T08:00:00Z', 'admin');
         INSERT INTO users (id, username, display_name, role, password_hash, created_at, \
         created_by, updated_at, updated_by) VALUES (1, 'chief', 'Chief', 'admin', 'x', \
         '2026-11-24T08:00:00Z', 'setup', '2026-11-24T08:00:00Z', 'setup');
         INSERT INTO audit_log (seq, at, actor, action, entity, detail, prev_hash, hash) \
         VALUES (1, '2026-11-24T08:00:00Z', 'chief', 'user.create', 'user', '{}', '', 'h1');",
    )
    .expect("the clinic's rows");
    let signed = store
        .write(|db| db.insert_encounter(PatientId(1), TemplateId(1), t(0), "nurse"))
        .expect("visit 1");
    put(&store, signed, "vitals/weight", r#"[{"valueDecimal":82}]"#).expect("weight");
    put(&store, signed, "vitals/weight", r#"[{"valueDecimal":83}]"#).expect("weight again");
    put(
        &store,
        signed,
        "visit/reason",
        r#"[{"valueString":"cough"}]"#,
    )
    .expect("reason");
    store
        .write(|db| db.submit_encounter(signed, &[], t(10), "nurse"))
        .expect("submitting");
    let record = SignedRecord {
        json: "{}",
        sha256: "abc",
        form: 2,
    };
    store
        .write(|db| db.sign_encounter(signed, Signature::First, record, t(20), "physician"))
        .expect("signing");
    let draft = store
        .write(|db| db.insert_encounter(PatientId(2), TemplateId(2), t(30), "nurse"))
        .expect("visit 2");
    put(&store, draft, "vitals/weight", r#"[{"valueDecimal":70}]"#).expect("a draft's answer");
    Clinic {
        _dir: dir,
        store,
        conn,
        signed,
        draft,
    }
}

/// Every row of every table, as text, sorted: "nothing changed" means this is equal.
fn snapshot(conn: &Connection) -> BTreeMap<String, Vec<String>> {
    let mut names = conn
        .prepare(
            "SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%' \
             AND name NOT LIKE 'patient_search%' ORDER BY name",
        )
        .expect("the table list");
    let tables: Vec<String> = names
        .query_map([], |r| r.get(0))
        .expect("the table list")
        .collect::<Result<_, _>>()
        .expect("the table names");
    let mut out = BTreeMap::new();
    for table in tables {
        let mut stmt = conn
            .prepare(&format!("SELECT * FROM \"{table}\""))
            .expect("a table");
        let width = stmt.column_count();
        let mut rows: Vec<String> = stmt
            .query_map([], |r| {
                (0..width)
                    .map(|i| r.get::<_, Value>(i).map(|v| format!("{v:?}")))
                    .collect::<Result<Vec<_>, _>>()
                    .map(|cells| cells.join(" | "))
            })
            .expect("the rows")
            .collect::<Result<_, _>>()
            .expect("each row");
        rows.sort();
        out.insert(table, rows);
    }
    out
}

/// Runs `sql` as a SQL shell would and expects a refusal naming `says`, with every row of
/// the database as it was.
fn refused(c: &Clinic, sql: &str, says: &[&str]) {
    let before = snapshot(&c.conn);
    let err = match c.conn.execute_batch(sql) {
        Ok(()) => panic!("expected a refusal, but SQLite accepted: {sql}"),
        Err(e) => e.to_string(),
    };
    // A batch that opened a transaction leaves it open at the refused statement: the
    // shell's user would roll it back (or commit what came before, checked separately).
    if !c.conn.is_autocommit() {
        c.conn.execute_batch("ROLLBACK").expect("rolling back");
    }
    assert!(
        says.iter().any(|s| err.contains(s)),
        "expected the refusal of {sql} to say one of {says:?}, it said: {err}"
    );
    assert_eq!(
        snapshot(&c.conn),
        before,
        "expected nothing changed after the refused {sql}"
    );
}

const TAKEN: &str = "the key is taken";

#[test]
fn replace_into_each_protected_table_is_refused_and_changes_nothing() {
    let c = clinic();
    let (s, d) = (c.signed.0, c.draft.0);
    let cases: Vec<(&str, String, &[&str])> = vec![
        (
            "a signed visit back to a draft",
            format!(
                "INSERT OR REPLACE INTO encounters (id, patient_id, template_id, status, \
                 started_at, started_by, updated_at) VALUES ({s}, 1, 1, 'draft', \
                 '2026-11-24T09:00:00Z', 'nurse', '2026-11-24T09:00:00Z')"
            ),
            &["an encounter is never replaced"],
        ),
        (
            "an audit entry",
            "REPLACE INTO audit_log (seq, at, actor, action, entity, detail, prev_hash, hash) \
             VALUES (1, '2026-11-24T08:00:00Z', 'someone', 'user.create', 'user', '{}', '', 'h1')"
                .into(),
            &["the audit log is append-only"],
        ),
        (
            "a visit's signature event",
            format!(
                "REPLACE INTO encounter_events (encounter_id, seq, kind, at, by, text) \
                 VALUES ({s}, 1, 'returned', '2026-11-24T09:00:20Z', 'physician', 'gone')"
            ),
            &["an event is only appended after the newest"],
        ),
        (
            "an answer's revision",
            format!(
                "REPLACE INTO encounter_answer_revisions (encounter_id, answer_key, rev, link_id, \
                 value_json, source, author, at) VALUES ({s}, 'vitals/weight', 1, 'weight', \
                 '[]', 'typed', 'nurse', '2026-11-24T09:00:05Z')"
            ),
            &["a revision is never replaced"],
        ),
        (
            "a draft's answer, which would skip its revision",
            format!(
                "REPLACE INTO encounter_answers (encounter_id, answer_key, link_id, value_json, \
                 source, author, at, rev) VALUES ({d}, 'vitals/weight', 'weight', '[]', \
                 'typed', 'nurse', '2026-11-24T09:00:05Z', 1)"
            ),
            &["an answer is never replaced by an insert"],
        ),
        (
            "a signed visit's answer",
            format!(
                "REPLACE INTO encounter_answers (encounter_id, answer_key, link_id, value_json, \
                 source, author, at, rev) VALUES ({s}, 'vitals/weight', 'weight', '[]', \
                 'typed', 'nurse', '2026-11-24T09:00:05Z', 3)"
            ),
            &["never change", TAKEN],
        ),
        (
            "a patient, by id",
            "REPLACE INTO patients (id, mrn, family, given, birth_date, sex, created_at, \
             created_by, updated_at, updated_by) VALUES (1, '000009-9', 'X', 'Y', '1990-01-01', \
             'male', 't', 'a', 't', 'a')"
                .into(),
            &["a patient is never replaced"],
        ),
        (
            "a patient, by another row's MRN",
            "REPLACE INTO patients (id, mrn, family, given, birth_date, sex, created_at, \
             created_by, updated_at, updated_by) VALUES (99, '000001-8', 'X', 'Y', '1990-01-01', \
             'male', 't', 'a', 't', 'a')"
                .into(),
            &["a patient is never replaced"],
        ),
        (
            "a patient revision, by id",
            "REPLACE INTO patient_revisions (id, patient_id, version, at, by, changes) \
             VALUES (1, 2, 5, 't', 'a', '{}')"
                .into(),
            &["a revision is never replaced"],
        ),
        (
            "a patient revision, by patient and version",
            "REPLACE INTO patient_revisions (id, patient_id, version, at, by, changes) \
             VALUES (50, 1, 2, 't', 'a', '{}')"
                .into(),
            &["a revision is never replaced"],
        ),
        (
            "a template, by id",
            "REPLACE INTO templates (id, slug, version, title, original, sha256, report, \
             imported_at, imported_by) VALUES (1, 'h', '1', 'T', x'7B7D', '', '{}', 't', 'a')"
                .into(),
            &["a template is never replaced"],
        ),
        (
            "a template, by another row's slug and version",
            "REPLACE INTO templates (id, slug, version, title, original, sha256, report, \
             imported_at, imported_by) VALUES (9, 'f', '1', 'T', x'7B7D', '', '{}', 't', 'a')"
                .into(),
            &["a template is never replaced"],
        ),
        (
            "a user, by id",
            "REPLACE INTO users (id, username, display_name, role, password_hash, created_at, \
             created_by, updated_at, updated_by) VALUES (1, 'mallory', 'M', 'admin', 'x', 't', \
             'a', 't', 'a')"
                .into(),
            &["a user account is never replaced"],
        ),
        (
            "a user, by another account's name",
            "REPLACE INTO users (id, username, display_name, role, password_hash, created_at, \
             created_by, updated_at, updated_by) VALUES (9, 'chief', 'M', 'admin', 'x', 't', \
             'a', 't', 'a')"
                .into(),
            &["a user account is never replaced"],
        ),
    ];
    for (what, sql, says) in &cases {
        // The case's name rides along as a comment, so a failure names it.
        refused(&c, &format!("-- REPLACE over {what}\n{sql}"), says);
    }
    // A plain INSERT over a taken key says the key is taken too (the store reads it as a
    // duplicate), and the store still reads the signed visit as signed.
    refused(
        &c,
        "INSERT INTO patients (id, mrn, family, given, birth_date, sex, created_at, \
         created_by, updated_at, updated_by) VALUES (3, '000002-6', 'X', 'Y', '1990-01-01', \
         'male', 't', 'a', 't', 'a')",
        &[TAKEN],
    );
    // Nor is an account deleted to make its name free for someone else.
    refused(
        &c,
        "DELETE FROM users WHERE username = 'chief'",
        &["disabled, never deleted"],
    );
    let e = c.store.read(|db| db.encounter(c.signed)).expect("visit 1");
    assert_eq!(
        e.map(|e| e.status.as_str()),
        Some("signed"),
        "expected the signed visit still signed"
    );
}

#[test]
fn update_or_replace_onto_another_rows_key_is_refused() {
    let c = clinic();
    let (s, d) = (c.signed.0, c.draft.0);
    for (sql, says) in [
        (
            format!("UPDATE OR REPLACE encounters SET id = {s} WHERE id = {d}"),
            "an encounter's id never changes",
        ),
        (
            "UPDATE OR REPLACE patients SET mrn = '000001-8' WHERE id = 2".into(),
            "a patient's id and MRN never change",
        ),
        (
            "UPDATE OR REPLACE patients SET id = 1 WHERE id = 2".into(),
            "a patient's id and MRN never change",
        ),
        (
            "UPDATE OR REPLACE templates SET id = 1 WHERE id = 2".into(),
            "a template's id never changes",
        ),
        (
            "INSERT INTO users (id, username, display_name, role, password_hash, created_at, \
             created_by, updated_at, updated_by) VALUES (2, 'mallory', 'M', 'nurse', 'x', 't', \
             'a', 't', 'a'); UPDATE OR REPLACE users SET username = 'chief' WHERE id = 2"
                .into(),
            "a user name is never taken from another account",
        ),
        (
            format!(
                "UPDATE OR REPLACE encounter_answers SET answer_key = 'visit/reason' \
                 WHERE encounter_id = {d}"
            ),
            "its key never changes",
        ),
    ] {
        // The batch runs in one transaction so that a first statement's row goes too.
        refused(&c, &format!("BEGIN; {sql}; COMMIT;"), &[says]);
    }
}

#[test]
fn every_column_of_a_signed_visit_refuses_an_update() {
    let c = clinic();
    let s = c.signed.0;
    let mut columns = c
        .conn
        .prepare("SELECT name, type FROM pragma_table_info('encounters')")
        .expect("the columns");
    let columns: Vec<(String, String)> = columns
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .expect("the columns")
        .collect::<Result<_, _>>()
        .expect("each column");
    assert!(columns.len() >= 16, "expected every column: {columns:?}");
    for (column, kind) in &columns {
        let value = match (column.as_str(), kind.as_str()) {
            ("status", _) => "'draft'".to_string(),
            (_, "INTEGER") => format!("{column} + 1"),
            _ => format!("coalesce({column}, '') || ' forged'"),
        };
        refused(
            &c,
            &format!("UPDATE encounters SET {column} = {value} WHERE id = {s}"),
            &[
                "changes only by the review",
                "id never changes",
                "changes only by an amendment",
            ],
        );
    }
    // The signature, the submission and the time together, as a forger would.
    refused(
        &c,
        &format!(
            "UPDATE encounters SET signed_by = 'someone', signed_at = '2026-11-25T00:00:00Z', \
             submitted_by = 'someone', updated_at = '2026-11-25T00:00:00Z' WHERE id = {s}"
        ),
        &["changes only by the review"],
    );
}

#[test]
fn an_answer_update_without_a_revision_is_refused() {
    let c = clinic();
    let d = c.draft.0;
    let cases = [
        "value_json = '[{\"valueDecimal\":60}]'",
        "author = 'someone'",
        "at = '2026-11-25T00:00:00Z'",
        "source = 'calculated'",
        "link_id = 'height'",
        "confirmed_by = 'someone', confirmed_at = '2026-11-25T00:00:00Z'",
        "needs_confirmation = 1",
        "value_json = '[]', rev = rev + 2",
        "value_json = '[]', rev = rev - 1",
        "answer_key = 'vitals/height'",
    ];
    for set in cases {
        refused(
            &c,
            &format!(
                "UPDATE encounter_answers SET {set} WHERE encounter_id = {d} \
                 AND answer_key = 'vitals/weight'"
            ),
            &["changes only with rev + 1"],
        );
    }
    // With rev + 1 the change goes through, and the old value is kept as revision 1.
    c.conn
        .execute(
            &format!(
                "UPDATE encounter_answers SET value_json = '[{{\"valueDecimal\":60}}]', \
                 rev = rev + 1 WHERE encounter_id = {d}"
            ),
            [],
        )
        .expect("an update with rev + 1");
    let history = c
        .store
        .read(|db| db.answer_revisions(c.draft))
        .expect("the history");
    assert_eq!(
        history
            .iter()
            .map(|r| (r.key.to_string(), r.rev, r.values.clone()))
            .collect::<Vec<_>>(),
        [(
            "vitals/weight".to_string(),
            1,
            decode_values(r#"[{"valueDecimal":70}]"#).expect("values")
        )],
        "expected the replaced value kept in the history"
    );
    // In an open amendment, SQL may change an answer only with a revision, too.
    c.store
        .write(|db| db.start_amendment(c.signed, "Typo", t(40), "physician"))
        .expect("opening an amendment");
    refused(
        &c,
        &format!(
            "UPDATE encounter_answers SET value_json = '[]' WHERE encounter_id = {} \
             AND answer_key = 'visit/reason'",
            c.signed.0
        ),
        &["changes only with rev + 1"],
    );
}

#[test]
fn the_amendment_flag_set_by_sql_is_refused() {
    let c = clinic();
    let s = c.signed.0;
    let open = format!(
        "UPDATE encounters SET amending_by = 'physician', \
         amending_since = '2026-11-24T09:00:40Z', amending_reason = 'Typo' WHERE id = {s}"
    );
    refused(&c, &open, &["changes only by the review"]);
    refused(
        &c,
        &format!("UPDATE encounters SET amending_by = 'physician' WHERE id = {s}"),
        &["changes only by the review"],
    );
    let answers = c.store.read(|db| db.answers(c.signed)).expect("answers");
    assert!(
        put(
            &c.store,
            c.signed,
            "visit/reason",
            r#"[{"valueString":"x"}]"#
        )
        .is_err(),
        "expected the answers of the signed visit still closed"
    );
    assert_eq!(
        c.store.read(|db| db.answers(c.signed)).expect("answers"),
        answers,
        "expected the signed answers unchanged"
    );
    // An event by someone else, or at another time, does not open it either.
    refused(
        &c,
        &format!(
            "BEGIN; INSERT INTO encounter_events (encounter_id, seq, kind, at, by, text) \
             VALUES ({s}, 2, 'amendment_started', '2026-11-24T09:00:40Z', 'nurse', 'Typo'); \
             {open}; COMMIT;"
        ),
        &["changes only by the review"],
    );

    // Opened by the store (event first), it cannot be closed by SQL without an event.
    c.store
        .write(|db| db.start_amendment(c.signed, "Typo", t(40), "physician"))
        .expect("opening an amendment");
    for sql in [
        format!(
            "UPDATE encounters SET amending_by = NULL, amending_since = NULL, \
             amending_reason = NULL WHERE id = {s}"
        ),
        format!("UPDATE encounters SET amending_by = 'nurse' WHERE id = {s}"),
        format!("UPDATE encounters SET amending_reason = 'Other' WHERE id = {s}"),
    ] {
        refused(&c, &sql, &["changes only by the review"]);
    }
    // The store's own paths still close it, each after its event.
    c.store
        .write(|db| db.discard_amendment(c.signed, t(50), "physician"))
        .expect("discarding");
    let e = c
        .store
        .read(|db| db.encounter(c.signed))
        .expect("visit 1")
        .expect("visit 1 exists");
    assert_eq!(e.amending, None, "expected the amendment closed");
    let kinds: Vec<String> = c
        .store
        .read(|db| db.encounter_events(c.signed))
        .expect("events")
        .into_iter()
        .map(|e| e.kind.as_str().to_string())
        .collect();
    assert_eq!(
        kinds,
        ["signed", "amendment_started", "amendment_discarded"],
        "expected each move of the review as its event"
    );
}

/// A merge of two charts is kept as written: a SQL shell cannot replace, delete or edit
/// it (but for the one undo), nor chain merges or merge a chart twice.
#[test]
fn a_chart_merge_refuses_every_change_but_its_undo() {
    let c = clinic();
    let add = |id: i64, mrn: &str| {
        c.conn
            .execute_batch(&format!(
                "INSERT INTO patients (id, mrn, family, given, birth_date, sex, created_at, \
                 created_by, updated_at, updated_by) VALUES ({id}, '{mrn}', 'Third', 'Person', \
                 '1970-01-01', 'male', '2026-11-24T08:00:00Z', 'admin', '2026-11-24T08:00:00Z', \
                 'admin')"
            ))
            .expect("a third patient");
    };
    add(3, "000003-4");
    c.conn
        .execute_batch(
            "INSERT INTO patient_merges (id, merged_id, survivor_id, reason, merged_by, merged_at) \
             VALUES (1, 2, 1, 'same person', 'admin', '2026-11-24T09:00:00Z')",
        )
        .expect("a merge");
    let cases: [(&str, &[&str]); 7] = [
        (
            "INSERT OR REPLACE INTO patient_merges (id, merged_id, survivor_id, reason, merged_by, \
             merged_at) VALUES (1, 3, 1, 'other', 'admin', '2026-11-24T09:00:00Z')",
            &[TAKEN],
        ),
        ("DELETE FROM patient_merges WHERE id = 1", &["never deleted"]),
        (
            "UPDATE patient_merges SET reason = 'rewritten' WHERE id = 1",
            &["changes only once"],
        ),
        (
            "UPDATE patient_merges SET survivor_id = 3 WHERE id = 1",
            &["changes only once"],
        ),
        (
            "INSERT INTO patient_merges (merged_id, survivor_id, reason, merged_by, merged_at) \
             VALUES (2, 3, 'again', 'admin', '2026-11-24T09:00:00Z')",
            &["a chart is merged once"],
        ),
        (
            "INSERT INTO patient_merges (merged_id, survivor_id, reason, merged_by, merged_at) \
             VALUES (3, 2, 'chain', 'admin', '2026-11-24T09:00:00Z')",
            &["a chart is merged once"],
        ),
        (
            "INSERT INTO patient_merges (merged_id, survivor_id, reason, merged_by, merged_at) \
             VALUES (3, 3, 'itself', 'admin', '2026-11-24T09:00:00Z')",
            &["CHECK constraint failed"],
        ),
    ];
    for (sql, says) in cases {
        refused(&c, sql, says);
    }
    c.conn
        .execute_batch(
            "UPDATE patient_merges SET undone_at = '2026-11-24T10:00:00Z', undone_by = 'admin' \
             WHERE id = 1",
        )
        .expect("the one undo is accepted");
    refused(
        &c,
        "UPDATE patient_merges SET undone_at = NULL, undone_by = NULL WHERE id = 1",
        &["changes only once"],
    );
}
