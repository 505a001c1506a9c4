//! Building a [`Summary`] from a visit: the header as text, then the form walked in
//! order, each item judged in the context of its rows.
//!
//! The walk recurses once per level of groups; the importer refuses forms nested
//! deeper than `MAX_DEPTH` (60), so the depth is bounded by what can be stored.

use std::collections::BTreeSet;

use crate::questionnaire::response::{evaluate, FormIndex, Key};
use crate::questionnaire::{AnswerValue, Item, ItemType};

use super::{
    format_date, format_time, Answer, Block, Cell, EncounterStatus, Header, Origin, Row, Section,
    SignatureLine, Summary, SummaryInput, Table, TableRow,
};

struct Walk<'a> {
    input: &'a SummaryInput<'a>,
    index: FormIndex<'a>,
    disabled: BTreeSet<Key>,
}

/// The summary of one visit (see the module documentation).
pub fn build(input: &SummaryInput<'_>) -> Summary {
    let index = FormIndex::new(&input.questionnaire.items);
    let disabled = evaluate(&index, input.response).disabled;
    let walk = Walk {
        input,
        index,
        disabled,
    };
    let sections = walk.sections();
    let has_carried = input.provenance.iter().any(|(key, source)| {
        matches!(source, Origin::Carried { .. })
            && !walk.disabled.contains(key)
            && input.response.contains_key(key)
    });
    Summary {
        header: header(input),
        status: input.status,
        signature: signature(input),
        record_sha256: input.record_sha256.to_string(),
        sections,
        has_carried,
    }
}

fn header(input: &SummaryInput<'_>) -> Header {
    let template = match (input.template_title.trim(), input.template_version.trim()) {
        ("", v) => format!("Form version {v}"),
        (t, "") => t.to_string(),
        (t, v) => format!("{t}, version {v}"),
    };
    Header {
        clinic_name: input.clinic_name.to_string(),
        patient_name: input.patient_name.to_string(),
        birth_date: format_date(input.birth_date),
        mrn: input.mrn.to_string(),
        visit_date: format_date(input.visit_date),
        template,
        status: input.status.label().to_string(),
    }
}

fn signature(input: &SummaryInput<'_>) -> SignatureLine {
    let signed = input.signature.map(|s| (s.by.clone(), format_time(s.at)));
    match (input.status, input.amendment, signed) {
        (EncounterStatus::Amended, Some(a), signed) => SignatureLine::Amended {
            on: format_time(a.on),
            by: a.by.clone(),
            reason: a.reason.clone(),
            signed,
        },
        // A record entered in error keeps the signature it had.
        (
            EncounterStatus::Signed | EncounterStatus::Amended | EncounterStatus::EnteredInError,
            _,
            Some((by, at)),
        ) => SignatureLine::Signed { by, at },
        _ => SignatureLine::NotSigned,
    }
}

fn title(item: &Item) -> String {
    let text = item
        .text
        .as_deref()
        .map(|t| t.trim().trim_end_matches(':').trim_end())
        .filter(|t| !t.is_empty())
        .unwrap_or(&item.link_id);
    match item.prefix.as_deref().map(str::trim) {
        Some(p) if !p.is_empty() => format!("{p} {text}"),
        _ => text.to_string(),
    }
}

fn is_table(item: &Item) -> bool {
    item.item_type == ItemType::Group && item.repeats
}

/// A value as a person reads it: a coding by its option's display, a number with the
/// item's unit.
fn value_text(item: &Item, value: &AnswerValue) -> String {
    let unit = item
        .unit
        .as_ref()
        .and_then(|u| u.display.clone().or_else(|| u.code.clone()));
    match value {
        AnswerValue::Coding(c) if c.display.is_none() => item
            .answer_options
            .iter()
            .find_map(|o| match &o.value {
                AnswerValue::Coding(opt) if opt.code == c.code && opt.display.is_some() => {
                    opt.display.clone()
                }
                _ => None,
            })
            .unwrap_or_else(|| value.label()),
        AnswerValue::Decimal(_) | AnswerValue::Integer(_) => match unit {
            Some(u) => format!("{} {u}", value.label()),
            None => value.label(),
        },
        _ => value.label(),
    }
}

impl<'a> Walk<'a> {
    fn key(&self, rows: &[u32], item: &Item) -> Key {
        self.index.key(rows, &item.link_id)
    }

    fn off(&self, rows: &[u32], item: &Item) -> bool {
        self.disabled.contains(&self.key(rows, item))
    }

    fn source(&self, key: &Key) -> Origin {
        self.input.provenance.get(key).cloned().unwrap_or_default()
    }

    fn answer(&self, rows: &[u32], item: &Item) -> (Answer, Origin) {
        let key = self.key(rows, item);
        match self.input.response.get(&key) {
            Some(values) if !values.is_empty() => (
                Answer::Values(values.iter().map(|v| value_text(item, v)).collect()),
                self.source(&key),
            ),
            _ => (Answer::NotAnswered, Origin::Typed),
        }
    }

