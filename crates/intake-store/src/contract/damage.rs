//! The contract on damage: a stored value the store cannot read back is
//! [`StoreError::Damaged`] naming the table and the row, never a default, and the row is
//! left as it is.

use intake_core::{EncounterStatus, Role};

use super::fixtures::{add_patient, add_user, ok, person, put, setup, setup_draft, t};
use super::{Damage, Tamper};
use crate::prelude::*;
use crate::{EncounterFilter, StoreError};

/// Asserts `r` is damage in `table`, its message naming each of `names`.
fn damaged<T: std::fmt::Debug>(r: Result<T, StoreError>, table: &str, names: &[&str]) {
    match r {
        Err(e @ StoreError::Damaged { .. }) => {
            let text = e.to_string();
            let StoreError::Damaged { table: found, .. } = &e else {
                unreachable!("matched above")
            };
            assert_eq!(*found, table, "the damaged table is named: {text}");
            for name in names {
                assert!(text.contains(name), "the damage names {name:?}: {text}");
            }
        }
        other => panic!("a damaged {table} value must be StoreError::Damaged, got {other:?}"),
    }
}

fn plant<B: Tamper>(b: &B, damage: Damage) {
    ok(b.plant(&damage), "planting damage");
}

pub fn damaged_answer_values_are_named<B: Tamper>(b: &B) {
    let (_, _, id) = setup_draft(b);
    ok(put(b, id, "weight", r#"[{"valueDecimal":82}]"#), "writing");
    ok(
        put(b, id, "reason", r#"[{"valueString":"cough"}]"#),
        "writing",
    );
    for text in [
        r#"[{"valueDecimal":"#,
        r#"{"valueDecimal":82}"#,
        r#"[{"valueNothing":1}]"#,
    ] {
        plant(
            b,
            Damage::AnswerValues {
                encounter: id,
                key: "weight".into(),
                text: text.into(),
            },
        );
        let visit = format!("visit {id}");
        damaged(
            b.read(|tx| tx.answers(id)),
            "encounter_answers",
            &[&visit, "weight"],
        );
        damaged(
            b.read(|tx| tx.answer(id, &super::fixtures::key("weight"))),
            "encounter_answers",
            &[&visit, "weight"],
        );
    }
    let other = ok(
        b.read(|tx| tx.answer(id, &super::fixtures::key("reason"))),
        "reading another answer",
    );
    assert!(other.is_some(), "another answer of the visit still reads");
}

pub fn damaged_answer_key_is_named<B: Tamper>(b: &B) {
    let (_, _, id) = setup_draft(b);
    ok(put(b, id, "weight", "[]"), "writing");
    plant(
        b,
        Damage::AnswerKey {
            encounter: id,
            key: "weight".into(),
            text: "vitals//weight".into(),
        },
    );
    damaged(
        b.read(|tx| tx.answers(id)),
        "encounter_answers",
        &[&format!("visit {id}"), "\"vitals//weight\""],
    );
}

pub fn unknown_encounter_status_is_named<B: Tamper>(b: &B) {
    let (patient, template, id) = setup_draft(b);
    let fine = super::fixtures::draft(b, patient, template, 1);
    plant(
        b,
        Damage::EncounterStatus {
            encounter: id,
            word: "archived".into(),
        },
    );
    let visit = format!("visit {id}");
    damaged(
        b.read(|tx| tx.encounter(id)),
        "encounters",
        &[&visit, "\"archived\""],
    );
    // Read again: reading did not rewrite it to something readable.
    damaged(
        b.read(|tx| tx.encounter(id)),
        "encounters",
        &["\"archived\""],
    );
    damaged(
        b.read(|tx| tx.list_encounters(&EncounterFilter::default())),
        "encounters",
        &[&visit],
    );
    damaged(
        b.read(|tx| tx.export_candidates(t(-10), t(10), &[EncounterStatus::Draft])),
        "encounters",
        &[&visit],
    );
    assert_eq!(
        super::fixtures::encounter(b, fine).status,
        EncounterStatus::Draft,
        "another visit still reads"
    );
}

pub fn unknown_template_status_is_named<B: Tamper>(b: &B) {
    let (_, template) = setup(b);
    plant(
        b,
        Damage::TemplateStatus {
            template,
            word: "withdrawn".into(),
        },
    );
    damaged(
        b.read(|tx| tx.template("f", "1")),
        "templates",
        &["f 1", "withdrawn"],
    );
    damaged(b.read(|tx| tx.list_templates()), "templates", &["f 1"]);
}

pub fn unknown_user_role_is_named<B: Tamper>(b: &B) {
    let id = add_user(b, "anna", Role::Nurse);
    plant(
        b,
        Damage::UserRole {
            user: id,
            word: "janitor".into(),
        },
    );
    damaged(b.read(|tx| tx.user_by_id(id)), "users", &["janitor"]);
    damaged(b.read(|tx| tx.list_users()), "users", &["janitor"]);
}

pub fn unknown_patient_sex_is_named<B: Tamper>(b: &B) {
    let id = add_patient(b, &person("Łukasz", "Zoë", "1980-02-03"), "A-1");
    plant(
        b,
        Damage::PatientSex {
            patient: id,
            word: "f".into(),
        },
    );
    damaged(
        b.read(|tx| tx.patient(id)),
        "patients",
        &[&format!("patient {id}"), "\"f\""],
    );
    damaged(
        b.read(|tx| tx.patient_by_mrn("A-1")),
        "patients",
        &["patient"],
    );
}

pub fn damaged_session_time_is_named<B: Tamper>(b: &B) {
    let user = add_user(b, "anna", Role::Nurse);
    let session = ok(
        b.write(|tx| tx.insert_session("h", user, t(0))),
        "opening a session",
    );
    plant(
        b,
        Damage::SessionLastSeen {
            session,
            text: "yesterday".into(),
        },
    );
    match b.read(|tx| tx.session_by_token_hash("h")) {
        Err(StoreError::Damaged { why, .. }) => {
            assert!(
                why.contains("yesterday"),
                "the unreadable time is named: {why}"
            )
        }
        other => panic!("an unreadable time must be StoreError::Damaged, got {other:?}"),
    }
}
