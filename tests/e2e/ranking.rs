//! A review that ranks, in the real window: Łukasz Kowalski's repeat visit (the demo's,
//! his last visit 62 days ago at 89 kg) with new vitals and a new reason, and Metformin
//! raised from 500 to 1000 mg. The physician sees at most two "Changed" marks (the
//! Metformin row), the Metformin change and the −12.9 % weight first and flagged, the
//! new vitals and reason read plainly against their last values, and where carried
//! answers came from once per section, its details on keyboard focus.

use intake_api::wire::{ChangeDto, ConfirmDto};
use intake_api::Caller;
use intake_demo::visits::LUKASZ_METFORMIN;
use serde_json::{json, Value};

use crate::harness::{api, demo_data, Session, ENTER};

/// Łukasz's repeat visit, entered and submitted by the demo nurse through the API;
/// returns its encounter id.
fn lukasz_repeat_visit(data: &std::path::Path) -> i64 {
    let api = api(data);
    let found = api
        .search_patients(Caller::Cli("e2e"), "kowalski lukasz")
        .unwrap();
    let lukasz = found
        .patients
        .iter()
        .find(|p| p.family == "Kowalski")
        .expect("the demo patient Łukasz Kowalski")
        .id;
    let token = api.sign_in("nurse", "demo").unwrap().token;
    let nurse = Caller::Session(&token);
    let e = api.start_intake(nurse, lukasz, None, None).unwrap();
    let intake = api.open_intake(nurse, e.id).unwrap();
    // The nurse confirms what was carried, as she would section by section.
    let waiting: Vec<ConfirmDto> = intake
        .answers
        .iter()
        .filter(|a| a.needs_confirmation && a.confirmed_by.is_none())
        .map(|a| serde_json::from_value(json!({ "key": a.key, "baseRev": a.rev })).unwrap())
        .collect();
    api.confirm_intake(nurse, e.id, &waiting).unwrap();
    let intake = api.open_intake(nurse, e.id).unwrap();
    let metformin_row = intake
        .answers
        .iter()
        .find(|a| {
            a.key.ends_with("/med-name")
                && a.values == [json!({ "valueString": LUKASZ_METFORMIN.name })]
        })
        .map(|a| a.key.trim_end_matches("/med-name").to_string())
        .expect("Metformin is carried from his last visit");
    let rev = |key: &str| {
        intake
            .answers
            .iter()
            .find(|a| a.key == key)
            .map_or(0, |a| a.rev)
    };
    let change = |key: &str, values: Value| -> ChangeDto {
        serde_json::from_value(json!({ "key": key, "values": values, "baseRev": rev(key) }))
            .unwrap()
    };
    // 89 kg → 77.5 kg is −12.9 %; every other vital within the rules' limits.
    let changes = [
        change(
            "visit/reason",
            json!([{ "valueString": "Tiredness and weight loss" }]),
        ),
        change("vitals/height", json!([{ "valueDecimal": 178 }])),
        change("vitals/weight", json!([{ "valueDecimal": 77.5 }])),
        change("vitals/temperature", json!([{ "valueDecimal": 36.7 }])),
        change("vitals/pulse", json!([{ "valueInteger": 76 }])),
        change("vitals/bp/systolic", json!([{ "valueInteger": 128 }])),
        change("vitals/bp/diastolic", json!([{ "valueInteger": 82 }])),
        change("vitals/spo2", json!([{ "valueInteger": 98 }])),
        change("vitals/respiratory-rate", json!([{ "valueInteger": 14 }])),
        change(
            &format!("{metformin_row}/med-dose"),
            json!([{ "valueDecimal": 1000 }]),
        ),
    ];
    api.save_intake(nurse, e.id, &changes, None).unwrap();
    let done = api.submit_intake(nurse, e.id).unwrap();
    assert!(done.submitted, "the visit submits: {:?}", done.problems);
    e.id
}

async fn script(s: &Session, code: &str) -> Value {
    s.client.execute(code, vec![]).await.unwrap()
}

