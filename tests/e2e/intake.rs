//! The intake screen in the real window: a keyboard-only intake, a blocked submission
//! whose problems lead to their fields, and a draft that survives the app being killed.

use intake_api::Caller;
use serde_json::{json, Value};

use crate::harness::{
    answer_dialogs_with, api, demo_data, Session, ALT, CONTROL, ENTER, RELEASE, SHIFT, TAB,
};

/// Signs in as the demo nurse, finds Zoë Núñez and starts an intake with Alt+I.
pub(crate) async fn start_intake_for_zoe(s: &Session) {
    s.type_into("#sign-in-username", "nurse").await;
    s.type_into("#sign-in-password", &format!("demo{ENTER}"))
        .await;
    s.find("#home").await;
    s.click("#nav a[data-section=\"patients\"]").await;
    s.type_into("#patient-search", "zoe").await;
    s.wait_for_text("#patient-results", "Núñez").await;
    s.press(ENTER).await;
    s.wait_for_text("#patient-name", "Zoë").await;
    s.find("#start-intake:not([disabled])").await;
    s.press(&format!("{ALT}i{RELEASE}")).await;
    s.wait_for_text("#intake-saved", "All changes saved").await;
    s.wait_for_focus("q-visit_reason").await;
}

/// Zoë Núñez's patient id (a demo patient with no earlier visits).
fn zoe(s: &Session) -> i64 {
    let found = api(s.data.path())
        .search_patients(Caller::Cli("e2e"), "zoe nunez")
        .unwrap();
    let zoe = found.patients.iter().find(|p| p.family == "Núñez");
    zoe.expect("Zoë Núñez among the demo patients").id
}

/// The answers of Zoë's only intake, by key.
pub(crate) fn stored_answers(s: &Session) -> (String, Vec<(String, Value, String)>) {
    let api = api(s.data.path());
    let list = api
        .list_encounters(Caller::Cli("e2e"), Some(zoe(s)), None)
        .unwrap();
    assert_eq!(list.len(), 1, "one intake");
    let detail = api
        .encounter_detail(Caller::Cli("e2e"), list[0].id)
        .unwrap();
    let answers = detail
        .answers
        .iter()
        .map(|a| {
            let value = a.values.first().cloned().unwrap_or(Value::Null);
            (a.key.clone(), value, a.source.clone())
        })
        .collect();
    (detail.encounter.status, answers)
}

pub(crate) fn answer<'a>(answers: &'a [(String, Value, String)], key: &str) -> &'a Value {
    &answers
        .iter()
        .find(|(k, _, _)| k == key)
        .unwrap_or_else(|| panic!("{key} was not saved: {answers:?}"))
        .1
}

