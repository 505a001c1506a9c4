//! Importing patients from another system's CSV export (`intake patient import`).
//!
//! The header names the columns (any order): `mrn, family, given, birth_date, sex, phone,
//! email, address_line, city, postal_code, country, language, emergency_name,
//! emergency_relationship, emergency_phone, notes`; `family`, `given`, `birth_date` and
//! `sex` are required. Each row is checked like a registration. A row that looks like a
//! patient already registered (or an earlier row of the file) is skipped and reported.
//! An import is all-or-nothing: one rejected row imports nothing, unless
//! `skip_invalid` is set. A dry run checks everything and imports nothing.
//!
//! It never holds the database for long, so the screens and other workstations' saves
//! go on while a large file imports: the whole file is checked first in read
//! transactions of [`CHECK_CHUNK`] rows (against the register, and against the file's
//! earlier rows in memory), and only a file that passes is written, [`WRITE_CHUNK`] rows
//! per transaction (each row checked again against patients registered meanwhile). An
//! import cut short by a failure (a full disk, a killed process) keeps the chunks it
//! committed, and says so: the same file imported again skips those as duplicates.

use serde_json::json;

use std::collections::{HashMap, HashSet};

use chrono::NaiveDate;
use intake_core::duplicate::{self, DuplicateReason};
use intake_core::patient::ValidPatient;
use intake_core::text;
use intake_store::prelude::*;
use intake_store::Db;

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

/// Rows checked per read transaction.
pub const CHECK_CHUNK: usize = 1000;
/// Rows written per write transaction (a few milliseconds each).
pub const WRITE_CHUNK: usize = 200;
/// The pause after each written chunk, in which others' writes go in.
const CHUNK_PAUSE: std::time::Duration = std::time::Duration::from_millis(2);

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

/// A row that passed validation, waiting for its checks against the register.
struct Row {
    line: u64,
    patient: ValidPatient,
}

/// The file's rows accepted so far, for the duplicate checks among the file's own rows
/// (the register's are the store's queries): by birth date, phone digits and email.
#[derive(Default)]
struct Earlier {
    mrns: HashSet<String>,
    born: HashMap<NaiveDate, Vec<(String, String, String)>>,
    phones: HashMap<String, String>,
    emails: HashMap<String, String>,
}

impl Earlier {
    /// How an earlier row is named among a duplicate's candidates: its MRN, or its line.
    fn label(row: &Row) -> String {
        row.patient
            .mrn
            .clone()
            .unwrap_or_else(|| format!("line {}", row.line))
    }

    fn duplicates(&self, p: &ValidPatient) -> Vec<(String, DuplicateReason)> {
        let mut found = Vec::new();
        for (family, given, label) in self.born.get(&p.birth_date).into_iter().flatten() {
            if duplicate::similar_names((&p.family, &p.given), (family, given)) {
                found.push((label.clone(), DuplicateReason::SameBirthDateSimilarName));
            }
        }
        if let Some(label) = self.phones.get(&text::digits(&p.phone)) {
            found.push((label.clone(), DuplicateReason::SamePhone));
        }
        if let Some(label) = self.emails.get(&p.email) {
            found.push((label.clone(), DuplicateReason::SameEmail));
        }
        found
    }

    fn add(&mut self, row: &Row) {
        let label = Earlier::label(row);
        let p = &row.patient;
        if let Some(mrn) = &p.mrn {
            self.mrns.insert(mrn.clone());
        }
        self.born.entry(p.birth_date).or_default().push((
            p.family.clone(),
            p.given.clone(),
            label.clone(),
        ));
        let digits = text::digits(&p.phone);
        if !digits.is_empty() {
            self.phones.entry(digits).or_insert_with(|| label.clone());
        }
        if !p.email.is_empty() {
            self.emails.entry(p.email.clone()).or_insert(label);
        }
    }
}

/// Why a checked row is not imported: a refusal, or a likely duplicate.
enum Verdict {
    Import,
    Reject(ImportRejectDto),
    Skip(ImportSkipDto),
}

