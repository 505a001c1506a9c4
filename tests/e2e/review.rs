//! Physician review in the real window: a nurse submits a visit whose weight changed
//! since the last one, the physician finds it in the queue (and its count on the Review
//! link), opens it with the keyboard, sees the weight flagged as notable and signs with
//! Ctrl+Enter; the signed record is then read-only for the physician and the nurse. And
//! a return to the nurse, whose comment shows at the top of the intake.

use std::sync::Arc;

use intake_api::wire::ChangeDto;
use intake_api::{Api, Caller, ManualClock};
use serde_json::{json, Value};

use crate::harness::{api, demo_data, Session, ALT, CONTROL, ENTER, RELEASE, SHIFT};

const ESCAPE: &str = "\u{E00C}";

fn change(key: &str, values: Value) -> ChangeDto {
    serde_json::from_value(json!({ "key": key, "values": values, "baseRev": 0 })).unwrap()
}

/// Zoë Núñez's patient id (a demo patient with no earlier visits).
fn zoe(api: &Api) -> i64 {
    let found = api
        .search_patients(Caller::Cli("e2e"), "zoe nunez")
        .unwrap();
    let zoe = found.patients.iter().find(|p| p.family == "Núñez");
    zoe.expect("Zoë Núñez among the demo patients").id
}

/// A visit for Zoë submitted by the demo nurse `days_ago` days ago (through the API, on a
/// clock set back that far); returns its encounter id.
fn submitted_visit_for_zoe(data: &std::path::Path, days_ago: i64, changes: &[ChangeDto]) -> i64 {
    let then = chrono::Utc::now() - chrono::Duration::days(days_ago);
    let api = crate::harness::api_on_clock(data, Arc::new(ManualClock::new(then)));
    let token = api.sign_in("nurse", "demo").unwrap().token;
    let nurse = Caller::Session(&token);
    let e = api.start_intake(nurse, zoe(&api), None, None).unwrap();
    let opened = api.open_intake(nurse, e.id).unwrap();
    // Allergies and medications are answered at every visit: none, unless carried or given.
    let mut changes = changes.to_vec();
    for key in ["allergies/any-allergies", "medications/any-medications"] {
        let answered =
            opened.answers.iter().any(|a| a.key == key) || changes.iter().any(|c| c.key == key);
        if !answered {
            changes.push(
                serde_json::from_value(
                    json!({ "key": key, "values": [{ "valueBoolean": false }], "baseRev": 0 }),
                )
                .unwrap(),
            );
        }
    }
    // A repeat visit: the nurse confirms what was carried, as she would on the screen.
    let waiting: Vec<intake_api::wire::ConfirmDto> = opened
        .answers
        .iter()
        .filter(|a| a.needs_confirmation && a.confirmed_by.is_none())
        .map(|a| serde_json::from_value(json!({ "key": a.key, "baseRev": a.rev })).unwrap())
        .collect();
    if !waiting.is_empty() {
        api.confirm_intake(nurse, e.id, &waiting).unwrap();
    }
    api.save_intake(nurse, e.id, &changes, None).unwrap();
    let done = api.submit_intake(nurse, e.id).unwrap();
    assert!(done.submitted, "{:?}", done.problems);
    e.id
}

/// The newest of Zoë's visits with `status`.
fn newest_visit(s: &Session, status: &str) -> i64 {
    let api = api(s.data.path());
    let list = api
        .list_encounters(Caller::Cli("e2e"), Some(zoe(&api)), None)
        .unwrap();
    list.iter()
        .filter(|e| e.status == status)
        .map(|e| e.id)
        .max()
        .unwrap_or_else(|| panic!("a {status} visit for Zoë"))
}

async fn sign_in(s: &Session, user: &str) {
    s.wait_for_text("h1", "Sign in").await;
    s.type_into("#sign-in-username", user).await;
    s.type_into("#sign-in-password", &format!("demo{ENTER}"))
        .await;
    s.find("#home").await;
}

/// Ctrl+Enter on the review screen, then Enter in the confirmation it opens.
async fn sign_with_keys(s: &Session) {
    s.press(&format!("{CONTROL}{ENTER}{RELEASE}")).await;
    s.wait_for_focus("review-sign-confirm-yes").await;
    s.press(ENTER).await;
}