#[tokio::test]
async fn a_nurse_fills_and_submits_an_intake_with_the_keyboard_only() {
    let s = Session::start("intake-keyboard", demo_data()).await;
    start_intake_for_zoe(&s).await;
    s.screenshot("intake").await;
    // Reason for visit; Tab leaves the multi-line box; "f" picks Follow-up.
    s.press("Cough for two weeks").await;
    // Ctrl+S saves at once; the header says when.
    s.press(&format!("{CONTROL}s{RELEASE}")).await;
    s.wait_for_text("#intake-saved", "Saved ").await;
    assert_eq!(
        answer(&stored_answers(&s).1, "visit/reason"),
        &json!({ "valueString": "Cough for two weeks" })
    );
    s.press(&format!("{TAB}f")).await;
    s.wait_for_focus("q-visit_visit-type--1").await;
    // Shift+Tab goes back, Tab forward again.
    s.press(&format!("{SHIFT}{TAB}{RELEASE}")).await;
    s.wait_for_focus("q-visit_reason").await;
    s.press(&format!("{TAB}{ENTER}")).await;
    // Enter after the last field of a section opens the next one: Vitals. BMI is
    // calculated, so Enter skips it.
    s.wait_for_focus("q-vitals_height").await;
    s.press(&format!("172{ENTER}81.5{ENTER}")).await;
    s.wait_for_focus("q-vitals_temperature").await;
    s.wait_for_value("#q-vitals_bmi", "27.5").await;
    s.screenshot("intake-vitals").await;
    s.press(&format!(
        "37.2{ENTER}72{ENTER}128{ENTER}82{ENTER}98{ENTER}16{ENTER}2{ENTER}"
    ))
    .await;
    // Allergies: "Any known allergies?" is answered Yes, which opens the list; Alt+A
    // adds a row and puts the cursor in it.
    s.wait_for_focus("q-allergies_any-allergies").await;
    s.press("y").await;
    s.wait_for_text("#intake-section-body", "Add allergy").await;
    s.press(&format!("{ALT}a{RELEASE}")).await;
    s.wait_for_focus("q-allergies_allergy_1__allergy-substance")
        .await;
    s.press(&format!("Penicillin{ENTER}Hives{ENTER}mi{ENTER}"))
        .await;
    s.screenshot("intake-allergies").await;
    // Medications are answered at every visit too: none.
    s.press(&format!("{ALT}4{RELEASE}")).await;
    s.wait_for_focus("q-medications_any-medications").await;
    s.press("n").await;
    // Ctrl+Enter submits: every change is saved first.
    s.press(&format!("{CONTROL}{ENTER}{RELEASE}")).await;
    s.wait_for_text("#intake-readonly", "Submitted on").await;
    s.wait_for_text("#intake-status", "Submitted").await;
    s.screenshot("intake-submitted").await;
    // "?" (away from a text box) shows the shortcuts, and again hides them.
    s.press("?").await;
    s.wait_for_text("#intake-shortcuts", "Ctrl+Enter").await;
    s.press("?").await;
    s.find("#intake-shortcuts[hidden]").await;
    // Back to the allergies (the nurse submitted from the medications).
    s.press(&format!("{ALT}3{RELEASE}")).await;
    let substance = s.find("#q-allergies_allergy_1__allergy-substance").await;
    assert_eq!(
        substance.attr("readonly").await.unwrap().as_deref(),
        Some("true"),
        "a submitted intake is read-only"
    );

    let (status, answers) = stored_answers(&s);
    assert_eq!(status, "submitted");
    assert_eq!(
        answer(&answers, "visit/reason"),
        &json!({ "valueString": "Cough for two weeks" })
    );
    assert_eq!(
        answer(&answers, "visit/visit-type")["valueCoding"]["code"],
        "follow-up"
    );
    assert_eq!(
        answer(&answers, "vitals/height"),
        &json!({ "valueDecimal": 172.0 })
    );
    assert_eq!(
        answer(&answers, "vitals/weight"),
        &json!({ "valueDecimal": 81.5 })
    );
    assert_eq!(
        answer(&answers, "vitals/bmi"),
        &json!({ "valueDecimal": 27.5 })
    );
    assert_eq!(
        answer(&answers, "vitals/temperature"),
        &json!({ "valueDecimal": 37.2 })
    );
    for (key, n) in [
        ("vitals/pulse", 72),
        ("vitals/bp/systolic", 128),
        ("vitals/bp/diastolic", 82),
        ("vitals/spo2", 98),
        ("vitals/respiratory-rate", 16),
        ("vitals/pain", 2),
    ] {
        assert_eq!(
            answer(&answers, key),
            &json!({ "valueInteger": n }),
            "{key}"
        );
    }
    assert_eq!(
        answer(&answers, "allergies/any-allergies"),
        &json!({ "valueBoolean": true })
    );
    assert_eq!(
        answer(&answers, "medications/any-medications"),
        &json!({ "valueBoolean": false })
    );
    assert_eq!(
        answer(&answers, "allergies/allergy[1]/allergy-substance"),
        &json!({ "valueString": "Penicillin" })
    );
    assert_eq!(
        answer(&answers, "allergies/allergy[1]/allergy-reaction"),
        &json!({ "valueString": "Hives" })
    );
    assert_eq!(
        answer(&answers, "allergies/allergy[1]/allergy-severity")["valueCoding"]["code"],
        "mild"
    );
    let bmi_source = &answers
        .iter()
        .find(|(k, _, _)| k == "vitals/bmi")
        .unwrap()
        .2;
    assert_eq!(bmi_source, "calculated");
    s.finish().await;
}

