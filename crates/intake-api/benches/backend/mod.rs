//! Which database a benchmark runs on: the SQLite file, or with
//! `INTAKE_BENCH_BACKEND=postgres` the clinic server, beside the throwaway cluster of
//! `scripts/with-postgres.sh` (`make bench` runs the server's figures that way), over
//! loopback, with the app's role, as a workstation uses it.

use std::path::Path;
use std::sync::Arc;
use std::time::Instant;

use intake_api::{Api, Clock};
use intake_store::pg::testing::{cluster, TestDatabase, APP, OWNER};
use intake_store::pg::PgStore;
use intake_store::SqliteStore;

/// Whether this run is on the server.
pub fn on_server() -> bool {
    std::env::var("INTAKE_BENCH_BACKEND").as_deref() == Ok("postgres")
}

/// "SQLite" or "PostgreSQL", for the printed figures.
pub fn name() -> &'static str {
    if on_server() {
        "PostgreSQL"
    } else {
        "SQLite"
    }
}

fn settings() -> String {
    cluster().expect(
        "INTAKE_BENCH_BACKEND=postgres needs INTAKE_TEST_PG: run the bench under scripts/with-postgres.sh",
    )
}

/// The API on an empty database: the file at `path`, or a fresh server database.
#[allow(dead_code)]
pub fn fresh(path: &Path, clock: Arc<dyn Clock>) -> Api {
    if !on_server() {
        return Api::open_file(path, clock).expect("open");
    }
    let db = TestDatabase::new(&settings());
    let config = db.config(APP);
    // Kept for the whole run (the cluster goes with it).
    std::mem::forget(db);
    Api::connect(&config, clock).expect("connect to the bench database")
}

/// The API on the records of the SQLite file at `path`: the file itself, or a copy of it
/// on a fresh server database (made with `intake db copy`'s engine, timed and printed).
#[allow(dead_code)]
pub fn with_records_of(path: &Path, clock: Arc<dyn Clock>) -> Api {
    if !on_server() {
        return Api::open_file(path, clock).expect("open");
    }
    let db = TestDatabase::empty(&settings());
    let owner = db.config(OWNER);
    PgStore::migrate(&owner).expect("the schema");
    PgStore::grant_app(&owner, APP).expect("the app role");
    let source = SqliteStore::open(path).expect("the register file");
    let started = Instant::now();
    let report = intake_store::pg::copy_from_sqlite(&source, &owner).expect("db copy");
    println!(
        "db copy of {} ({} patients, {} audit entries) onto the server: {:.1} s",
        path.display(),
        report.rows("patients").unwrap_or(0),
        report.audit_head,
        started.elapsed().as_secs_f64()
    );
    let config = db.config(APP);
    std::mem::forget(db);
    Api::connect(&config, clock).expect("connect to the bench database")
}
