//! The audit log as the admin screen lists it: one entry per line naming who (display
//! name) and which patient (name and MRN), and its filters (date range, user, patient,
//! action), alone and combined, done by the store's query.

use std::sync::Arc;

use chrono::{Duration, TimeZone, Utc};
use intake_api::wire::{AuditEntryDto, AuditFilterDto, ChangeDto, PatientInputDto};
use intake_api::{Api, ApiError, Caller, ErrorCode, ManualClock};
use serde_json::{json, Value};

const CLI: Caller<'static> = Caller::Cli("tester");
const FIRST_DAY: &str = "2026-10-02";
const QUIET_DAY: &str = "2026-10-03";
const LATER_DAY: &str = "2026-10-04";

struct World {
    api: Api,
    clock: Arc<ManualClock>,
    nurse: String,
    physician: String,
}

fn world() -> World {
    let clock = Arc::new(ManualClock::new(
        Utc.with_ymd_and_hms(2026, 10, 2, 9, 0, 0).unwrap(),
    ));
    let api = Api::for_tests(clock.clone()).unwrap();
    intake_demo::seed_demo(&api, CLI).unwrap();
    let token = |name: &str| api.sign_in(name, "demo").unwrap().token;
    let (nurse, physician) = (token("nurse"), token("physician"));
    World {
        api,
        clock,
        nurse,
        physician,
    }
}

/// Registers a patient; answers (id, MRN).
fn patient(w: &World, family: &str, given: &str) -> (i64, String) {
    let p = PatientInputDto {
        family: family.into(),
        given: given.into(),
        birth_date: "1984-03-07".into(),
        sex: "female".into(),
        ..Default::default()
    };
    let p = w
        .api
        .register_patient(CLI, &p, Some("A test patient"))
        .unwrap()
        .patient
        .unwrap();
    (p.id, p.mrn)
}

fn change(key: &str, values: Value) -> ChangeDto {
    serde_json::from_value(json!({ "key": key, "values": values, "baseRev": 0 })).unwrap()
}

/// A visit of `patient` started and submitted by the nurse, signed by the physician
/// (each signed in afresh: a day has passed since).
fn signed_visit(w: &mut World, patient: i64) -> i64 {
    w.nurse = w.api.sign_in("nurse", "demo").unwrap().token;
    w.physician = w.api.sign_in("physician", "demo").unwrap().token;
    let nurse = Caller::Session(&w.nurse);
    let e = w.api.start_intake(nurse, patient, None, None).unwrap();
    let changes = [
        change("visit/reason", json!([{ "valueString": "Check-up" }])),
        change(
            "allergies/any-allergies",
            json!([{ "valueBoolean": false }]),
        ),
        change(
            "medications/any-medications",
            json!([{ "valueBoolean": false }]),
        ),
    ];
    w.api.save_intake(nurse, e.id, &changes, None).unwrap();
    assert!(w.api.submit_intake(nurse, e.id).unwrap().submitted);
    let physician = Caller::Session(&w.physician);
    let hash = w.api.open_review(physician, e.id).unwrap().record_hash;
    w.api.sign_intake(physician, e.id, &hash).unwrap();
    e.id
}

/// Two patients: Ada's visit signed on the first day, Bea's two days later.
struct Story {
    w: World,
    ada: (i64, String),
    bea: (i64, String),
}

fn story() -> Story {
    let mut w = world();
    let ada = patient(&w, "Lovelace", "Ada");
    signed_visit(&mut w, ada.0);
    w.clock.advance(Duration::days(2));
    let bea = patient(&w, "Brontë", "Bea");
    signed_visit(&mut w, bea.0);
    Story { w, ada, bea }
}

fn list(w: &World, filter: AuditFilterDto) -> Vec<AuditEntryDto> {
    w.api
        .list_audit(CLI, &filter)
        .expect("the filter is accepted")
}

fn refused(w: &World, filter: AuditFilterDto) -> (ErrorCode, Option<String>, String) {
    match w.api.list_audit(CLI, &filter) {
        Err(ApiError::Validation { field, message }) => (ErrorCode::Validation, field, message),
        Err(e) => (e.code(), None, e.to_string()),
        Ok(rows) => panic!("expected a refusal, got {} entries", rows.len()),
    }
}