/// Checks `row` against the register (`db`) and the file's earlier rows.
fn check(db: &Db<'_>, row: &Row, earlier: &Earlier) -> Result<Verdict, ApiError> {
    let p = &row.patient;
    if let Some(mrn) = &p.mrn {
        if earlier.mrns.contains(mrn) || db.patient_by_mrn(mrn)?.is_some() {
            return Ok(Verdict::Reject(ImportRejectDto {
                line: row.line,
                field: Some("mrn".into()),
                message: format!("The MRN {mrn} is already used."),
            }));
        }
    }
    let mut candidates: Vec<String> = Vec::new();
    let mut reasons: Vec<String> = Vec::new();
    let mut note = |candidate: String, why: DuplicateReason| {
        if !candidates.contains(&candidate) {
            candidates.push(candidate);
        }
        let why = why.as_str().to_string();
        if !reasons.contains(&why) {
            reasons.push(why);
        }
    };
    for (row, why) in find_duplicates(db, p, None)? {
        for r in why {
            note(row.mrn.clone(), r);
        }
    }
    for (label, why) in earlier.duplicates(p) {
        note(label, why);
    }
    if candidates.is_empty() {
        return Ok(Verdict::Import);
    }
    Ok(Verdict::Skip(ImportSkipDto {
        line: row.line,
        name: format!("{}, {}", p.family, p.given),
        reasons,
        candidates,
    }))
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
        let mut report = ImportReportDto {
            imported: 0,
            committed: false,
            dry_run: options.dry_run,
            skipped_duplicates: Vec::new(),
            rejected: Vec::new(),
        };

        // The check: every row, in order, nothing written.
        let mut accepted: Vec<Row> = Vec::new();
        let mut earlier = Earlier::default();
        let mut chunk: Vec<Row> = Vec::with_capacity(CHECK_CHUNK);
        let mut record = csv::ByteRecord::new();
        let mut done = false;
        while !done {
            chunk.clear();
            while chunk.len() < CHECK_CHUNK {
                let line = reader.position().line();
                match reader.read_byte_record(&mut record) {
                    Ok(false) => {
                        done = true;
                        break;
                    }
                    Ok(true) => {}
                    Err(e) => {
                        report.rejected.push(ImportRejectDto {
                            line,
                            field: None,
                            message: e.to_string(),
                        });
                        if matches!(e.kind(), csv::ErrorKind::Io(_)) {
                            done = true;
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
                match validate(&input_from(&text, &index), today) {
                    Ok(patient) => chunk.push(Row { line, patient }),
                    Err(e) => report.rejected.push(ImportRejectDto {
                        line,
                        field: e.field().map(str::to_string),
                        message: e.to_string(),
                    }),
                }
            }
            self.store.read(|db| {
                for row in chunk.drain(..) {
                    match check(db, &row, &earlier)? {
                        Verdict::Import => {
                            earlier.add(&row);
                            accepted.push(row);
                        }
                        Verdict::Reject(r) => report.rejected.push(r),
                        Verdict::Skip(s) => report.skipped_duplicates.push(s),
                    }
                }
                Ok::<_, ApiError>(())
            })?;
        }
        report.rejected.sort_by_key(|r| r.line);
        report.imported = accepted.len() as u64;
        if options.dry_run || (!report.rejected.is_empty() && !options.skip_invalid) {
            return Ok(report);
        }

        // The writes, a chunk per transaction; each row checked again against patients
        // registered since the check (by the app, another workstation).
        let mut imported = 0usize;
        let no_earlier = Earlier::default();
        for rows in accepted.chunks(WRITE_CHUNK) {
            let written = self.store.write(|db| {
                let mut written = 0usize;
                for row in rows {
                    match check(db, row, &no_earlier)? {
                        Verdict::Import => {}
                        Verdict::Reject(r) => {
                            report.rejected.push(r);
                            continue;
                        }
                        Verdict::Skip(s) => {
                            report.skipped_duplicates.push(s);
                            continue;
                        }
                    }
                    let p = &row.patient;
                    let line = row.line;
                    let mrn = match &p.mrn {
                        Some(mrn) => mrn.clone(),
                        None => db.next_generated_mrn()?,
                    };
                    let created = json!({ "mrn": [null, mrn], "importedFromLine": [null, line] });
                    let id = db.insert_patient(p, &mrn, &created, now, &who.actor)?;
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
                    written += 1;
                }
                Ok::<_, ApiError>(written)
            });
            // A moment between chunks, in which a waiting save takes the lock.
            std::thread::sleep(CHUNK_PAUSE);
            match written {
                Ok(n) => imported += n,
                Err(e) => {
                    return Err(cut_short(imported, accepted.len(), e));
                }
            }
        }
        report.imported = imported as u64;
        report.rejected.sort_by_key(|r| r.line);
        report.skipped_duplicates.sort_by_key(|s| s.line);
        self.store
            .write(|db| {
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
                ))
            })
            .map_err(|e| cut_short(imported, accepted.len(), e.into()))?;
        report.committed = true;
        Ok(report)
    }
}

/// The error of an import that failed after committing `imported` of `total` rows.
fn cut_short(imported: usize, total: usize, e: ApiError) -> ApiError {
    if imported == 0 {
        return e;
    }
    ApiError::Internal(format!(
        "The import stopped after {imported} of {total} patients were imported: {e}. \
         Import the same file again to finish: the patients already imported are skipped \
         as duplicates."
    ))
}
