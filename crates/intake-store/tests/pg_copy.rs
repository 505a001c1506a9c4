//! `intake db copy`'s engine: a SQLite database filled through the store's traits goes
//! onto a new clinic server whole (every row, the audit chain and its head, signed
//! records byte for byte, search words, identities moved on), or not at all: a server
//! with data, a local audit log that does not verify, a row the server refuses, a role
//! that does not own the schema each leave the server as it was.
//! Runs beside a test cluster (`scripts/with-postgres.sh`, which sets `INTAKE_TEST_PG`).

use intake_core::audit::ChainVerdict;
use intake_core::Role;
use intake_store::contract::{Damage, Tamper};
use intake_store::pg::testing::{cluster, TestDatabase, APP, OWNER};
use intake_store::pg::{copy_from_sqlite, CopyReport, PgStore};
use intake_store::prelude::*;
use intake_store::{AuditFilter, EncounterFilter, NewUser, StoreError, WordMatch};

#[path = "pg_copy/fill.rs"]
mod fill;

use fill::{audit, fill, local_store, ok, person, t, Filled};

/// Every table a copy writes, and the ones it must leave alone.
const TABLES: &[&str] = &[
    "users",
    "settings",
    "audit_log",
    "patients",
    "patient_revisions",
    "mrn_sequence",
    "templates",
    "encounters",
    "encounter_answers",
    "encounter_answer_revisions",
    "encounter_events",
    "patient_merges",
];

/// A fresh schema on an empty database, set up as `intake db init` does.
fn server() -> TestDatabase {
    let settings = cluster().expect(
        "INTAKE_TEST_PG is not set: run the server tests with scripts/with-postgres.sh (make test does)",
    );
    let db = TestDatabase::empty(&settings);
    ok(PgStore::migrate(&db.config(OWNER)), "migrating");
    ok(PgStore::grant_app(&db.config(OWNER), APP), "granting");
    db
}

/// The rows of each table on the server (as the superuser), `None` for "all of them".
fn server_counts(db: &TestDatabase) -> Vec<(String, i64)> {
    let mut su = postgres::Client::connect(&db.superuser_config().url, postgres::NoTls)
        .expect("the superuser connects");
    TABLES
        .iter()
        .chain(&["patient_search_words", "sessions", "sign_in_failures"])
        .map(|t| {
            let n: i64 = su
                .query_one(&format!("SELECT count(*) FROM {t}"), &[])
                .expect("counting")
                .get(0);
            (t.to_string(), n)
        })
        .collect()
}

fn local_counts(path: &std::path::Path) -> Vec<(String, i64)> {
    let conn = rusqlite::Connection::open(path).expect("the file opens");
    TABLES
        .iter()
        .map(|t| {
            let n: i64 = conn
                .query_row(&format!("SELECT count(*) FROM {t}"), [], |r| r.get(0))
                .expect("counting");
            (t.to_string(), n)
        })
        .collect()
}

/// An empty server: nothing but the row of `mrn_sequence` every schema starts with.
fn assert_untouched(db: &TestDatabase, doing: &str) {
    for (table, n) in server_counts(db) {
        let expected = i64::from(table == "mrn_sequence");
        assert_eq!(n, expected, "{doing}: {table} on the server is as it was");
    }
}

fn everything<B: Backend>(b: &B, f: &Filled) -> String {
    ok(
        b.read(|tx| {
            let mut out = format!("{:?}\n", tx.list_users()?);
            for k in ["clinic_name", "idle_minutes"] {
                out.push_str(&format!("{:?}\n", tx.setting(k)?));
            }
            for &p in &f.patients {
                out.push_str(&format!(
                    "{:?}\n{:?}\n{:?}\n",
                    tx.patient(p)?,
                    tx.patient_revisions(p)?,
                    tx.merged_into(p)?
                ));
            }
            for &e in &f.encounters {
                out.push_str(&format!(
                    "{:?}\n{:?}\n{:?}\n{:?}\n",
                    tx.encounter(e)?,
                    tx.answers(e)?,
                    tx.answer_revisions(e)?,
                    tx.encounter_events(e)?
                ));
            }
            out.push_str(&format!(
                "{:?}\n",
                tx.list_encounters(&EncounterFilter::default())?
            ));
            for row in tx.list_templates()? {
                out.push_str(&format!("{row:?}\n{:?}\n", tx.template_original(row.id)?));
            }
            let all = AuditFilter {
                limit: 1000,
                ..AuditFilter::default()
            };
            out.push_str(&format!(
                "{:?}\n{:?}\n",
                tx.list_audit(&all)?,
                tx.verify_audit()?
            ));
            Ok::<_, StoreError>(out)
        }),
        "reading everything",
    )
}

