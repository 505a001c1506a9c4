//! Batch export: the PDF summaries of every visit in a date range with the chosen
//! statuses, into one folder, on all cores, with progress, cancel and a manifest.
//!
//! - Workers (one per core) take the next visit, build its summary (reading through the
//!   store), render it and write it through a temporary file renamed into place, so a
//!   file in the folder is always whole. The caller's thread only reports progress.
//! - A file already in the folder whose manifest row has the same record hash, and whose
//!   bytes still hash to the row's PDF SHA-256, is the same record: it is skipped and
//!   counted as such. A file replaced since (other bytes under the same name) is
//!   rewritten, never trusted on its row alone.
//! - A write that fails (a full disk, a folder made read-only) stops the batch and names
//!   the file; a visit that cannot be summarised is listed with its reason and the
//!   batch goes on. Cancel stops after the files in progress.
//! - `manifest.csv` lists every file the folder holds from this and earlier batches
//!   (file, encounter, MRN, visit date, status, SHA-256 of the PDF and of the record,
//!   generated at), written whole at the end, also after a cancel or a stop. A cell that
//!   a spreadsheet would run as a formula (starting with `=`, `+`, `-`, `@`, a tab or a
//!   carriage return) is written with a leading `'`, which reading the manifest back
//!   removes.
//! - One audit entry per batch names the encounters it covered.
//! - Only the user who started a batch may cancel it; a call that is refused (another
//!   user, no session, a second batch while one runs) never touches the running batch
//!   or its cancel flag. The batch stops, as after a cancel, once its starter's session
//!   ends (signed out, locked, expired) or their account is disabled: workers check it
//!   before each file.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::mpsc;
use std::time::{Duration as StdDuration, Instant};

use chrono::{DateTime, NaiveDate, Utc};
use intake_core::{EncounterId, EncounterStatus};
use serde_json::json;

use crate::export::pdf::sha256_hex;

use crate::export::files::write_atomically;
use crate::permissions::Permission;
use crate::wire::export::{BatchFailureDto, BatchProgressDto, BatchReportDto, BatchRequest};
use crate::{Api, ApiError, Caller, Principal};
use intake_store::prelude::*;

pub use super::manifest::MANIFEST;
use super::manifest::{read_manifest, write_manifest, Earlier, ManifestRow};

/// A day typed in a range (`YYYY-MM-DD`); `field` names it in the refusal.
pub(crate) fn day(s: &str, field: &str) -> Result<NaiveDate, ApiError> {
    NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d")
        .map_err(|_| ApiError::invalid(field, format!("{s:?} is not a date (YYYY-MM-DD).")))
}

/// What a batch covers: visits started from `from` to `to` (both included) with one of
/// `statuses`.
pub(crate) struct Selection {
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub statuses: Vec<EncounterStatus>,
}

/// Reads a range and statuses as typed; no statuses means signed and amended.
pub(crate) fn selection(from: &str, to: &str, statuses: &[String]) -> Result<Selection, ApiError> {
    let from = day(from, "from")?;
    let to = day(to, "to")?;
    if from > to {
        return Err(ApiError::invalid(
            "to",
            format!("The range ends ({to}) before it starts ({from})."),
        ));
    }
    let mut chosen: Vec<EncounterStatus> = Vec::new();
    for s in statuses {
        let Ok(known) = EncounterStatus::parse(s.trim()) else {
            return Err(ApiError::invalid(
                "statuses",
                format!("{s:?} is not a status ({}).", EncounterStatus::words()),
            ));
        };
        chosen.push(known);
    }
    if chosen.is_empty() {
        chosen = vec![EncounterStatus::Signed, EncounterStatus::Amended];
    }
    Ok(Selection {
        from,
        to,
        statuses: chosen,
    })
}

