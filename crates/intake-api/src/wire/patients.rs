//! Wire types for patients.

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use intake_core::duplicate::DuplicateReason;
use intake_core::patient::PatientInput;
use intake_core::EncounterStatus;
use serde::{Deserialize, Serialize};

use intake_store::{PatientRevision, PatientRow};

/// A registration or an edit as typed; every field is text, checked by the API.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct PatientInputDto {
    pub mrn: String,
    pub family: String,
    pub given: String,
    pub birth_date: String,
    pub sex: String,
    pub phone: String,
    pub email: String,
    pub address_line: String,
    pub city: String,
    pub postal_code: String,
    pub country: String,
    pub language: String,
    pub emergency_name: String,
    pub emergency_relationship: String,
    pub emergency_phone: String,
    pub notes: String,
}

impl From<&PatientInputDto> for PatientInput {
    fn from(d: &PatientInputDto) -> Self {
        PatientInput {
            mrn: d.mrn.clone(),
            family: d.family.clone(),
            given: d.given.clone(),
            birth_date: d.birth_date.clone(),
            sex: d.sex.clone(),
            phone: d.phone.clone(),
            email: d.email.clone(),
            address_line: d.address_line.clone(),
            city: d.city.clone(),
            postal_code: d.postal_code.clone(),
            country: d.country.clone(),
            language: d.language.clone(),
            emergency_name: d.emergency_name.clone(),
            emergency_relationship: d.emergency_relationship.clone(),
            emergency_phone: d.emergency_phone.clone(),
            notes: d.notes.clone(),
        }
    }
}

/// Whole years between a birth date and `today`.
pub fn age(birth: NaiveDate, today: NaiveDate) -> i32 {
    let mut years = today.year() - birth.year();
    if (today.month(), today.day()) < (birth.month(), birth.day()) {
        years -= 1;
    }
    years.max(0)
}

/// One search result, or a duplicate candidate.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PatientSummaryDto {
    pub id: i64,
    pub mrn: String,
    pub family: String,
    pub given: String,
    pub birth_date: String,
    pub age: i32,
    pub sex: String,
    pub status: String,
    /// The newest visit not entered in error, if any (filled by search).
    pub last_visit: Option<LastVisitDto>,
    /// When this chart is merged into another: that chart, as "Family, Given (MRN)".
    pub merged_into: Option<String>,
    /// The id of the chart it is merged into (opening this one leads there).
    pub merged_into_id: Option<i64>,
}

/// When a patient's newest visit started, and where it stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct LastVisitDto {
    pub at: String,
    pub status: String,
}

impl LastVisitDto {
    pub fn new(at: DateTime<Utc>, status: EncounterStatus) -> Self {
        LastVisitDto {
            at: intake_store::format_time(at),
            status: status.as_str().to_string(),
        }
    }
}

impl PatientSummaryDto {
    pub fn new(p: &PatientRow, today: NaiveDate) -> Self {
        PatientSummaryDto {
            id: p.id.0,
            mrn: p.mrn.clone(),
            family: p.fields.family.clone(),
            given: p.fields.given.clone(),
            birth_date: p.fields.birth_date.to_string(),
            age: age(p.fields.birth_date, today),
            sex: p.fields.sex.as_str().to_string(),
            status: p.status.as_str().to_string(),
            last_visit: None,
            merged_into: None,
            merged_into_id: None,
        }
    }
}

/// The result of a search.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PatientSearchDto {
    pub patients: Vec<PatientSummaryDto>,
    /// More patients match than were ranked or shown: the screen asks for more letters.
    pub truncated: bool,
}

/// A patient with every field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PatientDto {
    pub id: i64,
    pub mrn: String,
    pub family: String,
    pub given: String,
    pub birth_date: String,
    pub age: i32,
    pub sex: String,
    pub phone: String,
    pub email: String,
    pub address_line: String,
    pub city: String,
    pub postal_code: String,
    pub country: String,
    pub language: String,
    pub emergency_name: String,
    pub emergency_relationship: String,
    pub emergency_phone: String,
    pub notes: String,
    pub status: String,
    pub status_reason: Option<String>,
    pub version: i64,
    pub created_at: String,
    pub created_by: String,
    pub updated_at: String,
    pub updated_by: String,
    /// What the caller may do with this patient now.
    pub may: PatientMayDto,
    /// Every MRN this chart answers to: its own, then those of the charts merged into it.
    pub identifiers: Vec<String>,
    /// When this chart is merged into another: the link (its `patient` is the survivor).
    pub merged_into: Option<MergeLinkDto>,
    /// The charts merged into this one (each link's `patient` is the merged chart).
    pub merged_from: Vec<MergeLinkDto>,
}

