//! `intake verify` and `intake audit anchor` from the command line: a clean register
//! verifies with its anchor; an anchor that is no anchor, and a record edited around
//! the triggers, exit 1 with the reason.

use std::path::Path;
use std::process::Command as Std;

use assert_cmd::Command;
use predicates::str::contains;

fn intake(dir: &Path) -> Command {
    let mut cmd = Command::cargo_bin("intake").expect("the intake binary");
    cmd.arg("--data-dir").arg(dir);
    cmd
}

fn sql(db: &Path, statements: &str) -> String {
    let out = Std::new("sqlite3")
        .arg(db)
        .arg(statements)
        .output()
        .expect("the sqlite3 shell");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

#[test]
fn verify_holds_on_a_clean_register_and_names_a_changed_record() {
    let data = tempfile::tempdir().unwrap();
    intake(data.path()).arg("seed-demo").assert().success();
    let out = intake(data.path())
        .args(["audit", "anchor"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let anchor = String::from_utf8_lossy(&out.stdout).trim().to_string();
    assert!(
        anchor
            .split_once(':')
            .is_some_and(|(s, h)| s.parse::<i64>().is_ok() && h.len() == 64),
        "SEQ:HASH, not {anchor:?}"
    );
    intake(data.path())
        .args(["verify", "--anchor", &anchor])
        .assert()
        .success()
        .stdout(contains("anchor held"))
        .stdout(contains("signed records are as signed"));
    intake(data.path())
        .args(["verify", "--anchor", "yesterday"])
        .assert()
        .code(1)
        .stderr(contains("is not an anchor"));

    let db = data.path().join("intake.db");
    let visit = sql(
        &db,
        "SELECT id FROM encounters WHERE status = 'signed' ORDER BY id LIMIT 1;",
    );
    let triggers = sql(
        &db,
        "SELECT name FROM sqlite_master WHERE type = 'trigger';",
    );
    let drops: String = triggers
        .lines()
        .map(|t| format!("DROP TRIGGER \"{t}\";"))
        .collect();
    sql(
        &db,
        &format!(
            "{drops} UPDATE encounter_answers SET value_json = '[{{\"valueDecimal\":55.5}}]' \
             WHERE encounter_id = {visit} AND answer_key = 'vitals/weight';"
        ),
    );
    intake(data.path())
        .arg("verify")
        .assert()
        .code(1)
        .stderr(contains(format!("visit {visit}")))
        .stderr(contains("differs from what was signed"));
}
