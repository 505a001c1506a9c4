//! A realistic repeat visit on the built-in form, shared by the summary snapshots
//! (intake-core) and the PDF tests and bench (intake-pdf, which include this file by
//! path): allergies and medications carried from the last visit and confirmed, vitals
//! typed, BMI and PHQ-2 calculated, the emergency contact from the patient record, a
//! "No" answer, questions left unanswered, and answers the form now disables.

#![allow(dead_code)]

use std::collections::BTreeMap;

use chrono::{NaiveDate, TimeZone, Utc};
use intake_core::questionnaire::response::{Key, Response};
use intake_core::questionnaire::{all_items, import, AnswerValue, Questionnaire};
use intake_core::summary::{Amendment, Origin, Signature, SummaryInput};
use intake_core::EncounterStatus;

/// The built-in form, read by path.
pub fn builtin_form() -> Questionnaire {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../intake-api/forms/general-adult-intake.json"
    );
    let bytes = std::fs::read(path).expect("the built-in form is in the repository");
    import(&bytes).expect("the built-in form imports").0
}

/// The option of `link_id` with `code`, as the screen would store it.
pub fn option(form: &Questionnaire, link_id: &str, code: &str) -> AnswerValue {
    let item = all_items(&form.items)
        .into_iter()
        .find(|i| i.link_id == link_id)
        .expect("the item exists");
    item.answer_options
        .iter()
        .map(|o| o.value.clone())
        .find(|v| matches!(v, AnswerValue::Coding(c) if c.code.as_deref() == Some(code)))
        .expect("the option exists")
}

pub struct Visit {
    pub form: Questionnaire,
    pub response: Response,
    pub provenance: BTreeMap<Key, Origin>,
    pub signature: Signature,
    pub amendment: Amendment,
}

pub const PATIENT: &str = "Zoë Łukasz Ñúñez O'Brien-Smith";
pub const SHA: &str = "9f2c4e1ab07d35c8e6f1029b4d7a3c5e8f0b1d2c3a4e5f60718293a4b5c6d7e8";

pub fn input(visit: &Visit, status: EncounterStatus) -> SummaryInput<'_> {
    SummaryInput {
        clinic_name: "Riverside Family Clinic",
        patient_name: PATIENT,
        birth_date: NaiveDate::from_ymd_opt(1961, 3, 12).expect("a date"),
        mrn: "RFC-004217-3",
        visit_date: NaiveDate::from_ymd_opt(2026, 11, 24).expect("a date"),
        template_title: "General adult intake",
        template_version: "1",
        status,
        signature: (status.is_signed() || status == EncounterStatus::EnteredInError)
            .then_some(&visit.signature),
        amendment: (status == EncounterStatus::Amended).then_some(&visit.amendment),
        record_sha256: SHA,
        questionnaire: &visit.form,
        response: &visit.response,
        provenance: &visit.provenance,
    }
}

