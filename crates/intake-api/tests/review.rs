//! The physician's review through the API: the queue, what changed since the last visit,
//! signing that locks the record, returning to the nurse, amendments that keep every
//! signed version, entered in error, and who may do which.

use std::sync::Arc;

use chrono::{Duration, TimeZone, Utc};
use intake_api::wire::ChangeDto;
use intake_api::wire::PatientInputDto;
use intake_api::wire::ReviewDto;
use intake_api::wire::{AuditFilterDto, NewUserRequest};
use intake_api::{Api, ApiError, Caller, ErrorCode, ManualClock};
use serde_json::{json, Value};

const CLI: Caller<'static> = Caller::Cli("tester");

struct World {
    api: Api,
    clock: Arc<ManualClock>,
    nurse: String,
    physician: String,
    admin: String,
    patient: i64,
}

impl World {
    fn nurse(&self) -> Caller<'_> {
        Caller::Session(&self.nurse)
    }
    fn physician(&self) -> Caller<'_> {
        Caller::Session(&self.physician)
    }
    fn admin(&self) -> Caller<'_> {
        Caller::Session(&self.admin)
    }
    fn tick(&self) {
        self.clock.advance(Duration::minutes(1));
    }
}

fn world() -> World {
    let clock = Arc::new(ManualClock::new(
        Utc.with_ymd_and_hms(2026, 10, 2, 9, 0, 0).unwrap(),
    ));
    let api = Api::for_tests(clock.clone()).unwrap();
    intake_demo::seed_demo(&api, CLI).unwrap();
    let token = |name: &str| api.sign_in(name, "demo").unwrap().token;
    let (nurse, physician, admin) = (token("nurse"), token("physician"), token("admin"));
    let p = PatientInputDto {
        family: "Reviewed".into(),
        given: "Zoë".into(),
        birth_date: "1984-03-07".into(),
        sex: "female".into(),
        ..Default::default()
    };
    let patient = api
        .register_patient(CLI, &p, None)
        .unwrap()
        .patient
        .unwrap()
        .id;
    World {
        api,
        clock,
        nurse,
        physician,
        admin,
        patient,
    }
}

/// A second physician, signed in with a password of their own.
fn second_physician(w: &World) -> String {
    let request = NewUserRequest {
        username: "dr-second".into(),
        display_name: "Dr Second".into(),
        role: "physician".into(),
        password: "temporary-1".into(),
    };
    w.api.create_user(CLI, &request).unwrap();
    let token = w.api.sign_in("dr-second", "temporary-1").unwrap().token;
    w.api
        .change_password(Caller::Session(&token), "temporary-1", "second-password-1")
        .unwrap();
    w.api
        .sign_in("dr-second", "second-password-1")
        .unwrap()
        .token
}

fn change(key: &str, values: Value) -> ChangeDto {
    serde_json::from_value(json!({ "key": key, "values": values, "baseRev": 0 })).unwrap()
}

/// A visit submitted by the nurse: a reason, a weight and a medication.
fn submitted(w: &World, reason: &str, weight: f64, medication: &str) -> i64 {
    let e = w
        .api
        .start_intake(w.nurse(), w.patient, None, None)
        .unwrap();
    let intake = w.api.open_intake(w.nurse(), e.id).unwrap();
    // A repeat visit carries the medication list: confirm it, then write the new visit.
    let waiting: Vec<_> = intake
        .answers
        .iter()
        .filter(|a| a.needs_confirmation && a.confirmed_by.is_none())
        .map(|a| serde_json::from_value(json!({ "key": a.key, "baseRev": a.rev })).unwrap())
        .collect();
    if !waiting.is_empty() {
        w.api.confirm_intake(w.nurse(), e.id, &waiting).unwrap();
    }
    let mut changes = vec![
        change("visit/reason", json!([{ "valueString": reason }])),
        change("vitals/weight", json!([{ "valueDecimal": weight }])),
        change(
            "allergies/any-allergies",
            json!([{ "valueBoolean": false }]),
        ),
        change(
            "medications/any-medications",
            json!([{ "valueBoolean": true }]),
        ),
    ];
    if intake
        .answers
        .iter()
        .all(|a| a.key != "medications/medication[1]")
    {
        changes.push(change("medications/medication[1]", json!([])));
    }
    changes.push(change(
        "medications/medication[1]/med-name",
        json!([{ "valueString": medication }]),
    ));
    let base = |key: &str| {
        intake
            .answers
            .iter()
            .find(|a| a.key == key)
            .map_or(0, |a| a.rev)
    };
    for c in &mut changes {
        c.base_rev = base(&c.key);
    }
    w.api.save_intake(w.nurse(), e.id, &changes, None).unwrap();
    let done = w.api.submit_intake(w.nurse(), e.id).unwrap();
    assert!(done.submitted, "{:?}", done.problems);
    w.tick();
    e.id
}

fn sign(w: &World, caller: Caller<'_>, id: i64) -> Result<ReviewDto, ApiError> {
    let seen = w.api.open_review(caller, id)?;
    w.api.sign_intake(caller, id, &seen.record_hash)
}

