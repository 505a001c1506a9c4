//! Reproducible made-up histories. A history starts from a profile drawn for the
//! patient's age and sex (height, weight, long-term conditions and their medicines,
//! allergies, habits, insurance) and changes it between visits: weight drifts; a
//! condition and its medicine are added, a medicine is stopped or its dose raised; a new
//! allergy now and then; a medicine taken for the visit's complaint (an antibiotic, a
//! painkiller) is gone by the next visit.

use chrono::NaiveDate;
use intake_core::patient::{Sex, ValidPatient};

use super::catalog::{
    allergy, Extra, ALLERGIES, AMOXICILLIN, CONDITIONS, CONTACT_NAMES, DOXYCYCLINE, FAMILY,
    INSURERS, OCCUPATIONS, PARACETAMOL, REASONS, RELATIONSHIPS, RETIRED, SURGERIES,
};
use super::history::{days_after, days_before, Contact, Insurance, Visit, Vitals};
use super::{DemoAllergy, DemoMedication};
use crate::patients::Rng;

/// Random draws on top of [`Rng`].
trait Draw {
    fn one_in(&mut self, n: usize) -> bool;
    fn between(&mut self, low: i64, high: i64) -> i64;
    fn uniform(&mut self, low: f64, high: f64) -> f64;
    fn choose<'t, T>(&mut self, items: &'t [T]) -> Option<&'t T>;
}

impl Draw for Rng {
    fn one_in(&mut self, n: usize) -> bool {
        self.below(n.max(1)) == 0
    }

    /// A whole number from `low` to `high`, both included.
    fn between(&mut self, low: i64, high: i64) -> i64 {
        let span = (high - low).max(0) as usize + 1;
        low + self.below(span) as i64
    }

    fn uniform(&mut self, low: f64, high: f64) -> f64 {
        let unit = (self.next() >> 11) as f64 / (1u64 << 53) as f64;
        low + (high - low) * unit
    }

    fn choose<'t, T>(&mut self, items: &'t [T]) -> Option<&'t T> {
        if items.is_empty() {
            None
        } else {
            items.get(self.below(items.len()))
        }
    }
}

fn tenth(x: f64) -> f64 {
    (x * 10.0).round() / 10.0
}

fn age_at(birth: NaiveDate, at: NaiveDate) -> u32 {
    at.years_since(birth).unwrap_or(0)
}

