//! `intake ... | head -1`: a reader that stops early ends a listing quietly (status 0 or
//! 141, nothing on stderr), for every listing command, text and `--json`.
//!
//! A pipe holds 64 KiB, so a command that prints more must still be writing when the
//! reader leaves: the register here is large enough for every listing that can be
//! (demo visits, imported patients for the audit log, and users, templates and visits
//! copied in bulk with the `sqlite3` shell). `patient find` answers at most 50 patients,
//! so it, like every other listing, is also run against a reader that leaves before the
//! first line.

use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Command, ExitStatus, Stdio};

const PIPE_BYTES: usize = 64 * 1024;

fn intake(dir: &Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_intake"));
    cmd.arg("--data-dir").arg(dir).env("USER", "tester");
    cmd
}

fn run_ok(dir: &Path, args: &[&str], stdin: &str) {
    let mut child = intake(dir)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("intake starts");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(stdin.as_bytes())
        .expect("stdin written");
    let out = child.wait_with_output().expect("intake ends");
    assert!(
        out.status.success(),
        "intake {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn sql(dir: &Path, statements: &str) {
    let status = Command::new("sqlite3")
        .arg(dir.join("intake.db"))
        .arg(statements)
        .status()
        .expect("the sqlite3 shell");
    assert!(status.success(), "sqlite3: {statements}");
}

/// A register with more than a pipe's worth of rows in every list that can have them.
fn large_register(dir: &Path) {
    // The demo first: it refuses a database with accounts of its own (a clinic's).
    run_ok(dir, &["seed-demo"], "");
    // Imported patients (born on different days, so none looks like a duplicate): one
    // audit entry each.
    let first = chrono::NaiveDate::from_ymd_opt(1940, 1, 1).expect("a date");
    let mut csv = String::from("family,given,birth_date,sex\n");
    for i in 0..700 {
        let born = first + chrono::Duration::days(i * 29);
        csv.push_str(&format!("Pipereader{i},Zoë,{born},female\n"));
    }
    let file = dir.join("patients.csv");
    std::fs::write(&file, csv).expect("the CSV file");
    run_ok(
        dir,
        &["patient", "import", file.to_str().expect("a UTF-8 path")],
        "",
    );
    sql(
        dir,
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 800)
         INSERT INTO users (username, display_name, role, password_hash, created_at,
                            created_by, updated_at, updated_by)
         SELECT 'reader' || i, 'A reader with a fairly long display name number ' || i,
                'nurse', password_hash, created_at, 'test', updated_at, 'test'
         FROM n, users WHERE users.username = 'admin';
         WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 1500)
         INSERT INTO templates (slug, version, title, status, original, sha256, report,
                                imported_at, imported_by)
         SELECT slug, 'copy-' || i, title || ' (copy ' || i || ')', 'draft', original,
                sha256, report, imported_at, 'test'
         FROM n, templates WHERE templates.id = 1;
         INSERT INTO encounters (patient_id, template_id, status, started_at, started_by,
                                 updated_at)
         SELECT patient_id, template_id, 'draft', started_at, started_by, updated_at
         FROM encounters;
         INSERT INTO encounters (patient_id, template_id, status, started_at, started_by,
                                 updated_at)
         SELECT patient_id, template_id, 'draft', started_at, started_by, updated_at
         FROM encounters;",
    );
}

fn assert_quiet(args: &[&str], status: ExitStatus, stderr: &[u8]) {
    use std::os::unix::process::ExitStatusExt;
    let code = status.code().or(status.signal().map(|s| 128 + s));
    assert!(
        matches!(code, Some(0) | Some(141)),
        "intake {args:?} after the reader left: status {status:?}, expected 0 or 141"
    );
    assert!(
        stderr.is_empty(),
        "intake {args:?} after the reader left says nothing on stderr, said: {}",
        String::from_utf8_lossy(stderr)
    );
}

/// Checks a listing prints more than a pipe holds, then runs it again, reads its first
/// line only and closes the pipe.
fn first_line_then_close(dir: &Path, args: &[&str]) {
    let full = intake(dir).args(args).output().expect("intake runs");
    assert!(full.status.success(), "intake {args:?} lists");
    assert!(
        full.stdout.len() > PIPE_BYTES,
        "intake {args:?} prints more than a pipe holds, printed {} bytes",
        full.stdout.len()
    );
    let mut child = intake(dir)
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("intake starts");
    let mut reader = BufReader::new(child.stdout.take().expect("stdout"));
    let mut first = String::new();
    reader.read_line(&mut first).expect("the first line");
    assert!(!first.is_empty(), "intake {args:?} printed a first line");
    drop(reader);
    let out = child.wait_with_output().expect("intake ends");
    assert_quiet(args, out.status, &out.stderr);
}

/// Runs a listing whose reader is gone before it prints anything.
fn reader_gone_at_once(dir: &Path, args: &[&str]) {
    let mut child = intake(dir)
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("intake starts");
    drop(child.stdout.take());
    let out = child.wait_with_output().expect("intake ends");
    assert_quiet(args, out.status, &out.stderr);
}

#[test]
fn every_listing_ends_quietly_when_its_reader_stops_early() {
    let dir = tempfile::tempdir().expect("a temporary folder");
    large_register(dir.path());
    let large: [&[&str]; 8] = [
        &["user", "list"],
        &["user", "list", "--json"],
        &["audit", "list", "--limit", "10000"],
        &["audit", "list", "--limit", "10000", "--json"],
        &["template", "list"],
        &["template", "list", "--json"],
        &["encounter", "list"],
        &["encounter", "list", "--json"],
    ];
    for args in large {
        first_line_then_close(dir.path(), args);
    }
    let small: [&[&str]; 3] = [
        &["patient", "find", "zoe"],
        &["patient", "find", "zoe", "--json"],
        &["settings", "get"],
    ];
    for args in large.into_iter().chain(small) {
        reader_gone_at_once(dir.path(), args);
    }
}