fn weight(review: &ReviewDto) -> Vec<Value> {
    review
        .answers
        .iter()
        .find(|a| a.key == "vitals/weight")
        .map(|a| a.values.clone())
        .unwrap_or_default()
}

fn actions(w: &World) -> Vec<(String, Value)> {
    w.api
        .list_audit(CLI, &AuditFilterDto::default())
        .unwrap()
        .into_iter()
        .map(|e| (e.action, e.detail))
        .collect()
}

#[test]
fn a_submitted_intake_waits_in_the_queue_and_signing_locks_it() {
    let w = world();
    let first = submitted(&w, "Cough", 82.0, "Metformin");
    sign(&w, w.physician(), first).unwrap();
    let second = submitted(&w, "Weight loss", 76.0, "Lisinopril");

    let queue = w.api.review_queue(w.physician(), None, None, None).unwrap();
    let item = queue
        .items
        .iter()
        .find(|i| i.encounter_id == second)
        .expect("the submitted intake waits in the queue");
    assert_eq!(item.reason.as_deref(), Some("Weight loss"));
    assert_eq!((item.age, item.submitted_by.as_str()), (Some(42), "nurse"));
    assert!(
        queue.items.iter().all(|i| i.encounter_id != first),
        "a signed intake no longer waits"
    );
    assert!(
        queue
            .items
            .windows(2)
            .all(|p| p[0].submitted_at <= p[1].submitted_at),
        "oldest first"
    );
    let waiting = w.api.review_count(w.physician()).unwrap();

    let review = w.api.open_review(w.physician(), second).unwrap();
    assert_eq!(
        review.previous.as_ref().map(|p| p.encounter_id),
        Some(first),
        "compared with the last visit"
    );
    let weight_change = review
        .changes
        .questions
        .iter()
        .find(|q| q.link_id == "weight")
        .expect("the weight is compared");
    // A weight is this visit's finding: read against the last one, never "changed",
    // and flagged by the weight rule (≥ 5 % within 6 months).
    assert_eq!(
        (weight_change.kind, weight_change.change),
        ("finding", "changed")
    );
    assert_eq!(
        weight_change.text,
        "Weight 76 kg · last 82 kg, 02/10/2026, −7.3 %"
    );
    assert_eq!(
        weight_change.notable.as_deref(),
        Some("−7.3 % on the same day (rule: ≥ 5 % within 6 months)")
    );
    let meds = review
        .changes
        .lists
        .iter()
        .find(|l| l.link_id == "medication")
        .expect("the medication list is compared");
    let rows: Vec<(&str, &str)> = meds
        .rows
        .iter()
        .map(|r| (r.change, r.label.as_str()))
        .collect();
    assert_eq!(rows, [("added", "Lisinopril"), ("removed", "Metformin")]);
    assert!(
        meds.rows.iter().all(|r| r.notable.is_some()),
        "every medication started or stopped is notable"
    );
    let notable: Vec<(&str, &str)> = review
        .notable
        .iter()
        .map(|n| (n.kind, n.text.as_str()))
        .collect();
    assert_eq!(
        notable,
        [
            ("list", "Lisinopril: new"),
            ("list", "Metformin: stopped since the last visit"),
            ("finding", "Weight 76 kg · last 82 kg, 02/10/2026, −7.3 %"),
        ],
        "medication changes lead, then the weight"
    );
    let reason = review
        .changes
        .questions
        .iter()
        .find(|q| q.link_id == "reason")
        .expect("the reason is compared");
    assert_eq!(
        (reason.kind, reason.notable.as_deref()),
        ("finding", None),
        "a new reason is this visit's finding, not a notable change"
    );
    assert!(review.may.sign && review.may.return_to_nurse && !review.may.edit);
    assert!(
        review.attestation.contains("attest"),
        "{}",
        review.attestation
    );

    let signed = w
        .api
        .sign_intake(w.physician(), second, &review.record_hash)
        .unwrap();
    assert_eq!(signed.encounter.status, "signed");
    assert_eq!(signed.encounter.signed_by.as_deref(), Some("physician"));
    assert_eq!(signed.versions.len(), 1);
    assert_eq!(
        signed.people.get("physician").map(String::as_str),
        Some("Dr. Paul Okafor"),
        "the screen names the signer as the clinic knows them"
    );
    assert!(signed.people.contains_key("nurse"), "and who submitted it");
    assert_eq!(signed.versions[0].record_hash, signed.record_hash);
    assert!(signed.encounter.read_only && !signed.may.sign && signed.may.amend);
    assert_eq!(w.api.review_count(w.physician()).unwrap(), waiting - 1);

    // Read-only for everyone: the nurse and the physician alike.
    for caller in [w.nurse(), w.physician()] {
        let intake = w.api.open_intake(caller, second).unwrap();
        assert!(intake.encounter.read_only, "signed is read-only");
        let err = w
            .api
            .save_intake(
                caller,
                second,
                &[change("vitals/weight", json!([{ "valueDecimal": 70 }]))],
                None,
            )
            .unwrap_err();
        assert_eq!(err.code(), ErrorCode::Conflict, "{err}");
        assert!(err.to_string().contains("signed on"), "{err}");
    }
    assert_eq!(
        weight(&w.api.open_review(w.nurse(), second).unwrap()),
        [json!({ "valueDecimal": 76.0 })]
    );

    // Signing twice is refused, naming who signed.
    let err = w
        .api
        .sign_intake(w.physician(), second, &signed.record_hash)
        .unwrap_err();
    assert_eq!(err.code(), ErrorCode::Conflict);
    assert!(
        err.to_string().contains("already signed by physician"),
        "{err}"
    );

    let audited: Vec<String> = actions(&w).into_iter().map(|a| a.0).collect();
    for action in ["encounter.review_opened", "encounter.signed"] {
        assert!(audited.contains(&action.to_string()), "{action} is audited");
    }
}

