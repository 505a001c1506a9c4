//! Failed sign-ins per typed user name, for the lockout rule in `intake-api`.

use chrono::{DateTime, Utc};
use rusqlite::{params, OptionalExtension};

use crate::traits::SignInFailures;
use crate::{format_time, parse_time, SqliteDb, StoreError};

/// The failure count of one typed user name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FailureRow {
    pub failures: i64,
    pub last_failure_at: DateTime<Utc>,
    pub locked_until: Option<DateTime<Utc>>,
}

impl SignInFailures for SqliteDb<'_> {
    fn sign_in_failures(&self, username: &str) -> Result<Option<FailureRow>, StoreError> {
        let row = self
            .conn
            .query_row(
                "SELECT failures, last_failure_at, locked_until FROM sign_in_failures \
                 WHERE username = ?1",
                [username],
                |r| {
                    Ok((
                        r.get::<_, i64>(0)?,
                        r.get::<_, String>(1)?,
                        r.get::<_, Option<String>>(2)?,
                    ))
                },
            )
            .optional()?;
        let Some((failures, last, locked)) = row else {
            return Ok(None);
        };
        Ok(Some(FailureRow {
            failures,
            last_failure_at: parse_time(&last)?,
            locked_until: locked.as_deref().map(parse_time).transpose()?,
        }))
    }

    fn put_sign_in_failures(&self, username: &str, row: &FailureRow) -> Result<(), StoreError> {
        self.conn.execute(
            "INSERT INTO sign_in_failures (username, failures, last_failure_at, locked_until) \
             VALUES (?1, ?2, ?3, ?4) \
             ON CONFLICT (username) DO UPDATE SET failures = ?2, last_failure_at = ?3, \
             locked_until = ?4",
            params![
                username,
                row.failures,
                format_time(row.last_failure_at),
                row.locked_until.map(format_time)
            ],
        )?;
        Ok(())
    }

    fn clear_sign_in_failures(&self, username: &str) -> Result<(), StoreError> {
        self.conn.execute(
            "DELETE FROM sign_in_failures WHERE username = ?1",
            [username],
        )?;
        Ok(())
    }
}
