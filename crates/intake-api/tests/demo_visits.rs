//! `seed_demo` gives demo patients earlier visits: Łukasz Kowalski's fixed history, a
//! repeat visit for him that starts from it, none for Zoë, and nothing more on a second
//! run. One seeded register is shared by the tests (seeding takes a while).

use std::sync::{Arc, OnceLock};

use chrono::{DateTime, Duration, TimeZone, Utc};
use intake_api::carry::{PlanDto, PlanEntryDto};
use intake_api::demo_visits::{
    DEMO_NURSE, LUKASZ_ALLERGY, LUKASZ_CONDITION, LUKASZ_CONDITION_SINCE, LUKASZ_FAMILY,
    LUKASZ_GIVEN, LUKASZ_INSURER, LUKASZ_LISINOPRIL, LUKASZ_MEDICATIONS, LUKASZ_OCCUPATION,
    LUKASZ_POLICY_NUMBER, LUKASZ_REASONS, LUKASZ_VISITS_DAYS_AGO, LUKASZ_WEIGHTS_KG,
};
use intake_api::dto::AuditFilterDto;
use intake_api::encounters::EncounterDetailDto;
use intake_api::{Api, Caller, ManualClock};
use serde_json::{json, Value};

const CLI: Caller<'static> = Caller::Cli("tester");

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 23, 9, 0, 0).unwrap()
}

/// The demo register, seeded once for all tests here.
fn api() -> &'static Api {
    static API: OnceLock<Api> = OnceLock::new();
    API.get_or_init(|| {
        let api = Api::in_memory(Arc::new(ManualClock::new(now()))).unwrap();
        let seeded = api.seed_demo(CLI).unwrap();
        assert_eq!(seeded.patients, 200);
        api
    })
}

/// The id of the demo patient with exactly this name.
fn patient(api: &Api, given: &str, family: &str) -> i64 {
    let found = api
        .search_patients(CLI, &format!("{given} {family}"))
        .unwrap();
    found
        .patients
        .iter()
        .find(|p| p.given == given && p.family == family)
        .unwrap_or_else(|| panic!("{given} {family} among the demo patients"))
        .id
}

/// The audit filter for encounter entries.
fn encounter_entries() -> AuditFilterDto {
    AuditFilterDto {
        action_prefix: Some("encounter.".into()),
        ..Default::default()
    }
}

fn entry<'a>(plan: &'a PlanDto, key: &str) -> &'a PlanEntryDto {
    plan.entries
        .iter()
        .find(|e| e.key == key)
        .unwrap_or_else(|| panic!("{key} in the plan"))
}

fn answer<'a>(
    detail: &'a EncounterDetailDto,
    key: &str,
) -> &'a intake_api::encounters_dto::AnswerDto {
    detail
        .answers
        .iter()
        .find(|a| a.key == key)
        .unwrap_or_else(|| panic!("{key} in intake {}", detail.encounter.id))
}

