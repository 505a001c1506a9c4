//! The store's errors. Each one that a person can cause names the file it concerns.

use std::path::{Path, PathBuf};

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("{path} is not an Intake Desk database (it is not a SQLite file, or it is damaged)")]
    NotADatabase { path: PathBuf },

    #[error("{path} is damaged: the file is shorter than its own header says ({actual} of {expected} bytes); restore it from a backup")]
    Truncated {
        path: PathBuf,
        actual: u64,
        expected: u64,
    },

    #[error("{path} is a SQLite database of another application, not Intake Desk's")]
    ForeignDatabase { path: PathBuf },

    #[error("{path} was written by a newer Intake Desk (schema version {found}; this version knows up to {supported}); install the newer version or open another data folder")]
    NewerSchema {
        path: PathBuf,
        found: i64,
        supported: i64,
    },

    /// A write to a workstation database whose clinic moved to the server.
    #[error("this database moved to {to}: nothing more is written here. Use the clinic server (`intake db use URL`, or ask your IT person)")]
    Moved { to: String },

    #[error(
        "{server} has no Intake Desk schema in this database: set it up with `intake db init`"
    )]
    NoSchema { server: String },

    #[error("{server} has schema version {found}, newer than this Intake Desk knows ({supported}): install the newer Intake Desk on this workstation")]
    ServerSchemaNewer {
        server: String,
        found: i64,
        supported: i64,
    },

    #[error("{server} has schema version {found}, older than this Intake Desk needs ({supported}): the clinic's IT person runs `intake db migrate` with the owner's credentials")]
    ServerSchemaOlder {
        server: String,
        found: i64,
        supported: i64,
    },

    #[error("{server}: connected as {role}, which owns the schema; the app connects as the clinic's app role, never as the owner (the owner only runs `intake db init` and `intake db migrate`)")]
    OwnerRole { server: String, role: String },

    #[error("cannot open {path}: {reason}")]
    CannotOpen { path: PathBuf, reason: String },

    #[error("the database {path} is busy (another program holds it); try again")]
    Busy { path: PathBuf },

    /// The disk (or the account's quota, or a file size limit) is full.
    #[error("the disk holding {path} is full: nothing was saved. Free some space (the changes wait and are saved when there is room)")]
    DiskFull { path: PathBuf },

    /// The file or its folder cannot be written (a read-only disk, a changed permission).
    #[error("{path} cannot be written (its disk or folder is read-only, or its permissions changed): nothing was saved; what is saved can still be read")]
    ReadOnly { path: PathBuf },

    #[error("a record with this {what} already exists")]
    Duplicate { what: &'static str },

    /// A change the database itself refuses, whoever sends it: a trigger that keeps a
    /// record as written (the audit log, a submitted visit's answers, a status move the
    /// life cycle does not allow), a missing record it refers to, a check on a column.
    #[error("the database refused the change: {why}")]
    Refused { why: String },

    /// Any other failure of the database (its driver's error is the source; the variant
    /// names no driver type, so every backend can return it).
    #[error("database error on {path}: {source}")]
    Database {
        path: PathBuf,
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },

    /// A stored value this version cannot read back: an unknown status word, JSON that
    /// does not parse, a key or time in the wrong shape. Never read as a default: the
    /// row is named so the person can be told which record is damaged.
    #[error("this record is damaged: {row} in {table}: {why}")]
    Damaged {
        table: &'static str,
        row: String,
        why: String,
    },
}

impl StoreError {
    /// A damaged value of `table`, in the row described by `row` ("visit 12").
    pub fn damaged(table: &'static str, row: impl Into<String>, why: impl Into<String>) -> Self {
        StoreError::Damaged {
            table,
            row: row.into(),
            why: why.into(),
        }
    }
}

