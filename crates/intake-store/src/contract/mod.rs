//! The store contract: one generic test per trait method and per refusal, run against
//! any [`Backend`] by one line, `intake_store::store_contract!(make_backend_expr);`
//! (each test makes a fresh, empty, migrated backend with the expression).
//!
//! A backend also implements [`Tamper`]: two small hooks that reach past its traits as a
//! person with a database shell could (plant a value the store cannot read back, try to
//! rewrite the audit log), so the suite can check that damage is named and that the
//! database itself refuses what must never happen. [`Kept`] keeps something alive beside
//! a backend (a temporary folder, a test database) for as long as the test runs.
//!
//! Not part of the store's API (hidden from its docs); the functions panic with a
//! message saying what was expected, as tests do.

mod accounts;
mod audit;
mod backend;
mod damage;
mod encounter_refusals;
mod encounters;
mod fixtures;
mod history;
mod merges;
mod patient_search;
mod patients;
mod queue;
mod reviews;
mod templates;

pub use accounts::*;
pub use audit::*;
pub use backend::*;
pub use damage::*;
pub use encounter_refusals::*;
pub use encounters::*;
pub use history::*;
pub use merges::*;
pub use patient_search::*;
pub use patients::*;
pub use queue::*;
pub use reviews::*;
pub use templates::*;

use intake_core::{EncounterId, PatientId, SessionId, TemplateId, UserId};

use crate::{Backend, StoreError};

/// A stored value changed behind every protection of the database, as someone with a
/// database shell could (switching its checks and triggers off for that one change).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Damage {
    /// An answer's stored values text (`values_json`).
    AnswerValues {
        encounter: EncounterId,
        key: String,
        text: String,
    },
    /// An answer's stored key text.
    AnswerKey {
        encounter: EncounterId,
        key: String,
        text: String,
    },
    /// An encounter's stored status word.
    EncounterStatus {
        encounter: EncounterId,
        word: String,
    },
    /// A template's stored status word.
    TemplateStatus { template: TemplateId, word: String },
    /// A user's stored role word.
    UserRole { user: UserId, word: String },
    /// A patient's stored sex word.
    PatientSex { patient: PatientId, word: String },
    /// A session's stored `last_seen_at` text.
    SessionLastSeen { session: SessionId, text: String },
    /// An audit entry's actor, edited in place (the chain no longer verifies there).
    AuditActor { seq: i64, actor: String },
    /// An audit entry, removed.
    AuditRemoved { seq: i64 },
}

/// A raw change of the audit log, tried without switching anything off.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuditEdit {
    /// Change an entry's actor.
    Update,
    /// Remove an entry.
    Delete,
}

/// What the contract needs beyond the traits. Never used by the application.
pub trait Tamper: Backend {
    /// Plants `damage`, bypassing the database's protections for that change only.
    fn plant(&self, damage: &Damage) -> Result<(), StoreError>;

    /// Tries `edit` on audit entry `seq` directly in the database, as a shell would,
    /// with every protection on: a backend must refuse it ([`StoreError::Refused`]).
    fn edit_audit_directly(&self, seq: i64, edit: AuditEdit) -> Result<(), StoreError>;
}

/// A backend and something that must live as long as it (a temporary folder, a
/// database to drop afterwards); dropped after the backend.
pub struct Kept<B, K> {
    backend: B,
    _keep: K,
}

impl<B, K> Kept<B, K> {
    pub fn new(backend: B, keep: K) -> Self {
        Kept {
            backend,
            _keep: keep,
        }
    }
}

impl<B: Backend, K: Send + Sync> Backend for Kept<B, K> {
    type Tx<'a> = B::Tx<'a>;

