//! Intakes (encounters): start a draft for a patient, open it for the screen, save
//! changes field by field, submit.
//!
//! - A draft keeps every answer with its source (`typed`, `initial`, `calculated`,
//!   `record`), author and time, and counts each key's writes (`rev`). A save names the
//!   `rev` it saw for each key; if another window wrote that key meanwhile, nothing is
//!   saved and the caller is told who changed what, when.
//! - Calculated values (BMI, scores) are recomputed in the same transaction as the save
//!   that changes their inputs.
//! - Submission validates the whole form; with errors nothing changes and every problem
//!   comes back. Answers of disabled items stay in the draft but are marked out of the
//!   record. After submission the store refuses any change to the answers.

use std::collections::BTreeMap;

use intake_core::ids::PatientId;
use intake_core::questionnaire::response::{evaluate, FormIndex, Key};
use intake_core::questionnaire::AnswerValue;
use intake_core::{AnswerSource, EncounterId, EncounterStatus};
use intake_store::prelude::*;
use intake_store::{AnswerRow, EncounterFilter, PatientStatus};
use serde_json::json;

use crate::error::when;
use crate::intake::checks::MAX_CHANGES_PER_SAVE;
use crate::intake::checks::{check_change, check_rows_exist};
use crate::intake::write::{recalculate, write_answer};
use crate::patients::merge;
use crate::permissions::Permission;
use crate::record::answers::response_of;
use crate::record::canonical::signed_answers;
use crate::record::lock::check_editable;
use crate::record::problems::changes_since_in;
use crate::record::problems::disabled;
use crate::record::problems::problems;
use crate::record::seal::{shown_as_differing, visit_differs};
use crate::wire::form::form_dto;
use crate::wire::intake::EncounterDto;
use crate::wire::intake::{ChangeDto, EncounterDetailDto, IntakeDto, SavedDto, SubmitDto};
use crate::{Api, ApiError, Caller};

impl Api {
    /// Starts a draft intake for a patient with a template (by default the built-in
    /// general adult intake, its newest active version).
    pub fn start_intake(
        &self,
        caller: Caller<'_>,
        patient_id: i64,
        slug: Option<&str>,
        version: Option<&str>,
    ) -> Result<EncounterDto, ApiError> {
        let who = self.authorize(caller, Permission::EditIntake)?;
        let now = self.now();
        self.store.write(|db| {
            let patient = db
                .patient(PatientId(patient_id))?
                .ok_or_else(|| ApiError::NotFound("There is no such patient.".into()))?;
            if patient.status == PatientStatus::EnteredInError {
                return Err(ApiError::Conflict(
                    "This patient was entered in error; intakes cannot be started for them.".into(),
                ));
            }
            if let Some(link) = db.merged_into(patient.id)? {
                let survivor = db.patient(link.survivor)?.map(|p| merge::chart_label(&p));
                return Err(ApiError::Conflict(format!(
                    "This chart is merged into {}; start the intake on that chart.",
                    survivor.unwrap_or_else(|| format!("patient {}", link.survivor))
                )));
            }
            let template = crate::admin::templates::startable_template(db, slug, version)?;
            let q = self.form(db, template.id)?;
            let index = FormIndex::new(&q.items);
            let plan = self.carry_plan(db, &patient, &template, &q, now)?;
            let id = db.insert_encounter(patient.id, template.id, now, &who.actor)?;
            let notes = crate::intake::carry::write_plan(db, id, &plan, &index, now, &who.actor)?;
            let notes = serde_json::to_string(&notes)
                .map_err(|e| ApiError::Internal(format!("the carry-forward notes: {e}")))?;
            db.set_carry_notes(id, &notes)?;
            db.append_audit(&intake_store::NewAuditEntry {
                at: now,
                actor: &who.actor,
                action: "encounter.started",
                patient_id: Some(patient_id),
                entity: "encounter",
                entity_id: Some(id.to_string()),
                detail: json!({
                    "template": template.slug,
                    "version": template.version,
                    "carried": plan.entries.iter().filter(|e| e.provenance.is_some()).count(),
                }),
            })?;
            self.dto(db, &self.encounter_row(db, id)?, &who)
        })
    }

