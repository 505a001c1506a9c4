//! `seed_demo` gives demo patients earlier visits: Łukasz Kowalski's fixed history, a
//! repeat visit for him that starts from it, none for Zoë, and nothing more on a second
//! run. The demo physician signed most of them, amended two and left the newest few in
//! the review queue. One seeded register is shared by the tests (seeding takes a while).

use std::collections::BTreeSet;
use std::sync::{Arc, OnceLock};

use chrono::{DateTime, Duration, TimeZone, Utc};
use intake_api::wire::AuditFilterDto;
use intake_api::wire::EncounterDetailDto;
use intake_api::wire::EncounterDto;
use intake_api::wire::{PlanDto, PlanEntryDto};
use intake_api::{Api, Caller, ManualClock};
use intake_demo::visits::{
    DEMO_AMENDMENT_REASONS, DEMO_NURSE, DEMO_PHYSICIAN, LUKASZ_ALLERGY, LUKASZ_CONDITION,
    LUKASZ_CONDITION_SINCE, LUKASZ_FAMILY, LUKASZ_GIVEN, LUKASZ_INSURER, LUKASZ_LISINOPRIL,
    LUKASZ_MEDICATIONS, LUKASZ_OCCUPATION, LUKASZ_POLICY_NUMBER, LUKASZ_REASONS,
    LUKASZ_VISITS_DAYS_AGO, LUKASZ_WEIGHTS_KG,
};
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
        let seeded = intake_demo::seed_demo(&api, CLI).unwrap();
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
        limit: Some(10_000),
        ..Default::default()
    }
}

fn entry<'a>(plan: &'a PlanDto, key: &str) -> &'a PlanEntryDto {
    plan.entries
        .iter()
        .find(|e| e.key == key)
        .unwrap_or_else(|| panic!("{key} in the plan"))
}

fn answer<'a>(detail: &'a EncounterDetailDto, key: &str) -> &'a intake_api::wire::AnswerDto {
    detail
        .answers
        .iter()
        .find(|a| a.key == key)
        .unwrap_or_else(|| panic!("{key} in intake {}", detail.encounter.id))
}

