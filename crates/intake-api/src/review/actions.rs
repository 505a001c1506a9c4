//! What a physician (or an admin) does to a record after reading it: sign, return to the
//! nurse, amend (start, discard), mark entered in error. Each runs in one transaction
//! that first checks the record is the one the caller was shown (its hash), then acts
//! and audits. [`Api::sign_record`] and [`Api::open_amendment`] are the checked steps
//! without the audit, shared with the demo register's physician.

use chrono::{DateTime, Utc};
use intake_core::questionnaire::response::{evaluate, FormIndex, Key};
use intake_core::{EncounterId, EncounterStatus};
use intake_store::prelude::*;
use intake_store::{Db, EncounterRow, Signature, SignedRecord};
use serde_json::json;

use crate::error::when;
use crate::permissions::Permission;
use crate::record::answers::response_of;
use crate::record::canonical::{
    canonical, same_answer, shown, signed_answers, Canonical, RecordForm,
};
use crate::record::problems::problems;
use crate::wire::review::ReviewDto;
use crate::{Api, ApiError, Caller, Principal};

/// The longest return comment or reason accepted, in characters.
pub const MAX_REVIEW_TEXT_CHARS: usize = 4_000;

fn text_field(field: &str, missing: &str, text: &str) -> Result<String, ApiError> {
    let text = text.trim();
    if text.is_empty() {
        return Err(ApiError::invalid(field, missing));
    }
    let n = text.chars().count();
    if n > MAX_REVIEW_TEXT_CHARS {
        return Err(ApiError::invalid(
            field,
            format!(
                "This text is {} characters long; at most {} are kept. Nothing was changed.",
                crate::error::grouped(n),
                crate::error::grouped(MAX_REVIEW_TEXT_CHARS)
            ),
        ));
    }
    Ok(text.to_string())
}

/// Refuses to act on a record other than the one the caller was shown (`seen`: its hash).
pub(crate) fn check_seen(db: &Db<'_>, e: &EncounterRow, seen: &str) -> Result<(), ApiError> {
    if shown(db, e)?.sha256 == seen {
        return Ok(());
    }
    Err(ApiError::Conflict(format!(
        "This record changed since you opened it (last change {}); the new version is shown. Read it again before you go on.",
        when(e.updated_at)
    )))
}

impl Api {
    /// Signs `e` as `who` at `now`: a submitted intake (a first signature) or `who`'s own
    /// amendment in progress, which must then have no errors. Keeps the record as signed;
    /// audits nothing. Returns which signature it was and the record signed.
    pub(crate) fn sign_record(
        &self,
        db: &Db<'_>,
        e: &EncounterRow,
        who: &Principal,
        now: DateTime<Utc>,
    ) -> Result<(Signature, Canonical), ApiError> {
        let signature = match (&e.amending, e.status) {
            (Some(a), _) if a.by == who.actor => Signature::Amendment,
            (Some(a), _) => {
                return Err(ApiError::Conflict(format!(
                    "{} is amending this record since {}; it can be signed when they are done.",
                    a.by,
                    when(a.at)
                )))
            }
            (None, EncounterStatus::Submitted) => Signature::First,
            (None, EncounterStatus::Signed | EncounterStatus::Amended) => {
                return Err(ApiError::Conflict(format!(
                    "This record was already signed by {} on {}.",
                    e.signed_by.as_deref().unwrap_or("someone"),
                    e.signed_at.map(when).unwrap_or_default()
                )))
            }
            (None, EncounterStatus::Draft) => {
                return Err(ApiError::Conflict(
                    "This intake is still a draft; it can be signed once the nurse submits it."
                        .into(),
                ))
            }
            _ => {
                return Err(ApiError::Conflict(
                    "This intake was entered in error; it cannot be signed.".into(),
                ))
            }
        };
        if signature == Signature::Amendment {
            let q = self.form(db, e.template_id)?;
            let index = FormIndex::new(&q.items);
            let rows = db.answers(e.id)?;
            let response = response_of(&rows);
            let eval = evaluate(&index, &response);
            let errors: Vec<String> =
                problems(&eval, &rows, &index, &crate::clock::ClinicDays::read(db)?)
                    .into_iter()
                    .filter(|p| p.severity == "error")
                    .map(|p| p.message)
                    .collect();
            if !errors.is_empty() {
                return Err(ApiError::invalid(
                    "encounter",
                    format!("The amendment cannot be signed yet: {}", errors.join(" ")),
                ));
            }
            let left_out: Vec<Key> = response
                .keys()
                .filter(|k| eval.disabled.contains(k))
                .cloned()
                .collect();
            db.mark_in_record(e.id, &left_out)?;
        }
        // A new signature is always made in the newest form.
        let record = canonical(e, &db.answers(e.id)?, RecordForm::NEW);
        let kept = SignedRecord {
            json: &record.json,
            sha256: &record.sha256,
            form: RecordForm::NEW.number(),
        };
        db.sign_encounter(e.id, signature, kept, now, &who.actor)?;
        Ok((signature, record))
    }

