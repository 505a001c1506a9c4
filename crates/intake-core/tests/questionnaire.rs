//! Questionnaire import: our own small forms, the real forms other projects publish
//! (`../shared/fixtures/questionnaires`), every kind of bad input, and arbitrary JSON.

use std::path::PathBuf;

use intake_core::questionnaire::{
    import, AnswerValue, CarryFrom, EnableBehavior, ImportError, Item, ItemControl, ItemOutcome,
    ItemType, Operator, MAX_BYTES,
};
use proptest::prelude::*;
use serde_json::{json, Value};

fn fixture(name: &str) -> Vec<u8> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn find<'a>(items: &'a [Item], link_id: &str) -> &'a Item {
    fn walk<'a>(items: &'a [Item], id: &str) -> Option<&'a Item> {
        items.iter().find_map(|i| {
            if i.link_id == id {
                Some(i)
            } else {
                walk(&i.items, id)
            }
        })
    }
    walk(items, link_id).unwrap_or_else(|| panic!("item {link_id}"))
}

#[test]
fn our_small_intake_form_imports_with_every_part_read() {
    let (q, report) = import(&fixture("small-intake.json")).expect("imports");
    assert_eq!(q.title.as_deref(), Some("Small intake"));
    assert_eq!(q.version.as_deref(), Some("1.0.0"));
    let weight = find(&q.items, "weight");
    assert_eq!(weight.item_type, ItemType::Decimal);
    assert_eq!(weight.min_value, Some(AnswerValue::Decimal(0.5)));
    assert_eq!(weight.max_value, Some(AnswerValue::Decimal(400.0)));
    assert_eq!(
        weight.unit.as_ref().and_then(|u| u.code.as_deref()),
        Some("kg")
    );
    assert_eq!(weight.codes[0].code.as_deref(), Some("29463-7"));
    let allergies = find(&q.items, "allergies");
    assert!(allergies.repeats);
    assert_eq!(allergies.enable_when[0].operator, Operator::NotEqual);
    assert_eq!(allergies.enable_when[0].answer, AnswerValue::Boolean(true));
    assert_eq!(allergies.enable_behavior, EnableBehavior::All);
    let severity = find(&q.items, "severity");
    assert_eq!(
        severity.answer_options.len(),
        2,
        "the contained ValueSet is resolved"
    );
    assert_eq!(severity.item_control, Some(ItemControl::RadioButton));
    let phq = find(&q.items, "phq-1");
    assert_eq!(
        phq.answer_options[1].weight,
        Some(3.0),
        "ordinalValue kept for scores"
    );
    assert_eq!(
        find(&q.items, "nka").initial,
        vec![AnswerValue::Boolean(false)]
    );
    assert_eq!(find(&q.items, "reason").max_length, Some(500));

    let outcome = |id: &str| {
        report
            .items
            .iter()
            .find(|r| r.link_id == id)
            .unwrap()
            .outcome
            .clone()
    };
    assert_eq!(outcome("weight"), ItemOutcome::Supported);
    assert!(matches!(outcome("bmi"), ItemOutcome::Degraded(r) if r[0].contains("not evaluated")));
    assert!(matches!(outcome("photo"), ItemOutcome::Degraded(r) if r[0].contains("attachments")));
    assert!(matches!(outcome("future"), ItemOutcome::Degraded(r) if r[0].contains("hologram")));
    assert!(matches!(outcome("secret"), ItemOutcome::Ignored(_)));
    assert_eq!(
        report.items.len(),
        12,
        "one report line per item, nested ones too"
    );
    assert_eq!(
        report.summary(),
        "12 items: 8 supported, 3 degraded, 1 ignored."
    );
}

fn count_items(v: &Value) -> usize {
    v.get("item")
        .and_then(Value::as_array)
        .map(|items| items.iter().map(|i| 1 + count_items(i)).sum())
        .unwrap_or(0)
}