/// A merge seen from one of its two charts: the other chart, why, who, when, and whether
/// the caller may undo it now (an administrator, the same day).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct MergeLinkDto {
    pub merge_id: i64,
    pub patient: PatientSummaryDto,
    pub reason: String,
    pub by: String,
    pub at: String,
    pub may_undo: bool,
}

/// What the caller may do with a patient now, so the screen asks no role (the backend
/// checks again on each call). A patient entered in error gets no new intake and is not
/// marked twice.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PatientMayDto {
    pub start_intake: bool,
    /// Export a visit's summary as a PDF (from the patient's Visits).
    pub export_pdf: bool,
    pub mark_in_error: bool,
    /// Merge this chart into another (an administrator, on a chart not merged either way).
    pub merge: bool,
}

impl PatientDto {
    /// The patient with what the caller may do with it (`may`).
    pub fn new(p: &PatientRow, today: NaiveDate, may: PatientMayDto) -> Self {
        let f = &p.fields;
        PatientDto {
            id: p.id.0,
            mrn: p.mrn.clone(),
            family: f.family.clone(),
            given: f.given.clone(),
            birth_date: f.birth_date.to_string(),
            age: age(f.birth_date, today),
            sex: f.sex.as_str().to_string(),
            phone: f.phone.clone(),
            email: f.email.clone(),
            address_line: f.address_line.clone(),
            city: f.city.clone(),
            postal_code: f.postal_code.clone(),
            country: f.country.clone(),
            language: f.language.clone(),
            emergency_name: f.emergency_name.clone(),
            emergency_relationship: f.emergency_relationship.clone(),
            emergency_phone: f.emergency_phone.clone(),
            notes: f.notes.clone(),
            status: p.status.as_str().to_string(),
            status_reason: p.status_reason.clone(),
            version: p.version,
            created_at: intake_store::format_time(p.created_at),
            created_by: p.created_by.clone(),
            updated_at: intake_store::format_time(p.updated_at),
            updated_by: p.updated_by.clone(),
            may,
            identifiers: vec![p.mrn.clone()],
            merged_into: None,
            merged_from: Vec::new(),
        }
    }
}

/// A likely duplicate and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DuplicateDto {
    pub patient: PatientSummaryDto,
    pub reasons: Vec<String>,
}

impl DuplicateDto {
    pub fn new(p: &PatientRow, reasons: &[DuplicateReason], today: NaiveDate) -> Self {
        DuplicateDto {
            patient: PatientSummaryDto::new(p, today),
            reasons: reasons.iter().map(|r| r.as_str().to_string()).collect(),
        }
    }
}

/// What registering or editing did: the saved patient, or (nothing saved) the likely
/// duplicates the person must look at first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PatientSaveDto {
    pub patient: Option<PatientDto>,
    pub duplicates: Vec<DuplicateDto>,
}

/// One change in a patient's history.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PatientRevisionDto {
    pub version: i64,
    pub at: String,
    pub by: String,
    pub changes: serde_json::Value,
    pub reason: Option<String>,
}

impl From<PatientRevision> for PatientRevisionDto {
    fn from(r: PatientRevision) -> Self {
        PatientRevisionDto {
            version: r.version,
            at: intake_store::format_time(r.at),
            by: r.by,
            changes: serde_json::from_str(&r.changes).unwrap_or(serde_json::Value::Null),
            reason: r.reason,
        }
    }
}

#[derive(Debug, Clone, Copy, Default)]
pub struct ImportOptions {
    pub dry_run: bool,
    pub skip_invalid: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ImportSkipDto {
    pub line: u64,
    pub name: String,
    pub reasons: Vec<String>,
    pub candidates: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ImportRejectDto {
    pub line: u64,
    pub field: Option<String>,
    pub message: String,
}

/// What an import did (or, for a dry run or a refused import, would have done).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ImportReportDto {
    /// Rows that were (or, uncommitted, would have been) imported.
    pub imported: u64,
    pub committed: bool,
    pub dry_run: bool,
    pub skipped_duplicates: Vec<ImportSkipDto>,
    pub rejected: Vec<ImportRejectDto>,
}
