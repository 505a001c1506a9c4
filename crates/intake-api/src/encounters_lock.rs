//! Who may change an encounter's answers now: whoever fills intakes, in a draft; the
//! physician whose amendment is open, in a signed record; nobody otherwise, with a
//! message that says why (signed by whom, submitted when, amended by whom). The store's
//! triggers refuse the same changes below the API.

use intake_store::EncounterRow;

use crate::encounters::when;
use crate::permissions::{allows, Permission};
use crate::{ApiError, Principal};

pub(crate) fn read_only_error(e: &EncounterRow) -> ApiError {
    if let Some(a) = &e.amending {
        return ApiError::Conflict(format!(
            "{} is amending this record since {}; only they can change it now.",
            a.by,
            when(a.at)
        ));
    }
    let done = match (e.status.as_str(), &e.signed_at, &e.signed_by) {
        ("signed" | "amended", Some(at), Some(by)) => format!("signed on {} by {by}", when(*at)),
        ("entered_in_error", _, _) => "entered in error".to_string(),
        _ => match (&e.submitted_at, &e.submitted_by) {
            (Some(at), Some(by)) => format!("submitted on {} by {by}", when(*at)),
            _ => "submitted".to_string(),
        },
    };
    ApiError::Conflict(format!("This intake was {done}; it is read-only."))
}

/// Whether `who` may change the answers: a draft, for who fills intakes; a signed record,
/// for the physician whose amendment is in progress.
pub(crate) fn editable_by(e: &EncounterRow, who: &Principal) -> bool {
    match &e.amending {
        Some(a) => a.by == who.actor && allows(who.role, Permission::SignEncounter),
        None => e.status == "draft" && allows(who.role, Permission::EditIntake),
    }
}

/// Refuses a change to answers that `who` may not make (see [`editable_by`]).
pub(crate) fn check_editable(e: &EncounterRow, who: &Principal) -> Result<(), ApiError> {
    if editable_by(e, who) {
        Ok(())
    } else {
        Err(read_only_error(e))
    }
}
