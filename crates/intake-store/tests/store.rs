//! The SQLite store against real files: opening, refusing, migrating, and the audit
//! chain edited with the sqlite3 shell. What every backend must do is the contract
//! (`tests/contract.rs`).

use std::fs;
use std::path::Path;
use std::process::Command;

use chrono::{DateTime, TimeZone, Utc};
use intake_core::audit::{BreakReason, ChainVerdict};
use intake_store::migrations::{self, latest_version};
use intake_store::prelude::*;
use intake_store::{NewAuditEntry, Store, StoreError};
use rusqlite::Connection;

fn t(sec: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 23, 10, sec / 60, sec % 60)
        .unwrap()
}

fn append(store: &Store, n: u32) {
    store
        .write(|db| {
            for i in 0..n {
                db.append_audit(&NewAuditEntry {
                    at: t(i),
                    actor: "admin",
                    action: "user.created",
                    patient_id: None,
                    entity: "user",
                    entity_id: Some(i.to_string()),
                    detail: serde_json::json!({ "n": i }),
                })?;
            }
            Ok::<_, StoreError>(())
        })
        .expect("appending audit entries");
}

#[test]
fn a_new_file_is_created_migrated_and_configured() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("intake.db");
    let store = Store::open(&path).expect("a new database opens");
    drop(store);
    let conn = Connection::open(&path).unwrap();
    let version: i64 = conn
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .unwrap();
    assert_eq!(
        version,
        latest_version(),
        "the schema is at the latest version"
    );
    let mode: String = conn
        .query_row("PRAGMA journal_mode", [], |r| r.get(0))
        .unwrap();
    assert_eq!(mode, "wal", "the file is in WAL mode");
    for table in [
        "users",
        "sessions",
        "audit_log",
        "settings",
        "sign_in_failures",
    ] {
        let found: bool = conn
            .query_row(
                "SELECT EXISTS (SELECT 1 FROM sqlite_schema WHERE name = ?1)",
                [table],
                |r| r.get(0),
            )
            .unwrap();
        assert!(found, "table {table} exists");
    }
}

#[test]
fn every_earlier_version_upgrades_to_the_latest() {
    for from in 0..latest_version() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("old.db");
        {
            let mut conn = Connection::open(&path).unwrap();
            migrations::migrate_to(&mut conn, &path, from).expect("building the old version");
        }
        let store = Store::open(&path).unwrap_or_else(|e| panic!("upgrade from {from}: {e}"));
        let version: i64 = store
            .read(|_| Ok::<_, StoreError>(()))
            .map(|_| {
                let conn = Connection::open(&path).unwrap();
                conn.query_row("PRAGMA user_version", [], |r| r.get(0))
                    .unwrap()
            })
            .unwrap();
        assert_eq!(version, latest_version(), "upgraded from version {from}");
    }
}

#[test]
fn a_newer_database_is_refused_with_its_name_and_versions() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("intake.db");
    drop(Store::open(&path).unwrap());
    Connection::open(&path)
        .unwrap()
        .pragma_update(None, "user_version", 99)
        .unwrap();
    let before = fs::read(&path).unwrap();
    let err = Store::open(&path).err().expect("a newer schema is refused");
    assert_eq!(
        fs::read(&path).unwrap(),
        before,
        "the newer file is untouched"
    );
    assert!(
        matches!(err, StoreError::NewerSchema { found: 99, .. }),
        "{err:?}"
    );
    let msg = err.to_string();
    assert!(
        msg.contains("intake.db") && msg.contains("99"),
        "message: {msg}"
    );
}

fn refused(path: &Path) -> String {
    let err = Store::open(path).err().expect("the file must be refused");
    let msg = err.to_string();
    assert!(
        msg.contains(&path.display().to_string()),
        "the message names the file: {msg}"
    );
    msg
}

#[test]
fn a_text_file_is_refused_and_left_as_it_was() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("notes.db");
    fs::write(&path, "patient list, do not delete\n").unwrap();
    let msg = refused(&path);
    assert!(msg.contains("not an Intake Desk database"), "{msg}");
    assert_eq!(
        fs::read_to_string(&path).unwrap(),
        "patient list, do not delete\n",
        "the file is untouched"
    );
}

#[test]
fn random_bytes_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("random.db");
    let bytes: Vec<u8> = (0..8192u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
        .collect();
    fs::write(&path, &bytes).unwrap();
    refused(&path);
    assert_eq!(fs::read(&path).unwrap(), bytes, "the file is untouched");
}

#[test]
fn a_truncated_database_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("intake.db");
    {
        let store = Store::open(&path).unwrap();
        append(&store, 200);
    }
    // Closing the last connection checkpoints the WAL into the main file.
    let full = fs::metadata(&path).unwrap().len();
    assert!(
        full > 8192,
        "the test database spans several pages ({full} bytes)"
    );
    let bytes = fs::read(&path).unwrap();
    fs::write(&path, &bytes[..(full / 2) as usize]).unwrap();
    let msg = refused(&path);
    assert!(msg.contains("shorter than its own header"), "{msg}");
}

