//! An encounter's life cycle: its statuses, how it moves between them, and who may do
//! what to it in which state. This is the one place those rules are written; the API
//! asks [`may`] before every action, and the store's SQL triggers refuse the moves that
//! [`EncounterStatus::may_move_to`] refuses (a store test tries every pair).
//!
//! ```text
//!            submit (nurse, physician)        sign (physician)
//!   draft ─────────────────────────▶ submitted ────────────────▶ signed
//!     ▲                                 │                          │ start amendment
//!     └──────── return (physician) ─────┘                          ▼ (physician)
//!                                                      signed/amended + amendment open
//!                                          sign (its author) │          │ discard (its author)
//!                                                            ▼          ▼
//!                                                         amended    as it was
//!   any status but entered in error ── mark in error (physician, admin) ──▶ entered in error
//! ```
//!
//! It also names the other closed sets of words the database keeps: where an answer
//! came from ([`AnswerSource`]), a form template's status ([`TemplateStatus`]) and the
//! kinds of events in an encounter's history ([`EventKind`]), and whether a patient's chart
//! counts ([`PatientStatus`]). Each has exactly one
//! mapping to and from its stored word; nothing else writes those words.

use std::fmt;

use crate::Role;

/// A stored word that is not one of the values its column may hold.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{what} {found:?} is not one this version of Intake Desk knows")]
pub struct UnknownWord {
    pub what: &'static str,
    pub found: String,
}

macro_rules! stored_words {
    ($(#[$meta:meta])* $name:ident, $what:literal, { $($(#[$vmeta:meta])* $variant:ident => $word:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum $name {
            $($(#[$vmeta])* $variant),+
        }

        impl $name {
            /// Every value, in the order of the life cycle.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The word the database and the wire keep.
            pub fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $word),+
                }
            }

            /// Every stored word, comma-separated, for messages that list the choices.
            pub fn words() -> String {
                [$($word),+].join(", ")
            }

            /// Reads a stored word; anything else is an error naming it.
            pub fn parse(s: &str) -> Result<$name, UnknownWord> {
                match s {
                    $($word => Ok($name::$variant),)+
                    _ => Err(UnknownWord { what: $what, found: s.to_string() }),
                }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl std::str::FromStr for $name {
            type Err = UnknownWord;
            fn from_str(s: &str) -> Result<$name, UnknownWord> {
                $name::parse(s)
            }
        }
    };
}

stored_words!(
    /// Where an encounter is in its life cycle.
    EncounterStatus, "encounter status", {
        /// Being filled; answers change freely.
        Draft => "draft",
        /// Waiting for a physician; read-only.
        Submitted => "submitted",
        /// Signed by a physician; changes only through an amendment.
        Signed => "signed",
        /// Signed again after an amendment.
        Amended => "amended",
        /// Kept for the history, counted nowhere, for good.
        EnteredInError => "entered_in_error",
    }
);

stored_words!(
    /// Where an answer's value came from.
    AnswerSource, "answer source", {
        /// Typed (or picked) by a person at this visit.
        Typed => "typed",
        /// The form's `initial` value.
        Initial => "initial",
        /// Recomputed from other answers.
        Calculated => "calculated",
        /// Filled from the patient record (`record-binding`).
        Record => "record",
        /// Carried forward from an earlier visit.
        Carried => "carried",
    }
);

stored_words!(
    /// A form template's status.
    TemplateStatus, "template status", {
        /// Imported, not yet offered for new intakes.
        Draft => "draft",
        /// Offered for new intakes (the newest active version of a form).
        Active => "active",
        /// Kept for the visits that used it; offered no more.
        Retired => "retired",
    }
);

stored_words!(
    /// What happened to an encounter after submission (`encounter_events.kind`).
    EventKind, "encounter event", {
        Returned => "returned",
        Signed => "signed",
        AmendmentStarted => "amendment_started",
        AmendmentDiscarded => "amendment_discarded",
        Amended => "amended",
        EnteredInError => "entered_in_error",
    }
);

stored_words!(
    /// Whether a patient's chart counts (kept for good either way).
    PatientStatus, "patient status", {
        Active => "active",
        /// Registered by mistake (a duplicate, the wrong person): kept, counted nowhere.
        EnteredInError => "entered_in_error",
    }
);

impl EncounterStatus {
    /// Whether a physician's signature stands behind the record (signed or amended).
    pub fn is_signed(self) -> bool {
        matches!(self, EncounterStatus::Signed | EncounterStatus::Amended)
    }

    /// Whether a later visit may carry values from a visit in this status and compare
    /// itself with it (submitted or signed; never a draft, never one entered in error).
    pub fn carries_forward(self) -> bool {
        matches!(
            self,
            EncounterStatus::Submitted | EncounterStatus::Signed | EncounterStatus::Amended
        )
    }

    /// Whether the status may change from `self` to `to` (a different status). The
    /// store's trigger `encounters_status_moves` refuses exactly the other moves.
    pub fn may_move_to(self, to: EncounterStatus) -> bool {
        use EncounterStatus::*;
        match (self, to) {
            (EnteredInError, _) => false,
            (_, EnteredInError) => true,
            (Draft, Submitted) | (Submitted, Draft) | (Submitted, Signed) | (Signed, Amended) => {
                true
            }
            _ => false,
        }
    }

    /// How a person reads it: "Signed", "Submitted, not signed", "Entered in error".
    pub fn label(self) -> &'static str {
        match self {
            EncounterStatus::Draft => "Draft",
            EncounterStatus::Submitted => "Submitted, not signed",
            EncounterStatus::Signed => "Signed",
            EncounterStatus::Amended => "Amended",
            EncounterStatus::EnteredInError => "Entered in error",
        }
    }
}

