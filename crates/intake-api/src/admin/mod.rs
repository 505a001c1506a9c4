//! The admin's room: users, clinic settings, the audit log, form templates (and the
//! built-in ones), the outcomes report, the seeding door for demo tools, and setting up
//! the clinic server.

pub(crate) mod audit;
mod backup;
pub mod builtin;
pub(crate) mod daily_backup;
pub mod outcomes;
mod restore;
pub mod seeding;
mod server;
pub(crate) mod settings;
pub mod templates;
pub(crate) mod users;
pub(crate) mod verify;
