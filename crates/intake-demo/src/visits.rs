//! Earlier visits for the demo register, so a repeat visit can be tried at once: about
//! three in five demo patients get one to five submitted intakes of the built-in form,
//! one to six months apart, the newest mostly within the last 180 days.
//!
//! Each visit is entered the way the app enters one, in `seed_demo`'s transaction: the
//! intake starts from the carry-forward plan of the patient's earlier demo visits
//! (`Seeding::carry_plan` and `write_plan`, the code `start_intake` runs), then the
//! demo nurse ("nurse") types what is new (reason, vitals, a medicine started, a dose
//! changed, a new allergy), removes rows that no longer hold (a medicine stopped),
//! confirms every carried value still waiting, and submits; calculations (BMI, PHQ-2)
//! are recomputed as a save does. So answers carry `typed`, `carried` (with the earlier
//! visit as provenance), `record` and `calculated` sources exactly as real visits do.
//! Entering a demo visit writes no audit entry of its own (its signature does, see
//! [`sign_off`]); `seed_demo` writes one summary.
//!
//! What each visit holds comes from [`history`]: Łukasz Kowalski's fixed history (the
//! `LUKASZ_*` constants below, which tests rely on) and reproducible made-up ones.
//! Dates are relative to the API clock and never today or later. Zoë Núñez and the
//! register's near-duplicate records get no visits.
//!
//! Then the demo physician ("physician") reviews them ([`sign_off`]): most visits are
//! signed some minutes to hours after submission, two are amended (entered with a
//! mistake, signed, corrected with a reason and signed again) and the
//! [`DEMO_WAITING`] newest wait in the review queue.
//!
//! The patient records are created without an emergency contact, so the nurse types it
//! at the first visit and later visits carry it (`always`); once the visits are in,
//! `records` writes that contact into the record, as the nurse's "Update the patient
//! record too?" would have, so records and visits agree.

mod answers;
mod catalog;
mod history;
mod made_up;
mod sign_off;

use std::collections::BTreeSet;

use chrono::{DateTime, Duration, NaiveDate, Utc};
use intake_api::admin::seeding::Seeding;
use intake_api::ApiError;
use intake_core::ids::PatientId;
use intake_core::patient::ValidPatient;
use intake_core::questionnaire::response::{calculate, evaluate, FormIndex, Key, Response};
use intake_core::questionnaire::{AnswerValue, Questionnaire};
use intake_core::{AnswerSource, EncounterId};
use intake_store::{PatientRow, TemplateRow};

use answers::{filled, Filled};
use history::Visit;
use sign_off::{Fate, History};
pub use sign_off::{DEMO_AMENDMENT_REASONS, DEMO_WAITING};

/// The demo account that enters every demo visit.
pub const DEMO_NURSE: &str = "nurse";

/// The demo account that reviews them.
pub const DEMO_PHYSICIAN: &str = "physician";

/// One medicine as the intake form records it (codes are the form's answer codes).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DemoMedication {
    pub name: &'static str,
    pub dose: f64,
    /// A `med-unit` code.
    pub unit: &'static str,
    /// A `med-frequency` code.
    pub frequency: &'static str,
    /// A `med-route` code.
    pub route: &'static str,
}

/// One allergy as the intake form records it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DemoAllergy {
    pub substance: &'static str,
    pub reaction: &'static str,
    /// An `allergy-severity` code.
    pub severity: &'static str,
}

// Łukasz Kowalski (demo patient, male, born 1975-11-02): three earlier visits.
// Tests rely on these values; change them together with the tests.
pub const LUKASZ_FAMILY: &str = "Kowalski";
pub const LUKASZ_GIVEN: &str = "Łukasz";
pub const LUKASZ_BIRTH_DATE: &str = "1975-11-02";
/// Days before now of his visits, oldest first: the latest was 62 days ago.
pub const LUKASZ_VISITS_DAYS_AGO: [i64; 3] = [240, 150, 62];
/// Reasons for visit, oldest first.
pub const LUKASZ_REASONS: [&str; 3] =
    ["Diabetes review", "Blood pressure check", "Diabetes review"];
