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
use std::sync::Arc;

use chrono::{DateTime, Utc};
use intake_core::ids::PatientId;
use intake_core::questionnaire::response::{
    calculate, evaluate, FormIndex, Key, KeyParseError, Response,
};
use intake_core::questionnaire::validate::fits;
use intake_core::questionnaire::value_json::{from_json, to_json};
use intake_core::questionnaire::{self, AnswerValue, ItemType, Questionnaire};
use intake_store::{AnswerRow, AnswerWrite, Db, EncounterFilter, EncounterRow, PatientStatus};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use crate::builtin::GENERAL_INTAKE_SLUG;
use crate::carry::CarryNotesDto;
use crate::encounters_dto::{
    changes_since, disabled, form_dto, problems, AnswerDto, ChangeSinceDto, EncounterDto, FormDto,
    ProblemDto,
};
use crate::permissions::{allows, Permission};
use crate::{Api, ApiError, Caller, Principal};

/// The longest text answer accepted, in characters.
pub const MAX_TEXT_ANSWER_CHARS: usize = 100_000;
/// The most values one save may carry (a screen sends a handful).
pub const MAX_CHANGES_PER_SAVE: usize = 500;

/// One change the screen sends.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ChangeDto {
    pub key: String,
    #[serde(default)]
    pub values: Vec<Value>,
    /// The `rev` the screen last saw for this key (0: it never saw a saved answer).
    #[serde(default)]
    pub base_rev: i64,
    /// Removes a row of a repeating group and everything in it.
    #[serde(default)]
    pub remove: bool,
}

/// A draft opened for the screen.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct IntakeDto {
    pub encounter: EncounterDto,
    pub form: FormDto,
    pub answers: Vec<AnswerDto>,
    pub disabled: Vec<String>,
    pub problems: Vec<ProblemDto>,
    /// What carry-forward said when the intake started.
    pub carry: CarryNotesDto,
    /// Carried values edited or removed, rows added.
    pub changes: Vec<ChangeSinceDto>,
}

/// What a save changed.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SavedDto {
    pub saved_at: String,
    /// Every answer this save wrote, calculated ones included.
    pub answers: Vec<AnswerDto>,
    pub removed: Vec<String>,
    pub disabled: Vec<String>,
    pub problems: Vec<ProblemDto>,
    pub encounter: EncounterDto,
    /// Carried values edited or removed, rows added (the whole list, after this save).
    pub changes: Vec<ChangeSinceDto>,
}

/// The outcome of a submission.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SubmitDto {
    pub submitted: bool,
    pub problems: Vec<ProblemDto>,
    pub encounter: EncounterDto,
}

/// An encounter with all its answers, for `intake encounter show`.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct EncounterDetailDto {
    #[serde(flatten)]
    pub encounter: EncounterDto,
    pub answers: Vec<AnswerDto>,
}

fn response_of(rows: &[AnswerRow]) -> Response {
    let mut response = Response::new();
    for row in rows {
        let Ok(key) = row.key.parse::<Key>() else {
            continue;
        };
        let list: Vec<Value> = serde_json::from_str(&row.values).unwrap_or_default();
        let values = list.iter().filter_map(|v| from_json(v).ok()).collect();
        response.insert(key, values);
    }
    response
}

fn values_json(values: &[AnswerValue]) -> String {
    Value::Array(values.iter().map(to_json).collect()).to_string()
}

