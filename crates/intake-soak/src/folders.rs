//! Export folders as a kill leaves them, and the audit entries that account for them.
//!
//! - A PDF under its own name must be whole: it starts with `%PDF-` and ends with
//!   `%%EOF` (the API writes a temporary file, syncs it and renames it into place).
//! - A temporary file (named with `intake_api::export::PARTIAL_PREFIX`) is a write the
//!   kill cut short; [`Folder::leftovers`] lists them apart, anything else is unexpected.
//! - `manifest.csv` is read back as the batch writes it (a leading `'` neutralises a
//!   formula and is removed here).

use std::collections::BTreeMap;
use std::path::Path;

use intake_store::{AuditFilter, AuditRow, Db};
use sha2::{Digest, Sha256};

/// The batch folder's manifest (`intake_api::export::batch::MANIFEST`).
pub const MANIFEST: &str = "manifest.csv";

pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// Whether `bytes` are a whole PDF: its header, and its end-of-file marker last.
pub fn is_whole_pdf(bytes: &[u8]) -> bool {
    let end = bytes
        .iter()
        .rposition(|b| !b.is_ascii_whitespace())
        .map_or(0, |i| i + 1);
    bytes.starts_with(b"%PDF-") && bytes[..end].ends_with(b"%%EOF")
}

/// What a folder holds.
#[derive(Debug, Default)]
pub struct Folder {
    /// Whole PDFs by name, with their SHA-256.
    pub pdfs: BTreeMap<String, String>,
    /// Files named `.pdf` that are not whole PDFs.
    pub half: Vec<String>,
    /// Temporary files of writes cut short.
    pub leftovers: Vec<String>,
    /// Anything else but the manifest.
    pub others: Vec<String>,
}

pub fn scan(dir: &Path) -> std::io::Result<Folder> {
    let mut folder = Folder::default();
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.ends_with(".pdf") {
            let bytes = std::fs::read(entry.path())?;
            if is_whole_pdf(&bytes) {
                folder.pdfs.insert(name, sha256_hex(&bytes));
            } else {
                folder.half.push(name);
            }
        } else if name.starts_with(intake_api::export::PARTIAL_PREFIX) {
            folder.leftovers.push(name);
        } else if name != MANIFEST {
            folder.others.push(name);
        }
    }
    Ok(folder)
}

/// One row of `manifest.csv`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ManifestRow {
    pub file: String,
    pub encounter: i64,
    pub pdf_sha256: String,
    pub record_sha256: String,
    pub audit_anchor: String,
}

/// The manifest's rows (`None`: there is no manifest); an unreadable row is an error.
pub fn read_manifest(dir: &Path) -> Result<Option<Vec<ManifestRow>>, String> {
    let path = dir.join(MANIFEST);
    if !path.exists() {
        return Ok(None);
    }
    let mut reader = csv::Reader::from_path(&path).map_err(|e| format!("{MANIFEST}: {e}"))?;
    let mut rows = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|e| format!("{MANIFEST}: {e}"))?;
        let cell = |i: usize| {
            let raw = record.get(i).unwrap_or_default();
            raw.strip_prefix('\'').unwrap_or(raw).to_string()
        };
        let encounter = cell(1)
            .parse()
            .map_err(|_| format!("{MANIFEST}: row {:?} names no encounter", cell(0)))?;
        rows.push(ManifestRow {
            file: cell(0),
            encounter,
            pdf_sha256: cell(5),
            record_sha256: cell(6),
            audit_anchor: cell(8),
        });
    }
    Ok(Some(rows))
}

/// Every audit entry with exactly this action, oldest first.
pub fn audit_entries(db: &Db<'_>, action: &str) -> Result<Vec<AuditRow>, String> {
    let mut out = Vec::new();
    let mut before_seq = None;
    loop {
        let page = db
            .list_audit(&AuditFilter {
                before_seq,
                action: Some(action.to_string()),
                limit: 500,
                ..Default::default()
            })
            .map_err(|e| e.to_string())?;
        let last = page.last().map(|e| e.content.seq);
        let full = page.len() == 500;
        out.extend(page);
        match last {
            Some(seq) if full => before_seq = Some(seq),
            _ => break,
        }
    }
    out.reverse();
    Ok(out)
}

/// One field of an audit entry's detail.
pub fn detail(entry: &AuditRow, field: &str) -> serde_json::Value {
    serde_json::from_str::<serde_json::Value>(&entry.content.detail)
        .map(|d| d[field].clone())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_pdf_with_its_header_and_its_end_marker_is_whole() {
        assert!(is_whole_pdf(b"%PDF-1.7\n...\n%%EOF\n"));
        assert!(is_whole_pdf(b"%PDF-1.7 x %%EOF"));
        assert!(
            !is_whole_pdf(b"%PDF-1.7\n...\n"),
            "cut before the end marker"
        );
        assert!(!is_whole_pdf(b"...%%EOF"), "no header");
        assert!(!is_whole_pdf(b""), "empty");
    }

    #[test]
    fn a_folder_is_sorted_into_whole_pdfs_halves_leftovers_and_the_rest() {
        let dir = tempfile::tempdir().unwrap();
        let put = |name: &str, bytes: &[u8]| std::fs::write(dir.path().join(name), bytes).unwrap();
        put("a.pdf", b"%PDF-1.7 %%EOF");
        put("b.pdf", b"%PDF-1.7 cut");
        put(".intake-partial-AbC123.tmp", b"%PDF");
        put(MANIFEST, b"file\n");
        put("notes.txt", b"x");
        let f = scan(dir.path()).unwrap();
        assert_eq!(f.pdfs.keys().collect::<Vec<_>>(), ["a.pdf"]);
        assert_eq!(
            (f.half, f.leftovers, f.others),
            (
                vec!["b.pdf".to_string()],
                vec![".intake-partial-AbC123.tmp".to_string()],
                vec!["notes.txt".to_string()]
            )
        );
    }
}
