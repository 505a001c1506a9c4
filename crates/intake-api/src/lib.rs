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
    /// Who started the batch export that is running, if one is (one at a time).
    exporting: Mutex<Option<Principal>>,
    /// What [`Api::open`] could not make private.
    open_warnings: Vec<String>,
}

impl Api {
    /// Opens (creating and migrating if needed) the database in `data_dir`, and makes
    /// the folder and the database files private to this OS user; what could not be
    /// made private is in [`Api::open_warnings`].
    pub fn open(data_dir: &DataDir, clock: Arc<dyn Clock>) -> Result<Api, ApiError> {
        data_dir.prepare()?;
        let mut api = Api::open_file(&data_dir.database_path(), clock)?;
        api.open_warnings = data_dir.restrict_permissions();
        Ok(api)
    }

    /// Warnings from opening the data folder (modes that could not be restricted), for
    /// the front end to show: the CLI on stderr, the desktop app in its log.
    pub fn open_warnings(&self) -> &[String] {
        &self.open_warnings
    }

    /// Opens the database file at `path`.
    pub fn open_file(path: &Path, clock: Arc<dyn Clock>) -> Result<Api, ApiError> {
        Ok(Api {
            store: Store::open(path)?,
            clock,
            forms: Mutex::default(),
            exporting: Default::default(),
            open_warnings: Vec::new(),
        })
    }

    /// A fresh database in memory, for tests.
    pub fn in_memory(clock: Arc<dyn Clock>) -> Result<Api, ApiError> {
        Ok(Api {
            store: Store::open_in_memory()?,
            clock,
            forms: Mutex::default(),
            exporting: Default::default(),
            open_warnings: Vec::new(),
        })
    }

    fn now(&self) -> DateTime<Utc> {
        self.clock.now()
    }

    /// Who started the running batch export (`None`: none runs).
    fn exporting(&self) -> MutexGuard<'_, Option<Principal>> {
        self.exporting.lock().unwrap_or_else(|p| p.into_inner())
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
