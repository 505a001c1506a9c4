//! Templates, encounters, answers, revisions, the review, outcomes and exports on the server.
#![allow(unused_variables)]

use crate::{
    AnswerRow, AnswerWrite, EncounterFilter, EncounterRow, EventRow, NewTemplate, OutcomeRow,
    QueueFilter, QueueRow, RevisionRow, Signature, SignedRecord, StoreError, TemplateRow,
};
use chrono::{DateTime, Utc};
use intake_core::questionnaire::response::Key;
use intake_core::{EncounterId, EncounterStatus, PatientId, TemplateId, TemplateStatus};

use super::PgDb;
use crate::traits::{Encounters, Exports, Outcomes, Reviews, Revisions, Templates};

fn not_yet(what: &str) -> StoreError {
    StoreError::Refused {
        why: format!("{what} is not yet implemented on the clinic server"),
    }
}

impl Templates for PgDb<'_> {
    fn insert_template(
        &self,
        _t: &NewTemplate<'_>,
        _at: DateTime<Utc>,
        _by: &str,
    ) -> Result<TemplateId, StoreError> {
        Err(not_yet("insert_template"))
    }

    fn template(&self, _slug: &str, _version: &str) -> Result<Option<TemplateRow>, StoreError> {
        Err(not_yet("template"))
    }

    fn list_templates(&self) -> Result<Vec<TemplateRow>, StoreError> {
        Err(not_yet("list_templates"))
    }

    fn template_original(&self, _id: TemplateId) -> Result<Option<Vec<u8>>, StoreError> {
        Err(not_yet("template_original"))
    }

    fn set_template_status(
        &self,
        _id: TemplateId,
        _status: TemplateStatus,
        _at: DateTime<Utc>,
        _by: &str,
    ) -> Result<(), StoreError> {
        Err(not_yet("set_template_status"))
    }
}

impl Encounters for PgDb<'_> {
    fn insert_encounter(
        &self,
        _patient_id: PatientId,
        _template_id: TemplateId,
        _at: DateTime<Utc>,
        _by: &str,
    ) -> Result<EncounterId, StoreError> {
        Err(not_yet("insert_encounter"))
    }

    fn encounter(&self, _id: EncounterId) -> Result<Option<EncounterRow>, StoreError> {
        Err(not_yet("encounter"))
    }

    fn list_encounters(&self, _f: &EncounterFilter) -> Result<Vec<EncounterRow>, StoreError> {
        Err(not_yet("list_encounters"))
    }

    fn answers(&self, _encounter_id: EncounterId) -> Result<Vec<AnswerRow>, StoreError> {
        Err(not_yet("answers"))
    }

    fn answer(
        &self,
        _encounter_id: EncounterId,
        _key: &Key,
    ) -> Result<Option<AnswerRow>, StoreError> {
        Err(not_yet("answer"))
    }

    fn put_answer(
        &self,
        _encounter_id: EncounterId,
        _a: &AnswerWrite<'_>,
        _at: DateTime<Utc>,
        _by: &str,
    ) -> Result<i64, StoreError> {
        Err(not_yet("put_answer"))
    }

    fn confirm_answer(
        &self,
        _encounter_id: EncounterId,
        _key: &Key,
        _at: DateTime<Utc>,
        _by: &str,
    ) -> Result<bool, StoreError> {
        Err(not_yet("confirm_answer"))
    }

    fn set_carry_notes(&self, _id: EncounterId, _notes: &str) -> Result<(), StoreError> {
        Err(not_yet("set_carry_notes"))
    }

    fn delete_answer(&self, _encounter_id: EncounterId, _key: &Key) -> Result<bool, StoreError> {
        Err(not_yet("delete_answer"))
    }

    fn touch_encounter(
        &self,
        _id: EncounterId,
        _section: Option<&str>,
        _at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        Err(not_yet("touch_encounter"))
    }

    fn submit_encounter(
        &self,
        _id: EncounterId,
        _left_out: &[Key],
        _at: DateTime<Utc>,
        _by: &str,
    ) -> Result<(), StoreError> {
        Err(not_yet("submit_encounter"))
    }

    fn last_visits(
        &self,
        _patient_ids: &[PatientId],
    ) -> Result<Vec<(PatientId, DateTime<Utc>, EncounterStatus)>, StoreError> {
        Err(not_yet("last_visits"))
    }
}

impl Revisions for PgDb<'_> {
    fn answer_revisions(&self, _encounter_id: EncounterId) -> Result<Vec<RevisionRow>, StoreError> {
        Err(not_yet("answer_revisions"))
    }

    fn carried_revisions(
        &self,
        _encounter_id: EncounterId,
    ) -> Result<Vec<RevisionRow>, StoreError> {
        Err(not_yet("carried_revisions"))
    }
}

impl Reviews for PgDb<'_> {
    fn encounter_events(&self, _id: EncounterId) -> Result<Vec<EventRow>, StoreError> {
        Err(not_yet("encounter_events"))
    }

    fn mark_in_record(&self, _id: EncounterId, _left_out: &[Key]) -> Result<(), StoreError> {
        Err(not_yet("mark_in_record"))
    }

    fn sign_encounter(
        &self,
        _id: EncounterId,
        _signature: Signature,
        _record: SignedRecord<'_>,
        _at: DateTime<Utc>,
        _by: &str,
    ) -> Result<(), StoreError> {
        Err(not_yet("sign_encounter"))
    }

    fn return_encounter(
        &self,
        _id: EncounterId,
        _comment: &str,
        _at: DateTime<Utc>,
        _by: &str,
    ) -> Result<(), StoreError> {
        Err(not_yet("return_encounter"))
    }

    fn start_amendment(
        &self,
        _id: EncounterId,
        _reason: &str,
        _at: DateTime<Utc>,
        _by: &str,
    ) -> Result<(), StoreError> {
        Err(not_yet("start_amendment"))
    }

    fn discard_amendment(
        &self,
        _id: EncounterId,
        _at: DateTime<Utc>,
        _by: &str,
    ) -> Result<(), StoreError> {
        Err(not_yet("discard_amendment"))
    }

    fn mark_encounter_in_error(
        &self,
        _id: EncounterId,
        _reason: &str,
        _at: DateTime<Utc>,
        _by: &str,
    ) -> Result<(), StoreError> {
        Err(not_yet("mark_encounter_in_error"))
    }

    fn restore_answer(&self, _id: EncounterId, _a: &AnswerRow) -> Result<(), StoreError> {
        Err(not_yet("restore_answer"))
    }

    fn review_queue(&self, _f: &QueueFilter) -> Result<Vec<QueueRow>, StoreError> {
        Err(not_yet("review_queue"))
    }

    fn review_count(&self) -> Result<i64, StoreError> {
        Err(not_yet("review_count"))
    }

    fn review_submitters(&self) -> Result<Vec<String>, StoreError> {
        Err(not_yet("review_submitters"))
    }

    fn previous_visit(&self, _id: EncounterId) -> Result<Option<EncounterId>, StoreError> {
        Err(not_yet("previous_visit"))
    }
}

impl Outcomes for PgDb<'_> {
    fn outcomes(
        &self,
        _from: DateTime<Utc>,
        _to: DateTime<Utc>,
    ) -> Result<Vec<OutcomeRow>, StoreError> {
        Err(not_yet("outcomes"))
    }
}

impl Exports for PgDb<'_> {
    fn export_candidates(
        &self,
        _from: DateTime<Utc>,
        _until: DateTime<Utc>,
        _statuses: &[EncounterStatus],
    ) -> Result<Vec<EncounterId>, StoreError> {
        Err(not_yet("export_candidates"))
    }
}
