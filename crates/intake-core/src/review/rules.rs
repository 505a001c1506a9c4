//! Notable findings: which answers of a visit a physician should see first, and why.
//!
//! A table of [`Rule`]s, each keyed by an item's code (system + code: LOINC for vitals),
//! never by its linkId or text, so any form that codes its items is read the same way.
//! A rule tests one of:
//! - a change since the last visit, in percent or in the rule's unit, when that visit was
//!   at most `within_days` ago ("−12.9 % in 8 weeks (rule: ≥ 5 % within 6 months)");
//!   without an earlier visit, or with one longer ago, it says nothing;
//! - a range: below a low limit or above a high one, each inclusive or not
//!   ("SpO2 91 % < 94 %");
//! - a pair read together, either reaching its limit ("BP 150/95 ≥ 140/90");
//! - a list (medications, allergies): any row new, stopped or changed. The list is
//!   found by the code of a group around it (10160-0, 48765-2) or, for forms that code
//!   no sections (the built-in form's first version), by that group's linkId.
//!
//! Values compare in the rule's unit: an item whose unit is another one we know
//! (°F, lb, g) is converted; an item in a unit we cannot convert is not judged. An item
//! without a unit is taken to be in the rule's unit.
//!
//! [`Thresholds`] are the numbers an administrator may change in Settings; they make the
//! table ([`Thresholds::rules`]) and are checked before they are kept
//! ([`Thresholds::check`]). [`notable`] is pure: it reads a [`VisitDiff`] and the form.

use std::collections::HashMap;

use crate::questionnaire::response::FormIndex;
use crate::questionnaire::{all_items, AnswerValue, Item, Questionnaire};

use super::{percent_text, Change, ListDiff, VisitDiff};

pub const LOINC: &str = "http://loinc.org";

/// An item's code: system and code.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Code {
    pub system: String,
    pub code: String,
}

impl Code {
    pub fn loinc(code: &str) -> Code {
        Code {
            system: LOINC.to_string(),
            code: code.to_string(),
        }
    }

    fn on(&self, item: &Item) -> bool {
        item.codes.iter().any(|c| {
            c.system.as_deref() == Some(self.system.as_str())
                && c.code.as_deref() == Some(self.code.as_str())
        })
    }
}

/// LOINC codes the default rules use.
pub mod codes {
    pub const WEIGHT: &str = "29463-7";
    pub const SYSTOLIC: &str = "8480-6";
    pub const DIASTOLIC: &str = "8462-4";
    pub const SPO2: &str = "59408-5";
    pub const PULSE: &str = "8867-4";
    pub const TEMPERATURE: &str = "8310-5";
    /// History of medication use (the medications section).
    pub const MEDICATIONS: &str = "10160-0";
    /// History of allergies (the allergies section).
    pub const ALLERGIES: &str = "48765-2";
}

/// How much a value must move.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Amount {
    Percent(f64),
    /// In the rule's unit.
    Absolute(f64),
}

/// One end of a range.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Limit {
    pub value: f64,
    /// Whether reaching the limit counts (≥ rather than >).
    pub inclusive: bool,
}

/// What a rule tests.
#[derive(Debug, Clone, PartialEq)]
pub enum Test {
    /// Moved by at least `amount` either way since the last visit, when that visit was at
    /// most `within_days` days before this one.
    Change { amount: Amount, within_days: u32 },
    /// Below `low` or above `high`.
    Range {
        low: Option<Limit>,
        high: Option<Limit>,
    },
    /// Read with a second item (blood pressure: systolic/diastolic): flagged when either
    /// reaches its minimum.
    PairAtLeast {
        second: Code,
        first_min: f64,
        second_min: f64,
    },
    /// Any row of the list new, stopped or changed; `fallback_link_id` names the group
    /// in forms without section codes.
    ListChange { fallback_link_id: String },
}

/// One line of the table.
#[derive(Debug, Clone, PartialEq)]
pub struct Rule {
    pub code: Code,
    /// How the reason names it: "BP", "SpO2", "medication".
    pub label: String,
    /// The UCUM code its numbers are in (`kg`, `Cel`); `None` for lists and counts.
    pub unit: Option<String>,
    pub test: Test,
}

