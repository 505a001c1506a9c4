//! `intake template ...`: every shared fixture imports, lists and exports unchanged.

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use predicates::prelude::*;
use predicates::str::contains;

fn intake(dir: &Path) -> Command {
    let mut cmd = Command::cargo_bin("intake").expect("the intake binary");
    cmd.arg("--data-dir").arg(dir).env("USER", "tester");
    cmd
}

fn shared_fixtures() -> Option<Vec<PathBuf>> {
    let dir =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/fixtures/questionnaires");
    let Ok(entries) = std::fs::read_dir(&dir) else {
        eprintln!("SKIPPED: {} is not there", dir.display());
        return None;
    };
    let mut files: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    files.sort();
    Some(files)
}

/// The conformance part this CLI can show today: import with a report, list, export
/// the original bytes unchanged.
#[test]
fn every_shared_fixture_imports_and_exports_byte_for_byte() {
    let Some(files) = shared_fixtures() else {
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    for file in &files {
        let out = intake(tmp.path())
            .args(["template", "import", "--json"])
            .arg(file)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}: {}",
            file.display(),
            String::from_utf8_lossy(&out.stderr)
        );
        let t: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        let (slug, version) = (t["slug"].as_str().unwrap(), t["version"].as_str().unwrap());
        assert!(t["report"]["summary"].as_str().unwrap().contains("items:"));
        let exported = intake(tmp.path())
            .args(["template", "export", slug, "--version", version])
            .output()
            .unwrap();
        assert!(exported.status.success());
        assert_eq!(
            exported.stdout,
            std::fs::read(file).unwrap(),
            "{} round-trips unchanged",
            file.display()
        );
    }
    let list = intake(tmp.path())
        .args(["template", "list", "--json"])
        .output()
        .unwrap();
    let list: serde_json::Value = serde_json::from_slice(&list.stdout).unwrap();
    assert_eq!(list.as_array().unwrap().len(), files.len());
    assert!(list
        .as_array()
        .unwrap()
        .iter()
        .all(|t| t["status"] == "draft"));
}

#[test]
fn import_prints_the_report_and_refuses_bad_files() {
    let tmp = tempfile::tempdir().unwrap();
    let form = tmp.path().join("form.json");
    std::fs::write(
        &form,
        r#"{"resourceType":"Questionnaire","name":"Tiny","version":"2","status":"active","item":[
            {"linkId":"a","text":"A","type":"string"},
            {"linkId":"p","text":"Photo","type":"attachment"}]}"#,
    )
    .unwrap();
    intake(tmp.path())
        .args(["template", "import"])
        .arg(&form)
        .assert()
        .success()
        .stdout(
            contains("Imported tiny version 2")
                .and(contains("degraded  p: attachments"))
                .and(contains("2 items: 1 supported, 1 degraded")),
        );
    intake(tmp.path())
        .args(["template", "import"])
        .arg(&form)
        .assert()
        .code(1)
        .stderr(contains("already imported as tiny version 2"));
    intake(tmp.path())
        .args(["template", "activate", "tiny", "--version", "2"])
        .assert()
        .success();
    intake(tmp.path())
        .args(["template", "list"])
        .assert()
        .success()
        .stdout(contains("tiny").and(contains("active")));
    intake(tmp.path())
        .args(["template", "retire", "tiny", "--version", "2"])
        .assert()
        .success();
    intake(tmp.path())
        .args(["template", "export", "tiny", "--version", "9"])
        .assert()
        .code(1)
        .stderr(contains("no template \"tiny\" version \"9\""));
    for (name, body, words) in [
        ("notjson.json", "this is not json", "not JSON"),
        (
            "patient.json",
            r#"{"resourceType":"Patient"}"#,
            "not a FHIR Questionnaire",
        ),
        (
            "dup.json",
            r#"{"resourceType":"Questionnaire","status":"draft","item":[{"linkId":"x","type":"string"},{"linkId":"x","type":"string"}]}"#,
            "share the linkId",
        ),
    ] {
        let path = tmp.path().join(name);
        std::fs::write(&path, body).unwrap();
        intake(tmp.path())
            .args(["template", "import"])
            .arg(&path)
            .assert()
            .code(1)
            .stderr(contains(words));
    }
}
