//! The demo patients' records agree with their visits: a patient whose visits carry an
//! emergency contact has it in the record too, as if the nurse had answered "Update the
//! patient record too?" with Yes when it was first typed (one more record revision, by the
//! demo nurse, at that visit's time). Without it a demonstration shows a record with no
//! contact beside visits that carry one.

use intake_api::admin::seeding::Seeding;
use intake_api::ApiError;
use intake_core::questionnaire::AnswerValue;
use intake_core::{EncounterStatus, PatientId};
use intake_store::EncounterFilter;
use serde_json::json;

use crate::visits::DEMO_NURSE;

/// The text of answer `link` (outside rows) among `answers`, or "".
fn text_of(answers: &[intake_store::AnswerRow], link: &str) -> String {
    answers
        .iter()
        .find(|a| a.link_id == link && a.key.rows().is_empty())
        .and_then(|a| a.values.first())
        .map(|v| match v {
            AnswerValue::String(s) => s.clone(),
            other => AnswerValue::labels(std::slice::from_ref(other)),
        })
        .unwrap_or_default()
}

/// Gives every patient in `patients` whose record has no emergency contact the one of
/// their earliest counted visit that has one; returns how many records changed.
pub(crate) fn contacts_from_visits(
    s: &Seeding<'_>,
    patients: &[PatientId],
) -> Result<usize, ApiError> {
    let db = s.db();
    let mut changed = 0;
    for &id in patients {
        let Some(record) = db.patient(id)? else {
            continue;
        };
        if !record.fields.emergency_name.is_empty() {
            continue;
        }
        let mut visits = db.list_encounters(&EncounterFilter {
            patient_id: Some(id),
            status: None,
            limit: None,
        })?;
        visits.retain(|e| {
            matches!(
                e.status,
                EncounterStatus::Submitted | EncounterStatus::Signed | EncounterStatus::Amended
            )
        });
        visits.reverse(); // oldest first: when the contact was first typed
        for e in visits {
            let answers = db.answers(e.id)?;
            let name = text_of(&answers, "ec-name");
            if name.is_empty() {
                continue;
            }
            let mut fields = record.fields.clone();
            fields.emergency_name = name;
            fields.emergency_relationship = text_of(&answers, "ec-relationship");
            fields.emergency_phone = text_of(&answers, "ec-phone");
            let changes = json!({
                "emergencyName": ["", fields.emergency_name],
                "emergencyRelationship": ["", fields.emergency_relationship],
                "emergencyPhone": ["", fields.emergency_phone],
            });
            let at = e.submitted_at.unwrap_or(e.started_at);
            if db
                .update_patient(id, record.version, &fields, &changes, at, DEMO_NURSE)?
                .is_some()
            {
                changed += 1;
            }
            break;
        }
    }
    Ok(changed)
}
