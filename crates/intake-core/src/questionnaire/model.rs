//! The parts of a Questionnaire the app uses, in Rust types.

/// A form.
#[derive(Debug, Clone, PartialEq)]
pub struct Questionnaire {
    pub url: Option<String>,
    pub version: Option<String>,
    pub name: Option<String>,
    pub title: Option<String>,
    pub status: String,
    pub items: Vec<Item>,
}

/// One question, group or display text.
#[derive(Debug, Clone, PartialEq)]
pub struct Item {
    pub link_id: String,
    pub text: Option<String>,
    pub prefix: Option<String>,
    pub item_type: ItemType,
    pub required: bool,
    pub repeats: bool,
    pub read_only: bool,
    pub max_length: Option<u32>,
    pub codes: Vec<Coding>,
    pub answer_options: Vec<AnswerOption>,
    /// A contained ValueSet's options, already resolved; `None` if there was none.
    pub answer_value_set: Option<String>,
    pub initial: Vec<AnswerValue>,
    pub enable_when: Vec<EnableWhen>,
    pub enable_behavior: EnableBehavior,
    pub min_value: Option<AnswerValue>,
    pub max_value: Option<AnswerValue>,
    pub regex: Option<String>,
    pub entry_format: Option<String>,
    pub unit: Option<Coding>,
    pub unit_options: Vec<Coding>,
    pub item_control: Option<ItemControl>,
    pub hidden: bool,
    /// FHIRPath expressions found on the item (calculated, initial, enableWhen),
    /// kept as written; not evaluated in this version.
    pub expressions: Vec<String>,
    /// The usual range (our `usual-range` extension): a value outside it is a warning,
    /// where `min_value`/`max_value` outside are errors.
    pub usual_min: Option<f64>,
    pub usual_max: Option<f64>,
    /// A value the app calculates (our `calculation` extension).
    pub calculation: Option<Calculation>,
    /// What a later visit may pre-fill (our `carry-forward` extension).
    pub carry_forward: Option<CarryForward>,
    /// The oldest answer, in days, that may be carried (`carry-forward-max-age`).
    pub carry_forward_max_age_days: Option<u32>,
    /// The patient-record field this item mirrors (`record-binding`), e.g. `sex`.
    pub record_binding: Option<String>,
    /// The item of an earlier version of this form whose answer this one takes over
    /// (`carry-forward-from`), e.g. "Any known allergies?" from "No known allergies".
    pub carry_forward_from: Option<CarryFrom>,
    /// Marked for extraction as an Observation (SDC `sdc-questionnaire-observationExtract`);
    /// read and kept for a FHIR export, nothing else changes with it.
    pub observation_extract: bool,
    pub items: Vec<Item>,
}

/// Our `carry-forward-from` extension: in an earlier version of the same form, the
/// item `link_id` held this answer; `inverted` turns a yes/no round ("No known
/// allergies: yes" carries as "Any known allergies?: no").
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CarryFrom {
    pub link_id: String,
    pub inverted: bool,
}

/// Every item of `items` and what they hold, depth first in form order (an explicit
/// stack: a deeply nested form from a file cannot exhaust the call stack).
pub fn all_items(items: &[Item]) -> Vec<&Item> {
    let mut out = Vec::new();
    let mut stack: Vec<&Item> = items.iter().rev().collect();
    while let Some(item) = stack.pop() {
        out.push(item);
        stack.extend(item.items.iter().rev());
    }
    out
}

/// The namespace of Intake Desk's own extensions.
pub const EXTENSION_BASE: &str = "http://intake-desk.org/fhir/StructureDefinition/";

/// Whether and how an answer may be pre-filled from an earlier visit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CarryForward {
    /// Never pre-filled (vitals, the reason for the visit, scores).
    Never,
    /// Pre-filled, and must be confirmed or edited before submission.
    Confirm,
    /// Pre-filled and accepted unless changed (stable facts).
    Always,
}

impl CarryForward {
    pub fn parse(s: &str) -> Option<CarryForward> {
        match s {
            "never" => Some(CarryForward::Never),
            "confirm" => Some(CarryForward::Confirm),
            "always" => Some(CarryForward::Always),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            CarryForward::Never => "never",
            CarryForward::Confirm => "confirm",
            CarryForward::Always => "always",
        }
    }
}

/// The calculations this version evaluates (our `calculation` extension, a small
/// language: `bmi(weightKg, heightCm)` or `sum(item, item, ...)`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Calculation {
    /// Body-mass index from a weight in kg and a height in cm, to one decimal.
    Bmi { weight: String, height: String },
    /// The sum of the chosen options' weights (`ordinalValue`); only once all are answered.
    Sum(Vec<String>),
}

impl Calculation {
    /// Reads `bmi(a, b)` or `sum(a, b, ...)`; anything else is `None`.
    pub fn parse(text: &str) -> Option<Calculation> {
        let text = text.trim();
        let open = text.find('(')?;
        let inner = text.strip_suffix(')')?.get(open + 1..)?;
        let args: Vec<String> = inner.split(',').map(|a| a.trim().to_string()).collect();
        if args.iter().any(String::is_empty) {
            return None;
        }
        match (&text[..open], args.as_slice()) {
            ("bmi", [weight, height]) => Some(Calculation::Bmi {
                weight: weight.clone(),
                height: height.clone(),
            }),
            ("sum", [_, ..]) => Some(Calculation::Sum(args)),
            _ => None,
        }
    }

