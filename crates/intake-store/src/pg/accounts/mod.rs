//! Accounts on the server: users, sessions, failed sign-ins, settings (and, in
//! [`audit`], the audit log). The same statements as the SQLite backend's
//! (`src/users.rs`, `src/sessions.rs`, …), times stored as [`format_time`]'s text.

mod audit;

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use intake_core::{Role, SessionId, UserId};
use postgres::Row;

use super::{get, PgDb};
use crate::traits::{Sessions, Settings, SignInFailures, Users};
use crate::{format_time, parse_time, FailureRow, NewUser, SessionRow, StoreError, UserRow};

/// Reads a stored time, naming `row` of `table` when it is not one [`format_time`] wrote.
pub(super) fn time(
    table: &'static str,
    row: &str,
    text: &str,
) -> Result<DateTime<Utc>, StoreError> {
    parse_time(text).map_err(|e| match e {
        StoreError::Damaged { why, .. } => StoreError::damaged(table, row, why),
        other => other,
    })
}

const USER_COLUMNS: &str = "id, username, display_name, role, password_hash, \
                            must_change_password, active, created_at, created_by, updated_at, \
                            updated_by";

fn user_from_row(row: &Row) -> Result<UserRow, StoreError> {
    const T: &str = "users";
    let id: i64 = get(row, 0, T)?;
    let name = format!("user {id}");
    let role: String = get(row, 3, T)?;
    let created_at: String = get(row, 7, T)?;
    let updated_at: String = get(row, 9, T)?;
    Ok(UserRow {
        id: UserId(id),
        username: get(row, 1, T)?,
        display_name: get(row, 2, T)?,
        role: role.parse().map_err(|e: intake_core::role::UnknownRole| {
            StoreError::damaged(T, name.clone(), e.to_string())
        })?,
        password_hash: get(row, 4, T)?,
        must_change_password: get(row, 5, T)?,
        active: get(row, 6, T)?,
        created_at: time(T, &name, &created_at)?,
        created_by: get(row, 8, T)?,
        updated_at: time(T, &name, &updated_at)?,
        updated_by: get(row, 10, T)?,
    })
}

impl PgDb<'_> {
    fn users_where(
        &self,
        condition: &str,
        params: super::Params<'_>,
    ) -> Result<Vec<UserRow>, StoreError> {
        self.query(
            &format!("SELECT {USER_COLUMNS} FROM users {condition}"),
            params,
        )?
        .iter()
        .map(user_from_row)
        .collect()
    }
}

