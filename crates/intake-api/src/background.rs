//! The API's one background thread, started by [`Api::open`] (the desktop app and the
//! CLI): it commits the queued audit entries of reads within
//! [`FLUSH_AFTER`](crate::record::read_log::FLUSH_AFTER), and checks every signed record
//! soon after start ([`FIRST_CHECK_AFTER`]) and then daily, keeping the finding for the administrators' sign-in
//! ([`Api::record_check`]), and makes the daily backup when it is due (looking hourly;
//! `admin::daily_backup`). The check reads one visit per transaction, so the screens
//! never wait behind it for more than one visit's work.
//!
//! Dropping the API stops the thread (it finishes the visit it is checking) and commits
//! what the queue still holds.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use intake_store::prelude::*;
use intake_store::Store;

use crate::record::read_log::{ReadLog, FLUSH_AFTER};
use crate::record::seal::{signed_visits, visit_differs};
use crate::wire::admin::{RecordCheckDto, RecordMismatchDto};
use crate::{Api, ApiError, Clock};

/// How long after start the first record check runs: a short CLI command is done by
/// then, and the app's first screen is not slowed.
pub(crate) const FIRST_CHECK_AFTER: Duration = Duration::from_secs(3);

/// How often the record check runs again while the app stays open.
pub(crate) const CHECK_EVERY: Duration = Duration::from_secs(24 * 60 * 60);

/// How often the thread looks whether the daily backup is due.
pub(crate) const BACKUP_CHECK_EVERY: Duration = Duration::from_secs(60 * 60);

/// At most this many differing visits are kept for the warning (the first ones found).
const MISMATCHES_KEPT: usize = 20;

/// The last record check's finding, shared with the thread.
pub(crate) type LastCheck = Arc<Mutex<Option<RecordCheckDto>>>;

fn lock(last: &LastCheck) -> MutexGuard<'_, Option<RecordCheckDto>> {
    last.lock().unwrap_or_else(|p| p.into_inner())
}

/// The running thread and how to stop it.
pub(crate) struct Background {
    stop: Arc<AtomicBool>,
    handle: Option<JoinHandle<()>>,
}

impl Background {
    /// Starts the thread; `None` (with the reason written to stderr) if the system will
    /// not start one: reads are then committed by [`Api::flush_reads`] only.
    pub(crate) fn start(
        store: Arc<Store>,
        reads: Arc<ReadLog>,
        last: LastCheck,
        clock: Arc<dyn Clock>,
    ) -> Option<Background> {
        let stop = Arc::new(AtomicBool::new(false));
        let stopping = stop.clone();
        let spawned = std::thread::Builder::new()
            .name("intake-background".into())
            .spawn(move || run(&store, &reads, &last, clock.as_ref(), &stopping));
        match spawned {
            Ok(handle) => Some(Background {
                stop,
                handle: Some(handle),
            }),
            Err(e) => {
                eprintln!("intake: warning: the background thread did not start ({e}); read entries are committed at exit");
                None
            }
        }
    }

    /// Stops the thread and waits for it.
    pub(crate) fn stop(&mut self, reads: &ReadLog) {
        self.stop.store(true, Ordering::SeqCst);
        reads.wake.notify_all();
        if let Some(handle) = self.handle.take() {
            // A panic in the thread was already reported on stderr; nothing to add.
            let _ = handle.join();
        }
    }
}

fn flush(store: &Store, reads: &ReadLog) {
    if let Err(e) = reads.flush(store) {
        eprintln!("intake: warning: read entries wait for the next try: {e}");
    }
}

fn run(store: &Store, reads: &ReadLog, last: &LastCheck, clock: &dyn Clock, stop: &AtomicBool) {
    let mut next_check = Instant::now() + FIRST_CHECK_AFTER;
    let mut next_backup = Instant::now() + FIRST_CHECK_AFTER;
    loop {
        let due = next_check
            .min(next_backup)
            .saturating_duration_since(Instant::now());
        {
            let pending = reads.pending();
            let _unused = reads
                .wake
                .wait_timeout_while(pending, due, |p| {
                    p.is_empty() && !stop.load(Ordering::SeqCst)
                })
                .unwrap_or_else(|p| p.into_inner());
        }
        if stop.load(Ordering::SeqCst) {
            return;
        }
        if !reads.pending().is_empty() {
            // Let a burst of reads (a screen opening several things) share a commit.
            std::thread::sleep(FLUSH_AFTER);
            flush(store, reads);
        }
        if Instant::now() >= next_check {
            let found = check_records(store, clock, &mut || {
                if !reads.pending().is_empty() {
                    flush(store, reads);
                }
                !stop.load(Ordering::SeqCst)
            });
            match found {
                Ok(Some(check)) => *lock(last) = Some(check),
                Ok(None) => return,
                Err(e) => eprintln!("intake: warning: the record check could not run: {e}"),
            }
            next_check = Instant::now() + CHECK_EVERY;
        }
        if Instant::now() >= next_backup {
            if let Err(e) = crate::admin::daily_backup::run_daily(store, reads, clock) {
                eprintln!("intake: warning: the daily backup was not made: {e}");
            }
            next_backup = Instant::now() + BACKUP_CHECK_EVERY;
        }
    }
}

/// Checks every signed record, one visit per read transaction, calling `between` after
/// each (it commits waiting reads; it returns `false` to stop, and then so does this,
/// with `None`).
pub(crate) fn check_records(
    store: &Store,
    clock: &dyn Clock,
    between: &mut dyn FnMut() -> bool,
) -> Result<Option<RecordCheckDto>, ApiError> {
    let ids: Vec<_> = store
        .read(signed_visits)?
        .into_iter()
        .map(|e| e.id)
        .collect();
    let mut mismatches = Vec::new();
    let mut checked = 0;
    for id in ids {
        let found = store.read(|db| {
            let Some(e) = db.encounter(id)? else {
                return Ok::<_, ApiError>(None);
            };
            Ok(visit_differs(db, &e)?.map(|what| RecordMismatchDto::new(&e, what)))
        });
        match found {
            Ok(Some(m)) if mismatches.len() < MISMATCHES_KEPT => mismatches.push(m),
            Ok(_) => {}
            // A visit that cannot be read is a finding too, not the end of the check.
            Err(e) if mismatches.len() < MISMATCHES_KEPT => mismatches.push(RecordMismatchDto {
                encounter_id: id.0,
                mrn: String::new(),
                patient_name: String::new(),
                what: format!("this record could not be checked: {e}"),
            }),
            Err(_) => {}
        }
        checked += 1;
        if !between() {
            return Ok(None);
        }
    }
    Ok(Some(RecordCheckDto {
        at: intake_store::format_time(clock.now()),
        checked,
        mismatches,
    }))
}

impl Api {
    /// For an administrator, the finding of the last background record check (`None`
    /// for other roles, before the first check ends, or when no background thread runs).
    pub(crate) fn record_check_for(&self, role: intake_core::Role) -> Option<RecordCheckDto> {
        if role != intake_core::Role::Admin {
            return None;
        }
        lock(&self.last_check).clone()
    }

    /// Runs the record check now, in the caller's thread, and keeps its finding as the
    /// background thread does (tests; a front end that wants a fresh finding).
    pub fn run_record_check(&self) -> Result<RecordCheckDto, ApiError> {
        let check = check_records(&self.store, self.clock.as_ref(), &mut || true)?
            .ok_or_else(|| ApiError::Internal("the record check stopped".into()))?;
        *lock(&self.last_check) = Some(check.clone());
        Ok(check)
    }
}
