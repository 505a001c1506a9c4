//! What a kill interrupted, read from SQLite's own files.
//!
//! - [`locks_held`]: with the writer stopped (SIGSTOP), whether it holds SQLite's WAL
//!   write lock, and the checkpoint lock. In WAL mode a connection takes the write lock
//!   (an exclusive POSIX lock on byte 120 of the `-shm` file, `UNIX_SHM_BASE` in
//!   `os_unix.c`) when its write transaction begins (`BEGIN IMMEDIATE`, every
//!   `Store::write`) and drops it when the transaction commits or rolls back; byte 121
//!   is the checkpoint lock. Another process sees them with `F_GETLK`, which names the
//!   holder's pid. The writer is stopped while we look and killed while still stopped,
//!   so the answer is the state at the moment of the kill, not an estimate.
//! - [`wal_tail`]: after the kill and before anything opens the database, the `-wal`
//!   file's valid frames (salts and checksums as SQLite's recovery checks them) and how
//!   many of them follow the last commit frame: a transaction that had begun appending
//!   its pages, which recovery must ignore.
//!
//! It does not judge: the harness reports these figures beside its checks.

use std::fs::File;
use std::io::Read;
use std::os::unix::io::AsRawFd;
use std::path::Path;

/// `UNIX_SHM_BASE`: the first lock byte of a `-shm` file; the write lock is the first.
const WRITE_LOCK_BYTE: i64 = 120;
const CHECKPOINT_LOCK_BYTE: i64 = 121;

/// Which of SQLite's locks a process held.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Locks {
    /// Inside a write transaction.
    pub write: bool,
    /// Inside a checkpoint (copying the WAL into the database file).
    pub checkpoint: bool,
}

/// The pid holding a conflicting POSIX lock on `byte` of `file`, if any.
fn lock_holder(file: &File, byte: i64) -> std::io::Result<Option<i32>> {
    // SAFETY: `flock` is plain data; F_GETLK only reads and fills it.
    let mut lock: libc::flock = unsafe { std::mem::zeroed() };
    lock.l_type = libc::F_WRLCK as libc::c_short;
    lock.l_whence = libc::SEEK_SET as libc::c_short;
    lock.l_start = byte as libc::off_t;
    lock.l_len = 1;
    // SAFETY: a valid descriptor and a valid `flock` for the call's duration.
    let rc = unsafe { libc::fcntl(file.as_raw_fd(), libc::F_GETLK, &mut lock) };
    if rc != 0 {
        return Err(std::io::Error::last_os_error());
    }
    Ok((lock.l_type != libc::F_UNLCK as libc::c_short).then_some(lock.l_pid))
}

/// The SQLite locks process `pid` holds on the database `db` (through its `-shm` file).
/// The caller must hold no POSIX lock on that file itself (`F_GETLK` does not report a
/// process's own locks), and must not keep it open: closing any descriptor of a file
/// drops the process's locks on it, which this function's own descriptor never holds.
pub fn locks_held(db: &Path, pid: u32) -> std::io::Result<Locks> {
    let mut shm = db.as_os_str().to_owned();
    shm.push("-shm");
    let file = match File::open(&shm) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Locks::default()),
        Err(e) => return Err(e),
    };
    let held = |byte| lock_holder(&file, byte).map(|h| h == Some(pid as i32));
    Ok(Locks {
        write: held(WRITE_LOCK_BYTE)?,
        checkpoint: held(CHECKPOINT_LOCK_BYTE)?,
    })
}

/// Sends `signal` to `pid`.
pub fn signal(pid: u32, signal: libc::c_int) -> std::io::Result<()> {
    // SAFETY: kill(2) with a pid we started; no memory is shared.
    if unsafe { libc::kill(pid as libc::pid_t, signal) } != 0 {
        return Err(std::io::Error::last_os_error());
    }
    Ok(())
}

/// What the `-wal` file holds after a kill.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct WalTail {
    /// Frames SQLite's recovery accepts (matching salts, checksums chained).
    pub valid_frames: u64,
    /// Of those, the ones after the last commit frame: an interrupted transaction's.
    pub uncommitted_frames: u64,
}

const WAL_HEADER: usize = 32;
const FRAME_HEADER: usize = 24;

fn be32(b: &[u8], at: usize) -> u32 {
    u32::from_be_bytes([b[at], b[at + 1], b[at + 2], b[at + 3]])
}

