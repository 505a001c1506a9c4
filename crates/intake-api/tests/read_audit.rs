//! The audit entries of reads: a read never waits for a writer (its entry is queued, not
//! written on its own path), the queue is committed by the background thread without
//! anyone asking, by dropping the API, and after a refused commit nothing is lost.

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::{TimeZone, Utc};
use intake_api::{Api, Caller, DataDir, ManualClock};
use rusqlite::Connection;

const CLI: Caller<'static> = Caller::Cli("tester");

fn clock() -> Arc<ManualClock> {
    Arc::new(ManualClock::new(
        Utc.with_ymd_and_hms(2026, 11, 23, 9, 0, 0).unwrap(),
    ))
}

/// A demo clinic in a fresh data folder; the API without its background thread.
fn clinic() -> (tempfile::TempDir, Api) {
    let dir = tempfile::tempdir().unwrap();
    {
        let api = Api::open(&DataDir::at(dir.path()), clock()).unwrap();
        intake_demo::seed_demo(&api, CLI).unwrap();
    }
    let api = Api::open_file(&dir.path().join("intake.db"), clock()).unwrap();
    (dir, api)
}

/// How many entries with `action` the file holds, read by another connection.
fn entries(db: &Path, action: &str) -> i64 {
    let conn = Connection::open(db).unwrap();
    conn.query_row(
        "SELECT count(*) FROM audit_log WHERE action = ?1",
        [action],
        |r| r.get(0),
    )
    .unwrap()
}

fn a_visit(api: &Api) -> i64 {
    api.list_encounters(CLI, None, Some("signed")).unwrap()[0].id
}

#[test]
fn a_read_does_not_wait_for_a_writer_and_its_entry_follows() {
    let (dir, api) = clinic();
    let db = dir.path().join("intake.db");
    let visit = a_visit(&api);
    let before = entries(&db, "encounter.review_opened");

    // Another program holds the write lock (a long export, a backup, a SQL shell).
    let other = Connection::open(&db).unwrap();
    other.execute_batch("BEGIN IMMEDIATE").unwrap();
    let review = api
        .open_review(CLI, visit)
        .expect("the review opens while another connection writes");
    assert_eq!(review.encounter.id, visit);
    let refused = api.flush_reads();
    assert!(
        refused.is_err(),
        "the queued entry cannot be written while the lock is held"
    );
    other.execute_batch("COMMIT").unwrap();

    assert_eq!(
        api.flush_reads()
            .expect("the queue is written once the lock is free"),
        1,
        "the entry waited in the queue, nothing lost"
    );
    assert_eq!(entries(&db, "encounter.review_opened"), before + 1);
}

#[test]
fn dropping_the_api_commits_the_queued_reads() {
    let (dir, api) = clinic();
    let db = dir.path().join("intake.db");
    let visit = a_visit(&api);
    api.open_intake(CLI, visit).unwrap();
    api.answer_history(CLI, visit).unwrap();
    api.record_version(CLI, visit, 1).unwrap();
    assert_eq!(
        entries(&db, "encounter.opened"),
        0,
        "a read writes nothing on its own path"
    );
    drop(api);
    for action in [
        "encounter.opened",
        "encounter.history_viewed",
        "encounter.version_viewed",
    ] {
        assert_eq!(entries(&db, action), 1, "{action} is in the log after exit");
    }
    let api = Api::open_file(&db, clock()).unwrap();
    assert!(
        api.verify_audit(CLI).unwrap().intact,
        "the batched entries extend the chain"
    );
}

#[test]
fn the_background_thread_commits_reads_without_being_asked() {
    let dir = tempfile::tempdir().unwrap();
    let api = Api::open(&DataDir::at(dir.path()), clock()).unwrap();
    intake_demo::seed_demo(&api, CLI).unwrap();
    let db = dir.path().join("intake.db");
    let visit = a_visit(&api);
    api.open_intake(CLI, visit).unwrap();
    // Within a second, as the architecture promises; allow a slow machine far more.
    let deadline = Instant::now() + Duration::from_secs(30);
    while entries(&db, "encounter.opened") == 0 {
        assert!(
            Instant::now() < deadline,
            "the background thread never committed the read's entry"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    drop(api);
    assert_eq!(
        entries(&db, "encounter.opened"),
        1,
        "written once, not again at exit"
    );
}

#[test]
fn a_signed_in_nurse_reads_while_another_program_writes() {
    let (dir, api) = clinic();
    let db = dir.path().join("intake.db");
    let visit = a_visit(&api);
    let token = api.sign_in("nurse", "demo").unwrap().token;
    let nurse = Caller::Session(&token);

    // The session was just seen: checking it needs no write, so nothing waits.
    let other = Connection::open(&db).unwrap();
    other.execute_batch("BEGIN IMMEDIATE").unwrap();
    let intake = api
        .open_intake(nurse, visit)
        .expect("the intake opens for a signed-in nurse while another connection writes");
    assert_eq!(intake.encounter.id, visit);
    api.get_patient(nurse, intake.encounter.patient_id)
        .expect("and so does the patient");
    other.execute_batch("COMMIT").unwrap();

    // A session that ended is still refused (the checks run on the read path too).
    api.sign_out(nurse).unwrap();
    let err = api.open_intake(nurse, visit).expect_err("signed out");
    assert_eq!(err.code(), intake_api::ErrorCode::Unauthenticated);
}