    /// The items this calculation reads.
    pub fn inputs(&self) -> Vec<&str> {
        match self {
            Calculation::Bmi { weight, height } => vec![weight, height],
            Calculation::Sum(items) => items.iter().map(String::as_str).collect(),
        }
    }
}

/// The R4 item types, and anything else kept by name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ItemType {
    Group,
    Display,
    Boolean,
    Decimal,
    Integer,
    Date,
    DateTime,
    Time,
    String,
    Text,
    Url,
    Choice,
    OpenChoice,
    Quantity,
    Attachment,
    Reference,
    /// A type this version does not know; shown as "not supported in this version".
    Unknown(String),
}

impl ItemType {
    pub fn parse(s: &str) -> ItemType {
        match s {
            "group" => ItemType::Group,
            "display" => ItemType::Display,
            "boolean" => ItemType::Boolean,
            "decimal" => ItemType::Decimal,
            "integer" => ItemType::Integer,
            "date" => ItemType::Date,
            "dateTime" => ItemType::DateTime,
            "time" => ItemType::Time,
            "string" => ItemType::String,
            "text" => ItemType::Text,
            "url" => ItemType::Url,
            "choice" => ItemType::Choice,
            "open-choice" => ItemType::OpenChoice,
            "quantity" => ItemType::Quantity,
            "attachment" => ItemType::Attachment,
            "reference" => ItemType::Reference,
            other => ItemType::Unknown(other.to_string()),
        }
    }
}

/// A code from a code system.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Coding {
    pub system: Option<String>,
    pub code: Option<String>,
    pub display: Option<String>,
}

/// A typed answer value (`value[x]`, `initial[x]`, `answer[x]`).
#[derive(Debug, Clone, PartialEq)]
pub enum AnswerValue {
    Boolean(bool),
    Decimal(f64),
    Integer(i64),
    Date(String),
    DateTime(String),
    Time(String),
    String(String),
    Uri(String),
    Coding(Coding),
    Quantity {
        value: Option<f64>,
        unit: Option<String>,
        system: Option<String>,
        code: Option<String>,
    },
    Reference(String),
    Attachment {
        content_type: Option<String>,
        title: Option<String>,
    },
}

impl AnswerValue {
    /// Several values as one line: each [`AnswerValue::label`], joined with ", ".
    pub fn labels(values: &[AnswerValue]) -> String {
        values
            .iter()
            .map(AnswerValue::label)
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// The answer as a person reads it: "Yes", "82.5", "Mild", "20 mg".
    pub fn label(&self) -> String {
        match self {
            AnswerValue::Boolean(true) => "Yes".into(),
            AnswerValue::Boolean(false) => "No".into(),
            AnswerValue::Decimal(d) => d.to_string(),
            AnswerValue::Integer(i) => i.to_string(),
            AnswerValue::Date(s)
            | AnswerValue::DateTime(s)
            | AnswerValue::Time(s)
            | AnswerValue::String(s)
            | AnswerValue::Uri(s)
            | AnswerValue::Reference(s) => s.clone(),
            AnswerValue::Coding(c) => c
                .display
                .clone()
                .or_else(|| c.code.clone())
                .unwrap_or_default(),
            AnswerValue::Quantity { value, unit, .. } => {
                let v = value.map(|v| v.to_string()).unwrap_or_default();
                match unit {
                    Some(u) => format!("{v} {u}"),
                    None => v,
                }
            }
            AnswerValue::Attachment { title, .. } => title.clone().unwrap_or_else(|| "file".into()),
        }
    }
}

/// One allowed answer, with its score when the form gives one.
#[derive(Debug, Clone, PartialEq)]
pub struct AnswerOption {
    pub value: AnswerValue,
    pub initial_selected: bool,
    /// `ordinalValue` / `itemWeight`, for score sums.
    pub weight: Option<f64>,
}

/// `enableWhen` operators.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Operator {
    Exists,
    Equal,
    NotEqual,
    Greater,
    Less,
    GreaterOrEqual,
    LessOrEqual,
}

impl Operator {
    pub fn parse(s: &str) -> Option<Operator> {
        Some(match s {
            "exists" => Operator::Exists,
            "=" => Operator::Equal,
            "!=" => Operator::NotEqual,
            ">" => Operator::Greater,
            "<" => Operator::Less,
            ">=" => Operator::GreaterOrEqual,
            "<=" => Operator::LessOrEqual,
            _ => return None,
        })
    }
}

/// One condition for an item to be enabled.
#[derive(Debug, Clone, PartialEq)]
pub struct EnableWhen {
    pub question: String,
    pub operator: Operator,
    pub answer: AnswerValue,
}

/// How several conditions combine; R4 says `all` unless told.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum EnableBehavior {
    #[default]
    All,
    Any,
}

/// The `questionnaire-itemControl` codes the screen knows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ItemControl {
    DropDown,
    RadioButton,
    CheckBox,
    Other(String),
}
