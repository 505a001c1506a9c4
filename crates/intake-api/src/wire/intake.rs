//! What the intake screen and the CLI receive about encounters: the encounter, answers
//! with their source, problems, saves, submissions and carry-forward plans (the form
//! itself is in `form`).

use crate::wire::form::FormDto;
use intake_core::questionnaire::response::FormIndex;
use intake_core::questionnaire::value_json::to_json;
use intake_store::{format_time, AnswerRow, EncounterRow, EventRef};
use serde::Deserialize;
use serde::Serialize;
use serde_json::Value;
use std::collections::BTreeMap;

/// An instant's day in the clinic's zone (`clock::ClinicZone::day_of`, passed in: the
/// wire imports nothing else of the crate).
pub(crate) type Day<'a> = dyn Fn(chrono::DateTime<chrono::Utc>) -> chrono::NaiveDate + 'a;

/// One encounter as listed and shown.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct EncounterDto {
    pub id: i64,
    pub patient_id: i64,
    pub mrn: String,
    pub patient_name: String,
    pub template_slug: String,
    pub template_version: String,
    pub template_title: String,
    pub status: String,
    pub started_at: String,
    /// The visit's day in the clinic's zone (`YYYY-MM-DD`): an evening visit keeps its
    /// evening's day even where that is already tomorrow in UTC.
    pub visit_date: String,
    pub started_by: String,
    /// Display names of who started, submitted and signed it, and the reason for visit:
    /// filled for lists (`list_encounters`), where no other view names people.
    pub started_by_name: Option<String>,
    pub submitted_by_name: Option<String>,
    pub signed_by_name: Option<String>,
    pub reason: Option<String>,
    pub updated_at: String,
    pub submitted_at: Option<String>,
    pub submitted_by: Option<String>,
    pub section: Option<String>,
    /// Whether the caller may not change it (submitted, or a role that only reads).
    pub read_only: bool,
    /// How many answers (and rows) it holds.
    pub answered: i64,
    /// The latest signature (the first one, or the newest amendment's).
    pub signed_by: Option<String>,
    pub signed_at: Option<String>,
    /// The newest completed amendment ("Amended on … by …: reason").
    pub amended: Option<AmendedDto>,
    /// An amendment in progress.
    pub amending: Option<AmendingDto>,
    /// While a draft after a return to the nurse: who returned it and why.
    pub returned: Option<ReturnedDto>,
    /// Why it was entered in error.
    pub in_error: Option<AmendedDto>,
}

/// Who did it, when, and the reason they gave.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AmendedDto {
    pub by: String,
    pub at: String,
    pub reason: String,
}

/// An amendment in progress.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AmendingDto {
    pub by: String,
    pub since: String,
    pub reason: String,
}

/// A return to the nurse.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ReturnedDto {
    pub by: String,
    /// Their display name (filled for lists).
    pub by_name: Option<String>,
    pub at: String,
    pub comment: String,
}

fn reasoned(e: &EventRef) -> AmendedDto {
    AmendedDto {
        by: e.by.clone(),
        at: format_time(e.at),
        reason: e.text.clone(),
    }
}

impl EncounterDto {
    /// `day` gives an instant's day in the clinic's zone.
    pub(crate) fn new(e: &EncounterRow, read_only: bool, day: &Day<'_>) -> EncounterDto {
        EncounterDto {
            id: e.id.0,
            patient_id: e.patient_id.0,
            mrn: e.mrn.clone(),
            patient_name: e.patient_name.clone(),
            template_slug: e.template_slug.clone(),
            template_version: e.template_version.clone(),
            template_title: e.template_title.clone(),
            status: e.status.as_str().to_string(),
            started_at: format_time(e.started_at),
            visit_date: day(e.started_at).to_string(),
            started_by: e.started_by.clone(),
            started_by_name: None,
            submitted_by_name: None,
            signed_by_name: None,
            reason: None,
            updated_at: format_time(e.updated_at),
            submitted_at: e.submitted_at.map(format_time),
            submitted_by: e.submitted_by.clone(),
            section: e.section.clone(),
            read_only,
            answered: e.answered,
            signed_by: e.signed_by.clone(),
            signed_at: e.signed_at.map(format_time),
            amended: e.amended.as_ref().map(reasoned),
            amending: e.amending.as_ref().map(|a| AmendingDto {
                by: a.by.clone(),
                since: format_time(a.at),
                reason: a.text.clone(),
            }),
            returned: e.returned.as_ref().map(|r| ReturnedDto {
                by: r.by.clone(),
                by_name: None,
                at: format_time(r.at),
                comment: r.text.clone(),
            }),
            in_error: e.in_error.as_ref().map(reasoned),
        }
    }
}

/// One stored answer.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AnswerDto {
    pub key: String,
    pub link_id: String,
    pub rows: Vec<u32>,
    /// FHIR `value[x]` objects.
    pub values: Vec<Value>,
    /// `typed`, `initial`, `calculated` or `record`.
    pub source: String,
    pub author: String,
    pub at: String,
    pub rev: i64,
    /// False for the answers of items that were disabled when the form was submitted.
    pub in_record: bool,
    /// For `carried` answers: the earlier visit, its date, who entered and confirmed it.
    pub carried: Option<CarriedDto>,
    /// A carried value this visit must confirm or change before submission.
    pub needs_confirmation: bool,
    pub confirmed_by: Option<String>,
    pub confirmed_at: Option<String>,
}

