//! Mix mode: the demo nurse and physician at work, forever, in a random order drawn from
//! the seed: start visits, save text answers (each value unique), confirm carried
//! values, submit, sign, open amendments and sign or discard them, export PDFs.
//!
//! Each use case is printed `begin` before the call and `ack` or `err` after it. The
//! reads a screen would make first (opening the intake or the review for its hash and
//! `rev`s) are not printed: nothing is promised by a read.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use intake_api::wire::{ChangeDto, ConfirmDto, EncounterDto, IntakeDto};
use intake_api::{Api, ApiError, Caller};
use intake_core::EncounterStatus;
use intake_soak::protocol::{Line, Op, Outcome, State};
use intake_soak::rng::Rng;
use serde_json::json;

use crate::say;

/// The text answers the writer saves: always enabled, never calculated, never bound to
/// the patient's record, so only a save (or a discarded amendment) changes them.
pub const TEXT_KEYS: [&str; 6] = [
    "visit/reason",
    "ros/ros-notes",
    "social/substances",
    "social/occupation",
    "insurance/insurer",
    "insurance/policy-number",
];

/// Drafts kept open at most before the writer stops starting new visits.
const MAX_DRAFTS: usize = 6;

/// What this process knows of a visit: its state and, once read, each key's `rev`.
struct Seen {
    state: State,
    revs: Option<BTreeMap<String, i64>>,
}

struct Mix<'a> {
    api: &'a Api,
    nurse: String,
    physician: String,
    rng: Rng,
    seed: u64,
    made: u64,
    visits: BTreeMap<i64, Seen>,
    patients: Vec<i64>,
    out: PathBuf,
}

fn state_of(e: &EncounterDto) -> Result<State, String> {
    Ok(State {
        status: EncounterStatus::parse(&e.status).map_err(|e| e.to_string())?,
        amending: e.amending.is_some(),
    })
}

fn revs_of<'a>(answers: impl IntoIterator<Item = (&'a String, i64)>) -> BTreeMap<String, i64> {
    answers.into_iter().map(|(k, r)| (k.clone(), r)).collect()
}

pub(crate) fn run(api: &Api, out: &Path, seed: u64) -> Result<(), String> {
    let token = |user: &str| {
        api.sign_in(user, "demo")
            .map(|s| s.token)
            .map_err(|e| format!("{user} signs in: {e}"))
    };
    let (nurse, physician) = (token("nurse")?, token("physician")?);
    let listed = api
        .list_encounters(Caller::Session(&nurse), None, None)
        .map_err(|e| format!("listing visits: {e}"))?;
    let mut visits = BTreeMap::new();
    let mut patients = Vec::new();
    for e in &listed {
        let state = state_of(e)?;
        visits.insert(e.id, Seen { state, revs: None });
        patients.push(e.patient_id);
    }
    patients.sort_unstable();
    patients.dedup();
    let mut mix = Mix {
        api,
        nurse,
        physician,
        rng: Rng::new(seed),
        seed,
        made: 0,
        visits,
        patients,
        out: out.to_path_buf(),
    };
    say(&Line::Ready);
    loop {
        mix.step();
    }
}

