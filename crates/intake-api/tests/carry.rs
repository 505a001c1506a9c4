//! Carry-forward through the API: a second visit starts with the first one's lists,
//! each value saying where it came from, and cannot be submitted until they are confirmed.

use std::sync::Arc;

use chrono::{Duration, TimeZone, Utc};
use intake_api::wire::ConfirmDto;
use intake_api::wire::PatientInputDto;
use intake_api::wire::{ChangeDto, IntakeDto};
use intake_api::{Api, Caller, ErrorCode, ManualClock};
use serde_json::{json, Value};

const CLI: Caller<'static> = Caller::Cli("tester");

fn api() -> (Api, Arc<ManualClock>) {
    let clock = Arc::new(ManualClock::new(
        Utc.with_ymd_and_hms(2026, 10, 2, 9, 0, 0).unwrap(),
    ));
    let api = Api::for_tests(clock.clone()).unwrap();
    intake_demo::seed_demo(&api, CLI).unwrap();
    (api, clock)
}

fn patient(api: &Api) -> i64 {
    let p = PatientInputDto {
        family: "Carryforward".into(),
        given: "Zoë".into(),
        birth_date: "1984-03-07".into(),
        sex: "female".into(),
        emergency_name: "Ana Núñez".into(),
        emergency_relationship: "sister".into(),
        ..Default::default()
    };
    api.register_patient(CLI, &p, None)
        .unwrap()
        .patient
        .unwrap()
        .id
}

fn change(key: &str, values: Value) -> ChangeDto {
    serde_json::from_value(json!({ "key": key, "values": values, "baseRev": 0 })).unwrap()
}

fn answer<'a>(intake: &'a IntakeDto, key: &str) -> Option<&'a intake_api::wire::AnswerDto> {
    intake.answers.iter().find(|a| a.key == key)
}

/// A first visit: reason, weight, two allergies, tobacco, occupation; submitted by the nurse.
fn first_visit(api: &Api, nurse: Caller<'_>, pid: i64) -> i64 {
    let e = api.start_intake(nurse, pid, None, None).unwrap();
    let changes = [
        change("visit/reason", json!([{ "valueString": "Cough" }])),
        change("vitals/weight", json!([{ "valueDecimal": 82 }])),
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
        change("allergies/allergy[2]", json!([])),
        change(
            "allergies/allergy[2]/allergy-substance",
            json!([{ "valueString": "Latex" }]),
        ),
        change("social/occupation", json!([{ "valueString": "Teacher" }])),
        change("insurance/insurer", json!([{ "valueString": "Mutual" }])),
    ];
    api.save_intake(nurse, e.id, &changes, None).unwrap();
    let done = api.submit_intake(nurse, e.id).unwrap();
    assert!(done.submitted, "{:?}", done.problems);
    e.id
}

