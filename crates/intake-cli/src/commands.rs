//! One function per command. Each opens the data folder, calls `intake-api` as
//! `cli:<OS user>`, and prints the result.

use std::fmt;
use std::io::BufRead;
use std::sync::Arc;

use intake_api::wire::{AuditFilterDto, NewUserRequest, SettingsUpdate};
use intake_api::{Api, ApiError, Caller, DataDir, SystemClock};

use crate::args::{Args, AuditCommand, Command, SettingsCommand, UserCommand};
use crate::output::outln;
use crate::{encounters, exports, output, patients, reports, templates};

/// Why a command failed; printed as one line.
pub enum CliError {
    Api(ApiError),
    Input(String),
    /// Standard output could not be written (`main` ends quietly when the reader left).
    Output(std::io::Error),
}

impl fmt::Display for CliError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CliError::Api(ApiError::Validation {
                field: Some(field),
                message,
            }) => write!(f, "{field}: {message}"),
            CliError::Api(e) => write!(f, "{e}"),
            CliError::Input(m) => f.write_str(m),
            CliError::Output(e) => write!(f, "cannot write to standard output: {e}"),
        }
    }
}

impl From<ApiError> for CliError {
    fn from(e: ApiError) -> Self {
        CliError::Api(e)
    }
}

/// The OS account running the command, as the audit log names it (`cli:<name>`): the
/// name of the real uid from the system's account database, never `$USER` (which anyone
/// can set), or `uid:<n>` when the uid has no name.
fn os_user() -> String {
    crate::os_account::real_user()
}

/// Reads the first line of standard input, without its line ending.
pub(crate) fn password_from_stdin() -> Result<String, CliError> {
    let mut line = String::new();
    std::io::stdin().lock().read_line(&mut line).map_err(|e| {
        CliError::Input(format!("cannot read the password from standard input: {e}"))
    })?;
    let password = line.trim_end_matches(['\n', '\r']).to_string();
    if password.is_empty() {
        return Err(CliError::Input(
            "no password on standard input (pipe it in, e.g. `echo \"$PW\" | intake ...`)".into(),
        ));
    }
    Ok(password)
}

/// Opens the database chosen by `--database`, `INTAKE_DESK_DATABASE`, the data folder's
/// intake-desk.conf, or else the data folder's own file.
fn open(args_dir: Option<std::path::PathBuf>, database: Option<&str>) -> Result<Api, CliError> {
    let dir = DataDir::from_env(args_dir)?;
    open_dir(&dir, database)
}

/// Opens the chosen database, telling stderr what could not be made private.
fn open_dir(dir: &DataDir, database: Option<&str>) -> Result<Api, CliError> {
    let chosen = dir.database_from_env(database)?;
    let api = Api::open_database(dir, &chosen, Arc::new(SystemClock))?;
    for warning in api.open_warnings() {
        eprintln!("intake: warning: {warning}");
    }
    Ok(api)
}

