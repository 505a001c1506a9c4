//! The contract of a backend itself: transactions and the millisecond text of times.

use chrono::Duration;
use intake_core::Role;

use super::audit::{all_audit, entry};
use super::fixtures::{add_user, ok, t};
use crate::prelude::*;
use crate::{format_time, NewAuditEntry, NewUser, StoreError};

pub fn write_commits_only_when_the_closure_succeeds<B: Backend>(b: &B) {
    let failed: Result<(), StoreError> = b.write(|tx| {
        tx.put_setting("k", "v", t(0), "admin")?;
        tx.append_audit(&entry(0, "admin", "user.created", 1))?;
        Err(StoreError::damaged("test", "row", "stop"))
    });
    assert!(failed.is_err(), "the closure's error is returned");
    assert_eq!(
        ok(b.read(|tx| tx.setting("k")), "reading"),
        None,
        "nothing written before the error is kept"
    );
    assert!(all_audit(b).is_empty(), "no audit entry is kept either");
    ok(
        b.write(|tx| tx.put_setting("k", "v", t(0), "admin")),
        "writing",
    );
    assert_eq!(
        ok(b.read(|tx| tx.setting("k")), "reading"),
        Some("v".to_string()),
        "a write that succeeds is kept"
    );
}

pub fn read_sees_what_was_committed<B: Backend>(b: &B) {
    let id = add_user(b, "anna", Role::Nurse);
    let (first, second) = ok(
        b.read(|tx| Ok::<_, StoreError>((tx.user_by_id(id)?, tx.count_users()?))),
        "reading twice in one snapshot",
    );
    assert_eq!(first.map(|u| u.username), Some("anna".to_string()));
    assert_eq!(second, 1, "one snapshot sees the committed user");
}

pub fn times_are_kept_to_the_millisecond<B: Backend>(b: &B) {
    let fine = t(0) + Duration::nanoseconds(123_999_999);
    let cut = t(0) + Duration::milliseconds(123);
    let id = ok(
        b.write(|tx| {
            tx.insert_user(
                &NewUser {
                    username: "anna",
                    display_name: "Anna",
                    role: Role::Nurse,
                    password_hash: "h",
                    must_change_password: false,
                },
                fine,
                "admin",
            )
        }),
        "adding a user",
    );
    let user = ok(b.read(|tx| tx.user_by_id(id)), "reading").expect("the user");
    assert_eq!(
        (user.created_at, user.updated_at),
        (cut, cut),
        "a time comes back cut to the millisecond"
    );
    ok(
        b.write(|tx| {
            tx.append_audit(&NewAuditEntry {
                at: fine,
                ..entry(0, "admin", "user.created", 1)
            })
        }),
        "appending",
    );
    assert_eq!(
        all_audit(b)[0].content.at,
        "2026-11-24T09:00:00.123Z",
        "the audit time is format_time's text"
    );
    assert_eq!(format_time(fine), "2026-11-24T09:00:00.123Z");
}