#[test]
fn copy_moves_everything_and_the_server_reads_it_back() {
    let (_dir, local) = local_store();
    let filled = fill(&local);
    let db = server();
    let report: CopyReport = ok(copy_from_sqlite(&local, &db.config(OWNER)), "copying");
    eprintln!("copied in {:?}: {report:?}", report.elapsed);

    let expected = local_counts(local.path());
    for (table, n) in &expected {
        assert_eq!(
            report.rows(table),
            Some(*n as u64),
            "the report's rows of {table}"
        );
    }
    let on_server = server_counts(&db);
    for (table, n) in &expected {
        let there = on_server.iter().find(|(t, _)| t == table).map(|(_, n)| *n);
        assert_eq!(there, Some(*n), "{table} has every row on the server");
    }
    let audit_rows = expected
        .iter()
        .find(|(t, _)| t == "audit_log")
        .map(|(_, n)| *n);
    assert_eq!(Some(report.audit_head), audit_rows, "the audit head");
    assert_eq!(
        report.signed_records, 3,
        "two signatures and an amendment checked"
    );
    assert!(report.search_words > 0, "search words written");
    for (table, n) in &on_server {
        if table == "sessions" || table == "sign_in_failures" {
            assert_eq!(*n, 0, "{table} are not copied");
        }
    }

    let remote = ok(PgStore::connect(&db.config(APP)), "the app connects");
    assert_eq!(
        everything(&remote, &filled),
        everything(&local, &filled),
        "the same rows through the traits"
    );
    let verdict = ok(remote.read(|tx| tx.verify_audit()), "verifying");
    assert!(
        matches!(verdict, ChainVerdict::Intact { entries } if entries as i64 == report.audit_head),
        "{verdict:?}"
    );
    assert!(
        ok(
            remote.read(|tx| tx.session_by_token_hash("token-hash")),
            "a session"
        )
        .is_none(),
        "open sign-ins do not move"
    );

    for (words, how) in [
        (vec!["kowalski".to_string()], WordMatch::Whole),
        (vec!["janu".to_string()], WordMatch::Prefix),
        (vec!["nowak".to_string()], WordMatch::Whole),
    ] {
        let search = |b: &dyn Fn() -> Result<Vec<intake_store::PatientRow>, StoreError>| {
            ok(b(), "searching")
                .into_iter()
                .map(|p| p.id)
                .collect::<Vec<_>>()
        };
        let there =
            search(&|| remote.read(|tx| tx.search_patient_names(&words, how, None, true, 10)));
        let here =
            search(&|| local.read(|tx| tx.search_patient_names(&words, how, None, true, 10)));
        assert!(!there.is_empty(), "{words:?} finds a patient on the server");
        assert_eq!(there, here, "{words:?} finds the same patients");
    }
    let phones = |b: &dyn Fn() -> Result<Vec<intake_store::PatientRow>, StoreError>| {
        let mut ids: Vec<i64> = ok(b(), "by phone").into_iter().map(|p| p.id.0).collect();
        ids.sort();
        ids
    };
    let there = phones(&|| remote.read(|tx| tx.search_patient_phones("601234", true, 10)));
    let here = phones(&|| local.read(|tx| tx.search_patient_phones("601234", true, 10)));
    assert_eq!(
        (&there, &here),
        (&vec![filled.patients[0].0], &there),
        "found by phone"
    );

    // Identities and the MRN sequence moved past the copied rows.
    let newcomer = person("Nowy", "Pacjent", "2000-01-01", "");
    let changes = serde_json::json!({ "registered": true });
    let (id, mrn) = ok(
        remote.write(|tx| {
            let mrn = tx.next_generated_mrn()?;
            Ok::<_, StoreError>((
                tx.insert_patient(&newcomer, &mrn, &changes, t(60), "nora")?,
                mrn,
            ))
        }),
        "a new patient on the server",
    );
    let next_here = ok(
        local.write(|tx| tx.next_generated_mrn()),
        "the next local MRN",
    );
    assert_eq!(mrn, next_here, "the MRN sequence went on where it was");
    assert!(
        filled.patients.iter().all(|p| p.0 < id.0),
        "a fresh id: {id:?}"
    );
    let user = NewUser {
        username: "newbie",
        display_name: "N",
        role: Role::Nurse,
        password_hash: "h",
        must_change_password: true,
    };
    let uid = ok(
        remote.write(|tx| tx.insert_user(&user, t(61), "ada")),
        "a new user",
    );
    assert_eq!(uid.0, 5, "users go on after the four copied");
    audit(&remote, "patient.created", Some(id), 62);
    let verdict = ok(remote.read(|tx| tx.verify_audit()), "verifying");
    assert!(
        matches!(verdict, ChainVerdict::Intact { entries } if entries as i64 == report.audit_head + 1),
        "the chain goes on: {verdict:?}"
    );
}

