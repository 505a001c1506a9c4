//! A patients CSV file as `intake patient import` reads it
//! ([`intake_api::Api::import_patients_csv`]), on a fresh empty database each time so
//! that a finding replays from its input alone. Migrating a new database takes most of
//! a run's time, so each thread migrates one file once and every input gets a copy.

use std::cell::RefCell;
use std::sync::Arc;

use chrono::{TimeZone, Utc};
use intake_api::wire::{ImportOptions, ImportReportDto};
use intake_api::{Api, ApiError, Caller, ErrorCode, ManualClock};
use tempfile::TempDir;

const CLI: Caller<'static> = Caller::Cli("fuzz");

fn clock() -> Arc<ManualClock> {
    let now = Utc
        .with_ymd_and_hms(2026, 11, 23, 9, 0, 0)
        .single()
        .expect("a valid time");
    Arc::new(ManualClock::new(now))
}

/// A folder holding `empty.db`, a migrated empty database, and the inputs' copies.
struct Scratch {
    dir: TempDir,
}

impl Scratch {
    fn new() -> Scratch {
        // In memory where the system has a tmpfs: every import commits, and commits sync.
        let shm = std::path::Path::new("/dev/shm");
        let base = if shm.is_dir() {
            shm.to_path_buf()
        } else {
            std::env::temp_dir()
        };
        let dir = tempfile::Builder::new()
            .prefix("intake-fuzz-csv-")
            .tempdir_in(base)
            .expect("a temporary folder");
        drop(Api::open_file(&dir.path().join("empty.db"), clock()).expect("a new database"));
        Scratch { dir }
    }

    /// A copy of the empty database, opened (the previous input's copy is closed).
    fn fresh(&self) -> Api {
        let path = self.dir.path().join("input.db");
        for leftover in ["input.db-wal", "input.db-shm"] {
            let _ = std::fs::remove_file(self.dir.path().join(leftover));
        }
        std::fs::copy(self.dir.path().join("empty.db"), &path)
            .expect("a copy of the empty database");
        Api::open_file(&path, clock()).expect("the copy opens")
    }
}

thread_local! {
    static SCRATCH: RefCell<Option<Scratch>> = const { RefCell::new(None) };
}

/// A fresh, empty database with a fixed clock.
fn fresh_api() -> Api {
    SCRATCH.with(|cell| cell.borrow_mut().get_or_insert_with(Scratch::new).fresh())
}

/// The sequence number of the newest audit entry (0 in an empty log): every write of an
/// import appends one, so an unchanged number means nothing was written.
fn audit_head(api: &Api) -> i64 {
    api.audit_anchor(CLI)
        .expect("the audit log reads")
        .map_or(0, |a| a.seq)
}

/// A whole file refused: a validation error on the `file` field that says why.
fn assert_clear(e: &ApiError) {
    assert!(
        e.code() == ErrorCode::Validation && e.field() == Some("file") && !e.to_string().is_empty(),
        "a file that cannot be imported is refused as invalid, with a reason: {e:?}"
    );
}

/// What the report says happened, without the flags that tell dry runs apart.
fn outcome(r: &ImportReportDto) -> impl PartialEq + std::fmt::Debug + '_ {
    (r.imported, &r.skipped_duplicates, &r.rejected)
}

/// Imports `data` as a dry run, then for real (all or nothing), then again. Properties:
/// a refused file is a clear validation error (never an internal one, never a panic);
/// a dry run writes nothing and reports what the import does; an import with rejected
/// rows writes nothing; a committed one writes one audit entry per patient and one for
/// the import; and the same file a second time imports nobody twice.
pub fn patients_csv(data: &[u8]) {
    let api = fresh_api();
    let empty = audit_head(&api);
    let dry = api.import_patients_csv(
        CLI,
        data,
        ImportOptions {
            dry_run: true,
            skip_invalid: true,
        },
    );
    assert_eq!(audit_head(&api), empty, "a dry run writes nothing");
    let dry = match dry {
        Ok(report) => report,
        Err(e) => {
            assert_clear(&e);
            let again = api.import_patients_csv(CLI, data, ImportOptions::default());
            assert_eq!(again, Err(e), "a refused file is refused the same way");
            return;
        }
    };
    assert!(dry.dry_run && !dry.committed, "a dry run commits nothing");

    let real = api
        .import_patients_csv(CLI, data, ImportOptions::default())
        .expect("a file a dry run read is read again");
    assert!(!real.dry_run, "a real import says so");
    let written = audit_head(&api) - empty;
    if !real.rejected.is_empty() {
        assert!(!real.committed, "a rejected row stops the import");
        assert_eq!(written, 0, "a stopped import writes nothing");
        return;
    }
    assert!(real.committed, "an import without rejected rows commits");
    assert_eq!(
        outcome(&real),
        outcome(&dry),
        "the dry run reported what the import does"
    );
    let imported = i64::try_from(real.imported).expect("a count");
    assert_eq!(
        written,
        imported + 1,
        "an audit entry per patient and one for the import"
    );

    let before = audit_head(&api);
    let second = api
        .import_patients_csv(CLI, data, ImportOptions::default())
        .expect("the same file reads again");
    let written = audit_head(&api) - before;
    assert!(
        (second.committed && second.imported == 0 && written == 1)
            || (!second.committed && written == 0),
        "the same file again imports nobody twice: {second:?}"
    );
}
