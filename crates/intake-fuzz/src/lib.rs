//! Fuzz targets as plain functions. Each takes arbitrary bytes, feeds them to one place
//! where a file or a person's typing enters the app, and panics only when a property
//! fails: a panic anywhere below is a finding (input a user or a file supplies must
//! meet a clear error, never a panic), and so is a broken promise such as a dry run
//! that writes or a value that does not read back as it was written.
//!
//! `fuzz/` at the repository's root (cargo-fuzz layout, a workspace of its own so that
//! `cargo test --workspace` never builds libFuzzer) has one libFuzzer target per
//! function here, named as in [`TARGETS`]; `make fuzz` runs them. `tests/corpus.rs`
//! replays every committed corpus file (`fuzz/corpus/<target>/`) through these same
//! functions, so `make test` keeps every past crash fixed with no fuzzer installed.
//! Nothing here ships.

mod answer_values;
mod patients_csv;
mod pdf_text;
mod questionnaire;
mod search_query;

pub use answer_values::answer_values;
pub use patients_csv::patients_csv;
pub use pdf_text::pdf_text;
pub use questionnaire::questionnaire_import;
pub use search_query::search_query;

/// A fuzz target: arbitrary bytes in, a panic when a property fails.
pub type Target = fn(&[u8]);

/// Every target, by the name of its corpus folder and of its `fuzz/fuzz_targets/` file.
pub const TARGETS: [(&str, Target); 5] = [
    ("questionnaire_import", questionnaire_import),
    ("patients_csv", patients_csv),
    ("search_query", search_query),
    ("answer_values", answer_values),
    ("pdf_text", pdf_text),
];
