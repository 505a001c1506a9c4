//! The forms shipped inside the app: the "General adult intake", in every version it
//! has had. The newest ([`GENERAL_INTAKE`]) is loaded, active, when a database gets its
//! first administrator, and when the API opens a database that has users
//! (`templates::ensure_builtin`): a database whose active form is still an earlier
//! built-in version gets the new one active and the earlier one retired (kept, so its
//! visits read, show and verify as before); a clinic that retired the built-in form or
//! activated its own keeps its choice and gets the new version as a draft.
//! Earlier versions stay here byte for byte: the demo register makes its earlier visits
//! on version 1 ([`GENERAL_INTAKE_V1`]) before the upgrade, as a clinic did.

/// The audit actor (and `imported_by`) of built-in forms.
pub const ACTOR: &str = "system";

/// The slug of the default intake form.
pub const GENERAL_INTAKE_SLUG: &str = "general-adult-intake";

/// The built-in general adult intake as it is now (version 2), a FHIR R4 Questionnaire.
pub const GENERAL_INTAKE: &[u8] = include_bytes!("../../forms/general-adult-intake-v2.json");

/// Version 1 of the general adult intake, the built-in form until version 2.
pub const GENERAL_INTAKE_V1: &[u8] = include_bytes!("../../forms/general-adult-intake.json");
