//! The demo physician's review of the demo visits: most are signed some minutes to hours
//! after submission, two were entered with a mistake that the physician later corrects
//! by an amendment (a reason, the corrected answers, a second signature), and the
//! newest few still wait in the review queue. Łukasz Kowalski's visits are signed as
//! entered (tests rely on their values) and never wait.
//!
//! Each step runs in `seed_demo`'s transaction with its own time, through the steps and
//! checks the review use cases make (`Seeding::sign`, `start_amendment` and `edit`): the
//! physician signs the record whose hash they read (what `open_review` shows), only a
//! submitted record or their own amendment is signed, an amendment starts only on a
//! signed record with no other amendment open, its edit passes the editing checks,
//! calculations are recomputed, and an amendment with errors is not signed. Each
//! signature is audited as the review screen audits it (`intake verify` checks it);
//! `seed_demo` also writes one summary.

use chrono::{DateTime, Duration, Utc};
use intake_api::admin::seeding::Seeding;
use intake_api::permissions::{allows, Permission};
use intake_api::{ApiError, Principal};
use intake_core::questionnaire::AnswerValue;
use intake_core::{EncounterId, Role};

use super::history::{Visit, Vitals};
use crate::patients::Rng;

/// How many of the newest demo visits wait for review.
pub const DEMO_WAITING: usize = 4;

/// A pound in kilograms' terms: pounds = kilograms × this.
const POUNDS_PER_KG: f64 = 2.204_62;

/// The weight form field's largest accepted value (kg); a weight in pounds must fit.
const MAX_WEIGHT: f64 = 400.0;

/// A mistake made at entry, found and corrected by the physician.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Mistake {
    /// The weight was typed in pounds into the kilogram field.
    WeightInPounds,
    /// Systolic and diastolic typed into each other's fields.
    BloodPressureSwapped,
}

/// An amendment of a demo visit: why, and what was wrong.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Correction {
    pub reason: &'static str,
    pub mistake: Mistake,
}

/// The amendments the demo register holds, one visit each.
pub(super) const CORRECTIONS: [Correction; 2] = [
    Correction {
        reason: "Weight was entered in pounds; corrected to kg",
        mistake: Mistake::WeightInPounds,
    },
    Correction {
        reason:
            "Systolic and diastolic blood pressure were entered the wrong way round; swapped back",
        mistake: Mistake::BloodPressureSwapped,
    },
];

/// The reasons of the demo amendments (for tests).
pub const DEMO_AMENDMENT_REASONS: [&str; 2] = [CORRECTIONS[0].reason, CORRECTIONS[1].reason];

/// What becomes of a demo visit once submitted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Fate {
    /// It waits in the review queue.
    Waiting,
    /// The physician signed it.
    Signed,
    /// Entered with a mistake, signed, then amended and signed again.
    Amended(Correction),
}

fn pounds(kg: f64) -> f64 {
    (kg * POUNDS_PER_KG * 10.0).round() / 10.0
}

impl Mistake {
    /// Whether this visit can hold the mistake (a weight in pounds must fit the field).
    fn fits(self, v: &Vitals) -> bool {
        match self {
            Mistake::WeightInPounds => pounds(v.weight) <= MAX_WEIGHT,
            Mistake::BloodPressureSwapped => v.systolic != v.diastolic,
        }
    }

    /// The visit as the nurse entered it, mistake included.
    pub(super) fn entered(self, v: &Visit) -> Visit {
        let mut wrong = v.clone();
        match self {
            Mistake::WeightInPounds => wrong.vitals.weight = pounds(v.vitals.weight),
            Mistake::BloodPressureSwapped => {
                wrong.vitals.systolic = v.vitals.diastolic;
                wrong.vitals.diastolic = v.vitals.systolic;
            }
        }
        wrong
    }

    /// The answers the physician writes to correct it (the form's questions by linkId).
    fn corrected(self, v: &Visit) -> Vec<(&'static str, Vec<AnswerValue>)> {
        match self {
            Mistake::WeightInPounds => {
                vec![("weight", vec![AnswerValue::Decimal(v.vitals.weight)])]
            }
            Mistake::BloodPressureSwapped => vec![
                ("systolic", vec![AnswerValue::Integer(v.vitals.systolic)]),
                ("diastolic", vec![AnswerValue::Integer(v.vitals.diastolic)]),
            ],
        }
    }
}

/// One patient's visits as `fates` sees them: whether they are Łukasz Kowalski, and
/// their visits, oldest first.
pub(super) struct History<'a> {
    pub lukasz: bool,
    pub visits: &'a [Visit],
}

