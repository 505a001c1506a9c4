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
mod background;
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

pub use clock::{ClinicZone, Clock, ManualClock, SystemClock, UnknownZone};
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
    store: Arc<Store>,
    clock: Arc<dyn Clock>,
    /// Parsed forms by template id; a stored template version never changes.
    forms: Mutex<HashMap<intake_core::TemplateId, Arc<intake_core::questionnaire::Questionnaire>>>,
    /// Who started the batch export that is running, if one is (one at a time).
    exporting: Mutex<Option<Principal>>,
    /// What [`Api::open`] could not make private.
    open_warnings: Vec<String>,
    /// Audit entries of reads, waiting to be committed ([`record::read_log`]).
    reads: Arc<record::read_log::ReadLog>,
    /// The last background check of the signed records.
    last_check: background::LastCheck,
    /// The thread that commits `reads` and runs the record check, if started.
    background: Option<background::Background>,
    /// The data folder, when the database is on the clinic server (on a file it is the
    /// file's folder).
    server_data_folder: Option<std::path::PathBuf>,
    /// The data folder's locks this process holds ([`data_dir::FolderLock`]), released
    /// when the API is dropped, after the queued reads are committed.
    locks: Vec<data_dir::FolderLock>,
    /// A test's own server database, dropped after everything above.
    _test_database: Option<intake_store::pg::testing::TestDatabase>,
}

/// How long opening a data folder's database waits for a restore or copy that runs.
pub const LOCK_WAIT: std::time::Duration = std::time::Duration::from_secs(10);

impl Api {
    /// Opens (creating and migrating if needed) the database in `data_dir`, and makes
    /// the folder and the database files private to this OS user; what could not be
    /// made private is in [`Api::open_warnings`].
    ///
    /// It also starts the background thread (`background`) that commits the audit
    /// entries of reads and checks the signed records at start and daily.
    ///
    /// It holds the folder's database lock (shared) while open, so a restore never
    /// replaces the file under it; it waits up to [`LOCK_WAIT`] for one that runs.
    pub fn open(data_dir: &DataDir, clock: Arc<dyn Clock>) -> Result<Api, ApiError> {
        data_dir.prepare()?;
        let lock = data_dir.lock_database_shared(LOCK_WAIT)?;
        let mut api = Api::open_file(&data_dir.database_path(), clock)?;
        api.locks.push(lock);
        api.open_warnings = data_dir.restrict_permissions();
        api.background = background::Background::start(
            api.store.clone(),
            api.reads.clone(),
            api.last_check.clone(),
            api.clock.clone(),
        );
        Ok(api)
    }

    /// Opens the chosen database ([`DataDir::database`]): the folder's file as
    /// [`Api::open`] does, or the clinic server as the app's role, with the data folder
    /// (exports, settings file) kept on this workstation.
    pub fn open_database(
        data_dir: &DataDir,
        database: &data_dir::Database,
        clock: Arc<dyn Clock>,
    ) -> Result<Api, ApiError> {
        let config = match database {
            data_dir::Database::File(_) => return Api::open(data_dir, clock),
            data_dir::Database::Server(config) => config,
        };
        data_dir.prepare()?;
        let mut api = Api::connect(config, clock)?;
        api.open_warnings = data_dir.restrict_permissions();
        api.server_data_folder = Some(data_dir.path().to_path_buf());
        api.background = background::Background::start(
            api.store.clone(),
            api.reads.clone(),
            api.last_check.clone(),
            api.clock.clone(),
        );
        Ok(api)
    }

    /// On the clinic server, its schema version and whether the connection is
    /// encrypted, for `intake db status` and the Settings screen.
    pub fn database_state(&self) -> Result<Option<String>, ApiError> {
        match self.store.as_ref() {
            Store::Sqlite(_) => Ok(None),
            Store::Postgres(pg) => {
                let version = pg.schema_version()?;
                let tls = if pg.encrypted()? {
                    "encrypted (TLS)"
                } else {
                    "not encrypted"
                };
                Ok(Some(format!(
                    "Schema version {version}; the connection is {tls}."
                )))
            }
        }
    }