fn display_name(w: &World, username: &str) -> String {
    w.api
        .list_users(CLI)
        .unwrap()
        .into_iter()
        .find(|u| u.username == username)
        .expect("the user exists")
        .display_name
}

#[test]
fn each_entry_names_its_actor_by_display_name_and_its_patient_by_name_and_mrn() {
    let s = story();
    let ada = list(
        &s.w,
        AuditFilterDto {
            patient_id: Some(s.ada.0),
            ..Default::default()
        },
    );
    assert!(
        ada.len() >= 4,
        "registering, starting, submitting and signing Ada's visit are listed: {:?}",
        ada.iter().map(|e| &e.action).collect::<Vec<_>>()
    );
    for e in &ada {
        let p = e.patient.as_ref().expect("each entry names its patient");
        assert_eq!(
            (p.id, p.name.as_str(), p.mrn.as_str()),
            (s.ada.0, "Lovelace, Ada", s.ada.1.as_str()),
            "entry {} ({}) names Ada by name and MRN",
            e.seq,
            e.action
        );
    }
    let signed = ada
        .iter()
        .find(|e| e.action == "encounter.signed")
        .expect("the signature is listed");
    assert_eq!(
        signed.actor_name.as_deref(),
        Some(display_name(&s.w, "physician").as_str()),
        "the signer is named by display name"
    );
    let registered = ada
        .iter()
        .find(|e| e.action == "patient.created")
        .expect("the registration is listed");
    assert_eq!(
        registered.actor_name, None,
        "the command line's account is no user: no display name"
    );
}

#[test]
fn each_filter_alone_narrows_the_list() {
    let s = story();
    let w = &s.w;

    let signed = list(
        w,
        AuditFilterDto {
            action: Some("encounter.signed".into()),
            ..Default::default()
        },
    );
    assert!(!signed.is_empty(), "signatures are found by their action");
    assert!(
        signed.iter().all(|e| e.action == "encounter.signed"),
        "only that action is listed"
    );

    let by_nurse = list(
        w,
        AuditFilterDto {
            actor: Some("nurse".into()),
            ..Default::default()
        },
    );
    assert!(
        by_nurse.iter().any(|e| e.action == "encounter.submitted"),
        "the nurse's submissions are listed"
    );
    assert!(
        by_nurse.iter().all(|e| e.actor == "nurse"),
        "only the nurse's entries are listed"
    );

    let bea = list(
        w,
        AuditFilterDto {
            patient_mrn: Some(s.bea.1.clone()),
            ..Default::default()
        },
    );
    assert!(!bea.is_empty(), "Bea's entries are found by her MRN");
    assert!(
        bea.iter().all(|e| e.patient_id == Some(s.bea.0)),
        "only Bea's entries are listed by her MRN"
    );

    let first_day = list(
        w,
        AuditFilterDto {
            from: Some(FIRST_DAY.into()),
            to: Some(FIRST_DAY.into()),
            limit: Some(10_000),
            ..Default::default()
        },
    );
    assert!(
        first_day.iter().all(|e| e.at.starts_with(FIRST_DAY)),
        "a one-day range lists only that day's entries"
    );
    assert!(
        first_day.iter().any(|e| e.patient_id == Some(s.ada.0))
            && !first_day.iter().any(|e| e.patient_id == Some(s.bea.0)),
        "the first day holds Ada's visit, not Bea's"
    );
    let from_later = list(
        w,
        AuditFilterDto {
            from: Some(LATER_DAY.into()),
            limit: Some(10_000),
            ..Default::default()
        },
    );
    assert!(
        from_later.iter().any(|e| e.patient_id == Some(s.bea.0))
            && from_later.iter().all(|e| e.at.as_str() >= LATER_DAY),
        "a range with only a start lists that day and later"
    );
}

