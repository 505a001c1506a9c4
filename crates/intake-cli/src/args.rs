//! The command line's shape (clap).

use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};

#[derive(Debug, Parser)]
#[command(name = "intake", version, about = "Intake Desk from the command line")]
pub struct Args {
    /// The data folder (default: $INTAKE_DESK_DATA_DIR, else ~/.local/share/intake-desk).
    #[arg(long, global = true, value_name = "DIR")]
    pub data_dir: Option<PathBuf>,

    /// The clinic server (postgresql://user@host/database?sslmode=verify-full&sslrootcert=...),
    /// instead of $INTAKE_DESK_DATABASE, the data folder's intake-desk.conf or its own
    /// intake.db. Never a password here: PGPASSWORD or ~/.pgpass.
    #[arg(long, global = true, value_name = "URL")]
    pub database: Option<String>,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Create the database and its first administrator.
    Init {
        /// The administrator's user name.
        #[arg(long, value_name = "NAME")]
        admin: String,
        /// The administrator's full name, as screens show it.
        #[arg(long, value_name = "TEXT", default_value = "")]
        display_name: String,
        /// Read the password from the first line of standard input.
        #[arg(long, required = true)]
        password_stdin: bool,
    },
    /// Set up, migrate and choose the clinic server (PostgreSQL).
    #[command(subcommand)]
    Db(DbCommand),
    /// Manage user accounts.
    #[command(subcommand)]
    User(UserCommand),
    /// Read and check the audit log.
    #[command(subcommand)]
    Audit(AuditCommand),
    /// Read or change clinic settings.
    #[command(subcommand)]
    Settings(SettingsCommand),
    /// Register, find, show and import patients.
    #[command(subcommand)]
    Patient(PatientCommand),
    /// Import, list, activate, retire and export form templates (FHIR R4 Questionnaires).
    #[command(subcommand)]
    Template(TemplateCommand),
    /// List intakes and show one with every answer (read-only).
    #[command(subcommand)]
    Encounter(EncounterCommand),
    /// Reports over the submitted intakes (read-only).
    #[command(subcommand)]
    Report(ReportCommand),
    /// Export visit summaries as PDF files.
    #[command(subcommand)]
    Export(ExportCommand),
    /// Check that the record is what was signed: the audit chain, and for every signed
    /// visit its record, its signature and the signature's audit entry; exit 1 naming the
    /// first mismatch.
    Verify {
        /// An audit-chain head kept earlier (`intake audit anchor`): also fail when the
        /// log no longer holds it (cut or rewritten).
        #[arg(long, value_name = "SEQ:HASH")]
        anchor: Option<String>,
    },
    /// Copy this workstation's database to a new file while the app may run, then check
    /// the copy (integrity, the audit chain, every signed record) and log the backup with
    /// the chain head it holds. A clinic server is backed up with pg_dump instead.
    Backup {
        /// The backup file to make (its folder must exist; an existing file is never
        /// replaced).
        #[arg(long, value_name = "FILE")]
        out: std::path::PathBuf,
    },
    /// Put a backup back as this workstation's database, with the app closed. The backup
    /// is checked first (integrity, the audit chain, every signed record; a newer
    /// version's or another program's file is refused); the current database is kept
    /// beside it as intake.db.before-restore-<time>, and the log records the restore.
    Restore {
        /// The backup file (as `intake backup --out` or the app's daily backup made it).
        #[arg(value_name = "FILE")]
        file: std::path::PathBuf,
    },
    /// Add demo accounts (nurse, physician, admin; password "demo") and about 200 demo
    /// patients, and print the accounts.
    SeedDemo,
    /// Add reproducible synthetic patients, for benchmarks.
    SeedSynthetic {
        #[arg(long, value_name = "N")]
        patients: u64,
        #[arg(long, value_name = "S", default_value_t = 1)]
        seed: u64,
    },
}

