//! What the writer's acknowledgements promise, kept across kills, and the check of a
//! reopened database against them.
//!
//! - Each acknowledged save promises its values, until a later acknowledged save of the
//!   same key, or an acknowledged discard of the amendment it was made in (the answers
//!   then go back to what was last signed, which this model snapshots at each
//!   acknowledged signature; a key first saved after a signature the writer did not make
//!   is no longer checked after a discard, because its signed value is not known here).
//! - Each acknowledged call promises the visit's state (status, amendment open) it
//!   reported; each acknowledged export promises its file with those bytes.
//! - The one call a kill interrupted (`begin` without `ack` or `err`) may have committed
//!   or not: the check reads which from the database, requires all or nothing of it
//!   (every key of a save, or none), and then counts it as acknowledged if it committed.
//!
//! Values are compared exactly (the one text value of the key); a state exactly.

use std::collections::BTreeMap;
use std::path::PathBuf;

use intake_core::questionnaire::AnswerValue;
use intake_core::{EncounterId, EncounterStatus};
use intake_store::Db;

use crate::folders;
use crate::protocol::{Line, Op, Outcome, State};

#[derive(Debug, Default, Clone)]
struct Visit {
    state: Option<State>,
    values: BTreeMap<String, String>,
    /// The tracked values as last signed (by an acknowledged signature).
    signed: Option<BTreeMap<String, String>>,
}

/// The promises so far.
#[derive(Debug, Default)]
pub struct Promises {
    visits: BTreeMap<i64, Visit>,
    /// Each exported path and the SHA-256 its file must have.
    exports: BTreeMap<PathBuf, String>,
    in_flight: Option<Op>,
    /// Acknowledged saves (one per key written).
    pub acked_saves: u64,
    /// Acknowledged calls per use case.
    pub acked: BTreeMap<&'static str, u64>,
    /// Calls that returned an error, per use case.
    pub refused: BTreeMap<&'static str, u64>,
}

/// What one check compared.
#[derive(Debug, Default, Clone, Copy)]
pub struct Checked {
    /// Visits whose state was compared.
    pub visits: u64,
    /// Acknowledged values compared (the latest per visit and key).
    pub values: u64,
    /// Exported files compared with their acknowledged bytes.
    pub exports: u64,
    /// Whether the interrupted call had committed (`None`: no call was interrupted, or
    /// one whose commit leaves nothing to tell by).
    pub in_flight_committed: Option<bool>,
}

fn text_of(values: &[AnswerValue]) -> Option<&str> {
    match values {
        [AnswerValue::String(s)] => Some(s),
        _ => None,
    }
}

impl Promises {
    /// Takes in one line of the writer's output.
    pub fn hear(&mut self, line: &Line) {
        match line {
            Line::Begin(op) => self.in_flight = Some(op.clone()),
            Line::Ack(op, outcome) => {
                self.in_flight = None;
                *self.acked.entry(op.name()).or_default() += 1;
                if let Op::Save { values, .. } = op {
                    self.acked_saves += values.len() as u64;
                }
                self.apply(op, outcome);
            }
            Line::Err(op, _) => {
                self.in_flight = None;
                *self.refused.entry(op.name()).or_default() += 1;
            }
            Line::Ready | Line::Progress(..) => {}
        }
    }

    /// One promised value of a visit with this status: the visit, the key and the value
    /// its acknowledged save wrote.
    pub fn a_promised_value(&self, status: EncounterStatus) -> Option<(i64, &str, &str)> {
        self.visits
            .iter()
            .filter(|(_, v)| v.state.is_some_and(|s| s.status == status && !s.amending))
            .find_map(|(id, v)| {
                let (key, value) = v.values.iter().next()?;
                Some((*id, key.as_str(), value.as_str()))
            })
    }

    /// The call the last kill interrupted, if any.
    pub fn in_flight(&self) -> Option<&Op> {
        self.in_flight.as_ref()
    }

    fn apply(&mut self, op: &Op, outcome: &Outcome) {
        match (op, outcome) {
            (_, Outcome::Started(id, state)) => {
                self.visits.entry(*id).or_default().state = Some(*state);
            }
            (Op::Export { path, .. }, Outcome::Exported(sha)) => {
                self.exports.insert(path.clone(), sha.clone());
            }
            (op, Outcome::State(state)) => {
                let Some(id) = op.visit() else { return };
                let v = self.visits.entry(id).or_default();
                match op {
                    Op::Save { values, .. } => v.values.extend(values.iter().cloned()),
                    Op::Sign { .. } => v.signed = Some(v.values.clone()),
                    Op::Discard { .. } => v.values = v.signed.clone().unwrap_or_default(),
                    _ => {}
                }
                v.state = Some(*state);
            }
            _ => {}
        }
    }

