//! What the clinic server itself refuses (migration pg/0002 and intake_grant_app): the
//! app's role may not change the schema, switch the audit log's triggers off or rewrite
//! it; even the schema's owner is refused an edit of the log or the removal of an account
//! by the triggers; and several workstations appending at once keep one chain, numbered
//! without gaps. Runs beside the throwaway cluster of `scripts/with-postgres.sh`.

use chrono::{DateTime, Duration, TimeZone, Utc};
use intake_core::audit::ChainVerdict;
use intake_core::Role;
use intake_store::contract::{AuditEdit, Tamper};
use intake_store::pg::testing::{cluster, TestDatabase, APP, OWNER};
use intake_store::pg::PgStore;
use intake_store::prelude::*;
use intake_store::{AuditFilter, AuditRow, NewAuditEntry, NewUser, StoreError};
use postgres::error::SqlState;
use postgres::{Client, NoTls};

fn database() -> TestDatabase {
    let settings = cluster().expect(
        "INTAKE_TEST_PG is not set: run the server tests with scripts/with-postgres.sh \
         (make test does)",
    );
    TestDatabase::new(&settings)
}

fn t(sec: i64) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 24, 9, 0, 0)
        .single()
        .expect("a fixed date")
        + Duration::seconds(sec)
}

fn entry(actor: &str, n: i64) -> NewAuditEntry<'_> {
    NewAuditEntry {
        at: t(n),
        actor,
        action: "session.started",
        patient_id: None,
        entity: "session",
        entity_id: Some(n.to_string()),
        detail: serde_json::json!({ "n": n }),
    }
}

fn append(store: &PgStore, actor: &str, n: i64) -> i64 {
    store
        .write(|tx| tx.append_audit(&entry(actor, n)))
        .unwrap_or_else(|e| panic!("appending audit entry {n} of {actor}: {e}"))
}

fn all_audit(store: &PgStore) -> Vec<AuditRow> {
    store
        .read(|tx| {
            tx.list_audit(&AuditFilter {
                limit: 10_000,
                ..Default::default()
            })
        })
        .expect("listing the audit log")
}

fn verdict(store: &PgStore) -> ChainVerdict {
    store
        .read(|tx| tx.verify_audit())
        .expect("verifying the audit log")
}

fn add_user(store: &PgStore, name: &str) {
    store
        .write(|tx| {
            tx.insert_user(
                &NewUser {
                    username: name,
                    display_name: name,
                    role: Role::Nurse,
                    password_hash: "hash",
                    must_change_password: false,
                },
                t(0),
                "setup",
            )
        })
        .unwrap_or_else(|e| panic!("adding user {name}: {e}"));
}

fn connect(db: &TestDatabase, role: &str) -> Client {
    Client::connect(&db.config(role).url, NoTls)
        .unwrap_or_else(|e| panic!("connecting as {role}: {e}"))
}

/// Runs `sql` and expects the server to refuse it with `code`; returns its message.
fn refused(client: &mut Client, sql: &str, code: &SqlState) -> String {
    match client.batch_execute(sql) {
        Ok(()) => panic!("the server accepted {sql:?}"),
        Err(e) => {
            let message = e
                .as_db_error()
                .map(|db| db.message().to_string())
                .unwrap_or_else(|| panic!("{sql:?} failed without the server's answer: {e}"));
            assert_eq!(
                e.code(),
                Some(code),
                "{sql:?} is refused with {code:?}: {message}"
            );
            message
        }
    }
}

/// The audit log's triggers, each with whether it is enabled (`O`: origin and local).
fn audit_triggers(client: &mut Client) -> Vec<(String, String)> {
    client
        .query(
            "SELECT tgname::text, tgenabled::text FROM pg_trigger \
             WHERE tgrelid = 'audit_log'::regclass AND NOT tgisinternal ORDER BY tgname",
            &[],
        )
        .expect("the audit log's triggers")
        .iter()
        .map(|r| (r.get(0), r.get(1)))
        .collect()
}

#[test]
fn the_app_role_may_not_change_the_schema_or_the_audit_log() {
    let db = database();
    let store = db.store().expect("the app's store");
    for n in 1..=3 {
        append(&store, "nurse", n);
    }
    let before = all_audit(&store);
    let mut app = connect(&db, APP);
    let triggers = audit_triggers(&mut app);
    assert_eq!(
        triggers.len(),
        4,
        "no_update, no_delete, no_replace, no_truncate: {triggers:?}"
    );

    let denied = &SqlState::INSUFFICIENT_PRIVILEGE;
    for sql in [
        "CREATE TABLE intruder (x int)",
        "DROP TRIGGER audit_log_no_update ON audit_log",
        "ALTER TABLE audit_log DISABLE TRIGGER audit_log_no_update",
        "ALTER TABLE audit_log DISABLE TRIGGER ALL",
        "TRUNCATE audit_log",
        "UPDATE audit_log SET actor = 'someone else' WHERE seq = 2",
        "DELETE FROM audit_log WHERE seq = 2",
        "INSERT INTO audit_log (seq, at, actor, action, entity, detail, prev_hash, hash) \
         VALUES (2, 'x', 'x', 'x', 'x', '{}', 'x', 'x') \
         ON CONFLICT (seq) DO UPDATE SET actor = 'someone else'",
    ] {
        let message = refused(&mut app, sql, denied);
        assert!(!message.is_empty(), "{sql:?} is refused with a message");
    }

    assert_eq!(all_audit(&store), before, "the log is as it was");
    assert_eq!(verdict(&store), ChainVerdict::Intact { entries: 3 });
    assert_eq!(
        audit_triggers(&mut app),
        triggers,
        "every trigger is still there and on"
    );
    let intruder: Option<String> = app
        .query_one("SELECT to_regclass('intruder')::text", &[])
        .expect("looking for the table")
        .get(0);
    assert_eq!(intruder, None, "no table was created");

    // The contract's hook sends the same through the store's own connection: refused.
    for edit in [AuditEdit::Update, AuditEdit::Delete] {
        match store.edit_audit_directly(2, edit) {
            Err(StoreError::Refused { why }) => {
                assert!(
                    why.contains("audit_log"),
                    "the refusal names the table: {why}"
                )
            }
            other => panic!("{edit:?} through the app's connection: {other:?}"),
        }
    }
    assert_eq!(all_audit(&store), before, "the log is still as it was");
}

