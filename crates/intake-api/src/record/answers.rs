//! Reading a visit's answers: as a response, as shown (what is in the record), who they
//! name, and the parsed form of a stored version (cached).

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use chrono::{DateTime, Utc};
use intake_core::questionnaire::response::{Key, Response};
use intake_core::questionnaire::{self, Questionnaire};
use intake_core::{EncounterId, TemplateId};
use intake_store::{AnswerRow, Db, EncounterRow};

use crate::clock::clinic_zone;
use crate::record::lock::editable_by;
use crate::wire::intake::{AnswerDto, EncounterDto};
use crate::{Api, ApiError, Principal};

pub(crate) fn response_of(rows: &[AnswerRow]) -> Response {
    let mut response = Response::new();
    for row in rows {
        response.insert(row.key.clone(), row.values.clone());
    }
    response
}

/// The answers that are in the record as it stands: for a submitted or signed record
/// those marked so; in a draft or during an amendment those the form enables now
/// (`disabled`: what the evaluation of the current answers left out).
pub(crate) fn shown_response(rows: &[AnswerRow], disabled: Option<&BTreeSet<Key>>) -> Response {
    let mut response = response_of(rows);
    match disabled {
        Some(disabled) => response.retain(|k, _| !disabled.contains(k)),
        None => {
            let out: BTreeSet<&Key> = rows
                .iter()
                .filter(|a| !a.in_record)
                .map(|a| &a.key)
                .collect();
            response.retain(|k, _| !out.contains(k));
        }
    }
    response
}

/// Everyone the answers name: who entered each, who confirmed it, and for a carried one
/// who entered and confirmed it at its visit.
pub(crate) fn answer_people(rows: &[AnswerRow]) -> impl Iterator<Item = &str> {
    rows.iter()
        .flat_map(|a| {
            [Some(a.author.as_str()), a.confirmed_by.as_deref()]
                .into_iter()
                .chain(
                    a.carried
                        .iter()
                        .flat_map(|c| [Some(c.author.as_str()), c.confirmed_by.as_deref()]),
                )
        })
        .flatten()
}

fn not_found(id: EncounterId) -> ApiError {
    ApiError::NotFound(format!("There is no intake {id}."))
}

impl Api {
    /// The parsed form of a stored template version (cached: versions never change).
    pub(crate) fn form(
        &self,
        db: &Db<'_>,
        template_id: TemplateId,
    ) -> Result<Arc<Questionnaire>, ApiError> {
        if let Some(q) = self.forms_cache().get(&template_id) {
            return Ok(q.clone());
        }
        let bytes = db
            .template_original(template_id)?
            .ok_or_else(|| ApiError::Internal("the intake's form is missing".into()))?;
        let (q, _) = questionnaire::import(&bytes)
            .map_err(|e| ApiError::Internal(format!("the intake's form no longer imports: {e}")))?;
        let q = Arc::new(q);
        self.forms_cache().insert(template_id, q.clone());
        Ok(q)
    }

    pub(crate) fn encounter_row(
        &self,
        db: &Db<'_>,
        id: EncounterId,
    ) -> Result<EncounterRow, ApiError> {
        db.encounter(id)?.ok_or_else(|| not_found(id))
    }

    /// The display name of each of these user names that has an account (the CLI's
    /// `cli:…` actors and unknown names are left out: the screen shows them as they are).
    pub(crate) fn display_names<'a>(
        &self,
        db: &Db<'_>,
        names: impl Iterator<Item = &'a str>,
    ) -> Result<BTreeMap<String, String>, ApiError> {
        let mut out = BTreeMap::new();
        let wanted: BTreeSet<&str> = names.collect();
        for name in wanted {
            if let Some(u) = db.user_by_username(name)? {
                let shown = u.display_name.trim();
                if !shown.is_empty() {
                    out.insert(name.to_string(), shown.to_string());
                }
            }
        }
        Ok(out)
    }

    /// The encounter as the screens show it, read-only where `who` may not edit it now,
    /// dated in the clinic's zone.
    pub(crate) fn dto(
        &self,
        db: &Db<'_>,
        e: &EncounterRow,
        who: &Principal,
    ) -> Result<EncounterDto, ApiError> {
        let zone = clinic_zone(db)?;
        Ok(EncounterDto::new(e, !editable_by(e, who), &|t| {
            zone.day_of(t)
        }))
    }

    /// Answers as the screens show them, a carried one dated in the clinic's zone.
    pub(crate) fn answer_dtos<'a>(
        &self,
        db: &Db<'_>,
        rows: impl IntoIterator<Item = &'a AnswerRow>,
    ) -> Result<Vec<AnswerDto>, ApiError> {
        let zone = clinic_zone(db)?;
        Ok(rows
            .into_iter()
            .map(|a| AnswerDto::new(a, &|t| zone.day_of(t)))
            .collect())
    }

    /// Appends the audit entry of an action on encounter `e` (naming its patient), in
    /// the caller's transaction.
    pub(crate) fn audit_encounter(
        &self,
        db: &Db<'_>,
        e: &EncounterRow,
        who: &Principal,
        now: DateTime<Utc>,
        action: &str,
        detail: serde_json::Value,
    ) -> Result<(), ApiError> {
        db.append_audit(&intake_store::NewAuditEntry {
            at: now,
            actor: &who.actor,
            action,
            patient_id: Some(e.patient_id.0),
            entity: "encounter",
            entity_id: Some(e.id.to_string()),
            detail,
        })?;
        Ok(())
    }
}
