//! Changing one's own password: the current one checked like a sign-in (wrong ones count
//! toward the same lockout), the new one against the policy, and the user's other
//! sessions ended.

use intake_core::user::{self, PASSWORD_MAX_BYTES};
use intake_store::prelude::*;
use serde_json::json;

use super::auth::{locked_error, locked_until, record_failure};
use crate::access::passwords;
use crate::permissions::Permission;
use crate::{audit_entry, Api, ApiError, Caller};

impl Api {
    /// Changes the signed-in user's own password (and clears a temporary one). A wrong
    /// current password counts toward the lockout exactly like a failed sign-in (five in
    /// a row lock the name for 5 minutes, and a locked name cannot change its password
    /// either); a change ends the user's other sessions, keeping the one that asked.
    pub fn change_password(
        &self,
        caller: Caller<'_>,
        current: &str,
        new: &str,
    ) -> Result<(), ApiError> {
        let who = self.authorize(caller, Permission::OwnAccount)?;
        let (Some(id), Some(session)) = (who.user_id, who.session_id) else {
            return Err(ApiError::Forbidden(
                "The command line has no password of its own; use `intake user` commands.".into(),
            ));
        };
        let user = self
            .store
            .read(|db| db.user_by_id(id))?
            .ok_or_else(|| ApiError::NotFound("This user no longer exists.".into()))?;
        let key = user.username.clone();
        let failures = self.store.read(|db| db.sign_in_failures(&key))?;
        if let Some(until) = locked_until(failures.as_ref(), self.now()) {
            return Err(locked_error(until, self.now()));
        }
        if current.len() > PASSWORD_MAX_BYTES || !passwords::verify(current, &user.password_hash) {
            let now = self.now();
            self.store.write(|db| {
                // Counted from the row as it is now, in the transaction that writes it,
                // so parallel wrong attempts all count.
                let failures = db.sign_in_failures(&key)?;
                if locked_until(failures.as_ref(), now).is_some() {
                    return Ok::<_, ApiError>(());
                }
                record_failure(db, &key, failures, now, "user.password_change_failed")
            })?;
            return Err(ApiError::invalid(
                "currentPassword",
                "The current password is incorrect.",
            ));
        }
        user::check_new_password(new, &user.username)
            .map_err(|e| ApiError::invalid("newPassword", e.message))?;
        if new == current {
            return Err(ApiError::invalid(
                "newPassword",
                "The new password must differ from the current one.",
            ));
        }
        let hash = passwords::hash(new)?;
        let now = self.now();
        self.store.write(|db| {
            // Hashing took a while: if an administrator reset the password or ended the
            // session meanwhile, or the name was locked by wrong attempts elsewhere,
            // their outcome stands and this change is refused.
            if let Some(until) = locked_until(db.sign_in_failures(&key)?.as_ref(), now) {
                return Err(locked_error(until, now));
            }
            let current = db.user_by_id(id)?;
            if current.map(|u| u.password_hash) != Some(user.password_hash.clone())
                || !db.session_is_open(session)?
            {
                return Err(ApiError::Conflict(
                    "Your password or session changed while this was saved; sign in again.".into(),
                ));
            }
            db.set_password(id, &hash, false, now, &who.actor)?;
            db.clear_sign_in_failures(&key)?;
            let ended = db.end_other_sessions(id, session, now, "password changed")?;
            db.append_audit(&audit_entry(
                now,
                &who.actor,
                "user.password_changed",
                "user",
                Some(id.to_string()),
                json!({ "otherSessionsEnded": ended }),
            ))?;
            Ok(())
        })
    }
}
