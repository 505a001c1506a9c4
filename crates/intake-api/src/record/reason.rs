//! A visit's reason for visit, as the queue and the visit lists show it: the answer to the
//! form's reason-for-visit question (linkId `reason`, or a question whose text starts with
//! "Reason for visit", outside repeating groups).

use std::collections::hash_map::Entry;
use std::collections::HashMap;

use intake_core::questionnaire::response::{FormIndex, Key};
use intake_core::questionnaire::{all_items, AnswerValue, ItemType, Questionnaire};
use intake_core::text::fold;
use intake_core::{EncounterId, TemplateId};
use intake_store::{Db, StoreError};

use crate::{Api, ApiError};

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

const DAMAGED: &str = "(this record is damaged)";

fn shown(values: &[AnswerValue]) -> Option<String> {
    Some(AnswerValue::labels(values)).filter(|s| !s.trim().is_empty())
}

impl Api {
    /// What each of these visits (with its form) gives as its reason, read at once (a
    /// queue of hundreds was a round trip each on the server), each form's question
    /// found once; visits without one are left out. A damaged answer reads "(this record
    /// is damaged)", so one bad visit flags itself and the rest of a list still shows.
    pub(crate) fn visit_reasons(
        &self,
        db: &Db<'_>,
        visits: impl IntoIterator<Item = (EncounterId, TemplateId)>,
    ) -> Result<HashMap<EncounterId, String>, ApiError> {
        let mut keys: HashMap<TemplateId, Option<Key>> = HashMap::new();
        let mut wanted = Vec::new();
        for (id, template) in visits {
            if let Entry::Vacant(slot) = keys.entry(template) {
                let q = self.form(db, template)?;
                let key = reason_item(&q).map(|link| FormIndex::new(&q.items).key(&[], &link));
                slot.insert(key);
            }
            if let Some(Some(key)) = keys.get(&template) {
                wanted.push((id, key.clone()));
            }
        }
        let found = match db.answers_at(&wanted) {
            Ok(found) => found,
            // One damaged answer fails the page's read: each alone then, so it flags itself.
            Err(StoreError::Damaged { .. }) => {
                let mut out = HashMap::new();
                for (id, key) in &wanted {
                    let reason = match db.answer(*id, key) {
                        Ok(answer) => answer.and_then(|a| shown(&a.values)),
                        Err(StoreError::Damaged { .. }) => Some(DAMAGED.to_string()),
                        Err(other) => return Err(other.into()),
                    };
                    out.extend(reason.map(|r| (*id, r)));
                }
                return Ok(out);
            }
            Err(other) => return Err(other.into()),
        };
        Ok(found
            .into_iter()
            .filter_map(|(id, a)| shown(&a.values).map(|s| (id, s)))
            .collect())
    }
}
