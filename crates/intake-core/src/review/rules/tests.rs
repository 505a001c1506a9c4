//! Each default rule, and the edges: no earlier visit, an interval longer than the
//! rule's, other units, lists found by code or by the first version's linkIds.

use chrono::NaiveDate;
use serde_json::{json, Value};

use super::*;
use crate::questionnaire::import;
use crate::questionnaire::response::{Key, Response};
use crate::review::{diff, Earlier};

const UNIT: &str = "http://hl7.org/fhir/StructureDefinition/questionnaire-unit";

fn coded(link: &str, text: &str, kind: &str, code: &str, unit: &str) -> Value {
    json!({ "linkId": link, "text": text, "type": kind,
        "code": [{ "system": LOINC, "code": code }],
        "extension": [
            { "url": UNIT, "valueCoding": { "system": "http://unitsofmeasure.org", "code": unit, "display": unit } },
            { "url": format!("{}carry-forward", crate::questionnaire::EXTENSION_BASE), "valueCode": "never" }] })
}

fn list(section: &str, code: Option<&str>, row: &str, name: &str) -> Value {
    let cf = json!([{ "url": format!("{}carry-forward", crate::questionnaire::EXTENSION_BASE), "valueCode": "confirm" }]);
    let mut group = json!({ "linkId": section, "text": section, "type": "group", "item": [
        { "linkId": row, "text": row, "type": "group", "repeats": true, "extension": cf, "item": [
            { "linkId": name, "text": "Name", "type": "string", "required": true },
            { "linkId": format!("{name}-dose"), "text": "Dose", "type": "decimal" },
            { "linkId": format!("{name}-unit"), "text": "Unit", "type": "string" }] }] });
    if let Some(code) = code {
        group["code"] = json!([{ "system": LOINC, "code": code }]);
    }
    group
}

/// Vitals coded as the built-in form codes them; lists by `sections`.
fn form_with(weight_unit: &str, temp_unit: &str, sections: Vec<Value>) -> Questionnaire {
    let mut items = vec![json!({ "linkId": "vitals", "type": "group", "item": [
        coded("weight", "Weight", "decimal", codes::WEIGHT, weight_unit),
        coded("temperature", "Temperature", "decimal", codes::TEMPERATURE, temp_unit),
        coded("pulse", "Pulse", "integer", codes::PULSE, "/min"),
        { "linkId": "bp", "type": "group", "item": [
            coded("systolic", "Systolic", "integer", codes::SYSTOLIC, "mm[Hg]"),
            coded("diastolic", "Diastolic", "integer", codes::DIASTOLIC, "mm[Hg]")] },
        coded("spo2", "SpO2", "integer", codes::SPO2, "%")] })];
    items.extend(sections);
    let q = json!({ "resourceType": "Questionnaire", "status": "active", "item": items });
    import(q.to_string().as_bytes()).unwrap().0
}

fn form() -> Questionnaire {
    form_with(
        "kg",
        "Cel",
        vec![
            // The first version: no section codes, found by linkId.
            list("medications", None, "medication", "med-name"),
            // A clinic's form: another linkId, the LOINC section code.
            list(
                "allergy-section",
                Some(codes::ALLERGIES),
                "allergy",
                "substance",
            ),
            list("history", None, "pmh", "condition"),
        ],
    )
}

fn num(v: f64) -> AnswerValue {
    AnswerValue::Decimal(v)
}

fn response(list: &[(&str, AnswerValue)]) -> Response {
    list.iter()
        .map(|(k, v)| (k.parse::<Key>().unwrap(), vec![v.clone()]))
        .collect()
}

fn day(d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 10, d).unwrap()
}

/// The notable findings of `after` against `before` (taken `days` earlier).
fn judge(
    form: &Questionnaire,
    before: Option<&Response>,
    after: &Response,
    days: i64,
    t: &Thresholds,
) -> Vec<Notable> {
    let earlier = before.map(|response| Earlier {
        response,
        date: day(5),
        written_as: Default::default(),
    });
    let d = diff(form, earlier, after);
    notable(form, &d, before.map(|_| days), &t.rules())
}

