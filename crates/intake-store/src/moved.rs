//! A workstation database whose clinic moved to the server (`intake db copy`): marked
//! with the setting [`MOVED_TO`], after which every write to it is refused naming where
//! the clinic now lives, so nothing is entered on the copy nobody else sees. Reads go
//! on (the records can still be looked at and verified).

use chrono::{DateTime, Utc};
use rusqlite::OptionalExtension;

use crate::traits::{Audit, Backend, Settings};
use crate::{NewAuditEntry, SqliteDb, SqliteStore, StoreError};

/// The setting that marks the database moved; its value says where to.
pub const MOVED_TO: &str = "database.moved_to";

/// Refuses a write on a database marked moved.
pub(crate) fn refuse_if_moved(
    conn: &rusqlite::Connection,
    path: &std::path::Path,
) -> Result<(), StoreError> {
    let to: Option<String> = conn
        .query_row(
            "SELECT value FROM settings WHERE key = ?1",
            [MOVED_TO],
            |row| row.get(0),
        )
        .optional()
        .map_err(|e| StoreError::from_sqlite(path, e))?;
    match to {
        Some(to) => Err(StoreError::Moved { to }),
        None => Ok(()),
    }
}

impl SqliteStore {
    /// Marks this database moved to `to` ("clinic server db.clinic.lan"), with an audit
    /// entry `database.moved`; every later write is refused ([`StoreError::Moved`]).
    pub fn mark_moved(&self, to: &str, at: DateTime<Utc>, by: &str) -> Result<(), StoreError> {
        let mut conn = self.lock();
        let tx = conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
            .map_err(|e| StoreError::from_sqlite(&self.path, e))?;
        {
            let db = SqliteDb { conn: &tx };
            db.put_setting(MOVED_TO, to, at, by)?;
            db.append_audit(&NewAuditEntry {
                at,
                actor: by,
                action: "database.moved",
                patient_id: None,
                entity: "database",
                entity_id: None,
                detail: serde_json::json!({ "to": to }),
            })?;
        }
        tx.commit()
            .map_err(|e| StoreError::from_sqlite(&self.path, e))
    }

    /// Where the clinic moved to, if this database was marked moved.
    pub fn moved_to(&self) -> Result<Option<String>, StoreError> {
        self.read(|db| db.setting(MOVED_TO))
    }
}
