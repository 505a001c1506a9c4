//! What the review screens receive: the queue, a record with what changed since the
//! previous visit, its signed versions and events, and what the caller may do with it.

use intake_core::questionnaire::response::FormIndex;
use intake_core::questionnaire::value_json::to_json;
use intake_core::questionnaire::AnswerValue;
use intake_core::review::rules::{Notable, Target};
use intake_core::review::{Change, Kind, VisitDiff};
use intake_store::{format_time, EventRow, RevisionRow};
use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::Value;

use crate::wire::form::FormDto;
use crate::wire::intake::{AnswerDto, EncounterDto, ProblemDto};

/// One intake waiting for review.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct QueueItemDto {
    pub encounter_id: i64,
    pub patient_id: i64,
    pub patient_name: String,
    pub mrn: String,
    pub birth_date: Option<String>,
    pub age: Option<i32>,
    /// The answer to the form's reason-for-visit question, if it has one.
    pub reason: Option<String>,
    pub submitted_by: String,
    /// The submitter's display name, where they have an account.
    pub submitted_by_name: Option<String>,
    pub submitted_at: String,
    pub template_title: String,
}

/// The queue and who the filter can choose from.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct QueueDto {
    pub items: Vec<QueueItemDto>,
    /// Everyone who submitted an intake that waits for review (user names).
    pub submitters: Vec<String>,
    /// Their display names, by user name, where they have an account.
    pub names: BTreeMap<String, String>,
}

/// The patient as the review header shows them.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ReviewPatientDto {
    pub id: i64,
    pub name: String,
    pub mrn: String,
    pub birth_date: String,
    pub age: i32,
    pub sex: String,
}

/// The visit a review compares with.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PreviousDto {
    pub encounter_id: i64,
    /// YYYY-MM-DD.
    pub date: String,
    pub status: String,
    /// Why it could not be compared (its record is damaged); then no changes are listed.
    pub damaged: Option<String>,
}

/// One question's change since the previous visit.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct QuestionChangeDto {
    pub link_id: String,
    /// `finding` (never carried: read against its last value, never marked "Changed")
    /// or `carried` (carried content: a difference is a change).
    pub kind: &'static str,
    /// `added`, `removed`, `changed`, `unchanged` or `not_asked` (a finding answered last
    /// time and blank now).
    pub change: &'static str,
    pub before: Vec<Value>,
    pub after: Vec<Value>,
    /// For numbers: (after − before) / before.
    pub relative: Option<f64>,
    /// Carried: "Tobacco Current → Former". Findings: "Weight 77.5 kg · last 89 kg, 5 Oct
    /// 2026, −12.9 %".
    pub text: String,
    /// For a finding with an earlier answer: "last 89 kg, 5 Oct 2026, −12.9 %".
    pub context: Option<String>,
    /// Why it is notable, when it is: "−12.9 % in 8 weeks (rule: ≥ 5 % within 6 months)".
    pub notable: Option<String>,
}

/// One notable finding, as the top of the review and of "Changes since last visit"
/// list them: medication and allergy changes first, then findings in form order.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct NotableDto {
    /// `list` (a medication or allergy row) or `finding` (a question).
    pub kind: &'static str,
    /// The question, or the list, by linkId.
    pub link_id: String,
    /// For a row: its ids at the last visit and at this one.
    pub before_row: Option<u32>,
    pub after_row: Option<u32>,
    /// "Metformin: Dose 500 → 1000", "Weight 77.5 kg · last 89 kg, 5 Oct 2026, −12.9 %".
    pub text: String,
    /// "changed medication (rule: any new, stopped or changed medication)", "BP 150/95 ≥ 140/90".
    pub reason: String,
}

/// One field of a row that differs.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FieldChangeDto {
    pub link_id: String,
    pub label: String,
    pub before: String,
    pub after: String,
}

