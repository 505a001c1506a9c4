//! The physician's review: the queue of submitted intakes, the record with what changed
//! since the previous visit, signing, returning to the nurse, amending, and marking an
//! encounter entered in error.
//!
//! - Every action that changes a record names the record's hash the caller saw
//!   ([`crate::record::canonical`]); if the record changed since, nothing happens and the caller is
//!   told "changed since you opened it", so nobody signs what they did not read.
//! - Signing keeps the record exactly as signed (its canonical text and hash) in the
//!   encounter's events; every amendment adds another signed version, so every earlier
//!   revision can be shown again.
//! - One amendment at a time: a second physician is told who amends since when. While an
//!   amendment is open only its author changes the answers, in the intake screen; it ends
//!   by signing (status `amended`) or by discarding it (every answer put back as signed).
//! - The store's triggers refuse answer changes outside a draft or an open amendment and
//!   any status move the review does not allow, whatever the code path.

use chrono::NaiveDate;
use intake_core::encounter::{self as lifecycle, Action};
use intake_core::questionnaire::response::{evaluate, FormIndex};
use intake_core::{EncounterId, EncounterStatus};
use intake_store::prelude::*;
use intake_store::{Db, EncounterRow, QueueFilter, StoreError};
use serde_json::json;

use crate::clock::clinic_zone;
use crate::permissions::Permission;
use crate::record::answers::response_of;
use crate::record::canonical::{canonical, signed_answers, RecordForm};
use crate::record::lock::state_for;
use crate::record::problems::disabled;
use crate::record::problems::problems;
use crate::record::seal::{shown_as_differing, visit_differs};
use crate::wire::form::form_dto;
use crate::wire::review::{
    changes_dto, events, notable_dto, revision_dto, versions, AnswerRevisionDto, MayDto,
    PreviousDto, QueueDto, QueueItemDto, RecordVersionDto, ReviewDto, ReviewPatientDto,
};
use crate::{Api, ApiError, Caller, Principal};

use crate::record::answers::{answer_people, shown_response};

fn date(s: &str, field: &str) -> Result<NaiveDate, ApiError> {
    NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d")
        .map_err(|_| ApiError::invalid(field, format!("{s:?} is not a date (YYYY-MM-DD).")))
}

impl Api {
    fn may(&self, e: &EncounterRow, who: &Principal) -> MayDto {
        let state = state_for(e, who);
        let may = |action| lifecycle::may(who.role, state, action);
        MayDto {
            sign: may(Action::Sign),
            return_to_nurse: may(Action::ReturnToNurse),
            amend: may(Action::StartAmendment),
            discard_amendment: may(Action::DiscardAmendment),
            mark_in_error: may(Action::MarkInError),
            edit: may(Action::EditAnswers),
            export_pdf: may(Action::ExportPdf),
        }
    }

