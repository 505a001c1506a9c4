//! `intake db` against the throwaway PostgreSQL cluster of `scripts/with-postgres.sh`:
//! setting up a clinic server, pointing a workstation at it, and every refusal on the
//! way (no address, a password in it, a server without our schema or with a newer one,
//! the app's role migrating, a second first administrator), each naming the server.

use std::path::Path;

use assert_cmd::Command;
use intake_store::pg::testing::{cluster, TestDatabase, APP, OWNER};
use predicates::prelude::*;
use predicates::str::contains;

fn settings() -> String {
    cluster().expect(
        "INTAKE_TEST_PG is not set: run the server tests with scripts/with-postgres.sh (make test does)",
    )
}

fn intake(dir: &Path) -> Command {
    let mut cmd = Command::cargo_bin("intake").expect("the intake binary");
    cmd.arg("--data-dir")
        .arg(dir)
        .env("USER", "tester")
        .env_remove("INTAKE_DESK_DATABASE")
        .env_remove("PGPASSWORD");
    cmd
}

fn address(db: &TestDatabase, role: &str) -> String {
    db.config(role).url
}

fn init(dir: &Path, db: &TestDatabase) {
    intake(dir)
        .args(["db", "init", "--database", &address(db, OWNER)])
        .args([
            "--app-role",
            APP,
            "--admin",
            "chief",
            "--display-name",
            "Maria Chief",
        ])
        .arg("--password-stdin")
        .write_stdin("first-admin-pw\n")
        .assert()
        .success()
        .stdout(contains("Set up clinic server 127.0.0.1"))
        .stdout(contains("First administrator: \"chief\""));
}

#[test]
fn db_init_sets_up_a_server_that_the_app_role_then_uses() {
    let db = TestDatabase::empty(&settings());
    let dir = tempfile::tempdir().unwrap();
    init(dir.path(), &db);

    let app = address(&db, APP);
    intake(dir.path())
        .args(["--database", &app, "user", "list"])
        .assert()
        .success()
        .stdout(contains("chief").and(contains("Maria Chief")));
    intake(dir.path())
        .args(["--database", &app, "db", "status"])
        .assert()
        .success()
        .stdout(contains("Database: clinic server 127.0.0.1"))
        .stdout(contains(format!(
            "Schema version {}",
            intake_store::pg::latest_version()
        )));
    // The audit log on the server records the setup and verifies.
    intake(dir.path())
        .args(["--database", &app, "audit", "verify"])
        .assert()
        .success();
    // Nothing was written to a local file.
    assert!(!dir.path().join("intake.db").exists());

    // Set up twice: the schema is there, and a second first administrator is refused.
    intake(dir.path())
        .args([
            "db",
            "init",
            "--database",
            &address(&db, OWNER),
            "--admin",
            "other",
        ])
        .arg("--password-stdin")
        .write_stdin("other-admin-pw\n")
        .assert()
        .failure()
        .stderr(contains("already"));
    intake(dir.path())
        .args(["db", "migrate", "--database", &address(&db, OWNER)])
        .assert()
        .success()
        .stdout(contains("is up to date"));
}

#[test]
fn db_use_points_the_workstation_at_the_server_and_back() {
    let db = TestDatabase::empty(&settings());
    let dir = tempfile::tempdir().unwrap();
    init(dir.path(), &db);
    let app = address(&db, APP);

    intake(dir.path())
        .args(["db", "use", &app])
        .assert()
        .success()
        .stdout(contains("now uses clinic server 127.0.0.1"));
    let conf = std::fs::read_to_string(dir.path().join("intake-desk.conf")).unwrap();
    assert!(conf.contains(&format!("database = {app}")), "{conf}");
    intake(dir.path())
        .args(["user", "list"])
        .assert()
        .success()
        .stdout(contains("chief"));

    intake(dir.path())
        .args(["db", "use", "--local"])
        .assert()
        .success()
        .stdout(contains("its own database again"));
    intake(dir.path())
        .args(["db", "status"])
        .assert()
        .success()
        .stdout(contains(format!(
            "Database: {}",
            dir.path().join("intake.db").display()
        )))
        .stdout(contains("moved").not());
}

#[test]
fn a_server_the_workstation_cannot_use_is_refused_and_nothing_is_written() {
    let settings = settings();
    let dir = tempfile::tempdir().unwrap();
    let conf = dir.path().join("intake-desk.conf");

    // A database without our schema.
    let empty = TestDatabase::empty(&settings);
    intake(dir.path())
        .args(["db", "use", &address(&empty, APP)])
        .assert()
        .failure()
        .stderr(contains("clinic server 127.0.0.1").and(contains("intake db init")));
    assert!(!conf.exists(), "nothing written for a server it cannot use");

    // A password in the address.
    intake(dir.path())
        .args([
            "db",
            "use",
            "postgresql://intake_app:secret@db.clinic.lan/intake",
        ])
        .assert()
        .failure()
        .stderr(contains("PGPASSWORD").and(contains("secret").not()));

    // A host that does not answer.
    intake(dir.path())
        .args([
            "user",
            "list",
            "--database",
            "host=127.0.0.1 port=1 user=intake_app",
        ])
        .assert()
        .failure()
        .stderr(contains("clinic server 127.0.0.1:1"));
    assert!(!conf.exists());

    // Setting up without naming the server.
    intake(dir.path())
        .args(["db", "init", "--admin", "chief", "--password-stdin"])
        .write_stdin("first-admin-pw\n")
        .assert()
        .failure()
        .stderr(contains("needs --database URL"));
}

