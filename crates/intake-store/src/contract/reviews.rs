//! The contract of review: signatures, returns, amendments, entered in error.

use chrono::{DateTime, Utc};
use intake_core::{EncounterId, EncounterStatus, EventKind};

use super::fixtures::{
    draft, encounter, key, ok, put, put_carried, record_of, refused, setup_draft, sign, submit, t,
};
use crate::prelude::*;
use crate::{AnswerRow, CarriedFrom, EventRef, Signature};

/// An event as compared: seq, kind, at, by, text.
type Seen = (i64, EventKind, DateTime<Utc>, String, Option<String>);

fn kinds<B: Backend>(b: &B, id: EncounterId) -> Vec<EventKind> {
    ok(b.read(|tx| tx.encounter_events(id)), "reading events")
        .into_iter()
        .map(|e| e.kind)
        .collect()
}

fn signed_visit<B: Backend>(b: &B) -> EncounterId {
    let (_, _, id) = setup_draft(b);
    ok(put(b, id, "weight", r#"[{"valueDecimal":82}]"#), "writing");
    submit(b, id, 10);
    sign(b, id, 20);
    id
}

pub fn encounter_events_oldest_first<B: Backend>(b: &B) {
    let (_, _, id) = setup_draft(b);
    submit(b, id, 10);
    ok(
        b.write(|tx| tx.return_encounter(id, "weight missing", t(11), "doctor")),
        "returning",
    );
    submit(b, id, 12);
    sign(b, id, 13);
    ok(
        b.write(|tx| tx.start_amendment(id, "typo", t(14), "doctor")),
        "amending",
    );
    ok(
        b.write(|tx| tx.discard_amendment(id, t(15), "doctor")),
        "discarding",
    );
    ok(
        b.write(|tx| tx.mark_encounter_in_error(id, "wrong patient", t(16), "admin")),
        "marking",
    );
    let events = ok(b.read(|tx| tx.encounter_events(id)), "reading");
    let seen: Vec<Seen> = events
        .iter()
        .map(|e| (e.seq, e.kind, e.at, e.by.clone(), e.text.clone()))
        .collect();
    assert_eq!(
        seen,
        [
            (
                1,
                EventKind::Returned,
                t(11),
                "doctor".into(),
                Some("weight missing".into())
            ),
            (2, EventKind::Signed, t(13), "doctor".into(), None),
            (
                3,
                EventKind::AmendmentStarted,
                t(14),
                "doctor".into(),
                Some("typo".into())
            ),
            (
                4,
                EventKind::AmendmentDiscarded,
                t(15),
                "doctor".into(),
                None
            ),
            (
                5,
                EventKind::EnteredInError,
                t(16),
                "admin".into(),
                Some("wrong patient".into())
            ),
        ],
        "every event, numbered per visit, oldest first"
    );
}

pub fn mark_in_record_leaves_out_the_keys_given<B: Backend>(b: &B) {
    let (_, _, id) = setup_draft(b);
    ok(put(b, id, "a", "[]"), "writing");
    ok(put(b, id, "b", "[]"), "writing");
    let in_record = |b: &B| -> Vec<bool> {
        ok(b.read(|tx| tx.answers(id)), "reading")
            .into_iter()
            .map(|a| a.in_record)
            .collect()
    };
    ok(b.write(|tx| tx.mark_in_record(id, &[key("a")])), "marking");
    assert_eq!(in_record(b), [false, true], "the key given is left out");
    ok(b.write(|tx| tx.mark_in_record(id, &[])), "marking");
    assert_eq!(
        in_record(b),
        [true, true],
        "every other answer is in the record again"
    );
}

pub fn sign_encounter_keeps_the_record_text_exactly<B: Backend>(b: &B) {
    let (_, _, id) = setup_draft(b);
    submit(b, id, 10);
    let record = "{\"b\": 1,  \"a\": \"Zoë\",\n\"c\": [1.50, 2e3]}";
    let sha = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";
    ok(
        b.write(|tx| {
            tx.sign_encounter(
                id,
                Signature::First,
                record_of(record, sha),
                t(20),
                "doctor",
            )
        }),
        "signing",
    );
    let e = encounter(b, id);
    assert_eq!(
        (e.status, e.signed_at, e.signed_by.as_deref(), e.updated_at),
        (EncounterStatus::Signed, Some(t(20)), Some("doctor"), t(20))
    );
    let events = ok(b.read(|tx| tx.encounter_events(id)), "reading");
    assert_eq!(events.len(), 1, "one signature event");
    assert_eq!(
        (
            events[0].record_json.as_deref(),
            events[0].record_sha256.as_deref(),
            events[0].record_form,
        ),
        (Some(record), Some(sha), Some(2)),
        "the signed record, its hash and its form, byte for byte"
    );
}

pub fn sign_encounter_amendment_closes_it<B: Backend>(b: &B) {
    let id = signed_visit(b);
    ok(
        b.write(|tx| tx.start_amendment(id, "wrong weight", t(30), "doctor")),
        "amending",
    );
    ok(put(b, id, "weight", r#"[{"valueDecimal":81}]"#), "changing");
    ok(
        b.write(|tx| {
            tx.sign_encounter(
                id,
                Signature::Amendment,
                record_of("{\"v\":2}", "h2"),
                t(40),
                "doctor",
            )
        }),
        "signing the amendment",
    );
    let e = encounter(b, id);
    assert_eq!(
        (e.status, e.signed_at, e.amending),
        (EncounterStatus::Amended, Some(t(40)), None),
        "amended, signed again, no amendment open"
    );
    assert_eq!(
        e.amended,
        Some(EventRef {
            by: "doctor".into(),
            at: t(40),
            text: "wrong weight".into()
        }),
        "the amendment with its reason"
    );
    let last = ok(b.read(|tx| tx.encounter_events(id)), "reading")
        .pop()
        .expect("events");
    assert_eq!(
        (
            last.kind,
            last.text.as_deref(),
            last.record_json.as_deref(),
            last.record_sha256.as_deref()
        ),
        (
            EventKind::Amended,
            Some("wrong weight"),
            Some("{\"v\":2}"),
            Some("h2")
        )
    );
}

pub fn return_encounter_makes_a_draft_again<B: Backend>(b: &B) {
    let (_, _, id) = setup_draft(b);
    ok(put(b, id, "a", "[]"), "writing");
    ok(
        b.write(|tx| tx.submit_encounter(id, &[key("a")], t(10), "nurse")),
        "submitting",
    );
    ok(
        b.write(|tx| tx.return_encounter(id, "please weigh again", t(20), "doctor")),
        "returning",
    );
    let e = encounter(b, id);
    assert_eq!(
        (e.status, e.submitted_at, e.submitted_by, e.updated_at),
        (EncounterStatus::Draft, None, None, t(20)),
        "a draft again, not submitted"
    );
    assert_eq!(
        e.returned,
        Some(EventRef {
            by: "doctor".into(),
            at: t(20),
            text: "please weigh again".into()
        }),
        "with the comment"
    );
    let a = ok(b.read(|tx| tx.answer(id, &key("a"))), "reading").expect("the answer");
    assert!(a.in_record, "every answer is in the record again");
    submit(b, id, 30);
    assert_eq!(
        encounter(b, id).returned,
        None,
        "the return shows only while a draft"
    );
}

pub fn start_amendment_opens_the_answers<B: Backend>(b: &B) {
    let id = signed_visit(b);
    ok(
        b.write(|tx| tx.start_amendment(id, "typo", t(30), "doctor")),
        "amending",
    );
    let e = encounter(b, id);
    assert_eq!(
        (e.status, e.updated_at),
        (EncounterStatus::Signed, t(30)),
        "still signed while amended"
    );
    assert_eq!(
        e.amending,
        Some(EventRef {
            by: "doctor".into(),
            at: t(30),
            text: "typo".into()
        }),
        "the amendment in progress, with its reason"
    );
    assert_eq!(
        ok(put(b, id, "weight", r#"[{"valueDecimal":80}]"#), "changing"),
        2,
        "its answers may change"
    );
}

pub fn discard_amendment_closes_it_unsigned<B: Backend>(b: &B) {
    let id = signed_visit(b);
    ok(
        b.write(|tx| tx.start_amendment(id, "typo", t(30), "doctor")),
        "amending",
    );
    ok(
        b.write(|tx| tx.discard_amendment(id, t(35), "doctor")),
        "discarding",
    );
    let e = encounter(b, id);
    assert_eq!(
        (e.status, e.amending, e.amended, e.updated_at),
        (EncounterStatus::Signed, None, None, t(35)),
        "signed as before, nothing open"
    );
    assert_eq!(
        kinds(b, id),
        [
            EventKind::Signed,
            EventKind::AmendmentStarted,
            EventKind::AmendmentDiscarded
        ]
    );
    refused(
        put(b, id, "weight", r#"[{"valueDecimal":70}]"#),
        "changing an answer after the amendment was discarded",
    );
}

pub fn mark_encounter_in_error_with_its_reason<B: Backend>(b: &B) {
    let id = signed_visit(b);
    ok(
        b.write(|tx| tx.start_amendment(id, "typo", t(30), "doctor")),
        "amending",
    );
    ok(
        b.write(|tx| tx.mark_encounter_in_error(id, "wrong patient", t(40), "admin")),
        "marking",
    );
    let e = encounter(b, id);
    assert_eq!(
        (e.status, e.amending, e.updated_at),
        (EncounterStatus::EnteredInError, None, t(40)),
        "entered in error; the amendment in progress ends with it"
    );
    assert_eq!(
        e.in_error,
        Some(EventRef {
            by: "admin".into(),
            at: t(40),
            text: "wrong patient".into()
        })
    );
}

pub fn restore_answer_puts_it_back_exactly<B: Backend>(b: &B) {
    let (patient, template, id) = setup_draft(b);
    let from = CarriedFrom {
        encounter: draft(b, patient, template, 0),
        date: t(1),
        author: "maria".into(),
        confirmed_by: None,
    };
    let k = key("smoker");
    put_carried(b, id, &from, "smoker", r#"[{"valueBoolean":true}]"#);
    ok(
        b.write(|tx| tx.confirm_answer(id, &k, t(3), "nurse")),
        "confirming",
    );
    let saved = ok(b.read(|tx| tx.answer(id, &k)), "reading").expect("the answer");
    // Kept text that is not how this version would encode it still comes back as kept.
    let kept = AnswerRow {
        values_json: "[ {\"valueBoolean\" : true} ]".into(),
        in_record: false,
        ..saved.clone()
    };
    ok(
        put(b, id, "smoker", r#"[{"valueBoolean":false}]"#),
        "typing over",
    );
    ok(b.write(|tx| tx.restore_answer(id, &kept)), "restoring");
    let back: AnswerRow = ok(b.read(|tx| tx.answer(id, &k)), "reading").expect("the answer");
    assert_eq!(
        AnswerRow {
            rev: saved.rev,
            ..back.clone()
        },
        kept,
        "value text, provenance, confirmation and in_record as kept"
    );
    assert_eq!(back.rev, 3, "restoring is a new write of the key");
    ok(b.write(|tx| tx.delete_answer(id, &k)), "removing");
    ok(
        b.write(|tx| tx.restore_answer(id, &kept)),
        "restoring a removed answer",
    );
    assert_eq!(
        ok(b.read(|tx| tx.answer(id, &k)), "reading").map(|a| a.values_json),
        Some(kept.values_json.clone()),
        "a removed answer comes back too"
    );
}

pub fn refused_signing_a_draft<B: Backend>(b: &B) {
    let (_, _, id) = setup_draft(b);
    refused(
        b.write(|tx| tx.sign_encounter(id, Signature::First, record_of("{}", "h"), t(1), "doctor")),
        "signing a draft",
    );
    let e = encounter(b, id);
    assert_eq!(
        (e.status, e.signed_at),
        (EncounterStatus::Draft, None),
        "still a draft"
    );
    assert_eq!(kinds(b, id), [], "no event was kept");
}

pub fn refused_returning_a_signed_encounter<B: Backend>(b: &B) {
    let id = signed_visit(b);
    refused(
        b.write(|tx| tx.return_encounter(id, "again", t(30), "doctor")),
        "returning a signed visit to a draft",
    );
    assert_eq!(
        encounter(b, id).status,
        EncounterStatus::Signed,
        "still signed"
    );
    assert_eq!(kinds(b, id), [EventKind::Signed]);
}

pub fn refused_amending_an_encounter_not_signed<B: Backend>(b: &B) {
    let (_, _, id) = setup_draft(b);
    refused(
        b.write(|tx| tx.start_amendment(id, "typo", t(1), "doctor")),
        "amending a draft",
    );
    submit(b, id, 2);
    refused(
        b.write(|tx| tx.start_amendment(id, "typo", t(3), "doctor")),
        "amending a submitted visit",
    );
    refused(
        b.write(|tx| {
            tx.sign_encounter(
                id,
                Signature::Amendment,
                record_of("{}", "h"),
                t(4),
                "doctor",
            )
        }),
        "signing an amendment of a visit never signed",
    );
    let e = encounter(b, id);
    assert_eq!(
        (e.status, e.amending),
        (EncounterStatus::Submitted, None),
        "submitted, nothing open"
    );
}

pub fn refused_leaving_entered_in_error<B: Backend>(b: &B) {
    let id = signed_visit(b);
    ok(
        b.write(|tx| tx.mark_encounter_in_error(id, "wrong patient", t(30), "admin")),
        "marking",
    );
    refused(
        b.write(|tx| tx.return_encounter(id, "back", t(31), "doctor")),
        "making a draft of a visit entered in error",
    );
    refused(
        b.write(|tx| {
            tx.sign_encounter(
                id,
                Signature::Amendment,
                record_of("{}", "h"),
                t(32),
                "doctor",
            )
        }),
        "amending a visit entered in error",
    );
    refused(
        b.write(|tx| tx.start_amendment(id, "typo", t(33), "doctor")),
        "opening an amendment of a visit entered in error",
    );
    assert_eq!(
        encounter(b, id).status,
        EncounterStatus::EnteredInError,
        "entered in error stays so"
    );
}
