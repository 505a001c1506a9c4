//! The contract of users, sessions, failed sign-ins and settings.

use intake_core::{Role, SessionId, UserId};

use super::fixtures::{add_user, ok, refused, t};
use crate::prelude::*;
use crate::{FailureRow, NewUser, StoreError};

pub fn insert_user_then_read_it_by_id<B: Backend>(b: &B) {
    let id = ok(
        b.write(|tx| {
            tx.insert_user(
                &NewUser {
                    username: "zoe",
                    display_name: "Zoë Łukasz",
                    role: Role::Physician,
                    password_hash: "$argon2id$v=19$x",
                    must_change_password: true,
                },
                t(1),
                "admin",
            )
        }),
        "adding a user",
    );
    let u = ok(b.read(|tx| tx.user_by_id(id)), "reading").expect("the new user is found");
    assert_eq!(
        (
            u.id,
            u.username.as_str(),
            u.display_name.as_str(),
            u.role,
            u.password_hash.as_str()
        ),
        (id, "zoe", "Zoë Łukasz", Role::Physician, "$argon2id$v=19$x"),
        "every field comes back as written"
    );
    assert!(
        u.must_change_password && u.active,
        "must change, and active"
    );
    assert_eq!(
        (
            u.created_at,
            u.created_by.as_str(),
            u.updated_at,
            u.updated_by.as_str()
        ),
        (t(1), "admin", t(1), "admin")
    );
    assert_eq!(
        ok(b.read(|tx| tx.user_by_id(UserId(id.0 + 100))), "reading"),
        None,
        "a missing id is None"
    );
}

pub fn user_by_username_finds_that_name_only<B: Backend>(b: &B) {
    let anna = add_user(b, "anna", Role::Nurse);
    add_user(b, "annabel", Role::Nurse);
    let found = ok(b.read(|tx| tx.user_by_username("anna")), "reading");
    assert_eq!(found.map(|u| u.id), Some(anna), "the exact name is found");
    assert_eq!(
        ok(b.read(|tx| tx.user_by_username("ann")), "reading"),
        None,
        "a prefix finds nobody"
    );
}

pub fn list_users_by_user_name<B: Backend>(b: &B) {
    for name in ["carl", "anna", "bea"] {
        add_user(b, name, Role::Nurse);
    }
    let names: Vec<String> = ok(b.read(|tx| tx.list_users()), "listing")
        .into_iter()
        .map(|u| u.username)
        .collect();
    assert_eq!(names, ["anna", "bea", "carl"], "by user name");
}

pub fn count_users_counts_every_account<B: Backend>(b: &B) {
    assert_eq!(
        ok(b.read(|tx| tx.count_users()), "counting"),
        0,
        "none at first"
    );
    let id = add_user(b, "anna", Role::Nurse);
    add_user(b, "bea", Role::Admin);
    ok(
        b.write(|tx| tx.set_user_active(id, false, t(1), "admin")),
        "disabling",
    );
    assert_eq!(
        ok(b.read(|tx| tx.count_users()), "counting"),
        2,
        "disabled accounts count too"
    );
}

pub fn count_active_admins_leaves_out_disabled_and_other_roles<B: Backend>(b: &B) {
    add_user(b, "root", Role::Admin);
    let second = add_user(b, "boss", Role::Admin);
    add_user(b, "anna", Role::Nurse);
    assert_eq!(ok(b.read(|tx| tx.count_active_admins()), "counting"), 2);
    ok(
        b.write(|tx| tx.set_user_active(second, false, t(1), "root")),
        "disabling",
    );
    assert_eq!(
        ok(b.read(|tx| tx.count_active_admins()), "counting"),
        1,
        "a disabled admin does not count"
    );
}

