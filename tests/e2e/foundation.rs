//! Foundation flows: first run, sign-in, wrong password, the idle lock, user admin.

use std::time::Duration;

use intake_api::wire::SettingsUpdate;
use intake_api::Caller;

use crate::harness::{api, demo_data, Session, ENTER};

#[tokio::test]
async fn first_run_asks_for_the_first_administrator() {
    let data = tempfile::tempdir().unwrap();
    let s = Session::start("first-run", data).await;
    s.wait_for_text("h1", "Create the first administrator")
        .await;
    s.screenshot("first-admin").await;
    s.type_into("#first-admin-username", "chief").await;
    s.type_into("#first-admin-display-name", "Maria Chief")
        .await;
    s.type_into("#first-admin-password", "first-admin-pw").await;
    s.type_into("#first-admin-password-confirm", "first-admin-pw")
        .await;
    s.click("#first-admin-submit").await;
    s.wait_for_text("#home-welcome", "Maria Chief").await;
    s.wait_for_text("#current-user-role", "Administrator").await;
    assert!(
        s.exists("#nav a[data-section=\"users\"]").await,
        "admins see Users"
    );
    let users = api(s.data.path()).list_users(Caller::Cli("e2e")).unwrap();
    assert_eq!(users.len(), 1, "exactly one account was created");
    assert_eq!(users[0].username, "chief");
    s.finish().await;
}

#[tokio::test]
async fn the_demo_nurse_signs_in_and_sees_home() {
    let s = Session::start("nurse", demo_data()).await;
    s.wait_for_text("h1", "Sign in").await;
    s.screenshot("sign-in").await;
    s.type_into("#sign-in-username", "nurse").await;
    s.type_into("#sign-in-password", &format!("demo{ENTER}"))
        .await;
    s.wait_for_text("#home-welcome", "Nora Lindqvist").await;
    s.wait_for_text("#current-user-role", "Nurse").await;
    assert!(
        s.exists("#nav a[data-section=\"patients\"]").await,
        "nurses see Patients"
    );
    assert!(
        !s.exists("#nav a[data-section=\"users\"]").await,
        "nurses do not see Users"
    );
    s.screenshot("home-nurse").await;
    s.click("#sign-out").await;
    s.wait_for_text("h1", "Sign in").await;
    s.finish().await;
}

#[tokio::test]
async fn a_wrong_password_shows_the_error_and_stays_on_sign_in() {
    let s = Session::start("wrong-password", demo_data()).await;
    s.type_into("#sign-in-username", "nurse").await;
    s.type_into("#sign-in-password", "not-the-password").await;
    s.click("#sign-in-submit").await;
    s.wait_for_text("#sign-in-error", "Username or password is incorrect.")
        .await;
    s.screenshot("sign-in-error").await;
    assert!(
        !s.exists("#home").await,
        "no home screen after a failed sign-in"
    );
    s.finish().await;
}

#[tokio::test]
async fn the_screen_locks_after_the_idle_timeout_and_unlocks_with_the_password() {
    let data = demo_data();
    api(data.path())
        .update_settings(
            Caller::Cli("e2e"),
            &SettingsUpdate {
                session_timeout_seconds: Some(5),
                ..Default::default()
            },
        )
        .unwrap();
    let s = Session::start("lock", data).await;
    s.type_into("#sign-in-username", "physician").await;
    s.type_into("#sign-in-password", &format!("demo{ENTER}"))
        .await;
    s.find("#home").await;
    tokio::time::sleep(Duration::from_secs(7)).await;
    s.find("#lock-screen").await;
    assert!(
        !s.exists("#home").await,
        "the content is hidden while locked"
    );
    s.screenshot("lock").await;
    s.type_into("#lock-password", &format!("wrong-password{ENTER}"))
        .await;
    let said = s
        .wait_for_text("#lock-error", "The password is incorrect.")
        .await;
    assert!(
        !said.contains("Username"),
        "the lock screen has no user name field, so it does not mention one: {said:?}"
    );
    s.type_into("#lock-password", &format!("demo{ENTER}")).await;
    s.find("#home").await;
    let actions: Vec<String> = api(s.data.path())
        .list_audit(Caller::Cli("e2e"), &Default::default())
        .unwrap()
        .into_iter()
        .map(|e| e.action)
        .collect();
    assert!(
        actions.contains(&"session.locked".to_string()),
        "the lock is audited: {actions:?}"
    );
    s.finish().await;
}

#[tokio::test]
async fn an_admin_adds_a_user_who_must_change_the_temporary_password() {
    let s = Session::start("users", demo_data()).await;
    s.type_into("#sign-in-username", "admin").await;
    s.type_into("#sign-in-password", &format!("demo{ENTER}"))
        .await;
    s.click("#nav a[data-section=\"users\"]").await;
    s.find("#users-table").await;
    s.type_into("#user-add-username", "lea").await;
    s.type_into("#user-add-display-name", "Léa Ñúñez").await;
    s.find("#user-add-role")
        .await
        .select_by_value("physician")
        .await
        .unwrap();
    s.type_into("#user-add-password", "temporary-pass").await;
    s.click("#user-add-submit").await;
    s.wait_for_text("#users-table", "Léa Ñúñez").await;
    s.screenshot("users").await;
    s.click("#sign-out").await;
    s.type_into("#sign-in-username", "lea").await;
    s.type_into("#sign-in-password", &format!("temporary-pass{ENTER}"))
        .await;
    s.find("#change-password-form").await;
    s.type_into("#change-password-current", "temporary-pass")
        .await;
    s.type_into("#change-password-new", "lea-own-secret").await;
    s.type_into("#change-password-confirm", "lea-own-secret")
        .await;
    s.click("#change-password-submit").await;
    s.wait_for_text("#home-welcome", "Léa Ñúñez").await;
    s.finish().await;
}

#[tokio::test]
async fn an_admin_changes_the_clinic_settings() {
    let s = Session::start("settings", demo_data()).await;
    s.type_into("#sign-in-username", "admin").await;
    s.type_into("#sign-in-password", &format!("demo{ENTER}"))
        .await;
    s.click("#nav a[data-section=\"settings\"]").await;
    s.find("#settings-form").await;
    // Where the records live: this workstation's file, named.
    s.wait_for_text("#settings-database-where", "This workstation")
        .await;
    s.wait_for_text("#settings-database-detail", "intake.db")
        .await;
    s.type_into("#settings-clinic-name", "Riverside Clinic")
        .await;
    s.select("#settings-date-order", "mdy").await;
    s.click("#settings-submit").await;
    s.wait_for_text("#settings-notice", "saved").await;
    s.screenshot("settings").await;
    let saved = api(s.data.path()).get_settings(Caller::Cli("e2e")).unwrap();
    assert_eq!(saved.clinic_name, "Riverside Clinic");
    assert_eq!(saved.date_order, "mdy");
    s.finish().await;
}
