//! One visit's record as every room reads it: its answers and what is shown of them,
//! problems and changes, who may edit it in which state ([`lock`]), and its canonical,
//! hashed form ([`canonical`]). Rooms use it; it uses no room.

pub(crate) mod answers;
pub(crate) mod canonical;
pub(crate) mod lock;
pub(crate) mod problems;
pub(crate) mod read_log;
pub(crate) mod reason;
pub(crate) mod seal;
