//! The three roles of a clinic workstation. What each may do is decided in one table in
//! `intake-api` (`permissions`); this module only names them.

use std::fmt;
use std::str::FromStr;

/// A user's role. Every user has exactly one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Role {
    Nurse,
    Physician,
    Admin,
}

impl Role {
    /// Every role, in the order screens list them.
    pub const ALL: [Role; 3] = [Role::Nurse, Role::Physician, Role::Admin];

    /// The stable lower-case name used in the database, the CLI and the IPC boundary.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Nurse => "nurse",
            Role::Physician => "physician",
            Role::Admin => "admin",
        }
    }

    /// The name a person reads on screen.
    pub fn label(self) -> &'static str {
        match self {
            Role::Nurse => "Nurse",
            Role::Physician => "Physician",
            Role::Admin => "Administrator",
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A role name that is not one of `nurse`, `physician`, `admin`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown role {0:?}: expected nurse, physician or admin")]
pub struct UnknownRole(pub String);

impl FromStr for Role {
    type Err = UnknownRole;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "nurse" => Ok(Role::Nurse),
            "physician" => Ok(Role::Physician),
            "admin" => Ok(Role::Admin),
            _ => Err(UnknownRole(s.chars().take(40).collect())),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for role in Role::ALL {
            assert_eq!(
                role.as_str().parse::<Role>(),
                Ok(role),
                "{role} must parse back"
            );
        }
    }

    #[test]
    fn parsing_ignores_case_and_rejects_unknown_roles() {
        assert_eq!(
            "Admin".parse::<Role>(),
            Ok(Role::Admin),
            "case must not matter"
        );
        let err = "surgeon"
            .parse::<Role>()
            .expect_err("surgeon is not a role");
        assert!(
            err.to_string().contains("surgeon"),
            "the error names the input: {err}"
        );
    }
}
