//! `intake verify`: is every signed record still what was signed?
//!
//! For each signed or amended visit: the newest signature's kept record hashes to the
//! hash kept beside it; the live answers (unless an amendment is open, when they are
//! being edited) give that same hash; and the audit entry of that signature names it.
//! A change made around the database's triggers (answers edited, hashes recomputed in
//! the kept record) is caught by the audit entry, whose hash chain the change would have
//! to rewrite too, and that is caught by an anchor kept outside the database
//! (`intake audit anchor`, every batch's manifest).

use std::collections::BTreeMap;

use intake_core::EncounterStatus;
use intake_store::prelude::*;
use intake_store::{AuditFilter, EncounterFilter};
use sha2::{Digest, Sha256};

use crate::permissions::Permission;
use crate::record::canonical::{canonical, RecordForm};
use crate::wire::admin::{AnchorDto, RecordMismatchDto, RecordsVerifyDto};
use crate::{Api, ApiError, Caller};

/// The audit actions that record a signature (and carry its `recordSha256`).
const SIGNATURES: [&str; 2] = ["encounter.signed", "encounter.amended"];

impl Api {
    /// Checks every signed record (see the module docs); stops at the first mismatch.
    pub fn verify_records(&self, caller: Caller<'_>) -> Result<RecordsVerifyDto, ApiError> {
        self.authorize(caller, Permission::ReadAudit)?;
        self.store.read(|db| {
            // The newest signature entry of each visit, from the audit log.
            let entries = db.list_audit(&AuditFilter {
                action_prefix: Some("encounter.".into()),
                limit: u32::MAX,
                ..Default::default()
            })?;
            let mut audited: BTreeMap<String, String> = BTreeMap::new();
            for entry in entries.iter().filter(|e| SIGNATURES.contains(&e.content.action.as_str())) {
                let (Some(id), Ok(detail)) = (
                    entry.content.entity_id.clone(),
                    serde_json::from_str::<serde_json::Value>(&entry.content.detail),
                ) else {
                    continue;
                };
                let hash = detail["recordSha256"].as_str().unwrap_or_default().to_string();
                // Newest first: keep the first seen.
                audited.entry(id).or_insert(hash);
            }
            let mut checked = 0;
            for status in [EncounterStatus::Signed, EncounterStatus::Amended] {
                let visits = db.list_encounters(&EncounterFilter {
                    status: Some(status),
                    limit: Some(u32::MAX),
                    ..Default::default()
                })?;
                for e in visits {
                    let mismatch = |what: String| RecordsVerifyDto {
                        checked,
                        mismatch: Some(RecordMismatchDto {
                            encounter_id: e.id.0,
                            mrn: e.mrn.clone(),
                            what,
                        }),
                    };
                    let events = db.encounter_events(e.id)?;
                    let Some(signature) = events.iter().rev().find(|v| v.record_json.is_some()) else {
                        return Ok(mismatch("it is signed but keeps no signed record".into()));
                    };
                    let kept = signature.record_json.as_deref().unwrap_or_default();
                    let said = signature.record_sha256.as_deref().unwrap_or_default();
                    if hex::encode(Sha256::digest(kept.as_bytes())) != said {
                        return Ok(mismatch(format!(
                            "its signed record (signature {}) no longer hashes to the hash kept with it",
                            signature.seq
                        )));
                    }
                    if e.amending.is_none() {
                        let live = canonical(&e, &db.answers(e.id)?, RecordForm::of(signature)?);
                        if live.sha256 != said {
                            return Ok(mismatch(
                                "this record differs from what was signed (its answers changed since the signature)"
                                    .into(),
                            ));
                        }
                    }
                    match audited.get(&e.id.to_string()) {
                        Some(hash) if hash == said => {}
                        Some(hash) => {
                            return Ok(mismatch(format!(
                                "the audit log recorded its signature as {hash}, but the record kept says {said}"
                            )))
                        }
                        None => {
                            return Ok(mismatch(
                                "no audit entry records its signature".into(),
                            ))
                        }
                    }
                    checked += 1;
                }
            }
            Ok(RecordsVerifyDto {
                checked,
                mismatch: None,
            })
        })
    }

    /// The audit chain's head, to keep outside the database as an anchor.
    pub fn audit_anchor(&self, caller: Caller<'_>) -> Result<Option<AnchorDto>, ApiError> {
        self.authorize(caller, Permission::ReadAudit)?;
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
