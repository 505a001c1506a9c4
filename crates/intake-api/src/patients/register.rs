//! Patients: register, edit, find, view, history, mark entered in error.
//!
//! Registering or editing a name or birth date first looks for likely duplicates (same
//! birth date and a similar name, same phone, same email). When there are any, nothing
//! is saved and the candidates go back to the screen; the person either opens one or
//! sends the registration again with a reason, which the audit log keeps.

use chrono::NaiveDate;
use intake_core::duplicate::{self, DuplicateReason};
use intake_core::patient::{self, ValidPatient};
use intake_core::{text, PatientId, Role};
use serde_json::{json, Map, Value};

use intake_store::prelude::*;
use intake_store::{Db, NewAuditEntry, PatientRow, PatientStatus};

use crate::permissions::{allows, Permission};
use crate::wire::patients::PatientMayDto;
use crate::wire::patients::{
    DuplicateDto, PatientDto, PatientInputDto, PatientRevisionDto, PatientSaveDto,
};
use crate::{audit_entry, Api, ApiError, Caller, Principal};

/// The longest reason for overriding a duplicate warning or marking an error.
pub const REASON_MAX: usize = 500;

fn patient_entry<'a>(
    now: chrono::DateTime<chrono::Utc>,
    who: &'a Principal,
    action: &'a str,
    id: PatientId,
    detail: Value,
) -> NewAuditEntry<'a> {
    NewAuditEntry {
        patient_id: Some(id.0),
        ..audit_entry(
            now,
            &who.actor,
            action,
            "patient",
            Some(id.to_string()),
            detail,
        )
    }
}

/// `{ field: [old, new] }` for every field that differs (all fields when `old` is None).
fn changes(old: Option<&ValidPatient>, new: &ValidPatient, mrn: &str) -> Value {
    let fields = |p: &ValidPatient| -> Vec<(&'static str, String)> {
        vec![
            ("family", p.family.clone()),
            ("given", p.given.clone()),
            ("birthDate", p.birth_date.to_string()),
            ("sex", p.sex.as_str().to_string()),
            ("phone", p.phone.clone()),
            ("email", p.email.clone()),
            ("addressLine", p.address_line.clone()),
            ("city", p.city.clone()),
            ("postalCode", p.postal_code.clone()),
            ("country", p.country.clone()),
            ("language", p.language.clone()),
            ("emergencyName", p.emergency_name.clone()),
            ("emergencyRelationship", p.emergency_relationship.clone()),
            ("emergencyPhone", p.emergency_phone.clone()),
            ("notes", p.notes.clone()),
        ]
    };
    let mut out = Map::new();
    match old {
        None => {
            out.insert("mrn".into(), json!([null, mrn]));
            for (name, value) in fields(new) {
                if !value.is_empty() {
                    out.insert(name.into(), json!([null, value]));
                }
            }
        }
        Some(old) => {
            for ((name, before), (_, after)) in fields(old).into_iter().zip(fields(new)) {
                if before != after {
                    out.insert(name.into(), json!([before, after]));
                }
            }
        }
    }
    Value::Object(out)
}

/// Active patients that look like `p`, with the reasons, `exclude` left out.
pub(crate) fn find_duplicates(
    db: &Db<'_>,
    p: &ValidPatient,
    exclude: Option<PatientId>,
) -> Result<Duplicates, ApiError> {
    let mut found: Duplicates = Vec::new();
    let mut add = |row: PatientRow, reason: DuplicateReason| {
        if Some(row.id) == exclude {
            return;
        }
        match found.iter_mut().find(|(r, _)| r.id == row.id) {
            Some((_, reasons)) if !reasons.contains(&reason) => reasons.push(reason),
            Some(_) => {}
            None => found.push((row, vec![reason])),
        }
    };
    for row in db.patients_born_on(p.birth_date, false, 1000)? {
        let other = (row.fields.family.as_str(), row.fields.given.as_str());
        if duplicate::similar_names((&p.family, &p.given), other) {
            add(row, DuplicateReason::SameBirthDateSimilarName);
        }
    }
    for row in db.patients_with_phone_digits(&text::digits(&p.phone), 50)? {
        add(row, DuplicateReason::SamePhone);
    }
    for row in db.patients_with_email(&p.email, 50)? {
        add(row, DuplicateReason::SameEmail);
    }
    Ok(found)
}

