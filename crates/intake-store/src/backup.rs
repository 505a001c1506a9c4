//! Backups of a workstation's database: a consistent copy taken while the app runs
//! (`VACUUM INTO` a temporary file beside the target, flushed to disk, then renamed into
//! place, so the target is either absent or whole), and a read-only opening of such a
//! copy to check it.

use std::fs::{self, File};
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

use rusqlite::{Connection, OpenFlags};

use crate::{migrations, open, SqliteStore, StoreError};

fn refused(why: String) -> StoreError {
    StoreError::Refused { why }
}

fn io(path: &Path, e: std::io::Error) -> StoreError {
    StoreError::CannotOpen {
        path: path.to_path_buf(),
        reason: e.to_string(),
    }
}

/// The folder a file path is in ("." for a bare name).
fn folder_of(path: &Path) -> PathBuf {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

/// Copies what `conn` sees of the database (its file and its log) to a new file
/// `<path>.rescued-<unix seconds>-<n>` beside `path`; its path, or `None` if that failed.
/// Then moves the old log and its index out of the way (`<path>.orphaned-<seconds>-wal`,
/// `-shm`): SQLite finds a log by its database's name, and would otherwise replay the
/// old file's pages into whatever file now has the name.
pub(crate) fn rescue(conn: &Connection, path: &Path) -> Option<PathBuf> {
    let stamp = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or_default();
    // A name nothing has: never a file this did not make (it is removed on failure).
    let out = (1..1000).find_map(|n| {
        let mut name = path.as_os_str().to_owned();
        name.push(format!(".rescued-{stamp}-{n}"));
        let candidate = PathBuf::from(name);
        fs::symlink_metadata(&candidate)
            .is_err()
            .then_some(candidate)
    })?;
    let made = conn
        .execute("VACUUM INTO ?1", [out.to_string_lossy().as_ref()])
        .is_ok()
        && fs::set_permissions(&out, fs::Permissions::from_mode(0o600)).is_ok()
        && File::open(&out).and_then(|f| f.sync_all()).is_ok();
    if made {
        for suffix in ["-wal", "-shm"] {
            let mut log = path.as_os_str().to_owned();
            log.push(suffix);
            let mut aside = path.as_os_str().to_owned();
            aside.push(format!(".orphaned-{stamp}{suffix}"));
            let _ = fs::rename(PathBuf::from(log), PathBuf::from(aside));
        }
        Some(out)
    } else {
        let _ = fs::remove_file(&out);
        None
    }
}

impl SqliteStore {
    /// Writes a consistent copy of this database to `out`, a file that must not exist yet
    /// in a folder that does; returns its size in bytes. Writers wait while it runs;
    /// readers of other connections do not. Nothing is left at `out` if it fails.
    pub fn backup_into(&self, out: &Path) -> Result<u64, StoreError> {
        if self.path == Path::new(":memory:") {
            return Err(refused(
                "a database in memory has no file to back up".into(),
            ));
        }
        let Some(name) = out.file_name().map(|n| n.to_string_lossy().into_owned()) else {
            return Err(refused(format!("{} names no file", out.display())));
        };
        let folder = folder_of(out);
        if !folder.is_dir() {
            return Err(refused(format!(
                "the folder {} does not exist (a backup makes no folders)",
                folder.display()
            )));
        }
        if fs::symlink_metadata(out).is_ok() {
            return Err(refused(format!(
                "{} already exists: a backup never replaces a file",
                out.display()
            )));
        }
        let partial = folder.join(format!(".{name}.partial-{}", std::process::id()));
        let _ = fs::remove_file(&partial);
        let made = (|| {
            let conn = self.lock();
            conn.execute("VACUUM INTO ?1", [partial.to_string_lossy().as_ref()])
                .map_err(|e| StoreError::from_sqlite(&partial, e))?;
            drop(conn);
            // Patients' records: readable by this account only, as the data folder is.
            fs::set_permissions(&partial, fs::Permissions::from_mode(0o600))
                .map_err(|e| io(&partial, e))?;
            let file = File::open(&partial).map_err(|e| io(&partial, e))?;
            file.sync_all().map_err(|e| io(&partial, e))?;
            let bytes = file.metadata().map_err(|e| io(&partial, e))?.len();
            // A file made meanwhile is not replaced: hard-linking refuses an existing
            // name, where rename would overwrite it.
            fs::hard_link(&partial, out).map_err(|e| io(out, e))?;
            fs::remove_file(&partial).map_err(|e| io(&partial, e))?;
            File::open(&folder)
                .and_then(|f| f.sync_all())
                .map_err(|e| io(&folder, e))?;
            Ok(bytes)
        })();
        if made.is_err() {
            let _ = fs::remove_file(&partial);
        }
        made
    }

    /// Folds the write-ahead log into the main file and empties it, so the file alone
    /// holds every committed transaction (before a restore sets it aside).
    pub fn checkpoint(&self) -> Result<(), StoreError> {
        let conn = self.lock();
        let (busy, _, _): (i64, i64, i64) = conn
            .query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?))
            })
            .map_err(|e| StoreError::from_sqlite(&self.path, e))?;
        if busy != 0 {
            return Err(refused(format!(
                "{} is in use: its log could not be folded in",
                self.path.display()
            )));
        }
        Ok(())
    }

    /// Opens the database file at `path` read-only, without migrating or writing anything
    /// to it: refused if it is missing, not SQLite, another application's, damaged by
    /// `PRAGMA integrity_check`, or of another schema version than this binary's.
    pub fn open_read_only(path: &Path) -> Result<SqliteStore, StoreError> {
        if !path.is_file() {
            return Err(StoreError::CannotOpen {
                path: path.to_path_buf(),
                reason: "there is no such file".into(),
            });
        }
        open::check_existing_file(path)?;
        let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let conn = Connection::open_with_flags(path, flags)
            .map_err(|e| StoreError::from_sqlite(path, e))?;
        let found = migrations::check(&conn, path)?;
        if found != migrations::latest_version() {
            return Err(refused(format!(
                "{} has schema version {found}, this Intake Desk's is {}",
                path.display(),
                migrations::latest_version()
            )));
        }
        let verdict: String = conn
            .query_row("PRAGMA integrity_check(1)", [], |r| r.get(0))
            .map_err(|e| StoreError::from_sqlite(path, e))?;
        if verdict != "ok" {
            return Err(StoreError::Damaged {
                table: "the file",
                row: path.display().to_string(),
                why: format!("SQLite's integrity check says: {verdict}"),
            });
        }
        Ok(SqliteStore {
            conn: std::sync::Mutex::new(conn),
            readers: None,
            path: path.to_path_buf(),
            identity: None,
            rescued: std::sync::Mutex::new(None),
        })
    }
}
