//! Intake Desk's SQLite store.
//!
//! [`Store::open`] opens (or creates) the database file with WAL, `synchronous=FULL`,
//! foreign keys and a busy timeout, refuses files that are not ours or are newer than
//! this binary, and brings the schema up to date ([`migrations`]). All reads and writes
//! go through [`Store::read`] and [`Store::write`], which hand a [`Db`] to a closure;
//! `write` wraps it in one `BEGIN IMMEDIATE` transaction, so a use case and the audit
//! entry that records it commit together or not at all.
//!
//! The store knows rusqlite and nothing of Tauri, the CLI or permissions: it stores what
//! it is given. Deciding (who may, what is valid, when a session expires) is
//! `intake-api`'s job.

mod audit;
mod encounters;
mod error;
mod exports;
pub mod migrations;
mod open;
mod outcomes;
mod patients;
mod reviews;
mod revisions;
mod sessions;
mod settings;
mod sign_in_failures;
mod templates;
mod time;
mod users;

use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};

use rusqlite::{Connection, TransactionBehavior};

pub use audit::{AuditFilter, AuditRow, NewAuditEntry};
pub use encounters::{
    decode_values, encode_values, AnswerRow, AnswerWrite, CarriedFrom, EncounterFilter,
    EncounterRow, EventRef,
};
pub use error::StoreError;
pub use outcomes::OutcomeRow;
pub use patients::{PatientRevision, PatientRow, PatientStatus};
pub use reviews::{EventRow, QueueFilter, QueueRow, Signature, SignedRecord};
pub use revisions::RevisionRow;
pub use sessions::SessionRow;
pub use sign_in_failures::FailureRow;
pub use templates::{NewTemplate, TemplateRow};
pub use time::{format_time, parse_time};
pub use users::{NewUser, UserRow};

/// An open database. Cheap to share behind an `Arc`; calls are serialised on one
/// connection (the workload is one workstation).
pub struct Store {
    conn: Mutex<Connection>,
    path: PathBuf,
}

/// A connection inside [`Store::read`] or [`Store::write`]. The per-table methods live in
/// this crate's modules (`users`, `sessions`, `audit`, ...).
pub struct Db<'c> {
    conn: &'c Connection,
}

impl Store {
    /// Opens the database at `path`, creating it if missing, and migrates it.
    pub fn open(path: &Path) -> Result<Store, StoreError> {
        let conn = open::open_file(path)?;
        Ok(Store {
            conn: Mutex::new(conn),
            path: path.to_path_buf(),
        })
    }

    /// A fresh, migrated database in memory, for tests.
    pub fn open_in_memory() -> Result<Store, StoreError> {
        let conn = open::open_memory()?;
        Ok(Store {
            conn: Mutex::new(conn),
            path: PathBuf::from(":memory:"),
        })
    }

    /// The file this store was opened from.
    pub fn path(&self) -> &Path {
        &self.path
    }

    fn lock(&self) -> MutexGuard<'_, Connection> {
        // A panic while holding the lock leaves no open transaction behind (rusqlite
        // rolls back on drop), so the connection is still sound.
        self.conn
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Runs `f` on a consistent snapshot (a deferred read transaction).
    pub fn read<T, E>(&self, f: impl FnOnce(&Db<'_>) -> Result<T, E>) -> Result<T, E>
    where
        E: From<StoreError>,
    {
        let mut conn = self.lock();
        let tx = conn
            .transaction_with_behavior(TransactionBehavior::Deferred)
            .map_err(|e| StoreError::from_sqlite(&self.path, e))?;
        let out = f(&Db { conn: &tx })?;
        tx.commit()
            .map_err(|e| StoreError::from_sqlite(&self.path, e))?;
        Ok(out)
    }

    /// Runs `f` in one write transaction, committed only if `f` returns `Ok`.
    pub fn write<T, E>(&self, f: impl FnOnce(&Db<'_>) -> Result<T, E>) -> Result<T, E>
    where
        E: From<StoreError>,
    {
        let mut conn = self.lock();
        let tx = conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(|e| StoreError::from_sqlite(&self.path, e))?;
        let out = f(&Db { conn: &tx })?;
        tx.commit()
            .map_err(|e| StoreError::from_sqlite(&self.path, e))?;
        Ok(out)
    }
}