/// The numbers an administrator may change (Settings), and their defaults.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Thresholds {
    /// A weight change of at least this much…
    pub weight_change: f64,
    /// …in percent (`true`) or in kg (`false`)…
    pub weight_change_in_percent: bool,
    /// …since a visit at most this many days ago.
    pub weight_change_days: u32,
    pub systolic_at_least: f64,
    pub diastolic_at_least: f64,
    pub spo2_below: f64,
    pub pulse_below: f64,
    pub pulse_above: f64,
    pub temperature_at_least: f64,
    /// Flag any new, stopped or changed medication / allergy.
    pub medication_changes: bool,
    pub allergy_changes: bool,
}

impl Default for Thresholds {
    fn default() -> Thresholds {
        Thresholds {
            weight_change: 5.0,
            weight_change_in_percent: true,
            weight_change_days: 183,
            systolic_at_least: 140.0,
            diastolic_at_least: 90.0,
            spo2_below: 94.0,
            pulse_below: 50.0,
            pulse_above: 110.0,
            temperature_at_least: 38.0,
            medication_changes: true,
            allergy_changes: true,
        }
    }
}

/// A threshold refused: the field (the Settings screen's name) and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ThresholdError {
    pub field: &'static str,
    pub message: String,
}

impl Thresholds {
    /// Refuses numbers that are not finite or outside what a clinic could mean.
    pub fn check(&self) -> Result<(), ThresholdError> {
        let within = |field: &'static str, v: f64, lo: f64, hi: f64, what: &str| {
            if v.is_finite() && (lo..=hi).contains(&v) {
                Ok(())
            } else {
                Err(ThresholdError {
                    field,
                    message: format!("{what} must be a number from {lo} to {hi}."),
                })
            }
        };
        let (lo, hi, what) = if self.weight_change_in_percent {
            (0.1, 100.0, "The weight change (%)")
        } else {
            (0.1, 100.0, "The weight change (kg)")
        };
        within("weightChange", self.weight_change, lo, hi, what)?;
        within(
            "weightChangeDays",
            f64::from(self.weight_change_days),
            1.0,
            3650.0,
            "The weight change interval (days)",
        )?;
        within(
            "systolicAtLeast",
            self.systolic_at_least,
            60.0,
            300.0,
            "The systolic limit (mmHg)",
        )?;
        within(
            "diastolicAtLeast",
            self.diastolic_at_least,
            30.0,
            200.0,
            "The diastolic limit (mmHg)",
        )?;
        within(
            "spo2Below",
            self.spo2_below,
            50.0,
            100.0,
            "The SpO2 limit (%)",
        )?;
        within(
            "pulseBelow",
            self.pulse_below,
            20.0,
            250.0,
            "The low pulse limit (/min)",
        )?;
        within(
            "pulseAbove",
            self.pulse_above,
            20.0,
            250.0,
            "The high pulse limit (/min)",
        )?;
        if self.pulse_above <= self.pulse_below {
            return Err(ThresholdError {
                field: "pulseAbove",
                message: format!(
                    "The high pulse limit must be above the low one ({}).",
                    number_text(self.pulse_below)
                ),
            });
        }
        within(
            "temperatureAtLeast",
            self.temperature_at_least,
            35.0,
            43.0,
            "The temperature limit (°C)",
        )?;
        Ok(())
    }

    /// The table these thresholds make.
    pub fn rules(&self) -> Vec<Rule> {
        let mut out = Vec::new();
        let list = |code: &str, label: &str, link: &str| Rule {
            code: Code::loinc(code),
            label: label.to_string(),
            unit: None,
            test: Test::ListChange {
                fallback_link_id: link.to_string(),
            },
        };
        if self.medication_changes {
            out.push(list(codes::MEDICATIONS, "medication", "medications"));
        }
        if self.allergy_changes {
            out.push(list(codes::ALLERGIES, "allergy", "allergies"));
        }
        let unit = |u: &str| Some(u.to_string());
        out.push(Rule {
            code: Code::loinc(codes::WEIGHT),
            label: "Weight".into(),
            unit: unit("kg"),
            test: Test::Change {
                amount: if self.weight_change_in_percent {
                    Amount::Percent(self.weight_change)
                } else {
                    Amount::Absolute(self.weight_change)
                },
                within_days: self.weight_change_days,
            },
        });
        out.push(Rule {
            code: Code::loinc(codes::SYSTOLIC),
            label: "BP".into(),
            unit: unit("mm[Hg]"),
            test: Test::PairAtLeast {
                second: Code::loinc(codes::DIASTOLIC),
                first_min: self.systolic_at_least,
                second_min: self.diastolic_at_least,
            },
        });
        out.push(Rule {
            code: Code::loinc(codes::SPO2),
            label: "SpO2".into(),
            unit: unit("%"),
            test: Test::Range {
                low: Some(Limit {
                    value: self.spo2_below,
                    inclusive: false,
                }),
                high: None,
            },
        });
        out.push(Rule {
            code: Code::loinc(codes::PULSE),
            label: "Pulse".into(),
            unit: unit("/min"),
            test: Test::Range {
                low: Some(Limit {
                    value: self.pulse_below,
                    inclusive: false,
                }),
                high: Some(Limit {
                    value: self.pulse_above,
                    inclusive: false,
                }),
            },
        });
        out.push(Rule {
            code: Code::loinc(codes::TEMPERATURE),
            label: "Temperature".into(),
            unit: unit("Cel"),
            test: Test::Range {
                low: None,
                high: Some(Limit {
                    value: self.temperature_at_least,
                    inclusive: true,
                }),
            },
        });
        out
    }
}

