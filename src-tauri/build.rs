//! Lists our own commands so Tauri generates one `allow-<command>` permission for each;
//! `capabilities/main-window.json` grants exactly these, plus the dialog plugin's open
//! and save (the native file dialogs), and nothing else.

const COMMANDS: &[&str] = &[
    "app_status",
    "create_first_admin",
    "sign_in",
    "sign_out",
    "lock_session",
    "whoami",
    "change_password",
    "list_users",
    "create_user",
    "set_user_active",
    "reset_password",
    "list_audit",
    "verify_audit",
    "get_settings",
    "update_settings",
    "search_patients",
    "get_patient",
    "patient_history",
    "register_patient",
    "update_patient",
    "mark_patient_in_error",
    "list_templates",
    "import_template_file",
    "set_template_status",
    "export_template_file",
    "start_intake",
    "list_encounters",
    "open_intake",
    "save_intake",
    "submit_intake",
    "confirm_intake",
    "outcomes_report",
    "review_queue",
    "review_count",
    "open_review",
    "sign_intake",
    "return_intake",
    "start_amendment",
    "discard_amendment",
    "mark_in_error",
    "record_version",
    "answer_history",
    "pdf_file_name",
    "export_pdf",
    "export_batch",
    "cancel_export",
];

fn main() {
    let attributes = tauri_build::Attributes::new()
        .app_manifest(tauri_build::AppManifest::new().commands(COMMANDS));
    if let Err(e) = tauri_build::try_build(attributes) {
        panic!("tauri build step failed: {e:#}");
    }
}
