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

use crate::questionnaire::response::{FormIndex, Key, Response};
use crate::questionnaire::{all_items, AnswerValue, Item, ItemType, Questionnaire};
use crate::text::fold;

/// How an answer or a row differs from the earlier visit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Change {
    Unchanged,
    Added,
    Removed,
    Changed,
}

/// One question outside repeating groups.
#[derive(Debug, Clone, PartialEq)]
pub struct QuestionDiff {
    pub link_id: String,
    pub before: Vec<AnswerValue>,
    pub after: Vec<AnswerValue>,
    pub change: Change,
    /// For numbers: (after − before) / before, when both are single numbers and before ≠ 0.
    pub relative: Option<f64>,
    /// "Weight 82 → 76 kg (−7.3 %)", "Tobacco Current → Former", "Occupation: added Teacher".
    pub text: String,
}

/// One field of a row that differs.
#[derive(Debug, Clone, PartialEq)]
pub struct FieldDiff {
    pub link_id: String,
    pub before: Vec<AnswerValue>,
    pub after: Vec<AnswerValue>,
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
        Change::Changed => {
            let pct = relative
                .map(|r| {
                    let sign = if r < 0.0 { "−" } else { "+" };
                    format!(" ({sign}{:.1} %)", (r * 100.0).abs())
                })
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
                (!same(&b, &a)).then(|| FieldDiff {
                    link_id: k.link_id().to_string(),
                    before: b,
                    after: a,
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

/// Compares this visit's answers with the earlier visit's (`None`: there was none).
pub fn diff(form: &Questionnaire, previous: Option<&Response>, current: &Response) -> VisitDiff {
    let index = FormIndex::new(&form.items);
    let empty = Response::new();
    let before = previous.unwrap_or(&empty);
    let all = all_items(&form.items);
    let mut out = VisitDiff {
        previous: previous.is_some(),
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
        let change = compare(&b, &a);
        let relative = match (change, number(&b), number(&a)) {
            (Change::Changed, Some(x), Some(y)) if x != 0.0 => Some((y - x) / x),
            _ => None,
        };
        out.questions.push(QuestionDiff {
            link_id: link.to_string(),
            text: question_text(item, &b, &a, change, relative),
            before: b,
            after: a,
            change,
            relative,
        });
    }
    out
}
