//! A demo data folder made once per test and copied for each place the writer works on,
//! the writer started there, and the kill: the writer is stopped (SIGSTOP), its SQLite
//! locks are read, then it is SIGKILLed while still stopped, so what the probe saw is the
//! state at the kill. Then the checks every kill gets: SQLite's own, and `intake verify`'s.

use std::fs::{File, OpenOptions};
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use intake_api::{Api, Caller, DataDir, SystemClock};
use intake_soak::probe::{self, Locks, WalTail};
use intake_soak::protocol::Line;

pub const CLI: Caller<'static> = Caller::Cli("soak");

/// How long a writer may take to say it is ready, or a batch to finish.
const PATIENCE: Duration = Duration::from_secs(120);

/// A temporary folder holding a seeded template and the places copied from it.
pub struct World {
    root: tempfile::TempDir,
}

impl World {
    /// The demo register (`intake seed-demo`) in a template data folder, made once.
    pub fn seeded() -> World {
        let root = tempfile::tempdir().expect("a temporary folder");
        let data = root.path().join("template");
        let api =
            Api::open(&DataDir::at(&data), Arc::new(SystemClock)).expect("the data folder opens");
        intake_demo::seed_demo(&api, CLI).expect("the demo register is seeded");
        drop(api); // the last connection checkpoints the WAL into the file
        World { root }
    }

    /// A data folder holding a copy of the template, with a log and export folders
    /// beside it (exports may not go inside the data folder).
    pub fn place(&self, name: &str) -> Place {
        self.place_in(&self.root.path().join(name))
    }

    /// The same in a folder of the caller's (on a disk of its own, for a fault test).
    pub fn place_in(&self, dir: &Path) -> Place {
        let dir = dir.to_path_buf();
        let data = dir.join("data");
        std::fs::create_dir_all(&data).expect("a data folder");
        let template = DataDir::at(self.root.path().join("template")).database_path();
        let db = DataDir::at(&data).database_path();
        std::fs::copy(&template, &db).expect("the template is copied");
        Place { dir, data }
    }
}

/// One data folder the writer works on, its log, and folders beside it.
pub struct Place {
    dir: PathBuf,
    pub data: PathBuf,
}

impl Place {
    pub fn db(&self) -> PathBuf {
        DataDir::at(&self.data).database_path()
    }

    pub fn folder(&self, name: &str) -> PathBuf {
        let path = self.dir.join(name);
        std::fs::create_dir_all(&path).expect("a folder");
        path
    }

    pub fn log(&self) -> PathBuf {
        self.dir.join("writer.log")
    }

    /// The end of the writer's log, for a failure message.
    pub fn log_tail(&self) -> String {
        let text = std::fs::read_to_string(self.log()).unwrap_or_default();
        let lines: Vec<&str> = text.lines().collect();
        lines[lines.len().saturating_sub(20)..].join("\n")
    }
}

/// When to stop the writer.
#[derive(Debug, Clone, Copy)]
pub enum When {
    /// This long after it started (it may still be opening the folder).
    FromStart(Duration),
    /// This long after it printed `ready`.
    AfterReady(Duration),
    /// This long after a batch reported at least this many files done.
    AfterProgress(usize, Duration),
    /// Never: wait for it to end by itself.
    Never,
}

/// What one run printed and what the kill interrupted.
pub struct Run {
    pub lines: Vec<Line>,
    /// The SQLite locks it held when killed; `None` when it ended by itself first.
    pub locks: Option<Locks>,
    /// The `-wal` file just after the kill, before anything opened the database.
    pub wal: WalTail,
    pub ready: bool,
    pub took: Duration,
}