#[tokio::test]
async fn a_repeat_visit_leads_with_the_metformin_change_and_the_weight_loss() {
    let data = demo_data();
    let id = lukasz_repeat_visit(data.path());
    let s = Session::start("ranking", data).await;
    s.type_into("#sign-in-username", "physician").await;
    s.type_into("#sign-in-password", &format!("demo{ENTER}"))
        .await;
    s.find("#home").await;
    let go = format!("location.hash = '#/review/{id}';");
    script(&s, &go).await;
    s.wait_for_text("#review-patient", "Kowalski").await;
    s.wait_for_text("#review-notable", "Metformin").await;

    // The first two notable findings: the Metformin change, then the weight.
    let notable = script(
        &s,
        "return [...document.querySelectorAll('#review-notable > li')].map((li) => ({ \
           text: li.textContent, flagged: !!li.querySelector('.rv-badge-notable') }));",
    )
    .await;
    let notable = notable.as_array().cloned().unwrap_or_default();
    assert!(
        notable.len() >= 2,
        "at least two notable findings: {notable:?}"
    );
    let text = |i: usize| notable[i]["text"].as_str().unwrap_or_default().to_string();
    assert!(
        text(0).contains("Metformin") && text(0).contains("500 → 1000"),
        "the Metformin change comes first: {}",
        text(0)
    );
    assert!(
        text(1).contains("Weight 77.5 kg")
            && text(1).contains("last 89 kg")
            && text(1).contains("−12.9 % in 8 weeks (rule: ≥ 5 % within 6 months)"),
        "the weight loss comes second, with its rule: {}",
        text(1)
    );
    assert!(
        notable[0]["flagged"] == json!(true) && notable[1]["flagged"] == json!(true),
        "both are flagged Notable: {notable:?}"
    );
    let changes_first = s
        .find("#review-changes-notable > li:first-child")
        .await
        .text()
        .await
        .unwrap();
    assert!(
        changes_first.contains("Metformin"),
        "\"Changes since last visit\" leads with it too: {changes_first}"
    );

    // At most two "Changed" marks in the whole review: the reason and the vitals are
    // this visit's findings, not changes.
    let marks = script(
        &s,
        "return [...document.querySelectorAll('.rv-badge-changed')] \
           .filter((b) => b.offsetParent !== null && b.textContent.trim() === 'Changed').length;",
    )
    .await;
    let marks = marks.as_u64().unwrap_or(u64::MAX);
    assert!(
        (1..=2).contains(&marks),
        "one or two Changed marks (the Metformin row), found {marks}"
    );
    let reason = s.find("#review-record tr[data-link-id=\"reason\"]").await;
    let reason_class = reason.attr("class").await.unwrap().unwrap_or_default();
    assert!(
        !reason_class.contains("rv-changed"),
        "a new reason is not a change: {reason_class}"
    );
    let pulse = s
        .wait_for_text("#review-record tr[data-link-id=\"pulse\"]", "last 70")
        .await;
    assert!(
        pulse.contains("76") && !pulse.contains("Changed"),
        "a vital reads against its last value, unmarked: {pulse}"
    );
    let weight = s
        .wait_for_text(
            "#review-record tr.rv-notable[data-link-id=\"weight\"]",
            "77.5 kg",
        )
        .await;
    assert!(
        weight.contains("last 89 kg") && weight.contains("−12.9 %"),
        "the weight row: {weight}"
    );
    let metformin = s
        .wait_for_text("#review-record tr.rv-list-row.rv-notable", "Metformin")
        .await;
    assert!(
        metformin.contains("1000") && metformin.contains("was 500"),
        "the Metformin row shows the new dose and the old one: {metformin}"
    );
    s.screenshot("ranking-top").await;

    // Provenance: once per section, its details on keyboard focus (not only on hover).
    let per_section = script(
        &s,
        "return document.querySelectorAll('#review-record .rv-section-from .rv-prov-tag').length;",
    )
    .await;
    assert!(
        per_section.as_u64().unwrap_or_default() >= 1,
        "a section of carried answers names where they came from once"
    );
    let tip = script(
        &s,
        "const tag = document.querySelector('#review-record .rv-section-from .rv-prov-tag'); \
         tag.scrollIntoView({ block: 'center' }); tag.focus(); \
         const tip = document.getElementById(tag.getAttribute('aria-describedby')); \
         return { shown: getComputedStyle(tip).display !== 'none', text: tip.textContent };",
    )
    .await;
    assert_eq!(
        tip["shown"],
        json!(true),
        "the details show on focus: {tip}"
    );
    assert!(
        tip["text"]
            .as_str()
            .unwrap_or_default()
            .contains("Entered by"),
        "the details say who entered it: {tip}"
    );
    s.screenshot("ranking-provenance").await;
    let scroll = "document.querySelector('#review-record tr.rv-list-row.rv-notable').scrollIntoView({ block: 'center' });";
    script(&s, scroll).await;
    s.screenshot("ranking-medications").await;
    s.finish().await;
}

#[tokio::test]
async fn an_admin_changes_a_review_threshold_in_settings_and_it_is_audited() {
    let s = Session::start("ranking-settings", demo_data()).await;
    s.type_into("#sign-in-username", "admin").await;
    s.type_into("#sign-in-password", &format!("demo{ENTER}"))
        .await;
    s.click("#nav a[data-section=\"settings\"]").await;
    s.wait_for_value("#settings-weight-change", "5").await;
    assert_eq!(s.value_of("#settings-weight-change-days").await, "183");
    assert!(s.is_checked("#settings-medication-changes").await);

    // A bad number is refused at its field and nothing is saved.
    s.set_value("#settings-spo2", "120").await;
    s.click("#settings-submit").await;
    s.wait_for_text("#settings-spo2-field-error", "from 50 to 100")
        .await;
    s.screenshot("ranking-settings-refused").await;
    let stored = api(s.data.path()).get_settings(Caller::Cli("e2e")).unwrap();
    assert_eq!(
        stored.review_thresholds.spo2_below,
        Some(94.0),
        "nothing saved"
    );

    s.set_value("#settings-spo2", "92").await;
    s.set_value("#settings-weight-change", "7.5").await;
    s.click("#settings-submit").await;
    s.wait_for_text("#settings-notice", "saved").await;
    s.screenshot("ranking-settings").await;
    let api = api(s.data.path());
    let stored = api.get_settings(Caller::Cli("e2e")).unwrap();
    assert_eq!(stored.review_thresholds.spo2_below, Some(92.0));
    assert_eq!(stored.review_thresholds.weight_change, Some(7.5));
    let entry = api
        .list_audit(Caller::Cli("e2e"), &Default::default())
        .unwrap()
        .into_iter()
        .find(|e| e.action == "settings.changed")
        .expect("the change is audited");
    assert_eq!(entry.actor, "admin");
    assert_eq!(
        (
            &entry.detail["before"]["reviewThresholds"]["spo2Below"],
            &entry.detail["after"]["reviewThresholds"]["spo2Below"]
        ),
        (&json!(94.0), &json!(92.0)),
        "with what it was and what it became: {}",
        entry.detail
    );
    s.finish().await;
}
