//! Forms and intakes: templates (list, import from a file, activate/retire, export to a
//! file) and encounters (start, list, open, save, confirm carried values, submit). The file paths come from the
//! native dialogs the window opens (`plugin:dialog|open`, `plugin:dialog|save`).

use std::path::PathBuf;

use intake_api::wire::ConfirmDto;
use intake_api::wire::EncounterDto;
use intake_api::wire::TemplateDto;
use intake_api::wire::{ChangeDto, IntakeDto, SavedDto, SubmitDto};
use intake_api::Caller;
use tauri::State;

use super::api;
use crate::error::IpcError;
use crate::Backend;

#[tauri::command]
pub async fn list_templates(
    backend: State<'_, Backend>,
    token: String,
) -> Result<Vec<TemplateDto>, IpcError> {
    Ok(api(&backend)?.list_templates(Caller::Session(&token))?)
}

#[tauri::command]
pub async fn import_template_file(
    backend: State<'_, Backend>,
    token: String,
    path: PathBuf,
) -> Result<TemplateDto, IpcError> {
    Ok(api(&backend)?.import_template_file(Caller::Session(&token), &path)?)
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

#[tauri::command]
pub async fn export_template_file(
    backend: State<'_, Backend>,
    token: String,
    slug: String,
    version: String,
    path: PathBuf,
) -> Result<(), IpcError> {
    Ok(api(&backend)?.export_template_file(Caller::Session(&token), &slug, &version, &path)?)
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
) -> Result<SavedDto, IpcError> {
    Ok(api(&backend)?.save_intake(
        Caller::Session(&token),
        encounter_id,
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
