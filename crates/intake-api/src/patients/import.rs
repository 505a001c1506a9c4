//! Importing patients from another system's CSV export (`intake patient import`).
//!
//! The header names the columns (any order): `mrn, family, given, birth_date, sex, phone,
//! email, address_line, city, postal_code, country, language, emergency_name,
//! emergency_relationship, emergency_phone, notes`; `family`, `given`, `birth_date` and
//! `sex` are required. Each row is checked like a registration. A row that looks like a
//! patient already registered (or an earlier row of the file) is skipped and reported.
//! An import is all-or-nothing: one rejected row imports nothing, unless
//! `skip_invalid` is set. A dry run checks everything and imports nothing.

use serde_json::json;

use intake_store::prelude::*;
use intake_store::StoreError;

use crate::patients::register::{find_duplicates, validate};
use crate::permissions::Permission;
use crate::wire::patients::PatientInputDto;
use crate::wire::patients::{ImportOptions, ImportRejectDto, ImportReportDto, ImportSkipDto};
use crate::{audit_entry, Api, ApiError, Caller};

/// The largest file accepted.
pub const MAX_BYTES: usize = 100 * 1024 * 1024;

const COLUMNS: [&str; 16] = [
    "mrn",
    "family",
    "given",
    "birth_date",
    "sex",
    "phone",
    "email",
    "address_line",
    "city",
    "postal_code",
    "country",
    "language",
    "emergency_name",
    "emergency_relationship",
    "emergency_phone",
    "notes",
];
const REQUIRED: [&str; 4] = ["family", "given", "birth_date", "sex"];

enum Abort {
    Api(ApiError),
    Rollback(ImportReportDto),
}

impl From<StoreError> for Abort {
    fn from(e: StoreError) -> Self {
        Abort::Api(e.into())
    }
}

impl From<ApiError> for Abort {
    fn from(e: ApiError) -> Self {
        Abort::Api(e)
    }
}

fn file_error(message: impl Into<String>) -> ApiError {
    ApiError::invalid("file", message)
}

fn column_index(headers: &csv::StringRecord) -> Result<Vec<Option<usize>>, ApiError> {
    let names: Vec<String> = headers.iter().map(|h| h.trim().to_lowercase()).collect();
    if let Some(unknown) = names.iter().find(|n| !COLUMNS.contains(&n.as_str())) {
        return Err(file_error(format!(
            "Unknown column {unknown:?} in the header; the columns are {}.",
            COLUMNS.join(", ")
        )));
    }
    for required in REQUIRED {
        if !names.iter().any(|n| n == required) {
            return Err(file_error(format!(
                "The header has no {required:?} column."
            )));
        }
    }
    Ok(COLUMNS
        .iter()
        .map(|c| names.iter().position(|n| n == c))
        .collect())
}

fn input_from(record: &csv::StringRecord, index: &[Option<usize>]) -> PatientInputDto {
    let get = |col: usize| -> String {
        index[col]
            .and_then(|i| record.get(i))
            .unwrap_or_default()
            .to_string()
    };
    PatientInputDto {
        mrn: get(0),
        family: get(1),
        given: get(2),
        birth_date: get(3),
        sex: get(4),
        phone: get(5),
        email: get(6),
        address_line: get(7),
        city: get(8),
        postal_code: get(9),
        country: get(10),
        language: get(11),
        emergency_name: get(12),
        emergency_relationship: get(13),
        emergency_phone: get(14),
        notes: get(15),
    }
}

