//! `intake verify` on 1,000 signed visits, and what the audit entry of a save adds.
//!
//! The database is built once through the API and kept in `target/bench-data/verify/`
//! (a data folder: `intake.db`), as the desktop app would leave it: the demo accounts and
//! demo register, then 500 patients with a first visit (reason, vitals, review of
//! systems, PHQ-2, allergies, medicines, history, social history, immunization,
//! insurance, typed by the demo nurse) and a repeat visit carried from it (carried
//! answers confirmed, new reason and vitals, a medicine added), every visit submitted,
//! reviewed and signed by the demo physician. Delete the folder to build it again.
//!
//! `verify`: what `intake verify` runs (crates/intake-cli: the audit chain check, then
//! `Api::verify_records`), through the API in this process; p50/p95/p99 printed, then
//! criterion's report. Target (issue 23): at most 2 s in release. When
//! `target/release/intake` exists (`cargo build --release -p intake-cli`), the real
//! binary is also run once on the folder and its wall time printed (process start,
//! opening the data folder and printing included).
//!
//! `save_audit`: every save writes one `encounter.saved` entry in its own transaction.
//! On a copy of the same database (so the kept one does not grow), three things are
//! timed: a write transaction that only touches a draft (what any save commits anyway,
//! each with a new time so that it really writes),
//! the same transaction plus one `encounter.saved` entry (the difference is the entry's
//! cost: reading the chain head, hashing, one insert; the commit and its fsync are paid
//! once either way), and `Api::save_intake` of one field by the nurse, whole. Target
//! (issues 4 and 23): save one field p99 at most 5 ms.
//!
//! A filter (`cargo bench -p intake-api --bench verify -- save_audit`) skips, as
//! criterion does, every part whose benchmark name does not contain it.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;
use std::time::{Duration, Instant};

use criterion::Criterion;
use intake_api::wire::{ChangeDto, ConfirmDto, PatientInputDto, SettingsUpdate};
use intake_api::{Api, Caller, DataDir, SystemClock};
use intake_core::EncounterId;
use intake_store::prelude::*;
use intake_store::{NewAuditEntry, Store};
use serde_json::json;

mod support;
use support::{Changes, Options};

const CLI: Caller<'static> = Caller::Cli("bench");
const PATIENTS: usize = 500;

fn percentiles(name: &str, mut samples: Vec<Duration>) -> [Duration; 3] {
    samples.sort();
    let at = |q: f64| samples[((samples.len() as f64 - 1.0) * q).round() as usize];
    println!(
        "{name:<52} p50 {:>8.2} ms  p95 {:>8.2} ms  p99 {:>8.2} ms  (n={})",
        at(0.50).as_secs_f64() * 1e3,
        at(0.95).as_secs_f64() * 1e3,
        at(0.99).as_secs_f64() * 1e3,
        samples.len()
    );
    [at(0.50), at(0.95), at(0.99)]
}

fn time(n: usize, mut f: impl FnMut(usize)) -> Vec<Duration> {
    (0..n)
        .map(|i| {
            let start = Instant::now();
            f(i);
            start.elapsed()
        })
        .collect()
}

/// The benchmark filter on the command line, if any (criterion's options that take a
/// value skipped, as in benches/intake.rs).
fn filter() -> Option<String> {
    const VALUE_OPTIONS: [&str; 20] = [
        "-c",
        "--color",
        "--colour",
        "-s",
        "--save-baseline",
        "-b",
        "--baseline",
        "--baseline-lenient",
        "--format",
        "--profile-time",
        "--load-baseline",
        "--sample-size",
        "--warm-up-time",
        "--measurement-time",
        "--nresamples",
        "--noise-threshold",
        "--confidence-level",
        "--significance-level",
        "--plotting-backend",
        "--output-format",
    ];
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        if VALUE_OPTIONS.contains(&arg.as_str()) {
            args.next();
        } else if !arg.starts_with('-') {
            return Some(arg);
        }
    }
    None
}

fn wanted(name: &str) -> bool {
    filter().is_none_or(|f| name.contains(&f))
}

/// The medication rows this bench adds.
trait Medication {
    fn medication(&mut self, o: &Options, row: usize, name: &str, dose: f64);
}