#[test]
fn a_repeat_visit_starts_with_the_last_lists_and_says_where_each_value_came_from() {
    let (api, clock) = api();
    let token = api.sign_in("nurse", "demo").unwrap().token;
    let nurse = Caller::Session(&token);
    let pid = patient(&api);
    let first = first_visit(&api, nurse, pid);
    clock.advance(Duration::days(53));
    let token = api.sign_in("nurse", "demo").unwrap().token;
    let nurse = Caller::Session(&token);

    let second = api.start_intake(nurse, pid, None, None).unwrap();
    let intake = api.open_intake(nurse, second.id).unwrap();
    // Lists and "no known allergies" come back, from the first visit, to confirm.
    let row = answer(&intake, "allergies/allergy[2]").expect("the second allergy row");
    assert_eq!(row.source, "carried");
    let from = row.carried.as_ref().unwrap();
    assert_eq!(
        (from.encounter, from.date.as_str(), from.entered_by.as_str()),
        (first, "2026-10-02", "nurse")
    );
    assert!(row.needs_confirmation);
    let latex = answer(&intake, "allergies/allergy[2]/allergy-substance").unwrap();
    assert_eq!(
        (latex.values[0].clone(), latex.source.as_str()),
        (json!({ "valueString": "Latex" }), "carried")
    );
    assert!(!latex.needs_confirmation, "a row confirms as a whole");
    assert!(
        answer(&intake, "allergies/any-allergies")
            .unwrap()
            .needs_confirmation,
        "the allergy answer waits for confirmation"
    );
    // Stable facts are accepted as they are.
    let insurer = answer(&intake, "insurance/insurer").unwrap();
    assert_eq!(
        (insurer.source.as_str(), insurer.needs_confirmation),
        ("carried", false)
    );
    // The record fills what it knows, whatever the last visit said.
    assert_eq!(
        answer(&intake, "emergency-contact/ec-relationship")
            .unwrap()
            .source,
        "record"
    );
    // Vitals and the reason are never carried; the last weight is a hint.
    assert!(
        answer(&intake, "vitals/weight").is_none() && answer(&intake, "visit/reason").is_none()
    );
    assert_eq!(
        intake.carry.hints.get("vitals/weight").map(String::as_str),
        Some("last weight 82 kg, 02/10/2026")
    );

    // Submission is blocked by every unconfirmed value, named.
    api.save_intake(
        nurse,
        second.id,
        &[change(
            "visit/reason",
            json!([{ "valueString": "Follow-up" }]),
        )],
        None,
    )
    .unwrap();
    let blocked = api.submit_intake(nurse, second.id).unwrap();
    assert!(!blocked.submitted);
    let waiting: Vec<&str> = blocked
        .problems
        .iter()
        .filter(|p| p.message.starts_with("Confirm or change"))
        .map(|p| p.key.as_str())
        .collect();
    assert_eq!(
        waiting,
        [
            "allergies/any-allergies",
            "allergies/allergy[1]",
            "allergies/allergy[2]",
            "medications/any-medications",
            "social/occupation"
        ],
        "{:?}",
        blocked.problems
    );
    assert!(blocked
        .problems
        .iter()
        .filter(|p| p.message.starts_with("Confirm"))
        .all(|p| p.message.contains("carried from the visit of 02/10/2026")));

    // A confirmation that names an old write is refused, and confirms nothing.
    let intake = api.open_intake(nurse, second.id).unwrap();
    let confirm = |key: &str, rev: i64| -> ConfirmDto {
        serde_json::from_value(json!({ "key": key, "baseRev": rev })).unwrap()
    };
    let stale = api
        .confirm_intake(
            nurse,
            second.id,
            &[
                confirm("allergies/any-allergies", 1),
                confirm("social/occupation", 7),
            ],
        )
        .unwrap_err();
    assert_eq!(stale.code(), ErrorCode::Conflict);
    assert!(api
        .open_intake(nurse, second.id)
        .unwrap()
        .answers
        .iter()
        .all(|a| a.confirmed_by.is_none()));
    // Editing a carried value makes it typed: it no longer waits for confirmation.
    let occupation_rev = answer(&intake, "social/occupation").unwrap().rev;
    let edit: ChangeDto = serde_json::from_value(
        json!({ "key": "social/occupation", "values": [{ "valueString": "Head teacher" }], "baseRev": occupation_rev }),
    )
    .unwrap();
    let saved = api.save_intake(nurse, second.id, &[edit], None).unwrap();
    let occupation = saved
        .answers
        .iter()
        .find(|a| a.key == "social/occupation")
        .unwrap();
    assert_eq!(
        (occupation.source.as_str(), occupation.carried.is_none()),
        ("typed", true)
    );
    // The change since the last visit is listed, old and new.
    let listed: Vec<(&str, &str)> = saved
        .changes
        .iter()
        .map(|c| (c.key.as_str(), c.kind))
        .collect();
    assert_eq!(listed, [("social/occupation", "changed")]);
    assert_eq!(
        saved.changes[0].before,
        vec![json!({ "valueString": "Teacher" })]
    );
    assert_eq!(
        saved.changes[0].after,
        vec![json!({ "valueString": "Head teacher" })]
    );
    let confirms: Vec<ConfirmDto> = [
        "allergies/any-allergies",
        "allergies/allergy[1]",
        "allergies/allergy[2]",
        "medications/any-medications",
    ]
    .iter()
    .map(|k| confirm(k, answer(&intake, k).unwrap().rev))
    .collect();
    let confirmed = api.confirm_intake(nurse, second.id, &confirms).unwrap();
    assert_eq!(confirmed.answers.len(), 4);
    assert!(confirmed
        .answers
        .iter()
        .all(|a| a.confirmed_by.as_deref() == Some("nurse")));
    let done = api.submit_intake(nurse, second.id).unwrap();
    assert!(done.submitted, "{:?}", done.problems);
}

