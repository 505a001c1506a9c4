//! The contract's hooks for SQLite ([`Tamper`]): raw SQL on the connection, as the
//! `sqlite3` shell would run it. Planting damage switches the CHECK constraints and the
//! named triggers off for that one statement and puts them back in the same transaction;
//! a direct edit of the audit log runs with every protection on.

use rusqlite::{params, Connection, Params};

use crate::contract::{AuditEdit, Damage, Tamper};
use crate::{SqliteStore, Store, StoreError};

/// The trigger (migration 0008) that refuses an answer change without a revision.
const KEEP_REVISIONS: &str = "encounter_answers_changes_leave_a_revision";

impl Tamper for SqliteStore {
    fn plant(&self, damage: &Damage) -> Result<(), StoreError> {
        let conn = self.lock();
        match damage {
            Damage::AnswerValues {
                encounter,
                key,
                text,
            } => around(
                &conn,
                &[KEEP_REVISIONS],
                "UPDATE encounter_answers SET value_json = ?3 WHERE encounter_id = ?1 \
                 AND answer_key = ?2",
                params![encounter.0, key, text],
            ),
            Damage::AnswerKey {
                encounter,
                key,
                text,
            } => around(
                &conn,
                &[KEEP_REVISIONS],
                "UPDATE encounter_answers SET answer_key = ?3 WHERE encounter_id = ?1 \
                 AND answer_key = ?2",
                params![encounter.0, key, text],
            ),
            Damage::EncounterStatus { encounter, word } => around(
                &conn,
                &["encounters_status_moves"],
                "UPDATE encounters SET status = ?2 WHERE id = ?1",
                params![encounter.0, word],
            ),
            Damage::TemplateStatus { template, word } => around(
                &conn,
                &[],
                "UPDATE templates SET status = ?2 WHERE id = ?1",
                params![template.0, word],
            ),
            Damage::UserRole { user, word } => around(
                &conn,
                &[],
                "UPDATE users SET role = ?2 WHERE id = ?1",
                params![user.0, word],
            ),
            Damage::PatientSex { patient, word } => around(
                &conn,
                &[],
                "UPDATE patients SET sex = ?2 WHERE id = ?1",
                params![patient.0, word],
            ),
            Damage::SessionLastSeen { session, text } => around(
                &conn,
                &[],
                "UPDATE sessions SET last_seen_at = ?2 WHERE id = ?1",
                params![session.0, text],
            ),
            Damage::AuditActor { seq, actor } => around(
                &conn,
                &["audit_log_no_update"],
                "UPDATE audit_log SET actor = ?2 WHERE seq = ?1",
                params![seq, actor],
            ),
            Damage::AuditRemoved { seq } => around(
                &conn,
                &["audit_log_no_delete"],
                "DELETE FROM audit_log WHERE seq = ?1",
                params![seq],
            ),
        }
    }

    fn edit_audit_directly(&self, seq: i64, edit: AuditEdit) -> Result<(), StoreError> {
        let conn = self.lock();
        let sql = match edit {
            AuditEdit::Update => "UPDATE audit_log SET actor = 'someone else' WHERE seq = ?1",
            AuditEdit::Delete => "DELETE FROM audit_log WHERE seq = ?1",
        };
        conn.execute(sql, [seq])?;
        Ok(())
    }
}

/// Runs `sql` (which must change one row) with CHECK constraints and `triggers` off,
/// and puts them back, all in one transaction.
fn around(
    conn: &Connection,
    triggers: &[&str],
    sql: &str,
    params: impl Params,
) -> Result<(), StoreError> {
    let tx = conn.unchecked_transaction()?;
    let mut kept = Vec::new();
    for name in triggers {
        let create: String = tx.query_row(
            "SELECT sql FROM sqlite_schema WHERE type = 'trigger' AND name = ?1",
            [name],
            |r| r.get(0),
        )?;
        tx.execute_batch(&format!("DROP TRIGGER {name}"))?;
        kept.push(create);
    }
    tx.pragma_update(None, "ignore_check_constraints", true)?;
    let changed = tx.execute(sql, params);
    tx.pragma_update(None, "ignore_check_constraints", false)?;
    if changed? != 1 {
        return Err(StoreError::damaged(
            "the contract",
            "planting damage",
            format!("no row to change: {sql}"),
        ));
    }
    for create in kept {
        tx.execute_batch(&create)?;
    }
    tx.commit()?;
    Ok(())
}

impl Tamper for Store {
    fn plant(&self, damage: &Damage) -> Result<(), StoreError> {
        match self {
            Store::Sqlite(s) => s.plant(damage),
            Store::Postgres(p) => p.plant(damage),
        }
    }

    fn edit_audit_directly(&self, seq: i64, edit: AuditEdit) -> Result<(), StoreError> {
        match self {
            Store::Sqlite(s) => s.edit_audit_directly(seq, edit),
            Store::Postgres(p) => p.edit_audit_directly(seq, edit),
        }
    }
}
