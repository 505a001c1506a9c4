//! Who is calling: signing in and out, sessions, locks and passwords, and the check every
//! use case starts with ([`auth`]).

pub(crate) mod auth;
pub(crate) mod password_change;
pub(crate) mod passwords;
