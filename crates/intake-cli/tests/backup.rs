//! `intake backup`: a consistent copy while the app has the database open, checked and
//! logged with the chain head it holds (also in a `.head` file beside it); a copy that opens as the clinic it was; and the
//! refusals: an existing file, a missing folder, a clinic server (pg_dump is its backup,
//! pg_restore its restore).

use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::sync::Arc;

use assert_cmd::Command;
use intake_api::{Api, Caller, SystemClock};
use intake_store::pg::testing::{cluster, TestDatabase, APP, OWNER};
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

/// The `database.backed_up` entries of the data folder's audit log.
fn backup_entries(dir: &Path) -> Vec<String> {
    stdout(intake(dir).args(["audit", "list", "--limit", "1000"]))
        .lines()
        .filter(|l| l.contains("database.backed_up"))
        .map(str::to_string)
        .collect()
}

#[test]
fn a_backup_taken_while_the_app_works_opens_as_the_clinic_and_is_logged_with_its_head() {
    let live = tempfile::tempdir().unwrap();
    intake(live.path()).arg("seed-demo").assert().success();
    // The app has the database open (and keeps working) while the backup runs.
    let app = Api::open_file(&live.path().join("intake.db"), Arc::new(SystemClock)).unwrap();
    let cli = Caller::Cli("nurse-desk");
    let before = app.search_patients(cli, "Kowalski").unwrap().patients.len();
    assert!(before > 0, "the demo clinic has Kowalskis");

    let shelf = tempfile::tempdir().unwrap();
    let out = shelf.path().join("monday.db");
    let printed = stdout(intake(live.path()).arg("backup").arg("--out").arg(&out));
    assert!(
        printed.contains("signed records are as signed") && printed.contains("audit log intact"),
        "the copy is checked before it is reported: {printed}"
    );
    let head = printed
        .split("chain head ")
        .nth(1)
        .and_then(|rest| rest.split(')').next())
        .unwrap_or_else(|| panic!("the output names the chain head: {printed}"))
        .to_string();
    let mode = std::fs::metadata(&out).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600, "patients' records: this account only");
    let mut names: Vec<String> = std::fs::read_dir(shelf.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(
        names,
        ["monday.db", "monday.db.head"],
        "nothing else left beside the backup and the head it holds"
    );
    assert_eq!(
        std::fs::read_to_string(shelf.path().join("monday.db.head")).unwrap(),
        format!("{head}\n"),
        "the sidecar names the head, as `intake verify --anchor` takes it"
    );

    // The live log names the backup and the head it holds.
    let logged = backup_entries(live.path());
    assert_eq!(logged.len(), 1, "{logged:?}");
    assert!(
        logged[0].contains(&head) && logged[0].contains("monday.db"),
        "the entry names the file and the chain head: {}",
        logged[0]
    );
    // The app goes on working on the live database.
    assert_eq!(
        app.search_patients(cli, "Kowalski").unwrap().patients.len(),
        before
    );

    // The backup is the clinic as it was: it verifies and finds the same patients.
    let restored = tempfile::tempdir().unwrap();
    std::fs::copy(&out, restored.path().join("intake.db")).unwrap();
    intake(restored.path())
        .arg("verify")
        .assert()
        .success()
        .stdout(contains("signed records are as signed"));
    assert_eq!(
        stdout(intake(restored.path()).args(["patient", "find", "Kowalski"])),
        stdout(intake(live.path()).args(["patient", "find", "Kowalski"])),
    );
    assert!(
        backup_entries(restored.path()).is_empty(),
        "the backup holds the log up to its head, not the entry about itself"
    );
}

#[test]
fn a_backup_never_replaces_a_file_makes_no_folder_and_leaves_nothing_behind() {
    let live = tempfile::tempdir().unwrap();
    intake(live.path()).arg("seed-demo").assert().success();
    let shelf = tempfile::tempdir().unwrap();

    let taken = shelf.path().join("taken.db");
    std::fs::write(&taken, "yesterday's backup").unwrap();
    intake(live.path())
        .arg("backup")
        .arg("--out")
        .arg(&taken)
        .assert()
        .code(1)
        .stderr(contains("already exists").and(contains("never replaces")));
    assert_eq!(
        std::fs::read_to_string(&taken).unwrap(),
        "yesterday's backup",
        "the file is untouched"
    );

    intake(live.path())
        .arg("backup")
        .arg("--out")
        .arg(shelf.path().join("no-such-folder/monday.db"))
        .assert()
        .code(1)
        .stderr(contains("does not exist"));
    intake(live.path())
        .arg("backup")
        .arg("--out")
        .arg(shelf.path())
        .assert()
        .code(1)
        .stderr(contains("already exists"));

    let names: Vec<String> = std::fs::read_dir(shelf.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names, ["taken.db"], "no folder made, no partial file left");
    assert!(
        backup_entries(live.path()).is_empty(),
        "a backup not made is not logged"
    );
}

#[test]
fn on_the_clinic_server_backup_says_to_use_postgresqls_own_tools() {
    let settings = cluster().expect(
        "INTAKE_TEST_PG is not set: run the server tests with scripts/with-postgres.sh (make test does)",
    );
    let db = TestDatabase::empty(&settings);
    let dir = tempfile::tempdir().unwrap();
    intake(dir.path())
        .args(["db", "init", "--database", &db.config(OWNER).url])
        .args(["--app-role", APP])
        .assert()
        .success();
    let out = dir.path().join("server.db");
    intake(dir.path())
        .args(["--database", &db.config(APP).url, "backup", "--out"])
        .arg(&out)
        .assert()
        .failure()
        .stderr(contains("clinic server").and(contains("pg_dump")));
    assert!(!out.exists(), "no file made");
    // Nor is a workstation file put back over a clinic on the server.
    std::fs::write(&out, "a backup from elsewhere").unwrap();
    intake(dir.path())
        .args(["--database", &db.config(APP).url, "restore"])
        .arg(&out)
        .assert()
        .failure()
        .stderr(contains("pg_restore"));
    assert!(!dir.path().join("intake.db").exists(), "nothing restored");
}

#[test]
fn settings_set_a_backup_folder_and_the_first_daily_backup_is_made_at_once() {
    let live = tempfile::tempdir().unwrap();
    intake(live.path())
        .args(["init", "--admin", "chief", "--password-stdin"])
        .write_stdin("first-admin-pw\n")
        .assert()
        .success();
    intake(live.path())
        .args(["settings", "set", "--backup-folder", "relative/folder"])
        .assert()
        .code(1)
        .stderr(contains("backupFolder").and(contains("whole path")));
    let shelf = tempfile::tempdir().unwrap();
    let folder = shelf.path().display().to_string();
    intake(live.path())
        .args([
            "settings",
            "set",
            "--backup-folder",
            &folder,
            "--backup-keep",
            "7",
        ])
        .assert()
        .success()
        .stdout(contains(format!("backup-folder    {folder}")).and(contains("backup-keep      7")));
    let made: Vec<String> = std::fs::read_dir(shelf.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with("intake-backup-") && n.ends_with(".db"))
        .collect();
    assert_eq!(made.len(), 1, "{made:?}");
    // It restores like any backup.
    let fresh = tempfile::tempdir().unwrap();
    intake(fresh.path())
        .arg("restore")
        .arg(shelf.path().join(&made[0]))
        .assert()
        .success();
    intake(fresh.path())
        .args(["settings", "get"])
        .assert()
        .success()
        .stdout(contains("backup-keep      7"));
}
