//! A form being filled: its answers, keyed by item instance.
//!
//! An item inside repeating groups exists once per row, so an answer's [`Key`] is the
//! item's `linkId` plus the row ids of the repeating groups around it, outermost first
//! (`"3:med-name"` is the medication name in row 3; `":reason"` is outside any
//! repeating group). A row exists when its group has an entry at the row's own key
//! (`"3:medication"`, no values), so an empty row survives a reload.
//!
//! [`evaluate`] answers what the screen and submission need in one pass: which item
//! instances are disabled and every problem, each row checked in its own context (the
//! answers outside the row plus the row's own). [`calculate`] gives the values the app
//! computes (BMI, score sums). [`submitted_record`] leaves out what was disabled.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::fmt;
use std::str::FromStr;

use super::enable_when::{enabled, Answers};
use super::model::{AnswerValue, Calculation, Item, ItemType};
use super::validate::{validate_with, Problem, Severity};

/// One item instance: the row ids of its repeating groups and its `linkId`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Key {
    pub rows: Vec<u32>,
    pub link_id: String,
}

impl Key {
    pub fn top(link_id: &str) -> Key {
        Key {
            rows: Vec::new(),
            link_id: link_id.to_string(),
        }
    }

    pub fn new(rows: &[u32], link_id: &str) -> Key {
        Key {
            rows: rows.to_vec(),
            link_id: link_id.to_string(),
        }
    }
}

impl fmt::Display for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, r) in self.rows.iter().enumerate() {
            if i > 0 {
                f.write_str(".")?;
            }
            write!(f, "{r}")?;
        }
        write!(f, ":{}", self.link_id)
    }
}

/// Why a text is not an answer key.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0:?} is not an answer key (\"<rows>:<linkId>\")")]
pub struct KeyParseError(pub String);

impl FromStr for Key {
    type Err = KeyParseError;

    /// `"<rows>:<linkId>"`, rows being positive integers joined by `.`.
    fn from_str(s: &str) -> Result<Key, KeyParseError> {
        let bad = || KeyParseError(s.to_string());
        let (rows, link_id) = s.split_once(':').ok_or_else(bad)?;
        if link_id.is_empty() {
            return Err(bad());
        }
        let rows = if rows.is_empty() {
            Vec::new()
        } else {
            rows.split('.')
                .map(|r| match r.parse::<u32>() {
                    Ok(n) if n > 0 && r.bytes().all(|b| b.is_ascii_digit()) => Ok(n),
                    _ => Err(bad()),
                })
                .collect::<Result<Vec<u32>, KeyParseError>>()?
        };
        Ok(Key {
            rows,
            link_id: link_id.to_string(),
        })
    }
}

/// Every answer of a form being filled.
pub type Response = BTreeMap<Key, Vec<AnswerValue>>;

fn is_row_group(item: &Item) -> bool {
    item.repeats && item.item_type == ItemType::Group
}

struct Entry<'a> {
    item: &'a Item,
    position: usize,
    /// The repeating groups around the item (itself included when it is one),
    /// outermost first.
    row_groups: Vec<&'a str>,
}

/// The items of a form by `linkId`, with where each one sits.
pub struct FormIndex<'a> {
    items: &'a [Item],
    entries: HashMap<&'a str, Entry<'a>>,
}

/// Why a key cannot hold the values given.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeyError {
    UnknownItem(String),
    WrongRows { key: String, expected: usize },
    NoAnswers(String),
}

impl fmt::Display for KeyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            KeyError::UnknownItem(id) => write!(f, "the form has no item {id:?}"),
            KeyError::WrongRows { key, expected } => write!(
                f,
                "{key:?} does not name an item instance: the item sits in {expected} repeating group(s)"
            ),
            KeyError::NoAnswers(id) => write!(f, "{id:?} does not take answers"),
        }
    }
}

impl<'a> FormIndex<'a> {
    pub fn new(items: &'a [Item]) -> FormIndex<'a> {
        let mut entries = HashMap::new();
        let mut position = 0;
        let mut stack: Vec<(&Item, Vec<&str>)> =
            items.iter().rev().map(|i| (i, Vec::new())).collect();
        while let Some((item, mut groups)) = stack.pop() {
            if is_row_group(item) {
                groups.push(item.link_id.as_str());
            }
            for child in item.items.iter().rev() {
                stack.push((child, groups.clone()));
            }
            entries.insert(
                item.link_id.as_str(),
                Entry {
                    item,
                    position,
                    row_groups: groups,
                },
            );
            position += 1;
        }
        FormIndex { items, entries }
    }

    pub fn items(&self) -> &'a [Item] {
        self.items
    }

