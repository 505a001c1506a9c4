//! The `sessions` table. Only a SHA-256 of each token is stored, so a copy of the
//! database does not let anyone act as a signed-in user.

use chrono::{DateTime, Utc};
use intake_core::{SessionId, UserId};
use rusqlite::{params, OptionalExtension};

use crate::traits::Sessions;
use crate::{format_time, parse_time, SqliteDb, StoreError};

/// A session as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionRow {
    pub id: SessionId,
    pub user_id: UserId,
    pub created_at: DateTime<Utc>,
    pub last_seen_at: DateTime<Utc>,
    /// Set once the session ended (sign-out, lock, expiry, account disabled).
    pub ended_at: Option<DateTime<Utc>>,
}

impl Sessions for SqliteDb<'_> {
    fn insert_session(
        &self,
        token_hash: &str,
        user: UserId,
        at: DateTime<Utc>,
    ) -> Result<SessionId, StoreError> {
        let at = format_time(at);
        self.conn.execute(
            "INSERT INTO sessions (token_hash, user_id, created_at, last_seen_at) \
             VALUES (?1, ?2, ?3, ?3)",
            params![token_hash, user.0, at],
        )?;
        Ok(SessionId(self.conn.last_insert_rowid()))
    }

    fn session_by_token_hash(&self, token_hash: &str) -> Result<Option<SessionRow>, StoreError> {
        let row = self
            .conn
            .query_row(
                "SELECT id, user_id, created_at, last_seen_at, ended_at FROM sessions \
                 WHERE token_hash = ?1",
                [token_hash],
                |r| {
                    Ok((
                        r.get::<_, i64>(0)?,
                        r.get::<_, i64>(1)?,
                        r.get::<_, String>(2)?,
                        r.get::<_, String>(3)?,
                        r.get::<_, Option<String>>(4)?,
                    ))
                },
            )
            .optional()?;
        let Some((id, user, created, seen, ended)) = row else {
            return Ok(None);
        };
        let time = |s: &str| {
            parse_time(s).map_err(|e| match e {
                StoreError::Damaged { why, .. } => {
                    StoreError::damaged("sessions", format!("session {id}"), why)
                }
                other => other,
            })
        };
        Ok(Some(SessionRow {
            id: SessionId(id),
            user_id: UserId(user),
            created_at: time(&created)?,
            last_seen_at: time(&seen)?,
            ended_at: ended.as_deref().map(time).transpose()?,
        }))
    }

    fn session_is_open(&self, id: SessionId) -> Result<bool, StoreError> {
        Ok(self.conn.query_row(
            "SELECT EXISTS (SELECT 1 FROM sessions WHERE id = ?1 AND ended_at IS NULL)",
            [id.0],
            |r| r.get(0),
        )?)
    }

    fn touch_session(&self, id: SessionId, at: DateTime<Utc>) -> Result<(), StoreError> {
        self.conn.execute(
            "UPDATE sessions SET last_seen_at = ?2 WHERE id = ?1 AND ended_at IS NULL",
            params![id.0, format_time(at)],
        )?;
        Ok(())
    }

    fn end_session(
        &self,
        id: SessionId,
        at: DateTime<Utc>,
        reason: &str,
    ) -> Result<(), StoreError> {
        self.conn.execute(
            "UPDATE sessions SET ended_at = ?2, end_reason = ?3 WHERE id = ?1 AND ended_at IS NULL",
            params![id.0, format_time(at), reason],
        )?;
        Ok(())
    }

    fn end_user_sessions(
        &self,
        user: UserId,
        at: DateTime<Utc>,
        reason: &str,
    ) -> Result<usize, StoreError> {
        Ok(self.conn.execute(
            "UPDATE sessions SET ended_at = ?2, end_reason = ?3 \
             WHERE user_id = ?1 AND ended_at IS NULL",
            params![user.0, format_time(at), reason],
        )?)
    }

    fn end_other_sessions(
        &self,
        user: UserId,
        keep: SessionId,
        at: DateTime<Utc>,
        reason: &str,
    ) -> Result<usize, StoreError> {
        Ok(self.conn.execute(
            "UPDATE sessions SET ended_at = ?3, end_reason = ?4 \
             WHERE user_id = ?1 AND id <> ?2 AND ended_at IS NULL",
            params![user.0, keep.0, format_time(at), reason],
        )?)
    }
}
