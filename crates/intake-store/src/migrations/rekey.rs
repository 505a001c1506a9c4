//! Migration 0007's Rust step: every stored answer key becomes a path.
//!
//! A key written before 0007 is `"<rows>:<linkId>"`; only the form knows the groups
//! around the item, so each encounter's template (its original bytes, read with
//! `intake_core`) turns its keys into paths (`FormIndex::key_from_legacy`). Rewritten:
//! `encounter_answers`, `encounter_answer_revisions` and the keys of the carry-forward
//! notes (`encounters.carry_notes`, `hints` and `notCarried`). Not rewritten: a signed
//! record's text (`encounter_events.record_json`, hashed; read back in form 1) and the
//! audit log (hash-chained; it holds no answer keys).
//!
//! A key whose item its form does not have (or whose form cannot be read) becomes
//! `Key::orphan` (`[2]/foo`): it still reads back and shows its linkId, and the form
//! check refuses it as before. A key that is not a key at all stays as it is, so the
//! store keeps reporting that answer as damaged.
//!
//! The triggers that guard these tables would refuse the rewrite (signed answers) or
//! copy every rewritten answer into the history; they are dropped for the rewrite and
//! created again from their exact stored SQL, inside the migration's transaction.

use std::collections::HashMap;

use intake_core::questionnaire::import;
use intake_core::questionnaire::response::{legacy, FormIndex, Key};
use rusqlite::{params, OptionalExtension, Transaction};
use serde_json::Value;

const TABLES: &str = "('encounter_answers', 'encounter_answer_revisions', 'encounters')";

/// The new text of a key written before paths (`None`: not a key; left as it is).
fn rekeyed(index: Option<&FormIndex<'_>>, old: &str) -> Option<String> {
    let (rows, link_id) = legacy::parse(old).ok()?;
    Some(match index {
        Some(index) => index.key(&rows, &link_id).to_string(),
        None => Key::orphan(&rows, &link_id).to_string(),
    })
}

/// Rewrites the keys of one table's rows of one encounter.
fn rewrite(
    tx: &Transaction<'_>,
    table: &str,
    encounter: i64,
    index: Option<&FormIndex<'_>>,
) -> rusqlite::Result<()> {
    let keys: Vec<String> = tx
        .prepare(&format!(
            "SELECT DISTINCT answer_key FROM {table} WHERE encounter_id = ?1"
        ))?
        .query_map([encounter], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    let mut update = tx.prepare(&format!(
        "UPDATE {table} SET answer_key = ?3 WHERE encounter_id = ?1 AND answer_key = ?2"
    ))?;
    for old in keys {
        if let Some(new) = rekeyed(index, &old).filter(|new| *new != old) {
            update.execute(params![encounter, old, new])?;
        }
    }
    Ok(())
}

/// The carry-forward notes with their keys rewritten (`None`: nothing to change).
fn notes(index: Option<&FormIndex<'_>>, text: &str) -> Option<String> {
    let mut value: Value = serde_json::from_str(text).ok()?;
    let mut changed = false;
    for field in ["hints", "notCarried"] {
        if let Some(Value::Object(map)) = value.get_mut(field) {
            let old = std::mem::take(map);
            for (key, note) in old {
                let new = rekeyed(index, &key).unwrap_or_else(|| key.clone());
                changed |= new != key;
                map.insert(new, note);
            }
        }
    }
    changed.then(|| value.to_string())
}

pub(super) fn run(tx: &Transaction<'_>) -> rusqlite::Result<()> {
    let triggers: Vec<(String, String)> = tx
        .prepare(&format!(
            "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name IN {TABLES} \
             ORDER BY rowid"
        ))?
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<Result<_, _>>()?;
    for (name, _) in &triggers {
        tx.execute_batch(&format!("DROP TRIGGER \"{}\";", name.replace('"', "\"\"")))?;
    }

    let encounters: Vec<(i64, i64, Option<String>)> = tx
        .prepare("SELECT id, template_id, carry_notes FROM encounters ORDER BY id")?
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
        .collect::<Result<_, _>>()?;
    let mut forms = HashMap::new();
    for (id, template, carry_notes) in encounters {
        if let std::collections::hash_map::Entry::Vacant(slot) = forms.entry(template) {
            let bytes: Option<Vec<u8>> = tx
                .query_row(
                    "SELECT original FROM templates WHERE id = ?1",
                    [template],
                    |r| r.get(0),
                )
                .optional()?;
            slot.insert(bytes.and_then(|b| import(&b).ok()).map(|(q, _)| q));
        }
        let form = forms.get(&template).and_then(Option::as_ref);
        let index = form.map(|q| FormIndex::new(&q.items));
        rewrite(tx, "encounter_answers", id, index.as_ref())?;
        rewrite(tx, "encounter_answer_revisions", id, index.as_ref())?;
        if let Some(new) = carry_notes.and_then(|t| notes(index.as_ref(), &t)) {
            tx.execute(
                "UPDATE encounters SET carry_notes = ?2 WHERE id = ?1",
                params![id, new],
            )?;
        }
    }

    for (_, sql) in &triggers {
        tx.execute_batch(sql)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn notes_keep_their_text_under_new_keys() {
        let q = import(
            br#"{"resourceType":"Questionnaire","status":"active","item":[
                {"linkId":"meds","type":"group","item":[
                  {"linkId":"med","type":"group","repeats":true,"item":[
                    {"linkId":"name","type":"string"}]}]},
                {"linkId":"vitals","type":"group","item":[{"linkId":"weight","type":"decimal"}]}]}"#,
        )
        .expect("a small form")
        .0;
        let index = FormIndex::new(&q.items);
        let text = r#"{"skipped":["x"],"hints":{":weight":"last weight 80 kg"},"notCarried":{"2:name":"why","1:gone":"why not"}}"#;
        let new: Value =
            serde_json::from_str(&notes(Some(&index), text).expect("rewritten")).expect("JSON");
        assert_eq!(
            new,
            serde_json::json!({
                "skipped": ["x"],
                "hints": { "vitals/weight": "last weight 80 kg" },
                "notCarried": { "meds/med[2]/name": "why", "[1]/gone": "why not" },
            }),
            "hints and reasons move to path keys; an item the form lacks keeps its linkId and row"
        );
        assert_eq!(
            rekeyed(Some(&index), "not a key"),
            None,
            "a damaged key stays"
        );
    }
}
