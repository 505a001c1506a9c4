//! A visit's reason for visit, as the queue and the visit lists show it: the answer to the
//! form's reason-for-visit question (linkId `reason`, or a question whose text starts with
//! "Reason for visit", outside repeating groups).

use intake_core::questionnaire::response::FormIndex;
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
    let Some(link) = reason_item(q) else {
        return Ok(None);
    };
    match db.answer(id, &FormIndex::new(&q.items).key(&[], &link)) {
        Ok(answer) => Ok(answer
            .map(|a| AnswerValue::labels(&a.values))
            .filter(|s| !s.trim().is_empty())),
        Err(StoreError::Damaged { .. }) => Ok(Some("(this record is damaged)".to_string())),
        Err(other) => Err(other),
    }
}
