//! The `intake` command end to end, against a temporary data folder.

use std::path::Path;
use std::process::Command as StdCommand;

use assert_cmd::Command;
use predicates::prelude::*;
use predicates::str::contains;

fn intake(dir: &Path) -> Command {
    let mut cmd = Command::cargo_bin("intake").expect("the intake binary");
    cmd.arg("--data-dir").arg(dir).env("USER", "tester");
    cmd
}

fn init(dir: &Path) {
    intake(dir)
        .args([
            "init",
            "--admin",
            "chief",
            "--display-name",
            "Maria Chief",
            "--password-stdin",
        ])
        .write_stdin("first-admin-pw\n")
        .assert()
        .success()
        .stdout(contains("administrator \"chief\""));
}

/// The audit actor of the CLI: the OS account of the real uid running these tests
/// (never `$USER`, which `intake()` sets to "tester").
fn cli_actor() -> String {
    let out = StdCommand::new("id")
        .arg("-un")
        .output()
        .expect("the id command");
    let name = String::from_utf8_lossy(&out.stdout).trim().to_string();
    assert!(
        !name.is_empty(),
        "id -un names the account running the tests"
    );
    format!("cli:{name}")
}

fn users_json(dir: &Path) -> serde_json::Value {
    let out = intake(dir)
        .args(["user", "list", "--json"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "user list: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("user list --json prints JSON")
}

#[test]
fn init_creates_the_database_and_the_first_admin() {
    let tmp = tempfile::tempdir().unwrap();
    init(tmp.path());
    assert!(
        tmp.path().join("intake.db").exists(),
        "intake.db in the data folder"
    );
    let users = users_json(tmp.path());
    assert_eq!(users[0]["username"], "chief");
    assert_eq!(users[0]["role"], "admin");
    assert_eq!(users[0]["displayName"], "Maria Chief");
    // The built-in form comes with the database, active, and exports as shipped.
    let out = intake(tmp.path())
        .args(["template", "list", "--json"])
        .output()
        .unwrap();
    let templates: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(templates.as_array().unwrap().len(), 1, "{templates}");
    assert_eq!(templates[0]["slug"], "general-adult-intake");
    assert_eq!(templates[0]["title"], "General adult intake");
    assert_eq!(templates[0]["status"], "active");
    assert_eq!(
        templates[0]["version"], "2",
        "a new database gets the current version of the built-in form only"
    );
    let exported = intake(tmp.path())
        .args([
            "template",
            "export",
            "general-adult-intake",
            "--version",
            "2",
        ])
        .output()
        .unwrap();
    let form: serde_json::Value = serde_json::from_slice(&exported.stdout).unwrap();
    assert_eq!(form["resourceType"], "Questionnaire");
}

#[test]
fn a_second_init_refuses_and_keeps_the_first_admin() {
    let tmp = tempfile::tempdir().unwrap();
    init(tmp.path());
    intake(tmp.path())
        .args(["init", "--admin", "mallory", "--password-stdin"])
        .write_stdin("mallory-password\n")
        .assert()
        .code(1)
        .stderr(contains("already has users"));
    let users = users_json(tmp.path());
    assert_eq!(users.as_array().unwrap().len(), 1, "no second admin");
    assert_eq!(
        users[0]["username"], "chief",
        "the first admin is untouched"
    );
}

#[test]
fn init_refuses_bad_credentials_and_creates_no_admin() {
    let tmp = tempfile::tempdir().unwrap();
    let long = "x".repeat(10 * 1024);
    for (name, password, expected) in [
        ("", "good-password", "username"),
        (long.as_str(), "good-password", "64"),
        ("chief", "short", "8 characters"),
        ("chief", long.as_str(), "256"),
    ] {
        intake(tmp.path())
            .args(["init", "--admin", name, "--password-stdin"])
            .write_stdin(format!("{password}\n"))
            .assert()
            .code(1)
            .stderr(contains(expected));
    }
    intake(tmp.path())
        .args(["init", "--admin", "chief", "--password-stdin"])
        .write_stdin("")
        .assert()
        .code(1)
        .stderr(contains("no password on standard input"));
    assert_eq!(
        users_json(tmp.path()),
        serde_json::json!([]),
        "nobody was created"
    );
}

#[test]
fn users_can_be_added_listed_disabled_and_enabled() {
    let tmp = tempfile::tempdir().unwrap();
    init(tmp.path());
    intake(tmp.path())
        .args([
            "user",
            "add",
            "Anna",
            "--role",
            "nurse",
            "--display-name",
            "Anna Łukasz",
            "--password-stdin",
        ])
        .write_stdin("temporary-pass\n")
        .assert()
        .success()
        .stdout(contains("Added anna (nurse)"));
    intake(tmp.path())
        .args(["user", "list"])
        .assert()
        .success()
        .stdout(
            contains("anna")
                .and(contains("nurse"))
                .and(contains("Anna Łukasz")),
        );
    let users = users_json(tmp.path());
    let anna = users
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["username"] == "anna")
        .unwrap();
    assert_eq!(
        anna["mustChangePassword"], true,
        "a CLI-set password is temporary"
    );
    intake(tmp.path())
        .args(["user", "disable", "anna"])
        .assert()
        .success();
    let users = users_json(tmp.path());
    let anna = users
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["username"] == "anna")
        .unwrap();
    assert_eq!(anna["active"], false);
    intake(tmp.path())
        .args(["user", "enable", "anna"])
        .assert()
        .success();
    intake(tmp.path())
        .args(["user", "disable", "nobody"])
        .assert()
        .code(1)
        .stderr(contains("no user named \"nobody\""));
    intake(tmp.path())
        .args(["user", "add", "anna", "--role", "admin", "--password-stdin"])
        .write_stdin("another-password\n")
        .assert()
        .code(1)
        .stderr(contains("taken"));
}