/// `100000` as "100,000".
fn grouped(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// Stores one key's values (a new write: its `rev` goes up by one).
pub(crate) fn write_answer(
    db: &Db<'_>,
    encounter: i64,
    key: &Key,
    values: &[AnswerValue],
    source: &str,
    now: DateTime<Utc>,
    actor: &str,
) -> Result<(), ApiError> {
    let key_text = key.to_string();
    let write = AnswerWrite {
        key: &key_text,
        link_id: &key.link_id,
        values: &values_json(values),
        source,
        carried: None,
        needs_confirmation: false,
    };
    db.put_answer(encounter, &write, now, actor)?;
    Ok(())
}

fn when(at: DateTime<Utc>) -> String {
    at.format("%Y-%m-%d %H:%M").to_string()
}

fn not_found(id: i64) -> ApiError {
    ApiError::NotFound(format!("There is no intake {id}."))
}

fn read_only_error(e: &EncounterRow) -> ApiError {
    let by = match (&e.submitted_at, &e.submitted_by) {
        (Some(at), Some(by)) => format!(" on {} by {by}", when(*at)),
        _ => String::new(),
    };
    ApiError::Conflict(format!("This intake was submitted{by}; it is read-only."))
}

/// The label of an item for messages: its text, or its linkId.
fn item_label(q: &FormIndex<'_>, link_id: &str) -> String {
    q.get(link_id)
        .and_then(|i| i.text.clone())
        .unwrap_or_else(|| link_id.to_string())
}

impl Api {
    /// The parsed form of a stored template version (cached: versions never change).
    pub(crate) fn form(
        &self,
        db: &Db<'_>,
        template_id: i64,
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

    fn encounter_row(&self, db: &Db<'_>, id: i64) -> Result<EncounterRow, ApiError> {
        db.encounter(id)?.ok_or_else(|| not_found(id))
    }

    fn dto(&self, e: &EncounterRow, who: &Principal) -> EncounterDto {
        let read_only = e.status != "draft" || !allows(who.role, Permission::EditIntake);
        EncounterDto::new(e, read_only)
    }

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
            let template = startable_template(db, slug, version)?;
            let q = self.form(db, template.id)?;
            let index = FormIndex::new(&q.items);
            let plan = self.carry_plan(db, &patient, &template, &q, now)?;
            let id = db.insert_encounter(patient_id, template.id, now, &who.actor)?;
            let notes = crate::carry::write_plan(db, id, &plan, &index, now, &who.actor)?;
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
            Ok(self.dto(&self.encounter_row(db, id)?, &who))
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
        if let Some(s) = status {
            if ![
                "draft",
                "submitted",
                "signed",
                "amended",
                "entered_in_error",
            ]
            .contains(&s)
            {
                return Err(ApiError::invalid(
                    "status",
                    format!("{s:?} is not a status (draft, submitted, signed, amended, entered_in_error)."),
                ));
            }
        }
        let filter = EncounterFilter {
            patient_id,
            status: status.map(str::to_string),
            limit: None,
        };
        let rows = self.store.read(|db| db.list_encounters(&filter))?;
        Ok(rows.iter().map(|e| self.dto(e, &who)).collect())
    }

    /// One encounter with every answer.
    pub fn encounter_detail(
        &self,
        caller: Caller<'_>,
        id: i64,
    ) -> Result<EncounterDetailDto, ApiError> {
        let who = self.authorize(caller, Permission::ViewEncounters)?;
        self.store.read(|db| {
            let e = self.encounter_row(db, id)?;
            let answers = db.answers(id)?.iter().map(AnswerDto::new).collect();
            Ok(EncounterDetailDto {
                encounter: self.dto(&e, &who),
                answers,
            })
        })
    }

    /// An encounter with its form, answers, disabled items and problems, for the screen.
    pub fn open_intake(&self, caller: Caller<'_>, id: i64) -> Result<IntakeDto, ApiError> {
        let who = self.authorize(caller, Permission::ViewEncounters)?;
        self.store.read(|db| {
            let e = self.encounter_row(db, id)?;
            let q = self.form(db, e.template_id)?;
            let index = FormIndex::new(&q.items);
            let rows = db.answers(id)?;
            let eval = evaluate(&index, &response_of(&rows));
            let carry = e
                .carry_notes
                .as_deref()
                .and_then(|n| serde_json::from_str(n).ok())
                .unwrap_or_default();
            Ok(IntakeDto {
                form: form_dto(&q, &e.template_slug, &e.template_version, &e.template_title),
                encounter: self.dto(&e, &who),
                answers: rows.iter().map(AnswerDto::new).collect(),
                disabled: disabled(&eval),
                problems: problems(&eval, &rows, &index),
                carry,
                changes: changes_since(&rows, &db.carried_revisions(id)?),
            })
        })
    }

    /// Saves changes to a draft in one transaction (see the module docs for conflicts).
    pub fn save_intake(
        &self,
        caller: Caller<'_>,
        id: i64,
        changes: &[ChangeDto],
        section: Option<&str>,
    ) -> Result<SavedDto, ApiError> {
        let who = self.authorize(caller, Permission::EditIntake)?;
        if changes.len() > MAX_CHANGES_PER_SAVE {
            return Err(ApiError::invalid(
                "changes",
                format!("One save carries at most {MAX_CHANGES_PER_SAVE} changes."),
            ));
        }
        let now = self.now();
        self.store.write(|db| {
            let e = self.encounter_row(db, id)?;
            if e.status != "draft" {
                return Err(read_only_error(&e));
            }
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
                before.iter().map(|a| (a.key.clone(), a)).collect();
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
                            k.rows.len() >= key.rows.len()
                                && k.rows.starts_with(&key.rows)
                                && (k == &&key || index.within(&k.link_id, &key.link_id))
                        })
                        .cloned()
                        .collect();
                    for k in inside {
                        response.remove(&k);
                        removes.push(k);
                    }
                } else if values.is_empty() && !index.is_row_group(&key.link_id) {
                    response.remove(&key);
                    removes.push(key);
                } else {
                    response.insert(key.clone(), values.clone());
                    writes.push((key, values));
                }
            }
            check_rows_exist(&index, &response, &writes)?;
            let mut written: Vec<String> = Vec::new();
            let mut removed: Vec<String> = Vec::new();
            for key in &removes {
                if db.delete_answer(id, &key.to_string())? {
                    removed.push(key.to_string());
                }
            }
            for (key, values) in &writes {
                write_answer(db, id, key, values, "typed", now, &who.actor)?;
                written.push(key.to_string());
            }
            for (key, value) in calculate(&index, &response) {
                let key_text = key.to_string();
                let current = response.get(&key);
                match value {
                    Some(v) if current != Some(&vec![v.clone()]) => {
                        let values = std::slice::from_ref(&v);
                        write_answer(db, id, &key, values, "calculated", now, &who.actor)?;
                        response.insert(key, vec![v]);
                        written.push(key_text);
                    }
                    None if current.is_some() => {
                        db.delete_answer(id, &key_text)?;
                        response.remove(&key);
                        removed.push(key_text);
                    }
                    _ => {}
                }
            }
            db.touch_encounter(id, section, now)?;
            let eval = evaluate(&index, &response);
            let after = db.answers(id)?;
            let answers = after
                .iter()
                .filter(|a| written.contains(&a.key))
                .map(AnswerDto::new)
                .collect();
            removed.retain(|k| !written.contains(k));
            Ok(SavedDto {
                saved_at: intake_store::format_time(now),
                answers,
                removed,
                disabled: disabled(&eval),
                problems: problems(&eval, &after, &index),
                encounter: self.dto(&self.encounter_row(db, id)?, &who),
                changes: changes_since(&after, &db.carried_revisions(id)?),
            })
        })
    }

    /// Confirms carried values of a draft (a row confirms as a whole). Refused, with
    /// nothing confirmed, when one of them changed since the screen saw it.
    pub fn confirm_intake(
        &self,
        caller: Caller<'_>,
        id: i64,
        confirms: &[crate::carry::ConfirmDto],
    ) -> Result<SavedDto, ApiError> {
        let who = self.authorize(caller, Permission::EditIntake)?;
        if confirms.len() > crate::carry::MAX_CONFIRMS {
            return Err(ApiError::invalid(
                "confirms",
                format!(
                    "One confirmation names at most {} answers.",
                    crate::carry::MAX_CONFIRMS
                ),
            ));
        }
        let now = self.now();
        self.store.write(|db| {
            let e = self.encounter_row(db, id)?;
            if e.status != "draft" {
                return Err(read_only_error(&e));
            }
            let q = self.form(db, e.template_id)?;
            let index = FormIndex::new(&q.items);
            let before = db.answers(id)?;
            let mut confirmed = Vec::new();
            for c in confirms {
                let field = c.key.as_str();
                let Some(row) = before.iter().find(|a| a.key == c.key) else {
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
            let after = db.answers(id)?;
            let eval = evaluate(&index, &response_of(&after));
            Ok(SavedDto {
                saved_at: intake_store::format_time(now),
                answers: after
                    .iter()
                    .filter(|a| confirmed.contains(&a.key))
                    .map(AnswerDto::new)
                    .collect(),
                removed: Vec::new(),
                disabled: disabled(&eval),
                problems: problems(&eval, &after, &index),
                encounter: self.dto(&self.encounter_row(db, id)?, &who),
                changes: changes_since(&after, &db.carried_revisions(id)?),
            })
        })
    }

    /// Validates and submits a draft. With errors, nothing changes and every problem
    /// is returned; a second submission is refused.
    pub fn submit_intake(&self, caller: Caller<'_>, id: i64) -> Result<SubmitDto, ApiError> {
        let who = self.authorize(caller, Permission::EditIntake)?;
        let now = self.now();
        self.store.write(|db| {
            let e = self.encounter_row(db, id)?;
            if e.status != "draft" {
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
            let found = problems(&eval, &rows, &index);
            if found.iter().any(|p| p.severity == "error") {
                return Ok(SubmitDto {
                    submitted: false,
                    problems: found,
                    encounter: self.dto(&e, &who),
                });
            }
            let left_out: Vec<String> = response
                .keys()
                .filter(|k| eval.disabled.contains(k))
                .map(Key::to_string)
                .collect();
            db.submit_encounter(id, &left_out, now, &who.actor)?;
            db.append_audit(&intake_store::NewAuditEntry {
                at: now,
                actor: &who.actor,
                action: "encounter.submitted",
                patient_id: Some(e.patient_id),
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
                encounter: self.dto(&self.encounter_row(db, id)?, &who),
            })
        })
    }
}

/// The template version a new intake uses: `slug` (by default the built-in general
/// adult intake) at `version`, or its newest active version; only active ones start.
pub(crate) fn startable_template(
    db: &Db<'_>,
    slug: Option<&str>,
    version: Option<&str>,
) -> Result<intake_store::TemplateRow, ApiError> {
    let slug = slug.unwrap_or(GENERAL_INTAKE_SLUG);
    let template = match version {
        Some(v) => db.template(slug, v)?,
        None => db
            .list_templates()?
            .into_iter()
            .rfind(|t| t.slug == slug && t.status == "active"),
    }
    .ok_or_else(|| ApiError::NotFound(format!("There is no active form {slug:?} to start.")))?;
    if template.status != "active" {
        return Err(ApiError::Conflict(format!(
            "{} version {} is {}; only active forms can be started.",
            template.title, template.version, template.status
        )));
    }
    Ok(template)
}

/// Checks one change against the form and the stored answers: the key names an item
/// instance, the screen saw the latest write, the values fit.
fn check_change(
    index: &FormIndex<'_>,
    change: &ChangeDto,
    stored: &BTreeMap<String, &AnswerRow>,
) -> Result<(Key, Vec<AnswerValue>), ApiError> {
    let field = change.key.as_str();
    let invalid = |m: String| ApiError::invalid(field, m);
    let key: Key = change
        .key
        .parse()
        .map_err(|e: KeyParseError| invalid(format!("{e}.")))?;
    let item = index
        .check(&key)
        .map_err(|e| invalid(crate::error::sentence(&e.to_string())))?;
    let label = item_label(index, &key.link_id);
    let current = stored.get(&change.key);
    let current_rev = current.map_or(0, |a| a.rev);
    if current_rev != change.base_rev {
        return Err(ApiError::Conflict(match current {
            Some(a) => format!(
                "{label} was changed in another window by {} at {}; your change was not saved.",
                a.author,
                a.at.format("%H:%M:%S")
            ),
            None => format!("{label} was cleared in another window; your change was not saved."),
        }));
    }
    let row_group = index.is_row_group(&key.link_id);
    if change.remove {
        if !row_group {
            return Err(invalid("Only a row of a repeating group can be removed; clear a field by sending no values.".into()));
        }
        return Ok((key, Vec::new()));
    }
    if row_group {
        if !change.values.is_empty() {
            return Err(invalid(format!(
                "A row of {label} holds no values of its own."
            )));
        }
        return Ok((key, Vec::new()));
    }
    if item.read_only || item.calculation.is_some() {
        return Err(invalid(format!(
            "{label} is filled in by the app and cannot be typed."
        )));
    }
    if matches!(item.item_type, ItemType::Attachment | ItemType::Unknown(_)) {
        return Err(invalid(format!(
            "{label} is not supported in this version."
        )));
    }
    if change.values.len() > 1 && !item.repeats {
        return Err(invalid(format!("{label} takes one answer.")));
    }
    let mut values = Vec::with_capacity(change.values.len());
    for raw in &change.values {
        let v = from_json(raw)
            .map_err(|e| invalid(format!("{label}: {}", crate::error::sentence(&e.0))))?;
        if let AnswerValue::String(s) = &v {
            if s.chars().count() > MAX_TEXT_ANSWER_CHARS {
                return Err(invalid(format!(
                    "{label} is {} characters long; an answer holds at most {}.",
                    grouped(s.chars().count()),
                    grouped(MAX_TEXT_ANSWER_CHARS)
                )));
            }
        }
        if !fits(&item.item_type, &v) {
            return Err(invalid(format!(
                "{label}: this answer does not have the question's type; it was not saved."
            )));
        }
        values.push(v);
    }
    Ok((key, values))
}

/// Every written key inside repeating groups needs its rows to exist.
fn check_rows_exist(
    index: &FormIndex<'_>,
    response: &Response,
    writes: &[(Key, Vec<AnswerValue>)],
) -> Result<(), ApiError> {
    for (key, _) in writes {
        for (depth, group) in index.row_groups(&key.link_id).iter().enumerate() {
            if *group == key.link_id.as_str() {
                continue;
            }
            let row = Key::new(&key.rows[..=depth], group);
            if !response.contains_key(&row) {
                return Err(ApiError::invalid(
                    &key.to_string(),
                    format!(
                        "Row {} of {} does not exist; add the row first.",
                        key.rows[depth],
                        item_label(index, group)
                    ),
                ));
            }
        }
    }
    Ok(())
}