pub fn run(args: Args) -> Result<(), CliError> {
    let user = os_user();
    let caller = Caller::Cli(&user);
    let db = args.database.as_deref();
    match args.command {
        Command::Init {
            admin,
            display_name,
            password_stdin: _,
        } => {
            let password = password_from_stdin()?;
            let dir = DataDir::from_env(args.data_dir)?;
            let api = open_dir(&dir, db)?;
            let created = api.create_first_admin(Some(caller), &admin, &display_name, &password)?;
            outln!(
                "Initialised {} with administrator {:?}.",
                dir.database_path().display(),
                created.username
            )?;
            Ok(())
        }
        Command::Db(cmd) => crate::db::run(&DataDir::from_env(args.data_dir)?, db, caller, cmd),
        Command::User(cmd) => user_command(&open(args.data_dir, db)?, caller, cmd),
        Command::Audit(cmd) => audit_command(&open(args.data_dir, db)?, caller, cmd),
        Command::Settings(cmd) => settings_command(&open(args.data_dir, db)?, caller, cmd),
        Command::Patient(cmd) => patients::run(&open(args.data_dir, db)?, caller, cmd),
        Command::Template(cmd) => templates::run(&open(args.data_dir, db)?, caller, cmd),
        Command::Encounter(cmd) => encounters::run(&open(args.data_dir, db)?, caller, cmd),
        Command::Report(cmd) => reports::run(&open(args.data_dir, db)?, caller, cmd),
        Command::Export(cmd) => exports::run(&open(args.data_dir, db)?, caller, cmd),
        Command::Verify { anchor } => verify(&open(args.data_dir, db)?, caller, anchor.as_deref()),
        Command::Backup { out } => {
            let made = open(args.data_dir, db)?.backup(caller, &out)?;
            let head = made.head.map_or_else(
                || "no audit entries yet".to_string(),
                |h| format!("chain head {h}"),
            );
            outln!(
                "Backed up to {} ({} bytes) and checked: audit log intact ({} entries, {head}); {} signed records are as signed.",
                made.path,
                made.bytes,
                made.audit_entries,
                made.records_checked
            )
        }
        Command::Restore { file } => {
            let dir = DataDir::from_env(args.data_dir)?;
            let chosen = dir.database_from_env(db)?;
            let done = Api::restore(&dir, &chosen, &file, caller, Arc::new(SystemClock))?;
            let restored = &done.restored;
            let head = restored.head.as_ref().map_or_else(
                || "no audit entries".to_string(),
                |h| format!("chain head {h}"),
            );
            outln!(
                "Checked {}: audit log intact ({} entries, {head}); {} signed records are as signed.",
                restored.path,
                restored.audit_entries,
                restored.records_checked
            )?;
            match (
                &done.kept_aside,
                &done.previous_head,
                &done.previous_unreadable,
            ) {
                (Some(aside), _, Some(why)) => outln!(
                    "The database it replaces could not be read ({why}); it is kept as {aside}."
                )?,
                (Some(aside), Some(before), None) => {
                    outln!("The database it replaces (chain head {before}) is kept as {aside}.")?
                }
                (Some(aside), None, None) => {
                    outln!("The database it replaces (no audit entries) is kept as {aside}.")?
                }
                (None, ..) => outln!("There was no database here before.")?,
            }
            outln!(
                "Restored {}; the audit log records the restore.",
                dir.database_path().display()
            )
        }
        Command::SeedDemo => {
            let seeded = intake_demo::seed_demo(&open(args.data_dir, db)?, caller)?;
            outln!("Demo accounts (password {:?}):", seeded.password)?;
            for u in &seeded.users {
                let state = if u.created {
                    "created"
                } else {
                    "already there"
                };
                outln!("  {:<10} {:<10} {state}", u.username, u.role)?;
            }
            if seeded.patients > 0 {
                outln!(
                    "Added {} demo patients with {} earlier visits: {} signed by physician \
                     ({} of them amended), {} waiting for review.",
                    seeded.patients,
                    seeded.visits,
                    seeded.signed,
                    seeded.amended,
                    seeded.waiting
                )?;
            }
            Ok(())
        }
        Command::SeedSynthetic { patients, seed } => {
            let started = std::time::Instant::now();
            let added =
                intake_demo::seed_synthetic(&open(args.data_dir, db)?, caller, patients, seed)?;
            outln!(
                "Added {added} synthetic patients (seed {seed}) in {:.1} s.",
                started.elapsed().as_secs_f64()
            )?;
            Ok(())
        }
    }
}

fn user_command(api: &Api, caller: Caller<'_>, cmd: UserCommand) -> Result<(), CliError> {
    match cmd {
        UserCommand::Add {
            name,
            role,
            display_name,
            password_stdin: _,
        } => {
            let password = password_from_stdin()?;
            let created = api.create_user(
                caller,
                &NewUserRequest {
                    username: name,
                    display_name,
                    role: role.as_str().into(),
                    password,
                },
            )?;
            outln!(
                "Added {} ({}); the password is temporary and must be changed at first sign-in.",
                created.username,
                created.role
            )?;
        }
        UserCommand::List { json } => {
            let users = api.list_users(caller)?;
            if json {
                output::json(&users)?;
            } else {
                let rows: Vec<Vec<String>> = users
                    .iter()
                    .map(|u| {
                        vec![
                            u.username.clone(),
                            u.role.clone(),
                            if u.active { "active" } else { "disabled" }.into(),
                            u.display_name.clone(),
                        ]
                    })
                    .collect();
                output::table(&["USER", "ROLE", "STATUS", "NAME"], &rows)?;
            }
        }
        UserCommand::Disable { name } => {
            let user = api.set_user_active(caller, &name, false)?;
            outln!("Disabled {}.", user.username)?;
        }
        UserCommand::Enable { name } => {
            let user = api.set_user_active(caller, &name, true)?;
            outln!("Enabled {}.", user.username)?;
        }
    }
    Ok(())
}