#[test]
fn an_unknown_role_is_a_usage_error_listing_the_roles() {
    let tmp = tempfile::tempdir().unwrap();
    init(tmp.path());
    intake(tmp.path())
        .args([
            "user",
            "add",
            "bob",
            "--role",
            "surgeon",
            "--password-stdin",
        ])
        .write_stdin("temporary-pass\n")
        .assert()
        .code(2)
        .stderr(
            contains("nurse")
                .and(contains("physician"))
                .and(contains("admin")),
        );
}

#[test]
fn bad_arguments_exit_2() {
    let tmp = tempfile::tempdir().unwrap();
    intake(tmp.path()).arg("frobnicate").assert().code(2);
    intake(tmp.path())
        .args(["init", "--admin", "x"])
        .assert()
        .code(2);
    intake(tmp.path())
        .args(["audit", "list", "--limit", "many"])
        .assert()
        .code(2);
    intake(tmp.path()).assert().code(2);
}

#[test]
fn seed_demo_creates_three_accounts_once() {
    let tmp = tempfile::tempdir().unwrap();
    intake(tmp.path())
        .arg("seed-demo")
        .assert()
        .success()
        .stdout(
            contains("nurse")
                .and(contains("physician"))
                .and(contains("admin"))
                .and(contains("created")),
        );
    intake(tmp.path())
        .arg("seed-demo")
        .assert()
        .success()
        .stdout(contains("already there"));
    assert_eq!(users_json(tmp.path()).as_array().unwrap().len(), 3);
}

#[test]
fn audit_verify_passes_then_names_a_tampered_row() {
    let tmp = tempfile::tempdir().unwrap();
    intake(tmp.path()).arg("seed-demo").assert().success();
    intake(tmp.path())
        .args(["audit", "verify"])
        .assert()
        .success()
        // 8 entries, and the demo physician's 258 signatures and 2 amendments.
        .stdout(contains("intact: 268 entries"));
    // Newest first: version 2 of the built-in form (imported, version 1 retired), the
    // demo visits' summary, the signatures, the patients' summary, version 1 of the
    // built-in form (the demo's earlier visits are on it), then the accounts.
    intake(tmp.path())
        .args(["audit", "list", "--limit", "400"])
        .assert()
        .success()
        .stdout(contains("user.created").and(contains(cli_actor())));
    let status = StdCommand::new("sqlite3")
        .arg(tmp.path().join("intake.db"))
        .arg("DROP TRIGGER audit_log_no_update; UPDATE audit_log SET detail = '{}' WHERE seq = 2;")
        .status()
        .expect("the sqlite3 shell");
    assert!(status.success());
    intake(tmp.path())
        .args(["audit", "verify"])
        .assert()
        .code(1)
        .stderr(contains("BROKEN at entry 2"));
}

