//! FHIR R4 `Questionnaire`: the model of a form, and its import.
//!
//! [`import`] reads a Questionnaire's JSON into a [`Questionnaire`] and an
//! [`ImportReport`] that says, for every item, whether it is supported, degraded (and
//! why) or ignored. It never panics on any input and never changes the original: the
//! caller keeps the bytes and stores them as they came. What cannot be a form at all
//! (not JSON, not a Questionnaire, duplicate `linkId`s, `enableWhen` pointing nowhere or
//! in a cycle, too large or too deep) is an [`ImportError`] naming the problem.
//!
//! This is the first part of the forms work (issue 4): model, import, report and
//! [`enable_when`] and [`validate`]. Calculations build on it.

mod checks;
pub mod enable_when;
mod key;
mod model;
mod parse;
mod report;
pub mod response;
pub mod validate;
pub mod value_json;

pub use model::{
    all_items, AnswerOption, AnswerValue, Calculation, CarryForward, CarryFrom, Coding,
    EnableBehavior, EnableWhen, Item, ItemControl, ItemType, Operator, Questionnaire,
    EXTENSION_BASE,
};
pub use parse::{import, ImportError, MAX_BYTES, MAX_DEPTH, MAX_ITEMS};
pub use report::{ImportReport, ItemOutcome, ItemReport};
