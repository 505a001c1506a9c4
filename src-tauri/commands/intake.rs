//! Forms and intakes: templates (list, import from a file, activate/retire, export to a
//! file) and encounters (start, list, open, save, confirm carried values, submit). The
//! form files are the ones the person picks in the native dialogs the backend opens.

use intake_api::permissions::Permission;
use intake_api::wire::ConfirmDto;
use intake_api::wire::EncounterDto;
use intake_api::wire::TemplateDto;
use intake_api::wire::{ChangeDto, IntakeDto, SavedDto, SubmitDto};
use intake_api::Caller;
use tauri::{AppHandle, Manager, Runtime, State};

use super::api;
use super::exports::off_the_window;
use crate::dialogs::{self, Ask};
use crate::error::IpcError;
use crate::Backend;

#[tauri::command]
pub async fn list_templates(
    backend: State<'_, Backend>,
    token: String,
) -> Result<Vec<TemplateDto>, IpcError> {
    Ok(api(&backend)?.list_templates(Caller::Session(&token))?)
}

/// Imports the form file the person picks in the open dialog the backend opens; `None`
/// when they cancel.
#[tauri::command]
pub async fn import_template_file<R: Runtime>(
    app: AppHandle<R>,
    token: String,
) -> Result<Option<TemplateDto>, IpcError> {
    off_the_window(move || {
        let backend = app.state::<Backend>();
        let api = api(&backend)?;
        let caller = Caller::Session(&token);
        api.check_permission(caller, Permission::ManageTemplates)?;
        let ask = Ask::OpenForm {
            title: "Import a form (FHIR Questionnaire)".into(),
        };
        let Some(path) = dialogs::ask(&app, ask) else {
            return Ok(None);
        };
        Ok(Some(api.import_template_file(caller, &path)?))
    })
    .await
}

#[tauri::command]
pub async fn set_template_status(
    backend: State<'_, Backend>,
    token: String,
    slug: String,
    version: String,
    status: String,
) -> Result<TemplateDto, IpcError> {
    Ok(api(&backend)?.set_template_status(Caller::Session(&token), &slug, &version, &status)?)
}

/// Saves a form where the person chooses in the save dialog the backend opens (starting
/// on `slug-version.json`); the chosen file's name, or `None` when they cancel.
#[tauri::command]
pub async fn export_template_file<R: Runtime>(
    app: AppHandle<R>,
    token: String,
    slug: String,
    version: String,
) -> Result<Option<String>, IpcError> {
    off_the_window(move || {
        let backend = app.state::<Backend>();
        let api = api(&backend)?;
        let caller = Caller::Session(&token);
        api.check_permission(caller, Permission::ManageTemplates)?;
        let ask = Ask::SaveForm {
            title: "Export the form".into(),
            file_name: format!("{slug}-{version}.json"),
        };
        let Some(path) = dialogs::ask(&app, ask) else {
            return Ok(None);
        };
        api.export_template_file(caller, &slug, &version, &path)?;
        Ok(Some(
            path.file_name()
                .map(|n| n.to_string_lossy().to_string())
                .unwrap_or_default(),
        ))
    })
    .await
}

#[tauri::command]
pub async fn start_intake(
    backend: State<'_, Backend>,
    token: String,
    patient_id: i64,
    slug: Option<String>,
    version: Option<String>,
) -> Result<EncounterDto, IpcError> {
    Ok(api(&backend)?.start_intake(
        Caller::Session(&token),
        patient_id,
        slug.as_deref(),
        version.as_deref(),
    )?)
}

#[tauri::command]
pub async fn list_encounters(
    backend: State<'_, Backend>,
    token: String,
    patient_id: Option<i64>,
    status: Option<String>,
) -> Result<Vec<EncounterDto>, IpcError> {
    Ok(api(&backend)?.list_encounters(Caller::Session(&token), patient_id, status.as_deref())?)
}

#[tauri::command]
pub async fn open_intake(
    backend: State<'_, Backend>,
    token: String,
    encounter_id: i64,
) -> Result<IntakeDto, IpcError> {
    Ok(api(&backend)?.open_intake(Caller::Session(&token), encounter_id)?)
}

#[tauri::command]
pub async fn save_intake(
    backend: State<'_, Backend>,
    token: String,
    encounter_id: i64,
    changes: Vec<ChangeDto>,
    section: Option<String>,
    save_id: Option<String>,
) -> Result<SavedDto, IpcError> {
    Ok(api(&backend)?.save_intake_once(
        Caller::Session(&token),
        encounter_id,
        save_id.as_deref(),
        &changes,
        section.as_deref(),
    )?)
}

#[tauri::command]
pub async fn submit_intake(
    backend: State<'_, Backend>,
    token: String,
    encounter_id: i64,
) -> Result<SubmitDto, IpcError> {
    Ok(api(&backend)?.submit_intake(Caller::Session(&token), encounter_id)?)
}

#[tauri::command]
pub async fn confirm_intake(
    backend: State<'_, Backend>,
    token: String,
    encounter_id: i64,
    confirms: Vec<ConfirmDto>,
) -> Result<SavedDto, IpcError> {
    Ok(api(&backend)?.confirm_intake(Caller::Session(&token), encounter_id, &confirms)?)
}
