//! Where the database lives: `--data-dir`, else `INTAKE_DESK_DATA_DIR`, else the
//! platform's data folder (`$XDG_DATA_HOME/intake-desk`, normally
//! `~/.local/share/intake-desk`). The desktop app and the CLI resolve it the same way.

use std::ffi::OsString;
use std::fs;
use std::path::{Path, PathBuf};

use crate::ApiError;

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
