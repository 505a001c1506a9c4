//! Batch export: the PDF summaries of 1,000 signed visits into a fresh folder, through
//! `Api::export_batch` (every core, one file written through a synced temporary file and
//! renamed, the manifest at the end, one audit entry).
//!
//! The database is a file (`synchronous=FULL`, as the app runs it) filled through the
//! API: 500 patients registered with an emergency contact, each with a first visit
//! (reason, vitals, allergies, medicines, history, social history, immunizations, review
//! of systems, PHQ-2, insurance, typed by the demo nurse) and a repeat visit carried
//! from it (carried values confirmed, a medicine and an immunization added, new vitals),
//! every visit submitted, reviewed and signed by the demo physician. The visits fall in
//! October 2026 (a `ManualClock`). Each run exports them into a new temporary folder
//! and prints its summaries per second and megabytes, then criterion gives its usual
//! report. Target (issue 7): at least 150 summaries per second on 2 cores. Then a nurse's
//! reads during a batch, beside the same reads with nothing running (issue 27: p99 at
//! most 100 ms).

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::atomic::AtomicBool;
use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::{Duration as Span, TimeZone, Utc};
use criterion::Criterion;
use intake_api::export::batch::MANIFEST;
use intake_api::wire::ConfirmDto;
use intake_api::wire::PatientInputDto;
use intake_api::wire::SettingsUpdate;
use intake_api::wire::{BatchReportDto, BatchRequest};
use intake_api::{Api, Caller, ManualClock};
use serde_json::json;

mod backend;
mod support;
use support::{Changes, Options};

const CLI: Caller<'static> = Caller::Cli("bench");
const PATIENTS: usize = 500;
const VISITS: usize = 2 * PATIENTS;
const FROM: &str = "2026-10-01";
const TO: &str = "2026-10-31";
const RUNS: usize = 3;

const GIVEN: [&str; 20] = [
    "Zoë",
    "Łukasz",
    "Amaka",
    "José",
    "Siobhán",
    "Mei",
    "Oluwaseun",
    "Björn",
    "Ana",
    "Dmitri",
    "Fatima",
    "Grégoire",
    "Hana",
    "Ibrahim",
    "Jürgen",
    "Kofi",
    "Leilani",
    "Matías",
    "Nadia",
    "Øystein",
];
const FAMILY: [&str; 25] = [
    "Ñúñez",
    "O'Brien-Smith",
    "Kowalski",
    "Eze",
    "Müller",
    "Nguyễn",
    "Okafor",
    "Dubois",
    "García",
    "Lindqvist",
    "Søndergaard",
    "Kaczmarek",
    "Haddad",
    "Rossi",
    "Novák",
    "Żukowski",
    "Papadopoulos",
    "Sato",
    "Jovanović",
    "Mbeki",
    "Fitzgerald",
    "Álvarez",
    "Kim",
    "Schröder",
    "Bianchi",
];
const REASONS: [&str; 6] = [
    "Follow-up of blood pressure; morning headaches for two weeks, worse on waking.",
    "Diabetes review, feet and eyes checked last spring.",
    "Persistent dry cough for three weeks, no fever, worse at night.",
    "Routine check before starting a new job.",
    "Lower back pain after lifting, radiating to the left leg.",
    "Medication review; feels tired in the afternoons.",
];
/// Substance, reaction, severity code.
const ALLERGIES: [(&str, &str, &str); 4] = [
    ("Penicillin", "Hives and facial swelling", "moderate"),
    ("Latex", "Contact rash", "mild"),
    ("Peanuts", "Throat tightness", "severe"),
    ("Ibuprofen", "Stomach pain", "mild"),
];
/// Name, dose, unit, frequency, route.
const MEDICATIONS: [(&str, f64, &str, &str, &str); 6] = [
    ("Lisinopril", 10.0, "mg", "once-daily", "oral"),
    ("Metformin", 500.0, "mg", "twice-daily", "oral"),
    ("Atorvastatin", 20.0, "mg", "once-daily", "oral"),
    ("Salbutamol inhaler", 2.0, "puffs", "as-needed", "inhaled"),
    ("Levothyroxine", 75.0, "mcg", "once-daily", "oral"),
    ("Omeprazole", 20.0, "mg", "once-daily", "oral"),
];
const CONDITIONS: [(&str, &str); 4] = [
    ("Hypertension", "2019-05"),
    ("Type 2 diabetes", "2021-02-14"),
    ("Asthma", "1994"),
    ("Hypothyroidism", "2016-09"),
];