#[test]
fn a_first_visit_has_nothing_to_compare_with() {
    let w = world();
    let first = submitted(&w, "Cough", 82.0, "Metformin");
    let review = w.api.open_review(w.physician(), first).unwrap();
    assert!(review.previous.is_none());
    assert!(
        review.changes.questions.iter().all(|q| q.change == "added"),
        "everything is new on a first visit"
    );
}

#[test]
fn signing_a_record_that_changed_since_it_was_opened_is_refused() {
    let w = world();
    let second = second_physician(&w);
    let id = submitted(&w, "Cough", 82.0, "Metformin");
    let seen = w.api.open_review(w.physician(), id).unwrap();

    // Meanwhile another physician returns it and the nurse corrects the weight.
    let theirs = w.api.open_review(Caller::Session(&second), id).unwrap();
    let back = w
        .api
        .return_intake(
            Caller::Session(&second),
            id,
            "Weight looks wrong: re-weigh?",
            &theirs.record_hash,
        )
        .unwrap();
    assert_eq!(back.encounter.status, "draft");
    let intake = w.api.open_intake(w.nurse(), id).unwrap();
    let returned = intake
        .encounter
        .returned
        .as_ref()
        .expect("the comment reaches the nurse");
    assert_eq!(
        (returned.by.as_str(), returned.comment.as_str()),
        ("dr-second", "Weight looks wrong: re-weigh?")
    );
    assert!(
        !intake.encounter.read_only,
        "a returned intake is a draft again"
    );
    assert_eq!(
        intake.people.get("dr-second").map(String::as_str),
        Some("Dr Second"),
        "the intake screen names who returned it as the clinic knows them"
    );
    let rev = intake
        .answers
        .iter()
        .find(|a| a.key == "vitals/weight")
        .unwrap()
        .rev;
    let mut fix = change("vitals/weight", json!([{ "valueDecimal": 80.5 }]));
    fix.base_rev = rev;
    w.api.save_intake(w.nurse(), id, &[fix], None).unwrap();
    assert!(w.api.submit_intake(w.nurse(), id).unwrap().submitted);
    assert!(
        w.api
            .open_intake(w.nurse(), id)
            .unwrap()
            .encounter
            .returned
            .is_none(),
        "once resubmitted, the return is history"
    );

    let err = w
        .api
        .sign_intake(w.physician(), id, &seen.record_hash)
        .unwrap_err();
    assert_eq!(err.code(), ErrorCode::Conflict);
    assert!(
        err.to_string().contains("changed since you opened it"),
        "{err}"
    );
    let fresh = w.api.open_review(w.physician(), id).unwrap();
    assert_eq!(fresh.encounter.status, "submitted", "nothing was signed");
    assert_eq!(
        weight(&fresh),
        [json!({ "valueDecimal": 80.5 })],
        "the new version is shown"
    );
    let signed = w
        .api
        .sign_intake(w.physician(), id, &fresh.record_hash)
        .unwrap();
    assert_eq!(signed.encounter.status, "signed");
    let kinds: Vec<&str> = signed.events.iter().map(|e| e.kind.as_str()).collect();
    assert_eq!(kinds, ["returned", "signed"]);
    assert!(
        actions(&w)
            .iter()
            .any(|(a, d)| a == "encounter.returned"
                && d["comment"] == "Weight looks wrong: re-weigh?")
    );
}