fn reasons(n: &[Notable]) -> Vec<String> {
    n.iter().map(|n| n.reason.clone()).collect()
}

#[test]
fn a_weight_loss_of_five_percent_or_more_within_six_months_is_notable() {
    let before = response(&[("vitals/weight", num(89.0))]);
    let after = response(&[("vitals/weight", num(77.5))]);
    let n = judge(&form(), Some(&before), &after, 62, &Thresholds::default());
    assert_eq!(
        reasons(&n),
        ["−12.9 % in 8 weeks (rule: ≥ 5 % within 6 months)"],
        "a 12.9 % loss in 62 days is flagged with the rule it broke"
    );
    assert_eq!(
        n[0].text, "Weight 77.5 kg · last 89 kg, 05/10/2026, −12.9 %",
        "the finding reads with its last value as context"
    );
    assert_eq!(n[0].target, Target::Question("weight".into()));
    // Exactly 5 % counts; 4.9 % does not.
    let at_limit = response(&[("vitals/weight", num(84.55))]);
    let below = response(&[("vitals/weight", num(84.7))]);
    let t = Thresholds::default();
    assert_eq!(
        judge(&form(), Some(&before), &at_limit, 30, &t).len(),
        1,
        "5.0 % is flagged"
    );
    assert!(
        judge(&form(), Some(&before), &below, 30, &t).is_empty(),
        "4.8 % is not"
    );
    // A gain counts as much as a loss.
    let gain = response(&[("vitals/weight", num(94.0))]);
    assert_eq!(
        reasons(&judge(&form(), Some(&before), &gain, 10, &t)),
        ["+5.6 % in 10 days (rule: ≥ 5 % within 6 months)"]
    );
}

#[test]
fn a_change_over_an_interval_longer_than_the_rule_or_without_an_earlier_visit_says_nothing() {
    let before = response(&[("vitals/weight", num(89.0))]);
    let after = response(&[("vitals/weight", num(77.5))]);
    let t = Thresholds::default();
    assert_eq!(
        judge(&form(), Some(&before), &after, 183, &t).len(),
        1,
        "183 days is within 6 months"
    );
    assert!(
        judge(&form(), Some(&before), &after, 184, &t).is_empty(),
        "a visit 184 days ago is outside the rule's interval"
    );
    assert_eq!(
        reasons(&judge(&form(), Some(&before), &after, 0, &t)),
        ["−12.9 % on the same day (rule: ≥ 5 % within 6 months)"]
    );
    assert!(
        judge(&form(), None, &after, 0, &t).is_empty(),
        "without an earlier visit nothing changed"
    );
}

#[test]
fn a_weight_rule_in_kilograms_reads_pounds() {
    let t = Thresholds {
        weight_change: 3.0,
        weight_change_in_percent: false,
        ..Thresholds::default()
    };
    let lb = form_with("[lb_av]", "Cel", vec![]);
    // 200 lb → 192 lb is 3.6 kg.
    let before = response(&[("vitals/weight", num(200.0))]);
    let after = response(&[("vitals/weight", num(192.0))]);
    assert_eq!(
        reasons(&judge(&lb, Some(&before), &after, 28, &t)),
        ["−3.6 kg in 4 weeks (rule: ≥ 3 kg within 6 months)"]
    );
    let small = response(&[("vitals/weight", num(195.0))]);
    assert!(
        judge(&lb, Some(&before), &small, 28, &t).is_empty(),
        "5 lb is 2.3 kg"
    );
    // A unit we cannot convert is not judged at all.
    let stones = form_with("[stone_av]", "Cel", vec![]);
    assert!(judge(&stones, Some(&before), &after, 28, &t).is_empty());
}

