//! The outcomes report through the API: intakes made the way a nurse makes them (a
//! first visit typed, a repeat visit carried, one value edited, the rest confirmed),
//! counted per encounter and per week, with empty weeks, medians, drafts left out, and
//! the refusals (bad dates, reversed or too long ranges, a nurse asking).

use std::sync::Arc;

use chrono::{Duration, TimeZone, Utc};
use intake_api::wire::ChangeDto;
use intake_api::wire::ConfirmDto;
use intake_api::wire::PatientInputDto;
use intake_api::wire::{AuditFilterDto, NewUserRequest, SettingsUpdate};
use intake_api::wire::{OutcomeEncounterDto, OutcomesDto};
use intake_api::{Api, ApiError, Caller, ErrorCode, ManualClock};
use serde_json::{json, Value};

const CLI: Caller<'static> = Caller::Cli("tester");
const PASSWORD: &str = "correct-horse-1";

/// Wednesday 4 November 2026, 09:00 UTC (the week of Monday 2 November).
fn api() -> (Api, Arc<ManualClock>) {
    let clock = Arc::new(ManualClock::new(
        Utc.with_ymd_and_hms(2026, 11, 4, 9, 0, 0).unwrap(),
    ));
    let api = Api::for_tests(clock.clone()).unwrap();
    // Accounts of our own, not the demo data: its visits would fall into the report.
    api.create_first_admin(Some(CLI), "admin", "Admin", PASSWORD)
        .unwrap();
    for (name, role) in [("nurse", "nurse"), ("physician", "physician")] {
        let user = NewUserRequest {
            username: name.into(),
            display_name: String::new(),
            role: role.into(),
            password: "temporary-1".into(),
        };
        api.create_user(CLI, &user).unwrap();
        let token = api.sign_in(name, "temporary-1").unwrap().token;
        api.change_password(Caller::Session(&token), "temporary-1", PASSWORD)
            .unwrap();
    }
    // Intakes here take up to 20 minutes without a call in between: keep sessions open.
    let long = SettingsUpdate {
        session_timeout_seconds: Some(43_200),
        ..Default::default()
    };
    api.update_settings(CLI, &long).unwrap();
    (api, clock)
}

fn patient(api: &Api, family: &str) -> i64 {
    let p = PatientInputDto {
        family: family.into(),
        given: "Zoë".into(),
        birth_date: "1984-03-07".into(),
        sex: "female".into(),
        emergency_name: "Ana Núñez".into(),
        emergency_relationship: "sister".into(),
        ..Default::default()
    };
    api.register_patient(CLI, &p, Some("test"))
        .unwrap()
        .patient
        .unwrap()
        .id
}

fn change(key: &str, values: Value, base_rev: i64) -> ChangeDto {
    serde_json::from_value(json!({ "key": key, "values": values, "baseRev": base_rev })).unwrap()
}

fn nurse(api: &Api) -> String {
    api.sign_in("nurse", PASSWORD).unwrap().token
}

/// How many answers the form filled at start from the record or its initial values, as
/// the intake itself lists them (the report must agree).
fn prefilled(api: &Api, id: i64) -> i64 {
    let detail = api.encounter_detail(CLI, id).unwrap();
    detail
        .answers
        .iter()
        .filter(|a| {
            a.in_record && !a.values.is_empty() && (a.source == "record" || a.source == "initial")
        })
        .count() as i64
}

/// A first visit, all typed: reason, height and weight (BMI is calculated and does not
/// count), known allergies yes and medications no, one allergy row (the row itself does not count),
/// occupation and insurer. Takes `minutes` from start to submission.
fn first_visit(api: &Api, clock: &ManualClock, pid: i64, minutes: i64) -> i64 {
    let token = nurse(api);
    let n = Caller::Session(&token);
    let e = api.start_intake(n, pid, None, None).unwrap();
    let changes = [
        change("visit/reason", json!([{ "valueString": "Cough" }]), 0),
        change("vitals/height", json!([{ "valueDecimal": 168 }]), 0),
        change("vitals/weight", json!([{ "valueDecimal": 64.5 }]), 0),
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
        change("allergies/allergy[1]", json!([]), 0),
        change(
            "allergies/allergy[1]/allergy-substance",
            json!([{ "valueString": "Penicillin" }]),
            0,
        ),
        change(
            "social/occupation",
            json!([{ "valueString": "Teacher" }]),
            0,
        ),
        change("insurance/insurer", json!([{ "valueString": "Mutual" }]), 0),
    ];
    api.save_intake(n, e.id, &changes, None).unwrap();
    clock.advance(Duration::minutes(minutes));
    let done = api.submit_intake(n, e.id).unwrap();
    assert!(done.submitted, "{:?}", done.problems);
    e.id
}