impl Mix<'_> {
    fn ids(&self, keep: impl Fn(&State) -> bool) -> Vec<i64> {
        self.visits
            .iter()
            .filter(|(_, s)| keep(&s.state))
            .map(|(id, _)| *id)
            .collect()
    }

    /// One use case (with the reads it needs first), chosen at random among those that
    /// have a visit to act on.
    fn step(&mut self) {
        let drafts = self.ids(|s| s.status == EncounterStatus::Draft);
        let editable = self.ids(|s| s.status == EncounterStatus::Draft || s.amending);
        let amending = self.ids(|s| s.amending);
        let submitted = self.ids(|s| s.status == EncounterStatus::Submitted);
        let signed = self.ids(|s| s.status.is_signed() && !s.amending);
        let exportable = self.ids(|s| s.status != EncounterStatus::Draft);
        let roll = self.rng.below(100);
        let pick = |rng: &mut Rng, list: &[i64]| rng.pick(list).copied();
        let done = match roll {
            0..=51 => pick(&mut self.rng, &editable).map(|id| self.save(id)),
            52..=56 => pick(&mut self.rng, &drafts).map(|id| self.confirm(id)),
            57..=64 => pick(&mut self.rng, &drafts).map(|id| self.submit(id)),
            65..=72 => pick(&mut self.rng, &submitted).map(|id| self.sign(id)),
            73..=76 => pick(&mut self.rng, &signed).map(|id| self.amend(id)),
            77..=80 => pick(&mut self.rng, &amending).map(|id| self.sign(id)),
            81..=83 => pick(&mut self.rng, &amending).map(|id| self.discard(id)),
            84..=89 => pick(&mut self.rng, &exportable).map(|id| self.export(id)),
            _ => None,
        };
        if done.is_none() && drafts.len() < MAX_DRAFTS {
            self.start();
        }
    }

    fn caller_for(&self, id: i64) -> Caller<'_> {
        match self.visits.get(&id) {
            Some(s) if s.state.amending => Caller::Session(&self.physician),
            _ => Caller::Session(&self.nurse),
        }
    }

    fn set_state(&mut self, id: i64, state: State) {
        self.visits
            .entry(id)
            .and_modify(|s| s.state = state)
            .or_insert(Seen { state, revs: None });
    }

    /// Prints `begin`, calls, prints `ack` with the outcome or `err`; `None` on an error.
    fn call<T>(
        &mut self,
        op: Op,
        f: impl FnOnce(&Self) -> Result<T, ApiError>,
        outcome: impl FnOnce(&T) -> Result<Outcome, String>,
    ) -> Option<T> {
        say(&Line::Begin(op.clone()));
        match f(self) {
            Ok(t) => match outcome(&t) {
                Ok(o) => {
                    match (&op, &o) {
                        (_, Outcome::Started(id, s)) => self.set_state(*id, *s),
                        (Op::Export { .. }, _) => {}
                        (op, Outcome::State(s)) => {
                            if let Some(id) = op.visit() {
                                self.set_state(id, *s);
                            }
                        }
                        _ => {}
                    }
                    say(&Line::Ack(op, o));
                    Some(t)
                }
                Err(e) => {
                    eprintln!("{op}: {e}");
                    std::process::exit(2);
                }
            },
            Err(e) => {
                if let Some(id) = op.visit() {
                    self.forget_revs(id);
                }
                say(&Line::Err(op, format!("{:?}: {e}", e.code())));
                None
            }
        }
    }

    /// The intake as the screen opens it, its `rev`s remembered.
    fn open(&mut self, id: i64) -> Option<IntakeDto> {
        match self.api.open_intake(self.caller_for(id), id) {
            Ok(intake) => {
                let revs = revs_of(intake.answers.iter().map(|a| (&a.key, a.rev)));
                if let Some(seen) = self.visits.get_mut(&id) {
                    seen.revs = Some(revs);
                }
                Some(intake)
            }
            Err(e) => {
                eprintln!("open_intake {id}: {e}");
                None
            }
        }
    }

    /// Makes the next save read the intake again first.
    fn forget_revs(&mut self, id: i64) {
        if let Some(seen) = self.visits.get_mut(&id) {
            seen.revs = None;
        }
    }

    fn rev(&self, id: i64, key: &str) -> i64 {
        self.visits
            .get(&id)
            .and_then(|s| s.revs.as_ref())
            .and_then(|r| r.get(key).copied())
            .unwrap_or(0)
    }

    fn start(&mut self) {
        let Some(&patient) = self.rng.pick(&self.patients) else {
            return;
        };
        self.call(
            Op::Start { patient },
            |m| {
                m.api
                    .start_intake(Caller::Session(&m.nurse), patient, None, None)
            },
            |e| Ok(Outcome::Started(e.id, state_of(e)?)),
        );
    }

    /// Saves one to three text answers, each a value never written before.
    fn save(&mut self, id: i64) {
        self.save_keys(id, None);
    }

    fn save_keys(&mut self, id: i64, only: Option<&str>) -> Option<()> {
        if self.visits.get(&id)?.revs.is_none() {
            self.open(id)?;
        }
        let mut keys: Vec<&str> = match only {
            Some(k) => vec![k],
            None => (0..1 + self.rng.below(3))
                .filter_map(|_| self.rng.pick(&TEXT_KEYS).copied())
                .collect(),
        };
        keys.sort_unstable();
        keys.dedup();
        let mut values = Vec::new();
        let mut changes = Vec::new();
        for key in keys {
            self.made += 1;
            let value = format!("v{}.{}", self.seed, self.made);
            changes.push(ChangeDto {
                key: key.to_string(),
                values: vec![json!({ "valueString": value })],
                base_rev: self.rev(id, key),
                remove: false,
            });
            values.push((key.to_string(), value));
        }
        let saved = self.call(
            Op::Save { visit: id, values },
            |m| m.api.save_intake(m.caller_for(id), id, &changes, None),
            |s| Ok(Outcome::State(state_of(&s.encounter)?)),
        )?;
        if let Some(revs) = self.visits.get_mut(&id).and_then(|s| s.revs.as_mut()) {
            revs.extend(saved.answers.iter().map(|a| (a.key.clone(), a.rev)));
        }
        Some(())
    }

    /// Confirms every carried value still waiting (or saves, when none waits).
    fn confirm(&mut self, id: i64) {
        let Some(intake) = self.open(id) else { return };
        if self.confirm_waiting(id, &intake).is_none() {
            self.save(id);
        }
    }

    fn confirm_waiting(&mut self, id: i64, intake: &IntakeDto) -> Option<()> {
        let confirms: Vec<ConfirmDto> = intake
            .answers
            .iter()
            .filter(|a| a.needs_confirmation && a.confirmed_by.is_none())
            .map(|a| ConfirmDto {
                key: a.key.clone(),
                base_rev: a.rev,
            })
            .collect();
        if confirms.is_empty() {
            return None;
        }
        let op = Op::Confirm {
            visit: id,
            keys: confirms.len(),
        };
        self.call(
            op,
            |m| m.api.confirm_intake(m.caller_for(id), id, &confirms),
            |s| Ok(Outcome::State(state_of(&s.encounter)?)),
        )
        .map(drop)
    }

    /// Submits a draft after doing what submission asks: confirm what waits, give a
    /// reason, say whether there are allergies and medications.
    fn submit(&mut self, id: i64) {
        let Some(intake) = self.open(id) else { return };
        let errors: Vec<String> = intake
            .problems
            .iter()
            .filter(|p| p.severity == "error" && !p.confirm)
            .map(|p| p.key.clone())
            .collect();
        self.confirm_waiting(id, &intake);
        if errors.iter().any(|k| k == "visit/reason")
            && self.save_keys(id, Some("visit/reason")).is_none()
        {
            return;
        }
        let mut fill = Vec::new();
        for key in &errors {
            let answer = match key.split('/').next() {
                Some("allergies") => "allergies/any-allergies",
                Some("medications") => "medications/any-medications",
                _ => continue,
            };
            if !fill.iter().any(|c: &ChangeDto| c.key == answer) {
                fill.push(ChangeDto {
                    key: answer.to_string(),
                    values: vec![json!({ "valueBoolean": false })],
                    base_rev: self.rev(id, answer),
                    remove: false,
                });
            }
        }
        if !fill.is_empty() {
            let filled = self.call(
                Op::Fill { visit: id },
                |m| m.api.save_intake(m.caller_for(id), id, &fill, None),
                |s| Ok(Outcome::State(state_of(&s.encounter)?)),
            );
            if filled.is_none() {
                return;
            }
            self.forget_revs(id);
        }
        let submitted = self.call(
            Op::Submit { visit: id },
            |m| m.api.submit_intake(m.caller_for(id), id),
            |s| Ok(Outcome::State(state_of(&s.encounter)?)),
        );
        if let Some(s) = submitted.filter(|s| !s.submitted) {
            let left: Vec<String> = s
                .problems
                .iter()
                .filter(|p| p.severity == "error")
                .map(|p| format!("{} ({})", p.key, p.message))
                .collect();
            eprintln!("visit {id} not submitted: {}", left.join("; "));
        }
    }

    /// The record's hash as the physician's review shows it.
    fn reviewed_hash(&self, id: i64) -> Option<String> {
        match self.api.open_review(Caller::Session(&self.physician), id) {
            Ok(r) => {
                if let Some(why) = r.record_differs {
                    eprintln!("visit {id} differs from what was signed: {why}");
                }
                Some(r.record_hash)
            }
            Err(e) => {
                eprintln!("open_review {id}: {e}");
                None
            }
        }
    }

    /// Signs a submitted visit, or the physician's amendment in progress.
    fn sign(&mut self, id: i64) {
        let Some(hash) = self.reviewed_hash(id) else {
            return;
        };
        self.call(
            Op::Sign { visit: id },
            |m| m.api.sign_intake(Caller::Session(&m.physician), id, &hash),
            |r| Ok(Outcome::State(state_of(&r.encounter)?)),
        );
        self.forget_revs(id);
    }

    fn amend(&mut self, id: i64) {
        let Some(hash) = self.reviewed_hash(id) else {
            return;
        };
        let reason = "Soak test: correcting the record";
        let review = self.call(
            Op::Amend { visit: id },
            |m| {
                m.api
                    .start_amendment(Caller::Session(&m.physician), id, reason, &hash)
            },
            |r| Ok(Outcome::State(state_of(&r.encounter)?)),
        );
        if let (Some(r), Some(seen)) = (review, self.visits.get_mut(&id)) {
            seen.revs = Some(revs_of(r.answers.iter().map(|a| (&a.key, a.rev))));
        }
    }

    fn discard(&mut self, id: i64) {
        self.call(
            Op::Discard { visit: id },
            |m| m.api.discard_amendment(Caller::Session(&m.physician), id),
            |r| Ok(Outcome::State(state_of(&r.encounter)?)),
        );
        self.forget_revs(id);
    }

    /// Exports the visit's PDF under its usual name (replacing an earlier export of it).
    fn export(&mut self, id: i64) {
        let name = match self.api.pdf_file_name(Caller::Session(&self.physician), id) {
            Ok(n) => n,
            Err(e) => {
                eprintln!("pdf_file_name {id}: {e}");
                return;
            }
        };
        let path = self.out.join(name);
        let op = Op::Export {
            visit: id,
            path: path.clone(),
        };
        self.call(
            op,
            |m| m.api.export_pdf(Caller::Session(&m.physician), id, &path),
            |x| Ok(Outcome::Exported(x.pdf_sha256.clone())),
        );
    }
}
