//! Reads while a long write runs, and the backup of a large register (issue 27).
//!
//! On a workstation's database file: the app's reads (a search as typed, then the
//! patient's chart), as a signed-in nurse, first with nothing else running, then while
//! a CLI import of 100,000 patients runs beside them (a second `Api` on the same file, as
//! the `intake` process is; the import commits in short chunks). Target: read p99 at most
//! 100 ms during the import. Then the backup of the 100,000-patient database (time and
//! size, checked as `intake backup` checks it) and the restore of that backup into a new
//! data folder (its verification: integrity, chain, records). `INTAKE_BENCH_IMPORT` sets
//! the number of rows.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use intake_api::data_dir::Database;
use intake_api::wire::ImportOptions;
use intake_api::{Api, Caller, DataDir, SystemClock};

const CLI: Caller<'static> = Caller::Cli("bench");

fn percentiles(name: &str, mut samples: Vec<Duration>) {
    samples.sort();
    let at = |q: f64| samples[((samples.len() as f64 - 1.0) * q).round() as usize];
    println!(
        "{name:<52} p50 {:>7.2} ms  p95 {:>7.2} ms  p99 {:>7.2} ms  max {:>7.2} ms  (n={})",
        at(0.50).as_secs_f64() * 1e3,
        at(0.95).as_secs_f64() * 1e3,
        at(0.99).as_secs_f64() * 1e3,
        samples[samples.len() - 1].as_secs_f64() * 1e3,
        samples.len()
    );
}

/// A name no other row has: the row number in letters.
fn letters(mut i: usize) -> String {
    let mut s = String::new();
    loop {
        s.push((b'a' + (i % 26) as u8) as char);
        i /= 26;
        if i == 0 {
            break;
        }
    }
    let mut name: Vec<char> = s.chars().collect();
    name[0] = name[0].to_ascii_uppercase();
    name.into_iter().collect()
}

/// Rows no two of which are likely duplicates (the import skips those): a given name and
/// a birth date that no other row has together.
fn csv_of(rows: usize) -> Vec<u8> {
    const GIVEN: [&str; 20] = [
        "Anna", "Bruno", "Chiara", "Dmitri", "Elif", "Farid", "Greta", "Hiro", "Ines", "Jonas",
        "Kofi", "Lena", "Mateo", "Noor", "Oskar", "Priya", "Quentin", "Rosa", "Sven", "Tala",
    ];
    let first = chrono::NaiveDate::from_ymd_opt(1925, 1, 1).expect("a date");
    let mut out = String::from("family,given,birth_date,sex,phone\n");
    for i in 0..rows {
        out.push_str(&format!(
            "Import{},{},{},{},555{:07}\n",
            letters(i),
            GIVEN[i / 36_500 % GIVEN.len()],
            first + chrono::Duration::days((i % 36_500) as i64),
            if i % 2 == 0 { "female" } else { "male" },
            i
        ));
    }
    out.into_bytes()
}

/// The nurse's reads, one round: a search as typed, then the first patient found.
fn read_round(api: &Api, nurse: Caller<'_>, queries: &[&str], i: usize) -> Duration {
    let start = Instant::now();
    let found = api
        .search_patients(nurse, queries[i % queries.len()])
        .expect("search");
    if let Some(p) = found.patients.first() {
        api.get_patient(nurse, p.id).expect("the chart");
    }
    start.elapsed()
}

fn main() {
    let rows: usize = std::env::var("INTAKE_BENCH_IMPORT")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100_000);
    let dir = tempfile::tempdir().expect("a data folder");
    let data = DataDir::at(dir.path());
    let api = Api::open(&data, Arc::new(SystemClock)).expect("the app's database");
    intake_demo::seed_demo(&api, CLI).expect("demo");
    let token = api.sign_in("nurse", "demo").expect("sign in").token;
    let nurse = Caller::Session(&token);
    let queries = ["zoe nun", "kowal", "garc mar", "1984-03-07", "lind", "okaf"];
    let csv = csv_of(rows);
    println!("\n== reads beside a long write (SQLite file, synchronous=FULL) ==");

    let idle: Vec<Duration> = (0..300)
        .map(|i| read_round(&api, nurse, &queries, i))
        .collect();
    percentiles("nurse's reads, nothing else running", idle);

    let done = AtomicBool::new(false);
    let (imported, took, during) = std::thread::scope(|s| {
        let cli = s.spawn(|| {
            let cli = Api::open(&data, Arc::new(SystemClock)).expect("the CLI's connection");
            let start = Instant::now();
            let report = cli
                .import_patients_csv(CLI, &csv, ImportOptions::default())
                .expect("the import");
            done.store(true, Ordering::SeqCst);
            (report, start.elapsed())
        });
        let mut during = Vec::new();
        let mut i = 0;
        while !done.load(Ordering::SeqCst) {
            during.push(read_round(&api, nurse, &queries, i));
            i += 1;
            std::thread::sleep(Duration::from_millis(20)); // a person reads between clicks
        }
        let (imported, took) = cli.join().expect("the import thread");
        (imported, took, during)
    });
    println!(
        "CLI import of {rows} patients: {} imported in {:.1} s ({} likely duplicates skipped, {} rejected)",
        imported.imported,
        took.as_secs_f64(),
        imported.skipped_duplicates.len(),
        imported.rejected.len()
    );
    percentiles(
        "nurse's reads during the import (target p99 <= 100 ms)",
        during,
    );

    let out = tempfile::tempdir().expect("a folder for the backup");
    let file = out.path().join("intake-backup.db");
    let start = Instant::now();
    let made = api.backup(CLI, &file).expect("the backup");
    println!(
        "backup of {} patients: {:.2} s, {:.1} MB, checked ({} audit entries, {} signed records)",
        rows,
        start.elapsed().as_secs_f64(),
        made.bytes as f64 / 1e6,
        made.audit_entries,
        made.records_checked
    );
    let fresh_dir = tempfile::tempdir().expect("a new data folder");
    let fresh = DataDir::at(fresh_dir.path());
    let start = Instant::now();
    Api::restore(
        &fresh,
        &Database::File(fresh.database_path()),
        &file,
        CLI,
        Arc::new(SystemClock),
    )
    .expect("the restore");
    println!(
        "restore of that backup into a new data folder (verify, migrate, put in place): {:.2} s",
        start.elapsed().as_secs_f64()
    );
}
