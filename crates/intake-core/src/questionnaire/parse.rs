//! Reading a Questionnaire's JSON. Every access is checked: no input can make this panic.

use std::collections::{HashMap, HashSet};

use serde_json::{Map, Value};

use super::checks::check_enable_when;
use super::model::*;
use super::report::{ImportReport, ItemOutcome, ItemReport};

/// The largest Questionnaire accepted, in bytes.
pub const MAX_BYTES: usize = 5 * 1024 * 1024;
/// The deepest nesting of items accepted (the JSON reader itself stops a little past 60).
pub const MAX_DEPTH: usize = 60;
/// The most items (at every level) accepted.
pub const MAX_ITEMS: usize = 20_000;

/// Why a file cannot be imported as a form at all.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ImportError {
    #[error("the file is {size} bytes; forms of at most {} MB are accepted", MAX_BYTES / (1024 * 1024))]
    TooLarge { size: usize },
    #[error("the file is not JSON: {0}")]
    NotJson(String),
    #[error("the file is JSON but not a FHIR Questionnaire (resourceType is {0})")]
    NotQuestionnaire(String),
    #[error("{0}")]
    Malformed(String),
    #[error("two items share the linkId {0:?}; each item needs its own")]
    DuplicateLinkId(String),
    #[error("item {item:?} is enabled by {question:?}, which is not an item of this form")]
    EnableWhenMissing { item: String, question: String },
    #[error("enableWhen conditions go round in a circle: {}", .0.join(" → "))]
    EnableWhenCycle(Vec<String>),
    #[error("items are nested more than {MAX_DEPTH} levels deep")]
    TooDeep,
    #[error("the form has more than {MAX_ITEMS} items")]
    TooManyItems,
}

fn s(v: Option<&Value>) -> Option<String> {
    v.and_then(Value::as_str).map(str::to_string)
}

fn coding(v: &Value) -> Coding {
    Coding {
        system: s(v.get("system")),
        code: s(v.get("code")).or_else(|| v.get("code").map(|c| c.to_string())),
        display: s(v.get("display")),
    }
}

/// Reads `<prefix>X` from an object: `valueCoding`, `answerBoolean`, `initialDate`...
pub(crate) fn typed_value(obj: &Map<String, Value>, prefix: &str) -> Option<AnswerValue> {
    let (key, v) = obj
        .iter()
        .find(|(k, _)| k.starts_with(prefix) && k.len() > prefix.len())?;
    Some(match &key[prefix.len()..] {
        "Boolean" => AnswerValue::Boolean(v.as_bool()?),
        "Decimal" => AnswerValue::Decimal(v.as_f64()?),
        "Integer" => AnswerValue::Integer(v.as_i64()?),
        "Date" => AnswerValue::Date(v.as_str()?.to_string()),
        "DateTime" => AnswerValue::DateTime(v.as_str()?.to_string()),
        "Time" => AnswerValue::Time(v.as_str()?.to_string()),
        "String" | "Code" | "Markdown" => AnswerValue::String(v.as_str()?.to_string()),
        "Uri" | "Url" | "Canonical" => AnswerValue::Uri(v.as_str()?.to_string()),
        "Coding" => AnswerValue::Coding(coding(v)),
        "Quantity" => AnswerValue::Quantity {
            value: v.get("value").and_then(Value::as_f64),
            unit: s(v.get("unit")),
            system: s(v.get("system")),
            code: s(v.get("code")),
        },
        "Reference" => AnswerValue::Reference(s(v.get("reference")).unwrap_or_default()),
        "Attachment" => AnswerValue::Attachment {
            content_type: s(v.get("contentType")),
            title: s(v.get("title")),
        },
        _ => return None,
    })
}

fn extensions(obj: &Map<String, Value>) -> Vec<(&str, &Map<String, Value>)> {
    obj.get("extension")
        .and_then(Value::as_array)
        .map(|list| {
            list.iter()
                .filter_map(|e| {
                    let e = e.as_object()?;
                    Some((e.get("url")?.as_str()?, e))
                })
                .collect()
        })
        .unwrap_or_default()
}

/// The last path segment of an extension URL (`.../questionnaire-itemControl`).
fn ext_name(url: &str) -> &str {
    url.rsplit('/').next().unwrap_or(url)
}

