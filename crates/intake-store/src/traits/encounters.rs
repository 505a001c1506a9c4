//! Forms and visits: templates, encounters and their answers, the answers' history,
//! review (signatures, returns, amendments, the queue), outcomes and batch exports.

use chrono::{DateTime, Utc};
use intake_core::questionnaire::response::Key;
use intake_core::{EncounterId, EncounterStatus, PatientId, TemplateId, TemplateStatus};

use crate::{
    AnswerRow, AnswerWrite, EncounterFilter, EncounterRow, EventRow, NewTemplate, OutcomeRow,
    QueueFilter, QueueRow, RevisionRow, Signature, SignedRecord, StoreError, TemplateRow,
};

/// Imported forms. The original bytes are kept exactly and never change (the database
/// refuses it); a template is never deleted. A slug and version pair is unique: a taken
/// one is [`StoreError::Duplicate`] `{ what: "template version" }`.
pub trait Templates {
    /// Stores a new template as a draft.
    fn insert_template(
        &self,
        t: &NewTemplate<'_>,
        at: DateTime<Utc>,
        by: &str,
    ) -> Result<TemplateId, StoreError>;

    fn template(&self, slug: &str, version: &str) -> Result<Option<TemplateRow>, StoreError>;

    /// Every template, by slug then import order.
    fn list_templates(&self) -> Result<Vec<TemplateRow>, StoreError>;

    /// The original bytes of a template, exactly as imported.
    fn template_original(&self, id: TemplateId) -> Result<Option<Vec<u8>>, StoreError>;

    fn set_template_status(
        &self,
        id: TemplateId,
        status: TemplateStatus,
        at: DateTime<Utc>,
        by: &str,
    ) -> Result<(), StoreError>;
}

/// Encounters (one form filled for one patient) and their answers. The database refuses
/// ([`StoreError::Refused`]) any change to the answers of an encounter that is neither a
/// draft nor in an open amendment. Answer values are stored as the exact JSON text
/// [`crate::encode_values`] gives and returned as that text (`values_json`), which a
/// record's hash covers; times are kept to the millisecond.
pub trait Encounters {
    /// Starts a draft encounter.
    fn insert_encounter(
        &self,
        patient_id: PatientId,
        template_id: TemplateId,
        at: DateTime<Utc>,
        by: &str,
    ) -> Result<EncounterId, StoreError>;

    fn encounter(&self, id: EncounterId) -> Result<Option<EncounterRow>, StoreError>;

    /// Encounters, newest first (at most 1000 unless the filter says).
    fn list_encounters(&self, f: &EncounterFilter) -> Result<Vec<EncounterRow>, StoreError>;

    /// Every answer of an encounter, by key (its text, in byte order). An answer that cannot be read back is an
    /// error naming the visit and the key ([`StoreError::Damaged`]), never a blank.
    fn answers(&self, encounter_id: EncounterId) -> Result<Vec<AnswerRow>, StoreError>;

    /// One answer of an encounter, if it has one for `key`.
    fn answer(&self, encounter_id: EncounterId, key: &Key)
        -> Result<Option<AnswerRow>, StoreError>;

    /// Of each encounter asked, its answer for the key given with it, where it has one,
    /// in the order asked: a page of visits' reasons read at once.
    fn answers_at(
        &self,
        wanted: &[(EncounterId, Key)],
    ) -> Result<Vec<(EncounterId, AnswerRow)>, StoreError>;

    /// Writes one answer (insert or replace), counting the write; returns the new `rev`.
    /// A key written again after it was removed goes on counting from its history.
    fn put_answer(
        &self,
        encounter_id: EncounterId,
        a: &AnswerWrite<'_>,
        at: DateTime<Utc>,
        by: &str,
    ) -> Result<i64, StoreError>;

    /// Confirms a carried value for this visit; true when there was one to confirm.
    /// Confirming is not a change of value: the `rev` stays.
    fn confirm_answer(
        &self,
        encounter_id: EncounterId,
        key: &Key,
        at: DateTime<Utc>,
        by: &str,
    ) -> Result<bool, StoreError>;

    /// Who made save `save_id` of this visit and when, if its receipt is kept.
    fn save_receipt(
        &self,
        encounter_id: EncounterId,
        save_id: &str,
    ) -> Result<Option<(String, DateTime<Utc>)>, StoreError>;

    /// Keeps the receipt of save `save_id`, and removes the visit's receipts made more
    /// than a day before `at`.
    fn add_save_receipt(
        &self,
        encounter_id: EncounterId,
        save_id: &str,
        by: &str,
        at: DateTime<Utc>,
    ) -> Result<(), StoreError>;

    /// Keeps what the carry-forward plan said when the intake started (text as given).
    fn set_carry_notes(&self, id: EncounterId, notes: &str) -> Result<(), StoreError>;

    /// Removes one answer; true when there was one.
    fn delete_answer(&self, encounter_id: EncounterId, key: &Key) -> Result<bool, StoreError>;

    /// Records a change to a draft: when, and optionally the section the nurse is in.
    fn touch_encounter(
        &self,
        id: EncounterId,
        section: Option<&str>,
        at: DateTime<Utc>,
    ) -> Result<(), StoreError>;

