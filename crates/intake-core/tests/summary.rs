//! The summary document: snapshots of the built-in form on a realistic repeat visit and
//! of the shared fixture forms, plus the rules a reader of the printed copy relies on.

mod support {
    pub mod fill;
    pub mod repeat_visit;
}

use std::collections::BTreeMap;
use std::path::PathBuf;

use chrono::NaiveDate;
use intake_core::questionnaire::import;
use intake_core::summary::{build, Answer, Block, Origin, SignatureLine, SummaryInput};
use intake_core::EncounterStatus;
use support::fill::fill;
use support::repeat_visit::{input, repeat_visit};

#[test]
fn built_in_form_repeat_visit_signed() {
    let visit = repeat_visit();
    let summary = build(&input(&visit, EncounterStatus::Signed));
    insta::assert_snapshot!("general_adult_intake_signed", summary.to_string());
}

#[test]
fn built_in_form_repeat_visit_amended_and_draft() {
    let visit = repeat_visit();
    let amended = build(&input(&visit, EncounterStatus::Amended));
    assert_eq!(
        amended.signature.text(),
        "Amended on 26 Nov 2026 09:05 UTC by Dr. Ada Osei: Weight was entered in pounds; corrected to kilograms",
        "an amended record says when, who and why"
    );
    let draft = build(&input(&visit, EncounterStatus::Draft));
    assert_eq!(
        draft.signature,
        SignatureLine::NotSigned,
        "a draft is not signed"
    );
    assert_eq!(draft.header.status, "Draft", "the header names the status");
    let voided = build(&input(&visit, EncounterStatus::EnteredInError));
    assert_eq!(
        voided.signature.text(),
        "Signed by Dr. Ada Osei at 24 Nov 2026 15:42 UTC",
        "a record entered in error keeps the signature it had"
    );
}

fn rows(summary: &intake_core::summary::Summary) -> BTreeMap<String, (Answer, Origin)> {
    summary
        .sections
        .iter()
        .flat_map(|s| &s.blocks)
        .filter_map(|b| match b {
            Block::Row(r) => Some((r.question.clone(), (r.answer.clone(), r.source.clone()))),
            _ => None,
        })
        .collect()
}

#[test]
fn no_and_not_answered_stay_distinct_and_disabled_answers_are_left_out() {
    let visit = repeat_visit();
    let summary = build(&input(&visit, EncounterStatus::Signed));
    let rows = rows(&summary);
    assert_eq!(
        rows["Fever"].0,
        Answer::Values(vec!["No".into()]),
        "a No stays No"
    );
    assert_eq!(
        rows["Cough"].0,
        Answer::NotAnswered,
        "an unanswered question is not No"
    );
    assert!(
        !rows.contains_key("Units per week") && !rows.contains_key("Cigarettes per day"),
        "answers the form disables are not printed: {:?}",
        rows.keys()
    );
    assert_eq!(
        rows["BMI"].1,
        Origin::Calculated,
        "BMI is marked calculated"
    );
    assert!(
        matches!(&rows["Occupation"].1, Origin::Carried { confirmed_by: Some(who), .. } if who == "Nurse Amaka Eze"),
        "a carried answer names who confirmed it"
    );
}

#[test]
fn medications_are_a_table_in_row_order() {
    let visit = repeat_visit();
    let summary = build(&input(&visit, EncounterStatus::Signed));
    let table = summary
        .sections
        .iter()
        .flat_map(|s| &s.blocks)
        .find_map(|b| match b {
            Block::Table(t) if t.title == "Medication" => Some(t),
            _ => None,
        })
        .expect("a medication table");
    assert_eq!(
        table.columns,
        ["Medication", "Dose", "Dose unit", "How often", "Route"]
    );
    let names: Vec<String> = table
        .rows
        .iter()
        .map(|r| r.cells[0].answer.text())
        .collect();
    assert_eq!(
        names,
        [
            "Lisinopril",
            "Metformin",
            "Atorvastatin",
            "Salbutamol inhaler",
            "Amlodipine"
        ]
    );
    assert_eq!(
        table.rows[4].cells[4].answer,
        Answer::NotAnswered,
        "the new row's route is unanswered"
    );
}

fn fixtures_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/fixtures/questionnaires")
}

#[test]
fn fixture_forms() {
    let dir = fixtures_dir();
    if !dir.is_dir() {
        println!("SKIPPED: {} is missing", dir.display());
        return;
    }
    let names = [
        "sdc-cardiology-form",
        "lforms-enableWhen-test.R4",
        "lforms-date-in-repeating-group",
        "lforms-bit-of-everything",
        "lforms-phq9",
        "lforms-ussg-fhp",
        "android-fhir-screener-questionnaire",
    ];
    for name in names {
        let bytes = std::fs::read(dir.join(format!("{name}.json"))).expect("a fixture");
        let form = import(&bytes).expect("the fixture imports").0;
        let response = fill(&form);
        let provenance = BTreeMap::new();
        let date = NaiveDate::from_ymd_opt(2026, 11, 24).expect("a date");
        let summary = build(&SummaryInput {
            clinic_name: "Fixture Clinic",
            patient_name: "Test Patient",
            birth_date: NaiveDate::from_ymd_opt(1980, 1, 1).expect("a date"),
            mrn: "FX-1",
            visit_date: date,
            template_title: form.title.as_deref().unwrap_or(""),
            template_version: form.version.as_deref().unwrap_or(""),
            status: EncounterStatus::Submitted,
            signature: None,
            amendment: None,
            record_sha256: "0000",
            questionnaire: &form,
            response: &response,
            provenance: &provenance,
        });
        insta::assert_snapshot!(name.replace(['.', '-'], "_"), summary.to_string());
    }
}
