//! Intakes through the API: the built-in form, drafts saved field by field with their
//! source and author, calculations, rows, conflicts between two windows, bad input,
//! submission (blocked, then done, then read-only), permissions, and the conformance
//! suite over the shared real-world Questionnaires.

use std::path::PathBuf;
use std::sync::Arc;

use chrono::{TimeZone, Utc};
use intake_api::wire::FormItemDto;
use intake_api::wire::PatientInputDto;
use intake_api::wire::{ChangeDto, IntakeDto};
use intake_api::{Api, Caller, ErrorCode, ManualClock};
use intake_core::questionnaire::response::{Key, Segment};
use serde_json::{json, Value};

const CLI: Caller<'static> = Caller::Cli("tester");

fn api() -> Api {
    let clock = Arc::new(ManualClock::new(
        Utc.with_ymd_and_hms(2026, 11, 24, 9, 0, 0).unwrap(),
    ));
    let api = Api::for_tests(clock).unwrap();
    intake_demo::seed_demo(&api, CLI).unwrap();
    api
}

fn token(api: &Api, user: &str) -> String {
    api.sign_in(user, "demo").unwrap().token
}

fn patient(api: &Api, sex: &str) -> i64 {
    let p = PatientInputDto {
        family: "Łukasz".into(),
        given: "Zoë".into(),
        birth_date: "1984-03-07".into(),
        sex: sex.into(),
        emergency_name: "Ana Núñez".into(),
        ..Default::default()
    };
    let saved = api.register_patient(CLI, &p, Some("test")).unwrap();
    saved.patient.unwrap().id
}

fn change(key: &str, values: Value, base_rev: i64) -> ChangeDto {
    serde_json::from_value(json!({ "key": key, "values": values, "baseRev": base_rev })).unwrap()
}

fn value<'a>(intake: &'a IntakeDto, key: &str) -> Option<&'a Value> {
    intake
        .answers
        .iter()
        .find(|a| a.key == key)
        .and_then(|a| a.values.first())
}

fn source(intake: &IntakeDto, key: &str) -> String {
    intake
        .answers
        .iter()
        .find(|a| a.key == key)
        .map(|a| a.source.clone())
        .unwrap_or_default()
}

fn rev(intake: &IntakeDto, key: &str) -> i64 {
    intake
        .answers
        .iter()
        .find(|a| a.key == key)
        .map_or(0, |a| a.rev)
}

#[test]
fn the_built_in_form_is_active_and_starts_with_record_and_initial_values() {
    let api = api();
    let nurse = token(&api, "nurse");
    let list = api.list_templates(Caller::Session(&nurse)).unwrap();
    let builtin = list
        .iter()
        .find(|t| t.slug == "general-adult-intake" && t.status == "active")
        .expect("built in, active");
    assert_eq!(
        (builtin.version.as_str(), builtin.built_in),
        ("2", true),
        "new intakes start on version 2"
    );
    assert!(
        builtin.report["summary"]
            .as_str()
            .unwrap()
            .contains("0 degraded"),
        "{}",
        builtin.report["summary"]
    );

    let id = patient(&api, "female");
    let e = api
        .start_intake(Caller::Session(&nurse), id, None, None)
        .unwrap();
    assert_eq!(
        (e.status.as_str(), e.template_slug.as_str(), e.read_only),
        ("draft", "general-adult-intake", false)
    );
    let intake = api.open_intake(Caller::Session(&nurse), e.id).unwrap();
    assert_eq!(
        value(&intake, "visit/patient-sex").unwrap()["valueCoding"]["code"],
        "female"
    );
    assert_eq!(source(&intake, "visit/patient-sex"), "record");
    assert_eq!(
        value(&intake, "emergency-contact/ec-name").unwrap()["valueString"],
        "Ana Núñez"
    );
    assert!(
        !intake.disabled.contains(&"pregnancy".to_string()),
        "asked of a female patient"
    );
    let sections: Vec<&str> = intake
        .form
        .items
        .iter()
        .map(|i| i.link_id.as_str())
        .collect();
    assert_eq!(sections[0], "visit");
    assert!(sections.contains(&"vitals") && sections.contains(&"phq2"));
    let audit = api.list_audit(CLI, &Default::default()).unwrap();
    assert!(audit.iter().any(|a| a.action == "encounter.started"));
}

