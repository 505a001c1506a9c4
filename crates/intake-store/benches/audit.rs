//! What the audit log costs: appending one entry to a file database with
//! `synchronous=FULL` (every use case pays this once), and verifying a 10,000-entry chain.

use chrono::{TimeZone, Utc};
use criterion::{criterion_group, criterion_main, Criterion};
use intake_store::prelude::*;
use intake_store::{NewAuditEntry, Store, StoreError};

fn entry(i: u32) -> NewAuditEntry<'static> {
    NewAuditEntry {
        at: Utc.with_ymd_and_hms(2026, 11, 23, 10, 0, 0).unwrap()
            + chrono::Duration::seconds(i.into()),
        actor: "nurse",
        action: "session.signed_in",
        patient_id: None,
        entity: "session",
        entity_id: Some(i.to_string()),
        detail: serde_json::json!({ "role": "nurse" }),
    }
}

fn append_one(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("bench.db")).unwrap();
    let mut i = 0;
    c.bench_function("audit append (file, synchronous=FULL)", |b| {
        b.iter(|| {
            i += 1;
            store.write(|db| db.append_audit(&entry(i))).unwrap()
        })
    });
}

fn verify_10k(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("bench.db")).unwrap();
    store
        .write(|db| {
            for i in 0..10_000 {
                db.append_audit(&entry(i))?;
            }
            Ok::<_, StoreError>(())
        })
        .unwrap();
    c.bench_function("audit verify 10k entries", |b| {
        b.iter(|| store.read(|db| db.verify_audit()).unwrap())
    });
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(30);
    targets = append_one, verify_10k
}
criterion_main!(benches);
