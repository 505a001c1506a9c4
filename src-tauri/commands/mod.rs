//! The Tauri commands: each deserialises its arguments, calls one `intake_api`
//! function and maps the error. No rule lives here. A command is registered and granted
//! by its line in `src-tauri/command_list.rs`.

pub mod admin;
pub mod exports;
pub mod intake;
pub mod outcomes;
pub mod patients;
pub mod review;
pub mod session;
pub mod users;
pub mod window;

use tauri::State;

use crate::error::IpcError;
use crate::Backend;

/// The API, or the reason the database could not be opened (shown on the first screen).
pub(crate) fn api<'a>(backend: &'a State<'_, Backend>) -> Result<&'a intake_api::Api, IpcError> {
    match backend.inner() {
        Backend::Ready(api) => Ok(api.as_ref()),
        Backend::Failed(message) => Err(IpcError {
            code: "internal",
            message: message.clone(),
            field: None,
        }),
    }
}