fn medication(c: &mut Changes<'_>, o: &Options, row: usize, m: (&str, f64, &str, &str, &str)) {
    c.row(&format!("medications/medication[{row}]"));
    c.text(&format!("medications/medication[{row}]/med-name"), m.0);
    c.decimal(&format!("medications/medication[{row}]/med-dose"), m.1);
    c.put(
        &format!("medications/medication[{row}]/med-unit"),
        vec![o.get("med-unit", m.2)],
    );
    c.put(
        &format!("medications/medication[{row}]/med-frequency"),
        vec![o.get("med-frequency", m.3)],
    );
    c.put(
        &format!("medications/medication[{row}]/med-route"),
        vec![o.get("med-route", m.4)],
    );
}

/// What the nurse types at every visit: reason, vitals, review of systems, PHQ-2.
fn every_visit(c: &mut Changes<'_>, o: &Options, p: usize, visit: usize) {
    let n = p * 2 + visit;
    c.text("visit/reason", REASONS[n % REASONS.len()]);
    let visit_type = if visit == 0 {
        "new-problem"
    } else {
        "follow-up"
    };
    c.put("visit/visit-type", vec![o.get("visit-type", visit_type)]);
    c.decimal("vitals/height", 155.0 + (p % 40) as f64);
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
    c.boolean("ros/ros-dizziness", false);
    c.text(
        "ros/ros-notes",
        "Symptoms ease by midday; paracetamol helps. Sleeps about six hours.",
    );
    let phq = ["LA6568-5", "LA6569-3", "LA6570-1"];
    c.put(
        "phq2/phq2-interest",
        vec![o.get("phq2-interest", phq[n % 3])],
    );
    c.put("phq2/phq2-mood", vec![o.get("phq2-mood", phq[(n / 3) % 3])]);
}

fn first_visit(c: &mut Changes<'_>, o: &Options, p: usize, female: bool) {
    every_visit(c, o, p, 0);
    let allergies = p % 3;
    c.boolean("allergies/any-allergies", allergies != 0);
    for r in 0..allergies {
        let (substance, reaction, severity) = ALLERGIES[(p + r) % ALLERGIES.len()];
        let row = r + 1;
        c.row(&format!("allergies/allergy[{row}]"));
        c.text(
            &format!("allergies/allergy[{row}]/allergy-substance"),
            substance,
        );
        c.text(
            &format!("allergies/allergy[{row}]/allergy-reaction"),
            reaction,
        );
        c.put(
            &format!("allergies/allergy[{row}]/allergy-severity"),
            vec![o.get("allergy-severity", severity)],
        );
    }
    c.boolean("medications/any-medications", true);
    for r in 0..1 + p % 4 {
        medication(c, o, r + 1, MEDICATIONS[(p + r) % MEDICATIONS.len()]);
    }
    for r in 0..1 + p % 2 {
        let (condition, since) = CONDITIONS[(p + r) % CONDITIONS.len()];
        let row = r + 1;
        c.row(&format!("history/pmh[{row}]"));
        c.text(&format!("history/pmh[{row}]/pmh-condition"), condition);
        c.date(&format!("history/pmh[{row}]/pmh-since"), since);
    }
    if p.is_multiple_of(2) {
        c.row("history/psh[1]");
        c.text("history/psh[1]/psh-procedure", "Appendectomy");
        c.date("history/psh[1]/psh-date", "1998");
    }
    c.row("history/fh[1]");
    c.put(
        "history/fh[1]/fh-relative",
        vec![o.get("fh-relative", "father")],
    );
    c.text("history/fh[1]/fh-condition", "Myocardial infarction at 58");
    c.put("social/tobacco", vec![o.get("tobacco", "never")]);
    c.put("social/alcohol", vec![o.get("alcohol", "occasional")]);
    c.text("social/occupation", "Secondary-school teacher");
    c.row("immunizations/immunization[1]");
    c.text("immunizations/immunization[1]/imm-vaccine", "Influenza");
    c.date("immunizations/immunization[1]/imm-date", "2025-10-12");
    c.put(
        "immunizations/imm-up-to-date",
        vec![o.get("imm-up-to-date", "yes")],
    );
    if female {
        c.put("pregnancy/pregnant", vec![o.get("pregnant", "no")]);
    }
    c.text("insurance/insurer", "Blue River Health");
    c.text("insurance/policy-number", &format!("BRH-22-{:04}-09", p));
    c.put(
        "insurance/insurance-holder",
        vec![o.get("insurance-holder", "self")],
    );
}

/// The highest row number of repeating group `link` among `revs`' keys (answer keys are
/// paths: `medications/medication[2]/med-name`).
fn last_row(revs: &BTreeMap<String, i64>, link: &str) -> usize {
    let open = format!("{link}[");
    revs.keys()
        .flat_map(|k| k.split('/'))
        .filter_map(|step| step.strip_prefix(open.as_str())?.strip_suffix(']'))
        .filter_map(|row| row.parse::<usize>().ok())
        .max()
        .unwrap_or(0)
}

