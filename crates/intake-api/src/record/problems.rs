//! What stands between a record and its next step: the form's problems and the carried
//! values still waiting for confirmation, and what the nurse changed of what was carried.

use intake_core::questionnaire::response::{Evaluation, FormIndex, Key};
use intake_core::questionnaire::validate::Severity;
use intake_core::questionnaire::value_json::to_json;
use intake_core::questionnaire::AnswerValue;
use intake_core::AnswerSource;
use intake_store::{AnswerRow, RevisionRow};
use serde_json::Value;

use crate::clock::ClinicDays;
use crate::wire::intake::{ChangeSinceDto, ProblemDto};

/// The form's problems, then every carried value still waiting for confirmation (an
/// error: it blocks submission) unless its item is disabled.
pub(crate) fn problems(
    eval: &Evaluation,
    rows: &[AnswerRow],
    index: &FormIndex<'_>,
    days: &ClinicDays,
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
            message: crate::record::problems::confirm_message(&days.write(from)),
            confirm: true,
        });
    }
    out
}

pub(crate) fn disabled(eval: &Evaluation) -> Vec<String> {
    eval.disabled.iter().map(Key::to_string).collect()
}

/// What the nurse changed of what was carried in encounter `id`: carried values edited or
/// removed (from the revision history, each dated by the visit it came from), and rows
/// added to lists, in key order. Empty for an intake that carried nothing.
pub(crate) fn changes_since_in(
    db: &intake_store::Db<'_>,
    id: intake_core::EncounterId,
    rows: &[AnswerRow],
) -> Result<Vec<ChangeSinceDto>, crate::ApiError> {
    let history = db.carried_revisions(id)?;
    let zone = crate::clock::clinic_zone(db)?;
    let mut dates = std::collections::BTreeMap::new();
    for source in history.iter().filter_map(|r| r.source_encounter) {
        if let std::collections::btree_map::Entry::Vacant(slot) = dates.entry(source) {
            let date = db
                .encounter(source)?
                .map(|e| zone.day_of(e.started_at).to_string());
            slot.insert(date);
        }
    }
    Ok(changes_dated(rows, &history, &|e| {
        dates.get(&e).cloned().flatten()
    }))
}

fn changes_dated(
    rows: &[AnswerRow],
    history: &[RevisionRow],
    date_of: &dyn Fn(intake_core::EncounterId) -> Option<String>,
) -> Vec<ChangeSinceDto> {
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
            carried_from: r.source_encounter.and_then(date_of),
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
                carried_from: None,
            });
        }
    }
    out.sort_by(|x, y| x.key.cmp(&y.key));
    out
}

/// "Confirm or change this value, carried from the visit of 02/10/2026."
pub(crate) fn confirm_message(day: &str) -> String {
    format!("Confirm or change this value, carried from the visit of {day}.")
}
