//! A batch folder's `manifest.csv`: one row per file the folder holds (its visit, the
//! SHA-256 of the PDF and of the record, when it was made, the audit anchor), read back
//! so a file already there for the same record is skipped, and written whole. Cells a
//! spreadsheet would run as formulas are neutralised.

use std::collections::BTreeMap;
use std::path::Path;

use crate::export::files::write_atomically;
use crate::export::pdf::sha256_hex;
use crate::ApiError;

/// The manifest's name in the folder.
pub const MANIFEST: &str = "manifest.csv";
const MANIFEST_HEADER: [&str; 9] = [
    "file",
    "encounter",
    "mrn",
    "visit_date",
    "status",
    "pdf_sha256",
    "record_sha256",
    "generated_at",
    "audit_anchor",
];

/// One manifest row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct ManifestRow {
    pub(super) file: String,
    pub(super) encounter: i64,
    pub(super) mrn: String,
    pub(super) visit_date: String,
    pub(super) status: String,
    pub(super) pdf_sha256: String,
    pub(super) record_sha256: String,
    pub(super) generated_at: String,
    /// The audit chain's head (`SEQ:HASH`) when the batch that wrote the file started:
    /// kept outside the database, so `intake verify --anchor` can tell if the log was
    /// cut or rewritten since. Empty for rows of manifests written before anchors.
    pub(super) audit_anchor: String,
}

impl ManifestRow {
    fn fields(&self) -> [String; 9] {
        [
            self.file.as_str(),
            self.encounter.to_string().as_str(),
            self.mrn.as_str(),
            self.visit_date.as_str(),
            self.status.as_str(),
            self.pdf_sha256.as_str(),
            self.record_sha256.as_str(),
            self.generated_at.as_str(),
            self.audit_anchor.as_str(),
        ]
        .map(neutralise)
    }
}

/// Whether a spreadsheet would treat a cell starting with `c` as a formula.
fn starts_a_formula(c: char) -> bool {
    matches!(c, '=' | '+' | '-' | '@' | '\t' | '\r')
}

/// A cell as written to the manifest: a leading `'` before anything a spreadsheet
/// would run as a formula, and before a `'` already there (so reading back is exact).
fn neutralise(cell: &str) -> String {
    match cell.chars().next() {
        Some(c) if starts_a_formula(c) || c == '\'' => format!("'{cell}"),
        _ => cell.to_string(),
    }
}

/// A manifest cell as it was before [`neutralise`].
fn restore(cell: &str) -> &str {
    cell.strip_prefix('\'').unwrap_or(cell)
}

/// The rows of an earlier manifest in the folder whose files are still there (an
/// unreadable or foreign manifest counts as none).
pub(super) fn read_manifest(folder: &Path) -> BTreeMap<String, ManifestRow> {
    let mut out = BTreeMap::new();
    let Ok(mut reader) = csv::Reader::from_path(folder.join(MANIFEST)) else {
        return out;
    };
    for record in reader.records().flatten() {
        let get = |i: usize| restore(record.get(i).unwrap_or_default()).to_string();
        let Ok(encounter) = get(1).parse::<i64>() else {
            continue;
        };
        let file = get(0);
        if file.contains(['/', '\\']) || !folder.join(&file).is_file() {
            continue;
        }
        out.insert(
            file.clone(),
            ManifestRow {
                file,
                encounter,
                mrn: get(2),
                visit_date: get(3),
                status: get(4),
                pdf_sha256: get(5),
                record_sha256: get(6),
                generated_at: get(7),
                audit_anchor: get(8),
            },
        );
    }
    out
}

pub(super) fn write_manifest(
    folder: &Path,
    rows: &BTreeMap<String, ManifestRow>,
) -> Result<(), ApiError> {
    let mut w = csv::Writer::from_writer(Vec::new());
    let mut write = || -> Result<(), csv::Error> {
        w.write_record(MANIFEST_HEADER)?;
        for row in rows.values() {
            w.write_record(row.fields())?;
        }
        Ok(w.flush()?)
    };
    write().map_err(|e| ApiError::Internal(format!("the manifest: {e}")))?;
    write_atomically(&folder.join(MANIFEST), w.get_ref())
}

/// What an earlier manifest row says of a file in the folder.
pub(super) struct Earlier {
    pub(super) record_sha256: String,
    pub(super) pdf_sha256: String,
}

impl Earlier {
    /// Whether the file at `path` is still the PDF this row describes (its bytes hash
    /// to the row's PDF SHA-256); an unreadable file is not.
    pub(super) fn holds(&self, path: &Path) -> bool {
        std::fs::read(path).is_ok_and(|bytes| sha256_hex(&bytes) == self.pdf_sha256)
    }
}