#[test]
fn audit_list_json_is_machine_readable() {
    let tmp = tempfile::tempdir().unwrap();
    init(tmp.path());
    let out = intake(tmp.path())
        .args(["audit", "list", "--json"])
        .output()
        .unwrap();
    let entries: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let entries = entries.as_array().unwrap();
    let actions: Vec<(&str, &str)> = entries
        .iter()
        .map(|e| (e["action"].as_str().unwrap(), e["actor"].as_str().unwrap()))
        .collect();
    // Newest first: init made the first administrator, then loaded the built-in form.
    assert_eq!(
        actions,
        [
            ("template.imported", "system"),
            ("user.created", cli_actor().as_str())
        ]
    );
}

#[test]
fn settings_can_be_read_and_changed() {
    let tmp = tempfile::tempdir().unwrap();
    init(tmp.path());
    intake(tmp.path())
        .args([
            "settings",
            "set",
            "--session-timeout",
            "30",
            "--clinic-name",
            "Zoë's Clinic",
        ])
        .assert()
        .success();
    intake(tmp.path())
        .args(["settings", "get"])
        .assert()
        .success()
        .stdout(contains("30 s").and(contains("Zoë's Clinic")));
    intake(tmp.path())
        .args(["settings", "set", "--session-timeout", "1"])
        .assert()
        .code(1)
        .stderr(contains("sessionTimeoutSeconds"));
}

#[test]
fn the_clinic_time_zone_and_clock_are_set_from_the_command_line() {
    let tmp = tempfile::tempdir().unwrap();
    init(tmp.path());
    intake(tmp.path())
        .env("TZ", "Europe/Paris")
        .args(["settings", "get"])
        .assert()
        .success()
        .stdout(contains("Europe/Paris (the workstation's)").and(contains("hour-cycle       24")));
    intake(tmp.path())
        .args([
            "settings",
            "set",
            "--time-zone",
            "Mars/Olympus",
            "--hour-cycle",
            "12",
        ])
        .assert()
        .code(1)
        .stderr(contains("\"Mars/Olympus\" is not a time zone name"));
    intake(tmp.path())
        .args(["settings", "get"])
        .assert()
        .success()
        .stdout(contains("hour-cycle       24"));
    intake(tmp.path())
        .args([
            "settings",
            "set",
            "--time-zone",
            "America/New_York",
            "--hour-cycle",
            "12",
        ])
        .assert()
        .success()
        .stdout(
            contains("time-zone        America/New_York\n").and(contains("hour-cycle       12")),
        );
    let out = intake(tmp.path())
        .args(["audit", "list", "--json"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("settings.changed") && text.contains("America/New_York"),
        "the change is audited: {text}"
    );
}

#[test]
fn a_data_dir_that_is_a_file_is_refused_and_left_alone() {
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("not-a-folder");
    std::fs::write(&file, "keep me").unwrap();
    intake(&file)
        .args(["user", "list"])
        .assert()
        .code(1)
        .stderr(contains("is a file").and(contains("not-a-folder")));
    assert_eq!(std::fs::read_to_string(&file).unwrap(), "keep me");
}

#[test]
fn a_data_dir_that_is_not_writable_is_refused() {
    // /proc/self is a folder nobody, not even root, can create files in.
    intake(Path::new("/proc/self"))
        .args(["user", "list"])
        .assert()
        .code(1)
        .stderr(contains("/proc/self").and(contains("not writable")));
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("file");
    std::fs::write(&file, "x").unwrap();
    intake(&file.join("below"))
        .args(["user", "list"])
        .assert()
        .code(1)
        .stderr(contains("cannot create the data folder"));
}

#[test]
fn a_damaged_database_is_refused_and_left_alone() {
    let tmp = tempfile::tempdir().unwrap();
    let db = tmp.path().join("intake.db");
    let junk: Vec<u8> = (0..4096u32).map(|i| (i * 7919 % 251) as u8).collect();
    std::fs::write(&db, &junk).unwrap();
    intake(tmp.path())
        .args(["user", "list"])
        .assert()
        .code(1)
        .stderr(contains("not an Intake Desk database").and(contains("intake.db")));
    assert_eq!(std::fs::read(&db).unwrap(), junk, "the file is untouched");
}

#[test]
fn a_truncated_database_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    intake(tmp.path()).arg("seed-demo").assert().success();
    let db = tmp.path().join("intake.db");
    let bytes = std::fs::read(&db).unwrap();
    std::fs::write(&db, &bytes[..bytes.len() / 2]).unwrap();
    intake(tmp.path())
        .args(["user", "list"])
        .assert()
        .code(1)
        .stderr(contains("damaged").and(contains("intake.db")));
}