/// Weight at each visit, oldest first (kg).
pub const LUKASZ_WEIGHTS_KG: [f64; 3] = [92.0, 90.5, 89.0];
pub const LUKASZ_HEIGHT_CM: f64 = 178.0;
/// His one allergy (every visit; "no known allergies" is false).
pub const LUKASZ_ALLERGY: DemoAllergy = DemoAllergy {
    substance: "Penicillin",
    reaction: "Hives",
    severity: "severe",
};
/// Taken at every visit.
pub const LUKASZ_METFORMIN: DemoMedication = DemoMedication {
    name: "Metformin",
    dose: 500.0,
    unit: "mg",
    frequency: "twice-daily",
    route: "oral",
};
/// Started between the first and the second visit.
pub const LUKASZ_LISINOPRIL: DemoMedication = DemoMedication {
    name: "Lisinopril",
    dose: 10.0,
    unit: "mg",
    frequency: "once-daily",
    route: "oral",
};
/// His medicines at the latest visit, in row order.
pub const LUKASZ_MEDICATIONS: [DemoMedication; 2] = [LUKASZ_METFORMIN, LUKASZ_LISINOPRIL];
/// His one past medical history row.
pub const LUKASZ_CONDITION: &str = "Type 2 diabetes";
pub const LUKASZ_CONDITION_SINCE: &str = "2015-04-01";
/// `tobacco`, `alcohol` and `imm-up-to-date` codes.
pub const LUKASZ_TOBACCO: &str = "former";
pub const LUKASZ_ALCOHOL: &str = "occasional";
pub const LUKASZ_IMMUNIZATIONS_UP_TO_DATE: &str = "yes";
pub const LUKASZ_OCCUPATION: &str = "Electrician";
/// Emergency contact: name, relationship, phone (typed at the first visit).
pub const LUKASZ_CONTACT: (&str, &str, &str) = ("Anna Kowalska", "spouse", "+48 22 555 0142");
pub const LUKASZ_INSURER: &str = "Northwind Health";
pub const LUKASZ_POLICY_NUMBER: &str = "NW-204-5521";
/// An `insurance-holder` code.
pub const LUKASZ_POLICY_HOLDER: &str = "self";

/// How many demo visits were entered and what became of them, for the audit entry.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Seeded {
    pub patients: usize,
    pub visits: usize,
    /// Signed by the demo physician (amended ones included).
    pub signed: usize,
    /// Of those, amended and signed again.
    pub amended: usize,
    /// Submitted, waiting in the review queue.
    pub waiting: usize,
}

/// The form the demo visits use: version 1 of the built-in intake, the form of the
/// clinic's visits before the upgrade to version 2 (which `seed_demo` then installs, so
/// a new intake in the demo carries from version 1 into version 2).
struct Form<'a> {
    template: &'a TemplateRow,
    q: &'a Questionnaire,
    index: FormIndex<'a>,
}

/// Enters the earlier visits of freshly inserted demo patients (see the module docs).
pub fn seed_visits(
    s: &Seeding<'_>,
    patients: &[(PatientId, &ValidPatient)],
) -> Result<Seeded, ApiError> {
    let db = s.db();
    let now = s.now();
    let template = s.builtin_v1()?;
    let q = s.form(template.id)?;
    let form = Form {
        template: &template,
        q: &q,
        index: FormIndex::new(&q.items),
    };
    let today = now.date_naive();
    let histories: Vec<Vec<Visit>> = patients
        .iter()
        .enumerate()
        .map(|(serial, (_, p))| history::visits_for(serial, p, today))
        .collect();
    let fates = sign_off::fates(
        &patients
            .iter()
            .zip(&histories)
            .map(|((_, p), visits)| History {
                lukasz: history::is_lukasz(p),
                visits,
            })
            .collect::<Vec<_>>(),
    );
    let physician = sign_off::physician(s)?;
    let mut seeded = Seeded::default();
    for (serial, ((id, _), visits)) in patients.iter().zip(&histories).enumerate() {
        if visits.is_empty() {
            continue;
        }
        let Some(patient) = db.patient(*id)? else {
            continue;
        };
        for (i, (visit, &fate)) in visits.iter().zip(&fates[serial]).enumerate() {
            let start = start_time(today, visit);
            let entered = match fate {
                Fate::Amended(c) => std::borrow::Cow::Owned(c.mistake.entered(visit)),
                _ => std::borrow::Cow::Borrowed(visit),
            };
            let filled = filled(&entered, &form.index)?;
            let (encounter, submitted) = enter_visit(s, &form, &patient, &filled, start)?;
            seeded.visits += 1;
            let salt = ((serial as u64) << 8) | i as u64;
            let signed = match &physician {
                Some(who) => {
                    let when = (submitted, now, salt);
                    sign_off::review(s, who, encounter, fate, visit, when)?
                }
                None => false,
            };
            if signed {
                seeded.signed += 1;
                seeded.amended += usize::from(matches!(fate, Fate::Amended(_)));
            } else {
                seeded.waiting += 1;
            }
        }
        seeded.patients += 1;
    }
    Ok(seeded)
}