    pub fn get(&self, link_id: &str) -> Option<&'a Item> {
        self.entries.get(link_id).map(|e| e.item)
    }

    /// The item's place in form order (for sorting problems).
    pub fn position(&self, link_id: &str) -> usize {
        self.entries.get(link_id).map_or(usize::MAX, |e| e.position)
    }

    /// Whether `key` names an instance of an item that holds values (or, for a
    /// repeating group, a row), and that item.
    pub fn check(&self, key: &Key) -> Result<&'a Item, KeyError> {
        let entry = self
            .entries
            .get(key.link_id.as_str())
            .ok_or_else(|| KeyError::UnknownItem(key.link_id.clone()))?;
        if key.rows.len() != entry.row_groups.len() {
            return Err(KeyError::WrongRows {
                key: key.to_string(),
                expected: entry.row_groups.len(),
            });
        }
        let item = entry.item;
        if !is_row_group(item) && matches!(item.item_type, ItemType::Group | ItemType::Display) {
            return Err(KeyError::NoAnswers(key.link_id.clone()));
        }
        Ok(item)
    }

    /// Whether the item is a repeating group (its keys are rows).
    pub fn is_row_group(&self, link_id: &str) -> bool {
        self.get(link_id).is_some_and(is_row_group)
    }

    /// The repeating groups around an item (itself included when it is one),
    /// outermost first: one row id each in its keys.
    pub fn row_groups(&self, link_id: &str) -> Vec<&'a str> {
        self.entries
            .get(link_id)
            .map(|e| e.row_groups.clone())
            .unwrap_or_default()
    }

    /// Whether `link_id` sits inside the repeating group `group`.
    pub fn within(&self, link_id: &str, group: &str) -> bool {
        link_id != group && self.row_groups(link_id).contains(&group)
    }

    /// The innermost repeating group around an item (not itself), if any.
    fn owner(&self, link_id: &str) -> Option<&'a str> {
        let entry = self.entries.get(link_id)?;
        let groups = &entry.row_groups;
        if is_row_group(entry.item) {
            groups.len().checked_sub(2).map(|i| groups[i])
        } else {
            groups.last().copied()
        }
    }

    /// The keys of every row of every repeating group, and the top context.
    fn contexts(&self, response: &Response) -> Vec<(Option<&'a str>, Vec<u32>)> {
        let mut out = vec![(None, Vec::new())];
        for key in response.keys() {
            if let Some(entry) = self.entries.get(key.link_id.as_str()) {
                if is_row_group(entry.item) && key.rows.len() == entry.row_groups.len() {
                    out.push((Some(entry.item.link_id.as_str()), key.rows.clone()));
                }
            }
        }
        out
    }

    /// The items whose instances live in a context: those whose innermost repeating
    /// group is `group` (the group's own row marker lives in its parent context).
    fn members(&self, group: Option<&str>) -> Vec<&'a Item> {
        let mut out: Vec<(usize, &'a Item)> = self
            .entries
            .values()
            .filter(|e| self.owner(e.item.link_id.as_str()) == group)
            .map(|e| (e.position, e.item))
            .collect();
        out.sort_by_key(|(p, _)| *p);
        out.into_iter().map(|(_, i)| i).collect()
    }
}

/// The answers seen from one row: everything outside it plus the row's own.
fn answers_in(index: &FormIndex<'_>, response: &Response, rows: &[u32]) -> Answers {
    let mut answers: Answers = HashMap::new();
    for (key, values) in response {
        if !rows.starts_with(&key.rows) {
            continue;
        }
        if index.is_row_group(&key.link_id) {
            continue;
        }
        answers.insert(key.link_id.clone(), values.clone());
    }
    // A repeating group "has answers" when it has rows in this context.
    for key in response.keys() {
        if index.is_row_group(&key.link_id)
            && key.rows.len() == rows.len() + 1
            && key.rows.starts_with(rows)
        {
            answers
                .entry(key.link_id.clone())
                .or_default()
                .push(AnswerValue::Boolean(true));
        }
    }
    answers
}

/// What the screen and submission need to know about a response.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Evaluation {
    /// Item instances whose `enableWhen` does not hold (their answers are kept).
    pub disabled: BTreeSet<Key>,
    /// Every problem, in form order.
    pub problems: Vec<(Key, Problem)>,
}

impl Evaluation {
    pub fn errors(&self) -> usize {
        self.problems
            .iter()
            .filter(|(_, p)| p.severity == Severity::Error)
            .count()
    }
}

