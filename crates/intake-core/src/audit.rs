//! The audit log's hash chain.
//!
//! Every audit entry's hash is the SHA-256 of its canonical content followed by the hash
//! of the entry before it, so changing, removing or reordering any entry breaks every
//! hash after it. This module computes hashes and checks a chain; storing entries (and
//! refusing UPDATE and DELETE) is `intake-store`'s job.
//!
//! Each entry records the [`HashFormat`] it was hashed with, so a better canonical form
//! can come in without rewriting (or failing) the entries written before it.

use sha2::{Digest, Sha256};

/// The `prev_hash` of the first entry.
pub const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// How an entry's canonical content is laid out for hashing; stored with each entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum HashFormat {
    /// Until schema 9: each field as length and bytes; an absent optional field hashed as
    /// an empty one, so `NULL` and `''` gave the same hash.
    V1 = 1,
    /// From schema 9: starts with the format's own tag, and each optional field carries a
    /// presence marker, so `NULL` and `''` hash differently.
    V2 = 2,
}

impl HashFormat {
    /// The format new entries are written with.
    pub const CURRENT: HashFormat = HashFormat::V2;

    /// The number stored in the database.
    pub fn number(self) -> i64 {
        self as i64
    }

    /// The format a stored number names; `None` for a number this binary does not know.
    pub fn from_number(n: i64) -> Option<HashFormat> {
        match n {
            1 => Some(HashFormat::V1),
            2 => Some(HashFormat::V2),
            _ => None,
        }
    }
}

/// One audit entry's content: what the hash covers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditContent {
    /// How [`AuditContent::hash`] lays the content out.
    pub format: HashFormat,
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
    /// The entry's hash given the previous entry's hash, in the entry's own format.
    ///
    /// The canonical form is each field's length and bytes in a fixed order, so no
    /// choice of text in one field can imitate another field; from [`HashFormat::V2`]
    /// an optional field also says whether it is present.
    pub fn hash(&self, prev_hash: &str) -> String {
        let mut h = Sha256::new();
        let mut field = |bytes: &[u8]| {
            h.update((bytes.len() as u64).to_be_bytes());
            h.update(bytes);
        };
        let patient = self.patient_id.map(|p| p.to_string());
        match self.format {
            HashFormat::V1 => {
                field(self.seq.to_string().as_bytes());
                field(self.at.as_bytes());
                field(self.actor.as_bytes());
                field(self.action.as_bytes());
                field(patient.as_deref().unwrap_or_default().as_bytes());
                field(self.entity.as_bytes());
                field(self.entity_id.as_deref().unwrap_or_default().as_bytes());
                field(self.detail.as_bytes());
                field(prev_hash.as_bytes());
            }
            HashFormat::V2 => {
                let optional = |field: &mut dyn FnMut(&[u8]), value: Option<&str>| match value {
                    None => field(b"-"),
                    Some(v) => {
                        field(b"+");
                        field(v.as_bytes());
                    }
                };
                field(b"intake-desk audit v2");
                field(self.seq.to_string().as_bytes());
                field(self.at.as_bytes());
                field(self.actor.as_bytes());
                field(self.action.as_bytes());
                optional(&mut field, patient.as_deref());
                field(self.entity.as_bytes());
                optional(&mut field, self.entity_id.as_deref());
                field(self.detail.as_bytes());
                field(prev_hash.as_bytes());
            }
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
    /// The entry is hashed in an older format than an entry before it: formats only move
    /// forward, so it was rewritten.
    FormatWentBack,
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
            BreakReason::FormatWentBack => f.write_str(
                "it is hashed in an older format than an entry before it: it was rewritten",
            ),
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
    let mut newest_format = HashFormat::V1;
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
        if entry.content.format < newest_format {
            return ChainVerdict::Broken {
                seq,
                reason: BreakReason::FormatWentBack,
            };
        }
        newest_format = entry.content.format;
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
            format: HashFormat::CURRENT,
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

    #[test]
    fn absent_and_empty_optional_fields_hash_apart_from_v2() {
        let mut absent = content(1, "user.created");
        absent.entity_id = None;
        let mut empty = absent.clone();
        empty.entity_id = Some(String::new());
        assert_ne!(
            absent.hash(GENESIS_HASH),
            empty.hash(GENESIS_HASH),
            "NULL and '' must not share a hash"
        );
        absent.format = HashFormat::V1;
        empty.format = HashFormat::V1;
        assert_eq!(
            absent.hash(GENESIS_HASH),
            empty.hash(GENESIS_HASH),
            "the first format is kept as it was, so old entries still verify"
        );
    }

    #[test]
    fn a_chain_may_move_to_a_newer_format_but_not_back() {
        let rehash = |entries: &mut Vec<ChainedEntry>| {
            let mut prev = GENESIS_HASH.to_string();
            for e in entries.iter_mut() {
                e.prev_hash = prev.clone();
                e.hash = e.content.hash(&prev);
                prev = e.hash.clone();
            }
        };
        let mut entries = chain(4);
        entries[0].content.format = HashFormat::V1;
        entries[1].content.format = HashFormat::V1;
        rehash(&mut entries);
        assert_eq!(verify(entries.clone()), ChainVerdict::Intact { entries: 4 });

        entries[3].content.format = HashFormat::V1;
        rehash(&mut entries);
        assert_eq!(
            verify(entries),
            ChainVerdict::Broken {
                seq: 4,
                reason: BreakReason::FormatWentBack
            }
        );
    }

    #[test]
    fn formats_are_stored_as_numbers_and_unknown_ones_are_refused() {
        for format in [HashFormat::V1, HashFormat::V2] {
            assert_eq!(HashFormat::from_number(format.number()), Some(format));
        }
        assert_eq!(HashFormat::from_number(3), None);
        assert_eq!(HashFormat::from_number(0), None);
    }

    #[test]
    fn both_formats_give_the_hashes_an_independent_implementation_gives() {
        // Computed with Python's hashlib from the layout the docs describe.
        let mut entry = content(1, "user.created");
        entry.at = "2026-11-23T10:00:01.000Z".into();
        entry.format = HashFormat::V1;
        assert_eq!(
            entry.hash(GENESIS_HASH),
            "747779d127fc3c0e2d4f89a998852477b815df930ce690ebc7b7bd817864bf7f"
        );
        entry.format = HashFormat::V2;
        assert_eq!(
            entry.hash(GENESIS_HASH),
            "6b2726340d81cc8d51de1ec2e6a09752962d9edfa983957a05e22039df339278"
        );
    }
}
