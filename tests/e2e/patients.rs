//! Patients in the real window: find "zoe", open her, and the duplicate warning.

use intake_api::Caller;

use crate::harness::{api, demo_data, go_to, sign_in_as, Session, ENTER};

async fn sign_in_as_nurse(s: &Session) {
    s.type_into("#sign-in-username", "nurse").await;
    s.type_into("#sign-in-password", &format!("demo{ENTER}"))
        .await;
    s.find("#home").await;
}

#[tokio::test]
async fn a_nurse_finds_zoe_and_opens_her_record() {
    let s = Session::start("patients-search", demo_data()).await;
    sign_in_as_nurse(&s).await;
    s.click("#nav a[data-section=\"patients\"]").await;
    s.type_into("#patient-search", "zoe").await;
    s.wait_for_text("#patient-results", "Núñez").await;
    s.screenshot("patients-search").await;
    s.type_into("#patient-search", ENTER).await;
    s.wait_for_text("#patient-name", "Zoë").await;
    s.wait_for_text("#patient-history", "Registered").await;
    s.find("#start-intake:not([disabled])").await;
    assert!(
        !s.exists("#patient-mark-error:not([hidden])").await,
        "a nurse gets no \"Mark entered in error\" (the patient's may flags say so)"
    );
    s.screenshot("patient").await;
    s.finish().await;
}

/// What the patient screen offers comes from the patient's `may` flags: an admin may mark
/// a patient entered in error but starts no intake.
#[tokio::test]
async fn an_admin_may_mark_a_patient_in_error_but_not_start_an_intake() {
    let s = Session::start("patients-admin", demo_data()).await;
    let found = api(s.data.path())
        .search_patients(Caller::Cli("e2e"), "zoe nunez")
        .unwrap();
    let zoe = found.patients.iter().find(|p| p.family == "Núñez");
    let id = zoe.expect("Zoë Núñez among the demo patients").id;
    sign_in_as(&s, "admin").await;
    go_to(&s, &format!("#/patients/{id}")).await;
    s.wait_for_text("#patient-name", "Zoë").await;
    s.find("#patient-mark-error:not([hidden])").await;
    s.find("#start-intake[disabled]").await;
    s.wait_for_text(
        ".start-intake .key-hint",
        "Nurses and physicians start intakes.",
    )
    .await;
    s.finish().await;
}

#[tokio::test]
async fn registering_a_near_duplicate_shows_the_warning_and_saves_nothing() {
    let s = Session::start("patients-duplicate", demo_data()).await;
    sign_in_as_nurse(&s).await;
    s.click("#nav a[data-section=\"patients\"]").await;
    s.click("#patient-new").await;
    s.type_into("#patient-family", "Nunez").await;
    s.type_into("#patient-given", "Zoe").await;
    s.set_value("#patient-birth-date", "1984-03-07").await;
    s.select("#patient-sex", "female").await;
    s.click("#patient-form-submit").await;
    s.wait_for_text("#duplicate-panel", "Núñez").await;
    s.screenshot("patient-duplicate").await;
    let before = crate::harness::api(s.data.path())
        .search_patients(intake_api::Caller::Cli("e2e"), "nunez zoe")
        .unwrap()
        .patients
        .len();
    assert_eq!(before, 2, "only the two demo patients: nothing was saved");
    s.finish().await;
}

#[tokio::test]
async fn lists_show_the_last_visit_who_did_what_by_name_and_why() {
    let s = Session::start("patients-lists", demo_data()).await;
    sign_in_as_nurse(&s).await;
    go_to(&s, "#/patients").await;
    s.type_into("#patient-search", "kowalski lukasz").await;
    s.wait_for_text("#patient-results", "Łukasz").await;
    let row = s
        .wait_for_text("#patient-results .patient-row .col-visit", "Signed")
        .await;
    assert!(
        !row.contains('—'),
        "Łukasz's row shows his last visit, not a dash: {row:?}"
    );
    s.screenshot("patients-last-visit").await;
    // One letter swapped still finds him, after the exact matches; an MRN typed without
    // its dash finds his chart.
    s.set_value("#patient-search", "").await;
    s.type_into("#patient-search", "kowalksi").await;
    // The exact match (the demo's typo duplicate "Kowalksi") leads, then Łukasz Kowalski.
    s.wait_for_text("#patient-results .patient-row:first-child", "Kowalksi")
        .await;
    let found = s
        .wait_for_text("#patient-results", "Kowalski, Łukasz")
        .await;
    assert!(
        found.find("Kowalksi") < found.find("Kowalski, Łukasz"),
        "\"kowalksi\" finds Łukasz Kowalski after the exact matches: {found:?}"
    );
    s.set_value("#patient-search", "").await;
    s.type_into("#patient-search", "0000034").await;
    s.wait_for_text("#patient-results .patient-row:first-child", "000003-4")
        .await;
    s.set_value("#patient-search", "").await;
    s.type_into("#patient-search", "kowalski lukasz").await;
    s.wait_for_text("#patient-results", "Łukasz").await;
    s.press(ENTER).await;
    s.wait_for_text("#patient-name", "Łukasz").await;
    let visits = s
        .wait_for_text(
            "#patient-visits",
            "Submitted by Nora Lindqvist · Signed by Dr. Paul Okafor",
        )
        .await;
    s.screenshot("patient-visits-people").await;
    assert!(
        visits.contains("Diabetes review"),
        "each visit shows its reason: {visits:?}"
    );
    assert!(
        !visits.contains("by nurse"),
        "no visit names a user name where a display name exists: {visits:?}"
    );
    s.finish().await;
}
