//! `intake verify`: is every signed record still what was signed? Each signed or
//! amended visit is checked as `crate::record::seal` describes; the first that differs
//! is named. The audit chain's head, kept outside the database, is the anchor that
//! makes a cut or rewritten log visible.

use intake_store::prelude::*;
use intake_store::{AuditFilter, Db};

use crate::permissions::Permission;
use crate::record::seal::{audited_signatures, record_differs, signed_visits};
use crate::wire::admin::{AnchorDto, RecordMismatchDto, RecordsVerifyDto};
use crate::{Api, ApiError, Caller};

impl Api {
    /// Checks every signed record (see the module docs); stops at the first mismatch.
    pub fn verify_records(&self, caller: Caller<'_>) -> Result<RecordsVerifyDto, ApiError> {
        self.authorize(caller, Permission::ReadAudit)?;
        self.store.read(records_of)
    }

    /// The audit chain's head, to keep outside the database as an anchor.
    pub fn audit_anchor(&self, caller: Caller<'_>) -> Result<Option<AnchorDto>, ApiError> {
        self.authorize(caller, Permission::ReadAudit)?;
        // The log as of now: reads still queued are committed first.
        self.flush_reads()?;
        let newest = self.store.read(|db| {
            db.list_audit(&AuditFilter {
                limit: 1,
                ..Default::default()
            })
        })?;
        Ok(newest.into_iter().next().map(|e| AnchorDto {
            seq: e.content.seq,
            hash: e.hash,
        }))
    }

    /// Whether the audit chain still holds the entry `anchor` names, with that hash: a
    /// log cut after it, or rewritten up to it, no longer does. Returns why not.
    pub fn check_anchor(
        &self,
        caller: Caller<'_>,
        anchor: &AnchorDto,
    ) -> Result<Option<String>, ApiError> {
        self.authorize(caller, Permission::ReadAudit)?;
        let entry = self.store.read(|db| {
            db.list_audit(&AuditFilter {
                before_seq: anchor.seq.checked_add(1),
                limit: 1,
                ..Default::default()
            })
        })?;
        Ok(match entry.first() {
            Some(e) if e.content.seq == anchor.seq && e.hash == anchor.hash => None,
            Some(e) if e.content.seq == anchor.seq => Some(format!(
                "entry {} no longer has the anchored hash: the log was rewritten",
                anchor.seq
            )),
            Some(e) => Some(format!(
                "the log ends at entry {}, before the anchored entry {}: it was cut",
                e.content.seq, anchor.seq
            )),
            None => Some(format!(
                "the log is empty, but entry {} was anchored: it was cut",
                anchor.seq
            )),
        })
    }
}

/// Every signed record of `db` checked (see the module docs); stops at the first mismatch.
pub(crate) fn records_of(db: &Db<'_>) -> Result<RecordsVerifyDto, ApiError> {
    let audited = audited_signatures(db, None)?;
    let mut checked = 0;
    for e in signed_visits(db)? {
        if let Some(what) = record_differs(db, &e, audited.get(&e.id).map(String::as_str))? {
            return Ok(RecordsVerifyDto {
                checked,
                mismatch: Some(RecordMismatchDto::new(&e, what)),
            });
        }
        checked += 1;
    }
    Ok(RecordsVerifyDto {
        checked,
        mismatch: None,
    })
}
