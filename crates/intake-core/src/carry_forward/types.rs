//! The planner's inputs and outputs: earlier visits and their answers, the form being
//! started, and the plan (an entry per item instance, with source and provenance).

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};

use crate::encounter::{AnswerSource, EncounterStatus};
use crate::questionnaire::response::Key;
use crate::questionnaire::{AnswerValue, Questionnaire};
use crate::EncounterId;

/// One stored answer of an earlier visit.
#[derive(Debug, Clone, PartialEq)]
pub struct PastAnswer {
    pub values: Vec<AnswerValue>,
    pub author: String,
    pub at: DateTime<Utc>,
    /// False when the item was disabled at that visit (kept in the draft, not the record).
    pub in_record: bool,
    pub confirmed_by: Option<String>,
    pub confirmed_at: Option<DateTime<Utc>>,
}

/// An earlier visit: its form version, status, date and answers (latest revision).
#[derive(Debug, Clone)]
pub struct PastVisit<'a> {
    pub id: EncounterId,
    pub slug: &'a str,
    pub version: &'a str,
    pub form: &'a Questionnaire,
    pub status: EncounterStatus,
    /// When the visit was submitted (or started, if it never was).
    pub date: DateTime<Utc>,
    /// That day as the clinic writes it (its zone, its order: `02/10/2026`), for hints and
    /// reasons.
    pub day: String,
    pub answers: &'a BTreeMap<Key, PastAnswer>,
}

/// The form being started.
#[derive(Debug, Clone, Copy)]
pub struct Target<'a> {
    pub slug: &'a str,
    pub version: &'a str,
    pub form: &'a Questionnaire,
}

/// The earlier answer a carried value comes from.
#[derive(Debug, Clone, PartialEq)]
pub struct Provenance {
    pub encounter: EncounterId,
    pub visit_date: DateTime<Utc>,
    pub entered_by: String,
    pub entered_at: DateTime<Utc>,
    pub confirmed_by: Option<String>,
    pub confirmed_at: Option<DateTime<Utc>>,
}

/// The plan for one item instance.
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    pub key: Key,
    /// The proposed values; empty when nothing is proposed (a row marker has none either,
    /// but has a `source`).
    pub values: Vec<AnswerValue>,
    /// Where the proposed value comes from: carried, the record or `initial`.
    pub source: Option<AnswerSource>,
    pub provenance: Option<Provenance>,
    pub needs_confirmation: bool,
    /// For `never` items: the last value and its date.
    pub hint: Option<String>,
    /// A value was found but not carried, and why.
    pub not_carried: Option<String>,
}

impl Entry {
    pub(super) fn empty(key: Key) -> Entry {
        Entry {
            key,
            values: Vec::new(),
            source: None,
            provenance: None,
            needs_confirmation: false,
            hint: None,
            not_carried: None,
        }
    }
}

/// A visit the plan did not use, and why.
#[derive(Debug, Clone, PartialEq)]
pub struct Skipped {
    pub encounter: EncounterId,
    pub reason: String,
}

/// What a new intake starts with.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Plan {
    /// Every question outside repeating groups (in form order), then each carried row of
    /// a repeating group and its answers.
    pub entries: Vec<Entry>,
    pub skipped: Vec<Skipped>,
}

impl Plan {
    pub fn get(&self, key: &Key) -> Option<&Entry> {
        self.entries.iter().find(|e| &e.key == key)
    }
}

/// "2 Oct 2026".
pub fn short_date(at: DateTime<Utc>) -> String {
    at.format("%-d %b %Y").to_string()
}
