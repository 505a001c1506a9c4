//! The `patients` table, its revisions, the MRN sequence and the FTS5 search index.
//!
//! A patient is never deleted (a trigger refuses it): a mistaken registration is marked
//! `entered_in_error`. Every change bumps `version` and appends a row to
//! `patient_revisions`; an edit names the version it started from, so two people
//! editing at once cannot silently overwrite each other.

use chrono::{DateTime, NaiveDate, Utc};
use intake_core::mrn::generated_mrn;
use intake_core::patient::ValidPatient;
use intake_core::search::{self, NearWord};
use intake_core::PatientId;
use rusqlite::{params, OptionalExtension};

use crate::traits::{Patients, WordMatch};
use crate::{format_time, parse_time, SqliteDb, StoreError};

pub use intake_core::encounter::PatientStatus;
pub use row::{PatientRevision, PatientRow};

mod row;
use row::{collect, from_row, COLUMNS};

impl Patients for SqliteDb<'_> {
    fn next_generated_mrn(&self) -> Result<String, StoreError> {
        loop {
            let seq: i64 = self
                .conn
                .prepare_cached(
                    "UPDATE mrn_sequence SET next = next + 1 WHERE id = 1 RETURNING next - 1",
                )?
                .query_row([], |r| r.get(0))?;
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
        self.conn
            .prepare_cached(
                "INSERT INTO patients (mrn, family, given, birth_date, sex, phone, phone_digits, \
                 email, address_line, city, postal_code, country, language, emergency_name, \
                 emergency_relationship, emergency_phone, notes, created_at, created_by, \
                 updated_at, updated_by) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, \
                 ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?18, ?19)",
            )?
            .execute(params![
                mrn,
                p.family,
                p.given,
                p.birth_date.to_string(),
                p.sex.as_str(),
                p.phone,
                intake_core::text::digits(&p.phone),
                p.email,
                p.address_line,
                p.city,
                p.postal_code,
                p.country,
                p.language,
                p.emergency_name,
                p.emergency_relationship,
                p.emergency_phone,
                p.notes,
                at_text,
                by
            ])
            .map_err(|e| match StoreError::from(e) {
                StoreError::Duplicate { .. } => StoreError::Duplicate { what: "MRN" },
                other => other,
            })?;
        let id = PatientId(self.conn.last_insert_rowid());
        self.write_search_row(id, p)?;
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
        let updated = self.conn.execute(
            "UPDATE patients SET family = ?3, given = ?4, birth_date = ?5, sex = ?6, phone = ?7, \
             phone_digits = ?8, email = ?9, address_line = ?10, city = ?11, postal_code = ?12, \
             country = ?13, language = ?14, emergency_name = ?15, emergency_relationship = ?16, \
             emergency_phone = ?17, notes = ?18, updated_at = ?19, updated_by = ?20, \
             version = version + 1 WHERE id = ?1 AND version = ?2",
            params![
                id.0,
                expected_version,
                p.family,
                p.given,
                p.birth_date.to_string(),
                p.sex.as_str(),
                p.phone,
                intake_core::text::digits(&p.phone),
                p.email,
                p.address_line,
                p.city,
                p.postal_code,
                p.country,
                p.language,
                p.emergency_name,
                p.emergency_relationship,
                p.emergency_phone,
                p.notes,
                format_time(at),
                by
            ],
        )?;
        if updated == 0 {
            return Ok(None);
        }
        self.write_search_row(id, p)?;
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
        let before: Option<String> = self
            .conn
            .query_row("SELECT status FROM patients WHERE id = ?1", [id.0], |r| {
                r.get(0)
            })
            .optional()?;
        let updated = self.conn.execute(
            "UPDATE patients SET status = ?3, status_reason = ?4, updated_at = ?5, \
             updated_by = ?6, version = version + 1 WHERE id = ?1 AND version = ?2",
            params![
                id.0,
                expected_version,
                status.as_str(),
                reason,
                format_time(at),
                by
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
        self.conn
            .query_row(
                &format!("SELECT {COLUMNS} FROM patients p WHERE p.id = ?1"),
                [id.0],
                from_row,
            )
            .optional()?
            .transpose()
    }

    fn patient_by_mrn(&self, mrn: &str) -> Result<Option<PatientRow>, StoreError> {
        self.conn
            .prepare_cached(&format!(
                "SELECT {COLUMNS} FROM patients p WHERE p.mrn = ?1"
            ))?
            .query_row([mrn], from_row)
            .optional()?
            .transpose()
    }

    fn patient_by_compact_mrn(&self, compact: &str) -> Result<Option<PatientRow>, StoreError> {
        // The expression matches migration 0010's index `patients_mrn_compact`.
        self.conn
            .prepare_cached(&format!(
                "SELECT {COLUMNS} FROM patients p WHERE replace(p.mrn, '-', '') = ?1 \
                 ORDER BY p.id LIMIT 1"
            ))?
            .query_row([compact], from_row)
            .optional()?
            .transpose()
    }

    fn patient_revisions(&self, id: PatientId) -> Result<Vec<PatientRevision>, StoreError> {
        let mut stmt = self.conn.prepare(
            "SELECT version, at, by, changes, reason FROM patient_revisions \
             WHERE patient_id = ?1 ORDER BY version",
        )?;
        let rows = stmt.query_map([id.0], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, String>(3)?,
                r.get::<_, Option<String>>(4)?,
            ))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (version, at, by, changes, reason) = row?;
            out.push(PatientRevision {
                version,
                at: parse_time(&at)?,
                by,
                changes,
                reason,
            });
        }
        Ok(out)
    }

    fn search_patient_names(
        &self,
        words: &[String],
        how: WordMatch,
        birth_date: Option<NaiveDate>,
        include_inactive: bool,
        limit: u32,
    ) -> Result<Vec<PatientRow>, StoreError> {
        if words.is_empty() {
            return Ok(Vec::new());
        }
        let fts = match how {
            WordMatch::Whole => search::fts_exact(words),
            WordMatch::Prefix => search::fts_prefix(words),
        };
        self.names_matching(&fts, birth_date, include_inactive, limit)
    }

    fn name_words_starting(
        &self,
        prefix: &str,
        min_chars: usize,
        max_chars: usize,
        limit: u32,
    ) -> Result<Vec<String>, StoreError> {
        if prefix.is_empty() {
            return Ok(Vec::new());
        }
        // A range of terms, which the vocabulary table reads without a full scan; the
        // upper bound is the prefix followed by the highest code point.
        let mut stmt = self.conn.prepare_cached(
            "SELECT term FROM patient_search_terms \
             WHERE term >= ?1 AND term < ?2 AND col = 'names' \
               AND length(term) BETWEEN ?3 AND ?4 LIMIT ?5",
        )?;
        let rows = stmt.query_map(
            params![
                prefix,
                format!("{prefix}\u{10FFFF}"),
                min_chars as i64,
                max_chars as i64,
                limit
            ],
            |r| r.get::<_, String>(0),
        )?;
        Ok(rows.collect::<Result<Vec<_>, _>>()?)
    }

    fn search_patient_names_near(
        &self,
        words: &[NearWord],
        birth_date: Option<NaiveDate>,
        include_inactive: bool,
        limit: u32,
    ) -> Result<Vec<PatientRow>, StoreError> {
        if words.is_empty() {
            return Ok(Vec::new());
        }
        self.names_matching(
            &search::fts_near(words),
            birth_date,
            include_inactive,
            limit,
        )
    }

    fn search_patient_phones(
        &self,
        digits: &str,
        include_inactive: bool,
        limit: u32,
    ) -> Result<Vec<PatientRow>, StoreError> {
        if digits.is_empty() {
            return Ok(Vec::new());
        }
        let fts = search::fts_prefix(&[digits.to_string()]);
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT {COLUMNS} FROM patient_search s JOIN patients p ON p.id = s.rowid \
             WHERE s.phones MATCH ?1 AND (?2 OR p.status = 'active') LIMIT ?3"
        ))?;
        let rows = stmt.query_map(params![fts, include_inactive, limit], from_row)?;
        collect(rows)
    }

    fn patients_born_on(
        &self,
        date: NaiveDate,
        include_inactive: bool,
        limit: u32,
    ) -> Result<Vec<PatientRow>, StoreError> {
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT {COLUMNS} FROM patients p WHERE p.birth_date = ?1 \
               AND (?2 OR p.status = 'active') LIMIT ?3"
        ))?;
        let rows = stmt.query_map(params![date.to_string(), include_inactive, limit], from_row)?;
        collect(rows)
    }

    fn patients_with_phone_digits(
        &self,
        digits: &str,
        limit: u32,
    ) -> Result<Vec<PatientRow>, StoreError> {
        if digits.is_empty() {
            return Ok(Vec::new());
        }
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT {COLUMNS} FROM patients p WHERE p.phone_digits = ?1 \
             AND p.phone_digits <> '' AND p.status = 'active' LIMIT ?2"
        ))?;
        let rows = stmt.query_map(params![digits, limit], from_row)?;
        collect(rows)
    }

    fn patients_with_email(&self, email: &str, limit: u32) -> Result<Vec<PatientRow>, StoreError> {
        if email.is_empty() {
            return Ok(Vec::new());
        }
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT {COLUMNS} FROM patients p WHERE p.email = ?1 \
             AND p.email <> '' AND p.status = 'active' LIMIT ?2"
        ))?;
        let rows = stmt.query_map(params![email, limit], from_row)?;
        collect(rows)
    }

    fn count_patients(&self) -> Result<i64, StoreError> {
        Ok(self
            .conn
            .query_row("SELECT count(*) FROM patients", [], |r| r.get(0))?)
    }

    fn count_patients_not_flagged(&self, flag: &str) -> Result<i64, StoreError> {
        // The flag is a JSON object key, quoted into the path, so no key can reach
        // outside it.
        let path = format!("$.{}[1]", serde_json::Value::from(flag));
        Ok(self.conn.query_row(
            "SELECT count(*) FROM patients p WHERE NOT EXISTS ( \
                 SELECT 1 FROM patient_revisions r \
                 WHERE r.patient_id = p.id AND r.version = 1 \
                   AND json_valid(r.changes) \
                   AND json_type(r.changes, ?1) = 'true')",
            [path],
            |r| r.get(0),
        )?)
    }
}

