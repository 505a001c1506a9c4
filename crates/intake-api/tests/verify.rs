//! `verify_records` and the audit anchor: a signed record changed around the database's
//! triggers is named, whether only its answers were edited or its kept record and hash
//! were forged to match; a log cut after an anchor no longer holds it.
//!
//! The tampering is done as a person with a SQL shell would: the `sqlite3` shell on the
//! database file, every trigger dropped first.

use std::path::Path;
use std::process::Command;
use std::sync::Arc;

use chrono::{TimeZone, Utc};
use intake_api::wire::{AnchorDto, ChangeDto};
use intake_api::{Api, Caller, DataDir, ManualClock};
use serde_json::json;

const CLI: Caller<'static> = Caller::Cli("tester");

fn sql(path: &Path, statements: &str) -> String {
    let out = Command::new("sqlite3")
        .arg(path)
        .arg(statements)
        .output()
        .expect("the sqlite3 shell (scripts/ensure-deps.sh installs it)");
    assert!(
        out.status.success(),
        "{statements}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

/// Drops every trigger, as someone working around them would.
fn drop_triggers(path: &Path) {
    let names = sql(
        path,
        "SELECT name FROM sqlite_master WHERE type = 'trigger';",
    );
    let drops: String = names
        .lines()
        .map(|t| format!("DROP TRIGGER \"{t}\";"))
        .collect();
    sql(path, &drops);
}

struct Clinic {
    _dir: tempfile::TempDir,
    db: std::path::PathBuf,
    api: Api,
}

fn clinic() -> Clinic {
    let dir = tempfile::tempdir().unwrap();
    let clock = Arc::new(ManualClock::new(
        Utc.with_ymd_and_hms(2026, 11, 23, 9, 0, 0).unwrap(),
    ));
    let api = Api::open(&DataDir::at(dir.path()), clock).unwrap();
    intake_demo::seed_demo(&api, CLI).unwrap();
    Clinic {
        db: dir.path().join("intake.db"),
        api,
        _dir: dir,
    }
}

fn first_signed(api: &Api) -> i64 {
    api.list_encounters(CLI, None, Some("signed")).unwrap()[0].id
}

#[test]
fn the_demo_register_is_as_signed() {
    let c = clinic();
    let report = c.api.verify_records(CLI).unwrap();
    assert_eq!(report.mismatch, None, "{report:?}");
    assert!(
        report.checked > 200,
        "every signed demo visit checked: {report:?}"
    );
}

#[test]
fn an_answer_edited_around_the_triggers_is_named() {
    let c = clinic();
    let visit = first_signed(&c.api);
    drop_triggers(&c.db);
    sql(
        &c.db,
        &format!(
            "UPDATE encounter_answers SET value_json = '[{{\"valueDecimal\":55.5}}]' \
             WHERE encounter_id = {visit} AND answer_key = 'vitals/weight';"
        ),
    );
    let report = c.api.verify_records(CLI).unwrap();
    let m = report.mismatch.expect("the edit is found");
    assert_eq!(m.encounter_id, visit);
    assert!(
        m.what.contains("answers changed since the signature"),
        "{m:?}"
    );
    // Nor is it printed as if it were signed.
    let out = tempfile::tempdir().unwrap();
    let pdf = out.path().join("visit.pdf");
    let e = c
        .api
        .export_pdf(CLI, visit, &pdf)
        .expect_err("no PDF of a changed signed record");
    assert!(
        e.to_string().contains("differs from what was signed"),
        "{e}"
    );
    assert!(!pdf.exists(), "no file written");
}

#[test]
fn a_forged_record_and_hash_are_caught_by_the_audit_entry_and_a_cut_log_by_the_anchor() {
    let c = clinic();
    let visit = first_signed(&c.api);
    let anchor = c.api.audit_anchor(CLI).unwrap().expect("a head");
    assert_eq!(c.api.check_anchor(CLI, &anchor).unwrap(), None);

    // The forgery: in a copy, the same visit amended legitimately to another weight; its
    // answers and its kept record and hash then put over the original's signature.
    let copy_dir = tempfile::tempdir().unwrap();
    let copy = copy_dir.path().join("intake.db");
    sql(&c.db, &format!("VACUUM INTO '{}';", copy.display()));
    {
        let forger = Api::open_file(
            &copy,
            Arc::new(ManualClock::new(
                Utc.with_ymd_and_hms(2026, 11, 23, 10, 0, 0).unwrap(),
            )),
        )
        .unwrap();
        let doctor = forger.sign_in("physician", "demo").unwrap().token;
        let me = Caller::Session(&doctor);
        let hash = forger.open_review(me, visit).unwrap().record_hash;
        forger.start_amendment(me, visit, "forged", &hash).unwrap();
        let weight = forger
            .encounter_detail(me, visit)
            .unwrap()
            .answers
            .into_iter()
            .find(|a| a.key == "vitals/weight")
            .expect("a weight");
        let change: ChangeDto = serde_json::from_value(json!({
            "key": "vitals/weight",
            "values": [{ "valueDecimal": 55.5 }],
            "baseRev": weight.rev,
        }))
        .unwrap();
        forger.save_intake(me, visit, &[change], None).unwrap();
        let hash = forger.open_review(me, visit).unwrap().record_hash;
        forger.sign_intake(me, visit, &hash).unwrap();
    }
    drop_triggers(&c.db);
    sql(
        &c.db,
        &format!(
            "ATTACH '{copy}' AS forged; \
             DELETE FROM encounter_answers WHERE encounter_id = {visit}; \
             INSERT INTO encounter_answers SELECT * FROM forged.encounter_answers WHERE encounter_id = {visit}; \
             UPDATE encounter_events SET \
               record_json = (SELECT record_json FROM forged.encounter_events WHERE encounter_id = {visit} ORDER BY seq DESC LIMIT 1), \
               record_sha256 = (SELECT record_sha256 FROM forged.encounter_events WHERE encounter_id = {visit} ORDER BY seq DESC LIMIT 1) \
             WHERE encounter_id = {visit} AND record_json IS NOT NULL;",
            copy = copy.display()
        ),
    );
    let report = c.api.verify_records(CLI).unwrap();
    let m = report.mismatch.expect("the forgery is found");
    assert_eq!(m.encounter_id, visit);
    assert!(
        m.what.contains("the audit log recorded its signature"),
        "{m:?}"
    );

    // Cutting the tail of the log leaves a chain that still verifies, but not one that
    // holds an anchor taken before the cut.
    let later = c.api.audit_anchor(CLI).unwrap().expect("a head");
    sql(
        &c.db,
        &format!("DELETE FROM audit_log WHERE seq > {};", anchor.seq - 3),
    );
    assert!(
        c.api.verify_audit(CLI).unwrap().intact,
        "a cut chain still verifies"
    );
    let why = c
        .api
        .check_anchor(CLI, &later)
        .unwrap()
        .expect("the anchor is gone");
    assert!(why.contains("was cut"), "{why}");
    // A rewritten entry at the anchor: its hash no longer matches.
    let kept = AnchorDto {
        seq: anchor.seq - 3,
        hash: "0".repeat(64),
    };
    let why = c
        .api
        .check_anchor(CLI, &kept)
        .unwrap()
        .expect("not that hash");
    assert!(why.contains("rewritten"), "{why}");
}

#[test]
fn anchors_read_only_as_seq_colon_hash() {
    let good = format!("12:{}", "a1".repeat(32));
    assert_eq!(good.parse::<AnchorDto>().unwrap().to_string(), good);
    for bad in [
        "",
        "12",
        "x:abc",
        "0:abc",
        "12:ABC",
        &format!("12:{}", "g".repeat(64)),
        &format!("-1:{}", "a".repeat(64)),
    ] {
        let e = bad.parse::<AnchorDto>().expect_err(bad);
        assert!(e.to_string().contains("is not an anchor"), "{bad}: {e}");
    }
}

/// Every batch's manifest carries the audit chain's head as the batch started (its
/// `export.pdf_batch_started` entry, committed before any file appears): kept with the
/// files, outside the database, it later tells a cut log from a whole one.
#[test]
fn a_batch_manifest_carries_an_anchor_that_the_log_must_keep() {
    use intake_api::wire::{AuditFilterDto, BatchRequest};
    use std::sync::atomic::AtomicBool;

    let c = clinic();
    let out = tempfile::tempdir().unwrap();
    let request = BatchRequest {
        from: "2026-01-01".into(),
        to: "2026-11-23".into(),
        statuses: Vec::new(),
        folder: out.path().to_path_buf(),
    };
    let report = c
        .api
        .export_batch(CLI, &request, &AtomicBool::new(false), &mut |_| {})
        .unwrap();
    assert!(report.written > 0, "{report:?}");
    let manifest = std::fs::read_to_string(out.path().join("manifest.csv")).unwrap();
    let mut lines = manifest.lines();
    assert!(
        lines.next().unwrap().ends_with(",audit_anchor"),
        "{manifest}"
    );
    let anchors: std::collections::BTreeSet<&str> = lines
        .map(|l| l.rsplit(',').next().unwrap_or_default())
        .collect();
    assert_eq!(anchors.len(), 1, "one batch, one anchor: {anchors:?}");
    let anchor: AnchorDto = anchors.iter().next().unwrap().parse().expect("SEQ:HASH");
    let started = c
        .api
        .list_audit(
            CLI,
            &AuditFilterDto {
                action_prefix: Some("export.pdf_batch_started".into()),
                ..Default::default()
            },
        )
        .unwrap();
    assert_eq!(started.len(), 1);
    assert_eq!(
        started[0].seq, anchor.seq,
        "the anchor is the batch's start entry"
    );
    assert_eq!(c.api.check_anchor(CLI, &anchor).unwrap(), None);
    drop_triggers(&c.db);
    sql(
        &c.db,
        &format!("DELETE FROM audit_log WHERE seq >= {};", anchor.seq),
    );
    assert!(
        c.api.verify_audit(CLI).unwrap().intact,
        "a cut chain still verifies"
    );
    let why = c.api.check_anchor(CLI, &anchor).unwrap().expect("cut");
    assert!(why.contains("was cut"), "{why}");
}

/// Changes the weight kept in visit `visit`'s live answers, around the triggers.
fn change_weight(db: &Path, visit: i64) {
    drop_triggers(db);
    sql(
        db,
        &format!(
            "UPDATE encounter_answers SET value_json = '[{{\"valueDecimal\":55.5}}]' \
             WHERE encounter_id = {visit} AND answer_key = 'vitals/weight';"
        ),
    );
}

fn weight_shown(review: &intake_api::wire::ReviewDto) -> serde_json::Value {
    let weight = review.answers.iter().find(|a| a.key == "vitals/weight");
    serde_json::to_value(&weight.expect("the visit has a weight").values).unwrap()
}

#[test]
fn a_changed_signed_record_shows_what_was_signed_and_says_it_differs() {
    let c = clinic();
    let visit = first_signed(&c.api);
    let token = c.api.sign_in("physician", "demo").unwrap().token;
    let physician = Caller::Session(&token);
    let before = c.api.open_review(physician, visit).unwrap();
    assert_eq!(
        before.record_differs, None,
        "an untouched record says nothing"
    );
    assert!(
        before.may.amend && before.may.export_pdf,
        "{:?}",
        before.may
    );
    let signed_weight = weight_shown(&before);

    change_weight(&c.db, visit);
    let after = c.api.open_review(physician, visit).unwrap();
    let warning = after.record_differs.clone().expect("the review says so");
    assert!(
        warning.starts_with("Its answers changed") && warning.contains("signed version is shown"),
        "{warning}"
    );
    assert_eq!(
        weight_shown(&after),
        signed_weight,
        "the signed value is shown, not the changed one"
    );
    assert!(
        !after.may.amend && !after.may.export_pdf,
        "no amendment or PDF starts from a changed record: {:?}",
        after.may
    );
    // The intake screen, reached by its address, says the same.
    let intake = c.api.open_intake(physician, visit).unwrap();
    assert_eq!(intake.record_differs, after.record_differs);
    let weight = intake.answers.iter().find(|a| a.key == "vitals/weight");
    assert_eq!(
        serde_json::to_value(&weight.expect("a weight").values).unwrap(),
        signed_weight,
        "the intake screen shows the signed value too"
    );
}

#[test]
fn the_record_check_names_a_changed_visit_to_administrators_at_sign_in() {
    let c = clinic();
    let clean = c.api.run_record_check().unwrap();
    assert!(clean.mismatches.is_empty(), "{clean:?}");
    assert!(clean.checked > 200, "every signed demo visit: {clean:?}");

    let visit = first_signed(&c.api);
    change_weight(&c.db, visit);
    let found = c.api.run_record_check().unwrap();
    assert_eq!(
        found
            .mismatches
            .iter()
            .map(|m| m.encounter_id)
            .collect::<Vec<_>>(),
        vec![visit],
        "{found:?}"
    );
    let admin = c.api.sign_in("admin", "demo").unwrap();
    let shown = admin
        .record_check
        .expect("an administrator sees the finding");
    assert_eq!(shown.mismatches[0].encounter_id, visit);
    assert!(!shown.mismatches[0].patient_name.is_empty());
    let again = c
        .api
        .whoami(Caller::Session(&admin.token))
        .unwrap()
        .record_check;
    assert_eq!(
        again.map(|c| c.mismatches.len()),
        Some(1),
        "and after a reload"
    );
    let nurse = c.api.sign_in("nurse", "demo").unwrap();
    assert_eq!(nurse.record_check, None, "other roles are not told");
}

#[test]
fn the_record_check_runs_by_itself_soon_after_start() {
    let c = clinic();
    let visit = first_signed(&c.api);
    change_weight(&c.db, visit);
    let dir = c.db.parent().unwrap().to_path_buf();
    let api = Api::open(&DataDir::at(&dir), Arc::new(ManualClock::new(Utc::now()))).unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    let finding = loop {
        let token = api.sign_in("admin", "demo").unwrap().token;
        if let Some(check) = api.whoami(Caller::Session(&token)).unwrap().record_check {
            break check;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "no background record check ran within a minute of start"
        );
        std::thread::sleep(std::time::Duration::from_millis(200));
    };
    assert_eq!(finding.mismatches.len(), 1, "{finding:?}");
    assert_eq!(finding.mismatches[0].encounter_id, visit);
}
