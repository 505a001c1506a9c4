//! Reading and verifying the audit log (admin). Writing it is done by each use case,
//! in its own transaction.

use intake_core::audit::ChainVerdict;
use intake_store::prelude::*;
use intake_store::AuditFilter;

use crate::permissions::Permission;
use crate::wire::admin::{AuditEntryDto, AuditFilterDto, AuditVerifyDto};
use crate::{Api, ApiError, Caller};

/// Entries listed when no limit is given, and the most one call returns.
const DEFAULT_LIMIT: u32 = 100;
const MAX_LIMIT: u32 = 10_000;
const FILTER_TEXT_MAX: usize = 200;

impl Api {
    /// Audit entries matching `filter`, newest first.
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
        let rows = self.store.read(|db| {
            let patient_id = match &mrn {
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
            let store_filter = AuditFilter {
                before_seq: filter.before_seq,
                action_prefix: text("actionPrefix", &filter.action_prefix)?,
                actor: text("actor", &filter.actor)?,
                patient_id,
                limit,
            };
            Ok::<_, ApiError>(db.list_audit(&store_filter)?)
        })?;
        Ok(rows.into_iter().map(AuditEntryDto::from).collect())
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
