//! `intake db`: set up a clinic server, migrate it, point this workstation at it.

use std::sync::Arc;

use intake_api::data_dir::Database;
use intake_api::{Api, Caller, DataDir, SystemClock};
use intake_store::pg::PgConfig;

use crate::args::DbCommand;
use crate::commands::{password_from_stdin, CliError};
use crate::output::outln;

/// The server named by `--database`, which these commands need spelled out.
fn owner_address(flag: Option<&str>, what: &str) -> Result<PgConfig, CliError> {
    let option = if what == "copy" { "--to" } else { "--database" };
    match flag.map(str::trim).filter(|f| !f.is_empty()) {
        Some(url) => Ok(PgConfig::new(url)),
        None => Err(CliError::Input(format!(
            "`intake db {what}` needs {option} URL naming the server as the schema's owner \
             role (e.g. postgresql://intake_owner@db.clinic.lan/intake); the password comes \
             from PGPASSWORD or ~/.pgpass"
        ))),
    }
}

pub fn run(
    dir: &DataDir,
    database: Option<&str>,
    caller: Caller<'_>,
    cmd: DbCommand,
) -> Result<(), CliError> {
    match cmd {
        DbCommand::Init {
            app_role,
            admin,
            display_name,
            password_stdin: _,
        } => {
            let owner = owner_address(database, "init")?;
            let password = match admin {
                Some(_) => Some(password_from_stdin()?),
                None => None,
            };
            let api = Api::init_server(&owner, &app_role, Arc::new(SystemClock))?;
            outln!(
                "Set up {} (schema version {}): the app connects as {app_role:?}.",
                owner.describe(),
                intake_store::pg::latest_version(),
            )?;
            match (admin, password) {
                (Some(admin), Some(password)) => {
                    let created =
                        api.create_first_admin(Some(caller), &admin, &display_name, &password)?;
                    outln!("First administrator: {:?}.", created.username)?;
                }
                _ => outln!(
                    "No administrator yet: move a workstation's clinic here with `intake db \
                     copy --to URL`, or create one with `intake --database URL init`."
                )?,
            }
            outln!(
                "Point each workstation at it with `intake db use postgresql://{app_role}@<host>/<database>?sslmode=verify-full&sslrootcert=<clinic CA>`."
            )?;
            Ok(())
        }
        DbCommand::Migrate => {
            let owner = owner_address(database, "migrate")?;
            let (before, after) = Api::migrate_server(&owner)?;
            if before == after {
                outln!(
                    "{} is up to date (schema version {after}).",
                    owner.describe()
                )?;
            } else {
                outln!(
                    "Migrated {} from schema version {before} to {after}.",
                    owner.describe()
                )?;
            }
            Ok(())
        }
        DbCommand::Copy { to } => {
            let owner = owner_address(Some(&to), "copy")?;
            let report = Api::copy_to_server(dir, &owner, caller, Arc::new(SystemClock))?;
            outln!(
                "Copied {} to {} in {:.1} s, and checked it there:",
                dir.database_path().display(),
                owner.describe(),
                report.elapsed.as_secs_f64()
            )?;
            for (table, rows) in &report.tables {
                outln!("  {table:<28} {rows:>9} rows")?;
            }
            outln!(
                "  the audit chain up to entry {}, the same on both; {} signed records, \
                 byte for byte.",
                report.audit_head,
                report.signed_records
            )?;
            outln!(
                "{} is now marked moved: it refuses every write. Point each workstation at \
                 the server with `intake db use URL` (as the app's role).",
                dir.database_path().display()
            )?;
            Ok(())
        }
        DbCommand::Use { url, local } => {
            if local {
                dir.set_config_entry("database", None)?;
                outln!(
                    "This workstation uses its own database again: {}.",
                    dir.database_path().display()
                )?;
                return Ok(());
            }
            let url = url.unwrap_or_default();
            let chosen = Database::Server(PgConfig::new(url.trim()));
            // Checked first: a workstation is never pointed at a server it cannot use.
            let api = Api::open_database(dir, &chosen, Arc::new(SystemClock))?;
            dir.set_config_entry("database", Some(url.trim()))?;
            outln!(
                "This workstation now uses {} (written to {}).",
                api.database_description(),
                dir.config_path().display()
            )?;
            Ok(())
        }
        DbCommand::Status => {
            let chosen = dir.database_from_env(database)?;
            let api = Api::open_database(dir, &chosen, Arc::new(SystemClock))?;
            outln!("Database: {}", api.database_description())?;
            if let Some(state) = api.database_state()? {
                outln!("{state}")?;
            }
            if let Some(to) = api.moved_to()? {
                outln!("The clinic moved to {to}: this file refuses every write.")?;
            }
            Ok(())
        }
    }
}