#[test]
fn drafts_are_never_carried_and_the_plan_saves_nothing() {
    let (api, _) = api();
    let token = api.sign_in("nurse", "demo").unwrap().token;
    let nurse = Caller::Session(&token);
    let pid = patient(&api);
    let draft = api.start_intake(nurse, pid, None, None).unwrap();
    api.save_intake(
        nurse,
        draft.id,
        &[change(
            "social/occupation",
            json!([{ "valueString": "Pilot" }]),
        )],
        None,
    )
    .unwrap();
    let plan = api.plan_intake(nurse, pid, None, None).unwrap();
    assert_eq!(plan.template, "general-adult-intake");
    let occupation = plan
        .entries
        .iter()
        .find(|e| e.key == "social/occupation")
        .unwrap();
    assert!(occupation.value.is_none(), "a draft is not a source");
    let sex = plan
        .entries
        .iter()
        .find(|e| e.key == "visit/patient-sex")
        .unwrap();
    assert_eq!(sex.source, Some("record"));
    assert_eq!(
        api.list_encounters(nurse, Some(pid), None).unwrap().len(),
        1,
        "nothing saved"
    );
    let second = api.start_intake(nurse, pid, None, None).unwrap();
    let intake = api.open_intake(nurse, second.id).unwrap();
    assert!(answer(&intake, "social/occupation").is_none());
}

#[test]
fn a_visit_dated_after_today_is_not_used_and_the_intake_says_so() {
    let (api, clock) = api();
    let pid = patient(&api);
    // A workstation whose clock ran a month ahead submitted this visit.
    clock.advance(Duration::days(30));
    let token = api.sign_in("nurse", "demo").unwrap().token;
    let ahead = first_visit(&api, Caller::Session(&token), pid);
    clock.advance(Duration::days(-30));
    let token = api.sign_in("nurse", "demo").unwrap().token;
    let nurse = Caller::Session(&token);
    let e = api.start_intake(nurse, pid, None, None).unwrap();
    let intake = api.open_intake(nurse, e.id).unwrap();
    assert!(answer(&intake, "allergies/allergy[1]").is_none());
    assert_eq!(intake.carry.skipped.len(), 1, "{:?}", intake.carry);
    assert!(intake.carry.skipped[0].contains(&format!("Intake {ahead}")));
    assert!(intake.carry.skipped[0].contains("after today"));
}

#[test]
fn medications_older_than_their_limit_are_not_carried_and_the_plan_says_why() {
    let (api, clock) = api();
    let token = api.sign_in("nurse", "demo").unwrap().token;
    let nurse = Caller::Session(&token);
    let pid = patient(&api);
    let e = api.start_intake(nurse, pid, None, None).unwrap();
    let changes = [
        change("visit/reason", json!([{ "valueString": "Check-up" }])),
        change(
            "allergies/any-allergies",
            json!([{ "valueBoolean": false }]),
        ),
        change(
            "medications/any-medications",
            json!([{ "valueBoolean": true }]),
        ),
        change("medications/medication[1]", json!([])),
        change(
            "medications/medication[1]/med-name",
            json!([{ "valueString": "Metformin" }]),
        ),
    ];
    api.save_intake(nurse, e.id, &changes, None).unwrap();
    assert!(api.submit_intake(nurse, e.id).unwrap().submitted);
    clock.advance(Duration::days(200));
    let token = api.sign_in("nurse", "demo").unwrap().token;
    let nurse = Caller::Session(&token);
    let plan = api.plan_intake(nurse, pid, None, None).unwrap();
    let list = plan
        .entries
        .iter()
        .find(|e| e.key == "medications/medication")
        .expect("the list's entry");
    assert!(
        list.not_carried_reason
            .as_deref()
            .unwrap()
            .contains("older than 180 days"),
        "{list:?}"
    );
    assert!(plan
        .entries
        .iter()
        .all(|e| e.key != "medications/medication[1]/med-name"));
}

