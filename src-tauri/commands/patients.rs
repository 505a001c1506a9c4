//! Patients: search, view, history, register, edit, mark entered in error.

use intake_api::wire::{
    PatientDto, PatientInputDto, PatientRevisionDto, PatientSaveDto, PatientSearchDto,
};
use intake_api::Caller;
use tauri::State;

use super::api;
use crate::error::IpcError;
use crate::Backend;

#[tauri::command]
pub async fn search_patients(
    backend: State<'_, Backend>,
    token: String,
    query: String,
) -> Result<PatientSearchDto, IpcError> {
    Ok(api(&backend)?.search_patients(Caller::Session(&token), &query)?)
}

#[tauri::command]
pub async fn get_patient(
    backend: State<'_, Backend>,
    token: String,
    id: i64,
) -> Result<PatientDto, IpcError> {
    Ok(api(&backend)?.get_patient(Caller::Session(&token), id)?)
}

#[tauri::command]
pub async fn patient_history(
    backend: State<'_, Backend>,
    token: String,
    id: i64,
) -> Result<Vec<PatientRevisionDto>, IpcError> {
    Ok(api(&backend)?.patient_history(Caller::Session(&token), id)?)
}

#[tauri::command]
pub async fn register_patient(
    backend: State<'_, Backend>,
    token: String,
    patient: PatientInputDto,
    duplicate_reason: Option<String>,
) -> Result<PatientSaveDto, IpcError> {
    let reason = duplicate_reason.as_deref();
    Ok(api(&backend)?.register_patient(Caller::Session(&token), &patient, reason)?)
}

#[tauri::command]
pub async fn update_patient(
    backend: State<'_, Backend>,
    token: String,
    id: i64,
    version: i64,
    patient: PatientInputDto,
    duplicate_reason: Option<String>,
) -> Result<PatientSaveDto, IpcError> {
    let reason = duplicate_reason.as_deref();
    Ok(api(&backend)?.update_patient(Caller::Session(&token), id, version, &patient, reason)?)
}

#[tauri::command]
pub async fn mark_patient_in_error(
    backend: State<'_, Backend>,
    token: String,
    id: i64,
    version: i64,
    reason: String,
) -> Result<PatientDto, IpcError> {
    Ok(api(&backend)?.mark_patient_in_error(Caller::Session(&token), id, version, &reason)?)
}

/// Merges chart `id` (the duplicate) into chart `into` (the one that stays).
#[tauri::command]
pub async fn merge_patients(
    backend: State<'_, Backend>,
    token: String,
    id: i64,
    into: i64,
    reason: String,
) -> Result<PatientDto, IpcError> {
    Ok(api(&backend)?.merge_patients(Caller::Session(&token), into, id, &reason)?)
}

/// Undoes the merge of chart `id` (the same day).
#[tauri::command]
pub async fn unmerge_patient(
    backend: State<'_, Backend>,
    token: String,
    id: i64,
) -> Result<PatientDto, IpcError> {
    Ok(api(&backend)?.unmerge_patient(Caller::Session(&token), id)?)
}