#[test]
fn blood_pressure_of_140_over_90_or_more_is_notable() {
    let t = Thresholds::default();
    let bp = |s: i64, d: i64| {
        let r = response(&[
            ("vitals/bp/systolic", AnswerValue::Integer(s)),
            ("vitals/bp/diastolic", AnswerValue::Integer(d)),
        ]);
        reasons(&judge(&form(), None, &r, 0, &t))
    };
    assert_eq!(bp(150, 95), ["BP 150/95 ≥ 140/90"]);
    assert_eq!(bp(140, 80), ["BP 140/80 ≥ 140/90"], "systolic alone");
    assert_eq!(bp(130, 90), ["BP 130/90 ≥ 140/90"], "diastolic alone");
    assert!(bp(139, 89).is_empty(), "139/89 is below both");
    // A diastolic recorded without its systolic still counts.
    let alone = response(&[("vitals/bp/diastolic", AnswerValue::Integer(95))]);
    assert_eq!(
        reasons(&judge(&form(), None, &alone, 0, &t)),
        ["BP —/95 ≥ 140/90"],
        "a diastolic of 95 with no systolic is notable"
    );
}

#[test]
fn spo2_below_94_pulse_outside_50_to_110_and_temperature_of_38_are_notable() {
    let t = Thresholds::default();
    let one =
        |key: &str, v: AnswerValue| reasons(&judge(&form(), None, &response(&[(key, v)]), 0, &t));
    assert_eq!(
        one("vitals/spo2", AnswerValue::Integer(93)),
        ["SpO2 93 % < 94 %"]
    );
    assert!(one("vitals/spo2", AnswerValue::Integer(94)).is_empty());
    assert_eq!(
        one("vitals/pulse", AnswerValue::Integer(49)),
        ["Pulse 49/min < 50/min"]
    );
    assert!(one("vitals/pulse", AnswerValue::Integer(50)).is_empty());
    assert!(one("vitals/pulse", AnswerValue::Integer(110)).is_empty());
    assert_eq!(
        one("vitals/pulse", AnswerValue::Integer(111)),
        ["Pulse 111/min > 110/min"]
    );
    assert_eq!(
        one("vitals/temperature", num(38.0)),
        ["Temperature 38 °C ≥ 38 °C"]
    );
    assert!(one("vitals/temperature", num(37.9)).is_empty());
    // 100.4 °F is 38 °C.
    let f = form_with("kg", "[degF]", vec![]);
    let hot = response(&[("vitals/temperature", num(100.4))]);
    assert_eq!(
        reasons(&judge(&f, None, &hot, 0, &t)),
        ["Temperature 38 °C ≥ 38 °C"]
    );
    // Thresholds an admin changed apply.
    let strict = Thresholds {
        spo2_below: 96.0,
        ..Thresholds::default()
    };
    let r = response(&[("vitals/spo2", AnswerValue::Integer(95))]);
    assert_eq!(
        reasons(&judge(&form(), None, &r, 0, &strict)),
        ["SpO2 95 % < 96 %"]
    );
}

fn rows(list: &str, name: &str, entries: &[(u32, &str, f64)]) -> Vec<(String, Vec<AnswerValue>)> {
    entries
        .iter()
        .flat_map(|(row, n, dose)| {
            [
                (format!("{list}[{row}]"), vec![]),
                (
                    format!("{list}[{row}]/{name}"),
                    vec![AnswerValue::String((*n).into())],
                ),
                (format!("{list}[{row}]/{name}-dose"), vec![num(*dose)]),
                (
                    format!("{list}[{row}]/{name}-unit"),
                    vec![AnswerValue::String("mg".into())],
                ),
            ]
        })
        .collect()
}

fn lists(parts: Vec<Vec<(String, Vec<AnswerValue>)>>) -> Response {
    parts
        .into_iter()
        .flatten()
        .map(|(k, v)| (k.parse::<Key>().unwrap(), v))
        .collect()
}

