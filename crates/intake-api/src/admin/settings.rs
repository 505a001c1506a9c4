//! Clinic-wide settings: which exist, their defaults and limits, and the use cases
//! that read and change them.

use serde_json::json;

use intake_core::search::DateOrder;
use intake_store::prelude::*;
use intake_store::{Db, StoreError};

use crate::permissions::Permission;
use crate::wire::admin::{SettingsDto, SettingsUpdate};
use crate::{audit_entry, Api, ApiError, Caller};

const SESSION_TIMEOUT: &str = "session_timeout_seconds";
const CLINIC_NAME: &str = "clinic_name";
const DATE_ORDER: &str = "date_order";
const PAPER_SIZE: &str = "paper_size";

/// Ten minutes without activity locks the screen.
pub(crate) const DEFAULT_SESSION_TIMEOUT_SECONDS: u32 = 600;
/// The lock timeout's range: 5 seconds (for tests and demonstrations) to 12 hours.
pub(crate) const SESSION_TIMEOUT_RANGE: std::ops::RangeInclusive<i64> = 5..=43_200;
const CLINIC_NAME_MAX: usize = 120;

/// Reads the inactivity timeout; a stored value out of range falls back to the default.
pub(crate) fn session_timeout_seconds(db: &Db<'_>) -> Result<u32, StoreError> {
    let stored = db.setting(SESSION_TIMEOUT)?;
    Ok(stored
        .and_then(|v| v.parse::<i64>().ok())
        .filter(|v| SESSION_TIMEOUT_RANGE.contains(v))
        .map(|v| v as u32)
        .unwrap_or(DEFAULT_SESSION_TIMEOUT_SECONDS))
}

/// How the clinic writes dates besides ISO: `dmy` (07.03.1984, the default) or `mdy`.
pub(crate) fn date_order(db: &Db<'_>) -> Result<DateOrder, StoreError> {
    Ok(db
        .setting(DATE_ORDER)?
        .and_then(|v| DateOrder::parse(&v))
        .unwrap_or_default())
}

/// The paper PDF summaries are printed on: `a4` (the default) or `letter`.
pub(crate) fn paper_size(db: &Db<'_>) -> Result<intake_pdf::Paper, StoreError> {
    Ok(match db.setting(PAPER_SIZE)?.as_deref() {
        Some("letter") => intake_pdf::Paper::Letter,
        _ => intake_pdf::Paper::A4,
    })
}

fn paper_name(p: intake_pdf::Paper) -> &'static str {
    match p {
        intake_pdf::Paper::A4 => "a4",
        intake_pdf::Paper::Letter => "letter",
    }
}

pub(crate) fn read(db: &Db<'_>) -> Result<SettingsDto, StoreError> {
    Ok(SettingsDto {
        session_timeout_seconds: session_timeout_seconds(db)?,
        clinic_name: db.setting(CLINIC_NAME)?.unwrap_or_default(),
        date_order: date_order(db)?.as_str().to_string(),
        paper_size: paper_name(paper_size(db)?).to_string(),
    })
}

impl Api {
    pub fn get_settings(&self, caller: Caller<'_>) -> Result<SettingsDto, ApiError> {
        self.authorize(caller, Permission::ReadSettings)?;
        self.store.read(|db| Ok(read(db)?))
    }

    /// Changes the given settings; nothing is saved if any value is refused.
    pub fn update_settings(
        &self,
        caller: Caller<'_>,
        update: &SettingsUpdate,
    ) -> Result<SettingsDto, ApiError> {
        let who = self.authorize(caller, Permission::ManageSettings)?;
        if let Some(secs) = update.session_timeout_seconds {
            if !SESSION_TIMEOUT_RANGE.contains(&secs) {
                return Err(ApiError::invalid(
                    "sessionTimeoutSeconds",
                    format!(
                        "The lock timeout must be between {} seconds and {} hours.",
                        SESSION_TIMEOUT_RANGE.start(),
                        SESSION_TIMEOUT_RANGE.end() / 3600
                    ),
                ));
            }
        }
        let clinic = update.clinic_name.as_deref().map(str::trim);
        if let Some(name) = clinic {
            if name.chars().count() > CLINIC_NAME_MAX {
                return Err(ApiError::invalid(
                    "clinicName",
                    format!("A clinic name has at most {CLINIC_NAME_MAX} characters."),
                ));
            }
            if name.chars().any(char::is_control) {
                return Err(ApiError::invalid(
                    "clinicName",
                    "A clinic name cannot hold control characters.",
                ));
            }
        }
        let order = match update.date_order.as_deref() {
            None => None,
            Some(v) => Some(DateOrder::parse(v).ok_or_else(|| {
                ApiError::invalid(
                    "dateOrder",
                    "The date order is dmy (07.03.1984) or mdy (03/07/1984).",
                )
            })?),
        };
        let paper = match update.paper_size.as_deref().map(str::trim) {
            None => None,
            Some("a4" | "A4") => Some("a4"),
            Some("letter" | "Letter") => Some("letter"),
            Some(_) => {
                return Err(ApiError::invalid(
                    "paperSize",
                    "The paper size is a4 or letter.",
                ))
            }
        };
        let now = self.now();
        self.store.write(|db| {
            let before = read(db)?;
            if let Some(paper) = paper {
                db.put_setting(PAPER_SIZE, paper, now, &who.actor)?;
            }
            if let Some(order) = order {
                db.put_setting(DATE_ORDER, order.as_str(), now, &who.actor)?;
            }
            if let Some(secs) = update.session_timeout_seconds {
                db.put_setting(SESSION_TIMEOUT, &secs.to_string(), now, &who.actor)?;
            }
            if let Some(name) = clinic {
                db.put_setting(CLINIC_NAME, name, now, &who.actor)?;
            }
            let after = read(db)?;
            if after != before {
                db.append_audit(&audit_entry(
                    now,
                    &who.actor,
                    "settings.changed",
                    "settings",
                    None,
                    json!({
                        "before": { "sessionTimeoutSeconds": before.session_timeout_seconds, "clinicName": before.clinic_name, "dateOrder": before.date_order, "paperSize": before.paper_size },
                        "after": { "sessionTimeoutSeconds": after.session_timeout_seconds, "clinicName": after.clinic_name, "dateOrder": after.date_order, "paperSize": after.paper_size },
                    }),
                ))?;
            }
            Ok(after)
        })
    }
}
