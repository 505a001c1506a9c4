//! The audit entries of reads: who opened which chart, kept in memory and committed in
//! batches.
//!
//! A read of a whole record (an intake, a review, a patient, their history, an answer's
//! history, a signed version) must be in the audit log, but must stay fast and must not
//! wait behind writes, so it never opens a write transaction of its own: it queues its
//! entry here ([`Api::note_read`]) and a background thread commits the queue within
//! [`FLUSH_AFTER`] (see `crate::background`), as does [`Api::flush_reads`] (called when
//! the app exits and when the API is dropped). A crash can lose the entries of the last
//! second's reads; never a write's entry, which commits with the write. A read's entry
//! keeps the time of the read, so its `at` can be a little older than the entry before
//! it in the chain.

use std::sync::{Condvar, Mutex, MutexGuard};
use std::time::Duration;

use chrono::{DateTime, Utc};
use intake_core::PatientId;
use intake_store::prelude::*;
use intake_store::{EncounterRow, NewAuditEntry, Store, StoreError};

use crate::{Api, Principal};

/// How long a read's entry may wait in memory before the background thread commits it.
pub(crate) const FLUSH_AFTER: Duration = Duration::from_millis(250);

/// One read, waiting to be written.
#[derive(Debug, Clone)]
pub(crate) struct ReadEntry {
    pub at: DateTime<Utc>,
    pub actor: String,
    pub action: &'static str,
    pub patient_id: Option<i64>,
    pub entity: &'static str,
    pub entity_id: Option<String>,
    pub detail: serde_json::Value,
}

/// The queue of reads not yet committed.
#[derive(Default)]
pub(crate) struct ReadLog {
    pending: Mutex<Vec<ReadEntry>>,
    /// Signalled when the queue gains its first entry, or when the API closes.
    pub(crate) wake: Condvar,
}

impl ReadLog {
    pub(crate) fn pending(&self) -> MutexGuard<'_, Vec<ReadEntry>> {
        self.pending.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn push(&self, entry: ReadEntry) {
        let mut pending = self.pending();
        pending.push(entry);
        if pending.len() == 1 {
            self.wake.notify_all();
        }
    }

    /// Commits every queued entry in one write transaction. If the database refuses
    /// (busy, full), the entries go back to the front of the queue, in order, for the
    /// next try, and the error is returned.
    pub(crate) fn flush(&self, store: &Store) -> Result<usize, StoreError> {
        let batch = std::mem::take(&mut *self.pending());
        if batch.is_empty() {
            return Ok(0);
        }
        let written = store.write(|db| {
            for r in &batch {
                db.append_audit(&NewAuditEntry {
                    at: r.at,
                    actor: &r.actor,
                    action: r.action,
                    patient_id: r.patient_id,
                    entity: r.entity,
                    entity_id: r.entity_id.clone(),
                    detail: r.detail.clone(),
                })?;
            }
            Ok::<_, StoreError>(batch.len())
        });
        if written.is_err() {
            let mut pending = self.pending();
            let newer = std::mem::replace(&mut *pending, batch);
            pending.extend(newer);
        }
        written
    }
}

impl Api {
    /// Queues the audit entry of a read (see the module docs); it costs the read no
    /// database work.
    pub(crate) fn note_read(
        &self,
        who: &Principal,
        action: &'static str,
        patient_id: Option<i64>,
        entity: &'static str,
        entity_id: Option<String>,
        detail: serde_json::Value,
    ) {
        self.reads.push(ReadEntry {
            at: self.now(),
            actor: who.actor.clone(),
            action,
            patient_id,
            entity,
            entity_id,
            detail,
        });
    }

    /// Queues the audit entry of a read of visit `e` (its patient named).
    pub(crate) fn note_visit_read(
        &self,
        who: &Principal,
        e: &EncounterRow,
        action: &'static str,
        detail: serde_json::Value,
    ) {
        let id = Some(e.id.to_string());
        self.note_read(who, action, Some(e.patient_id.0), "encounter", id, detail);
    }

    /// Queues the audit entry of a read of patient `id`'s chart.
    pub(crate) fn note_patient_read(&self, who: &Principal, id: PatientId, action: &'static str) {
        let entity_id = Some(id.to_string());
        self.note_read(
            who,
            action,
            Some(id.0),
            "patient",
            entity_id,
            serde_json::json!({}),
        );
    }

    /// Commits the audit entries of reads still in memory; returns how many. The
    /// desktop app calls it as it exits; dropping the API does too.
    pub fn flush_reads(&self) -> Result<usize, crate::ApiError> {
        Ok(self.reads.flush(&self.store)?)
    }
}
