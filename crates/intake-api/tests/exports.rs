//! PDF summaries through the API: one visit to a file, a batch into a folder with its
//! manifest, skipped when already there, cancelled half-way, and every bad input refused
//! with nothing half-written. PDFs are read back with poppler's `pdftotext` and checked
//! with `qpdf --check`.

use std::path::Path;
use std::process::Command;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use chrono::{TimeZone, Utc};
use intake_api::export::batch::MANIFEST;
use intake_api::wire::BatchRequest;
use intake_api::wire::ChangeDto;
use intake_api::wire::PatientInputDto;
use intake_api::wire::{AuditFilterDto, SettingsUpdate};
use intake_api::{Api, Caller, Clock, ErrorCode, ManualClock};
use serde_json::{json, Value};

const CLI: Caller<'static> = Caller::Cli("tester");
const DAY: &str = "2026-10-02";

struct World {
    api: Api,
    clock: Arc<ManualClock>,
    nurse: String,
    physician: String,
    admin: String,
}

fn world() -> World {
    let clock = Arc::new(ManualClock::new(
        Utc.with_ymd_and_hms(2026, 10, 2, 9, 0, 0).unwrap(),
    ));
    let api = Api::for_tests(clock.clone()).unwrap();
    intake_demo::seed_demo(&api, CLI).unwrap();
    api.update_settings(
        CLI,
        &SettingsUpdate {
            clinic_name: Some("Clinique Saint-Éloi".into()),
            ..Default::default()
        },
    )
    .unwrap();
    let token = |name: &str| api.sign_in(name, "demo").unwrap().token;
    let (nurse, physician, admin) = (token("nurse"), token("physician"), token("admin"));
    World {
        api,
        clock,
        nurse,
        physician,
        admin,
    }
}

/// A newly registered patient (each visit gets its own: a first visit carries nothing).
fn patient(w: &World) -> i64 {
    let p = PatientInputDto {
        family: "Ñúñez O'Brien-Smith".into(),
        given: "Zoë Łukasz".into(),
        birth_date: "1984-03-07".into(),
        sex: "female".into(),
        ..Default::default()
    };
    w.api
        .register_patient(CLI, &p, Some("A test patient"))
        .unwrap()
        .patient
        .unwrap()
        .id
}

fn change(key: &str, values: Value) -> ChangeDto {
    serde_json::from_value(json!({ "key": key, "values": values, "baseRev": 0 })).unwrap()
}

/// A visit submitted by the nurse with `reason`, signed by the physician when `sign`.
fn visit(w: &World, reason: &str, sign: bool) -> i64 {
    visit_of(w, patient(w), reason, sign)
}

/// A visit of `patient`, submitted and (if `sign`) signed.
fn visit_of(w: &World, patient: i64, reason: &str, sign: bool) -> i64 {
    let nurse = Caller::Session(&w.nurse);
    let e = w.api.start_intake(nurse, patient, None, None).unwrap();
    let changes = [
        change("visit/reason", json!([{ "valueString": reason }])),
        change("vitals/weight", json!([{ "valueDecimal": 71.5 }])),
        change("allergies/any-allergies", json!([{ "valueBoolean": true }])),
        change(
            "medications/any-medications",
            json!([{ "valueBoolean": false }]),
        ),
        change("allergies/allergy[1]", json!([])),
        change(
            "allergies/allergy[1]/allergy-substance",
            json!([{ "valueString": "Pénicilline" }]),
        ),
    ];
    w.api.save_intake(nurse, e.id, &changes, None).unwrap();
    assert!(w.api.submit_intake(nurse, e.id).unwrap().submitted);
    if sign {
        let physician = Caller::Session(&w.physician);
        let hash = w.api.open_review(physician, e.id).unwrap().record_hash;
        w.api.sign_intake(physician, e.id, &hash).unwrap();
    }
    e.id
}

