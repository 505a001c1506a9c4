//! Records leaving the app: one visit's PDF summary ([`pdf`]), many at once ([`batch`]),
//! and writing files whole or not at all ([`files`]).

pub mod batch;
pub(crate) mod files;
pub use files::PARTIAL_PREFIX;
mod manifest;
pub(crate) mod pdf;
