//! Accounts against misuse: wrong current passwords at a password change count toward
//! the lockout and a change ends the user's other sessions; new user names keep to the
//! safe alphabet while names stored before it still sign in; the demo register refuses
//! a clinic's database. Each bad input gets a clear error and changes nothing.

use std::sync::Arc;

use chrono::{Duration, TimeZone, Utc};
use intake_api::wire::{AuditFilterDto, NewUserRequest, PatientInputDto};
use intake_api::{Api, Caller, ErrorCode, ManualClock};
use intake_core::Role;
use intake_store::prelude::*;
use intake_store::{NewUser, Store};

const CLI: Caller<'static> = Caller::Cli("tester");

fn clock() -> Arc<ManualClock> {
    Arc::new(ManualClock::new(
        Utc.with_ymd_and_hms(2026, 11, 23, 9, 0, 0).unwrap(),
    ))
}

/// A register with the demo accounts (password `demo`).
fn demo() -> (Api, Arc<ManualClock>) {
    let clock = clock();
    let api = Api::for_tests(clock.clone()).expect("an in-memory API");
    intake_demo::seed_demo(&api, CLI).expect("demo accounts");
    (api, clock)
}

fn actions(api: &Api) -> Vec<String> {
    api.list_audit(CLI, &AuditFilterDto::default())
        .expect("audit list")
        .into_iter()
        .map(|e| e.action)
        .collect()
}

#[test]
fn five_wrong_current_passwords_lock_the_name_like_failed_sign_ins() {
    let (api, clock) = demo();
    let token = api.sign_in("nurse", "demo").expect("nurse signs in").token;
    let me = Caller::Session(&token);
    for i in 1..=5 {
        let err = api
            .change_password(me, "not-my-password", "a-new-password")
            .expect_err("a wrong current password is refused");
        assert_eq!(
            err.field(),
            Some("currentPassword"),
            "attempt {i}: the error is at the current password: {err}"
        );
        clock.advance(Duration::seconds(10));
    }
    let err = api
        .change_password(me, "demo", "a-new-password")
        .expect_err("the right password is refused while the name is locked");
    assert_eq!(err.code(), ErrorCode::Forbidden, "{err}");
    assert!(
        err.to_string().contains("Too many failed"),
        "the lock is named: {err}"
    );
    let err = api
        .sign_in("nurse", "demo")
        .expect_err("sign-in is locked too");
    assert!(err.to_string().contains("Too many failed"), "{err}");
    assert!(
        api.sign_in("physician", "demo").is_ok(),
        "other names are not locked"
    );
    let changed = actions(&api)
        .iter()
        .filter(|a| *a == "user.password_change_failed")
        .count();
    assert_eq!(changed, 5, "each wrong current password is audited");
    assert!(
        actions(&api).contains(&"user.locked_out".to_string()),
        "the lock is audited"
    );

    // After five minutes the name is free again and the change goes through.
    clock.advance(Duration::minutes(5));
    let token = api.sign_in("nurse", "demo").expect("the lock ended").token;
    api.change_password(Caller::Session(&token), "demo", "a-new-password")
        .expect("the right password changes it once the lock is over");
    assert!(
        api.sign_in("nurse", "a-new-password").is_ok(),
        "the new password signs in"
    );
}

#[test]
fn a_password_change_ends_the_other_sessions_and_keeps_this_one() {
    let (api, _clock) = demo();
    let here = api.sign_in("nurse", "demo").expect("first session").token;
    let there = api.sign_in("nurse", "demo").expect("second session").token;
    let colleague = api.sign_in("physician", "demo").expect("a colleague").token;
    api.change_password(Caller::Session(&here), "demo", "a-new-password")
        .expect("the change goes through");
    assert!(
        api.whoami(Caller::Session(&here)).is_ok(),
        "the session that changed the password stays open"
    );
    let err = api
        .whoami(Caller::Session(&there))
        .expect_err("the other session of the same user is ended");
    assert_eq!(err.code(), ErrorCode::Unauthenticated, "{err}");
    assert!(
        api.whoami(Caller::Session(&colleague)).is_ok(),
        "another user's session is untouched"
    );
}

