//! A patient row as stored and read back: the columns every query selects and their
//! decoding (a damaged value is named, never guessed).

use chrono::{DateTime, NaiveDate, Utc};
use intake_core::patient::{Sex, ValidPatient};
use intake_core::PatientId;
use rusqlite::Row;

use super::PatientStatus;
use crate::{parse_time, StoreError};

/// A patient as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PatientRow {
    pub id: PatientId,
    pub mrn: String,
    pub fields: ValidPatient,
    pub status: PatientStatus,
    pub status_reason: Option<String>,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub created_by: String,
    pub updated_at: DateTime<Utc>,
    pub updated_by: String,
}

/// One stored change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PatientRevision {
    pub version: i64,
    pub at: DateTime<Utc>,
    pub by: String,
    /// JSON object `{ field: [old, new] }`.
    pub changes: String,
    pub reason: Option<String>,
}

pub(super) const COLUMNS: &str =
    "p.id, p.mrn, p.family, p.given, p.birth_date, p.sex, p.phone, p.email, \
    p.address_line, p.city, p.postal_code, p.country, p.language, p.emergency_name, \
    p.emergency_relationship, p.emergency_phone, p.notes, p.status, p.status_reason, \
    p.version, p.created_at, p.created_by, p.updated_at, p.updated_by";

pub(super) fn from_row(r: &Row<'_>) -> rusqlite::Result<Result<PatientRow, StoreError>> {
    let birth: String = r.get(4)?;
    let sex: String = r.get(5)?;
    let status: String = r.get(17)?;
    let created_at: String = r.get(20)?;
    let updated_at: String = r.get(22)?;
    let fields = ValidPatient {
        mrn: Some(r.get(1)?),
        family: r.get(2)?,
        given: r.get(3)?,
        birth_date: NaiveDate::MIN,
        sex: Sex::Unknown,
        phone: r.get(6)?,
        email: r.get(7)?,
        address_line: r.get(8)?,
        city: r.get(9)?,
        postal_code: r.get(10)?,
        country: r.get(11)?,
        language: r.get(12)?,
        emergency_name: r.get(13)?,
        emergency_relationship: r.get(14)?,
        emergency_phone: r.get(15)?,
        notes: r.get(16)?,
    };
    let (id, mrn, reason, version, created_by, updated_by): (
        i64,
        String,
        Option<String>,
        i64,
        String,
        String,
    ) = (
        r.get(0)?,
        r.get(1)?,
        r.get(18)?,
        r.get(19)?,
        r.get(21)?,
        r.get(23)?,
    );
    Ok((|| {
        let birth_date = NaiveDate::parse_from_str(&birth, "%Y-%m-%d").map_err(|e| {
            StoreError::damaged(
                "patients",
                format!("patient {id}"),
                format!("birth date {birth:?}: {e}"),
            )
        })?;
        let sex = Sex::parse(&sex).ok_or_else(|| {
            StoreError::damaged("patients", format!("patient {id}"), format!("sex {sex:?}"))
        })?;
        let status = PatientStatus::parse(&status)
            .map_err(|e| StoreError::damaged("patients", format!("patient {id}"), e.to_string()))?;
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
    })())
}

pub(super) fn collect(
    rows: impl Iterator<Item = rusqlite::Result<Result<PatientRow, StoreError>>>,
) -> Result<Vec<PatientRow>, StoreError> {
    let mut out = Vec::new();
    for row in rows {
        out.push(row??);
    }
    Ok(out)
}