pub fn set_user_active_disables_and_enables<B: Backend>(b: &B) {
    let id = add_user(b, "anna", Role::Nurse);
    ok(
        b.write(|tx| tx.set_user_active(id, false, t(2), "root")),
        "disabling",
    );
    let u = ok(b.read(|tx| tx.user_by_id(id)), "reading").expect("the user");
    assert_eq!(
        (u.active, u.updated_at, u.updated_by.as_str()),
        (false, t(2), "root"),
        "disabled, and who did it when"
    );
    ok(
        b.write(|tx| tx.set_user_active(id, true, t(3), "root")),
        "enabling",
    );
    let u = ok(b.read(|tx| tx.user_by_id(id)), "reading").expect("the user");
    assert!(u.active, "enabled again");
}

pub fn set_password_replaces_hash_and_flag<B: Backend>(b: &B) {
    let id = add_user(b, "anna", Role::Nurse);
    ok(
        b.write(|tx| tx.set_password(id, "new-hash", true, t(4), "root")),
        "setting a password",
    );
    let u = ok(b.read(|tx| tx.user_by_id(id)), "reading").expect("the user");
    assert_eq!(
        (
            u.password_hash.as_str(),
            u.must_change_password,
            u.updated_at
        ),
        ("new-hash", true, t(4))
    );
}

pub fn set_role_changes_role_and_display_name<B: Backend>(b: &B) {
    let id = add_user(b, "anna", Role::Nurse);
    ok(
        b.write(|tx| tx.set_role(id, Role::Physician, "Dr Anna", t(5), "root")),
        "changing the role",
    );
    let u = ok(b.read(|tx| tx.user_by_id(id)), "reading").expect("the user");
    assert_eq!(
        (u.role, u.display_name.as_str(), u.updated_by.as_str()),
        (Role::Physician, "Dr Anna", "root")
    );
}

pub fn refused_a_taken_user_name_is_a_duplicate<B: Backend>(b: &B) {
    let first = add_user(b, "anna", Role::Nurse);
    let second = b.write(|tx| {
        tx.insert_user(
            &NewUser {
                username: "anna",
                display_name: "Another Anna",
                role: Role::Admin,
                password_hash: "h",
                must_change_password: false,
            },
            t(1),
            "root",
        )
    });
    assert!(
        matches!(second, Err(StoreError::Duplicate { what: "user name" })),
        "a taken user name is Duplicate {{ what: \"user name\" }}: {second:?}"
    );
    let kept = ok(b.read(|tx| tx.user_by_username("anna")), "reading").expect("the first");
    assert_eq!(
        (kept.id, kept.role),
        (first, Role::Nurse),
        "the first account is unchanged"
    );
}

fn open_session<B: Backend>(b: &B, user: UserId, token: &str, at: i64) -> SessionId {
    ok(
        b.write(|tx| tx.insert_session(token, user, t(at))),
        "opening a session",
    )
}

pub fn insert_session_then_find_it_by_token_hash<B: Backend>(b: &B) {
    let user = add_user(b, "anna", Role::Nurse);
    let id = open_session(b, user, "hash-1", 10);
    let s = ok(b.read(|tx| tx.session_by_token_hash("hash-1")), "reading")
        .expect("the session is found by its token hash");
    assert_eq!(
        (s.id, s.user_id, s.created_at, s.last_seen_at, s.ended_at),
        (id, user, t(10), t(10), None),
        "open, created and last seen at the same time"
    );
    assert_eq!(
        ok(b.read(|tx| tx.session_by_token_hash("hash-2")), "reading"),
        None,
        "another hash finds nothing"
    );
}

pub fn session_is_open_until_it_ends<B: Backend>(b: &B) {
    let user = add_user(b, "anna", Role::Nurse);
    let id = open_session(b, user, "h", 0);
    assert!(ok(b.read(|tx| tx.session_is_open(id)), "reading"), "open");
    ok(
        b.write(|tx| tx.end_session(id, t(60), "signed_out")),
        "ending",
    );
    assert!(
        !ok(b.read(|tx| tx.session_is_open(id)), "reading"),
        "no longer open once ended"
    );
    assert!(
        !ok(
            b.read(|tx| tx.session_is_open(SessionId(id.0 + 50))),
            "reading"
        ),
        "a missing session is not open"
    );
}

