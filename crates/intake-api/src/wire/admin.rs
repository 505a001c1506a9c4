//! The wire types: what front ends send and receive, in camelCase JSON. Converted by
//! hand from domain and store types, which never cross the edge themselves.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use intake_store::{AuditRow, UserRow};

/// A user account as screens show it (never the password hash).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct UserDto {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    pub role: String,
    pub role_label: String,
    pub active: bool,
    pub must_change_password: bool,
    pub created_at: String,
}

impl From<&UserRow> for UserDto {
    fn from(u: &UserRow) -> Self {
        UserDto {
            id: u.id.0,
            username: u.username.clone(),
            display_name: if u.display_name.is_empty() {
                u.username.clone()
            } else {
                u.display_name.clone()
            },
            role: u.role.as_str().to_string(),
            role_label: u.role.label().to_string(),
            active: u.active,
            must_change_password: u.must_change_password,
            created_at: intake_store::format_time(u.created_at),
        }
    }
}

/// A new account. The password is temporary: its owner changes it at first sign-in.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NewUserRequest {
    pub username: String,
    #[serde(default)]
    pub display_name: String,
    pub role: String,
    pub password: String,
}

/// What the first screen needs before anyone signs in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AppStatusDto {
    pub needs_first_admin: bool,
    pub version: String,
    pub clinic_name: String,
    /// Where the records live, for the sign-in footer and Settings: "Clinic server
    /// db.clinic.lan" or "This workstation".
    pub database: String,
    /// The database file's path, or the server's schema version and whether the
    /// connection is encrypted.
    pub database_detail: String,
}

/// A signed-in session. The token goes with every later call.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SignedInDto {
    pub token: String,
    pub user: UserDto,
    pub session_timeout_seconds: u32,
    pub sections: Vec<String>,
    /// For administrators: the last background check of the signed records.
    pub record_check: Option<RecordCheckDto>,
    /// For administrators: why the daily backups need attention, if they do.
    pub backup_warning: Option<String>,
    /// How the screens write dates and times.
    pub dates: ClinicDatesDto,
}

/// How the clinic writes dates and times on screen (`ui/shared/dates.js`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ClinicDatesDto {
    /// `dmy` (06/12/2026) or `mdy` (12/06/2026).
    pub date_order: String,
    /// `12` or `24`.
    pub hour_cycle: String,
    /// The clinic's zone (IANA name), empty for the workstation's unnamed one.
    pub time_zone: String,
}

/// The current session's user, and what the screen needs to run the lock timer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SessionDto {
    pub user: UserDto,
    pub session_timeout_seconds: u32,
    pub sections: Vec<String>,
    /// For administrators: the last background check of the signed records.
    pub record_check: Option<RecordCheckDto>,
    /// For administrators: why the daily backups need attention, if they do.
    pub backup_warning: Option<String>,
    /// How the screens write dates and times.
    pub dates: ClinicDatesDto,
}

/// One audit entry as listed.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AuditEntryDto {
    pub seq: i64,
    pub at: String,
    /// The user name (or the OS account of the command line) as recorded.
    pub actor: String,
    /// The actor's display name when they are a user of this clinic.
    pub actor_name: Option<String>,
    pub action: String,
    pub patient_id: Option<i64>,
    /// The patient the entry is about, as the clinic knows them now.
    pub patient: Option<AuditPatientDto>,
    pub entity: String,
    pub entity_id: Option<String>,
    pub detail: serde_json::Value,
}

/// The patient an audit entry names.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AuditPatientDto {
    pub id: i64,
    /// "Family, Given".
    pub name: String,
    pub mrn: String,
}

impl From<AuditRow> for AuditEntryDto {
    fn from(row: AuditRow) -> Self {
        let c = row.content;
        AuditEntryDto {
            seq: c.seq,
            detail: serde_json::from_str(&c.detail).unwrap_or(serde_json::Value::String(c.detail)),
            at: c.at,
            actor: c.actor,
            actor_name: None,
            action: c.action,
            patient_id: c.patient_id,
            patient: None,
            entity: c.entity,
            entity_id: c.entity_id,
        }
    }
}

/// Which audit entries to list, newest first.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AuditFilterDto {
    #[serde(default)]
    pub limit: Option<u32>,
    #[serde(default)]
    pub before_seq: Option<i64>,
    #[serde(default)]
    pub action_prefix: Option<String>,
    #[serde(default)]
    pub actor: Option<String>,
    /// Only entries about the patient with this MRN: who saw or changed the chart.
    #[serde(default)]
    pub patient_mrn: Option<String>,
    /// Only entries about this patient (as a patient search found them).
    #[serde(default)]
    pub patient_id: Option<i64>,
    /// Only entries of exactly this action (one of `list_audit_actions`).
    #[serde(default)]
    pub action: Option<String>,
    /// Only entries on or after this day (`YYYY-MM-DD`).
    #[serde(default)]
    pub from: Option<String>,
    /// Only entries on or before this day (`YYYY-MM-DD`, included).
    #[serde(default)]
    pub to: Option<String>,
}