#[test]
fn return_comments_and_reasons_are_required_and_limited() {
    let w = world();
    let id = submitted(&w, "Cough", 82.0, "Metformin");
    let seen = w.api.open_review(w.physician(), id).unwrap();
    let long = "x".repeat(100 * 1024);
    for comment in ["", "   ", long.as_str()] {
        let err = w
            .api
            .return_intake(w.physician(), id, comment, &seen.record_hash)
            .unwrap_err();
        assert_eq!(
            (err.code(), err.field()),
            (ErrorCode::Validation, Some("comment")),
            "{err}"
        );
    }
    assert!(w
        .api
        .return_intake(w.physician(), id, &long, &seen.record_hash)
        .unwrap_err()
        .to_string()
        .contains("at most 4,000"),);
    let after = w.api.open_review(w.physician(), id).unwrap();
    assert_eq!(after.encounter.status, "submitted", "nothing changed");
    assert!(after.events.is_empty());

    // Amending needs a reason too, and only a signed record is amended.
    let err = w
        .api
        .start_amendment(w.physician(), id, "Typo", &after.record_hash)
        .unwrap_err();
    assert_eq!(
        err.code(),
        ErrorCode::Conflict,
        "a submitted intake is not amended: {err}"
    );
    let signed = sign(&w, w.physician(), id).unwrap();
    let err = w
        .api
        .start_amendment(w.physician(), id, " ", &signed.record_hash)
        .unwrap_err();
    assert_eq!(
        (err.code(), err.field()),
        (ErrorCode::Validation, Some("reason"))
    );
    let err = w
        .api
        .start_amendment(w.physician(), id, &long, &signed.record_hash)
        .unwrap_err();
    assert_eq!(
        (err.code(), err.field()),
        (ErrorCode::Validation, Some("reason"))
    );
    let err = w
        .api
        .mark_encounter_in_error(w.physician(), id, "")
        .unwrap_err();
    assert_eq!(
        (err.code(), err.field()),
        (ErrorCode::Validation, Some("reason"))
    );

    let draft = w
        .api
        .start_intake(w.nurse(), w.patient, None, None)
        .unwrap();
    let d = w.api.open_review(w.physician(), draft.id).unwrap();
    let err = w
        .api
        .start_amendment(w.physician(), draft.id, "Typo", &d.record_hash)
        .unwrap_err();
    assert_eq!(
        err.code(),
        ErrorCode::Conflict,
        "a draft is not amended: {err}"
    );
    let err = w
        .api
        .sign_intake(w.physician(), draft.id, &d.record_hash)
        .unwrap_err();
    assert!(err.to_string().contains("still a draft"), "{err}");
}

#[test]
fn an_amendment_keeps_every_signed_version_and_one_physician_amends_at_a_time() {
    let w = world();
    let other = second_physician(&w);
    let id = submitted(&w, "Cough", 182.0, "Metformin");
    let v1 = sign(&w, w.physician(), id).unwrap();
    let theirs = w.api.open_review(Caller::Session(&other), id).unwrap();

    let amending = w
        .api
        .start_amendment(
            w.physician(),
            id,
            "Weight was entered in pounds",
            &v1.record_hash,
        )
        .unwrap();
    assert_eq!(
        amending.encounter.status, "signed",
        "still signed while amended"
    );
    let open = amending
        .encounter
        .amending
        .as_ref()
        .expect("an amendment is open");
    assert_eq!(
        (open.by.as_str(), open.reason.as_str()),
        ("physician", "Weight was entered in pounds")
    );
    assert!(amending.may.edit && amending.may.sign && amending.may.discard_amendment);
    assert!(amending
        .attestation
        .contains("Weight was entered in pounds"));

    // The other physician is told, and nothing of theirs is merged.
    let err = w
        .api
        .start_amendment(
            Caller::Session(&other),
            id,
            "Another fix",
            &theirs.record_hash,
        )
        .unwrap_err();
    assert_eq!(err.code(), ErrorCode::Conflict);
    assert!(
        err.to_string()
            .contains("physician is amending this record"),
        "{err}"
    );
    let err = w
        .api
        .save_intake(
            Caller::Session(&other),
            id,
            &[change("visit/reason", json!([{ "valueString": "x" }]))],
            None,
        )
        .unwrap_err();
    assert!(err.to_string().contains("physician is amending"), "{err}");
    let err = w
        .api
        .save_intake(w.nurse(), id, &[change("visit/reason", json!([]))], None)
        .unwrap_err();
    assert_eq!(
        err.code(),
        ErrorCode::Conflict,
        "the nurse does not edit an amendment"
    );
    let err = w.api.submit_intake(w.physician(), id).unwrap_err();
    assert!(err.to_string().contains("signed from the review"), "{err}");

    // The amending physician edits in the intake screen.
    let intake = w.api.open_intake(w.physician(), id).unwrap();
    assert!(!intake.encounter.read_only);
    let rev = intake
        .answers
        .iter()
        .find(|a| a.key == "vitals/weight")
        .unwrap()
        .rev;
    let mut fix = change("vitals/weight", json!([{ "valueDecimal": 82.6 }]));
    fix.base_rev = rev;
    w.api.save_intake(w.physician(), id, &[fix], None).unwrap();
    w.tick();

    let err = w
        .api
        .sign_intake(
            Caller::Session(&other),
            id,
            &w.api
                .open_review(Caller::Session(&other), id)
                .unwrap()
                .record_hash,
        )
        .unwrap_err();
    assert!(err.to_string().contains("physician is amending"), "{err}");
    let v2 = sign(&w, w.physician(), id).unwrap();
    assert_eq!(v2.encounter.status, "amended");
    let amended = v2
        .encounter
        .amended
        .as_ref()
        .expect("Amended on … by …: reason");
    assert_eq!(
        (amended.by.as_str(), amended.reason.as_str()),
        ("physician", "Weight was entered in pounds")
    );
    assert!(v2.encounter.amending.is_none() && v2.encounter.read_only);
    let kinds: Vec<(u32, &str)> = v2
        .versions
        .iter()
        .map(|v| (v.version, v.kind.as_str()))
        .collect();
    assert_eq!(kinds, [(1, "signed"), (2, "amended")]);
    assert_ne!(v2.versions[0].record_hash, v2.versions[1].record_hash);

    // Every earlier revision can be viewed as it was signed.
    let weight_in = |version: u32| {
        w.api
            .record_version(w.nurse(), id, version)
            .unwrap()
            .answers
            .into_iter()
            .find(|a| a.key == "vitals/weight")
            .unwrap()
            .values
    };
    assert_eq!(weight_in(1), [json!({ "valueDecimal": 182.0 })]);
    assert_eq!(weight_in(2), [json!({ "valueDecimal": 82.6 })]);
    let err = w.api.record_version(w.nurse(), id, 3).unwrap_err();
    assert_eq!(err.code(), ErrorCode::NotFound);
    let history = w.api.answer_history(w.nurse(), id).unwrap();
    assert!(
        history
            .iter()
            .any(|h| h.key == "vitals/weight" && h.value == "182" && h.label == "Weight"),
        "the replaced weight is in the answer history: {history:?}"
    );

    // The other physician's stale view cannot amend the new version either.
    let err = w
        .api
        .start_amendment(
            Caller::Session(&other),
            id,
            "Another fix",
            &theirs.record_hash,
        )
        .unwrap_err();
    assert!(
        err.to_string().contains("changed since you opened it"),
        "{err}"
    );
    assert!(actions(&w)
        .iter()
        .any(|(a, d)| a == "encounter.amended" && d["reason"] == "Weight was entered in pounds"));
}