    /// Encounters, newest first, of one patient and/or with one status.
    pub fn list_encounters(
        &self,
        caller: Caller<'_>,
        patient_id: Option<i64>,
        status: Option<&str>,
    ) -> Result<Vec<EncounterDto>, ApiError> {
        let who = self.authorize(caller, Permission::ViewEncounters)?;
        let status = status
            .map(|s| {
                EncounterStatus::parse(s).map_err(|_| {
                    ApiError::invalid(
                        "status",
                        format!("{s:?} is not a status ({}).", EncounterStatus::words()),
                    )
                })
            })
            .transpose()?;
        let filter = EncounterFilter {
            patient_id: patient_id.map(PatientId),
            status,
            limit: None,
        };
        // A chart lists the visits of the charts merged into it too.
        let listed = self.store.read(|db| {
            let rows = match filter.patient_id {
                None => db.list_encounters(&filter)?,
                Some(patient) => {
                    let mut rows = Vec::new();
                    for id in merge::chart_ids(db, patient)? {
                        rows.extend(db.list_encounters(&EncounterFilter {
                            patient_id: Some(id),
                            ..filter
                        })?);
                    }
                    rows.sort_by(|a, b| b.started_at.cmp(&a.started_at).then(b.id.cmp(&a.id)));
                    rows
                }
            };
            let names = self.display_names(
                db,
                rows.iter().flat_map(|e| {
                    [
                        Some(&e.started_by),
                        e.submitted_by.as_ref(),
                        e.signed_by.as_ref(),
                        e.returned.as_ref().map(|r| &r.by),
                    ]
                    .into_iter()
                    .flatten()
                    .map(String::as_str)
                }),
            )?;
            let name = |user: Option<&String>| user.and_then(|u| names.get(u)).cloned();
            let mut reasons = self.visit_reasons(db, rows.iter().map(|e| (e.id, e.template_id)))?;
            let mut listed = Vec::with_capacity(rows.len());
            for e in &rows {
                let mut dto = self.dto(db, e, &who)?;
                if let Some(r) = dto.returned.as_mut() {
                    r.by_name = name(Some(&r.by));
                }
                listed.push(EncounterDto {
                    started_by_name: name(Some(&e.started_by)),
                    submitted_by_name: name(e.submitted_by.as_ref()),
                    signed_by_name: name(e.signed_by.as_ref()),
                    reason: reasons.remove(&e.id),
                    ..dto
                });
            }
            Ok::<_, ApiError>(listed)
        })?;
        if let Some(patient) = filter.patient_id {
            self.note_patient_read(&who, patient, "patient.visits_listed");
        }
        Ok(listed)
    }

    /// One encounter with every answer.
    pub fn encounter_detail(
        &self,
        caller: Caller<'_>,
        id: i64,
    ) -> Result<EncounterDetailDto, ApiError> {
        let id = EncounterId(id);
        let who = self.authorize(caller, Permission::ViewEncounters)?;
        let (e, detail) = self.store.read(|db| {
            let e = self.encounter_row(db, id)?;
            let detail = EncounterDetailDto {
                encounter: self.dto(db, &e, &who)?,
                answers: self.answer_dtos(db, &db.answers(id)?)?,
            };
            Ok::<_, ApiError>((e, detail))
        })?;
        self.note_visit_read(&who, &e, "encounter.viewed", json!({}));
        Ok(detail)
    }

    /// An encounter with its form, answers, disabled items and problems, for the screen.
    pub fn open_intake(&self, caller: Caller<'_>, id: i64) -> Result<IntakeDto, ApiError> {
        let id = EncounterId(id);
        let who = self.authorize(caller, Permission::ViewEncounters)?;
        let (e, intake) = self.store.read(|db| {
            let e = self.encounter_row(db, id)?;
            let q = self.form(db, e.template_id)?;
            let index = FormIndex::new(&q.items);
            // A signed visit shows what was signed, and says so if its answers differ.
            let record_differs = visit_differs(db, &e)?.map(shown_as_differing);
            let rows = match db
                .encounter_events(id)?
                .iter()
                .rev()
                .find(|v| v.record_json.is_some())
            {
                Some(signed) if e.status.is_signed() && e.amending.is_none() => {
                    signed_answers(signed, &index)?
                }
                _ => db.answers(id)?,
            };
            let eval = evaluate(&index, &response_of(&rows));
            let carry = e
                .carry_notes
                .as_deref()
                .and_then(|n| serde_json::from_str(n).ok())
                .unwrap_or_default();
            let mentioned = crate::record::answers::answer_people(&rows)
                .chain([who.actor.as_str(), e.started_by.as_str()])
                .chain(e.submitted_by.as_deref())
                .chain(e.signed_by.as_deref())
                .chain(e.returned.iter().map(|r| r.by.as_str()))
                .chain(e.amending.iter().map(|a| a.by.as_str()));
            let people = self.display_names(db, mentioned)?;
            let intake = IntakeDto {
                record_differs,
                people,
                form: form_dto(&q, &e.template_slug, &e.template_version, &e.template_title),
                encounter: self.dto(db, &e, &who)?,
                answers: self.answer_dtos(db, &rows)?,
                disabled: disabled(&eval),
                problems: problems(&eval, &rows, &index, &crate::clock::ClinicDays::read(db)?),
                carry,
                changes: changes_since_in(db, id, &rows)?,
            };
            Ok::<_, ApiError>((e, intake))
        })?;
        let detail = json!({ "status": e.status.as_str() });
        self.note_visit_read(&who, &e, "encounter.opened", detail);
        Ok(intake)
    }

