//! The demo visits pass the app's own checks: each generated visit fills the built-in
//! form without errors, and each seeded intake is submitted with every carried value
//! confirmed and its provenance pointing at an earlier visit of the same patient.

use std::collections::BTreeMap;
use std::sync::Arc;

use chrono::{Duration, NaiveDate, TimeZone, Utc};
use intake_core::questionnaire::response::{calculate, evaluate, FormIndex, Response};
use intake_core::{AnswerSource, EncounterId};
use intake_store::EncounterFilter;

use super::answers::{filled, option, Filled};
use super::history::{is_lukasz, visits_for, Visit};
use super::sign_off::{fates, sign_time, Fate, History, Mistake};
use super::{DEMO_AMENDMENT_REASONS, DEMO_NURSE, DEMO_WAITING, LUKASZ_VISITS_DAYS_AGO};
use crate::patients::demo_patients;
use intake_api::admin::builtin::GENERAL_INTAKE_V1;
use intake_api::{Api, Caller, ManualClock};

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 23).expect("a date")
}

/// Every demo patient's visits, in register order.
fn all_histories(today: NaiveDate) -> Vec<(intake_core::patient::ValidPatient, Vec<Visit>)> {
    demo_patients(today)
        .into_iter()
        .enumerate()
        .map(|(serial, p)| {
            let visits = visits_for(serial, &p, today);
            (p, visits)
        })
        .collect()
}

/// The response the nurse submits for `filled` on an empty form (rows numbered from 1),
/// with the patient's sex from the record and the calculations.
fn as_response(filled: &Filled, sex: &str, index: &FormIndex<'_>) -> Response {
    let mut response = Response::new();
    for (link, value) in &filled.top {
        response.insert(index.key(&[], link), vec![value.clone()]);
    }
    for (group, rows) in &filled.lists {
        for (n, row) in rows.iter().enumerate() {
            let r = n as u32 + 1;
            response.insert(index.key(&[r], group), Vec::new());
            for (link, value) in row {
                response.insert(index.key(&[r], link), vec![value.clone()]);
            }
        }
    }
    if let Ok(v) = option(index, "patient-sex", sex) {
        response.insert(index.key(&[], "patient-sex"), vec![v]);
    }
    for (key, value) in calculate(index, &response) {
        if let Some(v) = value {
            response.insert(key, vec![v]);
        }
    }
    response
}

#[test]
fn every_generated_visit_fills_the_built_in_form_without_errors() {
    let (q, _) = intake_core::questionnaire::import(GENERAL_INTAKE_V1)
        .expect("version 1 of the built-in form, the demo visits' form");
    let index = FormIndex::new(&q.items);
    let mut visits = 0;
    for (p, history) in all_histories(today()) {
        for v in &history {
            let filled = filled(v, &index).expect("every code is one of the form's options");
            let response = as_response(&filled, p.sex.as_str(), &index);
            let eval = evaluate(&index, &response);
            assert_eq!(
                eval.errors(),
                0,
                "{} {}, {} days ago: {:?}",
                p.given,
                p.family,
                v.days_ago,
                eval.problems
            );
            assert!(
                response.contains_key(&index.key(&[], "bmi"))
                    && response.contains_key(&index.key(&[], "phq2-score")),
                "BMI and PHQ-2 score are calculated"
            );
            visits += 1;
        }
    }
    assert!(visits > 100, "{visits} visits");
}

#[test]
fn visits_are_adult_in_the_past_and_one_to_six_months_apart() {
    let today = today();
    let mut newest_recent = 0;
    let mut with_visits = 0;
    for (p, history) in all_histories(today) {
        assert!(history.len() <= 5, "{} visits", history.len());
        for v in &history {
            let date = today - Duration::days(v.days_ago);
            assert!(v.days_ago >= 1, "never today or later");
            assert!(
                v.start_minute >= 8 * 60 && v.start_minute < 17 * 60,
                "office hours"
            );
            assert!(
                date.years_since(p.birth_date).unwrap_or(0) >= 18,
                "an adult form for adults"
            );
        }
        for pair in history.windows(2) {
            let gap = pair[0].days_ago - pair[1].days_ago;
            assert!((30..=180).contains(&gap), "{gap} days between visits");
        }
        if let Some(last) = history.last() {
            with_visits += 1;
            if last.days_ago <= 180 {
                newest_recent += 1;
            }
        }
    }
    assert!(
        newest_recent * 10 >= with_visits * 8,
        "{newest_recent} of {with_visits} were seen within 180 days"
    );
}

