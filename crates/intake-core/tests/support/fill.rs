//! Deterministic answers for any form, for snapshots and PDF tests of the shared
//! fixtures (intake-pdf includes this file by path).

#![allow(dead_code)]

use intake_core::questionnaire::response::{FormIndex, Response};
use intake_core::questionnaire::{AnswerValue, Item, ItemType, Questionnaire};

/// Deterministic answers for any form: each question answered by type, every fourth
/// left unanswered, two rows per repeating group (one when nested).
pub fn fill(form: &Questionnaire) -> Response {
    let mut response = Response::new();
    let mut n = 0usize;
    let index = FormIndex::new(&form.items);
    fill_items(&index, &form.items, &[], &mut response, &mut n);
    response
}

fn sample(item: &Item, n: usize) -> Option<AnswerValue> {
    Some(match &item.item_type {
        ItemType::Boolean => AnswerValue::Boolean(n.is_multiple_of(2)),
        ItemType::Decimal => AnswerValue::Decimal(1.5 + n as f64),
        ItemType::Integer => AnswerValue::Integer(n as i64 % 7),
        ItemType::Date => AnswerValue::Date("2026-11-24".into()),
        ItemType::DateTime => AnswerValue::DateTime("2026-11-24T10:30:00Z".into()),
        ItemType::Time => AnswerValue::Time("10:30:00".into()),
        ItemType::String | ItemType::Text => AnswerValue::String(format!("answer {n}")),
        ItemType::Url => AnswerValue::Uri("https://example.org/".into()),
        ItemType::Choice | ItemType::OpenChoice => match item.answer_options.get(n % 3) {
            Some(o) => o.value.clone(),
            None => item.answer_options.first()?.value.clone(),
        },
        _ => return None,
    })
}

fn fill_items(
    index: &FormIndex<'_>,
    items: &[Item],
    rows: &[u32],
    response: &mut Response,
    n: &mut usize,
) {
    for item in items {
        match item.item_type {
            ItemType::Display => {}
            ItemType::Group if item.repeats => {
                let count = if rows.is_empty() { 2 } else { 1 };
                for r in 1..=count {
                    let mut inner = rows.to_vec();
                    inner.push(r);
                    response.insert(index.key(&inner, &item.link_id), vec![]);
                    fill_items(index, &item.items, &inner, response, n);
                }
            }
            ItemType::Group => fill_items(index, &item.items, rows, response, n),
            _ => {
                *n += 1;
                if !(*n).is_multiple_of(4) && item.calculation.is_none() {
                    if let Some(v) = sample(item, *n) {
                        response.insert(index.key(rows, &item.link_id), vec![v]);
                    }
                }
                fill_items(index, &item.items, rows, response, n);
            }
        }
    }
}