#[test]
fn pregnancy_questions_are_disabled_for_a_male_patient_and_left_out_of_the_record() {
    let api = api();
    let nurse = token(&api, "nurse");
    let n = Caller::Session(&nurse);
    let e = api
        .start_intake(n, patient(&api, "male"), None, None)
        .unwrap();
    let intake = api.open_intake(n, e.id).unwrap();
    assert!(intake.disabled.contains(&"pregnancy".to_string()));
    assert!(intake.disabled.contains(&"pregnancy/pregnant".to_string()));
}

#[test]
fn fields_save_one_by_one_with_author_and_bmi_follows_its_inputs() {
    let api = api();
    let nurse = token(&api, "nurse");
    let n = Caller::Session(&nurse);
    let e = api
        .start_intake(n, patient(&api, "female"), None, None)
        .unwrap();
    let saved = api
        .save_intake(
            n,
            e.id,
            &[change("vitals/weight", json!([{ "valueDecimal": 82 }]), 0)],
            Some("vitals"),
        )
        .unwrap();
    assert_eq!(saved.answers.len(), 1, "no BMI yet");
    assert_eq!(
        (
            saved.answers[0].source.as_str(),
            saved.answers[0].author.as_str()
        ),
        ("typed", "nurse")
    );
    let saved = api
        .save_intake(
            n,
            e.id,
            &[change("vitals/height", json!([{ "valueDecimal": 180 }]), 0)],
            None,
        )
        .unwrap();
    let bmi = saved
        .answers
        .iter()
        .find(|a| a.key == "vitals/bmi")
        .expect("BMI calculated");
    assert_eq!(
        (bmi.values[0].clone(), bmi.source.as_str()),
        (json!({ "valueDecimal": 25.3 }), "calculated")
    );
    assert_eq!(
        saved.encounter.section.as_deref(),
        Some("vitals"),
        "the section is remembered"
    );
    // Clearing an input clears the BMI.
    let saved = api
        .save_intake(n, e.id, &[change("vitals/height", json!([]), 1)], None)
        .unwrap();
    assert!(
        saved.removed.contains(&"vitals/bmi".to_string())
            && saved.removed.contains(&"vitals/height".to_string())
    );
    // Temperature outside the usual range warns; outside what is possible, errs.
    let saved = api
        .save_intake(
            n,
            e.id,
            &[change(
                "vitals/temperature",
                json!([{ "valueDecimal": 39.4 }]),
                0,
            )],
            None,
        )
        .unwrap();
    let p = saved
        .problems
        .iter()
        .find(|p| p.key == "vitals/temperature")
        .unwrap();
    assert_eq!(p.severity, "warning");
    let saved = api
        .save_intake(
            n,
            e.id,
            &[change(
                "vitals/temperature",
                json!([{ "valueDecimal": 55 }]),
                1,
            )],
            None,
        )
        .unwrap();
    let p = saved
        .problems
        .iter()
        .find(|p| p.key == "vitals/temperature")
        .unwrap();
    assert_eq!(p.severity, "error");
}

#[test]
fn phq2_is_scored_once_both_questions_are_answered() {
    let api = api();
    let nurse = token(&api, "nurse");
    let n = Caller::Session(&nurse);
    let e = api
        .start_intake(n, patient(&api, "female"), None, None)
        .unwrap();
    let intake = api.open_intake(n, e.id).unwrap();
    let find = |items: &[FormItemDto], id: &str| -> Option<FormItemDto> {
        let mut stack: Vec<&FormItemDto> = items.iter().collect();
        while let Some(i) = stack.pop() {
            if i.link_id == id {
                return Some(i.clone());
            }
            stack.extend(i.items.iter());
        }
        None
    };
    let interest = find(&intake.form.items, "phq2-interest").unwrap();
    let mood = find(&intake.form.items, "phq2-mood").unwrap();
    assert!(find(&intake.form.items, "phq2-score").unwrap().calculated);
    let nearly_every_day = interest.options[3].value.clone();
    let several_days = mood.options[1].value.clone();
    api.save_intake(
        n,
        e.id,
        &[change("phq2/phq2-interest", json!([nearly_every_day]), 0)],
        None,
    )
    .unwrap();
    let saved = api
        .save_intake(
            n,
            e.id,
            &[change("phq2/phq2-mood", json!([several_days]), 0)],
            None,
        )
        .unwrap();
    let score = saved
        .answers
        .iter()
        .find(|a| a.key == "phq2/phq2-score")
        .expect("scored");
    assert_eq!(score.values[0], json!({ "valueInteger": 4 }));
    assert!(
        saved
            .problems
            .iter()
            .any(|p| p.key == "phq2/phq2-score" && p.severity == "warning"),
        "a positive screen stands out"
    );
}