#[test]
fn lukasz_has_three_signed_intakes_with_his_documented_history() {
    let api = api();
    let lukasz = patient(api, LUKASZ_GIVEN, LUKASZ_FAMILY);
    let mut list = api.list_encounters(CLI, Some(lukasz), None).unwrap();
    list.reverse(); // oldest first
    assert_eq!(list.len(), 3, "three earlier visits");
    for (e, days) in list.iter().zip(LUKASZ_VISITS_DAYS_AGO) {
        assert_eq!(e.status, "signed", "signed as entered");
        assert_eq!(e.signed_by.as_deref(), Some(DEMO_PHYSICIAN));
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
            answer(v, "vitals/weight").values[0]["valueDecimal"],
            LUKASZ_WEIGHTS_KG[i]
        );
        assert_eq!(
            answer(v, "vitals/weight").source,
            "typed",
            "vitals typed every visit"
        );
        assert_eq!(
            answer(v, "visit/reason").values[0]["valueString"],
            LUKASZ_REASONS[i]
        );
        assert_eq!(answer(v, "vitals/bmi").source, "calculated");
        assert_eq!(answer(v, "visit/patient-sex").source, "record");
        assert_eq!(
            answer(v, "visit/patient-sex").values[0]["valueCoding"]["code"],
            "male"
        );
    }
    // The first visit is typed; later ones carry, confirmed, from the one before.
    let first = &visits[0];
    assert!(first.answers.iter().all(|a| a.carried.is_none()));
    assert_eq!(
        answer(first, "allergies/allergy[1]/allergy-substance").source,
        "typed"
    );
    assert!(
        !first
            .answers
            .iter()
            .any(|a| a.key.ends_with("medications/medication/med-name")
                && a.values[0]["valueString"] == LUKASZ_LISINOPRIL.name),
        "Lisinopril was started after the first visit"
    );
    let second = &visits[1];
    let metformin = answer(second, "medications/medication[1]/med-name");
    assert_eq!(
        metformin.values[0]["valueString"],
        LUKASZ_MEDICATIONS[0].name
    );
    assert_eq!(metformin.source, "carried");
    let from = metformin.carried.as_ref().expect("provenance");
    assert_eq!(from.encounter, first.encounter.id);
    assert_eq!(from.entered_by, DEMO_NURSE);
    let row = answer(second, "medications/medication[1]");
    assert!(row.needs_confirmation && row.confirmed_by.as_deref() == Some(DEMO_NURSE));
    let lisinopril = answer(second, "medications/medication[2]/med-name");
    assert_eq!(lisinopril.values[0]["valueString"], LUKASZ_LISINOPRIL.name);
    assert_eq!(lisinopril.source, "typed", "started at the second visit");
    assert!(
        !metformin.needs_confirmation,
        "answers inside a row are confirmed with it"
    );
    let third = &visits[2];
    let occupation = answer(third, "social/occupation");
    assert_eq!(occupation.source, "carried");
    assert_eq!(occupation.confirmed_by.as_deref(), Some(DEMO_NURSE));
    assert_eq!(
        occupation.carried.as_ref().map(|c| c.encounter),
        Some(second.encounter.id)
    );
    assert_eq!(
        answer(third, "history/pmh[1]/pmh-since").values[0]["valueDate"],
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
        let marker = entry(&plan, &format!("medications/medication[{row}]"));
        assert_eq!(marker.source, Some("carried"));
        assert!(marker.needs_confirmation, "row {row} to confirm");
        assert_eq!(marker.source_encounter, Some(latest));
        let name = entry(&plan, &format!("medications/medication[{row}]/med-name"));
        assert_eq!(name.value, Some(json!({ "valueString": m.name })));
        assert_eq!(name.source, Some("carried"));
        let dose = entry(&plan, &format!("medications/medication[{row}]/med-dose"));
        assert_eq!(dose.value, Some(json!({ "valueDecimal": m.dose })));
    }
    assert!(
        plan.entries
            .iter()
            .all(|e| e.key != "medications/medication[3]"),
        "two medicines"
    );
    let allergy = entry(&plan, "allergies/allergy[1]");
    assert!(allergy.needs_confirmation && allergy.source == Some("carried"));
    assert_eq!(
        entry(&plan, "allergies/allergy[1]/allergy-substance").value,
        Some(json!({ "valueString": LUKASZ_ALLERGY.substance }))
    );
    assert_eq!(
        entry(&plan, "allergies/allergy[1]/allergy-severity")
            .value
            .as_ref()
            .map(|v| &v["valueCoding"]["code"]),
        Some(&json!(LUKASZ_ALLERGY.severity))
    );
    // His visits are on version 1 of the form, the plan on version 2: "No known
    // allergies: no" is carried as "Any known allergies? yes", from his latest visit.
    let any = entry(&plan, "allergies/any-allergies");
    assert_eq!(
        (any.value.clone(), any.source_encounter),
        (Some(json!({ "valueBoolean": true })), Some(latest)),
        "the inverted allergy answer, from his latest visit"
    );
    let occupation = entry(&plan, "social/occupation");
    assert_eq!(
        occupation.value,
        Some(json!({ "valueString": LUKASZ_OCCUPATION }))
    );
    assert!(occupation.needs_confirmation && occupation.source == Some("carried"));
    assert_eq!(
        entry(&plan, "history/pmh[1]/pmh-condition").value,
        Some(json!({ "valueString": LUKASZ_CONDITION }))
    );
    let insurer = entry(&plan, "insurance/insurer");
    assert_eq!(
        insurer.value,
        Some(json!({ "valueString": LUKASZ_INSURER }))
    );
    assert!(!insurer.needs_confirmation, "insurance carries as accepted");
    assert_eq!(
        entry(&plan, "insurance/policy-number").value,
        Some(json!({ "valueString": LUKASZ_POLICY_NUMBER }))
    );
    let weight = entry(&plan, "vitals/weight");
    assert!(weight.value.is_none(), "vitals are never carried");
    // Hints write the visit's day in the clinic's zone and order (day first by default).
    let date = intake_core::search::DateOrder::default()
        .write(intake_api::ClinicZone::workstation().day_of(now() - Duration::days(62)));
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
        assert!(["submitted", "signed", "amended"].contains(&e.status.as_str()));
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
    let again = intake_demo::seed_demo(api, CLI).unwrap();
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

/// Seconds from one stored time to another.
fn seconds(from: &str, to: &str) -> i64 {
    let at = |s: &str| intake_store::parse_time(s).unwrap();
    (at(to) - at(from)).num_seconds()
}

