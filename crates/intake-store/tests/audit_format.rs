//! Migration 0009 on the version-6 upgrade fixture: the entries written before it keep
//! their hash format and still verify, new entries are written in the current format,
//! and under that format a `NULL` turned into `''` behind the store's back is caught.

use std::path::{Path, PathBuf};

use chrono::Utc;
use intake_core::audit::{BreakReason, ChainVerdict, HashFormat};
use intake_store::prelude::*;
use intake_store::{NewAuditEntry, Store};
use rusqlite::Connection;

fn fixture_copy() -> (tempfile::TempDir, PathBuf) {
    let fixture =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../intake-api/tests/fixtures/upgrade-v6.db");
    let dir = tempfile::tempdir().expect("a temporary folder");
    let path = dir.path().join("intake.db");
    std::fs::copy(&fixture, &path).unwrap_or_else(|e| panic!("copying {}: {e}", fixture.display()));
    (dir, path)
}

fn entry(entity_id: Option<String>) -> NewAuditEntry<'static> {
    NewAuditEntry {
        at: Utc::now(),
        actor: "cli:test",
        action: "settings.updated",
        patient_id: None,
        entity: "settings",
        entity_id,
        detail: serde_json::json!({}),
    }
}

fn formats(path: &Path) -> Vec<(i64, i64)> {
    let conn = Connection::open(path).expect("the file opens");
    let mut stmt = conn
        .prepare("SELECT seq, hash_format FROM audit_log ORDER BY seq")
        .expect("a query");
    let rows = stmt
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .expect("rows")
        .collect::<Result<Vec<_>, _>>()
        .expect("numbers");
    rows
}

/// Changes `entity_id` of entry `seq` from NULL to '' around the trigger, without
/// touching its hash: what a person with a SQL shell could do.
fn null_to_empty(path: &Path, seq: i64) {
    let conn = Connection::open(path).expect("the file opens");
    conn.execute_batch("DROP TRIGGER audit_log_no_update")
        .expect("the guard is dropped");
    let changed = conn
        .execute(
            "UPDATE audit_log SET entity_id = '' WHERE seq = ?1 AND entity_id IS NULL",
            [seq],
        )
        .expect("the update runs");
    assert_eq!(changed, 1, "entry {seq} had no entity id");
}

#[test]
fn old_entries_keep_their_format_and_new_ones_tell_null_from_empty() {
    let (_dir, path) = fixture_copy();
    let store = Store::open(&path).expect("the fixture migrates and opens");
    let old = formats(&path);
    assert!(old.len() > 10, "the fixture has an audit log: {old:?}");
    assert!(
        old.iter().all(|(_, f)| *f == HashFormat::V1.number()),
        "entries written before 0009 are marked as format 1: {old:?}"
    );
    assert_eq!(
        store.read(|db| db.verify_audit()).expect("a verdict"),
        ChainVerdict::Intact {
            entries: old.len() as u64
        },
        "the old entries still verify"
    );

    let seq = store
        .write(|db| db.append_audit(&entry(None)))
        .expect("an entry is appended");
    store
        .write(|db| db.append_audit(&entry(Some("x".into()))))
        .expect("another entry is appended");
    assert_eq!(
        formats(&path).last().map(|(_, f)| *f),
        Some(HashFormat::CURRENT.number()),
        "new entries are written in the current format"
    );
    assert!(matches!(
        store.read(|db| db.verify_audit()).expect("a verdict"),
        ChainVerdict::Intact { .. }
    ));
    drop(store);

    null_to_empty(&path, seq);
    let store = Store::open(&path).expect("the file opens");
    assert_eq!(
        store.read(|db| db.verify_audit()).expect("a verdict"),
        ChainVerdict::Broken {
            seq,
            reason: BreakReason::ContentChanged
        },
        "a NULL made '' is a changed entry"
    );
}

#[test]
fn an_entry_marked_with_an_older_format_is_named() {
    let (_dir, path) = fixture_copy();
    let store = Store::open(&path).expect("the fixture migrates and opens");
    let seq = store
        .write(|db| db.append_audit(&entry(Some("1".into()))))
        .expect("an entry is appended");
    drop(store);
    let conn = Connection::open(&path).expect("the file opens");
    conn.execute_batch("DROP TRIGGER audit_log_no_update")
        .expect("the guard is dropped");
    conn.execute("UPDATE audit_log SET hash_format = 1 WHERE seq = ?1", [seq])
        .expect("the update runs");
    let err = conn.execute("UPDATE audit_log SET hash_format = 7 WHERE seq = ?1", [seq]);
    assert!(err.is_err(), "an unknown format is refused by the table");
    drop(conn);
    let store = Store::open(&path).expect("the file opens");
    assert!(
        matches!(
            store.read(|db| db.verify_audit()).expect("a verdict"),
            ChainVerdict::Broken { seq: s, .. } if s == seq
        ),
        "an entry re-marked as format 1 no longer gives its hash"
    );
}
