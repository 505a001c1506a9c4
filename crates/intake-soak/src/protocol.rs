//! The lines the writer prints on its standard output and the harness reads back: one
//! line per event, written and flushed before the writer goes on, so every line the
//! writer wrote before a SIGKILL is still in the pipe for the harness to read.
//!
//! - `ready`: the writer opened the data folder and signed in.
//! - `begin OP`: a use case is about to be called.
//! - `ack OP => OUTCOME`: the call returned `Ok`; only these are promises the harness
//!   checks after a kill.
//! - `err OP => CODE: MESSAGE`: the call returned an error, so its transaction rolled
//!   back and nothing of it may be found.
//! - `progress DONE TOTAL` (batch mode): files finished so far.
//!
//! It does not decide anything: what an acknowledgement promises is `promises`.

use std::fmt;
use std::path::PathBuf;

use intake_core::EncounterStatus;

/// A use case the writer calls, with what the harness needs to check it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Op {
    /// `start_intake` for a patient.
    Start { patient: i64 },
    /// `save_intake` of text answers (`key=value`, values without spaces).
    Save {
        visit: i64,
        values: Vec<(String, String)>,
    },
    /// `save_intake` of the yes/no answers a submission needs (not tracked).
    Fill { visit: i64 },
    /// `confirm_intake` of the carried values waiting.
    Confirm { visit: i64, keys: usize },
    /// `submit_intake`.
    Submit { visit: i64 },
    /// `sign_intake`: a first signature, or the signature of an amendment.
    Sign { visit: i64 },
    /// `start_amendment`.
    Amend { visit: i64 },
    /// `discard_amendment`.
    Discard { visit: i64 },
    /// `export_pdf` to a path (the rest of the line).
    Export { visit: i64, path: PathBuf },
    /// `export_batch` into the batch folder.
    Batch,
}

impl Op {
    /// The visit the use case acts on (none for a start or a batch).
    pub fn visit(&self) -> Option<i64> {
        match self {
            Op::Start { .. } | Op::Batch => None,
            Op::Save { visit, .. }
            | Op::Fill { visit }
            | Op::Confirm { visit, .. }
            | Op::Submit { visit }
            | Op::Sign { visit }
            | Op::Amend { visit }
            | Op::Discard { visit }
            | Op::Export { visit, .. } => Some(*visit),
        }
    }

    /// The word that names the use case on a line.
    pub fn name(&self) -> &'static str {
        match self {
            Op::Start { .. } => "start",
            Op::Save { .. } => "save",
            Op::Fill { .. } => "fill",
            Op::Confirm { .. } => "confirm",
            Op::Submit { .. } => "submit",
            Op::Sign { .. } => "sign",
            Op::Amend { .. } => "amend",
            Op::Discard { .. } => "discard",
            Op::Export { .. } => "export",
            Op::Batch => "batch",
        }
    }
}

impl fmt::Display for Op {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())?;
        match self {
            Op::Start { patient } => write!(f, " {patient}"),
            Op::Save { visit, values } => {
                write!(f, " {visit}")?;
                for (key, value) in values {
                    write!(f, " {key}={value}")?;
                }
                Ok(())
            }
            Op::Confirm { visit, keys } => write!(f, " {visit} {keys}"),
            Op::Export { visit, path } => write!(f, " {visit} {}", path.display()),
            Op::Batch => Ok(()),
            Op::Fill { visit }
            | Op::Submit { visit }
            | Op::Sign { visit }
            | Op::Amend { visit }
            | Op::Discard { visit } => write!(f, " {visit}"),
        }
    }
}

/// Where a visit stands: its status and whether an amendment is open.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct State {
    pub status: EncounterStatus,
    pub amending: bool,
}

impl fmt::Display for State {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.status.as_str(), u8::from(self.amending))
    }
}

/// What a call that returned `Ok` reported.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// The visit's state after the call.
    State(State),
    /// A new visit and its state.
    Started(i64, State),
    /// The SHA-256 of the PDF written.
    Exported(String),
    /// A batch's written, skipped and failed files.
    Batch(usize, usize, usize),
}

impl fmt::Display for Outcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Outcome::State(s) => write!(f, "{s}"),
            Outcome::Started(id, s) => write!(f, "{id} {s}"),
            Outcome::Exported(sha) => f.write_str(sha),
            Outcome::Batch(w, s, x) => write!(f, "{w} {s} {x}"),
        }
    }
}

/// One line of the writer's output.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Line {
    Ready,
    Begin(Op),
    Ack(Op, Outcome),
    Err(Op, String),
    Progress(usize, usize),
}

impl fmt::Display for Line {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Line::Ready => f.write_str("ready"),
            Line::Begin(op) => write!(f, "begin {op}"),
            Line::Ack(op, outcome) => write!(f, "ack {op} => {outcome}"),
            // One line whatever the message holds.
            Line::Err(op, why) => write!(f, "err {op} => {}", why.replace(['\n', '\r'], " ")),
            Line::Progress(done, total) => write!(f, "progress {done} {total}"),
        }
    }
}

/// Why a line could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BadLine(pub String);