async fn sign_out(s: &Session) {
    s.click("#sign-out").await;
    s.wait_for_text("h1", "Sign in").await;
}

/// Goes to a route the way a link would (the page is not reloaded).
async fn open_route(s: &Session, hash: &str) {
    let script = "location.hash = arguments[0];";
    s.client.execute(script, vec![json!(hash)]).await.unwrap();
}

async fn script(s: &Session, code: &str) -> Value {
    s.client.execute(code, vec![]).await.unwrap()
}

/// Rows in the queue, and the count on the Review link (0 when it shows none).
async fn queue_and_badge(s: &Session) -> (usize, usize) {
    let rows = script(
        s,
        "return document.querySelectorAll('#review-queue tr.queue-row').length;",
    )
    .await;
    let badge = script(
        s,
        "const b = document.querySelector('#nav-review-count'); return b && !b.hidden ? b.textContent : '0';",
    )
    .await;
    (
        rows.as_u64().unwrap_or_default() as usize,
        badge.as_str().unwrap_or("0").parse().unwrap_or_default(),
    )
}

/// On the queue: End (the newest submission is last), arrows up to the intake `id`, then
/// Enter.
async fn open_from_queue_with_keys(s: &Session, id: i64) {
    s.find(&format!("#review-item-{id}")).await;
    s.wait_for_focus("review-queue").await;
    s.press("\u{E010}").await; // End
    s.press("\u{E013}\u{E015}").await; // ArrowUp, ArrowDown: back to the last
    for _ in 0..50 {
        let selected = script(
            s,
            "return document.querySelector('#review-queue tr[aria-selected=\"true\"]')?.dataset.encounterId || '';",
        )
        .await;
        if selected.as_str() == Some(id.to_string().as_str()) {
            s.press(ENTER).await;
            return;
        }
        s.press("\u{E013}").await; // ArrowUp
    }
    panic!("intake {id} was never selected in the queue");
}

/// Nothing in the record can be typed into, and no field of the intake screen either.
async fn assert_read_only(s: &Session, id: i64, who: &str) {
    let fields = script(
        s,
        "return document.querySelectorAll('#review-record input, #review-record textarea, #review-record select').length;",
    )
    .await;
    assert_eq!(fields.as_u64(), Some(0), "{who}: the record has no fields");
    assert!(
        s.exists("#review-actions .rv-sign[hidden]").await,
        "{who}: no Sign on a signed record"
    );
    open_route(s, &format!("#/intake/{id}")).await;
    s.wait_for_text("#intake-readonly", "read-only").await;
    // The screen opens where the nurse left off; the weight is under Vitals.
    s.press(&format!("{ALT}2{RELEASE}")).await;
    let weight = s.find("#q-vitals_weight").await;
    assert_eq!(
        weight.attr("readonly").await.unwrap().as_deref(),
        Some("true"),
        "{who}: the intake screen shows the signed record read-only"
    );
    assert!(
        s.exists("#intake-submit[hidden]").await,
        "{who}: nothing to submit"
    );
}

#[tokio::test]
async fn a_physician_signs_a_changed_weight_and_the_record_is_read_only_for_everyone() {
    signs_a_changed_weight(demo_data(), "review-sign").await;
}

/// The same on the clinic server: the nurse's intake, the physician's signature and the
/// read-only record, with every write going to PostgreSQL.
// Multi-threaded: the synchronous server client steps out of the runtime to block.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn on_the_clinic_server_a_physician_signs_a_changed_weight_and_it_is_read_only() {
    signs_a_changed_weight(crate::harness::demo_data_on_server(), "server-review-sign").await;
}

