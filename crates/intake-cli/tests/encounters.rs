//! `intake encounter list|show`: intakes started and saved through the API, read back
//! by the command line.

use std::path::Path;
use std::sync::Arc;

use assert_cmd::Command;
use intake_api::wire::ChangeDto;
use intake_api::wire::PatientInputDto;
use intake_api::{Api, Caller, DataDir, SystemClock};
use predicates::prelude::*;
use predicates::str::contains;
use serde_json::{json, Value};

fn intake(dir: &Path) -> Command {
    let mut cmd = Command::cargo_bin("intake").expect("the intake binary");
    cmd.arg("--data-dir").arg(dir).env("USER", "tester");
    cmd
}

fn json_of(cmd: &mut Command) -> Value {
    let out = cmd.output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("JSON")
}

fn change(key: &str, values: Value) -> ChangeDto {
    serde_json::from_value(json!({ "key": key, "values": values, "baseRev": 0 })).unwrap()
}

/// A demo database with two intakes by the demo nurse: one submitted (for the first
/// demo patient), one draft (for the second). Returns their ids and the two MRNs.
fn two_intakes(dir: &Path) -> ((i64, String), (i64, String)) {
    intake(dir).arg("seed-demo").assert().success();
    let api = Api::open(&DataDir::at(dir), Arc::new(SystemClock)).unwrap();
    let token = api.sign_in("nurse", "demo").unwrap().token;
    let nurse = Caller::Session(&token);
    let register = |family: &str| {
        let input = PatientInputDto {
            family: family.into(),
            given: "Zoë".into(),
            birth_date: "1984-03-07".into(),
            sex: "female".into(),
            ..Default::default()
        };
        api.register_patient(nurse, &input, None)
            .unwrap()
            .patient
            .unwrap()
    };
    let (first, second) = (register("Testfirst"), register("Testsecond"));
    let done = api.start_intake(nurse, first.id, None, None).unwrap();
    let changes = [
        change(
            "visit/reason",
            json!([{ "valueString": "Cough for two weeks" }]),
        ),
        change("vitals/weight", json!([{ "valueDecimal": 82.5 }])),
        change("allergies/any-allergies", json!([{ "valueBoolean": true }])),
        change(
            "medications/any-medications",
            json!([{ "valueBoolean": false }]),
        ),
        change("allergies/allergy[1]", json!([])),
        change(
            "allergies/allergy[1]/allergy-substance",
            json!([{ "valueString": "Penicillin" }]),
        ),
    ];
    api.save_intake(nurse, done.id, &changes, Some("vitals"))
        .unwrap();
    assert!(api.submit_intake(nurse, done.id).unwrap().submitted);
    let draft = api.start_intake(nurse, second.id, None, None).unwrap();
    ((done.id, first.mrn.clone()), (draft.id, second.mrn.clone()))
}

#[test]
fn list_filters_by_patient_and_status() {
    let tmp = tempfile::tempdir().unwrap();
    let ((done, done_mrn), (draft, draft_mrn)) = two_intakes(tmp.path());
    let all = json_of(intake(tmp.path()).args(["encounter", "list", "--json"]));
    let ids: Vec<i64> = all
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["id"].as_i64().unwrap())
        .collect();
    // The demo patients' earlier visits come after these two, the newest.
    assert_eq!(ids[..2], [draft, done], "newest first");
    let row = &all[1];
    assert_eq!(row["mrn"], done_mrn.as_str());
    assert_eq!(row["template"], "general-adult-intake");
    assert_eq!(row["status"], "submitted");
    assert!(row["startedAt"].as_str().unwrap().contains('T'));
    assert!(row["submittedAt"].is_string());
    assert!(all[0]["submittedAt"].is_null());

    let mine =
        json_of(intake(tmp.path()).args(["encounter", "list", "--patient", &draft_mrn, "--json"]));
    assert_eq!(mine.as_array().unwrap().len(), 1);
    assert_eq!(mine[0]["id"], draft);
    let submitted =
        json_of(intake(tmp.path()).args(["encounter", "list", "--status", "submitted", "--json"]));
    let submitted = submitted.as_array().unwrap();
    assert_eq!(submitted[0]["id"], done);
    assert!(submitted.iter().all(|e| e["status"] == "submitted"));
    let drafts =
        json_of(intake(tmp.path()).args(["encounter", "list", "--status", "draft", "--json"]));
    assert_eq!(drafts.as_array().unwrap().len(), 1);
    assert_eq!(drafts[0]["id"], draft);

    intake(tmp.path())
        .args(["encounter", "list"])
        .assert()
        .success()
        .stdout(
            contains("general-adult-intake")
                .and(contains("draft"))
                .and(contains(done_mrn.as_str())),
        );
}

