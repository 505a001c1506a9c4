//! Carry-forward in the API: a new intake starts with what the planner
//! (`intake_core::carry_forward`) proposes from the patient's earlier visits (those of the
//! charts merged into theirs too) and record;
//! carried values are confirmed (or changed) before submission.
//!
//! - `start_intake` writes the plan: carried answers with their provenance, record and
//!   initial values, then calculations; what the plan said (visits not used, hints, values
//!   not carried) is kept with the encounter and shown when it opens.
//! - Only the rows of repeating groups and questions outside them need confirming: a row
//!   is confirmed as a whole. `confirm_intake` records who confirmed and when, refusing
//!   (like a save) when the value changed since the screen saw it.
//! - `plan_intake` shows the plan without saving anything (`intake encounter plan`).

use std::collections::BTreeMap;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use intake_core::carry_forward::{plan, PastAnswer, PastVisit, Plan, Skipped, Target};
use intake_core::ids::PatientId;
use intake_core::questionnaire::response::{FormIndex, Key, Response};
use intake_core::questionnaire::value_json::to_json;
use intake_core::questionnaire::{AnswerValue, Coding, Questionnaire};
use intake_core::{AnswerSource, EncounterId, EncounterStatus};
use intake_store::prelude::*;
use intake_store::{
    AnswerWrite, CarriedFrom, Db, EncounterFilter, EncounterRow, PatientRow, StoreError,
    TemplateRow,
};
use serde_json::Value;

use intake_core::questionnaire::response::evaluate;

use crate::error::when;
use crate::permissions::Permission;
use crate::record::answers::response_of;
use crate::record::lock::check_editable;
use crate::record::problems::changes_since_in;
use crate::record::problems::disabled;
use crate::record::problems::problems;
use crate::wire::intake::item_label;
use crate::wire::intake::SavedDto;
use crate::wire::intake::{CarryNotesDto, ConfirmDto, PlanDto, PlanEntryDto};
use crate::{Api, ApiError, Caller};

/// The most answers one confirmation may name (a section holds a few dozen).
pub const MAX_CONFIRMS: usize = 2_000;

/// What a record-bound item starts with, from the patient record.
pub(crate) fn record_value(binding: &str, patient: &PatientRow) -> Option<AnswerValue> {
    let p = &patient.fields;
    let text = |s: &str| (!s.is_empty()).then(|| AnswerValue::String(s.to_string()));
    match binding {
        "sex" => Some(AnswerValue::Coding(Coding {
            system: Some("http://hl7.org/fhir/administrative-gender".into()),
            code: Some(p.sex.as_str().to_string()),
            display: Some(
                match p.sex.as_str() {
                    "female" => "Female",
                    "male" => "Male",
                    "other" => "Other",
                    _ => "Unknown",
                }
                .into(),
            ),
        })),
        "birth-date" => Some(AnswerValue::Date(p.birth_date.to_string())),
        "family-name" => text(&p.family),
        "given-name" => text(&p.given),
        "phone" => text(&p.phone),
        "emergency-contact-name" => text(&p.emergency_name),
        "emergency-contact-relationship" => text(&p.emergency_relationship),
        "emergency-contact-phone" => text(&p.emergency_phone),
        _ => None,
    }
}

/// The record facts a form binds to, by binding name.
fn record_facts(q: &Questionnaire, patient: &PatientRow) -> BTreeMap<String, AnswerValue> {
    intake_core::questionnaire::all_items(&q.items)
        .into_iter()
        .filter_map(|item| {
            let b = item.record_binding.as_ref()?;
            Some((b.clone(), record_value(b, patient)?))
        })
        .collect()
}

/// An earlier visit loaded for the planner.
struct Loaded {
    row: EncounterRow,
    form: Arc<Questionnaire>,
    answers: BTreeMap<Key, PastAnswer>,
}

fn past_answers(db: &Db<'_>, id: EncounterId) -> Result<BTreeMap<Key, PastAnswer>, StoreError> {
    let mut out = BTreeMap::new();
    for a in db.answers(id)? {
        out.insert(
            a.key,
            PastAnswer {
                values: a.values,
                author: a.author,
                at: a.at,
                in_record: a.in_record,
                confirmed_by: a.confirmed_by,
                confirmed_at: a.confirmed_at,
            },
        );
    }
    Ok(out)
}