#[test]
fn refused_onto_a_server_with_data() {
    let (_dir, local) = local_store();
    fill(&local);
    let db = server();
    ok(
        copy_from_sqlite(&local, &db.config(OWNER)),
        "the first copy",
    );
    let before = server_counts(&db);
    match copy_from_sqlite(&local, &db.config(OWNER)) {
        Err(StoreError::CannotOpen { reason, .. }) => {
            eprintln!("refused: {reason}");
            assert!(
                reason.contains("already has data") && reason.contains("users"),
                "{reason}"
            )
        }
        other => panic!("a second copy must be refused, got {other:?}"),
    }
    assert_eq!(server_counts(&db), before, "nothing changed");
}

#[test]
fn refused_when_the_local_audit_log_does_not_verify() {
    let (_dir, local) = local_store();
    fill(&local);
    ok(
        local.plant(&Damage::AuditActor {
            seq: 2,
            actor: "mallory".into(),
        }),
        "tampering",
    );
    let db = server();
    match copy_from_sqlite(&local, &db.config(OWNER)) {
        Err(StoreError::Damaged { table, row, why }) => {
            eprintln!("refused: {row} in {table}: {why}");
            assert_eq!(
                (table, row.as_str()),
                ("audit_log", "audit entry 2"),
                "{why}"
            );
            assert!(why.contains("nothing was copied"), "{why}");
        }
        other => panic!("a tampered audit log must be refused, got {other:?}"),
    }
    assert_untouched(&db, "a tampered audit log");
}

#[test]
fn a_row_the_server_refuses_leaves_it_empty() {
    let (_dir, local) = local_store();
    let filled = fill(&local);
    ok(
        local.plant(&Damage::PatientSex {
            patient: filled.patients[2],
            word: "robot".into(),
        }),
        "planting",
    );
    let db = server();
    match copy_from_sqlite(&local, &db.config(OWNER)) {
        Err(StoreError::Refused { why }) => {
            eprintln!("refused: {why}");
            assert!(
                why.contains("patients") && why.contains("sex") && why.contains("robot"),
                "{why}"
            )
        }
        other => panic!("a row the server's check refuses must stop the copy, got {other:?}"),
    }
    assert_untouched(&db, "a refused row");
}

#[test]
fn refused_as_the_app_role() {
    let (_dir, local) = local_store();
    fill(&local);
    let db = server();
    match copy_from_sqlite(&local, &db.config(APP)) {
        Err(StoreError::CannotOpen { reason, .. }) => {
            assert!(reason.contains("does not own"), "{reason}")
        }
        other => panic!("the app role may not copy, got {other:?}"),
    }
    assert_untouched(&db, "the app role");
}

/// Many patients, each with a revision, a visit with answers and an audit entry (5,000,
/// or `INTAKE_COPY_PATIENTS`): the copy's time is printed (`--nocapture`).
#[test]
fn a_large_clinic_copies_whole() {
    let patients: i64 = std::env::var("INTAKE_COPY_PATIENTS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(5_000);
    let (_dir, local) = local_store();
    fill(&local);
    let started = std::time::Instant::now();
    fill::many(&local, patients);
    let made = started.elapsed();
    let db = server();
    let report = ok(copy_from_sqlite(&local, &db.config(OWNER)), "copying");
    eprintln!(
        "{patients} more patients (filled in {made:?}): copied in {:?}: {report:?}",
        report.elapsed
    );
    for (table, n) in local_counts(local.path()) {
        assert_eq!(report.rows(&table), Some(n as u64), "{table}");
    }
    let remote = ok(PgStore::connect(&db.config(APP)), "the app connects");
    let words = vec![format!("family{}", patients - 1)];
    let found = ok(
        remote.read(|tx| tx.search_patient_names(&words, WordMatch::Whole, None, true, 10)),
        "searching",
    );
    assert_eq!(found.len(), 1, "the last patient is found by name");
}
