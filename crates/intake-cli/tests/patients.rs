//! `intake patient ...` end to end against a temporary data folder.

use std::path::Path;

use assert_cmd::Command;
use predicates::prelude::*;
use predicates::str::contains;

fn intake(dir: &Path) -> Command {
    let mut cmd = Command::cargo_bin("intake").expect("the intake binary");
    cmd.arg("--data-dir").arg(dir).env("USER", "tester");
    cmd
}

fn add(dir: &Path, family: &str, given: &str, birth: &str) -> assert_cmd::assert::Assert {
    intake(dir)
        .args([
            "patient",
            "add",
            "--family",
            family,
            "--given",
            given,
            "--birth-date",
            birth,
            "--sex",
            "female",
        ])
        .assert()
}

fn find_json(dir: &Path, query: &str) -> serde_json::Value {
    let out = intake(dir)
        .args(["patient", "find", query, "--json"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("JSON")
}

#[test]
fn add_prints_the_mrn_and_find_returns_json() {
    let tmp = tempfile::tempdir().unwrap();
    add(tmp.path(), "Núñez", "Zoë", "1984-03-07")
        .success()
        .stdout(predicate::str::is_match(r"^000001-8\n$").unwrap());
    let found = find_json(tmp.path(), "zoe nun");
    assert_eq!(
        found,
        serde_json::json!([{ "mrn": "000001-8", "family": "Núñez", "given": "Zoë", "birthDate": "1984-03-07", "sex": "female", "status": "active" }])
    );
    intake(tmp.path())
        .args(["patient", "show", "000001-8"])
        .assert()
        .success()
        .stdout(contains("Núñez, Zoë").and(contains("1984-03-07")));
    intake(tmp.path())
        .args(["patient", "show", "999999-9"])
        .assert()
        .code(1)
        .stderr(contains("No patient has the MRN"));
}

#[test]
fn a_likely_duplicate_is_refused_with_candidates_unless_a_reason_is_given() {
    let tmp = tempfile::tempdir().unwrap();
    add(tmp.path(), "Núñez", "Zoë", "1984-03-07").success();
    add(tmp.path(), "Nunez", "Zoe", "1984-03-07")
        .code(1)
        .stderr(
            contains("000001-8")
                .and(contains("similar name"))
                .and(contains("--allow-duplicate")),
        );
    intake(tmp.path())
        .args([
            "patient",
            "add",
            "--family",
            "Nunez",
            "--given",
            "Zoe",
            "--birth-date",
            "1984-03-07",
            "--sex",
            "female",
            "--allow-duplicate",
            "twin",
        ])
        .assert()
        .success()
        .stdout(contains("000002-6"));
}

#[test]
fn bad_patient_input_names_the_field() {
    let tmp = tempfile::tempdir().unwrap();
    add(tmp.path(), "X", "Y", "2026-02-30")
        .code(1)
        .stderr(contains("birthDate"));
    intake(tmp.path())
        .args([
            "patient",
            "add",
            "--family",
            "X",
            "--birth-date",
            "1980-01-01",
            "--sex",
            "robot",
        ])
        .assert()
        .code(1)
        .stderr(contains("sex"));
    assert_eq!(find_json(tmp.path(), "x"), serde_json::json!([]));
}

#[test]
fn csv_import_reports_lines_and_is_all_or_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let csv = tmp.path().join("old-system.csv");
    std::fs::write(
        &csv,
        "mrn,family,given,birth_date,sex\n\
         ,Kowalski,Łukasz,1975-11-02,male\n\
         ,Broken,Date,1975-13-02,male\n\
         ,Kowalski,Lukasz,1975-11-02,male\n",
    )
    .unwrap();
    intake(tmp.path())
        .args(["patient", "import"])
        .arg(&csv)
        .assert()
        .code(1)
        .stdout(contains("line 3: rejected (birthDate)").and(contains("line 4: skipped")))
        .stderr(contains("nothing was imported"));
    assert_eq!(find_json(tmp.path(), "kowalski"), serde_json::json!([]));
    intake(tmp.path())
        .args(["patient", "import", "--dry-run"])
        .arg(&csv)
        .assert()
        .success()
        .stdout(contains("1 rows would import"));
    intake(tmp.path())
        .args(["patient", "import", "--skip-invalid"])
        .arg(&csv)
        .assert()
        .success()
        .stdout(contains(
            "1 rows imported, 1 skipped as likely duplicates, 1 rejected.",
        ));
    assert_eq!(
        find_json(tmp.path(), "kowalski").as_array().unwrap().len(),
        1
    );
    intake(tmp.path())
        .args(["patient", "import", "/no/such/file.csv"])
        .assert()
        .code(1)
        .stderr(contains("cannot read /no/such/file.csv"));
}

#[test]
fn seed_synthetic_is_reproducible() {
    let a = tempfile::tempdir().unwrap();
    let b = tempfile::tempdir().unwrap();
    for dir in [a.path(), b.path()] {
        intake(dir)
            .args(["seed-synthetic", "--patients", "300", "--seed", "9"])
            .assert()
            .success()
            .stdout(contains("Added 300 synthetic patients"));
    }
    let first = find_json(a.path(), "a");
    assert!(
        first.as_array().unwrap().len() > 10,
        "the register has many patients"
    );
    assert_eq!(
        first,
        find_json(b.path(), "a"),
        "the same seed, the same patients"
    );
}

#[test]
fn merge_links_a_duplicate_chart_and_unmerge_undoes_it() {
    let tmp = tempfile::tempdir().unwrap();
    add(tmp.path(), "Kowalski", "Jan", "1970-01-02")
        .success()
        .stdout("000001-8\n");
    intake(tmp.path())
        .args([
            "patient",
            "add",
            "--family",
            "Kowalksi",
            "--given",
            "Jan",
            "--birth-date",
            "1970-01-02",
            "--sex",
            "female",
            "--allow-duplicate",
            "Could not tell at the desk",
        ])
        .assert()
        .success();
    let second = find_json(tmp.path(), "kowalksi jan")
        .as_array()
        .and_then(|a| a.iter().find(|p| p["family"] == "Kowalksi").cloned())
        .expect("the duplicate is found");
    let second_mrn = second["mrn"].as_str().expect("an MRN").to_string();

    intake(tmp.path())
        .args(["patient", "merge", "--into", "0000018", &second_mrn])
        .args(["--reason", "Same person, typo at registration"])
        .assert()
        .success()
        .stdout(
            contains("Merged into Kowalski, Jan (000001-8)").and(contains(second_mrn.as_str())),
        );
    let found = find_json(tmp.path(), &second_mrn);
    assert_eq!(
        found[0]["mergedInto"], "Kowalski, Jan (000001-8)",
        "find says where the merged chart leads: {found}"
    );
    intake(tmp.path())
        .args(["patient", "show", "000001-8"])
        .assert()
        .success()
        .stdout(contains(format!("000001-8, {second_mrn}")));

    intake(tmp.path())
        .args([
            "patient",
            "merge",
            "--into",
            &second_mrn,
            "000001-8",
            "--reason",
            "x",
        ])
        .assert()
        .failure()
        .stderr(contains("merged into"));
    intake(tmp.path())
        .args([
            "patient", "merge", "--into", "000001-8", "000001-8", "--reason", "x",
        ])
        .assert()
        .failure()
        .stderr(contains("cannot be merged into itself"));

    intake(tmp.path())
        .args(["patient", "unmerge", &second_mrn])
        .assert()
        .success()
        .stdout(contains("a chart of its own again"));
    let found = find_json(tmp.path(), &second_mrn);
    assert_eq!(
        found[0].get("mergedInto"),
        None,
        "after the undo it leads nowhere: {found}"
    );
    intake(tmp.path())
        .args(["patient", "unmerge", &second_mrn])
        .assert()
        .failure()
        .stderr(contains("is not merged"));
}
