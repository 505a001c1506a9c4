//! User management (admin).

use intake_api::wire::{NewUserRequest, UserDto};
use intake_api::Caller;
use tauri::State;

use super::api;
use crate::error::IpcError;
use crate::Backend;

#[tauri::command]
pub async fn list_users(
    backend: State<'_, Backend>,
    token: String,
) -> Result<Vec<UserDto>, IpcError> {
    Ok(api(&backend)?.list_users(Caller::Session(&token))?)
}

#[tauri::command]
pub async fn create_user(
    backend: State<'_, Backend>,
    token: String,
    user: NewUserRequest,
) -> Result<UserDto, IpcError> {
    Ok(api(&backend)?.create_user(Caller::Session(&token), &user)?)
}

#[tauri::command]
pub async fn set_user_active(
    backend: State<'_, Backend>,
    token: String,
    username: String,
    active: bool,
) -> Result<UserDto, IpcError> {
    Ok(api(&backend)?.set_user_active(Caller::Session(&token), &username, active)?)
}

#[tauri::command]
pub async fn reset_password(
    backend: State<'_, Backend>,
    token: String,
    username: String,
    new_password: String,
) -> Result<UserDto, IpcError> {
    Ok(api(&backend)?.reset_password(Caller::Session(&token), &username, &new_password)?)
}