fn text_of(pdf: &Path) -> String {
    let out = Command::new("pdftotext")
        .args(["-layout"])
        .arg(pdf)
        .arg("-")
        .output()
        .expect("pdftotext (poppler-utils) must be installed: make test installs it");
    assert!(out.status.success(), "pdftotext read {}", pdf.display());
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn qpdf_check(pdf: &Path) {
    let out = Command::new("qpdf")
        .arg("--check")
        .arg(pdf)
        .output()
        .expect("qpdf must be installed: make test installs it");
    assert!(
        out.status.success(),
        "qpdf --check {}: {}",
        pdf.display(),
        String::from_utf8_lossy(&out.stdout)
    );
}

fn request(folder: &Path) -> BatchRequest {
    BatchRequest {
        from: DAY.into(),
        to: DAY.into(),
        statuses: Vec::new(),
        folder: folder.to_path_buf(),
    }
}

fn manifest_rows(folder: &Path) -> Vec<Vec<String>> {
    let text = std::fs::read_to_string(folder.join(MANIFEST)).expect("a manifest");
    text.lines()
        .skip(1)
        .map(|l| l.split(',').map(str::to_string).collect())
        .collect()
}

fn pdfs_in(folder: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(folder)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n != MANIFEST)
        .collect();
    names.sort();
    names
}

#[test]
fn one_visit_exports_to_the_file_chosen_with_every_answer_and_the_name_intact() {
    let w = world();
    let id = visit(&w, "Toux sèche depuis 3 jours", true);
    let admin = Caller::Session(&w.admin);
    let name = w.api.pdf_file_name(admin, id).unwrap();
    assert!(
        name.starts_with("2026-10-02_") && name.ends_with(&format!("_visit-{id}.pdf")),
        "{name}"
    );
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(&name);
    let done = w.api.export_pdf(admin, id, &path).unwrap();
    assert_eq!(done.status, "signed");
    let bytes = std::fs::read(&path).unwrap();
    assert!(bytes.starts_with(b"%PDF-"), "a PDF");
    assert_eq!(done.bytes, bytes.len());
    qpdf_check(&path);
    let text = text_of(&path);
    for expected in [
        "Zoë Łukasz Ñúñez O'Brien-Smith",
        "Toux sèche depuis 3 jours",
        "71.5",
        "Pénicilline",
        "Clinique Saint-Éloi",
        "Signed by",
    ] {
        assert!(text.contains(expected), "{expected:?} in the PDF:\n{text}");
    }
    assert!(
        text.contains(&done.record_sha256),
        "the record hash in the footer"
    );
    assert!(
        !text.contains("DRAFT"),
        "a signed record is not marked draft"
    );
    assert_eq!(
        done.record_sha256,
        w.api.open_review(admin, id).unwrap().record_hash,
        "the PDF names the record the review shows"
    );
    let audit = w.api.list_audit(CLI, &AuditFilterDto::default()).unwrap();
    let entry = audit
        .iter()
        .find(|e| e.action == "export.pdf")
        .expect("audited");
    assert_eq!(entry.entity_id.as_deref(), Some(id.to_string().as_str()));
    assert_eq!(entry.detail["file"], name);

    // An unsigned record says so.
    let unsigned = visit(&w, "Fièvre", false);
    let path = dir.path().join("unsigned.pdf");
    w.api.export_pdf(admin, unsigned, &path).unwrap();
    let text = text_of(&path);
    assert!(
        text.contains("DRAFT") || text.contains("NOT SIGNED"),
        "{text}"
    );
}

#[test]
fn single_exports_refuse_bad_input_and_leave_nothing_behind() {
    let w = world();
    let id = visit(&w, "Cough", true);
    let dir = tempfile::tempdir().unwrap();
    let err = w
        .api
        .export_pdf(Caller::Session(&w.nurse), id, &dir.path().join("x.pdf"))
        .unwrap_err();
    assert_eq!(err.code(), ErrorCode::Forbidden, "nurses do not export");
    let err = w
        .api
        .export_pdf(
            Caller::Session(&w.admin),
            999_999,
            &dir.path().join("x.pdf"),
        )
        .unwrap_err();
    assert_eq!(err.code(), ErrorCode::NotFound);
    assert!(err.to_string().contains("999999"), "{err}");
    let missing = dir.path().join("no-such-folder").join("x.pdf");
    let err = w
        .api
        .export_pdf(Caller::Session(&w.admin), id, &missing)
        .unwrap_err();
    assert_eq!(
        (err.code(), err.field()),
        (ErrorCode::Validation, Some("path"))
    );
    assert!(err.to_string().contains("does not exist"), "{err}");
    assert!(
        std::fs::read_dir(dir.path()).unwrap().next().is_none(),
        "nothing written"
    );
}