#[test]
fn a_newer_schema_on_the_server_or_the_owner_role_are_refused_naming_both() {
    let db = TestDatabase::empty(&settings());
    let dir = tempfile::tempdir().unwrap();
    init(dir.path(), &db);
    let latest = intake_store::pg::latest_version();

    // The app never connects as the schema's owner.
    intake(dir.path())
        .args(["--database", &address(&db, OWNER), "user", "list"])
        .assert()
        .failure()
        .stderr(contains(OWNER));
    // The app's role cannot migrate.
    intake(dir.path())
        .args(["db", "migrate", "--database", &address(&db, APP)])
        .assert()
        .failure()
        .stderr(contains("clinic server 127.0.0.1").and(contains("the schema's owner role")));

    // A newer Intake Desk migrated the server.
    let mut su = postgres::Client::connect(&db.superuser_config().url, postgres::NoTls).unwrap();
    su.execute(
        "INSERT INTO intake_schema (version) VALUES ($1)",
        &[&(latest as i32 + 1)],
    )
    .unwrap();
    intake(dir.path())
        .args(["--database", &address(&db, APP), "user", "list"])
        .assert()
        .failure()
        .stderr(contains(format!("schema version {}", latest + 1)))
        .stderr(contains(format!("({latest})")));

    // An older schema (this Intake Desk is newer than the server's): named, and `intake
    // db migrate` is what brings it up to date.
    su.execute(
        "DELETE FROM intake_schema WHERE version >= $1",
        &[&(latest as i32)],
    )
    .unwrap();
    intake(dir.path())
        .args(["--database", &address(&db, APP), "user", "list"])
        .assert()
        .failure()
        .stderr(contains(format!("{}", latest - 1)).and(contains(format!("{latest}"))))
        .stderr(contains("intake db migrate"));
}

/// A workstation's clinic with the demo data, its file in `dir`.
fn demo_workstation(dir: &Path) {
    intake(dir).arg("seed-demo").assert().success();
}

#[test]
fn db_copy_moves_a_workstations_clinic_and_the_file_then_refuses_writes() {
    let db = TestDatabase::empty(&settings());
    let dir = tempfile::tempdir().unwrap();
    demo_workstation(dir.path());
    let before = intake(dir.path())
        .args(["patient", "find", "kowalski", "--json"])
        .output()
        .unwrap();
    assert!(before.status.success());

    // Set up without an administrator: the users come with the copy.
    intake(dir.path())
        .args([
            "db",
            "init",
            "--database",
            &address(&db, OWNER),
            "--app-role",
            APP,
        ])
        .assert()
        .success()
        .stdout(contains("No administrator yet"));
    intake(dir.path())
        .args(["db", "copy", "--to", &address(&db, OWNER)])
        .assert()
        .success()
        .stdout(contains("Copied").and(contains("checked it there")))
        .stdout(contains("patients").and(contains("signed records")))
        .stdout(contains("now marked moved"));

    // The workstation's file: readable, every write refused naming the server.
    intake(dir.path())
        .args(["user", "list"])
        .assert()
        .success()
        .stdout(contains("nurse"));
    intake(dir.path())
        .args(["patient", "add", "--family", "Late", "--given", "Entry"])
        .args(["--birth-date", "1980-01-01", "--sex", "female"])
        .assert()
        .failure()
        .stderr(contains("moved to clinic server 127.0.0.1"));
    intake(dir.path())
        .args(["db", "status"])
        .assert()
        .success()
        .stdout(contains("The clinic moved to clinic server 127.0.0.1"));

    // The server: the same patients, the chain and every signed visit verify, and the
    // demo nurse's password came along.
    let app = address(&db, APP);
    let after = intake(dir.path())
        .args(["--database", &app, "patient", "find", "kowalski", "--json"])
        .output()
        .unwrap();
    assert!(
        after.status.success(),
        "{}",
        String::from_utf8_lossy(&after.stderr)
    );
    assert_eq!(
        String::from_utf8_lossy(&before.stdout),
        String::from_utf8_lossy(&after.stdout)
    );
    intake(dir.path())
        .args(["--database", &app, "verify"])
        .assert()
        .success();
    intake(dir.path())
        .args(["--database", &app, "patient", "add", "--family", "Onserver"])
        .args([
            "--given",
            "First",
            "--birth-date",
            "1980-01-01",
            "--sex",
            "female",
        ])
        .assert()
        .success();

    // Copied twice: refused, the server unchanged.
    intake(dir.path())
        .args(["db", "copy", "--to", &address(&db, OWNER)])
        .assert()
        .failure()
        .stderr(contains("already moved"));
}

#[test]
fn db_copy_onto_a_server_with_data_is_refused_and_the_file_stays_writable() {
    let db = TestDatabase::empty(&settings());
    let dir = tempfile::tempdir().unwrap();
    demo_workstation(dir.path());
    init(dir.path(), &db);
    intake(dir.path())
        .args(["db", "copy", "--to", &address(&db, OWNER)])
        .assert()
        .failure()
        .stderr(contains("clinic server 127.0.0.1").and(contains("users")));
    // Nothing changed here: the file still takes writes.
    intake(dir.path())
        .args(["patient", "add", "--family", "Still", "--given", "Here"])
        .args(["--birth-date", "1980-01-01", "--sex", "female"])
        .assert()
        .success();
}