#[tokio::test]
async fn a_blocked_submission_lists_its_problems_and_enter_leads_to_each_field() {
    let s = Session::start("intake-blocked", demo_data()).await;
    start_intake_for_zoe(&s).await;
    // Straight to Vitals (Alt+2): an impossible temperature, no reason for visit.
    s.press(&format!("{ALT}2{RELEASE}")).await;
    s.wait_for_focus("q-vitals_height").await;
    s.press(&format!("{ENTER}{ENTER}55{ENTER}")).await;
    s.press(&format!("{CONTROL}{ENTER}{RELEASE}")).await;
    let listed = s.wait_for_text("#intake-problems", "4 problems").await;
    assert!(
        listed.contains("Reason for visit") && listed.contains("required"),
        "{listed}"
    );
    // A first visit must say whether there are allergies and medications.
    assert!(
        listed.contains("Any known allergies?") && listed.contains("Takes any medications?"),
        "the unanswered allergy and medication questions are named: {listed}"
    );
    assert!(
        listed.contains("Temperature") && listed.contains("at most 45"),
        "{listed}"
    );
    s.screenshot("intake-blocked").await;
    let focused = s
        .client
        .execute(
            "return document.activeElement.className + ' ' + document.activeElement.textContent;",
            vec![],
        )
        .await
        .unwrap();
    let focused = focused.as_str().unwrap_or_default();
    assert!(
        focused.starts_with("problem-link Reason for visit"),
        "the first problem has focus, not {focused:?}"
    );
    s.press(ENTER).await;
    s.wait_for_focus("q-visit_reason").await;
    s.press(&format!("Dizzy spells{CONTROL}{ENTER}{RELEASE}"))
        .await;
    s.wait_for_text("#intake-problems", "3 problems").await;
    s.press(ENTER).await;
    s.wait_for_focus("q-vitals_temperature").await;
    // Select all, then type over it (one key sequence at a time, as WebKitWebDriver
    // loses characters sent in the same sequence after a released modifier).
    s.press(&format!("{CONTROL}a{RELEASE}")).await;
    s.press("37.9").await;
    s.press(&format!("{CONTROL}{ENTER}{RELEASE}")).await;
    s.wait_for_text("#intake-problems", "2 problems").await;
    s.press(ENTER).await;
    s.wait_for_focus("q-allergies_any-allergies").await;
    s.press("n").await;
    s.wait_for_checked("#q-allergies_any-allergies--1").await;
    s.press(&format!("{CONTROL}{ENTER}{RELEASE}")).await;
    s.wait_for_text("#intake-problems", "1 problem").await;
    s.press(ENTER).await;
    s.wait_for_focus("q-medications_any-medications").await;
    s.press("n").await;
    s.wait_for_checked("#q-medications_any-medications--1")
        .await;
    s.press(&format!("{CONTROL}{ENTER}{RELEASE}")).await;
    s.wait_for_text("#intake-readonly", "Submitted on").await;
    let (status, answers) = stored_answers(&s);
    assert_eq!(status, "submitted");
    assert_eq!(
        answer(&answers, "vitals/temperature"),
        &json!({ "valueDecimal": 37.9 })
    );
    assert_eq!(
        answer(&answers, "visit/reason"),
        &json!({ "valueString": "Dizzy spells" })
    );
    s.finish().await;
}

#[tokio::test]
async fn a_draft_survives_the_app_being_killed_mid_entry() {
    let s = Session::start("intake-killed", demo_data()).await;
    start_intake_for_zoe(&s).await;
    s.press(&format!("Knee pain after a fall{TAB}n")).await;
    s.press(&format!("{ALT}3{RELEASE}")).await;
    s.wait_for_focus("q-allergies_any-allergies").await;
    s.press("y").await;
    s.wait_for_text("#intake-section-body", "Add allergy").await;
    s.press(&format!("{ALT}a{RELEASE}")).await;
    s.wait_for_focus("q-allergies_allergy_1__allergy-substance")
        .await;
    s.press(&format!("Latex{ENTER}Rash{ENTER}")).await;
    s.press(&format!("{ALT}a{RELEASE}")).await;
    s.wait_for_focus("q-allergies_allergy_2__allergy-substance")
        .await;
    s.press(&format!("Peanuts{ENTER}")).await;
    s.press(&format!("{ALT}2{RELEASE}")).await;
    s.wait_for_focus("q-vitals_height").await;
    // The last value is not committed with Enter: the save after typing stops takes it.
    s.press(&format!("165{ENTER}70.2")).await;
    tokio::time::sleep(std::time::Duration::from_millis(1500)).await;
    let said = s.wait_for_text("#intake-saved", "Saved").await;
    s.screenshot("intake-before-kill").await;
    let data = s.kill_app();

    let s = Session::start("intake-reopened", data).await;
    s.type_into("#sign-in-username", "nurse").await;
    s.type_into("#sign-in-password", &format!("demo{ENTER}"))
        .await;
    s.find("#home").await;
    let (status, _) = stored_answers(&s);
    assert_eq!(status, "draft");
    let id = api(s.data.path())
        .list_encounters(Caller::Cli("e2e"), Some(zoe(&s)), None)
        .unwrap()[0]
        .id;
    s.click("#nav a[data-section=\"patients\"]").await;
    s.type_into("#patient-search", "zoe").await;
    s.wait_for_text("#patient-results", "Núñez").await;
    s.press(ENTER).await;
    s.click(&format!("#visit-{id}")).await;
    // Back in the section the nurse was in, with everything she saw saved.
    s.wait_for_text("#intake-saved", "All changes saved").await;
    s.find("#intake-section-vitals").await;
    s.screenshot("intake-reopened").await;
    assert_eq!(s.value_of("#q-vitals_height").await, "165", "after {said}");
    assert_eq!(s.value_of("#q-vitals_weight").await, "70.2");
    s.wait_for_value("#q-vitals_bmi", "25.8").await;
    s.press(&format!("{ALT}1{RELEASE}")).await;
    assert_eq!(
        s.value_of("#q-visit_reason").await,
        "Knee pain after a fall"
    );
    assert!(s.is_checked("#q-visit_visit-type").await, "New problem");
    s.press(&format!("{ALT}3{RELEASE}")).await;
    assert!(
        s.is_checked("#q-allergies_any-allergies").await,
        "Any known allergies? Yes"
    );
    assert_eq!(
        s.value_of("#q-allergies_allergy_1__allergy-substance")
            .await,
        "Latex"
    );
    assert_eq!(
        s.value_of("#q-allergies_allergy_1__allergy-reaction").await,
        "Rash"
    );
    assert_eq!(
        s.value_of("#q-allergies_allergy_2__allergy-substance")
            .await,
        "Peanuts"
    );
    s.finish().await;
}

