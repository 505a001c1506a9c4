//! Kill testing for Intake Desk: a writer process (`intake-soak-writer`) works on a real
//! data folder through `intake_api::Api`, the harness (`tests/kill.rs`) SIGKILLs it at a
//! random moment, reopens the folder and checks it: SQLite's integrity, the audit chain
//! and the signed records, every acknowledged save with its value, export folders.
//!
//! - [`protocol`]: the lines the writer prints (`begin`, `ack`, `err`).
//! - [`promises`]: what acknowledged calls promise, and the check against a database.
//! - [`probe`]: whether the kill landed inside a write transaction (SQLite's write lock)
//!   and what the `-wal` file holds after it.
//! - [`folders`]: export folders: whole PDFs, leftovers, the manifest.
//! - [`rng`]: a seeded generator for the mix and the delays.
//!
//! Nothing here ships: the crate is `publish = false` and no other crate depends on it.

pub mod folders;
pub mod probe;
pub mod promises;
pub mod protocol;
pub mod rng;
