//! The contract of the audit log: numbering, the hash chain over exact text, listing,
//! verifying, and the refusal of any edit.

use intake_core::audit::{BreakReason, ChainVerdict, GENESIS_HASH};

use super::fixtures::{ok, refused, t};
use super::{AuditEdit, Damage, Tamper};
use crate::prelude::*;
use crate::{AuditFilter, NewAuditEntry, StoreError};

pub(super) fn entry(
    at: i64,
    actor: &'static str,
    action: &'static str,
    n: i64,
) -> NewAuditEntry<'static> {
    NewAuditEntry {
        at: t(at),
        actor,
        action,
        patient_id: Some(n),
        entity: "user",
        entity_id: Some(n.to_string()),
        detail: serde_json::json!({ "n": n, "name": "Zoë", "note": "a \"quoted\" word" }),
    }
}

fn append_n<B: Backend>(b: &B, n: i64) {
    ok(
        b.write(|tx| {
            for i in 1..=n {
                let (actor, action) = if i % 2 == 0 {
                    ("admin", "user.created")
                } else {
                    ("nurse", "session.started")
                };
                tx.append_audit(&entry(i, actor, action, i))?;
            }
            Ok::<_, StoreError>(())
        }),
        "appending audit entries",
    );
}

pub(super) fn all_audit<B: Backend>(b: &B) -> Vec<crate::AuditRow> {
    ok(
        b.read(|tx| {
            tx.list_audit(&AuditFilter {
                limit: 1000,
                ..Default::default()
            })
        }),
        "listing the audit log",
    )
}

pub fn append_audit_numbers_from_one_and_chains_exact_text<B: Backend>(b: &B) {
    let detail = serde_json::json!({ "z": 1, "a": [true, null], "name": "Zoë \"Z\"" });
    let seqs = ok(
        b.write(|tx| {
            let one = tx.append_audit(&NewAuditEntry {
                detail: detail.clone(),
                ..entry(1, "admin", "user.created", 7)
            })?;
            let two = tx.append_audit(&NewAuditEntry {
                patient_id: None,
                entity_id: None,
                ..entry(2, "nurse", "session.started", 0)
            })?;
            Ok::<_, StoreError>((one, two))
        }),
        "appending",
    );
    assert_eq!(seqs, (1, 2), "numbered from 1");
    let rows = all_audit(b);
    let (second, first) = (&rows[0], &rows[1]);
    assert_eq!(
        (first.content.detail.as_str(), first.content.at.as_str()),
        (detail.to_string().as_str(), "2026-11-24T09:00:01.000Z"),
        "the detail and time are kept as exact text"
    );
    assert_eq!(
        (first.content.patient_id, first.content.entity_id.as_deref()),
        (Some(7), Some("7"))
    );
    assert_eq!(
        (
            second.content.patient_id,
            second.content.entity_id.as_deref()
        ),
        (None, None)
    );
    assert_eq!(
        first.prev_hash, GENESIS_HASH,
        "the first follows the genesis"
    );
    assert_eq!(
        first.hash,
        first.content.hash(GENESIS_HASH),
        "the stored hash is the content's"
    );
    assert_eq!(
        second.prev_hash, first.hash,
        "each entry names the previous"
    );
    assert_eq!(second.hash, second.content.hash(&first.hash));
}

