//! The made-up clinical content demo visits draw from: medicines, long-term conditions,
//! allergies, reasons for visit, surgeries, family history, occupations, insurers. Codes
//! are the built-in form's answer codes.

use super::{DemoAllergy, DemoMedication};

pub(super) const fn med(
    name: &'static str,
    dose: f64,
    unit: &'static str,
    frequency: &'static str,
    route: &'static str,
) -> DemoMedication {
    DemoMedication {
        name,
        dose,
        unit,
        frequency,
        route,
    }
}

pub(super) const fn allergy(
    substance: &'static str,
    reaction: &'static str,
    severity: &'static str,
) -> DemoAllergy {
    DemoAllergy {
        substance,
        reaction,
        severity,
    }
}

pub(super) const AMOXICILLIN: DemoMedication =
    med("Amoxicillin", 500.0, "mg", "three-times-daily", "oral");
pub(super) const DOXYCYCLINE: DemoMedication =
    med("Doxycycline", 100.0, "mg", "once-daily", "oral");
pub(super) const NITROFURANTOIN: DemoMedication =
    med("Nitrofurantoin", 100.0, "mg", "twice-daily", "oral");
pub(super) const IBUPROFEN: DemoMedication = med("Ibuprofen", 400.0, "mg", "as-needed", "oral");
pub(super) const PARACETAMOL: DemoMedication = med("Paracetamol", 1.0, "g", "as-needed", "oral");

/// A long-term condition, the medicine it is usually treated with and a higher dose the
/// doctor may move to.
pub(super) struct Condition {
    pub name: &'static str,
    pub min_age: u32,
    pub medication: DemoMedication,
    pub stronger: Option<f64>,
}

pub(super) const CONDITIONS: &[Condition] = &[
    Condition {
        name: "Hypertension",
        min_age: 35,
        medication: med("Lisinopril", 10.0, "mg", "once-daily", "oral"),
        stronger: Some(20.0),
    },
    Condition {
        name: "Type 2 diabetes",
        min_age: 35,
        medication: med("Metformin", 500.0, "mg", "twice-daily", "oral"),
        stronger: Some(1000.0),
    },
    Condition {
        name: "High cholesterol",
        min_age: 40,
        medication: med("Atorvastatin", 20.0, "mg", "once-daily", "oral"),
        stronger: Some(40.0),
    },
    Condition {
        name: "Asthma",
        min_age: 18,
        medication: med("Salbutamol inhaler", 2.0, "puffs", "as-needed", "inhaled"),
        stronger: None,
    },
    Condition {
        name: "Hypothyroidism",
        min_age: 25,
        medication: med("Levothyroxine", 50.0, "mcg", "once-daily", "oral"),
        stronger: Some(75.0),
    },
    Condition {
        name: "Gastro-oesophageal reflux",
        min_age: 25,
        medication: med("Omeprazole", 20.0, "mg", "once-daily", "oral"),
        stronger: Some(40.0),
    },
    Condition {
        name: "Depression",
        min_age: 18,
        medication: med("Sertraline", 50.0, "mg", "once-daily", "oral"),
        stronger: Some(100.0),
    },
    Condition {
        name: "Osteoarthritis of the knee",
        min_age: 50,
        medication: PARACETAMOL,
        stronger: None,
    },
    Condition {
        name: "Migraine",
        min_age: 18,
        medication: med("Sumatriptan", 50.0, "mg", "as-needed", "oral"),
        stronger: None,
    },
    Condition {
        name: "Atrial fibrillation",
        min_age: 60,
        medication: med("Apixaban", 5.0, "mg", "twice-daily", "oral"),
        stronger: None,
    },
    Condition {
        name: "Hay fever",
        min_age: 18,
        medication: med("Cetirizine", 10.0, "mg", "once-daily", "oral"),
        stronger: None,
    },
];

pub(super) const ALLERGIES: &[DemoAllergy] = &[
    allergy("Penicillin", "Hives", "severe"),
    allergy("Amoxicillin", "Rash", "moderate"),
    allergy("Sulfonamides", "Rash", "moderate"),
    allergy("Peanuts", "Anaphylaxis", "life-threatening"),
    allergy("Latex", "Itchy skin", "mild"),
    allergy("Ibuprofen", "Wheezing", "moderate"),
    allergy("Codeine", "Nausea and vomiting", "mild"),
    allergy("Shellfish", "Swollen lips", "severe"),
    allergy("Bee stings", "Swelling", "moderate"),
    allergy("Cats", "Sneezing", "mild"),
    allergy("Iodinated contrast", "Hives", "moderate"),
];

/// Why a patient came, the visit type, what the review of systems found, and what
/// else the complaint brings.
pub(super) struct Reason {
    pub text: &'static str,
    pub visit_type: &'static str,
    pub symptoms: &'static [&'static str],
    pub extra: Extra,
}

