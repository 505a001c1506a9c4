//! Random kills of the mix: `INTAKE_KILLS` times (100 by default), start the writer on
//! a data folder, SIGKILL it at a random moment, reopen and check everything. Every
//! `INTAKE_KILLS_PER_FOLDER` kills (100) it moves to a fresh copy of the demo folder, so
//! a long soak checks kills on a folder of the same size instead of an ever larger one.

use std::collections::BTreeSet;
use std::path::Path;
use std::time::{Duration, Instant};

use intake_core::{EncounterId, EncounterStatus};
use intake_soak::folders;
use intake_soak::promises::Promises;
use intake_soak::protocol::Op;
use intake_soak::rng::Rng;
use intake_store::contract::{Damage, Tamper};
use intake_store::prelude::*;
use intake_store::{Db, Store};

use crate::world::{self, Place, Run, When, World};

/// Kills land this long after `ready` at most (uniformly). A use case takes a few to a
/// few tens of milliseconds in a debug build, so each run makes a few dozen calls.
const AFTER_READY_MS: u64 = 400;
/// This share of kills (percent) lands while the writer is still starting (opening the
/// folder, recovering the WAL, signing in), at most this long after it was started.
const DURING_START_PERCENT: u64 = 5;
const DURING_START_MS: u64 = 300;

#[derive(Default)]
struct Figures {
    kills: u64,
    in_write: u64,
    in_checkpoint: u64,
    in_call: u64,
    before_ready: u64,
    torn_wal: u64,
    in_flight_committed: u64,
    in_flight_not: u64,
    values_checked: u64,
    exports_checked: u64,
    leftovers: usize,
    calls: u64,
    run_time: Duration,
    check_time: Duration,
    records_checks: u64,
    folders: u64,
    cli: Option<String>,
    /// What the check said of a value changed on purpose after the last kill.
    self_test: Option<String>,
}

impl Figures {
    fn count(&mut self, run: &Run, promises: &Promises) {
        self.kills += 1;
        let locks = run.locks.unwrap_or_default();
        self.in_write += u64::from(locks.write);
        self.in_checkpoint += u64::from(locks.checkpoint);
        self.in_call += u64::from(promises.in_flight().is_some());
        self.before_ready += u64::from(!run.ready);
        self.torn_wal += u64::from(run.wal.uncommitted_frames > 0);
        self.calls += run.lines.len() as u64;
        self.run_time += run.took;
    }

    fn report(&self, p: &Promises, seed: u64, took: Duration) -> String {
        let share = |n: u64| 100.0 * n as f64 / self.kills.max(1) as f64;
        let per = |m: &std::collections::BTreeMap<&str, u64>| {
            m.iter()
                .map(|(k, v)| format!("{k} {v}"))
                .collect::<Vec<_>>()
                .join(", ")
        };
        format!(
            "Kill test (seed {seed}): {kills} kills in {secs:.0} s, on {folders} copies of the demo folder\n\
             \x20 inside a write transaction (SQLite write lock held): {w} ({ws:.1} %)\n\
             \x20 inside a use case call (begin printed, no ack):      {c} ({cs:.1} %)\n\
             \x20 inside a checkpoint: {ck}; before `ready`: {br}; WAL with uncommitted frames: {tw}\n\
             \x20 interrupted calls found committed: {ic}, rolled back: {inot}\n\
             \x20 acknowledged saves: {saves}; acknowledged values checked: {vals}; lost: 0\n\
             \x20 acknowledged exports checked: {ex}; temporary files left by killed exports: {lo}\n\
             \x20 integrity_check and audit chain after every kill; all signed records after {rc} kills\n\
             \x20 acknowledged calls: {acked}\n\
             \x20 refused calls: {refused}\n\
             \x20 per kill: {run:.0} ms writer (start, run, kill), {check:.0} ms checks\n\
             \x20 intake verify on the last folder: {cli}\n\
             \x20 self-test (a saved value changed on purpose after the last kill) reported: {st}\n",
            kills = self.kills,
            secs = took.as_secs_f64(),
            w = self.in_write,
            ws = share(self.in_write),
            c = self.in_call,
            cs = share(self.in_call),
            ck = self.in_checkpoint,
            br = self.before_ready,
            tw = self.torn_wal,
            ic = self.in_flight_committed,
            inot = self.in_flight_not,
            saves = p.acked_saves,
            vals = self.values_checked,
            ex = self.exports_checked,
            lo = self.leftovers,
            rc = self.records_checks,
            folders = self.folders,
            cli = self.cli.as_deref().unwrap_or("not run"),
            st = self.self_test.as_deref().unwrap_or("not run (no draft held a saved value)"),
            acked = per(&p.acked),
            refused = per(&p.refused),
            run = self.run_time.as_secs_f64() * 1000.0 / self.kills.max(1) as f64,
            check = self.check_time.as_secs_f64() * 1000.0 / self.kills.max(1) as f64,
        )
    }
}

