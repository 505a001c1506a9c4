//! Files the person chose: where the app may write them, and writing them whole or not
//! at all.
//!
//! A destination must be a full path outside the data folder (links resolved), so no
//! typo, relative path or link can reach the clinic's database, its `-wal`/`-shm` or
//! anything beside it; a file already there is replaced only when it is one of ours of
//! the same kind (a PDF this app wrote, a form), never anything else.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use crate::{Api, ApiError};

/// What a chosen file holds, to judge whether one already there may be replaced.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A visit summary: only a PDF this app wrote is replaced.
    Pdf,
    /// A form (FHIR Questionnaire JSON): only another form is replaced.
    Form,
}

/// The producer our PDFs carry (`intake-pdf`), which marks a PDF as ours.
const OUR_PRODUCER: &str = "Intake Desk (printpdf)";

/// How the producer stands in a PDF's Info dictionary: a UTF-16BE hex string with its
/// byte-order mark (`<FEFF0049…>`), as printpdf writes it, or plain text.
fn marks_ours(pdf: &[u8]) -> bool {
    let mut hex = String::from("FEFF");
    for unit in OUR_PRODUCER.encode_utf16() {
        hex.push_str(&format!("{unit:04X}"));
    }
    let has = |needle: &[u8]| pdf.windows(needle.len()).any(|w| w == needle);
    has(hex.as_bytes()) || has(OUR_PRODUCER.as_bytes())
}

/// The largest existing file read to judge it (a summary is far smaller).
const MAX_JUDGED: u64 = 64 * 1024 * 1024;

impl Api {
    /// The data folder: the one holding the database file, or the workstation's when
    /// the database is on the clinic server.
    pub(crate) fn data_folder(&self) -> Option<PathBuf> {
        if let Some(folder) = &self.server_data_folder {
            return Some(folder.clone());
        }
        let db = self.store.path()?;
        if db == Path::new(":memory:") {
            return None;
        }
        db.parent().map(Path::to_path_buf)
    }
}

fn refuse(field: &str, message: String) -> ApiError {
    ApiError::invalid(field, message)
}

/// `folder` with links resolved, or why it cannot be used.
fn resolved_folder(field: &str, folder: &Path) -> Result<PathBuf, ApiError> {
    let shown = folder.display();
    if !folder.is_absolute() {
        return Err(refuse(
            field,
            format!("{shown} is not a full path; choose a folder from the top (like /home/…)."),
        ));
    }
    let real = folder
        .canonicalize()
        .map_err(|_| refuse(field, format!("The folder {shown} does not exist.")))?;
    if !real.is_dir() {
        return Err(refuse(field, format!("{shown} is a file, not a folder.")));
    }
    Ok(real)
}

/// Refuses `real` (links resolved) when it lies in the data folder.
fn outside_data(
    field: &str,
    shown: &Path,
    real: &Path,
    data: Option<&Path>,
) -> Result<(), ApiError> {
    let Some(data) = data else { return Ok(()) };
    let data = data.canonicalize().unwrap_or_else(|_| data.to_path_buf());
    if real.starts_with(&data) {
        return Err(refuse(
            field,
            format!(
                "{} is inside the data folder ({}), which holds the clinic's database; \
                 choose another place. Nothing was written.",
                shown.display(),
                data.display()
            ),
        ));
    }
    Ok(())
}

/// Checks a folder chosen for many files: a full path to an existing folder, outside
/// the data folder, that can be written.
pub(crate) fn check_folder(folder: &Path, data: Option<&Path>) -> Result<(), ApiError> {
    let real = resolved_folder("folder", folder)?;
    outside_data("folder", folder, &real, data)?;
    remove_stale_partials(&real);
    partial_in(&real).map_err(|e| {
        refuse(
            "folder",
            format!("Cannot write into {}: {e}.", folder.display()),
        )
    })?;
    Ok(())
}

