//! `intake restore`: yesterday's state back with one command, the replaced database kept
//! beside it and the restore in the log; and every refusal (a file in use, a damaged,
//! tampered, foreign or newer file, the live file itself, a clinic server) changes nothing.

use std::path::{Path, PathBuf};
use std::process::Command as StdCommand;
use std::sync::Arc;

use assert_cmd::Command;
use intake_api::{Api, DataDir, SystemClock};
use predicates::prelude::*;
use predicates::str::contains;

fn intake(dir: &Path) -> Command {
    let mut cmd = Command::cargo_bin("intake").expect("the intake binary");
    cmd.arg("--data-dir")
        .arg(dir)
        .env("USER", "tester")
        .env_remove("INTAKE_DESK_DATABASE");
    cmd
}

fn stdout(cmd: &mut Command) -> String {
    let out = cmd.output().expect("intake runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn init(dir: &Path) {
    intake(dir)
        .args(["init", "--admin", "chief", "--password-stdin"])
        .write_stdin("first-admin-pw\n")
        .assert()
        .success();
}

fn add_nurse(dir: &Path, name: &str) {
    intake(dir)
        .args(["user", "add", name, "--role", "nurse", "--password-stdin"])
        .write_stdin("temporary-pass\n")
        .assert()
        .success();
}

fn users(dir: &Path) -> String {
    stdout(intake(dir).args(["user", "list"]))
}

/// A backup of `live` in a folder of its own; returns the file.
fn backup(live: &Path, shelf: &Path) -> PathBuf {
    let out = shelf.join("monday.db");
    intake(live)
        .arg("backup")
        .arg("--out")
        .arg(&out)
        .assert()
        .success();
    out
}

fn sqlite(file: &Path, sql: &str) {
    let status = StdCommand::new("sqlite3")
        .arg(file)
        .arg(sql)
        .status()
        .expect("the sqlite3 shell");
    assert!(status.success(), "{sql}");
}

fn files_in(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[test]
fn a_restore_brings_back_the_backups_clinic_keeps_the_replaced_one_and_logs_both_heads() {
    let live = tempfile::tempdir().unwrap();
    intake(live.path()).arg("seed-demo").assert().success();
    let shelf = tempfile::tempdir().unwrap();
    let file = backup(live.path(), shelf.path());
    let head = std::fs::read_to_string(format!("{}.head", file.display())).unwrap();
    let head = head.trim();
    // Work after the backup, which the restore takes back.
    add_nurse(live.path(), "zoe");
    assert!(users(live.path()).contains("zoe"));
    let later_head = stdout(intake(live.path()).args(["audit", "anchor"]));

    let printed = stdout(intake(live.path()).arg("restore").arg(&file));
    assert!(
        printed.contains(&format!("chain head {head}"))
            && printed.contains("signed records are as signed")
            && printed.contains("is kept as"),
        "{printed}"
    );
    assert!(
        !users(live.path()).contains("zoe"),
        "the state of the backup"
    );
    intake(live.path())
        .arg("verify")
        .assert()
        .success()
        .stdout(contains("signed records are as signed"));

    // The log shows the restore, from which file, to which head, over which head.
    let log = stdout(intake(live.path()).args(["audit", "list", "--limit", "5", "--json"]));
    let entries: serde_json::Value = serde_json::from_str(&log).unwrap();
    let restored = entries
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["action"] == "database.restored")
        .unwrap_or_else(|| panic!("the restore is logged: {log}"));
    let detail = restored["detail"].to_string();
    assert!(
        detail.contains(head)
            && detail.contains("monday.db")
            && detail.contains(later_head.trim().split(':').next().unwrap()),
        "the entry names the backup, its head and the replaced head: {detail}"
    );
    assert_eq!(restored["actor"], format!("cli:{}", whoami()));

    // The replaced database is kept whole beside it, with the nurse added after.
    let aside: Vec<String> = files_in(live.path())
        .into_iter()
        .filter(|n| n.starts_with("intake.db.before-restore-"))
        .collect();
    assert_eq!(aside.len(), 1, "{:?}", files_in(live.path()));
    let kept = tempfile::tempdir().unwrap();
    std::fs::copy(live.path().join(&aside[0]), kept.path().join("intake.db")).unwrap();
    assert!(
        users(kept.path()).contains("zoe"),
        "nothing of the replaced one is lost"
    );
    assert!(
        !files_in(live.path())
            .iter()
            .any(|n| n.contains("restoring")),
        "no staging file left: {:?}",
        files_in(live.path())
    );
}

/// The OS account the CLI names in the log (the real uid's name, not $USER).
fn whoami() -> String {
    let out = StdCommand::new("id").arg("-un").output().unwrap();
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

#[test]
fn a_restore_onto_an_empty_folder_sets_a_new_workstation_up() {
    let live = tempfile::tempdir().unwrap();
    init(live.path());
    add_nurse(live.path(), "zoe");
    let shelf = tempfile::tempdir().unwrap();
    let file = backup(live.path(), shelf.path());
    let fresh = tempfile::tempdir().unwrap();
    let target = fresh.path().join("new-workstation");
    intake(&target)
        .arg("restore")
        .arg(&file)
        .assert()
        .success()
        .stdout(contains("no database here before"));
    assert!(users(&target).contains("zoe"));
}

#[test]
fn a_restore_is_refused_while_the_database_is_open_and_changes_nothing() {
    let live = tempfile::tempdir().unwrap();
    init(live.path());
    let shelf = tempfile::tempdir().unwrap();
    let file = backup(live.path(), shelf.path());
    add_nurse(live.path(), "zoe");
    let before = files_in(live.path());

    // The app (any program through the API) has the folder's database open.
    let app = Api::open(&DataDir::at(live.path()), Arc::new(SystemClock)).unwrap();
    intake(live.path())
        .arg("restore")
        .arg(&file)
        .assert()
        .code(1)
        .stderr(contains("open in another program").and(contains("close Intake Desk")));
    drop(app);
    assert_eq!(files_in(live.path()), before);
    assert!(users(live.path()).contains("zoe"), "nothing was restored");
}

#[test]
fn damaged_tampered_foreign_newer_and_wrong_files_are_refused_before_anything_changes() {
    let live = tempfile::tempdir().unwrap();
    init(live.path());
    add_nurse(live.path(), "zoe");
    let shelf = tempfile::tempdir().unwrap();
    let good = backup(live.path(), shelf.path());
    let before = files_in(live.path());

    let copy_of_good = |name: &str| {
        let path = shelf.path().join(name);
        std::fs::copy(&good, &path).unwrap();
        path
    };
    let text = shelf.path().join("notes.txt");
    std::fs::write(
        &text,
        "not a database at all, but long enough to have a header ".repeat(4),
    )
    .unwrap();
    let foreign = shelf.path().join("foreign.db");
    sqlite(
        &foreign,
        "CREATE TABLE recipes (name TEXT); INSERT INTO recipes VALUES ('soup');",
    );
    let newer = copy_of_good("newer.db");
    sqlite(&newer, "PRAGMA user_version = 999;");
    let tampered = copy_of_good("tampered.db");
    sqlite(
        &tampered,
        "DROP TRIGGER audit_log_no_update; UPDATE audit_log SET detail = '{}' WHERE seq = 2;",
    );
    let torn = copy_of_good("torn.db");
    let len = std::fs::metadata(&torn).unwrap().len();
    std::fs::OpenOptions::new()
        .write(true)
        .open(&torn)
        .unwrap()
        .set_len(len / 2)
        .unwrap();
    let mislabelled = copy_of_good("mislabelled.db");
    std::fs::write(
        format!("{}.head", mislabelled.display()),
        format!("1:{}\n", "0".repeat(64)),
    )
    .unwrap();

    for (file, expected) in [
        (shelf.path().join("missing.db"), "is not a file"),
        (shelf.path().to_path_buf(), "is not a file"),
        (text, "not"),
        (foreign, "not"),
        (newer, "newer"),
        (tampered, "entry 2"),
        (torn, "shorter than its own header"),
        (mislabelled, "names the chain head"),
        (live.path().join("intake.db"), "the database in use"),
    ] {
        let out = intake(live.path())
            .arg("restore")
            .arg(&file)
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{}: {stderr}", file.display());
        assert!(
            stderr.contains(expected),
            "{}: expected {expected:?} in {stderr}",
            file.display()
        );
        assert_eq!(files_in(live.path()), before, "{}", file.display());
        assert!(users(live.path()).contains("zoe"), "{}", file.display());
    }
    let log = stdout(intake(live.path()).args(["audit", "list", "--limit", "50"]));
    assert!(
        !log.contains("database.restored"),
        "nothing restored, nothing logged"
    );
}