#[test]
fn a_record_whose_form_version_was_retired_and_text_outside_the_font_still_export() {
    let w = world();
    let id = visit(&w, "Headache 頭痛 🤕 \u{10FFFD}", true);
    w.api
        .set_template_status(CLI, "general-adult-intake", "1", "retired")
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("v.pdf");
    w.api
        .export_pdf(Caller::Session(&w.physician), id, &path)
        .unwrap();
    qpdf_check(&path);
    assert!(text_of(&path).contains("Headache"), "the answer is there");
}

#[test]
fn a_batch_writes_every_visit_once_with_a_manifest_and_skips_what_is_already_there() {
    let w = world();
    let signed: Vec<i64> = (0..3)
        .map(|i| visit(&w, &format!("Visit {i}"), true))
        .collect();
    let unsigned = visit(&w, "Not signed yet", false);
    let dir = tempfile::tempdir().unwrap();
    let admin = Caller::Session(&w.admin);
    let mut heard = Vec::new();
    let report = w
        .api
        .export_batch(
            admin,
            &request(dir.path()),
            &AtomicBool::new(false),
            &mut |p| heard.push(p.clone()),
        )
        .unwrap();
    assert_eq!(
        (report.total, report.written, report.skipped),
        (3, 3, 0),
        "signed only, by default"
    );
    assert!(report.failed.is_empty() && !report.cancelled && report.stopped.is_none());
    let last = heard.last().expect("progress was reported");
    assert_eq!((last.done, last.total), (3, 3));
    let files = pdfs_in(dir.path());
    assert_eq!(files.len(), 3);
    let rows = manifest_rows(dir.path());
    assert_eq!(rows.len(), 3, "one manifest row per file");
    for (row, id) in rows.iter().zip(&signed) {
        assert!(files.contains(&row[0]), "{} is in the folder", row[0]);
        assert_eq!(row[1], id.to_string());
        assert_eq!(row[4], "signed");
        let pdf = std::fs::read(dir.path().join(&row[0])).unwrap();
        assert_eq!(row[5].len(), 64);
        assert_eq!(
            row[5],
            sha256(&pdf),
            "the manifest's PDF hash is the file's"
        );
        qpdf_check(&dir.path().join(&row[0]));
    }
    assert!(!files
        .iter()
        .any(|f| f.contains(&format!("visit-{unsigned}."))));

    // Again: the same records are skipped; the unsigned one comes when asked for.
    let mut again = request(dir.path());
    again.statuses = vec!["signed".into(), "submitted".into()];
    let report = w
        .api
        .export_batch(admin, &again, &AtomicBool::new(false), &mut |_| {})
        .unwrap();
    assert_eq!((report.total, report.written, report.skipped), (4, 1, 3));
    assert_eq!(manifest_rows(dir.path()).len(), 4);
    let audit = w.api.list_audit(CLI, &AuditFilterDto::default()).unwrap();
    let batch = audit
        .iter()
        .find(|e| e.action == "export.pdf_batch")
        .expect("audited");
    assert_eq!(batch.detail["encounters"].as_array().map(Vec::len), Some(4));
}

