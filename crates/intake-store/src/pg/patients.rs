//! Patients, their revisions, search words and merges on the server.
#![allow(unused_variables)]

use crate::{MergeRow, PatientRevision, PatientRow, PatientStatus, StoreError};
use chrono::{DateTime, NaiveDate, Utc};
use intake_core::patient::ValidPatient;
use intake_core::search::NearWord;
use intake_core::PatientId;

use super::PgDb;
use crate::traits::{Merges, Patients, WordMatch};

fn not_yet(what: &str) -> StoreError {
    StoreError::Refused {
        why: format!("{what} is not yet implemented on the clinic server"),
    }
}

impl Patients for PgDb<'_> {
    fn next_generated_mrn(&self) -> Result<String, StoreError> {
        Err(not_yet("next_generated_mrn"))
    }

    fn insert_patient(
        &self,
        _p: &ValidPatient,
        _mrn: &str,
        _changes: &serde_json::Value,
        _at: DateTime<Utc>,
        _by: &str,
    ) -> Result<PatientId, StoreError> {
        Err(not_yet("insert_patient"))
    }

    fn update_patient(
        &self,
        _id: PatientId,
        _expected_version: i64,
        _p: &ValidPatient,
        _changes: &serde_json::Value,
        _at: DateTime<Utc>,
        _by: &str,
    ) -> Result<Option<i64>, StoreError> {
        Err(not_yet("update_patient"))
    }

    fn set_patient_status(
        &self,
        _id: PatientId,
        _expected_version: i64,
        _status: PatientStatus,
        _reason: &str,
        _at: DateTime<Utc>,
        _by: &str,
    ) -> Result<Option<i64>, StoreError> {
        Err(not_yet("set_patient_status"))
    }

    fn patient(&self, _id: PatientId) -> Result<Option<PatientRow>, StoreError> {
        Err(not_yet("patient"))
    }

    fn patient_by_mrn(&self, _mrn: &str) -> Result<Option<PatientRow>, StoreError> {
        Err(not_yet("patient_by_mrn"))
    }

    fn patient_by_compact_mrn(&self, _compact: &str) -> Result<Option<PatientRow>, StoreError> {
        Err(not_yet("patient_by_compact_mrn"))
    }

    fn patient_revisions(&self, _id: PatientId) -> Result<Vec<PatientRevision>, StoreError> {
        Err(not_yet("patient_revisions"))
    }

    fn search_patient_names(
        &self,
        _words: &[String],
        _how: WordMatch,
        _birth_date: Option<NaiveDate>,
        _include_inactive: bool,
        _limit: u32,
    ) -> Result<Vec<PatientRow>, StoreError> {
        Err(not_yet("search_patient_names"))
    }

    fn name_words_starting(
        &self,
        _prefix: &str,
        _min_chars: usize,
        _max_chars: usize,
        _limit: u32,
    ) -> Result<Vec<String>, StoreError> {
        Err(not_yet("name_words_starting"))
    }

    fn search_patient_names_near(
        &self,
        _words: &[NearWord],
        _birth_date: Option<NaiveDate>,
        _include_inactive: bool,
        _limit: u32,
    ) -> Result<Vec<PatientRow>, StoreError> {
        Err(not_yet("search_patient_names_near"))
    }

    fn search_patient_phones(
        &self,
        _digits: &str,
        _include_inactive: bool,
        _limit: u32,
    ) -> Result<Vec<PatientRow>, StoreError> {
        Err(not_yet("search_patient_phones"))
    }

    fn patients_born_on(
        &self,
        _date: NaiveDate,
        _include_inactive: bool,
        _limit: u32,
    ) -> Result<Vec<PatientRow>, StoreError> {
        Err(not_yet("patients_born_on"))
    }

    fn patients_with_phone_digits(
        &self,
        _digits: &str,
        _limit: u32,
    ) -> Result<Vec<PatientRow>, StoreError> {
        Err(not_yet("patients_with_phone_digits"))
    }

    fn patients_with_email(
        &self,
        _email: &str,
        _limit: u32,
    ) -> Result<Vec<PatientRow>, StoreError> {
        Err(not_yet("patients_with_email"))
    }

    fn count_patients(&self) -> Result<i64, StoreError> {
        Err(not_yet("count_patients"))
    }

    fn count_patients_not_flagged(&self, _flag: &str) -> Result<i64, StoreError> {
        Err(not_yet("count_patients_not_flagged"))
    }
}

impl Merges for PgDb<'_> {
    fn insert_patient_merge(
        &self,
        _merged: PatientId,
        _survivor: PatientId,
        _reason: &str,
        _at: DateTime<Utc>,
        _by: &str,
    ) -> Result<i64, StoreError> {
        Err(not_yet("insert_patient_merge"))
    }

    fn undo_patient_merge(
        &self,
        _id: i64,
        _at: DateTime<Utc>,
        _by: &str,
    ) -> Result<bool, StoreError> {
        Err(not_yet("undo_patient_merge"))
    }

    fn merged_into(&self, _patient: PatientId) -> Result<Option<MergeRow>, StoreError> {
        Err(not_yet("merged_into"))
    }

    fn merged_from(&self, _survivor: PatientId) -> Result<Vec<MergeRow>, StoreError> {
        Err(not_yet("merged_from"))
    }
}
