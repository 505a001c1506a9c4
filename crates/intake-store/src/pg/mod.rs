//! The PostgreSQL backend: the clinic server ([`PgStore`], its transaction [`PgDb`]).
//!
//! The same traits as the SQLite backend, with the same guarantees, kept by the server
//! itself: the schema (`migrations/pg/`, applied only by the owner role with `intake db
//! init` / `intake db migrate`) keeps signed records, the audit log and every revision as
//! written with PL/pgSQL triggers, and the app's role may not change them or the schema.
//!
//! Transactions: [`Backend::write`] runs in one transaction that first takes a
//! transaction-level advisory lock ([`WRITE_LOCK`]): writes from every workstation are
//! serialised, as `BEGIN IMMEDIATE` serialises them on SQLite, so what a use case read
//! is still true when it commits and the audit chain's head never forks.
//! [`Backend::read`] runs in a `REPEATABLE READ READ ONLY` transaction: one snapshot.
//!
//! Values that hashes cover (times, audit details, record JSON, answer values) are
//! stored as `text` exactly as on SQLite, so a record signed on one backend verifies on
//! the other.

mod accounts;
mod blocking;
mod connect;
mod copy;
mod encounters;
mod error;
mod migrate;
mod patients;
mod tamper;
#[doc(hidden)]
pub mod testing;

use std::cell::RefCell;
use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard};

use postgres::types::ToSql;
use postgres::{Client, Row, Statement, Transaction};

use crate::{Backend, StoreError};

pub use copy::{copy_from_sqlite, CopyReport};
pub use migrate::{latest_version, MIGRATIONS};

/// The advisory lock every write transaction takes first (`'INTK'`).
pub const WRITE_LOCK: i64 = 0x494E_544B;

/// How to reach the clinic server.
#[derive(Debug, Clone)]
pub struct PgConfig {
    /// `postgresql://user@host:port/database?...` or libpq's `key=value` form.
    pub url: String,
}

impl PgConfig {
    pub fn new(url: impl Into<String>) -> PgConfig {
        PgConfig { url: url.into() }
    }

    /// The address parsed, its password looked up (`PGPASSWORD`, `.pgpass`) and its TLS
    /// mode decided (see [`connect`]).
    fn target(&self) -> Result<connect::Target, StoreError> {
        connect::parse(&self.url, &|name| std::env::var(name).ok())
    }

    /// "clinic server db.clinic.lan" (host, and the port when not 5432).
    pub fn describe(&self) -> String {
        match self.target() {
            Ok(target) => target.describe,
            Err(_) => "the clinic server".to_string(),
        }
    }
}

/// An open connection to the clinic server, the PostgreSQL [`Backend`]. Calls are
/// serialised on one connection, as on SQLite.
pub struct PgStore {
    client: Mutex<Connection>,
    describe: String,
    /// A superuser's connection settings, for the contract's tampering hooks only.
    tamper: Option<PgConfig>,
}

/// The connection and the statements prepared on it: each SQL text is parsed and
/// planned once per connection, and later runs send only its parameters (one round
/// trip instead of three).
pub(crate) struct Connection {
    /// `None` only while being dropped.
    client: Option<Client>,
    statements: HashMap<String, Statement>,
}

impl std::ops::Deref for Connection {
    type Target = Client;
    fn deref(&self) -> &Client {
        self.client
            .as_ref()
            .expect("the connection is open until dropped")
    }
}

impl std::ops::DerefMut for Connection {
    fn deref_mut(&mut self) -> &mut Client {
        self.client
            .as_mut()
            .expect("the connection is open until dropped")
    }
}

impl Drop for Connection {
    /// Closing says goodbye to the server through the client's runtime: outside any
    /// async caller's, as every other call.
    fn drop(&mut self) {
        if let Some(client) = self.client.take() {
            let _ = blocking::outside_async(|| drop(client));
        }
    }
}

/// A PostgreSQL transaction inside [`Backend::read`] or [`Backend::write`]: the
/// PostgreSQL [`crate::Tx`]. Its trait implementations live in this module's files.
pub struct PgDb<'a> {
    tx: RefCell<Transaction<'a>>,
    statements: RefCell<&'a mut HashMap<String, Statement>>,
    /// Every setting, read at the first one the transaction asks for (a use case reads
    /// several: date order, time zone, thresholds; a round trip each added up on the
    /// server). Writes go through [`Settings::put_setting`], which keeps it current.
    settings: RefCell<Option<HashMap<String, String>>>,
}