#[derive(Debug, Subcommand)]
pub enum PatientCommand {
    /// Register a patient and print the MRN; refuses a likely duplicate unless
    /// --allow-duplicate gives a reason.
    Add {
        #[arg(long)]
        family: String,
        #[arg(long, default_value = "")]
        given: String,
        #[arg(long, value_name = "YYYY-MM-DD")]
        birth_date: String,
        #[arg(long, value_name = "female|male|other|unknown")]
        sex: String,
        #[arg(long, default_value = "")]
        phone: String,
        #[arg(long, default_value = "")]
        email: String,
        /// The clinic's own MRN (default: the next generated one).
        #[arg(long, default_value = "")]
        mrn: String,
        #[arg(long, value_name = "REASON")]
        allow_duplicate: Option<String>,
    },
    /// Search by name fragments, date of birth, MRN or phone digits.
    Find {
        query: String,
        #[arg(long)]
        json: bool,
    },
    /// Show one patient by MRN.
    Show {
        mrn: String,
        #[arg(long)]
        json: bool,
    },
    /// Merge a duplicate chart into the chart that stays (administrators): the surviving
    /// chart then shows the visits and MRNs of both; the merge can be undone the same day.
    Merge {
        /// The chart that stays: its MRN (with or without the dash) or id.
        #[arg(long, value_name = "MRN or ID")]
        into: String,
        /// The duplicate chart merged into it: its MRN or id.
        #[arg(value_name = "MRN or ID")]
        merged: String,
        /// Why these charts are one person (kept in the audit log).
        #[arg(long)]
        reason: String,
    },
    /// Undo the merge of a chart (administrators, the same day it was merged).
    Unmerge {
        /// The chart that was merged into another: its MRN or id.
        #[arg(value_name = "MRN or ID")]
        merged: String,
    },
    /// Import patients from a CSV file (header: mrn,family,given,birth_date,sex,phone,
    /// email,address_line,city,postal_code,country,language,emergency_name,
    /// emergency_relationship,emergency_phone,notes).
    Import {
        file: PathBuf,
        /// Check every row and report, importing nothing.
        #[arg(long)]
        dry_run: bool,
        /// Import the valid rows even if some are rejected.
        #[arg(long)]
        skip_invalid: bool,
    },
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum RoleArg {
    Nurse,
    Physician,
    Admin,
}

impl RoleArg {
    pub fn as_str(self) -> &'static str {
        match self {
            RoleArg::Nurse => "nurse",
            RoleArg::Physician => "physician",
            RoleArg::Admin => "admin",
        }
    }
}

#[derive(Debug, Subcommand)]
pub enum DbCommand {
    /// Set up a new clinic server, with --database naming it as the schema's owner role:
    /// the schema, the app role's grants, and the first administrator.
    Init {
        /// The role the workstations connect as (made beforehand with CREATE ROLE).
        #[arg(long, value_name = "ROLE", default_value = "intake_app")]
        app_role: String,
        /// The first administrator's user name (leave it out to move a workstation's
        /// clinic here with `intake db copy`, which brings the users).
        #[arg(long, value_name = "NAME", requires = "password_stdin")]
        admin: Option<String>,
        /// The administrator's full name, as screens show it.
        #[arg(long, value_name = "TEXT", default_value = "", requires = "admin")]
        display_name: String,
        /// Read the administrator's password from the first line of standard input.
        #[arg(long, requires = "admin")]
        password_stdin: bool,
    },
    /// Bring the server's schema up to date after installing a newer Intake Desk, with
    /// --database naming it as the schema's owner role.
    Migrate,
    /// Move this workstation's clinic (its own database file) onto a new server set up by
    /// `intake db init` without --admin: everything but open sign-ins, checked on the
    /// server before it commits, all or nothing; the file then refuses every write.
    Copy {
        /// The server, as the schema's owner role (the password from PGPASSWORD or
        /// ~/.pgpass).
        #[arg(long, value_name = "URL")]
        to: String,
    },
    /// Make this workstation use the clinic server at URL (checked first), or with
    /// --local its own database file again; written to the data folder's intake-desk.conf.
    Use {
        #[arg(
            value_name = "URL",
            required_unless_present = "local",
            conflicts_with = "local"
        )]
        url: Option<String>,
        #[arg(long)]
        local: bool,
    },
    /// Say which database this workstation uses, and its state.
    Status,
}

#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Add a user with a temporary password (changed at first sign-in).
    Add {
        name: String,
        #[arg(long)]
        role: RoleArg,
        #[arg(long, value_name = "TEXT", default_value = "")]
        display_name: String,
        /// Read the temporary password from the first line of standard input.
        #[arg(long, required = true)]
        password_stdin: bool,
    },
    /// List users.
    List {
        #[arg(long)]
        json: bool,
    },
    /// Stop a user from signing in (ends their sessions).
    Disable { name: String },
    /// Let a disabled user sign in again.
    Enable { name: String },
}

