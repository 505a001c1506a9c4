//! Intake Desk's pure domain.
//!
//! What lives here has no IO and reads no clock: every function that decides takes the
//! time it needs as an argument, so the same inputs always give the same answer. Storage
//! (`intake-store`), the use cases and permissions (`intake-api`) and the front ends build
//! on these types; nothing here knows SQLite, Tauri or the command line.
//!
//! This first version holds the vocabulary of the foundation: roles, user names and
//! passwords as they are accepted, and the hash chain of the audit log.

pub mod audit;
pub mod ids;
pub mod role;
pub mod user;

pub use ids::{SessionId, UserId};
pub use role::Role;