impl Api {
    /// Whether the folder typed for a batch export exists (`Ok(true)`), or may be
    /// created (`Ok(false)`): a full path whose nearest existing folder lies outside the
    /// data folder. With `create`, a missing folder is created (the person confirmed it)
    /// and `Ok(true)` returned. Anything else is refused with the reason.
    pub fn prepare_export_folder(
        &self,
        caller: crate::Caller<'_>,
        folder: &Path,
        create: bool,
    ) -> Result<bool, ApiError> {
        self.authorize(caller, crate::permissions::Permission::ExportBatch)?;
        let data = self.data_folder();
        let shown = folder.display();
        if !folder.is_absolute() {
            return Err(refuse(
                "folder",
                format!("{shown} is not a full path; type a folder from the top (like /home/…)."),
            ));
        }
        if std::fs::symlink_metadata(folder).is_ok() {
            check_folder(folder, data.as_deref())?;
            return Ok(true);
        }
        // The nearest folder that exists, links resolved, decides where it would land.
        let mut existing = folder;
        let mut missing = Vec::new();
        while std::fs::symlink_metadata(existing).is_err() {
            let (Some(parent), Some(name)) = (existing.parent(), existing.file_name()) else {
                return Err(refuse("folder", format!("{shown} cannot be created.")));
            };
            missing.push(name.to_owned());
            existing = parent;
        }
        let mut real = resolved_folder("folder", existing)?;
        for name in missing.iter().rev() {
            real.push(name);
        }
        outside_data("folder", folder, &real, data.as_deref())?;
        if !create {
            return Ok(false);
        }
        std::fs::create_dir_all(&real).map_err(|e| {
            refuse(
                "folder",
                format!("The folder {shown} could not be created: {e}."),
            )
        })?;
        check_folder(folder, data.as_deref())?;
        Ok(true)
    }
}

/// Checks a file chosen to write: a full path, in an existing folder outside the data
/// folder, not a link, and either new or one of ours of `kind` (see the module docs).
pub(crate) fn check_destination(
    path: &Path,
    data: Option<&Path>,
    kind: Kind,
) -> Result<(), ApiError> {
    let shown = path.display();
    let name = path
        .file_name()
        .ok_or_else(|| refuse("path", format!("{shown} does not name a file.")))?;
    if !path.is_absolute() {
        return Err(refuse(
            "path",
            format!(
                "{shown} is not a full path; choose where to save it from the top (like /home/…)."
            ),
        ));
    }
    let folder = path.parent().unwrap_or(Path::new("/"));
    let real = resolved_folder("path", folder)?.join(name);
    outside_data("path", path, &real, data)?;
    let Ok(meta) = std::fs::symlink_metadata(&real) else {
        return Ok(()); // a new file
    };
    let what = match kind {
        Kind::Pdf => "a PDF summary written by Intake Desk",
        Kind::Form => "a form (a FHIR Questionnaire)",
    };
    let not_ours = || {
        refuse(
            "path",
            format!("{shown} already exists and is not {what}; it was left as it is. Choose another name."),
        )
    };
    if !meta.is_file() || meta.len() > MAX_JUDGED {
        return Err(not_ours());
    }
    let mut bytes = Vec::new();
    std::fs::File::open(&real)
        .and_then(|f| f.take(MAX_JUDGED).read_to_end(&mut bytes))
        .map_err(|e| refuse("path", format!("Cannot read {shown}: {e}.")))?;
    let ours = match kind {
        Kind::Pdf => bytes.starts_with(b"%PDF-") && marks_ours(&bytes),
        Kind::Form => serde_json::from_slice::<serde_json::Value>(&bytes)
            .is_ok_and(|v| v["resourceType"] == "Questionnaire"),
    };
    if ours {
        Ok(())
    } else {
        Err(not_ours())
    }
}

/// Checks a file chosen to read: a full path outside the data folder.
pub(crate) fn check_source(path: &Path, data: Option<&Path>) -> Result<(), ApiError> {
    let shown = path.display();
    if !path.is_absolute() {
        return Err(refuse(
            "file",
            format!("{shown} is not a full path; choose the file from the top (like /home/…)."),
        ));
    }
    let real = path
        .canonicalize()
        .map_err(|e| refuse("file", format!("Cannot read {shown}: {e}.")))?;
    outside_data("file", path, &real, data)
}

