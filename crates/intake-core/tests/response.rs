//! Filled forms: answer keys, rows of repeating groups checked in their own context,
//! live enableWhen per row, calculations (BMI, score sums), usual-range warnings, and
//! the submitted record leaving out what was disabled.

use intake_core::questionnaire::response::{
    calculate, evaluate, initial_response, submitted_record, FormIndex, Key, KeyError, Response,
};
use intake_core::questionnaire::validate::Severity;
use intake_core::questionnaire::{import, AnswerValue as V, CarryForward, Coding, Item};
use serde_json::json;

/// A key from its text (a test's own constant).
fn key(text: &str) -> Key {
    text.parse()
        .unwrap_or_else(|e| panic!("{text:?} is a key: {e}"))
}

const EXT: &str = "http://intake-desk.org/fhir/StructureDefinition/";

fn score(code: &str, weight: u32) -> serde_json::Value {
    json!({ "valueCoding": { "system": "http://loinc.org", "code": code },
            "extension": [{ "url": "http://hl7.org/fhir/StructureDefinition/ordinalValue", "valueDecimal": weight }] })
}

fn form() -> Vec<Item> {
    let q = json!({ "resourceType": "Questionnaire", "status": "active", "item": [
        { "linkId": "visit", "type": "group", "item": [
            { "linkId": "reason", "type": "string", "required": true,
              "extension": [{ "url": format!("{EXT}carry-forward"), "valueCode": "never" }] },
            { "linkId": "kind", "type": "string", "initial": [{ "valueString": "routine" }] }
        ]},
        { "linkId": "vitals", "type": "group", "item": [
            { "linkId": "height", "type": "decimal" },
            { "linkId": "weight", "type": "decimal" },
            { "linkId": "temp", "type": "decimal", "extension": [
                { "url": "http://hl7.org/fhir/StructureDefinition/minValue", "valueDecimal": 30 },
                { "url": "http://hl7.org/fhir/StructureDefinition/maxValue", "valueDecimal": 45 },
                { "url": "http://hl7.org/fhir/StructureDefinition/questionnaire-unit",
                  "valueCoding": { "code": "Cel", "display": "°C" } },
                { "url": format!("{EXT}usual-range"), "valueRange": { "low": { "value": 35.5 }, "high": { "value": 38 } } } ] },
            { "linkId": "bmi", "type": "decimal", "extension": [
                { "url": format!("{EXT}calculation"), "valueString": "bmi(weight, height)" } ] }
        ]},
        { "linkId": "nka", "type": "boolean" },
        { "linkId": "allergy", "type": "group", "repeats": true, "required": true,
          "enableWhen": [{ "question": "nka", "operator": "!=", "answerBoolean": true }],
          "item": [
            { "linkId": "substance", "type": "string", "required": true },
            { "linkId": "severe", "type": "boolean" },
            { "linkId": "what-happened", "type": "string", "required": true,
              "enableWhen": [{ "question": "severe", "operator": "=", "answerBoolean": true }] }
        ]},
        { "linkId": "q1", "type": "choice", "answerOption": [score("a0", 0), score("a1", 1), score("a3", 3)] },
        { "linkId": "q2", "type": "choice", "answerOption": [score("a0", 0), score("a1", 1), score("a3", 3)] },
        { "linkId": "total", "type": "integer", "extension": [
            { "url": format!("{EXT}calculation"), "valueString": "sum(q1, q2)" } ] }
    ]});
    import(q.to_string().as_bytes()).unwrap().0.items
}

fn base() -> Response {
    let mut r = Response::new();
    r.insert(key("visit/reason"), vec![V::String("cough".into())]);
    r.insert(key("nka"), vec![V::Boolean(true)]);
    r
}

fn coding(code: &str) -> V {
    V::Coding(Coding {
        system: Some("http://loinc.org".into()),
        code: Some(code.into()),
        display: None,
    })
}

fn errors(items: &[Item], r: &Response) -> Vec<(String, String)> {
    evaluate(&FormIndex::new(items), r)
        .problems
        .into_iter()
        .filter(|(_, p)| p.severity == Severity::Error)
        .map(|(k, p)| (k.to_string(), p.message))
        .collect()
}

#[test]
fn the_index_says_which_keys_name_an_instance() {
    let items = form();
    let index = FormIndex::new(&items);
    assert!(index.check(&key("visit/reason")).is_ok());
    assert!(index.check(&key("allergy[4]/substance")).is_ok());
    assert!(
        index.check(&key("allergy[4]")).is_ok(),
        "a row of a repeating group"
    );
    assert!(matches!(
        index.check(&key("allergy/substance")),
        Err(KeyError::WrongRows { .. })
    ));
    assert!(matches!(
        index.check(&key("visit[1]/reason")),
        Err(KeyError::WrongRows { .. })
    ));
    assert!(matches!(
        index.check(&key("vitals")),
        Err(KeyError::NoAnswers(_))
    ));
    assert!(matches!(
        index.check(&key("nope")),
        Err(KeyError::UnknownItem(_))
    ));
}

#[test]
fn our_extensions_are_read() {
    let items = form();
    let index = FormIndex::new(&items);
    assert_eq!(
        index.get("reason").unwrap().carry_forward,
        Some(CarryForward::Never)
    );
    let temp = index.get("temp").unwrap();
    assert_eq!((temp.usual_min, temp.usual_max), (Some(35.5), Some(38.0)));
    assert!(
        index.get("bmi").unwrap().read_only,
        "a calculated item is read-only"
    );
}

