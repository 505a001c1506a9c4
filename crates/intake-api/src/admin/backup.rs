//! `intake backup`: a consistent copy of a workstation's database while the app runs,
//! checked before it is reported (SQLite's integrity check, the audit chain from its
//! first entry, every signed record), and audited in the live log naming the chain head
//! the copy holds (also written beside it, `FILE.head`), so a later restore to that point
//! is visible. A clinic server is
//! backed up with PostgreSQL's own tools (`pg_dump`, a standby), not this.

use std::path::Path;

use chrono::{DateTime, Utc};
use intake_core::audit::ChainVerdict;
use intake_store::prelude::*;
use intake_store::{AuditFilter, SqliteStore, Store, StoreError};
use serde_json::json;

use crate::admin::verify::records_of;
use crate::permissions::Permission;
use crate::record::read_log::ReadLog;
use crate::wire::admin::{AnchorDto, BackupDto};
use crate::{audit_entry, Api, ApiError, Caller};

/// The backup's sidecar: `monday.db.head` holds the chain head `SEQ:HASH` of
/// `monday.db`, as `intake verify --anchor` takes it; `intake restore` checks it.
pub(super) const HEAD_SUFFIX: &str = ".head";

impl Api {
    /// Backs the workstation's database up to `out` (a new file in an existing folder)
    /// and checks the copy; administrators only.
    pub fn backup(&self, caller: Caller<'_>, out: &Path) -> Result<BackupDto, ApiError> {
        let who = self.authorize(caller, Permission::ManageSettings)?;
        make_backup(&self.store, &self.reads, out, &who.actor, self.now())
    }
}

/// Makes a backup of `store` at `out`, checks it, writes its `.head` file and logs it as
/// `actor`: what `intake backup` and the app's daily backup share.
pub(crate) fn make_backup(
    store: &Store,
    reads: &ReadLog,
    out: &Path,
    actor: &str,
    now: DateTime<Utc>,
) -> Result<BackupDto, ApiError> {
    let Store::Sqlite(file) = store else {
        return Err(ApiError::Conflict(
            "This clinic's records are on the clinic server: back it up there with \
             PostgreSQL's own tools (pg_dump on a schedule, a standby), as the README's \
             \"A clinic with several workstations\" says. intake backup copies a \
             workstation's own database."
                .into(),
        ));
    };
    // The log as of now: reads still queued are committed first.
    reads.flush(store)?;
    let bytes = file.backup_into(out).map_err(|e| {
        let why = match e {
            StoreError::Refused { why } => why,
            other => other.to_string(),
        };
        ApiError::invalid("out", format!("No backup was made: {why}."))
    })?;
    let made = check_copy(out, bytes).map_err(|e| {
        ApiError::Internal(format!(
            "The backup {} was written but does not check out, so do not rely on it: {e}",
            out.display()
        ))
    })?;
    if let Some(head) = &made.head {
        let mut sidecar = out.as_os_str().to_owned();
        sidecar.push(HEAD_SUFFIX);
        crate::export::files::write_atomically(
            Path::new(&sidecar),
            format!("{head}\n").as_bytes(),
        )?;
    }
    let detail = json!({
        "file": made.path,
        "bytes": made.bytes,
        "head": made.head.as_ref().map(|h| h.to_string()),
        "records": made.records_checked,
    });
    store.write(|db| {
        db.append_audit(&audit_entry(
            now,
            actor,
            "database.backed_up",
            "database",
            None,
            detail,
        ))
    })?;
    Ok(made)
}

/// Opens the copy at `path` (`bytes` long) read-only and checks it: its chain from the
/// first entry to its head, and every signed record.
pub(super) fn check_copy(path: &Path, bytes: u64) -> Result<BackupDto, ApiError> {
    let copy = SqliteStore::open_read_only(path)?;
    copy.read(|db| {
        let entries = match db.verify_audit()? {
            ChainVerdict::Intact { entries } => entries,
            ChainVerdict::Broken { seq, reason } => {
                return Err(ApiError::Internal(format!(
                    "its audit chain breaks at entry {seq} ({reason})"
                )))
            }
        };
        let records = records_of(db)?;
        if let Some(m) = records.mismatch {
            return Err(ApiError::Internal(format!(
                "visit {} (MRN {}) differs from what was signed: {}",
                m.encounter_id, m.mrn, m.what
            )));
        }
        let head = head_in(db)?;
        Ok(BackupDto {
            path: path.display().to_string(),
            bytes,
            head,
            audit_entries: entries,
            records_checked: records.checked,
        })
    })
}

/// The newest audit entry of `db` as an anchor (`None` in a database without entries).
pub(super) fn head_in(db: &intake_store::Db<'_>) -> Result<Option<AnchorDto>, StoreError> {
    Ok(db
        .list_audit(&AuditFilter {
            limit: 1,
            ..Default::default()
        })?
        .into_iter()
        .next()
        .map(|e| AnchorDto {
            seq: e.content.seq,
            hash: e.hash,
        }))
}
