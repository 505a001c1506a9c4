//! One writer per data folder, with advisory file locks (`flock`, released by the kernel
//! when the holder exits, even by SIGKILL):
//!
//! - `intake-app.lock`, held exclusively by the desktop app for as long as it runs: a
//!   second window on the same folder is refused and told which process has it.
//! - `intake.lock`, held *shared* by every process that has the folder's database open
//!   (the app, each `intake` command) and *exclusively* by what replaces or moves the
//!   whole database (`intake restore`, `intake db copy`): those never run under an open
//!   database, and nothing opens it while they run.
//!
//! Long CLI writes (a CSV import, synthetic seeding) hold the shared lock like any
//! command and commit in short transactions, so they run beside the app without holding
//! its screens up. Each exclusive holder writes who it is into its lock file, which the
//! refusals quote.

use std::fs::{self, File, OpenOptions};
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::Path;
use std::time::{Duration, Instant};

use super::DataDir;
use crate::ApiError;

/// The lock every user of the folder's database holds (shared) or a restore (exclusive).
pub const DATABASE_LOCK: &str = "intake.lock";
/// The lock the desktop app holds while it runs.
pub const APP_LOCK: &str = "intake-app.lock";

/// A held lock; dropping it releases it.
#[derive(Debug)]
pub struct FolderLock {
    /// `None` where the folder could hold no lock file (see [`take`]).
    _file: Option<File>,
}

enum Mode {
    Shared,
    Exclusive,
}

impl DataDir {
    /// Takes the app's lock: refused (after `wait`, for a window that is still closing)
    /// while another Intake Desk window has this folder.
    pub fn lock_app(&self, wait: Duration) -> Result<FolderLock, ApiError> {
        let path = self.path().join(APP_LOCK);
        take(&path, Mode::Exclusive, wait, "the Intake Desk app").map_err(|held| {
            ApiError::Conflict(format!(
                "Intake Desk is already open on the data folder {} ({held}). Use that \
                 window, or close it and start again.",
                self.path().display()
            ))
        })
    }

    /// Takes the database lock shared: this process uses the folder's database. Waits up
    /// to `wait` while a restore or a copy runs, then says which.
    pub fn lock_database_shared(&self, wait: Duration) -> Result<FolderLock, ApiError> {
        let path = self.path().join(DATABASE_LOCK);
        take(&path, Mode::Shared, wait, "").map_err(|held| {
            ApiError::Conflict(format!(
                "The database in {} is being replaced or moved ({held}); try again when \
                 that has finished.",
                self.path().display()
            ))
        })
    }

    /// Takes the database lock exclusively, for `purpose` (e.g. "intake restore"):
    /// refused at once while anything has the database open.
    pub fn lock_database_exclusive(&self, purpose: &str) -> Result<FolderLock, ApiError> {
        let path = self.path().join(DATABASE_LOCK);
        take(&path, Mode::Exclusive, Duration::ZERO, purpose).map_err(|_| {
            let app = holder(&self.path().join(APP_LOCK))
                .filter(|_| app_is_running(self))
                .map(|who| format!(" ({who})"))
                .unwrap_or_default();
            ApiError::Conflict(format!(
                "The database in {} is open in another program{app}: close Intake Desk \
                 and wait for any intake command to finish, then run {purpose} again.",
                self.path().display()
            ))
        })
    }
}

/// Whether an app holds the folder's app lock now (tried without waiting).
fn app_is_running(dir: &DataDir) -> bool {
    let Ok(file) = OpenOptions::new()
        .read(true)
        .open(dir.path().join(APP_LOCK))
    else {
        return false;
    };
    match file.try_lock_shared() {
        Ok(()) => false,
        Err(std::fs::TryLockError::WouldBlock) => true,
        Err(std::fs::TryLockError::Error(_)) => false,
    }
}

/// What the lock file says about its holder ("process 1234: intake restore since …").
fn holder(path: &Path) -> Option<String> {
    let mut text = String::new();
    File::open(path).ok()?.read_to_string(&mut text).ok()?;
    let text = text.trim();
    (!text.is_empty() && text.len() < 300).then(|| text.to_string())
}

/// Opens (creating, private) and locks `path`; an exclusive holder writes `who` into
/// it. `Err` carries what the file says about the current holder.
fn take(path: &Path, mode: Mode, wait: Duration, who: &str) -> Result<FolderLock, String> {
    let mut options = OpenOptions::new();
    options.read(true).write(true).create(true).truncate(false);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = match options.open(path) {
        Ok(file) => file,
        // A folder that cannot hold a lock file (read-only) is reported by whatever
        // writes to it next; the lock is advisory and not the place to refuse.
        Err(_) => return Ok(FolderLock { _file: None }),
    };
    let deadline = Instant::now() + wait;
    loop {
        let tried = match mode {
            Mode::Shared => file.try_lock_shared(),
            Mode::Exclusive => file.try_lock(),
        };
        match tried {
            Ok(()) => break,
            Err(fs::TryLockError::WouldBlock) if Instant::now() < deadline => {
                std::thread::sleep(Duration::from_millis(100));
            }
            Err(fs::TryLockError::WouldBlock) => {
                return Err(holder(path).unwrap_or_else(|| "another process has it".into()));
            }
            // A file system without locks: go on unguarded rather than refuse the clinic.
            Err(fs::TryLockError::Error(_)) => return Ok(FolderLock { _file: Some(file) }),
        }
    }
    if matches!(mode, Mode::Exclusive) {
        let since = chrono::Utc::now().format("%Y-%m-%d %H:%M UTC");
        let line = format!("process {}: {who}, since {since}\n", std::process::id());
        let _ = file
            .set_len(0)
            .and_then(|()| file.seek(SeekFrom::Start(0)))
            .and_then(|_| file.write_all(line.as_bytes()));
    }
    Ok(FolderLock { _file: Some(file) })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_app_on_one_folder_is_refused_and_told_which_process_has_it() {
        let temp = tempfile::tempdir().unwrap();
        let dir = DataDir::at(temp.path());
        let first = dir.lock_app(Duration::ZERO).unwrap();
        let e = dir
            .lock_app(Duration::from_millis(200))
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("already open") && e.contains(&format!("process {}", std::process::id())),
            "{e}"
        );
        drop(first);
        dir.lock_app(Duration::ZERO)
            .expect("free once the first has gone");
    }

    #[test]
    fn a_restore_waits_for_nobody_and_users_wait_for_a_restore() {
        let temp = tempfile::tempdir().unwrap();
        let dir = DataDir::at(temp.path());
        let a = dir.lock_database_shared(Duration::ZERO).unwrap();
        let b = dir
            .lock_database_shared(Duration::ZERO)
            .expect("users share it");
        let e = dir
            .lock_database_exclusive("intake restore")
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("open in another program") && e.contains("intake restore"),
            "{e}"
        );
        drop((a, b));
        let restore = dir.lock_database_exclusive("intake restore").unwrap();
        let e = dir
            .lock_database_shared(Duration::from_millis(200))
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("being replaced") && e.contains("intake restore"),
            "{e}"
        );
        drop(restore);
        dir.lock_database_shared(Duration::ZERO).unwrap();
    }
}