impl PgStore {
    /// Connects as the app's role and checks that the server's schema is this binary's.
    pub fn connect(config: &PgConfig) -> Result<PgStore, StoreError> {
        PgStore::open(config, false)
    }

    /// Connects as the schema's owner, for `intake db init` (the first administrator)
    /// only: the app itself never does (see [`PgStore::connect`]).
    pub fn connect_as_owner(config: &PgConfig) -> Result<PgStore, StoreError> {
        PgStore::open(config, true)
    }

    fn open(config: &PgConfig, owner: bool) -> Result<PgStore, StoreError> {
        blocking::outside_async(|| PgStore::open_here(config, owner))?
    }

    fn open_here(config: &PgConfig, owner: bool) -> Result<PgStore, StoreError> {
        let target = config.target()?;
        let describe = target.describe.clone();
        let mut client = connect::connect(&target)?;
        migrate::check(&mut client, &describe, owner)?;
        // Statements are prepared once and reused; a generic plan cannot use the search
        // words' prefix index for `LIKE $1` (a sequential scan of every word), so each
        // run is planned for its own values.
        client
            .batch_execute("SET plan_cache_mode = force_custom_plan")
            .map_err(|e| error::classify(e, &describe))?;
        Ok(PgStore {
            client: Mutex::new(Connection {
                client: Some(client),
                statements: HashMap::new(),
            }),
            describe,
            tamper: None,
        })
    }

    /// The same store, with a superuser's settings for the contract's [`crate::contract::Tamper`]
    /// hooks (tests only).
    #[doc(hidden)]
    pub fn with_tamper(mut self, superuser: PgConfig) -> PgStore {
        self.tamper = Some(superuser);
        self
    }

    /// Records `role` as the app's role and grants it what the app may do (as the
    /// owner, after [`PgStore::migrate`]).
    pub fn grant_app(owner: &PgConfig, role: &str) -> Result<(), StoreError> {
        blocking::outside_async(|| {
            let target = owner.target()?;
            let mut client = connect::connect(&target)?;
            migrate::grant_app(&mut client, &target.describe, role)
        })?
    }

    /// Connects as the owner role and brings the schema up to date (`intake db init`,
    /// `intake db migrate`, and the tests' template database).
    pub fn migrate(config: &PgConfig) -> Result<(), StoreError> {
        blocking::outside_async(|| {
            let target = config.target()?;
            let mut client = connect::connect(&target)?;
            migrate::migrate(&mut client, &target.describe)
        })?
    }

    /// "clinic server db.clinic.lan".
    pub fn describe(&self) -> String {
        self.describe.clone()
    }

    /// The server's schema version.
    pub fn schema_version(&self) -> Result<i64, StoreError> {
        blocking::outside_async(|| {
            let mut client = self.lock();
            migrate::found_version(&mut client, &self.describe).map(|v| v.unwrap_or(0))
        })?
    }

    /// Whether this connection is encrypted (TLS), as the server sees it.
    pub fn encrypted(&self) -> Result<bool, StoreError> {
        blocking::outside_async(|| {
            let mut client = self.lock();
            let row = client
                .query_one(
                    "SELECT coalesce((SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()), false)",
                    &[],
                )
                .map_err(|e| error::classify(e, &self.describe))?;
            row.try_get(0)
                .map_err(|e| error::classify(e, &self.describe))
        })?
    }

