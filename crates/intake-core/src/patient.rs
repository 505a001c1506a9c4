//! A patient's demographics as the clinic registers them: what is accepted, with every
//! limit stated. MRNs are in [`crate::mrn`]; what makes two patients look alike is in
//! [`crate::duplicate`].

use chrono::{Datelike, NaiveDate};

use crate::mrn::is_valid_mrn;
use crate::text;

/// Administrative sex, as FHIR's `AdministrativeGender`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Sex {
    Female,
    Male,
    Other,
    Unknown,
}

impl Sex {
    pub const ALL: [Sex; 4] = [Sex::Female, Sex::Male, Sex::Other, Sex::Unknown];

    pub fn as_str(self) -> &'static str {
        match self {
            Sex::Female => "female",
            Sex::Male => "male",
            Sex::Other => "other",
            Sex::Unknown => "unknown",
        }
    }

    pub fn parse(s: &str) -> Option<Sex> {
        Sex::ALL
            .into_iter()
            .find(|x| x.as_str().eq_ignore_ascii_case(s.trim()))
    }
}

/// The fields of a registration or an edit, as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PatientInput {
    /// Empty: the app assigns the next MRN.
    pub mrn: String,
    pub family: String,
    pub given: String,
    /// `YYYY-MM-DD`.
    pub birth_date: String,
    pub sex: String,
    pub phone: String,
    pub email: String,
    pub address_line: String,
    pub city: String,
    pub postal_code: String,
    pub country: String,
    pub language: String,
    pub emergency_name: String,
    pub emergency_relationship: String,
    pub emergency_phone: String,
    pub notes: String,
}

/// A registration that passed every check; text is trimmed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidPatient {
    /// `None`: assign the next generated MRN.
    pub mrn: Option<String>,
    pub family: String,
    pub given: String,
    pub birth_date: NaiveDate,
    pub sex: Sex,
    pub phone: String,
    pub email: String,
    pub address_line: String,
    pub city: String,
    pub postal_code: String,
    pub country: String,
    pub language: String,
    pub emergency_name: String,
    pub emergency_relationship: String,
    pub emergency_phone: String,
    pub notes: String,
}

/// One refused field; `field` is the input's camelCase name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    pub field: &'static str,
    pub message: String,
}

/// Longest accepted value of each text field, in characters.
pub const LIMITS: &[(&str, usize)] = &[
    ("mrn", 20),
    ("family", 100),
    ("given", 100),
    ("phone", 40),
    ("email", 254),
    ("addressLine", 200),
    ("city", 100),
    ("postalCode", 20),
    ("country", 60),
    ("language", 40),
    ("emergencyName", 200),
    ("emergencyRelationship", 60),
    ("emergencyPhone", 40),
    ("notes", 4000),
];

/// The oldest accepted age, in years.
pub const MAX_AGE_YEARS: i32 = 130;

fn limit(field: &str) -> usize {
    LIMITS
        .iter()
        .find(|(f, _)| *f == field)
        .map_or(200, |(_, n)| *n)
}