fn reader(out: std::process::ChildStdout) -> (Receiver<Line>, JoinHandle<()>) {
    let (tx, rx) = mpsc::channel();
    let handle = std::thread::spawn(move || {
        for text in BufReader::new(out).lines() {
            let Ok(text) = text else { break };
            let line = text
                .parse::<Line>()
                .unwrap_or_else(|e| panic!("the writer printed {e}"));
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    (rx, handle)
}

/// Waits for a line that `wanted` accepts, keeping every line; false if the writer
/// ended (or took too long) first.
fn wait_for(rx: &Receiver<Line>, lines: &mut Vec<Line>, wanted: impl Fn(&Line) -> bool) -> bool {
    let deadline = Instant::now() + PATIENCE;
    loop {
        match rx.recv_timeout(deadline.saturating_duration_since(Instant::now())) {
            Ok(line) => {
                let found = wanted(&line);
                lines.push(line);
                if found {
                    return true;
                }
            }
            Err(RecvTimeoutError::Timeout) | Err(RecvTimeoutError::Disconnected) => return false,
        }
    }
}

/// Stops `pid` and waits until it is stopped; false when it had already ended (and is
/// then reaped).
fn stop(pid: u32) -> bool {
    probe::signal(pid, libc::SIGSTOP).expect("SIGSTOP");
    let mut status = 0;
    // SAFETY: waitpid on our own child, with a valid status pointer.
    let rc = unsafe { libc::waitpid(pid as libc::pid_t, &mut status, libc::WUNTRACED) };
    assert_eq!(
        rc,
        pid as libc::pid_t,
        "waitpid: {}",
        std::io::Error::last_os_error()
    );
    libc::WIFSTOPPED(status)
}

/// Starts the writer in `mode` with `out` and `seed`, kills it as `when` says, and
/// returns what it printed and what the kill interrupted.
pub fn run(world: &Place, mode: &str, out: &Path, seed: u64, when: When) -> Run {
    let log = OpenOptions::new()
        .create(true)
        .append(true)
        .open(world.log())
        .expect("the writer's log");
    let started = Instant::now();
    let mut child = Command::new(env!("CARGO_BIN_EXE_intake-soak-writer"))
        .arg(mode)
        .arg(&world.data)
        .arg(out)
        .arg(seed.to_string())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::from(log))
        .spawn()
        .expect("the writer starts");
    let pid = child.id();
    let (rx, handle) = reader(child.stdout.take().expect("a pipe"));
    let mut lines = Vec::new();
    let reached = match when {
        When::FromStart(d) => {
            std::thread::sleep(d);
            true
        }
        When::AfterReady(d) => {
            let ok = wait_for(&rx, &mut lines, |l| *l == Line::Ready);
            std::thread::sleep(d);
            ok
        }
        When::AfterProgress(n, d) => {
            let ok = wait_for(
                &rx,
                &mut lines,
                |l| matches!(l, Line::Progress(done, _) if *done >= n),
            );
            std::thread::sleep(d);
            ok
        }
        When::Never => {
            let status = child.wait().expect("the writer ends");
            assert!(
                status.success(),
                "the writer failed: {status}\n{}",
                world.log_tail()
            );
            true
        }
    };
    // Stopped, looked at, then killed while stopped: the locks are those at the kill.
    let locks = match when {
        When::Never => None,
        _ if stop(pid) => {
            let locks = probe::locks_held(&world.db(), pid).expect("the locks are read");
            probe::signal(pid, libc::SIGKILL).expect("SIGKILL");
            child.wait().expect("the killed writer is reaped");
            Some(locks)
        }
        _ => None,
    };
    let took = started.elapsed();
    let wal = probe::wal_tail(&world.db()).expect("the WAL is read");
    handle.join().expect("the reader ends");
    lines.extend(rx.try_iter());
    let ready = lines.first() == Some(&Line::Ready);
    assert!(
        reached,
        "the writer ended or stalled before the moment chosen to kill it ({when:?}):\n{}",
        world.log_tail()
    );
    Run {
        lines,
        locks,
        wal,
        ready,
        took,
    }
}

/// Checks SQLite's own view of the file: `PRAGMA integrity_check` and the foreign keys.
pub fn check_sqlite(db: &Path) -> Result<(), String> {
    let conn = rusqlite::Connection::open(db).map_err(|e| e.to_string())?;
    let rows: Vec<String> = conn
        .prepare("PRAGMA integrity_check")
        .and_then(|mut s| s.query_map([], |r| r.get(0))?.collect())
        .map_err(|e| e.to_string())?;
    if rows != ["ok"] {
        return Err(format!("integrity_check: {rows:?}"));
    }
    let orphans: i64 = conn
        .query_row("SELECT count(*) FROM pragma_foreign_key_check", [], |r| {
            r.get(0)
        })
        .map_err(|e| e.to_string())?;
    if orphans != 0 {
        return Err(format!("foreign_key_check: {orphans} rows"));
    }
    Ok(())
}

/// Checks what `intake verify` checks, through the API: the audit chain, then (with
/// `records`) every signed record. Returns the chain's entries and the records checked.
pub fn check_verify(db: &Path, records: bool) -> Result<(u64, Option<u64>), String> {
    let api = Api::open_file(db, Arc::new(SystemClock)).map_err(|e| e.to_string())?;
    let chain = api.verify_audit(CLI).map_err(|e| e.to_string())?;
    if !chain.intact {
        return Err(format!("audit chain broken: {:?}", chain.reason));
    }
    if !records {
        return Ok((chain.entries, None));
    }
    let checked = api.verify_records(CLI).map_err(|e| e.to_string())?;
    if let Some(m) = checked.mismatch {
        return Err(format!(
            "visit {} differs from what was signed: {}",
            m.encounter_id, m.what
        ));
    }
    Ok((chain.entries, Some(checked.checked as u64)))
}

/// Runs the real `intake verify` on the data folder, when the workspace built it beside
/// the writer (`cargo test --workspace` does); `None` when it is not there.
pub fn cli_verify(world: &Place, anchor: Option<&str>) -> Option<String> {
    let writer = PathBuf::from(env!("CARGO_BIN_EXE_intake-soak-writer"));
    let intake = writer.with_file_name("intake");
    if !intake.exists() {
        return None;
    }
    let mut cmd = Command::new(&intake);
    cmd.arg("--data-dir").arg(&world.data).arg("verify");
    if let Some(a) = anchor {
        cmd.arg("--anchor").arg(a);
    }
    let out = cmd.output().expect("intake verify runs");
    assert!(
        out.status.success(),
        "{} verify failed (if it is older than this checkout: cargo build -p intake-cli): {}{}",
        intake.display(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    Some(String::from_utf8_lossy(&out.stdout).trim().to_string())
}

/// Where the figures go, so `make` can show them after cargo hid a passing test's output.
pub fn write_figures(name: &str, text: &str) {
    eprintln!("{text}");
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target"));
    let dir = target.join("soak");
    if std::fs::create_dir_all(&dir).is_ok() {
        let _ = File::create(dir.join(name))
            .and_then(|mut f| std::io::Write::write_all(&mut f, text.as_bytes()));
    }
}