    /// Saves changes to a draft in one transaction (see the module docs for conflicts).
    pub fn save_intake(
        &self,
        caller: Caller<'_>,
        id: i64,
        changes: &[ChangeDto],
        section: Option<&str>,
    ) -> Result<SavedDto, ApiError> {
        self.save_intake_once(caller, id, None, changes, section)
    }

    /// [`Api::save_intake`] with the window's key for this save (`save_id`, 1 to 64
    /// letters, digits, `-` or `_`): a save sent again with a key already kept for this
    /// visit (its acknowledgement was lost) changes nothing and is answered with the
    /// visit's answers as they are, not refused as a conflict with itself.
    pub fn save_intake_once(
        &self,
        caller: Caller<'_>,
        id: i64,
        save_id: Option<&str>,
        changes: &[ChangeDto],
        section: Option<&str>,
    ) -> Result<SavedDto, ApiError> {
        let id = EncounterId(id);
        let who = self.authorize(caller, Permission::EditIntake)?;
        if let Some(key) = save_id {
            let fine = (1..=64).contains(&key.len())
                && key
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
            if !fine {
                return Err(ApiError::invalid(
                    "saveId",
                    "A save's key is 1 to 64 letters, digits, - or _.",
                ));
            }
        }
        if changes.len() > MAX_CHANGES_PER_SAVE {
            return Err(ApiError::invalid(
                "changes",
                format!("One save carries at most {MAX_CHANGES_PER_SAVE} changes."),
            ));
        }
        let now = self.now();
        self.store.write(|db| {
            if let Some(key) = save_id {
                if let Some((_, at)) = db.save_receipt(id, key)? {
                    return self.resent(db, id, &who, changes, at);
                }
            }
            let e = self.encounter_row(db, id)?;
            check_editable(&e, &who)?;
            let q = self.form(db, e.template_id)?;
            let index = FormIndex::new(&q.items);
            if let Some(s) = section {
                if !q.items.iter().any(|i| i.link_id == s) {
                    return Err(ApiError::invalid(
                        "section",
                        format!("The form has no section {s:?}."),
                    ));
                }
            }
            let before = db.answers(id)?;
            let stored: BTreeMap<String, &AnswerRow> =
                before.iter().map(|a| (a.key.to_string(), a)).collect();
            let mut response = response_of(&before);
            let mut writes: Vec<(Key, Vec<AnswerValue>)> = Vec::new();
            let mut removes: Vec<Key> = Vec::new();
            for change in changes {
                let (key, values) = check_change(&index, change, &stored)?;
                if change.remove {
                    // The row and everything inside it.
                    let inside: Vec<Key> = response
                        .keys()
                        .filter(|k| {
                            k.rows().len() >= key.rows().len()
                                && k.rows().starts_with(&key.rows())
                                && (k == &&key || index.within(k.link_id(), key.link_id()))
                        })
                        .cloned()
                        .collect();
                    for k in inside {
                        response.remove(&k);
                        removes.push(k);
                    }
                } else if values.is_empty() && !index.is_row_group(key.link_id()) {
                    response.remove(&key);
                    removes.push(key);
                } else {
                    response.insert(key.clone(), values.clone());
                    writes.push((key, values));
                }
            }
            check_rows_exist(&index, &response, &writes)?;
            let mut written: Vec<Key> = Vec::new();
            let mut removed: Vec<Key> = Vec::new();
            for key in removes {
                if db.delete_answer(id, &key)? {
                    removed.push(key);
                }
            }
            for (key, values) in writes {
                write_answer(db, id, &key, &values, AnswerSource::Typed, now, &who.actor)?;
                written.push(key);
            }
            // Editing a carried row's field confirms the row: the nurse looked at it.
            let mut confirmed: Vec<Key> = Vec::new();
            for row in before
                .iter()
                .filter(|a| a.needs_confirmation && a.confirmed_by.is_none())
                .filter(|a| index.is_row_group(a.key.link_id()))
            {
                let edited_inside = written.iter().chain(&removed).any(|k| {
                    k != &row.key
                        && k.rows().starts_with(&row.key.rows())
                        && index.within(k.link_id(), row.key.link_id())
                });
                if edited_inside && db.confirm_answer(id, &row.key, now, &who.actor)? {
                    confirmed.push(row.key.clone());
                }
            }
            let (calculated, uncalculated) =
                recalculate(db, id, &index, &mut response, now, &who.actor)?;
            written.extend(calculated);
            removed.extend(uncalculated);
            db.touch_encounter(id, section, now)?;
            removed.retain(|k| !written.contains(k));
            if !written.is_empty() || !removed.is_empty() {
                // One entry per save (not per keystroke), naming the keys it changed.
                let keys = |list: &[Key]| list.iter().map(Key::to_string).collect::<Vec<_>>();
                self.audit_encounter(
                    db,
                    &e,
                    &who,
                    now,
                    "encounter.saved",
                    serde_json::json!({
                        "written": keys(&written),
                        "removed": keys(&removed),
                        "confirmed": keys(&confirmed),
                    }),
                )?;
            }
            let eval = evaluate(&index, &response);
            let after = db.answers(id)?;
            let answers = self.answer_dtos(
                db,
                after
                    .iter()
                    .filter(|a| written.contains(&a.key) || confirmed.contains(&a.key)),
            )?;
            if let Some(key) = save_id {
                db.add_save_receipt(id, key, &who.actor, now)?;
            }
            Ok(SavedDto {
                saved_at: intake_store::format_time(now),
                answers,
                removed: removed.iter().map(Key::to_string).collect(),
                disabled: disabled(&eval),
                problems: problems(&eval, &after, &index, &crate::clock::ClinicDays::read(db)?),
                encounter: self.dto(db, &self.encounter_row(db, id)?, &who)?,
                changes: changes_since_in(db, id, &after)?,
            })
        })
    }