#[test]
fn even_the_owner_is_refused_by_the_triggers() {
    let db = database();
    let store = db.store().expect("the app's store");
    for n in 1..=3 {
        append(&store, "nurse", n);
    }
    add_user(&store, "anna");
    add_user(&store, "bea");
    let before = all_audit(&store);
    let mut owner = connect(&db, OWNER);
    let raised = &SqlState::RAISE_EXCEPTION;
    for (sql, code, message) in [
        (
            "UPDATE audit_log SET actor = 'someone else' WHERE seq = 2",
            raised,
            "the audit log is append-only",
        ),
        (
            "DELETE FROM audit_log WHERE seq = 2",
            raised,
            "the audit log is append-only",
        ),
        ("TRUNCATE audit_log", raised, "the audit log is append-only"),
        (
            "INSERT INTO audit_log (seq, at, actor, action, entity, detail, prev_hash, hash) \
             VALUES (2, 'x', 'x', 'x', 'x', '{}', 'x', 'x')",
            &SqlState::UNIQUE_VIOLATION,
            "the key is taken: the audit log is append-only, an entry is never replaced",
        ),
        (
            "DELETE FROM users WHERE username = 'bea'",
            raised,
            "user accounts are disabled, never deleted",
        ),
        (
            "TRUNCATE users CASCADE",
            raised,
            "user accounts are disabled, never deleted",
        ),
        (
            "INSERT INTO users (username, display_name, role, password_hash, created_at, \
             created_by, updated_at, updated_by) \
             VALUES ('anna', 'Impostor', 'admin', 'h', 'x', 'x', 'x', 'x')",
            &SqlState::UNIQUE_VIOLATION,
            "the key is taken: a user account is never replaced (id or user name)",
        ),
        (
            "UPDATE users SET username = 'anna' WHERE username = 'bea'",
            raised,
            "a user's id never changes, and a user name is never taken from another account",
        ),
        (
            "UPDATE users SET id = id + 100 WHERE username = 'bea'",
            raised,
            "a user's id never changes, and a user name is never taken from another account",
        ),
    ] {
        assert_eq!(refused(&mut owner, sql, code), message, "{sql:?}");
    }
    assert_eq!(all_audit(&store), before, "the log is as it was");
    assert_eq!(verdict(&store), ChainVerdict::Intact { entries: 3 });
    let users = store.read(|tx| tx.list_users()).expect("listing users");
    let names: Vec<_> = users.iter().map(|u| u.username.as_str()).collect();
    assert_eq!(names, ["anna", "bea"], "both accounts are as they were");
}

#[test]
fn four_workstations_appending_at_once_keep_one_chain() {
    const WRITERS: i64 = 4;
    const EACH: i64 = 50;
    let db = database();
    std::thread::scope(|scope| {
        for w in 0..WRITERS {
            let db = &db;
            scope.spawn(move || {
                let store = PgStore::connect(&db.config(APP))
                    .unwrap_or_else(|e| panic!("workstation {w} connects: {e}"));
                let actor = format!("workstation {w}");
                for n in 1..=EACH {
                    append(&store, &actor, n);
                }
            });
        }
    });
    let store = db.store().expect("the app's store");
    let mut seqs: Vec<i64> = all_audit(&store).iter().map(|r| r.content.seq).collect();
    seqs.sort_unstable();
    assert_eq!(
        seqs,
        (1..=WRITERS * EACH).collect::<Vec<_>>(),
        "numbered 1 to {} without gaps or repeats",
        WRITERS * EACH
    );
    for w in 0..WRITERS {
        let actor = format!("workstation {w}");
        let theirs = store
            .read(|tx| {
                tx.list_audit(&AuditFilter {
                    limit: 10_000,
                    actor: Some(actor.clone()),
                    ..Default::default()
                })
            })
            .expect("listing one workstation's entries");
        assert_eq!(theirs.len() as i64, EACH, "every entry of {actor} is kept");
    }
    assert_eq!(
        verdict(&store),
        ChainVerdict::Intact {
            entries: (WRITERS * EACH) as u64
        },
        "the chain verifies"
    );
}
