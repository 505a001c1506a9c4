//! A batch export of the demo register's signed visits, killed midway several times,
//! then run to its end. After each kill: no half PDF, the manifest true to the files
//! (each row's file there with its SHA-256, each row's audit anchor held by the chain),
//! and the audit consistent (one `export.pdf_batch_started` per batch that wrote
//! anything, a closing `export.pdf_batch` only for a batch that ended). After the
//! complete run the manifest lists exactly the files the folder holds, and the closing
//! entry names exactly their visits.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use intake_api::wire::AnchorDto;
use intake_api::{Api, SystemClock};
use intake_soak::folders::{self, ManifestRow};
use intake_soak::protocol::{Line, Outcome};
use intake_soak::rng::Rng;
use intake_store::prelude::*;
use intake_store::Store;

use crate::world::{self, Place, When, World, CLI};

/// Kills before the run that is let finish.
const KILLS: u64 = 3;

/// What the audit log says of batches so far.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
struct Batches {
    started: usize,
    ended: usize,
}

/// What a check found.
struct Found {
    batches: Batches,
    rows: usize,
    /// Whole PDFs by name, with their SHA-256.
    pdfs: BTreeMap<String, String>,
    leftovers: usize,
    /// Whole PDFs of a killed batch, not yet in the manifest (the next batch writes them
    /// again and lists them).
    unlisted: usize,
}

fn check(world: &Place, folder: &Path, complete: bool) -> Result<Found, String> {
    let db = world.db();
    world::check_sqlite(&db)?;
    world::check_verify(&db, true)?;
    let files = folders::scan(folder).map_err(|e| e.to_string())?;
    if !files.half.is_empty() || !files.others.is_empty() {
        return Err(format!(
            "half files {:?}, unexpected {:?}",
            files.half, files.others
        ));
    }
    let rows = folders::read_manifest(folder)?.unwrap_or_default();
    let mut listed = BTreeSet::new();
    for row in &rows {
        if !listed.insert(row.file.clone()) {
            return Err(format!("{} is listed twice", row.file));
        }
        match files.pdfs.get(&row.file) {
            Some(sha) if *sha == row.pdf_sha256 => {}
            Some(_) => return Err(format!("{} is not the PDF its row describes", row.file)),
            None => return Err(format!("{} is listed but not there", row.file)),
        }
    }
    let store = Store::open(&db).map_err(|e| e.to_string())?;
    let (started, ended) = store
        .read(|tx| {
            Ok::<_, intake_store::StoreError>((
                folders::audit_entries(tx, "export.pdf_batch_started"),
                folders::audit_entries(tx, "export.pdf_batch"),
            ))
        })
        .map_err(|e| e.to_string())?;
    let (started, ended) = (started?, ended?);
    drop(store);
    check_anchors(&db, &rows, &started)?;
    let unlisted = files.pdfs.keys().filter(|f| !listed.contains(*f)).count();
    if complete {
        if unlisted != 0 {
            return Err(format!(
                "{unlisted} PDFs are missing from the manifest after a whole batch"
            ));
        }
        let covered: BTreeSet<i64> = ended
            .last()
            .map(|e| folders::detail(e, "encounters"))
            .and_then(|v| v.as_array().cloned())
            .unwrap_or_default()
            .iter()
            .filter_map(|v| v.as_i64())
            .collect();
        let in_manifest: BTreeSet<i64> = rows.iter().map(|r| r.encounter).collect();
        if covered != in_manifest {
            return Err(format!(
                "the closing audit entry names {} visits, the manifest {}",
                covered.len(),
                in_manifest.len()
            ));
        }
    }
    Ok(Found {
        batches: Batches {
            started: started.len(),
            ended: ended.len(),
        },
        rows: rows.len(),
        pdfs: files.pdfs,
        leftovers: files.leftovers.len(),
        unlisted,
    })
}