#[test]
fn a_look_alike_user_name_is_refused_and_nothing_is_added() {
    let (api, _clock) = demo();
    let before = api.list_users(CLI).expect("users").len();
    let err = api
        .create_user(
            CLI,
            &NewUserRequest {
                // "аdmin" with a Cyrillic а (U+0430).
                username: "\u{430}dmin".into(),
                display_name: String::new(),
                role: "admin".into(),
                password: "temporary-pass".into(),
            },
        )
        .expect_err("a Cyrillic а is refused");
    assert_eq!(err.field(), Some("username"), "{err}");
    assert!(
        err.to_string().contains("ASCII letters"),
        "the message states the alphabet: {err}"
    );
    assert_eq!(
        api.list_users(CLI).expect("users").len(),
        before,
        "no account was added"
    );
}

#[test]
fn a_name_stored_before_the_alphabet_still_signs_in_and_is_listed() {
    let tmp = tempfile::tempdir().expect("a temporary folder");
    let path = tmp.path().join("intake.db");
    let api = Api::open_file(&path, clock()).expect("a database file");
    intake_demo::seed_demo(&api, CLI).expect("demo accounts");
    // An account made before the rule, written straight into the store (with the demo
    // nurse's password hash, so its password is `demo`).
    let store = Store::open(&path).expect("the same file");
    store
        .write(|db| {
            let hash = db
                .user_by_username("nurse")?
                .map(|u| u.password_hash)
                .unwrap_or_default();
            let old = NewUser {
                username: "łukasz",
                display_name: "Łukasz Nowak",
                role: Role::Nurse,
                password_hash: &hash,
                must_change_password: false,
            };
            db.insert_user(&old, Utc::now(), "before-the-rule")
        })
        .expect("an account from before the rule");
    let signed = api
        .sign_in("Łukasz", "demo")
        .expect("an existing odd name still signs in");
    assert_eq!(signed.user.username, "łukasz");
    assert!(
        api.list_users(CLI)
            .expect("users")
            .iter()
            .any(|u| u.username == "łukasz"),
        "and is listed"
    );
}

#[test]
fn seed_demo_refuses_a_clinic_database_and_adds_nothing() {
    let api = Api::for_tests(clock()).expect("an in-memory API");
    api.create_first_admin(Some(CLI), "admin", "Clinic Admin", "clinic-admin-pw")
        .expect("the clinic's own admin, named like the demo's");
    let err = intake_demo::seed_demo(&api, CLI).expect_err("a clinic's admin is not the demo's");
    assert_eq!(err.code(), ErrorCode::Conflict, "{err}");
    assert!(
        err.to_string().contains("accounts the demo did not create")
            && err.to_string().contains("admin"),
        "the message names why: {err}"
    );
    let before = actions(&api);
    assert_eq!(
        api.list_users(CLI).expect("users").len(),
        1,
        "no demo account was added"
    );

    // A register whose only accounts are the demo's, but with a real patient.
    let api = Api::for_tests(clock()).expect("an in-memory API");
    intake_demo::seed_demo(&api, CLI).expect("the demo on an empty database");
    let demo_users = api.list_users(CLI).map(|u| u.len()).ok();
    api.register_patient(
        CLI,
        &PatientInputDto {
            family: "Real".into(),
            given: "Person".into(),
            birth_date: "1970-01-02".into(),
            sex: "female".into(),
            ..Default::default()
        },
        Some("a real patient"),
    )
    .expect("a registered patient");
    let audit_before = actions(&api);
    let err = intake_demo::seed_demo(&api, CLI).expect_err("a real patient is there");
    assert_eq!(err.code(), ErrorCode::Conflict, "{err}");
    assert!(
        err.to_string()
            .contains("1 patient(s) the demo did not add"),
        "the message names why: {err}"
    );
    assert_eq!(actions(&api), audit_before, "nothing was written");
    assert_eq!(
        api.list_users(CLI).map(|u| u.len()).ok(),
        demo_users,
        "no account was added"
    );
    assert!(!before.is_empty(), "the clinic's entries are kept");
}

#[test]
fn seed_demo_twice_on_a_demo_database_is_still_welcome() {
    let (api, _clock) = demo();
    let again = intake_demo::seed_demo(&api, CLI).expect("a demo database takes it again");
    assert!(
        again.users.iter().all(|u| !u.created) && again.patients == 0,
        "nothing new is added: {again:?}"
    );
}
