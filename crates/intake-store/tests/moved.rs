//! A workstation file whose clinic moved to the server: marked once, then every write
//! is refused naming the server, while reads and the audit check go on.

use chrono::{TimeZone, Utc};
use intake_core::audit::ChainVerdict;
use intake_store::prelude::*;
use intake_store::{AuditFilter, NewAuditEntry, SqliteStore, StoreError};

#[test]
fn a_moved_database_refuses_every_write_and_keeps_its_records_readable() {
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::open(&dir.path().join("intake.db")).unwrap();
    let at = Utc.with_ymd_and_hms(2026, 12, 7, 9, 0, 0).unwrap();
    store
        .write(|db| db.put_setting("clinic_name", "Riverside Clinic", at, "admin"))
        .unwrap();
    assert_eq!(store.moved_to().unwrap(), None);

    store
        .mark_moved("clinic server db.clinic.lan", at, "cli:it")
        .unwrap();

    let refused = store
        .write(|db| db.put_setting("clinic_name", "Elsewhere", at, "admin"))
        .unwrap_err();
    assert!(matches!(refused, StoreError::Moved { .. }), "{refused:?}");
    let message = refused.to_string();
    assert!(
        message.contains("moved to clinic server db.clinic.lan"),
        "{message}"
    );
    let appended = store.write(|db| {
        db.append_audit(&NewAuditEntry {
            at,
            actor: "nurse",
            action: "patient.created",
            patient_id: None,
            entity: "patient",
            entity_id: None,
            detail: serde_json::json!({}),
        })
    });
    assert!(matches!(appended, Err(StoreError::Moved { .. })));

    // Reads go on: the setting as it was, the move in the audit log, the chain intact.
    assert_eq!(
        store
            .read(|db| db.setting("clinic_name"))
            .unwrap()
            .as_deref(),
        Some("Riverside Clinic")
    );
    let log = store
        .read(|db| {
            db.list_audit(&AuditFilter {
                limit: 10,
                ..Default::default()
            })
        })
        .unwrap();
    assert_eq!(log[0].content.action, "database.moved");
    assert_eq!(
        log[0].content.detail,
        r#"{"to":"clinic server db.clinic.lan"}"#
    );
    assert!(matches!(
        store.read(|db| db.verify_audit()).unwrap(),
        ChainVerdict::Intact { .. }
    ));
    // Reopened, it is still moved.
    drop(store);
    let store = SqliteStore::open(&dir.path().join("intake.db")).unwrap();
    assert_eq!(
        store.moved_to().unwrap().as_deref(),
        Some("clinic server db.clinic.lan")
    );
}
