//! `intake restore FILE`: puts a backup back as the workstation's database.
//!
//! The backup is checked before anything is touched: it is copied beside the database
//! (a hidden `.intake.db.restoring`), brought to this binary's schema (an older backup is
//! migrated; a newer one or another application's file is refused), and checked as a
//! backup is (SQLite's integrity check, the audit chain from its first entry, every
//! signed record). Only then is the current database set aside, whole (its log folded
//! in first), as `intake.db.before-restore-<UTC time>`, and the copy renamed into place.
//! The restored database's log gets a `database.restored` entry naming the backup, the
//! chain head it holds and the head of the database it replaced, so a restore to an
//! earlier point is visible in the log.
//!
//! It holds the folder's database lock exclusively throughout: it never runs while the
//! app or another `intake` command has the database open, and nothing opens it meanwhile.

use std::fs::{self, File};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use intake_store::prelude::*;
use intake_store::SqliteStore;
use serde_json::json;

use super::backup::{check_copy, head_in, HEAD_SUFFIX};
use crate::data_dir::{DataDir, Database, DATABASE_FILE};
use crate::wire::admin::{AnchorDto, RestoreDto};
use crate::{audit_entry, Api, ApiError, Caller, Clock};

const STAGING: &str = ".intake.db.restoring";

fn io(what: &Path, e: std::io::Error) -> ApiError {
    ApiError::Internal(format!("{}: {e}", what.display()))
}

/// `path` with `suffix` appended to its file name (`intake.db` + `-wal`).
fn with_suffix(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(suffix);
    PathBuf::from(name)
}

impl Api {
    /// Restores the data folder's database from `backup`; see the module documentation.
    /// `database` is the workstation's chosen database: a clinic server is refused (its
    /// backups are PostgreSQL's).
    pub fn restore(
        data_dir: &DataDir,
        database: &Database,
        backup: &Path,
        by: Caller<'_>,
        clock: Arc<dyn Clock>,
    ) -> Result<RestoreDto, ApiError> {
        if let Database::Server(config) = database {
            return Err(ApiError::Conflict(format!(
                "This workstation uses {}: restore the server with PostgreSQL's own tools \
                 (pg_restore, or promote a standby). intake restore puts back a \
                 workstation's own database.",
                config.describe()
            )));
        }
        let Caller::Cli(os_user) = by else {
            return Err(ApiError::Forbidden(
                "A restore runs from the command line (intake restore), with the app closed."
                    .into(),
            ));
        };
        if !backup.is_file() {
            return Err(ApiError::invalid(
                "file",
                format!("{} is not a file.", backup.display()),
            ));
        }
        data_dir.prepare()?;
        let live = data_dir.database_path();
        if let (Ok(a), Ok(b)) = (fs::canonicalize(backup), fs::canonicalize(&live)) {
            if a == b {
                return Err(ApiError::invalid(
                    "file",
                    "That is the database in use, not a backup of it.",
                ));
            }
        }
        let _lock = data_dir.lock_database_exclusive("intake restore")?;

        let staging = data_dir.path().join(STAGING);
        for leftover in ["", "-wal", "-shm"] {
            let _ = fs::remove_file(with_suffix(&staging, leftover));
        }
        let checked = stage(backup, &staging);
        let restored = match checked {
            Ok(dto) => dto,
            Err(e) => {
                for leftover in ["", "-wal", "-shm"] {
                    let _ = fs::remove_file(with_suffix(&staging, leftover));
                }
                return Err(e);
            }
        };

        let now = clock.now();
        let (previous_head, previous_unreadable, kept_aside) = if live.exists() {
            let (head, unreadable) = match fold_in(&live) {
                Ok(head) => (head, None),
                Err(e) => (None, Some(e.to_string())),
            };
            let aside = aside_name(data_dir, now);
            set_aside(&live, &aside)?;
            (head, unreadable, Some(aside))
        } else {
            (None, None, None)
        };
        fs::rename(&staging, &live).map_err(|e| io(&live, e))?;
        File::open(data_dir.path())
            .and_then(|f| f.sync_all())
            .map_err(|e| io(data_dir.path(), e))?;

        let api = Api::open_file(&live, clock)?;
        let actor = format!("cli:{os_user}");
        let detail = json!({
            "from": backup.display().to_string(),
            "head": restored.head.as_ref().map(|h| h.to_string()),
            "previousHead": previous_head.as_ref().map(|h| h.to_string()),
            "previousUnreadable": previous_unreadable,
            "keptAside": kept_aside.as_ref().map(|p| p.display().to_string()),
        });
        api.store.write(|db| {
            db.append_audit(&audit_entry(
                now,
                &actor,
                "database.restored",
                "database",
                None,
                detail,
            ))
        })?;
        Ok(RestoreDto {
            restored,
            previous_head,
            previous_unreadable,
            kept_aside: kept_aside.map(|p| p.display().to_string()),
        })
    }
}

