//! The nurse's room: starting an intake from the carry-forward plan, saving, confirming
//! carried values and submitting. Checks of a change before it is stored are in
//! [`checks`]; the one way an answer is written is [`write`].

pub(crate) mod carry;
pub(crate) mod checks;
pub(crate) mod encounters;
mod resend;
pub(crate) mod write;
