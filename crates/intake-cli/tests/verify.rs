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

/// `intake audit list --patient MRN` answers "who saw or changed this chart": only that
/// patient's entries; an unknown MRN is a clear error.
#[test]
fn the_audit_log_lists_one_charts_entries() {
    let data = tempfile::tempdir().unwrap();
    intake(data.path()).arg("seed-demo").assert().success();
    let db = data.path().join("intake.db");
    let (patient, mrn) = {
        let row = sql(
            &db,
            "SELECT p.id || '|' || p.mrn FROM patients p JOIN encounters e ON e.patient_id = p.id \
             WHERE e.signed_by IS NOT NULL ORDER BY p.id LIMIT 1;",
        );
        let (id, mrn) = row.split_once('|').unwrap();
        (id.parse::<i64>().unwrap(), mrn.to_string())
    };
    let out = intake(data.path())
        .args([
            "audit",
            "list",
            "--patient",
            &mrn,
            "--limit",
            "1000",
            "--json",
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let entries: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let entries = entries.as_array().unwrap();
    assert!(!entries.is_empty(), "the chart's signatures are listed");
    assert!(
        entries.iter().all(|e| e["patientId"] == patient),
        "only this chart's entries: {entries:?}"
    );
    assert!(entries.iter().any(|e| e["action"] == "encounter.signed"));
    intake(data.path())
        .args(["audit", "list", "--patient", "999999-9"])
        .assert()
        .code(1)
        .stderr(contains("no patient with MRN 999999-9"));
}