impl Medication for Changes<'_> {
    fn medication(&mut self, o: &Options, row: usize, name: &str, dose: f64) {
        let m = format!("medications/medication[{row}]");
        self.row(&m);
        self.text(&format!("{m}/med-name"), name);
        self.decimal(&format!("{m}/med-dose"), dose);
        self.put(&format!("{m}/med-unit"), vec![o.get("med-unit", "mg")]);
        self.put(
            &format!("{m}/med-frequency"),
            vec![o.get("med-frequency", "once-daily")],
        );
        self.put(&format!("{m}/med-route"), vec![o.get("med-route", "oral")]);
    }
}

/// What the nurse types at every visit.
fn every_visit(c: &mut Changes<'_>, o: &Options, n: usize) {
    c.text(
        "visit/reason",
        &format!("Follow-up of blood pressure ({n}); morning headaches for two weeks."),
    );
    c.decimal("vitals/height", 155.0 + (n % 40) as f64);
    c.decimal("vitals/weight", 58.0 + (n % 45) as f64 + 0.5);
    c.decimal("vitals/temperature", 36.4 + (n % 6) as f64 / 10.0);
    c.integer("vitals/pulse", 62 + (n % 30) as i64);
    c.integer("vitals/bp/systolic", 112 + (n % 40) as i64);
    c.integer("vitals/bp/diastolic", 70 + (n % 20) as i64);
    c.integer("vitals/spo2", 95 + (n % 5) as i64);
    c.boolean("ros/ros-fever", false);
    c.boolean("ros/ros-chest-pain", false);
    c.boolean("ros/ros-headache", n.is_multiple_of(3));
    c.boolean("ros/ros-cough", n % 4 == 1);
    c.text(
        "ros/ros-notes",
        "Symptoms ease by midday; paracetamol helps.",
    );
    let phq = ["LA6568-5", "LA6569-3", "LA6570-1"];
    c.put(
        "phq2/phq2-interest",
        vec![o.get("phq2-interest", phq[n % 3])],
    );
    c.put("phq2/phq2-mood", vec![o.get("phq2-mood", phq[(n / 3) % 3])]);
}

/// What the nurse types at a first visit, besides [`every_visit`].
fn first_visit(c: &mut Changes<'_>, o: &Options, p: usize) {
    c.boolean("allergies/any-allergies", true);
    c.row("allergies/allergy[1]");
    c.text("allergies/allergy[1]/allergy-substance", "Penicillin");
    c.text(
        "allergies/allergy[1]/allergy-reaction",
        "Hives and facial swelling",
    );
    c.put(
        "allergies/allergy[1]/allergy-severity",
        vec![o.get("allergy-severity", "moderate")],
    );
    c.boolean("medications/any-medications", true);
    c.medication(o, 1, "Lisinopril", 10.0);
    c.medication(o, 2, "Atorvastatin", 20.0);
    c.row("history/pmh[1]");
    c.text("history/pmh[1]/pmh-condition", "Hypertension");
    c.date("history/pmh[1]/pmh-since", "2019-05");
    c.put("social/tobacco", vec![o.get("tobacco", "never")]);
    c.put("social/alcohol", vec![o.get("alcohol", "occasional")]);
    c.text("social/occupation", "Secondary-school teacher");
    c.row("immunizations/immunization[1]");
    c.text("immunizations/immunization[1]/imm-vaccine", "Influenza");
    c.date("immunizations/immunization[1]/imm-date", "2025-10-12");
    c.text("insurance/insurer", "Blue River Health");
    c.text("insurance/policy-number", &format!("BRH-22-{p:04}-09"));
}

/// Enters, submits and signs one visit (`repeat`: carried from the first, confirmed).
fn visit(
    api: &Api,
    nurse: Caller<'_>,
    physician: Caller<'_>,
    o: &Options,
    pid: i64,
    p: usize,
    repeat: bool,
) {
    let e = api.start_intake(nurse, pid, None, None).expect("start");
    let opened = api.open_intake(nurse, e.id).expect("open");
    let revs: BTreeMap<String, i64> = opened
        .answers
        .iter()
        .map(|a| (a.key.clone(), a.rev))
        .collect();
    let confirms: Vec<ConfirmDto> = opened
        .answers
        .iter()
        .filter(|a| a.needs_confirmation)
        .map(|a| {
            serde_json::from_value(json!({ "key": a.key, "baseRev": a.rev })).expect("confirm")
        })
        .collect();
    if !confirms.is_empty() {
        api.confirm_intake(nurse, e.id, &confirms).expect("confirm");
    }
    let mut c = Changes {
        revs: &revs,
        list: Vec::new(),
    };
    every_visit(&mut c, o, 2 * p + usize::from(repeat));
    if repeat {
        c.medication(o, 3, "Amlodipine", 5.0);
    } else {
        first_visit(&mut c, o, p);
    }
    api.save_intake(nurse, e.id, &c.list, None).expect("save");
    let submitted = api.submit_intake(nurse, e.id).expect("submit");
    assert!(
        submitted.submitted,
        "visit of patient {p} submits: {:?}",
        submitted
            .problems
            .iter()
            .filter(|x| x.severity == "error")
            .map(|x| format!("{}: {}", x.key, x.message))
            .collect::<Vec<_>>()
    );
    let hash = api
        .open_review(physician, e.id)
        .expect("review")
        .record_hash;
    api.sign_intake(physician, e.id, &hash).expect("sign");
}

