//! The contract of the answers' history.

use intake_core::AnswerSource;

use super::fixtures::{carried_from, put_carried};
use super::fixtures::{draft, key, ok, put, setup_draft, t};
use crate::encode_values;
use crate::prelude::*;

pub fn answer_revisions_keep_every_earlier_value<B: Backend>(b: &B) {
    let (patient, template, id) = setup_draft(b);
    let earlier = draft(b, patient, template, 0);
    let from = carried_from(earlier);
    put_carried(
        b,
        id,
        &from,
        "medication[1]/med-name",
        r#"[{"valueString":"Aspirin"}]"#,
    );
    ok(
        b.write(|tx| tx.confirm_answer(id, &key("medication[1]/med-name"), t(3), "nurse")),
        "confirming",
    );
    ok(
        put(
            b,
            id,
            "medication[1]/med-name",
            r#"[{"valueString":"Aspirin 75 mg"}]"#,
        ),
        "typing over",
    );
    ok(
        b.write(|tx| tx.delete_answer(id, &key("medication[1]/med-name"))),
        "removing",
    );
    ok(
        put(
            b,
            id,
            "medication[1]/med-name",
            r#"[{"valueString":"Clopidogrel"}]"#,
        ),
        "writing again",
    );
    ok(
        put(b, id, "reason", r#"[{"valueString":"cough"}]"#),
        "writing",
    );
    let history = ok(b.read(|tx| tx.answer_revisions(id)), "reading");
    let seen: Vec<(String, i64, String, AnswerSource, bool)> = history
        .iter()
        .map(|r| {
            (
                r.key.to_string(),
                r.rev,
                encode_values(&r.values),
                r.source,
                r.removed,
            )
        })
        .collect();
    assert_eq!(
        seen,
        [
            (
                "medication[1]/med-name".into(),
                1,
                r#"[{"valueString":"Aspirin"}]"#.into(),
                AnswerSource::Carried,
                false
            ),
            (
                "medication[1]/med-name".into(),
                2,
                r#"[{"valueString":"Aspirin 75 mg"}]"#.into(),
                AnswerSource::Typed,
                true
            ),
        ],
        "every replaced or removed value, by key then revision; the current one is not history"
    );
    assert_eq!(
        (
            history[0].source_encounter,
            history[0].confirmed_by.as_deref(),
            history[0].author.as_str(),
            history[0].at
        ),
        (Some(earlier), Some("nurse"), "nurse", t(2)),
        "with its provenance and confirmation"
    );
}

pub fn carried_revisions_are_the_carried_values_only<B: Backend>(b: &B) {
    let (patient, template, id) = setup_draft(b);
    let from = carried_from(draft(b, patient, template, 0));
    put_carried(b, id, &from, "smoker", r#"[{"valueBoolean":true}]"#);
    ok(
        put(b, id, "smoker", r#"[{"valueBoolean":false}]"#),
        "typing over",
    );
    ok(put(b, id, "reason", r#"[{"valueString":"a"}]"#), "writing");
    ok(
        put(b, id, "reason", r#"[{"valueString":"b"}]"#),
        "typing over",
    );
    let carried: Vec<(String, AnswerSource)> = ok(b.read(|tx| tx.carried_revisions(id)), "reading")
        .into_iter()
        .map(|r| (r.key.to_string(), r.source))
        .collect();
    assert_eq!(
        carried,
        [("smoker".to_string(), AnswerSource::Carried)],
        "only values that were carried"
    );
}
