//! The summary document of one visit: what a PDF (or any printed copy) shows, decided
//! here once, so every renderer shows the same thing.
//!
//! [`build`] is pure: it takes the visit's facts ([`SummaryInput`]: header, status,
//! signature, the form, its answers and where each came from) and gives a [`Summary`]:
//! the header as display text, the signature line, and the form's sections in form
//! order. A section holds question rows, notes (display items), sub-headings
//! (non-repeating groups inside it) and tables (repeating groups: one column per
//! question, one row per group row, in row order). What the form disables for this
//! visit is left out. An unanswered question stays [`Answer::NotAnswered`], never "No".
//! Carried answers keep their source date and who confirmed them; calculated answers
//! are marked. Dates are written as the app writes them elsewhere ("2 Oct 2026").
//!
//! It does not lay anything out (page size, fonts, wrapping belong to `intake-pdf`)
//! and reads nothing: the caller loads the encounter and passes it in.

mod build;
mod text;

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, Utc};

use crate::encounter::{AnswerSource, EncounterStatus};
use crate::questionnaire::response::{Key, Response};
use crate::questionnaire::Questionnaire;

pub use build::build;

/// Who signed and when.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Signature {
    pub by: String,
    pub at: DateTime<Utc>,
}

/// The latest amendment: when, by whom and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Amendment {
    pub on: DateTime<Utc>,
    pub by: String,
    pub reason: String,
}

/// Where a printed answer came from: its [`AnswerSource`] with what the page says of a
/// carried value (the visit's date, who confirmed it here).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Origin {
    #[default]
    Typed,
    Initial,
    Calculated,
    /// From the patient record (`record-binding`).
    Record,
    /// From an earlier visit: that visit's date and who confirmed the value here
    /// (`None`: nobody did).
    Carried {
        from: NaiveDate,
        confirmed_by: Option<String>,
    },
}

impl Origin {
    /// The origin of an answer with `source`; `carried` is the earlier visit's date and
    /// who confirmed the value here, for a carried one (without it, a carried value prints
    /// as typed: nothing is known of where it came from).
    pub fn new(source: AnswerSource, carried: Option<(NaiveDate, Option<String>)>) -> Origin {
        match (source, carried) {
            (AnswerSource::Typed, _) => Origin::Typed,
            (AnswerSource::Initial, _) => Origin::Initial,
            (AnswerSource::Calculated, _) => Origin::Calculated,
            (AnswerSource::Record, _) => Origin::Record,
            (AnswerSource::Carried, Some((from, confirmed_by))) => {
                Origin::Carried { from, confirmed_by }
            }
            (AnswerSource::Carried, None) => Origin::Typed,
        }
    }
}

/// Everything the summary is built from.
#[derive(Debug, Clone, Copy)]
pub struct SummaryInput<'a> {
    pub clinic_name: &'a str,
    pub patient_name: &'a str,
    pub birth_date: NaiveDate,
    pub mrn: &'a str,
    pub visit_date: NaiveDate,
    pub template_title: &'a str,
    pub template_version: &'a str,
    pub status: EncounterStatus,
    pub signature: Option<&'a Signature>,
    pub amendment: Option<&'a Amendment>,
    /// SHA-256 (hex) of the record's canonical JSON.
    pub record_sha256: &'a str,
    pub questionnaire: &'a Questionnaire,
    pub response: &'a Response,
    /// Where each answer (and each row of a repeating group) came from; a key without
    /// an entry counts as typed.
    pub provenance: &'a BTreeMap<Key, Origin>,
}

/// The summary of one visit, ready to lay out.
#[derive(Debug, Clone, PartialEq)]
pub struct Summary {
    pub header: Header,
    pub status: EncounterStatus,
    pub signature: SignatureLine,
    pub record_sha256: String,
    pub sections: Vec<Section>,
    /// Whether any answer was carried forward (a renderer then prints the legend).
    pub has_carried: bool,
}

