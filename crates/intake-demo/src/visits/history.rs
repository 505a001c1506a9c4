//! What the demo patients' earlier visits hold: who gets none, Łukasz Kowalski's fixed
//! history, and made-up ones (`made_up`) for the others. Each [`Visit`] is the whole
//! content the nurse ended up with at that visit; `super` turns it into answers and
//! enters it the way the app would. Nothing here knows the form or the store.

use chrono::{Duration, NaiveDate};
use intake_core::patient::ValidPatient;
use intake_core::text::fold;

use super::made_up::made_up;
use super::{
    DemoAllergy, DemoMedication, LUKASZ_ALCOHOL, LUKASZ_ALLERGY, LUKASZ_BIRTH_DATE,
    LUKASZ_CONDITION, LUKASZ_CONDITION_SINCE, LUKASZ_CONTACT, LUKASZ_FAMILY, LUKASZ_GIVEN,
    LUKASZ_HEIGHT_CM, LUKASZ_IMMUNIZATIONS_UP_TO_DATE, LUKASZ_INSURER, LUKASZ_LISINOPRIL,
    LUKASZ_METFORMIN, LUKASZ_OCCUPATION, LUKASZ_POLICY_HOLDER, LUKASZ_POLICY_NUMBER,
    LUKASZ_REASONS, LUKASZ_TOBACCO, LUKASZ_VISITS_DAYS_AGO, LUKASZ_WEIGHTS_KG,
};
use crate::patients::Rng;

/// Vital signs taken at one visit.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Vitals {
    pub height: f64,
    pub weight: f64,
    pub temperature: f64,
    pub pulse: i64,
    pub systolic: i64,
    pub diastolic: i64,
    pub spo2: i64,
    pub respiratory_rate: i64,
    pub pain: i64,
}

#[derive(Debug, Clone, PartialEq)]
pub(super) struct Contact {
    pub name: String,
    pub relationship: &'static str,
    pub phone: String,
}

#[derive(Debug, Clone, PartialEq)]
pub(super) struct Insurance {
    pub insurer: &'static str,
    pub policy: String,
    /// An answer code of `insurance-holder`.
    pub holder: &'static str,
}