/// The visits a selection covers, in the order a batch writes them.
fn selected_visits(db: &intake_store::Db<'_>, s: &Selection) -> Result<Vec<EncounterId>, ApiError> {
    // The range's days begin and end in the clinic's zone.
    let zone = crate::clock::clinic_zone(db)?;
    Ok(db.export_candidates(zone.start_of(s.from), zone.end_of(s.to), &s.statuses)?)
}

/// What a worker did with one visit.
enum Outcome {
    Written(ManifestRow),
    Skipped(String),
    Failed(BatchFailureDto),
    /// A write failed: the batch stops.
    Stop(BatchFailureDto),
}

/// Forgets the running batch's starter however the batch ends.
struct Running<'a>(&'a Api);

impl Drop for Running<'_> {
    fn drop(&mut self) {
        *self.0.exporting() = None;
    }
}

/// Whether two checked callers are the same user (the same account, or the same OS
/// account on the command line).
fn same_user(a: &Principal, b: &Principal) -> bool {
    a.user_id == b.user_id && a.actor == b.actor
}

impl Api {
    /// Asks the running batch to stop after the files in progress, by setting `cancel`
    /// (the flag that batch was started with). Only the user who started the batch may;
    /// anyone else is refused and the batch runs on. Answers whether a batch was running;
    /// when none runs it answers false and leaves `cancel` as it is, so a late click
    /// cannot cancel the next batch.
    pub fn cancel_export(&self, caller: Caller<'_>, cancel: &AtomicBool) -> Result<bool, ApiError> {
        let who = self.authorize(caller, Permission::ExportBatch)?;
        let running = self.exporting();
        match running.as_ref() {
            None => Ok(false),
            Some(starter) if same_user(starter, &who) => {
                cancel.store(true, Ordering::SeqCst);
                Ok(true)
            }
            Some(starter) => Err(ApiError::Forbidden(format!(
                "Only {}, who started this batch export, can cancel it.",
                starter.actor
            ))),
        }
    }

    /// Whether the user who started a batch may still run it: their session is open and
    /// their account active (the command line has no session and always may).
    fn starter_still_signed_in(&self, who: &Principal) -> bool {
        let (Some(session), Some(user)) = (who.session_id, who.user_id) else {
            return true;
        };
        self.store
            .read(|db| {
                Ok::<_, ApiError>(
                    db.session_is_open(session)? && db.user_by_id(user)?.is_some_and(|u| u.active),
                )
            })
            .unwrap_or(false)
    }
}

impl Api {
    /// How many visits a batch export of this range and these statuses would cover now:
    /// the same selection [`Api::export_batch`] writes.
    pub fn count_export(
        &self,
        caller: Caller<'_>,
        from: &str,
        to: &str,
        statuses: &[String],
    ) -> Result<usize, ApiError> {
        self.authorize(caller, Permission::ExportBatch)?;
        let chosen = selection(from, to, statuses)?;
        self.store
            .read(|db| Ok::<_, ApiError>(selected_visits(db, &chosen)?.len()))
    }

