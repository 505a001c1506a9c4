//! What changed since the last visit, for the physician's review: question by question
//! (old → new, with the relative change of numbers: "Weight 82 → 76 kg (−7.3 %)") and
//! list by list (medications, allergies: rows added, stopped, changed or unchanged).
//!
//! [`diff`] is pure. Questions outside repeating groups compare by `linkId`. Rows of a
//! repeating group compare by what they are about, not by their row number: the first
//! required text question of the row (a medication's name, an allergy's substance),
//! folded (case and accents ignored); without one, the row's first answer. A row only
//! in the earlier visit is `Removed` (a medication stopped), only in this one `Added`, in
//! both with a different answer `Changed` (the fields that differ are listed). Without an
//! earlier visit everything answered is `Added` and [`VisitDiff::previous`] is false.
//!
//! Each question is of one [`Kind`]: an item never carried forward (policy `never`, or
//! none: vitals, the reason, the review of systems) is a `Finding` of this visit, read
//! plainly with the last value as context ("Weight 77.5 kg · last 89 kg, 5 Oct 2026,
//! −12.9 %"), and one blank now that was answered last time was `NotAsked` this visit,
//! not removed; carried content (policy `confirm` or `always`: medications, allergies,
//! history, contacts) is `Carried`, where "changed" means something. Which findings are
//! notable is [`rules`]' business.

pub mod rules;

use std::collections::HashMap;

use chrono::NaiveDate;

use crate::questionnaire::response::{FormIndex, Key, Response};
use crate::questionnaire::{all_items, AnswerValue, CarryForward, Item, ItemType, Questionnaire};
use crate::text::fold;

/// How an answer or a row differs from the earlier visit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Change {
    Unchanged,
    Added,
    Removed,
    Changed,
    /// A finding answered at the earlier visit and left blank at this one.
    NotAsked,
}

/// What a question is to the reader.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Never carried: measured or asked afresh at each visit (vitals, the reason).
    Finding,
    /// Carried forward from the last visit (confirmed or kept): a difference is a change.
    Carried,
}

/// The earlier visit a diff compares with: its answers and its date.
#[derive(Debug, Clone, Copy)]
pub struct Earlier<'a> {
    pub response: &'a Response,
    pub date: NaiveDate,
    /// How the clinic writes that date in a finding's context ("last 72 kg, 05/10/2026").
    pub written_as: crate::search::DateOrder,
}

/// One question outside repeating groups.
#[derive(Debug, Clone, PartialEq)]
pub struct QuestionDiff {
    pub link_id: String,
    pub kind: Kind,
    pub before: Vec<AnswerValue>,
    pub after: Vec<AnswerValue>,
    pub change: Change,
    /// For numbers: (after − before) / before, when both are single numbers and before ≠ 0.
    pub relative: Option<f64>,
    /// Carried: "Tobacco Current → Former", "Occupation: added Teacher". Findings:
    /// "Weight 77.5 kg · last 89 kg, 5 Oct 2026, −12.9 %".
    pub text: String,
    /// For findings with an earlier answer, what the answer is read against: "last 89
    /// kg, 5 Oct 2026, −12.9 %", "not asked this visit · last Not at all, 5 Oct 2026".
    pub context: Option<String>,
}

/// One field of a row that differs.
#[derive(Debug, Clone, PartialEq)]
pub struct FieldDiff {
    pub link_id: String,
    pub before: Vec<AnswerValue>,
    pub after: Vec<AnswerValue>,
    /// For a number: its unit ("mg"), the item's own or the row's unit field (a linkId
    /// ending in `unit`, as the built-in form's `med-unit`).
    pub unit: Option<String>,
}

/// One row of a repeating group.
#[derive(Debug, Clone, PartialEq)]
pub struct RowDiff {
    pub change: Change,
    /// The row's id in the earlier visit and in this one.
    pub before_row: Option<u32>,
    pub after_row: Option<u32>,
    /// What the row is about ("Metformin").
    pub label: String,
    /// For `Changed`: the fields that differ.
    pub fields: Vec<FieldDiff>,
}

/// One repeating group (outermost) and its rows.
#[derive(Debug, Clone, PartialEq)]
pub struct ListDiff {
    pub link_id: String,
    pub rows: Vec<RowDiff>,
}