#[test]
fn another_applications_database_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("other.db");
    Connection::open(&path)
        .unwrap()
        .execute_batch("CREATE TABLE photos (id INTEGER PRIMARY KEY); PRAGMA user_version = 70;")
        .unwrap();
    let before = fs::read(&path).unwrap();
    let msg = refused(&path);
    assert!(msg.contains("another application"), "not 'newer': {msg}");
    assert_eq!(
        fs::read(&path).unwrap(),
        before,
        "not a byte of it changed (no WAL switch)"
    );
}

#[test]
fn a_folder_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let msg = refused(dir.path());
    assert!(msg.contains("folder"), "{msg}");
}

#[test]
fn the_audit_log_refuses_update_and_delete() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("intake.db");
    append(&Store::open(&path).unwrap(), 3);
    let conn = Connection::open(&path).unwrap();
    let update = conn.execute("UPDATE audit_log SET actor = 'x' WHERE seq = 2", []);
    assert!(
        update.unwrap_err().to_string().contains("append-only"),
        "UPDATE is refused by a trigger"
    );
    let delete = conn.execute("DELETE FROM audit_log WHERE seq = 3", []);
    assert!(
        delete.unwrap_err().to_string().contains("append-only"),
        "DELETE is refused"
    );
}

/// The issue's scenario: someone with the sqlite3 shell drops the triggers and edits a
/// row. Verification must name that row.
#[test]
fn a_row_edited_with_the_sqlite3_shell_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("intake.db");
    append(&Store::open(&path).unwrap(), 10);
    let status = Command::new("sqlite3")
        .arg(&path)
        .arg(
            "DROP TRIGGER audit_log_no_update; \
             UPDATE audit_log SET actor = 'nobody' WHERE seq = 7;",
        )
        .status()
        .expect("the sqlite3 shell is installed (make test installs it)");
    assert!(status.success(), "sqlite3 edited the file");
    let store = Store::open(&path).unwrap();
    let verdict = store.read(|db| db.verify_audit()).unwrap();
    assert_eq!(
        verdict,
        ChainVerdict::Broken {
            seq: 7,
            reason: BreakReason::ContentChanged
        }
    );
}

#[test]
fn a_deleted_row_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("intake.db");
    append(&Store::open(&path).unwrap(), 10);
    let conn = Connection::open(&path).unwrap();
    conn.execute_batch("DROP TRIGGER audit_log_no_delete; DELETE FROM audit_log WHERE seq = 4;")
        .unwrap();
    drop(conn);
    let verdict = Store::open(&path)
        .unwrap()
        .read(|db| db.verify_audit())
        .unwrap();
    assert_eq!(
        verdict,
        ChainVerdict::Broken {
            seq: 5,
            reason: BreakReason::Gap { expected: 4 }
        }
    );
}

/// A database written by the first release (users and audit only) keeps its data and its
/// intact audit chain when this binary adds the patient tables.
#[test]
fn a_version_1_database_with_data_upgrades_and_keeps_it() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("v1.db");
    {
        let mut conn = Connection::open(&path).unwrap();
        migrations::migrate_to(&mut conn, &path, 1).unwrap();
        conn.execute(
            "INSERT INTO users (username, display_name, role, password_hash, created_at, \
             created_by, updated_at, updated_by) VALUES ('anna', 'Anna', 'nurse', 'h', \
             '2026-01-01T00:00:00.000Z', 'x', '2026-01-01T00:00:00.000Z', 'x')",
            [],
        )
        .unwrap();
    }
    let store = Store::open(&path).expect("the upgrade");
    append(&store, 3);
    let user = store.read(|db| db.user_by_username("anna")).unwrap();
    assert_eq!(
        user.map(|u| u.display_name),
        Some("Anna".to_string()),
        "users survive"
    );
    assert_eq!(
        store.read(|db| db.count_patients()).unwrap(),
        0,
        "patient tables exist"
    );
    assert_eq!(
        store.read(|db| db.verify_audit()).unwrap(),
        ChainVerdict::Intact { entries: 3 }
    );
}

#[test]
fn a_templates_original_bytes_never_change() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("intake.db");
    let store = Store::open(&path).unwrap();
    let original = br#"{ "resourceType": "Questionnaire" }"#;
    store
        .write(|db| {
            db.insert_template(
                &intake_store::NewTemplate {
                    slug: "form",
                    version: "1",
                    title: "Form",
                    original,
                    sha256: "x",
                    report: "{}",
                },
                t(0),
                "test",
            )
        })
        .unwrap();
    drop(store);
    let conn = Connection::open(&path).unwrap();
    let edit = conn.execute(
        "UPDATE templates SET original = x'00' WHERE slug = 'form'",
        [],
    );
    assert!(edit.unwrap_err().to_string().contains("never change"));
    let delete = conn.execute("DELETE FROM templates", []);
    assert!(delete.unwrap_err().to_string().contains("never deleted"));
    let kept: Vec<u8> = conn
        .query_row("SELECT original FROM templates", [], |r| r.get(0))
        .unwrap();
    assert_eq!(kept, original.to_vec(), "stored byte for byte");
}
