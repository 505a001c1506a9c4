//! Where the database lives: `--data-dir`, else `INTAKE_DESK_DATA_DIR`, else the
//! platform's data folder (`$XDG_DATA_HOME/intake-desk`, normally
//! `~/.local/share/intake-desk`). The desktop app and the CLI resolve it the same way.
//!
//! Patient data is private to its OS user: every open (not only the first) makes the
//! folder `0700` and the database files (`intake.db`, `-wal`, `-shm`) `0600`
//! ([`DataDir::restrict_permissions`]); what cannot be changed is returned as a warning
//! for the front end to show (the CLI on stderr, the app in its log).

use std::ffi::OsString;
use std::fs;
use std::path::{Path, PathBuf};

use crate::ApiError;

mod database;
mod lock;
pub use database::{Database, CONFIG_FILE, DATABASE_ENV};
pub use lock::{FolderLock, APP_LOCK, DATABASE_LOCK};

/// The environment variable that overrides the data folder.
pub const ENV_VAR: &str = "INTAKE_DESK_DATA_DIR";
/// The database file's name inside the data folder.
pub const DATABASE_FILE: &str = "intake.db";

/// A resolved data folder (it may not exist yet).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DataDir {
    path: PathBuf,
}

impl DataDir {
    /// Resolves the folder from a command-line flag and the environment variable's
    /// value, in that order of precedence.
    pub fn resolve(flag: Option<PathBuf>, env: Option<OsString>) -> Result<DataDir, ApiError> {
        if let Some(path) = flag.filter(|p| !p.as_os_str().is_empty()) {
            return Ok(DataDir { path });
        }
        if let Some(path) = env.filter(|p| !p.is_empty()) {
            return Ok(DataDir {
                path: PathBuf::from(path),
            });
        }
        dirs::data_dir()
            .map(|base| DataDir {
                path: base.join("intake-desk"),
            })
            .ok_or_else(|| {
                ApiError::Internal(format!(
                    "cannot find a data folder for this user (no HOME?); set {ENV_VAR} or pass --data-dir"
                ))
            })
    }

    /// Resolves from the flag and the real environment.
    pub fn from_env(flag: Option<PathBuf>) -> Result<DataDir, ApiError> {
        DataDir::resolve(flag, std::env::var_os(ENV_VAR))
    }

    pub fn at(path: impl Into<PathBuf>) -> DataDir {
        DataDir { path: path.into() }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn database_path(&self) -> PathBuf {
        self.path.join(DATABASE_FILE)
    }

    /// Makes the folder `0700` and each database file that exists `0600`, whatever
    /// they were (a folder made by hand, a copy, a umask of 022). Answers one warning
    /// per folder or file whose mode could not be changed; nothing is refused, as a
    /// clinic must still reach its records.
    pub fn restrict_permissions(&self) -> Vec<String> {
        let mut warnings = Vec::new();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let db = self.database_path();
            let mut wanted = vec![(self.path.clone(), 0o700)];
            for suffix in ["", "-wal", "-shm"] {
                let mut name = db.clone().into_os_string();
                name.push(suffix);
                wanted.push((PathBuf::from(name), 0o600));
            }
            for (path, mode) in wanted {
                let Ok(meta) = fs::symlink_metadata(&path) else {
                    continue; // not there (yet): nothing to restrict
                };
                if meta.file_type().is_symlink() || meta.permissions().mode() & 0o777 == mode {
                    continue;
                }
                if let Err(e) = fs::set_permissions(&path, fs::Permissions::from_mode(mode)) {
                    warnings.push(format!(
                        "cannot make {} private (mode {mode:o}; it is {:o}): {e}; other \
                         accounts on this computer may be able to read patient data",
                        path.display(),
                        meta.permissions().mode() & 0o777
                    ));
                }
            }
        }
        warnings
    }