/// Checks a registration against `today` (for the birth date) and returns every
/// problem at once, so the screen can show them all at their fields.
pub fn validate(input: &PatientInput, today: NaiveDate) -> Result<ValidPatient, Vec<FieldError>> {
    let mut errors = Vec::new();
    let mut text_field = |field: &'static str, raw: &str, multiline: bool| -> String {
        let value = raw.trim();
        let max = limit(field);
        if value.chars().count() > max {
            errors.push(FieldError {
                field,
                message: format!("At most {max} characters."),
            });
        } else if value
            .chars()
            .any(|c| c.is_control() && !(multiline && (c == '\n' || c == '\t')))
        {
            errors.push(FieldError {
                field,
                message: "Control characters are not allowed here.".into(),
            });
        }
        value.to_string()
    };
    let mrn = text_field("mrn", &input.mrn, false);
    let family = text_field("family", &input.family, false);
    let given = text_field("given", &input.given, false);
    let phone = text_field("phone", &input.phone, false);
    let email = text_field("email", &input.email, false);
    let address_line = text_field("addressLine", &input.address_line, false);
    let city = text_field("city", &input.city, false);
    let postal_code = text_field("postalCode", &input.postal_code, false);
    let country = text_field("country", &input.country, false);
    let language = text_field("language", &input.language, false);
    let emergency_name = text_field("emergencyName", &input.emergency_name, false);
    let emergency_relationship = text_field(
        "emergencyRelationship",
        &input.emergency_relationship,
        false,
    );
    let emergency_phone = text_field("emergencyPhone", &input.emergency_phone, false);
    let notes = text_field("notes", &input.notes, true);

    let mut push = |field: &'static str, message: &str| {
        if !errors.iter().any(|e| e.field == field) {
            errors.push(FieldError {
                field,
                message: message.to_string(),
            });
        }
    };
    if family.is_empty() {
        push("family", "Enter the family name.");
    }
    if !mrn.is_empty() && !is_valid_mrn(&mrn) {
        push("mrn", "An MRN holds only letters, digits and '-'.");
    }
    for (field, value) in [("phone", &phone), ("emergencyPhone", &emergency_phone)] {
        if !value.is_empty() && text::digits(value).is_empty() {
            push(field, "A phone number needs digits.");
        } else if !value
            .chars()
            .all(|c| c.is_ascii_digit() || " +-().,/".contains(c))
        {
            push(
                field,
                "A phone number holds digits, spaces and + - ( ) . / only.",
            );
        }
    }
    if !email.is_empty() && !looks_like_email(&email) {
        push("email", "This is not an email address (name@example.org).");
    }
    let sex = Sex::parse(&input.sex);
    if sex.is_none() {
        push("sex", "Choose female, male, other or unknown.");
    }
    let birth_date = match parse_birth_date(input.birth_date.trim(), today) {
        Ok(d) => Some(d),
        Err(BirthDateError(message)) => {
            push("birthDate", &message);
            None
        }
    };
    match (errors.is_empty(), birth_date, sex) {
        (true, Some(birth_date), Some(sex)) => Ok(ValidPatient {
            mrn: (!mrn.is_empty()).then(|| mrn.to_uppercase()),
            family,
            given,
            birth_date,
            sex,
            phone,
            email: email.to_lowercase(),
            address_line,
            city,
            postal_code,
            country,
            language,
            emergency_name,
            emergency_relationship,
            emergency_phone,
            notes,
        }),
        _ => Err(errors),
    }
}

/// Why a birth date was refused, in words for the person who typed it.
struct BirthDateError(String);

fn parse_birth_date(raw: &str, today: NaiveDate) -> Result<NaiveDate, BirthDateError> {
    let refuse = |m: String| Err(BirthDateError(m));
    if raw.is_empty() {
        return refuse("Enter the date of birth.".into());
    }
    let Ok(date) = NaiveDate::parse_from_str(raw, "%Y-%m-%d") else {
        let shaped = raw.len() == 10 && raw.as_bytes()[4] == b'-' && raw.as_bytes()[7] == b'-';
        return refuse(if shaped {
            format!("{raw} is not a date in the calendar.")
        } else {
            "Write the date of birth as YYYY-MM-DD.".to_string()
        });
    };
    if date > today {
        return refuse("The date of birth is in the future.".into());
    }
    if today.year() - date.year() > MAX_AGE_YEARS {
        return refuse(format!(
            "The date of birth is more than {MAX_AGE_YEARS} years ago."
        ));
    }
    Ok(date)
}

