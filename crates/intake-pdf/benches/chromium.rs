//! The usual alternative, timed the same way in the same run: the same summary (the
//! built-in form on a realistic repeat visit, as `render.rs` uses) written as HTML
//! (`support/html.rs`, this bench's own code) and printed to PDF by headless Chromium,
//! one process per document with a fresh profile, against our renderer. Both are timed
//! from the summary to a PDF file on disk: ours renders and writes the file; Chromium's
//! run writes the HTML file and runs
//! `chromium --headless --no-sandbox --disable-gpu ... --print-to-pdf=OUT file://HTML`.
//! Prints p50/p95 of each and the ratio. Target (issue 7): at least 20× faster.
//!
//! Chromium is Debian's `chromium` package (`scripts/ensure-deps.sh bench`, which
//! `make bench` runs); `CHROMIUM=/path` names another binary. Without one the bench
//! says SKIPPED.

#[path = "support/html.rs"]
mod html;
#[path = "../../intake-core/tests/support/repeat_visit.rs"]
mod repeat_visit;

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use chrono::{TimeZone, Utc};
use intake_core::summary::{build, format_time};
use intake_core::EncounterStatus;
use intake_pdf::{Paper, RenderOptions, Renderer};

/// Chromium runs timed (after one untimed run that warms the page cache).
const CHROMIUM_RUNS: usize = 10;
/// Our renders timed.
const OUR_RUNS: usize = 200;

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// p50 and p95 (nearest rank) of `samples`.
fn p50_p95(mut samples: Vec<Duration>) -> (Duration, Duration) {
    samples.sort();
    let at = |q: f64| samples[((samples.len() as f64 - 1.0) * q).round() as usize];
    (at(0.50), at(0.95))
}

/// Prints `html` to `out` with headless Chromium and a fresh profile under `dir`.
fn chromium(binary: &str, html_path: &Path, out: &Path, dir: &Path) -> std::io::Result<()> {
    let profile = tempfile::tempdir_in(dir)?;
    let status = Command::new(binary)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .arg(format!("--print-to-pdf={}", out.display()))
        .arg(format!("file://{}", html_path.display()))
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .map_err(|e| {
            std::io::Error::new(e.kind(), format!("{binary} could not be started: {e}"))
        })?;
    if !status.success() {
        return Err(std::io::Error::other(format!("{binary} failed: {status}")));
    }
    match std::fs::metadata(out) {
        Ok(m) if m.len() > 0 => Ok(()),
        _ => Err(std::io::Error::other(format!(
            "{binary} wrote no PDF to {}",
            out.display()
        ))),
    }
}

fn main() {
    let visit = repeat_visit::repeat_visit();
    let summary = build(&repeat_visit::input(&visit, EncounterStatus::Signed));
    let generated_at = Utc
        .with_ymd_and_hms(2026, 12, 1, 8, 0, 0)
        .single()
        .expect("a time");
    let options = RenderOptions {
        paper: Paper::A4,
        generated_at,
    };
    let dir = tempfile::tempdir().expect("a temp dir");
    let renderer = Renderer::new().expect("the fonts load");

    // Ours: summary to a PDF file.
    let ours_pdf = dir.path().join("ours.pdf");
    let ours: Vec<Duration> = (0..OUR_RUNS)
        .map(|_| {
            let t = Instant::now();
            let bytes = renderer.render(&summary, &options).expect("renders");
            std::fs::write(&ours_pdf, &bytes).expect("writes");
            t.elapsed()
        })
        .collect();
    let ours_kb = std::fs::metadata(&ours_pdf).map_or(0, |m| m.len()) as f64 / 1024.0;
    let (ours_p50, ours_p95) = p50_p95(ours);
    println!(
        "ours: summary to PDF file, p50 {:.2} ms, p95 {:.2} ms, {ours_kb:.1} KB (n={OUR_RUNS})",
        ms(ours_p50),
        ms(ours_p95)
    );

    let binary = std::env::var("CHROMIUM").unwrap_or_else(|_| "chromium".to_string());
    let found = Command::new(&binary)
        .arg("--version")
        .stdin(Stdio::null())
        .stderr(Stdio::null())
        .output();
    let version = match found {
        Ok(out) if out.status.success() => String::from_utf8_lossy(&out.stdout).trim().to_string(),
        _ => {
            println!(
                "SKIPPED chromium comparison: no {binary} (Debian's chromium package: scripts/ensure-deps.sh bench)"
            );
            return;
        }
    };

    // Chromium: summary to HTML file to PDF file, one process per document.
    let generated = format_time(generated_at);
    let html_path = dir.path().join("summary.html");
    let chromium_pdf = dir.path().join("chromium.pdf");
    let run = || -> Duration {
        let _ = std::fs::remove_file(&chromium_pdf);
        let t = Instant::now();
        std::fs::write(&html_path, html::html(&summary, &generated)).expect("writes");
        chromium(&binary, &html_path, &chromium_pdf, dir.path()).expect("chromium prints");
        t.elapsed()
    };
    let warm = run();
    let theirs: Vec<Duration> = (0..CHROMIUM_RUNS).map(|_| run()).collect();
    let theirs_kb = std::fs::metadata(&chromium_pdf).map_or(0, |m| m.len()) as f64 / 1024.0;
    let (theirs_p50, theirs_p95) = p50_p95(theirs);
    println!(
        "{version} --headless --print-to-pdf: summary to HTML to PDF file, p50 {:.0} ms, p95 {:.0} ms, {theirs_kb:.1} KB (n={CHROMIUM_RUNS}; first, untimed run {:.0} ms)",
        ms(theirs_p50),
        ms(theirs_p95),
        ms(warm)
    );
    println!(
        "ours / Chromium: p50 {:.2} ms / {:.0} ms = 1/{:.0}, p95 {:.2} ms / {:.0} ms = 1/{:.0} (target: at least 20x faster)",
        ms(ours_p50),
        ms(theirs_p50),
        theirs_p50.as_secs_f64() / ours_p50.as_secs_f64(),
        ms(ours_p95),
        ms(theirs_p95),
        theirs_p95.as_secs_f64() / ours_p95.as_secs_f64()
    );
}
