//! Answer values as FHIR R4 JSON (`{"valueDecimal": 72.5}`), the one shape values take
//! on the wire, in the store and in exports.

use serde_json::{json, Map, Value};

use super::model::{AnswerValue, Coding};
use super::parse::typed_value;

fn coding_json(c: &Coding) -> Value {
    let mut m = Map::new();
    for (k, v) in [
        ("system", &c.system),
        ("code", &c.code),
        ("display", &c.display),
    ] {
        if let Some(v) = v {
            m.insert(k.into(), Value::String(v.clone()));
        }
    }
    Value::Object(m)
}

fn opt(m: &mut Map<String, Value>, key: &str, v: &Option<String>) {
    if let Some(v) = v {
        m.insert(key.into(), Value::String(v.clone()));
    }
}

/// `{"value<Type>": ...}` for one value.
pub fn to_json(v: &AnswerValue) -> Value {
    match v {
        AnswerValue::Boolean(b) => json!({ "valueBoolean": b }),
        AnswerValue::Decimal(d) => json!({ "valueDecimal": d }),
        AnswerValue::Integer(i) => json!({ "valueInteger": i }),
        AnswerValue::Date(s) => json!({ "valueDate": s }),
        AnswerValue::DateTime(s) => json!({ "valueDateTime": s }),
        AnswerValue::Time(s) => json!({ "valueTime": s }),
        AnswerValue::String(s) => json!({ "valueString": s }),
        AnswerValue::Uri(s) => json!({ "valueUri": s }),
        AnswerValue::Coding(c) => json!({ "valueCoding": coding_json(c) }),
        AnswerValue::Quantity {
            value,
            unit,
            system,
            code,
        } => {
            let mut m = Map::new();
            if let Some(v) = value {
                m.insert("value".into(), json!(v));
            }
            opt(&mut m, "unit", unit);
            opt(&mut m, "system", system);
            opt(&mut m, "code", code);
            json!({ "valueQuantity": m })
        }
        AnswerValue::Reference(r) => json!({ "valueReference": { "reference": r } }),
        AnswerValue::Attachment {
            content_type,
            title,
        } => {
            let mut m = Map::new();
            opt(&mut m, "contentType", content_type);
            opt(&mut m, "title", title);
            json!({ "valueAttachment": m })
        }
    }
}

/// Why a JSON value is not an answer value, in words for the person who sent it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct ValueError(pub String);

impl From<String> for ValueError {
    fn from(s: String) -> Self {
        ValueError(s)
    }
}

impl From<&str> for ValueError {
    fn from(s: &str) -> Self {
        ValueError(s.to_string())
    }
}

/// Reads one `{"value<Type>": ...}` object; anything else is an error saying what.
pub fn from_json(v: &Value) -> Result<AnswerValue, ValueError> {
    let obj = v.as_object().ok_or_else(|| {
        "an answer value must be an object like {\"valueString\": \"…\"}".to_string()
    })?;
    if obj.len() != 1 {
        return Err("an answer value must have exactly one value[x] property".into());
    }
    let key = obj.keys().next().cloned().unwrap_or_default();
    let value = typed_value(obj, "value")
        .ok_or_else(|| format!("{key:?} is not an answer value this version reads"))?;
    if let (AnswerValue::Decimal(d), true) = (&value, key == "valueDecimal") {
        if !d.is_finite() {
            return Err("a decimal answer must be a finite number".into());
        }
    }
    Ok(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_value_survives_a_round_trip() {
        let values = [
            AnswerValue::Boolean(false),
            AnswerValue::Decimal(72.5),
            AnswerValue::Integer(-3),
            AnswerValue::Date("2026-11-24".into()),
            AnswerValue::DateTime("2026-11-24T10:30:00Z".into()),
            AnswerValue::Time("10:30:00".into()),
            AnswerValue::String("Zoë".into()),
            AnswerValue::Uri("https://example.org".into()),
            AnswerValue::Coding(Coding {
                system: Some("http://loinc.org".into()),
                code: Some("LA6568-5".into()),
                display: Some("Not at all".into()),
            }),
            AnswerValue::Quantity {
                value: Some(80.0),
                unit: Some("kg".into()),
                system: None,
                code: None,
            },
            AnswerValue::Reference("Patient/1".into()),
            AnswerValue::Attachment {
                content_type: Some("image/png".into()),
                title: None,
            },
        ];
        for v in values {
            assert_eq!(from_json(&to_json(&v)), Ok(v.clone()), "{v:?}");
        }
    }

    #[test]
    fn malformed_values_are_refused_with_a_reason() {
        for bad in [
            json!("just text"),
            json!({}),
            json!({ "valueInteger": "12" }),
            json!({ "valueBoolean": 1 }),
            json!({ "valueString": "a", "valueInteger": 1 }),
            json!({ "valueBanana": 1 }),
        ] {
            let err = from_json(&bad).unwrap_err();
            assert!(!err.0.is_empty(), "{bad}");
        }
    }
}
