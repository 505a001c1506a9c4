//! The carry-forward planner, one rule per test.

use std::collections::BTreeMap;

use chrono::{DateTime, TimeZone, Utc};
use intake_core::carry_forward::{plan, PastAnswer, PastVisit, Plan, Target};
use intake_core::questionnaire::response::Key;
use intake_core::questionnaire::{import, AnswerValue, Coding, Questionnaire};
use intake_core::EncounterStatus;
use intake_core::{AnswerSource, EncounterId};
use serde_json::{json, Value};

/// A key from its text (a test's own constant).
fn key(text: &str) -> Key {
    text.parse()
        .unwrap_or_else(|e| panic!("{text:?} is a key: {e}"))
}

const BASE: &str = "http://intake-desk.org/fhir/StructureDefinition/";

fn cf(policy: &str) -> Value {
    json!({ "url": format!("{BASE}carry-forward"), "valueCode": policy })
}

fn form_with(version: &str, items: Value) -> Questionnaire {
    let q = json!({ "resourceType": "Questionnaire", "version": version, "status": "active", "item": items });
    import(q.to_string().as_bytes()).expect("imports").0
}

/// A small intake form: one item per rule.
fn form(version: &str) -> Questionnaire {
    form_with(
        version,
        json!([
            { "linkId": "reason", "text": "Reason for visit", "type": "text", "extension": [cf("never")] },
            { "linkId": "weight", "text": "Weight", "type": "decimal", "extension": [cf("never"),
                { "url": "http://hl7.org/fhir/StructureDefinition/questionnaire-unit", "valueCoding": { "code": "kg", "display": "kg" } }] },
            { "linkId": "tobacco", "text": "Tobacco", "type": "choice", "extension": [cf("confirm")], "answerOption": [
                { "valueCoding": { "code": "never", "display": "Never" } },
                { "valueCoding": { "code": "current", "display": "Current" } }] },
            { "linkId": "occupation", "text": "Occupation", "type": "string", "extension": [cf("always")] },
            { "linkId": "sex", "text": "Sex", "type": "choice", "readOnly": true,
              "extension": [{ "url": format!("{BASE}record-binding"), "valueCode": "sex" }, cf("always")],
              "answerOption": [{ "valueCoding": { "code": "female" } }, { "valueCoding": { "code": "male" } }] },
            { "linkId": "nka", "text": "No known allergies", "type": "boolean", "extension": [cf("confirm")] },
            { "linkId": "allergy", "text": "Allergy", "type": "group", "repeats": true, "extension": [cf("confirm")],
              "enableWhen": [{ "question": "nka", "operator": "!=", "answerBoolean": true }],
              "item": [
                { "linkId": "substance", "text": "Substance", "type": "string" },
                { "linkId": "severity", "text": "Severity", "type": "choice", "answerOption": [
                    { "valueCoding": { "code": "mild", "display": "Mild" } },
                    { "valueCoding": { "code": "severe", "display": "Severe" } }] }] },
            { "linkId": "medication", "text": "Medication", "type": "group", "repeats": true,
              "extension": [cf("confirm"), { "url": format!("{BASE}carry-forward-max-age"), "valueInteger": 180 }],
              "item": [{ "linkId": "med-name", "text": "Medication", "type": "string" }] },
            { "linkId": "language", "text": "Language", "type": "string", "initial": [{ "valueString": "English" }] },
            { "linkId": "pulse", "text": "Pulse", "type": "integer", "extension": [cf("always")],
              "code": [{ "system": "http://loinc.org", "code": "8867-4" }] }
        ]),
    )
}

fn at(y: i32, m: u32, d: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, m, d, 10, 0, 0).unwrap()
}

fn now() -> DateTime<Utc> {
    at(2026, 11, 24)
}

fn answer(values: Vec<AnswerValue>, author: &str, when: DateTime<Utc>) -> PastAnswer {
    PastAnswer {
        values,
        author: author.into(),
        at: when,
        in_record: true,
        confirmed_by: None,
        confirmed_at: None,
    }
}