/// Everything the nurse ended up with at one visit. Codes are the form's answer codes.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Visit {
    /// Days before today of the visit (at least 1: never today, never in the future).
    pub days_ago: i64,
    /// When the intake started, in minutes after midnight UTC (office hours).
    pub start_minute: u32,
    pub reason: &'static str,
    pub visit_type: &'static str,
    pub vitals: Vitals,
    /// Empty: "no known allergies".
    pub allergies: Vec<DemoAllergy>,
    /// Empty: "takes no medications".
    pub medications: Vec<DemoMedication>,
    pub conditions: Vec<(&'static str, Option<NaiveDate>)>,
    pub surgeries: Vec<(&'static str, NaiveDate)>,
    /// (relative code, condition).
    pub family: Vec<(&'static str, &'static str)>,
    pub immunizations: Vec<(&'static str, NaiveDate)>,
    pub tobacco: &'static str,
    pub per_day: Option<i64>,
    pub alcohol: &'static str,
    pub units: Option<i64>,
    pub occupation: Option<&'static str>,
    pub up_to_date: &'static str,
    /// (pregnant code, first day of the last period), asked of women only.
    pub pregnancy: Option<(&'static str, Option<NaiveDate>)>,
    /// The review-of-systems items answered "yes".
    pub symptoms: &'static [&'static str],
    /// PHQ-2 answers, 0 to 3 each (interest, mood).
    pub phq2: (usize, usize),
    pub contact: Option<Contact>,
    pub insurance: Option<Insurance>,
}

/// `days` before `d` (the earliest date rather than overflowing).
pub(super) fn days_before(d: NaiveDate, days: i64) -> NaiveDate {
    d.checked_sub_signed(Duration::days(days))
        .unwrap_or(NaiveDate::MIN)
}

/// `days` after `d` (the latest date rather than overflowing).
pub(super) fn days_after(d: NaiveDate, days: i64) -> NaiveDate {
    d.checked_add_signed(Duration::days(days))
        .unwrap_or(NaiveDate::MAX)
}

/// The patients who keep an empty chart: Zoë Núñez and her near-namesake (end-to-end
/// tests start a first intake for Zoë and expect an empty form), and the two
/// near-duplicate records of the demo register (a second record of someone rarely has
/// a history of its own).
fn without_visits(p: &ValidPatient) -> bool {
    let (given, family) = (fold(&p.given), fold(&p.family));
    (given == "zoe" && family == "nunez")
        || (given == "lukasz" && family == "kowalksi")
        || (given == "jon" && family == "smith")
}

pub(super) fn is_lukasz(p: &ValidPatient) -> bool {
    p.family == LUKASZ_FAMILY
        && p.given == LUKASZ_GIVEN
        && p.birth_date.to_string() == LUKASZ_BIRTH_DATE
}

/// The earlier visits of the demo patient at `serial` (its place in the register),
/// oldest first; the same patient and day give the same visits.
pub(super) fn visits_for(serial: usize, p: &ValidPatient, today: NaiveDate) -> Vec<Visit> {
    if without_visits(p) {
        return Vec::new();
    }
    if is_lukasz(p) {
        return lukasz();
    }
    let mut rng = Rng(0x5EED_0FDE_3000_0000 ^ (serial as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15));
    made_up(&mut rng, p, today)
}

/// Łukasz Kowalski's three visits (see the constants in `super`).
fn lukasz() -> Vec<Visit> {
    let since = NaiveDate::parse_from_str(LUKASZ_CONDITION_SINCE, "%Y-%m-%d").ok();
    let (contact_name, relationship, phone) = LUKASZ_CONTACT;
    let vitals = |i: usize, bp: (i64, i64), temperature: f64, pulse: i64| Vitals {
        height: LUKASZ_HEIGHT_CM,
        weight: LUKASZ_WEIGHTS_KG[i],
        temperature,
        pulse,
        systolic: bp.0,
        diastolic: bp.1,
        spo2: 97,
        respiratory_rate: 14,
        pain: 0,
    };
    let base = Visit {
        days_ago: LUKASZ_VISITS_DAYS_AGO[0],
        start_minute: 9 * 60 + 30,
        reason: LUKASZ_REASONS[0],
        visit_type: "follow-up",
        vitals: vitals(0, (146, 92), 36.6, 78),
        allergies: vec![LUKASZ_ALLERGY],
        medications: vec![LUKASZ_METFORMIN],
        conditions: vec![(LUKASZ_CONDITION, since)],
        surgeries: Vec::new(),
        family: vec![("father", "Type 2 diabetes")],
        immunizations: Vec::new(),
        tobacco: LUKASZ_TOBACCO,
        per_day: None,
        alcohol: LUKASZ_ALCOHOL,
        units: None,
        occupation: Some(LUKASZ_OCCUPATION),
        up_to_date: LUKASZ_IMMUNIZATIONS_UP_TO_DATE,
        pregnancy: None,
        symptoms: &[],
        phq2: (0, 0),
        contact: Some(Contact {
            name: contact_name.into(),
            relationship,
            phone: phone.into(),
        }),
        insurance: Some(Insurance {
            insurer: LUKASZ_INSURER,
            policy: LUKASZ_POLICY_NUMBER.into(),
            holder: LUKASZ_POLICY_HOLDER,
        }),
    };
    let second = Visit {
        days_ago: LUKASZ_VISITS_DAYS_AGO[1],
        start_minute: 10 * 60 + 15,
        reason: LUKASZ_REASONS[1],
        visit_type: "follow-up",
        vitals: vitals(1, (136, 86), 36.8, 72),
        medications: vec![LUKASZ_METFORMIN, LUKASZ_LISINOPRIL],
        ..base.clone()
    };
    let third = Visit {
        days_ago: LUKASZ_VISITS_DAYS_AGO[2],
        start_minute: 8 * 60 + 45,
        reason: LUKASZ_REASONS[2],
        visit_type: "routine-check",
        vitals: vitals(2, (128, 82), 36.7, 70),
        ..second.clone()
    };
    vec![base, second, third]
}
