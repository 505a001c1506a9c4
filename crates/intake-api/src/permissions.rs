//! Who may do what: the one table. Every use case names its [`Permission`] and asks
//! [`allows`] before it touches anything; the UI's navigation comes from [`sections`],
//! but the UI is never trusted to hide what a role may not do.

use intake_core::Role;

/// What a use case needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Permission {
    /// See one's own account and session; sign out; lock; change one's own password.
    OwnAccount,
    /// Read clinic settings (the lock timeout, the clinic name).
    ReadSettings,
    /// Change clinic settings.
    ManageSettings,
    /// List, add, disable and enable users; reset their passwords.
    ManageUsers,
    /// Read and verify the audit log.
    ReadAudit,
    /// Fill the database with demo users, patients and (later) visits.
    SeedDemo,
    /// Search patients and open their records.
    ViewPatients,
    /// Register patients and edit their demographics.
    EditPatients,
    /// Mark a patient registered by mistake as entered in error.
    MarkPatientInError,
    /// Import patients from another system's CSV export.
    ImportPatients,
    /// Merge two charts of one person (and undo it the same day).
    MergePatients,
    /// See which form templates exist.
    ViewTemplates,
    /// Import, activate, retire and export form templates.
    ManageTemplates,
    /// See intakes (encounters) and their answers.
    ViewEncounters,
    /// Start an intake, fill a draft and submit it.
    EditIntake,
    /// See the outcomes report (what carry-forward saved, per week).
    ViewOutcomes,
    /// See the queue of submitted intakes waiting for review.
    ReviewQueue,
    /// Sign a submitted intake, return it to the nurse, amend a signed one.
    SignEncounter,
    /// Mark an intake entered in error (it stays in the history, never carried forward).
    MarkEncounterInError,
    /// Export one visit's summary as a PDF.
    ExportPdf,
    /// Export the summaries of many visits to a folder.
    ExportBatch,
}

impl Permission {
    pub const ALL: [Permission; 21] = [
        Permission::OwnAccount,
        Permission::ReadSettings,
        Permission::ManageSettings,
        Permission::ManageUsers,
        Permission::ReadAudit,
        Permission::SeedDemo,
        Permission::ViewPatients,
        Permission::EditPatients,
        Permission::MarkPatientInError,
        Permission::ImportPatients,
        Permission::MergePatients,
        Permission::ViewTemplates,
        Permission::ManageTemplates,
        Permission::ViewEncounters,
        Permission::EditIntake,
        Permission::ViewOutcomes,
        Permission::ReviewQueue,
        Permission::SignEncounter,
        Permission::MarkEncounterInError,
        Permission::ExportPdf,
        Permission::ExportBatch,
    ];
}

/// Whether `role` has `permission`.
pub fn allows(role: Role, permission: Permission) -> bool {
    use Permission::*;
    match permission {
        OwnAccount | ReadSettings | ViewPatients | ViewTemplates | ViewEncounters => true,
        EditPatients | EditIntake => matches!(role, Role::Nurse | Role::Physician),
        SignEncounter => role == Role::Physician,
        ReviewQueue | MarkEncounterInError | ExportPdf => {
            matches!(role, Role::Physician | Role::Admin)
        }
        ManageSettings | ManageUsers | ReadAudit | SeedDemo | MarkPatientInError
        | ImportPatients | MergePatients | ManageTemplates | ViewOutcomes | ExportBatch => {
            role == Role::Admin
        }
    }
}

/// The navigation sections a role sees, in order. Later issues fill `patients`,
/// `intake`, `review` and `exports`.
pub fn sections(role: Role) -> Vec<&'static str> {
    match role {
        Role::Nurse => vec!["home", "patients", "intake"],
        Role::Physician => vec!["home", "patients", "review"],
        Role::Admin => vec![
            "home",
            "patients",
            "review",
            "exports",
            "templates",
            "outcomes",
            "users",
            "audit",
            "settings",
        ],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_admins_manage_users_settings_and_audit() {
        for role in Role::ALL {
            let admin = role == Role::Admin;
            assert!(
                allows(role, Permission::OwnAccount),
                "{role} owns its account"
            );
            assert_eq!(allows(role, Permission::ManageUsers), admin, "{role} users");
            assert_eq!(allows(role, Permission::ReadAudit), admin, "{role} audit");
            assert_eq!(
                allows(role, Permission::ViewOutcomes),
                admin,
                "{role} outcomes"
            );
            assert_eq!(
                allows(role, Permission::ManageSettings),
                admin,
                "{role} settings"
            );
        }
    }

    #[test]
    fn navigation_matches_permissions() {
        for role in Role::ALL {
            let shown = sections(role);
            assert_eq!(
                shown.contains(&"users"),
                allows(role, Permission::ManageUsers),
                "{role}: Users shown only to who may manage users"
            );
            assert_eq!(
                shown.contains(&"audit"),
                allows(role, Permission::ReadAudit)
            );
            assert_eq!(
                shown.contains(&"exports"),
                allows(role, Permission::ExportBatch),
                "{role}: Exports shown only to who may export in batches"
            );
            assert_eq!(
                shown.contains(&"review"),
                allows(role, Permission::ReviewQueue),
                "{role}: Review shown only to who may see the queue"
            );
            assert_eq!(
                shown.contains(&"outcomes"),
                allows(role, Permission::ViewOutcomes),
                "{role}: Outcomes shown only to who may view outcomes"
            );
        }
    }
}