fn coding(code: &str) -> AnswerValue {
    AnswerValue::Coding(Coding {
        system: None,
        code: Some(code.into()),
        display: None,
    })
}

fn text(s: &str) -> AnswerValue {
    AnswerValue::String(s.into())
}

/// A visit's answers from `(key, values)` pairs, entered by `author` on the visit date.
fn answers(
    list: &[(&str, Vec<AnswerValue>)],
    author: &str,
    when: DateTime<Utc>,
) -> BTreeMap<Key, PastAnswer> {
    list.iter()
        .map(|(k, v)| (k.parse::<Key>().unwrap(), answer(v.clone(), author, when)))
        .collect()
}

struct Visit {
    id: i64,
    slug: &'static str,
    version: &'static str,
    form: Questionnaire,
    status: EncounterStatus,
    date: DateTime<Utc>,
    answers: BTreeMap<Key, PastAnswer>,
}

fn visit(id: i64, date: DateTime<Utc>, list: &[(&str, Vec<AnswerValue>)]) -> Visit {
    Visit {
        id,
        slug: "intake",
        version: "1",
        form: form("1"),
        status: EncounterStatus::Submitted,
        date,
        answers: answers(list, "nurse", date),
    }
}

fn run(target: &Questionnaire, visits: &[Visit]) -> Plan {
    run_as("intake", "1", target, visits)
}

fn run_as(slug: &str, version: &str, target: &Questionnaire, visits: &[Visit]) -> Plan {
    let past: Vec<PastVisit<'_>> = visits
        .iter()
        .map(|v| PastVisit {
            id: EncounterId(v.id),
            slug: v.slug,
            version: v.version,
            form: &v.form,
            status: v.status,
            date: v.date,
            day: intake_core::carry_forward::short_date(v.date),
            answers: &v.answers,
        })
        .collect();
    let mut record = BTreeMap::new();
    record.insert("sex".to_string(), coding("female"));
    plan(
        Target {
            slug,
            version,
            form: target,
        },
        &record,
        &past,
        now(),
    )
}

fn values(plan: &Plan, key: &str) -> Vec<AnswerValue> {
    plan.get(&key.parse().unwrap())
        .map(|e| e.values.clone())
        .unwrap_or_default()
}

fn typical() -> Vec<(&'static str, Vec<AnswerValue>)> {
    vec![
        ("reason", vec![text("Cough")]),
        ("weight", vec![AnswerValue::Decimal(82.0)]),
        ("tobacco", vec![coding("never")]),
        ("occupation", vec![text("Teacher")]),
        ("nka", vec![AnswerValue::Boolean(false)]),
        ("allergy[1]", vec![]),
        ("allergy[1]/substance", vec![text("Penicillin")]),
        ("allergy[1]/severity", vec![coding("severe")]),
        ("allergy[2]", vec![]),
        ("allergy[2]/substance", vec![text("Latex")]),
        ("pulse", vec![AnswerValue::Integer(72)]),
    ]
}

#[test]
fn only_submitted_signed_and_amended_visits_are_used() {
    let mut draft = visit(
        3,
        at(2026, 11, 20),
        &[("occupation", vec![text("Draft job")])],
    );
    draft.status = EncounterStatus::Draft;
    let mut in_error = visit(
        4,
        at(2026, 11, 22),
        &[("occupation", vec![text("Wrong chart")])],
    );
    in_error.status = EncounterStatus::EnteredInError;
    let mut signed = visit(2, at(2026, 10, 2), &[("occupation", vec![text("Teacher")])]);
    signed.status = EncounterStatus::Signed;
    let plan = run(&form("1"), &[draft, in_error, signed]);
    let e = plan.get(&key("occupation")).unwrap();
    assert_eq!(e.values, vec![text("Teacher")]);
    assert_eq!(e.provenance.as_ref().unwrap().encounter, EncounterId(2));
    assert_eq!(plan.skipped.len(), 1);
    assert!(plan.skipped[0].reason.contains("entered in error"));
}