#[test]
fn the_count_shown_before_a_batch_is_what_the_batch_then_writes() {
    let w = world();
    for i in 0..3 {
        visit(&w, &format!("Visit {i}"), true);
    }
    visit(&w, "Not signed yet", false);
    let admin = Caller::Session(&w.admin);
    let count = |from: &str, to: &str, statuses: &[&str]| {
        let statuses: Vec<String> = statuses.iter().map(|s| s.to_string()).collect();
        w.api.count_export(admin, from, to, &statuses)
    };
    let before = count(DAY, DAY, &[]).expect("the default statuses");
    let dir = tempfile::tempdir().unwrap();
    let report = w
        .api
        .export_batch(
            admin,
            &request(dir.path()),
            &AtomicBool::new(false),
            &mut |_| {},
        )
        .unwrap();
    assert!(
        before >= 3,
        "at least today's three signed visits: {before}"
    );
    assert_eq!(
        (report.total, report.written),
        (before, before),
        "the batch covers and writes exactly the visits counted before it ran"
    );
    assert_eq!(
        pdfs_in(dir.path()).len(),
        before,
        "one file per counted visit"
    );

    let with_submitted = count(DAY, DAY, &["signed", "amended", "submitted"]).unwrap();
    assert_eq!(
        with_submitted,
        before + 1,
        "the visit not signed yet is counted once its status is chosen"
    );
    let folder = tempfile::tempdir().unwrap();
    let mut again = request(folder.path());
    again.statuses = vec!["signed".into(), "amended".into(), "submitted".into()];
    let report = w
        .api
        .export_batch(admin, &again, &AtomicBool::new(false), &mut |_| {})
        .unwrap();
    assert_eq!(
        report.written, with_submitted,
        "again, what was counted is written"
    );

    assert_eq!(
        count("2026-10-03", "2026-10-09", &[]).unwrap(),
        0,
        "no visit in the following week"
    );
    let e = count("2026-10-05", DAY, &[]).unwrap_err();
    assert_eq!(
        e.code(),
        ErrorCode::Validation,
        "a range ending before it starts: {e}"
    );
    assert!(e.to_string().contains("before it starts"), "{e}");
    let e = count(DAY, DAY, &["finished"]).unwrap_err();
    assert_eq!(e.code(), ErrorCode::Validation, "an unknown status: {e}");
    let e = w
        .api
        .count_export(Caller::Session(&w.nurse), DAY, DAY, &[])
        .unwrap_err();
    assert_eq!(
        e.code(),
        ErrorCode::Forbidden,
        "only an admin counts a batch"
    );
}

fn sha256(bytes: &[u8]) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(bytes))
}

#[test]
fn a_cancelled_batch_keeps_whole_files_and_lists_only_them() {
    let w = world();
    for i in 0..6 {
        visit(&w, &format!("Visit {i}"), true);
    }
    let dir = tempfile::tempdir().unwrap();
    let cancel = AtomicBool::new(false);
    let admin = Caller::Session(&w.admin);
    let mut answers = Vec::new();
    let report = w
        .api
        .export_batch(admin, &request(dir.path()), &cancel, &mut |p| {
            if p.done >= 1 && answers.is_empty() {
                answers.push(w.api.cancel_export(admin, &cancel).unwrap());
            }
        })
        .unwrap();
    assert_eq!(answers, [true], "a cancel while the batch runs is taken");
    assert!(report.cancelled, "{report:?}");
    assert!(report.written >= 1 && report.written < 6, "{report:?}");
    let files = pdfs_in(dir.path());
    assert_eq!(
        files.len(),
        report.written,
        "no half-written or temporary file: {files:?}"
    );
    let rows = manifest_rows(dir.path());
    assert_eq!(
        rows.len(),
        report.written,
        "the manifest lists only the finished files"
    );
    for f in &files {
        qpdf_check(&dir.path().join(f));
    }
}

#[test]
fn cancelling_when_no_batch_runs_answers_false_and_stops_nothing_later() {
    let w = world();
    visit(&w, "Cough", true);
    let admin = Caller::Session(&w.admin);
    let cancel = AtomicBool::new(false);
    assert!(
        !w.api.cancel_export(admin, &cancel).unwrap(),
        "no batch runs, so there is nothing to cancel"
    );
    assert!(
        !cancel.load(Ordering::SeqCst),
        "the flag is left alone, so it cannot cancel the next batch"
    );
    let dir = tempfile::tempdir().unwrap();
    let report = w
        .api
        .export_batch(admin, &request(dir.path()), &cancel, &mut |_| {})
        .unwrap();
    assert!(
        !report.cancelled && report.written == 1,
        "the next batch runs whole: {report:?}"
    );
    assert!(
        !w.api.cancel_export(admin, &cancel).unwrap(),
        "after the batch ended, nothing runs"
    );
    let err = w
        .api
        .cancel_export(Caller::Session(&w.physician), &cancel)
        .unwrap_err();
    assert_eq!(err.code(), ErrorCode::Forbidden, "batches are the admin's");
}