#[test]
fn histories_change_between_visits() {
    let (mut started, mut stopped, mut raised, mut allergies, mut weights) = (0, 0, 0, 0, 0);
    for (_, history) in all_histories(today()) {
        for pair in history.windows(2) {
            let (before, after) = (&pair[0], &pair[1]);
            let names = |v: &Visit| -> Vec<&str> { v.medications.iter().map(|m| m.name).collect() };
            started += names(after)
                .iter()
                .filter(|n| !names(before).contains(n))
                .count();
            stopped += names(before)
                .iter()
                .filter(|n| !names(after).contains(n))
                .count();
            raised += after
                .medications
                .iter()
                .filter(|m| {
                    before
                        .medications
                        .iter()
                        .any(|b| b.name == m.name && b.dose < m.dose)
                })
                .count();
            allergies += usize::from(after.allergies.len() > before.allergies.len());
            weights += usize::from(after.vitals.weight != before.vitals.weight);
        }
    }
    for (what, n) in [
        ("medicines started", started),
        ("medicines stopped", stopped),
        ("doses raised", raised),
        ("new allergies", allergies),
        ("weights changed", weights),
    ] {
        assert!(n >= 3, "{what}: {n}");
    }
}

#[test]
fn the_same_day_gives_the_same_histories() {
    let a: Vec<Vec<Visit>> = all_histories(today()).into_iter().map(|(_, v)| v).collect();
    let b: Vec<Vec<Visit>> = all_histories(today()).into_iter().map(|(_, v)| v).collect();
    assert_eq!(a, b);
    let lukasz = all_histories(today())
        .into_iter()
        .find(|(p, _)| p.given == "Łukasz" && p.family == "Kowalski")
        .map(|(_, v)| v)
        .unwrap_or_default();
    let days: Vec<i64> = lukasz.iter().map(|v| v.days_ago).collect();
    assert_eq!(days, LUKASZ_VISITS_DAYS_AGO);
}

#[test]
fn seeded_intakes_are_submitted_confirmed_and_carried_from_earlier_visits() {
    let now = Utc.with_ymd_and_hms(2026, 11, 23, 9, 0, 0).unwrap();
    let api = Api::in_memory(Arc::new(ManualClock::new(now))).unwrap();
    let seeded = crate::seed_demo(&api, Caller::Cli("tester")).unwrap();
    assert_eq!(seeded.patients, 200);
    let (q, _) = intake_core::questionnaire::import(GENERAL_INTAKE_V1)
        .expect("version 1 of the built-in form, the demo visits' form");
    let index = FormIndex::new(&q.items);
    // Read back in a seeding run (the door that gives the store itself).
    api.seeding(Caller::Cli("tester"), |s| {
        let db = s.db();
        let all = db.list_encounters(&EncounterFilter {
            limit: Some(100_000),
            ..Default::default()
        })?;
        assert!(all.len() > 100, "{} demo intakes", all.len());
        let by_id: BTreeMap<EncounterId, _> = all.iter().map(|e| (e.id, e)).collect();
        let mut carried = 0;
        for e in &all {
            assert!(e.status.carries_forward(), "intake {}: {}", e.id, e.status);
            assert_eq!(e.started_by, DEMO_NURSE);
            assert_eq!(e.submitted_by.as_deref(), Some(DEMO_NURSE));
            let submitted = e.submitted_at.expect("submitted");
            assert!(e.started_at < submitted && submitted < now, "in the past");
            let answers = db.answers(e.id)?;
            let mut response = Response::new();
            for a in &answers {
                response.insert(a.key.clone(), a.values.clone());
                assert!(a.source != AnswerSource::Initial, "{}: {}", a.key, a.source);
                if a.needs_confirmation {
                    assert_eq!(
                        a.confirmed_by.as_deref(),
                        Some(DEMO_NURSE),
                        "{} confirmed",
                        a.key
                    );
                }
                if let Some(from) = &a.carried {
                    carried += 1;
                    assert_eq!(a.source, AnswerSource::Carried);
                    let source = by_id.get(&from.encounter).expect("an earlier intake");
                    assert_eq!(source.patient_id, e.patient_id, "{}", a.key);
                    assert!(from.date < e.started_at, "carried from an earlier visit");
                    assert_eq!(Some(from.date), source.submitted_at);
                }
            }
            let eval = evaluate(&index, &response);
            assert_eq!(eval.errors(), 0, "intake {}: {:?}", e.id, eval.problems);
            for a in &answers {
                assert_eq!(
                    a.in_record,
                    !eval.disabled.contains(&a.key),
                    "{} in the record unless disabled",
                    a.key
                );
            }
            let sex = response.get(&index.key(&[], "patient-sex"));
            assert!(sex.is_some_and(|v| v.len() == 1), "sex from the record");
        }
        assert!(carried > 1000, "{carried} carried answers");
        Ok(())
    })
    .unwrap();
}