async fn signs_a_changed_weight(data: tempfile::TempDir, name: &str) {
    let earlier = [
        change("visit/reason", json!([{ "valueString": "Cough" }])),
        change("vitals/weight", json!([{ "valueDecimal": 64.5 }])),
    ];
    submitted_visit_for_zoe(data.path(), 30, &earlier);
    let on_server = name.starts_with("server-");
    let s = Session::start(name, data).await;
    // The sign-in footer says where the records live.
    let place = if on_server {
        "Clinic server 127.0.0.1"
    } else {
        "This workstation"
    };
    s.wait_for_text("#sign-in-foot", place).await;

    // The nurse: a repeat visit, the weight now 60 kg.
    crate::intake::start_intake_for_zoe(&s).await;
    s.press("Follow-up of the cough").await;
    s.press(&format!("{ALT}2{RELEASE}")).await;
    s.wait_for_text("#intake-section-body", "Last weight 64.5 kg")
        .await;
    s.click("#q-vitals_weight").await;
    s.press(&format!("60{ENTER}")).await;
    // "Any known allergies? No" and "Takes any medications? No", carried from the
    // last visit, are confirmed (Alt+C confirms a section and goes on to the next).
    s.press(&format!("{ALT}3{RELEASE}")).await;
    s.wait_for_focus("q-allergies_any-allergies--1").await;
    s.press(&format!("{ALT}c{RELEASE}")).await;
    s.wait_for_focus("q-medications_any-medications--1").await;
    s.press(&format!("{ALT}c{RELEASE}")).await;
    s.find("#intake-confirm-bar[hidden]").await;
    s.press(&format!("{CONTROL}{ENTER}{RELEASE}")).await;
    s.wait_for_text("#intake-readonly", "Submitted on").await;
    let id = newest_visit(&s, "submitted");
    sign_out(&s).await;

    // The physician: the queue and its count.
    sign_in(&s, "physician").await;
    s.wait_for_text("#nav a[data-section=\"review\"]", "Review")
        .await;
    s.find("#nav-review-count:not([hidden])").await;
    s.click("#nav a[data-section=\"review\"]").await;
    s.wait_for_text(&format!("#review-item-{id}"), "Núñez")
        .await;
    let (rows, badge) = queue_and_badge(&s).await;
    assert!(rows >= 2, "both of Zoë's submitted visits wait ({rows})");
    assert_eq!(badge, rows, "the badge counts the queue");
    s.screenshot("review-queue").await;
    open_from_queue_with_keys(&s, id).await;

    // The record: the weight, read against the last one and flagged (−7.0 % in 4 weeks
    // breaks the ≥ 5 % rule), in the changes panel and at the answer.
    s.wait_for_text("#review-patient", "Zoë").await;
    s.wait_for_text("#review-status", "Submitted").await;
    let changes = s
        .wait_for_text("#review-changes-notable", "last 64.5 kg")
        .await;
    assert!(
        changes.contains("Weight 60 kg") && changes.contains("−7.0 %"),
        "the changes panel leads with the weight and its change: {changes}"
    );
    let row = s
        .wait_for_text(
            "#review-record tr.rv-notable[data-link-id=\"weight\"]",
            "last 64.5 kg",
        )
        .await;
    assert!(
        row.contains("60 kg") && row.contains("Notable"),
        "the weight row shows the new weight, flagged: {row}"
    );
    s.find("#review-sign:not([disabled])").await;
    let attestation = s.find("#review-attestation").await.text().await.unwrap();
    assert!(
        !attestation.is_empty(),
        "an attestation sentence above Sign"
    );
    s.screenshot("review-record").await;
    s.client
        .execute("window.scrollTo(0, 0);", vec![])
        .await
        .unwrap();

    // Ctrl+Enter asks first (naming the notable findings); Escape keeps it unsigned.
    s.press(&format!("{CONTROL}{ENTER}{RELEASE}")).await;
    let asked = s
        .wait_for_text("#review-sign-confirm", "Sign this record?")
        .await;
    assert!(asked.contains("notable finding"), "{asked}");
    s.wait_for_focus("review-sign-confirm-yes").await;
    s.screenshot("review-sign-confirm").await;
    s.press(ESCAPE).await;
    s.find("#review-sign-confirm[hidden]").await;
    s.wait_for_text("#review-status", "Submitted").await;
    // Asked again, Enter signs.
    s.press(&format!("{CONTROL}{ENTER}{RELEASE}")).await;
    s.wait_for_focus("review-sign-confirm-yes").await;
    s.press(ENTER).await;
    s.wait_for_text("#review-status", "Signed").await;
    s.wait_for_text("#review-signed", "Signed by").await;
    s.wait_for_text("#review-notice", "Signed").await;
    s.screenshot("review-signed").await;
    let (_, after) = queue_and_badge(&s).await;
    assert_eq!(after, badge - 1, "the badge counts one fewer");
    let stored = api(s.data.path())
        .list_encounters(Caller::Cli("e2e"), None, None)
        .unwrap();
    let signed = stored.iter().find(|e| e.id == id).unwrap();
    assert_eq!(signed.status, "signed");
    assert_read_only(&s, id, "the physician").await;
    sign_out(&s).await;

    // The nurse: the visit list says Signed and opens the record read-only.
    sign_in(&s, "nurse").await;
    s.click("#nav a[data-section=\"patients\"]").await;
    s.type_into("#patient-search", "zoe").await;
    s.wait_for_text("#patient-results", "Núñez").await;
    s.press(ENTER).await;
    s.wait_for_text(&format!("#visit-status-{id}"), "Signed")
        .await;
    s.screenshot("review-nurse-visits").await;
    s.click(&format!("#visit-{id}")).await;
    s.wait_for_text("#review-status", "Signed").await;
    s.wait_for_text("#review-no-actions", "Read-only").await;
    s.wait_for_text("#review-record", "60 kg").await;
    s.screenshot("review-nurse-record").await;
    assert_read_only(&s, id, "the nurse").await;
    s.finish().await;
}

