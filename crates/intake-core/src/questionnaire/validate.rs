//! Checking answers against their form: what blocks submission (errors) and what only
//! deserves a second look (warnings). Disabled items are not checked: their answers are
//! kept in a draft but left out of the submitted record.

use std::collections::HashSet;

use super::enable_when::{enabled, Answers};
use super::model::{AnswerValue, Item, ItemType};

/// How serious a problem is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Severity {
    /// Blocks submission.
    Error,
    /// Shown at the field; does not block.
    Warning,
}

/// One problem at one item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub link_id: String,
    pub severity: Severity,
    pub message: String,
}

/// Whether a value has the type an item asks for.
pub fn fits(item_type: &ItemType, value: &AnswerValue) -> bool {
    use AnswerValue as V;
    match item_type {
        ItemType::Boolean => matches!(value, V::Boolean(_)),
        ItemType::Decimal => matches!(value, V::Decimal(_) | V::Integer(_)),
        ItemType::Integer => matches!(value, V::Integer(_)),
        ItemType::Date => matches!(value, V::Date(d) if is_date(d)),
        ItemType::DateTime => matches!(value, V::DateTime(_) | V::Date(_)),
        ItemType::Time => matches!(value, V::Time(_)),
        ItemType::String | ItemType::Text => matches!(value, V::String(_)),
        ItemType::Url => matches!(value, V::Uri(_) | V::String(_)),
        ItemType::Choice | ItemType::OpenChoice => {
            matches!(
                value,
                V::Coding(_) | V::String(_) | V::Integer(_) | V::Date(_) | V::Time(_)
            )
        }
        ItemType::Quantity => matches!(value, V::Quantity { .. } | V::Decimal(_)),
        ItemType::Attachment => matches!(value, V::Attachment { .. }),
        ItemType::Reference => matches!(value, V::Reference(_)),
        ItemType::Group | ItemType::Display | ItemType::Unknown(_) => false,
    }
}

/// What a person should give for a type, for messages.
fn expected(item_type: &ItemType) -> &'static str {
    match item_type {
        ItemType::Boolean => "yes or no",
        ItemType::Decimal | ItemType::Quantity => "a number",
        ItemType::Integer => "a whole number",
        ItemType::Date => "a date (YYYY-MM-DD)",
        ItemType::DateTime => "a date and time",
        ItemType::Time => "a time",
        ItemType::Url => "a web address",
        ItemType::Choice | ItemType::OpenChoice => "one of the answers offered",
        ItemType::Attachment => "a file",
        ItemType::Reference => "a reference",
        _ => "text",
    }
}

/// `YYYY`, `YYYY-MM` or a real `YYYY-MM-DD`.
fn is_date(s: &str) -> bool {
    match s.len() {
        4 => s.chars().all(|c| c.is_ascii_digit()),
        7 => chrono::NaiveDate::parse_from_str(&format!("{s}-01"), "%Y-%m-%d").is_ok(),
        10 => chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").is_ok(),
        _ => false,
    }
}

fn shown(v: &AnswerValue) -> String {
    match v {
        AnswerValue::Decimal(d) => d.to_string(),
        AnswerValue::Integer(i) => i.to_string(),
        AnswerValue::Date(s) | AnswerValue::DateTime(s) | AnswerValue::Time(s) => s.clone(),
        other => format!("{other:?}"),
    }
}

fn same_option(a: &AnswerValue, b: &AnswerValue) -> bool {
    match (a, b) {
        (AnswerValue::Coding(x), AnswerValue::Coding(y)) => {
            x.code == y.code && (x.system.is_none() || y.system.is_none() || x.system == y.system)
        }
        _ => a == b,
    }
}

/// "Unusually high: the usual range is 35.5–38 Cel. Check the value."
fn usual_message(item: &Item, low: bool) -> String {
    let unit = item
        .unit
        .as_ref()
        .and_then(|u| u.display.clone().or_else(|| u.code.clone()))
        .map(|u| format!(" {u}"))
        .unwrap_or_default();
    let range = match (item.usual_min, item.usual_max) {
        (Some(a), Some(b)) => format!("{a}–{b}{unit}"),
        (Some(a), None) => format!("at least {a}{unit}"),
        (None, Some(b)) => format!("at most {b}{unit}"),
        (None, None) => String::new(),
    };
    let which = if low { "low" } else { "high" };
    format!("Unusually {which}: the usual range is {range}. Check the value.")
}

fn has_answers(item: &Item, answers: &Answers) -> bool {
    answers.get(&item.link_id).is_some_and(|a| !a.is_empty())
        || item.items.iter().any(|c| has_answers(c, answers))
}

/// Every problem with `answers` for these items, in form order.
pub fn validate(items: &[Item], answers: &Answers) -> Vec<Problem> {
    validate_with(items, &enabled(items, answers), answers, false)
}

