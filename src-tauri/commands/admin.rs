//! The audit log and clinic settings.

use intake_api::wire::{
    AuditEntryDto, AuditFilterDto, AuditVerifyDto, BackupStatusDto, SettingsDto, SettingsUpdate,
};
use intake_api::Caller;
use tauri::State;

use super::api;
use crate::error::IpcError;
use crate::Backend;

#[tauri::command]
pub async fn list_audit(
    backend: State<'_, Backend>,
    token: String,
    filter: Option<AuditFilterDto>,
) -> Result<Vec<AuditEntryDto>, IpcError> {
    let filter = filter.unwrap_or_default();
    Ok(api(&backend)?.list_audit(Caller::Session(&token), &filter)?)
}

/// Every action the audit log holds, for its action filter.
#[tauri::command]
pub async fn list_audit_actions(
    backend: State<'_, Backend>,
    token: String,
) -> Result<Vec<String>, IpcError> {
    Ok(api(&backend)?.list_audit_actions(Caller::Session(&token))?)
}

#[tauri::command]
pub async fn verify_audit(
    backend: State<'_, Backend>,
    token: String,
) -> Result<AuditVerifyDto, IpcError> {
    Ok(api(&backend)?.verify_audit(Caller::Session(&token))?)
}

#[tauri::command]
pub async fn get_settings(
    backend: State<'_, Backend>,
    token: String,
) -> Result<SettingsDto, IpcError> {
    Ok(api(&backend)?.get_settings(Caller::Session(&token))?)
}

#[tauri::command]
pub async fn backup_status(
    backend: State<'_, Backend>,
    token: String,
) -> Result<BackupStatusDto, IpcError> {
    Ok(api(&backend)?.backup_status(Caller::Session(&token))?)
}

#[tauri::command]
pub async fn update_settings(
    backend: State<'_, Backend>,
    token: String,
    settings: SettingsUpdate,
) -> Result<SettingsDto, IpcError> {
    Ok(api(&backend)?.update_settings(Caller::Session(&token), &settings)?)
}