/// Every real form from other projects imports, with one report line per item.
#[test]
fn every_shared_fixture_imports_with_a_report() {
    let dir =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/fixtures/questionnaires");
    let Ok(entries) = std::fs::read_dir(&dir) else {
        eprintln!(
            "SKIPPED: {} is not there; the conformance suite needs ../shared beside the repo",
            dir.display()
        );
        return;
    };
    let mut files: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    files.sort();
    assert!(
        files.len() >= 11,
        "all eleven fixtures are found ({})",
        files.len()
    );
    for path in files {
        let bytes = std::fs::read(&path).unwrap();
        let raw: Value = serde_json::from_slice(&bytes).unwrap();
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        let (q, report) = import(&bytes).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(
            report.items.len(),
            count_items(&raw),
            "{name}: a line per item"
        );
        assert!(!q.items.is_empty(), "{name}: items");
        println!("{name}: {}", report.summary());
    }
}

fn err(value: Value) -> ImportError {
    import(value.to_string().as_bytes()).expect_err("must be refused")
}

fn q(items: Value) -> Value {
    json!({ "resourceType": "Questionnaire", "status": "active", "item": items })
}

#[test]
fn files_that_are_not_forms_get_clear_errors() {
    assert!(matches!(
        import(b"not json at all"),
        Err(ImportError::NotJson(_))
    ));
    assert!(matches!(import(b""), Err(ImportError::NotJson(_))));
    let patient = err(json!({ "resourceType": "Patient" }));
    assert!(patient.to_string().contains("\"Patient\""), "{patient}");
    assert!(matches!(
        err(json!([1, 2])),
        ImportError::NotQuestionnaire(_)
    ));
    let big = vec![b' '; MAX_BYTES + 1];
    let too_large = import(&big).unwrap_err();
    assert!(too_large.to_string().contains("5 MB"), "{too_large}");
}

#[test]
fn structural_problems_name_the_item() {
    let dup = err(q(
        json!([{ "linkId": "a", "type": "string" }, { "linkId": "a", "type": "string" }]),
    ));
    assert_eq!(dup, ImportError::DuplicateLinkId("a".into()));
    let missing = err(q(json!([{ "linkId": "a", "type": "string",
        "enableWhen": [{ "question": "ghost", "operator": "exists", "answerBoolean": true }] }])));
    assert!(
        missing.to_string().contains("ghost") && missing.to_string().contains("\"a\""),
        "{missing}"
    );
    let cycle = err(q(json!([
        { "linkId": "a", "type": "boolean", "enableWhen": [{ "question": "b", "operator": "=", "answerBoolean": true }] },
        { "linkId": "b", "type": "boolean", "enableWhen": [{ "question": "c", "operator": "=", "answerBoolean": true }] },
        { "linkId": "c", "type": "boolean", "enableWhen": [{ "question": "a", "operator": "=", "answerBoolean": true }] }
    ])));
    assert!(
        matches!(&cycle, ImportError::EnableWhenCycle(path) if path.len() == 4),
        "{cycle}"
    );
    let self_ref = err(q(json!([{ "linkId": "a", "type": "boolean",
        "enableWhen": [{ "question": "a", "operator": "exists", "answerBoolean": true }] }])));
    assert!(matches!(self_ref, ImportError::EnableWhenCycle(_)));
    let no_link = err(q(json!([{ "type": "string" }])));
    assert!(no_link.to_string().contains("no linkId"), "{no_link}");
    let no_type = err(q(json!([{ "linkId": "x" }])));
    assert!(
        no_type.to_string().contains("\"x\" has no type"),
        "{no_type}"
    );
}