    /// Validates and submits a draft. With errors, nothing changes and every problem
    /// is returned; a second submission is refused.
    pub fn submit_intake(&self, caller: Caller<'_>, id: i64) -> Result<SubmitDto, ApiError> {
        let id = EncounterId(id);
        let who = self.authorize(caller, Permission::EditIntake)?;
        let now = self.now();
        self.store.write(|db| {
            let e = self.encounter_row(db, id)?;
            if let Some(a) = &e.amending {
                return Err(ApiError::Conflict(format!(
                    "This record is being amended by {}: the amendment is signed from the review, not submitted.",
                    a.by
                )));
            }
            if e.status != EncounterStatus::Draft {
                let by = match (&e.submitted_at, &e.submitted_by) {
                    (Some(at), Some(by)) => format!(" on {} by {by}", when(*at)),
                    _ => String::new(),
                };
                return Err(ApiError::Conflict(format!(
                    "This intake was already submitted{by}."
                )));
            }
            let q = self.form(db, e.template_id)?;
            let index = FormIndex::new(&q.items);
            let rows = db.answers(id)?;
            let response = response_of(&rows);
            let eval = evaluate(&index, &response);
            let found = problems(&eval, &rows, &index, &crate::clock::ClinicDays::read(db)?);
            if found.iter().any(|p| p.severity == "error") {
                return Ok(SubmitDto {
                    submitted: false,
                    problems: found,
                    encounter: self.dto(db, &e, &who)?,
                });
            }
            let left_out: Vec<Key> = response
                .keys()
                .filter(|k| eval.disabled.contains(k))
                .cloned()
                .collect();
            db.submit_encounter(id, &left_out, now, &who.actor)?;
            db.append_audit(&intake_store::NewAuditEntry {
                at: now,
                actor: &who.actor,
                action: "encounter.submitted",
                patient_id: Some(e.patient_id.0),
                entity: "encounter",
                entity_id: Some(id.to_string()),
                detail: json!({
                    "answers": response.len() - left_out.len(),
                    "leftOut": left_out.len(),
                    "warnings": eval.problems.len(),
                }),
            })?;
            Ok(SubmitDto {
                submitted: true,
                problems: found,
                encounter: self.dto(db, &self.encounter_row(db, id)?, &who)?,
            })
        })
    }
}