/// What becomes of each generated visit, by patient in register order.
fn all_fates(histories: &[(intake_core::patient::ValidPatient, Vec<Visit>)]) -> Vec<Vec<Fate>> {
    let list: Vec<History<'_>> = histories
        .iter()
        .map(|(p, visits)| History {
            lukasz: is_lukasz(p),
            visits,
        })
        .collect();
    fates(&list)
}

#[test]
fn the_newest_visits_wait_two_are_amended_and_the_others_are_signed() {
    let histories = all_histories(today());
    let fates = all_fates(&histories);
    // (days ago, minute) orders visits: fewer days ago, then later in the day, is newer.
    let age = |v: &Visit| (v.days_ago, std::cmp::Reverse(v.start_minute));
    let mut waiting = Vec::new();
    let mut signed = Vec::new();
    let mut amended = Vec::new();
    for ((p, visits), fates) in histories.iter().zip(&fates) {
        assert_eq!(visits.len(), fates.len());
        for (i, (v, fate)) in visits.iter().zip(fates).enumerate() {
            if is_lukasz(p) {
                assert_eq!(*fate, Fate::Signed, "Łukasz Kowalski's visits are signed");
            }
            match fate {
                Fate::Waiting => waiting.push(age(v)),
                Fate::Signed => signed.push(age(v)),
                Fate::Amended(c) => {
                    signed.push(age(v));
                    assert_eq!(i + 1, visits.len(), "the patient's latest visit");
                    assert!(visits.len() >= 2, "with an earlier visit to compare");
                    assert!((7..=120).contains(&v.days_ago), "{} days ago", v.days_ago);
                    amended.push((p, v, *c));
                }
            }
        }
    }
    assert_eq!(waiting.len(), DEMO_WAITING);
    let oldest_waiting = waiting.iter().max().expect("some wait");
    assert!(
        signed.iter().all(|s| s > oldest_waiting),
        "the newest visits wait"
    );
    let reasons: Vec<&str> = amended.iter().map(|(_, _, c)| c.reason).collect();
    assert_eq!(reasons, DEMO_AMENDMENT_REASONS);

    // As entered, each amended visit fills the form without errors (the nurse could
    // submit it), and holds the mistake its reason names.
    let (q, _) = intake_core::questionnaire::import(GENERAL_INTAKE_V1)
        .expect("version 1 of the built-in form, the demo visits' form");
    let index = FormIndex::new(&q.items);
    for (p, v, c) in amended {
        let wrong = c.mistake.entered(v);
        let response = as_response(
            &filled(&wrong, &index).expect("filled"),
            p.sex.as_str(),
            &index,
        );
        let eval = evaluate(&index, &response);
        assert_eq!(eval.errors(), 0, "{}: {:?}", c.reason, eval.problems);
        match c.mistake {
            Mistake::WeightInPounds => {
                let ratio = wrong.vitals.weight / v.vitals.weight;
                assert!((ratio - 2.2046).abs() < 0.01, "{ratio}");
            }
            Mistake::BloodPressureSwapped => {
                assert_eq!(
                    (wrong.vitals.systolic, wrong.vitals.diastolic),
                    (v.vitals.diastolic, v.vitals.systolic)
                );
                assert!(wrong.vitals.systolic < wrong.vitals.diastolic);
            }
        }
    }
}

#[test]
fn signatures_come_a_quarter_hour_to_four_hours_after_submission_and_never_after_now() {
    let submitted = Utc.with_ymd_and_hms(2026, 11, 20, 10, 9, 0).unwrap();
    let now = Utc.with_ymd_and_hms(2026, 11, 23, 9, 0, 0).unwrap();
    for salt in 0..2_000 {
        let at = sign_time(submitted, now, salt);
        let after = at - submitted;
        assert!(
            (Duration::minutes(15)..=Duration::hours(4)).contains(&after),
            "{after}"
        );
    }
    // Submitted just before now: signed between the two.
    let late = now - Duration::minutes(5);
    for salt in 0..100 {
        let at = sign_time(late, now, salt);
        assert!(late < at && at < now, "{at}");
    }
}