/// Found by fuzzing (`fuzz/corpus/questionnaire_import/enable-when-cycle.json`): the
/// circle was named from wherever a hash map's order started, so importing the same file
/// twice could say "b → a → b" and then "a → b → a".
#[test]
fn a_circle_is_named_the_same_way_every_time_from_the_first_item_in_it() {
    let form = q(json!([
        { "linkId": "a", "type": "string", "enableWhen": [{ "question": "b", "operator": "exists", "answerBoolean": true }] },
        { "linkId": "b", "type": "string", "enableWhen": [{ "question": "a", "operator": "exists", "answerBoolean": true }] }
    ]));
    for _ in 0..20 {
        assert_eq!(
            err(form.clone()),
            ImportError::EnableWhenCycle(vec!["a".into(), "b".into(), "a".into()]),
            "the circle starts at its first item in form order"
        );
    }
}

fn nested(depth: usize) -> Value {
    let mut item = json!({ "linkId": format!("l{depth}"), "type": "string" });
    for d in (1..depth).rev() {
        item = json!({ "linkId": format!("l{d}"), "type": "group", "item": [item] });
    }
    q(json!([item]))
}

#[test]
fn deep_nesting_and_long_option_lists() {
    let (_, report) = import(nested(50).to_string().as_bytes()).expect("50 levels import");
    assert_eq!(report.items.len(), 50);
    assert_eq!(err(nested(61)), ImportError::TooDeep, "past our limit");
    assert_eq!(
        err(nested(200)),
        ImportError::TooDeep,
        "past the JSON reader's limit"
    );
    let options: Vec<Value> = (0..10_000)
        .map(|i| json!({ "valueString": format!("option {i}") }))
        .collect();
    let (form, _) = import(
        q(json!([{ "linkId": "big", "type": "choice", "answerOption": options }]))
            .to_string()
            .as_bytes(),
    )
    .expect("10,000 options import");
    assert_eq!(form.items[0].answer_options.len(), 10_000);
}

fn arbitrary_json() -> impl Strategy<Value = Value> {
    let keys = prop::sample::select(vec![
        "resourceType",
        "item",
        "linkId",
        "type",
        "enableWhen",
        "question",
        "operator",
        "answerBoolean",
        "answerCoding",
        "answerOption",
        "valueCoding",
        "valueString",
        "initial",
        "extension",
        "url",
        "valueDecimal",
        "contained",
        "answerValueSet",
        "required",
        "repeats",
        "maxLength",
        "code",
    ]);
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(|n| json!(n)),
        any::<f64>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(|f| json!(f)),
        prop::sample::select(vec![
            "Questionnaire",
            "group",
            "choice",
            "=",
            "exists",
            "#vs",
            "a",
            "",
            "string"
        ])
        .prop_map(|s| json!(s)),
    ];
    leaf.prop_recursive(6, 200, 8, move |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::btree_map(keys.clone(), inner, 0..6).prop_map(|m| Value::Object(
                m.into_iter().map(|(k, v)| (k.to_string(), v)).collect()
            )),
        ]
    })
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 2000,
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    /// Whatever JSON comes in, import answers with a form or an error, never a panic.
    #[test]
    fn import_never_panics(value in arbitrary_json(), force_questionnaire in any::<bool>()) {
        let mut value = value;
        if force_questionnaire {
            if let Some(obj) = value.as_object_mut() {
                obj.insert("resourceType".into(), json!("Questionnaire"));
            }
        }
        let _ = import(value.to_string().as_bytes());
    }

    #[test]
    fn import_never_panics_on_bytes(bytes in prop::collection::vec(any::<u8>(), 0..512)) {
        let _ = import(&bytes);
    }
}

