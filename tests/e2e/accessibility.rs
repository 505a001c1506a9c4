//! Every screen of the app, as each role reaches it, checked with axe-core: no violation
//! of impact serious or critical (see `axe.rs`; every `screenshot` runs the same check).
//! The first-run, sign-in and lock screens are checked where `foundation.rs` shows them.

use intake_api::Caller;

use crate::harness::{api, demo_data, go_to, sign_in_as, Session, ALT, ENTER, RELEASE};

/// Goes to `hash`, waits for `ready` (a sign the screen has loaded) and checks it.
async fn check(s: &Session, hash: &str, ready: &str, name: &str) {
    go_to(s, hash).await;
    s.find(ready).await;
    s.screenshot(name).await;
}

async fn sign_out(s: &Session) {
    s.click("#sign-out").await;
    s.wait_for_text("h1", "Sign in").await;
}

#[tokio::test]
async fn every_screen_has_no_serious_accessibility_violation() {
    let data = demo_data();
    // One submitted intake goes back to the nurse, so her home has one of each kind.
    let returned_patient = {
        let api = api(data.path());
        let waiting = api
            .list_encounters(Caller::Cli("e2e"), None, Some("submitted"))
            .unwrap();
        assert!(
            waiting.len() >= 2,
            "the demo has intakes waiting for review"
        );
        let token = api.sign_in("physician", "demo").unwrap().token;
        let seen = api
            .open_review(Caller::Session(&token), waiting[0].id)
            .unwrap();
        api.return_intake(
            Caller::Session(&token),
            waiting[0].id,
            "Please re-weigh",
            &seen.record_hash,
        )
        .unwrap();
        waiting[0].patient_name.clone()
    };
    let s = Session::start("a11y", data).await;
    s.wait_for_text("h1", "Sign in").await;
    s.screenshot("a11y-sign-in").await;

    // The nurse: home with her intakes, search, a patient, a new patient, an intake with
    // its shortcut sheet, the intakes in progress, her password.
    sign_in_as(&s, "nurse").await;
    let returned = s.wait_for_text("#home-returned", "Please re-weigh").await;
    assert!(
        returned.contains(&returned_patient) && returned.contains("Dr. Paul Okafor"),
        "the nurse's home lists the returned intake with the patient and who returned it: {returned:?}"
    );
    s.wait_for_text("#home-intakes-heading", "Intakes to finish (")
        .await;
    s.find("#nav-intake-count.nav-count-warn:not([hidden])")
        .await;
    s.screenshot("a11y-nurse-home").await;
    check(&s, "#/patients", "#patient-search", "a11y-patients").await;
    s.type_into("#patient-search", "kowalski lukasz").await;
    s.wait_for_text("#patient-results", "Łukasz").await;
    s.screenshot("a11y-patients-found").await;
    s.press(ENTER).await;
    s.wait_for_text("#patient-name", "Łukasz").await;
    s.find("#patient-visits li").await;
    s.screenshot("a11y-patient").await;
    s.click("#start-intake:not([disabled])").await;
    s.find("#intake-section-body").await;
    s.screenshot("a11y-intake").await;
    s.press("\u{E031}").await; // F1
    s.find("#intake-shortcuts:not([hidden])").await;
    s.screenshot("a11y-intake-shortcuts").await;
    s.press("\u{E00C}").await; // Escape
    s.find("#intake-shortcuts[hidden]").await;
    // Alt+0 is the section picker: every section is reachable, also past the ninth.
    s.press(&format!("{ALT}0{RELEASE}")).await;
    s.find("#intake-sections button:focus").await;
    s.press(&format!("\u{E010}{ENTER}")).await; // End, Enter
    s.wait_for_text("#intake-section-body h2", "Insurance")
        .await;
    check(
        &s,
        "#/patients/new",
        "[data-screen=\"patient-form\"] form",
        "a11y-patient-new",
    )
    .await;
    check(
        &s,
        "#/intake",
        "#intake-drafts tbody tr",
        "a11y-intake-list",
    )
    .await;
    check(
        &s,
        "#/password",
        "[data-screen=\"change-password\"] form",
        "a11y-password",
    )
    .await;
    sign_out(&s).await;

    // The physician: the queue and a record.
    sign_in_as(&s, "physician").await;
    s.screenshot("a11y-physician-home").await;
    check(&s, "#/review", ".queue-row", "a11y-review-queue").await;
    s.click(".queue-row a").await;
    s.find("[data-screen=\"review\"] h1").await;
    s.find("#review-sign").await;
    s.screenshot("a11y-review").await;
    sign_out(&s).await;

    // The administrator: every screen of theirs.
    sign_in_as(&s, "admin").await;
    s.screenshot("a11y-admin-home").await;
    // The top bar stays one row with every administrator section, down to the
    // window's smallest width.
    s.client.set_window_size(900, 700).await.unwrap();
    let rows: i64 = serde_json::from_value(
        s.client
            .execute(
                "const tops = [...document.querySelectorAll('#nav a, #sign-out, #change-password-link')]
                   .map((el) => Math.round(el.getBoundingClientRect().top + el.getBoundingClientRect().height / 2));
                 return new Set(tops.map((t) => Math.round(t / 20))).size;",
                vec![],
            )
            .await
            .unwrap(),
    )
    .unwrap();
    let overlap: bool = serde_json::from_value(
        s.client
            .execute(
                "const links = [...document.querySelectorAll('#nav a')];
                 const last = links[links.length - 1].getBoundingClientRect();
                 return last.right > document.querySelector('#change-password-link').getBoundingClientRect().left;",
                vec![],
            )
            .await
            .unwrap(),
    )
    .unwrap();
    s.capture("a11y-admin-900").await;
    assert_eq!(rows, 1, "the admin's top bar is one row at 900 px");
    assert!(
        !overlap,
        "the last section link ends before the user's name at 900 px"
    );
    s.client.set_window_size(1000, 700).await.unwrap();
    check(&s, "#/users", "#users-table tbody tr", "a11y-users").await;
    check(&s, "#/audit", "#audit-list li.audit-line", "a11y-audit").await;
    check(
        &s,
        "#/settings",
        "[data-screen=\"settings\"] form",
        "a11y-settings",
    )
    .await;
    check(
        &s,
        "#/templates",
        "#templates-table tbody tr",
        "a11y-templates",
    )
    .await;
    check(&s, "#/outcomes", "#outcomes-table", "a11y-outcomes").await;
    check(
        &s,
        "#/exports",
        "[data-screen=\"exports\"] form",
        "a11y-exports",
    )
    .await;
    s.finish().await;
}
