//! A form being filled: its answers, keyed by item instance.
//!
//! An item inside repeating groups exists once per row, so an answer's [`Key`] is the
//! item's path in the form with the row id of each repeating group on it (see
//! [`super::key`]: `medications/medication[3]/med-name` is the medication name in row
//! 3). A row exists when its group has an entry at the row's own key
//! (`medications/medication[3]`, no values), so an empty row survives a reload.
//! [`FormIndex`] resolves a key by its path, never by the bare linkId.
//!
//! [`evaluate`] answers what the screen and submission need in one pass: which item
//! instances are disabled and every problem, each row checked in its own context (the
//! answers outside the row plus the row's own). [`calculate`] gives the values the app
//! computes (BMI, score sums). [`submitted_record`] leaves out what was disabled.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::fmt;

use super::enable_when::{enabled, Answers};
use super::model::{AnswerValue, Calculation, Item, ItemType};
use super::validate::{validate_with, Problem, Severity};

pub use super::key::{legacy, Key, KeyParseError, Segment};

/// Every answer of a form being filled.
pub type Response = BTreeMap<Key, Vec<AnswerValue>>;

fn is_row_group(item: &Item) -> bool {
    item.repeats && item.item_type == ItemType::Group
}

struct Entry<'a> {
    item: &'a Item,
    position: usize,
    /// The linkIds from the top of the form down to the item (itself included), with
    /// whether each one is a repeating group (a row id on its segment in keys).
    path: Vec<(&'a str, bool)>,
    /// The repeating groups around the item (itself included when it is one),
    /// outermost first.
    row_groups: Vec<&'a str>,
}

impl Entry<'_> {
    /// The key of this item's instance in `rows`: one row per repeating group on the
    /// path, outermost first; fewer rows leave the innermost groups without one (a list
    /// as a whole: `medications/medication`). `None` when there are too many rows.
    fn key(&self, rows: &[u32]) -> Option<Key> {
        if rows.len() > self.row_groups.len() {
            return None;
        }
        let mut next = rows.iter();
        let path = self
            .path
            .iter()
            .map(|(id, repeats)| Segment {
                link_id: id.to_string(),
                row: if *repeats { next.next().copied() } else { None },
            })
            .collect();
        Key::from_segments(path).ok()
    }
}

