//! The patient register: patients, their revisions, generated MRNs and search.

use chrono::{DateTime, NaiveDate, Utc};
use intake_core::patient::ValidPatient;
use intake_core::search::NearWord;
use intake_core::PatientId;

use crate::{MergeRow, PatientRevision, PatientRow, PatientStatus, StoreError};

/// How a searched word matches a word of the index.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WordMatch {
    /// The whole indexed word.
    Whole,
    /// The start of an indexed word.
    Prefix,
}

/// Patients. A patient is never deleted; every change bumps `version` and adds a
/// revision whose `changes` JSON text is kept exactly as given; an edit names the
/// version it started from and is refused (`None`, nothing written) when the patient
/// changed since. An MRN is unique: a taken one is [`StoreError::Duplicate`]
/// `{ what: "MRN" }`. Search words are folded by the API (`intake_core::search`): the
/// index holds [`intake_core::search::index_names`] and
/// [`intake_core::search::index_phones`] of each patient.
pub trait Patients {
    /// The next generated MRN not already taken (a clinic may have entered it by hand).
    fn next_generated_mrn(&self) -> Result<String, StoreError>;

    /// Registers a patient under `mrn` at version 1, with its first revision.
    fn insert_patient(
        &self,
        p: &ValidPatient,
        mrn: &str,
        changes: &serde_json::Value,
        at: DateTime<Utc>,
        by: &str,
    ) -> Result<PatientId, StoreError>;

    /// Replaces a patient's fields if it is still at `expected_version`; returns the new
    /// version, or `None` if someone changed it first (nothing is written then).
    fn update_patient(
        &self,
        id: PatientId,
        expected_version: i64,
        p: &ValidPatient,
        changes: &serde_json::Value,
        at: DateTime<Utc>,
        by: &str,
    ) -> Result<Option<i64>, StoreError>;

    /// Marks a patient entered in error (or active again) with a reason; `None` if the
    /// patient changed since `expected_version`.
    fn set_patient_status(
        &self,
        id: PatientId,
        expected_version: i64,
        status: PatientStatus,
        reason: &str,
        at: DateTime<Utc>,
        by: &str,
    ) -> Result<Option<i64>, StoreError>;

    fn patient(&self, id: PatientId) -> Result<Option<PatientRow>, StoreError>;

    fn patient_by_mrn(&self, mrn: &str) -> Result<Option<PatientRow>, StoreError>;

    /// The patient whose MRN, with its dashes left out, is `compact` (so "0000034" finds
    /// "000003-4"); the lowest id when two MRNs differ only by dashes.
    fn patient_by_compact_mrn(&self, compact: &str) -> Result<Option<PatientRow>, StoreError>;

    /// A patient's changes, oldest first.
    fn patient_revisions(&self, id: PatientId) -> Result<Vec<PatientRevision>, StoreError>;

    /// Patients whose indexed names match every one of `words` (folded letters and
    /// digits), optionally born on one date. At most `limit`, in no particular order.
    fn search_patient_names(
        &self,
        words: &[String],
        how: WordMatch,
        birth_date: Option<NaiveDate>,
        include_inactive: bool,
        limit: u32,
    ) -> Result<Vec<PatientRow>, StoreError>;

    /// The distinct words of the name index that start with `prefix` and have between
    /// `min_chars` and `max_chars` characters, at most `limit` (the candidates for a
    /// name one typing error from a typed word; the API compares them).
    fn name_words_starting(
        &self,
        prefix: &str,
        min_chars: usize,
        max_chars: usize,
        limit: u32,
    ) -> Result<Vec<String>, StoreError>;

    /// Patients whose indexed names match every one of `words`: a name word starting
    /// with its `word` or equal to one of its `near` words. At most `limit`.
    fn search_patient_names_near(
        &self,
        words: &[NearWord],
        birth_date: Option<NaiveDate>,
        include_inactive: bool,
        limit: u32,
    ) -> Result<Vec<PatientRow>, StoreError>;

    /// Patients with an indexed phone term starting with `digits` (so a number's start
    /// or its last four or more digits find it). At most `limit`, in no particular order.
    fn search_patient_phones(
        &self,
        digits: &str,
        include_inactive: bool,
        limit: u32,
    ) -> Result<Vec<PatientRow>, StoreError>;

    /// Patients born on `date`.
    fn patients_born_on(
        &self,
        date: NaiveDate,
        include_inactive: bool,
        limit: u32,
    ) -> Result<Vec<PatientRow>, StoreError>;

    /// Active patients with exactly these phone digits (for duplicates); none for "".
    fn patients_with_phone_digits(
        &self,
        digits: &str,
        limit: u32,
    ) -> Result<Vec<PatientRow>, StoreError>;

    /// Active patients with exactly this (lower-case) email (for duplicates); none for "".
    fn patients_with_email(&self, email: &str, limit: u32) -> Result<Vec<PatientRow>, StoreError>;

    fn count_patients(&self) -> Result<i64, StoreError>;

    /// How many patients were registered without `flag` set to `true` in their first
    /// revision's changes (`{ flag: [null, true] }`): the patients a tool that marks its
    /// own (the demo register's `demo`) did not add.
    fn count_patients_not_flagged(&self, flag: &str) -> Result<i64, StoreError>;
}

/// Merges: a link saying one chart (the merged one) belongs with another (the
/// survivor). A link is never deleted and changes only once, when it is undone
/// (`undone_at`, `undone_by`). A chart is merged into at most one other at a time, never
/// into a chart that is itself merged, and a chart others are merged into is not merged
/// away: the database refuses these ([`StoreError::Refused`]), as it refuses a merge of a
/// chart into itself, an empty reason or a missing patient.
pub trait Merges {
    /// Links `merged` to `survivor`; returns the new link's id.
    fn insert_patient_merge(
        &self,
        merged: PatientId,
        survivor: PatientId,
        reason: &str,
        at: DateTime<Utc>,
        by: &str,
    ) -> Result<i64, StoreError>;

    /// Stamps link `id` undone; false (nothing written) when it was already undone or
    /// does not exist.
    fn undo_patient_merge(&self, id: i64, at: DateTime<Utc>, by: &str) -> Result<bool, StoreError>;

    /// The link `patient` is merged by now (not undone), if any.
    fn merged_into(&self, patient: PatientId) -> Result<Option<MergeRow>, StoreError>;

    /// The links of the charts merged into `survivor` now (not undone), oldest first.
    fn merged_from(&self, survivor: PatientId) -> Result<Vec<MergeRow>, StoreError>;

    /// The links now (not undone) in which any of `patients` is the merged chart or the
    /// survivor, oldest first: what a page of search results needs, read at once.
    fn merges_touching(&self, patients: &[PatientId]) -> Result<Vec<MergeRow>, StoreError>;
}