#[test]
fn filters_combine_and_page_back() {
    let s = story();
    let w = &s.w;
    let one = list(
        w,
        AuditFilterDto {
            action: Some("encounter.signed".into()),
            actor: Some("physician".into()),
            patient_id: Some(s.bea.0),
            from: Some(LATER_DAY.into()),
            to: Some(LATER_DAY.into()),
            ..Default::default()
        },
    );
    assert_eq!(one.len(), 1, "exactly Bea's signature: {one:?}");
    assert_eq!(
        one[0].patient.as_ref().map(|p| p.name.as_str()),
        Some("Brontë, Bea")
    );

    let ada_later = list(
        w,
        AuditFilterDto {
            patient_id: Some(s.ada.0),
            from: Some(LATER_DAY.into()),
            ..Default::default()
        },
    );
    assert!(
        ada_later.is_empty(),
        "nothing happened to Ada's chart after the first day: {ada_later:?}"
    );

    let quiet = list(
        w,
        AuditFilterDto {
            action: Some("encounter.signed".into()),
            from: Some(QUIET_DAY.into()),
            to: Some(QUIET_DAY.into()),
            ..Default::default()
        },
    );
    assert!(quiet.is_empty(), "no signature on the quiet day: {quiet:?}");

    // Paging keeps the filters: Ada's entries one at a time, newest first.
    let all_ada = list(
        w,
        AuditFilterDto {
            patient_id: Some(s.ada.0),
            ..Default::default()
        },
    );
    let mut paged = Vec::new();
    let mut before = None;
    loop {
        let page = list(
            w,
            AuditFilterDto {
                patient_id: Some(s.ada.0),
                before_seq: before,
                limit: Some(1),
                ..Default::default()
            },
        );
        let Some(last) = page.last() else { break };
        before = Some(last.seq);
        paged.extend(page);
    }
    assert_eq!(paged, all_ada, "paging one by one lists the same entries");
}

#[test]
fn bad_ranges_and_unknown_patients_are_refused_clearly() {
    let s = story();
    let w = &s.w;
    let (code, field, message) = refused(
        w,
        AuditFilterDto {
            from: Some(LATER_DAY.into()),
            to: Some(FIRST_DAY.into()),
            ..Default::default()
        },
    );
    assert_eq!(
        (code, field.as_deref()),
        (ErrorCode::Validation, Some("to")),
        "a range ending before it starts is refused at its end"
    );
    assert!(
        message.contains("before it starts") && message.contains(FIRST_DAY),
        "the message says why, naming the days: {message}"
    );
    let (code, field, message) = refused(
        w,
        AuditFilterDto {
            from: Some("yesterday".into()),
            ..Default::default()
        },
    );
    assert_eq!(
        (code, field.as_deref()),
        (ErrorCode::Validation, Some("from"))
    );
    assert!(
        message.contains("not a date"),
        "the message says it: {message}"
    );
    let (code, _, message) = refused(
        w,
        AuditFilterDto {
            patient_mrn: Some("999999-9".into()),
            ..Default::default()
        },
    );
    assert_eq!(code, ErrorCode::NotFound, "{message}");
    let (code, field, _) = refused(
        w,
        AuditFilterDto {
            patient_mrn: Some(s.ada.1.clone()),
            patient_id: Some(s.bea.0),
            ..Default::default()
        },
    );
    assert_eq!(
        (code, field.as_deref()),
        (ErrorCode::Validation, Some("patientMrn")),
        "an MRN and a chosen patient that differ are refused"
    );
}

#[test]
fn the_action_list_holds_each_action_that_happened_once() {
    let s = story();
    let actions = s.w.api.list_audit_actions(CLI).unwrap();
    for action in ["encounter.signed", "encounter.started", "patient.created"] {
        assert!(
            actions.iter().any(|a| a == action),
            "{action} happened and is offered: {actions:?}"
        );
    }
    assert!(
        !actions.iter().any(|a| a == "user.locked_out"),
        "nobody was locked out: not offered"
    );
    let mut sorted = actions.clone();
    sorted.sort();
    sorted.dedup();
    assert_eq!(actions, sorted, "each once, alphabetical");
    let nurse =
        s.w.api
            .list_audit_actions(Caller::Session(&s.w.nurse))
            .unwrap_err();
    assert_eq!(nurse.code(), ErrorCode::Forbidden, "only an admin reads it");
}