/// Options of contained ValueSets, by `#id`.
fn contained_value_sets(root: &Map<String, Value>) -> HashMap<String, Vec<Coding>> {
    let mut sets = HashMap::new();
    for res in root
        .get("contained")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        if res.get("resourceType").and_then(Value::as_str) != Some("ValueSet") {
            continue;
        }
        let Some(id) = res.get("id").and_then(Value::as_str) else {
            continue;
        };
        let mut codes = Vec::new();
        let expansion = res.pointer("/expansion/contains").and_then(Value::as_array);
        for c in expansion.into_iter().flatten() {
            codes.push(coding(c));
        }
        let includes = res.pointer("/compose/include").and_then(Value::as_array);
        for include in includes.into_iter().flatten() {
            let system = s(include.get("system"));
            for c in include
                .get("concept")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                codes.push(Coding {
                    system: system.clone(),
                    ..coding(c)
                });
            }
        }
        sets.insert(format!("#{id}"), codes);
    }
    sets
}

struct Reader<'a> {
    value_sets: HashMap<String, Vec<Coding>>,
    report: &'a mut ImportReport,
    seen: HashSet<String>,
    count: usize,
}

impl Reader<'_> {
    fn items(&mut self, list: Option<&Value>, depth: usize) -> Result<Vec<Item>, ImportError> {
        let Some(list) = list else {
            return Ok(Vec::new());
        };
        let list = list
            .as_array()
            .ok_or_else(|| ImportError::Malformed("\"item\" must be a list".into()))?;
        if depth > MAX_DEPTH {
            return Err(ImportError::TooDeep);
        }
        list.iter()
            .enumerate()
            .map(|(i, v)| self.item(v, i, depth))
            .collect()
    }

    fn item(&mut self, v: &Value, position: usize, depth: usize) -> Result<Item, ImportError> {
        self.count += 1;
        if self.count > MAX_ITEMS {
            return Err(ImportError::TooManyItems);
        }
        let obj = v.as_object().ok_or_else(|| {
            ImportError::Malformed(format!(
                "item {} at depth {depth} is not an object",
                position + 1
            ))
        })?;
        let link_id = s(obj.get("linkId")).ok_or_else(|| {
            ImportError::Malformed(format!(
                "item {} at depth {depth} has no linkId",
                position + 1
            ))
        })?;
        if !self.seen.insert(link_id.clone()) {
            return Err(ImportError::DuplicateLinkId(link_id));
        }
        let type_name = s(obj.get("type"))
            .ok_or_else(|| ImportError::Malformed(format!("item {link_id:?} has no type")))?;
        let item_type = ItemType::parse(&type_name);
        let mut degraded: Vec<String> = Vec::new();
        match &item_type {
            ItemType::Unknown(t) => degraded.push(format!(
                "type {t:?} is not supported in this version; shown as a notice"
            )),
            ItemType::Attachment => degraded
                .push("attachments cannot be added in this version; shown as a notice".into()),
            _ => {}
        }
        let mut item = Item {
            link_id: link_id.clone(),
            text: s(obj.get("text")),
            prefix: s(obj.get("prefix")),
            item_type,
            required: obj
                .get("required")
                .and_then(Value::as_bool)
                .unwrap_or(false),
            repeats: obj.get("repeats").and_then(Value::as_bool).unwrap_or(false),
            read_only: obj
                .get("readOnly")
                .and_then(Value::as_bool)
                .unwrap_or(false),
            max_length: obj
                .get("maxLength")
                .and_then(Value::as_u64)
                .and_then(|n| u32::try_from(n).ok()),
            codes: obj
                .get("code")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .map(coding)
                .collect(),
            answer_options: Vec::new(),
            answer_value_set: s(obj.get("answerValueSet")),
            initial: Vec::new(),
            enable_when: Vec::new(),
            enable_behavior: match obj.get("enableBehavior").and_then(Value::as_str) {
                Some("any") => EnableBehavior::Any,
                _ => EnableBehavior::All,
            },
            min_value: None,
            max_value: None,
            regex: None,
            entry_format: None,
            unit: None,
            unit_options: Vec::new(),
            item_control: None,
            hidden: false,
            expressions: Vec::new(),
            usual_min: None,
            usual_max: None,
            calculation: None,
            carry_forward: None,
            carry_forward_max_age_days: None,
            record_binding: None,
            carry_forward_from: None,
            observation_extract: false,
            items: Vec::new(),
        };
        for option in obj
            .get("answerOption")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            let Some(o) = option.as_object() else {
                continue;
            };
            let Some(value) = typed_value(o, "value") else {
                degraded.push(
                    "an answer option has no value this version reads; it was left out".into(),
                );
                continue;
            };
            let weight = extensions(o).iter().find_map(|(url, e)| {
                matches!(
                    ext_name(url),
                    "ordinalValue" | "itemWeight" | "iso21090-CO-value"
                )
                .then(|| {
                    e.get("valueDecimal")
                        .or_else(|| e.get("valueInteger"))
                        .and_then(Value::as_f64)
                })
                .flatten()
            });
            item.answer_options.push(AnswerOption {
                value,
                initial_selected: o
                    .get("initialSelected")
                    .and_then(Value::as_bool)
                    .unwrap_or(false),
                weight,
            });
        }
        if let Some(vs) = &item.answer_value_set {
            match self.value_sets.get(vs) {
                Some(codes) => {
                    item.answer_options
                        .extend(codes.iter().cloned().map(|c| AnswerOption {
                            value: AnswerValue::Coding(c),
                            initial_selected: false,
                            weight: None,
                        }))
                }
                None => degraded.push(format!(
                    "answer list {vs} is not contained in the form; any answer is accepted"
                )),
            }
        }
        for initial in obj
            .get("initial")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            match initial.as_object().and_then(|o| typed_value(o, "value")) {
                Some(v) => item.initial.push(v),
                None => {
                    degraded.push("an initial value has a type this version does not read".into())
                }
            }
        }
        for cond in obj
            .get("enableWhen")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            let Some(c) = cond.as_object() else { continue };
            let question = s(c.get("question")).unwrap_or_default();
            let operator = c
                .get("operator")
                .and_then(Value::as_str)
                .and_then(Operator::parse);
            match (operator, typed_value(c, "answer")) {
                (Some(operator), Some(answer)) => item.enable_when.push(EnableWhen {
                    question,
                    operator,
                    answer,
                }),
                _ => degraded.push(format!(
                    "an enableWhen on {question:?} could not be read; it is ignored"
                )),
            }
        }
        for (url, e) in extensions(obj) {
            if let Some(own) = url.strip_prefix(EXTENSION_BASE) {
                self.own_extension(&mut item, own, e, &mut degraded);
                continue;
            }
            let name = ext_name(url);
            match name {
                "minValue" => item.min_value = typed_value(e, "value"),
                "maxValue" => item.max_value = typed_value(e, "value"),
                "regex" => item.regex = s(e.get("valueString")),
                "entryFormat" => item.entry_format = s(e.get("valueString")),
                "questionnaire-unit" => item.unit = e.get("valueCoding").map(coding),
                "questionnaire-unitOption" => {
                    item.unit_options.extend(e.get("valueCoding").map(coding))
                }
                "sdc-questionnaire-observationExtract" => {
                    match e.get("valueBoolean").and_then(Value::as_bool) {
                        Some(on) => item.observation_extract = on,
                        None => degraded.push(
                            "its observationExtract mark is not true or false; it is ignored"
                                .into(),
                        ),
                    }
                }
                "questionnaire-hidden" => {
                    item.hidden = e
                        .get("valueBoolean")
                        .and_then(Value::as_bool)
                        .unwrap_or(false)
                }
                "questionnaire-itemControl" => {
                    let code = e
                        .get("valueCodeableConcept")
                        .and_then(|v| v.pointer("/coding/0/code"))
                        .and_then(Value::as_str)
                        .unwrap_or("");
                    item.item_control = Some(match code {
                        "drop-down" => ItemControl::DropDown,
                        "radio-button" => ItemControl::RadioButton,
                        "check-box" => ItemControl::CheckBox,
                        other => ItemControl::Other(other.to_string()),
                    });
                }
                n if n.ends_with("calculatedExpression")
                    || n.ends_with("initialExpression")
                    || n.ends_with("enableWhenExpression")
                    || n.ends_with("answerExpression")
                    || n == "variable" =>
                {
                    let expr = e
                        .get("valueExpression")
                        .and_then(|v| v.get("expression"))
                        .and_then(Value::as_str)
                        .unwrap_or("");
                    item.expressions.push(expr.to_string());
                    degraded.push(format!("{n} {expr:?} is not evaluated in this version"));
                }
                _ => {}
            }
        }
        let index = self.report.items.len();
        self.report.items.push(ItemReport {
            link_id: link_id.clone(),
            text: item.text.clone(),
            outcome: ItemOutcome::Supported,
        });
        item.items = self.items(obj.get("item"), depth + 1)?;
        self.report.items[index].outcome = if item.hidden {
            ItemOutcome::Ignored("hidden by the form".into())
        } else if degraded.is_empty() {
            ItemOutcome::Supported
        } else {
            ItemOutcome::Degraded(degraded)
        };
        Ok(item)
    }
}

