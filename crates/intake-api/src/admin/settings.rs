//! Clinic-wide settings: which exist, their defaults and limits, and the use cases
//! that read and change them. The review's notable-finding thresholds are one JSON value
//! (`review_thresholds`), checked by `Thresholds::check` before it is kept; a stored
//! value that no longer reads falls back to the defaults, like every other setting.

use serde_json::json;

use intake_core::review::rules::Thresholds;
use intake_core::search::DateOrder;
use intake_store::prelude::*;
use intake_store::{Db, StoreError};

use crate::admin::daily_backup::{self, BACKUP_FOLDER, BACKUP_KEEP, KEEP_RANGE};
use crate::clock::{clinic_zone, ClinicZone, DATE_ORDER, TIME_ZONE};
use crate::permissions::Permission;
use crate::wire::admin::{ClinicDatesDto, SettingsDto, SettingsUpdate, ThresholdsDto};
use crate::{audit_entry, Api, ApiError, Caller};

const SESSION_TIMEOUT: &str = "session_timeout_seconds";
const CLINIC_NAME: &str = "clinic_name";
const PAPER_SIZE: &str = "paper_size";
const REVIEW_THRESHOLDS: &str = "review_thresholds";
const HOUR_CYCLE: &str = "hour_cycle";

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

pub(crate) use crate::clock::date_order;