#[derive(Debug, Subcommand)]
pub enum AuditCommand {
    /// Walk the hash chain; exit 1 and name the first broken entry if it was tampered with.
    Verify,
    /// Print the chain's head as SEQ:HASH, to keep outside the database (for `intake
    /// verify --anchor`).
    Anchor,
    /// List entries, newest first.
    List {
        #[arg(long, default_value_t = 50)]
        limit: u32,
        /// Only entries about this patient: who saw or changed the chart.
        #[arg(long, value_name = "MRN")]
        patient: Option<String>,
        #[arg(long)]
        json: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum SettingsCommand {
    /// Print the settings.
    Get {
        #[arg(long)]
        json: bool,
    },
    /// Change settings.
    Set {
        /// Lock the screen after this many seconds without activity (5 to 43200).
        #[arg(long, value_name = "SECONDS")]
        session_timeout: Option<i64>,
        /// The clinic's name, printed on screens and summaries.
        #[arg(long, value_name = "TEXT")]
        clinic_name: Option<String>,
        /// How dates are typed besides ISO: dmy (07.03.1984) or mdy (03/07/1984).
        #[arg(long, value_name = "dmy|mdy")]
        date_order: Option<String>,
        /// The paper PDF summaries are printed on: a4 or letter.
        #[arg(long, value_name = "a4|letter")]
        paper_size: Option<String>,
        /// The clinic's time zone, an IANA name such as America/New_York ("" for the
        /// workstation's): where its days begin and end.
        #[arg(long, value_name = "ZONE")]
        time_zone: Option<String>,
        /// How the screens write times: 12 or 24 hours.
        #[arg(long, value_name = "12|24")]
        hour_cycle: Option<String>,
        /// The folder of the app's daily backup (a whole path; "" turns it off); the
        /// first backup is made at once.
        #[arg(long, value_name = "FOLDER")]
        backup_folder: Option<String>,
        /// How many daily backups to keep (1 to 365).
        #[arg(long, value_name = "N")]
        backup_keep: Option<i64>,
    },
}

#[derive(Debug, Subcommand)]
pub enum TemplateCommand {
    /// Import a Questionnaire JSON file as a draft template and print its report.
    Import {
        file: PathBuf,
        #[arg(long)]
        json: bool,
    },
    /// List templates.
    List {
        #[arg(long)]
        json: bool,
    },
    /// Make a template version the one intake uses.
    Activate {
        slug: String,
        #[arg(long)]
        version: String,
    },
    /// Stop offering a template version for new intakes.
    Retire {
        slug: String,
        #[arg(long)]
        version: String,
    },
    /// Write a template version's original JSON, byte for byte, to standard output.
    Export {
        slug: String,
        #[arg(long)]
        version: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum EncounterCommand {
    /// List intakes, newest first.
    List {
        /// Only this patient's.
        #[arg(long, value_name = "MRN")]
        patient: Option<String>,
        /// Only with this status (draft, submitted, signed, amended, entered_in_error).
        #[arg(long, value_name = "S")]
        status: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// Show one intake with every answer, its source, author and time, and where a
    /// carried value came from.
    Show {
        id: i64,
        #[arg(long)]
        json: bool,
    },
    /// Show what a new intake for this patient would start with (carried from earlier
    /// visits, from the record, initial values), saving nothing.
    Plan {
        #[arg(long, value_name = "MRN")]
        patient: String,
        /// The form (default: the general adult intake, its newest active version).
        #[arg(long, value_name = "SLUG")]
        template: Option<String>,
        #[arg(long, value_name = "V")]
        version: Option<String>,
        #[arg(long)]
        json: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum ReportCommand {
    /// Per week, the answers carried unchanged, carried and edited, typed and pre-filled,
    /// and the median minutes from start to submission, for the intakes submitted from
    /// --from to --to (both days included, UTC days, at most 5 years).
    Outcomes {
        #[arg(long, value_name = "YYYY-MM-DD")]
        from: String,
        #[arg(long, value_name = "YYYY-MM-DD")]
        to: String,
        /// Print `{ from, to, weeks, encounters, total }` as JSON.
        #[arg(long)]
        json: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum ExportCommand {
    /// One visit (--encounter ID --out FILE), or every visit started from --from to --to
    /// (both days included) with the given statuses into a folder (--out DIR), with a
    /// manifest.csv; files already there with the same record are skipped.
    Pdf {
        #[arg(long, value_name = "ID", conflicts_with_all = ["from", "to", "status"])]
        encounter: Option<i64>,
        #[arg(long, value_name = "YYYY-MM-DD", requires = "to")]
        from: Option<String>,
        #[arg(long, value_name = "YYYY-MM-DD", requires = "from")]
        to: Option<String>,
        /// Comma-separated statuses (default signed,amended).
        #[arg(long, value_name = "S,S", value_delimiter = ',')]
        status: Vec<String>,
        /// The file (one visit) or the folder (a range).
        #[arg(long, value_name = "PATH")]
        out: PathBuf,
    },
}
