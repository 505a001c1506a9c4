//! Which items are enabled, given the answers so far (R4 `enableWhen` semantics).
//!
//! - An item without conditions is enabled; with conditions, `enableBehavior` says
//!   whether all or any must hold (all by default).
//! - A condition on a question that is itself disabled sees no answer.
//! - A disabled group disables everything inside it.
//! - `exists true` holds when the question has an answer, `exists false` when it has none.
//! - `=` holds when some answer equals the value; `!=` when no answer does (so it holds
//!   for an unanswered question). Codings compare by system and code (by code alone
//!   when either has no system). `>`, `<`, `>=`, `<=` compare numbers (decimal, integer,
//!   quantity values) and, as ISO text, dates, times and strings.
//!
//! Evaluation uses an explicit stack, so a long chain of conditions from a file cannot
//! exhaust the call stack; import has already refused cycles.

use std::cmp::Ordering;
use std::collections::{HashMap, HashSet};

use super::model::{AnswerValue, EnableBehavior, EnableWhen, Item, Operator};

/// The answers given so far: every value for each `linkId`.
pub type Answers = HashMap<String, Vec<AnswerValue>>;

fn number(v: &AnswerValue) -> Option<f64> {
    match v {
        AnswerValue::Decimal(d) => Some(*d),
        AnswerValue::Integer(i) => Some(*i as f64),
        AnswerValue::Quantity { value, .. } => *value,
        _ => None,
    }
}

fn text(v: &AnswerValue) -> Option<&str> {
    match v {
        AnswerValue::Date(s)
        | AnswerValue::DateTime(s)
        | AnswerValue::Time(s)
        | AnswerValue::String(s)
        | AnswerValue::Uri(s)
        | AnswerValue::Reference(s) => Some(s),
        _ => None,
    }
}

/// How `a` compares with `b`, when they can be compared at all.
fn compare(a: &AnswerValue, b: &AnswerValue) -> Option<Ordering> {
    match (a, b) {
        (AnswerValue::Boolean(x), AnswerValue::Boolean(y)) => Some(x.cmp(y)),
        (AnswerValue::Coding(x), AnswerValue::Coding(y)) => {
            let same_system = match (&x.system, &y.system) {
                (Some(s), Some(t)) => s == t,
                _ => true,
            };
            (same_system && x.code.is_some() && x.code == y.code).then_some(Ordering::Equal)
        }
        _ => match (number(a), number(b)) {
            (Some(x), Some(y)) => x.partial_cmp(&y),
            _ => match (text(a), text(b)) {
                (Some(x), Some(y)) => Some(x.cmp(y)),
                _ => None,
            },
        },
    }
}

/// Whether one condition holds for the question's answers.
pub fn holds(condition: &EnableWhen, answers: &[AnswerValue]) -> bool {
    let expected = &condition.answer;
    let test =
        |f: fn(Ordering) -> bool| answers.iter().any(|a| compare(a, expected).is_some_and(f));
    match condition.operator {
        Operator::Exists => {
            let wanted = matches!(expected, AnswerValue::Boolean(true));
            answers.is_empty() != wanted
        }
        Operator::Equal => test(|o| o == Ordering::Equal),
        Operator::NotEqual => !test(|o| o == Ordering::Equal),
        Operator::Greater => test(|o| o == Ordering::Greater),
        Operator::Less => test(|o| o == Ordering::Less),
        Operator::GreaterOrEqual => test(|o| o != Ordering::Less),
        Operator::LessOrEqual => test(|o| o != Ordering::Greater),
    }
}

/// The `linkId`s of every enabled item.
pub fn enabled(items: &[Item], answers: &Answers) -> HashSet<String> {
    // Every item, with its parent.
    let mut index: HashMap<&str, (&Item, Option<&str>)> = HashMap::new();
    let mut stack: Vec<(&Item, Option<&str>)> = items.iter().map(|i| (i, None)).collect();
    while let Some((item, parent)) = stack.pop() {
        index.insert(item.link_id.as_str(), (item, parent));
        stack.extend(item.items.iter().map(|c| (c, Some(item.link_id.as_str()))));
    }
    let no_answers: Vec<AnswerValue> = Vec::new();
    let mut known: HashMap<&str, bool> = HashMap::new();
    for &start in index.keys() {
        // Depth-first: an item is decided once everything it depends on is. An item
        // still being decided further up (a group conditioned on its own child) is
        // seen as disabled rather than looped on.
        let mut work: Vec<(&str, bool)> = vec![(start, false)];
        let mut in_progress: HashSet<&str> = HashSet::new();
        while let Some(&(id, expanded)) = work.last() {
            if known.contains_key(id) {
                work.pop();
                continue;
            }
            let Some(&(item, parent)) = index.get(id) else {
                known.insert(id, false);
                work.pop();
                continue;
            };
            if !expanded {
                if let Some(top) = work.last_mut() {
                    top.1 = true;
                }
                in_progress.insert(id);
                let deps = parent
                    .into_iter()
                    .chain(item.enable_when.iter().map(|c| c.question.as_str()));
                for d in deps {
                    if !known.contains_key(d) && index.contains_key(d) && !in_progress.contains(d) {
                        work.push((d, false));
                    }
                }
                continue;
            }
            let parent_on = parent.is_none_or(|p| known.get(p).copied().unwrap_or(false));
            let results = item.enable_when.iter().map(|c| {
                let question_on = known.get(c.question.as_str()).copied().unwrap_or(false);
                let given = if question_on {
                    answers.get(&c.question).unwrap_or(&no_answers)
                } else {
                    &no_answers
                };
                holds(c, given)
            });
            let conditions_hold = item.enable_when.is_empty()
                || match item.enable_behavior {
                    EnableBehavior::All => results.clone().all(|r| r),
                    EnableBehavior::Any => results.clone().any(|r| r),
                };
            known.insert(id, parent_on && conditions_hold);
            in_progress.remove(id);
            work.pop();
        }
    }
    known
        .into_iter()
        .filter(|(_, on)| *on)
        .map(|(id, _)| id.to_string())
        .collect()
}
