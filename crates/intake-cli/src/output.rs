//! Printing results: aligned text for people, JSON (`--json`) for scripts.
//!
//! Everything a command prints on standard output goes through [`outln!`], [`table`] or
//! [`json`], which return the write's error instead of panicking as `println!` does. A
//! reader that stops early (`intake encounter list | head -1`) closes the pipe; the next
//! write fails with `BrokenPipe`, the command stops there, and `main` ends quietly with
//! status 0, as ripgrep does. Rust ignores SIGPIPE, so no signal kills the process first;
//! we keep it that way rather than reset the signal with libc.

use std::fmt;
use std::io::{self, Write};

use serde::Serialize;

use crate::commands::CliError;

/// `println!` that answers the write's error (`Result<(), CliError>`) instead of panicking.
macro_rules! outln {
    ($($arg:tt)*) => {
        $crate::output::line(format_args!($($arg)*))
    };
}
pub(crate) use outln;

/// Writes one line to standard output.
pub fn line(args: fmt::Arguments<'_>) -> Result<(), CliError> {
    let mut out = io::stdout().lock();
    out.write_fmt(args)
        .and_then(|()| out.write_all(b"\n"))
        .map_err(CliError::Output)
}

/// Writes `bytes` as they are to standard output.
pub fn bytes(bytes: &[u8]) -> Result<(), CliError> {
    let mut out = io::stdout().lock();
    out.write_all(bytes)
        .and_then(|()| out.flush())
        .map_err(CliError::Output)
}

/// Prints `value` as pretty JSON on stdout.
pub fn json<T: Serialize>(value: &T) -> Result<(), CliError> {
    let text = serde_json::to_string_pretty(value)
        .map_err(|e| CliError::Input(format!("cannot write JSON: {e}")))?;
    outln!("{text}")
}

/// Prints rows under a header, each column as wide as its widest cell.
pub fn table(header: &[&str], rows: &[Vec<String>]) -> Result<(), CliError> {
    let mut widths: Vec<usize> = header.iter().map(|h| h.chars().count()).collect();
    for row in rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let line = |cells: Vec<&str>| {
        let padded: Vec<String> = cells
            .iter()
            .zip(&widths)
            .map(|(c, w)| format!("{c:<w$}"))
            .collect();
        outln!("{}", padded.join("  ").trim_end())
    };
    line(header.to_vec())?;
    for row in rows {
        line(row.iter().map(String::as_str).collect())?;
    }
    Ok(())
}