#[test]
fn never_items_are_not_filled_but_hint_at_the_last_value() {
    let plan = run(&form("1"), &[visit(1, at(2026, 10, 2), &typical())]);
    let weight = plan.get(&key("weight")).unwrap();
    assert!(weight.values.is_empty() && weight.source.is_none());
    assert_eq!(
        weight.hint.as_deref(),
        Some("last weight 82 kg, 2 Oct 2026")
    );
    let reason = plan.get(&key("reason")).unwrap();
    assert!(reason.values.is_empty());
    assert_eq!(
        reason.hint.as_deref(),
        Some("last reason for visit “Cough”, 2 Oct 2026")
    );
}

#[test]
fn confirm_items_need_confirmation_and_always_items_do_not() {
    let plan = run(&form("1"), &[visit(1, at(2026, 10, 2), &typical())]);
    let tobacco = plan.get(&key("tobacco")).unwrap();
    assert_eq!(
        (tobacco.source, tobacco.needs_confirmation),
        (Some(AnswerSource::Carried), true)
    );
    let occupation = plan.get(&key("occupation")).unwrap();
    assert_eq!(
        (occupation.source, occupation.needs_confirmation),
        (Some(AnswerSource::Carried), false)
    );
    let p = occupation.provenance.as_ref().unwrap();
    assert_eq!(
        (p.encounter, p.entered_by.as_str(), p.visit_date),
        (EncounterId(1), "nurse", at(2026, 10, 2))
    );
    // "No known allergies" carries like any other answer.
    assert_eq!(values(&plan, "nka"), vec![AnswerValue::Boolean(false)]);
}

#[test]
fn lists_carry_whole_with_each_row_and_its_provenance() {
    let mut v = visit(1, at(2026, 10, 2), &typical());
    // Row ids need not start at 1 or be contiguous; the plan numbers them 1, 2.
    let renumbered: BTreeMap<Key, PastAnswer> = v
        .answers
        .iter()
        .map(|(k, a)| {
            let k = if k.rows() == [2] {
                k.with_rows(&[7])
            } else {
                k.clone()
            };
            (k, a.clone())
        })
        .collect();
    v.answers = renumbered;
    v.answers
        .get_mut(&"allergy[7]/substance".parse::<Key>().unwrap())
        .unwrap()
        .author = "maria".into();
    let plan = run(&form("1"), &[v]);
    assert_eq!(
        values(&plan, "allergy[1]/substance"),
        vec![text("Penicillin")]
    );
    assert_eq!(values(&plan, "allergy[1]/severity"), vec![coding("severe")]);
    assert_eq!(values(&plan, "allergy[2]/substance"), vec![text("Latex")]);
    let row = plan.get(&"allergy[2]".parse().unwrap()).unwrap();
    assert_eq!(
        (row.source, row.needs_confirmation),
        (Some(AnswerSource::Carried), true)
    );
    let latex = plan.get(&"allergy[2]/substance".parse().unwrap()).unwrap();
    assert_eq!(latex.provenance.as_ref().unwrap().entered_by, "maria");
    assert!(plan.get(&"allergy[7]/substance".parse().unwrap()).is_none());
}

#[test]
fn the_newest_visit_with_the_item_decides_even_when_it_had_no_answer() {
    let old = visit(
        1,
        at(2026, 6, 1),
        &[
            ("medication[1]", vec![]),
            ("medication[1]/med-name", vec![text("Aspirin")]),
        ],
    );
    // The medication list was emptied at the last visit: it is not brought back.
    let newer = visit(2, at(2026, 10, 2), &[("occupation", vec![text("Teacher")])]);
    let plan = run(&form("1"), &[old, newer]);
    assert!(plan.get(&"medication[1]".parse().unwrap()).is_none());
    assert!(values(&plan, "medication[1]/med-name").is_empty());
}