impl StoreError {
    /// Classifies a rusqlite error on the database at `path`.
    pub(crate) fn from_sqlite(path: &Path, e: rusqlite::Error) -> StoreError {
        use rusqlite::ErrorCode as C;
        let path = path.to_path_buf();
        match e.sqlite_error_code() {
            Some(C::NotADatabase) | Some(C::DatabaseCorrupt) => StoreError::NotADatabase { path },
            Some(C::DatabaseBusy) | Some(C::DatabaseLocked) => StoreError::Busy { path },
            Some(C::DiskFull) => StoreError::DiskFull { path },
            Some(C::ReadOnly) => StoreError::ReadOnly { path },
            Some(C::CannotOpen) | Some(C::PermissionDenied) => StoreError::CannotOpen {
                path,
                reason: e.to_string(),
            },
            // A write the kernel refused: its file system says why when it turned
            // read-only (an ext4 error) or ran out of room.
            Some(C::SystemIoFailure) => match disk_state(&path) {
                Some(Disk::ReadOnly) => StoreError::ReadOnly { path },
                Some(Disk::Full) => StoreError::DiskFull { path },
                None => StoreError::Database {
                    path,
                    source: Box::new(e),
                },
            },
            Some(C::ConstraintViolation) => StoreError::Refused {
                why: match &e {
                    rusqlite::Error::SqliteFailure(_, Some(message)) => message.clone(),
                    other => other.to_string(),
                },
            },
            _ => StoreError::Database {
                path,
                source: Box::new(e),
            },
        }
    }
}

enum Disk {
    ReadOnly,
    Full,
}

/// What the file system holding `path` says after an I/O error: read-only, full, or
/// neither (`None`, also when it cannot be asked).
fn disk_state(path: &Path) -> Option<Disk> {
    use std::os::unix::ffi::OsStrExt;
    let folder = path.parent().filter(|p| !p.as_os_str().is_empty())?;
    let name = std::ffi::CString::new(folder.as_os_str().as_bytes()).ok()?;
    // SAFETY: statvfs fills the zeroed struct from a valid, NUL-terminated path.
    let mut stat: libc::statvfs = unsafe { std::mem::zeroed() };
    if unsafe { libc::statvfs(name.as_ptr(), &mut stat) } != 0 {
        return None;
    }
    if stat.f_flag & libc::ST_RDONLY != 0 {
        return Some(Disk::ReadOnly);
    }
    if stat.f_bavail == 0 {
        return Some(Disk::Full);
    }
    // A disk an error turned read-only may still say read-write (ext4's emergency
    // read-only): writing a file tells.
    let probe = folder.join(format!(".intake-write-probe-{}", std::process::id()));
    let written = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&probe)
        .and_then(|mut f| std::io::Write::write_all(&mut f, b"probe").and_then(|()| f.sync_all()));
    let _ = std::fs::remove_file(&probe);
    match written.err()?.raw_os_error()? {
        libc::EROFS | libc::EACCES | libc::EPERM => Some(Disk::ReadOnly),
        libc::ENOSPC | libc::EDQUOT => Some(Disk::Full),
        _ => None,
    }
}

/// Inside a [`crate::Db`] closure the path is not at hand; errors there are classified
/// by kind only and keep the underlying message. (Used inside the crate with `?`; the
/// store's traits never take or return a rusqlite type.)
#[doc(hidden)]
impl From<rusqlite::Error> for StoreError {
    fn from(e: rusqlite::Error) -> Self {
        if let rusqlite::Error::SqliteFailure(f, _) = &e {
            if f.code == rusqlite::ErrorCode::ConstraintViolation
                && f.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_UNIQUE
            {
                return StoreError::Duplicate { what: "key" };
            }
        }
        // Migration 0008 refuses an insert over a taken key before the UNIQUE
        // constraint is reached (so that REPLACE cannot delete the row it collides with).
        if let rusqlite::Error::SqliteFailure(f, Some(message)) = &e {
            if f.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_TRIGGER
                && message.starts_with(crate::migrations::KEY_TAKEN)
            {
                return StoreError::Duplicate { what: "key" };
            }
        }
        StoreError::from_sqlite(Path::new("the database"), e)
    }
}