impl Reader<'_> {
    /// Intake Desk's own extensions: usual ranges, calculations, carry-forward policy
    /// and record bindings. One that cannot be read degrades the item, by name.
    fn own_extension(
        &mut self,
        item: &mut Item,
        name: &str,
        e: &Map<String, Value>,
        degraded: &mut Vec<String>,
    ) {
        let number = |p: &str| {
            e.get("valueRange")
                .and_then(|r| r.pointer(p))
                .and_then(Value::as_f64)
        };
        match name {
            "usual-range" => {
                item.usual_min = number("/low/value");
                item.usual_max = number("/high/value");
                if item.usual_min.is_none() && item.usual_max.is_none() {
                    degraded.push("its usual range could not be read".into());
                }
            }
            "calculation" => {
                let text = s(e.get("valueString")).unwrap_or_default();
                match Calculation::parse(&text) {
                    Some(c) => {
                        item.calculation = Some(c);
                        item.read_only = true;
                    }
                    None => degraded.push(format!("the calculation {text:?} is not understood")),
                }
            }
            "carry-forward" => {
                let code = s(e.get("valueCode")).unwrap_or_default();
                match CarryForward::parse(&code) {
                    Some(p) => item.carry_forward = Some(p),
                    None => degraded.push(format!(
                        "carry-forward {code:?} is not never, confirm or always; nothing is carried"
                    )),
                }
            }
            "carry-forward-max-age" => {
                item.carry_forward_max_age_days = e
                    .get("valueInteger")
                    .and_then(Value::as_u64)
                    .and_then(|n| u32::try_from(n).ok())
            }
            "record-binding" => item.record_binding = s(e.get("valueCode")),
            "carry-forward-from" => {
                let part = |name: &str| {
                    extensions(e)
                        .into_iter()
                        .find(|(url, _)| *url == name)
                        .map(|(_, p)| p)
                };
                let link_id = part("linkId").and_then(|p| s(p.get("valueString")));
                let inverted = part("inverted")
                    .and_then(|p| p.get("valueBoolean"))
                    .and_then(Value::as_bool)
                    .unwrap_or(false);
                match link_id {
                    None => degraded.push(
                        "carry-forward-from names no linkId; nothing is carried from an earlier item"
                            .into(),
                    ),
                    Some(_) if inverted && item.item_type != ItemType::Boolean => degraded.push(
                        "carry-forward-from is inverted on an item that is not yes/no; nothing is carried from an earlier item"
                            .into(),
                    ),
                    Some(link_id) => {
                        item.carry_forward_from = Some(CarryFrom { link_id, inverted })
                    }
                }
            }
            other => degraded.push(format!("the extension {other:?} is not known")),
        }
    }
}