/// The result of walking the audit chain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AuditVerifyDto {
    pub intact: bool,
    pub entries: u64,
    pub broken_at: Option<i64>,
    pub reason: Option<String>,
}

/// Clinic-wide settings.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SettingsDto {
    pub session_timeout_seconds: u32,
    pub clinic_name: String,
    /// `dmy` or `mdy`: how dates other than ISO are read in patient search.
    pub date_order: String,
    /// `a4` or `letter`: the paper PDF summaries are printed on.
    pub paper_size: String,
    /// The clinic's time zone (IANA name): where its days begin and end. Empty when it
    /// is the workstation's and that one has no name.
    pub time_zone: String,
    /// Whether the zone was set (false: the workstation's is used).
    pub time_zone_set: bool,
    /// `12` or `24`: how the screens write times.
    pub hour_cycle: String,
    /// When the review flags a finding as notable.
    pub review_thresholds: ThresholdsDto,
    /// Where the app puts its daily backup of this workstation's database (empty: none
    /// is made), and how many it keeps.
    pub backup_folder: String,
    pub backup_keep: u32,
}

/// The review's notable-finding thresholds (`intake_core::review::rules::Thresholds`).
/// Sent back whole to change them; a field left out or not a number is refused by name.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ThresholdsDto {
    /// A weight change of at least this much…
    #[serde(default)]
    pub weight_change: Option<f64>,
    /// …in `percent` or `kg`…
    #[serde(default)]
    pub weight_change_unit: Option<String>,
    /// …since a visit at most this many days earlier.
    #[serde(default)]
    pub weight_change_days: Option<f64>,
    #[serde(default)]
    pub systolic_at_least: Option<f64>,
    #[serde(default)]
    pub diastolic_at_least: Option<f64>,
    #[serde(default)]
    pub spo2_below: Option<f64>,
    #[serde(default)]
    pub pulse_below: Option<f64>,
    #[serde(default)]
    pub pulse_above: Option<f64>,
    #[serde(default)]
    pub temperature_at_least: Option<f64>,
    /// Flag every new, stopped or changed medication / allergy.
    #[serde(default)]
    pub medication_changes: Option<bool>,
    #[serde(default)]
    pub allergy_changes: Option<bool>,
}

/// A change to settings; absent fields stay as they are.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SettingsUpdate {
    #[serde(default)]
    pub session_timeout_seconds: Option<i64>,
    #[serde(default)]
    pub clinic_name: Option<String>,
    #[serde(default)]
    pub date_order: Option<String>,
    #[serde(default)]
    pub paper_size: Option<String>,
    /// An IANA name; empty goes back to the workstation's zone.
    #[serde(default)]
    pub time_zone: Option<String>,
    /// `12` or `24`.
    #[serde(default)]
    pub hour_cycle: Option<String>,
    /// All the thresholds at once.
    #[serde(default)]
    pub review_thresholds: Option<ThresholdsDto>,
    /// An absolute path to an existing folder; empty turns the daily backup off.
    #[serde(default)]
    pub backup_folder: Option<String>,
    /// How many daily backups to keep (1 to 365).
    #[serde(default)]
    pub backup_keep: Option<i64>,
}

/// The report: per week, per encounter, and over the whole range.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct OutcomesDto {
    /// The range asked for, `YYYY-MM-DD`, both days included.
    pub from: String,
    pub to: String,
    /// Every week from the one holding `from` to the one holding `to`, oldest first.
    pub weeks: Vec<OutcomeWeekDto>,
    /// The submitted encounters, oldest submission first.
    pub encounters: Vec<OutcomeEncounterDto>,
    /// The figures over the whole range.
    pub total: OutcomeFiguresDto,
}

/// One week (Monday to Sunday; the first and last only count days inside the range).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct OutcomeWeekDto {
    /// The week's Monday, `YYYY-MM-DD`.
    pub week_start: String,
    #[serde(flatten)]
    pub figures: OutcomeFiguresDto,
}

/// The sums over a set of encounters.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct OutcomeFiguresDto {
    pub encounters: i64,
    pub answered: i64,
    pub carried_unchanged: i64,
    pub carried_edited: i64,
    pub typed: i64,
    pub prefilled: i64,
    /// `carriedUnchanged / answered`; null when nothing was answered.
    pub carried_share: Option<f64>,
    /// `(typed + carriedEdited) / answered`: what someone had to type; null when nothing
    /// was answered.
    pub typed_share: Option<f64>,
    /// The median of the encounters' minutes from start to submission (one decimal);
    /// null without encounters.
    pub median_minutes: Option<f64>,
}

