//! Carry-forward in the real window: a repeat visit shows where each carried value came
//! from, waits for confirmation, lists what changed, and offers to update the record.

use intake_api::wire::ChangeDto;
use intake_api::Caller;
use serde_json::{json, Value};

use crate::harness::{api, demo_data, go_to, Session, ALT, CONTROL, ENTER, RELEASE};

fn change(key: &str, values: Value) -> ChangeDto {
    serde_json::from_value(json!({ "key": key, "values": values, "baseRev": 0 })).unwrap()
}

/// A submitted visit for Zoë Núñez with `changes`, by the demo nurse through `api` (whose
/// clock dates it); returns Zoë's patient id.
fn submitted_visit_for_zoe(api: &intake_api::Api, changes: &[ChangeDto]) -> i64 {
    let token = api.sign_in("nurse", "demo").unwrap().token;
    let nurse = Caller::Session(&token);
    let found = api.search_patients(nurse, "zoe nunez").unwrap();
    let zoe = found
        .patients
        .iter()
        .find(|p| p.family == "Núñez")
        .unwrap()
        .id;
    let e = api.start_intake(nurse, zoe, None, None).unwrap();
    api.save_intake(nurse, e.id, changes, None).unwrap();
    assert!(api.submit_intake(nurse, e.id).unwrap().submitted);
    zoe
}

/// Zoë Núñez gets a submitted first visit (by the demo nurse, through the API).
fn first_visit_for_zoe(data: &std::path::Path) -> i64 {
    let changes = [
        change("visit/reason", json!([{ "valueString": "Cough" }])),
        change("vitals/weight", json!([{ "valueDecimal": 64.5 }])),
        change("allergies/any-allergies", json!([{ "valueBoolean": true }])),
        change("allergies/allergy[1]", json!([])),
        change(
            "allergies/allergy[1]/allergy-substance",
            json!([{ "valueString": "Penicillin" }]),
        ),
        change("allergies/allergy[2]", json!([])),
        change(
            "allergies/allergy[2]/allergy-substance",
            json!([{ "valueString": "Latex" }]),
        ),
        change(
            "medications/any-medications",
            json!([{ "valueBoolean": false }]),
        ),
        change("social/occupation", json!([{ "valueString": "Teacher" }])),
        change(
            "emergency-contact/ec-name",
            json!([{ "valueString": "Ana Núñez" }]),
        ),
        change(
            "emergency-contact/ec-relationship",
            json!([{ "valueString": "Sister" }]),
        ),
        change(
            "emergency-contact/ec-phone",
            json!([{ "valueString": "+34 600 000 111" }]),
        ),
    ];
    submitted_visit_for_zoe(&api(data), &changes)
}