impl Api {
    /// The patient's earlier visits the planner needs, with their forms; answers are
    /// loaded only where they can matter. For each form version only the newest visit
    /// that may be carried from can decide anything (the planner takes, per item, the
    /// newest visit whose form has it), so older visits of that version are left out;
    /// visits the planner will skip (entered in error, dated after `now`) come without
    /// answers, so it can say why they were not used. Drafts are never looked at. A visit
    /// whose record is damaged is left out (an older one of its version may decide
    /// instead) and listed second, so the plan can say it was not used.
    fn earlier_visits(
        &self,
        db: &Db<'_>,
        patient_id: PatientId,
        now: DateTime<Utc>,
    ) -> Result<(Vec<Loaded>, Vec<EncounterId>), ApiError> {
        // The visits of the charts merged into this one count as its own.
        let mut rows = Vec::new();
        for id in crate::patients::merge::chart_ids(db, patient_id)? {
            rows.extend(db.list_encounters(&EncounterFilter {
                patient_id: Some(id),
                status: None,
                limit: Some(100_000),
            })?);
        }
        let date = |r: &EncounterRow| r.submitted_at.unwrap_or(r.started_at);
        rows.sort_by(|a, b| date(b).cmp(&date(a)).then(b.id.cmp(&a.id)));
        let mut newest_of_version = std::collections::HashSet::new();
        let (mut out, mut damaged) = (Vec::new(), Vec::new());
        for row in rows {
            let status = row.status;
            let usable = status.carries_forward() && date(&row) <= now;
            let answers = if usable {
                if newest_of_version.contains(&row.template_id) {
                    continue; // an older visit of a version already represented
                }
                match past_answers(db, row.id) {
                    Ok(answers) => {
                        newest_of_version.insert(row.template_id);
                        answers
                    }
                    Err(StoreError::Damaged { .. }) => {
                        damaged.push(row.id);
                        continue;
                    }
                    Err(other) => return Err(other.into()),
                }
            } else if status == EncounterStatus::Draft {
                continue;
            } else {
                BTreeMap::new()
            };
            let form = self.form(db, row.template_id)?;
            out.push(Loaded { row, form, answers });
        }
        Ok((out, damaged))
    }

    /// The carry-forward plan for `patient` and a form version (`q` is its parsed
    /// form), as of `now`.
    pub(crate) fn carry_plan(
        &self,
        db: &Db<'_>,
        patient: &PatientRow,
        template: &TemplateRow,
        q: &Questionnaire,
        now: DateTime<Utc>,
    ) -> Result<Plan, ApiError> {
        let (loaded, damaged) = self.earlier_visits(db, patient.id, now)?;
        // Hints and reasons date a visit as the clinic writes its day.
        let zone = crate::clock::clinic_zone(db)?;
        let order = crate::admin::settings::date_order(db)?;
        let visits: Vec<PastVisit<'_>> = loaded
            .iter()
            .map(|l| {
                let date = l.row.submitted_at.unwrap_or(l.row.started_at);
                PastVisit {
                    id: l.row.id,
                    slug: &l.row.template_slug,
                    version: &l.row.template_version,
                    form: &l.form,
                    status: l.row.status,
                    date,
                    day: order.write(zone.day_of(date)),
                    answers: &l.answers,
                }
            })
            .collect();
        let target = Target {
            slug: &template.slug,
            version: &template.version,
            form: q,
        };
        let mut plan = plan(target, &record_facts(q, patient), &visits, now);
        plan.skipped
            .extend(damaged.into_iter().map(|encounter| Skipped {
                encounter,
                reason: "its record is damaged: not used".into(),
            }));
        Ok(plan)
    }

    /// Shows what a new intake would start with, saving nothing.
    pub fn plan_intake(
        &self,
        caller: Caller<'_>,
        patient_id: i64,
        slug: Option<&str>,
        version: Option<&str>,
    ) -> Result<PlanDto, ApiError> {
        let who = self.authorize(caller, Permission::ViewEncounters)?;
        let now = self.now();
        let plan = self.store.read(|db| {
            let patient = db
                .patient(PatientId(patient_id))?
                .ok_or_else(|| ApiError::NotFound("There is no such patient.".into()))?;
            let template = crate::admin::templates::startable_template(db, slug, version)?;
            let q = self.form(db, template.id)?;
            let plan = self.carry_plan(db, &patient, &template, &q, now)?;
            let zone = crate::clock::clinic_zone(db)?;
            Ok::<_, ApiError>(PlanDto {
                template: template.slug.clone(),
                version: template.version.clone(),
                entries: plan
                    .entries
                    .iter()
                    .map(|e| plan_entry_dto(e, &zone))
                    .collect(),
                skipped: plan.skipped.iter().map(skipped_text).collect(),
            })
        })?;
        // The plan shows values from the patient's earlier visits.
        self.note_patient_read(&who, PatientId(patient_id), "patient.carry_forward_viewed");
        Ok(plan)
    }
}

fn skipped_text(s: &intake_core::carry_forward::Skipped) -> String {
    format!("Intake {}: {}", s.encounter, s.reason)
}

