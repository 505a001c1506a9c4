//! The audit log on the server: append-only (the triggers of migration 0002 refuse an
//! UPDATE, DELETE or TRUNCATE, and the app's role may only read and append) and
//! hash-chained with `intake_core::audit`, the very code the SQLite backend uses, over the
//! same text, so a chain written on either backend verifies with it.
//!
//! Appending reads the newest entry and inserts the next one inside the write
//! transaction, which already holds the writers' advisory lock: no other writer appends
//! in between, so the numbers run from 1 without gaps and the chain never forks.

use intake_core::audit::{
    self, AuditContent, ChainVerdict, ChainedEntry, HashFormat, GENESIS_HASH,
};
use postgres::fallible_iterator::FallibleIterator;
use postgres::types::ToSql;
use postgres::Row;

use super::super::{error, get, PgDb};
use crate::traits::Audit;
use crate::{format_time, AuditFilter, AuditRow, NewAuditEntry, StoreError};

const T: &str = "audit_log";

const COLUMNS: &str =
    "seq, at, actor, action, patient_id, entity, entity_id, detail, prev_hash, hash, hash_format";

fn from_row(r: &Row) -> Result<AuditRow, StoreError> {
    let seq: i64 = get(r, 0, T)?;
    let number: i32 = get(r, 10, T)?;
    // The table's CHECK admits only known formats, and a server with a newer schema is
    // refused when connecting, so an unknown number means the row was tampered with.
    let format = HashFormat::from_number(i64::from(number)).ok_or_else(|| {
        StoreError::damaged(
            T,
            format!("audit entry {seq}"),
            format!("unknown hash format {number}"),
        )
    })?;
    Ok(AuditRow {
        content: AuditContent {
            format,
            seq,
            at: get(r, 1, T)?,
            actor: get(r, 2, T)?,
            action: get(r, 3, T)?,
            patient_id: get(r, 4, T)?,
            entity: get(r, 5, T)?,
            entity_id: get(r, 6, T)?,
            detail: get(r, 7, T)?,
        },
        prev_hash: get(r, 8, T)?,
        hash: get(r, 9, T)?,
    })
}

impl Audit for PgDb<'_> {
    fn append_audit(&self, entry: &NewAuditEntry<'_>) -> Result<i64, StoreError> {
        let last = self.query_opt(
            "SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1",
            &[],
        )?;
        let (seq, prev_hash) = match last {
            Some(row) => (get::<i64>(&row, 0, T)? + 1, get::<String>(&row, 1, T)?),
            None => (1, GENESIS_HASH.to_string()),
        };
        let content = AuditContent {
            format: HashFormat::CURRENT,
            seq,
            at: format_time(entry.at),
            actor: entry.actor.to_string(),
            action: entry.action.to_string(),
            patient_id: entry.patient_id,
            entity: entry.entity.to_string(),
            entity_id: entry.entity_id.clone(),
            detail: entry.detail.to_string(),
        };
        let hash = content.hash(&prev_hash);
        let format = content.format.number() as i32;
        self.execute(
            &format!(
                "INSERT INTO audit_log ({COLUMNS}) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)"
            ),
            &[
                &content.seq,
                &content.at,
                &content.actor,
                &content.action,
                &content.patient_id,
                &content.entity,
                &content.entity_id,
                &content.detail,
                &prev_hash,
                &hash,
                &format,
            ],
        )?;
        Ok(seq)
    }

    fn list_audit(&self, filter: &AuditFilter) -> Result<Vec<AuditRow>, StoreError> {
        let limit = i64::from(filter.limit);
        self.query(
            &format!(
                "SELECT {COLUMNS} FROM audit_log \
                 WHERE ($1::bigint IS NULL OR seq < $1) \
                   AND ($2::text IS NULL OR substr(action, 1, length($2)) = $2) \
                   AND ($3::text IS NULL OR actor = $3) \
                   AND ($5::bigint IS NULL OR patient_id = $5) \
                   AND ($6::text IS NULL OR action = $6) \
                   AND ($7::text IS NULL OR at >= $7) \
                   AND ($8::text IS NULL OR at < $8) \
                 ORDER BY seq DESC LIMIT $4"
            ),
            &[
                &filter.before_seq,
                &filter.action_prefix,
                &filter.actor,
                &limit,
                &filter.patient_id,
                &filter.action,
                &filter.from.map(format_time),
                &filter.until.map(format_time),
            ],
        )?
        .iter()
        .map(from_row)
        .collect()
    }

    fn audit_actions(&self) -> Result<Vec<String>, StoreError> {
        // Byte order, as SQLite's BINARY collation sorts.
        self.query(
            "SELECT DISTINCT action COLLATE \"C\" FROM audit_log ORDER BY 1",
            &[],
        )?
        .iter()
        .map(|row| get(row, 0, T))
        .collect()
    }

    fn verify_audit(&self) -> Result<ChainVerdict, StoreError> {
        // Streamed, not collected: the log grows for as long as the clinic runs.
        let mut tx = self.tx.borrow_mut();
        let none: [&(dyn ToSql + Sync); 0] = [];
        let mut rows = tx
            .query_raw(
                &format!("SELECT {COLUMNS} FROM audit_log ORDER BY seq"),
                none,
            )
            .map_err(error::in_tx)?;
        let mut read_error = None;
        let entries = std::iter::from_fn(|| {
            let next = rows
                .next()
                .map_err(error::in_tx)
                .and_then(|row| row.as_ref().map(from_row).transpose());
            match next {
                Ok(Some(row)) => Some(ChainedEntry {
                    content: row.content,
                    prev_hash: row.prev_hash,
                    hash: row.hash,
                }),
                Ok(None) => None,
                Err(e) => {
                    read_error = Some(e);
                    None
                }
            }
        });
        let verdict = audit::verify(entries);
        match read_error {
            Some(e) => Err(e),
            None => Ok(verdict),
        }
    }
}
