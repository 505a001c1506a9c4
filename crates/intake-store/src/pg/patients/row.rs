//! A patient row as the server stores it, and its decoding: the same columns and the same
//! damage reports as the SQLite backend's `patients/row.rs` (a damaged value is named,
//! never guessed).

use chrono::NaiveDate;
use intake_core::patient::{Sex, ValidPatient};
use intake_core::PatientId;
use postgres::Row;

use super::super::get;
use crate::{parse_time, PatientRevision, PatientRow, PatientStatus, StoreError};

/// The columns every patient query selects, in [`decode`]'s order.
pub(super) const COLUMNS: &str =
    "p.id, p.mrn, p.family, p.given, p.birth_date, p.sex, p.phone, p.email, \
    p.address_line, p.city, p.postal_code, p.country, p.language, p.emergency_name, \
    p.emergency_relationship, p.emergency_phone, p.notes, p.status, p.status_reason, \
    p.version, p.created_at, p.created_by, p.updated_at, p.updated_by";

const TABLE: &str = "patients";

/// A row of [`COLUMNS`] as a patient.
pub(super) fn decode(r: &Row) -> Result<PatientRow, StoreError> {
    let text = |i: usize| get::<String>(r, i, TABLE);
    let id: i64 = get(r, 0, TABLE)?;
    let mrn = text(1)?;
    let birth = text(4)?;
    let sex = text(5)?;
    let status = text(17)?;
    let created_at = text(20)?;
    let updated_at = text(22)?;
    let fields = ValidPatient {
        mrn: Some(mrn.clone()),
        family: text(2)?,
        given: text(3)?,
        birth_date: NaiveDate::MIN,
        sex: Sex::Unknown,
        phone: text(6)?,
        email: text(7)?,
        address_line: text(8)?,
        city: text(9)?,
        postal_code: text(10)?,
        country: text(11)?,
        language: text(12)?,
        emergency_name: text(13)?,
        emergency_relationship: text(14)?,
        emergency_phone: text(15)?,
        notes: text(16)?,
    };
    let reason: Option<String> = get(r, 18, TABLE)?;
    let version: i64 = get(r, 19, TABLE)?;
    let created_by = text(21)?;
    let updated_by = text(23)?;
    let birth_date = NaiveDate::parse_from_str(&birth, "%Y-%m-%d").map_err(|e| {
        StoreError::damaged(
            TABLE,
            format!("patient {id}"),
            format!("birth date {birth:?}: {e}"),
        )
    })?;
    let sex = Sex::parse(&sex).ok_or_else(|| {
        StoreError::damaged(TABLE, format!("patient {id}"), format!("sex {sex:?}"))
    })?;
    let status = PatientStatus::parse(&status)
        .map_err(|e| StoreError::damaged(TABLE, format!("patient {id}"), e.to_string()))?;
    Ok(PatientRow {
        id: PatientId(id),
        mrn,
        fields: ValidPatient {
            birth_date,
            sex,
            ..fields
        },
        status,
        status_reason: reason,
        version,
        created_at: parse_time(&created_at)?,
        created_by,
        updated_at: parse_time(&updated_at)?,
        updated_by,
    })
}

/// Every row as a patient; the first damaged one is the error.
pub(super) fn decode_all(rows: &[Row]) -> Result<Vec<PatientRow>, StoreError> {
    rows.iter().map(decode).collect()
}

/// The columns `version, at, by, changes, reason` of `patient_revisions` as a revision.
pub(super) fn decode_revision(r: &Row) -> Result<PatientRevision, StoreError> {
    const REVISIONS: &str = "patient_revisions";
    let at: String = get(r, 1, REVISIONS)?;
    Ok(PatientRevision {
        version: get(r, 0, REVISIONS)?,
        at: parse_time(&at)?,
        by: get(r, 2, REVISIONS)?,
        changes: get(r, 3, REVISIONS)?,
        reason: get(r, 4, REVISIONS)?,
    })
}
