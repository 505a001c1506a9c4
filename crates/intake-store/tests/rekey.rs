//! Migration 0007 on the version-6 upgrade fixture (`intake-api/tests/fixtures`): every
//! stored answer key becomes a path, in answers, their history and the carry-forward
//! notes; the signed records and their hashes stay as they were, in form 1; and the
//! triggers that guard the answers are exactly as they were before.

use std::path::Path;

use intake_store::migrations;
use rusqlite::Connection;

fn fixture_copy() -> (tempfile::TempDir, std::path::PathBuf) {
    let fixture =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../intake-api/tests/fixtures/upgrade-v6.db");
    let dir = tempfile::tempdir().expect("a temporary folder");
    let path = dir.path().join("intake.db");
    std::fs::copy(&fixture, &path).unwrap_or_else(|e| panic!("copying {}: {e}", fixture.display()));
    (dir, path)
}

fn strings(conn: &Connection, sql: &str) -> Vec<String> {
    conn.prepare(sql)
        .expect("a query")
        .query_map([], |r| r.get::<_, String>(0))
        .expect("rows")
        .collect::<Result<_, _>>()
        .expect("text")
}

fn triggers(conn: &Connection) -> Vec<String> {
    strings(
        conn,
        "SELECT name || ' ON ' || tbl_name || ': ' || sql FROM sqlite_master \
         WHERE type = 'trigger' ORDER BY name",
    )
}

#[test]
fn keys_become_paths_and_signed_records_and_triggers_stay() {
    let (_dir, path) = fixture_copy();
    let mut conn = Connection::open(&path).expect("the copy opens");
    let before_triggers = triggers(&conn);
    let before_records = strings(
        &conn,
        "SELECT record_json || record_sha256 FROM encounter_events \
         WHERE record_json IS NOT NULL ORDER BY encounter_id, seq",
    );
    assert!(
        before_triggers.len() > 10,
        "the fixture has its guarding triggers: {before_triggers:?}"
    );
    migrations::migrate_to(&mut conn, &path, 7).expect("migration 0007 runs");

    assert_eq!(
        triggers(&conn),
        before_triggers,
        "every trigger is recreated exactly as it was (name, table, SQL)"
    );
    let keys = strings(
        &conn,
        "SELECT encounter_id || ' ' || answer_key FROM encounter_answers ORDER BY 1",
    );
    for expected in [
        "1 visit/reason",
        "1 vitals/weight",
        "2 medications/medication[1]",
        "2 medications/medication[1]/med-name",
    ] {
        assert!(
            keys.iter().any(|k| k == expected),
            "{expected} among {keys:?}"
        );
    }
    assert!(
        keys.iter().all(|k| !k.contains(':')),
        "no key keeps the old \"<rows>:<linkId>\" text: {keys:?}"
    );
    let history = strings(&conn, "SELECT answer_key FROM encounter_answer_revisions");
    assert!(
        !history.is_empty() && history.iter().all(|k| !k.contains(':') && k.contains('/')),
        "the answer history is rekeyed too: {history:?}"
    );
    let notes = strings(&conn, "SELECT carry_notes FROM encounters WHERE id = 2");
    assert!(
        notes[0].contains("\"visit/reason\"") && notes[0].contains("\"vitals/weight\""),
        "the carry-forward hints are under path keys: {notes:?}"
    );
    assert_eq!(
        strings(
            &conn,
            "SELECT record_json || record_sha256 FROM encounter_events \
             WHERE record_json IS NOT NULL ORDER BY encounter_id, seq",
        ),
        before_records,
        "signed records are kept byte for byte"
    );
    assert_eq!(
        strings(
            &conn,
            "SELECT DISTINCT CAST(record_form AS TEXT) FROM encounter_events \
             WHERE record_json IS NOT NULL",
        ),
        ["1"],
        "every signature made before says it is in form 1"
    );
    let refused = conn.execute(
        "UPDATE encounter_answers SET value_json = '[]' WHERE encounter_id = 1",
        [],
    );
    assert!(
        refused.is_err(),
        "the signed visit's answers are still guarded after the migration"
    );
}
