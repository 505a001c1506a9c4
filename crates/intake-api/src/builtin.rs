//! The forms shipped inside the app: the "General adult intake". Loaded, active, when a
//! database gets its first administrator and by `seed-demo`; a database that already
//! has this version is left as it is.

use chrono::{DateTime, Utc};
use intake_store::prelude::*;
use intake_store::Db;

use crate::templates::store_template;
use crate::ApiError;

/// The audit actor (and `imported_by`) of built-in forms.
pub const ACTOR: &str = "system";

/// The slug of the default intake form.
pub const GENERAL_INTAKE_SLUG: &str = "general-adult-intake";

/// The built-in general adult intake, a FHIR R4 Questionnaire.
pub const GENERAL_INTAKE: &[u8] = include_bytes!("../forms/general-adult-intake.json");

/// Adds the built-in forms this database lacks, active. Returns how many were added.
pub(crate) fn ensure_builtin(db: &Db<'_>, now: DateTime<Utc>) -> Result<usize, ApiError> {
    let mut added = 0;
    let (q, _) = intake_core::questionnaire::import(GENERAL_INTAKE)
        .map_err(|e| ApiError::Internal(format!("the built-in form does not import: {e}")))?;
    let version = q.version.unwrap_or_else(|| "1".into());
    if db.template(GENERAL_INTAKE_SLUG, &version)?.is_none() {
        store_template(
            db,
            GENERAL_INTAKE,
            intake_core::TemplateStatus::Active,
            now,
            ACTOR,
        )?;
        added += 1;
    }
    Ok(added)
}