#[test]
fn lukasz_has_three_submitted_intakes_with_his_documented_history() {
    let api = api();
    let lukasz = patient(api, LUKASZ_GIVEN, LUKASZ_FAMILY);
    let mut list = api.list_encounters(CLI, Some(lukasz), None).unwrap();
    list.reverse(); // oldest first
    assert_eq!(list.len(), 3, "three earlier visits");
    for (e, days) in list.iter().zip(LUKASZ_VISITS_DAYS_AGO) {
        assert_eq!(e.status, "submitted");
        assert_eq!(e.started_by, DEMO_NURSE);
        let day = (now() - Duration::days(days)).date_naive().to_string();
        assert!(e.started_at.starts_with(&day), "{} on {day}", e.started_at);
    }
    let visits: Vec<EncounterDetailDto> = list
        .iter()
        .map(|e| api.encounter_detail(CLI, e.id).unwrap())
        .collect();
    for (i, v) in visits.iter().enumerate() {
        assert_eq!(
            answer(v, ":weight").values[0]["valueDecimal"],
            LUKASZ_WEIGHTS_KG[i]
        );
        assert_eq!(
            answer(v, ":weight").source,
            "typed",
            "vitals typed every visit"
        );
        assert_eq!(
            answer(v, ":reason").values[0]["valueString"],
            LUKASZ_REASONS[i]
        );
        assert_eq!(answer(v, ":bmi").source, "calculated");
        assert_eq!(answer(v, ":patient-sex").source, "record");
        assert_eq!(
            answer(v, ":patient-sex").values[0]["valueCoding"]["code"],
            "male"
        );
    }
    // The first visit is typed; later ones carry, confirmed, from the one before.
    let first = &visits[0];
    assert!(first.answers.iter().all(|a| a.carried.is_none()));
    assert_eq!(answer(first, "1:allergy-substance").source, "typed");
    assert!(
        !first.answers.iter().any(|a| a.key.ends_with(":med-name")
            && a.values[0]["valueString"] == LUKASZ_LISINOPRIL.name),
        "Lisinopril was started after the first visit"
    );
    let second = &visits[1];
    let metformin = answer(second, "1:med-name");
    assert_eq!(
        metformin.values[0]["valueString"],
        LUKASZ_MEDICATIONS[0].name
    );
    assert_eq!(metformin.source, "carried");
    let from = metformin.carried.as_ref().expect("provenance");
    assert_eq!(from.encounter, first.encounter.id);
    assert_eq!(from.entered_by, DEMO_NURSE);
    let row = answer(second, "1:medication");
    assert!(row.needs_confirmation && row.confirmed_by.as_deref() == Some(DEMO_NURSE));
    let lisinopril = answer(second, "2:med-name");
    assert_eq!(lisinopril.values[0]["valueString"], LUKASZ_LISINOPRIL.name);
    assert_eq!(lisinopril.source, "typed", "started at the second visit");
    assert!(
        !metformin.needs_confirmation,
        "answers inside a row are confirmed with it"
    );
    let third = &visits[2];
    let occupation = answer(third, ":occupation");
    assert_eq!(occupation.source, "carried");
    assert_eq!(occupation.confirmed_by.as_deref(), Some(DEMO_NURSE));
    assert_eq!(
        occupation.carried.as_ref().map(|c| c.encounter),
        Some(second.encounter.id)
    );
    assert_eq!(
        answer(third, "1:pmh-since").values[0]["valueDate"],
        LUKASZ_CONDITION_SINCE
    );
}

#[test]
fn a_repeat_visit_for_lukasz_proposes_his_lists_to_confirm_and_hints_at_his_weight() {
    let api = api();
    let lukasz = patient(api, LUKASZ_GIVEN, LUKASZ_FAMILY);
    let latest = api.list_encounters(CLI, Some(lukasz), None).unwrap()[0].id;
    let plan = api.plan_intake(CLI, lukasz, None, None).unwrap();
    for (row, m) in LUKASZ_MEDICATIONS.iter().enumerate() {
        let row = row + 1;
        let marker = entry(&plan, &format!("{row}:medication"));
        assert_eq!(marker.source, Some("carried"));
        assert!(marker.needs_confirmation, "row {row} to confirm");
        assert_eq!(marker.source_encounter, Some(latest));
        let name = entry(&plan, &format!("{row}:med-name"));
        assert_eq!(name.value, Some(json!({ "valueString": m.name })));
        assert_eq!(name.source, Some("carried"));
        let dose = entry(&plan, &format!("{row}:med-dose"));
        assert_eq!(dose.value, Some(json!({ "valueDecimal": m.dose })));
    }
    assert!(
        plan.entries.iter().all(|e| e.key != "3:medication"),
        "two medicines"
    );
    let allergy = entry(&plan, "1:allergy");
    assert!(allergy.needs_confirmation && allergy.source == Some("carried"));
    assert_eq!(
        entry(&plan, "1:allergy-substance").value,
        Some(json!({ "valueString": LUKASZ_ALLERGY.substance }))
    );
    assert_eq!(
        entry(&plan, "1:allergy-severity")
            .value
            .as_ref()
            .map(|v| &v["valueCoding"]["code"]),
        Some(&json!(LUKASZ_ALLERGY.severity))
    );
    assert_eq!(
        entry(&plan, ":nka").value,
        Some(json!({ "valueBoolean": false }))
    );
    let occupation = entry(&plan, ":occupation");
    assert_eq!(
        occupation.value,
        Some(json!({ "valueString": LUKASZ_OCCUPATION }))
    );
    assert!(occupation.needs_confirmation && occupation.source == Some("carried"));
    assert_eq!(
        entry(&plan, "1:pmh-condition").value,
        Some(json!({ "valueString": LUKASZ_CONDITION }))
    );
    let insurer = entry(&plan, ":insurer");
    assert_eq!(
        insurer.value,
        Some(json!({ "valueString": LUKASZ_INSURER }))
    );
    assert!(!insurer.needs_confirmation, "insurance carries as accepted");
    assert_eq!(
        entry(&plan, ":policy-number").value,
        Some(json!({ "valueString": LUKASZ_POLICY_NUMBER }))
    );
    let weight = entry(&plan, ":weight");
    assert!(weight.value.is_none(), "vitals are never carried");
    let date = intake_core::carry_forward::short_date(now() - Duration::days(62));
    assert_eq!(
        weight.hint.as_deref(),
        Some(format!("last weight 89 kg, {date}").as_str())
    );
    assert!(plan.skipped.is_empty(), "{:?}", plan.skipped);
}

