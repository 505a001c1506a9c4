//! Which database a workstation uses: `--database URL` (app and CLI), else
//! `INTAKE_DESK_DATABASE`, else the `database = URL` line of the data folder's
//! `intake-desk.conf` (written by `intake db use`), else the folder's own `intake.db`.
//!
//! The address never holds a password (the store refuses one): the password comes from
//! `PGPASSWORD` or a `.pgpass` file, as libpq's tools take it.

use std::fs;
use std::path::PathBuf;

use intake_store::pg::PgConfig;

use super::DataDir;
use crate::ApiError;

/// The environment variable that names the clinic server.
pub const DATABASE_ENV: &str = "INTAKE_DESK_DATABASE";
/// The workstation's settings file inside the data folder.
pub const CONFIG_FILE: &str = "intake-desk.conf";

/// The database chosen for this run.
#[derive(Debug, Clone)]
pub enum Database {
    /// The data folder's SQLite file.
    File(PathBuf),
    /// The clinic server.
    Server(PgConfig),
}

impl Database {
    /// Where the data lives, for people: the file, or "clinic server db.clinic.lan".
    pub fn describe(&self) -> String {
        match self {
            Database::File(path) => path.display().to_string(),
            Database::Server(config) => config.describe(),
        }
    }
}

impl DataDir {
    /// The config file's path.
    pub fn config_path(&self) -> PathBuf {
        self.path().join(CONFIG_FILE)
    }

    /// Decides the database from the flag, the environment variable's value and the
    /// config file, in that order; else the folder's file.
    pub fn database(&self, flag: Option<&str>, env: Option<String>) -> Result<Database, ApiError> {
        if let Some(url) = flag.map(str::trim).filter(|u| !u.is_empty()) {
            return Ok(Database::Server(PgConfig::new(url)));
        }
        if let Some(url) = env.as_deref().map(str::trim).filter(|u| !u.is_empty()) {
            return Ok(Database::Server(PgConfig::new(url)));
        }
        if let Some(url) = self.config_entry("database")? {
            return Ok(Database::Server(PgConfig::new(url)));
        }
        Ok(Database::File(self.database_path()))
    }

    /// [`DataDir::database`] with the real environment.
    pub fn database_from_env(&self, flag: Option<&str>) -> Result<Database, ApiError> {
        self.database(flag, std::env::var(DATABASE_ENV).ok())
    }

    /// The value of `key` in the config file, if the file and the key are there.
    pub fn config_entry(&self, key: &str) -> Result<Option<String>, ApiError> {
        // A folder that is not one (yet) has no config file: opening it says why.
        if !self.path().is_dir() {
            return Ok(None);
        }
        let path = self.config_path();
        let text = match fs::read_to_string(&path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => {
                return Err(ApiError::Internal(format!(
                    "cannot read {}: {e}",
                    path.display()
                )))
            }
        };
        for (n, line) in text.lines().enumerate() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let Some((k, v)) = line.split_once('=') else {
                return Err(ApiError::Internal(format!(
                    "{} line {}: expected `key = value`, found {line:?}",
                    path.display(),
                    n + 1
                )));
            };
            if k.trim() == key {
                return Ok(Some(v.trim().to_string()).filter(|v| !v.is_empty()));
            }
        }
        Ok(None)
    }

    /// Sets (or, with `None`, removes) `key` in the config file, keeping its other
    /// lines and comments; the file is written whole, then renamed into place.
    pub fn set_config_entry(&self, key: &str, value: Option<&str>) -> Result<(), ApiError> {
        self.prepare()?;
        let path = self.config_path();
        let old = match fs::read_to_string(&path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                "# Intake Desk on this workstation (intake db use writes `database`).\n".into()
            }
            Err(e) => {
                return Err(ApiError::Internal(format!(
                    "cannot read {}: {e}",
                    path.display()
                )))
            }
        };
        let mut lines: Vec<String> = old
            .lines()
            .filter(|l| l.split_once('=').map(|(k, _)| k.trim()) != Some(key))
            .map(str::to_string)
            .collect();
        if let Some(value) = value {
            lines.push(format!("{key} = {value}"));
        }
        let text = lines.join("\n") + "\n";
        let temp = path.with_extension("conf.new");
        fs::write(&temp, text)
            .and_then(|()| fs::rename(&temp, &path))
            .map_err(|e| ApiError::Internal(format!("cannot write {}: {e}", path.display())))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chosen(dir: &DataDir, flag: Option<&str>, env: Option<&str>) -> String {
        match dir.database(flag, env.map(str::to_string)).unwrap() {
            Database::File(p) => format!("file {}", p.display()),
            Database::Server(c) => format!("server {}", c.url),
        }
    }

    #[test]
    fn the_flag_then_the_environment_then_the_config_file_then_the_folders_file() {
        let temp = tempfile::tempdir().unwrap();
        let dir = DataDir::at(temp.path());
        let file = format!("file {}", temp.path().join("intake.db").display());
        assert_eq!(chosen(&dir, None, None), file);
        dir.set_config_entry("database", Some("postgresql://desk@db.clinic.lan/intake"))
            .unwrap();
        assert_eq!(
            chosen(&dir, None, None),
            "server postgresql://desk@db.clinic.lan/intake"
        );
        assert_eq!(
            chosen(&dir, None, Some("host=env.lan user=desk")),
            "server host=env.lan user=desk"
        );
        assert_eq!(
            chosen(
                &dir,
                Some("host=flag.lan user=desk"),
                Some("host=env.lan user=desk")
            ),
            "server host=flag.lan user=desk"
        );
        // An empty flag or variable counts as none.
        assert_eq!(
            chosen(&dir, Some(" "), Some("")),
            "server postgresql://desk@db.clinic.lan/intake"
        );
        dir.set_config_entry("database", None).unwrap();
        assert_eq!(chosen(&dir, None, None), file);
    }

    #[test]
    fn the_config_file_keeps_its_other_lines_and_names_a_bad_one() {
        let temp = tempfile::tempdir().unwrap();
        let dir = DataDir::at(temp.path());
        fs::write(dir.config_path(), "# kept\nprinter = front desk\n").unwrap();
        dir.set_config_entry("database", Some("host=a user=b"))
            .unwrap();
        dir.set_config_entry("database", Some("host=c user=d"))
            .unwrap();
        let text = fs::read_to_string(dir.config_path()).unwrap();
        assert_eq!(
            text,
            "# kept\nprinter = front desk\ndatabase = host=c user=d\n"
        );
        assert_eq!(
            dir.config_entry("printer").unwrap().as_deref(),
            Some("front desk")
        );

        fs::write(dir.config_path(), "database postgresql://x\n").unwrap();
        let e = dir.database(None, None).unwrap_err().to_string();
        assert!(
            e.contains("intake-desk.conf line 1") && e.contains("key = value"),
            "{e}"
        );
    }
}