    /// Exports the summaries `request` covers into its folder; `progress` hears of each
    /// finished file (at most ten times a second, and at the end); setting `cancel`
    /// stops the batch after the files in progress.
    pub fn export_batch(
        &self,
        caller: Caller<'_>,
        request: &BatchRequest,
        cancel: &AtomicBool,
        progress: &mut dyn FnMut(&BatchProgressDto),
    ) -> Result<BatchReportDto, ApiError> {
        let who = self.authorize(caller, Permission::ExportBatch)?;
        let chosen = selection(&request.from, &request.to, &request.statuses)?;
        let (from, to) = (chosen.from, chosen.to);
        let folder = request.folder.as_path();
        crate::export::files::check_folder(folder, self.data_folder().as_deref())?;
        {
            // Decided under the lock, so a refused call never reaches `cancel`: only the
            // batch that starts here clears it.
            let mut running = self.exporting();
            if running.is_some() {
                return Err(ApiError::Conflict(
                    "A batch export is already running; wait for it or cancel it.".into(),
                ));
            }
            *running = Some(who.clone());
            cancel.store(false, Ordering::SeqCst);
        }
        let _running = Running(self);

        let started = Instant::now();
        let now = self.now();
        let statuses = &chosen.statuses;
        let (ids, paper) = self.store.read(|db| {
            let ids = selected_visits(db, &chosen)?;
            Ok::<_, ApiError>((ids, crate::admin::settings::paper_size(db)?))
        })?;
        // Audited before any file appears; its head is the anchor each new manifest row
        // carries.
        let anchor = self.store.write(|db| {
            db.append_audit(&crate::audit_entry(
                now,
                &who.actor,
                "export.pdf_batch_started",
                "export",
                None,
                json!({
                    "folder": folder.display().to_string(),
                    "from": from.to_string(),
                    "to": to.to_string(),
                    "statuses": statuses.iter().map(|s| s.as_str()).collect::<Vec<_>>(),
                    "visits": ids.len(),
                }),
            ))?;
            let head = db.list_audit(&intake_store::AuditFilter {
                limit: 1,
                ..Default::default()
            })?;
            Ok::<_, ApiError>(
                head.first()
                    .map(|e| format!("{}:{}", e.content.seq, e.hash))
                    .unwrap_or_default(),
            )
        })?;
        let mut manifest = read_manifest(folder);
        let earlier: BTreeMap<String, Earlier> = manifest
            .values()
            .map(|r| {
                let hashes = Earlier {
                    record_sha256: r.record_sha256.clone(),
                    pdf_sha256: r.pdf_sha256.clone(),
                };
                (r.file.clone(), hashes)
            })
            .collect();
        let total = ids.len();
        let next = AtomicUsize::new(0);
        let stop = AtomicBool::new(false);
        let signed_out = AtomicBool::new(false);
        let workers = std::thread::available_parallelism()
            .map_or(2, |n| n.get())
            .clamp(1, 8);
        let generated_at = intake_store::format_time(now);
        let (tx, rx) = mpsc::channel::<Outcome>();

        let mut report = BatchReportDto {
            folder: folder.display().to_string(),
            manifest: folder.join(MANIFEST).display().to_string(),
            total,
            written: 0,
            skipped: 0,
            failed: Vec::new(),
            cancelled: false,
            stopped: None,
            seconds: 0.0,
        };
        let mut covered: Vec<i64> = Vec::new();
        std::thread::scope(|scope| {
            for _ in 0..workers {
                let tx = tx.clone();
                let (next, stop, ids, earlier) = (&next, &stop, &ids, &earlier);
                let (signed_out, who) = (&signed_out, &who);
                let generated_at = generated_at.as_str();
                scope.spawn(move || loop {
                    if stop.load(Ordering::SeqCst) || cancel.load(Ordering::SeqCst) {
                        break;
                    }
                    if !self.starter_still_signed_in(who) {
                        signed_out.store(true, Ordering::SeqCst);
                        stop.store(true, Ordering::SeqCst);
                        break;
                    }
                    let i = next.fetch_add(1, Ordering::SeqCst);
                    let Some(&id) = ids.get(i) else { break };
                    let outcome = self.export_one(id, folder, paper, now, generated_at, earlier);
                    if matches!(outcome, Outcome::Stop(_)) {
                        stop.store(true, Ordering::SeqCst);
                    }
                    if tx.send(outcome).is_err() {
                        break;
                    }
                });
            }
            drop(tx);
            let mut last = Instant::now() - StdDuration::from_secs(1);
            let mut done = 0;
            for outcome in rx {
                done += 1;
                let file = match outcome {
                    Outcome::Written(mut row) => {
                        row.audit_anchor = anchor.clone();
                        report.written += 1;
                        covered.push(row.encounter);
                        let file = row.file.clone();
                        manifest.insert(file.clone(), row);
                        file
                    }
                    Outcome::Skipped(file) => {
                        report.skipped += 1;
                        if let Some(row) = manifest.get(&file) {
                            covered.push(row.encounter);
                        }
                        file
                    }
                    Outcome::Failed(f) => {
                        let file = f.file.clone();
                        report.failed.push(f);
                        file
                    }
                    Outcome::Stop(f) => {
                        let file = f.file.clone();
                        report.stopped = Some(format!("Stopped at {}: {}", f.file, f.reason));
                        report.failed.push(f);
                        file
                    }
                };
                if last.elapsed() >= StdDuration::from_millis(100) || done == total {
                    last = Instant::now();
                    let elapsed = started.elapsed().as_secs_f64();
                    progress(&BatchProgressDto {
                        done,
                        total,
                        written: report.written,
                        skipped: report.skipped,
                        failed: report.failed.len(),
                        eta_seconds: (done > 0)
                            .then(|| elapsed / done as f64 * (total - done) as f64),
                        file: Some(file),
                    });
                }
            }
        });
        if signed_out.load(Ordering::SeqCst) && report.stopped.is_none() {
            report.stopped = Some(format!(
                "Stopped: the session of {}, who started this batch, ended (signed out, \
                 locked or the account disabled).",
                who.actor
            ));
        }
        report.cancelled = cancel.load(Ordering::SeqCst)
            && report.stopped.is_none()
            && report.written + report.skipped + report.failed.len() < total;
        if let Err(e) = write_manifest(folder, &manifest) {
            report
                .stopped
                .get_or_insert(format!("The manifest could not be written: {e}"));
        }
        report.seconds = started.elapsed().as_secs_f64();
        covered.sort_unstable();
        self.store.write(|db| {
            db.append_audit(&crate::audit_entry(
                now,
                &who.actor,
                "export.pdf_batch",
                "export",
                None,
                json!({
                    "folder": report.folder,
                    "from": from.to_string(),
                    "to": to.to_string(),
                    "statuses": statuses.iter().map(|s| s.as_str()).collect::<Vec<_>>(),
                    "encounters": covered,
                    "written": report.written,
                    "skipped": report.skipped,
                    "failed": report.failed.iter().map(|f| f.encounter_id).collect::<Vec<_>>(),
                    "cancelled": report.cancelled,
                    "stopped": report.stopped,
                }),
            ))?;
            Ok::<_, ApiError>(())
        })?;
        Ok(report)
    }