#[test]
fn a_batch_refuses_bad_requests_before_writing_anything() {
    let w = world();
    visit(&w, "Cough", true);
    let dir = tempfile::tempdir().unwrap();
    let admin = Caller::Session(&w.admin);
    let never = AtomicBool::new(false);
    let try_with = |r: BatchRequest, who: Caller<'_>| {
        w.api
            .export_batch(who, &r, &never, &mut |_| {})
            .unwrap_err()
    };
    let err = try_with(request(dir.path()), Caller::Session(&w.physician));
    assert_eq!(err.code(), ErrorCode::Forbidden, "batches are the admin's");
    let mut r = request(dir.path());
    r.from = "2026-10-05".into();
    let err = try_with(r, admin);
    assert_eq!(
        (err.code(), err.field()),
        (ErrorCode::Validation, Some("to"))
    );
    let mut r = request(dir.path());
    r.to = "tomorrow".into();
    assert_eq!(try_with(r, admin).field(), Some("to"));
    let mut r = request(dir.path());
    r.statuses = vec!["signed".into(), "approved".into()];
    assert_eq!(try_with(r, admin).field(), Some("statuses"));
    let err = try_with(request(&dir.path().join("missing")), admin);
    assert_eq!(err.field(), Some("folder"));
    assert!(err.to_string().contains("does not exist"), "{err}");
    let file = dir.path().join("a-file");
    std::fs::write(&file, b"x").unwrap();
    assert_eq!(try_with(request(&file), admin).field(), Some("folder"));
    assert_eq!(pdfs_in(dir.path()), ["a-file"], "nothing was written");
}

#[test]
fn an_amended_record_prints_both_signatures_and_an_open_amendment_prints_the_signed_version() {
    let w = world();
    let id = visit(&w, "Cough", true);
    w.clock.advance(chrono::Duration::days(1));
    // A day later: the physician signs in again.
    let token = w.api.sign_in("physician", "demo").unwrap().token;
    let physician = Caller::Session(&token);
    let hash = w.api.open_review(physician, id).unwrap().record_hash;
    w.api
        .start_amendment(physician, id, "Weight in pounds", &hash)
        .unwrap();
    let intake = w.api.open_intake(physician, id).unwrap();
    let rev = intake
        .answers
        .iter()
        .find(|a| a.key == "vitals/weight")
        .unwrap()
        .rev;
    let mut fix = change("vitals/weight", json!([{ "valueDecimal": 64.9 }]));
    fix.base_rev = rev;
    w.api.save_intake(physician, id, &[fix], None).unwrap();
    let dir = tempfile::tempdir().unwrap();

    // Half-way through the amendment, a copy shows the record as signed.
    let during = dir.path().join("during.pdf");
    let done = w.api.export_pdf(physician, id, &during).unwrap();
    let text = text_of(&during);
    assert!(text.contains("71.5") && !text.contains("64.9"), "{text}");
    assert_eq!(done.record_sha256, hash, "the signed version's hash");

    let hash = w.api.open_review(physician, id).unwrap().record_hash;
    w.api.sign_intake(physician, id, &hash).unwrap();
    let after = dir.path().join("after.pdf");
    w.api.export_pdf(physician, id, &after).unwrap();
    let text = text_of(&after);
    assert!(text.contains("64.9") && !text.contains("71.5"), "{text}");
    assert!(text.contains("Amended on 3 Oct 2026"), "{text}");
    assert!(text.contains("Weight in pounds"), "{text}");
    assert!(
        text.contains("2 Oct 2026 09:00"),
        "the first signature keeps its own time: {text}"
    );
}