pub(crate) fn check_reason(reason: Option<&str>, field: &str) -> Result<Option<String>, ApiError> {
    match reason.map(str::trim) {
        None => Ok(None),
        Some("") => Err(ApiError::invalid(field, "Give a reason.")),
        Some(r) if r.chars().count() > REASON_MAX => Err(ApiError::invalid(
            field,
            format!("A reason has at most {REASON_MAX} characters."),
        )),
        Some(r) if r.chars().any(|c| c.is_control() && c != '\n') => Err(ApiError::invalid(
            field,
            "A reason cannot hold control characters.",
        )),
        Some(r) => Ok(Some(r.to_string())),
    }
}

pub(crate) fn validate(
    input: &PatientInputDto,
    today: NaiveDate,
) -> Result<ValidPatient, ApiError> {
    patient::validate(&input.into(), today).map_err(|errors| {
        let first = errors.into_iter().next();
        match first {
            Some(e) => ApiError::invalid(e.field, e.message),
            None => ApiError::invalid("family", "The patient could not be checked."),
        }
    })
}

type Duplicates = Vec<(PatientRow, Vec<DuplicateReason>)>;

/// Records that other patients' details were shown as likely duplicates.
fn audit_shown(
    db: &Db<'_>,
    now: chrono::DateTime<chrono::Utc>,
    who: &Principal,
    duplicates: &Duplicates,
) -> Result<(), ApiError> {
    for (row, _) in duplicates {
        db.append_audit(&patient_entry(
            now,
            who,
            "patient.shown_as_duplicate",
            row.id,
            json!({}),
        ))?;
    }
    Ok(())
}

/// The answer when likely duplicates stop a save: nothing saved, the candidates listed
/// (and their display audited).
fn stopped_by(
    db: &Db<'_>,
    now: chrono::DateTime<chrono::Utc>,
    who: &Principal,
    duplicates: &Duplicates,
    today: NaiveDate,
) -> Result<PatientSaveDto, ApiError> {
    audit_shown(db, now, who, duplicates)?;
    Ok(PatientSaveDto {
        patient: None,
        duplicates: duplicates
            .iter()
            .map(|(row, why)| DuplicateDto::new(row, why, today))
            .collect(),
    })
}

/// Records that someone saved despite likely duplicates, with their reason.
fn audit_override(
    db: &Db<'_>,
    now: chrono::DateTime<chrono::Utc>,
    who: &Principal,
    id: PatientId,
    reason: &str,
    duplicates: &Duplicates,
) -> Result<(), ApiError> {
    if duplicates.is_empty() {
        return Ok(());
    }
    let candidates: Vec<&str> = duplicates.iter().map(|(r, _)| r.mrn.as_str()).collect();
    let detail = json!({ "reason": reason, "candidates": candidates });
    db.append_audit(&patient_entry(
        now,
        who,
        "patient.duplicate_overridden",
        id,
        detail,
    ))?;
    Ok(())
}

/// A checked registration or edit, ready for the store.
struct Save {
    who: Principal,
    today: NaiveDate,
    now: chrono::DateTime<chrono::Utc>,
    p: ValidPatient,
    reason: Option<String>,
}

pub(crate) fn visible(row: &PatientRow, who: &Principal) -> bool {
    row.status == PatientStatus::Active || who.role == Role::Admin
}

impl Api {
    /// Today in the clinic's zone (ages, the birth-date check). Call it outside a
    /// transaction: it reads the zone in its own.
    pub(crate) fn today(&self) -> Result<NaiveDate, ApiError> {
        let zone = self.store.read(crate::clock::clinic_zone)?;
        Ok(zone.day_of(self.now()))
    }

    fn load_patient(&self, db: &Db<'_>, id: i64, who: &Principal) -> Result<PatientRow, ApiError> {
        db.patient(PatientId(id))?
            .filter(|row| visible(row, who))
            .ok_or_else(|| ApiError::NotFound("There is no such patient.".into()))
    }

