//! Reading and verifying the audit log (admin). Writing it is done by each use case,
//! in its own transaction.

use std::collections::btree_map::Entry;
use std::collections::BTreeMap;

use intake_core::audit::ChainVerdict;
use intake_core::PatientId;
use intake_store::prelude::*;
use intake_store::{AuditFilter, AuditRow};

use crate::export::batch::day;
use crate::permissions::Permission;
use crate::wire::admin::{AuditEntryDto, AuditFilterDto, AuditPatientDto, AuditVerifyDto};
use crate::{Api, ApiError, Caller};

/// Entries listed when no limit is given, and the most one call returns.
const DEFAULT_LIMIT: u32 = 100;
const MAX_LIMIT: u32 = 10_000;
const FILTER_TEXT_MAX: usize = 200;

impl Api {
    /// Audit entries matching `filter`, newest first, each with its actor's display name
    /// and the patient it names (name and MRN). The filters are the store's query: a
    /// page never loads more than `limit` entries.
    pub fn list_audit(
        &self,
        caller: Caller<'_>,
        filter: &AuditFilterDto,
    ) -> Result<Vec<AuditEntryDto>, ApiError> {
        self.authorize(caller, Permission::ReadAudit)?;
        // The log as of now: reads still queued are committed first.
        self.flush_reads()?;
        let limit = filter.limit.unwrap_or(DEFAULT_LIMIT);
        if limit == 0 || limit > MAX_LIMIT {
            return Err(ApiError::invalid(
                "limit",
                format!("List between 1 and {MAX_LIMIT} entries at a time."),
            ));
        }
        let text = |field: &str, v: &Option<String>| -> Result<Option<String>, ApiError> {
            match v.as_deref().map(str::trim) {
                Some(t) if t.chars().count() > FILTER_TEXT_MAX => Err(ApiError::invalid(
                    field,
                    format!("A filter has at most {FILTER_TEXT_MAX} characters."),
                )),
                Some("") | None => Ok(None),
                Some(t) => Ok(Some(t.to_string())),
            }
        };
        let mrn = text("patientMrn", &filter.patient_mrn)?;
        let from = text("from", &filter.from)?
            .map(|d| day(&d, "from"))
            .transpose()?;
        let to = text("to", &filter.to)?.map(|d| day(&d, "to")).transpose()?;
        if let (Some(from), Some(to)) = (from, to) {
            if from > to {
                return Err(ApiError::invalid(
                    "to",
                    format!("The range ends ({to}) before it starts ({from})."),
                ));
            }
        }
        let action_prefix = text("actionPrefix", &filter.action_prefix)?;
        let action = text("action", &filter.action)?;
        let actor = text("actor", &filter.actor)?;
        self.store.read(|db| {
            let by_mrn = match &mrn {
                Some(mrn) => Some(
                    db.patient_by_mrn(mrn)?
                        .ok_or_else(|| {
                            ApiError::NotFound(format!("There is no patient with MRN {mrn}."))
                        })?
                        .id
                        .0,
                ),
                None => None,
            };
            let patient_id = match (by_mrn, filter.patient_id) {
                (Some(a), Some(b)) if a != b => {
                    return Err(ApiError::invalid(
                        "patientMrn",
                        "The MRN and the chosen patient are two different patients.",
                    ))
                }
                (a, b) => a.or(b),
            };
            // The range's days begin and end in the clinic's zone, as a batch export's do.
            let zone = crate::clock::clinic_zone(db)?;
            let store_filter = AuditFilter {
                before_seq: filter.before_seq,
                action_prefix,
                actor,
                patient_id,
                action,
                from: from.map(|d| zone.start_of(d)),
                until: to.map(|d| zone.end_of(d)),
                limit,
            };
            let rows = db.list_audit(&store_filter)?;
            named(db, rows)
        })
    }

    /// Every action the audit log holds, once each (what its action filter offers).
    pub fn list_audit_actions(&self, caller: Caller<'_>) -> Result<Vec<String>, ApiError> {
        self.authorize(caller, Permission::ReadAudit)?;
        self.flush_reads()?;
        Ok(self.store.read(|db| db.audit_actions())?)
    }

    /// Walks the whole chain and names the first entry that breaks it.
    pub fn verify_audit(&self, caller: Caller<'_>) -> Result<AuditVerifyDto, ApiError> {
        self.authorize(caller, Permission::ReadAudit)?;
        // The log as of now: reads still queued are committed first.
        self.flush_reads()?;
        let verdict = self.store.read(|db| db.verify_audit())?;
        Ok(match verdict {
            ChainVerdict::Intact { entries } => AuditVerifyDto {
                intact: true,
                entries,
                broken_at: None,
                reason: None,
            },
            ChainVerdict::Broken { seq, reason } => AuditVerifyDto {
                intact: false,
                entries: 0,
                broken_at: Some(seq),
                reason: Some(format!("entry {seq}: {reason}")),
            },
        })
    }
}

/// The listed entries with their actors' display names and their patients, each looked
/// up once per page.
fn named(db: &intake_store::Db<'_>, rows: Vec<AuditRow>) -> Result<Vec<AuditEntryDto>, ApiError> {
    let mut names: BTreeMap<String, Option<String>> = BTreeMap::new();
    let mut patients: BTreeMap<i64, Option<AuditPatientDto>> = BTreeMap::new();
    let mut out = Vec::with_capacity(rows.len());
    for row in rows {
        let mut entry = AuditEntryDto::from(row);
        entry.actor_name = match names.entry(entry.actor.clone()) {
            Entry::Occupied(known) => known.get().clone(),
            Entry::Vacant(slot) => {
                let name = db
                    .user_by_username(&entry.actor)?
                    .map(|u| u.display_name)
                    .filter(|n| !n.trim().is_empty());
                slot.insert(name).clone()
            }
        };
        if let Some(id) = entry.patient_id {
            entry.patient = match patients.entry(id) {
                Entry::Occupied(known) => known.get().clone(),
                Entry::Vacant(slot) => {
                    let patient = db.patient(PatientId(id))?.map(|p| AuditPatientDto {
                        id,
                        name: [p.fields.family.as_str(), p.fields.given.as_str()]
                            .into_iter()
                            .filter(|s| !s.is_empty())
                            .collect::<Vec<_>>()
                            .join(", "),
                        mrn: p.mrn,
                    });
                    slot.insert(patient).clone()
                }
            };
        }
        out.push(entry);
    }
    Ok(out)
}