#[test]
fn the_environment_variable_chooses_the_data_folder() {
    let tmp = tempfile::tempdir().unwrap();
    Command::cargo_bin("intake")
        .unwrap()
        .env("INTAKE_DESK_DATA_DIR", tmp.path())
        .env("USER", "tester")
        .arg("seed-demo")
        .assert()
        .success();
    assert!(tmp.path().join("intake.db").exists());
}

/// The audit log's entries as `(action, actor)`, newest first.
fn audit_actions(dir: &Path) -> Vec<(String, String)> {
    let out = intake(dir)
        .args(["audit", "list", "--json", "--limit", "500"])
        .output()
        .expect("audit list runs");
    let entries: serde_json::Value =
        serde_json::from_slice(&out.stdout).expect("audit list --json prints JSON");
    entries
        .as_array()
        .expect("a list of entries")
        .iter()
        .map(|e| {
            (
                e["action"].as_str().unwrap_or_default().to_string(),
                e["actor"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect()
}

#[test]
fn seed_demo_refuses_a_clinic_database_and_adds_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    init(tmp.path());
    intake(tmp.path())
        .args([
            "patient",
            "add",
            "--family",
            "Real",
            "--given",
            "Person",
            "--birth-date",
            "1970-01-02",
            "--sex",
            "female",
        ])
        .assert()
        .success();
    let before = audit_actions(tmp.path());
    intake(tmp.path()).arg("seed-demo").assert().code(1).stderr(
        contains("accounts the demo did not create")
            .and(contains("chief"))
            .and(contains("Nothing was added")),
    );
    let names: Vec<String> = users_json(tmp.path())
        .as_array()
        .expect("a list of users")
        .iter()
        .map(|u| u["username"].as_str().unwrap_or_default().to_string())
        .collect();
    assert_eq!(names, ["chief"], "no demo account was added");
    assert_eq!(
        audit_actions(tmp.path()),
        before,
        "nothing was written to the audit log"
    );
}

#[test]
fn seed_demo_refuses_a_database_whose_admin_is_named_admin() {
    // A clinic's own first administrator may well be called `admin`: a demo name alone
    // does not make a demo account.
    let tmp = tempfile::tempdir().unwrap();
    intake(tmp.path())
        .args(["init", "--admin", "admin", "--password-stdin"])
        .write_stdin("first-admin-pw\n")
        .assert()
        .success();
    intake(tmp.path())
        .arg("seed-demo")
        .assert()
        .code(1)
        .stderr(contains("accounts the demo did not create").and(contains("admin")));
    assert_eq!(
        users_json(tmp.path()).as_array().map(Vec::len),
        Some(1),
        "no demo account was added beside the clinic's admin"
    );
}

#[test]
fn the_audit_actor_is_the_real_account_whatever_user_says() {
    let tmp = tempfile::tempdir().unwrap();
    intake(tmp.path())
        .env("USER", "drsmith")
        .env("LOGNAME", "drsmith")
        .env("USERNAME", "drsmith")
        .args(["init", "--admin", "chief", "--password-stdin"])
        .write_stdin("first-admin-pw\n")
        .assert()
        .success();
    let created = audit_actions(tmp.path())
        .into_iter()
        .find(|(action, _)| action == "user.created")
        .expect("the first admin's entry");
    assert_eq!(
        created.1,
        cli_actor(),
        "the actor is the OS account of the real uid, not $USER"
    );
    assert_ne!(created.1, "cli:drsmith", "$USER is not trusted");
}

#[cfg(unix)]
#[test]
fn every_open_makes_the_data_folder_and_database_private() {
    use std::os::unix::fs::PermissionsExt;
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("data");
    init(&dir);
    let db = dir.join("intake.db");
    std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o755)).unwrap();
    std::fs::set_permissions(&db, std::fs::Permissions::from_mode(0o644)).unwrap();
    intake(&dir)
        .args(["user", "list"])
        .assert()
        .success()
        .stderr(contains("warning").not());
    let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&dir), 0o700, "the 0755 data folder is 0700 again");
    assert_eq!(mode(&db), 0o600, "the 0644 intake.db is 0600 again");
}