    fn lock(&self) -> MutexGuard<'_, Connection> {
        // A panic inside a transaction drops it, which rolls it back.
        self.client
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn run<T, E>(&self, write: bool, f: impl FnOnce(&PgDb<'_>) -> Result<T, E>) -> Result<T, E>
    where
        E: From<StoreError>,
    {
        blocking::outside_async(|| self.run_here(write, f))?
    }

    fn run_here<T, E>(&self, write: bool, f: impl FnOnce(&PgDb<'_>) -> Result<T, E>) -> Result<T, E>
    where
        E: From<StoreError>,
    {
        let mut guard = self.lock();
        let Connection { client, statements } = &mut *guard;
        let Some(client) = client.as_mut() else {
            return Err(StoreError::Refused {
                why: "the connection to the clinic server was closed".into(),
            }
            .into());
        };
        let err = |e: postgres::Error| error::classify(e, &self.describe);
        let tx = if write {
            let mut tx = client.transaction().map_err(err)?;
            tx.execute("SELECT pg_advisory_xact_lock($1)", &[&WRITE_LOCK])
                .map_err(err)?;
            tx
        } else {
            client
                .build_transaction()
                .isolation_level(postgres::IsolationLevel::RepeatableRead)
                .read_only(true)
                .start()
                .map_err(err)?
        };
        let db = PgDb::new(tx, statements);
        let out = f(&db)?;
        db.tx.into_inner().commit().map_err(err)?;
        Ok(out)
    }
}

impl Backend for PgStore {
    type Tx<'a> = PgDb<'a>;

    fn read<T, E>(&self, f: impl FnOnce(&PgDb<'_>) -> Result<T, E>) -> Result<T, E>
    where
        E: From<StoreError>,
    {
        self.run(false, f)
    }

    fn write<T, E>(&self, f: impl FnOnce(&PgDb<'_>) -> Result<T, E>) -> Result<T, E>
    where
        E: From<StoreError>,
    {
        self.run(true, f)
    }
}

/// Parameters of a statement.
pub(crate) type Params<'p> = &'p [&'p (dyn ToSql + Sync)];

impl<'a> PgDb<'a> {
    /// A transaction with the connection's prepared statements; no setting read yet.
    fn new(tx: Transaction<'a>, statements: &'a mut HashMap<String, Statement>) -> PgDb<'a> {
        PgDb {
            tx: RefCell::new(tx),
            statements: RefCell::new(statements),
            settings: RefCell::new(None),
        }
    }
}

impl PgDb<'_> {
    /// The prepared statement for `sql` on this connection, prepared now if it is new.
    fn statement(&self, sql: &str) -> Result<Statement, StoreError> {
        if let Some(statement) = self.statements.borrow().get(sql) {
            return Ok(statement.clone());
        }
        let statement = self.tx.borrow_mut().prepare(sql).map_err(error::in_tx)?;
        self.statements
            .borrow_mut()
            .insert(sql.to_string(), statement.clone());
        Ok(statement)
    }

    /// Runs a statement; returns the rows it changed.
    pub(crate) fn execute(&self, sql: &str, params: Params<'_>) -> Result<u64, StoreError> {
        let statement = self.statement(sql)?;
        self.tx
            .borrow_mut()
            .execute(&statement, params)
            .map_err(error::in_tx)
    }

    /// The rows of a query.
    pub(crate) fn query(&self, sql: &str, params: Params<'_>) -> Result<Vec<Row>, StoreError> {
        let statement = self.statement(sql)?;
        self.tx
            .borrow_mut()
            .query(&statement, params)
            .map_err(error::in_tx)
    }

    /// The one row of a query, or `None`.
    pub(crate) fn query_opt(
        &self,
        sql: &str,
        params: Params<'_>,
    ) -> Result<Option<Row>, StoreError> {
        let statement = self.statement(sql)?;
        self.tx
            .borrow_mut()
            .query_opt(&statement, params)
            .map_err(error::in_tx)
    }

    /// The one row of a query that always returns one (`count(*)`, `RETURNING`).
    pub(crate) fn query_one(&self, sql: &str, params: Params<'_>) -> Result<Row, StoreError> {
        let statement = self.statement(sql)?;
        self.tx
            .borrow_mut()
            .query_one(&statement, params)
            .map_err(error::in_tx)
    }
}

/// Reads column `i` of `row`, naming a value of the wrong type as damage of `table`.
pub(crate) fn get<'r, T: postgres::types::FromSql<'r>>(
    row: &'r Row,
    i: usize,
    table: &'static str,
) -> Result<T, StoreError> {
    row.try_get(i).map_err(|e| {
        StoreError::damaged(
            table,
            format!("column {i}"),
            format!("unreadable value: {e}"),
        )
    })
}