#[test]
fn a_discarded_amendment_puts_back_the_record_as_signed() {
    let w = world();
    let id = submitted(&w, "Cough", 82.0, "Metformin");
    let v1 = sign(&w, w.physician(), id).unwrap();
    w.api
        .start_amendment(w.physician(), id, "Check the medication", &v1.record_hash)
        .unwrap();
    let intake = w.api.open_intake(w.physician(), id).unwrap();
    let base = |key: &str| {
        intake
            .answers
            .iter()
            .find(|a| a.key == key)
            .map_or(0, |a| a.rev)
    };
    let mut changes = vec![
        change(
            "medications/medication[1]/med-name",
            json!([{ "valueString": "Metformin XR" }]),
        ),
        change("visit/reason", json!([])),
        change("medications/medication[2]", json!([])),
        change(
            "medications/medication[2]/med-name",
            json!([{ "valueString": "Aspirin" }]),
        ),
    ];
    for c in &mut changes {
        c.base_rev = base(&c.key);
    }
    w.api
        .save_intake(w.physician(), id, &changes, None)
        .unwrap();
    let back = w.api.discard_amendment(w.physician(), id).unwrap();
    assert_eq!(back.encounter.status, "signed");
    assert!(back.encounter.amending.is_none() && back.encounter.read_only);
    assert_eq!(
        back.record_hash, v1.record_hash,
        "the record is exactly as signed"
    );
    assert_eq!(
        back.versions.len(),
        1,
        "a discarded amendment signs nothing"
    );
    let history = w.api.answer_history(w.nurse(), id).unwrap();
    assert!(
        history.iter().any(|h| h.value == "Metformin XR"),
        "what was tried stays in the history"
    );
    let err = w.api.discard_amendment(w.physician(), id).unwrap_err();
    assert_eq!(err.code(), ErrorCode::Conflict);
}

/// Marking a visit entered in error while an amendment is open ends the amendment the
/// way a discard does: the unsigned edits are undone, so the record, the review and the
/// PDF keep what was last signed.
#[test]
fn entered_in_error_during_an_amendment_keeps_the_record_as_signed() {
    let w = world();
    let id = submitted(&w, "Cough", 82.0, "Metformin");
    let v1 = sign(&w, w.physician(), id).unwrap();
    w.api
        .start_amendment(w.physician(), id, "Check the medication", &v1.record_hash)
        .unwrap();
    let intake = w.api.open_intake(w.physician(), id).unwrap();
    let mut edit = change(
        "medications/medication[1]/med-name",
        json!([{ "valueString": "Metformin XR" }]),
    );
    edit.base_rev = intake
        .answers
        .iter()
        .find(|a| a.key == edit.key)
        .map_or(0, |a| a.rev);
    w.api.save_intake(w.physician(), id, &[edit], None).unwrap();
    let marked = w
        .api
        .mark_encounter_in_error(w.admin(), id, "Entered for the wrong patient")
        .unwrap();
    assert_eq!(marked.encounter.status, "entered_in_error");
    assert!(marked.encounter.amending.is_none());
    assert_eq!(
        marked.record_hash, v1.record_hash,
        "the record is exactly as last signed, not the unsigned edit"
    );
    let detail = w.api.encounter_detail(w.admin(), id).unwrap();
    let name = detail
        .answers
        .iter()
        .find(|a| a.key == "medications/medication[1]/med-name")
        .expect("the medication");
    assert_eq!(name.values, vec![json!({ "valueString": "Metformin" })]);
}