    /// Creates the folder if needed and checks that it is a writable folder.
    pub fn prepare(&self) -> Result<(), ApiError> {
        let shown = self.path.display();
        if self.path.exists() && !self.path.is_dir() {
            return Err(ApiError::Internal(format!(
                "the data folder {shown} is a file, not a folder; pass another --data-dir"
            )));
        }
        let mut builder = fs::DirBuilder::new();
        builder.recursive(true);
        // Patient data: a folder this app creates is readable by its OS user only.
        #[cfg(unix)]
        std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
        builder.create(&self.path).map_err(|e| {
            ApiError::Internal(format!("cannot create the data folder {shown}: {e}"))
        })?;
        let probe = self.path.join(".intake-desk-write-test");
        fs::write(&probe, b"")
            .and_then(|()| fs::remove_file(&probe))
            .map_err(|e| {
                ApiError::Internal(format!("the data folder {shown} is not writable: {e}"))
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_flag_wins_over_the_environment() {
        let dir = DataDir::resolve(Some("/a".into()), Some("/b".into())).unwrap();
        assert_eq!(dir.path(), Path::new("/a"));
        let dir = DataDir::resolve(None, Some("/b".into())).unwrap();
        assert_eq!(dir.path(), Path::new("/b"));
        assert_eq!(dir.database_path(), Path::new("/b/intake.db"));
    }

    #[test]
    fn without_either_it_is_the_platform_data_folder() {
        let dir = DataDir::resolve(None, None).unwrap();
        assert!(
            dir.path().ends_with("intake-desk"),
            "{}",
            dir.path().display()
        );
    }

    #[cfg(unix)]
    #[test]
    fn a_new_data_folder_is_private_to_its_user() {
        use std::os::unix::fs::PermissionsExt;
        let tmp = tempfile::tempdir().unwrap();
        let dir = DataDir::at(tmp.path().join("intake-desk"));
        dir.prepare().unwrap();
        let mode = fs::metadata(dir.path()).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o700, "other OS users cannot read patient data");
    }

    #[cfg(unix)]
    #[test]
    fn an_open_makes_an_existing_folder_and_database_private_again() {
        use std::os::unix::fs::PermissionsExt;
        let tmp = tempfile::tempdir().unwrap();
        let dir = DataDir::at(tmp.path().join("intake-desk"));
        let clock = std::sync::Arc::new(crate::SystemClock);
        drop(crate::Api::open(&dir, clock.clone()).expect("a new database"));
        let set = |path: &Path, mode: u32| {
            fs::set_permissions(path, fs::Permissions::from_mode(mode)).expect("chmod");
        };
        set(dir.path(), 0o755);
        set(&dir.database_path(), 0o644);
        let api = crate::Api::open(&dir, clock).expect("the database opens again");
        let mode = |path: &Path| fs::metadata(path).unwrap().permissions().mode() & 0o777;
        assert_eq!(
            mode(dir.path()),
            0o700,
            "a 0755 data folder is private again after an open"
        );
        assert_eq!(
            mode(&dir.database_path()),
            0o600,
            "a 0644 intake.db is private again after an open"
        );
        let wal = dir.path().join("intake.db-wal");
        if wal.exists() {
            assert_eq!(mode(&wal), 0o600, "the write-ahead log is private too");
        }
        assert!(
            api.open_warnings().is_empty(),
            "nothing to warn about: {:?}",
            api.open_warnings()
        );
    }

    #[test]
    fn a_file_is_not_a_data_folder() {
        let tmp = tempfile::tempdir().unwrap();
        let file = tmp.path().join("file");
        fs::write(&file, "x").unwrap();
        let err = DataDir::at(&file).prepare().unwrap_err();
        assert!(err.to_string().contains("is a file"), "{err}");
        assert_eq!(
            fs::read_to_string(&file).unwrap(),
            "x",
            "the file is untouched"
        );
    }

    #[test]
    fn a_folder_that_cannot_be_created_is_named() {
        let tmp = tempfile::tempdir().unwrap();
        let file = tmp.path().join("file");
        fs::write(&file, "x").unwrap();
        let err = DataDir::at(file.join("sub")).prepare().unwrap_err();
        assert!(
            err.to_string().contains("cannot create the data folder"),
            "{err}"
        );
        assert!(
            err.to_string().contains("sub"),
            "the folder is named: {err}"
        );
    }
}