    /// One patient with every field; the view is audited (batched, as reads are).
    pub fn get_patient(&self, caller: Caller<'_>, id: i64) -> Result<PatientDto, ApiError> {
        let who = self.authorize(caller, Permission::ViewPatients)?;
        let today = self.today()?;
        let (row, dto) = self.store.read(|db| {
            let row = self.load_patient(db, id, &who)?;
            let dto = PatientDto::new(&row, today, may(&row, who.role));
            let dto = self.with_merges(db, &row, &who, dto)?;
            Ok::<_, ApiError>((row, dto))
        })?;
        self.note_patient_read(&who, row.id, "patient.viewed");
        Ok(dto)
    }

    /// Every change to a patient, oldest first (audited, batched).
    pub fn patient_history(
        &self,
        caller: Caller<'_>,
        id: i64,
    ) -> Result<Vec<PatientRevisionDto>, ApiError> {
        let who = self.authorize(caller, Permission::ViewPatients)?;
        let (row, revisions) = self.store.read(|db| {
            let row = self.load_patient(db, id, &who)?;
            let revisions = db.patient_revisions(row.id)?;
            Ok::<_, ApiError>((row, revisions))
        })?;
        self.note_patient_read(&who, row.id, "patient.history_viewed");
        Ok(revisions
            .into_iter()
            .map(PatientRevisionDto::from)
            .collect())
    }

    /// The patients already registered that look like `input`, without saving it (the
    /// check a registration runs first; the benchmarks time it on its own).
    pub fn check_duplicates(
        &self,
        caller: Caller<'_>,
        input: &PatientInputDto,
    ) -> Result<Vec<DuplicateDto>, ApiError> {
        let who = self.authorize(caller, Permission::ViewPatients)?;
        let today = self.today()?;
        let p = validate(input, today)?;
        let found = self.store.read(|db| find_duplicates(db, &p, None))?;
        for (row, _) in &found {
            self.note_patient_read(&who, row.id, "patient.shown_as_duplicate");
        }
        Ok(found
            .iter()
            .map(|(row, why)| DuplicateDto::new(row, why, today))
            .collect())
    }

    /// What a registration and an edit both check before touching the store: the
    /// caller may edit patients, the fields are valid, a given reason is acceptable.
    fn prepare_save(
        &self,
        caller: Caller<'_>,
        input: &PatientInputDto,
        duplicate_reason: Option<&str>,
    ) -> Result<Save, ApiError> {
        let who = self.authorize(caller, Permission::EditPatients)?;
        let today = self.today()?;
        Ok(Save {
            p: validate(input, today)?,
            reason: check_reason(duplicate_reason, "duplicateReason")?,
            now: self.now(),
            today,
            who,
        })
    }

    /// Registers a patient, unless it looks like one the clinic already has and no
    /// `duplicate_reason` is given.
    pub fn register_patient(
        &self,
        caller: Caller<'_>,
        input: &PatientInputDto,
        duplicate_reason: Option<&str>,
    ) -> Result<PatientSaveDto, ApiError> {
        let Save {
            who,
            today,
            now,
            p,
            reason,
        } = self.prepare_save(caller, input, duplicate_reason)?;
        self.store.write(|db| {
            let duplicates = find_duplicates(db, &p, None)?;
            if !duplicates.is_empty() && reason.is_none() {
                return stopped_by(db, now, &who, &duplicates, today);
            }
            let mrn = match &p.mrn {
                Some(mrn) => {
                    if db.patient_by_mrn(mrn)?.is_some() {
                        return Err(ApiError::invalid(
                            "mrn",
                            format!("The MRN {mrn} is already used."),
                        ));
                    }
                    mrn.clone()
                }
                None => db.next_generated_mrn()?,
            };
            let id = db.insert_patient(&p, &mrn, &changes(None, &p, &mrn), now, &who.actor)?;
            db.append_audit(&patient_entry(
                now,
                &who,
                "patient.created",
                id,
                json!({ "mrn": mrn }),
            ))?;
            if let Some(reason) = &reason {
                audit_override(db, now, &who, id, reason, &duplicates)?;
            }
            let row = db
                .patient(id)?
                .ok_or_else(|| ApiError::Internal("the new patient vanished".into()))?;
            Ok(PatientSaveDto {
                patient: Some(PatientDto::new(&row, today, may(&row, who.role))),
                duplicates: Vec::new(),
            })
        })
    }

