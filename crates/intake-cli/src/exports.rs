//! `intake export pdf`: one visit's summary to a file, or a range of visits into a
//! folder with a manifest. On a terminal a batch shows a progress bar on standard error;
//! otherwise it prints plain progress lines there. The summary line goes to standard
//! output; a batch with failures exits 1 after listing them.

use std::io::{IsTerminal, Write};
use std::sync::atomic::AtomicBool;

use intake_api::wire::{BatchProgressDto, BatchRequest};
use intake_api::{Api, Caller};

use crate::args::ExportCommand;
use crate::commands::CliError;
use crate::output::outln;

/// "[#########           ] 450/1000 · 4 s left".
fn bar(p: &BatchProgressDto) -> String {
    const WIDTH: usize = 30;
    let filled = (p.done * WIDTH).checked_div(p.total).unwrap_or(WIDTH);
    let left = p
        .eta_seconds
        .map(|s| format!(" · {:.0} s left", s.ceil()))
        .unwrap_or_default();
    format!(
        "[{}{}] {}/{}{left}",
        "#".repeat(filled),
        " ".repeat(WIDTH - filled),
        p.done,
        p.total
    )
}

pub fn run(api: &Api, caller: Caller<'_>, cmd: ExportCommand) -> Result<(), CliError> {
    let ExportCommand::Pdf {
        encounter,
        from,
        to,
        status,
        out,
    } = cmd;
    // A relative path means the working directory, said once here: the API takes only
    // full paths (and refuses any inside the data folder).
    let out = std::path::absolute(&out)
        .map_err(|e| CliError::Input(format!("cannot use {}: {e}", out.display())))?;
    if let Some(id) = encounter {
        let done = api.export_pdf(caller, id, &out)?;
        outln!(
            "Wrote {} ({} KB, {}, record SHA-256 {}).",
            done.path,
            done.bytes.div_ceil(1024),
            done.status,
            done.record_sha256
        )?;
        return Ok(());
    }
    let (Some(from), Some(to)) = (from, to) else {
        return Err(CliError::Input(
            "name one visit (--encounter ID) or a range (--from and --to)".into(),
        ));
    };
    let request = BatchRequest {
        from,
        to,
        statuses: status,
        folder: out,
    };
    let terminal = std::io::stderr().is_terminal();
    let mut progress = |p: &BatchProgressDto| {
        let mut err = std::io::stderr().lock();
        if terminal {
            let _ = write!(err, "\r{}", bar(p));
            let _ = err.flush();
        } else {
            let _ = writeln!(err, "exported {} of {}", p.done, p.total);
        }
    };
    let report = api.export_batch(caller, &request, &AtomicBool::new(false), &mut progress)?;
    if terminal && report.total > 0 {
        eprintln!();
    }
    outln!(
        "{} visits: {} written, {} already there (same record), {} failed, in {:.1} s. Manifest: {}",
        report.total,
        report.written,
        report.skipped,
        report.failed.len(),
        report.seconds,
        report.manifest
    )?;
    for f in &report.failed {
        eprintln!("failed: intake {} {}: {}", f.encounter_id, f.file, f.reason);
    }
    if let Some(why) = &report.stopped {
        return Err(CliError::Input(why.clone()));
    }
    if !report.failed.is_empty() {
        return Err(CliError::Input(format!(
            "{} of {} visits could not be exported",
            report.failed.len(),
            report.total
        )));
    }
    Ok(())
}