/// What a notable finding points at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// A question (by linkId) outside repeating groups.
    Question(String),
    /// A row of a list: the list's linkId and the row's ids at the two visits.
    Row {
        list: String,
        before_row: Option<u32>,
        after_row: Option<u32>,
    },
}

/// One notable finding.
#[derive(Debug, Clone, PartialEq)]
pub struct Notable {
    pub target: Target,
    /// What it is: "Weight 77.5 kg · last 89 kg, 5 Oct 2026, −12.9 %", "Metformin: Dose
    /// 500 → 1000".
    pub text: String,
    /// Why it is notable: "−12.9 % in 8 weeks (rule: ≥ 5 % within 6 months)".
    pub reason: String,
    /// Whether it is a medication or allergy change (these lead, with the findings).
    pub list: bool,
}

/// "12", "38.5": at most one decimal, none when whole.
pub fn number_text(v: f64) -> String {
    let r = (v * 10.0).round() / 10.0;
    if r.fract() == 0.0 {
        format!("{r:.0}")
    } else {
        format!("{r:.1}")
    }
}

/// How a UCUM unit reads.
fn unit_text(ucum: &str) -> String {
    match ucum {
        "Cel" => " °C".into(),
        "mm[Hg]" => " mmHg".into(),
        "%" => " %".into(),
        "/min" => "/min".into(),
        other => format!(" {other}"),
    }
}

/// `value` in `from` as a value in `to`; `None` when we do not know how.
pub fn convert(value: f64, from: Option<&str>, to: &str) -> Option<f64> {
    let Some(from) = from else {
        return Some(value);
    };
    match (from, to) {
        (a, b) if a == b => Some(value),
        ("[degF]", "Cel") => Some((value - 32.0) * 5.0 / 9.0),
        ("[lb_av]", "kg") => Some(value * 0.453_592_37),
        ("g", "kg") => Some(value / 1000.0),
        _ => None,
    }
}

/// "8 weeks", "12 days", "6 months": how long an interval of days reads.
pub fn interval_text(days: i64) -> String {
    let plural = |n: i64, one: &str| {
        if n == 1 {
            format!("1 {one}")
        } else {
            format!("{n} {one}s")
        }
    };
    if days < 14 {
        plural(days.max(0), "day")
    } else if days < 91 {
        plural(days / 7, "week")
    } else if days < 730 {
        plural(((days as f64) / 30.44).round() as i64, "month")
    } else {
        plural(((days as f64) / 365.25).round() as i64, "year")
    }
}

fn single_number(values: &[AnswerValue]) -> Option<f64> {
    match values {
        [AnswerValue::Decimal(d)] => Some(*d),
        [AnswerValue::Integer(i)] => Some(*i as f64),
        [AnswerValue::Quantity { value: Some(v), .. }] => Some(*v),
        _ => None,
    }
}

fn item_unit(item: &Item) -> Option<&str> {
    item.unit.as_ref().and_then(|u| u.code.as_deref())
}

/// The value in the rule's unit (`None`: not a number, or a unit we cannot convert).
fn in_unit(item: &Item, values: &[AnswerValue], rule: &Rule) -> Option<f64> {
    let v = single_number(values)?;
    match &rule.unit {
        None => Some(v),
        Some(unit) => convert(v, item_unit(item), unit),
    }
}

