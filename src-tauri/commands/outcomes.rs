//! The outcomes report (admin): what carry-forward saved, per week and per intake.

use intake_api::wire::OutcomesDto;
use intake_api::Caller;
use tauri::State;

use super::api;
use crate::error::IpcError;
use crate::Backend;

#[tauri::command]
pub async fn outcomes_report(
    backend: State<'_, Backend>,
    token: String,
    from: String,
    to: String,
) -> Result<OutcomesDto, IpcError> {
    Ok(api(&backend)?.outcomes(Caller::Session(&token), &from, &to)?)
}
