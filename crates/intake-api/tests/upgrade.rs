//! The upgrade path: a database written by an earlier release (`tests/fixtures/
//! upgrade-v6.db`, schema version 6, made once by `scripts/make-upgrade-fixture.sh`)
//! opens with today's code, is migrated to the newest schema, and still holds what its
//! users entered: the patients, the visits in every status, the carried values and who
//! confirmed them, the audit chain, the passwords, and every signature.
//!
//! A signature is the SHA-256 of the record as signed. The hashes below were printed when
//! the fixture was made; a migration that re-keys answers, or a change to the record's
//! canonical form, must keep old records hashing to them (the record's hashed form is
//! versioned for that), or this test fails. The committed file is never opened itself:
//! each test works on a copy.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;

use chrono::{TimeZone, Utc};
use intake_api::{Api, Caller, ManualClock};
use intake_store::prelude::*;
use intake_store::Store;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

const CLI: Caller<'static> = Caller::Cli("tester");
/// The schema version the fixture was written with.
const FIXTURE_VERSION: i64 = 6;
/// The fixture administrator's password (`examples/upgrade_fixture.rs`).
const ADMIN_PASSWORD: &str = "upgrade-fixture-1";

/// Every signed version in the fixture: encounter, version, kind, the record's SHA-256.
const SIGNATURES: [(i64, u32, &str, &str); 3] = [
    (
        1,
        1,
        "signed",
        "6f78869485d56ea0876d3f7d597a0f3666ece85dd354ab20fd0922e77b037972",
    ),
    (
        2,
        1,
        "signed",
        "d9f35fe26e6a62d657a6e186619fedda7949ee236b8283942643a9d62cca77f6",
    ),
    (
        2,
        2,
        "amended",
        "05b39e89ae84cd0a48645242e3227de90ad31876d10e0f412f53dadcb120c44f",
    ),
];

/// A copy of the fixture in a fresh folder (the committed file stays untouched).
struct Copy {
    _dir: tempfile::TempDir,
    path: PathBuf,
}

fn copy() -> Copy {
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/upgrade-v6.db");
    let dir = tempfile::tempdir().expect("a temporary folder");
    let path = dir.path().join("intake.db");
    std::fs::copy(&fixture, &path).unwrap_or_else(|e| panic!("copying {}: {e}", fixture.display()));
    Copy { _dir: dir, path }
}

fn user_version(path: &Path) -> i64 {
    let out = Command::new("sqlite3")
        .arg(path)
        .arg("PRAGMA user_version;")
        .output()
        .expect("the sqlite3 shell (scripts/ensure-deps.sh installs it)");
    assert!(out.status.success(), "sqlite3 reads {}", path.display());
    String::from_utf8_lossy(&out.stdout)
        .trim()
        .parse()
        .expect("PRAGMA user_version prints a number")
}

fn open(path: &Path) -> Api {
    let clock = Arc::new(ManualClock::new(
        Utc.with_ymd_and_hms(2026, 10, 1, 9, 0, 0).unwrap(),
    ));
    Api::open_file(path, clock).unwrap_or_else(|e| panic!("today's code opens the fixture: {e}"))
}

fn sha256(text: &str) -> String {
    hex::encode(Sha256::digest(text.as_bytes()))
}

#[test]
fn the_fixture_migrates_to_the_newest_schema_and_users_still_sign_in() {
    let db = copy();
    assert_eq!(
        user_version(&db.path),
        FIXTURE_VERSION,
        "the committed fixture is the version-6 file (never regenerated)"
    );
    let api = open(&db.path);
    let admin = api
        .sign_in("admin", ADMIN_PASSWORD)
        .expect("the administrator signs in with the password set before the upgrade");
    api.whoami(Caller::Session(&admin.token))
        .expect("the new session works");
    assert!(
        api.sign_in("admin", "not-the-password").is_err(),
        "a wrong password is still refused"
    );
    api.sign_in("nurse", "demo")
        .expect("the demo nurse signs in with the demo password");
    let verdict = api.verify_audit(CLI).expect("the audit chain can be read");
    assert!(
        verdict.intact,
        "the audit chain written before the upgrade still verifies: {:?}",
        verdict.reason
    );
    assert!(
        verdict.entries >= 46,
        "the fixture's 46 entries are all there, found {}",
        verdict.entries
    );
    drop(api);
    assert_eq!(
        user_version(&db.path),
        intake_store::migrations::latest_version(),
        "opening migrated the file to the newest schema"
    );
}