#[test]
fn rows_of_repeating_groups_are_added_filled_and_removed_whole() {
    let api = api();
    let nurse = token(&api, "nurse");
    let n = Caller::Session(&nurse);
    let e = api
        .start_intake(n, patient(&api, "female"), None, None)
        .unwrap();
    // A value in a row that does not exist is refused.
    let err = api
        .save_intake(
            n,
            e.id,
            &[change(
                "medications/medication[1]/med-name",
                json!([{ "valueString": "Aspirin" }]),
                0,
            )],
            None,
        )
        .unwrap_err();
    assert_eq!(err.code(), ErrorCode::Validation);
    api.save_intake(
        n,
        e.id,
        &[
            // The list opens when the patient takes medications.
            change(
                "medications/any-medications",
                json!([{ "valueBoolean": true }]),
                0,
            ),
            change("medications/medication[1]", json!([]), 0),
            change(
                "medications/medication[1]/med-name",
                json!([{ "valueString": "Aspirin" }]),
                0,
            ),
        ],
        None,
    )
    .unwrap();
    api.save_intake(
        n,
        e.id,
        &[change("medications/medication[2]", json!([]), 0)],
        None,
    )
    .unwrap();
    let intake = api.open_intake(n, e.id).unwrap();
    assert!(
        intake
            .answers
            .iter()
            .any(|a| a.key == "medications/medication[2]"),
        "an empty row survives a reopen"
    );
    assert!(
        intake
            .problems
            .iter()
            .any(|p| p.key == "medications/medication[2]/med-name" && p.severity == "error"),
        "row 2 needs a name"
    );
    let remove: ChangeDto = serde_json::from_value(
        json!({ "key": "medications/medication[1]", "remove": true, "baseRev": 1 }),
    )
    .unwrap();
    let saved = api.save_intake(n, e.id, &[remove], None).unwrap();
    assert!(
        saved
            .removed
            .contains(&"medications/medication[1]".to_string())
            && saved
                .removed
                .contains(&"medications/medication[1]/med-name".to_string())
    );
}

#[test]
fn a_later_write_from_another_window_is_refused_and_nothing_of_it_is_saved() {
    let api = api();
    let nurse = token(&api, "nurse");
    let other = token(&api, "physician");
    let e = api
        .start_intake(Caller::Session(&nurse), patient(&api, "female"), None, None)
        .unwrap();
    api.save_intake(
        Caller::Session(&nurse),
        e.id,
        &[change("vitals/weight", json!([{ "valueDecimal": 82 }]), 0)],
        None,
    )
    .unwrap();
    // The second window opened before that save: it still believes the weight unsaved.
    let err = api
        .save_intake(
            Caller::Session(&other),
            e.id,
            &[
                change("vitals/pulse", json!([{ "valueInteger": 70 }]), 0),
                change("vitals/weight", json!([{ "valueDecimal": 90 }]), 0),
            ],
            None,
        )
        .unwrap_err();
    assert_eq!(err.code(), ErrorCode::Conflict);
    assert!(
        err.to_string().contains("Weight") && err.to_string().contains("by nurse"),
        "{err}"
    );
    let intake = api.open_intake(Caller::Session(&nurse), e.id).unwrap();
    assert_eq!(
        value(&intake, "vitals/weight").unwrap()["valueDecimal"],
        82.0,
        "the earlier write stands"
    );
    assert!(
        value(&intake, "vitals/pulse").is_none(),
        "nothing of the refused save was kept"
    );
    // With the current revision, the other window may write.
    let r = rev(&intake, "vitals/weight");
    api.save_intake(
        Caller::Session(&other),
        e.id,
        &[change("vitals/weight", json!([{ "valueDecimal": 90 }]), r)],
        None,
    )
    .unwrap();
}

