//! The review of a visit on version 2 of the built-in form against an earlier visit on
//! version 1: the earlier answers are read under the new keys (blood pressure moved into a
//! group, "any known allergies?" asked the other way round), so the physician sees the
//! last blood pressure as context and no allergy answer "added".

use std::sync::Arc;

use chrono::{TimeZone, Utc};
use intake_api::wire::{ChangeDto, ConfirmDto};
use intake_api::{Api, Caller, ManualClock};
use serde_json::json;

const CLI: Caller<'static> = Caller::Cli("tester");

fn change(key: &str, values: serde_json::Value) -> ChangeDto {
    serde_json::from_value(json!({ "key": key, "values": values, "baseRev": 0 })).unwrap()
}

#[test]
fn a_version_2_visit_reads_against_a_version_1_visit_under_its_own_keys() {
    let clock = Arc::new(ManualClock::new(
        Utc.with_ymd_and_hms(2026, 12, 1, 9, 0, 0).unwrap(),
    ));
    let api = Api::for_tests(clock).unwrap();
    intake_demo::seed_demo(&api, CLI).unwrap();
    let token = api.sign_in("nurse", "demo").unwrap().token;
    let nurse = Caller::Session(&token);
    let lukasz = api
        .search_patients(nurse, "kowalski lukasz")
        .unwrap()
        .patients[0]
        .id;
    let before = api
        .list_encounters(CLI, Some(lukasz), Some("signed"))
        .unwrap();
    assert_eq!(
        before[0].template_version, "1",
        "his earlier visits are on version 1"
    );

    let e = api.start_intake(nurse, lukasz, None, None).unwrap();
    assert_eq!(e.template_version, "2");
    let intake = api.open_intake(nurse, e.id).unwrap();
    let waiting: Vec<ConfirmDto> = intake
        .answers
        .iter()
        .filter(|a| a.needs_confirmation && a.confirmed_by.is_none())
        .map(|a| serde_json::from_value(json!({ "key": a.key, "baseRev": a.rev })).unwrap())
        .collect();
    api.confirm_intake(nurse, e.id, &waiting).unwrap();
    let changes = [
        change("visit/reason", json!([{ "valueString": "Follow-up" }])),
        change("vitals/bp/systolic", json!([{ "valueInteger": 126 }])),
        change("vitals/bp/diastolic", json!([{ "valueInteger": 80 }])),
    ];
    api.save_intake(nurse, e.id, &changes, None).unwrap();
    let done = api.submit_intake(nurse, e.id).unwrap();
    assert!(done.submitted, "{:?}", done.problems);

    let token = api.sign_in("physician", "demo").unwrap().token;
    let review = api.open_review(Caller::Session(&token), e.id).unwrap();
    let question = |link: &str| {
        review
            .changes
            .questions
            .iter()
            .find(|q| q.link_id == link)
            .unwrap_or_else(|| panic!("{link} in the comparison"))
    };
    let systolic = question("systolic");
    assert!(
        systolic
            .context
            .as_deref()
            .is_some_and(|c| c.starts_with("last ")),
        "the last systolic pressure from the version-1 visit is the context: {systolic:?}"
    );
    let allergies = question("any-allergies");
    assert_eq!(
        allergies.change, "unchanged",
        "the yes/no asked the other way round reads as the same answer: {allergies:?}"
    );
}