#[test]
fn zoe_and_her_namesake_have_no_visits() {
    let api = api();
    for (given, family) in [("Zoë", "Núñez"), ("Zoe", "Nunez")] {
        let id = patient(api, given, family);
        let list = api.list_encounters(CLI, Some(id), None).unwrap();
        assert!(list.is_empty(), "{given} {family}: {list:?}");
        let plan = api.plan_intake(CLI, id, None, None).unwrap();
        assert!(
            plan.entries.iter().all(|e| e.source != Some("carried")),
            "a first intake for {given} starts empty"
        );
    }
}

#[test]
fn many_demo_patients_have_one_to_five_recent_visits() {
    let api = api();
    let all = api.list_encounters(CLI, None, None).unwrap();
    let mut per_patient: std::collections::BTreeMap<i64, Vec<&str>> = Default::default();
    for e in &all {
        assert_eq!(e.status, "submitted");
        assert!(
            e.started_at < intake_store::format_time(now()),
            "in the past"
        );
        per_patient
            .entry(e.patient_id)
            .or_default()
            .push(&e.started_at);
    }
    let patients = per_patient.len();
    assert!(
        (90..=160).contains(&patients),
        "{patients} of 200 patients have visits"
    );
    assert!(per_patient.values().all(|v| (1..=5).contains(&v.len())));
    assert!(
        per_patient.values().any(|v| v.len() == 5) && per_patient.values().any(|v| v.len() == 1)
    );
    let recent_since = intake_store::format_time(now() - Duration::days(180));
    let recent = per_patient
        .values()
        .filter(|v| v.iter().any(|at| **at >= *recent_since))
        .count();
    assert!(
        recent * 10 >= patients * 8,
        "{recent} of {patients} were seen within 180 days"
    );
    let entries = api.list_audit(CLI, &encounter_entries()).unwrap();
    let seeded = entries
        .iter()
        .find(|e| e.action == "encounter.demo_seeded")
        .expect("one summary entry");
    assert_eq!(seeded.detail["encounters"], json!(all.len()));
    assert_eq!(seeded.detail["patients"], json!(patients));
    assert!(
        !entries.iter().any(|e| e.action == "encounter.submitted"),
        "no entry per demo visit"
    );
}

#[test]
fn seeding_again_adds_no_visits() {
    let api = api();
    let before = api.list_encounters(CLI, None, None).unwrap().len();
    let again = api.seed_demo(CLI).unwrap();
    assert_eq!(again.patients, 0);
    assert_eq!(api.list_encounters(CLI, None, None).unwrap().len(), before);
    let entries = api.list_audit(CLI, &encounter_entries()).unwrap();
    let summaries: Vec<&Value> = entries
        .iter()
        .filter(|e| e.action == "encounter.demo_seeded")
        .map(|e| &e.detail)
        .collect();
    assert_eq!(summaries.len(), 1, "{summaries:?}");
}