#[test]
fn editing_a_field_of_a_carried_row_confirms_that_row_and_no_other() {
    let (api, clock) = api();
    let token = api.sign_in("nurse", "demo").unwrap().token;
    let nurse = Caller::Session(&token);
    let pid = patient(&api);
    first_visit(&api, nurse, pid);
    clock.advance(Duration::days(30));
    let token = api.sign_in("nurse", "demo").unwrap().token;
    let nurse = Caller::Session(&token);
    let second = api.start_intake(nurse, pid, None, None).unwrap();
    let waits =
        |intake: &IntakeDto, key: &str| intake.problems.iter().any(|p| p.confirm && p.key == key);
    let before = api.open_intake(nurse, second.id).unwrap();
    assert!(waits(&before, "allergies/allergy[1]") && waits(&before, "allergies/allergy[2]"));

    // The nurse changes the first allergy's reaction: that row is confirmed by the edit.
    let saved = api
        .save_intake(
            nurse,
            second.id,
            &[change(
                "allergies/allergy[1]/allergy-reaction",
                json!([{ "valueString": "Hives" }]),
            )],
            None,
        )
        .unwrap();
    let row = saved
        .answers
        .iter()
        .find(|a| a.key == "allergies/allergy[1]")
        .expect("the confirmed row comes back with the save");
    assert_eq!(row.confirmed_by.as_deref(), Some("nurse"));
    let after = api.open_intake(nurse, second.id).unwrap();
    assert!(
        !waits(&after, "allergies/allergy[1]"),
        "the edited row no longer waits"
    );
    assert!(
        waits(&after, "allergies/allergy[2]"),
        "the other row still waits for its own confirmation"
    );
    let reaction = answer(&after, "allergies/allergy[1]/allergy-reaction").unwrap();
    assert_eq!(reaction.source, "typed", "the edited value is typed now");
    let entry = api
        .list_audit(CLI, &Default::default())
        .unwrap()
        .into_iter()
        .find(|e| e.action == "encounter.saved")
        .expect("the save is audited");
    assert_eq!(
        entry.detail["confirmed"],
        json!(["allergies/allergy[1]"]),
        "{:?}",
        entry.detail
    );
}