/// The whole comparison, in form order.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct VisitDiff {
    /// Whether there was an earlier visit to compare with.
    pub previous: bool,
    /// Its date.
    pub previous_date: Option<NaiveDate>,
    pub questions: Vec<QuestionDiff>,
    pub lists: Vec<ListDiff>,
}

impl VisitDiff {
    /// Everything that is not unchanged.
    pub fn changed_questions(&self) -> impl Iterator<Item = &QuestionDiff> {
        self.questions
            .iter()
            .filter(|q| q.change != Change::Unchanged)
    }

    /// Carried questions that changed: the ones worth a "Changed" mark.
    pub fn carried_changes(&self) -> impl Iterator<Item = &QuestionDiff> {
        self.changed_questions().filter(|q| q.kind == Kind::Carried)
    }
}

fn number(values: &[AnswerValue]) -> Option<f64> {
    match values {
        [AnswerValue::Decimal(d)] => Some(*d),
        [AnswerValue::Integer(i)] => Some(*i as f64),
        [AnswerValue::Quantity { value: Some(v), .. }] => Some(*v),
        _ => None,
    }
}

fn shown(values: &[AnswerValue]) -> String {
    AnswerValue::labels(values)
}

fn same(a: &[AnswerValue], b: &[AnswerValue]) -> bool {
    a.len() == b.len() && a.iter().zip(b).all(|(x, y)| same_value(x, y))
}

/// Equal answers; codings compare by system and code (a display may differ), text
/// ignores case and spacing ("Lisinopril" is "LISINOPRIL ").
fn same_value(a: &AnswerValue, b: &AnswerValue) -> bool {
    let plain = |s: &str| {
        s.split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
            .to_lowercase()
    };
    match (a, b) {
        (AnswerValue::String(x), AnswerValue::String(y)) => plain(x) == plain(y),
        (AnswerValue::Coding(x), AnswerValue::Coding(y)) => {
            x.code == y.code && x.system == y.system
        }
        (AnswerValue::Decimal(x), AnswerValue::Integer(y))
        | (AnswerValue::Integer(y), AnswerValue::Decimal(x)) => *x == *y as f64,
        _ => a == b,
    }
}

fn question_text(
    item: &Item,
    before: &[AnswerValue],
    after: &[AnswerValue],
    change: Change,
    relative: Option<f64>,
) -> String {
    let name = item.text.as_deref().unwrap_or(&item.link_id);
    let unit = item
        .unit
        .as_ref()
        .and_then(|u| u.display.clone().or_else(|| u.code.clone()))
        .filter(|_| number(after).or(number(before)).is_some())
        .map(|u| format!(" {u}"))
        .unwrap_or_default();
    match change {
        Change::Added => format!("{name}: added {}{unit}", shown(after)),
        Change::Removed => format!("{name}: removed (was {}{unit})", shown(before)),
        Change::Unchanged => format!("{name} {}{unit}", shown(after)),
        Change::NotAsked => format!("{name}: not asked this visit"),
        Change::Changed => {
            let pct = relative
                .map(|r| format!(" ({})", percent_text(r)))
                .unwrap_or_default();
            format!("{name} {} → {}{unit}{pct}", shown(before), shown(after))
        }
    }
}

fn compare(before: &[AnswerValue], after: &[AnswerValue]) -> Change {
    match (before.is_empty(), after.is_empty()) {
        (true, true) => Change::Unchanged,
        (true, false) => Change::Added,
        (false, true) => Change::Removed,
        (false, false) if same(before, after) => Change::Unchanged,
        _ => Change::Changed,
    }
}

/// The answers of one row (its id at `rows[0]`), by linkId and the rest of the row path.
fn row_answers<'r>(
    response: &'r Response,
    group: &str,
    row: u32,
    index: &FormIndex<'_>,
) -> Vec<(&'r Key, &'r Vec<AnswerValue>)> {
    response
        .iter()
        .filter(|(k, v)| {
            k.rows().first() == Some(&row) && !v.is_empty() && index.within(k.link_id(), group)
        })
        .collect()
}

/// The item that says what a row is about: its first required text question, else its
/// first text question.
fn identity_item(group: &Item) -> Option<&Item> {
    let all = all_items(&group.items);
    let text = |i: &&Item| {
        matches!(
            i.item_type,
            ItemType::String | ItemType::Text | ItemType::Choice | ItemType::OpenChoice
        )
    };
    all.iter()
        .copied()
        .find(|i| i.required && text(i))
        .or_else(|| all.iter().copied().find(text))
}