/// Which instances are disabled, and every problem, each row in its own context.
pub fn evaluate(index: &FormIndex<'_>, response: &Response) -> Evaluation {
    let mut eval = Evaluation::default();
    let mut rows_off: HashSet<(String, Vec<u32>)> = HashSet::new();
    let mut contexts = index.contexts(response);
    contexts.sort_by_key(|(_, rows)| rows.len());
    for (group, rows) in contexts {
        let answers = answers_in(index, response, &rows);
        let on = enabled(index.items(), &answers);
        if let Some(g) = group {
            // The row marker belongs to the group's parent context.
            let parent_rows = &rows[..rows.len() - 1];
            let parent_off = index
                .owner(g)
                .is_some_and(|o| rows_off.contains(&(o.to_string(), parent_rows.to_vec())));
            if parent_off || !on.contains(g) {
                rows_off.insert((g.to_string(), rows.clone()));
                for item in index.members(Some(g)) {
                    eval.disabled.insert(Key::new(&rows, &item.link_id));
                }
                continue;
            }
        }
        for item in index.members(group) {
            if !on.contains(&item.link_id) {
                eval.disabled.insert(Key::new(&rows, &item.link_id));
            }
        }
        let checked: &[Item] = match group {
            None => index.items(),
            Some(g) => index.get(g).map_or(&[], |i| i.items.as_slice()),
        };
        for problem in validate_with(checked, &on, &answers, true) {
            eval.problems
                .push((Key::new(&rows, &problem.link_id), problem));
        }
    }
    for key in response.keys() {
        let row_off = index.is_row_group(&key.link_id)
            && rows_off.contains(&(key.link_id.clone(), key.rows.clone()));
        if row_off {
            eval.disabled.insert(key.clone());
        }
    }
    eval.problems
        .sort_by_key(|(k, _)| (index.position(&k.link_id), k.rows.clone()));
    eval
}

fn number(v: &AnswerValue) -> Option<f64> {
    match v {
        AnswerValue::Decimal(d) => Some(*d),
        AnswerValue::Integer(i) => Some(*i as f64),
        AnswerValue::Quantity { value, .. } => *value,
        _ => None,
    }
}

fn compute(
    index: &FormIndex<'_>,
    item: &Item,
    calc: &Calculation,
    answers: &Answers,
) -> Option<AnswerValue> {
    let one = |id: &str| answers.get(id).and_then(|v| v.first());
    match calc {
        Calculation::Bmi { weight, height } => {
            let w = number(one(weight)?)?;
            let h = number(one(height)?)? / 100.0;
            let bmi = w / (h * h);
            (w > 0.0 && h > 0.0 && bmi.is_finite())
                .then(|| AnswerValue::Decimal((bmi * 10.0).round() / 10.0))
        }
        Calculation::Sum(ids) => {
            let mut total = 0.0;
            for id in ids {
                let chosen = one(id)?;
                let weight = index
                    .get(id)?
                    .answer_options
                    .iter()
                    .find(|o| same_code(&o.value, chosen))?
                    .weight?;
                total += weight;
            }
            Some(
                if item.item_type == ItemType::Integer && total.fract() == 0.0 {
                    AnswerValue::Integer(total as i64)
                } else {
                    AnswerValue::Decimal(total)
                },
            )
        }
    }
}

fn same_code(option: &AnswerValue, chosen: &AnswerValue) -> bool {
    match (option, chosen) {
        (AnswerValue::Coding(a), AnswerValue::Coding(b)) => {
            a.code == b.code && (a.system.is_none() || b.system.is_none() || a.system == b.system)
        }
        _ => option == chosen,
    }
}

/// The value every calculated item instance should hold now (`None`: no value, when
/// an input is missing).
pub fn calculate(index: &FormIndex<'_>, response: &Response) -> Vec<(Key, Option<AnswerValue>)> {
    let mut out = Vec::new();
    let calculated: Vec<&Item> = index
        .entries
        .values()
        .filter(|e| e.item.calculation.is_some())
        .map(|e| e.item)
        .collect();
    if calculated.is_empty() {
        return out;
    }
    for (group, rows) in index.contexts(response) {
        let answers = answers_in(index, response, &rows);
        for item in &calculated {
            if index.owner(&item.link_id) != group {
                continue;
            }
            if let Some(calc) = &item.calculation {
                out.push((
                    Key::new(&rows, &item.link_id),
                    compute(index, item, calc, &answers),
                ));
            }
        }
    }
    out.sort_by(|a, b| a.0.cmp(&b.0));
    out
}

/// The initial values (`initial[x]`, options marked `initialSelected`) of the items
/// outside repeating groups.
pub fn initial_response(index: &FormIndex<'_>) -> Response {
    let mut response = Response::new();
    for item in index.members(None) {
        let mut values = item.initial.clone();
        values.extend(
            item.answer_options
                .iter()
                .filter(|o| o.initial_selected)
                .map(|o| o.value.clone()),
        );
        if !values.is_empty() && index.check(&Key::top(&item.link_id)).is_ok() {
            response.insert(Key::top(&item.link_id), values);
        }
    }
    response
}

/// The answers that go into the submitted record: disabled instances left out.
pub fn submitted_record(response: &Response, eval: &Evaluation) -> Response {
    response
        .iter()
        .filter(|(k, _)| !eval.disabled.contains(k))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect()
}
