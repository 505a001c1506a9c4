//! Opening a database file safely: check what the file is before SQLite touches it,
//! set the connection up, migrate.

use std::fs;
use std::io::Read;
use std::path::Path;
use std::time::Duration;

use rusqlite::{Connection, OpenFlags};

use crate::{migrations, StoreError};

const HEADER: &[u8; 16] = b"SQLite format 3\0";

pub(crate) fn open_file(path: &Path) -> Result<Connection, StoreError> {
    check_existing_file(path)?;
    let flags = OpenFlags::SQLITE_OPEN_READ_WRITE
        | OpenFlags::SQLITE_OPEN_CREATE
        | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let mut conn =
        Connection::open_with_flags(path, flags).map_err(|e| StoreError::from_sqlite(path, e))?;
    // Whose file it is, and which version, is read before any pragma writes to it.
    migrations::check(&conn, path)?;
    configure(&mut conn, path, true)?;
    migrations::migrate(&mut conn, path)?;
    Ok(conn)
}

/// A read connection to a database [`open_file`] has opened (and migrated): it runs
/// with the same pragmas and refuses to write (`query_only`), so a read can never change
/// anything even by mistake.
pub(crate) fn open_reader(path: &Path) -> Result<Connection, StoreError> {
    let flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let mut conn =
        Connection::open_with_flags(path, flags).map_err(|e| StoreError::from_sqlite(path, e))?;
    configure(&mut conn, path, false)?;
    conn.pragma_update(None, "query_only", true)
        .map_err(|e| StoreError::from_sqlite(path, e))?;
    Ok(conn)
}

/// A file's identity (device and inode): the same path naming another file means the
/// database was replaced.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct FileId {
    dev: u64,
    ino: u64,
}

/// What is at a database's path now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum AtPath {
    File(FileId),
    /// Nothing: deleted, moved away, or its folder (a mount) is gone.
    Nothing,
    /// The folder can no longer be searched (its permissions were revoked).
    Unreachable,
}

impl FileId {
    /// The identity of the file at `path`, `None` if there is none (or it cannot be seen).
    pub(crate) fn of(path: &Path) -> Option<FileId> {
        match FileId::at(path) {
            AtPath::File(id) => Some(id),
            AtPath::Nothing | AtPath::Unreachable => None,
        }
    }

    /// What is at `path`.
    pub(crate) fn at(path: &Path) -> AtPath {
        use std::os::unix::fs::MetadataExt;
        match fs::metadata(path) {
            Ok(m) => AtPath::File(FileId {
                dev: m.dev(),
                ino: m.ino(),
            }),
            Err(e) if e.kind() == std::io::ErrorKind::PermissionDenied => AtPath::Unreachable,
            Err(_) => AtPath::Nothing,
        }
    }
}

pub(crate) fn open_memory() -> Result<Connection, StoreError> {
    let path = Path::new(":memory:");
    let mut conn = Connection::open_in_memory().map_err(|e| StoreError::from_sqlite(path, e))?;
    configure(&mut conn, path, false)?;
    migrations::migrate(&mut conn, path)?;
    Ok(conn)
}

/// How long a write waits for another program's write before it fails as busy.
pub(crate) const BUSY_WAIT: Duration = Duration::from_secs(5);
const BUSY_POLL: Duration = Duration::from_millis(1);

/// The busy handler of every connection: tries again every millisecond, up to
/// [`BUSY_WAIT`]. SQLite's own timeout backs off to 100 ms between tries, which let a
/// long job that commits chunk after chunk (a CSV import) take the lock again each time
/// before a waiting save looked; polling often finds the gap between two chunks.
fn wait_for_the_writer(tries: i32) -> bool {
    let waited = BUSY_POLL * u32::try_from(tries).unwrap_or(u32::MAX);
    if waited >= BUSY_WAIT {
        return false;
    }
    std::thread::sleep(BUSY_POLL);
    true
}