#[tokio::test]
async fn a_physician_returns_an_intake_and_the_nurse_sees_the_comment() {
    let data = demo_data();
    let id = submitted_visit_for_zoe(
        data.path(),
        0,
        &[change(
            "visit/reason",
            json!([{ "valueString": "Headache" }]),
        )],
    );
    let s = Session::start("review-return", data).await;
    sign_in(&s, "physician").await;
    s.click("#nav a[data-section=\"review\"]").await;
    open_from_queue_with_keys(&s, id).await;
    s.wait_for_text("#review-status", "Submitted").await;
    s.click("#review-return-open").await;
    s.wait_for_focus("review-return-text").await;
    s.press("Please take the vitals, at least blood pressure and weight.")
        .await;
    s.screenshot("review-return-form").await;
    s.click("#review-return-submit").await;
    s.wait_for_text("#review-status", "Draft").await;
    s.wait_for_text("#review-returned", "at least blood pressure")
        .await;
    sign_out(&s).await;

    sign_in(&s, "nurse").await;
    s.click("#nav a[data-section=\"intake\"]").await;
    s.wait_for_text(&format!("#intake-returned-{id}"), "Please take the vitals")
        .await;
    s.click(&format!("#intake-open-{id}")).await;
    let banner = s
        .wait_for_text("#intake-returned", "Please take the vitals")
        .await;
    assert!(banner.contains("Returned by"), "{banner}");
    s.screenshot("review-returned-intake").await;
    // The nurse completes it and submits again: it waits in the queue once more.
    s.press(&format!("{ALT}2{RELEASE}")).await;
    s.click("#q-vitals_weight").await;
    s.press(&format!("71{ENTER}")).await;
    s.press(&format!("{CONTROL}{ENTER}{RELEASE}")).await;
    s.wait_for_text("#intake-readonly", "Submitted on").await;
    s.find("#intake-returned[hidden]").await;
    s.finish().await;
}

/// Signs encounter `id` as the demo physician through the API.
fn sign_through_api(data: &std::path::Path, id: i64) {
    let api = api(data);
    let token = api.sign_in("physician", "demo").unwrap().token;
    let physician = Caller::Session(&token);
    let hash = api.open_review(physician, id).unwrap().record_hash;
    api.sign_intake(physician, id, &hash).unwrap();
}

