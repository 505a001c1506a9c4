//! A visit's reason for visit, as the queue and the visit lists show it: the answer to the
//! form's reason-for-visit question (linkId `reason`, or a question whose text starts with
//! "Reason for visit", outside repeating groups).

use std::collections::HashMap;

use intake_core::questionnaire::response::{FormIndex, Key};
use intake_core::questionnaire::{all_items, AnswerValue, ItemType, Questionnaire};
use intake_core::text::fold;
use intake_core::EncounterId;
use intake_store::{Db, StoreError};

/// The linkId of the form's reason-for-visit question, if it has one.
fn reason_item(q: &Questionnaire) -> Option<String> {
    let index = FormIndex::new(&q.items);
    all_items(&q.items)
        .into_iter()
        .filter(|i| !matches!(i.item_type, ItemType::Group | ItemType::Display))
        .filter(|i| index.row_groups(&i.link_id).is_empty())
        .find(|i| {
            i.link_id == "reason"
                || i.text
                    .as_deref()
                    .is_some_and(|t| fold(t).starts_with("reason for visit"))
        })
        .map(|i| i.link_id.clone())
}

/// What visit `id` (on form `q`) gives as its reason; a damaged answer reads "(this record
/// is damaged)" so one bad visit flags itself and the rest of a list still shows.
pub(crate) fn visit_reason(
    db: &Db<'_>,
    id: EncounterId,
    q: &Questionnaire,
) -> Result<Option<String>, StoreError> {
    let Some(key) = reason_key(q) else {
        return Ok(None);
    };
    match db.answer(id, &key) {
        Ok(answer) => Ok(answer.and_then(|a| shown(&a.values))),
        Err(StoreError::Damaged { .. }) => Ok(Some(DAMAGED.to_string())),
        Err(other) => Err(other),
    }
}

const DAMAGED: &str = "(this record is damaged)";

fn shown(values: &[AnswerValue]) -> Option<String> {
    Some(AnswerValue::labels(values)).filter(|s| !s.trim().is_empty())
}

/// The key of form `q`'s reason-for-visit answer, if it asks for one.
pub(crate) fn reason_key(q: &Questionnaire) -> Option<Key> {
    reason_item(q).map(|link| FormIndex::new(&q.items).key(&[], &link))
}

/// [`visit_reason`] of many visits, each given with its form's [`reason_key`], read at
/// once (a queue of hundreds was a round trip each on the server); visits without a
/// reason are left out.
pub(crate) fn visit_reasons(
    db: &Db<'_>,
    wanted: &[(EncounterId, Key)],
) -> Result<HashMap<EncounterId, String>, StoreError> {
    match db.answers_at(wanted) {
        Ok(found) => Ok(found
            .into_iter()
            .filter_map(|(id, a)| shown(&a.values).map(|s| (id, s)))
            .collect()),
        // One damaged answer fails the page's read: each alone then, so it flags itself.
        Err(StoreError::Damaged { .. }) => {
            let mut out = HashMap::new();
            for (id, key) in wanted {
                let reason = match db.answer(*id, key) {
                    Ok(answer) => answer.and_then(|a| shown(&a.values)),
                    Err(StoreError::Damaged { .. }) => Some(DAMAGED.to_string()),
                    Err(other) => return Err(other),
                };
                if let Some(reason) = reason {
                    out.insert(*id, reason);
                }
            }
            Ok(out)
        }
        Err(other) => Err(other),
    }
}
