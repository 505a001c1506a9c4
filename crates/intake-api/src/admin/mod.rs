//! The admin's room: users, clinic settings, the audit log, form templates (and the
//! built-in ones), the outcomes report, and the seeding door for demo tools.

pub(crate) mod audit;
pub mod builtin;
pub mod outcomes;
pub mod seeding;
pub(crate) mod settings;
pub mod templates;
pub(crate) mod users;
pub(crate) mod verify;