    /// Where the clinic moved to, when this is a workstation file marked moved.
    pub fn moved_to(&self) -> Result<Option<String>, ApiError> {
        Ok(self.store.moved_to()?)
    }

    /// Where the records live, for people: the database file's path, or "clinic server
    /// db.clinic.lan".
    pub fn database_description(&self) -> String {
        self.store.describe()
    }

    /// Warnings from opening the data folder (modes that could not be restricted), for
    /// the front end to show: the CLI on stderr, the desktop app in its log.
    pub fn open_warnings(&self) -> &[String] {
        &self.open_warnings
    }

    /// Opens the database file at `path`, with no background thread: the audit entries
    /// of reads are committed by [`Api::flush_reads`] and when the API is dropped.
    /// A database that has users gets the current built-in form if it lacks it
    /// (`Api::upgrade_builtin`: an upgrade of the app brings its new form).
    pub fn open_file(path: &Path, clock: Arc<dyn Clock>) -> Result<Api, ApiError> {
        let api = Api::over(Store::open(path)?, clock);
        api.upgrade_builtin()?;
        Ok(api)
    }

    /// A fresh database in memory, for tests (no background thread either).
    pub fn in_memory(clock: Arc<dyn Clock>) -> Result<Api, ApiError> {
        Ok(Api::over(Store::open_in_memory()?, clock))
    }

    /// Connects to the clinic server as the app's role; refuses a server whose schema is
    /// not this binary's. A server that has users gets the current built-in form if it
    /// lacks it, as a file does.
    pub fn connect(
        config: &intake_store::pg::PgConfig,
        clock: Arc<dyn Clock>,
    ) -> Result<Api, ApiError> {
        let api = Api::over(Store::connect(config)?, clock);
        api.upgrade_builtin()?;
        Ok(api)
    }

    /// A fresh, empty database for a test: in memory, or, when `INTAKE_TEST_BACKEND` is
    /// `postgres`, a database of its own on the test cluster (`scripts/with-postgres.sh`),
    /// dropped with the API. `make test` runs the API's tests once on each.
    #[doc(hidden)]
    pub fn for_tests(clock: Arc<dyn Clock>) -> Result<Api, ApiError> {
        if std::env::var("INTAKE_TEST_BACKEND").as_deref() != Ok("postgres") {
            return Api::in_memory(clock);
        }
        let settings = intake_store::pg::testing::cluster().ok_or_else(|| {
            ApiError::Internal("INTAKE_TEST_BACKEND=postgres needs INTAKE_TEST_PG (scripts/with-postgres.sh sets it)".into())
        })?;
        let database = intake_store::pg::testing::TestDatabase::new(&settings);
        let store = database.store()?;
        let mut api = Api::over(Store::Postgres(store), clock);
        api._test_database = Some(database);
        Ok(api)
    }

    fn over(store: Store, clock: Arc<dyn Clock>) -> Api {
        Api {
            store: Arc::new(store),
            clock,
            forms: Mutex::default(),
            exporting: Default::default(),
            open_warnings: Vec::new(),
            reads: Default::default(),
            last_check: Default::default(),
            background: None,
            server_data_folder: None,
            locks: Vec::new(),
            _test_database: None,
        }
    }

    /// Keeps `lock` for as long as this API lives (the desktop app's own lock).
    pub fn hold(&mut self, lock: data_dir::FolderLock) {
        self.locks.push(lock);
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

impl Drop for Api {
    /// Stops the background thread and commits the audit entries of reads still queued.
    fn drop(&mut self) {
        if let Some(mut background) = self.background.take() {
            background.stop(&self.reads);
        }
        if let Err(e) = self.flush_reads() {
            eprintln!("intake: warning: the audit entries of the last reads were not written: {e}");
        }
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