/// A second administrator, signed in with a password of their own.
fn second_admin(w: &World) -> String {
    w.api
        .create_user(
            CLI,
            &intake_api::wire::NewUserRequest {
                username: "second".into(),
                display_name: String::new(),
                role: "admin".into(),
                password: "temporary-pass".into(),
            },
        )
        .expect("a second admin");
    let token = w
        .api
        .sign_in("second", "temporary-pass")
        .expect("the second admin signs in")
        .token;
    w.api
        .change_password(Caller::Session(&token), "temporary-pass", "second-admin-pw")
        .expect("the temporary password is changed");
    token
}

#[test]
fn only_the_user_who_started_a_batch_can_cancel_it() {
    let w = world();
    for i in 0..4 {
        visit(&w, &format!("Visit {i}"), true);
    }
    let other = second_admin(&w);
    let ended = w.api.sign_in("admin", "demo").expect("a session").token;
    w.api
        .sign_out(Caller::Session(&ended))
        .expect("that session ends");
    let dir = tempfile::tempdir().unwrap();
    let cancel = AtomicBool::new(false);
    let admin = Caller::Session(&w.admin);
    let mut refusals = Vec::new();
    let report = w
        .api
        .export_batch(admin, &request(dir.path()), &cancel, &mut |p| {
            if p.done >= 1 && refusals.is_empty() {
                for (who, token) in [
                    ("another admin", other.as_str()),
                    ("no session", ""),
                    ("an ended session", ended.as_str()),
                ] {
                    let err = w
                        .api
                        .cancel_export(Caller::Session(token), &cancel)
                        .expect_err(who);
                    refusals.push((who, err.code()));
                }
            }
        })
        .unwrap();
    assert_eq!(
        refusals,
        [
            ("another admin", ErrorCode::Forbidden),
            ("no session", ErrorCode::Unauthenticated),
            ("an ended session", ErrorCode::Unauthenticated),
        ],
        "every cancel but the starter's is refused"
    );
    assert!(
        !cancel.load(Ordering::SeqCst),
        "a refused cancel leaves the flag alone"
    );
    assert!(
        !report.cancelled && report.stopped.is_none() && report.written == 4,
        "the batch ran to its end: {report:?}"
    );
}

#[test]
fn a_refused_second_batch_never_touches_the_running_one() {
    let w = world();
    for i in 0..4 {
        visit(&w, &format!("Visit {i}"), true);
    }
    let dir = tempfile::tempdir().unwrap();
    let other_dir = tempfile::tempdir().unwrap();
    let cancel = AtomicBool::new(false);
    let admin = Caller::Session(&w.admin);
    let mut second = None;
    w.api
        .export_batch(admin, &request(dir.path()), &cancel, &mut |p| {
            if p.done >= 1 && second.is_none() {
                assert!(
                    w.api
                        .cancel_export(admin, &cancel)
                        .expect("the starter cancels"),
                    "the batch was running"
                );
                second = Some(
                    w.api
                        .export_batch(admin, &request(other_dir.path()), &cancel, &mut |_| {})
                        .map(drop),
                );
            }
        })
        .unwrap();
    let err = second
        .expect("a second batch was tried")
        .expect_err("one batch at a time");
    assert_eq!(err.code(), ErrorCode::Conflict, "{err}");
    assert!(
        cancel.load(Ordering::SeqCst),
        "the refused call did not clear the running batch's cancel"
    );
    // (Whether the cancel arrived before the last file depends on the workers' pace, so
    // the report's `cancelled` is not checked; the flag is what the running batch
    // watches.)
    assert!(
        pdfs_in(other_dir.path()).is_empty(),
        "the refused batch wrote nothing"
    );
}

#[test]
fn a_batch_that_starts_clears_a_cancel_left_from_before() {
    let w = world();
    visit(&w, "Cough", true);
    let dir = tempfile::tempdir().unwrap();
    // The flag a cancel set during an earlier batch: only a batch that starts clears it
    // (a refused call leaves it alone, above).
    let cancel = AtomicBool::new(true);
    let report = w
        .api
        .export_batch(
            Caller::Session(&w.admin),
            &request(dir.path()),
            &cancel,
            &mut |_| {},
        )
        .unwrap();
    assert!(
        !report.cancelled && report.written == 1,
        "the new batch runs whole: {report:?}"
    );
}