/// One row of a list (a medication, an allergy).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RowChangeDto {
    /// `added`, `removed` (stopped), `changed` or `unchanged`.
    pub change: &'static str,
    pub label: String,
    pub before_row: Option<u32>,
    pub after_row: Option<u32>,
    pub fields: Vec<FieldChangeDto>,
    /// Why it is notable, when it is.
    pub notable: Option<String>,
}

/// One list and its rows.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ListChangeDto {
    pub link_id: String,
    pub title: String,
    pub rows: Vec<RowChangeDto>,
}

/// Everything that differs from the previous visit (and what does not).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ChangesDto {
    pub questions: Vec<QuestionChangeDto>,
    pub lists: Vec<ListChangeDto>,
}

/// One signed version of the record.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct VersionDto {
    /// 1 for the first signature, then one more per amendment.
    pub version: u32,
    /// `signed` or `amended`.
    pub kind: String,
    pub by: String,
    pub at: String,
    pub reason: Option<String>,
    pub record_hash: String,
}

/// One event after submission.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct EventDto {
    pub kind: String,
    pub by: String,
    pub at: String,
    pub text: Option<String>,
}

/// What the caller may do with the record now (the backend checks again on each call).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct MayDto {
    pub sign: bool,
    pub return_to_nurse: bool,
    pub amend: bool,
    pub discard_amendment: bool,
    pub mark_in_error: bool,
    /// Open it in the intake screen to change it (a draft, or one's own amendment).
    pub edit: bool,
    /// Export its summary as a PDF.
    pub export_pdf: bool,
}

/// A record for the review screen.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ReviewDto {
    pub encounter: EncounterDto,
    pub patient: ReviewPatientDto,
    pub form: FormDto,
    pub answers: Vec<AnswerDto>,
    pub disabled: Vec<String>,
    pub problems: Vec<ProblemDto>,
    pub previous: Option<PreviousDto>,
    pub changes: ChangesDto,
    /// The notable findings, in the order they lead the review.
    pub notable: Vec<NotableDto>,
    /// The SHA-256 of the record as shown: sign, return and amend send it back.
    pub record_hash: String,
    pub versions: Vec<VersionDto>,
    pub events: Vec<EventDto>,
    /// The sentence a signature attests.
    pub attestation: String,
    pub may: MayDto,
    /// How to name each person the review mentions (user name → display name).
    pub people: std::collections::BTreeMap<String, String>,
    /// Set when a signed record is no longer what was signed: how it differs, to show
    /// under "This record differs from what was signed". The answers shown are then the
    /// signed ones, and amending and the PDF are refused.
    pub record_differs: Option<String>,
}

/// A signed version, as it was signed.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RecordVersionDto {
    pub version: VersionDto,
    pub answers: Vec<AnswerDto>,
}

/// One earlier value of an answer.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AnswerRevisionDto {
    pub key: String,
    pub link_id: String,
    pub label: String,
    pub rev: i64,
    /// The value as a person reads it.
    pub value: String,
    pub source: String,
    pub author: String,
    pub at: String,
    /// True when the answer was removed after this value.
    pub removed: bool,
}

fn change_name(c: Change) -> &'static str {
    match c {
        Change::Unchanged => "unchanged",
        Change::Added => "added",
        Change::Removed => "removed",
        Change::Changed => "changed",
        Change::NotAsked => "not_asked",
    }
}

pub(crate) fn notable_dto(n: &Notable) -> NotableDto {
    let (kind, link_id, before_row, after_row) = match &n.target {
        Target::Question(link) => ("finding", link.clone(), None, None),
        Target::Row {
            list,
            before_row,
            after_row,
        } => ("list", list.clone(), *before_row, *after_row),
    };
    NotableDto {
        kind,
        link_id,
        before_row,
        after_row,
        text: n.text.clone(),
        reason: n.reason.clone(),
    }
}

