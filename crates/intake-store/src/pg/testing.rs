//! Fresh databases on a test cluster (`scripts/with-postgres.sh` sets `INTAKE_TEST_PG`):
//! the schema is migrated once per process into a template database (as the owner role
//! `intake_owner`, granted to the app role `intake_app`), and each test gets its own
//! database cloned from it with `CREATE DATABASE … TEMPLATE`, connected as the app role
//! and dropped when the test ends. Not part of the store's API (hidden from its docs).

use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::OnceLock;

use postgres::{Client, NoTls};

use super::{PgConfig, PgStore};
use crate::StoreError;

/// The owner role of the test databases.
pub const OWNER: &str = "intake_owner";
/// The app role of the test databases.
pub const APP: &str = "intake_app";

/// The test cluster's superuser settings, if the tests run beside one.
pub fn cluster() -> Option<String> {
    std::env::var("INTAKE_TEST_PG")
        .ok()
        .filter(|s| !s.is_empty())
}

fn superuser(settings: &str) -> Client {
    Client::connect(&format!("{settings} dbname=postgres"), NoTls)
        .unwrap_or_else(|e| panic!("the test cluster ({settings}) answers: {e}"))
}

/// Runs `f` where the synchronous client may block (see `pg/blocking.rs`).
fn blocking<T>(f: impl FnOnce() -> T) -> T {
    super::blocking::outside_async(f).unwrap_or_else(|e| panic!("{e}"))
}

/// The template database for this binary's schema, made once per process (and shared
/// by processes: its name carries the schema's fingerprint).
fn template(settings: &str) -> &'static str {
    static TEMPLATE: OnceLock<String> = OnceLock::new();
    TEMPLATE.get_or_init(|| {
        let mut fingerprint: u64 = 0xcbf2_9ce4_8422_2325;
        for byte in super::MIGRATIONS.concat().bytes() {
            fingerprint = (fingerprint ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3);
        }
        let name = format!("intake_template_{fingerprint:016x}");
        let mut su = superuser(settings);
        // One process makes it; the others wait for the lock and find it made.
        su.execute("SELECT pg_advisory_lock(4242)", &[])
            .expect("the template lock");
        for role in [OWNER, APP] {
            su.batch_execute(&format!(
                "DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{role}') \
                 THEN CREATE ROLE {role} LOGIN; END IF; END $$"
            ))
            .expect("the test roles");
        }
        let exists = su
            .query_opt("SELECT 1 FROM pg_database WHERE datname = $1", &[&name])
            .expect("looking for the template")
            .is_some();
        if !exists {
            let building = format!("{name}_building");
            for sql in [
                format!("DROP DATABASE IF EXISTS {building}"),
                format!("CREATE DATABASE {building} OWNER {OWNER}"),
            ] {
                su.batch_execute(&sql).expect("a template database");
            }
            {
                let owner = PgConfig::new(format!("{settings} user={OWNER} dbname={building}"));
                PgStore::migrate(&owner).expect("the schema migrates as the owner");
                PgStore::grant_app(&owner, APP).expect("the app role is granted");
            }
            for sql in [
                format!("ALTER DATABASE {building} RENAME TO {name}"),
                format!("ALTER DATABASE {name} WITH IS_TEMPLATE true"),
            ] {
                su.batch_execute(&sql).expect("the template is kept");
            }
        }
        su.execute("SELECT pg_advisory_unlock(4242)", &[])
            .expect("the template lock is released");
        name
    })
}

/// A database of its own for one test, dropped when this is dropped.
pub struct TestDatabase {
    settings: String,
    pub name: String,
}

impl TestDatabase {
    /// Clones the template into a new database.
    pub fn new(settings: &str) -> TestDatabase {
        blocking(|| TestDatabase::new_here(settings))
    }

    fn new_here(settings: &str) -> TestDatabase {
        static NEXT: AtomicU32 = AtomicU32::new(0);
        let template = template(settings);
        let name = format!(
            "intake_test_{}_{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        );
        superuser(settings)
            .batch_execute(&format!(
                "CREATE DATABASE {name} TEMPLATE {template} OWNER {OWNER}"
            ))
            .unwrap_or_else(|e| panic!("a test database from the template: {e}"));
        TestDatabase {
            settings: settings.to_string(),
            name,
        }
    }

    /// A new, empty database (no schema) owned by the owner role, for `intake db init`.
    pub fn empty(settings: &str) -> TestDatabase {
        blocking(|| TestDatabase::empty_here(settings))
    }

    fn empty_here(settings: &str) -> TestDatabase {
        static NEXT: AtomicU32 = AtomicU32::new(0);
        // The roles exist once the template does.
        template(settings);
        let name = format!(
            "intake_empty_{}_{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        );
        superuser(settings)
            .batch_execute(&format!("CREATE DATABASE {name} OWNER {OWNER}"))
            .unwrap_or_else(|e| panic!("an empty test database: {e}"));
        TestDatabase {
            settings: settings.to_string(),
            name,
        }
    }

    /// Connection settings for `role` on this database.
    pub fn config(&self, role: &str) -> PgConfig {
        PgConfig::new(format!(
            "{} user={role} dbname={}",
            self.settings, self.name
        ))
    }

    /// Connection settings for the cluster's superuser on this database.
    pub fn superuser_config(&self) -> PgConfig {
        PgConfig::new(format!("{} dbname={}", self.settings, self.name))
    }

    /// The store as the app connects to it, with the superuser for the contract's
    /// tampering hooks.
    pub fn store(&self) -> Result<PgStore, StoreError> {
        let store = PgStore::connect(&self.config(APP))?;
        Ok(store.with_tamper(self.superuser_config()))
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        let _ = super::blocking::outside_async(|| self.drop_here());
    }
}

impl TestDatabase {
    fn drop_here(&self) {
        if let Ok(mut su) = Client::connect(&format!("{} dbname=postgres", self.settings), NoTls) {
            let _ = su.batch_execute(&format!(
                "DROP DATABASE IF EXISTS {} WITH (FORCE)",
                self.name
            ));
        }
    }
}

/// A fresh PgStore on its own database, for the contract suite; panics (as a test does)
/// when `INTAKE_TEST_PG` is not set.
pub fn fresh_store() -> crate::contract::Kept<PgStore, TestDatabase> {
    let settings = cluster().expect(
        "INTAKE_TEST_PG is not set: run the server tests with scripts/with-postgres.sh (make test does)",
    );
    let db = TestDatabase::new(&settings);
    let store = db
        .store()
        .expect("the app role connects to a fresh test database");
    crate::contract::Kept::new(store, db)
}
