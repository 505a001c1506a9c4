//! Signing in and out, sessions, locks, and the check every use case starts with.
//!
//! Rules, all decided here:
//! - a failed sign-in says "Username or password is incorrect." whether or not the user
//!   exists, and takes the same Argon2 work either way;
//! - five failed sign-ins in a row for a typed user name, each within 15 minutes of the
//!   one before, lock that name for 5 minutes, whether or not such a user exists; the
//!   count is kept in the same transaction that decides, so parallel attempts all count;
//!   a wrong current password at a password change counts the same way, and changing
//!   the password ends the user's other sessions;
//! - the screen locks after the clinic's inactivity timeout (default 10 minutes), and
//!   the backend ends a session idle for 30 seconds longer than that;
//! - a user with a temporary password may only change it until they have.

use chrono::Duration;
use intake_core::user::{self, Username, PASSWORD_MAX_BYTES};
use intake_core::Role;
use serde_json::json;
use sha2::{Digest, Sha256};

use intake_store::prelude::*;
use intake_store::{FailureRow, NewUser};

use crate::access::passwords;
use crate::admin::settings::{self, session_timeout_seconds};
use crate::admin::users::add_user;
use crate::permissions::{self, Permission};
use crate::wire::admin::{AppStatusDto, SessionDto, SignedInDto, UserDto};
use crate::{audit_entry, Api, ApiError, Caller, Principal};

/// Failed sign-ins that lock a user name.
pub const MAX_FAILURES: i64 = 5;
/// How long a user name stays locked.
pub const LOCKOUT_MINUTES: i64 = 5;
/// Failures older than this no longer count towards a lock.
const FAILURE_WINDOW_MINUTES: i64 = 15;
/// A session's last-seen time is written at most this often.
const TOUCH_EVERY_SECONDS: i64 = 15;
/// The screen locks itself after the timeout and ends the session (`session.locked`);
/// the backend ends a session that stayed idle this much longer (`session.expired`), as
/// a safety net for a screen that did not. It must exceed [`TOUCH_EVERY_SECONDS`], or
/// a coarse last-seen time could end an active session early.
const EXPIRY_GRACE_SECONDS: i64 = 30;

const WRONG_CREDENTIALS: &str = "Username or password is incorrect.";

fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

fn new_token() -> Result<String, ApiError> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes)
        .map_err(|e| ApiError::Internal(format!("no randomness for a session token: {e}")))?;
    Ok(hex::encode(bytes))
}

fn sections(role: Role) -> Vec<String> {
    permissions::sections(role)
        .into_iter()
        .map(String::from)
        .collect()
}

/// What a sign-in attempt came to, decided inside one transaction.
enum SignIn {
    /// Boxed: the session is large beside the refusals.
    SignedIn(Box<SignedInDto>),
    Failed,
    Disabled,
    Locked(chrono::DateTime<chrono::Utc>),
}

/// Counts a failed sign-in (or a wrong current password at a password change, `action`
/// saying which) for a typed user name, from the row as it is now, and locks the name at
/// the fifth failure in a row (each within 15 minutes of the one before).
pub(super) fn record_failure(
    db: &intake_store::Db<'_>,
    key: &str,
    previous: Option<FailureRow>,
    now: chrono::DateTime<chrono::Utc>,
    action: &str,
) -> Result<(), ApiError> {
    let window = Duration::minutes(FAILURE_WINDOW_MINUTES);
    let earlier = previous
        .filter(|f| now - f.last_failure_at <= window && f.locked_until.is_none_or(|u| u > now))
        .map_or(0, |f| f.failures);
    let failures = earlier + 1;
    let locked_until = (failures >= MAX_FAILURES).then(|| now + Duration::minutes(LOCKOUT_MINUTES));
    db.put_sign_in_failures(
        key,
        &FailureRow {
            failures,
            last_failure_at: now,
            locked_until,
        },
    )?;
    db.append_audit(&audit_entry(
        now,
        key,
        action,
        "session",
        None,
        json!({ "username": key, "failures": failures }),
    ))?;
    if let Some(until) = locked_until {
        db.append_audit(&audit_entry(
            now,
            key,
            "user.locked_out",
            "user",
            None,
            json!({ "username": key, "until": intake_store::format_time(until) }),
        ))?;
    }
    Ok(())
}

