//! The Intake Desk desktop shell.
//!
//! It opens the database through `intake-api`, registers the commands that
//! `command_list.rs` lists (defined in [`commands`]) and shows the web UI from `ui/`.
//! Only what a desktop alone can do belongs here; every rule is in the crates under
//! `crates/`, which know nothing of Tauri.

// Defines `with_commands!`, the one list of commands (also read by `build.rs`).
include!("command_list.rs");

pub mod closing;
pub mod commands;
pub mod dialogs;
pub mod error;

use std::ffi::OsString;
use std::path::PathBuf;
use std::sync::Arc;

use intake_api::{Api, DataDir, SystemClock};
use tauri::{Manager, Runtime};

/// How long a starting window waits for another on the same data folder to close.
const APP_LOCK_WAIT: std::time::Duration = std::time::Duration::from_secs(3);

/// The backend as the commands see it: the API, or why it could not start (the
/// first screen shows this instead of a blank window).
pub enum Backend {
    /// Boxed: the API is large beside a message.
    Ready(Box<Api>),
    Failed(String),
}

impl Backend {
    /// Takes the data folder's app lock (a second window on one folder is refused with
    /// why), then opens the database chosen by `--database`, `INTAKE_DESK_DATABASE` or the data
    /// folder's intake-desk.conf, else the file in the data folder (`--data-dir` or the
    /// environment).
    pub fn open(data_dir: Option<PathBuf>, database: Option<&str>) -> Backend {
        let opened = DataDir::from_env(data_dir).and_then(|dir| {
            dir.prepare()?;
            // One window per data folder; a window still closing gets a moment to go.
            let lock = dir.lock_app(APP_LOCK_WAIT)?;
            let chosen = dir.database_from_env(database)?;
            let mut api = Api::open_database(&dir, &chosen, Arc::new(SystemClock))?;
            api.hold(lock);
            Ok(api)
        });
        match opened {
            Ok(api) => {
                // The app's log is its standard error.
                for warning in api.open_warnings() {
                    eprintln!("intake-desk: warning: {warning}");
                }
                Backend::Ready(Box::new(api))
            }
            Err(e) => Backend::Failed(e.to_string()),
        }
    }
}

/// A command line the desktop app does not understand; the message says what is wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UsageError(pub String);

impl std::fmt::Display for UsageError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// The desktop app's command line.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Options {
    pub data_dir: Option<PathBuf>,
    /// The clinic server's address (`--database URL`).
    pub database: Option<String>,
    /// The end-to-end tests' answers to the file dialogs (see [`dialogs`]); only in a
    /// build with the `e2e` feature.
    #[cfg(feature = "e2e")]
    pub e2e_dialogs: Option<PathBuf>,
}

pub const USAGE: &str = "usage: intake-desk [--data-dir DIR] [--database URL]\n\
    \n\
    Opens Intake Desk. The data folder defaults to $INTAKE_DESK_DATA_DIR, else\n\
    ~/.local/share/intake-desk. The database is the clinic server at URL (else\n\
    $INTAKE_DESK_DATABASE, else the data folder's intake-desk.conf), else the data\n\
    folder's intake.db. Passwords come from PGPASSWORD or ~/.pgpass, never the URL.";

impl Options {
    /// Parses the arguments after the program name.
    pub fn parse(args: impl IntoIterator<Item = OsString>) -> Result<Options, UsageError> {
        let mut options = Options::default();
        let mut args = args.into_iter();
        while let Some(arg) = args.next() {
            match arg.to_str() {
                Some("--data-dir") => match args.next() {
                    Some(dir) => options.data_dir = Some(PathBuf::from(dir)),
                    None => return Err(UsageError("--data-dir needs a folder".into())),
                },
                Some(s) if s.starts_with("--data-dir=") => {
                    options.data_dir = Some(PathBuf::from(&s["--data-dir=".len()..]));
                }
                Some("--database") => match args.next().map(|u| u.into_string()) {
                    Some(Ok(url)) => options.database = Some(url),
                    Some(Err(_)) => return Err(UsageError("--database needs a UTF-8 URL".into())),
                    None => return Err(UsageError("--database needs the server's URL".into())),
                },
                Some(s) if s.starts_with("--database=") => {
                    options.database = Some(s["--database=".len()..].to_string());
                }
                #[cfg(feature = "e2e")]
                Some("--e2e-dialogs") => match args.next() {
                    Some(file) => options.e2e_dialogs = Some(PathBuf::from(file)),
                    None => return Err(UsageError("--e2e-dialogs needs a file".into())),
                },
                _ => return Err(UsageError(format!("unexpected argument {arg:?}"))),
            }
        }
        Ok(options)
    }
}

