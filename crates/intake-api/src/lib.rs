//! Intake Desk's API: the one door every front end calls.
//!
//! The desktop shell (`src-tauri/`) and the `intake` CLI call the same functions on
//! [`Api`]. Each use case takes a [`Caller`] (a session token from the desktop, or the
//! OS user running the CLI), resolves it to a [`Principal`], checks one
//! [`Permission`](permissions::Permission) against the table in [`permissions`], does
//! its work in one store transaction, and writes the audit entry in that same
//! transaction. Requests and responses are the serializable types in [`dto`]; domain
//! and store types never cross the edge.
//!
//! The API reads time from an injected [`Clock`], so tests move time by hand.

pub mod access;
pub mod admin;
mod clock;
pub mod data_dir;
mod error;
pub mod export;
pub mod intake;
pub mod patients;
pub mod permissions;
mod record;
pub mod review;
pub mod wire;

use std::collections::HashMap;
use std::path::Path;
use std::sync::{Arc, Mutex, MutexGuard};

use chrono::{DateTime, Utc};
use intake_core::{Role, SessionId, UserId};
use intake_store::{NewAuditEntry, Store};

pub use clock::{Clock, ManualClock, SystemClock};
pub use data_dir::DataDir;
pub use error::{ApiError, ErrorCode};
pub use intake_core::audit::ChainVerdict;

/// Who is calling a use case.
#[derive(Debug, Clone, Copy)]
pub enum Caller<'a> {
    /// The desktop app, with the token `sign_in` returned.
    Session(&'a str),
    /// The command line, run by this OS user. Whoever can run the CLI on the data
    /// folder can already read and write the file, so the CLI acts with admin rights;
    /// its actions are audited as `cli:<OS user>`.
    Cli(&'a str),
}

/// A caller that was checked: the name written to the audit log and the role.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Principal {
    pub actor: String,
    pub role: Role,
    pub user_id: Option<UserId>,
    pub session_id: Option<SessionId>,
}

/// The API over one database.
pub struct Api {
    store: Store,
    clock: Arc<dyn Clock>,
    /// Parsed forms by template id; a stored template version never changes.
    forms: Mutex<HashMap<intake_core::TemplateId, Arc<intake_core::questionnaire::Questionnaire>>>,
    /// Whether a batch export is running (one at a time).
    exporting: std::sync::atomic::AtomicBool,
}

impl Api {
    /// Opens (creating and migrating if needed) the database in `data_dir`.
    pub fn open(data_dir: &DataDir, clock: Arc<dyn Clock>) -> Result<Api, ApiError> {
        data_dir.prepare()?;
        Api::open_file(&data_dir.database_path(), clock)
    }

    /// Opens the database file at `path`.
    pub fn open_file(path: &Path, clock: Arc<dyn Clock>) -> Result<Api, ApiError> {
        Ok(Api {
            store: Store::open(path)?,
            clock,
            forms: Mutex::default(),
            exporting: Default::default(),
        })
    }

    /// A fresh database in memory, for tests.
    pub fn in_memory(clock: Arc<dyn Clock>) -> Result<Api, ApiError> {
        Ok(Api {
            store: Store::open_in_memory()?,
            clock,
            forms: Mutex::default(),
            exporting: Default::default(),
        })
    }

    fn now(&self) -> DateTime<Utc> {
        self.clock.now()
    }

    fn exporting(&self) -> &std::sync::atomic::AtomicBool {
        &self.exporting
    }

    fn forms_cache(
        &self,
    ) -> MutexGuard<
        '_,
        HashMap<intake_core::TemplateId, Arc<intake_core::questionnaire::Questionnaire>>,
    > {
        self.forms.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// Builds an audit entry with no patient; most foundation events concern users.
pub(crate) fn audit_entry<'a>(
    at: DateTime<Utc>,
    actor: &'a str,
    action: &'a str,
    entity: &'a str,
    entity_id: Option<String>,
    detail: serde_json::Value,
) -> NewAuditEntry<'a> {
    NewAuditEntry {
        at,
        actor,
        action,
        patient_id: None,
        entity,
        entity_id,
        detail,
    }
}