#[test]
fn any_new_stopped_or_changed_medication_or_allergy_is_notable_and_leads() {
    let before = lists(vec![
        rows(
            "medications/medication",
            "med-name",
            &[(1, "Metformin", 500.0), (2, "Aspirin", 75.0)],
        ),
        rows(
            "allergy-section/allergy",
            "substance",
            &[(1, "Penicillin", 0.0)],
        ),
        rows("history/pmh", "condition", &[(1, "Diabetes", 0.0)]),
    ]);
    let mut after = lists(vec![
        rows(
            "medications/medication",
            "med-name",
            &[(1, "Metformin", 1000.0)],
        ),
        rows(
            "allergy-section/allergy",
            "substance",
            &[(1, "Penicillin", 0.0), (2, "Latex", 0.0)],
        ),
        rows(
            "history/pmh",
            "condition",
            &[(1, "Diabetes", 0.0), (2, "Asthma", 0.0)],
        ),
    ]);
    after.insert(
        "vitals/spo2".parse().unwrap(),
        vec![AnswerValue::Integer(90)],
    );
    let n = judge(&form(), Some(&before), &after, 62, &Thresholds::default());
    let got: Vec<(&str, &str)> = n
        .iter()
        .map(|n| (n.text.as_str(), n.reason.as_str()))
        .collect();
    assert_eq!(
        got,
        [
            (
                "Metformin: Dose 500 → 1000 mg",
                "changed medication (rule: any new, stopped or changed medication)"
            ),
            (
                "Aspirin: stopped since the last visit",
                "stopped medication (rule: any new, stopped or changed medication)"
            ),
            (
                "Latex: new",
                "new allergy (rule: any new, stopped or changed allergy)"
            ),
            ("SpO2 90 %", "SpO2 90 % < 94 %"),
        ],
        "medications (by the first version's linkId) and allergies (by section code) lead; \
         a new history row is not notable"
    );
    assert!(n[0].list && !n[3].list);
    assert_eq!(
        n[0].target,
        Target::Row {
            list: "medication".into(),
            before_row: Some(1),
            after_row: Some(1)
        }
    );
    // Turned off in Settings: no longer flagged.
    let off = Thresholds {
        medication_changes: false,
        allergy_changes: false,
        ..Thresholds::default()
    };
    assert_eq!(judge(&form(), Some(&before), &after, 62, &off).len(), 1);
    // Without an earlier visit a list is not "new".
    assert_eq!(
        judge(&form(), None, &after, 0, &Thresholds::default()).len(),
        1
    );
}

#[test]
fn thresholds_out_of_reason_are_refused_naming_the_field() {
    assert_eq!(Thresholds::default().check(), Ok(()));
    let bad = |t: Thresholds| t.check().unwrap_err().field;
    let d = Thresholds::default();
    assert_eq!(
        bad(Thresholds {
            weight_change: f64::NAN,
            ..d
        }),
        "weightChange"
    );
    assert_eq!(
        bad(Thresholds {
            weight_change: 0.0,
            ..d
        }),
        "weightChange"
    );
    assert_eq!(
        bad(Thresholds {
            weight_change_days: 0,
            ..d
        }),
        "weightChangeDays"
    );
    assert_eq!(
        bad(Thresholds {
            spo2_below: 101.0,
            ..d
        }),
        "spo2Below"
    );
    assert_eq!(
        bad(Thresholds {
            temperature_at_least: f64::INFINITY,
            ..d
        }),
        "temperatureAtLeast"
    );
    let crossed = Thresholds {
        pulse_below: 100.0,
        pulse_above: 90.0,
        ..d
    };
    let err = crossed.check().unwrap_err();
    assert_eq!(err.field, "pulseAbove");
    assert!(err.message.contains("above the low one"), "{}", err.message);
}

#[test]
fn intervals_read_in_days_weeks_months_and_years() {
    assert_eq!(interval_text(1), "1 day");
    assert_eq!(interval_text(13), "13 days");
    assert_eq!(interval_text(62), "8 weeks");
    assert_eq!(interval_text(183), "6 months");
    assert_eq!(interval_text(365), "12 months");
    assert_eq!(interval_text(800), "2 years");
}