    /// Marks which answers go into the submitted record (all but `left_out`) and moves
    /// a draft to `submitted`; anything but a draft is [`StoreError::Refused`].
    fn submit_encounter(
        &self,
        id: EncounterId,
        left_out: &[Key],
        at: DateTime<Utc>,
        by: &str,
    ) -> Result<(), StoreError>;

    /// Each of these patients' newest visit not entered in error (when it started and
    /// its status); patients without one are left out.
    fn last_visits(
        &self,
        patient_ids: &[PatientId],
    ) -> Result<Vec<(PatientId, DateTime<Utc>, EncounterStatus)>, StoreError>;
}

/// The history of answers: every value an answer held before it was replaced or
/// removed, kept by the database itself (nothing writes it directly, and it refuses
/// changes).
pub trait Revisions {
    /// Every earlier value of an encounter's answers, by key then revision.
    fn answer_revisions(&self, encounter_id: EncounterId) -> Result<Vec<RevisionRow>, StoreError>;

    /// The earlier values that were carried from another visit, by key then revision.
    fn carried_revisions(&self, encounter_id: EncounterId) -> Result<Vec<RevisionRow>, StoreError>;
}

/// Review: signatures, returns, amendments, entered in error, and the queue. Each is an
/// event kept as written; the database refuses the status moves the life cycle
/// (`EncounterStatus::may_move_to`) refuses and an amendment of anything not signed
/// ([`StoreError::Refused`]). A signed record's JSON and its SHA-256 are stored as the
/// exact text given and returned byte for byte. Who may do what is the API's business.
pub trait Reviews {
    /// Every event of an encounter, oldest first.
    fn encounter_events(&self, id: EncounterId) -> Result<Vec<EventRow>, StoreError>;

    /// Marks which answers are in the record (every one but `left_out`). Only a draft or
    /// an open amendment may change them.
    fn mark_in_record(&self, id: EncounterId, left_out: &[Key]) -> Result<(), StoreError>;

    /// Signs a submitted encounter (`First`: it becomes `signed`) or closes the amendment
    /// in progress (`Amendment`: it becomes `amended`), keeping `record` (its JSON,
    /// SHA-256 and form, returned byte for byte with the event).
    fn sign_encounter(
        &self,
        id: EncounterId,
        signature: Signature,
        record: SignedRecord<'_>,
        at: DateTime<Utc>,
        by: &str,
    ) -> Result<(), StoreError>;

    /// Sends a submitted intake back to the nurse as a draft, with a comment.
    fn return_encounter(
        &self,
        id: EncounterId,
        comment: &str,
        at: DateTime<Utc>,
        by: &str,
    ) -> Result<(), StoreError>;

    /// Opens an amendment of a signed record: its answers may change until it is signed
    /// again or discarded.
    fn start_amendment(
        &self,
        id: EncounterId,
        reason: &str,
        at: DateTime<Utc>,
        by: &str,
    ) -> Result<(), StoreError>;

    /// Closes an amendment without signing it (the caller has put the answers back).
    fn discard_amendment(
        &self,
        id: EncounterId,
        at: DateTime<Utc>,
        by: &str,
    ) -> Result<(), StoreError>;

    /// Marks an encounter entered in error (an amendment in progress ends with it).
    fn mark_encounter_in_error(
        &self,
        id: EncounterId,
        reason: &str,
        at: DateTime<Utc>,
        by: &str,
    ) -> Result<(), StoreError>;

    /// Puts an answer back exactly as it was kept (value text, provenance,
    /// confirmation): a new write of its key, so the replaced value goes to the history.
    fn restore_answer(&self, id: EncounterId, a: &AnswerRow) -> Result<(), StoreError>;

    /// Submitted intakes waiting for review, oldest submission first (at most 1000).
    fn review_queue(&self, f: &QueueFilter) -> Result<Vec<QueueRow>, StoreError>;

    /// How many intakes wait for review.
    fn review_count(&self) -> Result<i64, StoreError>;

    /// Who submitted the intakes waiting for review, by name, each once.
    fn review_submitters(&self) -> Result<Vec<String>, StoreError>;

    /// The visit a review compares with: the patient's newest earlier encounter of the
    /// same form (any version) that counts (submitted, signed, amended), on this chart or
    /// a chart merged into it.
    fn previous_visit(&self, id: EncounterId) -> Result<Option<EncounterId>, StoreError>;
}

/// What carry-forward saved, per submitted encounter (see [`OutcomeRow`]).
pub trait Outcomes {
    /// The submitted, signed or amended encounters with `from <= submitted_at < to`,
    /// oldest submission first.
    fn outcomes(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Vec<OutcomeRow>, StoreError>;
}

/// Which visits a batch export covers.
pub trait Exports {
    /// The ids of encounters started from `from` (inclusive) to `until` (exclusive) whose
    /// status is one of `statuses`, oldest visit first.
    fn export_candidates(
        &self,
        from: DateTime<Utc>,
        until: DateTime<Utc>,
        statuses: &[EncounterStatus],
    ) -> Result<Vec<EncounterId>, StoreError>;
}