/// Whether the screens write times on a 12-hour clock (`12`) or 24 hours (`24`, the
/// default).
pub(crate) fn hour_cycle(db: &Db<'_>) -> Result<&'static str, StoreError> {
    Ok(match db.setting(HOUR_CYCLE)?.as_deref() {
        Some("12") => "12",
        _ => "24",
    })
}

/// What the screens need to write dates and times the clinic's way.
pub(crate) fn clinic_dates(db: &Db<'_>) -> Result<ClinicDatesDto, StoreError> {
    Ok(ClinicDatesDto {
        date_order: date_order(db)?.as_str().to_string(),
        hour_cycle: hour_cycle(db)?.to_string(),
        time_zone: clinic_zone(db)?.name().to_string(),
    })
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

/// The thresholds as the screen and the stored JSON write them.
fn thresholds_dto(t: &Thresholds) -> ThresholdsDto {
    ThresholdsDto {
        weight_change: Some(t.weight_change),
        weight_change_unit: Some(
            if t.weight_change_in_percent {
                "percent"
            } else {
                "kg"
            }
            .into(),
        ),
        weight_change_days: Some(f64::from(t.weight_change_days)),
        systolic_at_least: Some(t.systolic_at_least),
        diastolic_at_least: Some(t.diastolic_at_least),
        spo2_below: Some(t.spo2_below),
        pulse_below: Some(t.pulse_below),
        pulse_above: Some(t.pulse_above),
        temperature_at_least: Some(t.temperature_at_least),
        medication_changes: Some(t.medication_changes),
        allergy_changes: Some(t.allergy_changes),
    }
}

/// Thresholds from what was sent: every field must be there, and each number within
/// its limits; the first refused names its field.
fn thresholds_from(dto: &ThresholdsDto) -> Result<Thresholds, ApiError> {
    let number = |v: Option<f64>, field: &str| {
        v.filter(|v| v.is_finite())
            .ok_or_else(|| ApiError::invalid(field, "Enter a number."))
    };
    let flag = |v: Option<bool>, field: &str| {
        v.ok_or_else(|| ApiError::invalid(field, "Say whether to flag these changes."))
    };
    let days = number(dto.weight_change_days, "weightChangeDays")?;
    if days.fract() != 0.0 || !(1.0..=3650.0).contains(&days) {
        return Err(ApiError::invalid(
            "weightChangeDays",
            "The weight change interval is a whole number of days from 1 to 3650.",
        ));
    }
    let in_percent = match dto.weight_change_unit.as_deref().map(str::trim) {
        Some("percent" | "%") => true,
        Some("kg") => false,
        _ => {
            return Err(ApiError::invalid(
                "weightChangeUnit",
                "The weight change is in percent or kg.",
            ))
        }
    };
    let t = Thresholds {
        weight_change: number(dto.weight_change, "weightChange")?,
        weight_change_in_percent: in_percent,
        weight_change_days: days as u32,
        systolic_at_least: number(dto.systolic_at_least, "systolicAtLeast")?,
        diastolic_at_least: number(dto.diastolic_at_least, "diastolicAtLeast")?,
        spo2_below: number(dto.spo2_below, "spo2Below")?,
        pulse_below: number(dto.pulse_below, "pulseBelow")?,
        pulse_above: number(dto.pulse_above, "pulseAbove")?,
        temperature_at_least: number(dto.temperature_at_least, "temperatureAtLeast")?,
        medication_changes: flag(dto.medication_changes, "medicationChanges")?,
        allergy_changes: flag(dto.allergy_changes, "allergyChanges")?,
    };
    t.check()
        .map_err(|e| ApiError::invalid(e.field, e.message))?;
    Ok(t)
}

/// The review's thresholds; a stored value that does not read (or no longer passes the
/// checks) gives the defaults.
pub(crate) fn review_thresholds(db: &Db<'_>) -> Result<Thresholds, StoreError> {
    Ok(db
        .setting(REVIEW_THRESHOLDS)?
        .and_then(|text| serde_json::from_str::<ThresholdsDto>(&text).ok())
        .and_then(|dto| thresholds_from(&dto).ok())
        .unwrap_or_default())
}

pub(crate) fn read(db: &Db<'_>) -> Result<SettingsDto, StoreError> {
    Ok(SettingsDto {
        session_timeout_seconds: session_timeout_seconds(db)?,
        clinic_name: db.setting(CLINIC_NAME)?.unwrap_or_default(),
        date_order: date_order(db)?.as_str().to_string(),
        paper_size: paper_name(paper_size(db)?).to_string(),
        time_zone: clinic_zone(db)?.name().to_string(),
        time_zone_set: db
            .setting(TIME_ZONE)?
            .is_some_and(|v| ClinicZone::named(&v).is_ok()),
        hour_cycle: hour_cycle(db)?.to_string(),
        review_thresholds: thresholds_dto(&review_thresholds(db)?),
        backup_folder: daily_backup::settings(db)?
            .0
            .map(|f| f.display().to_string())
            .unwrap_or_default(),
        backup_keep: daily_backup::settings(db)?.1,
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
        // An empty name goes back to the workstation's zone.
        let zone = match update.time_zone.as_deref().map(str::trim) {
            None => None,
            Some("") => Some(String::new()),
            Some(name) => Some(
                ClinicZone::named(name)
                    .map_err(|e| ApiError::invalid("timeZone", e.to_string()))?
                    .name()
                    .to_string(),
            ),
        };
        let hours = match update.hour_cycle.as_deref().map(str::trim) {
            None => None,
            Some("12" | "12h") => Some("12"),
            Some("24" | "24h") => Some("24"),
            Some(_) => {
                return Err(ApiError::invalid(
                    "hourCycle",
                    "Times are written on a 12-hour clock (12) or a 24-hour one (24).",
                ))
            }
        };
        // Empty turns the daily backup off; a folder must be one this account can write.
        let backup_folder = match update.backup_folder.as_deref().map(str::trim) {
            None => None,
            Some("") => Some(String::new()),
            Some(_) if matches!(*self.store, intake_store::Store::Postgres(_)) => {
                return Err(ApiError::invalid(
                    "backupFolder",
                    "The clinic server is backed up with PostgreSQL's own tools (pg_dump, a \
                     standby), not by the app.",
                ))
            }
            Some(folder) => Some(daily_backup::check_folder(folder)?),
        };
        if let Some(keep) = update.backup_keep {
            if !KEEP_RANGE.contains(&keep) {
                return Err(ApiError::invalid(
                    "backupKeep",
                    format!(
                        "Keep from {} to {} daily backups.",
                        KEEP_RANGE.start(),
                        KEEP_RANGE.end()
                    ),
                ));
            }
        }
        let thresholds = update
            .review_thresholds
            .as_ref()
            .map(thresholds_from)
            .transpose()?;
        let now = self.now();
        self.store
            .write(|db| {
                let before = read(db)?;
                if let Some(t) = &thresholds {
                    let text = serde_json::to_string(&thresholds_dto(t))
                        .map_err(|e| ApiError::Internal(format!("the thresholds as JSON: {e}")))?;
                    db.put_setting(REVIEW_THRESHOLDS, &text, now, &who.actor)?;
                }
                if let Some(zone) = &zone {
                    db.put_setting(TIME_ZONE, zone, now, &who.actor)?;
                }
                if let Some(hours) = hours {
                    db.put_setting(HOUR_CYCLE, hours, now, &who.actor)?;
                }
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
                if let Some(folder) = &backup_folder {
                    db.put_setting(BACKUP_FOLDER, folder, now, &who.actor)?;
                }
                if let Some(keep) = update.backup_keep {
                    db.put_setting(BACKUP_KEEP, &keep.to_string(), now, &who.actor)?;
                }
                let after = read(db)?;
                if after != before {
                    db.append_audit(&audit_entry(
                        now,
                        &who.actor,
                        "settings.changed",
                        "settings",
                        None,
                        json!({ "before": before, "after": after }),
                    ))?;
                }
                Ok(after)
            })
            .and_then(|after: SettingsDto| {
                // A folder just set gets its first backup now, so Settings can show it.
                if backup_folder.as_deref().is_some_and(|f| !f.is_empty()) {
                    self.run_daily_backup()?;
                }
                Ok(after)
            })
    }
}
