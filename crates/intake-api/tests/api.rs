//! The API as front ends use it: permissions for every use case and role, sessions,
//! lockout, first-run setup, user management and the audit trail.

use std::sync::Arc;

use chrono::{Duration, TimeZone, Utc};
use intake_api::wire::{AuditFilterDto, NewUserRequest, SettingsUpdate};
use intake_api::{Api, ApiError, Caller, ErrorCode, ManualClock};

struct World {
    api: Api,
    clock: Arc<ManualClock>,
}

fn world() -> World {
    let clock = Arc::new(ManualClock::new(
        Utc.with_ymd_and_hms(2026, 11, 23, 9, 0, 0).unwrap(),
    ));
    let api = Api::for_tests(clock.clone()).expect("an in-memory API");
    intake_demo::seed_demo(&api, Caller::Cli("tester")).expect("demo users");
    World { api, clock }
}

fn sign_in(w: &World, username: &str) -> String {
    w.api
        .sign_in(username, "demo")
        .unwrap_or_else(|e| panic!("{username} signs in: {e}"))
        .token
}

fn new_user(username: &str, role: &str) -> NewUserRequest {
    NewUserRequest {
        username: username.into(),
        display_name: String::new(),
        role: role.into(),
        password: "temporary-pass".into(),
    }
}

fn actions(w: &World) -> Vec<String> {
    w.api
        .list_audit(Caller::Cli("tester"), &AuditFilterDto::default())
        .expect("audit list")
        .into_iter()
        .map(|e| e.action)
        .collect()
}

