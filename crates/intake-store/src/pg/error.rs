//! PostgreSQL's errors as the store's: each names the server and says what went wrong.

use std::path::PathBuf;

use postgres::error::SqlState;

use crate::StoreError;

/// A failed connection, told as a person needs it: the server, then the cause.
pub(crate) fn cannot_connect(e: postgres::Error, describe: &str) -> StoreError {
    let reason = match e.code() {
        Some(c) if *c == SqlState::INVALID_PASSWORD => {
            "the password was refused (check PGPASSWORD or the .pgpass file)".to_string()
        }
        Some(c) if *c == SqlState::INVALID_AUTHORIZATION_SPECIFICATION => {
            format!("the server refused the sign-in: {}", message(&e))
        }
        Some(c) if *c == SqlState::INVALID_CATALOG_NAME => {
            format!("the server has no such database: {}", message(&e))
        }
        _ => message(&e),
    };
    StoreError::CannotOpen {
        path: PathBuf::from(describe),
        reason,
    }
}

/// The server's own message when it sent one, else the driver's (with its source).
fn message(e: &postgres::Error) -> String {
    if let Some(db) = e.as_db_error() {
        return db.message().to_string();
    }
    let mut text = e.to_string();
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        text.push_str(": ");
        text.push_str(&s.to_string());
        source = s.source();
    }
    text
}

/// Classifies an error of a statement on the server `describe`.
pub(crate) fn classify(e: postgres::Error, describe: &str) -> StoreError {
    if e.is_closed() || e.as_db_error().is_none() && e.code().is_none() {
        return StoreError::Database {
            path: PathBuf::from(describe),
            source: Box::new(e),
        };
    }
    let code = e.code().cloned();
    match code {
        Some(c) if c == SqlState::UNIQUE_VIOLATION => StoreError::Duplicate { what: "key" },
        Some(c)
            if c == SqlState::RAISE_EXCEPTION
                || c == SqlState::CHECK_VIOLATION
                || c == SqlState::FOREIGN_KEY_VIOLATION
                || c == SqlState::NOT_NULL_VIOLATION
                || c == SqlState::INSUFFICIENT_PRIVILEGE
                || c == SqlState::READ_ONLY_SQL_TRANSACTION =>
        {
            StoreError::Refused { why: message(&e) }
        }
        Some(c)
            if c == SqlState::T_R_SERIALIZATION_FAILURE
                || c == SqlState::T_R_DEADLOCK_DETECTED
                || c == SqlState::LOCK_NOT_AVAILABLE =>
        {
            StoreError::Busy {
                path: PathBuf::from(describe),
            }
        }
        _ => StoreError::Database {
            path: PathBuf::from(describe),
            source: Box::new(e),
        },
    }
}

/// Classifies an error inside a transaction, where the server's name is not at hand.
pub(crate) fn in_tx(e: postgres::Error) -> StoreError {
    classify(e, "the clinic server")
}