#[tokio::test]
async fn a_repeat_visit_is_confirmed_section_by_section_and_lists_its_changes() {
    let data = demo_data();
    let zoe = first_visit_for_zoe(data.path());
    let s = Session::start("carry", data).await;
    crate::intake::start_intake_for_zoe(&s).await;
    s.screenshot("carry-visit").await;
    // The last weight is a hint beside the (empty) field.
    s.press(&format!("{ALT}2{RELEASE}")).await;
    s.wait_for_text("#intake-section-body", "Last weight 64.5 kg")
        .await;
    s.screenshot("carry-vitals").await;
    // Allergies: carried, from the first visit, waiting for confirmation.
    s.press(&format!("{ALT}3{RELEASE}")).await;
    s.wait_for_text("#intake-confirm-bar", "3 carried values")
        .await;
    s.wait_for_text("#intake-section-body", "from ").await;
    assert_eq!(
        s.value_of("#q-allergies_allergy_2__allergy-substance")
            .await,
        "Latex"
    );
    s.screenshot("carry-allergies").await;
    // The section list shows Allergies amber with "3 to confirm", never a green count.
    let waiting = s
        .find("#intake-section-allergies.section-waiting")
        .await
        .text()
        .await
        .unwrap();
    assert!(waiting.contains("3 to confirm"), "{waiting}");
    assert!(
        !s.exists("#intake-section-allergies .section-count.done")
            .await,
        "no green count while values wait"
    );
    // Editing a carried row confirms it: Latex's reaction typed, that row waits no more.
    s.click("#q-allergies_allergy_2__allergy-reaction").await;
    s.press(&format!("Hives{ENTER}")).await;
    s.wait_for_text("#intake-confirm-bar", "2 carried values")
        .await;
    s.press(&format!("{ALT}c{RELEASE}")).await;
    // Alt+C went on to the next section with a value to confirm.
    s.wait_for_text("#intake-section-title", "Current medications")
        .await;
    s.press(&format!("{ALT}3{RELEASE}")).await;
    s.find("#intake-confirm-bar[hidden]").await;
    s.find("#intake-section-allergies:not(.section-waiting)")
        .await;
    s.screenshot("carry-allergies-confirmed").await;

    // Social history: the occupation changed since the last visit.
    s.press(&format!("{ALT}6{RELEASE}")).await;
    s.wait_for_focus("q-social_tobacco").await;
    s.click("#q-social_occupation").await;
    s.press(&format!("{CONTROL}a{RELEASE}")).await;
    s.press(&format!("Head teacher{ENTER}")).await;
    s.wait_for_text("#intake-changes", "Teacher → Head teacher")
        .await;
    // The field says it is typed now, replacing the value carried from the first visit.
    s.press(&format!("{ALT}6{RELEASE}")).await;
    s.wait_for_text("#intake-section-body", "typed · replaces the value from")
        .await;
    s.screenshot("carry-typed-over").await;
    // Emergency contact: a value bound to the patient record offers to update it.
    s.click("#intake-section-emergency-contact").await;
    s.wait_for_focus("q-emergency-contact_ec-name").await;
    s.press(&format!("{CONTROL}a{RELEASE}")).await;
    s.press(&format!("Ana Núñez-Díaz{ENTER}")).await;
    s.wait_for_text("#intake-record-prompt", "Update the patient record too?")
        .await;
    s.screenshot("carry-record-prompt").await;
    s.click("#intake-record-update").await;
    let said = s
        .wait_for_text("#intake-notice", "Patient record updated")
        .await;
    assert!(said.contains("Ana Núñez-Díaz"), "{said}");
    // The whole contact, as the intake has it, not the one field typed.
    let draft = api(s.data.path())
        .list_encounters(Caller::Cli("e2e"), Some(zoe), Some("draft"))
        .unwrap()[0]
        .id;
    let intake = api(s.data.path())
        .open_intake(Caller::Cli("e2e"), draft)
        .unwrap();
    let shown = |key: &str| {
        intake
            .answers
            .iter()
            .find(|a| a.key == key)
            .and_then(|a| a.values.first())
            .and_then(|v| v["valueString"].as_str())
            .unwrap_or_default()
            .to_string()
    };
    let record = api(s.data.path())
        .get_patient(Caller::Cli("e2e"), zoe)
        .unwrap();
    assert_eq!(record.emergency_name, "Ana Núñez-Díaz");
    assert_eq!(
        (
            record.emergency_relationship.as_str(),
            record.emergency_phone.as_str()
        ),
        (
            shown("emergency-contact/ec-relationship").as_str(),
            shown("emergency-contact/ec-phone").as_str()
        ),
        "the record's contact is whole"
    );
    assert_eq!(
        (
            record.emergency_relationship.as_str(),
            record.emergency_phone.as_str()
        ),
        ("Sister", "+34 600 000 111"),
        "carried from the first visit, now in the record with the new name"
    );

    // Submitting names what still waits; Enter on it leads to its Confirm button.
    s.press(&format!("{ALT}1{RELEASE}")).await;
    s.wait_for_focus("q-visit_reason").await;
    s.press("Follow-up of the cough").await;
    s.press(&format!("{CONTROL}{ENTER}{RELEASE}")).await;
    let listed = s.wait_for_text("#intake-problems", "1 problem").await;
    assert!(
        listed.contains("Current medications") && listed.contains("1 carried value to confirm"),
        "grouped by section, the waiting values counted: {listed}"
    );
    s.screenshot("carry-blocked").await;
    // "Confirm section" opens the section, its Confirm all focused: the nurse sees first.
    s.press(ENTER).await;
    s.wait_for_focus("intake-confirm-section").await;
    s.wait_for_text("#intake-section-body", "Takes any medications?")
        .await;
    s.press(ENTER).await;
    s.wait_for_text("#intake-saved", "Confirmed 1 value").await;
    s.press(&format!("{CONTROL}{ENTER}{RELEASE}")).await;
    s.wait_for_text("#intake-readonly", "Submitted on").await;
    s.screenshot("carry-submitted").await;

    // What was stored says where each value came from and who confirmed it.
    let api = api(s.data.path());
    let list = api
        .list_encounters(Caller::Cli("e2e"), Some(zoe), None)
        .unwrap();
    let detail = api
        .encounter_detail(Caller::Cli("e2e"), list[0].id)
        .unwrap();
    let get = |key: &str| {
        detail
            .answers
            .iter()
            .find(|a| a.key == key)
            .unwrap_or_else(|| panic!("{key}"))
    };
    assert_eq!(get("allergies/allergy[2]").source, "carried");
    assert_eq!(
        get("allergies/allergy[2]").confirmed_by.as_deref(),
        Some("nurse")
    );
    assert_eq!(
        get("medications/any-medications").confirmed_by.as_deref(),
        Some("nurse")
    );
    assert_eq!(get("social/occupation").source, "typed");
    assert_eq!(
        get("social/occupation").values[0]["valueString"],
        "Head teacher"
    );
    // The patient screen shows the whole emergency contact the intake wrote.
    go_to(&s, &format!("#/patients/{zoe}")).await;
    let shown = s
        .wait_for_text("#patient-demographics", "Ana Núñez-Díaz")
        .await;
    assert!(
        shown.contains("Sister") && shown.contains("+34 600 000 111"),
        "name, relationship and phone together: {shown}"
    );
    s.screenshot("carry-patient-contact").await;
    s.finish().await;
}

