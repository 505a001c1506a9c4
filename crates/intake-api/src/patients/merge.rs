//! Two charts of one person: an administrator merges the duplicate (the merged chart)
//! into the chart that stays (the survivor), with a reason, and may undo it the same day.
//!
//! A merge is a link (`patient_merges`), never an edit: no visit, answer or signed
//! record of either chart changes, so signed visits keep verifying. After it the
//! survivor shows the visits and MRNs of both, carry-forward reads the visits of both,
//! and the merged chart says "merged into …", stays findable, and takes no new intake.
//! Both the merge and its undo are audited once per chart (`patient.merged`,
//! `patient.merge_undone`), each entry naming both charts.
//!
//! "The same day" is the API's day ([`Api::day_of`], like `today`), so it follows the
//! clinic's day boundary wherever that is decided.

use chrono::{DateTime, Utc};
use intake_core::{PatientId, Role};
use serde_json::json;

use intake_store::prelude::*;
use intake_store::{Db, MergeRow, NewAuditEntry, PatientRow, PatientStatus};

use crate::patients::register::{check_reason, may, visible};
use crate::permissions::{allows, Permission};
use crate::wire::patients::{MergeLinkDto, PatientDto, PatientSummaryDto};
use crate::{audit_entry, Api, ApiError, Caller, Principal};

/// "Kowalski, Jan (000003-4)": how a chart is named in a merge notice.
pub(crate) fn chart_label(p: &PatientRow) -> String {
    format!("{}, {} ({})", p.fields.family, p.fields.given, p.mrn)
}

/// The patient and every chart merged into it now, the patient first: whose visits its
/// screen lists and carry-forward reads.
pub(crate) fn chart_ids(db: &Db<'_>, id: PatientId) -> Result<Vec<PatientId>, ApiError> {
    let mut ids = vec![id];
    ids.extend(db.merged_from(id)?.into_iter().map(|m| m.merged));
    Ok(ids)
}

/// [`chart_ids`] of `id` from `links`, the links now touching it
/// (`merges_touching`), oldest first.
pub(crate) fn chart_ids_among(links: &[MergeRow], id: PatientId) -> Vec<PatientId> {
    let mut ids = vec![id];
    ids.extend(links.iter().filter(|m| m.survivor == id).map(|m| m.merged));
    ids
}

/// Where a chart merged into another leads, for a search result, from `links`, the
/// links now touching it, oldest first (the newest one counts, as with `merged_into`).
pub(crate) fn mark_merged_among(
    db: &Db<'_>,
    links: &[MergeRow],
    summary: &mut PatientSummaryDto,
) -> Result<(), ApiError> {
    let id = PatientId(summary.id);
    if let Some(link) = links.iter().rev().find(|m| m.merged == id) {
        if let Some(survivor) = db.patient(link.survivor)? {
            summary.merged_into = Some(chart_label(&survivor));
            summary.merged_into_id = Some(survivor.id.0);
        }
    }
    Ok(())
}

fn entry<'a>(
    now: DateTime<Utc>,
    who: &'a Principal,
    action: &'a str,
    chart: PatientId,
    detail: serde_json::Value,
) -> NewAuditEntry<'a> {
    NewAuditEntry {
        patient_id: Some(chart.0),
        ..audit_entry(
            now,
            &who.actor,
            action,
            "patient",
            Some(chart.to_string()),
            detail,
        )
    }
}

impl Api {
    /// Fills a patient's merge links, MRNs and `may` flags for its screen.
    pub(crate) fn with_merges(
        &self,
        db: &Db<'_>,
        row: &PatientRow,
        who: &Principal,
        mut dto: PatientDto,
    ) -> Result<PatientDto, ApiError> {
        // A merge may be undone on the clinic's day it was made.
        let zone = crate::clock::clinic_zone(db)?;
        let today = zone.day_of(self.now());
        let may_undo = |link: &MergeRow| {
            allows(who.role, Permission::MergePatients) && zone.day_of(link.at) == today
        };
        let link_dto = |link: &MergeRow, other: &PatientRow| MergeLinkDto {
            merge_id: link.id,
            patient: PatientSummaryDto::new(other, today),
            reason: link.reason.clone(),
            by: link.by.clone(),
            at: intake_store::format_time(link.at),
            may_undo: may_undo(link),
        };
        if let Some(link) = db.merged_into(row.id)? {
            if let Some(survivor) = db.patient(link.survivor)? {
                dto.merged_into = Some(link_dto(&link, &survivor));
            }
        }
        for link in db.merged_from(row.id)? {
            if let Some(merged) = db.patient(link.merged)? {
                dto.identifiers.push(merged.mrn.clone());
                dto.merged_from.push(link_dto(&link, &merged));
            }
        }
        if dto.merged_into.is_some() {
            dto.may.start_intake = false;
        }
        if dto.merged_into.is_some() || !dto.merged_from.is_empty() {
            dto.may.merge = false;
        }
        Ok(dto)
    }

