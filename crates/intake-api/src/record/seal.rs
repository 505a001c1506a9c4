//! Is a signed record still what was signed?
//!
//! For a signed or amended visit: the newest signature's kept record hashes to the hash
//! kept beside it; the live answers (unless an amendment is open, when they are being
//! edited) give that same hash; and the audit entry of that signature names it. A change
//! made around the database's triggers (answers edited, hashes recomputed in the kept
//! record) is caught by the audit entry, whose hash chain the change would have to
//! rewrite too, and that is caught by an anchor kept outside the database.
//!
//! `intake verify` checks every visit ([`crate::admin::verify`]); the review screen and
//! the PDF check the one they show; a background check (`crate::background`) keeps the
//! finding for the administrators' sign-in.

use std::collections::BTreeMap;

use intake_core::{EncounterId, EncounterStatus, PatientId};
use intake_store::{AuditFilter, Db, EncounterRow, StoreError};
use sha2::{Digest, Sha256};

use crate::record::canonical::{canonical, RecordForm};
use crate::ApiError;

/// The audit actions that record a signature (and carry its `recordSha256`).
const SIGNATURES: [&str; 2] = ["encounter.signed", "encounter.amended"];

/// The record hash each visit's newest signature entry names, from the audit log; of one
/// patient's visits, or of every visit.
pub(crate) fn audited_signatures(
    db: &Db<'_>,
    patient: Option<PatientId>,
) -> Result<BTreeMap<EncounterId, String>, StoreError> {
    let entries = db.list_audit(&AuditFilter {
        action_prefix: Some("encounter.".into()),
        patient_id: patient.map(|p| p.0),
        limit: u32::MAX,
        ..Default::default()
    })?;
    let mut audited = BTreeMap::new();
    for entry in entries
        .iter()
        .filter(|e| SIGNATURES.contains(&e.content.action.as_str()))
    {
        let (Some(id), Ok(detail)) = (
            entry
                .content
                .entity_id
                .as_deref()
                .and_then(|id| id.parse().ok()),
            serde_json::from_str::<serde_json::Value>(&entry.content.detail),
        ) else {
            continue;
        };
        let hash = detail["recordSha256"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        // Newest first: keep the first seen.
        audited.entry(EncounterId(id)).or_insert(hash);
    }
    Ok(audited)
}

/// What differs between signed visit `e` and what was signed, in a sentence; `None` when
/// it is as signed (or not signed at all). `audited` is the hash its signature's audit
/// entry names ([`audited_signatures`]).
pub(crate) fn record_differs(
    db: &Db<'_>,
    e: &EncounterRow,
    audited: Option<&str>,
) -> Result<Option<String>, ApiError> {
    if !e.status.is_signed() {
        return Ok(None);
    }
    let events = db.encounter_events(e.id)?;
    let Some(signature) = events.iter().rev().find(|v| v.record_json.is_some()) else {
        return Ok(Some("it is signed but keeps no signed record".into()));
    };
    let kept = signature.record_json.as_deref().unwrap_or_default();
    let said = signature.record_sha256.as_deref().unwrap_or_default();
    if hex::encode(Sha256::digest(kept.as_bytes())) != said {
        return Ok(Some(format!(
            "its signed record (signature {}) no longer hashes to the hash kept with it",
            signature.seq
        )));
    }
    if e.amending.is_none() {
        let live = canonical(e, &db.answers(e.id)?, RecordForm::of(signature)?);
        if live.sha256 != said {
            return Ok(Some("its answers changed since the signature".into()));
        }
    }
    Ok(match audited {
        Some(hash) if hash == said => None,
        Some(hash) => Some(format!(
            "the audit log recorded its signature as {hash}, but the record kept says {said}"
        )),
        None => Some("no audit entry records its signature".into()),
    })
}

/// Every signed visit, then every amended one: what a full record check walks.
pub(crate) fn signed_visits(db: &Db<'_>) -> Result<Vec<EncounterRow>, StoreError> {
    let mut out = Vec::new();
    for status in [EncounterStatus::Signed, EncounterStatus::Amended] {
        out.extend(db.list_encounters(&intake_store::EncounterFilter {
            status: Some(status),
            limit: Some(u32::MAX),
            ..Default::default()
        })?);
    }
    Ok(out)
}

/// [`record_differs`] for one visit, reading its signature's audit entry itself.
pub(crate) fn visit_differs(db: &Db<'_>, e: &EncounterRow) -> Result<Option<String>, ApiError> {
    if !e.status.is_signed() {
        return Ok(None);
    }
    let audited = audited_signatures(db, Some(e.patient_id))?;
    record_differs(db, e, audited.get(&e.id).map(String::as_str))
}

/// What a screen says under "This record differs from what was signed", from
/// [`record_differs`]'s finding.
pub(crate) fn shown_as_differing(what: String) -> String {
    let mut what = what;
    if let Some(first) = what.get(..1) {
        what.replace_range(..1, &first.to_uppercase());
    }
    format!("{what}. The signed version is shown; an administrator can run `intake verify`.")
}