    fn sections(&self) -> Vec<Section> {
        let mut out: Vec<Section> = Vec::new();
        let mut loose: Vec<Block> = Vec::new();
        let form_title = self
            .input
            .questionnaire
            .title
            .clone()
            .unwrap_or_else(|| "Questions".to_string());
        for item in &self.input.questionnaire.items {
            if self.off(&[], item) || (item.hidden && !self.has_answer(&[], item)) {
                continue;
            }
            if item.item_type == ItemType::Group && !item.repeats {
                if !loose.is_empty() {
                    out.push(Section {
                        title: form_title.clone(),
                        blocks: std::mem::take(&mut loose),
                    });
                }
                let mut blocks = Vec::new();
                self.blocks(&item.items, &[], &mut blocks);
                out.push(Section {
                    title: title(item),
                    blocks,
                });
            } else if is_table(item) {
                if !loose.is_empty() {
                    out.push(Section {
                        title: form_title.clone(),
                        blocks: std::mem::take(&mut loose),
                    });
                }
                out.push(Section {
                    title: title(item),
                    blocks: vec![Block::Table(self.table(item, &[]))],
                });
            } else {
                self.blocks(std::slice::from_ref(item), &[], &mut loose);
            }
        }
        if !loose.is_empty() {
            out.push(Section {
                title: form_title,
                blocks: loose,
            });
        }
        out
    }

    fn has_answer(&self, rows: &[u32], item: &Item) -> bool {
        self.input
            .response
            .get(&self.key(rows, item))
            .is_some_and(|v| !v.is_empty())
    }

    fn blocks(&self, items: &[Item], rows: &[u32], out: &mut Vec<Block>) {
        for item in items {
            if self.off(rows, item) || (item.hidden && !self.has_answer(rows, item)) {
                continue;
            }
            match item.item_type {
                ItemType::Display => {
                    if let Some(text) = item.text.as_deref().filter(|t| !t.trim().is_empty()) {
                        out.push(Block::Note(text.trim().to_string()));
                    }
                }
                ItemType::Group if item.repeats => out.push(Block::Table(self.table(item, rows))),
                ItemType::Group => {
                    // A group without text only arranges its items: no heading.
                    if item.text.as_deref().is_some_and(|t| !t.trim().is_empty()) {
                        out.push(Block::Subheading(title(item)));
                    }
                    self.blocks(&item.items, rows, out);
                }
                _ => {
                    let (answer, source) = self.answer(rows, item);
                    out.push(Block::Row(Row {
                        question: title(item),
                        answer,
                        source,
                    }));
                }
            }
        }
    }

    /// The columns of a repeating group: its questions, those of non-repeating groups
    /// inside it, and one column per repeating group nested in it.
    fn columns(group: &Item) -> Vec<&Item> {
        let mut out = Vec::new();
        let mut stack: Vec<&Item> = group.items.iter().rev().collect();
        while let Some(item) = stack.pop() {
            match item.item_type {
                ItemType::Display => {}
                ItemType::Group if !item.repeats => stack.extend(item.items.iter().rev()),
                _ => out.push(item),
            }
        }
        out
    }

    /// The row ids of `group` under `rows`, in order.
    fn rows_of(&self, group: &Item, rows: &[u32]) -> Vec<Vec<u32>> {
        self.input
            .response
            .keys()
            .filter(|k| {
                k.link_id() == group.link_id
                    && k.rows().len() == rows.len() + 1
                    && k.rows().starts_with(rows)
            })
            .filter(|k| !self.disabled.contains(k))
            .map(|k| k.rows().clone())
            .collect()
    }

    fn cell(&self, rows: &[u32], item: &Item) -> Cell {
        if self.off(rows, item) {
            return Cell {
                answer: Answer::NotAsked,
                source: Origin::Typed,
            };
        }
        if is_table(item) {
            // A list inside a row: each inner row's answers, "a, b; c, d".
            let inner: Vec<String> = self
                .rows_of(item, rows)
                .iter()
                .map(|r| {
                    Self::columns(item)
                        .iter()
                        .map(|c| self.cell(r, c).answer)
                        .filter_map(|a| match a {
                            Answer::Values(v) => Some(v.join(", ")),
                            _ => None,
                        })
                        .collect::<Vec<_>>()
                        .join(", ")
                })
                .filter(|s| !s.is_empty())
                .collect();
            let answer = if inner.is_empty() {
                Answer::NotAnswered
            } else {
                Answer::Values(vec![inner.join("; ")])
            };
            return Cell {
                answer,
                source: Origin::Typed,
            };
        }
        let (answer, source) = self.answer(rows, item);
        Cell { answer, source }
    }

    fn table(&self, group: &Item, rows: &[u32]) -> Table {
        let columns = Self::columns(group);
        let table_rows: Vec<(Vec<u32>, Vec<Cell>)> = self
            .rows_of(group, rows)
            .into_iter()
            .map(|r| {
                let cells = columns.iter().map(|c| self.cell(&r, c)).collect();
                (r, cells)
            })
            .collect();
        // A column the form disables in every row is not asked at all.
        let keep: Vec<bool> = (0..columns.len())
            .map(|i| {
                table_rows.is_empty()
                    || table_rows
                        .iter()
                        .any(|(_, cells)| cells[i].answer != Answer::NotAsked)
            })
            .collect();
        Table {
            title: title(group),
            columns: columns
                .iter()
                .zip(&keep)
                .filter(|(_, k)| **k)
                .map(|(c, _)| title(c))
                .collect(),
            rows: table_rows
                .into_iter()
                .map(|(r, cells)| TableRow {
                    source: self.source(&self.key(&r, group)),
                    cells: cells
                        .into_iter()
                        .zip(&keep)
                        .filter(|(_, k)| **k)
                        .map(|(c, _)| c)
                        .collect(),
                })
                .collect(),
        }
    }
}
