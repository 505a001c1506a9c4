//! The command line's shape (clap).

use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};

#[derive(Debug, Parser)]
#[command(name = "intake", version, about = "Intake Desk from the command line")]
pub struct Args {
    /// The data folder (default: $INTAKE_DESK_DATA_DIR, else ~/.local/share/intake-desk).
    #[arg(long, global = true, value_name = "DIR")]
    pub data_dir: Option<PathBuf>,

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
    /// Manage user accounts.
    #[command(subcommand)]
    User(UserCommand),
    /// Read and check the audit log.
    #[command(subcommand)]
    Audit(AuditCommand),
    /// Read or change clinic settings.
    #[command(subcommand)]
    Settings(SettingsCommand),
    /// Add demo accounts (nurse, physician, admin; password "demo") and print them.
    SeedDemo,
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
    /// List entries, newest first.
    List {
        #[arg(long, default_value_t = 50)]
        limit: u32,
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
    },
}
