//! Intake Desk's pure domain.
//!
//! What lives here has no IO and reads no clock: every function that decides takes the
//! time it needs as an argument, so the same inputs always give the same answer. Storage
//! (`intake-store`), the use cases and permissions (`intake-api`) and the front ends build
//! on these types; nothing here knows SQLite, Tauri or the command line.
//!
//! It holds roles, user names and passwords as they are accepted, the hash chain of the
//! audit log, patients' demographics and what makes two patients look alike, and the
//! text folding that search and duplicate checks share, FHIR Questionnaires and filled
//! forms, an encounter's life cycle and who may do what in it (`encounter`), what a new
//! intake may carry forward from earlier visits, and the summary
//! document a printed copy of a visit shows (`summary`).

pub mod audit;
pub mod carry_forward;
pub mod duplicate;
pub mod encounter;
pub mod ids;
pub mod mrn;
pub mod patient;
pub mod questionnaire;
pub mod review;
pub mod role;
pub mod search;
pub mod summary;
pub mod text;
pub mod user;

pub use encounter::{AnswerSource, EncounterStatus, EventKind, TemplateStatus};
pub use ids::{EncounterId, PatientId, SessionId, TemplateId, UserId};
pub use role::Role;