/// Reads a Questionnaire from its JSON bytes.
pub fn import(bytes: &[u8]) -> Result<(Questionnaire, ImportReport), ImportError> {
    if bytes.len() > MAX_BYTES {
        return Err(ImportError::TooLarge { size: bytes.len() });
    }
    let root: Value = serde_json::from_slice(bytes).map_err(|e| {
        if e.to_string().starts_with("recursion limit exceeded") {
            ImportError::TooDeep
        } else {
            ImportError::NotJson(e.to_string())
        }
    })?;
    let root = root.as_object().ok_or_else(|| {
        ImportError::NotQuestionnaire("missing: the file is not a JSON object".into())
    })?;
    match root.get("resourceType").and_then(Value::as_str) {
        Some("Questionnaire") => {}
        Some(other) => return Err(ImportError::NotQuestionnaire(format!("{other:?}"))),
        None => return Err(ImportError::NotQuestionnaire("missing".into())),
    }
    let mut report = ImportReport::default();
    for (url, _) in extensions(root) {
        let name = ext_name(url);
        if name == "variable" || name.ends_with("Expression") || name.ends_with("launchContext") {
            report
                .notes
                .push(format!("{name} is not evaluated in this version"));
        }
    }
    let mut reader = Reader {
        value_sets: contained_value_sets(root),
        report: &mut report,
        seen: HashSet::new(),
        count: 0,
    };
    let items = reader.items(root.get("item"), 1)?;
    check_enable_when(&items)?;
    let questionnaire = Questionnaire {
        url: s(root.get("url")),
        version: s(root.get("version")),
        name: s(root.get("name")),
        title: s(root.get("title")),
        status: s(root.get("status")).unwrap_or_else(|| "unknown".into()),
        items,
    };
    Ok((questionnaire, report))
}