/// The reasons of the notable findings about one target, joined.
fn reason_for(notable: &[Notable], target: impl Fn(&Target) -> bool) -> Option<String> {
    let reasons: Vec<&str> = notable
        .iter()
        .filter(|n| target(&n.target))
        .map(|n| n.reason.as_str())
        .collect();
    (!reasons.is_empty()).then(|| reasons.join("; "))
}

fn shown(values: &[AnswerValue]) -> String {
    AnswerValue::labels(values)
}

/// "500 mg"; '' when there is no value.
fn with_unit(values: &[AnswerValue], unit: Option<&str>) -> String {
    match (shown(values), unit) {
        (v, Some(u)) if !v.is_empty() => format!("{v} {u}"),
        (v, _) => v,
    }
}

fn label_of(index: &FormIndex<'_>, link_id: &str) -> String {
    crate::wire::intake::item_label(index, link_id)
}

pub(crate) fn changes_dto(
    diff: &VisitDiff,
    notable: &[Notable],
    index: &FormIndex<'_>,
) -> ChangesDto {
    ChangesDto {
        questions: diff
            .questions
            .iter()
            .map(|q| QuestionChangeDto {
                link_id: q.link_id.clone(),
                kind: match q.kind {
                    Kind::Finding => "finding",
                    Kind::Carried => "carried",
                },
                change: change_name(q.change),
                before: q.before.iter().map(to_json).collect(),
                after: q.after.iter().map(to_json).collect(),
                relative: q.relative,
                text: q.text.clone(),
                context: q.context.clone(),
                notable: reason_for(
                    notable,
                    |t| matches!(t, Target::Question(l) if *l == q.link_id),
                ),
            })
            .collect(),
        lists: diff
            .lists
            .iter()
            .map(|l| ListChangeDto {
                link_id: l.link_id.clone(),
                title: label_of(index, &l.link_id),
                rows: l
                    .rows
                    .iter()
                    .map(|r| RowChangeDto {
                        change: change_name(r.change),
                        label: r.label.clone(),
                        before_row: r.before_row,
                        after_row: r.after_row,
                        notable: reason_for(notable, |t| {
                            matches!(t, Target::Row { list, before_row, after_row }
                                if *list == l.link_id
                                    && *before_row == r.before_row
                                    && *after_row == r.after_row)
                        }),
                        fields: r
                            .fields
                            .iter()
                            .map(|f| FieldChangeDto {
                                link_id: f.link_id.clone(),
                                label: label_of(index, &f.link_id),
                                before: with_unit(&f.before, f.unit.as_deref()),
                                after: with_unit(&f.after, f.unit.as_deref()),
                            })
                            .collect(),
                    })
                    .collect(),
            })
            .collect(),
    }
}

/// The signed versions among an encounter's events, numbered from 1.
pub(crate) fn versions(events: &[EventRow]) -> Vec<VersionDto> {
    events
        .iter()
        .filter(|e| e.record_sha256.is_some())
        .enumerate()
        .map(|(i, e)| VersionDto {
            version: i as u32 + 1,
            kind: e.kind.as_str().to_string(),
            by: e.by.clone(),
            at: format_time(e.at),
            reason: e.text.clone(),
            record_hash: e.record_sha256.clone().unwrap_or_default(),
        })
        .collect()
}

pub(crate) fn events(events: &[EventRow]) -> Vec<EventDto> {
    events
        .iter()
        .map(|e| EventDto {
            kind: e.kind.as_str().to_string(),
            by: e.by.clone(),
            at: format_time(e.at),
            text: e.text.clone(),
        })
        .collect()
}

pub(crate) fn revision_dto(r: &RevisionRow, index: &FormIndex<'_>) -> AnswerRevisionDto {
    let link_id = r.key.link_id().to_string();
    let value = AnswerValue::labels(&r.values);
    AnswerRevisionDto {
        key: r.key.to_string(),
        label: label_of(index, &link_id),
        link_id,
        rev: r.rev,
        value,
        source: r.source.as_str().to_string(),
        author: r.author.clone(),
        at: format_time(r.at),
        removed: r.removed,
    }
}
