//! Schema migrations, tracked by `PRAGMA user_version`.
//!
//! Each migration is a numbered SQL file under `migrations/`, embedded in the binary.
//! Migrations are append-only: a released file is never edited; a change is a new file.
//! [`migrate`] applies every missing one in a single transaction, so a database is
//! always at a version this binary knows, and refuses a database newer than the binary.
//! Migration 0007 is the one with a Rust step ([`rekey`]): answer keys become paths,
//! which needs each form's item tree.

use rusqlite::Connection;

mod rekey;

use crate::StoreError;
use std::path::Path;

/// Every migration, in order; the schema version after migration `i` is `i + 1`.
pub const MIGRATIONS: &[&str] = &[
    include_str!("../migrations/0001_foundation.sql"),
    include_str!("../migrations/0002_patients.sql"),
    include_str!("../migrations/0003_templates.sql"),
    include_str!("../migrations/0004_encounters.sql"),
    include_str!("../migrations/0005_provenance.sql"),
    include_str!("../migrations/0006_review.sql"),
    include_str!("../migrations/0007_answer_paths.sql"),
    include_str!("../migrations/0008_seal.sql"),
    include_str!("../migrations/0009_audit_hash_format.sql"),
    include_str!("../migrations/0010_patient_merges.sql"),
    include_str!("../migrations/0011_save_receipts.sql"),
];

/// How the triggers of migration 0008 begin the message of an insert over a taken key.
pub(crate) const KEY_TAKEN: &str = "the key is taken: ";

/// The schema version whose migration also runs [`rekey`].
const REKEY_VERSION: usize = 7;

/// The `application_id` that marks a file as ours ('INTK').
pub const APPLICATION_ID: i64 = 0x494E_544B;

/// The schema version this binary writes.
pub fn latest_version() -> i64 {
    MIGRATIONS.len() as i64
}

/// Checks, reading only, that `conn` is an Intake Desk database (or an empty file) this
/// binary can open, and returns its schema version. Runs before anything is written.
pub fn check(conn: &Connection, path: &Path) -> Result<i64, StoreError> {
    let err = |e| StoreError::from_sqlite(path, e);
    let found: i64 = conn
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .map_err(err)?;
    let app_id: i64 = conn
        .query_row("PRAGMA application_id", [], |r| r.get(0))
        .map_err(err)?;
    let has_tables: bool = conn
        .query_row(
            "SELECT EXISTS (SELECT 1 FROM sqlite_schema WHERE type = 'table')",
            [],
            |r| r.get(0),
        )
        .map_err(err)?;
    let ours = app_id == APPLICATION_ID || (app_id == 0 && found == 0 && !has_tables);
    if !ours {
        return Err(StoreError::ForeignDatabase {
            path: path.to_path_buf(),
        });
    }
    let supported = latest_version();
    if found > supported {
        return Err(StoreError::NewerSchema {
            path: path.to_path_buf(),
            found,
            supported,
        });
    }
    Ok(found)
}

/// Brings `conn` up to version `target` (tests build old databases with a lower one),
/// all missing migrations in one transaction.
pub fn migrate_to(conn: &mut Connection, path: &Path, target: i64) -> Result<(), StoreError> {
    let err = |e| StoreError::from_sqlite(path, e);
    let found = check(conn, path)?;
    if found >= target {
        return Ok(());
    }
    let tx = conn
        .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
        .map_err(err)?;
    for (index, sql) in MIGRATIONS
        .iter()
        .enumerate()
        .take(target as usize)
        .skip(found as usize)
    {
        tx.execute_batch(sql).map_err(err)?;
        if index + 1 == REKEY_VERSION {
            rekey::run(&tx).map_err(err)?;
        }
        tx.pragma_update(None, "user_version", index as i64 + 1)
            .map_err(err)?;
    }
    tx.commit().map_err(err)
}

/// Brings `conn` up to the latest version.
pub fn migrate(conn: &mut Connection, path: &Path) -> Result<(), StoreError> {
    migrate_to(conn, path, latest_version())
}
