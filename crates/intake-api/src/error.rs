//! The API's one error type. Every front end turns it into `{ code, message, field? }`
//! with the closed set of codes in [`ErrorCode`]; messages are written for the person
//! at the screen, so front ends show them as they are and never parse them.

use chrono::{DateTime, Utc};
use intake_store::StoreError;

/// The closed set of error codes a front end sees.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorCode {
    Validation,
    NotFound,
    Conflict,
    Forbidden,
    Unauthenticated,
    Internal,
}

impl ErrorCode {
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::Validation => "validation",
            ErrorCode::NotFound => "not_found",
            ErrorCode::Conflict => "conflict",
            ErrorCode::Forbidden => "forbidden",
            ErrorCode::Unauthenticated => "unauthenticated",
            ErrorCode::Internal => "internal",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ApiError {
    /// Input that cannot be accepted; `field` names the form field when there is one.
    #[error("{message}")]
    Validation {
        field: Option<String>,
        message: String,
    },
    #[error("{0}")]
    NotFound(String),
    /// The request clashes with the current state (a taken name, a second setup).
    #[error("{0}")]
    Conflict(String),
    /// Signed in, but the role (or the account's state) does not allow it.
    #[error("{0}")]
    Forbidden(String),
    /// No session, or it ended or expired: sign in (again).
    #[error("{0}")]
    Unauthenticated(String),
    /// Something the person cannot fix at the screen (a damaged file, a full disk).
    #[error("{0}")]
    Internal(String),
}

impl ApiError {
    pub fn code(&self) -> ErrorCode {
        match self {
            ApiError::Validation { .. } => ErrorCode::Validation,
            ApiError::NotFound(_) => ErrorCode::NotFound,
            ApiError::Conflict(_) => ErrorCode::Conflict,
            ApiError::Forbidden(_) => ErrorCode::Forbidden,
            ApiError::Unauthenticated(_) => ErrorCode::Unauthenticated,
            ApiError::Internal(_) => ErrorCode::Internal,
        }
    }

    pub fn field(&self) -> Option<&str> {
        match self {
            ApiError::Validation { field, .. } => field.as_deref(),
            _ => None,
        }
    }

    pub(crate) fn invalid(field: &str, message: impl Into<String>) -> ApiError {
        ApiError::Validation {
            field: Some(field.to_string()),
            message: message.into(),
        }
    }
}

/// A lower-case library message as a sentence for the screen: capital first, full stop.
pub(crate) fn sentence(message: &str) -> String {
    let mut chars = message.chars();
    match chars.next() {
        Some(first) => {
            let mut s: String = first.to_uppercase().chain(chars).collect();
            if !s.ends_with('.') {
                s.push('.');
            }
            s
        }
        None => String::new(),
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::Duplicate { what } => {
                ApiError::Conflict(format!("A record with this {what} already exists."))
            }
            // Passing conditions, not clashes: a front end keeps the work and tries again
            // (a conflict would make the intake screen drop its changes and reload).
            StoreError::Busy { .. } | StoreError::DiskFull { .. } | StoreError::ReadOnly { .. } => {
                ApiError::Internal(sentence(&e.to_string()))
            }
            StoreError::Moved { .. } => ApiError::Conflict(e.to_string()),
            StoreError::Damaged { table, row, why } => ApiError::Internal(format!(
                "This record is damaged and cannot be shown: {row} ({why}, in {table}). \
                 Nothing was changed; other records are not affected. Restore it from a backup \
                 or ask your IT person to look at the database."
            )),
            other => ApiError::Internal(other.to_string()),
        }
    }
}

impl From<intake_core::user::Invalid> for ApiError {
    fn from(e: intake_core::user::Invalid) -> Self {
        ApiError::invalid(e.field, e.message)
    }
}

/// A time as refusal messages write it: in UTC and saying so, since these messages are
/// made where the clinic's zone is not at hand (screens write times the clinic's way).
pub(crate) fn when(at: DateTime<Utc>) -> String {
    at.format("%Y-%m-%d %H:%M UTC").to_string()
}

/// `100000` as "100,000".
pub(crate) fn grouped(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}