impl Users for PgDb<'_> {
    fn insert_user(
        &self,
        user: &NewUser<'_>,
        at: DateTime<Utc>,
        by: &str,
    ) -> Result<UserId, StoreError> {
        let taken = StoreError::Duplicate { what: "user name" };
        // Asked first, so a taken name leaves the transaction usable (a refused statement
        // would abort it); the trigger and the UNIQUE key still refuse one regardless.
        if self
            .query_opt("SELECT 1 FROM users WHERE username = $1", &[&user.username])?
            .is_some()
        {
            return Err(taken);
        }
        let at = format_time(at);
        let row = self
            .query_one(
                "INSERT INTO users (username, display_name, role, password_hash, \
                 must_change_password, active, created_at, created_by, updated_at, updated_by) \
                 VALUES ($1, $2, $3, $4, $5, true, $6, $7, $6, $7) RETURNING id",
                &[
                    &user.username,
                    &user.display_name,
                    &user.role.as_str(),
                    &user.password_hash,
                    &user.must_change_password,
                    &at,
                    &by,
                ],
            )
            .map_err(|e| match e {
                StoreError::Duplicate { .. } => taken,
                other => other,
            })?;
        Ok(UserId(get(&row, 0, "users")?))
    }

    fn user_by_id(&self, id: UserId) -> Result<Option<UserRow>, StoreError> {
        Ok(self.users_where("WHERE id = $1", &[&id.0])?.pop())
    }

    fn user_by_username(&self, username: &str) -> Result<Option<UserRow>, StoreError> {
        Ok(self.users_where("WHERE username = $1", &[&username])?.pop())
    }

    fn list_users(&self) -> Result<Vec<UserRow>, StoreError> {
        // Byte order, as SQLite's BINARY collation sorts.
        self.users_where("ORDER BY username COLLATE \"C\"", &[])
    }

    fn count_users(&self) -> Result<i64, StoreError> {
        let row = self.query_one("SELECT count(*) FROM users", &[])?;
        get(&row, 0, "users")
    }

    fn count_active_admins(&self) -> Result<i64, StoreError> {
        let row = self.query_one(
            "SELECT count(*) FROM users WHERE role = 'admin' AND active",
            &[],
        )?;
        get(&row, 0, "users")
    }

    fn set_user_active(
        &self,
        id: UserId,
        active: bool,
        at: DateTime<Utc>,
        by: &str,
    ) -> Result<(), StoreError> {
        self.execute(
            "UPDATE users SET active = $2, updated_at = $3, updated_by = $4 WHERE id = $1",
            &[&id.0, &active, &format_time(at), &by],
        )?;
        Ok(())
    }

    fn set_password(
        &self,
        id: UserId,
        password_hash: &str,
        must_change: bool,
        at: DateTime<Utc>,
        by: &str,
    ) -> Result<(), StoreError> {
        self.execute(
            "UPDATE users SET password_hash = $2, must_change_password = $3, updated_at = $4, \
             updated_by = $5 WHERE id = $1",
            &[&id.0, &password_hash, &must_change, &format_time(at), &by],
        )?;
        Ok(())
    }

    fn set_role(
        &self,
        id: UserId,
        role: Role,
        display_name: &str,
        at: DateTime<Utc>,
        by: &str,
    ) -> Result<(), StoreError> {
        self.execute(
            "UPDATE users SET role = $2, display_name = $3, updated_at = $4, updated_by = $5 \
             WHERE id = $1",
            &[&id.0, &role.as_str(), &display_name, &format_time(at), &by],
        )?;
        Ok(())
    }
}

fn count(n: u64) -> usize {
    usize::try_from(n).unwrap_or(usize::MAX)
}

impl Sessions for PgDb<'_> {
    fn insert_session(
        &self,
        token_hash: &str,
        user: UserId,
        at: DateTime<Utc>,
    ) -> Result<SessionId, StoreError> {
        let row = self.query_one(
            "INSERT INTO sessions (token_hash, user_id, created_at, last_seen_at) \
             VALUES ($1, $2, $3, $3) RETURNING id",
            &[&token_hash, &user.0, &format_time(at)],
        )?;
        Ok(SessionId(get(&row, 0, "sessions")?))
    }

    fn session_by_token_hash(&self, token_hash: &str) -> Result<Option<SessionRow>, StoreError> {
        const T: &str = "sessions";
        let Some(row) = self.query_opt(
            "SELECT id, user_id, created_at, last_seen_at, ended_at FROM sessions \
             WHERE token_hash = $1",
            &[&token_hash],
        )?
        else {
            return Ok(None);
        };
        let id: i64 = get(&row, 0, T)?;
        let name = format!("session {id}");
        let created: String = get(&row, 2, T)?;
        let seen: String = get(&row, 3, T)?;
        let ended: Option<String> = get(&row, 4, T)?;
        Ok(Some(SessionRow {
            id: SessionId(id),
            user_id: UserId(get(&row, 1, T)?),
            created_at: time(T, &name, &created)?,
            last_seen_at: time(T, &name, &seen)?,
            ended_at: ended.as_deref().map(|s| time(T, &name, s)).transpose()?,
        }))
    }

    fn session_is_open(&self, id: SessionId) -> Result<bool, StoreError> {
        let row = self.query_one(
            "SELECT EXISTS (SELECT 1 FROM sessions WHERE id = $1 AND ended_at IS NULL)",
            &[&id.0],
        )?;
        get(&row, 0, "sessions")
    }

    fn touch_session(&self, id: SessionId, at: DateTime<Utc>) -> Result<(), StoreError> {
        self.execute(
            "UPDATE sessions SET last_seen_at = $2 WHERE id = $1 AND ended_at IS NULL",
            &[&id.0, &format_time(at)],
        )?;
        Ok(())
    }

    fn end_session(
        &self,
        id: SessionId,
        at: DateTime<Utc>,
        reason: &str,
    ) -> Result<(), StoreError> {
        self.execute(
            "UPDATE sessions SET ended_at = $2, end_reason = $3 \
             WHERE id = $1 AND ended_at IS NULL",
            &[&id.0, &format_time(at), &reason],
        )?;
        Ok(())
    }

    fn end_user_sessions(
        &self,
        user: UserId,
        at: DateTime<Utc>,
        reason: &str,
    ) -> Result<usize, StoreError> {
        self.execute(
            "UPDATE sessions SET ended_at = $2, end_reason = $3 \
             WHERE user_id = $1 AND ended_at IS NULL",
            &[&user.0, &format_time(at), &reason],
        )
        .map(count)
    }

    fn end_other_sessions(
        &self,
        user: UserId,
        keep: SessionId,
        at: DateTime<Utc>,
        reason: &str,
    ) -> Result<usize, StoreError> {
        self.execute(
            "UPDATE sessions SET ended_at = $3, end_reason = $4 \
             WHERE user_id = $1 AND id <> $2 AND ended_at IS NULL",
            &[&user.0, &keep.0, &format_time(at), &reason],
        )
        .map(count)
    }
}