/// Each row's anchor is an `export.pdf_batch_started` entry the chain still holds with
/// that hash (`intake verify --anchor` checks the same).
fn check_anchors(
    db: &Path,
    rows: &[ManifestRow],
    started: &[intake_store::AuditRow],
) -> Result<(), String> {
    let api = Api::open_file(db, Arc::new(SystemClock)).map_err(|e| e.to_string())?;
    let anchors: BTreeSet<&str> = rows.iter().map(|r| r.audit_anchor.as_str()).collect();
    for text in anchors {
        let anchor: AnchorDto = text.parse().map_err(|e| format!("anchor {text:?}: {e}"))?;
        if let Some(why) = api.check_anchor(CLI, &anchor).map_err(|e| e.to_string())? {
            return Err(format!("anchor {text}: {why}"));
        }
        if !started.iter().any(|e| e.content.seq == anchor.seq) {
            return Err(format!("anchor {text} is not a batch's start"));
        }
    }
    Ok(())
}

pub fn killed_batches() {
    let seed = std::env::var("INTAKE_SOAK_SEED")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(27);
    let began = Instant::now();
    let seeded = World::seeded();
    let world = seeded.place("batch");
    let folder = world.folder("pdfs");
    let mut rng = Rng::new(seed);
    let mut before = Batches::default();
    let mut pdfs_before = BTreeMap::new();
    let mut total: Option<usize> = None;
    let mut text = format!("Batch export kill test (seed {seed}):\n");
    for k in 0..=KILLS {
        let last = k == KILLS;
        let when = match (last, total) {
            (true, _) => When::Never,
            // Somewhere in the first nine tenths, so the kill comes before the end.
            (false, Some(t)) => When::AfterProgress(
                1 + rng.below((t * 9 / 10).max(1) as u64) as usize,
                Duration::from_millis(rng.below(50)),
            ),
            (false, None) => When::AfterProgress(1, Duration::from_millis(rng.below(500))),
        };
        let run = world::run(&world, "batch", &folder, seed, when);
        let progressed = run.lines.iter().find_map(|l| match l {
            Line::Progress(done, t) => Some((*done, *t)),
            _ => None,
        });
        total = total.or(progressed.map(|(_, t)| t));
        let report = run.lines.iter().find_map(|l| match l {
            Line::Ack(_, Outcome::Batch(written, skipped, failed)) => {
                Some((*written, *skipped, *failed))
            }
            _ => None,
        });
        let acked = report.is_some();
        let found = check(&world, &folder, acked).unwrap_or_else(|e| {
            panic!(
                "batch run {k} ({when:?}): {e}\nwriter log:\n{}",
                world.log_tail()
            )
        });
        assert!(
            !last || acked,
            "run {k}: the batch let run ends with its report"
        );
        let b = found.batches;
        let started_now = b.started - before.started;
        assert!(
            started_now == 1 || (started_now == 0 && progressed.is_none()),
            "run {k}: {started_now} batch starts audited (progress seen: {progressed:?})"
        );
        assert!(
            started_now == 1 || found.pdfs == pdfs_before,
            "run {k}: files changed, but no batch start was audited"
        );
        if let (Some((written, skipped, failed)), Some(t)) = (report, total) {
            assert_eq!(
                (written + skipped + failed, failed, found.rows),
                (t, 0, t),
                "run {k}: a whole batch covers every visit and lists each in the manifest"
            );
        }
        assert_eq!(
            b.ended - before.ended,
            usize::from(acked),
            "run {k}: a closing entry exactly when the batch ended"
        );
        before = b;
        pdfs_before = found.pdfs.clone();
        let last_done = run.lines.iter().rev().find_map(|l| match l {
            Line::Progress(done, _) => Some(*done),
            _ => None,
        });
        text.push_str(&format!(
            "  run {k}: {}, last progress {last_done:?} of {total:?}; {} PDFs, {} in the manifest, \
             {} not yet listed, {} temporary files left\n",
            match (acked, last) {
                (false, _) => "killed",
                (true, true) => "ran to its end",
                (true, false) => "ended before the kill came",
            },
            found.pdfs.len(),
            found.rows,
            found.unlisted,
            found.leftovers
        ));
    }
    let anchor = folders::read_manifest(&folder)
        .ok()
        .flatten()
        .and_then(|rows| rows.first().map(|r| r.audit_anchor.clone()));
    match world::cli_verify(&world, anchor.as_deref()) {
        Some(said) => text.push_str(&format!("  intake verify --anchor {anchor:?}: {said}\n")),
        None => text.push_str("  intake verify: not run (target/debug/intake not built)\n"),
    }
    text.push_str(&format!("  took {:.0} s\n", began.elapsed().as_secs_f64()));
    world::write_figures("batch.txt", &text);
}