/// A repeat visit: the carried values are confirmed except the occupation, which is
/// edited; a new reason is typed. Takes `minutes`.
fn repeat_visit(api: &Api, clock: &ManualClock, pid: i64, minutes: i64) -> i64 {
    let token = nurse(api);
    let n = Caller::Session(&token);
    let e = api.start_intake(n, pid, None, None).unwrap();
    let intake = api.open_intake(n, e.id).unwrap();
    let rev = |key: &str| {
        intake
            .answers
            .iter()
            .find(|a| a.key == key)
            .unwrap_or_else(|| panic!("{key} was not carried"))
            .rev
    };
    let changes = [
        change("visit/reason", json!([{ "valueString": "Follow-up" }]), 0),
        change(
            "social/occupation",
            json!([{ "valueString": "Head teacher" }]),
            rev("social/occupation"),
        ),
    ];
    api.save_intake(n, e.id, &changes, None).unwrap();
    let confirms: Vec<ConfirmDto> = intake
        .answers
        .iter()
        .filter(|a| a.needs_confirmation && a.key != "social/occupation")
        .map(|a| serde_json::from_value(json!({ "key": a.key, "baseRev": a.rev })).unwrap())
        .collect();
    api.confirm_intake(n, e.id, &confirms).unwrap();
    clock.advance(Duration::minutes(minutes));
    let done = api.submit_intake(n, e.id).unwrap();
    assert!(done.submitted, "{:?}", done.problems);
    e.id
}

fn encounter(report: &OutcomesDto, id: i64) -> &OutcomeEncounterDto {
    report
        .encounters
        .iter()
        .find(|e| e.id == id)
        .unwrap_or_else(|| panic!("encounter {id} is not in {report:#?}"))
}

fn close(a: Option<f64>, b: f64) -> bool {
    a.is_some_and(|a| (a - b).abs() < 1e-9)
}