impl SqliteDb<'_> {
    /// Patients whose names match the full-text query `fts` (born on `birth_date` if
    /// given; inactive ones only with `include_inactive`), at most `limit`.
    fn names_matching(
        &self,
        fts: &str,
        birth_date: Option<NaiveDate>,
        include_inactive: bool,
        limit: u32,
    ) -> Result<Vec<PatientRow>, StoreError> {
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT {COLUMNS} FROM patient_search s JOIN patients p ON p.id = s.rowid \
             WHERE s.names MATCH ?1 AND (?2 IS NULL OR p.birth_date = ?2) \
               AND (?3 OR p.status = 'active') LIMIT ?4"
        ))?;
        let rows = stmt.query_map(
            params![
                fts,
                birth_date.map(|d| d.to_string()),
                include_inactive,
                limit
            ],
            from_row,
        )?;
        collect(rows)
    }

    fn write_search_row(&self, id: PatientId, p: &ValidPatient) -> Result<(), StoreError> {
        self.conn
            .prepare_cached("DELETE FROM patient_search WHERE rowid = ?1")?
            .execute([id.0])?;
        self.conn
            .prepare_cached(
                "INSERT INTO patient_search (rowid, names, phones) VALUES (?1, ?2, ?3)",
            )?
            .execute(params![
                id.0,
                search::index_names(&p.family, &p.given),
                search::index_phones(&p.phone)
            ])?;
        Ok(())
    }

    fn add_revision(
        &self,
        id: PatientId,
        version: i64,
        at: DateTime<Utc>,
        by: &str,
        changes: &serde_json::Value,
        reason: Option<&str>,
    ) -> Result<(), StoreError> {
        self.conn.execute(
            "INSERT INTO patient_revisions (patient_id, version, at, by, changes, reason) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![
                id.0,
                version,
                format_time(at),
                by,
                changes.to_string(),
                reason
            ],
        )?;
        Ok(())
    }
}