/// Where a carried answer came from.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CarriedDto {
    pub encounter: i64,
    /// The date of that visit (YYYY-MM-DD).
    pub date: String,
    pub entered_by: String,
    pub confirmed_by: Option<String>,
}

impl AnswerDto {
    /// `day` gives an instant's day in the clinic's zone (the carried visit's date).
    pub(crate) fn new(a: &AnswerRow, day: &Day<'_>) -> AnswerDto {
        AnswerDto {
            key: a.key.to_string(),
            link_id: a.link_id.clone(),
            rows: a.key.rows().clone(),
            values: a.values.iter().map(to_json).collect(),
            source: a.source.as_str().to_string(),
            author: a.author.clone(),
            at: format_time(a.at),
            rev: a.rev,
            in_record: a.in_record,
            carried: a.carried.as_ref().map(|c| CarriedDto {
                encounter: c.encounter.0,
                date: day(c.date).to_string(),
                entered_by: c.author.clone(),
                confirmed_by: c.confirmed_by.clone(),
            }),
            needs_confirmation: a.needs_confirmation,
            confirmed_by: a.confirmed_by.clone(),
            confirmed_at: a.confirmed_at.map(format_time),
        }
    }
}

/// One problem at one item instance.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ProblemDto {
    pub key: String,
    pub link_id: String,
    /// `error` (blocks submission) or `warning`.
    pub severity: &'static str,
    pub message: String,
    /// True for a carried value that waits for confirmation (the screen shows a Confirm
    /// button there rather than an error, until submission is attempted).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub confirm: bool,
}

/// One change since the last visit: a carried value edited or removed, or a row added.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ChangeSinceDto {
    pub key: String,
    pub link_id: String,
    /// `changed`, `removed` or `added`.
    pub kind: &'static str,
    /// The carried value (empty for an added row).
    pub before: Vec<Value>,
    /// The value now (empty when removed).
    pub after: Vec<Value>,
    /// The date (YYYY-MM-DD) of the visit the carried value came from.
    pub carried_from: Option<String>,
}

/// The label of an item for messages: its text, or its linkId.
pub(crate) fn item_label(q: &FormIndex<'_>, link_id: &str) -> String {
    q.get(link_id)
        .and_then(|i| i.text.clone())
        .unwrap_or_else(|| link_id.to_string())
}

/// One change the screen sends.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ChangeDto {
    pub key: String,
    #[serde(default)]
    pub values: Vec<Value>,
    /// The `rev` the screen last saw for this key (0: it never saw a saved answer).
    #[serde(default)]
    pub base_rev: i64,
    /// Removes a row of a repeating group and everything in it.
    #[serde(default)]
    pub remove: bool,
}

/// A draft opened for the screen.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct IntakeDto {
    pub encounter: EncounterDto,
    pub form: FormDto,
    pub answers: Vec<AnswerDto>,
    pub disabled: Vec<String>,
    pub problems: Vec<ProblemDto>,
    /// What carry-forward said when the intake started.
    pub carry: CarryNotesDto,
    /// Carried values edited or removed, rows added.
    pub changes: Vec<ChangeSinceDto>,
    /// How to name each person the intake mentions (user name → display name).
    pub people: std::collections::BTreeMap<String, String>,
    /// Set when a signed visit is no longer what was signed: how it differs. The answers
    /// are then the signed ones.
    pub record_differs: Option<String>,
}

/// What a save changed.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SavedDto {
    pub saved_at: String,
    /// Every answer this save wrote, calculated ones included.
    pub answers: Vec<AnswerDto>,
    pub removed: Vec<String>,
    pub disabled: Vec<String>,
    pub problems: Vec<ProblemDto>,
    pub encounter: EncounterDto,
    /// Carried values edited or removed, rows added (the whole list, after this save).
    pub changes: Vec<ChangeSinceDto>,
}

/// The outcome of a submission.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SubmitDto {
    pub submitted: bool,
    pub problems: Vec<ProblemDto>,
    pub encounter: EncounterDto,
}

/// An encounter with all its answers, for `intake encounter show`.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct EncounterDetailDto {
    #[serde(flatten)]
    pub encounter: EncounterDto,
    pub answers: Vec<AnswerDto>,
}

/// What the plan said when an intake started, kept with it (`carry_notes`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CarryNotesDto {
    /// Earlier visits not used, and why (entered in error, dated in the future).
    pub skipped: Vec<String>,
    /// By key: the last value of items never carried ("last weight 82 kg, 2 Oct 2026").
    pub hints: BTreeMap<String, String>,
    /// By key: a value found but not carried, and why ("could not carry").
    pub not_carried: BTreeMap<String, String>,
}

/// One entry of a plan, for `intake encounter plan`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PlanEntryDto {
    pub key: String,
    pub link_id: String,
    /// The first proposed value (absent when nothing is proposed).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value: Option<Value>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub values: Vec<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source_encounter: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source_date: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub entered_by: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub confirmed_by: Option<String>,
    pub needs_confirmation: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hint: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub not_carried_reason: Option<String>,
}

/// A plan for `intake encounter plan`: the form it is for, its entries, visits not used.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PlanDto {
    pub template: String,
    pub version: String,
    pub entries: Vec<PlanEntryDto>,
    pub skipped: Vec<String>,
}

/// One answer the screen confirms, with the `rev` it saw.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ConfirmDto {
    pub key: String,
    #[serde(default)]
    pub base_rev: i64,
}