#[test]
fn carried_edited_typed_and_prefilled_are_counted_per_intake_and_per_week() {
    let (api, clock) = api();
    let zoe = patient(&api, "Carryforward");
    let ann = patient(&api, "Newcomer");

    // Week of 2 Nov: Zoë's first visit, 12 minutes; a draft for Ann that is never submitted.
    let first = first_visit(&api, &clock, zoe, 12);
    let token = nurse(&api);
    let draft = api
        .start_intake(Caller::Session(&token), ann, None, None)
        .unwrap();
    api.save_intake(
        Caller::Session(&token),
        draft.id,
        &[change(
            "visit/reason",
            json!([{ "valueString": "Draft" }]),
            0,
        )],
        None,
    )
    .unwrap();

    // Week of 9 Nov: nothing. Week of 16 Nov: Zoë again (4 minutes), Ann's first (20).
    clock.advance(Duration::days(13) - Duration::minutes(12));
    let second = repeat_visit(&api, &clock, zoe, 4);
    // Ann's visit is submitted on the last day of the range, late in the evening.
    clock.advance(Duration::hours(14) - Duration::minutes(4));
    let third = first_visit(&api, &clock, ann, 20);
    let submitted_at = api.encounter_detail(CLI, third).unwrap();
    assert_eq!(
        submitted_at.encounter.submitted_at.as_deref(),
        Some("2026-11-17T23:20:00.000Z")
    );

    let report = api.outcomes(CLI, "2026-11-04", "2026-11-17").unwrap();
    assert_eq!(
        (report.from.as_str(), report.to.as_str()),
        ("2026-11-04", "2026-11-17")
    );
    let ids: Vec<i64> = report.encounters.iter().map(|e| e.id).collect();
    assert_eq!(
        ids,
        [first, second, third],
        "submitted ones only, oldest first"
    );

    let one = encounter(&report, first);
    let record = prefilled(&api, first);
    assert!(
        record >= 3,
        "sex, emergency name and relationship come from the record"
    );
    assert_eq!(
        (
            one.answered,
            one.carried_unchanged,
            one.carried_edited,
            one.typed,
            one.prefilled
        ),
        (8 + record, 0, 0, 8, record),
        "a first visit is typed, apart from what the record gives: {one:?}"
    );
    assert_eq!(one.minutes, 12.0);
    assert_eq!(one.started_at, "2026-11-04T09:00:00.000Z");

    // Carried: any known allergies, any medications, the allergy (its row does not
    // count) and the insurer; edited: the occupation; typed: the reason.
    let two = encounter(&report, second);
    let record = prefilled(&api, second);
    assert_eq!(
        (
            two.answered,
            two.carried_unchanged,
            two.carried_edited,
            two.typed,
            two.prefilled
        ),
        (6 + record, 4, 1, 1, record),
        "{two:?}"
    );
    assert_eq!(two.minutes, 4.0);
    assert_eq!(encounter(&report, third).minutes, 20.0);

    let weeks: Vec<&str> = report.weeks.iter().map(|w| w.week_start.as_str()).collect();
    assert_eq!(
        weeks,
        ["2026-11-02", "2026-11-09", "2026-11-16"],
        "Mondays, the empty one too"
    );
    let [a, b, c] = [
        &report.weeks[0].figures,
        &report.weeks[1].figures,
        &report.weeks[2].figures,
    ];
    assert_eq!((a.encounters, a.median_minutes), (1, Some(12.0)));
    assert!(close(a.typed_share, 8.0 / one.answered as f64), "{a:?}");
    assert!(close(a.carried_share, 0.0), "{a:?}");
    assert_eq!(
        (
            b.encounters,
            b.answered,
            b.carried_unchanged,
            b.carried_edited,
            b.typed,
            b.prefilled
        ),
        (0, 0, 0, 0, 0, 0),
        "an empty week is listed with zeros"
    );
    assert_eq!(
        (b.median_minutes, b.carried_share, b.typed_share),
        (None, None, None)
    );
    let three = encounter(&report, third);
    assert_eq!(c.encounters, 2);
    assert_eq!(c.answered, two.answered + three.answered);
    assert_eq!(c.carried_unchanged, 4);
    assert_eq!(c.carried_edited, 1);
    assert_eq!(c.typed, 1 + 8);
    assert!(close(c.carried_share, 4.0 / c.answered as f64), "{c:?}");
    assert!(
        close(c.typed_share, (9.0 + 1.0) / c.answered as f64),
        "{c:?}"
    );
    assert_eq!(c.median_minutes, Some(12.0), "the mean of 4 and 20");

    assert_eq!(report.total.encounters, 3);
    assert_eq!(report.total.median_minutes, Some(12.0), "4, 12, 20");
    assert_eq!(report.total.answered, one.answered + c.answered);

    // The wire shape the screen and the CLI read.
    let wire = serde_json::to_value(&report).unwrap();
    assert_eq!(wire["weeks"][1]["weekStart"], "2026-11-09");
    assert_eq!(wire["weeks"][1]["medianMinutes"], Value::Null);
    assert_eq!(wire["weeks"][2]["carriedEdited"], 1);
    assert_eq!(
        wire["encounters"][0]["submittedAt"],
        "2026-11-04T09:12:00.000Z"
    );
    assert!(wire["encounters"][0]["mrn"]
        .as_str()
        .is_some_and(|m| !m.is_empty()));

    // The range is of submission days, both included: ending a day earlier leaves out
    // both visits of the 17th, starting a day later leaves out Zoë's first visit.
    let shorter = api.outcomes(CLI, "2026-11-04", "2026-11-16").unwrap();
    assert_eq!(
        shorter.encounters.iter().map(|e| e.id).collect::<Vec<_>>(),
        [first]
    );
    let later = api.outcomes(CLI, "2026-11-05", "2026-11-17").unwrap();
    assert_eq!(
        later.encounters.iter().map(|e| e.id).collect::<Vec<_>>(),
        [second, third]
    );
    assert_eq!(later.weeks[0].figures.encounters, 0);
}

#[test]
fn a_period_without_intakes_lists_its_weeks_empty() {
    let (api, _) = api();
    let report = api.outcomes(CLI, "2026-11-01", "2026-11-30").unwrap();
    assert!(report.encounters.is_empty());
    let weeks: Vec<&str> = report.weeks.iter().map(|w| w.week_start.as_str()).collect();
    // 1 November 2026 is a Sunday: its week starts on 26 October.
    assert_eq!(
        weeks,
        [
            "2026-10-26",
            "2026-11-02",
            "2026-11-09",
            "2026-11-16",
            "2026-11-23",
            "2026-11-30"
        ]
    );
    assert!(report
        .weeks
        .iter()
        .all(|w| w.figures.encounters == 0 && w.figures.median_minutes.is_none()));
    assert_eq!(report.total.encounters, 0);
    // One day is a range too.
    let day = api.outcomes(CLI, "2026-11-04", "2026-11-04").unwrap();
    assert_eq!(day.weeks.len(), 1);
    assert_eq!(day.weeks[0].week_start, "2026-11-02");
}

fn refused(result: Result<OutcomesDto, ApiError>) -> (ErrorCode, Option<String>, String) {
    let err = result.expect_err("refused");
    (err.code(), err.field().map(str::to_string), err.to_string())
}

