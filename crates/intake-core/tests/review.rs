//! What changed since the last visit: questions (with the relative change of numbers),
//! lists (rows added, stopped, changed, unchanged, matched by what they are about), and
//! no earlier visit at all. Carried content (policy confirm/always) changes; findings
//! (never carried) read against their last value, and one left blank was not asked.

use intake_core::questionnaire::response::{Key, Response};
use intake_core::questionnaire::{import, AnswerValue, Coding, Questionnaire};
use intake_core::review::{diff, Change, Earlier, Kind};
use serde_json::json;

fn form() -> Questionnaire {
    let confirm = json!([{ "url": "http://intake-desk.org/fhir/StructureDefinition/carry-forward",
                           "valueCode": "confirm" }]);
    let always = json!([{ "url": "http://intake-desk.org/fhir/StructureDefinition/carry-forward",
                          "valueCode": "always" }]);
    let q = json!({ "resourceType": "Questionnaire", "status": "active", "item": [
        { "linkId": "weight", "text": "Weight", "type": "decimal",
          "extension": [{ "url": "http://hl7.org/fhir/StructureDefinition/questionnaire-unit",
                          "valueCoding": { "code": "kg", "display": "kg" } }] },
        { "linkId": "pulse", "text": "Pulse", "type": "integer" },
        { "linkId": "tobacco", "text": "Tobacco", "type": "choice", "extension": confirm, "answerOption": [
            { "valueCoding": { "code": "current", "display": "Current" } },
            { "valueCoding": { "code": "former", "display": "Former" } }] },
        { "linkId": "occupation", "text": "Occupation", "type": "string", "extension": confirm },
        // The policy of a group applies to what it holds.
        { "linkId": "insurance", "type": "group", "extension": always, "item": [
            { "linkId": "insurer", "text": "Insurer", "type": "string" }] },
        { "linkId": "mood", "text": "Feeling down", "type": "string" },
        { "linkId": "medication", "text": "Medication", "type": "group", "repeats": true,
          "extension": confirm, "item": [
            { "linkId": "med-dose", "text": "Dose", "type": "decimal" },
            { "linkId": "med-name", "text": "Medication", "type": "string", "required": true }] }
    ]});
    import(q.to_string().as_bytes()).unwrap().0
}

fn earlier(response: &Response) -> Option<Earlier<'_>> {
    Some(Earlier {
        response,
        date: chrono::NaiveDate::from_ymd_opt(2026, 10, 5).unwrap(),
        written_as: Default::default(),
    })
}

fn response(list: &[(&str, Vec<AnswerValue>)]) -> Response {
    list.iter()
        .map(|(k, v)| (k.parse::<Key>().unwrap(), v.clone()))
        .collect()
}

fn text(s: &str) -> AnswerValue {
    AnswerValue::String(s.into())
}

fn coding(code: &str, display: &str) -> AnswerValue {
    AnswerValue::Coding(Coding {
        system: None,
        code: Some(code.into()),
        display: Some(display.into()),
    })
}

fn med(row: u32, name: &str, dose: f64) -> Vec<(String, Vec<AnswerValue>)> {
    vec![
        (format!("medication[{row}]"), vec![]),
        (format!("medication[{row}]/med-name"), vec![text(name)]),
        (
            format!("medication[{row}]/med-dose"),
            vec![AnswerValue::Decimal(dose)],
        ),
    ]
}

fn with_meds(mut base: Vec<(String, Vec<AnswerValue>)>, meds: &[(u32, &str, f64)]) -> Response {
    for (row, name, dose) in meds {
        base.extend(med(*row, name, *dose));
    }
    base.iter()
        .map(|(k, v)| (k.parse::<Key>().unwrap(), v.clone()))
        .collect()
}

