//! Writing files the person chose: whole or not at all.

use std::io::Write;
use std::path::Path;

use crate::ApiError;

/// Writes `bytes` to `path` through a temporary file in the same folder, synced and
/// then renamed, so a failure (a full disk, a read-only folder) never leaves a
/// half-written file behind.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> Result<(), ApiError> {
    let shown = path.display();
    let cannot =
        |e: std::io::Error| ApiError::invalid("path", format!("Cannot write {shown}: {e}."));
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    if !dir.is_dir() {
        return Err(ApiError::invalid(
            "path",
            format!(
                "Cannot write {shown}: the folder {} does not exist.",
                dir.display()
            ),
        ));
    }
    let mut tmp = tempfile::NamedTempFile::new_in(dir).map_err(cannot)?;
    tmp.write_all(bytes).map_err(cannot)?;
    tmp.as_file().sync_all().map_err(cannot)?;
    tmp.persist(path).map_err(|e| cannot(e.error))?;
    Ok(())
}
