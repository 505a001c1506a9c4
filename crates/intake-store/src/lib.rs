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

/// An open SQLite database, the SQLite [`Backend`]. Cheap to share behind an `Arc`.
///
/// One writer connection serialises the writes of this process (SQLite allows one
/// writer at a time anyway); reads run on a small pool of read-only connections of their
/// own (WAL lets them read a consistent snapshot while a write is under way), so a
/// screen never waits behind a long write of this process or of another one. A database
/// in memory, or one opened read-only, reads on its one connection.
pub struct SqliteStore {
    /// Idle read connections; `None` when reads share the writer's connection. Declared
    /// (so dropped) before the writer: the last connection to close folds the log into
    /// the file, and only the writer may (the readers are `query_only`).
    readers: Option<Mutex<Vec<Connection>>>,
    conn: Mutex<Connection>,
    path: PathBuf,
    /// The file's identity when it was opened, checked before every write: a database
    /// deleted or replaced under the running app is noticed before anything is written
    /// to a file nobody will open again.
    identity: Option<open::FileId>,
    /// Where the records were copied when the file was found replaced (once).
    rescued: Mutex<Option<PathBuf>>,
}

/// Idle read connections kept open; more are opened while many reads run at once.
const READERS_KEPT: usize = 4;

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
            readers: Some(Mutex::new(Vec::new())),
            path: path.to_path_buf(),
            identity: open::FileId::of(path),
            rescued: Mutex::new(None),
        })
    }

    /// A fresh, migrated database in memory, for tests.
    pub fn open_in_memory() -> Result<SqliteStore, StoreError> {
        let conn = open::open_memory()?;
        Ok(SqliteStore {
            conn: Mutex::new(conn),
            readers: None,
            path: PathBuf::from(":memory:"),
            identity: None,
            rescued: Mutex::new(None),
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

    /// An idle read connection, or a new one.
    fn reader(&self, pool: &Mutex<Vec<Connection>>) -> Result<Connection, StoreError> {
        let idle = pool.lock().unwrap_or_else(|p| p.into_inner()).pop();
        match idle {
            Some(conn) => Ok(conn),
            // A new connection opens the path: only while it is still our file, so a
            // replaced database is never read as if it were ours.
            None => {
                self.refuse_if_replaced(None)?;
                open::open_reader(&self.path)
            }
        }
    }

    /// Puts a read connection back, unless enough are idle already.
    fn release(pool: &Mutex<Vec<Connection>>, conn: Connection) {
        let mut idle = pool.lock().unwrap_or_else(|p| p.into_inner());
        if idle.len() < READERS_KEPT {
            idle.push(conn);
        }
    }

    /// Refuses a write when the file at our path is no longer the one we opened. With
    /// the writer's connection (`rescue_with`), the first refusal also copies the records
    /// as this connection sees them (the file it opened and its log, which SQLite no
    /// longer folds into a moved file) to `<path>.rescued-<time>`, and names that copy,
    /// so nothing saved is lost.
    fn refuse_if_replaced(&self, rescue_with: Option<&Connection>) -> Result<(), StoreError> {
        let Some(opened) = self.identity else {
            return Ok(());
        };
        let what = match open::FileId::at(&self.path) {
            open::AtPath::File(now) if now == opened => return Ok(()),
            open::AtPath::File(_) => "replaced",
            open::AtPath::Nothing => "deleted or moved away (or its folder is gone)",
            // Permissions revoked: the file is whole and nothing is copied anywhere.
            open::AtPath::Unreachable => {
                return Err(StoreError::CannotOpen {
                    path: self.path.clone(),
                    reason: "its folder can no longer be reached by this user (permission \
                             denied), so nothing more is written to it; everything saved \
                             before is in it. Give the folder back to this user and start \
                             Intake Desk again"
                        .into(),
                });
            }
        };
        let kept = {
            let mut rescued = self.rescued.lock().unwrap_or_else(|p| p.into_inner());
            if let (None, Some(conn)) = (rescued.as_ref(), rescue_with) {
                *rescued = backup::rescue(conn, &self.path);
            }
            rescued.clone()
        };
        let saved = match kept {
            Some(copy) => format!("everything saved is in {}", copy.display()),
            None => "what was saved before is in the file that was there".into(),
        };
        Err(StoreError::CannotOpen {
            path: self.path.clone(),
            reason: format!(
                "the database file was {what} while Intake Desk had it open, so nothing \
                 more is written to it; close Intake Desk and start it again ({saved})"
            ),
        })
    }
}

impl Backend for SqliteStore {
    type Tx<'a> = SqliteDb<'a>;

    /// A deferred read transaction, on a read connection of the pool (on the one
    /// connection for a database in memory).
    fn read<T, E>(&self, f: impl FnOnce(&SqliteDb<'_>) -> Result<T, E>) -> Result<T, E>
    where
        E: From<StoreError>,
    {
        let err = |e| StoreError::from_sqlite(&self.path, e);
        let Some(pool) = &self.readers else {
            let mut conn = self.lock();
            let tx = conn
                .transaction_with_behavior(TransactionBehavior::Deferred)
                .map_err(err)?;
            let out = f(&SqliteDb { conn: &tx })?;
            tx.commit().map_err(err)?;
            return Ok(out);
        };
        let mut conn = self.reader(pool)?;
        let out = (|| {
            let tx = conn
                .transaction_with_behavior(TransactionBehavior::Deferred)
                .map_err(err)?;
            let out = f(&SqliteDb { conn: &tx })?;
            tx.commit().map_err(err)?;
            Ok(out)
        })();
        SqliteStore::release(pool, conn);
        out
    }

    /// A `BEGIN IMMEDIATE` transaction on the writer: writers wait for each other (busy
    /// timeout); readers do not wait for it.
    fn write<T, E>(&self, f: impl FnOnce(&SqliteDb<'_>) -> Result<T, E>) -> Result<T, E>
    where
        E: From<StoreError>,
    {
        let mut conn = self.lock();
        self.refuse_if_replaced(Some(&conn))?;
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