pub fn list_audit_newest_first_with_filters<B: Backend>(b: &B) {
    append_n(b, 6);
    let seqs = |f: AuditFilter| -> Vec<i64> {
        ok(b.read(|tx| tx.list_audit(&f)), "listing")
            .into_iter()
            .map(|r| r.content.seq)
            .collect()
    };
    assert_eq!(
        seqs(AuditFilter {
            limit: 10,
            ..Default::default()
        }),
        [6, 5, 4, 3, 2, 1],
        "newest first"
    );
    assert_eq!(
        seqs(AuditFilter {
            limit: 2,
            before_seq: Some(5),
            ..Default::default()
        }),
        [4, 3],
        "paging back from a sequence number, limited"
    );
    assert_eq!(
        seqs(AuditFilter {
            limit: 10,
            action_prefix: Some("user.".into()),
            ..Default::default()
        }),
        [6, 4, 2],
        "by action prefix"
    );
    assert_eq!(
        seqs(AuditFilter {
            limit: 10,
            actor: Some("nurse".into()),
            ..Default::default()
        }),
        [5, 3, 1],
        "by actor"
    );
    assert_eq!(
        seqs(AuditFilter {
            limit: 10,
            action: Some("user.created".into()),
            ..Default::default()
        }),
        [6, 4, 2],
        "by exact action"
    );
    assert_eq!(
        seqs(AuditFilter {
            limit: 10,
            action: Some("user.".into()),
            ..Default::default()
        }),
        Vec::<i64>::new(),
        "an action is matched whole, not as a prefix"
    );
    assert_eq!(
        seqs(AuditFilter {
            limit: 10,
            from: Some(t(2)),
            until: Some(t(5)),
            ..Default::default()
        }),
        [4, 3, 2],
        "from a time (included) until a time (excluded)"
    );
    assert_eq!(
        seqs(AuditFilter {
            limit: 10,
            from: Some(t(2)),
            until: Some(t(6)),
            actor: Some("admin".into()),
            patient_id: Some(4),
            ..Default::default()
        }),
        [4],
        "filters combined"
    );
}

pub fn audit_actions_lists_each_action_once<B: Backend>(b: &B) {
    assert!(
        ok(b.read(|tx| tx.audit_actions()), "listing actions").is_empty(),
        "an empty log has no actions"
    );
    append_n(b, 5);
    assert_eq!(
        ok(b.read(|tx| tx.audit_actions()), "listing actions"),
        ["session.started", "user.created"],
        "each action once, alphabetical"
    );
}

pub fn verify_audit_of_an_untouched_chain<B: Backend>(b: &B) {
    assert_eq!(
        ok(b.read(|tx| tx.verify_audit()), "verifying"),
        ChainVerdict::Intact { entries: 0 },
        "an empty log verifies"
    );
    append_n(b, 25);
    assert_eq!(
        ok(b.read(|tx| tx.verify_audit()), "verifying"),
        ChainVerdict::Intact { entries: 25 }
    );
}

fn audit_edit_is_refused<B: Tamper>(b: &B, edit: AuditEdit) {
    append_n(b, 3);
    let before = all_audit(b);
    refused(
        b.edit_audit_directly(2, edit),
        &format!("{edit:?} of an audit entry"),
    );
    assert_eq!(all_audit(b), before, "the log is as it was");
    assert_eq!(
        ok(b.read(|tx| tx.verify_audit()), "verifying"),
        ChainVerdict::Intact { entries: 3 }
    );
}

pub fn refused_updating_an_audit_entry<B: Tamper>(b: &B) {
    audit_edit_is_refused(b, AuditEdit::Update);
}

pub fn refused_deleting_an_audit_entry<B: Tamper>(b: &B) {
    audit_edit_is_refused(b, AuditEdit::Delete);
}

pub fn verify_audit_names_an_edited_entry<B: Tamper>(b: &B) {
    append_n(b, 10);
    ok(
        b.plant(&Damage::AuditActor {
            seq: 7,
            actor: "nobody".into(),
        }),
        "editing an entry around the protections",
    );
    assert_eq!(
        ok(b.read(|tx| tx.verify_audit()), "verifying"),
        ChainVerdict::Broken {
            seq: 7,
            reason: BreakReason::ContentChanged
        },
        "the edited entry is named"
    );
}

pub fn verify_audit_names_a_removed_entry<B: Tamper>(b: &B) {
    append_n(b, 10);
    ok(
        b.plant(&Damage::AuditRemoved { seq: 4 }),
        "removing an entry around the protections",
    );
    assert_eq!(
        ok(b.read(|tx| tx.verify_audit()), "verifying"),
        ChainVerdict::Broken {
            seq: 5,
            reason: BreakReason::Gap { expected: 4 }
        },
        "the entry after the gap is named"
    );
}
