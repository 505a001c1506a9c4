//! Validation table: required (only when enabled), type, range, maxLength, regex,
//! options, repeat counts.

use std::collections::HashMap;

use intake_core::questionnaire::enable_when::Answers;
use intake_core::questionnaire::validate::{validate, Severity};
use intake_core::questionnaire::{import, AnswerValue as V, Coding, Item};
use serde_json::json;

fn items() -> Vec<Item> {
    let q = json!({ "resourceType": "Questionnaire", "status": "active", "item": [
        { "linkId": "reason", "type": "string", "required": true, "maxLength": 10 },
        { "linkId": "temp", "type": "decimal", "extension": [
            { "url": "http://hl7.org/fhir/StructureDefinition/minValue", "valueDecimal": 30 },
            { "url": "http://hl7.org/fhir/StructureDefinition/maxValue", "valueDecimal": 45 } ] },
        { "linkId": "count", "type": "integer" },
        { "linkId": "visit", "type": "date", "extension": [
            { "url": "http://hl7.org/fhir/StructureDefinition/minValue", "valueDate": "2000-01-01" } ] },
        { "linkId": "zip", "type": "string", "extension": [
            { "url": "http://hl7.org/fhir/StructureDefinition/regex", "valueString": "[0-9]{5}" },
            { "url": "http://hl7.org/fhir/StructureDefinition/entryFormat", "valueString": "12345" } ] },
        { "linkId": "colour", "type": "choice", "answerOption": [
            { "valueCoding": { "system": "s", "code": "red" } },
            { "valueCoding": { "system": "s", "code": "blue" } } ] },
        { "linkId": "pets", "type": "string", "repeats": true },
        { "linkId": "smoker", "type": "boolean" },
        { "linkId": "packs", "type": "integer", "required": true,
          "enableWhen": [{ "question": "smoker", "operator": "=", "answerBoolean": true }] }
    ]});
    import(q.to_string().as_bytes()).unwrap().0.items
}

fn problems(pairs: &[(&str, V)]) -> Vec<(String, String)> {
    let mut answers: Answers = HashMap::new();
    answers.insert("reason".into(), vec![V::String("cough".into())]);
    for (id, v) in pairs {
        let list = answers.entry(id.to_string()).or_default();
        if *id == "reason" {
            list.clear();
        }
        list.push(v.clone());
    }
    validate(&items(), &answers)
        .into_iter()
        .filter(|p| p.severity == Severity::Error)
        .map(|p| (p.link_id, p.message))
        .collect()
}

fn code(c: &str) -> V {
    V::Coding(Coding {
        system: Some("s".into()),
        code: Some(c.into()),
        display: None,
    })
}

#[test]
fn validation_table() {
    type Given = Vec<(&'static str, V)>;
    type Expected = Option<(&'static str, &'static str)>;
    let cases: Vec<(&str, Given, Expected)> = vec![
        ("all fine", vec![], None),
        (
            "too long",
            vec![("reason", V::String("a very long reason".into()))],
            Some(("reason", "At most 10")),
        ),
        (
            "below min",
            vec![("temp", V::Decimal(25.0))],
            Some(("temp", "at least 30")),
        ),
        (
            "above max",
            vec![("temp", V::Decimal(46.5))],
            Some(("temp", "at most 45")),
        ),
        ("in range", vec![("temp", V::Decimal(37.2))], None),
        (
            "wrong type",
            vec![("count", V::Decimal(1.5))],
            Some(("count", "whole number")),
        ),
        (
            "bad date",
            vec![("visit", V::Date("2026-02-30".into()))],
            Some(("visit", "a date")),
        ),
        (
            "date too early",
            vec![("visit", V::Date("1999-12-31".into()))],
            Some(("visit", "on or after 2000-01-01")),
        ),
        (
            "regex",
            vec![("zip", V::String("12a45".into()))],
            Some(("zip", "12345")),
        ),
        ("regex ok", vec![("zip", V::String("12345".into()))], None),
        (
            "option",
            vec![("colour", code("green"))],
            Some(("colour", "listed answers")),
        ),
        ("option ok", vec![("colour", code("blue"))], None),
        (
            "two answers",
            vec![("count", V::Integer(1)), ("count", V::Integer(2))],
            Some(("count", "Only one")),
        ),
        (
            "repeats ok",
            vec![
                ("pets", V::String("cat".into())),
                ("pets", V::String("dog".into())),
            ],
            None,
        ),
        (
            "required when enabled",
            vec![("smoker", V::Boolean(true))],
            Some(("packs", "required")),
        ),
        (
            "not required when disabled",
            vec![("smoker", V::Boolean(false))],
            None,
        ),
    ];
    for (name, answers, expected) in cases {
        let found = problems(&answers);
        match expected {
            None => assert!(
                found.is_empty(),
                "{name}: no problem expected, got {found:?}"
            ),
            Some((id, words)) => assert!(
                found.iter().any(|(l, m)| l == id && m.contains(words)),
                "{name}: expected {words:?} at {id}, got {found:?}"
            ),
        }
    }
}

#[test]
fn a_missing_required_answer_is_named() {
    let mut answers: Answers = HashMap::new();
    answers.insert("temp".into(), vec![V::Decimal(37.0)]);
    let found = validate(&items(), &answers);
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].link_id, "reason");
    assert!(found[0].message.contains("required"));
}

#[test]
fn disabled_answers_are_kept_but_not_checked() {
    let mut answers: Answers = HashMap::new();
    answers.insert("reason".into(), vec![V::String("ok".into())]);
    answers.insert("smoker".into(), vec![V::Boolean(false)]);
    answers.insert("packs".into(), vec![V::String("not a number".into())]);
    assert!(
        validate(&items(), &answers).is_empty(),
        "packs is disabled, so not checked"
    );
}