/// Starts an intake from the carry-forward plan, makes the nurse's changes, confirms
/// what waits for confirmation and submits; returns the encounter id and when it was
/// submitted.
fn enter_visit(
    s: &Seeding<'_>,
    form: &Form<'_>,
    patient: &PatientRow,
    filled: &Filled,
    start: DateTime<Utc>,
) -> Result<(EncounterId, DateTime<Utc>), ApiError> {
    let later = |minutes| {
        start
            .checked_add_signed(Duration::minutes(minutes))
            .unwrap_or(start)
    };
    let (typed_at, confirmed_at, submitted_at) = (later(4), later(7), later(9));
    let index = &form.index;
    let db = s.db();
    let plan = s.carry_plan(patient, form.template, form.q, start)?;
    let id = db.insert_encounter(patient.id, form.template.id, start, DEMO_NURSE)?;
    let notes = s.write_plan(id, &plan, index, start, DEMO_NURSE)?;
    let notes = serde_json::to_string(&notes)
        .map_err(|e| ApiError::Internal(format!("the carry-forward notes: {e}")))?;
    db.set_carry_notes(id, &notes)?;

    // The draft as the plan left it.
    let mut response: Response = plan
        .entries
        .iter()
        .filter(|e| e.source.is_some())
        .map(|e| (e.key.clone(), e.values.clone()))
        .collect();
    for (key, value) in calculate(index, &response) {
        if let Some(v) = value {
            response.insert(key, vec![v]);
        }
    }
    let kept: BTreeSet<&Key> = plan
        .entries
        .iter()
        .filter(|e| e.source == Some(intake_core::AnswerSource::Record))
        .map(|e| &e.key)
        .collect();

    let (writes, removes) = changes(index, &response, filled, &kept);
    for key in &removes {
        response.remove(key);
        db.delete_answer(id, key)?;
    }
    for (key, values) in &writes {
        response.insert(key.clone(), values.clone());
        put(s, id, key, values, AnswerSource::Typed, typed_at)?;
    }
    for (key, value) in calculate(index, &response) {
        match value {
            Some(v) if response.get(&key) != Some(&vec![v.clone()]) => {
                put(
                    s,
                    id,
                    &key,
                    std::slice::from_ref(&v),
                    AnswerSource::Calculated,
                    typed_at,
                )?;
                response.insert(key, vec![v]);
            }
            None if response.contains_key(&key) => {
                db.delete_answer(id, &key)?;
                response.remove(&key);
            }
            _ => {}
        }
    }
    db.touch_encounter(id, None, typed_at)?;
    for e in plan.entries.iter().filter(|e| e.needs_confirmation) {
        db.confirm_answer(id, &e.key, confirmed_at, DEMO_NURSE)?;
    }

    let eval = evaluate(index, &response);
    if let Some((key, problem)) = eval
        .problems
        .iter()
        .find(|(_, p)| p.severity == intake_core::questionnaire::validate::Severity::Error)
    {
        return Err(ApiError::Internal(format!(
            "a demo visit does not validate at {key}: {}",
            problem.message
        )));
    }
    let left_out: Vec<Key> = response
        .keys()
        .filter(|k| eval.disabled.contains(k))
        .cloned()
        .collect();
    db.submit_encounter(id, &left_out, submitted_at, DEMO_NURSE)?;
    Ok((id, submitted_at))
}

/// When a visit's intake starts: its day, at its minute (always before today).
fn start_time(today: NaiveDate, visit: &Visit) -> DateTime<Utc> {
    let day = history::days_before(today, visit.days_ago.max(1));
    let midnight = day.and_time(chrono::NaiveTime::MIN).and_utc();
    let minutes = Duration::minutes(i64::from(visit.start_minute.min(23 * 60)));
    midnight.checked_add_signed(minutes).unwrap_or(midnight)
}

