//! Carry-forward: what a new intake may start with, taken from the patient's earlier
//! visits and record, and where each value came from.
//!
//! [`plan`] is pure: it takes the form being started, the patient-record facts the form
//! binds to, the earlier visits with their answers, and `now`. Rules:
//!
//! - Only `submitted`, `signed` and `amended` visits count; drafts and visits entered in
//!   error never do, nor does a visit dated after `now` (a skewed clock), which the plan
//!   lists in [`Plan::skipped`] so the screen can say so.
//! - For each item, the newest counted visit whose form has a matching item decides. Its
//!   answer is proposed, or nothing when it had none: a list cleared at the last visit is
//!   not brought back from an older one.
//! - Items match by `linkId` within one form version. Between versions of one form, an
//!   item that names an earlier item (our `carry-forward-from`: its `linkId`, and
//!   `inverted` for a yes/no asked the other way round) takes that item's answer;
//!   otherwise items match by code (system and code) when both have one, else by
//!   `linkId` unless both carry codes that differ (so an item that gains a code or moves
//!   into a group still matches). Across forms, by code only. Never by label text.
//! - The item's policy (our `carry-forward` extension, inherited from the nearest group
//!   that has one; none means `never`): `never` proposes nothing but hints at the last
//!   value ("last weight 82 kg, 2 Oct 2026"); `confirm` proposes and needs confirmation;
//!   `always` proposes as accepted. `carry-forward-max-age` (days) stops older values.
//! - An answer that was disabled at its visit, or that no longer fits the form (type,
//!   options, bounds, length, pattern), is not carried; the entry says why.
//! - Repeating groups carry as whole lists (rows renumbered from 1, in their order), each
//!   row and answer with its own provenance.
//! - Items bound to the patient record take the record's value (`record`), whatever an
//!   earlier visit said; items with nothing else start from the form's `initial`.
//! - Calculated items are never proposed (the app computes them) but may carry a hint.

use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::{DateTime, Utc};

use crate::encounter::{AnswerSource, EncounterStatus};
use crate::questionnaire::response::FormIndex;
use crate::questionnaire::validate::{value_problems, Severity};
use crate::questionnaire::{all_items, AnswerValue, CarryForward, Item, ItemType};

mod types;

pub use types::*;

/// How one earlier form's items map onto the current form's.
struct Matcher<'a> {
    index: FormIndex<'a>,
    /// current linkId -> earlier linkId
    to_past: HashMap<&'a str, &'a str>,
    /// Current linkIds whose yes/no answer carries inverted (`carry-forward-from`).
    inverted: HashSet<&'a str>,
}

impl Matcher<'_> {
    /// An earlier answer's values as the current item takes them (a yes/no named by an
    /// inverted `carry-forward-from` turned round).
    fn values(&self, current_link: &str, values: &[AnswerValue]) -> Vec<AnswerValue> {
        if !self.inverted.contains(current_link) {
            return values.to_vec();
        }
        values
            .iter()
            .map(|v| match v {
                AnswerValue::Boolean(b) => AnswerValue::Boolean(!b),
                other => other.clone(),
            })
            .collect()
    }
}

fn matcher<'a>(target: &Target<'a>, visit: &PastVisit<'a>, current: &[&'a Item]) -> Matcher<'a> {
    matcher_for(target, (visit.slug, visit.version, visit.form), current)
}