#[derive(Clone, Copy)]
pub(super) enum Extra {
    Nothing,
    /// The patient takes this for the complaint (gone by the next visit).
    Taking(DemoMedication),
    /// A fever, and this for it.
    Fever(DemoMedication),
    /// Pain, and this for it.
    Pain(DemoMedication),
    LowMood,
    /// A vaccine given at this visit.
    Vaccine(&'static str),
}

pub(super) const fn reason(
    text: &'static str,
    visit_type: &'static str,
    symptoms: &'static [&'static str],
    extra: Extra,
) -> Reason {
    Reason {
        text,
        visit_type,
        symptoms,
        extra,
    }
}

pub(super) const REASONS: &[Reason] = &[
    reason("Annual check-up", "routine-check", &[], Extra::Nothing),
    reason("Blood pressure check", "follow-up", &[], Extra::Nothing),
    reason("Medication review", "follow-up", &[], Extra::Nothing),
    reason("Blood test results", "follow-up", &[], Extra::Nothing),
    reason("Sick note for work", "other", &[], Extra::Nothing),
    reason(
        "Cough for two weeks",
        "new-problem",
        &["ros-cough"],
        Extra::Taking(AMOXICILLIN),
    ),
    reason(
        "Sore throat and fever",
        "new-problem",
        &["ros-fever"],
        Extra::Fever(AMOXICILLIN),
    ),
    reason(
        "Headache for three days",
        "new-problem",
        &["ros-headache"],
        Extra::Nothing,
    ),
    reason(
        "Itchy rash on both arms",
        "new-problem",
        &["ros-rash"],
        Extra::Nothing,
    ),
    reason(
        "Feeling tired all the time",
        "new-problem",
        &["ros-low-mood"],
        Extra::LowMood,
    ),
    reason(
        "Dizzy when standing up",
        "new-problem",
        &["ros-dizziness"],
        Extra::Nothing,
    ),
    reason(
        "Burning when passing urine",
        "new-problem",
        &["ros-urinary"],
        Extra::Taking(NITROFURANTOIN),
    ),
    reason(
        "Lower back pain",
        "new-problem",
        &[],
        Extra::Pain(IBUPROFEN),
    ),
    reason(
        "Knee pain after a fall",
        "new-problem",
        &[],
        Extra::Pain(IBUPROFEN),
    ),
    reason(
        "Stomach ache and nausea",
        "new-problem",
        &["ros-abdominal-pain", "ros-nausea-vomiting"],
        Extra::Nothing,
    ),
    reason("Flu vaccination", "other", &[], Extra::Vaccine("Influenza")),
    reason(
        "Travel vaccinations",
        "other",
        &[],
        Extra::Vaccine("Hepatitis A"),
    ),
];

/// (procedure, women only, youngest age).
pub(super) const SURGERIES: &[(&str, bool, u32)] = &[
    ("Appendectomy", false, 18),
    ("Tonsillectomy", false, 18),
    ("Knee arthroscopy", false, 30),
    ("Inguinal hernia repair", false, 30),
    ("Gallbladder removal", false, 35),
    ("Caesarean section", true, 25),
    ("Cataract surgery", false, 60),
];

/// (relative code, condition).
pub(super) const FAMILY: &[(&str, &str)] = &[
    ("mother", "Breast cancer"),
    ("father", "Heart attack"),
    ("mother", "Type 2 diabetes"),
    ("father", "High blood pressure"),
    ("sister", "Asthma"),
    ("grandparent", "Dementia"),
    ("brother", "Bowel cancer"),
    ("father", "Stroke"),
];

pub(super) const OCCUPATIONS: &[&str] = &[
    "Teacher",
    "Nurse",
    "Bus driver",
    "Software developer",
    "Accountant",
    "Chef",
    "Carpenter",
    "Shop assistant",
    "Engineer",
    "Cleaner",
    "Student",
    "Lawyer",
    "Pharmacist",
    "Warehouse worker",
    "Hairdresser",
    "Farmer",
    "Police officer",
    "Social worker",
];
pub(super) const RETIRED: &str = "Retired";

pub(super) const CONTACT_NAMES: &[&str] = &[
    "Anna", "Maria", "Jan", "Piotr", "Sofia", "David", "Mei", "Omar", "Aoife", "Lars", "Fatima",
    "Luca",
];
pub(super) const RELATIONSHIPS: &[&str] = &[
    "spouse", "partner", "sister", "brother", "daughter", "son", "mother", "friend",
];
/// (insurer, policy number prefix).
pub(super) const INSURERS: &[(&str, &str)] = &[
    ("Northwind Health", "NW"),
    ("Contoso Mutual", "CM"),
    ("Fabrikam Care", "FC"),
    ("Tailspin Insurance", "TI"),
    ("Woodgrove Health Plan", "WG"),
];
