//! Patients, their revisions, the MRN sequence and search words on the server: the
//! SQLite backend's `patients.rs`, statement for statement. A patient is never deleted
//! (migration 0003's triggers refuse it); every change bumps `version` and appends a
//! revision; an edit names the version it started from.

use chrono::{DateTime, NaiveDate, Utc};
use intake_core::mrn::generated_mrn;
use intake_core::patient::ValidPatient;
use intake_core::search::NearWord;
use intake_core::PatientId;

use super::{get, PgDb};
use crate::traits::{Patients, WordMatch};
use crate::{format_time, PatientRevision, PatientRow, PatientStatus, StoreError};

mod merges;
mod row;
mod search;
mod words;

use row::{decode, decode_all, decode_revision, COLUMNS};

/// A patient's search index words as inserting or editing it writes them: the words of
/// the `names` column and of the `phones` column (for `intake db copy`).
pub(super) fn search_words(family: &str, given: &str, phone: &str) -> (Vec<String>, Vec<String>) {
    (
        words::index_words(&intake_core::search::index_names(family, given)),
        words::index_words(&intake_core::search::index_phones(phone)),
    )
}

impl Patients for PgDb<'_> {
    fn next_generated_mrn(&self) -> Result<String, StoreError> {
        loop {
            let row = self
                .query_opt(
                    "UPDATE mrn_sequence SET next = next + 1 WHERE id = 1 RETURNING next - 1",
                    &[],
                )?
                .ok_or_else(|| StoreError::damaged("mrn_sequence", "row 1", "missing"))?;
            let seq: i64 = get(&row, 0, "mrn_sequence")?;
            let mrn = generated_mrn(seq.max(0) as u64);
            if self.patient_by_mrn(&mrn)?.is_none() {
                return Ok(mrn);
            }
        }
    }

    fn insert_patient(
        &self,
        p: &ValidPatient,
        mrn: &str,
        changes: &serde_json::Value,
        at: DateTime<Utc>,
        by: &str,
    ) -> Result<PatientId, StoreError> {
        let at_text = format_time(at);
        let row = self
            .query_one(
                "INSERT INTO patients (mrn, family, given, birth_date, sex, phone, phone_digits, \
                 email, address_line, city, postal_code, country, language, emergency_name, \
                 emergency_relationship, emergency_phone, notes, created_at, created_by, \
                 updated_at, updated_by) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, \
                 $12, $13, $14, $15, $16, $17, $18, $19, $18, $19) RETURNING id",
                &[
                    &mrn,
                    &p.family,
                    &p.given,
                    &p.birth_date.to_string(),
                    &p.sex.as_str(),
                    &p.phone,
                    &intake_core::text::digits(&p.phone),
                    &p.email,
                    &p.address_line,
                    &p.city,
                    &p.postal_code,
                    &p.country,
                    &p.language,
                    &p.emergency_name,
                    &p.emergency_relationship,
                    &p.emergency_phone,
                    &p.notes,
                    &at_text,
                    &by,
                ],
            )
            .map_err(|e| match e {
                StoreError::Duplicate { .. } => StoreError::Duplicate { what: "MRN" },
                other => other,
            })?;
        let id = PatientId(get(&row, 0, "patients")?);
        self.write_search_words(id, p)?;
        self.add_revision(id, 1, at, by, changes, None)?;
        Ok(id)
    }

    fn update_patient(
        &self,
        id: PatientId,
        expected_version: i64,
        p: &ValidPatient,
        changes: &serde_json::Value,
        at: DateTime<Utc>,
        by: &str,
    ) -> Result<Option<i64>, StoreError> {
        let updated = self.execute(
            "UPDATE patients SET family = $3, given = $4, birth_date = $5, sex = $6, phone = $7, \
             phone_digits = $8, email = $9, address_line = $10, city = $11, postal_code = $12, \
             country = $13, language = $14, emergency_name = $15, emergency_relationship = $16, \
             emergency_phone = $17, notes = $18, updated_at = $19, updated_by = $20, \
             version = version + 1 WHERE id = $1 AND version = $2",
            &[
                &id.0,
                &expected_version,
                &p.family,
                &p.given,
                &p.birth_date.to_string(),
                &p.sex.as_str(),
                &p.phone,
                &intake_core::text::digits(&p.phone),
                &p.email,
                &p.address_line,
                &p.city,
                &p.postal_code,
                &p.country,
                &p.language,
                &p.emergency_name,
                &p.emergency_relationship,
                &p.emergency_phone,
                &p.notes,
                &format_time(at),
                &by,
            ],
        )?;
        if updated == 0 {
            return Ok(None);
        }
        self.write_search_words(id, p)?;
        self.add_revision(id, expected_version + 1, at, by, changes, None)?;
        Ok(Some(expected_version + 1))
    }

    fn set_patient_status(
        &self,
        id: PatientId,
        expected_version: i64,
        status: PatientStatus,
        reason: &str,
        at: DateTime<Utc>,
        by: &str,
    ) -> Result<Option<i64>, StoreError> {
        let before: Option<String> =
            match self.query_opt("SELECT status FROM patients WHERE id = $1", &[&id.0])? {
                Some(row) => Some(get(&row, 0, "patients")?),
                None => None,
            };
        let updated = self.execute(
            "UPDATE patients SET status = $3, status_reason = $4, updated_at = $5, \
             updated_by = $6, version = version + 1 WHERE id = $1 AND version = $2",
            &[
                &id.0,
                &expected_version,
                &status.as_str(),
                &reason,
                &format_time(at),
                &by,
            ],
        )?;
        if updated == 0 {
            return Ok(None);
        }
        let changes = serde_json::json!({ "status": [before, status.as_str()] });
        self.add_revision(id, expected_version + 1, at, by, &changes, Some(reason))?;
        Ok(Some(expected_version + 1))
    }

    fn patient(&self, id: PatientId) -> Result<Option<PatientRow>, StoreError> {
        self.query_opt(
            &format!("SELECT {COLUMNS} FROM patients p WHERE p.id = $1"),
            &[&id.0],
        )?
        .as_ref()
        .map(decode)
        .transpose()
    }

    fn patient_by_mrn(&self, mrn: &str) -> Result<Option<PatientRow>, StoreError> {
        self.query_opt(
            &format!("SELECT {COLUMNS} FROM patients p WHERE p.mrn = $1"),
            &[&mrn],
        )?
        .as_ref()
        .map(decode)
        .transpose()
    }

    fn patient_by_compact_mrn(&self, compact: &str) -> Result<Option<PatientRow>, StoreError> {
        // The expression matches the index `patients_mrn_compact`.
        self.query_opt(
            &format!(
                "SELECT {COLUMNS} FROM patients p WHERE replace(p.mrn, '-', '') = $1 \
                 ORDER BY p.id LIMIT 1"
            ),
            &[&compact],
        )?
        .as_ref()
        .map(decode)
        .transpose()
    }

    fn patient_revisions(&self, id: PatientId) -> Result<Vec<PatientRevision>, StoreError> {
        self.query(
            "SELECT version, at, by, changes, reason FROM patient_revisions \
             WHERE patient_id = $1 ORDER BY version",
            &[&id.0],
        )?
        .iter()
        .map(decode_revision)
        .collect()
    }

    fn search_patient_names(
        &self,
        words: &[String],
        how: WordMatch,
        birth_date: Option<NaiveDate>,
        include_inactive: bool,
        limit: u32,
    ) -> Result<Vec<PatientRow>, StoreError> {
        self.search_names(words, how, birth_date, include_inactive, limit)
    }

    fn name_words_starting(
        &self,
        prefix: &str,
        min_chars: usize,
        max_chars: usize,
        limit: u32,
    ) -> Result<Vec<String>, StoreError> {
        self.name_words(prefix, min_chars, max_chars, limit)
    }

    fn search_patient_names_near(
        &self,
        words: &[NearWord],
        birth_date: Option<NaiveDate>,
        include_inactive: bool,
        limit: u32,
    ) -> Result<Vec<PatientRow>, StoreError> {
        self.search_names_near(words, birth_date, include_inactive, limit)
    }

    fn search_patient_phones(
        &self,
        digits: &str,
        include_inactive: bool,
        limit: u32,
    ) -> Result<Vec<PatientRow>, StoreError> {
        self.search_phones(digits, include_inactive, limit)
    }

    fn patients_born_on(
        &self,
        date: NaiveDate,
        include_inactive: bool,
        limit: u32,
    ) -> Result<Vec<PatientRow>, StoreError> {
        decode_all(&self.query(
            &format!(
                "SELECT {COLUMNS} FROM patients p WHERE p.birth_date = $1 \
                   AND ($2 OR p.status = 'active') ORDER BY p.id LIMIT $3"
            ),
            &[&date.to_string(), &include_inactive, &i64::from(limit)],
        )?)
    }

    fn patients_with_phone_digits(
        &self,
        digits: &str,
        limit: u32,
    ) -> Result<Vec<PatientRow>, StoreError> {
        if digits.is_empty() {
            return Ok(Vec::new());
        }
        decode_all(&self.query(
            &format!(
                "SELECT {COLUMNS} FROM patients p WHERE p.phone_digits = $1 \
                 AND p.phone_digits <> '' AND p.status = 'active' ORDER BY p.id LIMIT $2"
            ),
            &[&digits, &i64::from(limit)],
        )?)
    }

    fn patients_with_email(&self, email: &str, limit: u32) -> Result<Vec<PatientRow>, StoreError> {
        if email.is_empty() {
            return Ok(Vec::new());
        }
        decode_all(&self.query(
            &format!(
                "SELECT {COLUMNS} FROM patients p WHERE p.email = $1 \
                 AND p.email <> '' AND p.status = 'active' ORDER BY p.id LIMIT $2"
            ),
            &[&email, &i64::from(limit)],
        )?)
    }

    fn count_patients(&self) -> Result<i64, StoreError> {
        let row = self.query_one("SELECT count(*) FROM patients", &[])?;
        get(&row, 0, "patients")
    }

    fn count_patients_not_flagged(&self, flag: &str) -> Result<i64, StoreError> {
        // As SQLite's `json_type(changes, '$."flag"[1]') = 'true'` on valid JSON: the
        // flag is a parameter, a key and nothing else. Changes that are not JSON never
        // carry the flag (migration 0003's intake_try_jsonb reads them as NULL).
        let row = self.query_one(
            "SELECT count(*) FROM patients p WHERE NOT EXISTS ( \
                 SELECT 1 FROM patient_revisions r \
                 WHERE r.patient_id = p.id AND r.version = 1 \
                   AND (intake_try_jsonb(r.changes) -> $1::text -> 1) = 'true'::jsonb)",
            &[&flag],
        )?;
        get(&row, 0, "patients")
    }
}

impl PgDb<'_> {
    fn add_revision(
        &self,
        id: PatientId,
        version: i64,
        at: DateTime<Utc>,
        by: &str,
        changes: &serde_json::Value,
        reason: Option<&str>,
    ) -> Result<(), StoreError> {
        self.execute(
            "INSERT INTO patient_revisions (patient_id, version, at, by, changes, reason) \
             VALUES ($1, $2, $3, $4, $5, $6)",
            &[
                &id.0,
                &version,
                &format_time(at),
                &by,
                &changes.to_string(),
                &reason,
            ],
        )?;
        Ok(())
    }
}
