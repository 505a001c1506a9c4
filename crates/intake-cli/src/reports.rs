//! `intake report ...`: reports over the submitted intakes. `outcomes` prints, per week
//! (Monday first), how the recorded answers came to be (carried unchanged, carried and
//! edited, typed, pre-filled from the record or the form) and the median minutes from
//! start to submission, then a total line; `--json` prints the API's report as it is.
//! Read-only: nothing is written, nothing audited.

use intake_api::wire::{OutcomeFiguresDto, OutcomesDto};
use intake_api::{Api, Caller};

use crate::args::ReportCommand;
use crate::commands::CliError;
use crate::output::{self, outln};

const HEADER: [&str; 10] = [
    "WEEK",
    "INTAKES",
    "ANSWERED",
    "CARRIED",
    "EDITED",
    "TYPED",
    "PREFILLED",
    "CARRIED%",
    "TYPED%",
    "MEDIAN-MIN",
];

fn percent(share: Option<f64>) -> String {
    share.map_or_else(|| "-".into(), |s| format!("{:.0}%", s * 100.0))
}

fn cells(label: &str, f: &OutcomeFiguresDto) -> Vec<String> {
    vec![
        label.to_string(),
        f.encounters.to_string(),
        f.answered.to_string(),
        f.carried_unchanged.to_string(),
        f.carried_edited.to_string(),
        f.typed.to_string(),
        f.prefilled.to_string(),
        percent(f.carried_share),
        percent(f.typed_share),
        f.median_minutes
            .map_or_else(|| "-".into(), |m| format!("{m:.1}")),
    ]
}

/// The report as lines: the first column left-aligned, the figures right-aligned.
fn outcomes_table(report: &OutcomesDto) -> Vec<String> {
    let mut rows: Vec<Vec<String>> = vec![HEADER.iter().map(|h| h.to_string()).collect()];
    rows.extend(
        report
            .weeks
            .iter()
            .map(|w| cells(&w.week_start, &w.figures)),
    );
    rows.push(cells("total", &report.total));
    let mut widths = [0usize; HEADER.len()];
    for row in &rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    rows.iter()
        .map(|row| {
            row.iter()
                .zip(widths)
                .enumerate()
                .map(|(i, (cell, w))| match i {
                    0 => format!("{cell:<w$}"),
                    _ => format!("{cell:>w$}"),
                })
                .collect::<Vec<_>>()
                .join("  ")
        })
        .collect()
}

pub fn run(api: &Api, caller: Caller<'_>, cmd: ReportCommand) -> Result<(), CliError> {
    match cmd {
        ReportCommand::Outcomes { from, to, json } => {
            let report = api.outcomes(caller, &from, &to)?;
            if json {
                return output::json(&report);
            }
            outln!(
                "Intakes submitted from {} to {} (UTC days), per week from Monday:",
                report.from,
                report.to
            )?;
            for line in outcomes_table(&report) {
                outln!("{line}")?;
            }
            if report.encounters.is_empty() {
                outln!("No intakes were submitted in this period.")?;
            } else {
                outln!(
                    "CARRIED: carried unchanged; EDITED: carried, then edited; TYPED: typed \
                     without a carried value; PREFILLED: from the record or the form. \
                     TYPED% counts TYPED and EDITED."
                )?;
            }
            Ok(())
        }
    }
}
