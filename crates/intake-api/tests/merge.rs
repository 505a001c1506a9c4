//! Two charts of one person: an administrator merges the demo register's typo duplicate
//! "Kowalksi, Lukasz" into Łukasz Kowalski's chart. The survivor shows the visits and
//! MRNs of both, search says where the duplicate leads, carry-forward reads both, signed
//! visits keep verifying, and the merge can be undone that day only.

use std::sync::Arc;

use chrono::{Duration, TimeZone, Utc};
use intake_api::wire::{AuditFilterDto, ChangeDto, PatientDto};
use intake_api::{Api, ApiError, Caller, ErrorCode, ManualClock};
use serde_json::{json, Value};

const CLI: Caller<'static> = Caller::Cli("tester");

struct Setup {
    api: Api,
    clock: Arc<ManualClock>,
    admin: String,
    nurse: String,
    lukasz: PatientDto,
    typo: PatientDto,
}

fn setup() -> Setup {
    let clock = Arc::new(ManualClock::new(
        Utc.with_ymd_and_hms(2026, 10, 2, 9, 0, 0).unwrap(),
    ));
    let api = Api::for_tests(clock.clone()).unwrap();
    intake_demo::seed_demo(&api, CLI).unwrap();
    let admin = api.sign_in("admin", "demo").unwrap().token;
    let nurse = api.sign_in("nurse", "demo").unwrap().token;
    let find = |typed: &str, family: &str| {
        let found = api.search_patients(CLI, typed).unwrap().patients;
        let hit = found
            .iter()
            .find(|p| p.family == family)
            .unwrap_or_else(|| panic!("{typed:?} finds {family}: {found:?}"));
        api.get_patient(CLI, hit.id).unwrap()
    };
    let lukasz = find("Kowalski 02.11.1975", "Kowalski");
    let typo = find("Kowalksi 02.11.1975", "Kowalksi");
    Setup {
        api,
        clock,
        admin,
        nurse,
        lukasz,
        typo,
    }
}

fn change(key: &str, values: Value) -> ChangeDto {
    serde_json::from_value(json!({ "key": key, "values": values, "baseRev": 0 })).unwrap()
}

/// A visit on the duplicate chart: one allergy (latex), submitted by the nurse.
fn visit_on_the_duplicate(s: &Setup) -> i64 {
    let nurse = Caller::Session(&s.nurse);
    let e = s.api.start_intake(nurse, s.typo.id, None, None).unwrap();
    let changes = [
        change("visit/reason", json!([{ "valueString": "Rash" }])),
        change("allergies/any-allergies", json!([{ "valueBoolean": true }])),
        change(
            "medications/any-medications",
            json!([{ "valueBoolean": false }]),
        ),
        change("allergies/allergy[1]", json!([])),
        change(
            "allergies/allergy[1]/allergy-substance",
            json!([{ "valueString": "Latex" }]),
        ),
    ];
    s.api.save_intake(nurse, e.id, &changes, None).unwrap();
    let done = s.api.submit_intake(nurse, e.id).unwrap();
    assert!(
        done.submitted,
        "the duplicate's visit submits: {:?}",
        done.problems
    );
    e.id
}

fn merge(s: &Setup, reason: &str) -> Result<PatientDto, ApiError> {
    s.api.merge_patients(CLI, s.lukasz.id, s.typo.id, reason)
}

fn merge_entries(s: &Setup) -> Vec<intake_api::wire::AuditEntryDto> {
    let filter = AuditFilterDto {
        action_prefix: Some("patient.merge".into()),
        ..Default::default()
    };
    s.api.list_audit(CLI, &filter).unwrap()
}

fn visit_ids(s: &Setup, patient: i64) -> Vec<i64> {
    let mut ids: Vec<i64> = s
        .api
        .list_encounters(CLI, Some(patient), None)
        .unwrap()
        .iter()
        .map(|e| e.id)
        .collect();
    ids.sort();
    ids
}