#[tokio::test]
async fn a_physician_amends_a_signed_record_with_a_reason_and_both_versions_are_kept() {
    let data = demo_data();
    let id = submitted_visit_for_zoe(
        data.path(),
        0,
        &[
            change("visit/reason", json!([{ "valueString": "Cough" }])),
            change("vitals/weight", json!([{ "valueDecimal": 60 }])),
        ],
    );
    sign_through_api(data.path(), id);
    let s = Session::start("review-amend", data).await;
    sign_in(&s, "physician").await;
    open_route(&s, &format!("#/review/{id}")).await;
    s.wait_for_text("#review-status", "Signed").await;
    s.click("#review-amend-open").await;
    s.wait_for_focus("review-amend-text").await;
    s.press("Weight was read from the wrong scale").await;
    s.click("#review-amend-submit").await;

    // The intake screen: the amendment's reason, the fields open to the amending physician.
    s.wait_for_text(
        "#intake-amending",
        "Amending: Weight was read from the wrong scale",
    )
    .await;
    s.press(&format!("{ALT}2{RELEASE}")).await;
    s.click("#q-vitals_weight").await;
    s.press(&format!("{CONTROL}a{RELEASE}")).await;
    s.press(&format!("61{ENTER}")).await;
    s.wait_for_text("#intake-saved", "Saved").await;
    s.screenshot("review-amending-intake").await;
    // Ctrl+Enter goes to the review screen, where the amendment is signed.
    s.press(&format!("{CONTROL}{ENTER}{RELEASE}")).await;
    s.wait_for_text("#review-amending", "wrong scale").await;
    s.wait_for_text("#review-record", "61 kg").await;
    s.wait_for_text("#review-sign", "Sign the amendment").await;
    // What the amendment changes, against the signed version.
    s.wait_for_text("#review-amendment-changes", "60 kg → 61 kg")
        .await;
    s.wait_for_text(
        "#review-record tr.rv-amended[data-link-id=\"weight\"]",
        "was 60 kg",
    )
    .await;
    s.screenshot("review-amending").await;
    sign_with_keys(&s).await;
    s.wait_for_text("#review-status", "Amended").await;
    s.wait_for_text("#review-amended", "wrong scale").await;
    s.wait_for_text("#review-amendment-changes", "version 2")
        .await;
    let versions = s.wait_for_text("#review-versions", "Version 2").await;
    assert!(versions.contains("Version 1"), "{versions}");
    // The first signed version is kept, read-only, as it was signed.
    s.click("#review-version-open-1").await;
    s.wait_for_text("#review-version-view", "60 kg").await;
    let fields = script(
        &s,
        "return document.querySelectorAll('#review-version-view input, #review-version-view textarea').length;",
    )
    .await;
    assert_eq!(fields.as_u64(), Some(0), "an earlier version is read-only");
    s.screenshot("review-amended-versions").await;
    s.finish().await;
}

#[tokio::test]
async fn signing_a_record_that_changed_since_it_was_opened_shows_the_new_version() {
    let data = demo_data();
    let id = submitted_visit_for_zoe(
        data.path(),
        0,
        &[change(
            "visit/reason",
            json!([{ "valueString": "Headache" }]),
        )],
    );
    let s = Session::start("review-conflict", data).await;
    sign_in(&s, "physician").await;
    open_route(&s, &format!("#/review/{id}")).await;
    s.wait_for_text("#review-status", "Submitted").await;
    s.find("#review-sign").await;
    {
        // Meanwhile: returned (another window), completed by the nurse and submitted again.
        let api = api(s.data.path());
        let doctor = api.sign_in("physician", "demo").unwrap().token;
        let hash = api
            .open_review(Caller::Session(&doctor), id)
            .unwrap()
            .record_hash;
        api.return_intake(Caller::Session(&doctor), id, "Temperature?", &hash)
            .unwrap();
        let nurse = api.sign_in("nurse", "demo").unwrap().token;
        let nurse = Caller::Session(&nurse);
        let t = [change(
            "vitals/temperature",
            json!([{ "valueDecimal": 39.6 }]),
        )];
        api.save_intake(nurse, id, &t, None).unwrap();
        assert!(api.submit_intake(nurse, id).unwrap().submitted);
    }
    sign_with_keys(&s).await;
    s.wait_for_text("#review-conflict", "changed since you opened it")
        .await;
    // The new version is on screen, the out-of-range temperature highlighted.
    s.wait_for_text(
        "#review-record tr.rv-warning[data-link-id=\"temperature\"]",
        "39.6",
    )
    .await;
    s.screenshot("review-conflict").await;
    assert_eq!(
        s.find("#review-status").await.text().await.unwrap(),
        "Submitted",
        "nothing was signed"
    );
    sign_with_keys(&s).await;
    s.wait_for_text("#review-status", "Signed").await;
    s.finish().await;
}

