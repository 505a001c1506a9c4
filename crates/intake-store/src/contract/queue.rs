//! The contract of what waits for review, which visit a review compares with,
//! outcomes and batch exports.

use intake_core::{AnswerSource, EncounterId, EncounterStatus};

use super::fixtures::{
    add_template, draft, key, ok, put, put_carried_as, put_from, setup, setup_draft, sign, submit,
    t,
};
use crate::prelude::*;
use crate::{CarriedFrom, QueueFilter};

pub fn review_queue_oldest_first_and_filtered<B: Backend>(b: &B) {
    let (patient, template) = setup(b);
    let mut ids = Vec::new();
    for (at, by) in [(300, "nurse"), (100, "bea"), (200, "nurse")] {
        let id = draft(b, patient, template, 0);
        ok(
            b.write(|tx| tx.submit_encounter(id, &[], t(at), by)),
            "submitting",
        );
        ids.push(id);
    }
    let signed = draft(b, patient, template, 0);
    submit(b, signed, 50);
    sign(b, signed, 60);
    draft(b, patient, template, 0);
    let queue = |f: QueueFilter| -> Vec<EncounterId> {
        ok(b.read(|tx| tx.review_queue(&f)), "reading the queue")
            .into_iter()
            .map(|r| r.encounter_id)
            .collect()
    };
    assert_eq!(
        queue(QueueFilter::default()),
        [ids[1], ids[2], ids[0]],
        "submitted ones only, oldest submission first"
    );
    assert_eq!(
        queue(QueueFilter {
            from: Some(t(200)),
            until: Some(t(300)),
            ..Default::default()
        }),
        [ids[2]],
        "from (inclusive) until (exclusive)"
    );
    assert_eq!(
        queue(QueueFilter {
            submitted_by: Some("nurse".into()),
            ..Default::default()
        }),
        [ids[2], ids[0]],
        "by who submitted"
    );
    let row = ok(
        b.read(|tx| tx.review_queue(&QueueFilter::default())),
        "reading",
    )
    .into_iter()
    .next()
    .expect("a row");
    assert_eq!(
        (
            row.patient_id,
            row.template_id,
            row.patient_name.as_str(),
            row.mrn.as_str(),
            row.birth_date.as_str(),
            row.template_title.as_str(),
            row.submitted_at,
            row.submitted_by.as_str()
        ),
        (
            patient,
            template,
            "Zoë Łukasz",
            "000001-8",
            "1980-02-03",
            "Form f 1",
            t(100),
            "bea"
        ),
        "what the queue shows"
    );
}

pub fn review_count_counts_the_waiting<B: Backend>(b: &B) {
    let (patient, template) = setup(b);
    assert_eq!(ok(b.read(|tx| tx.review_count()), "counting"), 0);
    for _ in 0..3 {
        let id = draft(b, patient, template, 0);
        submit(b, id, 10);
    }
    let id = draft(b, patient, template, 0);
    submit(b, id, 10);
    sign(b, id, 20);
    draft(b, patient, template, 0);
    assert_eq!(
        ok(b.read(|tx| tx.review_count()), "counting"),
        3,
        "submitted, not signed or drafts"
    );
}

pub fn review_submitters_each_once<B: Backend>(b: &B) {
    let (patient, template) = setup(b);
    for by in ["nurse", "bea", "nurse"] {
        let id = draft(b, patient, template, 0);
        ok(
            b.write(|tx| tx.submit_encounter(id, &[], t(10), by)),
            "submitting",
        );
    }
    let id = draft(b, patient, template, 0);
    ok(
        b.write(|tx| tx.submit_encounter(id, &[], t(10), "carl")),
        "submitting",
    );
    sign(b, id, 20);
    assert_eq!(
        ok(b.read(|tx| tx.review_submitters()), "reading"),
        ["bea", "nurse"],
        "who submitted what waits, by name, once each"
    );
}

