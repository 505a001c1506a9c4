//! The forms shipped inside the app: the "General adult intake". Loaded, active, when a
//! database gets its first administrator and by `seed-demo`
//! (`templates::ensure_builtin`); a database that already has this version is left as
//! it is.

/// The audit actor (and `imported_by`) of built-in forms.
pub const ACTOR: &str = "system";

/// The slug of the default intake form.
pub const GENERAL_INTAKE_SLUG: &str = "general-adult-intake";

/// The built-in general adult intake, a FHIR R4 Questionnaire.
pub const GENERAL_INTAKE: &[u8] = include_bytes!("../../forms/general-adult-intake.json");
