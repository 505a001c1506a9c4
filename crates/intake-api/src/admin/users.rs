//! Managing user accounts (admin): list, add, disable and enable, reset a password.
//! A password set by an administrator is temporary: its owner must change it at the
//! next sign-in.

use intake_core::user::{self, Username};
use intake_core::Role;
use serde_json::json;

use intake_store::prelude::*;
use intake_store::{Db, NewUser, UserRow};

use crate::access::passwords;
use crate::permissions::Permission;
use crate::wire::admin::{NewUserRequest, UserDto};
use crate::{audit_entry, Api, ApiError, Caller};

/// Adds a user and its `user.created` audit entry inside the caller's transaction;
/// `extra` facts (`firstAdmin`, `demo`) join the entry's detail.
pub(crate) fn add_user(
    db: &Db<'_>,
    user: &NewUser<'_>,
    now: chrono::DateTime<chrono::Utc>,
    actor: &str,
    extra: &[(&str, serde_json::Value)],
) -> Result<UserRow, ApiError> {
    let id = db.insert_user(user, now, actor)?;
    let mut detail = json!({ "username": user.username, "role": user.role.as_str() });
    for (key, value) in extra {
        detail[*key] = value.clone();
    }
    let entry = audit_entry(
        now,
        actor,
        "user.created",
        "user",
        Some(id.to_string()),
        detail,
    );
    db.append_audit(&entry)?;
    db.user_by_id(id)?
        .ok_or_else(|| ApiError::Internal("the new user vanished".into()))
}

fn find(db: &Db<'_>, username: &str) -> Result<UserRow, ApiError> {
    let key = Username::lookup_key(username);
    db.user_by_username(&key)?.ok_or_else(|| {
        let shown: String = username.trim().chars().take(64).collect();
        ApiError::NotFound(format!("There is no user named {shown:?}."))
    })
}

impl Api {
    /// Every account, by user name.
    pub fn list_users(&self, caller: Caller<'_>) -> Result<Vec<UserDto>, ApiError> {
        self.authorize(caller, Permission::ManageUsers)?;
        self.store
            .read(|db| Ok(db.list_users()?.iter().map(UserDto::from).collect()))
    }

    /// Adds an account with a temporary password.
    pub fn create_user(
        &self,
        caller: Caller<'_>,
        request: &NewUserRequest,
    ) -> Result<UserDto, ApiError> {
        let who = self.authorize(caller, Permission::ManageUsers)?;
        let name = Username::parse(&request.username)?;
        let display = user::display_name(&request.display_name)?;
        let role: Role = request
            .role
            .parse()
            .map_err(|e: intake_core::role::UnknownRole| {
                ApiError::invalid("role", crate::error::sentence(&e.to_string()))
            })?;
        user::check_new_password(&request.password, name.as_str())?;
        let hash = passwords::hash(&request.password)?;
        let now = self.now();
        self.store.write(|db| {
            if db.user_by_username(name.as_str())?.is_some() {
                return Err(ApiError::invalid(
                    "username",
                    format!("The user name {:?} is taken.", name.as_str()),
                ));
            }
            let new = NewUser {
                username: name.as_str(),
                display_name: &display,
                role,
                password_hash: &hash,
                must_change_password: true,
            };
            let row = add_user(db, &new, now, &who.actor, &[])?;
            Ok(UserDto::from(&row))
        })
    }

    /// Disables or enables an account. Disabling ends the user's sessions. Nobody can
    /// disable their own account or the last active administrator.
    pub fn set_user_active(
        &self,
        caller: Caller<'_>,
        username: &str,
        active: bool,
    ) -> Result<UserDto, ApiError> {
        let who = self.authorize(caller, Permission::ManageUsers)?;
        let now = self.now();
        self.store.write(|db| {
            let target = find(db, username)?;
            if target.active == active {
                return Ok(UserDto::from(&target));
            }
            if !active {
                if Some(target.id) == who.user_id {
                    return Err(ApiError::Conflict(
                        "You cannot disable your own account.".into(),
                    ));
                }
                if target.role == Role::Admin && db.count_active_admins()? <= 1 {
                    return Err(ApiError::Conflict(format!(
                        "{} is the last active administrator; add another administrator first.",
                        target.username
                    )));
                }
                db.end_user_sessions(target.id, now, "account disabled")?;
            }
            db.set_user_active(target.id, active, now, &who.actor)?;
            db.append_audit(&audit_entry(
                now,
                &who.actor,
                if active {
                    "user.enabled"
                } else {
                    "user.disabled"
                },
                "user",
                Some(target.id.to_string()),
                json!({ "username": target.username }),
            ))?;
            let row = find(db, &target.username)?;
            Ok(UserDto::from(&row))
        })
    }

    /// Sets a new temporary password, ends the user's sessions and lifts a lockout.
    pub fn reset_password(
        &self,
        caller: Caller<'_>,
        username: &str,
        new_password: &str,
    ) -> Result<UserDto, ApiError> {
        let who = self.authorize(caller, Permission::ManageUsers)?;
        let target = self.store.read(|db| find(db, username))?;
        user::check_new_password(new_password, &target.username)
            .map_err(|e| ApiError::invalid("newPassword", e.message))?;
        let hash = passwords::hash(new_password)?;
        let now = self.now();
        self.store.write(|db| {
            db.set_password(target.id, &hash, true, now, &who.actor)?;
            db.end_user_sessions(target.id, now, "password reset")?;
            db.clear_sign_in_failures(&target.username)?;
            db.append_audit(&audit_entry(
                now,
                &who.actor,
                "user.changed",
                "user",
                Some(target.id.to_string()),
                json!({ "username": target.username, "change": "password reset" }),
            ))?;
            let row = find(db, &target.username)?;
            Ok(UserDto::from(&row))
        })
    }
}