/// Whether the list `list` sits in (or is) a group coded `code` or with linkId `fallback`.
fn list_is(
    list: &ListDiff,
    parents: &HashMap<&str, &Item>,
    index: &FormIndex<'_>,
    rule: &Rule,
    fallback: &str,
) -> bool {
    let mut at = index.get(&list.link_id);
    while let Some(item) = at {
        if rule.code.on(item) || item.link_id == fallback {
            return true;
        }
        at = parents.get(item.link_id.as_str()).copied();
    }
    false
}

fn parents_of(items: &[Item]) -> HashMap<&str, &Item> {
    let mut out = HashMap::new();
    for item in all_items(items) {
        for child in &item.items {
            out.insert(child.link_id.as_str(), item);
        }
    }
    out
}

fn list_notables(
    form: &Questionnaire,
    diff: &VisitDiff,
    rule: &Rule,
    fallback: &str,
    out: &mut Vec<Notable>,
) {
    let index = FormIndex::new(&form.items);
    let parents = parents_of(&form.items);
    for list in &diff.lists {
        if !list_is(list, &parents, &index, rule, fallback) {
            continue;
        }
        for row in &list.rows {
            let what = match row.change {
                Change::Added => "new",
                Change::Removed => "stopped",
                Change::Changed => "changed",
                Change::Unchanged | Change::NotAsked => continue,
            };
            // An allergy is not "stopped": it is no longer listed.
            let gone = if rule.label == "allergy" {
                "removed"
            } else {
                "stopped"
            };
            let what = if row.change == Change::Removed {
                gone
            } else {
                what
            };
            let name = if row.label.is_empty() {
                "—"
            } else {
                &row.label
            };
            let text = match row.change {
                Change::Added => format!("{name}: new"),
                Change::Removed => format!("{name}: {gone} since the last visit"),
                _ => {
                    let fields: Vec<String> = row
                        .fields
                        .iter()
                        .map(|f| {
                            let label = index
                                .get(&f.link_id)
                                .and_then(|i| i.text.clone())
                                .unwrap_or_else(|| f.link_id.clone());
                            let v = |x: &[AnswerValue]| {
                                let s = AnswerValue::labels(x);
                                if s.is_empty() {
                                    "not answered".to_string()
                                } else {
                                    s
                                }
                            };
                            let unit = f.unit.as_ref().map(|u| format!(" {u}")).unwrap_or_default();
                            format!("{label} {} → {}{unit}", v(&f.before), v(&f.after))
                        })
                        .collect();
                    format!("{name}: {}", fields.join("; "))
                }
            };
            out.push(Notable {
                target: Target::Row {
                    list: list.link_id.clone(),
                    before_row: row.before_row,
                    after_row: row.after_row,
                },
                text,
                reason: format!(
                    "{what} {} (rule: any new, stopped or changed {})",
                    rule.label, rule.label
                ),
                list: true,
            });
        }
    }
}

/// The reason a value breaks a range, if it does: "SpO2 91 % < 94 %".
fn out_of_range(rule: &Rule, v: f64, low: Option<Limit>, high: Option<Limit>) -> Option<String> {
    let unit = rule.unit.as_deref().map(unit_text).unwrap_or_default();
    let show = |x: f64| format!("{}{unit}", number_text(x));
    if let Some(l) = low {
        if v < l.value || (l.inclusive && v == l.value) {
            let op = if l.inclusive { "≤" } else { "<" };
            return Some(format!("{} {} {op} {}", rule.label, show(v), show(l.value)));
        }
    }
    if let Some(h) = high {
        if v > h.value || (h.inclusive && v == h.value) {
            let op = if h.inclusive { "≥" } else { ">" };
            return Some(format!("{} {} {op} {}", rule.label, show(v), show(h.value)));
        }
    }
    None
}