#[test]
fn a_maximum_age_stops_old_lists_and_says_why() {
    let old = visit(
        1,
        at(2026, 3, 2),
        &[
            ("medication[1]", vec![]),
            ("medication[1]/med-name", vec![text("Aspirin")]),
        ],
    );
    let plan = run(&form("1"), &[old]);
    assert!(values(&plan, "medication[1]/med-name").is_empty());
    let marker = plan.get(&key("medication")).unwrap();
    assert!(
        marker
            .not_carried
            .as_deref()
            .unwrap()
            .contains("older than 180 days"),
        "{marker:?}"
    );
    assert!(
        marker.hint.as_deref().unwrap().contains("2 Mar 2026"),
        "{marker:?}"
    );
    // Within the age it carries.
    let recent = visit(
        2,
        at(2026, 9, 1),
        &[
            ("medication[1]", vec![]),
            ("medication[1]/med-name", vec![text("Aspirin")]),
        ],
    );
    assert_eq!(
        values(&run(&form("1"), &[recent]), "medication[1]/med-name"),
        vec![text("Aspirin")]
    );
}

#[test]
fn answers_that_no_longer_fit_are_not_carried_and_the_plan_says_why() {
    let mut list = typical();
    list.push(("tobacco", vec![coding("chewing")]));
    list.retain(|(k, v)| *k != "tobacco" || v != &vec![coding("never")]);
    list.push(("allergy[1]/severity", vec![coding("moderate")]));
    list.retain(|(k, v)| *k != "allergy[1]/severity" || v != &vec![coding("severe")]);
    let plan = run(&form("1"), &[visit(1, at(2026, 10, 2), &list)]);
    let tobacco = plan.get(&key("tobacco")).unwrap();
    assert!(tobacco.values.is_empty());
    assert!(
        tobacco
            .not_carried
            .as_deref()
            .unwrap()
            .contains("no longer fits"),
        "{tobacco:?}"
    );
    let severity = plan.get(&"allergy[1]/severity".parse().unwrap()).unwrap();
    assert!(severity.values.is_empty() && severity.not_carried.is_some());
    // The rest of the row still carries.
    assert_eq!(
        values(&plan, "allergy[1]/substance"),
        vec![text("Penicillin")]
    );
}

#[test]
fn answers_disabled_at_their_visit_are_not_carried() {
    let mut v = visit(1, at(2026, 10, 2), &typical());
    v.answers.get_mut(&key("occupation")).unwrap().in_record = false;
    let plan = run(&form("1"), &[v]);
    let e = plan.get(&key("occupation")).unwrap();
    assert!(e.values.is_empty());
    assert!(e.not_carried.as_deref().unwrap().contains("did not apply"));
}

#[test]
fn record_bound_items_come_from_the_record_and_initial_values_fill_the_rest() {
    let mut list = typical();
    list.push(("sex", vec![coding("male")]));
    let plan = run(&form("1"), &[visit(1, at(2026, 10, 2), &list)]);
    let sex = plan.get(&key("sex")).unwrap();
    assert_eq!(
        (sex.values.clone(), sex.source),
        (vec![coding("female")], Some(AnswerSource::Record))
    );
    let language = plan.get(&key("language")).unwrap();
    assert_eq!(
        (language.values.clone(), language.source),
        (vec![text("English")], Some(AnswerSource::Initial))
    );
}

#[test]
fn a_visit_dated_in_the_future_is_not_used_and_is_listed() {
    let future = visit(
        9,
        at(2027, 1, 5),
        &[("occupation", vec![text("Astronaut")])],
    );
    let past = visit(1, at(2026, 10, 2), &[("occupation", vec![text("Teacher")])]);
    let plan = run(&form("1"), &[future, past]);
    assert_eq!(values(&plan, "occupation"), vec![text("Teacher")]);
    assert_eq!(plan.skipped.len(), 1);
    assert_eq!(plan.skipped[0].encounter, EncounterId(9));
    assert!(
        plan.skipped[0].reason.contains("5 Jan 2027"),
        "{:?}",
        plan.skipped
    );
}

