//! What the API needs from storage, as traits: one per area, [`Tx`] for all of them, and
//! [`Backend`] for a database that hands a [`Tx`] to a closure inside one transaction.
//!
//! The traits speak in the crate's typed rows, core's enums and ids, and [`StoreError`];
//! no driver type appears in them, so another database can implement them and prove it
//! with the same contract suite (`intake_store::store_contract!`). The SQLite
//! implementation is [`crate::SqliteStore`] (the backend) and [`crate::SqliteDb`] (its
//! transaction); the PostgreSQL one is [`crate::pg`]'s.
//!
//! The text contract, for every backend: a time is stored as [`crate::format_time`]'s
//! fixed text (RFC 3339, UTC, milliseconds, so a finer time comes back cut to the
//! millisecond) and read back to the same instant; audit details, a signed record's JSON
//! and hash, answer values (`values_json`), a form's original bytes and a patient's
//! revision changes are stored as the exact text (or bytes) given and returned byte for
//! byte, never as a database JSON type that would reorder or re-space them, because
//! hashes cover them. A stored value that cannot be read back is
//! [`StoreError::Damaged`] naming the row, never a default.

mod accounts;
mod encounters;
mod patients;

pub use accounts::{Audit, Sessions, Settings, SignInFailures, Users};
pub use encounters::{Encounters, Exports, Outcomes, Reviews, Revisions, Templates};
pub use patients::{Merges, Patients, WordMatch};

use crate::StoreError;

/// Everything a use case may do inside one transaction.
pub trait Tx:
    Users
    + Sessions
    + SignInFailures
    + Settings
    + Audit
    + Patients
    + Merges
    + Templates
    + Encounters
    + Revisions
    + Reviews
    + Outcomes
    + Exports
{
}

impl<T> Tx for T where
    T: Users
        + Sessions
        + SignInFailures
        + Settings
        + Audit
        + Patients
        + Merges
        + Templates
        + Encounters
        + Revisions
        + Reviews
        + Outcomes
        + Exports
{
}

/// A database: runs a closure on a consistent snapshot ([`Backend::read`]) or in one write
/// transaction that commits only if the closure returns `Ok` ([`Backend::write`]). A use
/// case and the audit entry that records it are written in the same `write`.
pub trait Backend: Send + Sync {
    /// The transaction handed to the closures.
    type Tx<'a>: Tx + ?Sized;

    /// Runs `f` on a consistent snapshot of the database.
    fn read<T, E>(&self, f: impl FnOnce(&Self::Tx<'_>) -> Result<T, E>) -> Result<T, E>
    where
        E: From<StoreError>;

    /// Runs `f` in one write transaction, committed only if `f` returns `Ok`; writes are
    /// serialised, so what `f` read is still true when it commits.
    fn write<T, E>(&self, f: impl FnOnce(&Self::Tx<'_>) -> Result<T, E>) -> Result<T, E>
    where
        E: From<StoreError>;
}