/// The answer while a user name is locked.
pub(super) fn locked_error(
    until: chrono::DateTime<chrono::Utc>,
    now: chrono::DateTime<chrono::Utc>,
) -> ApiError {
    let minutes = ((until - now).num_seconds().max(1) + 59) / 60;
    ApiError::Forbidden(format!(
        "Too many failed sign-ins for this user name. Try again in {minutes} minute(s), or ask an administrator to reset the password."
    ))
}

/// The end of a lock on a user name, if it is locked at `now`.
pub(super) fn locked_until(
    failures: Option<&FailureRow>,
    now: chrono::DateTime<chrono::Utc>,
) -> Option<chrono::DateTime<chrono::Utc>> {
    failures
        .and_then(|f| f.locked_until)
        .filter(|until| *until > now)
}

/// What checking a session found, decided inside one transaction.
enum SessionCheck {
    Valid(Principal),
    Unknown,
    Ended,
    Expired { minutes: u32 },
    Disabled,
    MustChangePassword,
    Denied(Role),
}

impl Api {
    /// Checks that `caller` may use `permission` now and does nothing else: the desktop
    /// app asks before it opens a file dialog for a use case.
    pub fn check_permission(
        &self,
        caller: Caller<'_>,
        permission: Permission,
    ) -> Result<(), ApiError> {
        self.authorize(caller, permission).map(|_| ())
    }

    /// Resolves a caller and checks `permission`; every use case calls this first.
    pub(crate) fn authorize(
        &self,
        caller: Caller<'_>,
        permission: Permission,
    ) -> Result<Principal, ApiError> {
        let token = match caller {
            Caller::Cli(os_user) => {
                return Ok(Principal {
                    actor: format!("cli:{os_user}"),
                    role: Role::Admin,
                    user_id: None,
                    session_id: None,
                })
            }
            Caller::Session(token) => token,
        };
        if token.is_empty() || token.len() > 128 {
            return Err(ApiError::Unauthenticated("Sign in first.".into()));
        }
        let now = self.now();
        let hash = token_hash(token);
        // Most calls change nothing: a live session, recently seen, allowed. Those are
        // answered in a read transaction, so a read never waits behind another program's
        // write; anything that writes (expiry, a touch, a refusal's audit entry) takes
        // the write path below, which checks everything again.
        let quick = self.store.read(|db| {
            let Some(session) = db.session_by_token_hash(&hash)? else {
                return Ok::<_, ApiError>(None);
            };
            let Some(user) = db.user_by_id(session.user_id)? else {
                return Ok(None);
            };
            let timeout = session_timeout_seconds(db)?;
            let idle_limit = Duration::seconds(i64::from(timeout) + EXPIRY_GRACE_SECONDS);
            let live = session.ended_at.is_none()
                && user.active
                && now - session.last_seen_at <= idle_limit
                && now - session.last_seen_at < Duration::seconds(TOUCH_EVERY_SECONDS)
                && !(user.must_change_password && permission != Permission::OwnAccount)
                && permissions::allows(user.role, permission);
            Ok(live.then(|| Principal {
                actor: user.username.clone(),
                role: user.role,
                user_id: Some(user.id),
                session_id: Some(session.id),
            }))
        })?;
        if let Some(who) = quick {
            return Ok(who);
        }
        let check = self.store.write(|db| {
            let Some(session) = db.session_by_token_hash(&hash)? else {
                return Ok::<_, ApiError>(SessionCheck::Unknown);
            };
            if session.ended_at.is_some() {
                return Ok(SessionCheck::Ended);
            }
            let user = db
                .user_by_id(session.user_id)?
                .ok_or_else(|| ApiError::Internal("a session's user is missing".into()))?;
            let timeout = session_timeout_seconds(db)?;
            let idle_limit = Duration::seconds(i64::from(timeout) + EXPIRY_GRACE_SECONDS);
            if now - session.last_seen_at > idle_limit {
                db.end_session(session.id, now, "expired")?;
                db.append_audit(&audit_entry(
                    now,
                    &user.username,
                    "session.expired",
                    "session",
                    Some(session.id.to_string()),
                    json!({ "idleSeconds": (now - session.last_seen_at).num_seconds() }),
                ))?;
                return Ok(SessionCheck::Expired {
                    minutes: timeout.div_ceil(60),
                });
            }
            if !user.active {
                db.end_session(session.id, now, "account disabled")?;
                return Ok(SessionCheck::Disabled);
            }
            if now - session.last_seen_at >= Duration::seconds(TOUCH_EVERY_SECONDS) {
                db.touch_session(session.id, now)?;
            }
            let who = Principal {
                actor: user.username.clone(),
                role: user.role,
                user_id: Some(user.id),
                session_id: Some(session.id),
            };
            if user.must_change_password && permission != Permission::OwnAccount {
                return Ok(SessionCheck::MustChangePassword);
            }
            if !permissions::allows(user.role, permission) {
                db.append_audit(&audit_entry(
                    now,
                    &who.actor,
                    "access.denied",
                    "permission",
                    Some(format!("{permission:?}")),
                    json!({ "role": user.role.as_str() }),
                ))?;
                return Ok(SessionCheck::Denied(user.role));
            }
            Ok(SessionCheck::Valid(who))
        })?;
        match check {
            SessionCheck::Valid(who) => Ok(who),
            SessionCheck::Unknown => Err(ApiError::Unauthenticated("Sign in first.".into())),
            SessionCheck::Ended => Err(ApiError::Unauthenticated(
                "This session has ended; sign in again.".into(),
            )),
            SessionCheck::Expired { minutes } => Err(ApiError::Unauthenticated(format!(
                "The screen was locked after {minutes} minute(s) without activity; enter your password to continue."
            ))),
            SessionCheck::Disabled => Err(ApiError::Unauthenticated(
                "This account has been disabled; ask an administrator.".into(),
            )),
            SessionCheck::MustChangePassword => Err(ApiError::Forbidden(
                "Change your temporary password first.".into(),
            )),
            SessionCheck::Denied(role) => Err(ApiError::Forbidden(format!(
                "Your role ({}) may not do this.",
                role.label()
            ))),
        }
    }