#[test]
fn questions_show_old_and_new_with_the_relative_change_of_numbers() {
    let before = response(&[
        ("weight", vec![AnswerValue::Decimal(82.0)]),
        ("pulse", vec![AnswerValue::Integer(72)]),
        ("tobacco", vec![coding("current", "Current")]),
        ("insurance/insurer", vec![text("Mutual")]),
        ("mood", vec![text("Not at all")]),
    ]);
    let after = response(&[
        ("weight", vec![AnswerValue::Decimal(76.0)]),
        // The same answer, written as another number type or with another display.
        ("pulse", vec![AnswerValue::Decimal(72.0)]),
        ("tobacco", vec![coding("former", "Former")]),
        ("occupation", vec![text("Teacher")]),
    ]);
    let d = diff(&form(), earlier(&before), &after);
    assert!(d.previous);
    let get = |id: &str| d.questions.iter().find(|q| q.link_id == id).unwrap();
    // A finding (never carried) reads plainly, with the last value as context.
    let weight = get("weight");
    assert_eq!(
        (weight.kind, weight.change),
        (Kind::Finding, Change::Changed)
    );
    assert!((weight.relative.unwrap() + 0.0732).abs() < 0.0001);
    assert_eq!(weight.text, "Weight 76 kg · last 82 kg, 05/10/2026, −7.3 %");
    assert_eq!(
        weight.context.as_deref(),
        Some("last 82 kg, 05/10/2026, −7.3 %")
    );
    assert_eq!(get("pulse").change, Change::Unchanged);
    assert_eq!(get("pulse").text, "Pulse 72 · last 72, 05/10/2026");
    // Carried content changes.
    assert_eq!(get("tobacco").kind, Kind::Carried);
    assert_eq!(get("tobacco").text, "Tobacco Current → Former");
    assert_eq!(get("tobacco").relative, None);
    assert_eq!(
        (get("occupation").change, get("occupation").text.as_str()),
        (Change::Added, "Occupation: added Teacher")
    );
    assert_eq!(
        (get("insurer").kind, get("insurer").change),
        (Kind::Carried, Change::Removed),
        "a carried answer emptied is removed (the group's policy applies)"
    );
    // A finding left blank was not asked this visit; nothing was removed.
    let mood = get("mood");
    assert_eq!(mood.change, Change::NotAsked);
    assert_eq!(
        mood.text,
        "Feeling down: not asked this visit · last Not at all, 05/10/2026"
    );
    let changed: Vec<&str> = d.changed_questions().map(|q| q.link_id.as_str()).collect();
    assert_eq!(
        changed,
        ["weight", "tobacco", "occupation", "insurer", "mood"]
    );
    let carried: Vec<&str> = d.carried_changes().map(|q| q.link_id.as_str()).collect();
    assert_eq!(
        carried,
        ["tobacco", "occupation", "insurer"],
        "only carried content is marked changed"
    );
}

#[test]
fn lists_compare_rows_by_what_they_are_about_not_their_number() {
    let before = with_meds(
        vec![],
        &[
            (1, "Metformin", 500.0),
            (2, "Lisinopril", 10.0),
            (3, "Aspirin", 75.0),
        ],
    );
    // Rows renumbered; Metformin's dose went up, Lisinopril unchanged (written "LISINOPRIL"),
    // Aspirin stopped, Atorvastatin started.
    let after = with_meds(
        vec![],
        &[
            (1, "LISINOPRIL", 10.0),
            (2, "Atorvastatin", 20.0),
            (4, "Metformin", 1000.0),
        ],
    );
    let d = diff(&form(), earlier(&before), &after);
    assert_eq!(d.lists.len(), 1);
    let rows: Vec<(Change, &str, Option<u32>, Option<u32>)> = d.lists[0]
        .rows
        .iter()
        .map(|r| (r.change, r.label.as_str(), r.before_row, r.after_row))
        .collect();
    assert_eq!(
        rows,
        [
            (Change::Unchanged, "LISINOPRIL", Some(2), Some(1)),
            (Change::Added, "Atorvastatin", None, Some(2)),
            (Change::Changed, "Metformin", Some(1), Some(4)),
            (Change::Removed, "Aspirin", Some(3), None),
        ]
    );
    let metformin = &d.lists[0].rows[2];
    assert_eq!(metformin.fields.len(), 1);
    assert_eq!(metformin.fields[0].link_id, "med-dose");
    assert_eq!(
        metformin.fields[0].before,
        vec![AnswerValue::Decimal(500.0)]
    );
    assert_eq!(
        metformin.fields[0].after,
        vec![AnswerValue::Decimal(1000.0)]
    );
}

#[test]
fn without_an_earlier_visit_everything_answered_is_new() {
    let after = with_meds(
        vec![("weight".into(), vec![AnswerValue::Decimal(70.0)])],
        &[(1, "Metformin", 500.0)],
    );
    let d = diff(&form(), None, &after);
    assert!(!d.previous);
    assert_eq!(d.questions.len(), 1);
    assert_eq!(d.questions[0].change, Change::Added);
    assert_eq!(d.questions[0].relative, None);
    assert_eq!(d.lists[0].rows.len(), 1);
    assert_eq!(d.lists[0].rows[0].change, Change::Added);
    // Nothing answered either time: nothing listed.
    let empty = Response::new();
    let d = diff(&form(), earlier(&empty), &Response::new());
    assert!(d.questions.is_empty() && d.lists[0].rows.is_empty());
}