/// Sets the pragmas every connection runs with. Exposed to tests that build old files.
pub(crate) fn configure(conn: &mut Connection, path: &Path, wal: bool) -> Result<(), StoreError> {
    let err = |e| StoreError::from_sqlite(path, e);
    conn.busy_handler(Some(wait_for_the_writer)).map_err(err)?;
    if wal {
        let mode: String = conn
            .query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))
            .map_err(err)?;
        if !mode.eq_ignore_ascii_case("wal") {
            return Err(StoreError::CannotOpen {
                path: path.to_path_buf(),
                reason: format!("the file system refused WAL mode (got {mode})"),
            });
        }
    }
    conn.pragma_update(None, "synchronous", "FULL")
        .map_err(err)?;
    conn.pragma_update(None, "foreign_keys", "ON")
        .map_err(err)?;
    // Keep each prepared statement's plan: without this, SQLite (built with STAT4)
    // prepares a statement again every time new values are bound to it, which made each
    // answer written cost a fresh parse and plan.
    conn.set_db_config(
        rusqlite::config::DbConfig::SQLITE_DBCONFIG_ENABLE_QPSG,
        true,
    )
    .map_err(err)?;
    Ok(())
}

/// Refuses, before SQLite sees it, a path that is a folder, a file that is not SQLite,
/// and a SQLite file shorter than its header says (cut off by a failed copy).
pub(crate) fn check_existing_file(path: &Path) -> Result<(), StoreError> {
    let meta = match fs::metadata(path) {
        Ok(meta) => meta,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(e) => {
            return Err(StoreError::CannotOpen {
                path: path.to_path_buf(),
                reason: e.to_string(),
            })
        }
    };
    if meta.is_dir() {
        return Err(StoreError::CannotOpen {
            path: path.to_path_buf(),
            reason: "it is a folder, not a file".into(),
        });
    }
    let len = meta.len();
    if len == 0 {
        return Ok(()); // SQLite treats an empty file as a new database.
    }
    let mut header = [0u8; 100];
    let mut file = fs::File::open(path).map_err(|e| StoreError::CannotOpen {
        path: path.to_path_buf(),
        reason: e.to_string(),
    })?;
    if len < 100 || file.read_exact(&mut header).is_err() || &header[..16] != HEADER {
        return Err(StoreError::NotADatabase {
            path: path.to_path_buf(),
        });
    }
    let page_size = match u16::from_be_bytes([header[16], header[17]]) {
        1 => 65_536u64,
        n => u64::from(n),
    };
    let pages = u64::from(u32::from_be_bytes([
        header[28], header[29], header[30], header[31],
    ]));
    let expected = page_size * pages;
    // With a WAL beside it, the main file may legitimately lag behind the header count.
    let mut wal = path.as_os_str().to_owned();
    wal.push("-wal");
    let wal_has_data = fs::metadata(&wal).map(|m| m.len() > 0).unwrap_or(false);
    if !wal_has_data && len < expected {
        return Err(StoreError::Truncated {
            path: path.to_path_buf(),
            actual: len,
            expected,
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_connection_runs_with_full_sync_and_foreign_keys() {
        let dir = tempfile::tempdir().unwrap();
        let conn = open_file(&dir.path().join("x.db")).unwrap();
        let get = |sql: &str| -> i64 { conn.query_row(sql, [], |r| r.get(0)).unwrap() };
        assert_eq!(get("PRAGMA synchronous"), 2, "synchronous=FULL");
        assert_eq!(get("PRAGMA foreign_keys"), 1, "foreign_keys=ON");
    }

    #[test]
    fn a_write_waits_for_another_programs_write_then_goes_in() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("x.db");
        let mut first = open_file(&path).unwrap();
        let second = open_file(&path).unwrap();
        let tx = first
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
            .unwrap();
        tx.execute("CREATE TABLE t (x INTEGER)", []).unwrap();
        std::thread::scope(|scope| {
            let waiting = scope.spawn(move || {
                second.execute_batch("BEGIN IMMEDIATE; INSERT INTO t VALUES (2); COMMIT;")
            });
            std::thread::sleep(Duration::from_millis(300));
            assert!(!waiting.is_finished(), "it waits while the first writes");
            tx.commit().unwrap();
            waiting.join().unwrap().expect("then it goes in");
        });
        let n: i64 = first
            .query_row("SELECT count(*) FROM t", [], |r| r.get(0))
            .unwrap();
        assert_eq!(n, 1);
    }
}