#[test]
fn the_surviving_chart_shows_the_visits_and_mrns_of_both() {
    let s = setup();
    let duplicate_visit = visit_on_the_duplicate(&s);
    let own = visit_ids(&s, s.lukasz.id);
    assert!(!own.is_empty(), "Łukasz has his demo visits");

    let survivor = merge(&s, "Same person: typo at registration").unwrap();
    assert_eq!(
        survivor.identifiers,
        vec![s.lukasz.mrn.clone(), s.typo.mrn.clone()],
        "the survivor answers to both MRNs, its own first"
    );
    assert_eq!(
        survivor
            .merged_from
            .iter()
            .map(|m| m.patient.id)
            .collect::<Vec<_>>(),
        vec![s.typo.id],
        "the survivor lists the chart merged into it"
    );
    let mut both = own.clone();
    both.push(duplicate_visit);
    both.sort();
    assert_eq!(
        visit_ids(&s, s.lukasz.id),
        both,
        "the survivor's visits are his own and the duplicate's"
    );
    let shown = s
        .api
        .get_patient(Caller::Session(&s.admin), s.lukasz.id)
        .unwrap();
    assert_eq!(
        (
            shown.identifiers.len(),
            shown.merged_from.len(),
            shown.may.merge
        ),
        (2, 1, false),
        "opened again: both MRNs, the link, and no second merge offered"
    );

    let merged = s
        .api
        .get_patient(Caller::Session(&s.admin), s.typo.id)
        .unwrap();
    let link = merged
        .merged_into
        .expect("the duplicate is marked merged into Łukasz");
    assert_eq!(
        (
            link.patient.id,
            link.patient.mrn.as_str(),
            link.reason.as_str()
        ),
        (
            s.lukasz.id,
            s.lukasz.mrn.as_str(),
            "Same person: typo at registration"
        ),
        "the notice names the survivor and the reason"
    );
    assert!(link.may_undo, "the admin may undo it today");
    assert!(
        !merged.may.start_intake,
        "no intake is offered on the merged chart"
    );
    let nurse = Caller::Session(&s.nurse);
    let refused = s
        .api
        .start_intake(nurse, s.typo.id, None, None)
        .unwrap_err();
    assert_eq!(refused.code(), ErrorCode::Conflict, "{refused}");
    assert!(
        refused.to_string().contains(&s.lukasz.mrn),
        "the refusal leads to the survivor: {refused}"
    );
}

#[test]
fn search_still_finds_the_merged_chart_and_says_where_it_leads() {
    let s = setup();
    merge(&s, "Same person").unwrap();
    let found = s
        .api
        .search_patients(CLI, "Lukasz 02.11.1975")
        .unwrap()
        .patients;
    let typo = found
        .iter()
        .find(|p| p.id == s.typo.id)
        .expect("the merged chart is still found");
    let expected = format!("Kowalski, Łukasz ({})", s.lukasz.mrn);
    assert_eq!(
        (typo.merged_into.as_deref(), typo.merged_into_id),
        (Some(expected.as_str()), Some(s.lukasz.id)),
        "the result says it is merged into Łukasz and where to go"
    );
    let lukasz = found.iter().find(|p| p.id == s.lukasz.id);
    assert_eq!(
        lukasz.map(|p| p.merged_into.clone()),
        Some(None),
        "the survivor is not marked merged"
    );
}

#[test]
fn the_next_intake_on_the_survivor_carries_the_duplicates_allergy() {
    let s = setup();
    let duplicate_visit = visit_on_the_duplicate(&s);
    merge(&s, "Same person").unwrap();
    s.clock.advance(Duration::hours(2));
    let nurse = s.api.sign_in("nurse", "demo").unwrap().token;
    let nurse = Caller::Session(&nurse);
    let next = s.api.start_intake(nurse, s.lukasz.id, None, None).unwrap();
    let intake = s.api.open_intake(nurse, next.id).unwrap();
    let latex = intake
        .answers
        .iter()
        .find(|a| a.key == "allergies/allergy[1]/allergy-substance")
        .expect("an allergy is carried");
    assert_eq!(
        (latex.values[0].clone(), latex.source.as_str()),
        (json!({ "valueString": "Latex" }), "carried"),
        "the duplicate chart's allergy arrives on the survivor's intake"
    );
    let row = intake
        .answers
        .iter()
        .find(|a| a.key == "allergies/allergy[1]")
        .and_then(|a| a.carried.as_ref())
        .expect("the allergy row says where it came from");
    assert_eq!(
        row.encounter, duplicate_visit,
        "carried from the visit of the merged chart"
    );
}