#[test]
fn a_save_sent_again_after_its_answer_was_lost_is_the_same_save_not_a_conflict() {
    let api = api();
    let nurse = token(&api, "nurse");
    let n = Caller::Session(&nurse);
    let e = api
        .start_intake(n, patient(&api, "female"), None, None)
        .unwrap();
    let weight = [
        change("vitals/weight", json!([{ "valueDecimal": 82 }]), 0),
        change("vitals/height", json!([{ "valueDecimal": 170 }]), 0),
    ];
    let first = api
        .save_intake_once(n, e.id, Some("window-1-save-1"), &weight, None)
        .unwrap();
    let saves = |api: &Api| {
        api.list_audit(
            Caller::Cli("tester"),
            &intake_api::wire::AuditFilterDto {
                limit: Some(500),
                ..Default::default()
            },
        )
        .unwrap()
        .into_iter()
        .filter(|a| a.action == "encounter.saved")
        .count()
    };
    let logged = saves(&api);
    // The acknowledgement was lost: the window sends the very same save again.
    let again = api
        .save_intake_once(n, e.id, Some("window-1-save-1"), &weight, None)
        .expect("recognised, not a conflict with itself");
    assert_eq!(again.saved_at, first.saved_at, "answered as the first save");
    let revs = |saved: &intake_api::wire::SavedDto| {
        let mut r: Vec<(String, i64)> = saved
            .answers
            .iter()
            .map(|a| (a.key.clone(), a.rev))
            .collect();
        r.sort();
        r
    };
    assert_eq!(
        revs(&again),
        revs(&first),
        "the same answers, the BMI among them"
    );
    assert_eq!(saves(&api), logged, "nothing written twice");
    let intake = api.open_intake(n, e.id).unwrap();
    assert_eq!(rev(&intake, "vitals/weight"), 1, "written once");

    // A new save with a stale revision is still the conflict it always was.
    let err = api
        .save_intake_once(
            n,
            e.id,
            Some("window-2-save-1"),
            &[change("vitals/weight", json!([{ "valueDecimal": 90 }]), 0)],
            None,
        )
        .unwrap_err();
    assert_eq!(err.code(), ErrorCode::Conflict);
    // A key of another visit is not this visit's.
    let other = api
        .start_intake(n, patient(&api, "male"), None, None)
        .unwrap();
    let fresh = api
        .save_intake_once(n, other.id, Some("window-1-save-1"), &weight, None)
        .expect("a first save on the other visit");
    assert_eq!(
        fresh
            .answers
            .iter()
            .find(|a| a.key == "vitals/weight")
            .map(|a| a.rev),
        Some(1)
    );
    // A key that is not one is refused by name, and nothing is saved.
    for bad in ["", "has space", &"x".repeat(65), "semi;colon"] {
        let err = api
            .save_intake_once(
                n,
                e.id,
                Some(bad),
                &[change("vitals/pulse", json!([{ "valueInteger": 70 }]), 0)],
                None,
            )
            .unwrap_err();
        assert!(err.to_string().contains("key"), "{bad:?}: {err}");
    }
    let intake = api.open_intake(n, e.id).unwrap();
    assert!(value(&intake, "vitals/pulse").is_none());
}

#[test]
fn bad_answers_are_refused_with_the_field_named() {
    let api = api();
    let nurse = token(&api, "nurse");
    let n = Caller::Session(&nurse);
    let e = api
        .start_intake(n, patient(&api, "female"), None, None)
        .unwrap();
    let huge = "x".repeat(1_000_001);
    let cases: Vec<(ChangeDto, &str)> = vec![
        (
            change("vitals/pulse", json!([{ "valueString": "fast" }]), 0),
            "type",
        ),
        (
            change("vitals/pulse", json!([{ "valueInteger": "70" }]), 0),
            "not an answer value",
        ),
        (change("vitals/pulse", json!(["70"]), 0), "object"),
        (
            change("visit/reason", json!([{ "valueString": huge }]), 0),
            "at most 100,000",
        ),
        (
            change(
                "visit/reason",
                json!([{ "valueString": "a" }, { "valueString": "b" }]),
                0,
            ),
            "one answer",
        ),
        (
            change("vitals/bmi", json!([{ "valueDecimal": 20 }]), 0),
            "filled in by the app",
        ),
        (
            change("nope", json!([{ "valueString": "a" }]), 0),
            "no item",
        ),
        (
            change("visit[1]/reason", json!([{ "valueString": "a" }]), 0),
            "repeating group",
        ),
        (
            change("visit//reason", json!([{ "valueString": "a" }]), 0),
            "not an answer key",
        ),
        (
            change("vitals", json!([{ "valueString": "a" }]), 0),
            "does not take answers",
        ),
    ];
    for (c, expected) in cases {
        let key = c.key.clone();
        let err = api.save_intake(n, e.id, &[c], None).unwrap_err();
        assert_eq!(err.code(), ErrorCode::Validation, "{key}: {err}");
        assert!(err.to_string().contains(expected), "{key}: {err}");
    }
    let err = api
        .save_intake(n, e.id, &[], Some("no-such-section"))
        .unwrap_err();
    assert_eq!(err.code(), ErrorCode::Validation);
    assert_eq!(
        api.open_intake(n, e.id)
            .unwrap()
            .answers
            .iter()
            .filter(|a| a.source == "typed")
            .count(),
        0
    );
    assert_eq!(
        api.open_intake(n, 999).unwrap_err().code(),
        ErrorCode::NotFound
    );
}

