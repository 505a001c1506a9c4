//! The native file dialogs, opened by the backend itself: a command that writes or reads
//! a file the person chooses asks here, so every path it uses came from the person's own
//! choice in a dialog, never from the window (which may only ask for a dialog, not name a
//! path). The window is the dialog's parent.
//!
//! The end-to-end tests cannot reach a GTK dialog. Built with the `e2e` feature, and
//! started with `--e2e-dialogs FILE`, the app answers each dialog with the path written
//! in `FILE` (empty: cancelled) and appends what it was asked to `FILE.calls`, one JSON
//! line each. The shipped app has neither the option nor the code.

use std::path::PathBuf;

use tauri::{AppHandle, Manager, Runtime};
use tauri_plugin_dialog::DialogExt;

/// What to ask the person for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Ask {
    /// A form file to import (JSON).
    OpenForm { title: String },
    /// Where to save a form (JSON), starting on `file_name`.
    SaveForm { title: String, file_name: String },
    /// Where to save a PDF summary, starting on `file_name`.
    SavePdf { title: String, file_name: String },
    /// A folder.
    Folder { title: String },
}

impl Ask {
    #[cfg_attr(not(feature = "e2e"), allow(dead_code))]
    fn kind(&self) -> &'static str {
        match self {
            Ask::OpenForm { .. } => "open-form",
            Ask::SaveForm { .. } => "save-form",
            Ask::SavePdf { .. } => "save-pdf",
            Ask::Folder { .. } => "folder",
        }
    }

    fn title(&self) -> &str {
        match self {
            Ask::OpenForm { title }
            | Ask::SaveForm { title, .. }
            | Ask::SavePdf { title, .. }
            | Ask::Folder { title } => title,
        }
    }

    fn file_name(&self) -> Option<&str> {
        match self {
            Ask::SaveForm { file_name, .. } | Ask::SavePdf { file_name, .. } => Some(file_name),
            Ask::OpenForm { .. } | Ask::Folder { .. } => None,
        }
    }
}

/// Where the end-to-end tests put their answers (the `e2e` feature only).
#[cfg(feature = "e2e")]
#[derive(Debug, Default, Clone)]
pub struct TestAnswers(pub Option<PathBuf>);

/// Asks the person (a blocking native dialog: call it off the main thread, as async
/// commands run); `None` when they cancel.
pub fn ask<R: Runtime>(app: &AppHandle<R>, ask: Ask) -> Option<PathBuf> {
    #[cfg(feature = "e2e")]
    if let Some(file) = app.try_state::<TestAnswers>().and_then(|t| t.0.clone()) {
        return answer_from(&file, &ask);
    }
    let mut dialog = app.dialog().file().set_title(ask.title());
    if let Some(window) = app.get_webview_window("main") {
        dialog = dialog.set_parent(&window);
    }
    if let Some(name) = ask.file_name() {
        dialog = dialog.set_file_name(name);
    }
    let chosen = match &ask {
        Ask::OpenForm { .. } => dialog
            .add_filter("FHIR Questionnaire", &["json"])
            .blocking_pick_file(),
        Ask::SaveForm { .. } => dialog
            .add_filter("FHIR Questionnaire", &["json"])
            .blocking_save_file(),
        Ask::SavePdf { .. } => dialog.add_filter("PDF", &["pdf"]).blocking_save_file(),
        Ask::Folder { .. } => dialog.blocking_pick_folder(),
    };
    chosen.and_then(|p| p.into_path().ok())
}

/// The test seam: the answer written in `file`, and the question kept in `file.calls`.
#[cfg(feature = "e2e")]
fn answer_from(file: &std::path::Path, ask: &Ask) -> Option<PathBuf> {
    use std::io::Write;
    let call = serde_json::json!({
        "kind": ask.kind(),
        "title": ask.title(),
        "fileName": ask.file_name(),
    });
    let mut calls_path = file.as_os_str().to_owned();
    calls_path.push(".calls");
    if let Ok(mut calls) = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(PathBuf::from(calls_path))
    {
        let _ = writeln!(calls, "{call}");
    }
    let answer = std::fs::read_to_string(file).unwrap_or_default();
    let answer = answer.trim_end_matches('\n');
    (!answer.is_empty()).then(|| PathBuf::from(answer))
}

#[cfg(all(test, feature = "e2e"))]
mod tests {
    use super::*;

    #[test]
    fn the_seam_answers_with_the_file_and_keeps_each_question() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("answer");
        std::fs::write(&file, "/tmp/chosen folder/visit.pdf").unwrap();
        let ask = Ask::SavePdf {
            title: "Save".into(),
            file_name: "a.pdf".into(),
        };
        assert_eq!(
            answer_from(&file, &ask),
            Some(PathBuf::from("/tmp/chosen folder/visit.pdf"))
        );
        std::fs::write(&file, "").unwrap();
        assert_eq!(answer_from(&file, &ask), None, "empty: cancelled");
        let calls = std::fs::read_to_string(dir.path().join("answer.calls")).unwrap();
        assert_eq!(calls.lines().count(), 2, "{calls}");
        assert!(calls.contains("\"fileName\":\"a.pdf\""), "{calls}");
    }
}
