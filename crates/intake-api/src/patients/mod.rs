//! The register: adding and updating patients with the duplicate check ([`register`]),
//! search ([`search`]) and CSV import ([`import`]).

pub mod import;
pub(crate) mod register;
pub(crate) mod search;