#[test]
fn a_batch_stops_when_its_admin_signs_out_or_is_disabled() {
    let w = world();
    for i in 0..10 {
        visit(&w, &format!("Visit {i}"), true);
    }
    // Signed out half-way.
    let dir = tempfile::tempdir().unwrap();
    let admin = Caller::Session(&w.admin);
    let mut done = false;
    let report = w
        .api
        .export_batch(
            admin,
            &request(dir.path()),
            &AtomicBool::new(false),
            &mut |p| {
                if p.done >= 1 && !done {
                    done = true;
                    w.api.sign_out(admin).expect("the admin signs out");
                }
            },
        )
        .unwrap();
    let stopped = report.stopped.clone().unwrap_or_default();
    assert!(
        stopped.contains("session of admin") && report.written < 10,
        "the batch stopped when its admin signed out: {report:?}"
    );
    assert_eq!(
        manifest_rows(dir.path()).len(),
        report.written,
        "the manifest lists the files written before the stop"
    );

    // Disabled half-way (by another admin).
    let other = second_admin(&w);
    let dir = tempfile::tempdir().unwrap();
    let starter = Caller::Session(&other);
    let mut done = false;
    let report = w
        .api
        .export_batch(
            starter,
            &request(dir.path()),
            &AtomicBool::new(false),
            &mut |p| {
                if p.done >= 1 && !done {
                    done = true;
                    w.api
                        .set_user_active(CLI, "second", false)
                        .expect("the starter is disabled");
                }
            },
        )
        .unwrap();
    let stopped = report.stopped.clone().unwrap_or_default();
    assert!(
        stopped.contains("session of second") && report.written < 10,
        "the batch stopped when its admin was disabled: {report:?}"
    );
}

#[test]
fn manifest_cells_that_start_a_formula_are_neutralised_and_read_back() {
    let w = world();
    let p = PatientInputDto {
        mrn: "-1-1".into(),
        family: "Formula".into(),
        given: "Cell".into(),
        birth_date: "1984-03-07".into(),
        sex: "female".into(),
        ..Default::default()
    };
    let patient = w
        .api
        .register_patient(CLI, &p, None)
        .expect("a patient with a clinic MRN")
        .patient
        .expect("registered")
        .id;
    visit_of(&w, patient, "Cough", true);
    let dir = tempfile::tempdir().unwrap();
    let admin = Caller::Session(&w.admin);
    let never = AtomicBool::new(false);
    w.api
        .export_batch(admin, &request(dir.path()), &never, &mut |_| {})
        .expect("the batch");
    let rows = manifest_rows(dir.path());
    assert_eq!(
        rows[0][2], "'-1-1",
        "an MRN a spreadsheet would compute is written with a leading '"
    );
    let report = w
        .api
        .export_batch(admin, &request(dir.path()), &never, &mut |_| {})
        .expect("the batch again");
    assert_eq!(
        (report.written, report.skipped),
        (0, 1),
        "the neutralised row still matches its file"
    );
    assert_eq!(
        manifest_rows(dir.path())[0][2],
        "'-1-1",
        "reading back and writing again does not stack quotes"
    );
}

#[test]
fn a_replaced_pdf_is_rewritten_not_trusted_on_its_manifest_row() {
    let w = world();
    for i in 0..2 {
        visit(&w, &format!("Visit {i}"), true);
    }
    let dir = tempfile::tempdir().unwrap();
    let admin = Caller::Session(&w.admin);
    let never = AtomicBool::new(false);
    w.api
        .export_batch(admin, &request(dir.path()), &never, &mut |_| {})
        .expect("the batch");
    let rows = manifest_rows(dir.path());
    let replaced = dir.path().join(&rows[0][0]);
    std::fs::write(&replaced, b"%PDF-1.7 not what we wrote").expect("a replaced file");
    let report = w
        .api
        .export_batch(admin, &request(dir.path()), &never, &mut |_| {})
        .expect("the batch again");
    assert_eq!(
        (report.written, report.skipped),
        (1, 1),
        "the replaced file is written again, the untouched one skipped"
    );
    let bytes = std::fs::read(&replaced).expect("the file");
    assert_eq!(
        sha256(&bytes),
        manifest_rows(dir.path())[0][5],
        "the rewritten file is the PDF its manifest row names"
    );
    qpdf_check(&replaced);
}