fn audit_command(api: &Api, caller: Caller<'_>, cmd: AuditCommand) -> Result<(), CliError> {
    match cmd {
        AuditCommand::Verify => {
            let verdict = api.verify_audit(caller)?;
            if verdict.intact {
                outln!("Audit log intact: {} entries verified.", verdict.entries)?;
                Ok(())
            } else {
                Err(CliError::Input(format!(
                    "audit log BROKEN at {}",
                    verdict.reason.unwrap_or_default()
                )))
            }
        }
        AuditCommand::Anchor => match api.audit_anchor(caller)? {
            Some(anchor) => outln!("{anchor}"),
            None => Err(CliError::Input(
                "the audit log is empty: nothing to anchor".into(),
            )),
        },
        AuditCommand::List {
            limit,
            patient,
            json,
        } => {
            let filter = AuditFilterDto {
                limit: Some(limit),
                patient_mrn: patient,
                ..Default::default()
            };
            let entries = api.list_audit(caller, &filter)?;
            if json {
                return output::json(&entries);
            }
            let rows: Vec<Vec<String>> = entries
                .iter()
                .map(|e| {
                    vec![
                        e.seq.to_string(),
                        e.at.clone(),
                        e.actor.clone(),
                        e.action.clone(),
                        format!("{}:{}", e.entity, e.entity_id.as_deref().unwrap_or("-")),
                        e.detail.to_string(),
                    ]
                })
                .collect();
            output::table(&["SEQ", "AT", "ACTOR", "ACTION", "ENTITY", "DETAIL"], &rows)?;
            Ok(())
        }
    }
}

fn settings_command(api: &Api, caller: Caller<'_>, cmd: SettingsCommand) -> Result<(), CliError> {
    let settings = match cmd {
        SettingsCommand::Get { json: true } => return output::json(&api.get_settings(caller)?),
        SettingsCommand::Get { json: false } => api.get_settings(caller)?,
        SettingsCommand::Set {
            session_timeout,
            clinic_name,
            date_order,
            paper_size,
            time_zone,
            hour_cycle,
            backup_folder,
            backup_keep,
        } => {
            if session_timeout.is_none()
                && clinic_name.is_none()
                && date_order.is_none()
                && paper_size.is_none()
                && time_zone.is_none()
                && hour_cycle.is_none()
                && backup_folder.is_none()
                && backup_keep.is_none()
            {
                return Err(CliError::Input(
                    "nothing to set: give --session-timeout, --clinic-name, --date-order, --paper-size, --time-zone, --hour-cycle, --backup-folder or --backup-keep".into(),
                ));
            }
            api.update_settings(
                caller,
                &SettingsUpdate {
                    session_timeout_seconds: session_timeout,
                    clinic_name,
                    date_order,
                    paper_size,
                    time_zone,
                    hour_cycle,
                    review_thresholds: None,
                    backup_folder,
                    backup_keep,
                },
            )?
        }
    };
    outln!("session-timeout  {} s", settings.session_timeout_seconds)?;
    outln!("clinic-name      {}", settings.clinic_name)?;
    outln!("date-order       {}", settings.date_order)?;
    outln!("paper-size       {}", settings.paper_size)?;
    let zone = match (settings.time_zone.as_str(), settings.time_zone_set) {
        ("", _) => "the workstation's (unnamed)".to_string(),
        (name, true) => name.to_string(),
        (name, false) => format!("{name} (the workstation's)"),
    };
    outln!("time-zone        {zone}")?;
    outln!("hour-cycle       {}", settings.hour_cycle)?;
    let folder = match settings.backup_folder.as_str() {
        "" => "off (no daily backup)",
        folder => folder,
    };
    outln!("backup-folder    {folder}")?;
    outln!("backup-keep      {}", settings.backup_keep)?;
    Ok(())
}

/// `intake verify`: the chain, the anchor if given, then every signed record.
fn verify(api: &Api, caller: Caller<'_>, anchor: Option<&str>) -> Result<(), CliError> {
    let chain = api.verify_audit(caller)?;
    if !chain.intact {
        return Err(CliError::Input(format!(
            "audit log BROKEN at {}",
            chain.reason.unwrap_or_default()
        )));
    }
    if let Some(text) = anchor {
        let anchor: intake_api::wire::AnchorDto = text
            .parse()
            .map_err(|e: intake_api::wire::AnchorParseError| CliError::Input(e.to_string()))?;
        if let Some(why) = api.check_anchor(caller, &anchor)? {
            return Err(CliError::Input(format!(
                "audit log does not hold anchor {anchor}: {why}"
            )));
        }
    }
    let records = api.verify_records(caller)?;
    if let Some(m) = records.mismatch {
        return Err(CliError::Input(format!(
            "visit {} (MRN {}) differs from what was signed: {}",
            m.encounter_id, m.mrn, m.what
        )));
    }
    outln!(
        "Verified: audit log intact ({} entries){}; {} signed records are as signed.",
        chain.entries,
        if anchor.is_some() {
            ", anchor held"
        } else {
            ""
        },
        records.checked
    )
}