/// The single exports' folder: no half PDF, nothing unexpected, and every PDF there was
/// audited (`export.pdf` names its SHA-256). Returns the temporary files left over.
fn check_exports(db: &Db<'_>, dir: &Path) -> Result<usize, Vec<String>> {
    let folder = folders::scan(dir).map_err(|e| vec![e.to_string()])?;
    let audited: BTreeSet<String> = folders::audit_entries(db, "export.pdf")
        .map_err(|e| vec![e])?
        .iter()
        .filter_map(|e| folders::detail(e, "pdfSha256").as_str().map(str::to_string))
        .collect();
    let mut broken: Vec<String> = folder
        .half
        .iter()
        .map(|f| format!("{f} is not a whole PDF"))
        .collect();
    broken.extend(folder.others.iter().map(|f| format!("unexpected file {f}")));
    for (file, sha) in &folder.pdfs {
        if !audited.contains(sha) {
            broken.push(format!("{file} has no export.pdf audit entry"));
        }
    }
    if broken.is_empty() {
        Ok(folder.leftovers.len())
    } else {
        Err(broken)
    }
}

/// A check is only worth its silence if it speaks: one promised value of a draft changed
/// behind the API's back (as the `sqlite3` shell would, triggers off) must be reported as
/// lost. Returns what was reported (`None`: no draft held a promised value).
fn the_check_sees_a_lost_save(place: &Place, promises: &mut Promises) -> Option<String> {
    let (visit, key, _) = promises.a_promised_value(EncounterStatus::Draft)?;
    let key = key.to_string();
    let store = Store::open(&place.db()).expect("the folder opens");
    store
        .plant(&Damage::AnswerValues {
            encounter: EncounterId(visit),
            key: key.clone(),
            text: r#"[{"valueString":"not what was saved"}]"#.into(),
        })
        .expect("the value is changed");
    let found = store
        .read(|tx| Ok::<_, intake_store::StoreError>(promises.check(tx)))
        .expect("the folder reads");
    let lost = found.expect_err("a changed value is reported as lost");
    assert!(
        lost.iter().any(|l| l.contains(&key)),
        "the report names {key}: {lost:?}"
    );
    Some(lost.join("; "))
}

fn env_number(name: &str) -> Option<u64> {
    std::env::var(name).ok().and_then(|v| v.parse().ok())
}

/// Whether the interrupted call could have touched a signature's seal: every signed
/// record is verified after such a kill (and after the last kill on each folder), not
/// after every kill, because verifying them all takes about 5 ms per signed visit in a
/// debug build (1.5 s on the demo folder). A call that committed before the kill cannot
/// change a seal; one cut short rolls back as a whole, which the other checks see.
fn touches_a_seal(op: Option<&Op>) -> bool {
    matches!(
        op,
        Some(Op::Sign { .. } | Op::Amend { .. } | Op::Discard { .. })
    )
}

