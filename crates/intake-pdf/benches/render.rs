//! One summary of the built-in form on a realistic repeat visit, rendered to PDF:
//! p50 and p95 of single renders and the file size, a batch on every core sharing one
//! renderer, then criterion's own estimate.
//! Targets (issue 7): p95 at most 15 ms, at most 100 KB.

#[path = "../../intake-core/tests/support/repeat_visit.rs"]
mod repeat_visit;

use std::time::Instant;

use chrono::{TimeZone, Utc};
use criterion::{black_box, Criterion};
use intake_core::summary::build;
use intake_core::EncounterStatus;
use intake_pdf::{Paper, RenderOptions, Renderer};

fn main() {
    let visit = repeat_visit::repeat_visit();
    let summary = build(&repeat_visit::input(&visit, EncounterStatus::Signed));
    let options = RenderOptions {
        paper: Paper::A4,
        generated_at: Utc
            .with_ymd_and_hms(2026, 12, 1, 8, 0, 0)
            .single()
            .expect("a time"),
    };
    let start = Instant::now();
    let renderer = Renderer::new().expect("the fonts load");
    let load = start.elapsed();
    let mut size = 0;
    let mut times: Vec<f64> = (0..400)
        .map(|_| {
            let t = Instant::now();
            let bytes = renderer.render(&summary, &options).expect("renders");
            let ms = t.elapsed().as_secs_f64() * 1000.0;
            size = bytes.len();
            ms
        })
        .collect();
    times.sort_by(f64::total_cmp);
    let pct = |p: f64| times[((times.len() - 1) as f64 * p).round() as usize];
    println!(
        "render (built-in form, repeat visit): p50 {:.2} ms, p95 {:.2} ms, max {:.2} ms, size {:.1} KB; fonts parsed once in {:.2} ms",
        pct(0.50),
        pct(0.95),
        pct(1.0),
        size as f64 / 1024.0,
        load.as_secs_f64() * 1000.0
    );

    // A batch sharing one renderer across every core (what an export does).
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let per_thread = 150;
    let start = Instant::now();
    std::thread::scope(|scope| {
        for _ in 0..threads {
            scope.spawn(|| {
                for _ in 0..per_thread {
                    black_box(renderer.render(&summary, &options).expect("renders"));
                }
            });
        }
    });
    let seconds = start.elapsed().as_secs_f64();
    println!(
        "batch: {} summaries on {threads} threads in {:.2} s, {:.0} summaries/s",
        threads * per_thread,
        seconds,
        (threads * per_thread) as f64 / seconds
    );

    let mut c = Criterion::default().configure_from_args();
    c.bench_function("render built-in repeat visit", |b| {
        b.iter(|| {
            renderer
                .render(black_box(&summary), &options)
                .expect("renders")
        })
    });
    c.final_summary();
}