/// The answer with `key` in a list of answers, as a number.
fn number(answers: &[intake_api::wire::AnswerDto], key: &str) -> f64 {
    let a = answers
        .iter()
        .find(|a| a.key == key)
        .unwrap_or_else(|| panic!("{key}"));
    let v = &a.values[0];
    v["valueDecimal"]
        .as_f64()
        .or(v["valueInteger"].as_f64())
        .unwrap_or_else(|| panic!("{key}: {v}"))
}

fn author<'a>(answers: &'a [intake_api::wire::AnswerDto], key: &str) -> &'a str {
    &answers.iter().find(|a| a.key == key).unwrap().author
}

#[test]
fn the_physician_signed_most_visits_amended_two_and_left_the_newest_waiting() {
    let api = api();
    let token = api.sign_in(DEMO_PHYSICIAN, "demo").unwrap().token;
    let physician = Caller::Session(&token);
    let all = api.list_encounters(CLI, None, None).unwrap();
    let with = |status: &str| -> Vec<&EncounterDto> {
        all.iter().filter(|e| e.status == status).collect()
    };
    let (waiting, signed, amended) = (with("submitted"), with("signed"), with("amended"));
    assert_eq!(
        waiting.len() + signed.len() + amended.len(),
        all.len(),
        "no drafts, nothing entered in error"
    );
    assert!((3..=6).contains(&waiting.len()), "{} wait", waiting.len());
    assert!(
        (1..=2).contains(&amended.len()),
        "{} amended",
        amended.len()
    );
    assert!(
        (signed.len() + amended.len()) * 10 >= all.len() * 9,
        "most are signed"
    );

    // The queue holds exactly the waiting ones, and they are the newest visits.
    let queue = api.review_queue(physician, None, None, None).unwrap();
    let queued: BTreeSet<i64> = queue.items.iter().map(|i| i.encounter_id).collect();
    let ids = |list: &[&EncounterDto]| list.iter().map(|e| e.id).collect::<BTreeSet<i64>>();
    assert_eq!(queued, ids(&waiting));
    assert_eq!(api.review_count(physician).unwrap(), waiting.len() as i64);
    let oldest_waiting = waiting.iter().map(|e| &e.started_at).min().unwrap();
    assert!(
        signed
            .iter()
            .chain(&amended)
            .all(|e| e.started_at < *oldest_waiting),
        "the newest visits wait"
    );
    for e in &waiting {
        assert_eq!((e.signed_by.as_ref(), e.signed_at.as_ref()), (None, None));
        assert!(e.amended.is_none() && e.amending.is_none());
        let review = api.open_review(physician, e.id).unwrap();
        assert!(review.versions.is_empty() && review.events.is_empty());
        assert!(review.may.sign && review.may.return_to_nurse && !review.may.amend);
    }

    // Signed by the physician some minutes to hours after submission (an amendment a
    // day or two later), before now; the record is exactly the one signed last.
    let now = intake_store::format_time(now());
    for e in signed.iter().chain(&amended) {
        assert_eq!(e.signed_by.as_deref(), Some(DEMO_PHYSICIAN));
        let (submitted, at) = (
            e.submitted_at.as_deref().unwrap(),
            e.signed_at.as_deref().unwrap(),
        );
        assert!(at < now.as_str(), "{at} is in the past");
        let after = seconds(submitted, at);
        if e.status == "signed" {
            assert!(
                (15 * 60..=4 * 3600).contains(&after),
                "signed {after} s after"
            );
            assert!(e.amended.is_none());
        } else {
            assert!(
                (86_400..=4 * 86_400).contains(&after),
                "amended {after} s after"
            );
        }
        assert!(e.read_only && e.amending.is_none());
    }
    for e in signed.iter().step_by(10).chain(&amended) {
        let review = api.open_review(physician, e.id).unwrap();
        let last = review.versions.last().expect("a signed version");
        assert_eq!(
            last.record_hash, review.record_hash,
            "unchanged since signed"
        );
        assert_eq!(
            (last.by.as_str(), &last.at),
            (DEMO_PHYSICIAN, e.signed_at.as_ref().unwrap())
        );
        assert!(!review.may.sign && review.may.amend && !review.may.edit);
        let kinds: Vec<&str> = review.events.iter().map(|v| v.kind.as_str()).collect();
        if e.status == "signed" {
            assert_eq!(kinds, ["signed"]);
        } else {
            assert_eq!(kinds, ["signed", "amendment_started", "amended"]);
        }
    }

    // Each amendment: its reason, both versions kept, the answer corrected in the second.
    let mut reasons = Vec::new();
    for e in &amended {
        let shown = e.amended.as_ref().expect("Amended on … by …: reason");
        assert_eq!(shown.by, DEMO_PHYSICIAN);
        reasons.push(shown.reason.clone());
        let review = api.open_review(physician, e.id).unwrap();
        let kinds: Vec<&str> = review.versions.iter().map(|v| v.kind.as_str()).collect();
        assert_eq!(kinds, ["signed", "amended"]);
        assert_eq!(review.versions[1].reason.as_ref(), Some(&shown.reason));
        assert!(review.versions[0].at < review.versions[1].at);
        assert_ne!(
            review.versions[0].record_hash,
            review.versions[1].record_hash
        );
        let before = api.record_version(physician, e.id, 1).unwrap().answers;
        let after = api.record_version(physician, e.id, 2).unwrap().answers;
        if shown.reason == DEMO_AMENDMENT_REASONS[0] {
            let (lb, kg) = (
                number(&before, "vitals/weight"),
                number(&after, "vitals/weight"),
            );
            assert!((lb / kg - 2.2046).abs() < 0.01, "{lb} lb, {kg} kg");
            assert_eq!(author(&before, "vitals/weight"), DEMO_NURSE);
            assert_eq!(author(&after, "vitals/weight"), DEMO_PHYSICIAN);
            let (bmi_lb, bmi_kg) = (number(&before, "vitals/bmi"), number(&after, "vitals/bmi"));
            assert!(
                bmi_kg < bmi_lb && (bmi_lb / bmi_kg - 2.2046).abs() < 0.05,
                "BMI recomputed"
            );
        } else {
            assert_eq!(shown.reason, DEMO_AMENDMENT_REASONS[1]);
            assert_eq!(
                number(&before, "vitals/systolic"),
                number(&after, "vitals/diastolic")
            );
            assert_eq!(
                number(&before, "vitals/diastolic"),
                number(&after, "vitals/systolic")
            );
            assert!(number(&after, "vitals/systolic") > number(&after, "vitals/diastolic"));
        }
        assert_eq!(
            review
                .answers
                .iter()
                .map(|a| (&a.key, &a.values))
                .collect::<Vec<_>>(),
            after
                .iter()
                .map(|a| (&a.key, &a.values))
                .collect::<Vec<_>>(),
            "the record is the amended version"
        );
    }
    reasons.sort();
    let mut expected = DEMO_AMENDMENT_REASONS[..amended.len()].to_vec();
    expected.sort();
    assert_eq!(reasons, expected);

    // One summary in the audit log, and each signature audited as the review screen
    // audits it (so `intake verify` finds it), by the demo physician.
    let entries = api.list_audit(CLI, &encounter_entries()).unwrap();
    let seeded = entries
        .iter()
        .find(|e| e.action == "encounter.demo_seeded")
        .expect("the summary");
    assert_eq!(seeded.detail["signed"], json!(signed.len() + amended.len()));
    assert_eq!(seeded.detail["amended"], json!(amended.len()));
    assert_eq!(seeded.detail["waiting"], json!(waiting.len()));
    let count = |action: &str| {
        entries
            .iter()
            .filter(|e| e.action == action && e.actor == DEMO_PHYSICIAN)
            .count()
    };
    assert_eq!(count("encounter.signed"), signed.len() + amended.len());
    assert_eq!(count("encounter.amended"), amended.len());
    assert!(!entries
        .iter()
        .any(|e| e.action.starts_with("encounter.") && e.action.ends_with("saved")));
}

#[test]
fn records_hold_the_emergency_contact_their_visits_carry() {
    let api = api();
    let id = patient(api, "Łukasz", "Kowalski");
    let record = api.get_patient(Caller::Cli("test"), id).unwrap();
    let visits = api
        .list_encounters(Caller::Cli("test"), Some(id), Some("signed"))
        .unwrap();
    let newest = api
        .encounter_detail(Caller::Cli("test"), visits[0].id)
        .unwrap();
    let carried = |link: &str| {
        answer(&newest, &format!("emergency-contact/{link}")).values[0]["valueString"]
            .as_str()
            .unwrap_or_default()
            .to_string()
    };
    assert!(
        !record.emergency_name.is_empty(),
        "the record has a contact"
    );
    assert_eq!(
        (
            record.emergency_name.clone(),
            record.emergency_relationship.clone(),
            record.emergency_phone.clone()
        ),
        (
            carried("ec-name"),
            carried("ec-relationship"),
            carried("ec-phone")
        ),
        "Łukasz's record holds the contact his visits carry"
    );
}
