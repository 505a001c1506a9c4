//! One demo visit as answers of the built-in form: answers by `linkId` outside and
//! inside repeating groups, codings taken from the form's own answer options.

use chrono::NaiveDate;
use intake_core::questionnaire::response::FormIndex;
use intake_core::questionnaire::AnswerValue;

use super::history::Visit;
use intake_api::ApiError;

/// Answers by `linkId`: those outside repeating groups, or one row's.
pub(super) type Answers = Vec<(&'static str, AnswerValue)>;

/// What the nurse ends up with: the answers outside repeating groups, and the rows of
/// each repeating group.
#[derive(Debug, Clone, Default, PartialEq)]
pub(super) struct Filled {
    pub top: Answers,
    pub lists: Vec<(&'static str, Vec<Answers>)>,
}

/// The answer option of `link_id` with `code`, exactly as the form gives it.
pub(super) fn option(
    index: &FormIndex<'_>,
    link_id: &str,
    code: &str,
) -> Result<AnswerValue, ApiError> {
    index
        .get(link_id)
        .and_then(|item| {
            item.answer_options.iter().find(|o| match &o.value {
                AnswerValue::Coding(c) => c.code.as_deref() == Some(code),
                _ => false,
            })
        })
        .map(|o| o.value.clone())
        .ok_or_else(|| {
            ApiError::Internal(format!(
                "the built-in form has no option {code:?} for {link_id}"
            ))
        })
}

fn text(s: &str) -> AnswerValue {
    AnswerValue::String(s.to_string())
}

fn date(d: NaiveDate) -> AnswerValue {
    AnswerValue::Date(d.to_string())
}

/// PHQ-2 answer codes, by score.
const PHQ2_CODES: [&str; 4] = ["LA6568-5", "LA6569-3", "LA6570-1", "LA6571-9"];

/// The answers of one visit, by the form's `linkId`s and answer codes.
pub(super) fn filled(v: &Visit, index: &FormIndex<'_>) -> Result<Filled, ApiError> {
    let code = |link: &str, code: &str| option(index, link, code);
    let vit = &v.vitals;
    let mut top = vec![
        ("reason", text(v.reason)),
        ("visit-type", code("visit-type", v.visit_type)?),
        ("height", AnswerValue::Decimal(vit.height)),
        ("weight", AnswerValue::Decimal(vit.weight)),
        ("temperature", AnswerValue::Decimal(vit.temperature)),
        ("pulse", AnswerValue::Integer(vit.pulse)),
        ("systolic", AnswerValue::Integer(vit.systolic)),
        ("diastolic", AnswerValue::Integer(vit.diastolic)),
        ("spo2", AnswerValue::Integer(vit.spo2)),
        (
            "respiratory-rate",
            AnswerValue::Integer(vit.respiratory_rate),
        ),
        ("pain", AnswerValue::Integer(vit.pain)),
        ("nka", AnswerValue::Boolean(v.allergies.is_empty())),
        (
            "no-medications",
            AnswerValue::Boolean(v.medications.is_empty()),
        ),
        ("tobacco", code("tobacco", v.tobacco)?),
        ("alcohol", code("alcohol", v.alcohol)?),
        ("imm-up-to-date", code("imm-up-to-date", v.up_to_date)?),
    ];
    if let Some(n) = v.per_day {
        top.push(("tobacco-per-day", AnswerValue::Integer(n)));
    }
    if let Some(n) = v.units {
        top.push(("alcohol-units", AnswerValue::Integer(n)));
    }
    if let Some(o) = v.occupation {
        top.push(("occupation", text(o)));
    }
    if let Some((pregnant, lmp)) = v.pregnancy {
        top.push(("pregnant", code("pregnant", pregnant)?));
        if let Some(d) = lmp {
            top.push(("lmp", date(d)));
        }
    }
    for symptom in v.symptoms {
        top.push((symptom, AnswerValue::Boolean(true)));
    }
    let phq = |score: usize| PHQ2_CODES.get(score).copied().unwrap_or(PHQ2_CODES[0]);
    top.push(("phq2-interest", code("phq2-interest", phq(v.phq2.0))?));
    top.push(("phq2-mood", code("phq2-mood", phq(v.phq2.1))?));
    if let Some(c) = &v.contact {
        top.push(("ec-name", text(&c.name)));
        top.push(("ec-relationship", text(c.relationship)));
        top.push(("ec-phone", text(&c.phone)));
    }
    if let Some(i) = &v.insurance {
        top.push(("insurer", text(i.insurer)));
        top.push(("policy-number", text(&i.policy)));
        top.push(("insurance-holder", code("insurance-holder", i.holder)?));
    }

    let mut allergies = Vec::new();
    for a in &v.allergies {
        allergies.push(vec![
            ("allergy-substance", text(a.substance)),
            ("allergy-reaction", text(a.reaction)),
            ("allergy-severity", code("allergy-severity", a.severity)?),
        ]);
    }
    let mut medications = Vec::new();
    for m in &v.medications {
        medications.push(vec![
            ("med-name", text(m.name)),
            ("med-dose", AnswerValue::Decimal(m.dose)),
            ("med-unit", code("med-unit", m.unit)?),
            ("med-frequency", code("med-frequency", m.frequency)?),
            ("med-route", code("med-route", m.route)?),
        ]);
    }
    let conditions = v
        .conditions
        .iter()
        .map(|(name, since)| {
            let mut row = vec![("pmh-condition", text(name))];
            row.extend(since.map(|d| ("pmh-since", date(d))));
            row
        })
        .collect();
    let surgeries = v
        .surgeries
        .iter()
        .map(|(name, when)| vec![("psh-procedure", text(name)), ("psh-date", date(*when))])
        .collect();
    let mut family = Vec::new();
    for (relative, condition) in &v.family {
        family.push(vec![
            ("fh-relative", code("fh-relative", relative)?),
            ("fh-condition", text(condition)),
        ]);
    }
    let immunizations = v
        .immunizations
        .iter()
        .map(|(vaccine, when)| vec![("imm-vaccine", text(vaccine)), ("imm-date", date(*when))])
        .collect();
    Ok(Filled {
        top,
        lists: vec![
            ("allergy", allergies),
            ("medication", medications),
            ("pmh", conditions),
            ("psh", surgeries),
            ("fh", family),
            ("immunization", immunizations),
        ],
    })
}
