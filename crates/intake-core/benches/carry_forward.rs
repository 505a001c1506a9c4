//! The carry-forward planner alone (no database): the built-in general adult intake and
//! a patient with 50, then 500, earlier visits of about 40 answers each (vitals, two
//! allergies, three medications, history, social history, emergency contact, insurance).
//! Prints p50/p95/p99, then criterion's report. Targets (issue 5): at most 2 ms at 50
//! visits; 500 visits stay under 5 ms.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use chrono::{DateTime, TimeZone, Utc};
use criterion::Criterion;
use intake_core::carry_forward::{plan, PastAnswer, PastVisit, Target};
use intake_core::questionnaire::response::Key;
use intake_core::questionnaire::{import, AnswerValue, Coding, Questionnaire};
use intake_core::EncounterStatus;

const FORM: &[u8] = include_bytes!("../../intake-api/forms/general-adult-intake.json");

fn percentiles(name: &str, mut samples: Vec<Duration>) {
    samples.sort();
    let at = |q: f64| samples[((samples.len() as f64 - 1.0) * q).round() as usize];
    println!(
        "{name:<44} p50 {:>7.3} ms  p95 {:>7.3} ms  p99 {:>7.3} ms  (n={})",
        at(0.50).as_secs_f64() * 1e3,
        at(0.95).as_secs_f64() * 1e3,
        at(0.99).as_secs_f64() * 1e3,
        samples.len()
    );
}

fn coding(code: &str) -> AnswerValue {
    AnswerValue::Coding(Coding {
        system: None,
        code: Some(code.into()),
        display: None,
    })
}

/// One visit's answers, a little different each time.
fn visit_answers(n: usize, at: DateTime<Utc>) -> BTreeMap<Key, PastAnswer> {
    let text = |s: String| AnswerValue::String(s);
    let mut list: Vec<(String, Vec<AnswerValue>)> = vec![
        ("visit/reason".into(), vec![text(format!("Visit {n}"))]),
        ("vitals/height".into(), vec![AnswerValue::Decimal(178.0)]),
        (
            "vitals/weight".into(),
            vec![AnswerValue::Decimal(80.0 + (n % 7) as f64)],
        ),
        (
            "vitals/pulse".into(),
            vec![AnswerValue::Integer(70 + (n % 9) as i64)],
        ),
        ("vitals/systolic".into(), vec![AnswerValue::Integer(125)]),
        ("vitals/diastolic".into(), vec![AnswerValue::Integer(80)]),
        ("allergies/nka".into(), vec![AnswerValue::Boolean(false)]),
        (
            "medications/no-medications".into(),
            vec![AnswerValue::Boolean(false)],
        ),
        ("social/tobacco".into(), vec![coding("former")]),
        ("social/alcohol".into(), vec![coding("occasional")]),
        ("social/occupation".into(), vec![text("Electrician".into())]),
        (
            "emergency-contact/ec-name".into(),
            vec![text("Anna Kowalska".into())],
        ),
        (
            "insurance/insurer".into(),
            vec![text("Northwind Health".into())],
        ),
        (
            "insurance/policy-number".into(),
            vec![text("NW-204-5521".into())],
        ),
    ];
    for row in 1..=2 {
        list.push((format!("allergies/allergy[{row}]"), vec![]));
        list.push((
            format!("allergies/allergy[{row}]/allergy-substance"),
            vec![text(format!("Substance {row}"))],
        ));
        list.push((
            format!("allergies/allergy[{row}]/allergy-severity"),
            vec![coding("moderate")],
        ));
    }
    for row in 1..=3 {
        list.push((format!("medications/medication[{row}]"), vec![]));
        list.push((
            format!("medications/medication[{row}]/med-name"),
            vec![text(format!("Medicine {row}"))],
        ));
        list.push((
            format!("medications/medication[{row}]/med-dose"),
            vec![AnswerValue::Decimal(10.0 * row as f64)],
        ));
        list.push((
            format!("medications/medication[{row}]/med-unit"),
            vec![coding("mg")],
        ));
        list.push((
            format!("medications/medication[{row}]/med-frequency"),
            vec![coding("once-daily")],
        ));
        list.push((
            format!("medications/medication[{row}]/med-route"),
            vec![coding("oral")],
        ));
    }
    list.push(("history/pmh[1]".into(), vec![]));
    list.push((
        "history/pmh[1]/pmh-condition".into(),
        vec![text("Type 2 diabetes".into())],
    ));
    list.into_iter()
        .filter_map(|(k, values)| {
            let key = k.parse::<Key>().ok()?;
            let answer = PastAnswer {
                values,
                author: "nurse".into(),
                at,
                in_record: true,
                confirmed_by: Some("nurse".into()),
                confirmed_at: Some(at),
            };
            Some((key, answer))
        })
        .collect()
}

struct Visits {
    dates: Vec<DateTime<Utc>>,
    answers: Vec<BTreeMap<Key, PastAnswer>>,
}

fn visits(n: usize, now: DateTime<Utc>) -> Visits {
    let dates: Vec<DateTime<Utc>> = (0..n)
        .map(|i| now - chrono::Duration::days(7 * (i as i64 + 1)))
        .collect();
    let answers = dates
        .iter()
        .enumerate()
        .map(|(i, d)| visit_answers(i, *d))
        .collect();
    Visits { dates, answers }
}

fn run(form: &Questionnaire, v: &Visits, now: DateTime<Utc>) -> usize {
    let past: Vec<PastVisit<'_>> = v
        .dates
        .iter()
        .zip(&v.answers)
        .enumerate()
        .map(|(i, (date, answers))| PastVisit {
            id: intake_core::EncounterId(i as i64 + 1),
            slug: "general-adult-intake",
            version: "1",
            form,
            status: EncounterStatus::Submitted,
            date: *date,
            day: intake_core::carry_forward::short_date(*date),
            answers,
        })
        .collect();
    let target = Target {
        slug: "general-adult-intake",
        version: "1",
        form,
    };
    plan(target, &BTreeMap::new(), &past, now).entries.len()
}

fn main() {
    let mut c = Criterion::default().configure_from_args();
    let Ok((form, _)) = import(FORM) else {
        println!("the built-in form does not import");
        return;
    };
    let now = Utc.with_ymd_and_hms(2026, 11, 24, 9, 0, 0).unwrap();
    for n in [50, 500] {
        let v = visits(n, now);
        let samples: Vec<Duration> = (0..200)
            .map(|_| {
                let start = Instant::now();
                criterion::black_box(run(&form, &v, now));
                start.elapsed()
            })
            .collect();
        percentiles(&format!("carry-forward plan, {n} earlier visits"), samples);
        c.bench_function(&format!("plan_{n}_visits"), |b| {
            b.iter(|| run(&form, &v, now))
        });
    }
    c.final_summary();
}