/// What becomes of each visit, in the same order as `histories` and their visits: the
/// [`DEMO_WAITING`] newest visits (Łukasz Kowalski's aside) wait; one of [`CORRECTIONS`]
/// each goes to the latest visit of the first patients in register order, with an
/// earlier visit to compare with, seen one week to four months ago (time to notice
/// the mistake; and no later visit was entered from it); every other visit is signed.
pub(super) fn fates(histories: &[History<'_>]) -> Vec<Vec<Fate>> {
    let mut fates: Vec<Vec<Fate>> = histories
        .iter()
        .map(|h| vec![Fate::Signed; h.visits.len()])
        .collect();
    let mut newest: Vec<(i64, u32, usize, usize)> = histories
        .iter()
        .enumerate()
        .filter(|(_, h)| !h.lukasz)
        .flat_map(|(p, h)| {
            h.visits
                .iter()
                .enumerate()
                .map(move |(i, v)| (v.days_ago, u32::MAX - v.start_minute, p, i))
        })
        .collect();
    newest.sort_unstable();
    for &(_, _, p, i) in newest.iter().take(DEMO_WAITING) {
        fates[p][i] = Fate::Waiting;
    }
    let mut corrections = CORRECTIONS.iter();
    let mut next = corrections.next();
    for (p, h) in histories.iter().enumerate() {
        let Some(c) = next else { break };
        let Some(latest) = h.visits.last() else {
            continue;
        };
        let last = h.visits.len() - 1;
        let candidate = !h.lukasz
            && h.visits.len() >= 2
            && (7..=120).contains(&latest.days_ago)
            && fates[p][last] == Fate::Signed
            && c.mistake.fits(&latest.vitals);
        if candidate {
            fates[p][last] = Fate::Amended(*c);
            next = corrections.next();
        }
    }
    fates
}

/// The demo physician as a checked caller, if the account exists, is active and may
/// sign (`seed_demo` leaves an existing account as it is).
pub(super) fn physician(s: &Seeding<'_>) -> Result<Option<Principal>, ApiError> {
    Ok(s.principal(super::DEMO_PHYSICIAN)?
        .filter(|u| u.role == Role::Physician && allows(u.role, Permission::SignEncounter)))
}

/// When the physician acts on a visit submitted at `submitted`: a quarter of an hour to
/// four hours later (`salt` picks), never later than a minute before `now`.
pub(super) fn sign_time(submitted: DateTime<Utc>, now: DateTime<Utc>, salt: u64) -> DateTime<Utc> {
    let minutes = 15 + Rng(salt).below(226) as i64;
    let latest = now - Duration::minutes(1);
    (submitted + Duration::minutes(minutes))
        .min(latest)
        .max(submitted + Duration::minutes(1))
}

/// Reviews demo visit `id` as `who` according to its `fate` (`visit` is what it
/// should hold); returns whether it was signed. `Waiting` leaves it submitted.
/// `when`: its submission, the seeding's now, and a number that picks the delays.
pub(super) fn review(
    s: &Seeding<'_>,
    who: &Principal,
    id: EncounterId,
    fate: Fate,
    visit: &Visit,
    when: (DateTime<Utc>, DateTime<Utc>, u64),
) -> Result<bool, ApiError> {
    if fate == Fate::Waiting {
        return Ok(false);
    }
    let (submitted, now, salt) = when;
    let signed_at = sign_time(submitted, now, salt);
    // Read and signed in one go: what the physician reads is what they sign.
    s.sign(who, id, None, signed_at)?;
    let Fate::Amended(c) = fate else {
        return Ok(true);
    };
    // Noticed a day or two later, during office hours.
    let day = Duration::days(1 + Rng(salt ^ 0xA3E1).below(2) as i64);
    let start = (signed_at + day)
        .date_naive()
        .and_hms_opt(11, 0, 0)
        .map(|t| t.and_utc() + Duration::minutes(Rng(salt).below(120) as i64))
        .unwrap_or(signed_at)
        .min(now - Duration::minutes(10))
        .max(signed_at + Duration::minutes(1));
    let seen = s.record_hash(id)?;
    s.start_amendment(who, id, c.reason, &seen, start)?;
    s.edit(
        who,
        id,
        &c.mistake.corrected(visit),
        start + Duration::minutes(3),
    )?;
    let seen = s.record_hash(id)?;
    s.sign(who, id, Some(&seen), start + Duration::minutes(5))?;
    Ok(true)
}
