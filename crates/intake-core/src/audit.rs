//! The audit log's hash chain.
//!
//! Every audit entry's hash is the SHA-256 of its canonical content followed by the hash
//! of the entry before it, so changing, removing or reordering any entry breaks every
//! hash after it. This module computes hashes and checks a chain; storing entries (and
//! refusing UPDATE and DELETE) is `intake-store`'s job.

use sha2::{Digest, Sha256};

/// The `prev_hash` of the first entry.
pub const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// One audit entry's content: what the hash covers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditContent {
    /// Position in the chain, from 1, without gaps.
    pub seq: i64,
    /// UTC time as RFC 3339 with milliseconds (`2026-11-23T10:00:00.000Z`).
    pub at: String,
    /// Who did it: a user name, or `cli:<OS user>` for the command line.
    pub actor: String,
    /// What was done, as a stable dotted name (`user.created`, `session.sign_in_failed`).
    pub action: String,
    /// The patient concerned, if any.
    pub patient_id: Option<i64>,
    /// The kind of thing acted on (`user`, `session`, `settings`).
    pub entity: String,
    pub entity_id: Option<String>,
    /// Extra facts as compact JSON text, hashed exactly as stored.
    pub detail: String,
}

impl AuditContent {
    /// The entry's hash given the previous entry's hash.
    ///
    /// The canonical form is each field's length and bytes in a fixed order, so no
    /// choice of text in one field can imitate another field.
    pub fn hash(&self, prev_hash: &str) -> String {
        let mut h = Sha256::new();
        let patient = self.patient_id.map(|p| p.to_string()).unwrap_or_default();
        let entity_id = self.entity_id.clone().unwrap_or_default();
        let fields: [&str; 9] = [
            &self.seq.to_string(),
            &self.at,
            &self.actor,
            &self.action,
            &patient,
            &self.entity,
            &entity_id,
            &self.detail,
            prev_hash,
        ];
        for field in fields {
            h.update((field.len() as u64).to_be_bytes());
            h.update(field.as_bytes());
        }
        hex::encode(h.finalize())
    }
}

/// A stored entry: its content and the two hashes kept beside it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChainedEntry {
    pub content: AuditContent,
    pub prev_hash: String,
    pub hash: String,
}

/// The result of walking a chain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChainVerdict {
    /// Every entry checked out.
    Intact { entries: u64 },
    /// The first entry that does not fit, and why.
    Broken { seq: i64, reason: BreakReason },
}

/// Why an entry does not fit the chain.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BreakReason {
    /// The sequence number is not the one after the previous entry (an entry is missing
    /// or was inserted).
    Gap { expected: i64 },
    /// The stored previous hash is not the previous entry's hash.
    PrevHashMismatch,
    /// The entry's content no longer gives its stored hash: it was edited.
    ContentChanged,
}

impl std::fmt::Display for BreakReason {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            BreakReason::Gap { expected } => {
                write!(
                    f,
                    "expected entry {expected} here: entries are missing or were inserted"
                )
            }
            BreakReason::PrevHashMismatch => {
                f.write_str("its link to the entry before it does not match")
            }
            BreakReason::ContentChanged => {
                f.write_str("its content was changed after it was written")
            }
        }
    }
}

/// Walks entries in sequence order and names the first one that breaks the chain.
///
/// Entries are streamed in, so a long log is checked without holding it in memory.
pub fn verify<I>(entries: I) -> ChainVerdict
where
    I: IntoIterator<Item = ChainedEntry>,
{
    let mut prev = GENESIS_HASH.to_string();
    let mut count = 0u64;
    for (expected_seq, entry) in (1..).zip(entries) {
        let seq = entry.content.seq;
        if seq != expected_seq {
            return ChainVerdict::Broken {
                seq,
                reason: BreakReason::Gap {
                    expected: expected_seq,
                },
            };
        }
        if entry.prev_hash != prev {
            return ChainVerdict::Broken {
                seq,
                reason: BreakReason::PrevHashMismatch,
            };
        }
        if entry.content.hash(&entry.prev_hash) != entry.hash {
            return ChainVerdict::Broken {
                seq,
                reason: BreakReason::ContentChanged,
            };
        }
        prev = entry.hash;
        count += 1;
    }
    ChainVerdict::Intact { entries: count }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn content(seq: i64, action: &str) -> AuditContent {
        AuditContent {
            seq,
            at: format!("2026-11-23T10:00:{seq:02}.000Z"),
            actor: "admin".into(),
            action: action.into(),
            patient_id: None,
            entity: "user".into(),
            entity_id: Some(seq.to_string()),
            detail: "{}".into(),
        }
    }

    fn chain(n: i64) -> Vec<ChainedEntry> {
        let mut prev = GENESIS_HASH.to_string();
        (1..=n)
            .map(|seq| {
                let content = content(seq, "user.created");
                let hash = content.hash(&prev);
                let entry = ChainedEntry {
                    content,
                    prev_hash: prev.clone(),
                    hash: hash.clone(),
                };
                prev = hash;
                entry
            })
            .collect()
    }

    #[test]
    fn an_untouched_chain_is_intact() {
        assert_eq!(verify(chain(5)), ChainVerdict::Intact { entries: 5 });
        assert_eq!(verify(Vec::new()), ChainVerdict::Intact { entries: 0 });
    }

    #[test]
    fn an_edited_entry_is_named() {
        let mut entries = chain(5);
        entries[2].content.actor = "someone-else".into();
        assert_eq!(
            verify(entries),
            ChainVerdict::Broken {
                seq: 3,
                reason: BreakReason::ContentChanged
            }
        );
    }

    #[test]
    fn a_rehashed_edit_breaks_the_next_link() {
        let mut entries = chain(5);
        entries[1].content.detail = r#"{"forged":true}"#.into();
        entries[1].hash = entries[1].content.hash(&entries[1].prev_hash);
        assert_eq!(
            verify(entries),
            ChainVerdict::Broken {
                seq: 3,
                reason: BreakReason::PrevHashMismatch
            },
            "re-hashing one entry must still break the entry after it"
        );
    }

    #[test]
    fn a_removed_entry_is_a_gap() {
        let mut entries = chain(5);
        entries.remove(3);
        assert_eq!(
            verify(entries),
            ChainVerdict::Broken {
                seq: 5,
                reason: BreakReason::Gap { expected: 4 }
            }
        );
    }

    #[test]
    fn fields_cannot_bleed_into_each_other() {
        let mut a = content(1, "user.created");
        let mut b = a.clone();
        a.actor = "ab".into();
        a.action = "c".into();
        b.actor = "a".into();
        b.action = "bc".into();
        assert_ne!(
            a.hash(GENESIS_HASH),
            b.hash(GENESIS_HASH),
            "length-prefixed fields"
        );
    }
}
