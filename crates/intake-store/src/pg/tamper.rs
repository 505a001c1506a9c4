//! The contract's hooks for PostgreSQL ([`Tamper`]): raw SQL as `psql` would run it.
//!
//! Planting damage connects as the superuser the store was given ([`PgStore::with_tamper`])
//! and, in one transaction, switches triggers off (`session_replication_role = replica`)
//! and makes the one change. Only when the change breaks a CHECK constraint of the table
//! (an unknown status word) are that table's CHECK constraints dropped for it and put
//! back right after, `NOT VALID` (they hold again for every later write, but the planted
//! value stays). A direct edit of the audit log goes through the app's own connection
//! with every protection on, and the server must refuse it.

use postgres::error::SqlState;
use postgres::types::ToSql;
use postgres::Transaction;

use super::{error, PgStore};
use crate::contract::{AuditEdit, Damage, Tamper};
use crate::StoreError;

impl Tamper for PgStore {
    fn plant(&self, damage: &Damage) -> Result<(), StoreError> {
        match damage {
            Damage::AnswerValues {
                encounter,
                key,
                text,
            } => self.around(
                "encounter_answers",
                "UPDATE encounter_answers SET value_json = $3 WHERE encounter_id = $1 \
                 AND answer_key = $2",
                &[&encounter.0, key, text],
            ),
            Damage::AnswerKey {
                encounter,
                key,
                text,
            } => self.around(
                "encounter_answers",
                "UPDATE encounter_answers SET answer_key = $3 WHERE encounter_id = $1 \
                 AND answer_key = $2",
                &[&encounter.0, key, text],
            ),
            Damage::EncounterStatus { encounter, word } => self.around(
                "encounters",
                "UPDATE encounters SET status = $2 WHERE id = $1",
                &[&encounter.0, word],
            ),
            Damage::TemplateStatus { template, word } => self.around(
                "templates",
                "UPDATE templates SET status = $2 WHERE id = $1",
                &[&template.0, word],
            ),
            Damage::UserRole { user, word } => self.around(
                "users",
                "UPDATE users SET role = $2 WHERE id = $1",
                &[&user.0, word],
            ),
            Damage::PatientSex { patient, word } => self.around(
                "patients",
                "UPDATE patients SET sex = $2 WHERE id = $1",
                &[&patient.0, word],
            ),
            Damage::SessionLastSeen { session, text } => self.around(
                "sessions",
                "UPDATE sessions SET last_seen_at = $2 WHERE id = $1",
                &[&session.0, text],
            ),
            Damage::AuditActor { seq, actor } => self.around(
                "audit_log",
                "UPDATE audit_log SET actor = $2 WHERE seq = $1",
                &[seq, actor],
            ),
            Damage::AuditRemoved { seq } => {
                self.around("audit_log", "DELETE FROM audit_log WHERE seq = $1", &[seq])
            }
        }
    }

    fn edit_audit_directly(&self, seq: i64, edit: AuditEdit) -> Result<(), StoreError> {
        let sql = match edit {
            AuditEdit::Update => "UPDATE audit_log SET actor = 'someone else' WHERE seq = $1",
            AuditEdit::Delete => "DELETE FROM audit_log WHERE seq = $1",
        };
        // The app's own connection, as the app's role, outside any transaction: what a
        // person with the app's credentials and `psql` could send.
        self.lock()
            .execute(sql, &[&seq])
            .map_err(|e| error::classify(e, &self.describe))?;
        Ok(())
    }
}

impl PgStore {
    /// Runs `sql` (which must change one row of `table`) as the superuser with triggers
    /// off, and, if a CHECK constraint refuses it, once more without the table's CHECK
    /// constraints, which are put back in the same transaction.
    fn around(
        &self,
        table: &str,
        sql: &str,
        params: &[&(dyn ToSql + Sync)],
    ) -> Result<(), StoreError> {
        let superuser = self.tamper.as_ref().ok_or_else(|| StoreError::Refused {
            why: "this store was given no superuser settings to plant damage with".into(),
        })?;
        let target = superuser.target()?;
        let describe = target.describe.clone();
        let mut client = super::connect::connect(&target)?;
        let err = |e: postgres::Error| error::classify(e, &describe);
        let mut tx = client.transaction().map_err(err)?;
        tx.batch_execute("SET LOCAL session_replication_role = replica")
            .map_err(err)?;
        tx.batch_execute("SAVEPOINT plant").map_err(err)?;
        let changed = match tx.execute(sql, params) {
            Err(e) if e.code() == Some(&SqlState::CHECK_VIOLATION) => {
                tx.batch_execute("ROLLBACK TO SAVEPOINT plant")
                    .map_err(err)?;
                without_checks(&mut tx, table, sql, params).map_err(err)?
            }
            other => other.map_err(err)?,
        };
        if changed != 1 {
            return Err(StoreError::damaged(
                "the contract",
                "planting damage",
                format!("{changed} rows changed, not one: {sql}"),
            ));
        }
        tx.commit().map_err(err)
    }
}

/// Drops the CHECK constraints of `table`, runs `sql`, and adds them back `NOT VALID`.
fn without_checks(
    tx: &mut Transaction<'_>,
    table: &str,
    sql: &str,
    params: &[&(dyn ToSql + Sync)],
) -> Result<u64, postgres::Error> {
    // The DDL is written by the server from its catalogue (format's %I quotes names).
    let rows = tx.query(
        "SELECT format('ALTER TABLE %I DROP CONSTRAINT %I', c.relname, k.conname), \
                format('ALTER TABLE %I ADD CONSTRAINT %I %s NOT VALID', c.relname, k.conname, \
                       replace(pg_get_constraintdef(k.oid), ' NOT VALID', '')) \
         FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid \
         WHERE k.contype = 'c' AND k.conrelid = to_regclass($1)",
        &[&table],
    )?;
    let mut put_back = Vec::new();
    for row in &rows {
        let drop: String = row.try_get(0)?;
        put_back.push(row.try_get::<_, String>(1)?);
        tx.batch_execute(&drop)?;
    }
    let changed = tx.execute(sql, params)?;
    for add in put_back {
        tx.batch_execute(&add)?;
    }
    Ok(changed)
}