/// Days are the clinic's: at a clinic five hours behind UTC (New York in winter), a visit
/// at 21:00 local time (02:00 UTC the next day) is dated that evening's day in the visit
/// list, the review, the PDF, its file name and the day's export, and falls outside the
/// next day's export.
#[test]
fn an_evening_visit_in_new_york_is_dated_its_own_day_everywhere() {
    let mut w = world();
    w.api
        .update_settings(
            CLI,
            &SettingsUpdate {
                time_zone: Some("America/New_York".into()),
                ..Default::default()
            },
        )
        .unwrap();
    // 2026-12-06 21:00 in New York.
    let evening = Utc.with_ymd_and_hms(2026, 12, 7, 2, 0, 0).unwrap();
    w.clock.advance(evening - w.clock.now());
    // Two months on, everyone signs in again.
    let token = |name: &str| w.api.sign_in(name, "demo").unwrap().token;
    (w.nurse, w.physician, w.admin) = (token("nurse"), token("physician"), token("admin"));
    let id = visit(&w, "Evening visit", true);
    let admin = Caller::Session(&w.admin);

    let e = w.api.encounter_detail(admin, id).unwrap().encounter;
    assert_eq!(
        e.visit_date, "2026-12-06",
        "the visit list dates it in New York"
    );
    let listed = w
        .api
        .list_encounters(admin, Some(e.patient_id), None)
        .unwrap();
    assert_eq!(
        listed[0].visit_date, "2026-12-06",
        "the patient's visits too"
    );
    let review = w.api.open_review(admin, id).unwrap();
    assert!(
        review.attestation.contains("6 Dec 2026"),
        "the physician attests the visit of its own day: {}",
        review.attestation
    );

    let name = w.api.pdf_file_name(admin, id).unwrap();
    assert!(
        name.starts_with("2026-12-06_"),
        "the file is named for the local day: {name}"
    );
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(&name);
    w.api.export_pdf(admin, id, &path).unwrap();
    let text = text_of(&path);
    // The header's labels, then their values on the next line.
    let lines: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).collect();
    let at = lines
        .iter()
        .position(|l| l.contains("Visit date"))
        .unwrap_or_else(|| panic!("a visit date in the PDF:\n{text}"));
    let values = lines.get(at + 1).copied().unwrap_or_default();
    assert!(
        values.contains("6 Dec 2026") && !values.contains("7 Dec 2026"),
        "the PDF's visit date is the local day: {values}"
    );

    let day = |d: &str, folder: &Path| BatchRequest {
        from: d.into(),
        to: d.into(),
        statuses: Vec::new(),
        folder: folder.to_path_buf(),
    };
    let never = AtomicBool::new(false);
    let that_day = tempfile::tempdir().unwrap();
    let report = w
        .api
        .export_batch(
            admin,
            &day("2026-12-06", that_day.path()),
            &never,
            &mut |_| {},
        )
        .unwrap();
    assert_eq!(
        report.written, 1,
        "the 6 December export holds the evening visit"
    );
    assert_eq!(pdfs_in(that_day.path()), vec![name.clone()]);
    assert_eq!(
        manifest_rows(that_day.path())[0][3],
        "2026-12-06",
        "manifest visit date"
    );
    let next_day = tempfile::tempdir().unwrap();
    let report = w
        .api
        .export_batch(
            admin,
            &day("2026-12-07", next_day.path()),
            &never,
            &mut |_| {},
        )
        .unwrap();
    assert_eq!(report.total, 0, "the 7 December export does not hold it");
}
