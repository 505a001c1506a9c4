//! Intake Desk's store: what the API needs from storage as traits ([`traits`]: one per
//! area, [`Tx`] for all of them, [`Backend`] for a database), the SQLite implementation,
//! and the contract suite every implementation passes ([`store_contract!`]).
//!
//! Two backends implement the traits: SQLite ([`SqliteStore`], the embedded default: one
//! workstation, one file) and PostgreSQL ([`pg::PgStore`], the clinic server). [`Store`]
//! is the one the application holds: either of them, behind the same [`Backend`], whose
//! closures get a [`Db`] (`dyn Tx`), so no use case knows which database it runs on.
//!
//! [`SqliteStore::open`] opens (or creates) the SQLite file with WAL, `synchronous=FULL`,
//! foreign keys and a busy timeout, refuses files that are not ours or are newer than
//! this binary, and brings the schema up to date ([`migrations`]). All reads and writes
//! go through [`Backend::read`] and [`Backend::write`], which hand a transaction to a
//! closure; `write` wraps it in one write transaction (`BEGIN IMMEDIATE` on SQLite), so a
//! use case and the audit entry that records it commit together or not at all. Callers
//! bring the traits into scope with `use intake_store::prelude::*;`.
//!
//! The store knows its database and nothing of Tauri, the CLI or permissions: it stores
//! what it is given. Deciding (who may, what is valid, when a session expires) is
//! `intake-api`'s job.

mod audit;
mod backup;
#[doc(hidden)]
pub mod contract;
mod encounters;
mod error;
mod exports;
mod merges;
pub mod migrations;
mod moved;
mod open;
mod outcomes;
mod patients;
pub mod pg;
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
pub use moved::MOVED_TO;
pub use outcomes::OutcomeRow;
pub use patients::{PatientRevision, PatientRow, PatientStatus};
pub use reviews::{EventRow, QueueFilter, QueueRow, Signature, SignedRecord};
pub use revisions::RevisionRow;
pub use sessions::SessionRow;
pub use sign_in_failures::FailureRow;
pub use templates::{NewTemplate, TemplateRow};
pub use time::{format_time, parse_time};
pub use traits::{Backend, Tx, WordMatch};

/// A transaction of either backend, as use cases take it: `&Db<'_>`.
pub type Db<'a> = dyn Tx + 'a;
pub use users::{NewUser, UserRow};

/// An open SQLite database, the SQLite [`Backend`]. Cheap to share behind an `Arc`;
/// calls are serialised on one connection (the workload is one workstation).
pub struct SqliteStore {
    conn: Mutex<Connection>,
    path: PathBuf,
}

/// A SQLite transaction inside [`Backend::read`] or [`Backend::write`]: the SQLite [`Tx`].
/// Its trait implementations live in this crate's modules, one per table (`users`,
/// `sessions`, `audit`, ...).
pub struct SqliteDb<'c> {
    conn: &'c Connection,
}

impl SqliteStore {
    /// Opens the database at `path`, creating it if missing, and migrates it.
    pub fn open(path: &Path) -> Result<SqliteStore, StoreError> {
        let conn = open::open_file(path)?;
        Ok(SqliteStore {
            conn: Mutex::new(conn),
            path: path.to_path_buf(),
        })
    }

    /// A fresh, migrated database in memory, for tests.
    pub fn open_in_memory() -> Result<SqliteStore, StoreError> {
        let conn = open::open_memory()?;
        Ok(SqliteStore {
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

impl Backend for SqliteStore {
    type Tx<'a> = SqliteDb<'a>;

    /// A deferred read transaction.
    fn read<T, E>(&self, f: impl FnOnce(&SqliteDb<'_>) -> Result<T, E>) -> Result<T, E>
    where
        E: From<StoreError>,
    {
        let mut conn = self.lock();
        let tx = conn
            .transaction_with_behavior(TransactionBehavior::Deferred)
            .map_err(|e| StoreError::from_sqlite(&self.path, e))?;
        let out = f(&SqliteDb { conn: &tx })?;
        tx.commit()
            .map_err(|e| StoreError::from_sqlite(&self.path, e))?;
        Ok(out)
    }

    /// A `BEGIN IMMEDIATE` transaction: writers wait for each other (busy timeout).
    fn write<T, E>(&self, f: impl FnOnce(&SqliteDb<'_>) -> Result<T, E>) -> Result<T, E>
    where
        E: From<StoreError>,
    {
        let mut conn = self.lock();
        let tx = conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(|e| StoreError::from_sqlite(&self.path, e))?;
        moved::refuse_if_moved(&tx, &self.path)?;
        let out = f(&SqliteDb { conn: &tx })?;
        tx.commit()
            .map_err(|e| StoreError::from_sqlite(&self.path, e))?;
        Ok(out)
    }
}

/// The database the application uses: the workstation's SQLite file or the clinic
/// server. Its closures get a [`Db`], whichever it is. (One per process: the size of the
/// server's variant does not matter.)
#[allow(clippy::large_enum_variant)]
pub enum Store {
    Sqlite(SqliteStore),
    Postgres(pg::PgStore),
}

impl Store {
    /// Opens the SQLite database at `path`, creating it if missing, and migrates it.
    pub fn open(path: &Path) -> Result<Store, StoreError> {
        SqliteStore::open(path).map(Store::Sqlite)
    }

    /// A fresh, migrated SQLite database in memory, for tests.
    pub fn open_in_memory() -> Result<Store, StoreError> {
        SqliteStore::open_in_memory().map(Store::Sqlite)
    }

    /// Connects to the clinic server as the app's role; refuses a server whose schema
    /// is not this binary's.
    pub fn connect(config: &pg::PgConfig) -> Result<Store, StoreError> {
        pg::PgStore::connect(config).map(Store::Postgres)
    }

    /// The SQLite file, or `None` on the clinic server.
    pub fn path(&self) -> Option<&Path> {
        match self {
            Store::Sqlite(s) => Some(s.path()),
            Store::Postgres(_) => None,
        }
    }

    /// Where the clinic moved to, when this is a workstation file marked moved.
    pub fn moved_to(&self) -> Result<Option<String>, StoreError> {
        match self {
            Store::Sqlite(s) => s.moved_to(),
            Store::Postgres(_) => Ok(None),
        }
    }

    /// Where the data lives, for people: the file's path, or "clinic server <host>".
    pub fn describe(&self) -> String {
        match self {
            Store::Sqlite(s) => s.path().display().to_string(),
            Store::Postgres(p) => p.describe(),
        }
    }
}

impl Backend for Store {
    type Tx<'a> = Db<'a>;

    fn read<T, E>(&self, f: impl FnOnce(&Db<'_>) -> Result<T, E>) -> Result<T, E>
    where
        E: From<StoreError>,
    {
        match self {
            Store::Sqlite(s) => s.read(|tx| f(tx)),
            Store::Postgres(p) => p.read(|tx| f(tx)),
        }
    }

    fn write<T, E>(&self, f: impl FnOnce(&Db<'_>) -> Result<T, E>) -> Result<T, E>
    where
        E: From<StoreError>,
    {
        match self {
            Store::Sqlite(s) => s.write(|tx| f(tx)),
            Store::Postgres(p) => p.write(|tx| f(tx)),
        }
    }
}