#[test]
fn submission_is_blocked_with_every_error_then_done_once_then_read_only() {
    let api = api();
    let nurse = token(&api, "nurse");
    let n = Caller::Session(&nurse);
    let e = api
        .start_intake(n, patient(&api, "male"), None, None)
        .unwrap();
    // A pregnancy answer typed before the sex was known stays in the draft, out of the record.
    let blocked = api.submit_intake(n, e.id).unwrap();
    assert!(!blocked.submitted);
    let errors: Vec<&str> = blocked
        .problems
        .iter()
        .filter(|p| p.severity == "error")
        .map(|p| p.key.as_str())
        .collect();
    // A first visit must say whether there are allergies and medications (version 2).
    for key in [
        "visit/reason",
        "allergies/any-allergies",
        "medications/any-medications",
    ] {
        assert!(
            errors.contains(&key),
            "submission is refused naming {key}: {errors:?}"
        );
    }
    assert_eq!(blocked.encounter.status, "draft");
    // "Yes" without a row is not an answer either.
    api.save_intake(
        n,
        e.id,
        &[
            change(
                "visit/reason",
                json!([{ "valueString": "Cough for two weeks" }]),
                0,
            ),
            change(
                "allergies/any-allergies",
                json!([{ "valueBoolean": true }]),
                0,
            ),
            change(
                "medications/any-medications",
                json!([{ "valueBoolean": false }]),
                0,
            ),
        ],
        None,
    )
    .unwrap();
    let blocked = api.submit_intake(n, e.id).unwrap();
    let rows: Vec<(&str, &str)> = blocked
        .problems
        .iter()
        .filter(|p| p.severity == "error")
        .map(|p| (p.key.as_str(), p.message.as_str()))
        .collect();
    assert_eq!(
        rows,
        vec![("allergies/allergy", "Add at least one row.")],
        "known allergies need at least one row, and nothing else is missing"
    );
    api.save_intake(
        n,
        e.id,
        &[change(
            "allergies/any-allergies",
            json!([{ "valueBoolean": false }]),
            1,
        )],
        None,
    )
    .unwrap();
    let done = api.submit_intake(n, e.id).unwrap();
    assert!(done.submitted, "{:?}", done.problems);
    assert_eq!(
        (
            done.encounter.status.as_str(),
            done.encounter.submitted_by.as_deref()
        ),
        ("submitted", Some("nurse"))
    );
    assert!(done.encounter.read_only);
    let again = api.submit_intake(n, e.id).unwrap_err();
    assert_eq!(again.code(), ErrorCode::Conflict);
    assert!(again.to_string().contains("already submitted"), "{again}");
    let edit = api
        .save_intake(
            n,
            e.id,
            &[change("visit/reason", json!([{ "valueString": "x" }]), 1)],
            None,
        )
        .unwrap_err();
    assert_eq!(edit.code(), ErrorCode::Conflict);
    assert!(edit.to_string().contains("read-only"), "{edit}");
    let detail = api.encounter_detail(CLI, e.id).unwrap();
    let sex = detail
        .answers
        .iter()
        .find(|a| a.key == "visit/patient-sex")
        .unwrap();
    assert!(sex.in_record);
    let audit = api.list_audit(CLI, &Default::default()).unwrap();
    assert!(audit.iter().any(|a| a.action == "encounter.submitted"));
}

