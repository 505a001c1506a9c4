//! What crosses the edge: the serializable requests and responses (DTOs) of every room
//! and their plain conversions from domain and store types. No rules and no use cases
//! live here, and nothing here imports a room.

pub mod admin;
pub mod export;
pub mod form;
pub mod intake;
pub mod patients;
pub mod review;

pub use admin::*;
pub use export::*;
pub use form::*;
pub use intake::*;
pub use patients::*;
pub use review::*;
