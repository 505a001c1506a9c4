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
    let api = Api::in_memory(clock.clone()).unwrap();
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
        change("allergies/nka", json!([{ "valueBoolean": false }])),
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
    assert!(answer(&intake, "allergies/nka").unwrap().needs_confirmation);
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
        Some("last weight 82 kg, 2 Oct 2026")
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
            "allergies/nka",
            "allergies/allergy[1]",
            "allergies/allergy[2]",
            "social/occupation"
        ],
        "{:?}",
        blocked.problems
    );
    assert!(blocked
        .problems
        .iter()
        .filter(|p| p.message.starts_with("Confirm"))
        .all(|p| p.message.contains("carried from the visit of 2 Oct 2026")));

    // A confirmation that names an old write is refused, and confirms nothing.
    let intake = api.open_intake(nurse, second.id).unwrap();
    let confirm = |key: &str, rev: i64| -> ConfirmDto {
        serde_json::from_value(json!({ "key": key, "baseRev": rev })).unwrap()
    };
    let stale = api
        .confirm_intake(
            nurse,
            second.id,
            &[confirm("allergies/nka", 1), confirm("social/occupation", 7)],
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
        "allergies/nka",
        "allergies/allergy[1]",
        "allergies/allergy[2]",
    ]
    .iter()
    .map(|k| confirm(k, answer(&intake, k).unwrap().rev))
    .collect();
    let confirmed = api.confirm_intake(nurse, second.id, &confirms).unwrap();
    assert_eq!(confirmed.answers.len(), 3);
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
