//! `intake-desk`: parses the command line and runs the desktop app.

// No console window on Windows release builds.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

use std::process::ExitCode;

fn main() -> ExitCode {
    let options = match intake_desk::Options::parse(std::env::args_os().skip(1)) {
        Ok(options) => options,
        Err(message) => {
            eprintln!("intake-desk: {message}\n{}", intake_desk::USAGE);
            return ExitCode::from(2);
        }
    };
    match intake_desk::run(options) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("intake-desk: {e}");
            ExitCode::from(1)
        }
    }
}
