//! What the copy checks on the server before it commits: every table holds as many
//! rows as the local one, the audit chain verifies there and ends at the same entry, and
//! every signed record and template original is the same bytes.

use intake_core::audit::ChainVerdict;
use postgres::fallible_iterator::FallibleIterator;
use postgres::types::{ToSql, Type};
use rusqlite::types::ValueRef;
use rusqlite::Connection;

use super::super::{error, get, PgDb};
use super::table::quote;
use super::{differs, AuditHead};
use crate::traits::Audit;
use crate::StoreError;

/// Checks that `table` has as many rows on the server as in the local database.
pub(super) fn same_count(
    db: &PgDb<'_>,
    conn: &Connection,
    table: &str,
    server: &str,
) -> Result<u64, StoreError> {
    let sql = format!("SELECT count(*) FROM {}", quote(table));
    let local: i64 = conn.query_row(&sql, [], |r| r.get(0))?;
    let row = db.query_one(&sql, &[])?;
    let remote: i64 = get(&row, 0, "the copy")?;
    if local != remote {
        return Err(differs(
            server,
            format!("{table} has {remote} rows on the server, {local} in the local database"),
        ));
    }
    Ok(remote.max(0) as u64)
}

/// Checks that the server's audit chain verifies and ends where the local one does.
pub(super) fn same_audit(db: &PgDb<'_>, local: &AuditHead, server: &str) -> Result<(), StoreError> {
    match db.verify_audit()? {
        ChainVerdict::Intact { entries } if entries == local.entries => {}
        ChainVerdict::Intact { entries } => {
            return Err(differs(
                server,
                format!(
                    "the audit log has {entries} entries on the server, {} in the local database",
                    local.entries
                ),
            ))
        }
        ChainVerdict::Broken { seq, reason } => {
            return Err(differs(
                server,
                format!("the copied audit log does not verify at entry {seq}: {reason}"),
            ))
        }
    }
    let head = match db.query_opt(
        "SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1",
        &[],
    )? {
        Some(row) => Some((
            get::<i64>(&row, 0, "audit_log")?,
            get(&row, 1, "audit_log")?,
        )),
        None => None,
    };
    if head != local.last {
        return Err(differs(
            server,
            format!(
                "the audit log ends at {} on the server, at {} in the local database",
                describe_head(&head),
                describe_head(&local.last)
            ),
        ));
    }
    Ok(())
}

fn describe_head(head: &Option<(i64, String)>) -> String {
    match head {
        Some((seq, hash)) => format!("entry {seq} (hash {hash})"),
        None => "no entry".to_string(),
    }
}

/// A value as compared.
#[derive(Debug, PartialEq)]
enum Cell {
    Null,
    Int(i64),
    Text(String),
    Bytes(Vec<u8>),
}

fn local_cell(value: ValueRef<'_>) -> Cell {
    match value {
        ValueRef::Null => Cell::Null,
        ValueRef::Integer(n) => Cell::Int(n),
        ValueRef::Real(r) => Cell::Text(r.to_string()),
        ValueRef::Text(t) => Cell::Text(String::from_utf8_lossy(t).into_owned()),
        ValueRef::Blob(b) => Cell::Bytes(b.to_vec()),
    }
}

fn remote_cell(row: &postgres::Row, i: usize) -> Result<Cell, StoreError> {
    let ty = row.columns().get(i).map(|c| c.type_().clone());
    let cell = match ty {
        Some(t) if t == Type::INT8 => get::<Option<i64>>(row, i, "the copy")?.map(Cell::Int),
        Some(t) if t == Type::INT4 => {
            get::<Option<i32>>(row, i, "the copy")?.map(|n| Cell::Int(n.into()))
        }
        Some(t) if t == Type::BYTEA => get::<Option<Vec<u8>>>(row, i, "the copy")?.map(Cell::Bytes),
        _ => get::<Option<String>>(row, i, "the copy")?.map(Cell::Text),
    };
    Ok(cell.unwrap_or(Cell::Null))
}

/// Checks that `sql` gives the same rows, in the same order, locally and on the server;
/// the first `key` columns name a row, the others are compared byte for byte. Returns
/// how many rows were compared.
pub(super) fn same_rows(
    db: &PgDb<'_>,
    conn: &Connection,
    what: &str,
    sql: &str,
    names: &[&str],
    key: usize,
    server: &str,
) -> Result<u64, StoreError> {
    let mut statement = conn.prepare(sql)?;
    let mut local = statement.query([])?;
    let mut tx = db.tx.borrow_mut();
    let none: [&(dyn ToSql + Sync); 0] = [];
    let mut remote = tx.query_raw(sql, none).map_err(error::in_tx)?;
    let mut count = 0u64;
    loop {
        let here = local.next()?;
        let there = remote.next().map_err(error::in_tx)?;
        let (here, there) = match (here, there) {
            (None, None) => return Ok(count),
            (Some(here), Some(there)) => (here, there),
            (Some(_), None) => {
                return Err(differs(
                    server,
                    format!("the server has fewer {what} than the local database"),
                ))
            }
            (None, Some(_)) => {
                return Err(differs(
                    server,
                    format!("the server has more {what} than the local database"),
                ))
            }
        };
        let mut named = Vec::new();
        for (i, name) in names.iter().enumerate() {
            let a = local_cell(here.get_ref(i)?);
            let b = remote_cell(&there, i)?;
            if i < key {
                named.push(format!("{name} {a:?}"));
                if a != b {
                    return Err(differs(
                        server,
                        format!(
                            "{what}: the server has another row where the local database has {}",
                            named.join(", ")
                        ),
                    ));
                }
            } else if a != b {
                return Err(differs(
                    server,
                    format!("{what}: {} differs at {}", name, named.join(", ")),
                ));
            }
        }
        count += 1;
    }
}