#[test]
fn entered_in_error_stays_in_the_history_and_is_never_carried_forward() {
    let w = world();
    let first = submitted(&w, "Cough", 82.0, "Metformin");
    sign(&w, w.physician(), first).unwrap();
    let wrong = submitted(&w, "Wrong patient", 120.0, "Warfarin");
    let err = w
        .api
        .mark_encounter_in_error(w.nurse(), wrong, "Wrong patient")
        .unwrap_err();
    assert_eq!(err.code(), ErrorCode::Forbidden);
    let marked = w
        .api
        .mark_encounter_in_error(w.admin(), wrong, "Entered for the wrong patient")
        .unwrap();
    assert_eq!(marked.encounter.status, "entered_in_error");
    let why = marked.encounter.in_error.as_ref().unwrap();
    assert_eq!(
        (why.by.as_str(), why.reason.as_str()),
        ("admin", "Entered for the wrong patient")
    );
    assert!(!marked.may.mark_in_error && !marked.may.sign && !marked.may.amend);
    let err = w
        .api
        .mark_encounter_in_error(w.physician(), wrong, "Again")
        .unwrap_err();
    assert!(
        err.to_string()
            .contains("already marked entered in error by admin"),
        "{err}"
    );

    // Still listed for the patient; gone from the queue; never carried or compared with.
    let visits = w
        .api
        .list_encounters(w.nurse(), Some(w.patient), None)
        .unwrap();
    assert!(visits
        .iter()
        .any(|e| e.id == wrong && e.status == "entered_in_error"));
    let queue = w.api.review_queue(w.physician(), None, None, None).unwrap();
    assert!(queue.items.iter().all(|i| i.encounter_id != wrong));
    let next = w
        .api
        .start_intake(w.nurse(), w.patient, None, None)
        .unwrap();
    let intake = w.api.open_intake(w.nurse(), next.id).unwrap();
    let med = intake
        .answers
        .iter()
        .find(|a| a.key == "medications/medication[1]/med-name")
        .expect("a medication is carried");
    assert_eq!(
        med.values,
        [json!({ "valueString": "Metformin" })],
        "from the first visit, not the one in error"
    );
    assert_eq!(med.carried.as_ref().map(|c| c.encounter), Some(first));
    assert!(
        intake
            .carry
            .skipped
            .iter()
            .any(|s| s.contains("entered in error")),
        "{:?}",
        intake.carry.skipped
    );
    let later = submitted(&w, "Follow-up", 81.0, "Metformin");
    let review = w.api.open_review(w.physician(), later).unwrap();
    assert_eq!(review.previous.map(|p| p.encounter_id), Some(first));
    assert!(actions(&w)
        .iter()
        .any(|(a, d)| a == "encounter.marked_in_error"
            && d["reason"] == "Entered for the wrong patient"));
}

#[test]
fn the_queue_filters_by_submission_date_and_submitter() {
    let w = world();
    let id = submitted(&w, "Cough", 82.0, "Metformin");
    let day = "2026-10-02";
    let found = |from: Option<&str>, to: Option<&str>, by: Option<&str>| {
        w.api
            .review_queue(w.physician(), from, to, by)
            .unwrap()
            .items
            .iter()
            .any(|i| i.encounter_id == id)
    };
    assert!(found(Some(day), Some(day), Some("nurse")));
    assert!(!found(Some("2026-10-03"), None, None));
    assert!(!found(None, Some("2026-10-01"), None));
    assert!(!found(None, None, Some("physician")));
    assert!(w
        .api
        .review_queue(w.admin(), None, None, None)
        .unwrap()
        .submitters
        .contains(&"nurse".to_string()));
    let err = w
        .api
        .review_queue(w.physician(), Some("2026-10-05"), Some(day), None)
        .unwrap_err();
    assert_eq!(
        (err.code(), err.field()),
        (ErrorCode::Validation, Some("to"))
    );
    let err = w
        .api
        .review_queue(w.physician(), Some("yesterday"), None, None)
        .unwrap_err();
    assert_eq!(
        (err.code(), err.field()),
        (ErrorCode::Validation, Some("from"))
    );
}