#[tokio::test]
async fn an_admin_marks_a_visit_in_error_and_a_discarded_amendment_changes_nothing() {
    let data = demo_data();
    let visit = [
        change(
            "visit/reason",
            json!([{ "valueString": "Recorded for the wrong patient" }]),
        ),
        change("vitals/weight", json!([{ "valueDecimal": 101 }])),
    ];
    let wrong = submitted_visit_for_zoe(data.path(), 20, &visit);
    let follow_up = [
        change("visit/reason", json!([{ "valueString": "Follow-up" }])),
        change("vitals/weight", json!([{ "valueDecimal": 101 }])),
    ];
    let kept = submitted_visit_for_zoe(data.path(), 10, &follow_up);
    sign_through_api(data.path(), kept);
    let s = Session::start("review-in-error", data).await;

    // The admin, from the patient's visits: Mark entered in error, with a reason.
    sign_in(&s, "admin").await;
    open_route(&s, &format!("#/review/{wrong}")).await;
    s.wait_for_text("#review-status", "Submitted").await;
    s.click("#review-error-open").await;
    s.click("#review-error-submit").await;
    s.wait_for_text("#review-error", "Write why").await;
    s.type_into("#review-error-text", "Recorded for the wrong patient")
        .await;
    s.click("#review-error-submit").await;
    s.wait_for_text("#review-in-error", "Recorded for the wrong patient")
        .await;
    s.wait_for_text("#review-status", "Entered in error").await;
    s.screenshot("review-in-error").await;
    let stored = api(s.data.path())
        .list_encounters(Caller::Cli("e2e"), None, Some("entered_in_error"))
        .unwrap();
    assert!(
        stored.iter().any(|e| e.id == wrong),
        "stored as entered in error"
    );
    open_route(&s, &format!("#/patients/{}", zoe(&api(s.data.path())))).await;
    s.wait_for_text(&format!("#visit-status-{wrong}"), "Entered in error")
        .await;
    s.find(&format!("li.visit-in-error[data-encounter-id=\"{wrong}\"]"))
        .await;
    s.screenshot("review-in-error-visits").await;
    sign_out(&s).await;

    // The physician amends the signed visit, changes the weight, then discards it all.
    sign_in(&s, "physician").await;
    open_route(&s, &format!("#/review/{kept}")).await;
    s.wait_for_text("#review-status", "Signed").await;
    s.click("#review-amend-open").await;
    s.type_into("#review-amend-text", "Check the weight").await;
    s.click("#review-amend-submit").await;
    s.wait_for_text("#intake-amending", "Check the weight")
        .await;
    s.press(&format!("{ALT}2{RELEASE}")).await;
    s.click("#q-vitals_weight").await;
    s.press(&format!("{CONTROL}a{RELEASE}")).await;
    s.press(&format!("99{ENTER}")).await;
    s.wait_for_text("#intake-saved", "Saved").await;
    s.press(&format!("{CONTROL}{ENTER}{RELEASE}")).await;
    s.wait_for_text("#review-record", "99 kg").await;
    s.click("#review-discard").await;
    s.click("#review-discard-yes").await;
    s.wait_for_text("#review-record", "101 kg").await;
    s.find("#review-amend-open:not([hidden])").await;
    s.screenshot("review-discarded").await;
    let review = api(s.data.path())
        .open_review(Caller::Cli("e2e"), kept)
        .unwrap();
    assert_eq!(review.encounter.status, "signed");
    assert!(
        review.encounter.amending.is_none(),
        "the amendment is closed"
    );
    assert_eq!(review.versions.len(), 1, "nothing new was signed");
    // The answer history keeps what was tried.
    s.click("#review-answer-history summary").await;
    s.wait_for_text("#review-answer-history", "99").await;
    s.finish().await;
}

/// Damages one answer of visit `id` from a SQL shell (the guarding triggers dropped
/// first, as only such damage could do).
fn damage(data: &std::path::Path, id: i64) {
    let db = data.join("intake.db");
    let shell = |sql: &str| {
        let out = std::process::Command::new("sqlite3")
            .arg(&db)
            .arg(sql)
            .output()
            .expect("the sqlite3 shell");
        assert!(out.status.success(), "{sql}");
        String::from_utf8_lossy(&out.stdout).to_string()
    };
    let drops: String = shell(
        "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'encounter_answers';",
    )
    .lines()
    .map(|t| format!("DROP TRIGGER \"{t}\";"))
    .collect();
    shell(&format!(
        "{drops} UPDATE encounter_answers SET value_json = 'garbled' \
         WHERE encounter_id = {id} AND answer_key = 'vitals/weight';"
    ));
}

