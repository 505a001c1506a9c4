//! The door for tools that enter records in bulk as if they were typed: the demo
//! register (`intake-demo`, run by `intake seed-demo`, never linked into the desktop app).
//!
//! [`Api::seeding`] checks the caller once (`Permission::SeedDemo`, so only the CLI and
//! admins) and runs the tool in one write transaction. Inside, [`Seeding`] offers the
//! steps the use cases themselves run (the carry-forward plan and its writing, answer
//! writes, recalculation, signing, amendments, each with the same checks), at times the
//! tool chooses, since a demo visit happened weeks ago. Signatures are audited as the
//! review screen audits them (so `intake verify` finds each); other steps are not, and
//! the tool writes its own summary entry with [`Seeding::audit`].

use std::sync::Arc;

use chrono::{DateTime, Utc};
use intake_core::carry_forward::Plan;
use intake_core::questionnaire::response::{FormIndex, Key, Response};
use intake_core::questionnaire::{AnswerValue, Questionnaire};
use intake_core::{AnswerSource, EncounterId, TemplateId};
use intake_store::prelude::*;
use intake_store::{AnswerRow, Db, NewUser, PatientRow, TemplateRow, UserRow};
use serde_json::Value;

use crate::permissions::{allows, Permission};
use crate::wire::intake::CarryNotesDto;
use crate::{audit_entry, Api, ApiError, Caller, Principal};

/// One seeding run: the store inside its write transaction, the checked caller and the
/// time it started.
pub struct Seeding<'s> {
    api: &'s Api,
    db: &'s Db<'s>,
    who: Principal,
    now: DateTime<Utc>,
}

impl Api {
    /// Runs `f` as `caller`, who must be allowed to seed demo data, in one write
    /// transaction: everything `f` does commits together or not at all.
    pub fn seeding<T>(
        &self,
        caller: Caller<'_>,
        f: impl FnOnce(&Seeding<'_>) -> Result<T, ApiError>,
    ) -> Result<T, ApiError> {
        let who = self.authorize(caller, Permission::SeedDemo)?;
        let now = self.now();
        self.store.write(|db| {
            f(&Seeding {
                api: self,
                db,
                who,
                now,
            })
        })
    }
}

impl<'s> Seeding<'s> {
    /// The store, for plain reads and writes (patients, encounters, answers).
    pub fn db(&self) -> &'s Db<'s> {
        self.db
    }

    /// When the run started (the API's clock).
    pub fn now(&self) -> DateTime<Utc> {
        self.now
    }

    /// Who runs it, as the audit log names them.
    pub fn actor(&self) -> &str {
        &self.who.actor
    }

    /// A password hash as sign-in checks it.
    pub fn hash_password(&self, password: &str) -> Result<String, ApiError> {
        crate::access::passwords::hash(password)
    }

    /// Adds a user with its `user.created` audit entry (`extra` joins the detail).
    pub fn add_user(
        &self,
        user: &NewUser<'_>,
        extra: &[(&str, Value)],
    ) -> Result<UserRow, ApiError> {
        crate::admin::users::add_user(self.db, user, self.now, &self.who.actor, extra)
    }

    /// Appends one audit entry by the caller, now.
    pub fn audit(&self, action: &str, entity: &str, detail: Value) -> Result<(), ApiError> {
        let entry = audit_entry(self.now, &self.who.actor, action, entity, None, detail);
        self.db.append_audit(&entry)?;
        Ok(())
    }

    /// Installs the built-in forms that are missing; returns how many were added.
    pub fn ensure_builtin(&self) -> Result<usize, ApiError> {
        crate::admin::templates::ensure_builtin(self.db, self.now)
    }

    /// Version 1 of the built-in form, added when missing (active when the database has
    /// no version of the form yet, so a later [`Seeding::ensure_builtin`] upgrades it as
    /// a clinic's database is upgraded; retired otherwise). The demo's earlier visits
    /// are made on it.
    pub fn builtin_v1(&self) -> Result<TemplateRow, ApiError> {
        crate::admin::templates::builtin_v1(self.db, self.now)
    }

    /// The form version a new intake starts with by default.
    pub fn startable_template(&self) -> Result<TemplateRow, ApiError> {
        crate::admin::templates::startable_template(self.db, None, None)
    }

    /// A stored form version, parsed.
    pub fn form(&self, template: TemplateId) -> Result<Arc<Questionnaire>, ApiError> {
        self.api.form(self.db, template)
    }

    /// The carry-forward plan for `patient` with a form version, as of `at`
    /// (what `start_intake` computes).
    pub fn carry_plan(
        &self,
        patient: &PatientRow,
        template: &TemplateRow,
        q: &Questionnaire,
        at: DateTime<Utc>,
    ) -> Result<Plan, ApiError> {
        self.api.carry_plan(self.db, patient, template, q, at)
    }