pub fn previous_visit_of_the_same_form_that_counts<B: Backend>(b: &B) {
    let (patient, form_v1) = setup(b);
    let form_v2 = add_template(b, "f", "2");
    let other_form = add_template(b, "g", "1");
    let first = draft(b, patient, form_v1, 10);
    submit(b, first, 11);
    sign(b, first, 12);
    let unsent = draft(b, patient, form_v1, 20);
    let other = draft(b, patient, other_form, 30);
    submit(b, other, 31);
    let wrong = draft(b, patient, form_v1, 35);
    submit(b, wrong, 36);
    ok(
        b.write(|tx| tx.mark_encounter_in_error(wrong, "wrong patient", t(37), "admin")),
        "marking",
    );
    let second = draft(b, patient, form_v2, 40);
    submit(b, second, 41);
    let current = draft(b, patient, form_v1, 50);
    let previous = |id| ok(b.read(|tx| tx.previous_visit(id)), "reading");
    assert_eq!(
        previous(current),
        Some(second),
        "the newest earlier visit of the same form, any version"
    );
    assert_eq!(
        previous(second),
        Some(first),
        "drafts, entered in error and other forms do not count"
    );
    assert_eq!(previous(first), None, "the first visit has none");
    assert_eq!(previous(unsent), Some(first));

    // A chart merged into this one counts too, while the merge stands.
    let twin = super::fixtures::add_patient(
        b,
        &super::fixtures::person("Twin", "Chart", "1980-01-01"),
        "T-1",
    );
    let theirs = draft(b, twin, form_v1, 45);
    submit(b, theirs, 46);
    let merge = ok(
        b.write(|tx| tx.insert_patient_merge(twin, patient, "same person", t(47), "admin")),
        "merging",
    );
    assert_eq!(
        previous(current),
        Some(theirs),
        "the merged chart's newer visit is the previous one"
    );
    ok(
        b.write(|tx| tx.undo_patient_merge(merge, t(48), "admin")),
        "undoing",
    );
    assert_eq!(
        previous(current),
        Some(second),
        "after the undo, only this chart's visits count"
    );
}

pub fn outcomes_count_answers_by_where_they_came_from<B: Backend>(b: &B) {
    let (patient, template, id) = setup_draft(b);
    let from = CarriedFrom {
        encounter: draft(b, patient, template, 0),
        date: t(1),
        author: "maria".into(),
        confirmed_by: None,
    };
    let carry = |k: &str| put_carried_as(b, id, &from, k, r#"[{"valueString":"old"}]"#, false);
    let one = r#"[{"valueString":"x"}]"#;
    carry("kept");
    carry("edited");
    ok(put(b, id, "edited", one), "typing over");
    ok(put(b, id, "typed", one), "typing");
    ok(
        put_from(b, id, "bound", one, AnswerSource::Record),
        "binding",
    );
    ok(
        put_from(b, id, "first", one, AnswerSource::Initial),
        "an initial value",
    );
    ok(
        put_from(b, id, "bmi", one, AnswerSource::Calculated),
        "calculating",
    );
    ok(put(b, id, "row", "[]"), "a row of a group");
    ok(put(b, id, "hidden", one), "a disabled item's answer");
    ok(
        b.write(|tx| tx.submit_encounter(id, &[key("hidden")], t(600), "nurse")),
        "submitting",
    );
    let drafted = draft(b, patient, template, 5);
    ok(put(b, drafted, "typed", one), "typing");
    let late = draft(b, patient, template, 6);
    submit(b, late, 7200);
    let rows = ok(b.read(|tx| tx.outcomes(t(0), t(3600))), "reading outcomes");
    assert_eq!(rows.len(), 1, "submitted in the range only; never drafts");
    let r = &rows[0];
    assert_eq!(
        (r.encounter_id, r.mrn.as_str(), r.started_at, r.submitted_at),
        (id, "000001-8", t(0), t(600))
    );
    assert_eq!(
        (
            r.answered,
            r.carried_unchanged,
            r.carried_edited,
            r.typed,
            r.prefilled
        ),
        (5, 1, 1, 1, 2),
        "answered, carried unchanged, carried then edited, typed, pre-filled \
         (not calculated, empty rows or answers left out of the record)"
    );
    assert_eq!(
        ok(b.read(|tx| tx.outcomes(t(0), t(600))), "reading").len(),
        0,
        "the end of the range is exclusive"
    );
}

pub fn export_candidates_in_range_with_the_statuses<B: Backend>(b: &B) {
    let (patient, template) = setup(b);
    let early = draft(b, patient, template, 100);
    submit(b, early, 101);
    sign(b, early, 102);
    let within_draft = draft(b, patient, template, 200);
    let within_signed = draft(b, patient, template, 150);
    submit(b, within_signed, 151);
    sign(b, within_signed, 152);
    let at_end = draft(b, patient, template, 300);
    submit(b, at_end, 301);
    let candidates = |statuses: &[EncounterStatus]| {
        ok(
            b.read(|tx| tx.export_candidates(t(100), t(300), statuses)),
            "reading candidates",
        )
    };
    assert_eq!(
        candidates(&[EncounterStatus::Signed, EncounterStatus::Amended]),
        [early, within_signed],
        "started from (inclusive) until (exclusive), with those statuses, oldest first"
    );
    assert_eq!(
        candidates(&[EncounterStatus::Draft, EncounterStatus::Submitted]),
        [within_draft]
    );
    assert_eq!(candidates(&[]), [], "no status, no visit");
}