#[test]
fn bad_dates_reversed_and_overlong_ranges_are_refused_with_the_field() {
    let (api, _) = api();
    let (code, field, message) = refused(api.outcomes(CLI, "2026-11-31", "2026-12-01"));
    assert_eq!(
        (code, field.as_deref()),
        (ErrorCode::Validation, Some("from"))
    );
    assert!(message.contains("YYYY-MM-DD"), "{message}");
    let (code, field, _) = refused(api.outcomes(CLI, "2026-11-01", "next week"));
    assert_eq!(
        (code, field.as_deref()),
        (ErrorCode::Validation, Some("to"))
    );
    let (_, field, _) = refused(api.outcomes(CLI, "", "2026-11-01"));
    assert_eq!(field.as_deref(), Some("from"));

    let (code, field, message) = refused(api.outcomes(CLI, "2026-12-01", "2026-11-01"));
    assert_eq!(
        (code, field.as_deref()),
        (ErrorCode::Validation, Some("from"))
    );
    assert!(message.contains("after the end date"), "{message}");

    let (code, field, message) = refused(api.outcomes(CLI, "2020-01-01", "2025-01-01"));
    assert_eq!(
        (code, field.as_deref()),
        (ErrorCode::Validation, Some("to"))
    );
    assert!(message.contains("at most 5 years"), "{message}");
    assert!(
        api.outcomes(CLI, "2020-01-01", "2024-12-31").is_ok(),
        "5 years is allowed"
    );
    assert!(api.outcomes(CLI, "0000-01-01", "0000-12-31").is_ok());
    assert!(api.outcomes(CLI, "9999-01-01", "9999-12-31").is_ok());
}

#[test]
fn only_admins_see_outcomes_and_reading_them_is_not_audited() {
    let (api, _) = api();
    for user in ["nurse", "physician"] {
        let token = api.sign_in(user, PASSWORD).unwrap().token;
        let err = api
            .outcomes(Caller::Session(&token), "2026-11-01", "2026-11-30")
            .unwrap_err();
        assert_eq!(err.code(), ErrorCode::Forbidden, "{user}");
    }
    let token = api.sign_in("admin", PASSWORD).unwrap().token;
    let admin = Caller::Session(&token);
    let newest = || {
        let last = AuditFilterDto {
            limit: Some(1),
            ..Default::default()
        };
        api.list_audit(CLI, &last).unwrap()[0].seq
    };
    let before = newest();
    api.outcomes(admin, "2026-11-01", "2026-11-30").unwrap();
    assert_eq!(newest(), before, "a read-only report writes no audit entry");
    assert!(api
        .outcomes(Caller::Session("not-a-token"), "2026-11-01", "2026-11-30")
        .is_err_and(|e| e.code() == ErrorCode::Unauthenticated));
}

/// At a clinic five hours behind UTC, an intake submitted on Sunday 8 November at 21:00
/// local time (02:00 UTC on Monday) belongs to Sunday: to the week of 2 November in the
/// outcomes, and to Sunday's review-queue range, not Monday's.
#[test]
fn outcome_weeks_and_queue_ranges_are_the_clinics_days() {
    let (api, clock) = api();
    api.update_settings(
        CLI,
        &SettingsUpdate {
            time_zone: Some("America/New_York".into()),
            ..Default::default()
        },
    )
    .unwrap();
    let pid = patient(&api, "Evening");
    // 20:40 New York time on Sunday 8 November; submitted 20 minutes later, at 21:00.
    let start = Utc.with_ymd_and_hms(2026, 11, 9, 1, 40, 0).unwrap();
    clock.advance(start - Utc.with_ymd_and_hms(2026, 11, 4, 9, 0, 0).unwrap());
    let id = first_visit(&api, &clock, pid, 20);

    let report = api.outcomes(CLI, "2026-11-02", "2026-11-15").unwrap();
    let weeks: Vec<(&str, i64)> = report
        .weeks
        .iter()
        .map(|w| (w.week_start.as_str(), w.figures.encounters))
        .collect();
    assert_eq!(
        weeks,
        vec![("2026-11-02", 1), ("2026-11-09", 0)],
        "the Sunday evening intake counts in its own week"
    );
    let sunday = api.outcomes(CLI, "2026-11-08", "2026-11-08").unwrap();
    assert_eq!(sunday.total.encounters, 1, "Sunday's report holds it");
    let monday = api.outcomes(CLI, "2026-11-09", "2026-11-09").unwrap();
    assert_eq!(monday.total.encounters, 0, "Monday's does not");

    let queue = |day: &str| -> Vec<i64> {
        api.review_queue(CLI, Some(day), Some(day), None)
            .unwrap()
            .items
            .iter()
            .map(|i| i.encounter_id)
            .collect()
    };
    assert_eq!(
        queue("2026-11-08"),
        vec![id],
        "Sunday's queue range holds it"
    );
    assert!(queue("2026-11-09").is_empty(), "Monday's does not");
}