/// The data folder with 1,000 signed bench visits (plus the demo's), built once.
fn data_folder() -> PathBuf {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../target/bench-data");
    let dir = root.join("verify");
    let ready = root.join("verify.ready");
    if ready.exists() {
        return dir;
    }
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("bench data folder");
    let started = Instant::now();
    let api = Api::open(&DataDir::at(&dir), Arc::new(SystemClock)).expect("open");
    intake_demo::seed_demo(&api, CLI).expect("demo");
    api.update_settings(
        CLI,
        &SettingsUpdate {
            session_timeout_seconds: Some(43_200),
            ..Default::default()
        },
    )
    .expect("settings");
    let token = |name: &str| api.sign_in(name, "demo").expect("sign in").token;
    let (nurse, physician) = (token("nurse"), token("physician"));
    let (nurse, physician) = (Caller::Session(&nurse), Caller::Session(&physician));
    let options = Options::load();
    let patients: Vec<i64> = (0..PATIENTS)
        .map(|p| {
            let input = PatientInputDto {
                family: format!("Verify{p:04}"),
                given: "Zoë".into(),
                birth_date: (chrono::NaiveDate::from_ymd_opt(1940, 1, 1).expect("a date")
                    + chrono::Duration::days(23 * p as i64))
                .to_string(),
                sex: if p.is_multiple_of(2) {
                    "female"
                } else {
                    "male"
                }
                .into(),
                ..Default::default()
            };
            api.register_patient(CLI, &input, Some("bench"))
                .expect("patient")
                .patient
                .expect("saved")
                .id
        })
        .collect();
    for repeat in [false, true] {
        for (p, &pid) in patients.iter().enumerate() {
            visit(&api, nurse, physician, &options, pid, p, repeat);
        }
    }
    drop(api); // the last connection closes: the WAL is checkpointed into intake.db
    eprintln!(
        "built {} signed bench visits (plus the demo's) in {:.1} s",
        2 * PATIENTS,
        started.elapsed().as_secs_f64()
    );
    std::fs::write(&ready, b"").expect("marker");
    dir
}

/// What `intake verify` does after opening the folder: the chain, then every record.
fn verify(api: &Api) -> (u64, usize) {
    let chain = api.verify_audit(CLI).expect("verify audit");
    assert!(chain.intact, "the audit log is intact: {chain:?}");
    let records = api.verify_records(CLI).expect("verify records");
    assert_eq!(records.mismatch, None, "every record is as signed");
    (chain.entries, records.checked)
}

fn verify_part(dir: &Path, c: &mut Criterion) {
    let api = Api::open(&DataDir::at(dir), Arc::new(SystemClock)).expect("open");
    let (entries, checked) = verify(&api);
    println!("verify: {checked} signed records, {entries} audit entries");
    assert!(checked >= 1000, "at least 1,000 signed visits: {checked}");
    percentiles(
        "verify: audit chain + every signed record (API)",
        time(20, |_| {
            verify(&api);
        }),
    );
    percentiles(
        "  of which the audit chain",
        time(20, |_| {
            api.verify_audit(CLI).expect("chain");
        }),
    );
    percentiles(
        "  of which the records",
        time(20, |_| {
            api.verify_records(CLI).expect("records");
        }),
    );
    let mut group = c.benchmark_group("verify");
    group.sample_size(10);
    group.bench_function("chain + records", |b| b.iter(|| verify(&api)));
    group.finish();

    let binary = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../target/release/intake");
    if !binary.exists() {
        println!("SKIPPED the intake binary: build it with `cargo build --release -p intake-cli`");
        return;
    }
    for run in 1..=3 {
        let start = Instant::now();
        let out = Command::new(&binary)
            .arg("--data-dir")
            .arg(dir)
            .arg("verify")
            .output()
            .expect("runs target/release/intake");
        let took = start.elapsed();
        assert!(
            out.status.success(),
            "intake verify succeeds: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        println!(
            "target/release/intake --data-dir … verify, run {run}: {:.3} s wall  ({})",
            took.as_secs_f64(),
            String::from_utf8_lossy(&out.stdout).trim()
        );
    }
}