/// One submitted encounter.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct OutcomeEncounterDto {
    pub id: i64,
    pub mrn: String,
    pub started_at: String,
    pub submitted_at: String,
    pub answered: i64,
    pub carried_unchanged: i64,
    pub carried_edited: i64,
    pub typed: i64,
    pub prefilled: i64,
    /// From start to submission, one decimal (negative if a clock was set back between).
    pub minutes: f64,
}

/// One template as listed.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TemplateDto {
    pub slug: String,
    pub version: String,
    pub title: String,
    pub status: String,
    pub sha256: String,
    pub imported_at: String,
    pub imported_by: String,
    /// Shipped with the app (the general adult intake).
    pub built_in: bool,
    /// The import report: `{ summary, items: [{ linkId, text, outcome, reasons }], notes }`.
    pub report: Value,
}

/// What `verify_records` found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RecordsVerifyDto {
    /// Signed visits checked and found as signed (before the first mismatch, if any).
    pub checked: usize,
    pub mismatch: Option<RecordMismatchDto>,
}

/// The first signed visit that is not what was signed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RecordMismatchDto {
    pub encounter_id: i64,
    pub mrn: String,
    pub patient_name: String,
    /// How it differs from what was signed, in a sentence ("its answers changed since
    /// the signature").
    pub what: String,
}

impl RecordMismatchDto {
    /// Visit `e` differs from its signature in `what` ("its answers changed ...").
    pub fn new(e: &intake_store::EncounterRow, what: String) -> RecordMismatchDto {
        RecordMismatchDto {
            encounter_id: e.id.0,
            mrn: e.mrn.clone(),
            patient_name: e.patient_name.clone(),
            what,
        }
    }
}

/// The finding of a background check of every signed record (at start, then daily).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RecordCheckDto {
    /// When the check ended.
    pub at: String,
    /// Signed visits checked.
    pub checked: usize,
    /// The visits that differ from what was signed (the first 20 found).
    pub mismatches: Vec<RecordMismatchDto>,
}

/// An audit-chain head kept outside the database: `SEQ:HASH`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AnchorDto {
    pub seq: i64,
    pub hash: String,
}

impl std::fmt::Display for AnchorDto {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}", self.seq, self.hash)
    }
}

/// Why a text is not an anchor.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0:?} is not an anchor (SEQ:HASH, as `intake audit anchor` prints it)")]
pub struct AnchorParseError(pub String);

impl std::str::FromStr for AnchorDto {
    type Err = AnchorParseError;

    /// `SEQ:HASH`, the hash 64 lower-case hex digits.
    fn from_str(s: &str) -> Result<Self, AnchorParseError> {
        let bad = || AnchorParseError(s.to_string());
        let (seq, hash) = s.trim().split_once(':').ok_or_else(bad)?;
        let seq: i64 = seq.parse().map_err(|_| bad())?;
        let hex = hash.len() == 64 && hash.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'));
        if seq < 1 || !hex {
            return Err(bad());
        }
        Ok(AnchorDto {
            seq,
            hash: hash.to_string(),
        })
    }
}

/// What `intake backup` made and checked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct BackupDto {
    /// The backup file.
    pub path: String,
    pub bytes: u64,
    /// The audit chain's head the backup holds (none in a database without entries):
    /// the live log's `database.backed_up` entry names it too.
    pub head: Option<AnchorDto>,
    /// Audit entries in the backup, its chain checked from the first.
    pub audit_entries: u64,
    /// Signed records in the backup, each checked as signed.
    pub records_checked: usize,
}

/// The daily backups, for Settings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct BackupStatusDto {
    /// The folder set in Settings (empty: daily backups are off).
    pub folder: String,
    pub keep: u32,
    /// The newest daily backup and when it was made.
    pub newest: Option<String>,
    pub newest_at: Option<String>,
    /// Daily backups in the folder.
    pub count: usize,
    /// Why an administrator should act (the folder unreachable, no backup for 2 days).
    pub warning: Option<String>,
    /// The database is the clinic server: its backups are PostgreSQL's.
    pub on_server: bool,
}

/// What `intake restore` did.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RestoreDto {
    /// The backup put back, as it was checked before anything changed.
    pub restored: BackupDto,
    /// The chain head of the database it replaced (none if there was none, or it
    /// could not be read: then `previous_unreadable` says why).
    pub previous_head: Option<AnchorDto>,
    pub previous_unreadable: Option<String>,
    /// Where the replaced database was kept (none if the folder had none).
    pub kept_aside: Option<String>,
}
