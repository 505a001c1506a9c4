//! The physician's room: the review queue and screen ([`screen`]), and what a physician
//! does to a record ([`actions`]): return, sign, amend, mark in error.

pub(crate) mod actions;
pub(crate) mod screen;
