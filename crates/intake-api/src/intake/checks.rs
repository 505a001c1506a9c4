//! Checking what the intake screen sends before anything is written: each change names
//! an item instance of the form, was made on the latest write of its key (its `baseRev`),
//! and holds values of the item's type within the limits; rows exist before anything is
//! written inside them.

use std::collections::BTreeMap;

use intake_core::questionnaire::response::{FormIndex, Key, KeyParseError, Response};
use intake_core::questionnaire::validate::fits;
use intake_core::questionnaire::value_json::from_json;
use intake_core::questionnaire::{AnswerValue, ItemType};
use intake_store::AnswerRow;

use crate::error::grouped;
use crate::wire::intake::item_label;
use crate::wire::intake::ChangeDto;
use crate::ApiError;

/// Checks one change against the form and the stored answers: the key names an item
/// instance, the screen saw the latest write, the values fit.
pub(crate) fn check_change(
    index: &FormIndex<'_>,
    change: &ChangeDto,
    stored: &BTreeMap<String, &AnswerRow>,
) -> Result<(Key, Vec<AnswerValue>), ApiError> {
    let field = change.key.as_str();
    let invalid = |m: String| ApiError::invalid(field, m);
    let key: Key = change
        .key
        .parse()
        .map_err(|e: KeyParseError| invalid(format!("{e}.")))?;
    let item = index
        .check(&key)
        .map_err(|e| invalid(crate::error::sentence(&e.to_string())))?;
    let label = item_label(index, key.link_id());
    let current = stored.get(&change.key);
    let current_rev = current.map_or(0, |a| a.rev);
    if current_rev != change.base_rev {
        return Err(ApiError::Conflict(match current {
            Some(a) => format!(
                "{label} was changed in another window by {} at {}; your change was not saved.",
                a.author,
                a.at.format("%H:%M:%S")
            ),
            None => format!("{label} was cleared in another window; your change was not saved."),
        }));
    }
    let row_group = index.is_row_group(key.link_id());
    if change.remove {
        if !row_group {
            return Err(invalid("Only a row of a repeating group can be removed; clear a field by sending no values.".into()));
        }
        return Ok((key, Vec::new()));
    }
    if row_group {
        if !change.values.is_empty() {
            return Err(invalid(format!(
                "A row of {label} holds no values of its own."
            )));
        }
        return Ok((key, Vec::new()));
    }
    if item.read_only || item.calculation.is_some() {
        return Err(invalid(format!(
            "{label} is filled in by the app and cannot be typed."
        )));
    }
    if matches!(item.item_type, ItemType::Attachment | ItemType::Unknown(_)) {
        return Err(invalid(format!(
            "{label} is not supported in this version."
        )));
    }
    if change.values.len() > 1 && !item.repeats {
        return Err(invalid(format!("{label} takes one answer.")));
    }
    let mut values = Vec::with_capacity(change.values.len());
    for raw in &change.values {
        let v = from_json(raw)
            .map_err(|e| invalid(format!("{label}: {}", crate::error::sentence(&e.0))))?;
        if let AnswerValue::String(s) = &v {
            if s.chars().count() > MAX_TEXT_ANSWER_CHARS {
                return Err(invalid(format!(
                    "{label} is {} characters long; an answer holds at most {}.",
                    grouped(s.chars().count()),
                    grouped(MAX_TEXT_ANSWER_CHARS)
                )));
            }
        }
        if !fits(&item.item_type, &v) {
            return Err(invalid(format!(
                "{label}: this answer does not have the question's type; it was not saved."
            )));
        }
        values.push(v);
    }
    Ok((key, values))
}

/// Every written key inside repeating groups needs its rows to exist.
pub(crate) fn check_rows_exist(
    index: &FormIndex<'_>,
    response: &Response,
    writes: &[(Key, Vec<AnswerValue>)],
) -> Result<(), ApiError> {
    for (key, _) in writes {
        for (depth, group) in index.row_groups(key.link_id()).iter().enumerate() {
            if *group == key.link_id() {
                continue;
            }
            let Some(row) = key.row_at(depth) else {
                continue;
            };
            if !response.contains_key(&row) {
                return Err(ApiError::invalid(
                    &key.to_string(),
                    format!(
                        "Row {} of {} does not exist; add the row first.",
                        key.rows()[depth],
                        item_label(index, group)
                    ),
                ));
            }
        }
    }
    Ok(())
}

/// The longest text answer accepted, in characters.
pub const MAX_TEXT_ANSWER_CHARS: usize = 100_000;

/// The most values one save may carry (a screen sends a handful).
pub const MAX_CHANGES_PER_SAVE: usize = 500;
