//! Records leaving the app: one visit's PDF summary ([`pdf`]), many at once ([`batch`]),
//! and writing files whole or not at all ([`files`]).

pub mod batch;
pub(crate) mod files;
mod manifest;
pub(crate) mod pdf;
