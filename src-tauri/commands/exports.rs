//! PDF summaries: the default file name, one visit to a file the person chose, and a
//! batch into a folder, run off the window's threads with its progress sent on a
//! channel and a cancel command.

use std::path::PathBuf;
use std::sync::atomic::AtomicBool;
use std::sync::Arc;

use intake_api::wire::ExportedDto;
use intake_api::wire::{BatchProgressDto, BatchReportDto, BatchRequest};
use intake_api::Caller;
use tauri::ipc::Channel;
use tauri::{AppHandle, Manager, Runtime, State};

use super::api;
use crate::error::IpcError;
use crate::Backend;

/// Set by `cancel_export` to stop the running batch after the files in progress.
#[derive(Default, Clone)]
pub struct ExportCancel(pub Arc<AtomicBool>);

#[tauri::command]
pub async fn pdf_file_name(
    backend: State<'_, Backend>,
    token: String,
    encounter_id: i64,
) -> Result<String, IpcError> {
    Ok(api(&backend)?.pdf_file_name(Caller::Session(&token), encounter_id)?)
}

#[tauri::command]
pub async fn export_pdf(
    backend: State<'_, Backend>,
    token: String,
    encounter_id: i64,
    path: PathBuf,
) -> Result<ExportedDto, IpcError> {
    Ok(api(&backend)?.export_pdf(Caller::Session(&token), encounter_id, &path)?)
}

#[tauri::command]
pub async fn export_batch<R: Runtime>(
    app: AppHandle<R>,
    token: String,
    from: String,
    to: String,
    statuses: Vec<String>,
    folder: PathBuf,
    on_progress: Channel<BatchProgressDto>,
) -> Result<BatchReportDto, IpcError> {
    let request = BatchRequest {
        from,
        to,
        statuses,
        folder,
    };
    let work = tauri::async_runtime::spawn_blocking(move || {
        let backend = app.state::<Backend>();
        // The API clears the flag only when this batch starts; a refused call (another
        // batch running) leaves the running batch's flag alone.
        let cancel = app.state::<ExportCancel>().0.clone();
        let mut progress = |p: &BatchProgressDto| {
            // A window that went away stops listening; the batch goes on.
            let _ = on_progress.send(p.clone());
        };
        Ok::<_, IpcError>(api(&backend)?.export_batch(
            Caller::Session(&token),
            &request,
            &cancel,
            &mut progress,
        )?)
    });
    work.await.map_err(|e| IpcError {
        code: "internal",
        message: format!("The export stopped unexpectedly: {e}"),
        field: None,
    })?
}

/// True when a batch was running and was asked to stop; false when none runs. Only the
/// user who started the batch may stop it.
#[tauri::command]
pub async fn cancel_export(
    backend: State<'_, Backend>,
    cancel: State<'_, ExportCancel>,
    token: String,
) -> Result<bool, IpcError> {
    Ok(api(&backend)?.cancel_export(Caller::Session(&token), &cancel.0)?)
}