#[test]
fn patients_and_visits_keep_their_names_and_statuses() {
    let db = copy();
    let api = open(&db.path);
    let names: Vec<(String, String, String)> = (1..=5)
        .map(|id| {
            let p = api
                .get_patient(CLI, id)
                .unwrap_or_else(|e| panic!("patient {id} is there: {e}"));
            (p.mrn, p.given, p.family)
        })
        .collect();
    let expected = [
        ("000001-8", "Łukasz", "Kowalski"),
        ("000002-6", "Zoë", "Núñez"),
        ("000003-4", "Søren", "Ødegård"),
        ("000004-2", "Thị Hoa", "Nguyễn"),
        ("000005-9", "Siobhán", "O'Brien"),
    ];
    assert_eq!(
        names,
        expected.map(|(m, g, f)| (m.to_string(), g.to_string(), f.to_string())),
        "every patient keeps MRN and non-ASCII names"
    );
    let found = api
        .search_patients(CLI, "lukasz kowal")
        .expect("search works after the upgrade");
    assert_eq!(
        found.patients.iter().map(|p| p.id).collect::<Vec<_>>(),
        [1],
        "the folded search index still finds Łukasz"
    );

    let visits: Vec<(i64, String, String)> = api
        .list_encounters(CLI, None, None)
        .expect("the visits list")
        .into_iter()
        .map(|e| (e.id, e.patient_name, e.status))
        .collect();
    let expected = [
        (7, "Siobhán O'Brien", "entered_in_error"),
        (6, "Thị Hoa Nguyễn", "draft"),
        (5, "Søren Ødegård", "submitted"),
        (4, "Zoë Núñez", "draft"),
        (3, "Łukasz Kowalski", "draft"),
        (2, "Łukasz Kowalski", "amended"),
        (1, "Łukasz Kowalski", "signed"),
    ];
    assert_eq!(
        visits,
        expected.map(|(id, n, s)| (id, n.to_string(), s.to_string())),
        "every visit keeps its patient and status, newest first"
    );

    let returned = api.encounter_detail(CLI, 4).expect("visit 4");
    let back = returned
        .encounter
        .returned
        .as_ref()
        .expect("the returned draft still says who returned it and why");
    assert_eq!(
        (back.by.as_str(), back.comment.as_str()),
        ("physician", "Weight looks wrong: re-weigh, please?")
    );
    let wrong = api.encounter_detail(CLI, 7).expect("visit 7");
    assert_eq!(
        wrong.encounter.in_error.as_ref().map(|r| r.reason.as_str()),
        Some("Entered on the wrong patient's chart"),
        "the reason a visit was entered in error is kept"
    );
    let queue = api
        .review_queue(CLI, None, None, None)
        .expect("the review queue");
    assert_eq!(
        queue
            .items
            .iter()
            .map(|i| (i.encounter_id, i.reason.as_deref()))
            .collect::<Vec<_>>(),
        [(5, Some("Sprained ankle"))],
        "the submitted visit still waits for review, with its reason"
    );
}

/// `answer(review, key)`: the answer's values, source and who confirmed it.
fn answer(answers: &[intake_api::wire::AnswerDto], key: &str) -> Value {
    let a = answers
        .iter()
        .find(|a| a.key == key)
        .unwrap_or_else(|| panic!("an answer {key}"));
    json!({
        "values": a.values,
        "source": a.source,
        "carriedFrom": a.carried.as_ref().map(|c| c.encounter),
        "carriedConfirmedBy": a.carried.as_ref().and_then(|c| c.confirmed_by.clone()),
        "needsConfirmation": a.needs_confirmation,
        "confirmedBy": a.confirmed_by,
    })
}

