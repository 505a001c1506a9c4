//! One way to write a date: an administrator sets the clinic to day first (and its time
//! zone), and a nurse then sees 06/12/2026-style dates on the patient screen, registers a
//! patient born 02/11/1975 as typed, and types a dd/mm/yyyy date into an intake's date
//! field; a date that does not exist is refused at its field with what was typed kept.

use intake_api::{Caller, Clock};
use serde_json::json;

use crate::harness::{demo_data, go_to, sign_in_as, Session, ALT, ENTER, RELEASE};

#[tokio::test]
async fn a_day_first_clinic_reads_and_types_dates_day_first() {
    let s = Session::start("dates", demo_data()).await;

    // The administrator sets the clinic's way of writing dates and its zone.
    sign_in_as(&s, "admin").await;
    go_to(&s, "#/settings").await;
    s.find("#settings-submit:not([disabled])").await;
    s.select("#settings-date-order", "dmy").await;
    s.select("#settings-hour-cycle", "24").await;
    s.set_value("#settings-time-zone", "America/New_York").await;
    s.click("#settings-submit").await;
    s.wait_for_text("#settings-notice", "Settings saved").await;
    s.screenshot("dates-settings").await;
    let settings = crate::harness::api(s.data.path())
        .get_settings(Caller::Cli("e2e"))
        .unwrap();
    assert_eq!(
        (settings.date_order.as_str(), settings.time_zone.as_str()),
        ("dmy", "America/New_York"),
        "the settings were saved"
    );
    s.click("#sign-out").await;

    // A nurse registers a patient typing the birth date day first.
    sign_in_as(&s, "nurse").await;
    go_to(&s, "#/patients/new").await;
    s.find("#patient-family").await;
    let marked = s
        .find("#patient-family")
        .await
        .attr("aria-required")
        .await
        .unwrap();
    assert_eq!(
        marked.as_deref(),
        Some("true"),
        "the family name says it is required"
    );
    s.wait_for_text("label[for=\"patient-birth-date\"]", "*")
        .await;
    s.wait_for_text("#patient-birth-date-hint", "DD/MM/YYYY")
        .await;
    s.type_into("#patient-family", "Datewright").await;
    s.type_into("#patient-given", "Odile").await;
    // A day that does not exist is refused at its field; what was typed stays.
    s.type_into("#patient-birth-date", "31/02/1975").await;
    s.select("#patient-sex", "female").await;
    s.click("#patient-form-submit").await;
    s.wait_for_text(
        "#patient-birth-date-field-error",
        "February 1975 has no day 31",
    )
    .await;
    assert_eq!(
        s.value_of("#patient-birth-date").await,
        "31/02/1975",
        "the typed text is kept"
    );
    s.screenshot("dates-bad-birth-date").await;
    s.set_value("#patient-birth-date", "02/11/1975").await;
    s.click("#patient-form-submit").await;
    s.wait_for_text("#patient-name", "Datewright").await;
    s.wait_for_text("#patient-summary", "02/11/1975").await;
    let api = crate::harness::api(s.data.path());
    let found = api
        .search_patients(Caller::Cli("e2e"), "datewright")
        .unwrap();
    let patient = found.patients.first().expect("the patient was registered");
    assert_eq!(
        patient.birth_date, "1975-11-02",
        "stored in ISO, read day first"
    );

    // An intake: its start reads today day first, and a date item takes dd/mm/yyyy.
    let e = api
        .start_intake(Caller::Cli("e2e"), patient.id, None, None)
        .unwrap();
    let today = new_york_today();
    go_to(&s, &format!("#/intake/{}", e.id)).await;
    s.wait_for_text("#intake-started", &today).await;
    // History is section 5.
    s.press(&format!("{ALT}5{RELEASE}")).await;
    s.wait_for_focus("add-history_pmh").await;
    s.press(ENTER).await;
    s.wait_for_focus("q-history_pmh_1__pmh-condition").await;
    s.press(&format!("Asthma{ENTER}")).await;
    s.wait_for_focus("q-history_pmh_1__pmh-since").await;
    s.wait_for_text("#err-history_pmh_1__pmh-since-hint", "DD/MM/YYYY")
        .await;
    s.press(&format!("06/12/2015{ENTER}")).await;
    let mut stored = None;
    for _ in 0..100 {
        let answers = api
            .encounter_detail(Caller::Cli("e2e"), e.id)
            .unwrap()
            .answers;
        stored = answers
            .iter()
            .find(|a| a.link_id == "pmh-since")
            .map(|a| a.values.clone());
        if stored.is_some() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
    assert_eq!(
        stored,
        Some(vec![json!({ "valueDate": "2015-12-06" })]),
        "typed day first, stored as ISO"
    );
    assert_eq!(
        s.value_of("#q-history_pmh_1__pmh-since").await,
        "06/12/2015",
        "shown day first"
    );
    s.screenshot("dates-intake").await;

    // The patient's visits date it day first too.
    go_to(&s, &format!("#/patients/{}", patient.id)).await;
    s.wait_for_text(&format!("#visit-{}", e.id), &today).await;
    s.wait_for_text("#patient-summary", "02/11/1975").await;
    s.screenshot("dates-patient").await;
    s.finish().await;
}

/// Today in New York, written day first.
fn new_york_today() -> String {
    let now = intake_api::SystemClock.now();
    let zone = intake_api::ClinicZone::named("America/New_York").expect("a zone");
    zone.day_of(now).format("%d/%m/%Y").to_string()
}
