//! `intake-soak-writer`: the process the kill harness starts and SIGKILLs. It opens the
//! data folder with `Api::open`, as the desktop app and the CLI do, and calls the real
//! use cases; after each call it prints one line ([`intake_soak::protocol`]) and flushes
//! it, so what it printed as acknowledged is exactly what returned `Ok`.
//!
//! ```text
//! intake-soak-writer mix   DATA_DIR EXPORT_DIR SEED   # a random mix, forever
//! intake-soak-writer batch DATA_DIR EXPORT_DIR SEED   # one batch export, then exit
//! ```
//!
//! It expects the demo accounts (`intake seed-demo`); it never seeds anything itself.

mod batch;
mod mix;

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use intake_api::{Api, DataDir, SystemClock};
use intake_soak::protocol::Line;

/// Prints one line and flushes it in one write (a pipe write of under 4 KiB is atomic,
/// so a kill never leaves half a line). A harness that went away ends the writer.
pub(crate) fn say(line: &Line) {
    let text = format!("{line}\n");
    let mut out = std::io::stdout().lock();
    if out
        .write_all(text.as_bytes())
        .and_then(|()| out.flush())
        .is_err()
    {
        std::process::exit(0);
    }
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match run(&args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("intake-soak-writer: {e}");
            ExitCode::FAILURE
        }
    }
}

fn run(args: &[String]) -> Result<(), String> {
    let [mode, data, out, seed] = args else {
        return Err("usage: intake-soak-writer mix|batch DATA_DIR EXPORT_DIR SEED".into());
    };
    let seed: u64 = seed.parse().map_err(|_| format!("not a seed: {seed}"))?;
    let api = Api::open(&DataDir::at(data), Arc::new(SystemClock))
        .map_err(|e| format!("opening {data}: {e}"))?;
    let out = PathBuf::from(out);
    match mode.as_str() {
        "mix" => mix::run(&api, &out, seed),
        "batch" => batch::run(&api, &out),
        _ => Err(format!("unknown mode {mode:?} (mix or batch)")),
    }
}
