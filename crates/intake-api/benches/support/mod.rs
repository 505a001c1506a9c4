//! What the API benchmarks share: the built-in form's answer options and a builder of
//! one visit's changes (each at the revision its key was last seen at).

use std::collections::BTreeMap;

use intake_api::wire::ChangeDto;
use serde_json::{json, Value};

/// The built-in form's answer options (`valueCoding` objects), by linkId and code.
pub struct Options(BTreeMap<(String, String), Value>);

impl Options {
    pub fn load() -> Options {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/forms/general-adult-intake-v2.json"
        );
        let form: Value = serde_json::from_slice(&std::fs::read(path).expect("the built-in form"))
            .expect("the built-in form is JSON");
        let mut out = BTreeMap::new();
        let mut stack: Vec<&Value> = vec![&form];
        while let Some(item) = stack.pop() {
            if let Some(options) = item["answerOption"].as_array() {
                let link = item["linkId"].as_str().unwrap_or_default().to_string();
                for o in options {
                    if let Some(code) = o["valueCoding"]["code"].as_str() {
                        out.insert(
                            (link.clone(), code.to_string()),
                            json!({ "valueCoding": o["valueCoding"] }),
                        );
                    }
                }
            }
            if let Some(items) = item["item"].as_array() {
                stack.extend(items);
            }
        }
        Options(out)
    }

    pub fn get(&self, link: &str, code: &str) -> Value {
        self.0
            .get(&(link.to_string(), code.to_string()))
            .unwrap_or_else(|| panic!("{link} has an option {code}"))
            .clone()
    }
}

/// Changes for one visit, each at the `rev` its key was last seen at (a bench adds its
/// own helpers in an `impl` of a local trait).
pub struct Changes<'a> {
    pub revs: &'a BTreeMap<String, i64>,
    pub list: Vec<ChangeDto>,
}

impl Changes<'_> {
    pub fn put(&mut self, key: &str, values: Vec<Value>) {
        let base = self.revs.get(key).copied().unwrap_or(0);
        self.list.push(
            serde_json::from_value(json!({ "key": key, "values": values, "baseRev": base }))
                .expect("a change"),
        );
    }
    pub fn text(&mut self, key: &str, s: &str) {
        self.put(key, vec![json!({ "valueString": s })]);
    }
    pub fn decimal(&mut self, key: &str, d: f64) {
        self.put(key, vec![json!({ "valueDecimal": d })]);
    }
    pub fn integer(&mut self, key: &str, i: i64) {
        self.put(key, vec![json!({ "valueInteger": i })]);
    }
    pub fn boolean(&mut self, key: &str, b: bool) {
        self.put(key, vec![json!({ "valueBoolean": b })]);
    }
    pub fn date(&mut self, key: &str, d: &str) {
        self.put(key, vec![json!({ "valueDate": d })]);
    }
    pub fn row(&mut self, key: &str) {
        self.put(key, vec![]);
    }
}