pub fn touch_session_moves_last_seen_only_while_open<B: Backend>(b: &B) {
    let user = add_user(b, "anna", Role::Nurse);
    let id = open_session(b, user, "h", 0);
    ok(b.write(|tx| tx.touch_session(id, t(30))), "touching");
    let seen = |b: &B| {
        ok(b.read(|tx| tx.session_by_token_hash("h")), "reading")
            .expect("the session")
            .last_seen_at
    };
    assert_eq!(seen(b), t(30), "activity moves last_seen_at");
    ok(b.write(|tx| tx.end_session(id, t(40), "locked")), "ending");
    ok(b.write(|tx| tx.touch_session(id, t(50))), "touching");
    assert_eq!(seen(b), t(30), "an ended session keeps its last activity");
}

pub fn end_session_keeps_the_first_end_and_its_reason<B: Backend>(b: &B) {
    let user = add_user(b, "anna", Role::Nurse);
    let id = open_session(b, user, "h", 0);
    ok(
        b.write(|tx| tx.end_session(id, t(900), "expired")),
        "ending",
    );
    ok(
        b.write(|tx| tx.end_session(id, t(1000), "signed_out")),
        "ending again",
    );
    let s = ok(b.read(|tx| tx.session_by_token_hash("h")), "reading").expect("the session");
    assert_eq!(
        (s.created_at, s.last_seen_at, s.ended_at),
        (t(0), t(0), Some(t(900))),
        "the expiry keeps the first end; ending again changes nothing"
    );
}

pub fn end_user_sessions_ends_every_open_one<B: Backend>(b: &B) {
    let anna = add_user(b, "anna", Role::Nurse);
    let bea = add_user(b, "bea", Role::Nurse);
    let a1 = open_session(b, anna, "a1", 0);
    let a2 = open_session(b, anna, "a2", 1);
    let a3 = open_session(b, anna, "a3", 2);
    let b1 = open_session(b, bea, "b1", 3);
    ok(
        b.write(|tx| tx.end_session(a3, t(4), "signed_out")),
        "ending",
    );
    let n = ok(
        b.write(|tx| tx.end_user_sessions(anna, t(5), "disabled")),
        "ending a user's sessions",
    );
    assert_eq!(n, 2, "the two open sessions of the user were ended");
    for (id, open) in [(a1, false), (a2, false), (a3, false), (b1, true)] {
        assert_eq!(
            ok(b.read(|tx| tx.session_is_open(id)), "reading"),
            open,
            "session {id:?} open: {open}"
        );
    }
}

pub fn end_other_sessions_keeps_the_one_asking<B: Backend>(b: &B) {
    let anna = add_user(b, "anna", Role::Nurse);
    let bea = add_user(b, "bea", Role::Nurse);
    let a1 = open_session(b, anna, "a1", 0);
    let a2 = open_session(b, anna, "a2", 1);
    let b1 = open_session(b, bea, "b1", 2);
    let n = ok(
        b.write(|tx| tx.end_other_sessions(anna, a2, t(5), "password changed")),
        "ending a user's other sessions",
    );
    assert_eq!(n, 1, "the one other open session of the user was ended");
    for (id, open) in [(a1, false), (a2, true), (b1, true)] {
        assert_eq!(
            ok(b.read(|tx| tx.session_is_open(id)), "reading"),
            open,
            "session {id:?} open: {open}"
        );
    }
}

pub fn refused_a_session_of_a_missing_user<B: Backend>(b: &B) {
    let r = b.write(|tx| tx.insert_session("h", UserId(999), t(0)));
    refused(r, "a session of a user that does not exist");
    assert_eq!(
        ok(b.read(|tx| tx.session_by_token_hash("h")), "reading"),
        None,
        "nothing was stored"
    );
}