#[test]
fn refusals_write_nothing() {
    let s = setup();
    let admin = Caller::Session(&s.admin);
    let nurse = Caller::Session(&s.nurse);
    let before = merge_entries(&s).len();
    let cases: Vec<(&str, Result<PatientDto, ApiError>, ErrorCode)> = vec![
        (
            "into itself",
            s.api.merge_patients(admin, s.lukasz.id, s.lukasz.id, "x"),
            ErrorCode::Validation,
        ),
        ("an empty reason", merge(&s, "   "), ErrorCode::Validation),
        (
            "an unknown id",
            s.api
                .merge_patients(admin, s.lukasz.id, 999_999, "Same person"),
            ErrorCode::NotFound,
        ),
        (
            "a nurse",
            s.api
                .merge_patients(nurse, s.lukasz.id, s.typo.id, "Same person"),
            ErrorCode::Forbidden,
        ),
    ];
    for (what, result, code) in cases {
        let err = result.expect_err(what);
        assert_eq!(err.code(), code, "{what}: {err}");
    }
    assert_eq!(merge_entries(&s).len(), before, "nothing was merged");

    merge(&s, "Same person").unwrap();
    let other = s
        .api
        .search_patients(CLI, "Smith Jon")
        .unwrap()
        .patients
        .into_iter()
        .find(|p| p.given == "Jon")
        .expect("another patient");
    let after = merge_entries(&s).len();
    let again = merge(&s, "Same person").unwrap_err();
    assert_eq!(again.code(), ErrorCode::Conflict, "{again}");
    assert!(again.to_string().contains("already merged"), "{again}");
    let into_merged = s
        .api
        .merge_patients(admin, s.typo.id, other.id, "Same person")
        .unwrap_err();
    assert_eq!(into_merged.code(), ErrorCode::Conflict, "{into_merged}");
    assert!(
        into_merged.to_string().contains("itself merged"),
        "into a merged chart: {into_merged}"
    );
    assert_eq!(
        merge_entries(&s).len(),
        after,
        "the refused merges wrote nothing"
    );
    let jon = s.api.get_patient(admin, other.id).unwrap();
    assert!(jon.merged_into.is_none(), "the other chart is untouched");
}

#[test]
fn a_merge_is_audited_naming_both_charts() {
    let s = setup();
    merge(&s, "Same person").unwrap();
    let entries = merge_entries(&s);
    let mut charts: Vec<Option<i64>> = entries.iter().map(|e| e.patient_id).collect();
    charts.sort();
    let mut expected = vec![Some(s.lukasz.id), Some(s.typo.id)];
    expected.sort();
    assert_eq!(charts, expected, "one entry on each chart");
    for e in &entries {
        assert_eq!(e.action, "patient.merged");
        assert_eq!(
            (
                e.detail["survivor"]["mrn"].as_str(),
                e.detail["merged"]["mrn"].as_str(),
                e.detail["reason"].as_str()
            ),
            (
                Some(s.lukasz.mrn.as_str()),
                Some(s.typo.mrn.as_str()),
                Some("Same person")
            ),
            "each entry names both charts and the reason"
        );
    }
}