#[test]
fn a_required_repeating_group_needs_a_row_only_while_enabled() {
    let items = form();
    let mut r = base();
    assert_eq!(
        errors(&items, &r),
        vec![],
        "no known allergies: no rows needed"
    );
    r.insert(key("nka"), vec![V::Boolean(false)]);
    assert_eq!(
        errors(&items, &r),
        vec![("allergy".into(), "Add at least one row.".into())]
    );
}

#[test]
fn each_row_is_checked_in_its_own_context() {
    let items = form();
    let mut r = base();
    r.insert(key("nka"), vec![V::Boolean(false)]);
    r.insert(key("allergy[1]"), vec![]);
    r.insert(
        key("allergy[1]/substance"),
        vec![V::String("penicillin".into())],
    );
    r.insert(key("allergy[2]"), vec![]);
    r.insert(key("allergy[2]/severe"), vec![V::Boolean(true)]);
    assert_eq!(
        errors(&items, &r),
        vec![
            (
                "allergy[2]/substance".into(),
                "This answer is required.".into()
            ),
            (
                "allergy[2]/what-happened".into(),
                "This answer is required.".into()
            ),
        ],
        "row 1 is complete; row 2 misses its substance and, being severe, what happened"
    );
    let eval = evaluate(&FormIndex::new(&items), &r);
    assert!(
        eval.disabled.contains(&key("allergy[1]/what-happened")),
        "row 1 is not severe"
    );
    assert!(!eval.disabled.contains(&key("allergy[2]/what-happened")));
}

#[test]
fn disabled_rows_are_kept_in_the_draft_and_left_out_of_the_record() {
    let items = form();
    let mut r = base(); // no known allergies
    r.insert(key("allergy[1]"), vec![]);
    r.insert(key("allergy[1]/substance"), vec![V::String("latex".into())]);
    let eval = evaluate(&FormIndex::new(&items), &r);
    assert!(eval.disabled.contains(&key("allergy[1]")));
    assert!(eval.disabled.contains(&key("allergy[1]/substance")));
    assert!(
        eval.disabled.contains(&key("allergy")),
        "the group is hidden, add button too"
    );
    assert_eq!(errors(&items, &r), vec![], "a disabled row is not checked");
    let record = submitted_record(&r, &eval);
    assert!(record.contains_key(&key("visit/reason")));
    assert!(!record.contains_key(&key("allergy[1]/substance")));
    assert!(
        r.contains_key(&key("allergy[1]/substance")),
        "the draft keeps it"
    );
}

#[test]
fn bmi_is_calculated_from_weight_and_height() {
    let items = form();
    let index = FormIndex::new(&items);
    let mut r = base();
    let bmi = |r: &Response| {
        calculate(&index, r)
            .into_iter()
            .find(|(k, _)| k.link_id() == "bmi")
            .unwrap()
            .1
    };
    assert_eq!(bmi(&r), None, "no inputs, no value");
    r.insert(key("vitals/weight"), vec![V::Decimal(82.0)]);
    assert_eq!(bmi(&r), None, "one input is not enough");
    r.insert(key("vitals/height"), vec![V::Decimal(180.0)]);
    assert_eq!(bmi(&r), Some(V::Decimal(25.3)));
    r.insert(key("vitals/height"), vec![V::Decimal(0.0)]);
    assert_eq!(bmi(&r), None, "a zero height gives no BMI, not infinity");
}

#[test]
fn scores_sum_the_chosen_options_weights_once_all_are_answered() {
    let items = form();
    let index = FormIndex::new(&items);
    let mut r = base();
    let total = |r: &Response| {
        calculate(&index, r)
            .into_iter()
            .find(|(k, _)| k.link_id() == "total")
            .unwrap()
            .1
    };
    r.insert(key("q1"), vec![coding("a3")]);
    assert_eq!(total(&r), None);
    r.insert(key("q2"), vec![coding("a1")]);
    assert_eq!(total(&r), Some(V::Integer(4)));
    r.insert(key("q2"), vec![coding("zz")]);
    assert_eq!(
        total(&r),
        None,
        "an answer that is not an option scores nothing"
    );
}

#[test]
fn values_outside_the_usual_range_warn_and_impossible_ones_are_errors() {
    let items = form();
    let index = FormIndex::new(&items);
    let problems = |t: f64| {
        let mut r = base();
        r.insert(key("vitals/temp"), vec![V::Decimal(t)]);
        evaluate(&index, &r)
            .problems
            .into_iter()
            .map(|(_, p)| (p.severity, p.message))
            .collect::<Vec<_>>()
    };
    assert_eq!(problems(37.0), vec![]);
    assert_eq!(
        problems(39.5),
        vec![(
            Severity::Warning,
            "Unusually high: the usual range is 35.5–38 °C. Check the value.".into()
        )]
    );
    assert_eq!(problems(34.0)[0].0, Severity::Warning);
    assert_eq!(
        problems(50.0),
        vec![(Severity::Error, "Must be at most 45.".into())]
    );
}

#[test]
fn initial_values_fill_a_new_response() {
    let items = form();
    let r = initial_response(&FormIndex::new(&items));
    assert_eq!(
        r.get(&key("visit/kind")),
        Some(&vec![V::String("routine".into())])
    );
    assert_eq!(r.len(), 1);
}