struct People {
    nurse: String,
    physician: String,
}

/// Enters, submits and signs one visit of patient `p` (0: first, 1: repeat).
fn visit(api: &Api, clock: &ManualClock, who: &People, o: &Options, pid: i64, p: usize, n: usize) {
    let nurse = Caller::Session(&who.nurse);
    let physician = Caller::Session(&who.physician);
    let step = || clock.advance(Span::minutes(3));
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
        .map(|a| serde_json::from_value(json!({ "key": a.key, "baseRev": a.rev })).unwrap())
        .collect();
    let mut c = Changes {
        revs: &revs,
        list: Vec::new(),
    };
    if n == 0 {
        first_visit(&mut c, o, p, p.is_multiple_of(2));
    } else {
        every_visit(&mut c, o, p, 1);
        let row = last_row(&revs, "medication") + 1;
        medication(
            &mut c,
            o,
            row,
            ("Amlodipine", 5.0, "mg", "once-daily", "oral"),
        );
        let row = last_row(&revs, "immunization") + 1;
        c.row(&format!("immunizations/immunization[{row}]"));
        c.text(
            &format!("immunizations/immunization[{row}]/imm-vaccine"),
            "COVID-19 booster",
        );
        c.date(
            &format!("immunizations/immunization[{row}]/imm-date"),
            "2026-09-30",
        );
    }
    step();
    if !confirms.is_empty() {
        api.confirm_intake(nurse, e.id, &confirms).expect("confirm");
    }
    api.save_intake(nurse, e.id, &c.list, None).expect("save");
    step();
    let submitted = api.submit_intake(nurse, e.id).expect("submit");
    assert!(
        submitted.submitted,
        "visit {n} of patient {p} submits: {:?}",
        submitted
            .problems
            .iter()
            .filter(|x| x.severity == "error")
            .map(|x| format!("{}: {}", x.key, x.message))
            .collect::<Vec<_>>()
    );
    step();
    let hash = api
        .open_review(physician, e.id)
        .expect("review")
        .record_hash;
    api.sign_intake(physician, e.id, &hash).expect("sign");
    step();
}

/// The API on a new database file with 1,000 signed visits in October 2026.
fn world(dir: &Path) -> Api {
    let clock = Arc::new(ManualClock::new(
        Utc.with_ymd_and_hms(2026, 10, 1, 7, 0, 0).unwrap(),
    ));
    let api = backend::fresh(&dir.join("intake.db"), clock.clone());
    println!("on {}", backend::name());
    intake_demo::seed_demo(&api, CLI).expect("demo");
    api.update_settings(
        CLI,
        &SettingsUpdate {
            clinic_name: Some("Riverside Family Clinic".into()),
            // The clock moves 12 minutes a visit; sessions stay open for the whole run.
            session_timeout_seconds: Some(43_200),
            ..Default::default()
        },
    )
    .expect("settings");
    let token = |name: &str| api.sign_in(name, "demo").expect("sign in").token;
    let who = People {
        nurse: token("nurse"),
        physician: token("physician"),
    };
    let options = Options::load();
    let patients: Vec<i64> = (0..PATIENTS)
        .map(|p| {
            let input = PatientInputDto {
                family: FAMILY[p / GIVEN.len() % FAMILY.len()].into(),
                given: GIVEN[p % GIVEN.len()].into(),
                birth_date: (chrono::NaiveDate::from_ymd_opt(1940, 1, 1).unwrap()
                    + Span::days(23 * p as i64))
                .to_string(),
                sex: if p.is_multiple_of(2) {
                    "female"
                } else {
                    "male"
                }
                .into(),
                phone: format!("+1 555 01{:02} {:03}", p % 100, p),
                emergency_name: "Tomás Ñúñez".into(),
                emergency_relationship: "Spouse".into(),
                emergency_phone: "+1 555 0142 886".into(),
                ..Default::default()
            };
            api.register_patient(CLI, &input, Some("bench"))
                .expect("patient")
                .patient
                .expect("saved")
                .id
        })
        .collect();
    for n in 0..2 {
        for (p, &pid) in patients.iter().enumerate() {
            visit(&api, &clock, &who, &options, pid, p, n);
        }
    }
    api
}

/// Megabytes of the PDFs in `folder`.
fn megabytes(folder: &Path) -> f64 {
    let bytes: u64 = std::fs::read_dir(folder)
        .expect("the folder")
        .map(|e| e.expect("an entry"))
        .filter(|e| e.file_name() != MANIFEST)
        .map(|e| e.metadata().expect("metadata").len())
        .sum();
    bytes as f64 / (1024.0 * 1024.0)
}