#[test]
fn who_may_do_what_with_intakes() {
    let api = api();
    let pid = patient(&api, "female");
    let tokens: Vec<(String, String)> = ["nurse", "physician", "admin"]
        .iter()
        .map(|u| (u.to_string(), token(&api, u)))
        .collect();
    let nurse = &tokens[0].1;
    let draft = api
        .start_intake(Caller::Session(nurse), pid, None, None)
        .unwrap();
    for (user, t) in &tokens {
        let c = Caller::Session(t);
        let edits = user != "admin";
        assert_eq!(
            api.start_intake(c, pid, None, None).is_ok(),
            edits,
            "{user} starts"
        );
        let save = api.save_intake(c, draft.id, &[], None);
        assert_eq!(save.is_ok(), edits, "{user} saves");
        if !edits {
            assert_eq!(save.unwrap_err().code(), ErrorCode::Forbidden);
        }
        let opened = api.open_intake(c, draft.id).unwrap();
        assert_eq!(
            opened.encounter.read_only, !edits,
            "{user} sees it read-only or not"
        );
        assert!(
            api.list_encounters(c, Some(pid), None).is_ok(),
            "{user} lists"
        );
    }
    assert_eq!(
        api.open_intake(Caller::Session("no-such-token"), draft.id)
            .unwrap_err()
            .code(),
        ErrorCode::Unauthenticated
    );
}

#[test]
fn templates_import_from_files_and_export_to_files_byte_for_byte() {
    let api = api();
    let dir = tempfile::tempdir().unwrap();
    let admin = token(&api, "admin");
    let a = Caller::Session(&admin);
    let source = dir.path().join("form.json");
    let bytes = br#"{ "resourceType": "Questionnaire", "name": "tiny", "status": "draft",
        "item": [ { "linkId": "a", "text": "A", "type": "string" } ] }"#;
    std::fs::write(&source, bytes).unwrap();
    let t = api.import_template_file(a, &source).unwrap();
    assert_eq!(
        (t.slug.as_str(), t.status.as_str(), t.built_in),
        ("tiny", "draft", false)
    );
    let out = dir.path().join("out.json");
    api.export_template_file(a, "tiny", "1", &out).unwrap();
    assert_eq!(std::fs::read(&out).unwrap(), bytes);
    let missing = api
        .export_template_file(a, "tiny", "1", &dir.path().join("no/such/dir/x.json"))
        .unwrap_err();
    assert!(missing.to_string().contains("does not exist"), "{missing}");
    let not_there = api
        .import_template_file(a, &dir.path().join("nope.json"))
        .unwrap_err();
    assert_eq!(not_there.code(), ErrorCode::Validation);
    // A draft template cannot be started; an active one can.
    let nurse = token(&api, "nurse");
    let pid = patient(&api, "female");
    let err = api
        .start_intake(Caller::Session(&nurse), pid, Some("tiny"), Some("1"))
        .unwrap_err();
    assert_eq!(err.code(), ErrorCode::Conflict);
    api.set_template_status(a, "tiny", "1", "active").unwrap();
    let e = api
        .start_intake(Caller::Session(&nurse), pid, Some("tiny"), None)
        .unwrap();
    assert_eq!(e.template_title, "tiny");
}

// Conformance: every shared real-world Questionnaire imports, opens, accepts a valid
// answer set, submits and exports unchanged.

fn shared_fixtures() -> Option<Vec<PathBuf>> {
    let dir =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/fixtures/questionnaires");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .ok()?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    files.sort();
    Some(files)
}

fn find_item<'a>(items: &'a [FormItemDto], id: &str) -> Option<&'a FormItemDto> {
    let mut stack: Vec<&FormItemDto> = items.iter().collect();
    while let Some(i) = stack.pop() {
        if i.link_id == id {
            return Some(i);
        }
        stack.extend(i.items.iter());
    }
    None
}

/// A valid answer for an item, respecting its options and bounds.
fn valid_value(item: &FormItemDto) -> Option<Value> {
    let number = |fallback: f64| {
        item.min
            .as_ref()
            .and_then(Value::as_f64)
            .or(item.max.as_ref().and_then(Value::as_f64))
            .unwrap_or(fallback)
    };
    Some(match item.item_type.as_str() {
        "boolean" => json!({ "valueBoolean": true }),
        "decimal" => json!({ "valueDecimal": number(1.0) }),
        "integer" => json!({ "valueInteger": number(1.0) as i64 }),
        "quantity" => {
            json!({ "valueQuantity": { "value": number(1.0), "unit": item.unit.clone().unwrap_or_default() } })
        }
        "date" => {
            json!({ "valueDate": item.min.as_ref().and_then(Value::as_str).unwrap_or("2026-01-15") })
        }
        "dateTime" => json!({ "valueDateTime": "2026-01-15T10:00:00" }),
        "time" => json!({ "valueTime": "10:00:00" }),
        "url" => json!({ "valueUri": "https://example.org" }),
        "choice" | "open-choice" => match item.options.first() {
            Some(o) => o.value.clone(),
            None => json!({ "valueString": "other" }),
        },
        "reference" => json!({ "valueReference": { "reference": "Patient/1" } }),
        "string" | "text" => {
            let limit = item.max_length.map_or(usize::MAX, |m| m as usize);
            json!({ "valueString": "Answer".chars().take(limit).collect::<String>() })
        }
        _ => return None,
    })
}