/// A patient's state between visits.
struct Profile {
    sex: Sex,
    birth: NaiveDate,
    height: f64,
    weight: f64,
    /// Kilograms gained (or lost) per visit, on average.
    trend: f64,
    systolic: i64,
    diastolic: i64,
    allergies: Vec<DemoAllergy>,
    /// Long-term medicines.
    medications: Vec<DemoMedication>,
    /// A medicine taken for the last visit's complaint, stopped by the next.
    taking: Option<DemoMedication>,
    conditions: Vec<(&'static str, Option<NaiveDate>)>,
    surgeries: Vec<(&'static str, NaiveDate)>,
    family: Vec<(&'static str, &'static str)>,
    immunizations: Vec<(&'static str, NaiveDate)>,
    tobacco: &'static str,
    per_day: Option<i64>,
    alcohol: &'static str,
    units: Option<i64>,
    occupation: Option<&'static str>,
    up_to_date: &'static str,
    contact: Option<Contact>,
    insurance: Option<Insurance>,
}

/// About four in five adults get one to five visits, one to six months apart; the
/// newest is within the last 170 days for nine in ten of them (medicines carry for 180
/// days), older for the rest.
pub(super) fn made_up(rng: &mut Rng, p: &ValidPatient, today: NaiveDate) -> Vec<Visit> {
    if rng.one_in(5) {
        return Vec::new();
    }
    // One to five visits, fewer more often.
    let count = match rng.below(20) {
        0..=8 => 1,
        9..=13 => 2,
        14..=16 => 3,
        17..=18 => 4,
        _ => 5,
    };
    let mut days_ago = if rng.one_in(10) {
        rng.between(190, 390)
    } else {
        rng.between(3, 170)
    };
    let mut days = Vec::new();
    for _ in 0..count {
        days.push(days_ago);
        days_ago += rng.between(30, 180);
    }
    days.reverse();
    days.retain(|d| age_at(p.birth_date, days_before(today, *d)) >= 18);
    let Some(first) = days.first().map(|d| days_before(today, *d)) else {
        return Vec::new();
    };
    let mut profile = Profile::new(rng, p, first);
    let mut out = Vec::new();
    let mut previous: Option<NaiveDate> = None;
    for d in days {
        let date = days_before(today, d);
        if let Some(before) = previous {
            profile.change(rng, before, date);
        }
        out.push(profile.visit(rng, d, date));
        previous = Some(date);
    }
    out
}

impl Profile {
    fn new(rng: &mut Rng, p: &ValidPatient, first: NaiveDate) -> Profile {
        let age = age_at(p.birth_date, first);
        let height = match p.sex {
            Sex::Male => rng.between(165, 192),
            Sex::Female => rng.between(152, 178),
            Sex::Other | Sex::Unknown => rng.between(155, 188),
        } as f64;
        let bmi = rng.uniform(20.0, 33.0);
        let mut profile = Profile {
            sex: p.sex,
            birth: p.birth_date,
            height,
            weight: tenth(bmi * (height / 100.0).powi(2)),
            trend: rng.uniform(-1.2, 1.2),
            systolic: rng.between(110, 132),
            diastolic: rng.between(68, 84),
            allergies: Vec::new(),
            medications: Vec::new(),
            taking: None,
            conditions: Vec::new(),
            surgeries: Vec::new(),
            family: Vec::new(),
            immunizations: Vec::new(),
            tobacco: "never",
            per_day: None,
            alcohol: "none",
            units: None,
            occupation: None,
            up_to_date: "yes",
            contact: None,
            insurance: None,
        };
        // Older patients have more long-term conditions.
        for _ in 0..rng.below(1 + age as usize / 25) {
            let since = days_before(first, rng.between(200, 3650));
            let since = since.max(days_after(p.birth_date, 18 * 365));
            profile.add_condition(rng, age, Some(since));
        }
        let allergies = match rng.below(10) {
            0..=5 => 0,
            6..=8 => 1,
            _ => 2,
        };
        for _ in 0..allergies {
            profile.add_allergy(rng);
        }
        for _ in 0..rng.below(3) {
            if let Some(&(name, women_only, min_age)) = rng.choose(SURGERIES) {
                let fits = (!women_only || p.sex == Sex::Female) && age >= min_age;
                if fits && !profile.surgeries.iter().any(|(n, _)| *n == name) {
                    let done = days_after(p.birth_date, 365 * i64::from(min_age));
                    let latest = (first - done).num_days().max(1);
                    profile
                        .surgeries
                        .push((name, days_after(done, rng.between(0, latest - 1))));
                }
            }
        }
        for _ in 0..rng.below(3) {
            if let Some(&entry) = rng.choose(FAMILY) {
                if !profile.family.contains(&entry) {
                    profile.family.push(entry);
                }
            }
        }
        (profile.tobacco, profile.per_day) = match rng.below(20) {
            0..=10 => ("never", None),
            11..=15 => ("former", None),
            _ => ("current", Some(rng.between(3, 20))),
        };
        (profile.alcohol, profile.units) = match rng.below(20) {
            0..=5 => ("none", None),
            6..=13 => ("occasional", None),
            14..=18 => ("weekly", Some(rng.between(2, 14))),
            _ => ("daily", Some(rng.between(14, 28))),
        };
        profile.occupation = if age >= 67 {
            Some(RETIRED)
        } else if rng.one_in(12) {
            None
        } else {
            rng.choose(OCCUPATIONS).copied()
        };
        profile.up_to_date = match rng.below(20) {
            0..=11 => "yes",
            12..=16 => "unknown",
            _ => "no",
        };
        if !rng.one_in(4) {
            let family = p.family.split('-').next().unwrap_or(&p.family);
            let given = rng.choose(CONTACT_NAMES).copied().unwrap_or("Alex");
            profile.contact = Some(Contact {
                name: format!("{given} {family}"),
                relationship: rng.choose(RELATIONSHIPS).copied().unwrap_or("friend"),
                phone: format!("+1 555 {:03} {:04}", rng.below(1000), rng.below(10_000)),
            });
        }
        if !rng.one_in(6) {
            profile.insurance = Some(insurance(rng, age));
        }
        profile
    }

    /// A long-term condition the patient does not have yet, with its medicine.
    fn add_condition(&mut self, rng: &mut Rng, age: u32, since: Option<NaiveDate>) -> bool {
        let Some(c) = rng.choose(CONDITIONS) else {
            return false;
        };
        if age < c.min_age || self.conditions.iter().any(|(n, _)| *n == c.name) {
            return false;
        }
        self.conditions.push((c.name, since));
        let allergic = self.allergic_to(c.medication.name);
        if !allergic && !self.medications.iter().any(|m| m.name == c.medication.name) {
            self.medications.push(c.medication);
        }
        true
    }

    fn add_allergy(&mut self, rng: &mut Rng) {
        if let Some(&a) = rng.choose(ALLERGIES) {
            if !self.allergic_to(a.substance) {
                self.allergies.push(a);
                // A medicine the patient turned out to be allergic to is stopped.
                self.medications.retain(|m| m.name != a.substance);
            }
        }
    }

    fn allergic_to(&self, medicine: &str) -> bool {
        self.allergies.iter().any(|a| {
            a.substance == medicine || (a.substance == "Penicillin" && medicine == AMOXICILLIN.name)
        })
    }

    /// What changed between two visits.
    fn change(&mut self, rng: &mut Rng, before: NaiveDate, date: NaiveDate) {
        let age = age_at(self.birth, date);
        let between = days_after(before, rng.between(1, (date - before).num_days().max(1)));
        // A reaction to what was taken for the last complaint.
        if let Some(taken) = self.taking.take() {
            if taken.name == AMOXICILLIN.name && rng.one_in(6) && !self.allergic_to(taken.name) {
                self.allergies
                    .push(allergy(AMOXICILLIN.name, "Rash", "moderate"));
            }
        }
        self.weight = tenth(self.weight + self.trend + rng.uniform(-0.8, 0.8));
        if rng.one_in(4) {
            self.add_condition(rng, age, Some(between));
        }
        if self.medications.len() > 1 && rng.one_in(8) {
            let i = rng.below(self.medications.len());
            self.medications.remove(i);
        }
        if rng.one_in(6) {
            self.raise_a_dose(rng);
        }
        if rng.one_in(12) {
            self.add_allergy(rng);
        }
        if self.tobacco == "current" && rng.one_in(6) {
            (self.tobacco, self.per_day) = ("former", None);
        }
        if rng.one_in(20) {
            self.occupation = if age >= 60 {
                Some(RETIRED)
            } else {
                rng.choose(OCCUPATIONS).copied()
            };
        }
        if self.up_to_date != "yes" && rng.one_in(4) {
            self.up_to_date = "yes";
        }
        if rng.one_in(15) {
            self.insurance = Some(insurance(rng, age));
        }
        if rng.one_in(20) {
            if let Some(&entry) = rng.choose(FAMILY) {
                if !self.family.contains(&entry) {
                    self.family.push(entry);
                }
            }
        }
    }

    fn raise_a_dose(&mut self, rng: &mut Rng) {
        if self.medications.is_empty() {
            return;
        }
        let i = rng.below(self.medications.len());
        let Some(m) = self.medications.get_mut(i) else {
            return;
        };
        let stronger = CONDITIONS
            .iter()
            .find(|c| c.medication.name == m.name)
            .and_then(|c| c.stronger);
        if let Some(dose) = stronger.filter(|d| *d > m.dose) {
            m.dose = dose;
        }
    }

    /// The visit on `date`: a reason, vitals, and the state as the nurse records it.
    fn visit(&mut self, rng: &mut Rng, days_ago: i64, date: NaiveDate) -> Visit {
        let age = age_at(self.birth, date);
        let reason = rng.choose(REASONS).unwrap_or(&REASONS[0]);
        let (mut temperature, mut pulse, mut pain) =
            (tenth(rng.uniform(36.1, 37.3)), rng.between(60, 88), 0);
        let mut phq2 = if rng.one_in(8) {
            (rng.below(3), rng.below(3))
        } else {
            (0, 0)
        };
        match reason.extra {
            Extra::Nothing => {}
            Extra::Taking(m) => self.take(m),
            Extra::Fever(m) => {
                temperature = tenth(rng.uniform(38.1, 38.8));
                pulse += 12;
                self.take(m);
            }
            Extra::Pain(m) => {
                pain = rng.between(3, 7);
                self.take(m);
            }
            Extra::LowMood => phq2 = (1 + rng.below(3), 1 + rng.below(3)),
            Extra::Vaccine(v) => {
                self.immunizations.retain(|(name, _)| *name != v);
                self.immunizations.push((v, date));
            }
        }
        let mut medications = self.medications.clone();
        medications.extend(self.taking);
        let asthma = self.conditions.iter().any(|(n, _)| *n == "Asthma");
        let pregnancy = match (self.sex, age) {
            (Sex::Female, 18..=45) => Some((
                if rng.one_in(12) { "unsure" } else { "no" },
                Some(days_before(date, rng.between(4, 28))),
            )),
            (Sex::Female, 46..=55) => Some(("no", None)),
            _ => None,
        };
        Visit {
            days_ago,
            start_minute: 8 * 60 + rng.below(9 * 60) as u32,
            reason: reason.text,
            visit_type: reason.visit_type,
            vitals: Vitals {
                height: self.height,
                weight: self.weight,
                temperature,
                pulse,
                systolic: self.systolic + rng.between(-8, 8),
                diastolic: self.diastolic + rng.between(-5, 5),
                spo2: if asthma {
                    rng.between(94, 98)
                } else {
                    rng.between(95, 99)
                },
                respiratory_rate: rng.between(12, 18),
                pain,
            },
            allergies: self.allergies.clone(),
            medications,
            conditions: self.conditions.clone(),
            surgeries: self.surgeries.clone(),
            family: self.family.clone(),
            immunizations: self.immunizations.clone(),
            tobacco: self.tobacco,
            per_day: self.per_day,
            alcohol: self.alcohol,
            units: self.units,
            occupation: self.occupation,
            up_to_date: self.up_to_date,
            pregnancy,
            symptoms: reason.symptoms,
            phq2,
            contact: self.contact.clone(),
            insurance: self.insurance.clone(),
        }
    }

    /// The patient is taking `m` for today's complaint (something else when allergic).
    fn take(&mut self, m: DemoMedication) {
        let m = match m.name {
            "Amoxicillin" if self.allergic_to(m.name) => DOXYCYCLINE,
            "Ibuprofen" if self.allergic_to(m.name) => PARACETAMOL,
            _ => m,
        };
        if !self.medications.iter().any(|x| x.name == m.name) && !self.allergic_to(m.name) {
            self.taking = Some(m);
        }
    }
}

fn insurance(rng: &mut Rng, age: u32) -> Insurance {
    let (insurer, prefix) = rng
        .choose(INSURERS)
        .copied()
        .unwrap_or(("Northwind Health", "NW"));
    let holder = match rng.below(10) {
        0 if age < 26 => "parent",
        1 => "spouse",
        2 if age >= 26 => "other",
        _ => "self",
    };
    Insurance {
        insurer,
        policy: format!("{prefix}-{:03}-{:04}", rng.below(1000), rng.below(10_000)),
        holder,
    }
}