    /// Builds the review of encounter `e` for `who`.
    pub(crate) fn review_dto(
        &self,
        db: &Db<'_>,
        e: &EncounterRow,
        who: &Principal,
    ) -> Result<ReviewDto, ApiError> {
        let q = self.form(db, e.template_id)?;
        let index = FormIndex::new(&q.items);
        let stored = db.encounter_events(e.id)?;
        let live = db.answers(e.id)?;
        // A signed visit shows what was signed; the live answers give the hash the
        // actions check, and any difference between the two is said, not hidden.
        let differs = visit_differs(db, e)?;
        let signed = stored.iter().rev().find(|v| v.record_json.is_some());
        let rows = match signed {
            Some(event) if e.status.is_signed() && e.amending.is_none() => {
                signed_answers(event, &index)?
            }
            _ => live.clone(),
        };
        let response = response_of(&rows);
        let eval = evaluate(&index, &response);
        let changing = e.status == EncounterStatus::Draft || e.amending.is_some();
        let current = shown_response(&rows, changing.then_some(&eval.disabled));
        let previous = db
            .previous_visit(e.id)?
            .map(|id| self.encounter_row(db, id))
            .transpose()?;
        // A damaged earlier visit is named, not compared; this record still opens.
        let (previous_response, previous_damaged) = match &previous {
            None => (None, None),
            Some(p) => match db.answers(p.id) {
                // An earlier visit on another version of the form reads under this
                // version's keys (blood pressure moved into a group, a yes/no turned
                // round), matched as carry-forward matches items.
                Ok(rows) if p.template_id != e.template_id => {
                    let past = self.form(db, p.template_id)?;
                    let target = intake_core::carry_forward::Target {
                        slug: &e.template_slug,
                        version: &e.template_version,
                        form: &q,
                    };
                    let shown = shown_response(&rows, None);
                    let past_form = (
                        p.template_slug.as_str(),
                        p.template_version.as_str(),
                        &*past,
                    );
                    (
                        Some(intake_core::carry_forward::translate(
                            &target, past_form, &shown,
                        )),
                        None,
                    )
                }
                Ok(rows) => (Some(shown_response(&rows, None)), None),
                Err(StoreError::Damaged { row, .. }) => {
                    (None, Some(format!("its record is damaged ({row}).")))
                }
                Err(other) => return Err(other.into()),
            },
        };
        let zone = clinic_zone(db)?;
        let earlier = match (&previous, &previous_response) {
            (Some(p), Some(response)) => Some(intake_core::review::Earlier {
                response,
                date: zone.day_of(p.started_at),
                written_as: crate::admin::settings::date_order(db)?,
            }),
            _ => None,
        };
        let diff = intake_core::review::diff(&q, earlier, &current);
        // Days from the last visit to this one: the interval a change rule applies to.
        let days_since = earlier.map(|p| (zone.day_of(e.started_at) - p.date).num_days());
        let rules = crate::admin::settings::review_thresholds(db)?.rules();
        let notable = intake_core::review::rules::notable(&q, &diff, days_since, &rules);
        let patient = db
            .patient(e.patient_id)?
            .ok_or_else(|| ApiError::Internal("the intake's patient is missing".into()))?;
        let record = canonical(e, &live, RecordForm::current(&stored)?);
        let visit_day = zone.day_of(e.started_at);
        let visit = visit_day.format("%-d %b %Y");
        let attestation = match &e.amending {
            Some(a) => format!(
                "I have reviewed this amendment of {}'s intake of {visit} (reason: {}) and attest that the record is accurate and complete.",
                e.patient_name, a.text
            ),
            None => format!(
                "I have reviewed {}'s intake of {visit}, including every value carried forward, and attest that it is accurate and complete.",
                e.patient_name
            ),
        };
        let may = self.may(e, who);
        let mentioned = answer_people(&rows)
            .chain(stored.iter().map(|v| v.by.as_str()))
            .chain(
                [Some(e.started_by.as_str()), e.submitted_by.as_deref()]
                    .into_iter()
                    .flatten(),
            )
            .chain(e.amending.iter().map(|a| a.by.as_str()));
        let people = self.display_names(db, mentioned)?;
        Ok(ReviewDto {
            people,
            encounter: self.dto(db, e, who)?,
            patient: ReviewPatientDto {
                id: e.patient_id.0,
                name: e.patient_name.clone(),
                mrn: e.mrn.clone(),
                birth_date: patient.fields.birth_date.to_string(),
                // Their age on the day of the visit.
                age: crate::wire::patients::age(patient.fields.birth_date, visit_day),
                sex: patient.fields.sex.as_str().to_string(),
            },
            form: form_dto(&q, &e.template_slug, &e.template_version, &e.template_title),
            answers: self.answer_dtos(db, &rows)?,
            disabled: disabled(&eval),
            problems: problems(&eval, &rows, &index, &crate::clock::ClinicDays::read(db)?),
            previous: previous.map(|p| PreviousDto {
                encounter_id: p.id.0,
                date: zone.day_of(p.started_at).to_string(),
                status: p.status.as_str().to_string(),
                damaged: previous_damaged,
            }),
            changes: changes_dto(&diff, &notable, &index),
            notable: notable.iter().map(notable_dto).collect(),
            record_hash: record.sha256,
            versions: versions(&stored),
            events: events(&stored),
            attestation,
            may: MayDto {
                amend: may.amend && differs.is_none(),
                export_pdf: may.export_pdf && differs.is_none(),
                ..may
            },
            record_differs: differs.map(shown_as_differing),
        })
    }

