//! What the intake screen and the CLI receive about encounters: the encounter, its form
//! as the screen draws it, answers with their source, and problems.

use intake_core::questionnaire::response::{Evaluation, FormIndex, Key};
use intake_core::questionnaire::validate::Severity;
use intake_core::questionnaire::value_json::to_json;
use intake_core::questionnaire::{AnswerValue, Item, ItemControl, ItemType, Questionnaire};
use intake_core::AnswerSource;
use intake_store::{format_time, AnswerRow, EncounterRow, EventRef, RevisionRow};
use serde::Serialize;
use serde_json::Value;

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
    pub started_by: String,
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
    pub(crate) fn new(e: &EncounterRow, read_only: bool) -> EncounterDto {
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
            started_by: e.started_by.clone(),
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
    pub(crate) fn new(a: &AnswerRow) -> AnswerDto {
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
                date: c.date.date_naive().to_string(),
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

/// The form's problems, then every carried value still waiting for confirmation (an
/// error: it blocks submission) unless its item is disabled.
pub(crate) fn problems(
    eval: &Evaluation,
    rows: &[AnswerRow],
    index: &FormIndex<'_>,
) -> Vec<ProblemDto> {
    let mut out: Vec<ProblemDto> = eval
        .problems
        .iter()
        .map(|(k, p)| ProblemDto {
            key: k.to_string(),
            link_id: p.link_id.clone(),
            severity: match p.severity {
                Severity::Error => "error",
                Severity::Warning => "warning",
            },
            message: p.message.clone(),
            confirm: false,
        })
        .collect();
    let mut waiting: Vec<(usize, Key, &AnswerRow)> = rows
        .iter()
        .filter(|a| a.needs_confirmation && a.confirmed_by.is_none())
        .map(|a| (a.key.clone(), a))
        .filter(|(key, _)| !eval.disabled.contains(key))
        .map(|(key, a)| (index.position(key.link_id()), key, a))
        .collect();
    waiting.sort_by(|x, y| (x.0, &x.1.rows()).cmp(&(y.0, &y.1.rows())));
    for (_, _, a) in waiting {
        let from = a.carried.as_ref().map_or(a.at, |c| c.date);
        out.push(ProblemDto {
            key: a.key.to_string(),
            link_id: a.link_id.clone(),
            severity: "error",
            message: crate::carry::confirm_message(from),
            confirm: true,
        });
    }
    out
}

pub(crate) fn disabled(eval: &Evaluation) -> Vec<String> {
    eval.disabled.iter().map(Key::to_string).collect()
}

/// An answer option as the screen offers it.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct OptionDto {
    pub value: Value,
    pub label: String,
    pub weight: Option<f64>,
}

/// A form item as the screen draws it.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FormItemDto {
    pub link_id: String,
    pub text: String,
    pub prefix: Option<String>,
    #[serde(rename = "type")]
    pub item_type: String,
    pub required: bool,
    pub repeats: bool,
    pub read_only: bool,
    pub hidden: bool,
    pub max_length: Option<u32>,
    pub control: Option<String>,
    pub options: Vec<OptionDto>,
    pub open_choice: bool,
    pub unit: Option<String>,
    pub unit_options: Vec<Value>,
    pub min: Option<Value>,
    pub max: Option<Value>,
    pub usual_min: Option<f64>,
    pub usual_max: Option<f64>,
    pub entry_format: Option<String>,
    pub calculated: bool,
    pub carry_forward: Option<&'static str>,
    /// The patient-record field the item mirrors (`emergency-contact-name`, ...).
    pub record_binding: Option<String>,
    /// False for what this version cannot take answers for; `notice` says so.
    pub supported: bool,
    pub notice: Option<String>,
    pub items: Vec<FormItemDto>,
}

/// The whole form for the screen.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FormDto {
    pub title: String,
    pub slug: String,
    pub version: String,
    pub items: Vec<FormItemDto>,
}

fn type_name(t: &ItemType) -> String {
    match t {
        ItemType::Group => "group",
        ItemType::Display => "display",
        ItemType::Boolean => "boolean",
        ItemType::Decimal => "decimal",
        ItemType::Integer => "integer",
        ItemType::Date => "date",
        ItemType::DateTime => "dateTime",
        ItemType::Time => "time",
        ItemType::String => "string",
        ItemType::Text => "text",
        ItemType::Url => "url",
        ItemType::Choice => "choice",
        ItemType::OpenChoice => "open-choice",
        ItemType::Quantity => "quantity",
        ItemType::Attachment => "attachment",
        ItemType::Reference => "reference",
        ItemType::Unknown(name) => return name.clone(),
    }
    .to_string()
}