/// Copies `backup` to `staging`, brings it to this binary's schema and checks it; on
/// success `staging` is a whole database, flushed to disk, ready to be renamed in.
fn stage(backup: &Path, staging: &Path) -> Result<crate::wire::admin::BackupDto, ApiError> {
    // Messages about the staging copy name the backup, the file the admin gave.
    let staged_name = staging.display().to_string();
    let refuse = |why: String| {
        let why = why.replace(&staged_name, &backup.display().to_string());
        ApiError::invalid(
            "file",
            format!(
                "{} cannot be restored: {why}. Nothing was changed.",
                backup.display()
            ),
        )
    };
    fs::copy(backup, staging).map_err(|e| refuse(e.to_string()))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        fs::set_permissions(staging, fs::Permissions::from_mode(0o600))
            .map_err(|e| io(staging, e))?;
    }
    // Opening migrates an older backup and refuses a newer or foreign file; closing
    // folds its log back in.
    let store = SqliteStore::open(staging).map_err(|e| refuse(e.to_string()))?;
    if let Some(to) = store.moved_to()? {
        return Err(refuse(format!(
            "it is a copy of a database that was moved to {to}"
        )));
    }
    store.checkpoint().map_err(|e| refuse(e.to_string()))?;
    drop(store);
    File::open(staging)
        .and_then(|f| f.sync_all())
        .map_err(|e| io(staging, e))?;
    let bytes = fs::metadata(staging).map_err(|e| io(staging, e))?.len();
    let mut checked = check_copy(staging, bytes).map_err(|e| refuse(e.to_string()))?;
    if let Some(said) = sidecar_head(backup) {
        let held = checked.head.as_ref().map(|h| h.to_string());
        if held.as_deref() != Some(said.as_str()) {
            return Err(refuse(format!(
                "its {HEAD_SUFFIX} file names the chain head {said}, but the file holds {}",
                held.unwrap_or_else(|| "no audit entries".into())
            )));
        }
    }
    // The read-only check leaves an empty log and its index beside the copy.
    let wal = with_suffix(staging, "-wal");
    if fs::metadata(&wal).is_ok_and(|m| m.len() > 0) {
        return Err(refuse("its check left a log behind".into()));
    }
    for leftover in [wal, with_suffix(staging, "-shm")] {
        if let Err(e) = fs::remove_file(&leftover) {
            if e.kind() != std::io::ErrorKind::NotFound {
                return Err(io(&leftover, e));
            }
        }
    }
    checked.path = backup.display().to_string();
    checked.bytes = fs::metadata(backup).map(|m| m.len()).unwrap_or(bytes);
    Ok(checked)
}

/// The head named by the backup's `.head` file, when it has one.
fn sidecar_head(backup: &Path) -> Option<String> {
    let text = fs::read_to_string(with_suffix(backup, HEAD_SUFFIX)).ok()?;
    Some(text.trim().to_string()).filter(|t| !t.is_empty())
}

/// Opens the current database, reads its chain head and folds its log into the file,
/// so the file set aside holds every committed transaction by itself.
fn fold_in(live: &Path) -> Result<Option<AnchorDto>, ApiError> {
    let store = SqliteStore::open(live)?;
    let head = store.read(|db| head_in(db))?;
    store.checkpoint()?;
    Ok(head)
}

/// `intake.db.before-restore-20261207T183000Z`, not yet taken.
fn aside_name(data_dir: &DataDir, now: chrono::DateTime<chrono::Utc>) -> PathBuf {
    let stamp = now.format("%Y%m%dT%H%M%SZ");
    let mut n = 1;
    loop {
        let name = match n {
            1 => format!("{DATABASE_FILE}.before-restore-{stamp}"),
            n => format!("{DATABASE_FILE}.before-restore-{stamp}-{n}"),
        };
        let path = data_dir.path().join(name);
        if fs::symlink_metadata(&path).is_err() {
            return path;
        }
        n += 1;
    }
}

/// Renames the database and whatever log files it still has to `aside` (+ the same
/// suffixes), the main file first: SQLite finds a log by its database's name.
fn set_aside(live: &Path, aside: &Path) -> Result<(), ApiError> {
    for suffix in ["", "-wal", "-shm"] {
        let from = with_suffix(live, suffix);
        if fs::symlink_metadata(&from).is_err() {
            continue;
        }
        fs::rename(&from, with_suffix(aside, suffix)).map_err(|e| {
            ApiError::Internal(format!(
                "could not set {} aside as {}: {e}; nothing was restored",
                from.display(),
                aside.display()
            ))
        })?;
    }
    Ok(())
}
