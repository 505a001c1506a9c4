//! `intake`: Intake Desk without a window, for setup, administration and scripts.
//!
//! `main` only parses arguments, runs one command and turns the outcome into an exit
//! code: 0 done, 1 failed (one line on stderr), 2 usage (clap's own message). A reader
//! that stops early (`intake encounter list | head -1`) ends the command quietly with 0.
//! Every
//! command calls `intake-api`, as the desktop app does; the CLI acts as `cli:<OS user>`,
//! the account of the real uid ([`os_account`]).

mod args;
mod commands;
mod db;
mod encounters;
mod exports;
mod os_account;
mod output;
mod patients;
mod reports;
mod templates;

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let args = args::Args::parse();
    match commands::run(args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(commands::CliError::Output(e)) if e.kind() == std::io::ErrorKind::BrokenPipe => {
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("intake: {e}");
            ExitCode::from(1)
        }
    }
}