#[test]
fn across_versions_items_match_by_code_and_never_by_label() {
    // Version 2 renames the pulse item but keeps its LOINC code, gives "occupation" a
    // code it did not have, and recodes "pulse" as another question.
    let v2 = form_with(
        "2",
        json!([
            { "linkId": "heart-rate", "text": "Pulse", "type": "integer", "extension": [cf("always")],
              "code": [{ "system": "http://loinc.org", "code": "8867-4" }] },
            { "linkId": "pulse", "text": "Pulse pressure", "type": "integer", "extension": [cf("always")],
              "code": [{ "system": "http://example.org", "code": "pulse-pressure" }] },
            { "linkId": "occupation", "text": "Occupation", "type": "string", "extension": [cf("always")],
              "code": [{ "system": "http://loinc.org", "code": "11341-5" }] },
            { "linkId": "job", "text": "Occupation", "type": "string", "extension": [cf("always")] },
            { "linkId": "tobacco", "text": "Tobacco", "type": "choice", "extension": [cf("confirm")], "answerOption": [
                { "valueCoding": { "code": "never", "display": "Never" } }] }
        ]),
    );
    let plan = run_as("intake", "2", &v2, &[visit(1, at(2026, 10, 2), &typical())]);
    assert_eq!(
        values(&plan, "heart-rate"),
        vec![AnswerValue::Integer(72)],
        "by code"
    );
    assert_eq!(
        values(&plan, "occupation"),
        vec![text("Teacher")],
        "same form, an item that gained a code: by linkId"
    );
    assert!(
        values(&plan, "pulse").is_empty(),
        "same linkId, both coded, codes differ: another question, no match"
    );
    assert!(values(&plan, "job").is_empty(), "never by label text");
    assert_eq!(
        values(&plan, "tobacco"),
        vec![coding("never")],
        "uncoded, same form: by linkId"
    );
    // Another form altogether: only codes match.
    let plan = run_as(
        "other-form",
        "1",
        &v2,
        &[visit(1, at(2026, 10, 2), &typical())],
    );
    assert_eq!(values(&plan, "heart-rate"), vec![AnswerValue::Integer(72)]);
    assert!(values(&plan, "tobacco").is_empty());
    assert!(
        values(&plan, "occupation").is_empty(),
        "another form: codes on one side only, no match"
    );
}

/// Version 2 as the built-in form changed: the allergy question asked the other way
/// round (our `carry-forward-from`, inverted), its section and list inside a coded
/// group, and the pulse moved into a group.
fn turned_round() -> Questionnaire {
    let from = |link: &str| {
        json!({ "url": format!("{BASE}carry-forward-from"), "extension": [
            { "url": "linkId", "valueString": link }, { "url": "inverted", "valueBoolean": true }] })
    };
    form_with(
        "2",
        json!([
            { "linkId": "allergies", "text": "Allergies", "type": "group",
              "code": [{ "system": "http://loinc.org", "code": "48765-2" }],
              "item": [
                { "linkId": "any-allergies", "text": "Any known allergies?", "type": "boolean", "required": true,
                  "extension": [cf("confirm"), from("nka")] },
                { "linkId": "allergy", "text": "Allergy", "type": "group", "repeats": true, "required": true,
                  "extension": [cf("confirm")],
                  "enableWhen": [{ "question": "any-allergies", "operator": "=", "answerBoolean": true }],
                  "item": [
                    { "linkId": "substance", "text": "Substance", "type": "string" },
                    { "linkId": "severity", "text": "Severity", "type": "choice", "answerOption": [
                        { "valueCoding": { "code": "mild", "display": "Mild" } },
                        { "valueCoding": { "code": "severe", "display": "Severe" } }] }] }] },
            { "linkId": "vitals", "text": "Vitals", "type": "group", "item": [
                { "linkId": "pulse", "text": "Pulse", "type": "integer", "extension": [cf("always")],
                  "code": [{ "system": "http://loinc.org", "code": "8867-4" }] }] }
        ]),
    )
}

