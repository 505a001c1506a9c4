//! The summary document: snapshots of the built-in form on a realistic repeat visit and
//! of the shared fixture forms, plus the rules a reader of the printed copy relies on.

mod support {
    pub mod repeat_visit;
}

use std::collections::BTreeMap;
use std::path::PathBuf;

use chrono::NaiveDate;
use intake_core::questionnaire::response::{Key, Response};
use intake_core::questionnaire::{import, AnswerValue, Item, ItemType, Questionnaire};
use intake_core::summary::{
    build, Answer, Block, RecordStatus, SignatureLine, Source, SummaryInput,
};
use support::repeat_visit::{input, repeat_visit};

#[test]
fn built_in_form_repeat_visit_signed() {
    let visit = repeat_visit();
    let summary = build(&input(&visit, RecordStatus::Signed));
    insta::assert_snapshot!("general_adult_intake_signed", summary.to_string());
}

#[test]
fn built_in_form_repeat_visit_amended_and_draft() {
    let visit = repeat_visit();
    let amended = build(&input(&visit, RecordStatus::Amended));
    assert_eq!(
        amended.signature.text(),
        "Amended on 26 Nov 2026 09:05 UTC by Dr. Ada Osei: Weight was entered in pounds; corrected to kilograms",
        "an amended record says when, who and why"
    );
    let draft = build(&input(&visit, RecordStatus::Draft));
    assert_eq!(
        draft.signature,
        SignatureLine::NotSigned,
        "a draft is not signed"
    );
    assert_eq!(draft.header.status, "Draft");
}

fn rows(summary: &intake_core::summary::Summary) -> BTreeMap<String, (Answer, Source)> {
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
    let summary = build(&input(&visit, RecordStatus::Signed));
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
        Source::Calculated,
        "BMI is marked calculated"
    );
    assert!(
        matches!(&rows["Occupation"].1, Source::Carried { confirmed_by: Some(who), .. } if who == "Nurse Amaka Eze"),
        "a carried answer names who confirmed it"
    );
}

#[test]
fn medications_are_a_table_in_row_order() {
    let visit = repeat_visit();
    let summary = build(&input(&visit, RecordStatus::Signed));
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

/// Deterministic answers for any form: each question answered by type, every fourth
/// left unanswered, two rows per repeating group (one when nested).
fn fill(form: &Questionnaire) -> Response {
    let mut response = Response::new();
    let mut n = 0usize;
    fill_items(&form.items, &[], &mut response, &mut n);
    response
}

fn sample(item: &Item, n: usize) -> Option<AnswerValue> {
    Some(match &item.item_type {
        ItemType::Boolean => AnswerValue::Boolean(n.is_multiple_of(2)),
        ItemType::Decimal => AnswerValue::Decimal(1.5 + n as f64),
        ItemType::Integer => AnswerValue::Integer(n as i64 % 7),
        ItemType::Date => AnswerValue::Date("2026-11-24".into()),
        ItemType::DateTime => AnswerValue::DateTime("2026-11-24T10:30:00Z".into()),
        ItemType::Time => AnswerValue::Time("10:30:00".into()),
        ItemType::String | ItemType::Text => AnswerValue::String(format!("answer {n}")),
        ItemType::Url => AnswerValue::Uri("https://example.org/".into()),
        ItemType::Choice | ItemType::OpenChoice => match item.answer_options.get(n % 3) {
            Some(o) => o.value.clone(),
            None => item.answer_options.first()?.value.clone(),
        },
        _ => return None,
    })
}

fn fill_items(items: &[Item], rows: &[u32], response: &mut Response, n: &mut usize) {
    for item in items {
        match item.item_type {
            ItemType::Display => {}
            ItemType::Group if item.repeats => {
                let count = if rows.is_empty() { 2 } else { 1 };
                for r in 1..=count {
                    let mut inner = rows.to_vec();
                    inner.push(r);
                    response.insert(Key::new(&inner, &item.link_id), vec![]);
                    fill_items(&item.items, &inner, response, n);
                }
            }
            ItemType::Group => fill_items(&item.items, rows, response, n),
            _ => {
                *n += 1;
                if !(*n).is_multiple_of(4) && item.calculation.is_none() {
                    if let Some(v) = sample(item, *n) {
                        response.insert(Key::new(rows, &item.link_id), vec![v]);
                    }
                }
                fill_items(&item.items, rows, response, n);
            }
        }
    }
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
            status: RecordStatus::Submitted,
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
