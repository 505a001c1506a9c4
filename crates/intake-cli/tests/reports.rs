//! `intake report outcomes`: intakes made through the API on a fixed clock, reported by
//! the command line as JSON and as a table per week; bad ranges exit 1 with the reason.

use std::path::Path;
use std::sync::Arc;

use assert_cmd::Command;
use chrono::{Duration, TimeZone, Utc};
use intake_api::wire::ChangeDto;
use intake_api::wire::NewUserRequest;
use intake_api::wire::PatientInputDto;
use intake_api::{Api, Caller, DataDir, ManualClock};
use predicates::prelude::*;
use predicates::str::contains;
use serde_json::{json, Value};

const PASSWORD: &str = "correct-horse-1";

fn intake(dir: &Path) -> Command {
    let mut cmd = Command::cargo_bin("intake").expect("the intake binary");
    cmd.arg("--data-dir").arg(dir).env("USER", "tester");
    cmd
}

fn change(key: &str, values: Value) -> ChangeDto {
    serde_json::from_value(json!({ "key": key, "values": values, "baseRev": 0 })).unwrap()
}

/// A nurse's intake submitted on Wednesday 4 November 2026 after 7 minutes (reason,
/// weight and the two allergy and medication questions typed), and a draft that is never submitted. Returns the submitted one's id.
fn one_submitted_intake(dir: &Path) -> i64 {
    let clock = Arc::new(ManualClock::new(
        Utc.with_ymd_and_hms(2026, 11, 4, 9, 0, 0).unwrap(),
    ));
    let api = Api::open(&DataDir::at(dir), clock.clone()).unwrap();
    let cli = Caller::Cli("tester");
    api.create_first_admin(Some(cli), "admin", "", PASSWORD)
        .unwrap();
    let nurse = NewUserRequest {
        username: "nurse".into(),
        display_name: String::new(),
        role: "nurse".into(),
        password: "temporary-1".into(),
    };
    api.create_user(cli, &nurse).unwrap();
    let token = api.sign_in("nurse", "temporary-1").unwrap().token;
    let n = Caller::Session(&token);
    api.change_password(n, "temporary-1", PASSWORD).unwrap();
    let register = |family: &str| {
        let input = PatientInputDto {
            family: family.into(),
            given: "Zoë".into(),
            birth_date: "1984-03-07".into(),
            sex: "female".into(),
            ..Default::default()
        };
        api.register_patient(n, &input, None)
            .unwrap()
            .patient
            .unwrap()
            .id
    };
    let e = api
        .start_intake(n, register("Reported"), None, None)
        .unwrap();
    let changes = [
        change("visit/reason", json!([{ "valueString": "Cough" }])),
        change("vitals/weight", json!([{ "valueDecimal": 82.5 }])),
        change(
            "allergies/any-allergies",
            json!([{ "valueBoolean": false }]),
        ),
        change(
            "medications/any-medications",
            json!([{ "valueBoolean": false }]),
        ),
    ];
    api.save_intake(n, e.id, &changes, None).unwrap();
    clock.advance(Duration::minutes(7));
    assert!(api.submit_intake(n, e.id).unwrap().submitted);
    api.start_intake(n, register("Drafted"), None, None)
        .unwrap();
    e.id
}

#[test]
fn json_lists_every_week_and_the_submitted_intakes() {
    let tmp = tempfile::tempdir().unwrap();
    let id = one_submitted_intake(tmp.path());
    let out = intake(tmp.path())
        .args([
            "report",
            "outcomes",
            "--from",
            "2026-11-02",
            "--to",
            "2026-11-15",
            "--json",
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: Value = serde_json::from_slice(&out.stdout).expect("JSON");
    let weeks: Vec<&str> = report["weeks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w["weekStart"].as_str().unwrap())
        .collect();
    assert_eq!(weeks, ["2026-11-02", "2026-11-09"]);
    let encounters = report["encounters"].as_array().unwrap();
    assert_eq!(encounters.len(), 1, "the draft is not reported: {report}");
    let e = &encounters[0];
    assert_eq!(e["id"], id);
    assert_eq!(
        (e["typed"].as_i64(), e["carriedUnchanged"].as_i64()),
        (Some(4), Some(0))
    );
    assert_eq!(e["minutes"], 7.0);
    assert_eq!(e["submittedAt"], "2026-11-04T09:07:00.000Z");
    let first = &report["weeks"][0];
    assert_eq!(
        (
            first["encounters"].as_i64(),
            first["medianMinutes"].as_f64()
        ),
        (Some(1), Some(7.0))
    );
    assert_eq!(first["answered"], e["answered"]);
    let empty = &report["weeks"][1];
    assert_eq!(
        (empty["encounters"].as_i64(), empty["answered"].as_i64()),
        (Some(0), Some(0))
    );
    assert!(empty["medianMinutes"].is_null(), "{empty}");
}

#[test]
fn the_table_has_a_line_per_week_and_a_total() {
    let tmp = tempfile::tempdir().unwrap();
    one_submitted_intake(tmp.path());
    let out = intake(tmp.path())
        .args([
            "report",
            "outcomes",
            "--from",
            "2026-11-02",
            "--to",
            "2026-11-15",
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    let at = |start: &str| -> Vec<&str> {
        lines
            .iter()
            .find(|l| l.starts_with(start))
            .unwrap_or_else(|| panic!("no line starting with {start:?} in\n{text}"))
            .split_whitespace()
            .collect()
    };
    assert_eq!(at("WEEK")[1..3], ["INTAKES", "ANSWERED"]);
    let week = at("2026-11-02");
    assert_eq!((week[1], week[5], week[9]), ("1", "4", "7.0"), "{text}");
    assert_eq!(week[3], "0", "nothing carried on a first visit");
    assert_eq!(week[7], "0%");
    let empty = at("2026-11-09");
    assert_eq!((empty[1], empty[7], empty[9]), ("0", "-", "-"), "{text}");
    let total = at("total");
    assert_eq!(total[1..], week[1..], "one week holds everything");

    // A period with nothing in it says so.
    intake(tmp.path())
        .args([
            "report",
            "outcomes",
            "--from",
            "2026-12-01",
            "--to",
            "2026-12-06",
        ])
        .assert()
        .success()
        .stdout(contains("No intakes were submitted in this period."));
}

#[test]
fn a_bad_range_exits_1_with_the_reason_on_stderr() {
    let tmp = tempfile::tempdir().unwrap();
    one_submitted_intake(tmp.path());
    intake(tmp.path())
        .args([
            "report",
            "outcomes",
            "--from",
            "2026-12-01",
            "--to",
            "2026-11-01",
        ])
        .assert()
        .code(1)
        .stdout(predicate::str::is_empty())
        .stderr(contains(
            "from: The start date 2026-12-01 is after the end date 2026-11-01.",
        ));
    intake(tmp.path())
        .args([
            "report",
            "outcomes",
            "--from",
            "2026-11-01",
            "--to",
            "1 Dec",
            "--json",
        ])
        .assert()
        .code(1)
        .stdout(predicate::str::is_empty())
        .stderr(contains("to: The end date \"1 Dec\" is not a date"));
    intake(tmp.path())
        .args(["report", "outcomes", "--from", "2026-11-01"])
        .assert()
        .code(2)
        .stderr(contains("--to"));
}