/// SQLite's WAL checksum (`walChecksumBytes`) over `data`, continuing from `s`.
fn checksum(big_endian: bool, data: &[u8], s: (u32, u32)) -> (u32, u32) {
    let (mut s1, mut s2) = s;
    for pair in data.chunks_exact(8) {
        let word = |i: usize| {
            let b = [pair[i], pair[i + 1], pair[i + 2], pair[i + 3]];
            if big_endian {
                u32::from_be_bytes(b)
            } else {
                u32::from_le_bytes(b)
            }
        };
        s1 = s1.wrapping_add(word(0)).wrapping_add(s2);
        s2 = s2.wrapping_add(word(4)).wrapping_add(s1);
    }
    (s1, s2)
}

/// Reads the `-wal` file beside `db` as SQLite's recovery would (no file: nothing).
pub fn wal_tail(db: &Path) -> std::io::Result<WalTail> {
    let mut path = db.as_os_str().to_owned();
    path.push("-wal");
    let mut bytes = Vec::new();
    match File::open(&path) {
        Ok(mut f) => f.read_to_end(&mut bytes)?,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(WalTail::default()),
        Err(e) => return Err(e),
    };
    Ok(read_wal(&bytes))
}

fn read_wal(bytes: &[u8]) -> WalTail {
    let mut tail = WalTail::default();
    if bytes.len() < WAL_HEADER {
        return tail;
    }
    let magic = be32(bytes, 0);
    if magic & !1 != 0x377f_0682 {
        return tail;
    }
    let big_endian = magic & 1 == 1;
    let page_size = be32(bytes, 8) as usize;
    let salts = &bytes[16..24];
    let mut sum = checksum(big_endian, &bytes[..24], (0, 0));
    if sum != (be32(bytes, 24), be32(bytes, 28)) || page_size < 512 {
        return tail;
    }
    let mut at = WAL_HEADER;
    let mut since_commit = 0;
    while at + FRAME_HEADER + page_size <= bytes.len() {
        let header = &bytes[at..at + FRAME_HEADER];
        if &header[8..16] != salts {
            break;
        }
        sum = checksum(big_endian, &header[..8], sum);
        sum = checksum(
            big_endian,
            &bytes[at + FRAME_HEADER..at + FRAME_HEADER + page_size],
            sum,
        );
        if sum != (be32(header, 16), be32(header, 20)) {
            break;
        }
        tail.valid_frames += 1;
        since_commit += 1;
        if be32(header, 4) != 0 {
            since_commit = 0;
        }
        at += FRAME_HEADER + page_size;
    }
    tail.uncommitted_frames = since_commit;
    tail
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A database in WAL mode with two committed transactions, its connection kept open
    /// (so the `-wal` file stays), returned with the folder holding it.
    fn wal_database() -> (tempfile::TempDir, std::path::PathBuf, rusqlite::Connection) {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("t.db");
        let conn = rusqlite::Connection::open(&db).unwrap();
        conn.pragma_update(None, "journal_mode", "WAL").unwrap();
        conn.pragma_update(None, "wal_autocheckpoint", 0).unwrap();
        conn.execute_batch("CREATE TABLE t(x); INSERT INTO t VALUES (randomblob(9000));")
            .unwrap();
        (dir, db, conn)
    }

    #[test]
    fn committed_frames_are_valid_and_an_open_transactions_spilled_pages_are_not() {
        let (_dir, db, conn) = wal_database();
        let tail = wal_tail(&db).unwrap();
        assert!(
            tail.valid_frames >= 2,
            "the writes are in the WAL: {tail:?}"
        );
        assert_eq!(
            tail.uncommitted_frames, 0,
            "every frame is committed: {tail:?}"
        );
        // A transaction larger than a tiny page cache spills its pages into the WAL
        // before it commits: frames after the last commit frame, as a kill would leave.
        conn.pragma_update(None, "cache_size", 2).unwrap();
        conn.execute_batch(
            "BEGIN IMMEDIATE; \
             WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 200) \
             INSERT INTO t SELECT randomblob(3000) FROM n;",
        )
        .unwrap();
        let open = wal_tail(&db).unwrap();
        assert!(
            open.uncommitted_frames > 0 && open.valid_frames > tail.valid_frames,
            "spilled pages follow the last commit: {open:?}"
        );
        conn.execute_batch("COMMIT").unwrap();
        let done = wal_tail(&db).unwrap();
        assert_eq!(done.uncommitted_frames, 0, "committed now: {done:?}");
        // A half frame at the end is not a frame; a file shorter than a header holds none.
        let mut wal = db.as_os_str().to_owned();
        wal.push("-wal");
        let mut bytes = std::fs::read(&wal).unwrap();
        bytes.extend_from_slice(&[0u8; 100]);
        assert_eq!(read_wal(&bytes), done, "a half frame is ignored");
        assert_eq!(
            read_wal(&bytes[..20]),
            WalTail::default(),
            "no header, no frames"
        );
    }
}