#[test]
fn carried_values_keep_where_they_came_from_and_who_confirmed_them() {
    let db = copy();
    let api = open(&db.path);
    let repeat = api.encounter_detail(CLI, 2).expect("visit 2");
    assert_eq!(
        answer(&repeat.answers, "medications/medication[1]/med-name"),
        json!({
            "values": [{ "valueString": "Metformin 500 mg" }],
            "source": "carried",
            "carriedFrom": 1,
            "carriedConfirmedBy": null,
            "needsConfirmation": false,
            "confirmedBy": null,
        }),
        "the medication carried from the first visit"
    );
    assert_eq!(
        answer(&repeat.answers, "medications/medication[1]"),
        json!({
            "values": [],
            "source": "carried",
            "carriedFrom": 1,
            "carriedConfirmedBy": null,
            "needsConfirmation": true,
            "confirmedBy": "nurse",
        }),
        "its row was confirmed as a whole by the nurse"
    );
    let third = api.encounter_detail(CLI, 3).expect("visit 3");
    assert_eq!(
        answer(&third.answers, "medications/medication[1]"),
        json!({
            "values": [],
            "source": "carried",
            "carriedFrom": 2,
            "carriedConfirmedBy": "nurse",
            "needsConfirmation": true,
            "confirmedBy": null,
        }),
        "the newest draft's carried row still waits for confirmation, and says who \
         confirmed it at the visit it came from"
    );
}

#[test]
fn every_signature_still_verifies_against_the_record_as_today_reads_it() {
    let db = copy();
    // The kept texts and hashes, as the store holds them after the upgrade.
    let store = Store::open(&db.path).expect("the store opens the fixture");
    let kept: Vec<(i64, String, String, String)> = store
        .read(|db| {
            let mut kept = Vec::new();
            for id in [1, 2] {
                for e in db.encounter_events(intake_core::EncounterId(id))? {
                    if let (Some(json), Some(hash)) = (e.record_json, e.record_sha256) {
                        kept.push((id, e.kind.as_str().to_string(), json, hash));
                    }
                }
            }
            Ok::<_, intake_store::StoreError>(kept)
        })
        .expect("the signed records can be read");
    drop(store);
    assert_eq!(
        kept.iter()
            .map(|(id, kind, _, hash)| (*id, kind.as_str(), hash.as_str()))
            .collect::<Vec<_>>(),
        SIGNATURES
            .iter()
            .map(|(id, _, kind, hash)| (*id, *kind, *hash))
            .collect::<Vec<_>>(),
        "every signature keeps the hash it was made with"
    );
    for (id, kind, json, hash) in &kept {
        assert_eq!(
            &sha256(json),
            hash,
            "encounter {id}'s {kind} record text still hashes to its signature"
        );
    }

    let api = open(&db.path);
    for (id, version, kind, hash) in SIGNATURES {
        let v = api
            .record_version(CLI, id, version)
            .unwrap_or_else(|e| panic!("encounter {id} version {version} reads back: {e}"));
        assert_eq!(
            (v.version.kind.as_str(), v.version.record_hash.as_str()),
            (kind, hash),
            "encounter {id} version {version} as the review lists it"
        );
    }
    // The newest signed version is what the record holds now: today's code, computing
    // the record's hash from the migrated answers, must arrive at the signed hash.
    for (id, latest) in [(1, SIGNATURES[0].3), (2, SIGNATURES[2].3)] {
        let review = api.open_review(CLI, id).expect("the review opens");
        assert_eq!(
            review.record_hash, latest,
            "encounter {id}: the record as read today hashes to its last signature"
        );
        assert!(
            review.versions.iter().all(|v| SIGNATURES
                .iter()
                .any(|s| s.0 == id && s.1 == v.version && s.3 == v.record_hash)),
            "encounter {id} lists only its known signed versions: {:?}",
            review.versions
        );
    }
    // The amendment kept the earlier version exactly: the weight in pounds, then in kg.
    let weight = |version| {
        let v = api.record_version(CLI, 2, version).expect("a version");
        answer(&v.answers, "vitals/weight")["values"].clone()
    };
    assert_eq!(
        (weight(1), weight(2)),
        (
            json!([{ "valueDecimal": 182.0 }]),
            json!([{ "valueDecimal": 82.6 }])
        ),
        "each signed version shows its own weight"
    );
}