/// Every answer of a visit on version 1 of the built-in form carries into an intake on
/// version 2, each from that visit: the inverted yes/no questions turned round, lists
/// whose groups gained LOINC section codes, and stable facts. A draft started on version
/// 1 before the change stays on it and submits there.
#[test]
fn a_visit_on_version_1_carries_everything_into_version_2_and_a_draft_on_1_stays_there() {
    let (api, clock) = api();
    let admin = api.sign_in("admin", "demo").unwrap().token;
    let admin = Caller::Session(&admin);
    let token = api.sign_in("nurse", "demo").unwrap().token;
    let nurse = Caller::Session(&token);
    let templates = api.list_templates(admin).unwrap();
    let status = |v: &str| {
        templates
            .iter()
            .find(|t| t.slug == "general-adult-intake" && t.version == v)
            .map(|t| (t.status.as_str(), t.built_in))
    };
    assert_eq!(
        (status("1"), status("2")),
        (Some(("retired", true)), Some(("active", true))),
        "the demo's earlier visits are on version 1, new intakes start on version 2"
    );
    // The clinic still had version 1 when this visit was made.
    api.set_template_status(admin, "general-adult-intake", "1", "active")
        .unwrap();
    let pid = patient(&api);
    let v1 = api
        .start_intake(nurse, pid, Some("general-adult-intake"), Some("1"))
        .unwrap();
    let coding =
        |system: &str, code: &str| json!([{ "valueCoding": { "system": system, "code": code } }]);
    let text = |t: &str| json!([{ "valueString": t }]);
    let changes = [
        change("visit/reason", text("Check-up")),
        change("vitals/systolic", json!([{ "valueInteger": 128 }])),
        change("allergies/nka", json!([{ "valueBoolean": false }])),
        change("allergies/allergy[1]", json!([])),
        change("allergies/allergy[1]/allergy-substance", text("Penicillin")),
        change("allergies/allergy[1]/allergy-reaction", text("Rash")),
        change(
            "medications/no-medications",
            json!([{ "valueBoolean": false }]),
        ),
        change("medications/medication[1]", json!([])),
        change("medications/medication[1]/med-name", text("Metformin")),
        change(
            "medications/medication[1]/med-dose",
            json!([{ "valueDecimal": 500 }]),
        ),
        change("history/pmh[1]", json!([])),
        change("history/pmh[1]/pmh-condition", text("Type 2 diabetes")),
        change("history/psh[1]", json!([])),
        change("history/psh[1]/psh-procedure", text("Appendectomy")),
        change("history/fh[1]", json!([])),
        change("history/fh[1]/fh-condition", text("Hypertension")),
        change(
            "social/tobacco",
            coding("http://intake-desk.org/fhir/CodeSystem/tobacco", "former"),
        ),
        change("social/occupation", text("Teacher")),
        change("immunizations/immunization[1]", json!([])),
        change("immunizations/immunization[1]/imm-vaccine", text("Tetanus")),
        change("emergency-contact/ec-phone", text("+1 555 010 2000")),
        change("insurance/insurer", text("Mutual")),
        change("insurance/policy-number", text("M-4411")),
    ];
    api.save_intake(nurse, v1.id, &changes, None).unwrap();
    let done = api.submit_intake(nurse, v1.id).unwrap();
    assert!(
        done.submitted,
        "the version-1 visit submits: {:?}",
        done.problems
    );
    // A second draft on version 1, in progress when the clinic moves to version 2.
    let draft = api
        .start_intake(nurse, pid, Some("general-adult-intake"), Some("1"))
        .unwrap();
    api.set_template_status(admin, "general-adult-intake", "1", "retired")
        .unwrap();
    clock.advance(Duration::days(30));
    let token = api.sign_in("nurse", "demo").unwrap().token;
    let nurse = Caller::Session(&token);

    let e = api.start_intake(nurse, pid, None, None).unwrap();
    assert_eq!(e.template_version, "2", "a new intake starts on version 2");
    let intake = api.open_intake(nurse, e.id).unwrap();
    let carried = |key: &str| {
        let a = answer(&intake, key).unwrap_or_else(|| panic!("{key} carried into version 2"));
        let from = a
            .carried
            .as_ref()
            .unwrap_or_else(|| panic!("{key} says where it came from"));
        assert_eq!(
            (a.source.as_str(), from.encounter, from.date.as_str()),
            ("carried", v1.id, "2026-10-02"),
            "{key} comes from the version-1 visit"
        );
        a.values.clone()
    };
    // "No known allergies: no" is "Any known allergies? yes", and so for medications.
    assert_eq!(
        carried("allergies/any-allergies"),
        vec![json!({ "valueBoolean": true })]
    );
    assert_eq!(
        carried("medications/any-medications"),
        vec![json!({ "valueBoolean": true })]
    );
    for (key, value) in [
        ("allergies/allergy[1]/allergy-substance", text("Penicillin")),
        ("allergies/allergy[1]/allergy-reaction", text("Rash")),
        ("medications/medication[1]/med-name", text("Metformin")),
        (
            "medications/medication[1]/med-dose",
            json!([{ "valueDecimal": 500.0 }]),
        ),
        ("history/pmh[1]/pmh-condition", text("Type 2 diabetes")),
        ("history/psh[1]/psh-procedure", text("Appendectomy")),
        ("history/fh[1]/fh-condition", text("Hypertension")),
        (
            "social/tobacco",
            coding("http://intake-desk.org/fhir/CodeSystem/tobacco", "former"),
        ),
        ("social/occupation", text("Teacher")),
        ("immunizations/immunization[1]/imm-vaccine", text("Tetanus")),
        ("emergency-contact/ec-phone", text("+1 555 010 2000")),
        ("insurance/insurer", text("Mutual")),
        ("insurance/policy-number", text("M-4411")),
    ] {
        let got = json!(carried(key));
        let want_code = value.pointer("/0/valueCoding/code").cloned();
        if let Some(code) = want_code {
            assert_eq!(got.pointer("/0/valueCoding/code"), Some(&code), "{key}");
        } else {
            assert_eq!(got, value, "{key} carries unchanged");
        }
    }
    for row in [
        "allergies/allergy[1]",
        "medications/medication[1]",
        "history/pmh[1]",
    ] {
        carried(row);
    }
    // The blood pressure moved into its panel: never carried, the last value a hint.
    assert_eq!(
        intake
            .carry
            .hints
            .get("vitals/bp/systolic")
            .map(String::as_str),
        Some("last systolic blood pressure 128 mmHg, 02/10/2026")
    );
    assert!(
        !intake
            .disabled
            .iter()
            .any(|k| k.starts_with("allergies/allergy")),
        "the carried allergy rows are enabled by the carried yes: {:?}",
        intake.disabled
    );

    // The draft started on version 1 keeps it, and submits there.
    let confirms: Vec<ConfirmDto> = api
        .open_intake(nurse, draft.id)
        .unwrap()
        .answers
        .iter()
        .filter(|a| a.needs_confirmation && a.confirmed_by.is_none())
        .map(|a| serde_json::from_value(json!({ "key": a.key, "baseRev": a.rev })).unwrap())
        .collect();
    api.confirm_intake(nurse, draft.id, &confirms).unwrap();
    let saved = api
        .save_intake(
            nurse,
            draft.id,
            &[change("visit/reason", text("Follow-up"))],
            None,
        )
        .unwrap();
    assert_eq!(
        saved.encounter.template_version, "1",
        "the draft keeps version 1"
    );
    let done = api.submit_intake(nurse, draft.id).unwrap();
    assert!(
        done.submitted,
        "a version-1 draft submits on version 1 after the change: {:?}",
        done.problems
    );
    assert_eq!(done.encounter.template_version, "1");
}