/// The notable findings of a visit: medication and allergy changes first (in the
/// table's order), then findings in form order. `days_since` is the number of days from
/// the earlier visit to this one (`None`: no earlier visit).
pub fn notable(
    form: &Questionnaire,
    diff: &VisitDiff,
    days_since: Option<i64>,
    rules: &[Rule],
) -> Vec<Notable> {
    let mut out = Vec::new();
    for rule in rules {
        if let Test::ListChange { fallback_link_id } = &rule.test {
            if diff.previous {
                list_notables(form, diff, rule, fallback_link_id, &mut out);
            }
        }
    }
    let index = FormIndex::new(&form.items);
    let value_of = |code: &Code| {
        diff.questions.iter().find_map(|q| {
            let item = index.get(&q.link_id)?;
            code.on(item).then_some((q, item))
        })
    };
    for q in &diff.questions {
        let Some(item) = index.get(&q.link_id) else {
            continue;
        };
        for rule in rules.iter().filter(|r| r.code.on(item)) {
            let reason = match &rule.test {
                Test::ListChange { .. } => None,
                Test::Change {
                    amount,
                    within_days,
                } => {
                    let (Some(days), Some(b), Some(a)) = (
                        days_since,
                        in_unit(item, &q.before, rule),
                        in_unit(item, &q.after, rule),
                    ) else {
                        continue;
                    };
                    if days > i64::from(*within_days) || b == 0.0 {
                        continue;
                    }
                    let relative = (a - b) / b;
                    let rule_text = format!(
                        "rule: ≥ {}{} within {}",
                        number_text(match amount {
                            Amount::Percent(p) | Amount::Absolute(p) => *p,
                        }),
                        match amount {
                            Amount::Percent(_) => " %".to_string(),
                            Amount::Absolute(_) =>
                                rule.unit.as_deref().map(unit_text).unwrap_or_default(),
                        },
                        interval_text(i64::from(*within_days))
                    );
                    // A hair's breadth of rounding does not hide a change at the limit.
                    let reached = match amount {
                        Amount::Percent(p) => relative.abs() * 100.0 + 1e-9 >= *p,
                        Amount::Absolute(x) => (a - b).abs() + 1e-9 >= *x,
                    };
                    let moved = match amount {
                        Amount::Percent(_) => percent_text(relative),
                        Amount::Absolute(_) => format!(
                            "{}{}{}",
                            if a < b { "−" } else { "+" },
                            number_text((a - b).abs()),
                            rule.unit.as_deref().map(unit_text).unwrap_or_default()
                        ),
                    };
                    let over = if days == 0 {
                        "on the same day".to_string()
                    } else {
                        format!("in {}", interval_text(days))
                    };
                    reached.then(|| format!("{moved} {over} ({rule_text})"))
                }
                Test::Range { low, high } => {
                    in_unit(item, &q.after, rule).and_then(|v| out_of_range(rule, v, *low, *high))
                }
                Test::PairAtLeast {
                    second,
                    first_min,
                    second_min,
                } => {
                    let first = in_unit(item, &q.after, rule);
                    let other = value_of(second).and_then(|(q2, i2)| in_unit(i2, &q2.after, rule));
                    let high = first.is_some_and(|v| v >= *first_min)
                        || other.is_some_and(|v| v >= *second_min);
                    let show = |v: Option<f64>| v.map_or("—".to_string(), number_text);
                    high.then(|| {
                        format!(
                            "{} {}/{} ≥ {}/{}",
                            rule.label,
                            show(first),
                            show(other),
                            number_text(*first_min),
                            number_text(*second_min)
                        )
                    })
                }
            };
            if let Some(reason) = reason {
                out.push(Notable {
                    target: Target::Question(q.link_id.clone()),
                    text: q.text.clone(),
                    reason,
                    list: false,
                });
            }
        }
    }
    // A pair whose first item was not answered at all is read from its second alone (a
    // diastolic recorded without its systolic).
    for rule in rules {
        let Test::PairAtLeast {
            second,
            first_min,
            second_min,
        } = &rule.test
        else {
            continue;
        };
        if value_of(&rule.code).is_some() {
            continue;
        }
        let Some((q2, i2)) = value_of(second) else {
            continue;
        };
        if let Some(v) = in_unit(i2, &q2.after, rule).filter(|v| v >= second_min) {
            out.push(Notable {
                target: Target::Question(q2.link_id.clone()),
                text: q2.text.clone(),
                reason: format!(
                    "{} —/{} ≥ {}/{}",
                    rule.label,
                    number_text(v),
                    number_text(*first_min),
                    number_text(*second_min)
                ),
                list: false,
            });
        }
    }
    out
}

#[cfg(test)]
mod tests;
