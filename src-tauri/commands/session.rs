//! First run, signing in and out, the lock, one's own password.

use intake_api::wire::{AppStatusDto, SessionDto, SignedInDto, UserDto};
use intake_api::Caller;
use tauri::State;

use super::api;
use crate::error::IpcError;
use crate::Backend;

#[tauri::command]
pub async fn app_status(backend: State<'_, Backend>) -> Result<AppStatusDto, IpcError> {
    Ok(api(&backend)?.app_status()?)
}

#[tauri::command]
pub async fn create_first_admin(
    backend: State<'_, Backend>,
    username: String,
    display_name: String,
    password: String,
) -> Result<UserDto, IpcError> {
    Ok(api(&backend)?.create_first_admin(None, &username, &display_name, &password)?)
}

#[tauri::command]
pub async fn sign_in(
    backend: State<'_, Backend>,
    username: String,
    password: String,
) -> Result<SignedInDto, IpcError> {
    Ok(api(&backend)?.sign_in(&username, &password)?)
}

#[tauri::command]
pub async fn sign_out(backend: State<'_, Backend>, token: String) -> Result<(), IpcError> {
    Ok(api(&backend)?.sign_out(Caller::Session(&token))?)
}

#[tauri::command]
pub async fn lock_session(backend: State<'_, Backend>, token: String) -> Result<(), IpcError> {
    Ok(api(&backend)?.lock_session(Caller::Session(&token))?)
}

#[tauri::command]
pub async fn whoami(backend: State<'_, Backend>, token: String) -> Result<SessionDto, IpcError> {
    Ok(api(&backend)?.whoami(Caller::Session(&token))?)
}

#[tauri::command]
pub async fn change_password(
    backend: State<'_, Backend>,
    token: String,
    current_password: String,
    new_password: String,
) -> Result<(), IpcError> {
    Ok(
        api(&backend)?.change_password(
            Caller::Session(&token),
            &current_password,
            &new_password,
        )?,
    )
}