fn row_label(answers: &[(&Key, &Vec<AnswerValue>)], identity: Option<&Item>) -> String {
    let by_identity = identity.and_then(|id| {
        answers
            .iter()
            .find(|(k, _)| k.link_id() == id.link_id && k.rows().len() == 1)
            .map(|(_, v)| shown(v))
    });
    by_identity
        .or_else(|| answers.first().map(|(_, v)| shown(v)))
        .unwrap_or_default()
}

fn rows_of(response: &Response, group: &str) -> Vec<u32> {
    response
        .keys()
        .filter(|k| k.link_id() == group && k.rows().len() == 1)
        .map(|k| k.rows()[0])
        .collect()
}

/// A row as compared: its id, what it is about, its answers (keys moved to row 1, so
/// rows with different ids compare).
type Row = (u32, String, Vec<(Key, Vec<AnswerValue>)>);

fn list_diff(group: &Item, index: &FormIndex<'_>, before: &Response, after: &Response) -> ListDiff {
    let identity = identity_item(group);
    let gather = |response: &Response| -> Vec<Row> {
        rows_of(response, &group.link_id)
            .into_iter()
            .map(|row| {
                let answers = row_answers(response, &group.link_id, row, index);
                let label = row_label(&answers, identity);
                let owned = answers
                    .into_iter()
                    .map(|(k, v)| (k.with_rows(&[1]), v.clone()))
                    .collect();
                (row, label, owned)
            })
            .collect()
    };
    let old = gather(before);
    let new = gather(after);
    let mut used = vec![false; old.len()];
    let mut rows = Vec::new();
    for (row, label, answers) in &new {
        let matched = old
            .iter()
            .enumerate()
            .find(|(i, (_, l, _))| !used[*i] && !label.is_empty() && fold(l) == fold(label))
            .map(|(i, _)| i);
        let Some(i) = matched else {
            rows.push(RowDiff {
                change: Change::Added,
                before_row: None,
                after_row: Some(*row),
                label: label.clone(),
                fields: Vec::new(),
            });
            continue;
        };
        used[i] = true;
        let (old_row, _, old_answers) = &old[i];
        let mut keys: Vec<&Key> = answers
            .iter()
            .map(|(k, _)| k)
            .chain(old_answers.iter().map(|(k, _)| k))
            .collect();
        keys.sort();
        keys.dedup();
        let value = |list: &[(Key, Vec<AnswerValue>)], k: &Key| {
            list.iter()
                .find(|(x, _)| x == k)
                .map(|(_, v)| v.clone())
                .unwrap_or_default()
        };
        let fields: Vec<FieldDiff> = keys
            .into_iter()
            .filter_map(|k| {
                let (b, a) = (value(old_answers, k), value(answers, k));
                if same(&b, &a) {
                    return None;
                }
                let unit = (number(&a).or(number(&b)).is_some())
                    .then(|| {
                        let own = index
                            .get(k.link_id())
                            .and_then(|i| i.unit.as_ref())
                            .and_then(|u| u.display.clone().or_else(|| u.code.clone()));
                        own.or_else(|| {
                            answers
                                .iter()
                                .chain(old_answers.iter())
                                .find(|(x, v)| {
                                    x.link_id() != k.link_id()
                                        && x.link_id().ends_with("unit")
                                        && !v.is_empty()
                                })
                                .map(|(_, v)| shown(v))
                        })
                    })
                    .flatten();
                Some(FieldDiff {
                    link_id: k.link_id().to_string(),
                    before: b,
                    after: a,
                    unit,
                })
            })
            .collect();
        rows.push(RowDiff {
            change: if fields.is_empty() {
                Change::Unchanged
            } else {
                Change::Changed
            },
            before_row: Some(*old_row),
            after_row: Some(*row),
            label: label.clone(),
            fields,
        });
    }
    for (i, (row, label, _)) in old.iter().enumerate() {
        if !used[i] {
            rows.push(RowDiff {
                change: Change::Removed,
                before_row: Some(*row),
                after_row: None,
                label: label.clone(),
                fields: Vec::new(),
            });
        }
    }
    ListDiff {
        link_id: group.link_id.clone(),
        rows,
    }
}

