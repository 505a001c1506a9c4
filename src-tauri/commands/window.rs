//! The window's own commands: answering a close request (`crate::closing`).

use tauri::{Runtime, State, WebviewWindow};

use crate::closing::CloseRequests;
use crate::error::IpcError;

/// The page heard close request `number` and decides (`ui/shell/closing.js`).
#[tauri::command]
pub fn close_request_heard(requests: State<'_, CloseRequests>, number: u64) {
    requests.heard(number);
}

/// Closes the window: nothing waits to be saved, or the person chose to close anyway.
#[tauri::command]
pub fn close_window<R: Runtime>(window: WebviewWindow<R>) -> Result<(), IpcError> {
    window.destroy().map_err(|e| IpcError {
        code: "internal",
        message: format!("The window could not be closed: {e}"),
        field: None,
    })
}
