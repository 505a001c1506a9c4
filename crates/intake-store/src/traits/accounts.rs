//! Accounts and their traces: users, sessions, failed sign-ins, clinic settings and the
//! audit log.

use chrono::{DateTime, Utc};
use intake_core::audit::ChainVerdict;
use intake_core::{Role, SessionId, UserId};

use crate::{
    AuditFilter, AuditRow, FailureRow, NewAuditEntry, NewUser, SessionRow, StoreError, UserRow,
};

/// User accounts. User names are stored as given (the API lower-cases them) and are
/// unique: a taken one is [`StoreError::Duplicate`] `{ what: "user name" }`. Times are
/// kept to the millisecond.
pub trait Users {
    /// Adds an active user; returns its new id.
    fn insert_user(
        &self,
        user: &NewUser<'_>,
        at: DateTime<Utc>,
        by: &str,
    ) -> Result<UserId, StoreError>;

    fn user_by_id(&self, id: UserId) -> Result<Option<UserRow>, StoreError>;

    /// Looks a user up by the stored user name (exact match).
    fn user_by_username(&self, username: &str) -> Result<Option<UserRow>, StoreError>;

    /// Every user, by user name.
    fn list_users(&self) -> Result<Vec<UserRow>, StoreError>;

    fn count_users(&self) -> Result<i64, StoreError>;

    /// Administrators who may still sign in.
    fn count_active_admins(&self) -> Result<i64, StoreError>;

    /// Enables or disables an account (a missing id changes nothing).
    fn set_user_active(
        &self,
        id: UserId,
        active: bool,
        at: DateTime<Utc>,
        by: &str,
    ) -> Result<(), StoreError>;

    fn set_password(
        &self,
        id: UserId,
        password_hash: &str,
        must_change: bool,
        at: DateTime<Utc>,
        by: &str,
    ) -> Result<(), StoreError>;

    fn set_role(
        &self,
        id: UserId,
        role: Role,
        display_name: &str,
        at: DateTime<Utc>,
        by: &str,
    ) -> Result<(), StoreError>;
}

/// Sessions, known only by a hash of their token. A session of a user that does not
/// exist is refused. Times are kept to the millisecond; ending a session keeps its time
/// and reason, and ending it again changes nothing.
pub trait Sessions {
    /// Opens a session; `created_at` and `last_seen_at` are both `at`.
    fn insert_session(
        &self,
        token_hash: &str,
        user: UserId,
        at: DateTime<Utc>,
    ) -> Result<SessionId, StoreError>;

    fn session_by_token_hash(&self, token_hash: &str) -> Result<Option<SessionRow>, StoreError>;

    /// Whether a session exists and has not ended.
    fn session_is_open(&self, id: SessionId) -> Result<bool, StoreError>;

    /// Records activity on an open session (an ended one keeps its last time).
    fn touch_session(&self, id: SessionId, at: DateTime<Utc>) -> Result<(), StoreError>;

    /// Ends one session; ending an ended session changes nothing.
    fn end_session(&self, id: SessionId, at: DateTime<Utc>, reason: &str)
        -> Result<(), StoreError>;

    /// Ends every open session of a user; returns how many were open.
    fn end_user_sessions(
        &self,
        user: UserId,
        at: DateTime<Utc>,
        reason: &str,
    ) -> Result<usize, StoreError>;

    /// Ends every open session of a user except `keep` (the one asking); returns how
    /// many were ended.
    fn end_other_sessions(
        &self,
        user: UserId,
        keep: SessionId,
        at: DateTime<Utc>,
        reason: &str,
    ) -> Result<usize, StoreError>;
}

/// Failed sign-ins per typed user name (whether or not such a user exists), for the
/// API's lockout rule. Times are kept to the millisecond.
pub trait SignInFailures {
    fn sign_in_failures(&self, username: &str) -> Result<Option<FailureRow>, StoreError>;

    /// Replaces the count of `username`.
    fn put_sign_in_failures(&self, username: &str, row: &FailureRow) -> Result<(), StoreError>;

    fn clear_sign_in_failures(&self, username: &str) -> Result<(), StoreError>;
}

/// Clinic-wide settings: text values by key, kept exactly as given. Which keys exist and
/// their defaults are the API's business.
pub trait Settings {
    fn setting(&self, key: &str) -> Result<Option<String>, StoreError>;

    /// Sets (or replaces) one setting.
    fn put_setting(
        &self,
        key: &str,
        value: &str,
        at: DateTime<Utc>,
        by: &str,
    ) -> Result<(), StoreError>;
}

/// The audit log: append-only (the database itself refuses an UPDATE or DELETE of an
/// entry, whoever sends it: [`StoreError::Refused`]) and hash-chained. Each entry's
/// time is stored as [`crate::format_time`]'s text and its detail as the JSON text of
/// `detail.to_string()`, exactly, and returned as that text: the hash covers them.
pub trait Audit {
    /// Appends an entry after the current last one, numbers and hashes it; returns its
    /// sequence number (1 for the first).
    fn append_audit(&self, entry: &NewAuditEntry<'_>) -> Result<i64, StoreError>;

    /// Entries matching `filter`, newest first.
    fn list_audit(&self, filter: &AuditFilter) -> Result<Vec<AuditRow>, StoreError>;

    /// Every action the log holds, once each, in alphabetical order.
    fn audit_actions(&self) -> Result<Vec<String>, StoreError>;

    /// Walks the whole chain in order and names the first entry that breaks it.
    fn verify_audit(&self) -> Result<ChainVerdict, StoreError>;
}
