//! Whole-form checks after reading: every `enableWhen` must point at an item of the
//! form, and no chain of conditions may come back to where it started.

use std::collections::{HashMap, HashSet};

use super::model::Item;
use super::parse::ImportError;

fn all_items(items: &[Item]) -> Vec<&Item> {
    let mut out = Vec::new();
    let mut stack: Vec<&Item> = items.iter().rev().collect();
    while let Some(item) = stack.pop() {
        out.push(item);
        stack.extend(item.items.iter().rev());
    }
    out
}

/// Refuses conditions on items that do not exist, and conditions that go in a circle.
pub(super) fn check_enable_when(items: &[Item]) -> Result<(), ImportError> {
    let all = all_items(items);
    let ids: HashSet<&str> = all.iter().map(|i| i.link_id.as_str()).collect();
    let mut edges: HashMap<&str, Vec<&str>> = HashMap::new();
    for item in &all {
        for cond in &item.enable_when {
            if !ids.contains(cond.question.as_str()) {
                return Err(ImportError::EnableWhenMissing {
                    item: item.link_id.clone(),
                    question: cond.question.clone(),
                });
            }
            edges
                .entry(item.link_id.as_str())
                .or_default()
                .push(cond.question.as_str());
        }
    }
    // Iterative depth-first search with colours: 1 = on the current path, 2 = done.
    // It starts from items in form order (not the map's, which changes from run to run),
    // so the same form always names the same circle.
    let mut colour: HashMap<&str, u8> = HashMap::new();
    let starts = all.iter().map(|i| i.link_id.as_str());
    for start in starts.filter(|id| edges.contains_key(id)) {
        if colour.contains_key(start) {
            continue;
        }
        let mut path: Vec<(&str, usize)> = vec![(start, 0)];
        colour.insert(start, 1);
        while let Some((node, next)) = path.last().copied() {
            let targets = edges.get(node).map(Vec::as_slice).unwrap_or(&[]);
            if let Some(&target) = targets.get(next) {
                if let Some(last) = path.last_mut() {
                    last.1 += 1;
                }
                match colour.get(target) {
                    Some(1) => {
                        let from = path.iter().position(|(n, _)| *n == target).unwrap_or(0);
                        let mut cycle: Vec<String> =
                            path[from..].iter().map(|(n, _)| n.to_string()).collect();
                        cycle.push(target.to_string());
                        return Err(ImportError::EnableWhenCycle(cycle));
                    }
                    Some(_) => {}
                    None => {
                        colour.insert(target, 1);
                        path.push((target, 0));
                    }
                }
            } else {
                colour.insert(node, 2);
                path.pop();
            }
        }
    }
    Ok(())
}
