//! The contract of encounters and their answers.

use intake_core::{AnswerSource, EncounterId, EncounterStatus, PatientId};

use super::fixtures::{
    carried_from, draft, encounter, key, ok, put, put_carried, refused, setup, setup_draft, submit,
    t, values,
};
use crate::prelude::*;
use crate::{encode_values, EncounterFilter};

pub fn insert_encounter_starts_a_draft<B: Backend>(b: &B) {
    let (patient, template) = setup(b);
    let id = draft(b, patient, template, 7);
    let e = encounter(b, id);
    assert_eq!(
        (e.id, e.patient_id, e.mrn.as_str(), e.patient_name.as_str()),
        (id, patient, "000001-8", "Zoë Łukasz"),
        "the patient's MRN and name beside it"
    );
    assert_eq!(
        (
            e.template_id,
            e.template_slug.as_str(),
            e.template_version.as_str(),
            e.template_title.as_str()
        ),
        (template, "f", "1", "Form f 1"),
        "the form beside it"
    );
    assert_eq!(
        (
            e.status,
            e.section.as_deref(),
            e.started_at,
            e.started_by.as_str(),
            e.updated_at
        ),
        (EncounterStatus::Draft, None, t(7), "nurse", t(7)),
        "a draft, started now"
    );
    assert_eq!(
        (e.submitted_at, e.submitted_by.as_deref(), e.answered),
        (None, None, 0)
    );
    assert!(
        e.carry_notes.is_none()
            && e.signed_at.is_none()
            && e.signed_by.is_none()
            && e.amending.is_none()
            && e.amended.is_none()
            && e.returned.is_none()
            && e.in_error.is_none(),
        "nothing else happened to it yet: {e:?}"
    );
    assert_eq!(
        ok(b.read(|tx| tx.encounter(EncounterId(id.0 + 9))), "reading"),
        None,
        "a missing visit is None"
    );
}

pub fn list_encounters_newest_first_and_filtered<B: Backend>(b: &B) {
    let (patient, template, first) = setup_draft(b);
    let second = draft(b, patient, template, 100);
    let third = draft(b, patient, template, 50);
    submit(b, first, 200);
    let list = |f: EncounterFilter| -> Vec<EncounterId> {
        ok(b.read(|tx| tx.list_encounters(&f)), "listing")
            .into_iter()
            .map(|e| e.id)
            .collect()
    };
    assert_eq!(
        list(EncounterFilter::default()),
        [second, third, first],
        "newest start first"
    );
    assert_eq!(
        list(EncounterFilter {
            status: Some(EncounterStatus::Draft),
            ..Default::default()
        }),
        [second, third],
        "by status"
    );
    assert_eq!(
        list(EncounterFilter {
            patient_id: Some(PatientId(patient.0 + 1)),
            ..Default::default()
        }),
        [],
        "by patient"
    );
    assert_eq!(
        list(EncounterFilter {
            patient_id: Some(patient),
            limit: Some(1),
            ..Default::default()
        }),
        [second],
        "at most the limit"
    );
}