pub fn random_kills() {
    let kills = env_number("INTAKE_KILLS").unwrap_or(100);
    let per_place = env_number("INTAKE_KILLS_PER_FOLDER").unwrap_or(100).max(1);
    let seed = env_number("INTAKE_SOAK_SEED").unwrap_or_else(|| {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(1, |d| d.as_secs())
    });
    let started = Instant::now();
    let world = World::seeded();
    let mut rng = Rng::new(seed);
    let mut figures = Figures::default();
    let mut all = Promises::default();
    let mut i = 0;
    while i < kills {
        let place = world.place(&format!("folder-{}", i / per_place));
        let exports = place.folder("exports");
        let db = place.db();
        let mut promises = Promises::default();
        let end = (i + per_place).min(kills);
        for i in i..end {
            let writer_seed = seed.wrapping_mul(1_000_003).wrapping_add(i);
            let when = if rng.chance(DURING_START_PERCENT) {
                When::FromStart(Duration::from_millis(rng.below(DURING_START_MS)))
            } else {
                When::AfterReady(Duration::from_millis(rng.below(AFTER_READY_MS)))
            };
            let run = world::run(&place, "mix", &exports, writer_seed, when);
            assert!(
                run.locks.is_some(),
                "kill {i}: the writer ended by itself (seed {writer_seed}):\n{}",
                place.log_tail()
            );
            for line in &run.lines {
                promises.hear(line);
                all.hear(line);
            }
            figures.count(&run, &promises);
            let interrupted = promises.in_flight().map(ToString::to_string);
            let records = touches_a_seal(promises.in_flight()) || i + 1 == end;
            let checking = Instant::now();
            let fail = |what: String| -> ! {
                panic!(
                    "kill {i} (seed {seed}, writer seed {writer_seed}, {when:?}, interrupted: \
                     {interrupted:?}): {what}\nwriter log:\n{}",
                    place.log_tail()
                )
            };
            world::check_sqlite(&db).unwrap_or_else(|e| fail(e));
            let (_, verified) = world::check_verify(&db, records).unwrap_or_else(|e| fail(e));
            let store = Store::open(&db).unwrap_or_else(|e| fail(e.to_string()));
            let (checked, leftovers) = store
                .read(|tx| {
                    Ok::<_, intake_store::StoreError>((
                        promises.check(tx),
                        check_exports(tx, &exports),
                    ))
                })
                .unwrap_or_else(|e| fail(e.to_string()));
            drop(store);
            let checked =
                checked.unwrap_or_else(|lost| fail(format!("LOST: {}", lost.join("\n  "))));
            let leftovers = leftovers.unwrap_or_else(|e| fail(e.join("\n  ")));
            figures.check_time += checking.elapsed();
            figures.values_checked += checked.values;
            figures.exports_checked += checked.exports;
            figures.records_checks += u64::from(verified.is_some());
            match checked.in_flight_committed {
                Some(true) => figures.in_flight_committed += 1,
                Some(false) => figures.in_flight_not += 1,
                None => {}
            }
            if i + 1 == end {
                figures.leftovers += leftovers;
                figures.folders += 1;
            }
        }
        eprintln!(
            "kill test: {end} of {kills} kills, {:.0} s",
            started.elapsed().as_secs_f64()
        );
        if end == kills {
            let said = world::cli_verify(&place, None);
            figures.cli =
                Some(said.unwrap_or_else(|| "not run (target/debug/intake not built)".into()));
            figures.self_test = the_check_sees_a_lost_save(&place, &mut promises);
        }
        i = end;
    }
    let text = figures.report(&all, seed, started.elapsed());
    world::write_figures("kills.txt", &text);
    assert!(
        figures.in_write * 100 >= figures.kills * 30,
        "only {} of {} kills landed inside a write transaction (the target is 30 %)",
        figures.in_write,
        figures.kills
    );
}