impl fmt::Display for BadLine {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "not a writer line: {:?}", self.0)
    }
}

fn number<T: std::str::FromStr>(word: Option<&str>, line: &str) -> Result<T, BadLine> {
    word.and_then(|w| w.parse().ok())
        .ok_or_else(|| BadLine(line.to_string()))
}

fn parse_op(text: &str, line: &str) -> Result<Op, BadLine> {
    let bad = || BadLine(line.to_string());
    let mut words = text.split(' ');
    let name = words.next().ok_or_else(bad)?;
    if name == "batch" {
        return Ok(Op::Batch);
    }
    if name == "start" {
        return Ok(Op::Start {
            patient: number(words.next(), line)?,
        });
    }
    let visit = number(words.next(), line)?;
    Ok(match name {
        "save" => Op::Save {
            visit,
            values: words
                .map(|w| {
                    w.split_once('=')
                        .map(|(k, v)| (k.to_string(), v.to_string()))
                })
                .collect::<Option<Vec<_>>>()
                .ok_or_else(bad)?,
        },
        "fill" => Op::Fill { visit },
        "confirm" => Op::Confirm {
            visit,
            keys: number(words.next(), line)?,
        },
        "submit" => Op::Submit { visit },
        "sign" => Op::Sign { visit },
        "amend" => Op::Amend { visit },
        "discard" => Op::Discard { visit },
        "export" => Op::Export {
            visit,
            path: PathBuf::from(words.collect::<Vec<_>>().join(" ")),
        },
        _ => return Err(bad()),
    })
}

fn parse_state<'a>(
    words: &mut impl Iterator<Item = &'a str>,
    line: &str,
) -> Result<State, BadLine> {
    let bad = || BadLine(line.to_string());
    let status = EncounterStatus::parse(words.next().ok_or_else(bad)?).map_err(|_| bad())?;
    let amending = match words.next() {
        Some("0") => false,
        Some("1") => true,
        _ => return Err(bad()),
    };
    Ok(State { status, amending })
}

fn parse_outcome(op: &Op, text: &str, line: &str) -> Result<Outcome, BadLine> {
    let mut words = text.split(' ');
    Ok(match op {
        Op::Start { .. } => {
            let id = number(words.next(), line)?;
            Outcome::Started(id, parse_state(&mut words, line)?)
        }
        Op::Export { .. } => Outcome::Exported(text.to_string()),
        Op::Batch => Outcome::Batch(
            number(words.next(), line)?,
            number(words.next(), line)?,
            number(words.next(), line)?,
        ),
        _ => Outcome::State(parse_state(&mut words, line)?),
    })
}

impl std::str::FromStr for Line {
    type Err = BadLine;

    fn from_str(line: &str) -> Result<Line, BadLine> {
        let bad = || BadLine(line.to_string());
        if line == "ready" {
            return Ok(Line::Ready);
        }
        let (kind, rest) = line.split_once(' ').ok_or_else(bad)?;
        match kind {
            "begin" => Ok(Line::Begin(parse_op(rest, line)?)),
            "ack" | "err" => {
                let (op, after) = rest.split_once(" => ").ok_or_else(bad)?;
                let op = parse_op(op, line)?;
                if kind == "err" {
                    return Ok(Line::Err(op, after.to_string()));
                }
                let outcome = parse_outcome(&op, after, line)?;
                Ok(Line::Ack(op, outcome))
            }
            "progress" => {
                let mut words = rest.split(' ');
                Ok(Line::Progress(
                    number(words.next(), line)?,
                    number(words.next(), line)?,
                ))
            }
            _ => Err(bad()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_line_reads_back_as_written() {
        let state = State {
            status: EncounterStatus::Signed,
            amending: true,
        };
        let lines = [
            Line::Ready,
            Line::Begin(Op::Start { patient: 4 }),
            Line::Ack(Op::Start { patient: 4 }, Outcome::Started(301, state)),
            Line::Begin(Op::Save {
                visit: 7,
                values: vec![
                    ("visit/reason".into(), "v1.2".into()),
                    ("ros/ros-notes".into(), "v1.3".into()),
                ],
            }),
            Line::Ack(Op::Confirm { visit: 7, keys: 3 }, Outcome::State(state)),
            Line::Ack(
                Op::Export {
                    visit: 7,
                    path: "/tmp/a b/x.pdf".into(),
                },
                Outcome::Exported("ab12".into()),
            ),
            Line::Err(Op::Sign { visit: 9 }, "conflict: changed".into()),
            Line::Ack(Op::Batch, Outcome::Batch(3, 2, 1)),
            Line::Progress(5, 10),
        ];
        for line in lines {
            let text = line.to_string();
            assert_eq!(text.parse::<Line>(), Ok(line), "{text} reads back");
        }
    }

    #[test]
    fn a_cut_or_foreign_line_is_refused() {
        for text in [
            "",
            "ack save 7",
            "begin sign x",
            "ack sign 7 => signed 2",
            "hello",
        ] {
            assert!(text.parse::<Line>().is_err(), "{text:?} is refused");
        }
    }
}