/// The items of a form, with where each one sits. Keys resolve by their path
/// ([`FormIndex::check`], [`FormIndex::entry_of`]); lookups by linkId alone
/// ([`FormIndex::get`], [`FormIndex::key`]) serve what FHIR names by linkId
/// (`enableWhen`, calculations) and take the first item with that linkId, which is the
/// only one while the importer refuses duplicate linkIds.
pub struct FormIndex<'a> {
    items: &'a [Item],
    entries: Vec<Entry<'a>>,
    by_path: HashMap<Vec<&'a str>, usize>,
    by_link: HashMap<&'a str, usize>,
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
        let mut entries = Vec::new();
        let mut by_path = HashMap::new();
        let mut by_link = HashMap::new();
        type Pending<'a> = (&'a Item, Vec<(&'a str, bool)>, Vec<&'a str>);
        let mut stack: Vec<Pending<'a>> = items
            .iter()
            .rev()
            .map(|i| (i, Vec::new(), Vec::new()))
            .collect();
        while let Some((item, mut path, mut groups)) = stack.pop() {
            path.push((item.link_id.as_str(), is_row_group(item)));
            if is_row_group(item) {
                groups.push(item.link_id.as_str());
            }
            for child in item.items.iter().rev() {
                stack.push((child, path.clone(), groups.clone()));
            }
            let at = entries.len();
            by_path
                .entry(path.iter().map(|(id, _)| *id).collect())
                .or_insert(at);
            by_link.entry(item.link_id.as_str()).or_insert(at);
            entries.push(Entry {
                item,
                position: at,
                path,
                row_groups: groups,
            });
        }
        FormIndex {
            items,
            entries,
            by_path,
            by_link,
        }
    }

    pub fn items(&self) -> &'a [Item] {
        self.items
    }

    fn entry(&self, link_id: &str) -> Option<&Entry<'a>> {
        self.by_link.get(link_id).map(|at| &self.entries[*at])
    }

    /// The entry a key's path names (rows aside).
    fn entry_at(&self, key: &Key) -> Option<&Entry<'a>> {
        let path: Vec<&str> = key.link_ids().collect();
        self.by_path.get(&path).map(|at| &self.entries[*at])
    }

    /// The item a key's path names, whatever its rows.
    pub fn entry_of(&self, key: &Key) -> Option<&'a Item> {
        self.entry_at(key).map(|e| e.item)
    }

    pub fn get(&self, link_id: &str) -> Option<&'a Item> {
        self.entry(link_id).map(|e| e.item)
    }

    /// The key of the item `link_id` in `rows` (one row id per repeating group around
    /// it, itself included when it is one, outermost first). Fewer rows leave the
    /// innermost groups without a row: the key of a list as a whole (no rows at all:
    /// `medications/medication`), which [`FormIndex::check`] refuses as an answer key.
    /// An item the form does not have, or more rows than groups, give [`Key::orphan`]:
    /// a key that `check` refuses but that still reads back.
    pub fn key(&self, rows: &[u32], link_id: &str) -> Key {
        self.entry(link_id)
            .and_then(|e| e.key(rows))
            .unwrap_or_else(|| Key::orphan(rows, link_id))
    }

    /// A key written before paths (`"2:med-name"`, [`legacy`]) as a key of this form.
    pub fn key_from_legacy(&self, text: &str) -> Result<Key, KeyParseError> {
        let (rows, link_id) = legacy::parse(text)?;
        Ok(self.key(&rows, &link_id))
    }

    /// The item's place in form order (for sorting problems).
    pub fn position(&self, link_id: &str) -> usize {
        self.entry(link_id).map_or(usize::MAX, |e| e.position)
    }

    /// Whether `key` names an instance of an item that holds values (or, for a
    /// repeating group, a row), and that item: its path must be the item's path, with a
    /// row on every repeating group and nowhere else.
    pub fn check(&self, key: &Key) -> Result<&'a Item, KeyError> {
        let entry = self
            .entry_at(key)
            .ok_or_else(|| KeyError::UnknownItem(key.to_string()))?;
        let rows_fit = key
            .segments()
            .iter()
            .zip(&entry.path)
            .all(|(s, (_, repeats))| s.row.is_some() == *repeats);
        if !rows_fit {
            return Err(KeyError::WrongRows {
                key: key.to_string(),
                expected: entry.row_groups.len(),
            });
        }
        let item = entry.item;
        if !is_row_group(item) && matches!(item.item_type, ItemType::Group | ItemType::Display) {
            return Err(KeyError::NoAnswers(key.to_string()));
        }
        Ok(item)
    }

    /// Whether the item is a repeating group (its keys are rows).
    pub fn is_row_group(&self, link_id: &str) -> bool {
        self.get(link_id).is_some_and(is_row_group)
    }

    /// Whether the key names a row of a repeating group.
    pub fn is_row(&self, key: &Key) -> bool {
        self.entry_at(key).is_some_and(|e| is_row_group(e.item))
            && key.segments().last().is_some_and(|s| s.row.is_some())
    }

    /// The repeating groups around an item (itself included when it is one),
    /// outermost first: one row id each in its keys.
    pub fn row_groups(&self, link_id: &str) -> Vec<&'a str> {
        self.entry(link_id)
            .map(|e| e.row_groups.clone())
            .unwrap_or_default()
    }

    /// Whether `link_id` sits inside the repeating group `group`.
    pub fn within(&self, link_id: &str, group: &str) -> bool {
        link_id != group && self.row_groups(link_id).contains(&group)
    }

    /// The innermost repeating group around an item (not itself), if any.
    fn owner(&self, link_id: &str) -> Option<&'a str> {
        let entry = self.entry(link_id)?;
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
            if self.check(key).is_ok() && self.is_row(key) {
                if let Some(entry) = self.entry_at(key) {
                    out.push((Some(entry.item.link_id.as_str()), key.rows()));
                }
            }
        }
        out
    }

    /// The items whose instances live in a context: those whose innermost repeating
    /// group is `group` (the group's own row marker lives in its parent context).
    fn members(&self, group: Option<&str>) -> Vec<&'a Item> {
        self.entries
            .iter()
            .filter(|e| self.owner(e.item.link_id.as_str()) == group)
            .map(|e| e.item)
            .collect()
    }
}

/// The answers seen from one row: everything outside it plus the row's own.
fn answers_in(index: &FormIndex<'_>, response: &Response, rows: &[u32]) -> Answers {
    let mut answers: Answers = HashMap::new();
    for (key, values) in response {
        if !rows.starts_with(&key.rows()) {
            continue;
        }
        if index.is_row_group(key.link_id()) {
            continue;
        }
        answers.insert(key.link_id().to_string(), values.clone());
    }
    // A repeating group "has answers" when it has rows in this context.
    for key in response.keys() {
        let key_rows = key.rows();
        if index.is_row_group(key.link_id())
            && key_rows.len() == rows.len() + 1
            && key_rows.starts_with(rows)
        {
            answers
                .entry(key.link_id().to_string())
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
                    eval.disabled.insert(index.key(&rows, &item.link_id));
                }
                continue;
            }
        }
        for item in index.members(group) {
            if !on.contains(&item.link_id) {
                eval.disabled.insert(index.key(&rows, &item.link_id));
            }
        }
        let checked: &[Item] = match group {
            None => index.items(),
            Some(g) => index.get(g).map_or(&[], |i| i.items.as_slice()),
        };
        for problem in validate_with(checked, &on, &answers, true) {
            eval.problems
                .push((index.key(&rows, &problem.link_id), problem));
        }
    }
    for key in response.keys() {
        let row_off =
            index.is_row(key) && rows_off.contains(&(key.link_id().to_string(), key.rows()));
        if row_off {
            eval.disabled.insert(key.clone());
        }
    }
    eval.problems
        .sort_by_key(|(k, _)| (index.position(k.link_id()), k.rows()));
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
        .iter()
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
                    index.key(&rows, &item.link_id),
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
        let key = index.key(&[], &item.link_id);
        if !values.is_empty() && index.check(&key).is_ok() {
            response.insert(key, values);
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