#[tokio::test]
async fn a_damaged_visit_says_so_and_the_next_one_still_opens() {
    let data = demo_data();
    // Both today, one after the other: the later one compares with the earlier.
    let earlier = submitted_visit_for_zoe(
        data.path(),
        0,
        &[
            change("visit/reason", json!([{ "valueString": "Cough" }])),
            change("vitals/weight", json!([{ "valueDecimal": 64.5 }])),
        ],
    );
    let later = submitted_visit_for_zoe(
        data.path(),
        0,
        &[
            change("visit/reason", json!([{ "valueString": "Follow-up" }])),
            change("vitals/weight", json!([{ "valueDecimal": 63 }])),
        ],
    );
    damage(data.path(), earlier);
    let s = Session::start("review-damaged", data).await;
    sign_in(&s, "physician").await;
    open_route(&s, &format!("#/review/{earlier}")).await;
    let said = s
        .wait_for_text("#review-notice", "This record is damaged")
        .await;
    assert!(
        said.contains(&format!("visit {earlier}")) && said.contains("vitals/weight"),
        "the damaged visit and answer are named: {said}"
    );
    s.screenshot("review-damaged").await;
    open_route(&s, &format!("#/intake/{earlier}")).await;
    s.wait_for_text("#intake-notice", "This record is damaged")
        .await;
    // The later visit opens; its comparison names the damaged one instead of a blank.
    open_route(&s, &format!("#/review/{later}")).await;
    s.wait_for_text("#review-status", "Submitted").await;
    s.wait_for_text("#review-changes-damaged", "Not compared with the visit of")
        .await;
    s.screenshot("review-damaged-previous").await;
    s.finish().await;
}

#[tokio::test]
async fn sign_and_open_next_goes_on_through_the_queue() {
    let data = demo_data();
    let first = submitted_visit_for_zoe(
        data.path(),
        2,
        &[change(
            "visit/reason",
            json!([{ "valueString": "Sore throat" }]),
        )],
    );
    let s = Session::start("review-next", data).await;
    sign_in(&s, "physician").await;
    s.click("#nav a[data-section=\"review\"]").await;
    s.find(&format!("#review-item-{first}")).await;
    let (waiting, _) = queue_and_badge(&s).await;
    assert!(waiting >= 2, "other visits wait too ({waiting})");
    open_route(&s, &format!("#/review/{first}")).await;
    s.wait_for_text("#review-patient", "Zoë").await;
    s.find("#review-sign-next:not([hidden])").await;

    // Ctrl+Shift+Enter asks to sign and go on; Enter does.
    s.press(&format!("{CONTROL}{SHIFT}{ENTER}{RELEASE}")).await;
    s.wait_for_text("#review-sign-confirm", "open the next visit")
        .await;
    s.press(ENTER).await;
    // The next review replaces the whole screen: read the notice by script, not through
    // an element handle that the new screen makes stale.
    let deadline = std::time::Instant::now() + crate::harness::PATIENCE;
    let notice = loop {
        let text = script(
            &s,
            "return document.querySelector('#review-notice')?.textContent || '';",
        )
        .await;
        let text = text.as_str().unwrap_or_default().to_string();
        if text.contains("This is the next visit waiting") || std::time::Instant::now() > deadline {
            break text;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    };
    assert!(
        notice.contains("This is the next visit waiting") && notice.contains("Signed Zoë"),
        "{notice}"
    );
    let shown = script(
        &s,
        "return Number((location.hash.match(/review\\/(\\d+)/) || [])[1] || 0);",
    )
    .await
    .as_i64()
    .unwrap_or_default();
    assert!(shown > 0 && shown != first, "another visit opened: {shown}");
    s.wait_for_text("#review-status", "Submitted").await;
    s.screenshot("review-next").await;
    let stored = api(s.data.path())
        .list_encounters(Caller::Cli("e2e"), None, Some("signed"))
        .unwrap();
    assert!(
        stored.iter().any(|e| e.id == first),
        "the first one is signed"
    );
    s.finish().await;
}