/// What each role may do: every review action, tried by every role on a record in the
/// state the action needs; refused ones are `forbidden` and change nothing.
#[test]
fn review_permissions_by_role_and_action() {
    type Action = fn(&World, Caller<'_>, i64) -> Result<(), ApiError>;
    let table: [(&str, [bool; 3], &str, Action); 8] = [
        (
            "see the queue",
            [false, true, true],
            "submitted",
            |w, c, _| w.api.review_queue(c, None, None, None).map(drop),
        ),
        (
            "count the queue",
            [false, true, true],
            "submitted",
            |w, c, _| w.api.review_count(c).map(drop),
        ),
        (
            "open a review",
            [true, true, true],
            "submitted",
            |w, c, id| w.api.open_review(c, id).map(drop),
        ),
        ("sign", [false, true, false], "submitted", |w, c, id| {
            let hash = w.api.open_review(c, id)?.record_hash;
            w.api.sign_intake(c, id, &hash).map(drop)
        }),
        (
            "return to the nurse",
            [false, true, false],
            "submitted",
            |w, c, id| {
                let hash = w.api.open_review(c, id)?.record_hash;
                w.api.return_intake(c, id, "Please check", &hash).map(drop)
            },
        ),
        ("amend", [false, true, false], "signed", |w, c, id| {
            let hash = w.api.open_review(c, id)?.record_hash;
            w.api.start_amendment(c, id, "Correction", &hash).map(drop)
        }),
        (
            "mark in error",
            [false, true, true],
            "signed",
            |w, c, id| {
                w.api
                    .mark_encounter_in_error(c, id, "Wrong patient")
                    .map(drop)
            },
        ),
        (
            "view a signed version",
            [true, true, true],
            "signed",
            |w, c, id| w.api.record_version(c, id, 1).map(drop),
        ),
    ];
    let w = world();
    for (action, allowed, state, call) in table {
        for (i, caller) in [w.nurse(), w.physician(), w.admin()]
            .into_iter()
            .enumerate()
        {
            let id = submitted(&w, "Cough", 82.0, "Metformin");
            if state == "signed" {
                sign(&w, w.physician(), id).unwrap();
            }
            let before = w.api.open_review(w.physician(), id).unwrap();
            let result = call(&w, caller, id);
            let role = ["nurse", "physician", "admin"][i];
            if allowed[i] {
                assert!(result.is_ok(), "{role} may {action}: {result:?}");
            } else {
                let err = result.expect_err(&format!("{role} may not {action}"));
                assert_eq!(err.code(), ErrorCode::Forbidden, "{role} {action}: {err}");
                let after = w.api.open_review(w.physician(), id).unwrap();
                assert_eq!(
                    (after.encounter.status, after.record_hash),
                    (before.encounter.status, before.record_hash),
                    "a refused {action} changes nothing"
                );
            }
        }
    }
    // Discarding an amendment belongs to the physician who amends.
    let id = submitted(&w, "Cough", 82.0, "Metformin");
    let signed = sign(&w, w.physician(), id).unwrap();
    w.api
        .start_amendment(w.physician(), id, "Correction", &signed.record_hash)
        .unwrap();
    for caller in [w.nurse(), w.admin()] {
        let err = w.api.discard_amendment(caller, id).unwrap_err();
        assert_eq!(err.code(), ErrorCode::Forbidden);
    }
    w.api.discard_amendment(w.physician(), id).unwrap();
}

/// The chart's audit entries (newest first) as (action, encounter).
fn chart_entries(w: &World) -> Vec<(String, Option<String>)> {
    w.api
        .list_audit(
            CLI,
            &AuditFilterDto {
                limit: Some(10_000),
                ..Default::default()
            },
        )
        .unwrap()
        .into_iter()
        .filter(|e| e.patient_id == Some(w.patient))
        .map(|e| (e.action, e.entity_id))
        .collect()
}

/// Asserts that what ran since `seen` entries left an entry `action` on `visit` naming
/// the patient; moves `seen` on.
fn touched(w: &World, seen: &mut usize, action: &str, visit: i64) {
    let now = chart_entries(w);
    let new = &now[..now.len() - *seen];
    assert!(
        new.iter()
            .any(|(a, id)| a == action && id.as_deref() == Some(&visit.to_string())),
        "{action} on visit {visit} names the patient in the audit log; new entries: {new:?}"
    );
    *seen = now.len();
}

/// Every write of a chart and every export is audited naming the patient: starting,
/// confirming, saving (one entry per save, with its keys), submitting, reviewing,
/// returning, signing, amending, discarding, exporting, marking in error.
#[test]
fn every_change_of_a_chart_is_audited_naming_its_patient() {
    let w = world();
    let first = submitted(&w, "Cough", 82.0, "Metformin");
    sign(&w, w.physician(), first).unwrap();
    let mut seen = chart_entries(&w).len();

    let visit = w
        .api
        .start_intake(w.nurse(), w.patient, None, None)
        .unwrap()
        .id;
    touched(&w, &mut seen, "encounter.started", visit);
    let intake = w.api.open_intake(w.nurse(), visit).unwrap();
    let waiting: Vec<_> = intake
        .answers
        .iter()
        .filter(|a| a.needs_confirmation && a.confirmed_by.is_none())
        .map(|a| serde_json::from_value(json!({ "key": a.key, "baseRev": a.rev })).unwrap())
        .collect();
    assert!(
        !waiting.is_empty(),
        "a repeat visit carries values to confirm"
    );
    w.api.confirm_intake(w.nurse(), visit, &waiting).unwrap();
    touched(&w, &mut seen, "encounter.confirmed", visit);
    let save = |caller: Caller<'_>, reason: &str| {
        let rev = w
            .api
            .open_intake(caller, visit)
            .unwrap()
            .answers
            .iter()
            .find(|a| a.key == "visit/reason")
            .map_or(0, |a| a.rev);
        let mut c = change("visit/reason", json!([{ "valueString": reason }]));
        c.base_rev = rev;
        w.api.save_intake(caller, visit, &[c], None).unwrap();
    };
    save(w.nurse(), "Follow-up");
    touched(&w, &mut seen, "encounter.saved", visit);
    w.api.submit_intake(w.nurse(), visit).unwrap();
    touched(&w, &mut seen, "encounter.submitted", visit);
    let review = w.api.open_review(w.physician(), visit).unwrap();
    touched(&w, &mut seen, "encounter.review_opened", visit);
    w.api
        .return_intake(
            w.physician(),
            visit,
            "Check the weight",
            &review.record_hash,
        )
        .unwrap();
    touched(&w, &mut seen, "encounter.returned", visit);
    w.api.submit_intake(w.nurse(), visit).unwrap();
    touched(&w, &mut seen, "encounter.submitted", visit);
    let signed = sign(&w, w.physician(), visit).unwrap();
    touched(&w, &mut seen, "encounter.signed", visit);
    w.api
        .start_amendment(w.physician(), visit, "Reason typo", &signed.record_hash)
        .unwrap();
    touched(&w, &mut seen, "encounter.amendment_started", visit);
    save(w.physician(), "Follow-up visit");
    touched(&w, &mut seen, "encounter.saved", visit);
    w.api.discard_amendment(w.physician(), visit).unwrap();
    touched(&w, &mut seen, "encounter.amendment_discarded", visit);
    let out = tempfile::tempdir().unwrap();
    w.api
        .export_pdf(w.admin(), visit, &out.path().join("visit.pdf"))
        .unwrap();
    touched(&w, &mut seen, "export.pdf", visit);
    w.api
        .mark_encounter_in_error(w.admin(), visit, "Wrong patient")
        .unwrap();
    touched(&w, &mut seen, "encounter.marked_in_error", visit);
}