pub fn repeat_visit() -> Visit {
    let form = builtin_form();
    let mut response = Response::new();
    let mut provenance = BTreeMap::new();
    let last_visit = NaiveDate::from_ymd_opt(2026, 10, 2).expect("a date");
    let carried = Origin::Carried {
        from: last_visit,
        confirmed_by: Some("Nurse Amaka Eze".into()),
    };
    let text = |s: &str| AnswerValue::String(s.into());
    let mut put = |key: &str, values: Vec<AnswerValue>, source: Origin| {
        let key: Key = key.parse().expect("a key");
        response.insert(key.clone(), values);
        provenance.insert(key, source);
    };
    let o = |link: &str, code: &str| option(&form, link, code);

    put(
        "visit/patient-sex",
        vec![o("patient-sex", "female")],
        Origin::Record,
    );
    put(
        "visit/reason",
        vec![text("Follow-up of blood pressure; morning headaches for two weeks, worse on waking, no visual change.")],
        Origin::Typed,
    );
    put(
        "visit/visit-type",
        vec![o("visit-type", "follow-up")],
        Origin::Typed,
    );

    put(
        "vitals/height",
        vec![AnswerValue::Decimal(168.0)],
        Origin::Typed,
    );
    put(
        "vitals/weight",
        vec![AnswerValue::Decimal(82.5)],
        Origin::Typed,
    );
    put(
        "vitals/bmi",
        vec![AnswerValue::Decimal(29.2)],
        Origin::Calculated,
    );
    put(
        "vitals/temperature",
        vec![AnswerValue::Decimal(36.8)],
        Origin::Typed,
    );
    put(
        "vitals/pulse",
        vec![AnswerValue::Integer(76)],
        Origin::Typed,
    );
    put(
        "vitals/systolic",
        vec![AnswerValue::Integer(142)],
        Origin::Typed,
    );
    put(
        "vitals/diastolic",
        vec![AnswerValue::Integer(88)],
        Origin::Typed,
    );
    put("vitals/spo2", vec![AnswerValue::Integer(97)], Origin::Typed);
    // respiratory-rate and pain: not answered.

    put(
        "allergies/nka",
        vec![AnswerValue::Boolean(false)],
        carried.clone(),
    );
    let allergies = [
        ("Penicillin", "Hives and facial swelling", "moderate"),
        ("Latex", "Contact rash", "mild"),
    ];
    for (i, (substance, reaction, severity)) in allergies.iter().enumerate() {
        let r = i + 1;
        put(&format!("allergies/allergy[{r}]"), vec![], carried.clone());
        put(
            &format!("allergies/allergy[{r}]/allergy-substance"),
            vec![text(substance)],
            carried.clone(),
        );
        put(
            &format!("allergies/allergy[{r}]/allergy-reaction"),
            vec![text(reaction)],
            carried.clone(),
        );
        put(
            &format!("allergies/allergy[{r}]/allergy-severity"),
            vec![o("allergy-severity", severity)],
            carried.clone(),
        );
    }

    put(
        "medications/no-medications",
        vec![AnswerValue::Boolean(false)],
        carried.clone(),
    );
    let medications = [
        ("Lisinopril", 10.0, "mg", "once-daily", "oral"),
        ("Metformin", 500.0, "mg", "twice-daily", "oral"),
        ("Atorvastatin", 20.0, "mg", "once-daily", "oral"),
        ("Salbutamol inhaler", 2.0, "puffs", "as-needed", "inhaled"),
    ];
    for (i, (name, dose, unit, freq, route)) in medications.iter().enumerate() {
        let r = i + 1;
        put(
            &format!("medications/medication[{r}]"),
            vec![],
            carried.clone(),
        );
        put(
            &format!("medications/medication[{r}]/med-name"),
            vec![text(name)],
            carried.clone(),
        );
        put(
            &format!("medications/medication[{r}]/med-dose"),
            vec![AnswerValue::Decimal(*dose)],
            carried.clone(),
        );
        put(
            &format!("medications/medication[{r}]/med-unit"),
            vec![o("med-unit", unit)],
            carried.clone(),
        );
        put(
            &format!("medications/medication[{r}]/med-frequency"),
            vec![o("med-frequency", freq)],
            carried.clone(),
        );
        put(
            &format!("medications/medication[{r}]/med-route"),
            vec![o("med-route", route)],
            carried.clone(),
        );
    }
    // A medication added at this visit, typed.
    put("medications/medication[5]", vec![], Origin::Typed);
    put(
        "medications/medication[5]/med-name",
        vec![text("Amlodipine")],
        Origin::Typed,
    );
    put(
        "medications/medication[5]/med-dose",
        vec![AnswerValue::Decimal(5.0)],
        Origin::Typed,
    );
    put(
        "medications/medication[5]/med-unit",
        vec![o("med-unit", "mg")],
        Origin::Typed,
    );
    put(
        "medications/medication[5]/med-frequency",
        vec![o("med-frequency", "once-daily")],
        Origin::Typed,
    );
    // Its route: not answered.

    put("history/pmh[1]", vec![], carried.clone());
    put(
        "history/pmh[1]/pmh-condition",
        vec![text("Hypertension")],
        carried.clone(),
    );
    put(
        "history/pmh[1]/pmh-since",
        vec![AnswerValue::Date("2019-05".into())],
        carried.clone(),
    );
    put("history/pmh[2]", vec![], carried.clone());
    put(
        "history/pmh[2]/pmh-condition",
        vec![text("Type 2 diabetes")],
        carried.clone(),
    );
    put(
        "history/pmh[2]/pmh-since",
        vec![AnswerValue::Date("2021-02-14".into())],
        carried.clone(),
    );
    put("history/psh[1]", vec![], carried.clone());
    put(
        "history/psh[1]/psh-procedure",
        vec![text("Appendectomy")],
        carried.clone(),
    );
    put(
        "history/psh[1]/psh-date",
        vec![AnswerValue::Date("1998".into())],
        carried.clone(),
    );
    put("history/fh[1]", vec![], carried.clone());
    put(
        "history/fh[1]/fh-relative",
        vec![o("fh-relative", "father")],
        carried.clone(),
    );
    put(
        "history/fh[1]/fh-condition",
        vec![text("Myocardial infarction at 58")],
        carried.clone(),
    );

    put(
        "social/tobacco",
        vec![o("tobacco", "former")],
        carried.clone(),
    );
    // Left from when she smoked; the form no longer asks it.
    put(
        "social/tobacco-per-day",
        vec![AnswerValue::Integer(10)],
        Origin::Typed,
    );
    put(
        "social/alcohol",
        vec![o("alcohol", "occasional")],
        Origin::Typed,
    );
    // Asked only for weekly or daily drinking: disabled now, left out.
    put(
        "social/alcohol-units",
        vec![AnswerValue::Integer(6)],
        Origin::Typed,
    );
    put(
        "social/occupation",
        vec![text("Secondary-school teacher")],
        carried.clone(),
    );

    put("immunizations/immunization[1]", vec![], carried.clone());
    put(
        "immunizations/immunization[1]/imm-vaccine",
        vec![text("Influenza")],
        carried.clone(),
    );
    put(
        "immunizations/immunization[1]/imm-date",
        vec![AnswerValue::Date("2025-10-12".into())],
        carried.clone(),
    );
    put("immunizations/immunization[2]", vec![], Origin::Typed);
    put(
        "immunizations/immunization[2]/imm-vaccine",
        vec![text("COVID-19 booster")],
        Origin::Typed,
    );
    put(
        "immunizations/immunization[2]/imm-date",
        vec![AnswerValue::Date("2026-10-30".into())],
        Origin::Typed,
    );
    // imm-up-to-date: not answered.

    put(
        "pregnancy/pregnant",
        vec![o("pregnant", "no")],
        Origin::Typed,
    );
    put(
        "pregnancy/lmp",
        vec![AnswerValue::Date("2026-11-09".into())],
        Origin::Typed,
    );

    put(
        "ros/ros-fever",
        vec![AnswerValue::Boolean(false)],
        Origin::Typed,
    );
    put(
        "ros/ros-chest-pain",
        vec![AnswerValue::Boolean(false)],
        Origin::Typed,
    );
    put(
        "ros/ros-headache",
        vec![AnswerValue::Boolean(true)],
        Origin::Typed,
    );
    put(
        "ros/ros-dizziness",
        vec![AnswerValue::Boolean(false)],
        Origin::Typed,
    );
    put(
        "ros/ros-notes",
        vec![text("Headaches ease by midday; paracetamol helps.")],
        Origin::Typed,
    );

    put(
        "phq2/phq2-interest",
        vec![o("phq2-interest", "LA6568-5")],
        Origin::Typed,
    );
    put(
        "phq2/phq2-mood",
        vec![o("phq2-mood", "LA6569-3")],
        Origin::Typed,
    );
    put(
        "phq2/phq2-score",
        vec![AnswerValue::Integer(1)],
        Origin::Calculated,
    );

    put(
        "emergency-contact/ec-name",
        vec![text("Tomás Ñúñez")],
        Origin::Record,
    );
    put(
        "emergency-contact/ec-relationship",
        vec![text("Husband")],
        Origin::Record,
    );
    put(
        "emergency-contact/ec-phone",
        vec![text("+1 555 0142 886")],
        Origin::Record,
    );

    put(
        "insurance/insurer",
        vec![text("Blue River Health")],
        carried.clone(),
    );
    put(
        "insurance/policy-number",
        vec![text("BRH-22-7781-09")],
        carried,
    );

    Visit {
        form,
        response,
        provenance,
        signature: Signature {
            by: "Dr. Ada Osei".into(),
            at: Utc
                .with_ymd_and_hms(2026, 11, 24, 15, 42, 0)
                .single()
                .expect("a time"),
        },
        amendment: Amendment {
            on: Utc
                .with_ymd_and_hms(2026, 11, 26, 9, 5, 0)
                .single()
                .expect("a time"),
            by: "Dr. Ada Osei".into(),
            reason: "Weight was entered in pounds; corrected to kilograms".into(),
        },
    }
}