macro_rules! register_commands {
    ($($module:ident :: $command:ident),* $(,)?) => {
        tauri::generate_handler![$(commands::$module::$command),*]
    };
}

macro_rules! command_names {
    ($($module:ident :: $command:ident),* $(,)?) => {
        &[$(stringify!($command)),*]
    };
}

/// The name of every command the window may call, in the order of `command_list.rs`:
/// each is registered by [`builder`] and allowed by the `app-commands` permission set.
pub const COMMANDS: &[&str] = with_commands!(command_names);

/// Registers state and commands on a builder; the real app and the IPC tests share it.
pub fn builder<R: Runtime>(builder: tauri::Builder<R>, backend: Backend) -> tauri::Builder<R> {
    builder
        .manage(backend)
        .manage(commands::exports::ExportCancel::default())
        .manage(closing::CloseRequests::default())
        .on_window_event(closing::on_window_event)
        .plugin(tauri_plugin_dialog::init())
        .invoke_handler(with_commands!(register_commands))
}

/// The app's configuration, capabilities and embedded `ui/`.
pub fn context<R: Runtime>() -> tauri::Context<R> {
    tauri::generate_context!()
}

/// Opens the window and runs until it closes; then commits the audit entries of the last
/// reads (the process ends without dropping the API).
pub fn run(options: Options) -> Result<(), tauri::Error> {
    let builder = builder(
        tauri::Builder::default(),
        Backend::open(options.data_dir, options.database.as_deref()),
    );
    #[cfg(feature = "e2e")]
    let builder = builder.manage(dialogs::TestAnswers(options.e2e_dialogs));
    let app = builder.build(context())?;
    app.run(|handle, event| {
        if let tauri::RunEvent::Exit = event {
            if let Backend::Ready(api) = handle.state::<Backend>().inner() {
                if let Err(e) = api.flush_reads() {
                    eprintln!(
                        "intake-desk: the audit entries of the last reads were not written: {e}"
                    );
                }
            }
        }
    });
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(args: &[&str]) -> Result<Options, UsageError> {
        Options::parse(args.iter().map(OsString::from))
    }

    #[test]
    fn database_in_both_spellings() {
        let url = "postgresql://intake_app@db.clinic.lan/intake";
        assert_eq!(
            parse(&["--database", url]).unwrap().database.as_deref(),
            Some(url)
        );
        assert_eq!(
            parse(&[&format!("--database={url}")])
                .unwrap()
                .database
                .as_deref(),
            Some(url)
        );
        assert!(parse(&["--database"])
            .unwrap_err()
            .0
            .contains("needs the server's URL"));
    }

    #[test]
    fn data_dir_in_both_spellings() {
        let expected = Some(PathBuf::from("/tmp/x"));
        assert_eq!(parse(&["--data-dir", "/tmp/x"]).unwrap().data_dir, expected);
        assert_eq!(parse(&["--data-dir=/tmp/x"]).unwrap().data_dir, expected);
        assert_eq!(parse(&[]).unwrap(), Options::default());
    }

    #[test]
    fn the_dialog_seam_is_not_an_option_of_the_shipped_app() {
        let parsed = parse(&["--e2e-dialogs", "/tmp/answer"]);
        #[cfg(not(feature = "e2e"))]
        assert!(parsed.unwrap_err().0.contains("--e2e-dialogs"));
        #[cfg(feature = "e2e")]
        assert_eq!(
            parsed.unwrap().e2e_dialogs,
            Some(PathBuf::from("/tmp/answer"))
        );
    }

    #[test]
    fn unknown_or_incomplete_arguments_are_refused() {
        assert!(parse(&["--data-dir"])
            .unwrap_err()
            .0
            .contains("needs a folder"));
        assert!(parse(&["--frobnicate"])
            .unwrap_err()
            .0
            .contains("--frobnicate"));
    }
}