    /// Opens `who`'s amendment of the signed record `e` at `now`; audits nothing.
    pub(crate) fn open_amendment(
        &self,
        db: &Db<'_>,
        e: &EncounterRow,
        who: &Principal,
        reason: &str,
        now: DateTime<Utc>,
    ) -> Result<(), ApiError> {
        if let Some(a) = &e.amending {
            return Err(ApiError::Conflict(format!(
                "{} is amending this record since {} (reason: {}); nothing of yours was changed.",
                a.by,
                when(a.at),
                a.text
            )));
        }
        if !e.status.is_signed() {
            return Err(ApiError::Conflict(format!(
                "Only a signed record is amended; this one is {}.",
                e.status.as_str().replace('_', " ")
            )));
        }
        db.start_amendment(e.id, reason, now, &who.actor)?;
        Ok(())
    }

    /// Runs a review action on encounter `id` after checking that its record is the one
    /// the caller saw (`seen_hash`), then answers the fresh review.
    fn review_action(
        &self,
        caller: Caller<'_>,
        permission: Permission,
        id: EncounterId,
        seen_hash: Option<&str>,
        act: impl FnOnce(&Db<'_>, &EncounterRow, &Principal, DateTime<Utc>) -> Result<(), ApiError>,
    ) -> Result<ReviewDto, ApiError> {
        let who = self.authorize(caller, permission)?;
        let now = self.now();
        self.store.write(|db| {
            let e = self.encounter_row(db, id)?;
            if let Some(seen) = seen_hash {
                check_seen(db, &e, seen)?;
            }
            act(db, &e, &who, now)?;
            let fresh = self.encounter_row(db, id)?;
            self.review_dto(db, &fresh, &who)
        })
    }

    /// Signs a submitted intake, or the caller's amendment in progress.
    pub fn sign_intake(
        &self,
        caller: Caller<'_>,
        id: i64,
        record_hash: &str,
    ) -> Result<ReviewDto, ApiError> {
        let id = EncounterId(id);
        self.review_action(
            caller,
            Permission::SignEncounter,
            id,
            Some(record_hash),
            |db, e, who, now| {
                let (signature, record) = self.sign_record(db, e, who, now)?;
                let (action, reason) = match signature {
                    Signature::First => ("encounter.signed", None),
                    Signature::Amendment => (
                        "encounter.amended",
                        e.amending.as_ref().map(|a| a.text.clone()),
                    ),
                };
                self.audit_encounter(
                    db,
                    e,
                    who,
                    now,
                    action,
                    json!({ "recordSha256": record.sha256, "reason": reason }),
                )
            },
        )
    }

    /// Sends a submitted intake back to the nurse, as a draft, with a comment.
    pub fn return_intake(
        &self,
        caller: Caller<'_>,
        id: i64,
        comment: &str,
        record_hash: &str,
    ) -> Result<ReviewDto, ApiError> {
        let id = EncounterId(id);
        let comment = text_field("comment", "Write what the nurse should look at.", comment)?;
        self.review_action(
            caller,
            Permission::SignEncounter,
            id,
            Some(record_hash),
            |db, e, who, now| {
                if e.status != EncounterStatus::Submitted {
                    return Err(ApiError::Conflict(format!(
                        "Only a submitted intake goes back to the nurse; this one is {}.",
                        e.status.as_str().replace('_', " ")
                    )));
                }
                db.return_encounter(e.id, &comment, now, &who.actor)?;
                self.audit_encounter(
                    db,
                    e,
                    who,
                    now,
                    "encounter.returned",
                    json!({ "comment": comment }),
                )
            },
        )
    }

    /// Opens an amendment of a signed record, with its reason.
    pub fn start_amendment(
        &self,
        caller: Caller<'_>,
        id: i64,
        reason: &str,
        record_hash: &str,
    ) -> Result<ReviewDto, ApiError> {
        let id = EncounterId(id);
        let reason = text_field("reason", "Write why the record is amended.", reason)?;
        self.review_action(
            caller,
            Permission::SignEncounter,
            id,
            Some(record_hash),
            |db, e, who, now| {
                self.open_amendment(db, e, who, &reason, now)?;
                self.audit_encounter(
                    db,
                    e,
                    who,
                    now,
                    "encounter.amendment_started",
                    json!({ "reason": reason }),
                )
            },
        )
    }

    /// Ends the caller's amendment without signing: every answer goes back to the last
    /// signed version (what was changed stays in the answer history).
    pub fn discard_amendment(&self, caller: Caller<'_>, id: i64) -> Result<ReviewDto, ApiError> {
        let id = EncounterId(id);
        self.review_action(
            caller,
            Permission::SignEncounter,
            id,
            None,
            |db, e, who, now| {
                match &e.amending {
                    Some(a) if a.by == who.actor => {}
                    Some(a) => {
                        return Err(ApiError::Conflict(format!(
                            "This amendment is {}'s; only they can discard it.",
                            a.by
                        )))
                    }
                    None => {
                        return Err(ApiError::Conflict(
                            "This record has no amendment in progress.".into(),
                        ))
                    }
                }
                let restored = self.restore_signed(db, e)?;
                db.discard_amendment(e.id, now, &who.actor)?;
                self.audit_encounter(
                    db,
                    e,
                    who,
                    now,
                    "encounter.amendment_discarded",
                    json!({ "restored": restored }),
                )
            },
        )
    }

    /// Puts an open amendment's answers back as last signed (every edit undone, rows
    /// added removed, rows removed put back); returns how many answers it changed.
    fn restore_signed(&self, db: &Db<'_>, e: &EncounterRow) -> Result<usize, ApiError> {
        let events = db.encounter_events(e.id)?;
        let signed = events
            .iter()
            .rev()
            .find(|v| v.record_json.is_some())
            .ok_or_else(|| ApiError::Internal("an amended record without a signature".into()))?;
        let q = self.form(db, e.template_id)?;
        let kept = signed_answers(signed, &FormIndex::new(&q.items))?;
        let now_rows = db.answers(e.id)?;
        let mut restored = 0;
        for row in &now_rows {
            if !kept.iter().any(|k| k.key == row.key) {
                db.delete_answer(e.id, &row.key)?;
                restored += 1;
            }
        }
        for k in &kept {
            match now_rows.iter().find(|r| r.key == k.key) {
                Some(r) if same_answer(r, k) => {}
                _ => {
                    db.restore_answer(e.id, k)?;
                    restored += 1;
                }
            }
        }
        Ok(restored)
    }

    /// Marks an encounter entered in error: it stays in the history, struck through, and
    /// is never carried forward.
    pub fn mark_encounter_in_error(
        &self,
        caller: Caller<'_>,
        id: i64,
        reason: &str,
    ) -> Result<ReviewDto, ApiError> {
        let id = EncounterId(id);
        let reason = text_field(
            "reason",
            "Write why this intake was entered in error.",
            reason,
        )?;
        self.review_action(
            caller,
            Permission::MarkEncounterInError,
            id,
            None,
            |db, e, who, now| {
                if e.status == EncounterStatus::EnteredInError {
                    let by = e
                        .in_error
                        .as_ref()
                        .map(|r| format!(" by {} on {}", r.by, when(r.at)))
                        .unwrap_or_default();
                    return Err(ApiError::Conflict(format!(
                        "This intake was already marked entered in error{by}."
                    )));
                }
                // An amendment open then ends here: its unsigned edits are undone, so the
                // record (and its PDF) stays what was last signed.
                let restored = match e.amending {
                    Some(_) => Some(self.restore_signed(db, e)?),
                    None => None,
                };
                db.mark_encounter_in_error(e.id, &reason, now, &who.actor)?;
                self.audit_encounter(
                    db,
                    e,
                    who,
                    now,
                    "encounter.marked_in_error",
                    json!({ "reason": reason, "status": e.status.as_str(), "restored": restored }),
                )
            },
        )
    }
}