/// One batch into a new folder under `root`: the report and how long it took.
fn batch(api: &Api, admin: Caller<'_>, root: &Path) -> (BatchReportDto, Duration, f64) {
    let folder = tempfile::tempdir_in(root).expect("a folder");
    let request = BatchRequest {
        from: FROM.into(),
        to: TO.into(),
        statuses: Vec::new(),
        folder: folder.path().to_path_buf(),
    };
    let cancel = AtomicBool::new(false);
    let start = Instant::now();
    let report = api
        .export_batch(admin, &request, &cancel, &mut |_| {})
        .expect("exports");
    let took = start.elapsed();
    assert_eq!(report.written, VISITS, "every visit written: {report:?}");
    assert!(report.failed.is_empty() && report.stopped.is_none());
    (report, took, megabytes(folder.path()))
}

fn percentiles(name: &str, mut samples: Vec<Duration>) {
    samples.sort();
    let at = |q: f64| samples[((samples.len() as f64 - 1.0) * q).round() as usize];
    println!(
        "{name:<60} p50 {:>7.2} ms  p95 {:>7.2} ms  p99 {:>7.2} ms  max {:>7.2} ms  (n={})",
        at(0.50).as_secs_f64() * 1e3,
        at(0.95).as_secs_f64() * 1e3,
        at(0.99).as_secs_f64() * 1e3,
        samples[samples.len() - 1].as_secs_f64() * 1e3,
        samples.len()
    );
}

/// The nurse's reads (a search as typed, then the chart found) with nothing else running,
/// then while a batch export runs in the same app (issue 27: reads never wait behind
/// writes; target p99 at most 100 ms).
fn reads_during_a_batch(api: &Api, admin: Caller<'_>, out: &Path) {
    use std::sync::atomic::Ordering;
    let token = api.sign_in("nurse", "demo").expect("sign in").token;
    let nurse = Caller::Session(&token);
    let queries = ["zoe nun", "obrien", "lukasz", "1940-01-24"];
    let round = |i: usize| {
        let start = Instant::now();
        let found = api
            .search_patients(nurse, queries[i % queries.len()])
            .expect("search");
        if let Some(p) = found.patients.first() {
            api.get_patient(nurse, p.id).expect("the chart");
        }
        start.elapsed()
    };
    percentiles(
        "nurse's reads, nothing else running",
        (0..200).map(round).collect(),
    );
    let done = AtomicBool::new(false);
    let during = std::thread::scope(|s| {
        let export = s.spawn(|| {
            let result = batch(api, admin, out);
            done.store(true, Ordering::SeqCst);
            result
        });
        let mut during = Vec::new();
        while !done.load(Ordering::SeqCst) {
            during.push(round(during.len()));
            std::thread::sleep(Duration::from_millis(20)); // a person reads between clicks
        }
        export.join().expect("the batch");
        during
    });
    percentiles(
        "nurse's reads during a batch export (target p99 <= 100 ms)",
        during,
    );
}

fn main() {
    let dir = tempfile::tempdir().expect("temp dir");
    // Batches go outside the data folder, as the export requires.
    let out = tempfile::tempdir().expect("a folder for the batches");
    let start = Instant::now();
    let api = world(dir.path());
    println!(
        "built {VISITS} signed visits of {PATIENTS} patients (database file, synchronous=FULL) in {:.1} s",
        start.elapsed().as_secs_f64()
    );
    let token = api.sign_in("admin", "demo").expect("sign in").token;
    let admin = Caller::Session(&token);
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let mut rates = Vec::new();
    for run in 1..=RUNS {
        let (report, took, mb) = batch(&api, admin, out.path());
        let rate = report.written as f64 / took.as_secs_f64();
        rates.push(rate);
        println!(
            "batch export run {run}: {} summaries in {:.2} s, {rate:.0} summaries/s, {mb:.1} MB ({:.1} KB each) on {cores} cores",
            report.written,
            took.as_secs_f64(),
            mb * 1024.0 / report.written as f64
        );
    }
    rates.sort_by(f64::total_cmp);
    println!(
        "batch export of {VISITS} summaries: median {:.0} summaries/s (min {:.0}, max {:.0}; target at least 150)",
        rates[rates.len() / 2],
        rates[0],
        rates[rates.len() - 1]
    );
    reads_during_a_batch(&api, admin, out.path());

    let mut c = Criterion::default().configure_from_args();
    let mut group = c.benchmark_group("exports");
    group
        .sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(20));
    group.bench_function("batch 1000 signed visits", |b| {
        b.iter_custom(|iters| {
            (0..iters)
                .map(|_| batch(&api, admin, out.path()).1)
                .sum::<Duration>()
        })
    });
    group.finish();
    c.final_summary();
}