    /// Whether the interrupted call committed, read from the database; a problem when
    /// it is half there.
    fn resolve(&self, db: &Db<'_>, op: &Op) -> Result<Option<(bool, State)>, String> {
        let Some(id) = op.visit() else {
            return Ok(None);
        };
        let Some(row) = db.encounter(EncounterId(id)).map_err(|e| e.to_string())? else {
            return Err(format!("visit {id} of the interrupted {op} is gone"));
        };
        let now = State {
            status: row.status,
            amending: row.amending.is_some(),
        };
        let before = self.visits.get(&id).and_then(|v| v.state);
        let committed = match (op, before) {
            (Op::Save { values, .. }, _) => {
                let answers = db.answers(EncounterId(id)).map_err(|e| e.to_string())?;
                let written: Vec<bool> = values
                    .iter()
                    .map(|(k, v)| {
                        answers
                            .iter()
                            .any(|a| a.key.to_string() == *k && text_of(&a.values) == Some(v))
                    })
                    .collect();
                if written.iter().any(|w| *w) != written.iter().all(|w| *w) {
                    return Err(format!(
                        "the interrupted {op} is half committed (keys written: {written:?})"
                    ));
                }
                written.first().copied().unwrap_or(false)
            }
            (Op::Submit { .. }, _) => now.status == EncounterStatus::Submitted,
            (Op::Sign { .. }, Some(b)) => b != now && now.status.is_signed() && !now.amending,
            (Op::Amend { .. }, Some(b)) => !b.amending && now.amending,
            (Op::Discard { .. }, Some(b)) => b.amending && !now.amending,
            _ => return Ok(None),
        };
        Ok(Some((committed, now)))
    }

    /// Checks the reopened database and the exported files against every promise; the
    /// interrupted call is settled first. Returns what was compared, or every broken
    /// promise.
    pub fn check(&mut self, db: &Db<'_>) -> Result<Checked, Vec<String>> {
        let mut checked = Checked::default();
        let mut broken = Vec::new();
        if let Some(op) = self.in_flight.take() {
            match self.resolve(db, &op) {
                Ok(Some((committed, state))) => {
                    checked.in_flight_committed = Some(committed);
                    if committed {
                        self.apply(&op, &Outcome::State(state));
                    }
                }
                Ok(None) => {}
                Err(e) => broken.push(e),
            }
            if let Op::Export { path, .. } = &op {
                // Renamed into place after its audit entry: either the file is new and
                // whole (checked below), or it is still the acknowledged one.
                if let Ok(bytes) = std::fs::read(path) {
                    self.exports
                        .insert(path.clone(), folders::sha256_hex(&bytes));
                }
            }
        }
        for (id, visit) in &self.visits {
            let Some(state) = visit.state else { continue };
            let row = match db.encounter(EncounterId(*id)) {
                Ok(Some(row)) => row,
                Ok(None) => {
                    broken.push(format!("visit {id} is gone"));
                    continue;
                }
                Err(e) => {
                    broken.push(format!("visit {id}: {e}"));
                    continue;
                }
            };
            let now = State {
                status: row.status,
                amending: row.amending.is_some(),
            };
            checked.visits += 1;
            if now != state {
                broken.push(format!("visit {id} is {now}, acknowledged as {state}"));
            }
            let answers = match db.answers(EncounterId(*id)) {
                Ok(a) => a,
                Err(e) => {
                    broken.push(format!("visit {id}: {e}"));
                    continue;
                }
            };
            for (key, value) in &visit.values {
                checked.values += 1;
                let found = answers.iter().find(|a| a.key.to_string() == *key);
                let text = found.and_then(|a| text_of(&a.values));
                if text != Some(value.as_str()) {
                    broken.push(format!(
                        "visit {id}: {key} holds {:?}, the acknowledged save wrote {value:?}",
                        found.map(|a| &a.values)
                    ));
                }
            }
        }
        for (path, sha) in &self.exports {
            checked.exports += 1;
            match std::fs::read(path) {
                Ok(bytes) if folders::sha256_hex(&bytes) == *sha => {}
                Ok(_) => broken.push(format!("{} is not the acknowledged PDF", path.display())),
                Err(e) => broken.push(format!("{}: {e}", path.display())),
            }
        }
        if broken.is_empty() {
            Ok(checked)
        } else {
            Err(broken)
        }
    }
}
