//! The `users` table: accounts, their role, password hash and whether they may sign in.

use chrono::{DateTime, Utc};
use intake_core::{Role, UserId};
use rusqlite::{params, OptionalExtension, Row};

use crate::traits::Users;
use crate::{format_time, parse_time, SqliteDb, StoreError};

/// A user as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserRow {
    pub id: UserId,
    pub username: String,
    pub display_name: String,
    pub role: Role,
    pub password_hash: String,
    pub must_change_password: bool,
    pub active: bool,
    pub created_at: DateTime<Utc>,
    pub created_by: String,
    pub updated_at: DateTime<Utc>,
    pub updated_by: String,
}

/// What it takes to add a user; the name and hash are already checked by the caller.
#[derive(Debug, Clone)]
pub struct NewUser<'a> {
    pub username: &'a str,
    pub display_name: &'a str,
    pub role: Role,
    pub password_hash: &'a str,
    pub must_change_password: bool,
}

const COLUMNS: &str = "id, username, display_name, role, password_hash, must_change_password, \
                       active, created_at, created_by, updated_at, updated_by";

fn from_row(row: &Row<'_>) -> rusqlite::Result<Result<UserRow, StoreError>> {
    let role: String = row.get(3)?;
    let created_at: String = row.get(7)?;
    let updated_at: String = row.get(9)?;
    let build = || -> Result<UserRow, StoreError> {
        Ok(UserRow {
            id: UserId(row.get(0)?),
            username: row.get(1)?,
            display_name: row.get(2)?,
            role: role.parse().map_err(|e: intake_core::role::UnknownRole| {
                let id: i64 = row.get(0).unwrap_or_default();
                StoreError::damaged("users", format!("user {id}"), e.to_string())
            })?,
            password_hash: row.get(4)?,
            must_change_password: row.get(5)?,
            active: row.get(6)?,
            created_at: parse_time(&created_at)?,
            created_by: row.get(8)?,
            updated_at: parse_time(&updated_at)?,
            updated_by: row.get(10)?,
        })
    };
    Ok(build())
}

impl Users for SqliteDb<'_> {
    fn insert_user(
        &self,
        user: &NewUser<'_>,
        at: DateTime<Utc>,
        by: &str,
    ) -> Result<UserId, StoreError> {
        let at = format_time(at);
        self.conn
            .execute(
                "INSERT INTO users (username, display_name, role, password_hash, \
                 must_change_password, active, created_at, created_by, updated_at, updated_by) \
                 VALUES (?1, ?2, ?3, ?4, ?5, 1, ?6, ?7, ?6, ?7)",
                params![
                    user.username,
                    user.display_name,
                    user.role.as_str(),
                    user.password_hash,
                    user.must_change_password,
                    at,
                    by
                ],
            )
            .map_err(|e| match StoreError::from(e) {
                StoreError::Duplicate { .. } => StoreError::Duplicate { what: "user name" },
                other => other,
            })?;
        Ok(UserId(self.conn.last_insert_rowid()))
    }

    fn user_by_id(&self, id: UserId) -> Result<Option<UserRow>, StoreError> {
        self.conn
            .query_row(
                &format!("SELECT {COLUMNS} FROM users WHERE id = ?1"),
                [id.0],
                from_row,
            )
            .optional()?
            .transpose()
    }

    fn user_by_username(&self, username: &str) -> Result<Option<UserRow>, StoreError> {
        self.conn
            .query_row(
                &format!("SELECT {COLUMNS} FROM users WHERE username = ?1"),
                [username],
                from_row,
            )
            .optional()?
            .transpose()
    }

    fn list_users(&self) -> Result<Vec<UserRow>, StoreError> {
        let mut stmt = self
            .conn
            .prepare(&format!("SELECT {COLUMNS} FROM users ORDER BY username"))?;
        let rows = stmt.query_map([], from_row)?;
        let mut users = Vec::new();
        for row in rows {
            users.push(row??);
        }
        Ok(users)
    }

    fn count_users(&self) -> Result<i64, StoreError> {
        Ok(self
            .conn
            .query_row("SELECT count(*) FROM users", [], |r| r.get(0))?)
    }

    fn count_active_admins(&self) -> Result<i64, StoreError> {
        Ok(self.conn.query_row(
            "SELECT count(*) FROM users WHERE role = 'admin' AND active = 1",
            [],
            |r| r.get(0),
        )?)
    }

    fn set_user_active(
        &self,
        id: UserId,
        active: bool,
        at: DateTime<Utc>,
        by: &str,
    ) -> Result<(), StoreError> {
        self.conn.execute(
            "UPDATE users SET active = ?2, updated_at = ?3, updated_by = ?4 WHERE id = ?1",
            params![id.0, active, format_time(at), by],
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
        self.conn.execute(
            "UPDATE users SET password_hash = ?2, must_change_password = ?3, updated_at = ?4, \
             updated_by = ?5 WHERE id = ?1",
            params![id.0, password_hash, must_change, format_time(at), by],
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
        self.conn.execute(
            "UPDATE users SET role = ?2, display_name = ?3, updated_at = ?4, updated_by = ?5 \
             WHERE id = ?1",
            params![id.0, role.as_str(), display_name, format_time(at), by],
        )?;
        Ok(())
    }
}