#[tokio::test]
async fn an_admin_imports_reads_the_report_activates_retires_and_exports_a_form() {
    let fixture = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/fixtures/questionnaires/lforms-bit-of-everything.json");
    if !fixture.exists() {
        eprintln!("SKIPPED: {} is not there", fixture.display());
        return;
    }
    let s = Session::start("templates", demo_data()).await;
    s.type_into("#sign-in-username", "admin").await;
    s.type_into("#sign-in-password", &format!("demo{ENTER}"))
        .await;
    s.find("#home").await;
    s.click("#nav a[data-section=\"templates\"]").await;
    s.wait_for_text("#templates-table", "General adult intake")
        .await;

    // A file that is not a form: a clear error, nothing imported.
    // Files the person chose, outside the data folder (which the backend refuses).
    let chosen = tempfile::tempdir().unwrap();
    let junk = chosen.path().join("notes.json");
    std::fs::write(&junk, "this is not JSON").unwrap();
    answer_dialogs_with(&s, &junk).await;
    s.click("#templates-import").await;
    s.wait_for_text("#templates-notice", "JSON").await;

    answer_dialogs_with(&s, &fixture).await;
    s.click("#templates-import").await;
    let report = s.wait_for_text("#template-report", "supported").await;
    assert!(
        report.contains("not evaluated") || report.contains("degraded"),
        "{report}"
    );
    s.screenshot("template-report").await;
    // Problems first; the supported items wait behind "All items".
    let shown = s.wait_for_text("#template-report-items", "Degraded").await;
    assert!(
        !shown.contains("Supported"),
        "Problems only hides the supported items: {shown}"
    );
    s.click("#template-report-filter-all").await;
    s.wait_for_text("#template-report-items", "Supported").await;
    let table = s.wait_for_text("#templates-table", "Draft").await;
    assert_eq!(table.matches("Draft").count(), 1, "{table}");
    let templates = api(s.data.path())
        .list_templates(Caller::Cli("e2e"))
        .unwrap();
    let imported = templates
        .iter()
        .find(|t| !t.built_in)
        .expect("imported")
        .clone();
    let row = format!("#template-{}-{}", imported.slug, imported.version).replace('.', "_");

    s.click(&format!("{row} button[data-action=\"activate\"]"))
        .await;
    s.wait_for_text(&row, "Active").await;
    s.click(&format!("{row} button[data-action=\"retire\"]"))
        .await;
    s.wait_for_text(&row, "Retired").await;
    s.screenshot("templates").await;

    let exported = chosen.path().join("exported.json");
    answer_dialogs_with(&s, &exported).await;
    s.click(&format!("{row} button[data-action=\"export\"]"))
        .await;
    s.wait_for_text("#templates-notice", "Exported").await;
    assert_eq!(
        std::fs::read(&exported).unwrap(),
        std::fs::read(&fixture).unwrap(),
        "the original, byte for byte"
    );
    let audit = api(s.data.path())
        .list_audit(Caller::Cli("e2e"), &Default::default())
        .unwrap();
    for action in [
        "template.imported",
        "template.activated",
        "template.retired",
        "template.exported",
    ] {
        assert!(
            audit
                .iter()
                .any(|a| a.action == action && a.actor == "admin"),
            "{action} in the audit log"
        );
    }
    s.finish().await;
}
