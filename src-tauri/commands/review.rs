//! The physician's review: the queue and its count, a record with what changed since the
//! previous visit, sign, return to the nurse, amend (start, discard), entered in error,
//! and the record's signed versions and answer history.

use intake_api::wire::{AnswerRevisionDto, QueueDto, RecordVersionDto, ReviewDto};
use intake_api::Caller;
use tauri::State;

use super::api;
use crate::error::IpcError;
use crate::Backend;

#[tauri::command]
pub async fn review_queue(
    backend: State<'_, Backend>,
    token: String,
    from: Option<String>,
    to: Option<String>,
    submitted_by: Option<String>,
) -> Result<QueueDto, IpcError> {
    Ok(api(&backend)?.review_queue(
        Caller::Session(&token),
        from.as_deref(),
        to.as_deref(),
        submitted_by.as_deref(),
    )?)
}

#[tauri::command]
pub async fn review_count(backend: State<'_, Backend>, token: String) -> Result<i64, IpcError> {
    Ok(api(&backend)?.review_count(Caller::Session(&token))?)
}

#[tauri::command]
pub async fn open_review(
    backend: State<'_, Backend>,
    token: String,
    encounter_id: i64,
) -> Result<ReviewDto, IpcError> {
    Ok(api(&backend)?.open_review(Caller::Session(&token), encounter_id)?)
}

#[tauri::command]
pub async fn sign_intake(
    backend: State<'_, Backend>,
    token: String,
    encounter_id: i64,
    record_hash: String,
) -> Result<ReviewDto, IpcError> {
    Ok(api(&backend)?.sign_intake(Caller::Session(&token), encounter_id, &record_hash)?)
}

#[tauri::command]
pub async fn return_intake(
    backend: State<'_, Backend>,
    token: String,
    encounter_id: i64,
    comment: String,
    record_hash: String,
) -> Result<ReviewDto, IpcError> {
    Ok(api(&backend)?.return_intake(
        Caller::Session(&token),
        encounter_id,
        &comment,
        &record_hash,
    )?)
}

#[tauri::command]
pub async fn start_amendment(
    backend: State<'_, Backend>,
    token: String,
    encounter_id: i64,
    reason: String,
    record_hash: String,
) -> Result<ReviewDto, IpcError> {
    Ok(api(&backend)?.start_amendment(
        Caller::Session(&token),
        encounter_id,
        &reason,
        &record_hash,
    )?)
}

#[tauri::command]
pub async fn discard_amendment(
    backend: State<'_, Backend>,
    token: String,
    encounter_id: i64,
) -> Result<ReviewDto, IpcError> {
    Ok(api(&backend)?.discard_amendment(Caller::Session(&token), encounter_id)?)
}

#[tauri::command]
pub async fn mark_in_error(
    backend: State<'_, Backend>,
    token: String,
    encounter_id: i64,
    reason: String,
) -> Result<ReviewDto, IpcError> {
    Ok(api(&backend)?.mark_encounter_in_error(Caller::Session(&token), encounter_id, &reason)?)
}

#[tauri::command]
pub async fn record_version(
    backend: State<'_, Backend>,
    token: String,
    encounter_id: i64,
    version: u32,
) -> Result<RecordVersionDto, IpcError> {
    Ok(api(&backend)?.record_version(Caller::Session(&token), encounter_id, version)?)
}

#[tauri::command]
pub async fn answer_history(
    backend: State<'_, Backend>,
    token: String,
    encounter_id: i64,
) -> Result<Vec<AnswerRevisionDto>, IpcError> {
    Ok(api(&backend)?.answer_history(Caller::Session(&token), encounter_id)?)
}