fn save_audit_part(dir: &Path, c: &mut Criterion) {
    let copy = tempfile::tempdir().expect("temp dir");
    for file in ["intake.db", "intake.db-wal"] {
        if dir.join(file).exists() {
            std::fs::copy(dir.join(file), copy.path().join(file)).expect("copy");
        }
    }
    let api = Api::open(&DataDir::at(copy.path()), Arc::new(SystemClock)).expect("open");
    let token = api.sign_in("nurse", "demo").expect("sign in").token;
    let nurse = Caller::Session(&token);
    let pid = api
        .register_patient(
            CLI,
            &PatientInputDto {
                family: "Saver".into(),
                given: "Mark".into(),
                birth_date: "1970-01-01".into(),
                sex: "female".into(),
                ..Default::default()
            },
            Some("bench"),
        )
        .expect("patient")
        .patient
        .expect("saved")
        .id;
    let draft = api.start_intake(nurse, pid, None, None).expect("start").id;
    let store = Store::open(&copy.path().join("intake.db")).expect("the store");
    let id = EncounterId(draft);
    // A new millisecond for every write: SQLite leaves a page clean when an UPDATE
    // writes the bytes it already holds, and such a commit skips the fsync, which would
    // make the bare touch look cheaper than any real save.
    let start = chrono::Utc::now();
    let tick = std::cell::Cell::new(0);
    let next = || {
        tick.set(tick.get() + 1);
        start + chrono::Duration::milliseconds(tick.get())
    };
    let touch = || {
        store
            .write(|db| db.touch_encounter(id, None, next()))
            .expect("touch");
    };
    let touch_and_audit = || {
        store
            .write(|db| {
                let at = next();
                db.touch_encounter(id, None, at)?;
                db.append_audit(&NewAuditEntry {
                    at,
                    actor: "nurse",
                    action: "encounter.saved",
                    patient_id: Some(pid),
                    entity: "encounter",
                    entity_id: Some(draft.to_string()),
                    detail: json!({ "written": ["vitals/bp/systolic"], "removed": [] }),
                })
            })
            .expect("touch and audit");
    };
    let mut rev = 0;
    let mut save = |value: i64| {
        let change: ChangeDto = serde_json::from_value(json!({
            "key": "vitals/bp/systolic", "values": [{ "valueInteger": value }], "baseRev": rev
        }))
        .expect("change");
        let saved = api
            .save_intake(nurse, draft, &[change], None)
            .expect("save");
        rev = saved
            .answers
            .iter()
            .find(|a| a.key == "vitals/bp/systolic")
            .map_or(rev, |a| a.rev);
    };
    const N: usize = 1000;
    // Interleaved, so a burst of load from elsewhere on the machine hits both alike.
    let (mut plain, mut audited, mut saves) = (Vec::new(), Vec::new(), Vec::new());
    for i in 0..N {
        plain.extend(time(1, |_| touch()));
        audited.extend(time(1, |_| touch_and_audit()));
        saves.extend(time(1, |_| save(100 + (i % 50) as i64)));
    }
    let p = percentiles("save_audit: write txn touching a draft", plain);
    let a = percentiles("save_audit: same + one encounter.saved entry", audited);
    percentiles("save_audit: save one field (API, nurse session)", saves);
    let ms = |d: Duration, e: Duration| (d.as_secs_f64() - e.as_secs_f64()) * 1e3;
    println!(
        "save_audit: the entry adds p50 {:+.2} ms, p99 {:+.2} ms to a save's transaction",
        ms(a[0], p[0]),
        ms(a[2], p[2])
    );
    let mut group = c.benchmark_group("save_audit");
    group.bench_function("touch draft", |b| b.iter(touch));
    group.bench_function("touch draft + audit entry", |b| b.iter(touch_and_audit));
    group.finish();
}

fn main() {
    let dir = data_folder();
    let mut c = Criterion::default().configure_from_args();
    if wanted("verify/chain + records") {
        verify_part(&dir, &mut c);
    }
    if wanted("save_audit/touch draft + audit entry") {
        save_audit_part(&dir, &mut c);
    }
    c.final_summary();
}