pub fn put_answer_counts_writes_and_keeps_the_values_text<B: Backend>(b: &B) {
    let (_, _, id) = setup_draft(b);
    assert_eq!(
        ok(put(b, id, "weight", r#"[{"valueDecimal":82}]"#), "writing"),
        1
    );
    assert_eq!(
        ok(
            put(b, id, "weight", r#"[{"valueDecimal":81.5}]"#),
            "writing"
        ),
        2,
        "each write counts"
    );
    let a = ok(b.read(|tx| tx.answer(id, &key("weight"))), "reading").expect("the answer");
    let v = values(r#"[{"valueDecimal":81.5}]"#);
    assert_eq!(
        (a.values_json.as_str(), &a.values, a.rev),
        (encode_values(&v).as_str(), &v, 2),
        "the latest values, as their exact encoded text and decoded"
    );
    assert_eq!(
        (a.link_id.as_str(), a.source, a.author.as_str(), a.at),
        ("weight", AnswerSource::Typed, "nurse", t(5))
    );
    assert!(
        a.in_record && a.carried.is_none() && !a.needs_confirmation && a.confirmed_by.is_none(),
        "a typed answer, in the record, nothing to confirm: {a:?}"
    );
    assert_eq!(encounter(b, id).answered, 1, "one answer row");
}

pub fn answer_reads_one_key<B: Backend>(b: &B) {
    let (_, _, id) = setup_draft(b);
    ok(
        put(b, id, "reason", r#"[{"valueString":"cough"}]"#),
        "writing",
    );
    let found = ok(b.read(|tx| tx.answer(id, &key("reason"))), "reading");
    assert_eq!(found.map(|a| a.key), Some(key("reason")));
    assert_eq!(
        ok(b.read(|tx| tx.answer(id, &key("weight"))), "reading"),
        None,
        "a key never written has no answer"
    );
}

pub fn answers_come_by_key<B: Backend>(b: &B) {
    let (patient, template, id) = setup_draft(b);
    let other = draft(b, patient, template, 1);
    for k in ["weight", "medication[1]/med-name", "reason"] {
        ok(put(b, id, k, r#"[{"valueString":"Zoë's"}]"#), "writing");
    }
    ok(put(b, other, "other", "[]"), "writing");
    let keys: Vec<String> = ok(b.read(|tx| tx.answers(id)), "reading")
        .into_iter()
        .map(|a| a.key.to_string())
        .collect();
    assert_eq!(
        keys,
        ["medication[1]/med-name", "reason", "weight"],
        "this visit's answers, by key text (byte order)"
    );
}

pub fn save_receipts_are_found_by_visit_and_key_and_expire_after_a_day<B: Backend>(b: &B) {
    let (patient, template, id) = setup_draft(b);
    let other = draft(b, patient, template, 0);
    let receipt = |visit, save: &str| ok(b.read(|tx| tx.save_receipt(visit, save)), "reading");
    assert_eq!(receipt(id, "s-1"), None, "no receipt before the save");
    ok(
        b.write(|tx| tx.add_save_receipt(id, "s-1", "nurse", t(10))),
        "keeping a receipt",
    );
    assert_eq!(receipt(id, "s-1"), Some(("nurse".to_string(), t(10))));
    assert_eq!(receipt(other, "s-1"), None, "a key belongs to its visit");
    assert_eq!(receipt(id, "s-2"), None);
    // A day later, a new receipt clears the visit's old ones.
    ok(
        b.write(|tx| tx.add_save_receipt(id, "s-2", "nurse", t(10 + 86_401))),
        "keeping a receipt",
    );
    assert_eq!(receipt(id, "s-1"), None, "older than a day: gone");
    assert_eq!(
        receipt(id, "s-2"),
        Some(("nurse".to_string(), t(10 + 86_401)))
    );
}

pub fn confirm_answer_once<B: Backend>(b: &B) {
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
    let a = ok(
        b.read(|tx| tx.answer(id, &key("medication[1]/med-name"))),
        "reading",
    )
    .expect("the answer");
    assert_eq!(
        (
            a.source,
            a.carried.as_ref(),
            a.needs_confirmation,
            a.confirmed_by.as_deref()
        ),
        (AnswerSource::Carried, Some(&from), true, None),
        "carried, with where it came from, waiting for confirmation"
    );
    assert!(
        ok(
            b.write(|tx| tx.confirm_answer(id, &key("medication[1]/med-name"), t(3), "nurse")),
            "confirming"
        ),
        "there was one to confirm"
    );
    assert!(
        !ok(
            b.write(|tx| tx.confirm_answer(id, &key("medication[1]/med-name"), t(4), "bea")),
            "confirming"
        ),
        "confirmed once only"
    );
    assert!(
        !ok(
            b.write(|tx| tx.confirm_answer(id, &key("none"), t(4), "bea")),
            "confirming"
        ),
        "a missing answer has nothing to confirm"
    );
    let a = ok(
        b.read(|tx| tx.answer(id, &key("medication[1]/med-name"))),
        "reading",
    )
    .expect("the answer");
    assert_eq!(
        (a.confirmed_by.as_deref(), a.confirmed_at, a.rev),
        (Some("nurse"), Some(t(3)), 1),
        "who and when; confirming is not a new value"
    );
}

pub fn set_carry_notes_keeps_the_text<B: Backend>(b: &B) {
    let (_, _, id) = setup_draft(b);
    let notes = r#"{"skipped": [{"visit": 3, "why": "its record is damaged: not used"}]}"#;
    ok(b.write(|tx| tx.set_carry_notes(id, notes)), "keeping notes");
    assert_eq!(
        encounter(b, id).carry_notes.as_deref(),
        Some(notes),
        "the notes, exactly"
    );
}

pub fn delete_answer_then_write_again_goes_on_counting<B: Backend>(b: &B) {
    let (_, _, id) = setup_draft(b);
    ok(
        put(b, id, "reason", r#"[{"valueString":"cough"}]"#),
        "writing",
    );
    ok(
        put(b, id, "reason", r#"[{"valueString":"fever"}]"#),
        "writing",
    );
    assert!(
        ok(
            b.write(|tx| tx.delete_answer(id, &key("reason"))),
            "removing"
        ),
        "there was one"
    );
    assert!(
        !ok(
            b.write(|tx| tx.delete_answer(id, &key("reason"))),
            "removing"
        ),
        "not twice"
    );
    assert_eq!(ok(b.read(|tx| tx.answers(id)), "reading"), [], "gone");
    assert_eq!(
        ok(
            put(b, id, "reason", r#"[{"valueString":"rash"}]"#),
            "writing"
        ),
        3,
        "written again, the count goes on from its history"
    );
}

pub fn touch_encounter_records_time_and_section<B: Backend>(b: &B) {
    let (_, _, id) = setup_draft(b);
    ok(
        b.write(|tx| tx.touch_encounter(id, Some("vitals"), t(30))),
        "touching",
    );
    let e = encounter(b, id);
    assert_eq!(
        (e.updated_at, e.section.as_deref()),
        (t(30), Some("vitals"))
    );
    ok(
        b.write(|tx| tx.touch_encounter(id, None, t(40))),
        "touching",
    );
    let e = encounter(b, id);
    assert_eq!(
        (e.updated_at, e.section.as_deref()),
        (t(40), Some("vitals")),
        "no section given keeps the one there"
    );
}

pub fn submit_encounter_moves_a_draft_and_marks_the_record<B: Backend>(b: &B) {
    let (_, _, id) = setup_draft(b);
    ok(
        put(b, id, "reason", r#"[{"valueString":"cough"}]"#),
        "writing",
    );
    ok(
        put(b, id, "pregnant", r#"[{"valueBoolean":false}]"#),
        "writing",
    );
    ok(
        b.write(|tx| tx.submit_encounter(id, &[key("pregnant")], t(60), "nurse")),
        "submitting",
    );
    let in_record: Vec<(String, bool)> = ok(b.read(|tx| tx.answers(id)), "reading")
        .into_iter()
        .map(|a| (a.key.to_string(), a.in_record))
        .collect();
    assert_eq!(
        in_record,
        [
            ("pregnant".to_string(), false),
            ("reason".to_string(), true)
        ],
        "a left-out answer is kept, out of the record"
    );
    let e = encounter(b, id);
    assert_eq!(
        (
            e.status,
            e.submitted_at,
            e.submitted_by.as_deref(),
            e.updated_at
        ),
        (
            EncounterStatus::Submitted,
            Some(t(60)),
            Some("nurse"),
            t(60)
        )
    );
    refused(
        b.write(|tx| tx.submit_encounter(id, &[], t(70), "bea")),
        "submitting a visit again",
    );
    let e = encounter(b, id);
    assert_eq!(
        (e.status, e.submitted_at, e.submitted_by.as_deref()),
        (EncounterStatus::Submitted, Some(t(60)), Some("nurse")),
        "a refused submission changes nothing"
    );
}

pub fn last_visits_leave_out_entered_in_error<B: Backend>(b: &B) {
    let (patient, template, _) = setup_draft(b);
    draft(b, patient, template, 100);
    let wrong = draft(b, patient, template, 500);
    ok(
        b.write(|tx| tx.mark_encounter_in_error(wrong, "wrong patient", t(501), "admin")),
        "marking",
    );
    let other = super::fixtures::add_patient(
        b,
        &super::fixtures::person("Other", "One", "1990-01-01"),
        "A-2",
    );
    let last = ok(b.read(|tx| tx.last_visits(&[patient, other])), "reading");
    assert_eq!(
        last,
        [(patient, t(100), EncounterStatus::Draft)],
        "the newest visit not entered in error, with its status; a patient without visits is left out"
    );
    let third = super::fixtures::add_patient(
        b,
        &super::fixtures::person("Third", "One", "1991-01-01"),
        "A-3",
    );
    draft(b, third, template, 300);
    draft(b, third, template, 200);
    let last = ok(
        b.read(|tx| tx.last_visits(&[third, other, patient])),
        "reading",
    );
    assert_eq!(
        last,
        [
            (third, t(300), EncounterStatus::Draft),
            (patient, t(100), EncounterStatus::Draft)
        ],
        "a page of patients at once: each one's own newest visit, in the order asked"
    );
}

pub fn answers_at_reads_a_page_of_visits_answers_in_the_order_asked<B: Backend>(b: &B) {
    let (patient, template, first) = setup_draft(b);
    let second = draft(b, patient, template, 10);
    let third = draft(b, patient, template, 20);
    ok(
        put(b, first, "reason", r#"[{"valueString":"Cough"}]"#),
        "first",
    );
    ok(
        put(b, second, "reason", r#"[{"valueString":"Rash"}]"#),
        "second",
    );
    ok(
        put(b, second, "note", r#"[{"valueString":"not asked for"}]"#),
        "a note",
    );
    ok(
        put(b, third, "note", r#"[{"valueString":"no reason here"}]"#),
        "third",
    );
    let wanted = [
        (second, key("reason")),
        (third, key("reason")),
        (first, key("reason")),
        (second, key("note")),
    ];
    let found = ok(b.read(|tx| tx.answers_at(&wanted)), "reading");
    let shown: Vec<(EncounterId, String, String)> = found
        .iter()
        .map(|(id, a)| (*id, a.key.to_string(), a.values_json.clone()))
        .collect();
    assert_eq!(
        shown,
        [
            (
                second,
                "reason".to_string(),
                r#"[{"valueString":"Rash"}]"#.to_string()
            ),
            (
                first,
                "reason".to_string(),
                r#"[{"valueString":"Cough"}]"#.to_string()
            ),
            (
                second,
                "note".to_string(),
                r#"[{"valueString":"not asked for"}]"#.to_string()
            ),
        ],
        "each visit's answer for its own key, in the order asked; none where it has none"
    );
    assert!(
        ok(b.read(|tx| tx.answers_at(&[])), "reading").is_empty(),
        "nothing asked, nothing read"
    );
}
