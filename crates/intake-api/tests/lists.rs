//! Lists that tell the truth: a patient's last visit in search results, visits that say
//! who submitted and who signed them (by display name) and why the patient came, the
//! review queue by display name, and a returned intake naming the physician.

use std::sync::Arc;

use chrono::{TimeZone, Utc};
use intake_api::wire::PatientInputDto;
use intake_api::{Api, Caller, ManualClock};

const CLI: Caller<'static> = Caller::Cli("tester");

fn demo() -> Api {
    let clock = Arc::new(ManualClock::new(
        Utc.with_ymd_and_hms(2026, 12, 1, 9, 0, 0).unwrap(),
    ));
    let api = Api::for_tests(clock).unwrap();
    intake_demo::seed_demo(&api, CLI).unwrap();
    api
}

fn lukasz(api: &Api) -> i64 {
    api.search_patients(CLI, "kowalski lukasz")
        .unwrap()
        .patients
        .iter()
        .find(|p| p.family == "Kowalski")
        .expect("the demo patient Łukasz Kowalski")
        .id
}

#[test]
fn search_results_show_each_patients_last_visit_and_where_it_stands() {
    let api = demo();
    let found = api.search_patients(CLI, "kowalski lukasz").unwrap();
    let row = found
        .patients
        .iter()
        .find(|p| p.family == "Kowalski")
        .expect("Łukasz is found");
    let visits = api.list_encounters(CLI, Some(row.id), None).unwrap();
    let newest = visits
        .iter()
        .filter(|v| v.status != "entered_in_error")
        .max_by_key(|v| v.started_at.clone())
        .expect("Łukasz has earlier visits");
    let last = row
        .last_visit
        .as_ref()
        .expect("a patient with visits shows the last one, not \"—\"");
    assert_eq!(
        (last.at.as_str(), last.status.as_str()),
        (newest.started_at.as_str(), newest.status.as_str()),
        "the last visit is his newest, with its status"
    );

    let newcomer = PatientInputDto {
        family: "Newcomer".into(),
        given: "Ada".into(),
        birth_date: "1990-01-02".into(),
        sex: "female".into(),
        ..Default::default()
    };
    api.register_patient(CLI, &newcomer, None).unwrap();
    let found = api.search_patients(CLI, "newcomer").unwrap();
    assert_eq!(found.patients.len(), 1);
    assert_eq!(
        found.patients[0].last_visit, None,
        "a patient without visits has no last visit"
    );
}

#[test]
fn visits_name_who_submitted_and_who_signed_by_display_name_and_give_the_reason() {
    let api = demo();
    let id = lukasz(&api);
    let signed = api.list_encounters(CLI, Some(id), Some("signed")).unwrap();
    assert!(!signed.is_empty(), "Łukasz has signed visits");
    for v in &signed {
        assert_eq!(
            v.submitted_by_name.as_deref(),
            Some("Nora Lindqvist"),
            "visit {} names the nurse who submitted it, not the user name {:?}",
            v.id,
            v.submitted_by
        );
        assert_eq!(
            v.signed_by_name.as_deref(),
            Some("Dr. Paul Okafor"),
            "visit {} names the physician who signed it",
            v.id
        );
        assert!(
            v.reason.as_deref().is_some_and(|r| !r.trim().is_empty()),
            "visit {} shows its reason for visit",
            v.id
        );
    }
}

#[test]
fn the_queue_and_a_returned_intake_name_people_by_display_name() {
    let api = demo();
    let nurse = api.sign_in("nurse", "demo").unwrap().token;
    let physician = api.sign_in("physician", "demo").unwrap().token;
    let id = lukasz(&api);
    let e = api
        .start_intake(Caller::Session(&nurse), id, None, None)
        .unwrap();
    // Submit what the form allows: the carried values as they are, then the reason.
    let intake = api.open_intake(Caller::Session(&nurse), e.id).unwrap();
    let waiting: Vec<intake_api::wire::ConfirmDto> = intake
        .answers
        .iter()
        .filter(|a| a.needs_confirmation && a.confirmed_by.is_none())
        .map(|a| {
            serde_json::from_value(serde_json::json!({ "key": a.key, "baseRev": a.rev })).unwrap()
        })
        .collect();
    api.confirm_intake(Caller::Session(&nurse), e.id, &waiting)
        .unwrap();
    let reason: intake_api::wire::ChangeDto = serde_json::from_value(serde_json::json!({
        "key": "visit/reason", "values": [{ "valueString": "Dizziness" }], "baseRev": 0
    }))
    .unwrap();
    api.save_intake(Caller::Session(&nurse), e.id, &[reason], None)
        .unwrap();
    let done = api.submit_intake(Caller::Session(&nurse), e.id).unwrap();
    assert!(done.submitted, "{:?}", done.problems);

    let queue = api.review_queue(CLI, None, None, None).unwrap();
    let item = queue
        .items
        .iter()
        .find(|i| i.encounter_id == e.id)
        .expect("the intake waits for review");
    assert_eq!(
        item.submitted_by_name.as_deref(),
        Some("Nora Lindqvist"),
        "the queue names the nurse, not \"nurse\""
    );
    assert_eq!(item.reason.as_deref(), Some("Dizziness"));
    assert_eq!(
        queue.names.get("nurse").map(String::as_str),
        Some("Nora Lindqvist"),
        "the submitter filter can show display names"
    );

    let seen = api.open_review(Caller::Session(&physician), e.id).unwrap();
    api.return_intake(
        Caller::Session(&physician),
        e.id,
        "Please re-weigh",
        &seen.record_hash,
    )
    .unwrap();
    let drafts = api.list_encounters(CLI, None, Some("draft")).unwrap();
    let back = drafts
        .iter()
        .find(|d| d.id == e.id)
        .expect("the returned intake is a draft again");
    let returned = back.returned.as_ref().expect("it says it was returned");
    assert_eq!(
        (returned.by_name.as_deref(), returned.comment.as_str()),
        (Some("Dr. Paul Okafor"), "Please re-weigh"),
        "the nurse sees who returned it, by name, and why"
    );
    assert_eq!(back.started_by_name.as_deref(), Some("Nora Lindqvist"));
}
