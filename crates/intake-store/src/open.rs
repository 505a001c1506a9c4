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
    configure(&conn, path, true)?;
    migrations::migrate(&mut conn, path)?;
    Ok(conn)
}

pub(crate) fn open_memory() -> Result<Connection, StoreError> {
    let path = Path::new(":memory:");
    let mut conn = Connection::open_in_memory().map_err(|e| StoreError::from_sqlite(path, e))?;
    configure(&conn, path, false)?;
    migrations::migrate(&mut conn, path)?;
    Ok(conn)
}

/// Sets the pragmas every connection runs with. Exposed to tests that build old files.
pub(crate) fn configure(conn: &Connection, path: &Path, wal: bool) -> Result<(), StoreError> {
    let err = |e| StoreError::from_sqlite(path, e);
    conn.busy_timeout(Duration::from_secs(5)).map_err(err)?;
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
    fn every_connection_runs_with_full_sync_foreign_keys_and_a_busy_timeout() {
        let dir = tempfile::tempdir().unwrap();
        let conn = open_file(&dir.path().join("x.db")).unwrap();
        let get = |sql: &str| -> i64 { conn.query_row(sql, [], |r| r.get(0)).unwrap() };
        assert_eq!(get("PRAGMA synchronous"), 2, "synchronous=FULL");
        assert_eq!(get("PRAGMA foreign_keys"), 1, "foreign_keys=ON");
        assert_eq!(get("PRAGMA busy_timeout"), 5000, "5 s busy timeout");
    }
}