    fn read<T, E>(&self, f: impl FnOnce(&Self::Tx<'_>) -> Result<T, E>) -> Result<T, E>
    where
        E: From<StoreError>,
    {
        self.backend.read(f)
    }

    fn write<T, E>(&self, f: impl FnOnce(&Self::Tx<'_>) -> Result<T, E>) -> Result<T, E>
    where
        E: From<StoreError>,
    {
        self.backend.write(f)
    }
}

impl<B: Tamper, K: Send + Sync> Tamper for Kept<B, K> {
    fn plant(&self, damage: &Damage) -> Result<(), StoreError> {
        self.backend.plant(damage)
    }

    fn edit_audit_directly(&self, seq: i64, edit: AuditEdit) -> Result<(), StoreError> {
        self.backend.edit_audit_directly(seq, edit)
    }
}

/// Expands to one `#[test]` per contract function, each on a fresh backend made by the
/// expression given (it must implement [`Tamper`]). Call it inside a module of its own:
///
/// ```ignore
/// mod in_memory {
///     intake_store::store_contract!(intake_store::Store::open_in_memory().expect("a store"));
/// }
/// ```
#[macro_export]
macro_rules! store_contract {
    ($make:expr) => {
        $crate::store_contract!(@each $make;
            // Backend
            write_commits_only_when_the_closure_succeeds,
            read_sees_what_was_committed,
            times_are_kept_to_the_millisecond,
            // Users
            insert_user_then_read_it_by_id,
            user_by_username_finds_that_name_only,
            list_users_by_user_name,
            count_users_counts_every_account,
            count_active_admins_leaves_out_disabled_and_other_roles,
            set_user_active_disables_and_enables,
            set_password_replaces_hash_and_flag,
            set_role_changes_role_and_display_name,
            refused_a_taken_user_name_is_a_duplicate,
            // Sessions
            insert_session_then_find_it_by_token_hash,
            session_is_open_until_it_ends,
            touch_session_moves_last_seen_only_while_open,
            end_session_keeps_the_first_end_and_its_reason,
            end_user_sessions_ends_every_open_one,
            end_other_sessions_keeps_the_one_asking,
            refused_a_session_of_a_missing_user,
            // Sign-in failures
            sign_in_failures_round_trip,
            clear_sign_in_failures_forgets_the_name,
            // Settings
            setting_never_set_is_none,
            put_setting_round_trips_and_replaces,
            a_setting_written_in_a_transaction_reads_back_in_it,
            // Audit
            append_audit_numbers_from_one_and_chains_exact_text,
            list_audit_newest_first_with_filters,
            audit_actions_lists_each_action_once,
            verify_audit_of_an_untouched_chain,
            refused_updating_an_audit_entry,
            refused_deleting_an_audit_entry,
            verify_audit_names_an_edited_entry,
            verify_audit_names_a_removed_entry,
            // Patients
            insert_patient_then_read_it,
            patient_by_mrn_finds_that_mrn_only,
            patient_by_compact_mrn_ignores_dashes,
            next_generated_mrn_skips_taken_ones,
            refused_a_taken_mrn_is_a_duplicate,
            update_patient_bumps_the_version,
            refused_a_stale_patient_update,
            set_patient_status_marks_entered_in_error,
            refused_a_stale_patient_status_change,
            patient_revisions_keep_changes_text_exactly,
            search_patient_names_whole_and_prefix,
            search_patient_names_near_and_their_words,
            search_patient_phones_by_start_and_ending,
            patients_born_on_a_date,
            patients_with_phone_digits_are_active_ones,
            patients_with_email_are_active_ones,
            count_patients_counts_every_one,
            count_patients_not_flagged_counts_those_a_tool_did_not_mark,
            // Merges
            merge_links_a_chart_and_undo_ends_the_link,
            refused_merges_of_itself_twice_chained_or_without_a_reason,
            merges_touching_reads_a_page_of_charts_links_at_once,
            // Templates
            insert_template_then_read_it,
            refused_a_taken_template_version_is_a_duplicate,
            list_templates_by_slug_then_import_order,
            template_original_is_kept_byte_for_byte,
            set_template_status_changes_it,
            // Encounters
            insert_encounter_starts_a_draft,
            list_encounters_newest_first_and_filtered,
            put_answer_counts_writes_and_keeps_the_values_text,
            answer_reads_one_key,
            answers_come_by_key,
            confirm_answer_once,
            save_receipts_are_found_by_visit_and_key_and_expire_after_a_day,
            set_carry_notes_keeps_the_text,
            delete_answer_then_write_again_goes_on_counting,
            touch_encounter_records_time_and_section,
            submit_encounter_moves_a_draft_and_marks_the_record,
            last_visits_leave_out_entered_in_error,
            answers_at_reads_a_page_of_visits_answers_in_the_order_asked,
            refused_answers_of_a_submitted_encounter,
            refused_answers_of_a_signed_encounter_outside_an_amendment,
            refused_an_encounter_of_a_missing_patient,
            // Revisions
            answer_revisions_keep_every_earlier_value,
            carried_revisions_are_the_carried_values_only,
            // Reviews
            encounter_events_oldest_first,
            mark_in_record_leaves_out_the_keys_given,
            sign_encounter_keeps_the_record_text_exactly,
            sign_encounter_amendment_closes_it,
            return_encounter_makes_a_draft_again,
            start_amendment_opens_the_answers,
            discard_amendment_closes_it_unsigned,
            mark_encounter_in_error_with_its_reason,
            restore_answer_puts_it_back_exactly,
            review_queue_oldest_first_and_filtered,
            review_count_counts_the_waiting,
            review_submitters_each_once,
            previous_visit_of_the_same_form_that_counts,
            refused_signing_a_draft,
            refused_returning_a_signed_encounter,
            refused_amending_an_encounter_not_signed,
            refused_leaving_entered_in_error,
            // Outcomes and exports
            outcomes_count_answers_by_where_they_came_from,
            export_candidates_in_range_with_the_statuses,
            // Damage
            damaged_answer_values_are_named,
            damaged_answer_key_is_named,
            unknown_encounter_status_is_named,
            unknown_template_status_is_named,
            unknown_user_role_is_named,
            unknown_patient_sex_is_named,
            damaged_session_time_is_named,
        );
    };
    (@each $make:expr; $($name:ident),* $(,)?) => {
        $(
            #[test]
            fn $name() {
                let backend = $make;
                $crate::contract::$name(&backend);
            }
        )*
    };
}

#[cfg(test)]
mod tests {
    /// Every public contract function is in the macro's list, so no backend skips it.
    #[test]
    fn the_macro_runs_every_contract_function() {
        let list = include_str!("mod.rs");
        let files = [
            include_str!("accounts.rs"),
            include_str!("audit.rs"),
            include_str!("backend.rs"),
            include_str!("damage.rs"),
            include_str!("encounters.rs"),
            include_str!("history.rs"),
            include_str!("merges.rs"),
            include_str!("patients.rs"),
            include_str!("queue.rs"),
            include_str!("reviews.rs"),
            include_str!("templates.rs"),
        ];
        let mut missing = Vec::new();
        let mut count = 0;
        for file in files {
            for line in file.lines() {
                if let Some(rest) = line.strip_prefix("pub fn ") {
                    let name = rest.split(['<', '(']).next().unwrap_or_default();
                    count += 1;
                    if !list.contains(&format!("            {name},\n")) {
                        missing.push(name.to_string());
                    }
                }
            }
        }
        assert!(count > 80, "the contract functions were found ({count})");
        assert!(
            missing.is_empty(),
            "contract functions missing from store_contract!: {missing:?}"
        );
    }
}
