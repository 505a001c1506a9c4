//! `intake patient ...`: register, find, show, import, merge and unmerge patients.

use intake_api::wire::ImportOptions;
use intake_api::wire::{PatientDto, PatientInputDto, PatientSummaryDto};
use intake_api::{Api, ApiError, Caller};

use crate::args::PatientCommand;
use crate::commands::CliError;
use crate::output::{self, outln};

fn summary_rows(patients: &[PatientSummaryDto]) -> Vec<Vec<String>> {
    patients
        .iter()
        .map(|p| {
            let flag = match (&p.merged_into, p.status.as_str()) {
                (Some(into), _) => format!(" (merged into {into})"),
                (None, "active") => String::new(),
                (None, _) => " (entered in error)".to_string(),
            };
            vec![
                p.mrn.clone(),
                format!("{}, {}{flag}", p.family, p.given),
                format!("{} ({})", p.birth_date, p.age),
                p.sex.clone(),
            ]
        })
        .collect()
}

/// The JSON shape of `find`: what scripts need, in FHIR-like names.
fn find_json(p: &PatientSummaryDto) -> serde_json::Value {
    let mut out = serde_json::json!({
        "mrn": p.mrn,
        "family": p.family,
        "given": p.given,
        "birthDate": p.birth_date,
        "sex": p.sex,
        "status": p.status,
    });
    if let Some(into) = &p.merged_into {
        out["mergedInto"] = serde_json::Value::from(into.as_str());
    }
    out
}

/// The non-empty parts, joined with ", ".
fn joined(parts: &[&str]) -> String {
    parts
        .iter()
        .filter(|s| !s.is_empty())
        .copied()
        .collect::<Vec<_>>()
        .join(", ")
}

fn show(p: &PatientDto) -> Result<(), CliError> {
    let rows = [
        ("MRN", p.mrn.clone()),
        ("Name", format!("{}, {}", p.family, p.given)),
        ("Date of birth", format!("{} (age {})", p.birth_date, p.age)),
        ("Sex", p.sex.clone()),
        ("Phone", p.phone.clone()),
        ("Email", p.email.clone()),
        (
            "Address",
            joined(&[&p.address_line, &p.postal_code, &p.city, &p.country]),
        ),
        ("Language", p.language.clone()),
        (
            "Emergency contact",
            joined(&[
                &p.emergency_name,
                &p.emergency_relationship,
                &p.emergency_phone,
            ]),
        ),
        ("Notes", p.notes.clone()),
        (
            "Status",
            match &p.status_reason {
                Some(reason) => format!("{} ({reason})", p.status),
                None => p.status.clone(),
            },
        ),
        ("MRNs", p.identifiers.join(", ")),
        (
            "Merged into",
            p.merged_into
                .as_ref()
                .map(|m| {
                    format!(
                        "{}, {} ({})",
                        m.patient.family, m.patient.given, m.patient.mrn
                    )
                })
                .unwrap_or_default(),
        ),
        (
            "Registered",
            format!("{} by {}", p.created_at, p.created_by),
        ),
        (
            "Changed",
            format!(
                "{} by {} (version {})",
                p.updated_at, p.updated_by, p.version
            ),
        ),
    ];
    for (label, value) in rows {
        outln!(
            "{label:<18} {}",
            if value.is_empty() { "-" } else { &value }
        )?;
    }
    Ok(())
}

pub fn run(api: &Api, caller: Caller<'_>, cmd: PatientCommand) -> Result<(), CliError> {
    match cmd {
        PatientCommand::Add {
            family,
            given,
            birth_date,
            sex,
            phone,
            email,
            mrn,
            allow_duplicate,
        } => {
            let input = PatientInputDto {
                mrn,
                family,
                given,
                birth_date,
                sex,
                phone,
                email,
                ..Default::default()
            };
            let saved = api.register_patient(caller, &input, allow_duplicate.as_deref())?;
            match saved.patient {
                Some(p) => outln!("{}", p.mrn)?,
                None => {
                    eprintln!("Likely duplicates of patients already registered:");
                    for d in &saved.duplicates {
                        let p = &d.patient;
                        eprintln!(
                            "  {}  {}, {}  {}  {}",
                            p.mrn,
                            p.family,
                            p.given,
                            p.birth_date,
                            d.reasons.join("; ")
                        );
                    }
                    return Err(CliError::Input(
                        "not registered: a likely duplicate exists; open it, or give --allow-duplicate REASON".into(),
                    ));
                }
            }
        }
        PatientCommand::Find { query, json } => {
            let found = api.search_patients(caller, &query)?;
            if json {
                let list: Vec<_> = found.patients.iter().map(find_json).collect();
                output::json(&list)?;
            } else if found.patients.is_empty() {
                outln!("No patient matches {query:?}.")?;
            } else {
                output::table(
                    &["MRN", "NAME", "BORN (AGE)", "SEX"],
                    &summary_rows(&found.patients),
                )?;
            }
        }
        PatientCommand::Show { mrn, json } => {
            let found = api.search_patients(caller, &mrn)?;
            let wanted = mrn.trim().to_uppercase();
            let Some(hit) = found.patients.iter().find(|p| p.mrn == wanted) else {
                return Err(ApiError::NotFound(format!("No patient has the MRN {mrn:?}.")).into());
            };
            let patient = api.get_patient(caller, hit.id)?;
            if json {
                output::json(&patient)?;
            } else {
                show(&patient)?;
            }
        }
        PatientCommand::Merge {
            into,
            merged,
            reason,
        } => {
            let survivor = api.find_chart(caller, &into)?;
            let merged = api.find_chart(caller, &merged)?;
            let kept = api.merge_patients(caller, survivor, merged, &reason)?;
            outln!(
                "Merged into {}, {} ({}); it now answers to {}.",
                kept.family,
                kept.given,
                kept.mrn,
                kept.identifiers.join(", ")
            )?;
        }
        PatientCommand::Unmerge { merged } => {
            let merged = api.find_chart(caller, &merged)?;
            let alone = api.unmerge_patient(caller, merged)?;
            outln!(
                "{}, {} ({}) is a chart of its own again.",
                alone.family,
                alone.given,
                alone.mrn
            )?;
        }
        PatientCommand::Import {
            file,
            dry_run,
            skip_invalid,
        } => {
            let data = std::fs::read(&file)
                .map_err(|e| CliError::Input(format!("cannot read {}: {e}", file.display())))?;
            let report = api.import_patients_csv(
                caller,
                &data,
                ImportOptions {
                    dry_run,
                    skip_invalid,
                },
            )?;
            for r in &report.rejected {
                let field = r
                    .field
                    .as_deref()
                    .map(|f| format!(" ({f})"))
                    .unwrap_or_default();
                outln!("line {}: rejected{field}: {}", r.line, r.message)?;
            }
            for s in &report.skipped_duplicates {
                outln!(
                    "line {}: skipped, likely duplicate of {} ({}): {}",
                    s.line,
                    s.candidates.join(", "),
                    s.reasons.join("; "),
                    s.name
                )?;
            }
            let verb = if report.committed {
                "imported"
            } else {
                "would import"
            };
            outln!(
                "{} rows {verb}, {} skipped as likely duplicates, {} rejected.",
                report.imported,
                report.skipped_duplicates.len(),
                report.rejected.len()
            )?;
            if !report.committed && !dry_run {
                return Err(CliError::Input(
                    "nothing was imported because rows were rejected; fix them or pass --skip-invalid".into(),
                ));
            }
        }
    }
    Ok(())
}
