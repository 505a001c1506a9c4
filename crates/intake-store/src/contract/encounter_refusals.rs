//! The contract's refusals on encounters: answers of a submitted or signed visit (outside
//! an amendment) and a visit of a patient that does not exist.

use super::fixtures::{
    key, ok, put, put_from, record_of, refused, setup, setup_draft, sign, submit, t, values,
};
use crate::prelude::*;
use crate::EncounterFilter;
use intake_core::{AnswerSource, PatientId, TemplateId};

pub fn refused_answers_of_a_submitted_encounter<B: Backend>(b: &B) {
    let (_, _, id) = setup_draft(b);
    ok(
        put(b, id, "reason", r#"[{"valueString":"cough"}]"#),
        "writing",
    );
    submit(b, id, 10);
    let before = ok(b.read(|tx| tx.answers(id)), "reading");
    refused(
        put(b, id, "reason", r#"[{"valueString":"changed"}]"#),
        "replacing an answer of a submitted visit",
    );
    refused(
        put(b, id, "new", r#"[{"valueString":"added"}]"#),
        "adding an answer to a submitted visit",
    );
    refused(
        b.write(|tx| tx.delete_answer(id, &key("reason"))),
        "removing an answer of a submitted visit",
    );
    refused(
        b.write(|tx| tx.mark_in_record(id, &[key("reason")])),
        "changing what is in a submitted record",
    );
    assert_eq!(
        ok(b.read(|tx| tx.answers(id)), "reading"),
        before,
        "the answers are as submitted"
    );
}

pub fn refused_answers_of_a_signed_encounter_outside_an_amendment<B: Backend>(b: &B) {
    let (_, _, id) = setup_draft(b);
    ok(put(b, id, "weight", r#"[{"valueDecimal":82}]"#), "writing");
    submit(b, id, 10);
    sign(b, id, 20);
    refused(
        put(b, id, "weight", r#"[{"valueDecimal":70}]"#),
        "changing a signed answer",
    );
    ok(
        b.write(|tx| tx.start_amendment(id, "typo", t(30), "doctor")),
        "opening an amendment",
    );
    assert_eq!(
        ok(put(b, id, "weight", r#"[{"valueDecimal":81}]"#), "amending"),
        2,
        "an open amendment may change the answers"
    );
    ok(
        b.write(|tx| {
            tx.sign_encounter(
                id,
                crate::Signature::Amendment,
                record_of("{}", "x"),
                t(40),
                "doctor",
            )
        }),
        "signing the amendment",
    );
    refused(
        put_from(
            b,
            id,
            "weight",
            r#"[{"valueDecimal":60}]"#,
            AnswerSource::Typed,
        ),
        "changing an amended answer",
    );
    let a = ok(b.read(|tx| tx.answer(id, &key("weight"))), "reading").expect("the answer");
    assert_eq!(
        a.values,
        values(r#"[{"valueDecimal":81}]"#),
        "the amended value stays"
    );
}

pub fn refused_an_encounter_of_a_missing_patient<B: Backend>(b: &B) {
    let (patient, template) = setup(b);
    refused(
        b.write(|tx| tx.insert_encounter(PatientId(patient.0 + 50), template, t(0), "nurse")),
        "a visit of a patient that does not exist",
    );
    refused(
        b.write(|tx| tx.insert_encounter(patient, TemplateId(template.0 + 50), t(0), "nurse")),
        "a visit of a form that does not exist",
    );
    assert_eq!(
        ok(
            b.read(|tx| tx.list_encounters(&EncounterFilter::default())),
            "listing"
        ),
        [],
        "nothing was started"
    );
}
