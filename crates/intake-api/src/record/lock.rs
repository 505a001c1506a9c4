//! Who may change an encounter's answers now: whoever fills intakes, in a draft; the
//! physician whose amendment is open, in a signed record; nobody otherwise, with a
//! message that says why (signed by whom, submitted when, amended by whom). The store's
//! triggers refuse the same changes below the API.

use intake_core::encounter::{may, Action, Amendment, State};
use intake_core::EncounterStatus;
use intake_store::EncounterRow;

use crate::error::when;
use crate::{ApiError, Principal};

pub(crate) fn read_only_error(e: &EncounterRow) -> ApiError {
    if let Some(a) = &e.amending {
        return ApiError::Conflict(format!(
            "{} is amending this record since {}; only they can change it now.",
            a.by,
            when(a.at)
        ));
    }
    let done = match (e.status, &e.signed_at, &e.signed_by) {
        (s, Some(at), Some(by)) if s.is_signed() => format!("signed on {} by {by}", when(*at)),
        (EncounterStatus::EnteredInError, _, _) => "entered in error".to_string(),
        _ => match (&e.submitted_at, &e.submitted_by) {
            (Some(at), Some(by)) => format!("submitted on {} by {by}", when(*at)),
            _ => EncounterStatus::Submitted.as_str().to_string(),
        },
    };
    ApiError::Conflict(format!("This intake was {done}; it is read-only."))
}

/// Whether `who` may change the answers: a draft, for who fills intakes; a signed record,
/// for the physician whose amendment is in progress.
pub(crate) fn editable_by(e: &EncounterRow, who: &Principal) -> bool {
    may(who.role, state_for(e, who), Action::EditAnswers)
}

/// The encounter's state as `who` sees it (whose amendment is open, if any).
pub(crate) fn state_for(e: &EncounterRow, who: &Principal) -> State {
    State {
        status: e.status,
        amendment: match &e.amending {
            None => Amendment::None,
            Some(a) if a.by == who.actor => Amendment::Mine,
            Some(_) => Amendment::Others,
        },
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