/// The thresholds sent by the Settings screen, with one field changed.
fn thresholds_with(field: &str, value: Value) -> intake_api::wire::SettingsUpdate {
    let mut t = json!({
        "weightChange": 5, "weightChangeUnit": "percent", "weightChangeDays": 183,
        "systolicAtLeast": 140, "diastolicAtLeast": 90, "spo2Below": 94,
        "pulseBelow": 50, "pulseAbove": 110, "temperatureAtLeast": 38,
        "medicationChanges": true, "allergyChanges": true,
    });
    t[field] = value;
    serde_json::from_value(json!({ "reviewThresholds": t })).unwrap()
}

#[test]
fn threshold_settings_are_audited_refused_by_field_and_change_what_the_review_flags() {
    let w = world();
    let first = submitted(&w, "Cough", 82.0, "Metformin");
    sign(&w, w.physician(), first).unwrap();
    let second = submitted(&w, "Weight loss", 76.0, "Metformin");
    let flagged = |w: &World| {
        w.api
            .open_review(w.physician(), second)
            .unwrap()
            .notable
            .iter()
            .map(|n| n.reason.clone())
            .collect::<Vec<_>>()
    };
    assert_eq!(
        flagged(&w),
        ["−7.3 % on the same day (rule: ≥ 5 % within 6 months)"],
        "by default a 7.3 % loss is notable"
    );
    let defaults = w.api.get_settings(w.admin()).unwrap().review_thresholds;
    assert_eq!(defaults.weight_change, Some(5.0));
    assert_eq!(defaults.spo2_below, Some(94.0));

    // Bad numbers are refused by field, and nothing changes.
    let entries = actions(&w).len();
    for (field, value, says) in [
        ("weightChange", json!(-3), "from 0.1 to 100"),
        ("weightChange", json!(null), "Enter a number"),
        ("weightChangeDays", json!(12.5), "whole number of days"),
        ("pulseAbove", json!(40), "above the low one"),
        ("temperatureAtLeast", json!(80), "from 35 to 43"),
        ("weightChangeUnit", json!("stone"), "percent or kg"),
    ] {
        let err = w
            .api
            .update_settings(w.admin(), &thresholds_with(field, value.clone()))
            .unwrap_err();
        assert_eq!(
            err.code(),
            ErrorCode::Validation,
            "{field} = {value}: {err}"
        );
        assert_eq!(
            err.field(),
            Some(field),
            "{field} = {value}: the field is named"
        );
        assert!(err.to_string().contains(says), "{field} = {value}: {err}");
    }
    assert_eq!(
        actions(&w).len(),
        entries,
        "a refused change writes nothing"
    );
    assert_eq!(
        w.api.get_settings(w.admin()).unwrap().review_thresholds,
        defaults
    );
    // A nurse may not change them.
    let err = w
        .api
        .update_settings(w.nurse(), &thresholds_with("weightChange", json!(10)))
        .unwrap_err();
    assert_eq!(err.code(), ErrorCode::Forbidden);

    // A change is kept, audited with what it was and what it became, and applies.
    let saved = w
        .api
        .update_settings(w.admin(), &thresholds_with("weightChange", json!(10)))
        .unwrap();
    assert_eq!(saved.review_thresholds.weight_change, Some(10.0));
    let (action, detail) = actions(&w).into_iter().next().unwrap();
    assert_eq!(action, "settings.changed");
    assert_eq!(
        detail["before"]["reviewThresholds"]["weightChange"],
        json!(5.0)
    );
    assert_eq!(
        detail["after"]["reviewThresholds"]["weightChange"],
        json!(10.0)
    );
    assert!(
        flagged(&w).is_empty(),
        "with a 10 % rule a 7.3 % loss is no longer notable"
    );
}