fn put(
    s: &Seeding<'_>,
    id: EncounterId,
    key: &Key,
    values: &[AnswerValue],
    source: AnswerSource,
    at: DateTime<Utc>,
) -> Result<(), ApiError> {
    s.write_answer(id, key, values, source, at, DEMO_NURSE)
}

/// What the nurse types and removes to turn the planned draft (`response`) into
/// `filled`. A carried row stays when `filled` has a row with the same first required
/// answer (the medicine's name, the allergy's substance), its other answers corrected; other
/// carried rows are removed and new rows added after the last one. Answers `filled`
/// does not have are cleared, unless they come from the record (`kept`) or their item
/// is disabled (the screen hides it; submission leaves it out of the record).
fn changes(
    index: &FormIndex<'_>,
    response: &Response,
    filled: &Filled,
    kept: &BTreeSet<&Key>,
) -> (Vec<(Key, Vec<AnswerValue>)>, Vec<Key>) {
    let mut writes = Vec::new();
    let mut removes = Vec::new();
    let touch = |key: Key, values: Vec<AnswerValue>, writes: &mut Vec<_>| {
        if response.get(&key) != Some(&values) {
            writes.push((key, values));
        }
    };
    for (link, value) in &filled.top {
        touch(index.key(&[], link), vec![value.clone()], &mut writes);
    }
    let mut groups: Vec<&str> = filled.lists.iter().map(|(g, _)| *g).collect();
    for key in response.keys() {
        if key.rows().len() == 1 && index.is_row_group(key.link_id()) {
            groups.push(key.link_id());
        }
    }
    groups.sort_unstable();
    groups.dedup();
    let no_rows = Vec::new();
    for group in groups {
        let rows = filled
            .lists
            .iter()
            .find(|(g, _)| *g == group)
            .map_or(&no_rows, |(_, rows)| rows);
        // What names a row: its first required answer (else its first answer).
        let first = index
            .get(group)
            .and_then(|g| g.items.iter().find(|i| i.required).or(g.items.first()))
            .map(|i| i.link_id.as_str());
        let mut carried: Vec<u32> = response
            .keys()
            .filter(|k| k.link_id() == group && k.rows().len() == 1)
            .map(|k| k.rows()[0])
            .collect();
        let mut next = carried.iter().max().copied().unwrap_or(0) + 1;
        for row in rows {
            let identity = row.iter().find(|(l, _)| Some(*l) == first);
            let same = carried.iter().position(|r| {
                identity.is_some_and(|(l, v)| {
                    response.get(&index.key(&[*r], l)) == Some(&vec![v.clone()])
                })
            });
            let r = match same {
                Some(i) => carried.remove(i),
                None => {
                    writes.push((index.key(&[next], group), Vec::new()));
                    next += 1;
                    next - 1
                }
            };
            for (link, value) in row {
                touch(index.key(&[r], link), vec![value.clone()], &mut writes);
            }
            for key in response.keys() {
                let inside = key.rows().first() == Some(&r) && index.within(key.link_id(), group);
                if inside && !row.iter().any(|(l, _)| *l == key.link_id()) {
                    removes.push(key.clone());
                }
            }
        }
        // Rows that no longer hold: the row and everything in it.
        for r in carried {
            for key in response.keys() {
                let of_row = key.rows().first() == Some(&r)
                    && (key.link_id() == group || index.within(key.link_id(), group));
                if of_row {
                    removes.push(key.clone());
                }
            }
        }
    }
    let typed: BTreeSet<&str> = filled.top.iter().map(|(l, _)| *l).collect();
    let untouched: Vec<&Key> = response
        .keys()
        .filter(|key| {
            let top = key.rows().is_empty() && !index.is_row_group(key.link_id());
            let computed = index
                .get(key.link_id())
                .is_some_and(|i| i.calculation.is_some());
            top && !typed.contains(key.link_id()) && !kept.contains(key) && !computed
        })
        .collect();
    if !untouched.is_empty() {
        let mut draft = response.clone();
        for (key, values) in &writes {
            draft.insert(key.clone(), values.clone());
        }
        for key in &removes {
            draft.remove(key);
        }
        let disabled = evaluate(index, &draft).disabled;
        removes.extend(
            untouched
                .into_iter()
                .filter(|key| !disabled.contains(*key))
                .cloned(),
        );
    }
    (writes, removes)
}

#[cfg(test)]
mod tests;