    /// Saves an edit made from `version`. A changed name or birth date is checked for
    /// duplicates like a registration; a patient changed by someone else since is refused.
    pub fn update_patient(
        &self,
        caller: Caller<'_>,
        id: i64,
        version: i64,
        input: &PatientInputDto,
        duplicate_reason: Option<&str>,
    ) -> Result<PatientSaveDto, ApiError> {
        let Save {
            who,
            today,
            now,
            p,
            reason,
        } = self.prepare_save(caller, input, duplicate_reason)?;
        self.store.write(|db| {
            let old = self.load_patient(db, id, &who)?;
            if old.status != PatientStatus::Active {
                return Err(ApiError::Conflict("This patient was marked entered in error and cannot be edited.".into()));
            }
            if old.version != version {
                return Err(ApiError::Conflict(format!(
                    "This patient was changed by {} since you opened it; reload to see the new version.",
                    old.updated_by
                )));
            }
            let identity_changed = old.fields.family != p.family
                || old.fields.given != p.given
                || old.fields.birth_date != p.birth_date;
            let duplicates = if identity_changed { find_duplicates(db, &p, Some(old.id))? } else { Vec::new() };
            if !duplicates.is_empty() && reason.is_none() {
                return stopped_by(db, now, &who, &duplicates, today);
            }
            let mut p = p;
            p.mrn = Some(old.mrn.clone());
            let diff = changes(Some(&old.fields), &p, &old.mrn);
            let changed: Vec<String> = diff.as_object().map(|m| m.keys().cloned().collect()).unwrap_or_default();
            if !changed.is_empty() {
                db.update_patient(old.id, version, &p, &diff, now, &who.actor)?
                    .ok_or_else(|| ApiError::Conflict("This patient was changed since you opened it; reload.".into()))?;
                db.append_audit(&patient_entry(now, &who, "patient.updated", old.id, json!({ "fields": changed })))?;
            }
            if let Some(reason) = &reason {
                audit_override(db, now, &who, old.id, reason, &duplicates)?;
            }
            let row = db.patient(old.id)?.ok_or_else(|| ApiError::Internal("the patient vanished".into()))?;
            Ok(PatientSaveDto { patient: Some(PatientDto::new(&row, today, may(&row, who.role))), duplicates: Vec::new() })
        })
    }

    /// Marks a patient registered by mistake; it leaves search but is never deleted.
    pub fn mark_patient_in_error(
        &self,
        caller: Caller<'_>,
        id: i64,
        version: i64,
        reason: &str,
    ) -> Result<PatientDto, ApiError> {
        let who = self.authorize(caller, Permission::MarkPatientInError)?;
        let reason = check_reason(Some(reason), "reason")?.unwrap_or_default();
        let now = self.now();
        let row = self.store.write(|db| {
            let row = self.load_patient(db, id, &who)?;
            if row.status == PatientStatus::EnteredInError {
                return Err(ApiError::Conflict(
                    "This patient is already marked entered in error.".into(),
                ));
            }
            db.set_patient_status(
                row.id,
                version,
                PatientStatus::EnteredInError,
                &reason,
                now,
                &who.actor,
            )?
            .ok_or_else(|| {
                ApiError::Conflict("This patient was changed since you opened it; reload.".into())
            })?;
            db.append_audit(&patient_entry(
                now,
                &who,
                "patient.marked_in_error",
                row.id,
                json!({ "reason": reason }),
            ))?;
            db.patient(row.id)?
                .ok_or_else(|| ApiError::Internal("the patient vanished".into()))
        })?;
        Ok(PatientDto::new(&row, self.today()?, may(&row, who.role)))
    }
}

/// What `role` may do with patient `p` now (the `may` flags the screen shows).
pub(crate) fn may(p: &PatientRow, role: Role) -> PatientMayDto {
    let active = p.status == PatientStatus::Active;
    PatientMayDto {
        start_intake: active && allows(role, Permission::EditIntake),
        export_pdf: allows(role, Permission::ExportPdf),
        mark_in_error: active && allows(role, Permission::MarkPatientInError),
        merge: active && allows(role, Permission::MergePatients),
    }
}