    /// Merges chart `merged` into chart `survivor`, with a reason (administrators).
    /// Refused, with nothing written: a chart into itself, into a chart that is itself
    /// merged, a chart already merged or that others are merged into, a chart entered in
    /// error, an unknown id, an empty reason. Returns the survivor as its screen shows it.
    pub fn merge_patients(
        &self,
        caller: Caller<'_>,
        survivor: i64,
        merged: i64,
        reason: &str,
    ) -> Result<PatientDto, ApiError> {
        let who = self.authorize(caller, Permission::MergePatients)?;
        let reason = check_reason(Some(reason), "reason")?
            .ok_or_else(|| ApiError::invalid("reason", "Say why these charts are one person."))?;
        if survivor == merged {
            return Err(ApiError::invalid(
                "survivor",
                "A chart cannot be merged into itself; choose the other chart.",
            ));
        }
        let now = self.now();
        self.store.write(|db| {
            let load = |id: i64| -> Result<PatientRow, ApiError> {
                db.patient(PatientId(id))?
                    .ok_or_else(|| ApiError::NotFound(format!("There is no patient {id}.")))
            };
            let (keep, gone) = (load(survivor)?, load(merged)?);
            for p in [&keep, &gone] {
                if p.status == PatientStatus::EnteredInError {
                    return Err(ApiError::Conflict(format!(
                        "{} was entered in error; it cannot take part in a merge.",
                        chart_label(p)
                    )));
                }
            }
            if let Some(link) = db.merged_into(gone.id)? {
                let other = load(link.survivor.0)?;
                return Err(ApiError::Conflict(format!(
                    "{} is already merged into {}.",
                    chart_label(&gone),
                    chart_label(&other)
                )));
            }
            if let Some(link) = db.merged_into(keep.id)? {
                let other = load(link.survivor.0)?;
                return Err(ApiError::Conflict(format!(
                    "{} is itself merged into {}; merge into that chart instead.",
                    chart_label(&keep),
                    chart_label(&other)
                )));
            }
            if !db.merged_from(gone.id)?.is_empty() {
                return Err(ApiError::Conflict(format!(
                    "Other charts are merged into {}; undo those merges first, or merge the \
                     other way round.",
                    chart_label(&gone)
                )));
            }
            let id = db.insert_patient_merge(gone.id, keep.id, &reason, now, &who.actor)?;
            let detail = json!({
                "merge": id,
                "survivor": { "id": keep.id.0, "mrn": keep.mrn },
                "merged": { "id": gone.id.0, "mrn": gone.mrn },
                "reason": reason,
            });
            for chart in [keep.id, gone.id] {
                db.append_audit(&entry(now, &who, "patient.merged", chart, detail.clone()))?;
            }
            let today = crate::clock::clinic_zone(db)?.day_of(now);
            let dto = PatientDto::new(&keep, today, may(&keep, who.role));
            self.with_merges(db, &keep, &who, dto)
        })
    }

    /// Undoes the merge of chart `merged` (administrators, the same day it was made):
    /// both charts are as they were before it. Returns the merged chart, on its own again.
    pub fn unmerge_patient(&self, caller: Caller<'_>, merged: i64) -> Result<PatientDto, ApiError> {
        let who = self.authorize(caller, Permission::MergePatients)?;
        let now = self.now();
        self.store.write(|db| {
            let gone = db
                .patient(PatientId(merged))?
                .filter(|p| visible(p, &who))
                .ok_or_else(|| ApiError::NotFound(format!("There is no patient {merged}.")))?;
            let link = db.merged_into(gone.id)?.ok_or_else(|| {
                ApiError::Conflict(format!(
                    "{} is not merged into another chart.",
                    chart_label(&gone)
                ))
            })?;
            let zone = crate::clock::clinic_zone(db)?;
            if zone.day_of(link.at) != zone.day_of(now) {
                return Err(ApiError::Conflict(format!(
                    "This merge was made on {}; a merge can be undone only on the day it was \
                     made.",
                    zone.day_of(link.at)
                )));
            }
            let keep = db
                .patient(link.survivor)?
                .ok_or_else(|| ApiError::Internal("the surviving chart vanished".into()))?;
            if !db.undo_patient_merge(link.id, now, &who.actor)? {
                return Err(ApiError::Conflict("This merge was already undone.".into()));
            }
            let detail = json!({
                "merge": link.id,
                "survivor": { "id": keep.id.0, "mrn": keep.mrn },
                "merged": { "id": gone.id.0, "mrn": gone.mrn },
            });
            for chart in [keep.id, gone.id] {
                db.append_audit(&entry(
                    now,
                    &who,
                    "patient.merge_undone",
                    chart,
                    detail.clone(),
                ))?;
            }
            let dto = PatientDto::new(&gone, zone.day_of(now), may(&gone, who.role));
            self.with_merges(db, &gone, &who, dto)
        })
    }

    /// A chart named the way people name it: an MRN (with or without its dash) or an id.
    pub fn find_chart(&self, caller: Caller<'_>, mrn_or_id: &str) -> Result<i64, ApiError> {
        let who = self.authorize(caller, Permission::ViewPatients)?;
        let typed = mrn_or_id.trim();
        let row = self.store.read(|db| {
            if let Some(row) = db.patient_by_mrn(&typed.to_uppercase())? {
                return Ok::<_, ApiError>(Some(row));
            }
            if let Some(row) = db.patient_by_compact_mrn(&typed.replace('-', "").to_uppercase())? {
                return Ok(Some(row));
            }
            match typed.parse::<i64>() {
                Ok(id) => Ok(db.patient(PatientId(id))?),
                Err(_) => Ok(None),
            }
        })?;
        row.filter(|r| r.status == PatientStatus::Active || who.role == Role::Admin)
            .map(|r| r.id.0)
            .ok_or_else(|| ApiError::NotFound(format!("No patient has the MRN or id {typed:?}.")))
    }
}