    /// Submitted intakes waiting for review, oldest first; `from`/`to` (YYYY-MM-DD, both
    /// included) filter the submission date, `submitted_by` who submitted.
    pub fn review_queue(
        &self,
        caller: Caller<'_>,
        from: Option<&str>,
        to: Option<&str>,
        submitted_by: Option<&str>,
    ) -> Result<QueueDto, ApiError> {
        self.authorize(caller, Permission::ReviewQueue)?;
        let from = from
            .filter(|s| !s.trim().is_empty())
            .map(|s| date(s, "from"))
            .transpose()?;
        let to = to
            .filter(|s| !s.trim().is_empty())
            .map(|s| date(s, "to"))
            .transpose()?;
        if let (Some(f), Some(t)) = (from, to) {
            if f > t {
                return Err(ApiError::invalid(
                    "to",
                    format!("The range ends ({t}) before it starts ({f})."),
                ));
            }
        }
        let now = self.now();
        self.store.read(|db| {
            // Days begin and end in the clinic's zone.
            let zone = clinic_zone(db)?;
            let filter = QueueFilter {
                from: from.map(|f| zone.start_of(f)),
                until: to.map(|t| zone.end_of(t)),
                submitted_by: submitted_by
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
                    .map(str::to_string),
            };
            let today = zone.day_of(now);
            let rows = db.review_queue(&filter)?;
            let mut reasons =
                self.visit_reasons(db, rows.iter().map(|r| (r.encounter_id, r.template_id)))?;
            let mut items = Vec::new();
            for row in rows {
                let reason = reasons.remove(&row.encounter_id);
                let birth = NaiveDate::parse_from_str(&row.birth_date, "%Y-%m-%d").ok();
                items.push(QueueItemDto {
                    encounter_id: row.encounter_id.0,
                    patient_id: row.patient_id.0,
                    patient_name: row.patient_name,
                    mrn: row.mrn,
                    birth_date: birth.map(|b| b.to_string()),
                    age: birth.map(|b| crate::wire::patients::age(b, today)),
                    reason,
                    submitted_by_name: None,
                    submitted_by: row.submitted_by,
                    submitted_at: intake_store::format_time(row.submitted_at),
                    template_title: row.template_title,
                });
            }
            let submitters = db.review_submitters()?;
            let names = self.display_names(
                db,
                submitters
                    .iter()
                    .chain(items.iter().map(|i| &i.submitted_by))
                    .map(String::as_str),
            )?;
            for item in &mut items {
                item.submitted_by_name = names.get(&item.submitted_by).cloned();
            }
            Ok(QueueDto {
                items,
                submitters,
                names,
            })
        })
    }

    /// How many intakes wait for review (the badge in the navigation).
    pub fn review_count(&self, caller: Caller<'_>) -> Result<i64, ApiError> {
        self.authorize(caller, Permission::ReviewQueue)?;
        Ok(self.store.read(|db| db.review_count())?)
    }

    /// A record for the review screen (audited: who read which record, when).
    pub fn open_review(&self, caller: Caller<'_>, id: i64) -> Result<ReviewDto, ApiError> {
        let id = EncounterId(id);
        let who = self.authorize(caller, Permission::ViewEncounters)?;
        let (e, review) = self.store.read(|db| {
            let e = self.encounter_row(db, id)?;
            let review = self.review_dto(db, &e, &who)?;
            Ok::<_, ApiError>((e, review))
        })?;
        let detail = json!({ "status": e.status.as_str() });
        self.note_visit_read(&who, &e, "encounter.review_opened", detail);
        Ok(review)
    }

    /// One signed version of a record, exactly as it was signed.
    pub fn record_version(
        &self,
        caller: Caller<'_>,
        id: i64,
        version: u32,
    ) -> Result<RecordVersionDto, ApiError> {
        let id = EncounterId(id);
        let who = self.authorize(caller, Permission::ViewEncounters)?;
        let (e, shown) = self.store.read(|db| {
            let e = self.encounter_row(db, id)?;
            let stored = db.encounter_events(id)?;
            let listed = versions(&stored);
            let signed: Vec<_> = stored.iter().filter(|v| v.record_json.is_some()).collect();
            let (Some(v), Some(event)) = (
                listed.get((version as usize).wrapping_sub(1)),
                signed.get((version as usize).wrapping_sub(1)),
            ) else {
                return Err(ApiError::NotFound(format!(
                    "Intake {id} has no signed version {version} (it has {}).",
                    listed.len()
                )));
            };
            let q = self.form(db, e.template_id)?;
            let rows = signed_answers(event, &FormIndex::new(&q.items))?;
            let shown = RecordVersionDto {
                version: v.clone(),
                answers: self.answer_dtos(db, &rows)?,
            };
            Ok((e, shown))
        })?;
        let detail = json!({ "version": version });
        self.note_visit_read(&who, &e, "encounter.version_viewed", detail);
        Ok(shown)
    }

    /// Every earlier value of every answer of an encounter, oldest first per key.
    pub fn answer_history(
        &self,
        caller: Caller<'_>,
        id: i64,
    ) -> Result<Vec<AnswerRevisionDto>, ApiError> {
        let id = EncounterId(id);
        let who = self.authorize(caller, Permission::ViewEncounters)?;
        let (e, history) = self.store.read(|db| {
            let e = self.encounter_row(db, id)?;
            let q = self.form(db, e.template_id)?;
            let index = FormIndex::new(&q.items);
            let history: Vec<_> = db
                .answer_revisions(id)?
                .iter()
                .map(|r| revision_dto(r, &index))
                .collect();
            Ok::<_, ApiError>((e, history))
        })?;
        self.note_visit_read(&who, &e, "encounter.history_viewed", json!({}));
        Ok(history)
    }
}