#[test]
fn every_shared_questionnaire_imports_opens_fills_submits_and_exports_unchanged() {
    let Some(files) = shared_fixtures() else {
        println!("SKIPPED: ../shared/fixtures/questionnaires is not there");
        return;
    };
    assert!(
        files.len() >= 10,
        "the shared folder holds the fixtures ({})",
        files.len()
    );
    let api = api();
    let admin = token(&api, "admin");
    let nurse = token(&api, "nurse");
    let (a, n) = (Caller::Session(&admin), Caller::Session(&nurse));
    let pid = patient(&api, "female");
    for file in files {
        let name = file.file_name().unwrap().to_string_lossy().to_string();
        let bytes = std::fs::read(&file).unwrap();
        let t = api
            .import_template_file(a, &file)
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        api.set_template_status(a, &t.slug, &t.version, "active")
            .unwrap();
        let e = api
            .start_intake(n, pid, Some(&t.slug), Some(&t.version))
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        let mut intake = api
            .open_intake(n, e.id)
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        // Answer what is required, round by round (answers enable more questions).
        for _round in 0..20 {
            let required: Vec<String> = intake
                .problems
                .iter()
                .filter(|p| p.severity == "error")
                .map(|p| p.key.clone())
                .collect();
            if required.is_empty() {
                break;
            }
            let mut changes = Vec::new();
            for key in required {
                let parsed: Key = key
                    .parse()
                    .unwrap_or_else(|e| panic!("{name}: a problem names key {key}: {e}"));
                let item = find_item(&intake.form.items, parsed.link_id()).unwrap();
                // The path of the problem's item, extended: a row of it, or a child.
                let extended = |last: Option<u32>, child: Option<&str>| {
                    let mut path = parsed.segments().to_vec();
                    if let Some(end) = path.last_mut() {
                        end.row = end.row.or(last);
                    }
                    if let Some(child) = child {
                        path.push(Segment {
                            link_id: child.to_string(),
                            row: None,
                        });
                    }
                    Key::from_segments(path)
                        .unwrap_or_else(|e| panic!("{name}: {key} extends: {e}"))
                        .to_string()
                };
                if item.item_type == "group" && item.repeats {
                    changes.push(change(&extended(Some(1), None), json!([]), 0));
                } else if item.item_type == "group" {
                    // A required group wants one answer somewhere inside it.
                    let typable = |c: &&FormItemDto| !c.read_only && !c.hidden && !c.calculated;
                    let child = item
                        .items
                        .iter()
                        .filter(typable)
                        .find_map(|c| valid_value(c).map(|v| (c, v)));
                    let (child, v) =
                        child.unwrap_or_else(|| panic!("{name}: nothing to answer in {key}"));
                    let child_key = extended(None, Some(&child.link_id));
                    changes.push(change(&child_key, json!([v]), rev(&intake, &child_key)));
                } else if let Some(v) = valid_value(item) {
                    changes.push(change(&key, json!([v]), rev(&intake, &key)));
                } else {
                    panic!(
                        "{name}: cannot answer required {key} of type {}",
                        item.item_type
                    );
                }
            }
            let saved = api
                .save_intake(n, e.id, &changes, None)
                .unwrap_or_else(|err| panic!("{name}: {err}"));
            assert!(!saved.saved_at.is_empty());
            intake = api.open_intake(n, e.id).unwrap();
        }
        let result = api
            .submit_intake(n, e.id)
            .unwrap_or_else(|err| panic!("{name}: {err}"));
        assert!(result.submitted, "{name}: {:?}", result.problems);
        assert_eq!(
            api.export_template(a, &t.slug, &t.version).unwrap(),
            bytes,
            "{name}: exported unchanged"
        );
    }
}