impl SignInFailures for PgDb<'_> {
    fn sign_in_failures(&self, username: &str) -> Result<Option<FailureRow>, StoreError> {
        const T: &str = "sign_in_failures";
        let Some(row) = self.query_opt(
            "SELECT failures, last_failure_at, locked_until FROM sign_in_failures \
             WHERE username = $1",
            &[&username],
        )?
        else {
            return Ok(None);
        };
        let name = format!("user name {username:?}");
        let last: String = get(&row, 1, T)?;
        let locked: Option<String> = get(&row, 2, T)?;
        Ok(Some(FailureRow {
            failures: get(&row, 0, T)?,
            last_failure_at: time(T, &name, &last)?,
            locked_until: locked.as_deref().map(|s| time(T, &name, s)).transpose()?,
        }))
    }

    fn put_sign_in_failures(&self, username: &str, row: &FailureRow) -> Result<(), StoreError> {
        self.execute(
            "INSERT INTO sign_in_failures (username, failures, last_failure_at, locked_until) \
             VALUES ($1, $2, $3, $4) \
             ON CONFLICT (username) DO UPDATE SET failures = EXCLUDED.failures, \
             last_failure_at = EXCLUDED.last_failure_at, locked_until = EXCLUDED.locked_until",
            &[
                &username,
                &row.failures,
                &format_time(row.last_failure_at),
                &row.locked_until.map(format_time),
            ],
        )?;
        Ok(())
    }

    fn clear_sign_in_failures(&self, username: &str) -> Result<(), StoreError> {
        self.execute(
            "DELETE FROM sign_in_failures WHERE username = $1",
            &[&username],
        )?;
        Ok(())
    }
}

impl Settings for PgDb<'_> {
    fn setting(&self, key: &str) -> Result<Option<String>, StoreError> {
        if self.settings.borrow().is_none() {
            let mut all = HashMap::new();
            for row in self.query("SELECT key, value FROM settings", &[])? {
                all.insert(get(&row, 0, "settings")?, get(&row, 1, "settings")?);
            }
            *self.settings.borrow_mut() = Some(all);
        }
        Ok(self
            .settings
            .borrow()
            .as_ref()
            .and_then(|all| all.get(key).cloned()))
    }

    fn put_setting(
        &self,
        key: &str,
        value: &str,
        at: DateTime<Utc>,
        by: &str,
    ) -> Result<(), StoreError> {
        self.execute(
            "INSERT INTO settings (key, value, updated_at, updated_by) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value, \
             updated_at = EXCLUDED.updated_at, updated_by = EXCLUDED.updated_by",
            &[&key, &value, &format_time(at), &by],
        )?;
        if let Some(all) = self.settings.borrow_mut().as_mut() {
            all.insert(key.to_string(), value.to_string());
        }
        Ok(())
    }
}