fn looks_like_email(s: &str) -> bool {
    let Some((local, domain)) = s.split_once('@') else {
        return false;
    };
    !local.is_empty()
        && !domain.contains('@')
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !s.chars().any(char::is_whitespace)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 23).unwrap()
    }

    fn input() -> PatientInput {
        PatientInput {
            family: "Núñez".into(),
            given: "Zoë".into(),
            birth_date: "1984-03-07".into(),
            sex: "female".into(),
            ..Default::default()
        }
    }

    fn errors_of(input: &PatientInput) -> Vec<(&'static str, String)> {
        validate(input, today())
            .err()
            .unwrap_or_default()
            .into_iter()
            .map(|e| (e.field, e.message))
            .collect()
    }

    #[test]
    fn a_plain_registration_passes_trimmed() {
        let mut p = input();
        p.family = "  Núñez ".into();
        p.email = " Zoe@Example.ORG ".into();
        let valid = validate(&p, today()).expect("valid");
        assert_eq!(valid.family, "Núñez");
        assert_eq!(valid.email, "zoe@example.org");
        assert_eq!(valid.mrn, None, "an empty MRN is generated later");
    }

    #[test]
    fn validation_table() {
        type Change = Box<dyn Fn(&mut PatientInput)>;
        let cases: Vec<(&str, Change, &str, &str)> = vec![
            (
                "missing family",
                Box::new(|p| p.family.clear()),
                "family",
                "family name",
            ),
            (
                "missing birth date",
                Box::new(|p| p.birth_date.clear()),
                "birthDate",
                "Enter",
            ),
            (
                "future",
                Box::new(|p| p.birth_date = "2027-01-01".into()),
                "birthDate",
                "future",
            ),
            (
                "too old",
                Box::new(|p| p.birth_date = "1890-01-01".into()),
                "birthDate",
                "130",
            ),
            (
                "impossible",
                Box::new(|p| p.birth_date = "2026-02-30".into()),
                "birthDate",
                "not a date",
            ),
            (
                "local format",
                Box::new(|p| p.birth_date = "07.03.1984".into()),
                "birthDate",
                "YYYY-MM-DD",
            ),
            (
                "sex",
                Box::new(|p| p.sex = "yes".into()),
                "sex",
                "female, male",
            ),
            (
                "email",
                Box::new(|p| p.email = "zoe@".into()),
                "email",
                "not an email",
            ),
            (
                "email space",
                Box::new(|p| p.email = "zo e@x.org".into()),
                "email",
                "not an email",
            ),
            (
                "phone letters",
                Box::new(|p| p.phone = "call me".into()),
                "phone",
                "needs digits",
            ),
            (
                "phone odd",
                Box::new(|p| p.phone = "555#12".into()),
                "phone",
                "digits, spaces",
            ),
            (
                "too long",
                Box::new(|p| p.family = "x".repeat(101)),
                "family",
                "100",
            ),
            (
                "notes long",
                Box::new(|p| p.notes = "x".repeat(4001)),
                "notes",
                "4000",
            ),
            (
                "control",
                Box::new(|p| p.given = "Zo\u{0}ë".into()),
                "given",
                "Control",
            ),
            (
                "mrn",
                Box::new(|p| p.mrn = "../../x".into()),
                "mrn",
                "letters, digits",
            ),
        ];
        for (name, change, field, words) in cases {
            let mut p = input();
            change(&mut p);
            let errors = errors_of(&p);
            let hit = errors.iter().find(|(f, _)| *f == field);
            let (_, message) =
                hit.unwrap_or_else(|| panic!("{name}: an error at {field}: {errors:?}"));
            assert!(
                message.contains(words),
                "{name}: {message:?} mentions {words:?}"
            );
        }
    }

    #[test]
    fn notes_may_span_lines() {
        let mut p = input();
        p.notes = "Prefers mornings.\nHard of hearing.".into();
        assert!(validate(&p, today()).is_ok());
    }

    #[test]
    fn all_errors_come_at_once() {
        let p = PatientInput::default();
        let fields: Vec<_> = errors_of(&p).into_iter().map(|(f, _)| f).collect();
        assert!(
            fields.contains(&"family") && fields.contains(&"birthDate") && fields.contains(&"sex")
        );
    }
}