    /// What the first screen needs; open to anyone.
    pub fn app_status(&self) -> Result<AppStatusDto, ApiError> {
        let (database, database_detail) = self.database_labels()?;
        self.store.read(|db| {
            Ok(AppStatusDto {
                needs_first_admin: db.count_users()? == 0,
                version: env!("CARGO_PKG_VERSION").to_string(),
                clinic_name: settings::read(db)?.clinic_name,
                database,
                database_detail,
            })
        })
    }

    /// Creates the first administrator of an empty database. `by` is `None` from the
    /// desktop's first-run screen, or the CLI caller. Refused once any user exists.
    pub fn create_first_admin(
        &self,
        by: Option<Caller<'_>>,
        username: &str,
        display_name: &str,
        password: &str,
    ) -> Result<UserDto, ApiError> {
        let name = Username::parse(username)?;
        let display = user::display_name(display_name)?;
        user::check_new_password(password, name.as_str())?;
        let actor = match by {
            Some(caller @ Caller::Cli(_)) => self.authorize(caller, Permission::OwnAccount)?.actor,
            _ => name.to_string(),
        };
        let hash = passwords::hash(password)?;
        let now = self.now();
        self.store.write(|db| {
            if db.count_users()? > 0 {
                return Err(ApiError::Conflict(
                    "This database already has users; sign in, or ask an administrator for an account.".into(),
                ));
            }
            let admin = NewUser {
                username: name.as_str(),
                display_name: &display,
                role: Role::Admin,
                password_hash: &hash,
                must_change_password: false,
            };
            let row = add_user(db, &admin, now, &actor, &[("firstAdmin", json!(true))])?;
            crate::admin::templates::ensure_builtin(db, now)?;
            Ok(UserDto::from(&row))
        })
    }

