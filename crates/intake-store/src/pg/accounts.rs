//! Accounts on the server: users, sessions, failed sign-ins, settings, the audit log.
#![allow(unused_variables)]

use crate::{
    AuditFilter, AuditRow, FailureRow, NewAuditEntry, NewUser, SessionRow, StoreError, UserRow,
};
use chrono::{DateTime, Utc};
use intake_core::audit::ChainVerdict;
use intake_core::{Role, SessionId, UserId};

use super::PgDb;
use crate::traits::{Audit, Sessions, Settings, SignInFailures, Users};

fn not_yet(what: &str) -> StoreError {
    StoreError::Refused {
        why: format!("{what} is not yet implemented on the clinic server"),
    }
}

impl Users for PgDb<'_> {
    fn insert_user(
        &self,
        _user: &NewUser<'_>,
        _at: DateTime<Utc>,
        _by: &str,
    ) -> Result<UserId, StoreError> {
        Err(not_yet("insert_user"))
    }

    fn user_by_id(&self, _id: UserId) -> Result<Option<UserRow>, StoreError> {
        Err(not_yet("user_by_id"))
    }

    fn user_by_username(&self, _username: &str) -> Result<Option<UserRow>, StoreError> {
        Err(not_yet("user_by_username"))
    }

    fn list_users(&self) -> Result<Vec<UserRow>, StoreError> {
        Err(not_yet("list_users"))
    }

    fn count_users(&self) -> Result<i64, StoreError> {
        Err(not_yet("count_users"))
    }

    fn count_active_admins(&self) -> Result<i64, StoreError> {
        Err(not_yet("count_active_admins"))
    }

    fn set_user_active(
        &self,
        _id: UserId,
        _active: bool,
        _at: DateTime<Utc>,
        _by: &str,
    ) -> Result<(), StoreError> {
        Err(not_yet("set_user_active"))
    }

    fn set_password(
        &self,
        _id: UserId,
        _password_hash: &str,
        _must_change: bool,
        _at: DateTime<Utc>,
        _by: &str,
    ) -> Result<(), StoreError> {
        Err(not_yet("set_password"))
    }

    fn set_role(
        &self,
        _id: UserId,
        _role: Role,
        _display_name: &str,
        _at: DateTime<Utc>,
        _by: &str,
    ) -> Result<(), StoreError> {
        Err(not_yet("set_role"))
    }
}

impl Sessions for PgDb<'_> {
    fn insert_session(
        &self,
        _token_hash: &str,
        _user: UserId,
        _at: DateTime<Utc>,
    ) -> Result<SessionId, StoreError> {
        Err(not_yet("insert_session"))
    }

    fn session_by_token_hash(&self, _token_hash: &str) -> Result<Option<SessionRow>, StoreError> {
        Err(not_yet("session_by_token_hash"))
    }

    fn session_is_open(&self, _id: SessionId) -> Result<bool, StoreError> {
        Err(not_yet("session_is_open"))
    }

    fn touch_session(&self, _id: SessionId, _at: DateTime<Utc>) -> Result<(), StoreError> {
        Err(not_yet("touch_session"))
    }

    fn end_session(
        &self,
        _id: SessionId,
        _at: DateTime<Utc>,
        _reason: &str,
    ) -> Result<(), StoreError> {
        Err(not_yet("end_session"))
    }

    fn end_user_sessions(
        &self,
        _user: UserId,
        _at: DateTime<Utc>,
        _reason: &str,
    ) -> Result<usize, StoreError> {
        Err(not_yet("end_user_sessions"))
    }

    fn end_other_sessions(
        &self,
        _user: UserId,
        _keep: SessionId,
        _at: DateTime<Utc>,
        _reason: &str,
    ) -> Result<usize, StoreError> {
        Err(not_yet("end_other_sessions"))
    }
}

impl SignInFailures for PgDb<'_> {
    fn sign_in_failures(&self, _username: &str) -> Result<Option<FailureRow>, StoreError> {
        Err(not_yet("sign_in_failures"))
    }

    fn put_sign_in_failures(&self, _username: &str, _row: &FailureRow) -> Result<(), StoreError> {
        Err(not_yet("put_sign_in_failures"))
    }

    fn clear_sign_in_failures(&self, _username: &str) -> Result<(), StoreError> {
        Err(not_yet("clear_sign_in_failures"))
    }
}

impl Settings for PgDb<'_> {
    fn setting(&self, _key: &str) -> Result<Option<String>, StoreError> {
        Err(not_yet("setting"))
    }

    fn put_setting(
        &self,
        _key: &str,
        _value: &str,
        _at: DateTime<Utc>,
        _by: &str,
    ) -> Result<(), StoreError> {
        Err(not_yet("put_setting"))
    }
}

impl Audit for PgDb<'_> {
    fn append_audit(&self, _entry: &NewAuditEntry<'_>) -> Result<i64, StoreError> {
        Err(not_yet("append_audit"))
    }

    fn list_audit(&self, _filter: &AuditFilter) -> Result<Vec<AuditRow>, StoreError> {
        Err(not_yet("list_audit"))
    }

    fn audit_actions(&self) -> Result<Vec<String>, StoreError> {
        Err(not_yet("audit_actions"))
    }

    fn verify_audit(&self) -> Result<ChainVerdict, StoreError> {
        Err(not_yet("verify_audit"))
    }
}
