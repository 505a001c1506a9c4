//! The register: adding and updating patients with the duplicate check ([`register`]),
//! search ([`search`]), CSV import ([`import`]) and
//! merging two charts of one person ([`merge`]).

pub mod import;
pub(crate) mod merge;
pub(crate) mod register;
pub(crate) mod search;