#[test]
fn an_item_named_by_carry_forward_from_takes_the_earlier_answer_turned_round() {
    let plan = run_as(
        "intake",
        "2",
        &turned_round(),
        &[visit(1, at(2026, 10, 2), &typical())],
    );
    let any = plan.get(&key("allergies/any-allergies")).unwrap();
    assert_eq!(
        (any.values.clone(), any.needs_confirmation),
        (vec![AnswerValue::Boolean(true)], true),
        "“No known allergies: no” is “Any known allergies? yes”, to confirm"
    );
    assert_eq!(
        any.provenance.as_ref().map(|p| p.encounter),
        Some(EncounterId(1)),
        "from the visit that answered the earlier question"
    );
    let mut none = typical();
    none.retain(|(k, _)| !k.starts_with("allergy"));
    none.iter_mut()
        .filter(|(k, _)| *k == "nka")
        .for_each(|(_, v)| *v = vec![AnswerValue::Boolean(true)]);
    let plan = run_as(
        "intake",
        "2",
        &turned_round(),
        &[visit(1, at(2026, 10, 2), &none)],
    );
    assert_eq!(
        values(&plan, "allergies/any-allergies"),
        vec![AnswerValue::Boolean(false)],
        "“No known allergies: yes” is “Any known allergies? no”"
    );
    // Another form naming the same linkId takes nothing from it.
    let plan = run_as(
        "other-form",
        "2",
        &turned_round(),
        &[visit(1, at(2026, 10, 2), &typical())],
    );
    assert!(values(&plan, "allergies/any-allergies").is_empty());
}

#[test]
fn items_moved_into_a_group_or_under_a_coded_section_still_carry() {
    let plan = run_as(
        "intake",
        "2",
        &turned_round(),
        &[visit(1, at(2026, 10, 2), &typical())],
    );
    assert_eq!(
        values(&plan, "vitals/pulse"),
        vec![AnswerValue::Integer(72)],
        "the pulse moved into a group, by its code"
    );
    assert_eq!(
        values(&plan, "allergies/allergy[2]/substance"),
        vec![text("Latex")],
        "the list moved into a coded section"
    );
    let row = plan.get(&key("allergies/allergy[1]")).unwrap();
    assert_eq!(
        (row.source, row.provenance.as_ref().map(|p| p.encounter)),
        (Some(AnswerSource::Carried), Some(EncounterId(1)))
    );
}

#[test]
fn a_changed_type_between_versions_is_reported_not_carried() {
    let v2 = form_with(
        "2",
        json!([{ "linkId": "occupation", "text": "Occupation", "type": "integer", "extension": [cf("always")] }]),
    );
    let plan = run_as("intake", "2", &v2, &[visit(1, at(2026, 10, 2), &typical())]);
    let e = plan.get(&key("occupation")).unwrap();
    assert!(e.values.is_empty());
    assert!(
        e.not_carried.as_deref().unwrap().contains("Teacher"),
        "{e:?}"
    );
}

#[test]
fn with_no_earlier_visit_only_the_record_and_initial_values_are_proposed() {
    let plan = run(&form("1"), &[]);
    let proposed: Vec<String> = plan
        .entries
        .iter()
        .filter(|e| e.source.is_some())
        .map(|e| e.key.to_string())
        .collect();
    assert_eq!(proposed, ["sex", "language"]);
    assert!(plan
        .entries
        .iter()
        .all(|e| e.hint.is_none() && e.not_carried.is_none()));
}

#[test]
fn with_500_earlier_visits_in_any_order_the_newest_one_decides() {
    // Visits given oldest first, newest in the middle, one entered in error after it.
    let mut list: Vec<Visit> = (0..500)
        .map(|i| {
            let date = at(2024, 1, 1) + chrono::Duration::days(i);
            visit(
                i + 1,
                date,
                &[("occupation", vec![text(&format!("Job {i}"))])],
            )
        })
        .collect();
    list.rotate_left(250);
    let mut wrong = visit(
        9_999,
        at(2025, 12, 1),
        &[("occupation", vec![text("Wrong chart")])],
    );
    wrong.status = EncounterStatus::EnteredInError;
    list.push(wrong);
    let plan = run(&form("1"), &list);
    let e = plan.get(&key("occupation")).unwrap();
    assert_eq!(e.values, vec![text("Job 499")]);
    assert_eq!(e.provenance.as_ref().unwrap().encounter, EncounterId(500));
    assert_eq!(plan.skipped.len(), 1);
}