/// Every problem with `answers` for `items` (and what they hold), given which items are
/// enabled. With `stop_at_repeating_groups`, the inside of a repeating group is left
/// to the caller, which checks each row in its own context.
pub fn validate_with(
    items: &[Item],
    on: &HashSet<String>,
    answers: &Answers,
    stop_at_repeating_groups: bool,
) -> Vec<Problem> {
    let mut problems = Vec::new();
    let mut stack: Vec<&Item> = items.iter().rev().collect();
    while let Some(item) = stack.pop() {
        let row_group =
            stop_at_repeating_groups && item.repeats && item.item_type == ItemType::Group;
        if !row_group {
            stack.extend(item.items.iter().rev());
        }
        if !on.contains(&item.link_id) || item.hidden {
            continue;
        }
        if row_group {
            if item.required && answers.get(&item.link_id).is_none_or(Vec::is_empty) {
                problems.push(Problem {
                    link_id: item.link_id.clone(),
                    severity: Severity::Error,
                    message: "Add at least one row.".into(),
                });
            }
            continue;
        }
        let mut report = |severity: Severity, message: String| {
            problems.push(Problem {
                link_id: item.link_id.clone(),
                severity,
                message,
            })
        };
        let given: &[AnswerValue] = answers.get(&item.link_id).map(Vec::as_slice).unwrap_or(&[]);
        // A display item cannot be answered, so `required` on one (which FHIR forbids,
        // but published forms carry) asks nothing of the nurse.
        if item.required && item.item_type != ItemType::Display && !has_answers(item, answers) {
            let message = if item.item_type == ItemType::Group {
                "Answer at least one question in this group."
            } else {
                "This answer is required."
            };
            report(Severity::Error, message.into());
            continue;
        }
        if matches!(item.item_type, ItemType::Group | ItemType::Display) {
            continue;
        }
        if given.len() > 1 && !item.repeats {
            report(Severity::Error, "Only one answer is allowed here.".into());
        }
        for value in given {
            for (severity, message) in value_problems(item, value) {
                report(severity, message);
            }
        }
    }
    problems
}

/// What is wrong with one value given for `item`, worst first: its type, then bounds,
/// length, pattern and listed options (errors), and an unusual number (a warning).
pub fn value_problems(item: &Item, value: &AnswerValue) -> Vec<(Severity, String)> {
    let mut found = Vec::new();
    let mut report = |severity: Severity, message: String| found.push((severity, message));
    if !fits(&item.item_type, value) {
        report(
            Severity::Error,
            format!("This answer is not {}.", expected(&item.item_type)),
        );
        return found;
    }
    let number = match value {
        AnswerValue::Decimal(d) => Some(*d),
        AnswerValue::Integer(i) => Some(*i as f64),
        AnswerValue::Quantity { value, .. } => *value,
        _ => None,
    };
    let bound = |b: &Option<AnswerValue>| match b {
        Some(AnswerValue::Decimal(d)) => Some(*d),
        Some(AnswerValue::Integer(i)) => Some(*i as f64),
        _ => None,
    };
    if let (Some(n), Some(min)) = (number, bound(&item.min_value)) {
        if n < min {
            report(
                Severity::Error,
                format!(
                    "Must be at least {}.",
                    shown(item.min_value.as_ref().unwrap_or(value))
                ),
            );
        }
    }
    if let (Some(n), Some(max)) = (number, bound(&item.max_value)) {
        if n > max {
            report(
                Severity::Error,
                format!(
                    "Must be at most {}.",
                    shown(item.max_value.as_ref().unwrap_or(value))
                ),
            );
        }
    }
    if let Some(n) = number {
        let low = item.usual_min.is_some_and(|m| n < m);
        let high = item.usual_max.is_some_and(|m| n > m);
        let out_of_bounds = bound(&item.min_value).is_some_and(|m| n < m)
            || bound(&item.max_value).is_some_and(|m| n > m);
        if (low || high) && !out_of_bounds {
            report(Severity::Warning, usual_message(item, low));
        }
    }
    if let (AnswerValue::Date(d), Some(AnswerValue::Date(min))) = (value, &item.min_value) {
        if d < min {
            report(Severity::Error, format!("Must be on or after {min}."));
        }
    }
    if let (AnswerValue::Date(d), Some(AnswerValue::Date(max))) = (value, &item.max_value) {
        if d > max {
            report(Severity::Error, format!("Must be on or before {max}."));
        }
    }
    if let AnswerValue::String(text) = value {
        if let Some(max) = item.max_length {
            if text.chars().count() > max as usize {
                report(Severity::Error, format!("At most {max} characters."));
            }
        }
        if let Some(pattern) = &item.regex {
            // A pattern the form gets wrong is the form's problem, not the nurse's.
            if let Ok(re) = regex::Regex::new(&format!("^(?:{pattern})$")) {
                if !re.is_match(text) {
                    report(
                        Severity::Error,
                        match &item.entry_format {
                            Some(format) => format!("Use the form {format}."),
                            None => "This answer does not have the expected form.".into(),
                        },
                    );
                }
            }
        }
    }
    let closed = item.item_type == ItemType::Choice && !item.answer_options.is_empty();
    if closed
        && !item
            .answer_options
            .iter()
            .any(|o| same_option(&o.value, value))
    {
        report(Severity::Error, "Choose one of the listed answers.".into());
    }
    found
}