/// An amendment in progress, as seen by the person asking.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Amendment {
    None,
    /// Opened by the person asking.
    Mine,
    /// Opened by someone else.
    Others,
}

/// An encounter's state as far as deciding is concerned.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct State {
    pub status: EncounterStatus,
    pub amendment: Amendment,
}

/// What someone can try to do to an encounter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Action {
    /// Change answers (save, confirm a carried value).
    EditAnswers,
    Submit,
    /// Sign a submitted intake, or one's own amendment.
    Sign,
    ReturnToNurse,
    StartAmendment,
    DiscardAmendment,
    MarkInError,
    ExportPdf,
}

impl Action {
    pub const ALL: [Action; 8] = [
        Action::EditAnswers,
        Action::Submit,
        Action::Sign,
        Action::ReturnToNurse,
        Action::StartAmendment,
        Action::DiscardAmendment,
        Action::MarkInError,
        Action::ExportPdf,
    ];
}

/// Whether someone with `role` may do `action` to an encounter in `state`: the one table
/// of who may do what when. (The API's permissions say which roles may ever do an
/// action; a test there checks they agree with this table.)
pub fn may(role: Role, state: State, action: Action) -> bool {
    use EncounterStatus as S;
    let fills = matches!(role, Role::Nurse | Role::Physician);
    let physician = role == Role::Physician;
    let open = state.amendment != Amendment::None && state.status.is_signed();
    let mine = physician && open && state.amendment == Amendment::Mine;
    match action {
        Action::EditAnswers => (state.status == S::Draft && fills) || mine,
        Action::Submit => state.status == S::Draft && fills,
        Action::Sign => (state.status == S::Submitted && physician) || mine,
        Action::ReturnToNurse => state.status == S::Submitted && physician,
        Action::StartAmendment => state.status.is_signed() && !open && physician,
        Action::DiscardAmendment => mine,
        Action::MarkInError => {
            state.status != S::EnteredInError && matches!(role, Role::Physician | Role::Admin)
        }
        Action::ExportPdf => matches!(role, Role::Physician | Role::Admin),
    }
}