    /// Exports one visit of a batch.
    fn export_one(
        &self,
        id: EncounterId,
        folder: &Path,
        paper: intake_pdf::Paper,
        now: DateTime<Utc>,
        generated_at: &str,
        earlier: &BTreeMap<String, Earlier>,
    ) -> Outcome {
        let prepared = match self.store.read(|db| self.prepare_summary(db, id)) {
            Ok(p) => p,
            Err(e) => {
                return Outcome::Failed(BatchFailureDto {
                    encounter_id: id.0,
                    file: String::new(),
                    reason: e.to_string(),
                })
            }
        };
        let file = prepared.file_name.clone();
        let record = prepared.summary.record_sha256.clone();
        if let Some(row) = earlier.get(&file) {
            if row.record_sha256 == record && row.holds(&folder.join(&file)) {
                return Outcome::Skipped(file);
            }
        }
        let bytes = match self.render_pdf(&prepared, paper, now) {
            Ok(b) => b,
            Err(e) => {
                return Outcome::Failed(BatchFailureDto {
                    encounter_id: id.0,
                    file,
                    reason: e.to_string(),
                })
            }
        };
        if let Err(e) = write_atomically(&folder.join(&file), &bytes) {
            return Outcome::Stop(BatchFailureDto {
                encounter_id: id.0,
                file,
                reason: e.to_string(),
            });
        }
        Outcome::Written(ManifestRow {
            file,
            encounter: id.0,
            mrn: prepared.mrn,
            visit_date: prepared.visit_date.to_string(),
            status: prepared.status.as_str().to_string(),
            pdf_sha256: sha256_hex(&bytes),
            record_sha256: record,
            generated_at: generated_at.to_string(),
            audit_anchor: String::new(),
        })
    }
}