/// How form `(slug, version, form)`'s items map onto `target`'s `current` items.
fn matcher_for<'a>(
    target: &Target<'a>,
    (past_slug, past_version, past_form): (
        &'a str,
        &'a str,
        &'a crate::questionnaire::Questionnaire,
    ),
    current: &[&'a Item],
) -> Matcher<'a> {
    let visit_form = past_form;
    let past = all_items(&visit_form.items);
    let same_version = past_slug == target.slug && past_version == target.version;
    let same_form = past_slug == target.slug;
    let by_link: HashMap<&str, &'a Item> = past.iter().map(|i| (i.link_id.as_str(), *i)).collect();
    let mut by_code: HashMap<(Option<&str>, &str), &'a Item> = HashMap::new();
    for item in &past {
        for c in &item.codes {
            if let Some(code) = c.code.as_deref() {
                by_code.entry((c.system.as_deref(), code)).or_insert(item);
            }
        }
    }
    let mut to_past = HashMap::new();
    let mut inverted = HashSet::new();
    for item in current {
        let link = item.link_id.as_str();
        // The item an earlier version of this form names explicitly comes first.
        let named = item
            .carry_forward_from
            .as_ref()
            .filter(|_| same_form && !same_version)
            .and_then(|from| Some((*by_link.get(from.link_id.as_str())?, from.inverted)));
        let found = if same_version {
            by_link.get(link).copied()
        } else if let Some((p, invert)) = named {
            if invert {
                inverted.insert(link);
            }
            Some(p)
        } else {
            let coded = item.codes.iter().find_map(|c| {
                let code = c.code.as_deref()?;
                by_code.get(&(c.system.as_deref(), code)).copied()
            });
            match coded {
                Some(p) => Some(p),
                // Between versions of one form, the same linkId is the same question
                // unless both carry codes and they differ (then it was recoded as
                // another question): an item that gains a code or moves into a group
                // still matches.
                None if same_form => by_link
                    .get(link)
                    .copied()
                    .filter(|p| p.codes.is_empty() || item.codes.is_empty()),
                None => None,
            }
        };
        if let Some(p) = found {
            if p.item_type == item.item_type || both_groups(p, item) {
                to_past.insert(link, p.link_id.as_str());
            } else if same_form || !item.codes.is_empty() {
                // Same question, another type: found, but it cannot carry (said below).
                to_past.insert(link, p.link_id.as_str());
            }
        }
    }
    Matcher {
        index: FormIndex::new(&visit_form.items),
        to_past,
        inverted,
    }
}

/// An earlier visit's answers (`earlier`, made on form `(slug, version, form)`) under the
/// keys of `target`'s items, matched as carry-forward matches them (code, linkId within
/// one form, our `carry-forward-from`, a yes/no turned round where the form says so), at
/// the same rows. Answers whose item has no match are left out. The review compares a
/// visit with one made on an earlier version of its form through this.
pub fn translate(
    target: &Target<'_>,
    past: (&str, &str, &crate::questionnaire::Questionnaire),
    earlier: &crate::questionnaire::response::Response,
) -> crate::questionnaire::response::Response {
    let current = all_items(&target.form.items);
    let m = matcher_for(target, past, &current);
    let from_past: HashMap<&str, &str> =
        m.to_past.iter().map(|(now, then)| (*then, *now)).collect();
    let index = FormIndex::new(&target.form.items);
    let mut out = crate::questionnaire::response::Response::new();
    for (key, values) in earlier {
        let Some(now) = from_past.get(key.link_id()) else {
            continue;
        };
        out.insert(index.key(&key.rows(), now), m.values(now, values));
    }
    out
}

fn both_groups(a: &Item, b: &Item) -> bool {
    a.item_type == ItemType::Group && b.item_type == ItemType::Group
}

/// The policy and maximum age that apply to an item: its own, or its nearest group's.
fn policy(
    index: &FormIndex<'_>,
    parents: &HashMap<&str, &str>,
    link_id: &str,
) -> (CarryForward, Option<u32>) {
    let mut at = Some(link_id);
    let (mut found, mut age) = (None, None);
    while let Some(id) = at {
        if let Some(item) = index.get(id) {
            found = found.or(item.carry_forward);
            age = age.or(item.carry_forward_max_age_days);
        }
        at = parents.get(id).copied();
    }
    (found.unwrap_or(CarryForward::Never), age)
}

fn parents_of(items: &[Item]) -> HashMap<&str, &str> {
    let mut out = HashMap::new();
    let mut stack: Vec<&Item> = items.iter().collect();
    while let Some(item) = stack.pop() {
        for child in &item.items {
            out.insert(child.link_id.as_str(), item.link_id.as_str());
            stack.push(child);
        }
    }
    out
}

/// Why a value cannot be carried into `item`, if it cannot.
fn misfit(item: &Item, values: &[AnswerValue]) -> Option<String> {
    if values.len() > 1 && !item.repeats {
        return Some("it had several answers; this form takes one".into());
    }
    for v in values {
        let errors: Vec<String> = value_problems(item, v)
            .into_iter()
            .filter(|(s, _)| *s == Severity::Error)
            .map(|(_, m)| m)
            .collect();
        if let Some(first) = errors.first() {
            return Some(format!("“{}” no longer fits this form: {first}", v.label()));
        }
    }
    None
}

fn shown_values(item: &Item, values: &[AnswerValue]) -> String {
    let unit = item
        .unit
        .as_ref()
        .and_then(|u| u.display.clone().or_else(|| u.code.clone()));
    let text = values
        .iter()
        .map(|v| match v {
            // Free text is quoted: "last reason for visit “Cough”, 2 Oct 2026".
            AnswerValue::String(s) => format!("“{s}”"),
            other => other.label(),
        })
        .collect::<Vec<_>>()
        .join(", ");
    match (unit, values.first()) {
        (Some(u), Some(AnswerValue::Decimal(_) | AnswerValue::Integer(_))) => format!("{text} {u}"),
        _ => text,
    }
}