    /// Signs a user in and opens a session.
    pub fn sign_in(&self, username: &str, password: &str) -> Result<SignedInDto, ApiError> {
        if username.trim().is_empty() {
            return Err(ApiError::invalid("username", "Enter your user name."));
        }
        if password.is_empty() {
            return Err(ApiError::invalid("password", "Enter your password."));
        }
        if password.len() > PASSWORD_MAX_BYTES {
            return Err(ApiError::invalid(
                "password",
                format!("A password has at most {PASSWORD_MAX_BYTES} bytes."),
            ));
        }
        let key = Username::lookup_key(username);
        // Argon2 runs outside any transaction; everything it decides is checked again
        // inside the one write transaction below, so parallel attempts cannot lose a
        // failure, lift a lock, or sign in with a password that changed meanwhile.
        let (failures, user) = self.store.read(|db| {
            Ok::<_, ApiError>((db.sign_in_failures(&key)?, db.user_by_username(&key)?))
        })?;
        let locked_now = |f: &Option<FailureRow>, now| locked_until(f.as_ref(), now);
        let verified_hash = match (&user, locked_now(&failures, self.now())) {
            (_, Some(_)) => None, // locked: no need to spend the work
            (Some(u), None) if passwords::verify(password, &u.password_hash) => {
                Some(u.password_hash.clone())
            }
            (Some(_), None) => None,
            (None, None) => {
                passwords::verify_against_nobody(password);
                None
            }
        };
        let token = new_token()?;
        let now = self.now();
        let outcome = self.store.write(|db| {
            let failures = db.sign_in_failures(&key)?;
            if let Some(until) = locked_now(&failures, now) {
                db.append_audit(&audit_entry(
                    now,
                    &key,
                    "session.sign_in_refused",
                    "session",
                    None,
                    json!({ "username": key, "reason": "locked" }),
                ))?;
                return Ok::<_, ApiError>(SignIn::Locked(until));
            }
            let current = db.user_by_username(&key)?;
            let user = match current {
                Some(u) if verified_hash.as_deref() == Some(u.password_hash.as_str()) => u,
                _ => {
                    record_failure(db, &key, failures, now, "session.sign_in_failed")?;
                    return Ok(SignIn::Failed);
                }
            };
            if !user.active {
                db.append_audit(&audit_entry(
                    now,
                    &key,
                    "session.sign_in_failed",
                    "user",
                    Some(user.id.to_string()),
                    json!({ "username": key, "reason": "disabled" }),
                ))?;
                return Ok(SignIn::Disabled);
            }
            db.clear_sign_in_failures(&key)?;
            let session = db.insert_session(&token_hash(&token), user.id, now)?;
            db.append_audit(&audit_entry(
                now,
                &user.username,
                "session.signed_in",
                "session",
                Some(session.to_string()),
                json!({ "role": user.role.as_str() }),
            ))?;
            Ok(SignIn::SignedIn(Box::new(SignedInDto {
                token: token.clone(),
                user: UserDto::from(&user),
                session_timeout_seconds: session_timeout_seconds(db)?,
                sections: sections(user.role),
                record_check: self.record_check_for(user.role),
                backup_warning: self.backup_warning_for(db, user.role),
                dates: crate::admin::settings::clinic_dates(db)?,
            })))
        })?;
        match outcome {
            SignIn::SignedIn(dto) => Ok(*dto),
            SignIn::Failed => Err(ApiError::Unauthenticated(WRONG_CREDENTIALS.into())),
            SignIn::Disabled => Err(ApiError::Forbidden(
                "This account is disabled; ask an administrator to enable it.".into(),
            )),
            SignIn::Locked(until) => Err(locked_error(until, now)),
        }
    }

    /// The session's user; also keeps the session alive while someone works.
    pub fn whoami(&self, caller: Caller<'_>) -> Result<SessionDto, ApiError> {
        let who = self.authorize(caller, Permission::OwnAccount)?;
        let Some(id) = who.user_id else {
            return Err(ApiError::Forbidden(
                "The command line has no session.".into(),
            ));
        };
        self.store.read(|db| {
            let user = db
                .user_by_id(id)?
                .ok_or_else(|| ApiError::NotFound("This user no longer exists.".into()))?;
            Ok(SessionDto {
                user: UserDto::from(&user),
                session_timeout_seconds: session_timeout_seconds(db)?,
                sections: sections(user.role),
                record_check: self.record_check_for(user.role),
                backup_warning: self.backup_warning_for(db, user.role),
                dates: crate::admin::settings::clinic_dates(db)?,
            })
        })
    }

    /// Ends the session at the user's request.
    pub fn sign_out(&self, caller: Caller<'_>) -> Result<(), ApiError> {
        self.end_session(caller, "signed out", "session.signed_out")
    }

    /// Ends the session because the screen locked after inactivity.
    pub fn lock_session(&self, caller: Caller<'_>) -> Result<(), ApiError> {
        self.end_session(caller, "locked", "session.locked")
    }

    fn end_session(&self, caller: Caller<'_>, reason: &str, action: &str) -> Result<(), ApiError> {
        let who = self.authorize(caller, Permission::OwnAccount)?;
        let Some(session) = who.session_id else {
            return Err(ApiError::Forbidden(
                "The command line has no session.".into(),
            ));
        };
        let now = self.now();
        self.store.write(|db| {
            db.end_session(session, now, reason)?;
            db.append_audit(&audit_entry(
                now,
                &who.actor,
                action,
                "session",
                Some(session.to_string()),
                json!({}),
            ))?;
            Ok(())
        })
    }
}
