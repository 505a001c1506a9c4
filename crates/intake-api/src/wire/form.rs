//! A form as the intake screen draws it: items with their type, options, bounds and
//! notices, in form order.

use intake_core::questionnaire::value_json::to_json;
use intake_core::questionnaire::{AnswerValue, Item, ItemControl, ItemType, Questionnaire};
use serde::Serialize;
use serde_json::Value;

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
