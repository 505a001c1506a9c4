//! The measure that matters: keys pressed for a repeat visit against the same visit
//! typed into an empty form.
//!
//! The demo nurse completes, with the keyboard only, a repeat-visit intake for Łukasz
//! Kowalski (demo patient with three earlier visits): a new reason for visit and new
//! vitals, one medication's dose changed, everything else confirmed section by section.
//! Then she types the same content into an empty form for a first-visit patient. The
//! test prints both counts and their ratio (`make bench` shows that line; the target is
//! at most 20 %) and checks that both intakes saved the same content.
//!
//! Keys are counted from "Start intake" to "Submit": finding the patient is the same in
//! both. A modifier held for a shortcut counts as a key (Alt+C is two keys).

use std::collections::BTreeMap;

use intake_api::wire::PatientInputDto;
use intake_api::Caller;
use intake_demo::visits::{
    LUKASZ_ALLERGY, LUKASZ_BIRTH_DATE, LUKASZ_CONDITION, LUKASZ_CONTACT, LUKASZ_INSURER,
    LUKASZ_OCCUPATION, LUKASZ_POLICY_NUMBER,
};
use serde_json::Value;

use crate::harness::{api, demo_data, Session, ALT, CONTROL, ENTER, RELEASE, TAB};

const REASON: &str = "Dizziness when standing";
/// Height, weight, temperature, pulse, systolic, diastolic, SpO2, respiratory rate, pain.
const VITALS: [&str; 9] = ["178", "88.4", "36.9", "74", "124", "80", "98", "15", "2"];
const NEW_METFORMIN_DOSE: &str = "1000";

fn alt(key: &str) -> String {
    format!("{ALT}{key}{RELEASE}")
}

async fn open_patient(s: &Session, query: &str, shows: &str) {
    s.click("#nav a[data-section=\"patients\"]").await;
    s.type_into("#patient-search", query).await;
    s.wait_for_text("#patient-results", shows).await;
    s.press(ENTER).await;
    s.wait_for_text("#patient-name", shows).await;
    s.wait_for_text("#patient-name", "Łukasz").await;
    s.find("#start-intake:not([disabled])").await;
}

/// Reason, visit type and vitals: typed the same way at every visit.
async fn visit_and_vitals(s: &Session) {
    s.press(&alt("i")).await;
    s.wait_for_focus("q-visit_reason").await;
    s.press(&format!("{REASON}{TAB}f{ENTER}")).await;
    s.wait_for_focus("q-vitals_height").await;
    for v in VITALS {
        s.press(&format!("{v}{ENTER}")).await;
    }
}

async fn submit(s: &Session) {
    s.press(&format!("{CONTROL}{ENTER}{RELEASE}")).await;
    s.wait_for_text("#intake-readonly", "Submitted on").await;
}