fn item_name(item: &Item) -> String {
    let text = item.text.as_deref().unwrap_or(&item.link_id);
    let mut chars = text.chars();
    match chars.next() {
        Some(first) if chars.clone().next().is_some_and(|c| c.is_lowercase()) => {
            first.to_lowercase().chain(chars).collect()
        }
        _ => text.to_string(),
    }
}

fn provenance(visit: &PastVisit<'_>, answer: &PastAnswer) -> Provenance {
    Provenance {
        encounter: visit.id,
        visit_date: visit.date,
        entered_by: answer.author.clone(),
        entered_at: answer.at,
        confirmed_by: answer.confirmed_by.clone(),
        confirmed_at: answer.confirmed_at,
    }
}

/// The plan for a new intake of `target`: see the module documentation for the rules.
/// `record` holds the patient-record facts by binding name (`sex`, `birth-date`, ...).
pub fn plan(
    target: Target<'_>,
    record: &BTreeMap<String, AnswerValue>,
    visits: &[PastVisit<'_>],
    now: DateTime<Utc>,
) -> Plan {
    let index = FormIndex::new(&target.form.items);
    let parents = parents_of(&target.form.items);
    let current = all_items(&target.form.items);
    let mut skipped = Vec::new();
    let mut counted: Vec<&PastVisit<'_>> = Vec::new();
    for v in visits {
        if !v.status.carries_forward() {
            if v.status == EncounterStatus::EnteredInError {
                skipped.push(Skipped {
                    encounter: v.id,
                    reason: "entered in error: not used".into(),
                });
            }
            continue;
        }
        if v.date > now {
            skipped.push(Skipped {
                encounter: v.id,
                reason: format!(
                    "dated {}, after today: not used (check this computer's clock)",
                    v.day
                ),
            });
            continue;
        }
        counted.push(v);
    }
    counted.sort_by(|a, b| b.date.cmp(&a.date).then(b.id.cmp(&a.id)));
    // One matcher per earlier form version.
    let mut matchers: HashMap<(&str, &str), Matcher<'_>> = HashMap::new();
    for v in &counted {
        matchers
            .entry((v.slug, v.version))
            .or_insert_with(|| matcher(&target, v, &current));
    }
    let newest_with = |link_id: &str| {
        counted.iter().copied().find_map(|v| {
            let m = &matchers[&(v.slug, v.version)];
            m.to_past.get(link_id).map(|p| (v, m, *p))
        })
    };

    let mut entries = Vec::new();
    let mut lists = Vec::new();
    for item in &current {
        let link = item.link_id.as_str();
        let groups = index.row_groups(link);
        if index.is_row_group(link) {
            if groups.len() == 1 {
                lists.push(*item);
            }
            continue;
        }
        if !groups.is_empty() || matches!(item.item_type, ItemType::Group | ItemType::Display) {
            continue;
        }
        let key = index.key(&[], link);
        let mut entry = Entry::empty(key);
        if let Some(v) = item.record_binding.as_ref().and_then(|b| record.get(b)) {
            entry.values = vec![v.clone()];
            entry.source = Some(AnswerSource::Record);
            entries.push(entry);
            continue;
        }
        let (rule, max_age) = policy(&index, &parents, link);
        if let Some((visit, m, past_link)) = newest_with(link) {
            if let Some(answer) = visit
                .answers
                .get(&m.index.key(&[], past_link))
                .filter(|a| !a.values.is_empty())
            {
                let when = &visit.day;
                let values = m.values(link, &answer.values);
                let too_old =
                    max_age.filter(|days| (now - visit.date).num_days() > i64::from(*days));
                if rule == CarryForward::Never || item.calculation.is_some() {
                    if answer.in_record {
                        entry.hint = Some(format!(
                            "last {} {}, {when}",
                            item_name(item),
                            shown_values(item, &values)
                        ));
                    }
                } else if !answer.in_record {
                    entry.not_carried = Some(format!("it did not apply at the visit of {when}"));
                } else if let Some(days) = too_old {
                    let why = format!("the last answer ({when}) is older than {days} days");
                    entry.hint = Some(format!(
                        "last {} {}, {when}; not carried: older than {days} days",
                        item_name(item),
                        shown_values(item, &values)
                    ));
                    entry.not_carried = Some(why);
                } else if let Some(why) = misfit(item, &values) {
                    entry.not_carried = Some(why);
                } else if !item.read_only {
                    entry.values = values;
                    entry.source = Some(AnswerSource::Carried);
                    entry.provenance = Some(provenance(visit, answer));
                    entry.needs_confirmation = rule == CarryForward::Confirm;
                }
            }
        }
        if entry.values.is_empty() && !item.initial.is_empty() && item.calculation.is_none() {
            entry.values = item.initial.clone();
            entry.source = Some(AnswerSource::Initial);
        }
        entries.push(entry);
    }
    for group in lists {
        carry_list(group, &index, &parents, &newest_with, now, &mut entries);
    }
    Plan { entries, skipped }
}

type Newest<'v, 'a> = Option<(&'v PastVisit<'a>, &'v Matcher<'a>, &'a str)>;

/// A repeating group's rows from the newest visit that had the group.
fn carry_list<'v, 'a: 'v>(
    group: &'a Item,
    index: &FormIndex<'a>,
    parents: &HashMap<&str, &str>,
    newest_with: &dyn Fn(&str) -> Newest<'v, 'a>,
    now: DateTime<Utc>,
    entries: &mut Vec<Entry>,
) {
    let link = group.link_id.as_str();
    let (rule, max_age) = policy(index, parents, link);
    let Some((visit, m, past_group)) = newest_with(link) else {
        return;
    };
    let row_ids: Vec<(u32, &PastAnswer)> = visit
        .answers
        .iter()
        .filter(|(k, _)| k.link_id() == past_group && k.depth() == 1 && m.index.is_row(k))
        .map(|(k, a)| (k.rows()[0], a))
        .collect();
    if row_ids.is_empty() {
        return;
    }
    let when = &visit.day;
    let mut marker = Entry::empty(index.key(&[], link));
    if rule == CarryForward::Never {
        let n = row_ids.len();
        marker.hint = Some(format!(
            "{n} {} at the visit of {when}",
            if n == 1 { "row" } else { "rows" }
        ));
        entries.push(marker);
        return;
    }
    if let Some(days) = max_age.filter(|d| (now - visit.date).num_days() > i64::from(*d)) {
        marker.not_carried = Some(format!("the last list ({when}) is older than {days} days"));
        marker.hint = Some(format!(
            "{} from {when} not carried: older than {days} days",
            item_name(group)
        ));
        entries.push(marker);
        return;
    }
    let past_to_current: HashMap<&str, &str> = m.to_past.iter().map(|(c, p)| (*p, *c)).collect();
    for (n, (past_row, past_marker)) in row_ids.iter().enumerate() {
        let row = n as u32 + 1;
        if !past_marker.in_record {
            continue; // the list did not apply at that visit
        }
        let mut row_entry = Entry::empty(index.key(&[row], link));
        row_entry.source = Some(AnswerSource::Carried);
        row_entry.provenance = Some(provenance(visit, past_marker));
        row_entry.needs_confirmation = rule == CarryForward::Confirm;
        entries.push(row_entry);
        for (key, answer) in visit.answers {
            let key_rows = key.rows();
            if key_rows.first() != Some(past_row) {
                continue;
            }
            if key.link_id() == past_group && key_rows.len() == 1 {
                continue;
            }
            let Some(current_link) = past_to_current.get(key.link_id()) else {
                continue;
            };
            let (Some(item), true) = (index.get(current_link), index.within(current_link, link))
            else {
                continue;
            };
            if !m.index.within(key.link_id(), past_group) {
                continue;
            }
            let mut rows = vec![row];
            rows.extend_from_slice(&key_rows[1..]);
            let mut entry = Entry::empty(index.key(&rows, current_link));
            if !answer.in_record {
                continue;
            }
            if index.is_row_group(current_link) {
                // A row of a repeating group inside this one.
                entry.source = Some(AnswerSource::Carried);
                entry.provenance = Some(provenance(visit, answer));
                entry.needs_confirmation = rule == CarryForward::Confirm;
                entries.push(entry);
                continue;
            }
            if answer.values.is_empty() {
                continue;
            }
            let values = m.values(current_link, &answer.values);
            if let Some(why) = misfit(item, &values) {
                entry.not_carried = Some(why);
            } else if item.calculation.is_none() && !item.read_only {
                entry.values = values;
                entry.source = Some(AnswerSource::Carried);
                entry.provenance = Some(provenance(visit, answer));
                entry.needs_confirmation = rule == CarryForward::Confirm;
            }
            entries.push(entry);
        }
    }
}