/// What a person sees for an answer value ("Not at all", "72.5", "2026-11-24").
pub fn label(v: &AnswerValue) -> String {
    v.label()
}

fn bound(v: &Option<AnswerValue>) -> Option<Value> {
    match v {
        Some(AnswerValue::Decimal(d)) => Some(Value::from(*d)),
        Some(AnswerValue::Integer(i)) => Some(Value::from(*i)),
        Some(AnswerValue::Date(d)) | Some(AnswerValue::DateTime(d)) => Some(Value::from(d.clone())),
        _ => None,
    }
}

fn notice(t: &ItemType) -> Option<String> {
    match t {
        ItemType::Attachment => {
            Some("Attaching files is not supported in this version; note it on paper.".into())
        }
        ItemType::Unknown(name) => Some(format!(
            "This question (type \"{name}\") is not supported in this version."
        )),
        _ => None,
    }
}

fn item_dto(item: &Item) -> FormItemDto {
    let unsupported = notice(&item.item_type);
    FormItemDto {
        link_id: item.link_id.clone(),
        text: item.text.clone().unwrap_or_else(|| item.link_id.clone()),
        prefix: item.prefix.clone(),
        item_type: type_name(&item.item_type),
        required: item.required,
        repeats: item.repeats,
        read_only: item.read_only,
        hidden: item.hidden,
        max_length: item.max_length,
        control: item.item_control.as_ref().map(|c| match c {
            ItemControl::DropDown => "drop-down".into(),
            ItemControl::RadioButton => "radio-button".into(),
            ItemControl::CheckBox => "check-box".into(),
            ItemControl::Other(o) => o.clone(),
        }),
        options: item
            .answer_options
            .iter()
            .map(|o| OptionDto {
                value: to_json(&o.value),
                label: label(&o.value),
                weight: o.weight,
            })
            .collect(),
        open_choice: item.item_type == ItemType::OpenChoice,
        unit: item
            .unit
            .as_ref()
            .and_then(|u| u.display.clone().or_else(|| u.code.clone())),
        unit_options: item
            .unit_options
            .iter()
            .map(|u| to_json(&AnswerValue::Coding(u.clone()))["valueCoding"].clone())
            .collect(),
        min: bound(&item.min_value),
        max: bound(&item.max_value),
        usual_min: item.usual_min,
        usual_max: item.usual_max,
        entry_format: item.entry_format.clone(),
        calculated: item.calculation.is_some(),
        carry_forward: item.carry_forward.map(|c| c.as_str()),
        record_binding: item.record_binding.clone(),
        supported: unsupported.is_none(),
        notice: unsupported,
        items: item.items.iter().map(item_dto).collect(),
    }
}

pub(crate) fn form_dto(q: &Questionnaire, slug: &str, version: &str, title: &str) -> FormDto {
    FormDto {
        title: title.to_string(),
        slug: slug.to_string(),
        version: version.to_string(),
        items: q.items.iter().map(item_dto).collect(),
    }
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
}

/// What the nurse changed of what was carried: carried values edited or removed (from
/// the revision history), and rows added to lists, in key order. Empty for an intake that
/// carried nothing.
pub(crate) fn changes_since(rows: &[AnswerRow], history: &[RevisionRow]) -> Vec<ChangeSinceDto> {
    let values = |list: &[AnswerValue]| -> Vec<Value> { list.iter().map(to_json).collect() };
    let carried = AnswerSource::Carried;
    let carried_any =
        rows.iter().any(|a| a.source == carried) || history.iter().any(|r| r.source == carried);
    if !carried_any {
        return Vec::new();
    }
    let mut out = Vec::new();
    let mut seen = std::collections::BTreeSet::new();
    for r in history.iter().filter(|r| r.source == carried) {
        if !seen.insert(&r.key) {
            continue;
        }
        let now = rows.iter().find(|a| a.key == r.key);
        let (kind, after) = match now {
            None => ("removed", Vec::new()),
            Some(a) if a.values != r.values => ("changed", values(&a.values)),
            Some(_) => continue,
        };
        out.push(ChangeSinceDto {
            key: r.key.to_string(),
            link_id: r.key.link_id().to_string(),
            kind,
            before: values(&r.values),
            after,
        });
    }
    for a in rows {
        let is_row_marker = a.values.is_empty() && !a.key.rows().is_empty();
        if a.source == AnswerSource::Typed && is_row_marker && !seen.contains(&a.key) {
            out.push(ChangeSinceDto {
                key: a.key.to_string(),
                link_id: a.link_id.clone(),
                kind: "added",
                before: Vec::new(),
                after: Vec::new(),
            });
        }
    }
    out.sort_by(|x, y| x.key.cmp(&y.key));
    out
}