/// How a file being written is named until it is put in place: recognisably ours, so a
/// later export removes what a killed one left ([`remove_stale_partials`]).
pub const PARTIAL_PREFIX: &str = ".intake-partial-";
/// A partial file older than this was left by an export that died (each is written in
/// well under a second); younger ones may be another workstation's, still at work.
const STALE_AFTER: std::time::Duration = std::time::Duration::from_secs(10 * 60);

fn partial_in(dir: &Path) -> std::io::Result<tempfile::NamedTempFile> {
    tempfile::Builder::new()
        .prefix(PARTIAL_PREFIX)
        .suffix(".tmp")
        .tempfile_in(dir)
}

/// Removes the partial files of exports that died in `dir` (they may hold parts of
/// patients' summaries, and no manifest lists them). Best effort: what cannot be
/// removed stays for the next export.
pub(crate) fn remove_stale_partials(dir: &Path) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let ours = entry
            .file_name()
            .to_str()
            .is_some_and(|n| n.starts_with(PARTIAL_PREFIX));
        let stale = entry
            .metadata()
            .and_then(|m| m.modified())
            .ok()
            .and_then(|t| t.elapsed().ok())
            .is_some_and(|age| age > STALE_AFTER);
        if ours && stale && entry.file_type().is_ok_and(|t| t.is_file()) {
            let _ = std::fs::remove_file(entry.path());
        }
    }
}

/// Writes `bytes` to `path` through a temporary file in the same folder, synced and
/// then renamed, so a failure (a full disk, a read-only folder) never leaves a
/// half-written file behind.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> Result<(), ApiError> {
    place(stage(path, bytes)?, path)
}

/// A file written and synced beside its destination under a temporary name: nothing
/// appears at the destination until [`place`] renames it (after the audit entry that
/// records it has committed). Dropped without placing, it is removed.
pub struct Staged(tempfile::NamedTempFile);

fn cannot(path: &Path, e: std::io::Error) -> ApiError {
    ApiError::invalid("path", format!("Cannot write {}: {e}.", path.display()))
}

/// Writes `bytes` beside `path` under a temporary name (see [`Staged`]).
pub fn stage(path: &Path, bytes: &[u8]) -> Result<Staged, ApiError> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    if !dir.is_dir() {
        return Err(ApiError::invalid(
            "path",
            format!(
                "Cannot write {}: the folder {} does not exist.",
                path.display(),
                dir.display()
            ),
        ));
    }
    let mut tmp = partial_in(dir).map_err(|e| cannot(path, e))?;
    tmp.write_all(bytes).map_err(|e| cannot(path, e))?;
    tmp.as_file().sync_all().map_err(|e| cannot(path, e))?;
    Ok(Staged(tmp))
}

/// Renames a staged file into place.
pub fn place(staged: Staged, path: &Path) -> Result<(), ApiError> {
    staged.0.persist(path).map_err(|e| cannot(path, e.error))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_export_folder_is_cleared_of_what_a_killed_export_left_but_not_of_work_under_way() {
        let dir = tempfile::tempdir().unwrap();
        let staged = stage(&dir.path().join("a.pdf"), b"%PDF").unwrap();
        let name = staged
            .0
            .path()
            .file_name()
            .unwrap()
            .to_string_lossy()
            .into_owned();
        assert!(name.starts_with(PARTIAL_PREFIX), "{name}");
        let left = dir.path().join(format!("{PARTIAL_PREFIX}killed.tmp"));
        std::fs::write(&left, b"half a summary").unwrap();
        let an_hour_ago = std::time::SystemTime::now() - std::time::Duration::from_secs(3600);
        std::fs::File::options()
            .write(true)
            .open(&left)
            .unwrap()
            .set_modified(an_hour_ago)
            .unwrap();
        let someone_elses = dir.path().join(".tmp-not-ours");
        std::fs::write(&someone_elses, b"x").unwrap();
        remove_stale_partials(dir.path());
        assert!(
            !left.exists(),
            "the killed export's partial file is removed"
        );
        assert!(staged.0.path().exists(), "a file being written stays");
        assert!(someone_elses.exists(), "other programs' files stay");
        place(staged, &dir.path().join("a.pdf")).unwrap();
        assert_eq!(std::fs::read(dir.path().join("a.pdf")).unwrap(), b"%PDF");
    }
}