/// The status an encounter in `status` has after `action` succeeds.
pub fn status_after(status: EncounterStatus, action: Action) -> EncounterStatus {
    use EncounterStatus as S;
    match action {
        Action::Submit => S::Submitted,
        Action::Sign if status == S::Submitted => S::Signed,
        Action::Sign => S::Amended,
        Action::ReturnToNurse => S::Draft,
        Action::MarkInError => S::EnteredInError,
        Action::EditAnswers
        | Action::StartAmendment
        | Action::DiscardAmendment
        | Action::ExportPdf => status,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use Action as A;
    use EncounterStatus as S;

    #[test]
    fn every_word_reads_back_as_itself_and_others_are_refused() {
        for s in S::ALL {
            assert_eq!(S::parse(s.as_str()), Ok(*s), "{s} reads back");
        }
        for s in AnswerSource::ALL {
            assert_eq!(AnswerSource::parse(s.as_str()), Ok(*s), "{s} reads back");
        }
        for s in TemplateStatus::ALL {
            assert_eq!(TemplateStatus::parse(s.as_str()), Ok(*s), "{s} reads back");
        }
        for s in EventKind::ALL {
            assert_eq!(EventKind::parse(s.as_str()), Ok(*s), "{s} reads back");
        }
        let e = S::parse("Signed").expect_err("case matters");
        assert_eq!(
            e.to_string(),
            "encounter status \"Signed\" is not one this version of Intake Desk knows"
        );
        assert!(S::parse("").is_err(), "empty is no status");
    }

    #[test]
    fn every_action_leads_to_a_move_the_life_cycle_allows() {
        for &from in S::ALL {
            for amendment in [Amendment::None, Amendment::Mine, Amendment::Others] {
                let state = State {
                    status: from,
                    amendment,
                };
                for action in A::ALL {
                    let to = status_after(from, action);
                    let allowed_somewhere = Role::ALL.iter().any(|&r| may(r, state, action));
                    if allowed_somewhere && to != from {
                        assert!(
                            from.may_move_to(to),
                            "{action:?} on {from} moves to {to}, which the life cycle refuses"
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn status_moves_are_exactly_the_drawn_ones() {
        let allowed: Vec<(S, S)> = S::ALL
            .iter()
            .flat_map(|&a| S::ALL.iter().map(move |&b| (a, b)))
            .filter(|&(a, b)| a != b && a.may_move_to(b))
            .collect();
        assert_eq!(
            allowed,
            vec![
                (S::Draft, S::Submitted),
                (S::Draft, S::EnteredInError),
                (S::Submitted, S::Draft),
                (S::Submitted, S::Signed),
                (S::Submitted, S::EnteredInError),
                (S::Signed, S::Amended),
                (S::Signed, S::EnteredInError),
                (S::Amended, S::EnteredInError),
            ],
            "draft → submitted → signed → amended, a return, and entered in error from anywhere"
        );
    }

    /// The whole table, written out: one line per state and action, the roles allowed.
    #[test]
    fn who_may_do_what_in_which_state() {
        const N: &str = "nurse";
        const P: &str = "physician";
        const D: &str = "admin";
        let none = Amendment::None;
        let mine = Amendment::Mine;
        let others = Amendment::Others;
        #[rustfmt::skip]
        let table: &[(S, Amendment, A, &[&str])] = &[
            (S::Draft, none, A::EditAnswers, &[N, P]),
            (S::Draft, none, A::Submit, &[N, P]),
            (S::Draft, none, A::Sign, &[]),
            (S::Draft, none, A::ReturnToNurse, &[]),
            (S::Draft, none, A::StartAmendment, &[]),
            (S::Draft, none, A::DiscardAmendment, &[]),
            (S::Draft, none, A::MarkInError, &[P, D]),
            (S::Draft, none, A::ExportPdf, &[P, D]),
            (S::Submitted, none, A::EditAnswers, &[]),
            (S::Submitted, none, A::Submit, &[]),
            (S::Submitted, none, A::Sign, &[P]),
            (S::Submitted, none, A::ReturnToNurse, &[P]),
            (S::Submitted, none, A::StartAmendment, &[]),
            (S::Submitted, none, A::DiscardAmendment, &[]),
            (S::Submitted, none, A::MarkInError, &[P, D]),
            (S::Submitted, none, A::ExportPdf, &[P, D]),
            (S::Signed, none, A::EditAnswers, &[]),
            (S::Signed, none, A::Submit, &[]),
            (S::Signed, none, A::Sign, &[]),
            (S::Signed, none, A::ReturnToNurse, &[]),
            (S::Signed, none, A::StartAmendment, &[P]),
            (S::Signed, none, A::DiscardAmendment, &[]),
            (S::Signed, none, A::MarkInError, &[P, D]),
            (S::Signed, none, A::ExportPdf, &[P, D]),
            (S::Signed, mine, A::EditAnswers, &[P]),
            (S::Signed, mine, A::Submit, &[]),
            (S::Signed, mine, A::Sign, &[P]),
            (S::Signed, mine, A::ReturnToNurse, &[]),
            (S::Signed, mine, A::StartAmendment, &[]),
            (S::Signed, mine, A::DiscardAmendment, &[P]),
            (S::Signed, mine, A::MarkInError, &[P, D]),
            (S::Signed, mine, A::ExportPdf, &[P, D]),
            (S::Signed, others, A::EditAnswers, &[]),
            (S::Signed, others, A::Submit, &[]),
            (S::Signed, others, A::Sign, &[]),
            (S::Signed, others, A::ReturnToNurse, &[]),
            (S::Signed, others, A::StartAmendment, &[]),
            (S::Signed, others, A::DiscardAmendment, &[]),
            (S::Signed, others, A::MarkInError, &[P, D]),
            (S::Signed, others, A::ExportPdf, &[P, D]),
            (S::Amended, none, A::EditAnswers, &[]),
            (S::Amended, none, A::Submit, &[]),
            (S::Amended, none, A::Sign, &[]),
            (S::Amended, none, A::ReturnToNurse, &[]),
            (S::Amended, none, A::StartAmendment, &[P]),
            (S::Amended, none, A::DiscardAmendment, &[]),
            (S::Amended, none, A::MarkInError, &[P, D]),
            (S::Amended, none, A::ExportPdf, &[P, D]),
            (S::Amended, mine, A::EditAnswers, &[P]),
            (S::Amended, mine, A::Submit, &[]),
            (S::Amended, mine, A::Sign, &[P]),
            (S::Amended, mine, A::ReturnToNurse, &[]),
            (S::Amended, mine, A::StartAmendment, &[]),
            (S::Amended, mine, A::DiscardAmendment, &[P]),
            (S::Amended, mine, A::MarkInError, &[P, D]),
            (S::Amended, mine, A::ExportPdf, &[P, D]),
            (S::Amended, others, A::EditAnswers, &[]),
            (S::Amended, others, A::Submit, &[]),
            (S::Amended, others, A::Sign, &[]),
            (S::Amended, others, A::ReturnToNurse, &[]),
            (S::Amended, others, A::StartAmendment, &[]),
            (S::Amended, others, A::DiscardAmendment, &[]),
            (S::Amended, others, A::MarkInError, &[P, D]),
            (S::Amended, others, A::ExportPdf, &[P, D]),
            (S::EnteredInError, none, A::EditAnswers, &[]),
            (S::EnteredInError, none, A::Submit, &[]),
            (S::EnteredInError, none, A::Sign, &[]),
            (S::EnteredInError, none, A::ReturnToNurse, &[]),
            (S::EnteredInError, none, A::StartAmendment, &[]),
            (S::EnteredInError, none, A::DiscardAmendment, &[]),
            (S::EnteredInError, none, A::MarkInError, &[]),
            (S::EnteredInError, none, A::ExportPdf, &[P, D]),
        ];
        let mut seen = 0;
        for &(status, amendment, action, roles) in table {
            for role in Role::ALL {
                let expected = roles.contains(&role.as_str());
                assert_eq!(
                    may(role, State { status, amendment }, action),
                    expected,
                    "{role} {action:?} on {status} with amendment {amendment:?}: expected {}",
                    if expected { "allowed" } else { "refused" }
                );
            }
            seen += 1;
        }
        // Every status × action once without an amendment, and the signed statuses with
        // one (an amendment is only ever open on a signed record).
        assert_eq!(seen, S::ALL.len() * A::ALL.len() + 2 * 2 * A::ALL.len());
    }
}
