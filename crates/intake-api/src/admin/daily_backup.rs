//! The app's daily backup of a workstation's own database: into the folder an
//! administrator sets in Settings (`backup_folder`), as `intake-backup-<UTC time>.db`
//! with its `.head` file, made and checked as `intake backup` makes them, keeping the
//! newest `backup_keep` (14 unless set). The background thread makes one when the newest
//! is older than [`DUE_AFTER`]; setting the folder makes the first at once. Every
//! administrator is warned at sign-in when the folder cannot be read or its newest backup
//! is older than [`STALE_AFTER`]. A clinic server is backed up with PostgreSQL's tools.

use std::fs;
use std::path::{Path, PathBuf};

use chrono::{DateTime, Duration, NaiveDateTime, Utc};
use intake_store::prelude::*;
use intake_store::{Db, Store, StoreError};

use super::backup::{make_backup, HEAD_SUFFIX};
use crate::permissions::Permission;
use crate::record::read_log::ReadLog;
use crate::wire::admin::{BackupDto, BackupStatusDto};
use crate::{Api, ApiError, Caller, Clock};

pub(crate) const BACKUP_FOLDER: &str = "backup_folder";
pub(crate) const BACKUP_KEEP: &str = "backup_keep";
/// Backups kept when the setting is not set.
pub(crate) const DEFAULT_KEEP: u32 = 14;
/// How many backups may be kept.
pub(crate) const KEEP_RANGE: std::ops::RangeInclusive<i64> = 1..=365;
/// A backup is made when the newest is older than this: once a working day.
pub(crate) const DUE_AFTER: Duration = Duration::hours(20);
/// Administrators are warned when the newest backup is older than this.
pub(crate) const STALE_AFTER: Duration = Duration::days(2);

const PREFIX: &str = "intake-backup-";
const SUFFIX: &str = ".db";
const STAMP: &str = "%Y%m%dT%H%M%SZ";

/// The folder and how many to keep, as set.
pub(crate) fn settings(db: &Db<'_>) -> Result<(Option<PathBuf>, u32), StoreError> {
    let folder = db
        .setting(BACKUP_FOLDER)?
        .filter(|f| !f.trim().is_empty())
        .map(PathBuf::from);
    let keep = db
        .setting(BACKUP_KEEP)?
        .and_then(|v| v.parse::<i64>().ok())
        .filter(|v| KEEP_RANGE.contains(v))
        .map_or(DEFAULT_KEEP, |v| v as u32);
    Ok((folder, keep))
}

/// Checks a folder an administrator sets: absolute, an existing folder, writable.
pub(crate) fn check_folder(text: &str) -> Result<String, ApiError> {
    let text = text.trim();
    let refuse = |m: String| ApiError::invalid("backupFolder", m);
    if text.chars().any(char::is_control) {
        return Err(refuse(
            "A folder name cannot hold control characters.".into(),
        ));
    }
    let path = Path::new(text);
    if !path.is_absolute() {
        return Err(refuse(format!(
            "Give the whole path of the folder (it starts with /), not {text:?}."
        )));
    }
    if !path.is_dir() {
        return Err(refuse(format!(
            "{text} is not a folder this computer can reach."
        )));
    }
    let probe = path.join(".intake-desk-write-test");
    fs::write(&probe, b"")
        .and_then(|()| fs::remove_file(&probe))
        .map_err(|e| refuse(format!("Intake Desk cannot write in {text}: {e}.")))?;
    Ok(text.to_string())
}

/// The daily backups in `folder`, newest first, with when each was made.
fn backups_in(folder: &Path) -> std::io::Result<Vec<(PathBuf, DateTime<Utc>)>> {
    let mut found = Vec::new();
    for entry in fs::read_dir(folder)? {
        let entry = entry?;
        let name = entry.file_name();
        let Some(stamp) = name
            .to_str()
            .and_then(|n| n.strip_prefix(PREFIX))
            .and_then(|n| n.strip_suffix(SUFFIX))
        else {
            continue;
        };
        if let Ok(at) = NaiveDateTime::parse_from_str(stamp, STAMP) {
            found.push((entry.path(), at.and_utc()));
        }
    }
    found.sort_by_key(|(_, at)| std::cmp::Reverse(*at));
    Ok(found)
}