#[tokio::test]
async fn a_visit_dated_after_today_is_not_used_and_the_screen_says_so() {
    let data = demo_data();
    {
        // A workstation whose clock ran three weeks ahead submitted a visit for Zoë.
        let ahead = chrono::Utc::now() + chrono::Duration::days(21);
        let clock = std::sync::Arc::new(intake_api::ManualClock::new(ahead));
        let api = intake_api::Api::open(&intake_api::DataDir::at(data.path()), clock).unwrap();
        let changes = [
            change("visit/reason", json!([{ "valueString": "Cough" }])),
            change("social/occupation", json!([{ "valueString": "Astronaut" }])),
            change(
                "allergies/any-allergies",
                json!([{ "valueBoolean": false }]),
            ),
            change(
                "medications/any-medications",
                json!([{ "valueBoolean": false }]),
            ),
        ];
        submitted_visit_for_zoe(&api, &changes);
    }
    let s = Session::start("carry-future", data).await;
    crate::intake::start_intake_for_zoe(&s).await;
    let said = s
        .wait_for_text("#intake-carry", "Earlier visits not used")
        .await;
    assert!(
        said.contains("after today") && said.contains("clock"),
        "{said}"
    );
    s.screenshot("carry-future").await;
    s.press(&format!("{ALT}6{RELEASE}")).await;
    assert_eq!(
        s.value_of("#q-social_occupation").await,
        "",
        "nothing carried from it"
    );
    s.finish().await;
}
