//! Setting up, migrating and moving to the clinic server (`intake db init`, `migrate`,
//! `copy`): run from the CLI with the schema owner's address, never by the desktop app.

use std::sync::Arc;

use intake_store::pg::{CopyReport, PgConfig, PgStore};
use intake_store::{SqliteStore, Store, StoreError};

use crate::{Api, ApiError, Caller, Clock, DataDir};

impl Api {
    /// Sets up a clinic server (`intake db init`): brings its schema up to date as the
    /// owner in `owner`, grants `app_role` what the app may do (and no more), and answers
    /// an API over the owner's connection, only for creating the first administrator.
    pub fn init_server(
        owner: &PgConfig,
        app_role: &str,
        clock: Arc<dyn Clock>,
    ) -> Result<Api, ApiError> {
        if app_role.is_empty()
            || !app_role
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        {
            return Err(ApiError::Validation {
                field: Some("app-role".into()),
                message: format!(
                    "{app_role:?} is not a role name this setup accepts (lower-case letters, digits, _)"
                ),
            });
        }
        PgStore::migrate(owner)?;
        PgStore::grant_app(owner, app_role)?;
        let store = PgStore::connect_as_owner(owner)?;
        Ok(Api::over(Store::Postgres(store), clock))
    }

    /// Brings a clinic server's schema up to date as its owner (`intake db migrate`);
    /// answers the versions before and after.
    pub fn migrate_server(owner: &PgConfig) -> Result<(i64, i64), ApiError> {
        let before = PgStore::connect_as_owner(owner)
            .and_then(|s| s.schema_version())
            .or_else(|e| match e {
                StoreError::NoSchema { .. } => Ok(0),
                // An older schema is what migrating is for.
                StoreError::ServerSchemaOlder { found, .. } => Ok(found),
                e => Err(e),
            })?;
        PgStore::migrate(owner)?;
        Ok((before, intake_store::pg::latest_version()))
    }

    /// Moves the clinic of the data folder's own database file onto a server set up by
    /// `intake db init` without an administrator (`intake db copy`): everything but open
    /// sign-ins, checked on the server before it commits, all or nothing
    /// ([`intake_store::pg::copy_from_sqlite`]); then marks the file moved, so it refuses
    /// every later write naming the server.
    pub fn copy_to_server(
        data_dir: &DataDir,
        owner: &PgConfig,
        by: Caller<'_>,
        clock: Arc<dyn Clock>,
    ) -> Result<CopyReport, ApiError> {
        let path = data_dir.database_path();
        if !path.exists() {
            return Err(ApiError::NotFound(format!(
                "there is no database to copy in {}",
                data_dir.path().display()
            )));
        }
        // Nothing writes to the file while it is copied and marked moved.
        let _lock = data_dir.lock_database_exclusive("intake db copy")?;
        let source = SqliteStore::open(&path)?;
        if let Some(to) = source.moved_to()? {
            return Err(ApiError::Conflict(format!(
                "{} was already moved to {to}; it is not copied twice",
                path.display()
            )));
        }
        let report = intake_store::pg::copy_from_sqlite(&source, owner)?;
        let actor = match by {
            Caller::Cli(user) => format!("cli:{user}"),
            Caller::Session(_) => "session".to_string(),
        };
        source.mark_moved(&owner.describe(), clock.now(), &actor)?;
        Ok(report)
    }

    /// The sign-in footer's and Settings' words for the database: "Clinic server
    /// db.clinic.lan" with its state, or "This workstation" with its file (and where the
    /// clinic moved to, if it did).
    pub(crate) fn database_labels(&self) -> Result<(String, String), ApiError> {
        if let Some(state) = self.database_state()? {
            let mut label = self.database_description();
            if let Some(first) = label.get_mut(0..1) {
                first.make_ascii_uppercase();
            }
            return Ok((label, state));
        }
        Ok(match self.moved_to()? {
            Some(to) => (
                format!("This workstation (moved to {to})"),
                format!(
                    "{}: the clinic moved to {to}; nothing more is written here.",
                    self.database_description()
                ),
            ),
            None => ("This workstation".to_string(), self.database_description()),
        })
    }
}
