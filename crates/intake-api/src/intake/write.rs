//! Writing answers: one key's values as a new write (its `rev` goes up by one), and the
//! calculated items (BMI, scores) recomputed after a change, so a save and an
//! amendment's edit store the same things the same way.

use chrono::{DateTime, Utc};
use intake_core::questionnaire::response::{calculate, FormIndex, Key, Response};
use intake_core::questionnaire::AnswerValue;
use intake_core::{AnswerSource, EncounterId};
use intake_store::{AnswerWrite, Db};

use crate::ApiError;

/// Stores one key's values (a new write: its `rev` goes up by one).
pub(crate) fn write_answer(
    db: &Db<'_>,
    encounter: EncounterId,
    key: &Key,
    values: &[AnswerValue],
    source: AnswerSource,
    now: DateTime<Utc>,
    actor: &str,
) -> Result<(), ApiError> {
    let write = AnswerWrite {
        key,
        values,
        source,
        carried: None,
        needs_confirmation: false,
    };
    db.put_answer(encounter, &write, now, actor)?;
    Ok(())
}

/// Recomputes the calculated items (BMI, scores) of `response` and stores what changed;
/// returns the keys written and the keys removed.
pub(crate) fn recalculate(
    db: &Db<'_>,
    id: EncounterId,
    index: &FormIndex<'_>,
    response: &mut Response,
    now: DateTime<Utc>,
    actor: &str,
) -> Result<(Vec<Key>, Vec<Key>), ApiError> {
    let (mut written, mut removed) = (Vec::new(), Vec::new());
    for (key, value) in calculate(index, response) {
        let current = response.get(&key);
        match value {
            Some(v) if current != Some(&vec![v.clone()]) => {
                write_answer(
                    db,
                    id,
                    &key,
                    std::slice::from_ref(&v),
                    AnswerSource::Calculated,
                    now,
                    actor,
                )?;
                response.insert(key.clone(), vec![v]);
                written.push(key);
            }
            None if current.is_some() => {
                db.delete_answer(id, &key)?;
                response.remove(&key);
                removed.push(key);
            }
            _ => {}
        }
    }
    Ok((written, removed))
}
