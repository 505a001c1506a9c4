//! PDF summaries: one visit to a file the person chooses in the save dialog the backend
//! opens, and a batch into a folder (chosen in a folder dialog or typed, a missing one
//! created only when the person confirms), run off the window's threads with its progress
//! sent on a channel and a cancel command.

use std::path::PathBuf;
use std::sync::atomic::AtomicBool;
use std::sync::Arc;

use intake_api::wire::ExportedDto;
use intake_api::wire::{BatchProgressDto, BatchReportDto, BatchRequest};
use intake_api::Caller;
use tauri::ipc::Channel;
use tauri::{AppHandle, Manager, Runtime, State};

use super::api;
use crate::dialogs::{self, Ask};
use crate::error::IpcError;
use crate::Backend;
use intake_api::permissions::Permission;

/// Set by `cancel_export` to stop the running batch after the files in progress.
#[derive(Default, Clone)]
pub struct ExportCancel(pub Arc<AtomicBool>);

/// Saves visit `encounter_id`'s summary where the person chooses in the save dialog the
/// backend opens (starting on `YYYY-MM-DD_MRN_visit-ID.pdf`); `None` when they cancel.
#[tauri::command]
pub async fn export_pdf<R: Runtime>(
    app: AppHandle<R>,
    token: String,
    encounter_id: i64,
) -> Result<Option<ExportedDto>, IpcError> {
    off_the_window(move || {
        let backend = app.state::<Backend>();
        let api = api(&backend)?;
        let caller = Caller::Session(&token);
        // Authorised and found before any dialog opens.
        let file_name = api.pdf_file_name(caller, encounter_id)?;
        let ask = Ask::SavePdf {
            title: "Save the visit summary".into(),
            file_name,
        };
        let Some(path) = dialogs::ask(&app, ask) else {
            return Ok(None);
        };
        Ok(Some(api.export_pdf(caller, encounter_id, &path)?))
    })
    .await
}

/// The folder dialog for a batch export; the chosen folder fills the screen's folder
/// field (the person may also type one). `None` when they cancel.
#[tauri::command]
pub async fn choose_export_folder<R: Runtime>(
    app: AppHandle<R>,
    token: String,
) -> Result<Option<String>, IpcError> {
    off_the_window(move || {
        let backend = app.state::<Backend>();
        api(&backend)?.check_permission(Caller::Session(&token), Permission::ExportBatch)?;
        let ask = Ask::Folder {
            title: "Choose the folder for the PDF summaries".into(),
        };
        Ok(dialogs::ask(&app, ask).map(|p| p.display().to_string()))
    })
    .await
}

/// Whether the typed folder exists (`true`) or may be created (`false`); with `create`
/// (the person confirmed), a missing one is created. Refused with the reason otherwise.
#[tauri::command]
pub async fn prepare_export_folder(
    backend: State<'_, Backend>,
    token: String,
    folder: PathBuf,
    create: bool,
) -> Result<bool, IpcError> {
    Ok(api(&backend)?.prepare_export_folder(Caller::Session(&token), &folder, create)?)
}

/// How many visits a batch of this range and these statuses would export now.
#[tauri::command]
pub async fn count_export(
    backend: State<'_, Backend>,
    token: String,
    from: String,
    to: String,
    statuses: Vec<String>,
) -> Result<usize, IpcError> {
    Ok(api(&backend)?.count_export(Caller::Session(&token), &from, &to, &statuses)?)
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

/// Runs `work` (a native dialog, file writing) on a blocking thread, not the window's.
pub(crate) async fn off_the_window<T: Send + 'static>(
    work: impl FnOnce() -> Result<T, IpcError> + Send + 'static,
) -> Result<T, IpcError> {
    tauri::async_runtime::spawn_blocking(work)
        .await
        .map_err(|e| IpcError {
            code: "internal",
            message: format!("The work stopped unexpectedly: {e}"),
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