type UseCase = fn(&Api, Caller<'_>, &str) -> Result<(), ApiError>;

/// Every use case that takes a caller, and which roles may call it
/// (nurse, physician, admin). `tag` makes created names unique per call.
fn use_cases() -> Vec<(&'static str, [bool; 3], UseCase)> {
    vec![
        ("whoami", [true, true, true], |api, c, _| {
            api.whoami(c).map(drop)
        }),
        ("sign_out", [true, true, true], |api, c, _| api.sign_out(c)),
        ("lock_session", [true, true, true], |api, c, _| {
            api.lock_session(c)
        }),
        ("change_password", [true, true, true], |api, c, _| {
            // Wrong current password: a validation error means the call was let in.
            match api.change_password(c, "not-the-password", "new-password-1") {
                Err(ApiError::Validation { .. }) => Ok(()),
                other => other,
            }
        }),
        ("get_settings", [true, true, true], |api, c, _| {
            api.get_settings(c).map(drop)
        }),
        ("update_settings", [false, false, true], |api, c, _| {
            api.update_settings(c, &SettingsUpdate::default()).map(drop)
        }),
        ("list_users", [false, false, true], |api, c, _| {
            api.list_users(c).map(drop)
        }),
        ("create_user", [false, false, true], |api, c, tag| {
            api.create_user(c, &new_user(&format!("made-{tag}"), "nurse"))
                .map(drop)
        }),
        ("set_user_active", [false, false, true], |api, c, _| {
            api.set_user_active(c, "nurse", true).map(drop)
        }),
        ("reset_password", [false, false, true], |api, c, _| {
            api.reset_password(c, "target", "fresh-password").map(drop)
        }),
        ("list_audit", [false, false, true], |api, c, _| {
            api.list_audit(c, &AuditFilterDto::default()).map(drop)
        }),
        ("list_audit_actions", [false, false, true], |api, c, _| {
            api.list_audit_actions(c).map(drop)
        }),
        ("verify_audit", [false, false, true], |api, c, _| {
            api.verify_audit(c).map(drop)
        }),
        ("seed_demo", [false, false, true], |api, c, _| {
            // This world has an account the demo did not create: a refusal as a
            // clinic's database means the call was let in.
            match intake_demo::seed_demo(api, c) {
                Err(ApiError::Conflict(_)) => Ok(()),
                other => other.map(drop),
            }
        }),
    ]
}

#[test]
fn permission_table_for_every_use_case_role_and_no_session() {
    let w = world();
    w.api
        .create_user(Caller::Cli("tester"), &new_user("target", "nurse"))
        .unwrap();
    for (name, allowed, call) in use_cases() {
        for (i, role) in ["nurse", "physician", "admin"].into_iter().enumerate() {
            let token = sign_in(&w, role);
            let result = call(&w.api, Caller::Session(&token), &format!("{name}-{role}"));
            if allowed[i] {
                assert!(result.is_ok(), "{role} may {name}: got {result:?}");
            } else {
                let err = result.expect_err(&format!("{role} may not {name}"));
                assert_eq!(err.code(), ErrorCode::Forbidden, "{role} {name}: {err}");
            }
        }
        for token in ["", "not-a-token", &"x".repeat(10_000)] {
            let err = call(&w.api, Caller::Session(token), name).expect_err("no session");
            assert_eq!(
                err.code(),
                ErrorCode::Unauthenticated,
                "{name} without a session"
            );
        }
    }
    assert!(
        actions(&w).contains(&"access.denied".to_string()),
        "denials are audited"
    );
}

#[test]
fn an_idle_session_expires_and_activity_keeps_it_alive() {
    let w = world();
    let token = sign_in(&w, "nurse");
    for _ in 0..3 {
        w.clock.advance(Duration::minutes(9));
        w.api
            .whoami(Caller::Session(&token))
            .expect("active every 9 minutes: still signed in");
    }
    // The screen locks itself at 10 minutes; the backend allows 30 s for it to do so.
    w.clock.advance(Duration::seconds(600 + 25));
    assert!(
        w.api.whoami(Caller::Session(&token)).is_ok(),
        "within the grace period"
    );
    w.clock.advance(Duration::seconds(600 + 31));
    let err = w.api.whoami(Caller::Session(&token)).unwrap_err();
    assert_eq!(err.code(), ErrorCode::Unauthenticated);
    assert!(err.to_string().contains("10 minute"), "says why: {err}");
    assert!(actions(&w).contains(&"session.expired".to_string()));
    // The expired session was ended, not just refused once.
    let again = w.api.whoami(Caller::Session(&token)).unwrap_err();
    assert_eq!(again.code(), ErrorCode::Unauthenticated);
}

#[test]
fn the_timeout_is_a_setting() {
    let w = world();
    let admin = sign_in(&w, "admin");
    let update = SettingsUpdate {
        session_timeout_seconds: Some(5),
        clinic_name: Some("Riverside Clinic".into()),
        date_order: None,
        paper_size: None,
        review_thresholds: None,
        ..Default::default()
    };
    let settings = w
        .api
        .update_settings(Caller::Session(&admin), &update)
        .unwrap();
    assert_eq!(settings.session_timeout_seconds, 5);
    let nurse = w.api.sign_in("nurse", "demo").unwrap();
    assert_eq!(
        nurse.session_timeout_seconds, 5,
        "the UI learns the timeout at sign-in"
    );
    w.clock.advance(Duration::seconds(5 + 31));
    let err = w.api.whoami(Caller::Session(&nurse.token)).unwrap_err();
    assert_eq!(err.code(), ErrorCode::Unauthenticated);
    assert_eq!(w.api.app_status().unwrap().clinic_name, "Riverside Clinic");
}

#[test]
fn settings_out_of_range_are_refused_and_nothing_changes() {
    let w = world();
    for secs in [0, 4, 43_201, -1] {
        let err = w
            .api
            .update_settings(
                Caller::Cli("t"),
                &SettingsUpdate {
                    session_timeout_seconds: Some(secs),
                    clinic_name: Some("Changed".into()),
                    date_order: None,
                    paper_size: None,
                    review_thresholds: None,
                    ..Default::default()
                },
            )
            .unwrap_err();
        assert_eq!(err.field(), Some("sessionTimeoutSeconds"), "{secs}: {err}");
    }
    let settings = w.api.get_settings(Caller::Cli("t")).unwrap();
    assert_eq!(settings.session_timeout_seconds, 600, "default kept");
    assert_eq!(
        settings.clinic_name, "",
        "the clinic name was not saved either"
    );
}

#[test]
fn five_failures_lock_a_user_name_for_five_minutes() {
    let w = world();
    for attempt in 1..=5 {
        let err = w.api.sign_in("nurse", "wrong").unwrap_err();
        assert_eq!(err.code(), ErrorCode::Unauthenticated, "attempt {attempt}");
    }
    let err = w.api.sign_in("nurse", "demo").unwrap_err();
    assert!(
        err.to_string().contains("Too many failed sign-ins"),
        "{err}"
    );
    assert!(actions(&w).contains(&"user.locked_out".to_string()));
    w.clock.advance(Duration::minutes(4));
    assert!(
        w.api.sign_in("nurse", "demo").is_err(),
        "still locked after 4 minutes"
    );
    w.clock.advance(Duration::minutes(1) + Duration::seconds(1));
    assert!(
        w.api.sign_in("nurse", "demo").is_ok(),
        "unlocked after 5 minutes"
    );
    // A success clears the count: four more failures do not lock.
    for _ in 0..4 {
        let _ = w.api.sign_in("nurse", "wrong");
    }
    assert!(w.api.sign_in("nurse", "demo").is_ok());
}

#[test]
fn failures_do_not_reveal_whether_a_user_exists() {
    let w = world();
    let real = w.api.sign_in("nurse", "wrong-password").unwrap_err();
    let ghost = w.api.sign_in("no-such-user", "wrong-password").unwrap_err();
    assert_eq!(
        real, ghost,
        "same error for a real and an unknown user name"
    );
    assert_eq!(real.to_string(), "Username or password is incorrect.");
    for _ in 0..5 {
        let _ = w.api.sign_in("nobody", "x");
        let _ = w.api.sign_in("physician", "x");
    }
    let ghost_locked = w.api.sign_in("nobody", "x").unwrap_err();
    let real_locked = w.api.sign_in("physician", "x").unwrap_err();
    assert_eq!(ghost_locked, real_locked, "lockout looks the same for both");
}

#[test]
fn empty_and_huge_credentials_get_clear_errors() {
    let w = world();
    let err = w.api.sign_in("", "demo").unwrap_err();
    assert_eq!(err.field(), Some("username"));
    let err = w.api.sign_in("nurse", "").unwrap_err();
    assert_eq!(err.field(), Some("password"));
    let huge = "p".repeat(10 * 1024);
    let err = w.api.sign_in("nurse", &huge).unwrap_err();
    assert!(err.to_string().contains("256"), "{err}");
    let err = w.api.sign_in(&huge, "demo").unwrap_err();
    assert_eq!(err.to_string(), "Username or password is incorrect.");
    let err = w
        .api
        .create_user(Caller::Cli("t"), &new_user(&huge, "nurse"))
        .unwrap_err();
    assert_eq!(err.field(), Some("username"));
    let mut req = new_user("anna", "nurse");
    req.password = huge.clone();
    assert_eq!(
        w.api
            .create_user(Caller::Cli("t"), &req)
            .unwrap_err()
            .field(),
        Some("password")
    );
    req.password = String::new();
    assert_eq!(
        w.api
            .create_user(Caller::Cli("t"), &req)
            .unwrap_err()
            .field(),
        Some("password")
    );
    let err = w
        .api
        .create_user(Caller::Cli("t"), &new_user("anna", "surgeon"))
        .unwrap_err();
    assert_eq!(err.field(), Some("role"));
    assert!(
        err.to_string().contains("nurse, physician or admin"),
        "{err}"
    );
    assert_eq!(
        w.api.list_users(Caller::Cli("t")).unwrap().len(),
        3,
        "nothing added"
    );
}

#[test]
fn the_first_admin_is_created_once() {
    let clock = Arc::new(ManualClock::new(Utc::now()));
    let api = Api::for_tests(clock).unwrap();
    assert!(api.app_status().unwrap().needs_first_admin);
    let admin = api
        .create_first_admin(None, "Chief", "Maria Chief", "first-admin-pw")
        .expect("the first admin");
    assert_eq!(
        (admin.username.as_str(), admin.role.as_str()),
        ("chief", "admin")
    );
    assert!(!api.app_status().unwrap().needs_first_admin);
    let err = api
        .create_first_admin(None, "mallory", "", "another-pass")
        .unwrap_err();
    assert_eq!(err.code(), ErrorCode::Conflict);
    assert!(
        api.sign_in("chief", "first-admin-pw").is_ok(),
        "first admin untouched"
    );
    assert!(
        api.sign_in("mallory", "another-pass").is_err(),
        "no second admin"
    );
}

#[test]
fn a_temporary_password_must_be_changed_before_anything_else() {
    let w = world();
    let admin = sign_in(&w, "admin");
    w.api
        .create_user(Caller::Session(&admin), &new_user("zoe", "admin"))
        .unwrap();
    let zoe = w.api.sign_in("zoe", "temporary-pass").unwrap();
    assert!(zoe.user.must_change_password);
    let err = w.api.list_users(Caller::Session(&zoe.token)).unwrap_err();
    assert!(err.to_string().contains("temporary password"), "{err}");
    let err = w
        .api
        .change_password(Caller::Session(&zoe.token), "temporary-pass", "short")
        .unwrap_err();
    assert_eq!(err.field(), Some("newPassword"));
    w.api
        .change_password(
            Caller::Session(&zoe.token),
            "temporary-pass",
            "zoe-own-secret",
        )
        .unwrap();
    assert!(w.api.list_users(Caller::Session(&zoe.token)).is_ok());
    assert!(w.api.sign_in("zoe", "zoe-own-secret").is_ok());
}

#[test]
fn disabling_a_user_ends_their_sessions_and_sign_ins() {
    let w = world();
    let admin = sign_in(&w, "admin");
    let nurse = sign_in(&w, "nurse");
    let dto = w
        .api
        .set_user_active(Caller::Session(&admin), "NURSE", false)
        .unwrap();
    assert!(!dto.active);
    let err = w.api.whoami(Caller::Session(&nurse)).unwrap_err();
    assert_eq!(
        err.code(),
        ErrorCode::Unauthenticated,
        "the open session ended"
    );
    let err = w.api.sign_in("nurse", "demo").unwrap_err();
    assert!(err.to_string().contains("disabled"), "{err}");
    w.api
        .set_user_active(Caller::Session(&admin), "nurse", true)
        .unwrap();
    assert!(w.api.sign_in("nurse", "demo").is_ok());
    let acts = actions(&w);
    assert!(acts.contains(&"user.disabled".into()) && acts.contains(&"user.enabled".into()));
}

#[test]
fn nobody_disables_themselves_or_the_last_admin() {
    let w = world();
    let admin = sign_in(&w, "admin");
    let err = w
        .api
        .set_user_active(Caller::Session(&admin), "admin", false)
        .unwrap_err();
    assert!(err.to_string().contains("your own account"), "{err}");
    let err = w
        .api
        .set_user_active(Caller::Cli("t"), "admin", false)
        .unwrap_err();
    assert!(
        err.to_string().contains("last active administrator"),
        "{err}"
    );
    let err = w
        .api
        .set_user_active(Caller::Cli("t"), "ghost", false)
        .unwrap_err();
    assert_eq!(err.code(), ErrorCode::NotFound);
}

#[test]
fn a_password_reset_is_temporary_and_lifts_a_lockout() {
    let w = world();
    for _ in 0..5 {
        let _ = w.api.sign_in("nurse", "wrong");
    }
    w.api
        .reset_password(Caller::Cli("t"), "nurse", "temp-password")
        .unwrap();
    let signed = w
        .api
        .sign_in("nurse", "temp-password")
        .expect("lockout lifted");
    assert!(signed.user.must_change_password);
}

#[test]
fn every_action_lands_in_an_intact_audit_chain() {
    let w = world();
    let token = sign_in(&w, "admin");
    let _ = w.api.sign_in("admin", "wrong");
    w.api.lock_session(Caller::Session(&token)).unwrap();
    let token = sign_in(&w, "admin");
    w.api
        .create_user(Caller::Session(&token), &new_user("lea", "physician"))
        .unwrap();
    w.api.sign_out(Caller::Session(&token)).unwrap();
    let acts = actions(&w);
    for expected in [
        "user.created",
        "session.signed_in",
        "session.sign_in_failed",
        "session.locked",
        "session.signed_out",
    ] {
        assert!(
            acts.contains(&expected.to_string()),
            "{expected} in {acts:?}"
        );
    }
    let entries = w
        .api
        .list_audit(
            Caller::Cli("t"),
            &AuditFilterDto {
                limit: Some(10_000),
                ..Default::default()
            },
        )
        .unwrap();
    let created = entries
        .iter()
        .find(|e| e.detail["username"] == "lea")
        .unwrap();
    assert_eq!(created.actor, "admin", "the actor is the signed-in user");
    let seeded = entries
        .iter()
        .find(|e| e.detail["username"] == "nurse")
        .unwrap();
    assert_eq!(seeded.actor, "cli:tester", "the CLI acts as cli:<OS user>");
    let verdict = w.api.verify_audit(Caller::Cli("t")).unwrap();
    assert!(verdict.intact, "{verdict:?}");
    assert_eq!(verdict.entries as usize, entries.len());
}

#[test]
fn audit_listing_filters_and_pages() {
    let w = world();
    for _ in 0..3 {
        sign_in(&w, "nurse");
    }
    let filter = AuditFilterDto {
        action_prefix: Some("session.".into()),
        limit: Some(2),
        ..Default::default()
    };
    let page = w.api.list_audit(Caller::Cli("t"), &filter).unwrap();
    assert_eq!(page.len(), 2);
    assert!(page.iter().all(|e| e.action.starts_with("session.")));
    assert!(page[0].seq > page[1].seq, "newest first");
    let older = AuditFilterDto {
        before_seq: Some(page[1].seq),
        ..filter
    };
    let next = w.api.list_audit(Caller::Cli("t"), &older).unwrap();
    assert_eq!(next.len(), 1, "the third sign-in");
    let err = w
        .api
        .list_audit(
            Caller::Cli("t"),
            &AuditFilterDto {
                limit: Some(0),
                ..Default::default()
            },
        )
        .unwrap_err();
    assert_eq!(err.code(), ErrorCode::Validation);
}

#[test]
fn the_clinic_time_zone_and_clock_are_settings_checked_audited_and_told_at_sign_in() {
    let w = world();
    let admin = sign_in(&w, "admin");
    let before = w.api.get_settings(Caller::Cli("t")).unwrap();
    assert!(
        !before.time_zone_set,
        "no zone is set at first: the workstation's is used"
    );
    assert_eq!(before.hour_cycle, "24", "24 hours by default");
    for bad in [
        "Mars/Olympus",
        "New York",
        "EST5EDT,M3.2.0,M11.1.0",
        "/etc/localtime",
    ] {
        let err = w
            .api
            .update_settings(
                Caller::Session(&admin),
                &SettingsUpdate {
                    time_zone: Some(bad.into()),
                    clinic_name: Some("Changed".into()),
                    ..Default::default()
                },
            )
            .unwrap_err();
        assert_eq!(err.field(), Some("timeZone"), "{bad:?} is refused: {err}");
        assert!(
            err.to_string().contains("is not a time zone"),
            "a clear message: {err}"
        );
    }
    let err = w
        .api
        .update_settings(
            Caller::Session(&admin),
            &SettingsUpdate {
                hour_cycle: Some("13".into()),
                ..Default::default()
            },
        )
        .unwrap_err();
    assert_eq!(err.field(), Some("hourCycle"), "{err}");
    assert_eq!(
        w.api.get_settings(Caller::Cli("t")).unwrap(),
        before,
        "nothing was saved by a refused change"
    );

    let after = w
        .api
        .update_settings(
            Caller::Session(&admin),
            &SettingsUpdate {
                time_zone: Some("america/new_york".into()),
                hour_cycle: Some("12".into()),
                date_order: Some("dmy".into()),
                ..Default::default()
            },
        )
        .unwrap();
    assert_eq!(
        after.time_zone, "America/New_York",
        "kept as the database spells it"
    );
    assert!(after.time_zone_set);
    assert_eq!(after.hour_cycle, "12");
    let entry = w
        .api
        .list_audit(Caller::Cli("t"), &AuditFilterDto::default())
        .unwrap()
        .into_iter()
        .find(|e| e.action == "settings.changed")
        .expect("the change is audited");
    assert_eq!(entry.detail["after"]["timeZone"], "America/New_York");
    assert_eq!(entry.detail["after"]["hourCycle"], "12");
    assert_eq!(entry.actor, "admin");

    let nurse = w.api.sign_in("nurse", "demo").unwrap();
    assert_eq!(
        (
            nurse.dates.time_zone.as_str(),
            nurse.dates.hour_cycle.as_str(),
            nurse.dates.date_order.as_str()
        ),
        ("America/New_York", "12", "dmy"),
        "the screens learn how to write dates at sign-in"
    );
    let again = w.api.whoami(Caller::Session(&nurse.token)).unwrap();
    assert_eq!(
        again.dates, nurse.dates,
        "and again when they ask who is signed in"
    );

    // Empty goes back to the workstation's zone.
    let back = w
        .api
        .update_settings(
            Caller::Session(&admin),
            &SettingsUpdate {
                time_zone: Some(String::new()),
                ..Default::default()
            },
        )
        .unwrap();
    assert!(!back.time_zone_set, "the workstation's zone again");
}