pub fn sign_in_failures_round_trip<B: Backend>(b: &B) {
    assert_eq!(
        ok(b.read(|tx| tx.sign_in_failures("anna")), "reading"),
        None,
        "no failures at first"
    );
    let first = FailureRow {
        failures: 1,
        last_failure_at: t(1),
        locked_until: None,
    };
    ok(
        b.write(|tx| tx.put_sign_in_failures("anna", &first)),
        "recording",
    );
    assert_eq!(
        ok(b.read(|tx| tx.sign_in_failures("anna")), "reading"),
        Some(first)
    );
    let locked = FailureRow {
        failures: 5,
        last_failure_at: t(5),
        locked_until: Some(t(905)),
    };
    ok(
        b.write(|tx| tx.put_sign_in_failures("anna", &locked)),
        "recording again",
    );
    assert_eq!(
        ok(b.read(|tx| tx.sign_in_failures("anna")), "reading"),
        Some(locked),
        "the count is replaced, with its lock"
    );
    assert_eq!(
        ok(b.read(|tx| tx.sign_in_failures("bea")), "reading"),
        None,
        "per typed name"
    );
}

pub fn clear_sign_in_failures_forgets_the_name<B: Backend>(b: &B) {
    let row = FailureRow {
        failures: 2,
        last_failure_at: t(1),
        locked_until: None,
    };
    ok(
        b.write(|tx| {
            tx.put_sign_in_failures("anna", &row)?;
            tx.put_sign_in_failures("bea", &row)
        }),
        "recording",
    );
    ok(b.write(|tx| tx.clear_sign_in_failures("anna")), "clearing");
    assert_eq!(
        ok(b.read(|tx| tx.sign_in_failures("anna")), "reading"),
        None
    );
    assert_eq!(
        ok(b.read(|tx| tx.sign_in_failures("bea")), "reading"),
        Some(row),
        "another name keeps its count"
    );
}

pub fn setting_never_set_is_none<B: Backend>(b: &B) {
    assert_eq!(
        ok(
            b.read(|tx| tx.setting("session_timeout_seconds")),
            "reading"
        ),
        None,
        "a setting never set has no value (the API has its default)"
    );
}

pub fn put_setting_round_trips_and_replaces<B: Backend>(b: &B) {
    let text = " Clinique Zoë — {\"a\": 1} ";
    ok(
        b.write(|tx| tx.put_setting("clinic_name", text, t(0), "admin")),
        "setting",
    );
    assert_eq!(
        ok(b.read(|tx| tx.setting("clinic_name")), "reading").as_deref(),
        Some(text),
        "the value comes back exactly as given"
    );
    ok(
        b.write(|tx| tx.put_setting("clinic_name", "Other", t(1), "admin")),
        "replacing",
    );
    assert_eq!(
        ok(b.read(|tx| tx.setting("clinic_name")), "reading").as_deref(),
        Some("Other"),
        "a second put replaces it"
    );
}

pub fn a_setting_written_in_a_transaction_reads_back_in_it<B: Backend>(b: &B) {
    ok(
        b.write(|tx| tx.put_setting("date_order", "dmy", t(0), "admin")),
        "setting",
    );
    let seen = ok(
        b.write(|tx| {
            let before = tx.setting("date_order")?;
            let unset = tx.setting("clinic_name")?;
            tx.put_setting("date_order", "mdy", t(1), "admin")?;
            tx.put_setting("clinic_name", "Zoë's clinic", t(1), "admin")?;
            Ok::<_, crate::StoreError>((
                before,
                unset,
                tx.setting("date_order")?,
                tx.setting("clinic_name")?,
            ))
        }),
        "reading, writing and reading again",
    );
    assert_eq!(
        seen,
        (
            Some("dmy".into()),
            None,
            Some("mdy".into()),
            Some("Zoë's clinic".into())
        ),
        "each read sees the transaction's own writes, after reads of the same keys"
    );
}