impl Api {
    /// Imports patients from CSV bytes; see the module documentation for the rules.
    pub fn import_patients_csv(
        &self,
        caller: Caller<'_>,
        data: &[u8],
        options: ImportOptions,
    ) -> Result<ImportReportDto, ApiError> {
        let who = self.authorize(caller, Permission::ImportPatients)?;
        if data.len() > MAX_BYTES {
            return Err(file_error(format!(
                "The file is larger than {} MB; split it.",
                MAX_BYTES / (1024 * 1024)
            )));
        }
        let mut reader = csv::ReaderBuilder::new()
            .flexible(false)
            .trim(csv::Trim::None)
            .from_reader(data);
        let headers = reader
            .byte_headers()
            .map_err(|e| file_error(format!("Cannot read the header line: {e}")))?
            .clone();
        let headers = csv::StringRecord::from_byte_record(headers)
            .map_err(|_| file_error("The header line is not UTF-8 text."))?;
        let index = column_index(&headers)?;
        let now = self.now();
        let today = self.today()?;
        let result = self.store.write(|db| {
            let mut report = ImportReportDto {
                imported: 0,
                committed: false,
                dry_run: options.dry_run,
                skipped_duplicates: Vec::new(),
                rejected: Vec::new(),
            };
            let mut record = csv::ByteRecord::new();
            loop {
                let line = reader.position().line();
                match reader.read_byte_record(&mut record) {
                    Ok(false) => break,
                    Ok(true) => {}
                    Err(e) => {
                        report.rejected.push(ImportRejectDto {
                            line,
                            field: None,
                            message: e.to_string(),
                        });
                        if matches!(e.kind(), csv::ErrorKind::Io(_)) {
                            break;
                        }
                        continue;
                    }
                }
                let line = record.position().map_or(line, |p| p.line());
                let Ok(text) = csv::StringRecord::from_byte_record(record.clone()) else {
                    report.rejected.push(ImportRejectDto {
                        line,
                        field: None,
                        message: "The row is not UTF-8 text.".into(),
                    });
                    continue;
                };
                let input = input_from(&text, &index);
                let p = match validate(&input, today) {
                    Ok(p) => p,
                    Err(e) => {
                        report.rejected.push(ImportRejectDto {
                            line,
                            field: e.field().map(str::to_string),
                            message: e.to_string(),
                        });
                        continue;
                    }
                };
                if let Some(mrn) = &p.mrn {
                    if db.patient_by_mrn(mrn)?.is_some() {
                        report.rejected.push(ImportRejectDto {
                            line,
                            field: Some("mrn".into()),
                            message: format!("The MRN {mrn} is already used."),
                        });
                        continue;
                    }
                }
                let duplicates = find_duplicates(db, &p, None)?;
                if !duplicates.is_empty() {
                    let mut reasons: Vec<String> = Vec::new();
                    for (_, why) in &duplicates {
                        for r in why {
                            let r = r.as_str().to_string();
                            if !reasons.contains(&r) {
                                reasons.push(r);
                            }
                        }
                    }
                    report.skipped_duplicates.push(ImportSkipDto {
                        line,
                        name: format!("{}, {}", p.family, p.given),
                        reasons,
                        candidates: duplicates.iter().map(|(r, _)| r.mrn.clone()).collect(),
                    });
                    continue;
                }
                let mrn = match &p.mrn {
                    Some(mrn) => mrn.clone(),
                    None => db.next_generated_mrn()?,
                };
                let created = json!({ "mrn": [null, mrn], "importedFromLine": [null, line] });
                let id = db.insert_patient(&p, &mrn, &created, now, &who.actor)?;
                db.append_audit(&intake_store::NewAuditEntry {
                    patient_id: Some(id.0),
                    ..audit_entry(
                        now,
                        &who.actor,
                        "patient.created",
                        "patient",
                        Some(id.to_string()),
                        json!({ "mrn": mrn, "importedFromLine": line }),
                    )
                })?;
                report.imported += 1;
            }
            if options.dry_run || (!report.rejected.is_empty() && !options.skip_invalid) {
                return Err(Abort::Rollback(report));
            }
            db.append_audit(&audit_entry(
                now,
                &who.actor,
                "patient.imported",
                "patient",
                None,
                json!({
                    "imported": report.imported,
                    "skippedDuplicates": report.skipped_duplicates.len(),
                    "rejected": report.rejected.len(),
                }),
            ))?;
            report.committed = true;
            Ok(report)
        });
        match result {
            Ok(report) | Err(Abort::Rollback(report)) => Ok(report),
            Err(Abort::Api(e)) => Err(e),
        }
    }
}