/// The carry-forward policy of every item: its own, else its nearest group's, else
/// `never`.
fn policies(items: &[Item]) -> HashMap<&str, CarryForward> {
    let mut out = HashMap::new();
    let mut stack: Vec<(&Item, Option<CarryForward>)> = items.iter().map(|i| (i, None)).collect();
    while let Some((item, inherited)) = stack.pop() {
        let own = item.carry_forward.or(inherited);
        out.insert(item.link_id.as_str(), own.unwrap_or(CarryForward::Never));
        stack.extend(item.items.iter().map(|c| (c, own)));
    }
    out
}

/// "−12.9 %", "+3.0 %".
pub fn percent_text(relative: f64) -> String {
    let sign = if relative < 0.0 { "−" } else { "+" };
    format!("{sign}{:.1} %", (relative * 100.0).abs())
}

/// A finding as read against the last visit: (text, context).
fn finding_text(
    item: &Item,
    before: &[AnswerValue],
    after: &[AnswerValue],
    change: Change,
    relative: Option<f64>,
    date: Option<&str>,
) -> (String, Option<String>) {
    let name = item.text.as_deref().unwrap_or(&item.link_id);
    let unit = |values: &[AnswerValue]| {
        item.unit
            .as_ref()
            .and_then(|u| u.display.clone().or_else(|| u.code.clone()))
            .filter(|_| number(values).is_some())
            .map(|u| format!(" {u}"))
            .unwrap_or_default()
    };
    let when = date.map(|d| format!(", {d}")).unwrap_or_default();
    let last = format!("last {}{}{when}", shown(before), unit(before));
    let context = match change {
        _ if before.is_empty() => None,
        Change::NotAsked => Some(format!("not asked this visit · {last}")),
        Change::Changed => Some(match relative {
            Some(r) => format!("{last}, {}", percent_text(r)),
            None => last,
        }),
        _ => Some(last),
    };
    let text = match (&context, change) {
        (Some(c), Change::NotAsked) => format!("{name}: {c}"),
        (Some(c), _) => format!("{name} {}{} · {c}", shown(after), unit(after)),
        (None, _) => format!("{name} {}{}", shown(after), unit(after)),
    };
    (text, context)
}

/// Compares this visit's answers with the earlier visit's (`None`: there was none).
pub fn diff(form: &Questionnaire, previous: Option<Earlier<'_>>, current: &Response) -> VisitDiff {
    let index = FormIndex::new(&form.items);
    let policy = policies(&form.items);
    let empty = Response::new();
    let before = previous.map_or(&empty, |p| p.response);
    let all = all_items(&form.items);
    let written = previous.map(|p| p.written_as.write(p.date));
    let mut out = VisitDiff {
        previous: previous.is_some(),
        previous_date: previous.map(|p| p.date),
        ..Default::default()
    };
    for item in all {
        let link = item.link_id.as_str();
        let groups = index.row_groups(link);
        if index.is_row_group(link) {
            if groups.len() == 1 {
                out.lists.push(list_diff(item, &index, before, current));
            }
            continue;
        }
        if !groups.is_empty() || matches!(item.item_type, ItemType::Group | ItemType::Display) {
            continue;
        }
        let key = index.key(&[], link);
        let b = before.get(&key).cloned().unwrap_or_default();
        let a = current.get(&key).cloned().unwrap_or_default();
        if a.is_empty() && b.is_empty() {
            continue;
        }
        let kind = match policy.get(link) {
            Some(CarryForward::Confirm | CarryForward::Always) => Kind::Carried,
            _ => Kind::Finding,
        };
        let change = match compare(&b, &a) {
            Change::Removed if kind == Kind::Finding => Change::NotAsked,
            other => other,
        };
        let relative = match (change, number(&b), number(&a)) {
            (Change::Changed, Some(x), Some(y)) if x != 0.0 => Some((y - x) / x),
            _ => None,
        };
        let (text, context) = match kind {
            Kind::Carried => (question_text(item, &b, &a, change, relative), None),
            Kind::Finding => finding_text(item, &b, &a, change, relative, written.as_deref()),
        };
        out.questions.push(QuestionDiff {
            link_id: link.to_string(),
            kind,
            text,
            context,
            before: b,
            after: a,
            change,
            relative,
        });
    }
    out
}
