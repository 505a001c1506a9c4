//! Identifier newtypes, so an id is never passed where another kind of id belongs: an
//! encounter id and a template id are both integers in the database, never here.

use std::fmt;

macro_rules! ids {
    ($($(#[$meta:meta])* $name:ident),+ $(,)?) => {$(
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name(pub i64);

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }
    )+};
}

ids!(
    /// The database id of a user account.
    UserId,
    /// The database id of a session (not its secret token).
    SessionId,
    /// The database id of a patient (not the MRN, which people read).
    PatientId,
    /// The database id of an encounter (one intake form filled for one patient).
    EncounterId,
    /// The database id of one imported version of a form template. A form is known by
    /// its slug; each version it was imported in has its own id, and an encounter keeps
    /// the id of the exact version it was started with.
    TemplateId,
);