#[test]
fn show_prints_every_answer_with_source_author_and_time() {
    let tmp = tempfile::tempdir().unwrap();
    let ((done, _), _) = two_intakes(tmp.path());
    let shown =
        json_of(intake(tmp.path()).args(["encounter", "show", &done.to_string(), "--json"]));
    assert_eq!(shown["status"], "submitted");
    assert_eq!(shown["template"], "general-adult-intake");
    let answers = shown["answers"].as_array().unwrap();
    let find = |key: &str| {
        answers
            .iter()
            .find(|a| a["key"] == key)
            .unwrap_or_else(|| panic!("{key} in {answers:?}"))
    };
    let reason = find("visit/reason");
    assert_eq!(reason["linkId"], "reason");
    assert_eq!(
        reason["value"],
        json!({ "valueString": "Cough for two weeks" })
    );
    assert_eq!(
        (reason["source"].as_str(), reason["author"].as_str()),
        (Some("typed"), Some("nurse"))
    );
    assert!(reason["at"].as_str().unwrap().contains('T'));
    let substance = find("allergies/allergy[1]/allergy-substance");
    assert_eq!(substance["linkId"], "allergy-substance");
    assert_eq!(substance["value"]["valueString"], "Penicillin");
    // The patient's sex comes from the record, not the nurse.
    assert_eq!(find("visit/patient-sex")["source"], "record");

    intake(tmp.path())
        .args(["encounter", "show", &done.to_string()])
        .assert()
        .success()
        .stdout(
            contains("Cough for two weeks")
                .and(contains("Penicillin"))
                .and(contains("Submitted")),
        );
}

#[test]
fn unknown_ids_patients_and_statuses_get_clear_errors() {
    let tmp = tempfile::tempdir().unwrap();
    intake(tmp.path()).arg("seed-demo").assert().success();
    intake(tmp.path())
        .args(["encounter", "show", "999"])
        .assert()
        .failure()
        .stderr(contains("999"));
    intake(tmp.path())
        .args(["encounter", "list", "--patient", "NOPE-1"])
        .assert()
        .failure()
        .stderr(contains("NOPE-1"));
    intake(tmp.path())
        .args(["encounter", "list", "--status", "finished"])
        .assert()
        .failure()
        .stderr(contains("finished"));
    // Demo patients have earlier visits; a patient registered now has none.
    let added = intake(tmp.path())
        .args([
            "patient",
            "add",
            "--family",
            "Fresh",
            "--given",
            "Anna",
            "--birth-date",
            "1990-01-02",
            "--sex",
            "female",
        ])
        .output()
        .unwrap();
    assert!(
        added.status.success(),
        "{}",
        String::from_utf8_lossy(&added.stderr)
    );
    let mrn = String::from_utf8_lossy(&added.stdout).trim().to_string();
    let empty =
        json_of(intake(tmp.path()).args(["encounter", "list", "--patient", &mrn, "--json"]));
    assert_eq!(empty, json!([]));
}

#[test]
fn plan_shows_what_a_repeat_visit_would_start_with_and_saves_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let ((done, done_mrn), _) = two_intakes(tmp.path());
    let count = || {
        let listed = json_of(intake(tmp.path()).args(["encounter", "list", "--json"]));
        listed.as_array().unwrap().len()
    };
    let before = count();
    let plan =
        json_of(intake(tmp.path()).args(["encounter", "plan", "--patient", &done_mrn, "--json"]));
    assert_eq!(plan["template"], "general-adult-intake");
    let entries = plan["entries"].as_array().unwrap();
    let find = |key: &str| {
        entries
            .iter()
            .find(|e| e["key"] == key)
            .unwrap_or_else(|| panic!("{key} in the plan"))
    };
    let substance = find("allergies/allergy[1]/allergy-substance");
    assert_eq!(substance["linkId"], "allergy-substance");
    assert_eq!(substance["value"], json!({ "valueString": "Penicillin" }));
    assert_eq!(substance["source"], "carried");
    assert_eq!(substance["sourceEncounter"], done);
    assert!(substance["sourceDate"].as_str().unwrap().starts_with("20"));
    assert_eq!(find("allergies/allergy[1]")["needsConfirmation"], true);
    let weight = find("vitals/weight");
    assert!(weight.get("value").is_none(), "vitals are never carried");
    assert!(
        weight["hint"]
            .as_str()
            .unwrap()
            .starts_with("last weight 82.5 kg"),
        "{weight}"
    );
    assert_eq!(find("visit/patient-sex")["source"], "record");
    assert_eq!(count(), before, "nothing was saved");
    intake(tmp.path())
        .args(["encounter", "plan", "--patient", &done_mrn])
        .assert()
        .success()
        .stdout(
            contains("Penicillin")
                .and(contains("carried"))
                .and(contains("last weight")),
        );
}