/// The facts at the top of every copy, as display text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Header {
    pub clinic_name: String,
    pub patient_name: String,
    /// "12 Mar 1961".
    pub birth_date: String,
    pub mrn: String,
    pub visit_date: String,
    /// "General adult intake, version 1".
    pub template: String,
    /// "Signed", "Draft", …
    pub status: String,
}

/// The signature block.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SignatureLine {
    /// "Signed by Dr. Osei at 14 Oct 2026 10:32 UTC".
    Signed {
        by: String,
        at: String,
    },
    /// "Amended on 20 Oct 2026 09:00 UTC by Dr. Osei: wrong weight"; `signed` is the
    /// original signature when known.
    Amended {
        on: String,
        by: String,
        reason: String,
        signed: Option<(String, String)>,
    },
    NotSigned,
}

impl SignatureLine {
    /// The block as one sentence.
    pub fn text(&self) -> String {
        match self {
            SignatureLine::Signed { by, at } => format!("Signed by {by} at {at}"),
            SignatureLine::Amended { on, by, reason, .. } => {
                format!("Amended on {on} by {by}: {reason}")
            }
            SignatureLine::NotSigned => "Not signed".to_string(),
        }
    }
}

/// One top-level group of the form (or a run of top-level questions outside groups).
#[derive(Debug, Clone, PartialEq)]
pub struct Section {
    pub title: String,
    pub blocks: Vec<Block>,
}

/// What a section holds, in form order.
#[derive(Debug, Clone, PartialEq)]
pub enum Block {
    Row(Row),
    /// A display item's text.
    Note(String),
    /// A non-repeating group inside the section.
    Subheading(String),
    Table(Table),
}

/// One question and its answer.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    pub question: String,
    pub answer: Answer,
    pub source: Origin,
}

/// An answer as text, or the fact that there is none.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Answer {
    /// Each value as a person reads it ("Yes", "No", "82.5 kg", "Penicillin").
    Values(Vec<String>),
    NotAnswered,
    /// A table cell the form disables in that row (not asked).
    NotAsked,
}

impl Answer {
    /// The answer as one line: values joined with ", ", or "not answered".
    pub fn text(&self) -> String {
        match self {
            Answer::Values(v) => v.join(", "),
            Answer::NotAnswered => "not answered".to_string(),
            Answer::NotAsked => "—".to_string(),
        }
    }
}

/// A repeating group: its questions as columns, its rows in row order.
#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    pub title: String,
    pub columns: Vec<String>,
    pub rows: Vec<TableRow>,
}

/// One row of a repeating group.
#[derive(Debug, Clone, PartialEq)]
pub struct TableRow {
    /// Where the row came from (a carried row is confirmed as a whole).
    pub source: Origin,
    pub cells: Vec<Cell>,
}

/// One answer in a table row.
#[derive(Debug, Clone, PartialEq)]
pub struct Cell {
    pub answer: Answer,
    pub source: Origin,
}

/// "2 Oct 2026".
pub fn format_date(date: NaiveDate) -> String {
    date.format("%-d %b %Y").to_string()
}

/// "2 Oct 2026 14:05 UTC".
pub fn format_time(at: DateTime<Utc>) -> String {
    at.format("%-d %b %Y %H:%M UTC").to_string()
}

/// The mark a renderer prints beside a carried or calculated answer:
/// "carried from 2 Oct 2026, confirmed by Nurse Joy", "calculated"; `None` otherwise. A
/// carried value without a confirmer is one the form accepts as it was (policy `always`,
/// or a cell of a row confirmed as a whole): only its source is printed.
pub fn source_note(source: &Origin) -> Option<String> {
    match source {
        Origin::Carried { from, confirmed_by } => Some(match confirmed_by {
            Some(who) => format!("carried from {}, confirmed by {who}", format_date(*from)),
            None => format!("carried from {}", format_date(*from)),
        }),
        Origin::Calculated => Some("calculated".to_string()),
        Origin::Record => Some("from the patient record".to_string()),
        Origin::Typed | Origin::Initial => None,
    }
}
