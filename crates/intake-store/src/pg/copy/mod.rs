//! `intake db copy`: everything in the workstation's SQLite database onto a new clinic
//! server, as the schema's owner, all or nothing.
//!
//! The server must have this binary's schema (`intake db init`) and no data yet; the
//! local audit chain must verify. Then one transaction on the server, holding the
//! writers' lock: the guard triggers are switched off on the tables written (they would
//! refuse a signed visit's answers, an audit entry's own number, …; `DISABLE TRIGGER
//! USER` is transactional and only the owner may), each table's rows go over with binary
//! `COPY`, column by column by name and converted by the server's type, the search words
//! SQLite keeps in FTS5 are written as the server's patients code writes them, the
//! triggers go back on, every identity moves past the copied ids, and the copy is checked
//! (row counts, the audit chain and its head, every signed record and template original
//! byte for byte) before it commits. Sessions and sign-in failures are not copied: open
//! sign-ins do not move.

mod table;
mod verify;

use std::collections::HashMap;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use intake_core::audit::ChainVerdict;

use super::{connect, error, get, migrate, PgConfig, PgDb, WRITE_LOCK};
use crate::traits::{Audit, Backend};
use crate::{SqliteDb, SqliteStore, StoreError};
use table::quote;

/// The copied tables, in an order their foreign keys allow.
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

/// Local tables left behind on purpose: open sign-ins and autosave receipts do not move (SQLite's own tables
/// and its FTS5 search tables, `patient_search*`, are left out by name as well).
const NOT_COPIED: &[&str] = &["sessions", "sign_in_failures", "save_receipts"];

/// The server's search index, which SQLite keeps in FTS5 instead.
const SEARCH_WORDS: &str = "patient_search_words";

