//! Patient search, duplicate check and registration on large synthetic registers.
//!
//! For each register size (default 100,000 and 1,000,000; set `INTAKE_BENCH_SIZES`, e.g.
//! `100000`), a database is built once with `seed_synthetic` and kept in
//! `target/bench-data/`. Each operation is then timed over many varied inputs and its
//! p50/p95/p99 printed, and also run through criterion for its usual report.
//!
//! With `INTAKE_BENCH_BACKEND=postgres` the register is copied onto the clinic server
//! first (`benches/backend`) and everything runs there.
//!
//! Search is timed through the API (permission check, ranking and the audit entry that
//! records it, with `synchronous=FULL`), as the screen experiences it.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use criterion::Criterion;
use intake_api::wire::PatientInputDto;
use intake_api::{Api, Caller, SystemClock};

mod backend;

const CLI: Caller<'static> = Caller::Cli("bench");

fn sizes() -> Vec<u64> {
    std::env::var("INTAKE_BENCH_SIZES")
        .unwrap_or_else(|_| "100000,1000000".into())
        .split(',')
        .filter_map(|s| s.trim().parse().ok())
        .collect()
}

fn register_of(n: u64) -> Api {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../target/bench-data");
    std::fs::create_dir_all(&dir).expect("bench data folder");
    let path = dir.join(format!("patients-{n}.db"));
    let ready = dir.join(format!("patients-{n}.ready"));
    if !ready.exists() {
        let _ = std::fs::remove_file(&path);
        let api = Api::open_file(&path, Arc::new(SystemClock)).expect("open");
        let started = Instant::now();
        intake_demo::seed_synthetic(&api, CLI, n, 42).expect("synthetic patients");
        eprintln!(
            "built a register of {n} patients in {:.1} s",
            started.elapsed().as_secs_f64()
        );
        std::fs::write(&ready, b"").expect("marker");
    }
    backend::with_records_of(&path, Arc::new(SystemClock))
}

fn percentiles(name: &str, mut samples: Vec<Duration>) {
    samples.sort();
    let at = |q: f64| samples[((samples.len() as f64 - 1.0) * q).round() as usize];
    println!(
        "{name:<44} p50 {:>7.2} ms  p95 {:>7.2} ms  p99 {:>7.2} ms  (n={})",
        at(0.50).as_secs_f64() * 1e3,
        at(0.95).as_secs_f64() * 1e3,
        at(0.99).as_secs_f64() * 1e3,
        samples.len()
    );
}

fn timed<T>(inputs: &[T], mut f: impl FnMut(&T)) -> Vec<Duration> {
    (0..400)
        .map(|i| {
            let input = &inputs[i % inputs.len()];
            let start = Instant::now();
            f(input);
            start.elapsed()
        })
        .collect()
}

fn person(i: usize) -> PatientInputDto {
    PatientInputDto {
        family: format!("Benchmark{i}"),
        given: "Anna".into(),
        birth_date: format!("19{:02}-0{}-1{}", 30 + i % 60, 1 + i % 9, i % 10),
        sex: "female".into(),
        phone: format!("+1 555 {:03} {:04}", i % 1000, i % 10_000),
        ..Default::default()
    }
}

fn main() {
    let mut criterion = Criterion::default()
        .sample_size(20)
        .measurement_time(Duration::from_secs(3))
        .configure_from_args();
    let names = [
        "zoe nun",
        "kowal",
        "anna sm",
        "lukasz",
        "garc mar",
        "o brien",
        "nguy",
        "ingrid lind",
    ];
    // One typing error each: swapped, wrong, missing and extra letters, first letters too.
    let typos = [
        "kowalksi",
        "nowka",
        "lindqvsit anna",
        "garcai",
        "mulller",
        "okafr",
        "ovwergaard",
        "santso maria",
    ];
    let dates = ["1984-03-07", "07.03.1984", "1962-01-30", "12.12.1950"];
    let phones = ["555 010", "0101", "+1 555 123", "555-0199"];
    for n in sizes() {
        let api = register_of(n);
        let mrns: Vec<String> = (1..=50)
            .map(|i| intake_core::mrn::generated_mrn(i * (n / 50)))
            .collect();
        println!("\n== {n} patients, {} ==", backend::name());
        percentiles(
            "search: name fragments",
            timed(&names, |q| {
                api.search_patients(CLI, q).unwrap();
            }),
        );
        percentiles(
            "search: a name one typing error away",
            timed(&typos, |q| {
                api.search_patients(CLI, q).unwrap();
            }),
        );
        percentiles(
            "search: birth date",
            timed(&dates, |q| {
                api.search_patients(CLI, q).unwrap();
            }),
        );
        percentiles(
            "search: MRN",
            timed(&mrns, |q| {
                api.search_patients(CLI, q).unwrap();
            }),
        );
        let compact: Vec<String> = mrns.iter().map(|m| m.replace('-', "")).collect();
        percentiles(
            "search: MRN without its dash",
            timed(&compact, |q| {
                api.search_patients(CLI, q).unwrap();
            }),
        );
        percentiles(
            "search: phone digits",
            timed(&phones, |q| {
                api.search_patients(CLI, q).unwrap();
            }),
        );
        let candidates: Vec<PatientInputDto> = (0..50)
            .map(|i| PatientInputDto {
                family: ["Kowalski", "Núñez", "Smith", "García"][i % 4].into(),
                given: ["Anna", "Zoë", "Jan", "Maria"][i % 4].into(),
                ..person(i)
            })
            .collect();
        percentiles(
            "duplicate check (a register attempt that finds none or some)",
            timed(&candidates, |p| {
                api.check_duplicates(CLI, p).unwrap();
            }),
        );
        let mut i = 0;
        let registered = (0..200)
            .map(|_| {
                i += 1;
                let p = person(n as usize + i);
                let start = Instant::now();
                api.register_patient(CLI, &p, Some("benchmark")).unwrap();
                start.elapsed()
            })
            .collect();
        percentiles("register (synchronous=FULL)", registered);
        criterion.bench_function(
            &format!("search a name one error away, {n} patients"),
            |b| {
                let mut k = 0;
                b.iter(|| {
                    k += 1;
                    api.search_patients(CLI, typos[k % typos.len()]).unwrap()
                })
            },
        );
        criterion.bench_function(&format!("search name fragments, {n} patients"), |b| {
            let mut k = 0;
            b.iter(|| {
                k += 1;
                api.search_patients(CLI, names[k % names.len()]).unwrap()
            })
        });
    }
    criterion.final_summary();
}
