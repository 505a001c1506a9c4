//! Intake Desk's store: what the API needs from storage as traits ([`traits`]: one per
//! area, [`Tx`] for all of them, [`Backend`] for a database), the SQLite implementation,
//! and the contract suite every implementation passes ([`store_contract!`]).
//!
//! [`Store::open`] opens (or creates) the SQLite file with WAL, `synchronous=FULL`,
//! foreign keys and a busy timeout, refuses files that are not ours or are newer than
//! this binary, and brings the schema up to date ([`migrations`]). All reads and writes
//! go through [`Backend::read`] and [`Backend::write`], which hand a [`Db`] to a closure;
//! `write` wraps it in one `BEGIN IMMEDIATE` transaction, so a use case and the audit
//! entry that records it commit together or not at all. Callers bring the traits into
//! scope with `use intake_store::prelude::*;`.
//!
//! The store knows its database and nothing of Tauri, the CLI or permissions: it stores
//! what it is given. Deciding (who may, what is valid, when a session expires) is
//! `intake-api`'s job.

mod audit;
#[doc(hidden)]
pub mod contract;
mod encounters;
mod error;
mod exports;
mod merges;
pub mod migrations;
mod open;
mod outcomes;
mod patients;
mod reviews;
mod revisions;
mod sessions;
mod settings;
mod sign_in_failures;
mod tamper;
mod templates;
mod time;
pub mod traits;
mod users;

/// The store's traits, for `use intake_store::prelude::*;` in every file that calls it.
pub mod prelude {
    pub use crate::traits::{
        Audit, Backend, Encounters, Exports, Merges, Outcomes, Patients, Reviews, Revisions,
        Sessions, Settings, SignInFailures, Templates, Tx, Users,
    };
}

use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};

use rusqlite::{Connection, TransactionBehavior};

pub use audit::{AuditFilter, AuditRow, NewAuditEntry};
pub use encounters::{
    decode_values, encode_values, AnswerRow, AnswerWrite, CarriedFrom, EncounterFilter,
    EncounterRow, EventRef,
};
pub use error::StoreError;
pub use merges::MergeRow;
pub use outcomes::OutcomeRow;
pub use patients::{PatientRevision, PatientRow, PatientStatus};
pub use reviews::{EventRow, QueueFilter, QueueRow, Signature, SignedRecord};
pub use revisions::RevisionRow;
pub use sessions::SessionRow;
pub use sign_in_failures::FailureRow;
pub use templates::{NewTemplate, TemplateRow};
pub use time::{format_time, parse_time};
pub use traits::{Backend, Tx, WordMatch};
pub use users::{NewUser, UserRow};

/// An open SQLite database, the SQLite [`Backend`]. Cheap to share behind an `Arc`; calls are serialised on one
/// connection (the workload is one workstation).
pub struct Store {
    conn: Mutex<Connection>,
    path: PathBuf,
}

/// A SQLite transaction inside [`Backend::read`] or [`Backend::write`]: the SQLite [`Tx`].
/// Its trait implementations live in this crate's modules, one per table (`users`,
/// `sessions`, `audit`, ...).
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
}

impl Backend for Store {
    type Tx<'a> = Db<'a>;

    /// A deferred read transaction.
    fn read<T, E>(&self, f: impl FnOnce(&Db<'_>) -> Result<T, E>) -> Result<T, E>
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

    /// A `BEGIN IMMEDIATE` transaction: writers wait for each other (busy timeout).
    fn write<T, E>(&self, f: impl FnOnce(&Db<'_>) -> Result<T, E>) -> Result<T, E>
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