/// Version 2 of the built-in form imports with every item supported: its vitals marked
/// for Observation extraction, its yes/no questions naming the version-1 items they
/// replace, blood pressure as the LOINC panel and the sections coded.
#[test]
fn the_built_in_form_version_2_imports_clean_with_its_fhir_marks_read() {
    let bytes = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../intake-api/forms/general-adult-intake-v2.json"
    ))
    .expect("the version-2 form file");
    let (q, report) = import(&bytes).expect("version 2 imports");
    assert_eq!(q.version.as_deref(), Some("2"));
    let not_supported: Vec<_> = report
        .items
        .iter()
        .filter(|r| r.outcome != ItemOutcome::Supported)
        .collect();
    assert!(
        not_supported.is_empty() && report.notes.is_empty(),
        "every item is supported, no notes: {not_supported:?} {:?}",
        report.notes
    );
    let code = |id: &str| {
        find(&q.items, id)
            .codes
            .iter()
            .map(|c| c.code.clone().unwrap_or_default())
            .collect::<Vec<_>>()
    };
    assert_eq!(code("bp"), ["85354-9"]);
    assert_eq!(
        find(&q.items, "bp")
            .items
            .iter()
            .map(|i| (i.link_id.as_str(), code(&i.link_id)[0].clone()))
            .collect::<Vec<_>>(),
        [
            ("systolic", "8480-6".to_string()),
            ("diastolic", "8462-4".to_string())
        ],
        "the panel holds the coded systolic and diastolic items"
    );
    for (id, loinc) in [
        ("allergies", "48765-2"),
        ("medications", "10160-0"),
        ("pmh", "11348-0"),
        ("psh", "47519-4"),
        ("fh", "10157-6"),
    ] {
        assert_eq!(code(id), [loinc], "{id} carries its LOINC section code");
    }
    for id in [
        "height",
        "weight",
        "bmi",
        "temperature",
        "pulse",
        "systolic",
        "diastolic",
        "spo2",
        "respiratory-rate",
    ] {
        assert!(
            find(&q.items, id).observation_extract,
            "{id} is marked for Observation extraction"
        );
    }
    assert!(!find(&q.items, "reason").observation_extract);
    for (id, earlier, rows) in [
        ("any-allergies", "nka", "allergy"),
        ("any-medications", "no-medications", "medication"),
    ] {
        let item = find(&q.items, id);
        assert!(item.required, "{id} must be answered at every visit");
        assert_eq!(
            item.carry_forward_from,
            Some(CarryFrom {
                link_id: earlier.into(),
                inverted: true
            }),
            "{id} takes {earlier}'s answer turned round"
        );
        let list = find(&q.items, rows);
        assert!(list.required, "{rows}: a yes needs at least one row");
        assert_eq!(
            (
                list.enable_when[0].question.as_str(),
                list.enable_when[0].operator,
                &list.enable_when[0].answer
            ),
            (id, Operator::Equal, &AnswerValue::Boolean(true)),
            "{rows} opens when {id} is yes"
        );
    }
}

#[test]
fn a_carry_forward_from_that_cannot_be_read_degrades_its_item_by_name() {
    let base = "http://intake-desk.org/fhir/StructureDefinition/";
    let form = q(json!([
        { "linkId": "a", "type": "boolean", "extension": [{ "url": format!("{base}carry-forward-from"), "extension": [] }] },
        { "linkId": "b", "type": "string", "extension": [{ "url": format!("{base}carry-forward-from"), "extension": [
            { "url": "linkId", "valueString": "old" }, { "url": "inverted", "valueBoolean": true }] }] },
        { "linkId": "c", "type": "integer", "extension": [
            { "url": "http://hl7.org/fhir/uv/sdc/StructureDefinition/sdc-questionnaire-observationExtract", "valueString": "yes" }] }
    ]));
    let (q, report) = import(form.to_string().as_bytes()).expect("imports");
    for (id, words) in [
        ("a", "names no linkId"),
        ("b", "not yes/no"),
        ("c", "observationExtract"),
    ] {
        let r = report.items.iter().find(|r| r.link_id == id).unwrap();
        assert!(
            matches!(&r.outcome, ItemOutcome::Degraded(why) if why.iter().any(|w| w.contains(words))),
            "{id} is degraded saying {words:?}: {:?}",
            r.outcome
        );
    }
    assert!(find(&q.items, "b").carry_forward_from.is_none());
}