    /// Writes a plan into a new draft as `start_intake` does; returns the notes to keep.
    pub fn write_plan(
        &self,
        id: EncounterId,
        plan: &Plan,
        index: &FormIndex<'_>,
        at: DateTime<Utc>,
        actor: &str,
    ) -> Result<CarryNotesDto, ApiError> {
        crate::intake::carry::write_plan(self.db, id, plan, index, at, actor)
    }

    /// Stores one answer as typed or computed by `actor` at `at`.
    pub fn write_answer(
        &self,
        id: EncounterId,
        key: &Key,
        values: &[AnswerValue],
        source: AnswerSource,
        at: DateTime<Utc>,
        actor: &str,
    ) -> Result<(), ApiError> {
        crate::intake::write::write_answer(self.db, id, key, values, source, at, actor)
    }

    /// The record's hash as the review screen shows it (`open_review`'s `record_hash`).
    pub fn record_hash(&self, id: EncounterId) -> Result<String, ApiError> {
        let e = self.api.encounter_row(self.db, id)?;
        Ok(crate::record::canonical::shown(self.db, &e)?.sha256)
    }

    /// `who` by user name as a checked caller, if the account exists and is active.
    pub fn principal(&self, username: &str) -> Result<Option<Principal>, ApiError> {
        Ok(self
            .db
            .user_by_username(username)?
            .filter(|u| u.active)
            .map(|u| Principal {
                actor: u.username,
                role: u.role,
                user_id: Some(u.id),
                session_id: None,
            }))
    }

    /// `sign_intake`'s checks and signature, at `at`, of the record whose hash `who`
    /// read (`seen`; none when it is read and signed at once).
    pub fn sign(
        &self,
        who: &Principal,
        id: EncounterId,
        seen: Option<&str>,
        at: DateTime<Utc>,
    ) -> Result<(), ApiError> {
        if !allows(who.role, Permission::SignEncounter) {
            return Err(ApiError::Forbidden(format!(
                "{} may not sign intakes.",
                who.actor
            )));
        }
        let e = self.api.encounter_row(self.db, id)?;
        if let Some(seen) = seen {
            crate::review::actions::check_seen(self.db, &e, seen)?;
        }
        let (signature, record) = self.api.sign_record(self.db, &e, who, at)?;
        // Audited as the review screen's signature is, so `intake verify` finds it.
        let (action, reason) = match signature {
            intake_store::Signature::First => ("encounter.signed", None),
            intake_store::Signature::Amendment => (
                "encounter.amended",
                e.amending.as_ref().map(|a| a.text.clone()),
            ),
        };
        self.api.audit_encounter(
            self.db,
            &e,
            who,
            at,
            action,
            serde_json::json!({ "recordSha256": record.sha256, "reason": reason }),
        )
    }

    /// `start_amendment`'s checks and amendment, at `at`.
    pub fn start_amendment(
        &self,
        who: &Principal,
        id: EncounterId,
        reason: &str,
        seen: &str,
        at: DateTime<Utc>,
    ) -> Result<(), ApiError> {
        let e = self.api.encounter_row(self.db, id)?;
        crate::review::actions::check_seen(self.db, &e, seen)?;
        self.api.open_amendment(self.db, &e, who, reason, at)
    }

    /// An edit as `save_intake` writes it: `writes` (the form's questions outside any
    /// list, by linkId) typed by `who`, then the calculations recomputed; refused where
    /// `who` may not edit the record.
    pub fn edit(
        &self,
        who: &Principal,
        id: EncounterId,
        writes: &[(&str, Vec<AnswerValue>)],
        at: DateTime<Utc>,
    ) -> Result<(), ApiError> {
        let e = self.api.encounter_row(self.db, id)?;
        crate::record::lock::check_editable(&e, who)?;
        let q = self.api.form(self.db, e.template_id)?;
        let index = FormIndex::new(&q.items);
        let mut response = crate::record::answers::response_of(&self.db.answers(id)?);
        for (link_id, values) in writes {
            let key = index.key(&[], link_id);
            self.write_answer(id, &key, values, AnswerSource::Typed, at, &who.actor)?;
            response.insert(key, values.clone());
        }
        crate::intake::write::recalculate(self.db, id, &index, &mut response, at, &who.actor)?;
        self.db.touch_encounter(id, None, at)?;
        Ok(())
    }
}

/// The answers of stored rows as a response (what the intake screen fills in).
pub fn response_of(rows: &[AnswerRow]) -> Response {
    crate::record::answers::response_of(rows)
}