fn plan_entry_dto(
    e: &intake_core::carry_forward::Entry,
    zone: &crate::clock::ClinicZone,
) -> PlanEntryDto {
    let values: Vec<Value> = e.values.iter().map(to_json).collect();
    let p = e.provenance.as_ref();
    PlanEntryDto {
        key: e.key.to_string(),
        link_id: e.key.link_id().to_string(),
        value: values.first().cloned(),
        values: if values.len() > 1 { values } else { Vec::new() },
        source: e.source.map(AnswerSource::as_str),
        source_encounter: p.map(|p| p.encounter.0),
        source_date: p.map(|p| zone.day_of(p.visit_date).to_string()),
        entered_by: p.map(|p| p.entered_by.clone()),
        confirmed_by: p.and_then(|p| p.confirmed_by.clone()),
        needs_confirmation: e.needs_confirmation,
        hint: e.hint.clone(),
        not_carried_reason: e.not_carried.clone(),
    }
}

/// Writes a plan into a new draft, then the calculations; returns the notes to keep.
pub(crate) fn write_plan(
    db: &Db<'_>,
    id: EncounterId,
    plan: &Plan,
    index: &FormIndex<'_>,
    now: DateTime<Utc>,
    actor: &str,
) -> Result<CarryNotesDto, ApiError> {
    let mut response = Response::new();
    let mut notes = CarryNotesDto {
        skipped: plan.skipped.iter().map(skipped_text).collect(),
        ..Default::default()
    };
    for e in &plan.entries {
        if let Some(h) = &e.hint {
            notes.hints.insert(e.key.to_string(), h.clone());
        }
        if let Some(why) = &e.not_carried {
            notes.not_carried.insert(e.key.to_string(), why.clone());
        }
        let Some(source) = e.source else {
            continue;
        };
        let carried = e.provenance.as_ref().map(|p| CarriedFrom {
            encounter: p.encounter,
            date: p.visit_date,
            author: p.entered_by.clone(),
            confirmed_by: p.confirmed_by.clone(),
        });
        // A row is confirmed as a whole: the answers inside it do not ask on their own.
        let inside_row = !e.key.rows().is_empty() && !index.is_row_group(e.key.link_id());
        db.put_answer(
            id,
            &AnswerWrite {
                key: &e.key,
                values: &e.values,
                source,
                carried: carried.as_ref(),
                needs_confirmation: e.needs_confirmation && !inside_row,
            },
            now,
            actor,
        )?;
        response.insert(e.key.clone(), e.values.clone());
    }
    crate::intake::write::recalculate(db, id, index, &mut response, now, actor)?;
    Ok(notes)
}

impl Api {
    /// Confirms carried values of a draft (a row confirms as a whole). Refused, with
    /// nothing confirmed, when one of them changed since the screen saw it.
    pub fn confirm_intake(
        &self,
        caller: Caller<'_>,
        id: i64,
        confirms: &[ConfirmDto],
    ) -> Result<SavedDto, ApiError> {
        let id = EncounterId(id);
        let who = self.authorize(caller, Permission::EditIntake)?;
        if confirms.len() > MAX_CONFIRMS {
            return Err(ApiError::invalid(
                "confirms",
                format!("One confirmation names at most {} answers.", MAX_CONFIRMS),
            ));
        }
        let now = self.now();
        self.store.write(|db| {
            let e = self.encounter_row(db, id)?;
            check_editable(&e, &who)?;
            let q = self.form(db, e.template_id)?;
            let index = FormIndex::new(&q.items);
            let before = db.answers(id)?;
            let mut confirmed = Vec::new();
            for c in confirms {
                let field = c.key.as_str();
                let Some(row) = before.iter().find(|a| a.key.to_string() == c.key) else {
                    return Err(ApiError::invalid(
                        field,
                        "This answer is no longer there; nothing was confirmed.",
                    ));
                };
                if row.rev != c.base_rev {
                    let label = item_label(&index, &row.link_id);
                    return Err(ApiError::Conflict(format!(
                        "{label} was changed in another window by {} at {}; nothing was confirmed.",
                        row.author,
                        when(row.at)
                    )));
                }
                if db.confirm_answer(id, &row.key, now, &who.actor)? {
                    confirmed.push(row.key.clone());
                }
            }
            db.touch_encounter(id, None, now)?;
            if !confirmed.is_empty() {
                self.audit_encounter(
                    db,
                    &e,
                    &who,
                    now,
                    "encounter.confirmed",
                    serde_json::json!({
                        "confirmed": confirmed.iter().map(Key::to_string).collect::<Vec<_>>()
                    }),
                )?;
            }
            let after = db.answers(id)?;
            let eval = evaluate(&index, &response_of(&after));
            Ok(SavedDto {
                saved_at: intake_store::format_time(now),
                answers: self
                    .answer_dtos(db, after.iter().filter(|a| confirmed.contains(&a.key)))?,
                removed: Vec::new(),
                disabled: disabled(&eval),
                problems: problems(&eval, &after, &index, &crate::clock::ClinicDays::read(db)?),
                encounter: self.dto(db, &self.encounter_row(db, id)?, &who)?,
                changes: changes_since_in(db, id, &after)?,
            })
        })
    }
}