/// Runs SQL on the copy with the `sqlite3` shell; returns what it printed.
fn sql(path: &Path, statements: &str) -> String {
    let out = Command::new("sqlite3")
        .arg(path)
        .arg(statements)
        .output()
        .expect("the sqlite3 shell");
    assert!(
        out.status.success(),
        "{statements}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

/// Damages one answer of `visit` as a SQL shell (or a bad disk) could: the triggers
/// that guard a signed record are dropped first. Returns the damaged answer's key.
fn damage(path: &Path, visit: i64) -> String {
    damage_answer(path, visit, None)
}

/// [`damage`] of one chosen answer (`key`), or of the visit's first one with a value.
fn damage_answer(path: &Path, visit: i64, key: Option<&str>) -> String {
    let triggers = sql(
        path,
        "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'encounter_answers';",
    );
    let drops: String = triggers
        .lines()
        .map(|t| format!("DROP TRIGGER \"{t}\";"))
        .collect();
    let key = match key {
        Some(key) => key.to_string(),
        None => sql(
            path,
            &format!(
                "SELECT min(answer_key) FROM encounter_answers WHERE encounter_id = {visit} \
                 AND value_json <> '[]';"
            ),
        ),
    };
    sql(
        path,
        &format!(
            "{drops} UPDATE encounter_answers SET value_json = '[{{\"valueDecimal\":' \
             WHERE encounter_id = {visit} AND answer_key = '{key}';"
        ),
    );
    key
}

#[test]
fn a_damaged_answer_makes_its_visit_say_so_and_leaves_the_others_working() {
    let db = copy();
    let old_key = damage(&db.path, 1);
    // The damage is done before the upgrade, which moves the answer to its path key.
    assert_eq!(
        old_key, "1:med-name",
        "the first answer with a value is damaged"
    );
    let key = "medications/medication[1]/med-name";
    let api = open(&db.path);
    let said = |e: intake_api::ApiError| {
        let text = e.to_string();
        assert!(
            text.starts_with("This record is damaged")
                && text.contains("visit 1")
                && text.contains(key),
            "the visit and the answer are named: {text}"
        );
    };
    said(
        api.open_intake(CLI, 1)
            .expect_err("the intake says it is damaged"),
    );
    said(
        api.open_review(CLI, 1)
            .expect_err("the review says it is damaged"),
    );
    let out = tempfile::tempdir().unwrap();
    let pdf = out.path().join("visit-1.pdf");
    said(
        api.export_pdf(CLI, 1, &pdf)
            .expect_err("the PDF export says it is damaged"),
    );
    assert!(!pdf.exists(), "no PDF of a damaged record is written");
    api.open_intake(CLI, 2).expect("another visit still opens");
    // Visit 2 compares with visit 1: it opens, names the damage and lists no changes.
    let review = api
        .open_review(CLI, 2)
        .expect("the later visit's review still opens");
    let previous = review.previous.expect("visit 1 is the visit before");
    assert_eq!(previous.encounter_id, 1);
    let why = previous
        .damaged
        .expect("the comparison says why it is missing");
    assert!(why.contains("visit 1"), "{why}");
    assert_eq!(
        sql(
            &db.path,
            &format!(
                "SELECT value_json FROM encounter_answers WHERE encounter_id = 1 AND answer_key = '{key}';"
            ),
        ),
        "[{\"valueDecimal\":",
        "nothing is rewritten"
    );
}

#[test]
fn a_new_intake_carries_past_a_damaged_visit_and_says_it_was_not_used() {
    let db = copy();
    damage(&db.path, 2);
    let api = open(&db.path);
    let plan = api
        .plan_intake(CLI, 1, None, None)
        .expect("a plan for Łukasz despite his damaged visit");
    assert!(
        plan.skipped
            .iter()
            .any(|s| s == "Intake 2: its record is damaged: not used"),
        "the damaged visit is listed as not used: {:?}",
        plan.skipped
    );
    let carried: Vec<i64> = plan
        .entries
        .iter()
        .filter_map(|e| e.source_encounter)
        .collect();
    assert!(
        !carried.is_empty() && carried.iter().all(|&from| from == 1),
        "values come from the visit before it instead: {carried:?}"
    );
}

#[test]
fn a_damaged_reason_flags_its_visit_in_the_review_queue_and_the_queue_still_shows() {
    let db = copy();
    damage_answer(&db.path, 5, Some(":reason"));
    let api = open(&db.path);
    let queue = api
        .review_queue(CLI, None, None, None)
        .expect("the queue still opens");
    let item = queue
        .items
        .iter()
        .find(|i| i.encounter_id == 5)
        .expect("the submitted visit still waits");
    assert_eq!(item.reason.as_deref(), Some("(this record is damaged)"));
}

#[test]
fn a_signature_made_after_the_upgrade_is_in_form_2_and_verifies_while_old_ones_stay_in_form_1() {
    let db = copy();
    let api = open(&db.path);
    let physician = api
        .sign_in("physician", "demo")
        .expect("the demo physician signs in");
    let me = Caller::Session(&physician.token);
    let review = api
        .open_review(me, 5)
        .expect("the submitted visit opens for review");
    api.sign_intake(me, 5, &review.record_hash)
        .expect("the physician signs the visit submitted before the upgrade");
    let signed = api.open_review(me, 5).expect("the signed visit");
    let newest = signed
        .versions
        .last()
        .expect("the signature is listed as a version");
    assert_eq!(
        newest.record_hash, signed.record_hash,
        "the record as read now hashes to the new signature"
    );
    drop(api);

    let store = Store::open(&db.path).expect("the store opens the file");
    let forms: Vec<(i64, Option<u32>, String, String)> = store
        .read(|db| {
            let mut out = Vec::new();
            for id in [1, 2, 5] {
                for e in db.encounter_events(intake_core::EncounterId(id))? {
                    if let (Some(json), Some(hash)) = (e.record_json, e.record_sha256) {
                        out.push((id, e.record_form, json, hash));
                    }
                }
            }
            Ok::<_, intake_store::StoreError>(out)
        })
        .expect("the signatures read back");
    assert_eq!(
        forms
            .iter()
            .map(|(id, form, _, _)| (*id, *form))
            .collect::<Vec<_>>(),
        [(1, Some(1)), (2, Some(1)), (2, Some(1)), (5, Some(2))],
        "the signatures made before stay in form 1; the new one is in form 2"
    );
    let (_, _, json, hash) = &forms[3];
    assert_eq!(
        &sha256(json),
        hash,
        "the new signature's text hashes to its hash"
    );
    assert!(
        json.contains("\"key\":\"visit/reason\""),
        "form 2 writes path keys: {json}"
    );
    assert!(
        forms[0].2.contains("\"key\":\":reason\""),
        "form 1 keeps the old key text"
    );
}

#[test]
fn an_old_signature_is_amended_and_discarded_in_its_own_form_then_amended_in_form_2() {
    let db = copy();
    let api = open(&db.path);
    let physician = api
        .sign_in("physician", "demo")
        .expect("the demo physician signs in");
    let me = Caller::Session(&physician.token);
    let signed = SIGNATURES[0].3;
    let opened = api.open_review(me, 1).expect("visit 1 opens");
    assert_eq!(opened.record_hash, signed, "visit 1 shows its form-1 hash");
    api.start_amendment(me, 1, "Weight typed in pounds", &opened.record_hash)
        .expect("the hash shown before the upgrade's record is accepted as unchanged");
    let discarded = api
        .discard_amendment(me, 1)
        .expect("the amendment is discarded");
    assert_eq!(
        discarded.record_hash, signed,
        "discarding restores the form-1 record, which still hashes to its signature"
    );

    let opened = api.open_review(me, 1).expect("visit 1 opens again");
    api.start_amendment(me, 1, "Weight typed in pounds", &opened.record_hash)
        .expect("a second amendment starts");
    let weight = api
        .encounter_detail(me, 1)
        .expect("the visit")
        .answers
        .into_iter()
        .find(|a| a.key == "vitals/weight")
        .expect("visit 1 has a weight under its path key");
    let edit: intake_api::wire::ChangeDto = serde_json::from_value(json!({
        "key": "vitals/weight",
        "values": [{ "valueDecimal": 80.1 }],
        "baseRev": weight.rev,
    }))
    .expect("a change");
    api.save_intake(me, 1, &[edit], None)
        .expect("the physician corrects the weight");
    let before_signing = api.open_review(me, 1).expect("the amendment under review");
    let amended = api
        .sign_intake(me, 1, &before_signing.record_hash)
        .expect("the amendment is signed");
    let newest = amended.versions.last().expect("the new version is listed");
    assert_eq!(
        (amended.versions.len(), newest.record_hash.as_str()),
        (2, amended.record_hash.as_str()),
        "a second version, whose hash is what the record reads as now (form 2)"
    );
    let first = api.record_version(me, 1, 1).expect("version 1 reads back");
    assert_eq!(
        (
            first.version.record_hash.as_str(),
            answer(&first.answers, "vitals/weight")["values"].clone()
        ),
        (signed, json!([{ "valueDecimal": 84.5 }])),
        "the form-1 version is shown as it was signed, under path keys"
    );
}

/// Opening a database made before version 2 of the built-in form brings it, active, and
/// retires version 1 (kept: its visits still read and verify), once, audited as the
/// system; a draft begun on version 1 stays on it and submits there; a new intake starts
/// on version 2 and carries the version-1 visits' answers.
#[test]
fn the_upgrade_brings_version_2_of_the_built_in_form_once_and_drafts_keep_version_1() {
    let db = copy();
    let forms = |api: &Api| -> Vec<(String, String, bool)> {
        api.list_templates(CLI)
            .unwrap()
            .into_iter()
            .filter(|t| t.slug == "general-adult-intake")
            .map(|t| (t.version, t.status, t.built_in))
            .collect()
    };
    let by_system = |api: &Api| -> Vec<(String, Option<String>)> {
        let filter = intake_api::wire::AuditFilterDto {
            action_prefix: Some("template.".into()),
            actor: Some("system".into()),
            ..Default::default()
        };
        api.list_audit(CLI, &filter)
            .unwrap()
            .into_iter()
            .map(|e| (e.action, e.entity_id))
            .collect()
    };
    let api = open(&db.path);
    let want = vec![
        ("1".to_string(), "retired".to_string(), true),
        ("2".to_string(), "active".to_string(), true),
    ];
    assert_eq!(
        forms(&api),
        want,
        "version 2 active, version 1 kept, retired"
    );
    let entries = by_system(&api);
    assert_eq!(
        entries[..2].to_vec(),
        vec![
            (
                "template.retired".to_string(),
                Some("general-adult-intake@1".to_string())
            ),
            (
                "template.imported".to_string(),
                Some("general-adult-intake@2".to_string())
            ),
        ],
        "the upgrade is audited as the system, newest first: {entries:?}"
    );
    drop(api);
    let api = open(&db.path);
    assert_eq!(forms(&api), want, "opening again changes nothing");
    assert_eq!(by_system(&api), entries, "and audits nothing");

    // Łukasz's draft (visit 3) was begun on version 1: it stays there and submits there.
    let token = api.sign_in("nurse", "demo").unwrap().token;
    let nurse = Caller::Session(&token);
    let draft = api.open_intake(nurse, 3).expect("visit 3");
    assert_eq!(draft.encounter.template_version, "1");
    let waiting: Vec<intake_api::wire::ConfirmDto> = draft
        .answers
        .iter()
        .filter(|a| a.needs_confirmation && a.confirmed_by.is_none())
        .map(|a| serde_json::from_value(json!({ "key": a.key, "baseRev": a.rev })).unwrap())
        .collect();
    api.confirm_intake(nurse, 3, &waiting).unwrap();
    let done = api.submit_intake(nurse, 3).unwrap();
    assert!(
        done.submitted,
        "a version-1 draft submits after the upgrade: {:?}",
        done.problems
    );
    assert_eq!(done.encounter.template_version, "1");

    // A new intake for him starts on version 2, his medication carried from visit 3.
    let e = api.start_intake(nurse, 1, None, None).unwrap();
    assert_eq!(e.template_version, "2");
    let intake = api.open_intake(nurse, e.id).unwrap();
    let metformin = intake
        .answers
        .iter()
        .find(|a| a.key == "medications/medication[1]/med-name")
        .expect("the medication carried into version 2");
    assert_eq!(
        (
            metformin.values.clone(),
            metformin.carried.as_ref().map(|c| c.encounter)
        ),
        (vec![json!({ "valueString": "Metformin 500 mg" })], Some(3)),
        "from the version-1 visit it was confirmed at"
    );
}

/// A clinic that retired the built-in form before the upgrade keeps its choice: version
/// 2 arrives as a draft for an administrator to activate, and nothing is started on it.
#[test]
fn a_clinic_that_retired_the_built_in_form_keeps_its_choice_after_the_upgrade() {
    let db = copy();
    sql(
        &db.path,
        "UPDATE templates SET status = 'retired' WHERE slug = 'general-adult-intake';",
    );
    let api = open(&db.path);
    let forms: Vec<(String, String)> = api
        .list_templates(CLI)
        .unwrap()
        .into_iter()
        .filter(|t| t.slug == "general-adult-intake")
        .map(|t| (t.version, t.status))
        .collect();
    assert_eq!(
        forms,
        [
            ("1".to_string(), "retired".to_string()),
            ("2".to_string(), "draft".to_string())
        ],
        "version 2 is offered as a draft; version 1 stays retired"
    );
    let token = api.sign_in("nurse", "demo").unwrap().token;
    let refused = api
        .start_intake(Caller::Session(&token), 1, None, None)
        .expect_err("no active form to start");
    assert!(refused.to_string().contains("no active form"), "{refused}");
}