/// The repeat visit: new reason and vitals, Metformin's dose changed, the rest confirmed.
async fn repeat_visit(s: &Session) {
    visit_and_vitals(s).await;
    // Allergies: confirmed as they were (focus on the "Yes" carried for "any known
    // allergies?", from "No known allergies: No" on version 1 of the form). Alt+C goes
    // on to the next section with values to confirm.
    s.wait_for_focus("q-allergies_any-allergies").await;
    s.wait_for_text("#intake-confirm-bar", "for your confirmation")
        .await;
    s.press(&alt("c")).await;
    // Medications: Metformin's dose goes up (Enter selects a field's text, so typing
    // replaces it); the rest is confirmed.
    s.wait_for_focus("q-medications_any-medications").await;
    s.wait_for_text("#intake-confirm-bar", "for your confirmation")
        .await;
    s.screenshot("keystrokes-repeat-medications").await;
    s.press(&format!("{ENTER}{ENTER}")).await;
    s.wait_for_focus("q-medications_medication_1__med-dose")
        .await;
    s.press(&format!("{NEW_METFORMIN_DOSE}{ENTER}")).await;
    // History, social history, immunizations: each confirmed in turn.
    for section in ["medications", "history", "social", "immunizations"] {
        // Alt+C confirms (a round trip), then shows the next section waiting: wait for it.
        let deadline = std::time::Instant::now() + crate::harness::PATIENCE;
        let shown = loop {
            let shown = s
                .client
                .execute(
                    "return document.querySelector('#intake-section-body')?.dataset.section ?? null;",
                    vec![],
                )
                .await
                .unwrap();
            if shown.as_str() == Some(section) || std::time::Instant::now() > deadline {
                break shown;
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        };
        assert_eq!(shown.as_str(), Some(section), "Alt+C went on to {section}");
        s.wait_for_text("#intake-confirm-bar", "for your confirmation")
            .await;
        s.press(&alt("c")).await;
    }
    s.find("#intake-confirm-bar[hidden]").await;
    s.screenshot("keystrokes-repeat").await;
    submit(s).await;
}

/// Picks in a type-ahead list: types `prefix`, Enter picks the match.
async fn pick(s: &Session, prefix: &str) {
    s.press(&format!("{prefix}{ENTER}")).await;
}

/// The same visit typed into an empty form.
async fn first_visit(s: &Session) {
    visit_and_vitals(s).await;
    s.wait_for_focus("q-allergies_any-allergies").await;
    // Allergies: "any known allergies?" yes; one row.
    s.press("y").await;
    s.wait_for_text("#intake-section-body", "Add allergy").await;
    s.press(&alt("a")).await;
    s.wait_for_focus("q-allergies_allergy_1__allergy-substance")
        .await;
    s.press(&format!(
        "{}{ENTER}{}{ENTER}",
        LUKASZ_ALLERGY.substance, LUKASZ_ALLERGY.reaction
    ))
    .await;
    pick(s, "se").await;
    // Medications: two rows.
    s.press(&alt("4")).await;
    s.wait_for_focus("q-medications_any-medications").await;
    s.press("y").await;
    s.wait_for_text("#intake-section-body", "Add medication")
        .await;
    s.press(&alt("a")).await;
    s.wait_for_focus("q-medications_medication_1__med-name")
        .await;
    s.press(&format!("Metformin{ENTER}{NEW_METFORMIN_DOSE}{ENTER}"))
        .await;
    pick(s, "mg").await;
    pick(s, "tw").await;
    pick(s, "or").await;
    s.press(&alt("a")).await;
    s.wait_for_focus("q-medications_medication_2__med-name")
        .await;
    s.press(&format!("Lisinopril{ENTER}10{ENTER}")).await;
    pick(s, "mg").await;
    pick(s, "on").await;
    pick(s, "or").await;
    s.screenshot("keystrokes-first-medications").await;
    // History: a condition with the year it began, and the father's diabetes.
    s.press(&alt("5")).await;
    s.wait_for_focus("add-history_pmh").await;
    s.press(ENTER).await;
    s.wait_for_focus("q-history_pmh_1__pmh-condition").await;
    s.press(&format!("{LUKASZ_CONDITION}{ENTER}")).await;
    s.wait_for_focus("q-history_pmh_1__pmh-since").await;
    s.press(&format!("2015-04-01{ENTER}")).await;
    // Enter went on to "Add past medical history"; Tab past it and "Add surgical history".
    s.wait_for_focus("add-history_pmh").await;
    s.press(TAB).await;
    s.wait_for_focus("add-history_psh").await;
    s.press(TAB).await;
    s.wait_for_focus("add-history_fh").await;
    s.press(ENTER).await;
    s.wait_for_focus("q-history_fh_1__fh-relative").await;
    pick(s, "fa").await;
    s.press(&format!("{LUKASZ_CONDITION}{ENTER}")).await;
    // Social history.
    s.press(&alt("6")).await;
    s.wait_for_focus("q-social_tobacco").await;
    s.press(&format!(
        "f{ENTER}o{ENTER}{ENTER}{LUKASZ_OCCUPATION}{ENTER}"
    ))
    .await;
    // Immunizations up to date.
    s.press(&alt("7")).await;
    s.wait_for_focus("add-immunizations_immunization").await;
    s.press(&format!("{TAB}y")).await;
    // Emergency contact and insurance: past the PHQ-2 (Alt+9 for a man: no pregnancy).
    s.press(&alt("9")).await;
    s.press(&format!("{ENTER}{ENTER}")).await;
    s.wait_for_focus("q-emergency-contact_ec-name").await;
    let (name, relationship, phone) = LUKASZ_CONTACT;
    s.press(&format!("{name}{ENTER}{relationship}{ENTER}{phone}{ENTER}"))
        .await;
    s.wait_for_focus("q-insurance_insurer").await;
    s.press(&format!(
        "{LUKASZ_INSURER}{ENTER}{LUKASZ_POLICY_NUMBER}{ENTER}s"
    ))
    .await;
    s.screenshot("keystrokes-first").await;
    submit(s).await;
}

/// What an intake holds: values by key (where they came from aside).
fn content(s: &Session, patient_id: i64) -> BTreeMap<String, Vec<Value>> {
    let api = api(s.data.path());
    let list = api
        .list_encounters(Caller::Cli("e2e"), Some(patient_id), Some("submitted"))
        .unwrap();
    let newest = list.first().expect("a submitted intake");
    let detail = api.encounter_detail(Caller::Cli("e2e"), newest.id).unwrap();
    detail
        .answers
        .into_iter()
        .filter(|a| a.in_record)
        .map(|a| (a.key, a.values))
        .collect()
}

#[tokio::test]
async fn a_repeat_visit_takes_a_fraction_of_the_keys_of_a_first_visit() {
    let data = demo_data();
    let (lukasz, newcomer) = {
        let api = api(data.path());
        let found = api
            .search_patients(Caller::Cli("e2e"), "kowalski lukasz")
            .unwrap();
        let lukasz = found
            .patients
            .iter()
            .find(|p| p.family == "Kowalski")
            .expect("the demo patient Łukasz Kowalski")
            .id;
        let newcomer = PatientInputDto {
            family: "Firstvisit".into(),
            given: "Łukasz".into(),
            birth_date: LUKASZ_BIRTH_DATE.into(),
            sex: "male".into(),
            ..Default::default()
        };
        let saved = api
            .register_patient(Caller::Cli("e2e"), &newcomer, Some("e2e"))
            .unwrap();
        (lukasz, saved.patient.unwrap().id)
    };
    let s = Session::start("keystrokes", data).await;
    s.type_into("#sign-in-username", "nurse").await;
    s.type_into("#sign-in-password", &format!("demo{ENTER}"))
        .await;
    s.find("#home").await;

    open_patient(&s, "kowalski lukasz 1975-11-02", "Kowalski").await;
    s.reset_keys();
    repeat_visit(&s).await;
    let repeat = s.keys_sent();

    open_patient(&s, "firstvisit", "Firstvisit").await;
    s.reset_keys();
    first_visit(&s).await;
    let first = s.keys_sent();

    let ratio = repeat as f64 / first as f64;
    println!(
        "KEYSTROKES repeat visit {repeat}, first visit {first}, ratio {:.1} % (target at most 20 %)",
        ratio * 100.0
    );
    let (a, b) = (content(&s, lukasz), content(&s, newcomer));
    let differ: Vec<&String> = a
        .keys()
        .chain(b.keys())
        .filter(|k| a.get(*k) != b.get(*k))
        .collect();
    assert!(
        differ.is_empty(),
        "the same content either way; differing: {:?}",
        differ
            .iter()
            .map(|k| (k, a.get(*k), b.get(*k)))
            .collect::<Vec<_>>()
    );
    s.finish().await;
}