#[test]
fn undo_the_same_day_restores_both_charts_and_is_refused_the_next_day() {
    let s = setup();
    let duplicate_visit = visit_on_the_duplicate(&s);
    let own = visit_ids(&s, s.lukasz.id);
    merge(&s, "Same person").unwrap();
    s.clock.advance(Duration::hours(3));
    let admin = s.api.sign_in("admin", "demo").unwrap().token;
    let admin = Caller::Session(&admin);
    let nurse = s.api.sign_in("nurse", "demo").unwrap().token;
    let refused = s
        .api
        .unmerge_patient(Caller::Session(&nurse), s.typo.id)
        .unwrap_err();
    assert_eq!(
        refused.code(),
        ErrorCode::Forbidden,
        "only an admin undoes: {refused}"
    );

    let typo = s.api.unmerge_patient(admin, s.typo.id).unwrap();
    assert!(
        typo.merged_into.is_none(),
        "the duplicate stands alone again"
    );
    assert!(typo.may.merge, "and may be merged again");
    assert_eq!(
        visit_ids(&s, s.lukasz.id),
        own,
        "Łukasz lists his own visits only"
    );
    assert_eq!(
        visit_ids(&s, s.typo.id),
        vec![duplicate_visit],
        "the duplicate keeps its visit"
    );
    let lukasz = s.api.get_patient(admin, s.lukasz.id).unwrap();
    assert_eq!(
        (lukasz.identifiers, lukasz.merged_from.len()),
        (vec![s.lukasz.mrn.clone()], 0),
        "Łukasz answers to his own MRN only"
    );
    let actions: Vec<String> = merge_entries(&s).into_iter().map(|e| e.action).collect();
    assert_eq!(
        actions
            .iter()
            .filter(|a| *a == "patient.merge_undone")
            .count(),
        2,
        "the undo is audited on both charts: {actions:?}"
    );
    let again = s.api.unmerge_patient(admin, s.typo.id).unwrap_err();
    assert_eq!(
        again.code(),
        ErrorCode::Conflict,
        "nothing left to undo: {again}"
    );

    // Merged again, then the day ends: the undo is refused with a clear message.
    merge(&s, "Same person, really").unwrap();
    s.clock.advance(Duration::days(1));
    let admin = s.api.sign_in("admin", "demo").unwrap().token;
    let admin = Caller::Session(&admin);
    let late = s.api.unmerge_patient(admin, s.typo.id).unwrap_err();
    assert_eq!(late.code(), ErrorCode::Conflict, "{late}");
    assert!(
        late.to_string().contains("only on the day it was made"),
        "the refusal says why: {late}"
    );
    let still = s.api.get_patient(admin, s.typo.id).unwrap();
    let link = still.merged_into.expect("still merged");
    assert!(!link.may_undo, "no undo is offered the next day");
}

#[test]
fn signed_visits_keep_verifying_after_a_merge_and_its_undo() {
    let s = setup();
    let before = s.api.verify_records(CLI).unwrap();
    assert!(before.checked > 0, "the demo register has signed visits");
    assert!(before.mismatch.is_none(), "{:?}", before.mismatch);
    merge(&s, "Same person").unwrap();
    let after = s.api.verify_records(CLI).unwrap();
    assert_eq!(
        (after.checked, after.mismatch.is_none()),
        (before.checked, true),
        "every signed visit still verifies after the merge: {:?}",
        after.mismatch
    );
    s.api
        .unmerge_patient(Caller::Session(&s.admin), s.typo.id)
        .unwrap();
    let undone = s.api.verify_records(CLI).unwrap();
    assert_eq!(
        (undone.checked, undone.mismatch.is_none()),
        (before.checked, true),
        "and after its undo"
    );
    assert!(
        s.api.verify_audit(CLI).unwrap().intact,
        "the audit chain verifies"
    );
}

#[test]
fn after_a_merge_the_survivors_search_result_shows_the_newest_visit_of_both_charts() {
    let s = setup();
    s.clock.advance(Duration::minutes(1));
    visit_on_the_duplicate(&s);
    let last_of = |id: i64| {
        s.api
            .search_patients(CLI, "Kowalski 02.11.1975")
            .unwrap()
            .patients
            .into_iter()
            .chain(
                s.api
                    .search_patients(CLI, "Kowalksi 02.11.1975")
                    .unwrap()
                    .patients,
            )
            .find(|p| p.id == id)
            .and_then(|p| p.last_visit)
            .map(|v| (v.at, v.status))
    };
    let duplicates = last_of(s.typo.id).expect("the duplicate's own visit");
    assert_eq!(duplicates.1, "submitted", "{duplicates:?}");
    assert_ne!(
        last_of(s.lukasz.id),
        Some(duplicates.clone()),
        "before the merge Łukasz's result shows only his own visits"
    );
    merge(&s, "Same person").unwrap();
    assert_eq!(
        last_of(s.lukasz.id),
        Some(duplicates.clone()),
        "the survivor shows the newer visit, made on the merged chart"
    );
    assert_eq!(
        last_of(s.typo.id),
        Some(duplicates),
        "the merged chart still shows its own"
    );
}
