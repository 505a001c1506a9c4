//! Writes the built-in form's repeat visit as a PDF, to look at:
//! `cargo run -p intake-pdf --example sample -- /tmp/sample.pdf [draft|signed|amended] [letter]`.

#[path = "../../intake-core/tests/support/repeat_visit.rs"]
mod repeat_visit;

use chrono::{TimeZone, Utc};
use intake_core::summary::build;
use intake_core::EncounterStatus;
use intake_pdf::{Paper, RenderOptions, Renderer};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let out = args.get(1).map_or("sample.pdf", String::as_str);
    let status = args
        .get(2)
        .and_then(|s| EncounterStatus::parse(s).ok())
        .unwrap_or(EncounterStatus::Signed);
    let paper = if args.get(3).is_some_and(|p| p == "letter") {
        Paper::Letter
    } else {
        Paper::A4
    };
    let visit = repeat_visit::repeat_visit();
    let summary = build(&repeat_visit::input(&visit, status));
    let options = RenderOptions {
        paper,
        generated_at: Utc
            .with_ymd_and_hms(2026, 12, 1, 8, 0, 0)
            .single()
            .ok_or("time")?,
    };
    let bytes = Renderer::new()?.render(&summary, &options)?;
    std::fs::write(out, &bytes)?;
    println!("{out}: {} KB", bytes.len() / 1024);
    Ok(())
}