/// What a copy did.
#[derive(Debug, Clone, PartialEq)]
pub struct CopyReport {
    /// Each copied table and its rows, in the order copied.
    pub tables: Vec<(&'static str, u64)>,
    /// The search words written for the copied patients.
    pub search_words: u64,
    /// The audit log's last entry (0 when it is empty), the same on both.
    pub audit_head: i64,
    /// The signed records (signatures and amendments) found the same on both.
    pub signed_records: u64,
    /// How long the copy took.
    pub elapsed: Duration,
}

impl CopyReport {
    /// The rows copied of `table`.
    pub fn rows(&self, table: &str) -> Option<u64> {
        self.tables
            .iter()
            .find(|(t, _)| *t == table)
            .map(|(_, n)| *n)
    }
}

/// The local audit chain's length and last entry (seq, hash).
pub(super) struct AuditHead {
    entries: u64,
    last: Option<(i64, String)>,
}

/// A copy that did not check out on the server (nothing was committed).
pub(super) fn differs(server: &str, what: String) -> StoreError {
    StoreError::Database {
        path: PathBuf::from(server),
        source: format!("the copy did not check out, so nothing was copied: {what}").into(),
    }
}

/// Copies everything in `source` onto the clinic server `owner` reaches, connected as
/// the schema's owner; refuses a server that already has data or a source whose audit
/// log does not verify. One transaction: the server has all of it or none.
pub fn copy_from_sqlite(source: &SqliteStore, owner: &PgConfig) -> Result<CopyReport, StoreError> {
    let started = Instant::now();
    let target = owner.target()?;
    let server = target.describe.clone();
    let mut client = connect::connect(&target)?;
    migrate::check(&mut client, &server, true)?;
    let mut statements = HashMap::new();
    source
        .read(|src| {
            let head = check_source(src, source, &server)?;
            let tx = client
                .transaction()
                .map_err(|e| error::classify(e, &server))?;
            let db = PgDb::new(tx, &mut statements);
            let mut report = copy_all(&db, src, &head, &server)?;
            db.tx
                .into_inner()
                .commit()
                .map_err(|e| error::classify(e, &server))?;
            report.elapsed = started.elapsed();
            Ok(report)
        })
        .and_then(|mut report: CopyReport| {
            // Fresh statistics for the planner (without them, the first searches of a clinic
            // just moved in planned as if its tables were empty: hundreds of ms at 100k
            // patients), and the visibility map that lets searches read ids from the index
            // alone (autovacuum keeps it up as the clinic works).
            client
                .batch_execute("VACUUM (ANALYZE)")
                .map_err(|e| error::classify(e, &server))?;
            report.elapsed = started.elapsed();
            Ok(report)
        })
}

/// Checks the local database: its audit chain verifies and it has no table this copy
/// does not know. Returns the chain's head.
fn check_source(
    src: &SqliteDb<'_>,
    source: &SqliteStore,
    server: &str,
) -> Result<AuditHead, StoreError> {
    let path = source.path().display();
    let entries = match src.verify_audit()? {
        ChainVerdict::Intact { entries } => entries,
        ChainVerdict::Broken { seq, reason } => {
            return Err(StoreError::damaged(
                "audit_log",
                format!("audit entry {seq}"),
                format!(
                    "the audit log of {path} does not verify ({reason}), so nothing was \
                     copied to {server}"
                ),
            ))
        }
    };
    let conn = src.conn;
    let last = conn
        .prepare("SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1")?
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
        .next()
        .transpose()?;
    let mut statement = conn.prepare(
        "SELECT name FROM sqlite_schema WHERE type = 'table' \
         AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' \
         AND name NOT LIKE 'patient\\_search%' ESCAPE '\\' ORDER BY name",
    )?;
    let names = statement.query_map([], |r| r.get::<_, String>(0))?;
    for name in names {
        let name = name?;
        if !TABLES.contains(&name.as_str()) && !NOT_COPIED.contains(&name.as_str()) {
            return Err(StoreError::damaged(
                "the copy",
                format!("table {name}"),
                format!(
                    "{path} has a table this Intake Desk does not know how to copy, so \
                     nothing was copied to {server}"
                ),
            ));
        }
    }
    Ok(AuditHead { entries, last })
}

/// The whole copy inside the server's transaction.
fn copy_all(
    db: &PgDb<'_>,
    src: &SqliteDb<'_>,
    head: &AuditHead,
    server: &str,
) -> Result<CopyReport, StoreError> {
    db.execute("SELECT pg_advisory_xact_lock($1)", &[&WRITE_LOCK])?;
    check_owner(db, server)?;
    check_empty(db, server)?;
    let written: Vec<&str> = TABLES.iter().copied().chain([SEARCH_WORDS]).collect();
    for table in &written {
        batch(
            db,
            &format!("ALTER TABLE {} DISABLE TRIGGER USER", quote(table)),
        )?;
    }
    // The one row every new schema starts with; the local one replaces it.
    db.execute("DELETE FROM mrn_sequence", &[])?;
    let conn = src.conn;
    let mut tables = Vec::new();
    for table in TABLES {
        tables.push((*table, table::copy_table(db, conn, table, server)?));
    }
    let search_words = table::copy_search_words(db, conn, server)?;
    for table in &written {
        batch(
            db,
            &format!("ALTER TABLE {} ENABLE TRIGGER USER", quote(table)),
        )?;
    }
    move_identities(db)?;

    for table in TABLES {
        verify::same_count(db, conn, table, server)?;
    }
    verify::same_audit(db, head, server)?;
    let signed_records = verify::same_rows(
        db,
        conn,
        "signed records",
        "SELECT encounter_id, seq, record_json, record_sha256, record_form \
         FROM encounter_events WHERE record_json IS NOT NULL ORDER BY encounter_id, seq",
        &[
            "visit",
            "event",
            "record_json",
            "record_sha256",
            "record_form",
        ],
        2,
        server,
    )?;
    verify::same_rows(
        db,
        conn,
        "template originals",
        "SELECT id, original, sha256 FROM templates ORDER BY id",
        &["template", "original", "sha256"],
        1,
        server,
    )?;
    Ok(CopyReport {
        tables,
        search_words,
        audit_head: head.last.as_ref().map(|(seq, _)| *seq).unwrap_or(0),
        signed_records,
        elapsed: Duration::ZERO,
    })
}

/// Runs a statement without parameters (not prepared).
fn batch(db: &PgDb<'_>, sql: &str) -> Result<(), StoreError> {
    db.tx.borrow_mut().batch_execute(sql).map_err(error::in_tx)
}

/// Refuses a role that does not own the schema (it may not switch the guards off).
fn check_owner(db: &PgDb<'_>, server: &str) -> Result<(), StoreError> {
    let row = db.query_one(
        "SELECT current_user::text, coalesce((SELECT tableowner = current_user FROM pg_tables \
         WHERE schemaname = current_schema() AND tablename = 'audit_log'), false)",
        &[],
    )?;
    let role: String = get(&row, 0, "the copy")?;
    if get::<bool>(&row, 1, "the copy")? {
        return Ok(());
    }
    Err(StoreError::CannotOpen {
        path: PathBuf::from(server),
        reason: format!(
            "connected as {role}, which does not own the schema: copy with the schema's \
             owner role (the one `intake db init` ran as)"
        ),
    })
}

/// Refuses a server that already has data (sign-in failures, which are not copied, do
/// not count).
fn check_empty(db: &PgDb<'_>, server: &str) -> Result<(), StoreError> {
    let mut found = Vec::new();
    let checked = TABLES
        .iter()
        .copied()
        .filter(|t| *t != "mrn_sequence")
        .chain([SEARCH_WORDS]);
    for table in checked {
        let sql = format!("SELECT EXISTS (SELECT 1 FROM {})", quote(table));
        if get::<bool>(&db.query_one(&sql, &[])?, 0, "the copy")? {
            found.push(table);
        }
    }
    if found.is_empty() {
        return Ok(());
    }
    Err(StoreError::CannotOpen {
        path: PathBuf::from(server),
        reason: format!(
            "it already has data (in {}): a copy goes only onto a new, empty clinic server, \
             so nothing was copied",
            found.join(", ")
        ),
    })
}

/// Moves every identity of the copied tables past the copied ids.
fn move_identities(db: &PgDb<'_>) -> Result<(), StoreError> {
    let tables: Vec<String> = TABLES.iter().map(|t| t.to_string()).collect();
    let rows = db.query(
        "SELECT table_name::text, column_name::text FROM information_schema.columns \
         WHERE table_schema = current_schema() AND is_identity = 'YES' \
         AND table_name::text = ANY($1) ORDER BY table_name, column_name",
        &[&tables],
    )?;
    for row in rows {
        let table: String = get(&row, 0, "the copy")?;
        let column: String = get(&row, 1, "the copy")?;
        db.execute(
            &format!(
                "SELECT setval(pg_get_serial_sequence($1, $2), coalesce(max({}), 0) + 1, false) \
                 FROM {}",
                quote(&column),
                quote(&table)
            ),
            &[&quote(&table), &column],
        )?;
    }
    Ok(())
}