/// Makes the daily backup if one is due, then removes the oldest beyond the number to
/// keep. `Ok(None)`: nothing was due (or no folder is set, or the database is a server).
pub(crate) fn run_daily(
    store: &Store,
    reads: &ReadLog,
    clock: &dyn Clock,
) -> Result<Option<BackupDto>, ApiError> {
    if !matches!(store, Store::Sqlite(_)) {
        return Ok(None);
    }
    let (Some(folder), keep) = store.read(settings)? else {
        return Ok(None);
    };
    let unreadable = |e: std::io::Error| {
        ApiError::Internal(format!(
            "the backup folder {} cannot be read: {e}",
            folder.display()
        ))
    };
    let now = clock.now();
    let existing = backups_in(&folder).map_err(unreadable)?;
    if existing
        .first()
        .is_some_and(|(_, at)| now - *at < DUE_AFTER)
    {
        return Ok(None);
    }
    let out = folder.join(format!("{PREFIX}{}{SUFFIX}", now.format(STAMP)));
    let made = make_backup(store, reads, &out, "intake-desk (daily backup)", now)?;
    for (old, _) in backups_in(&folder)
        .map_err(unreadable)?
        .into_iter()
        .skip(keep as usize)
    {
        let mut head = old.as_os_str().to_owned();
        head.push(HEAD_SUFFIX);
        let _ = fs::remove_file(PathBuf::from(head));
        fs::remove_file(&old).map_err(|e| {
            ApiError::Internal(format!("the old backup {} stays: {e}", old.display()))
        })?;
    }
    Ok(Some(made))
}

/// What Settings shows, and the warning administrators get at sign-in.
pub(crate) fn status(store: &Store, clock: &dyn Clock) -> Result<BackupStatusDto, ApiError> {
    store.read(|db| status_in(db, matches!(store, Store::Postgres(_)), clock))
}

/// [`status`] inside a transaction the caller holds (`on_server`: the clinic server).
fn status_in(db: &Db<'_>, on_server: bool, clock: &dyn Clock) -> Result<BackupStatusDto, ApiError> {
    if on_server {
        return Ok(BackupStatusDto {
            folder: String::new(),
            keep: DEFAULT_KEEP,
            newest: None,
            newest_at: None,
            count: 0,
            warning: None,
            on_server: true,
        });
    }
    let (folder, keep) = settings(db)?;
    let mut dto = BackupStatusDto {
        folder: folder
            .as_ref()
            .map(|f| f.display().to_string())
            .unwrap_or_default(),
        keep,
        newest: None,
        newest_at: None,
        count: 0,
        warning: None,
        on_server: false,
    };
    let Some(folder) = folder else {
        return Ok(dto);
    };
    match backups_in(&folder) {
        Err(e) => {
            dto.warning = Some(format!(
                "The backup folder {} cannot be reached ({e}): no daily backup is being \
                 made. Reconnect the drive, or choose another folder in Settings.",
                folder.display()
            ));
        }
        Ok(found) => {
            dto.count = found.len();
            if let Some((path, at)) = found.first() {
                dto.newest = Some(path.display().to_string());
                dto.newest_at = Some(intake_store::format_time(*at));
            }
            let newest = found.first().map(|(_, at)| *at);
            if newest.is_none_or(|at| clock.now() - at > STALE_AFTER) {
                let when = newest.map_or_else(
                    || "none has been made yet".to_string(),
                    |at| format!("the newest is from {}", crate::error::when(at)),
                );
                dto.warning = Some(format!(
                    "No backup in {} for more than 2 days ({when}). Check that the folder \
                     has room and that Intake Desk stays open on this workstation, or \
                     run `intake backup`.",
                    folder.display()
                ));
            }
        }
    }
    Ok(dto)
}

impl Api {
    /// The daily backups' folder, the newest and any warning; administrators only.
    pub fn backup_status(&self, caller: Caller<'_>) -> Result<BackupStatusDto, ApiError> {
        self.authorize(caller, Permission::ManageSettings)?;
        status(&self.store, self.clock.as_ref())
    }

    /// Makes the daily backup now if one is due (the background thread calls the same
    /// hourly); `None` when none was due or no folder is set.
    pub fn run_daily_backup(&self) -> Result<Option<BackupDto>, ApiError> {
        run_daily(&self.store, &self.reads, self.clock.as_ref())
    }

    /// For an administrator, the backup warning of the sign-in screen, if any; read in
    /// the caller's transaction `db` (a second one would wait for it).
    pub(crate) fn backup_warning_for(
        &self,
        db: &Db<'_>,
        role: intake_core::Role,
    ) -> Option<String> {
        if role != intake_core::Role::Admin {
            return None;
        }
        let on_server = matches!(*self.store, Store::Postgres(_));
        match status_in(db, on_server, self.clock.as_ref()) {
            Ok(s) => s.warning,
            Err(e) => Some(format!("The daily backups could not be checked: {e}")),
        }
    }
}
