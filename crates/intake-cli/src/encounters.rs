//! `intake encounter ...`: list intakes, show one with every answer, show the
//! carry-forward plan for a new one. Read-only.

use intake_api::{Api, ApiError, Caller};
use serde_json::{json, Value};

use crate::args::EncounterCommand;
use crate::commands::CliError;
use crate::output::{self, outln};

/// The id of the patient with this MRN.
fn patient_id(api: &Api, caller: Caller<'_>, mrn: &str) -> Result<i64, CliError> {
    let found = api.search_patients(caller, mrn)?;
    let wanted = mrn.trim().to_uppercase();
    found
        .patients
        .iter()
        .find(|p| p.mrn == wanted)
        .map(|p| p.id)
        .ok_or_else(|| ApiError::NotFound(format!("No patient has the MRN {mrn:?}.")).into())
}

/// A value as one short line: `82.5`, `Nearly every day`, `2026-11-24`.
fn shown(values: &[Value]) -> String {
    values
        .iter()
        .map(|v| {
            let Some((_, inner)) = v.as_object().and_then(|o| o.iter().next()) else {
                return String::new();
            };
            match inner {
                Value::String(s) => s.clone(),
                Value::Object(o) => o
                    .get("display")
                    .or_else(|| o.get("code"))
                    .or_else(|| o.get("value"))
                    .or_else(|| o.get("reference"))
                    .map(|x| x.as_str().map_or_else(|| x.to_string(), str::to_string))
                    .unwrap_or_default(),
                other => other.to_string(),
            }
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// `encounter show --json`: the encounter as the app sends it, plus `template` (its slug)
/// and, on each answer, `value` (the first of its `values`; null on a repeating-group row).
fn show_json(detail: &intake_api::wire::EncounterDetailDto) -> Result<Value, CliError> {
    let mut out = serde_json::to_value(detail)
        .map_err(|e| ApiError::Internal(format!("the intake does not serialise: {e}")))?;
    out["template"] = json!(detail.encounter.template_slug);
    if let Some(answers) = out["answers"].as_array_mut() {
        for a in answers {
            a["value"] = a["values"].get(0).cloned().unwrap_or(Value::Null);
        }
    }
    Ok(out)
}

pub fn run(api: &Api, caller: Caller<'_>, cmd: EncounterCommand) -> Result<(), CliError> {
    match cmd {
        EncounterCommand::List {
            patient,
            status,
            json,
        } => {
            let patient_id = match &patient {
                Some(mrn) => Some(patient_id(api, caller, mrn)?),
                None => None,
            };
            let list = api.list_encounters(caller, patient_id, status.as_deref())?;
            if json {
                let rows: Vec<Value> = list
                    .iter()
                    .map(|e| {
                        json!({
                            "id": e.id,
                            "mrn": e.mrn,
                            "patient": e.patient_name,
                            "template": e.template_slug,
                            "templateVersion": e.template_version,
                            "status": e.status,
                            "startedAt": e.started_at,
                            "startedBy": e.started_by,
                            "submittedAt": e.submitted_at,
                            "submittedBy": e.submitted_by,
                            "signedAt": e.signed_at,
                            "signedBy": e.signed_by,
                        })
                    })
                    .collect();
                output::json(&rows)?;
            } else {
                let rows: Vec<Vec<String>> = list
                    .iter()
                    .map(|e| {
                        vec![
                            e.id.to_string(),
                            e.mrn.clone(),
                            e.patient_name.clone(),
                            format!("{}@{}", e.template_slug, e.template_version),
                            e.status.clone(),
                            e.started_at.clone(),
                            e.submitted_at.clone().unwrap_or_default(),
                        ]
                    })
                    .collect();
                output::table(
                    &[
                        "ID",
                        "MRN",
                        "PATIENT",
                        "TEMPLATE",
                        "STATUS",
                        "STARTED",
                        "SUBMITTED",
                    ],
                    &rows,
                )?;
            }
        }
        EncounterCommand::Show { id, json } => {
            let detail = api.encounter_detail(caller, id)?;
            if json {
                output::json(&show_json(&detail)?)?;
            } else {
                let e = &detail.encounter;
                outln!(
                    "Intake {} · {} ({}) · {} version {} · {}",
                    e.id,
                    e.patient_name,
                    e.mrn,
                    e.template_title,
                    e.template_version,
                    e.status
                )?;
                outln!("Started {} by {}", e.started_at, e.started_by)?;
                if let (Some(at), Some(by)) = (&e.submitted_at, &e.submitted_by) {
                    outln!("Submitted {at} by {by}")?;
                }
                if let Some(r) = &e.returned {
                    outln!("Returned {} by {}: {}", r.at, r.by, r.comment)?;
                }
                if let (Some(at), Some(by)) = (&e.signed_at, &e.signed_by) {
                    outln!("Signed {at} by {by}")?;
                }
                if let Some(a) = &e.amended {
                    outln!("Amended on {} by {}: {}", a.at, a.by, a.reason)?;
                }
                if let Some(a) = &e.amending {
                    outln!("Being amended by {} since {}: {}", a.by, a.since, a.reason)?;
                }
                if let Some(x) = &e.in_error {
                    outln!(
                        "Entered in error, marked {} by {}: {}",
                        x.at,
                        x.by,
                        x.reason
                    )?;
                }
                let rows: Vec<Vec<String>> = detail
                    .answers
                    .iter()
                    .map(|a| {
                        vec![
                            a.key.clone(),
                            shown(&a.values),
                            a.source.clone(),
                            a.author.clone(),
                            a.at.clone(),
                            if a.in_record { "" } else { "left out" }.into(),
                        ]
                    })
                    .collect();
                output::table(&["KEY", "VALUE", "SOURCE", "AUTHOR", "AT", ""], &rows)?;
            }
        }
        EncounterCommand::Plan {
            patient,
            template,
            version,
            json,
        } => {
            let id = patient_id(api, caller, &patient)?;
            let plan = api.plan_intake(caller, id, template.as_deref(), version.as_deref())?;
            if json {
                output::json(&plan)?;
            } else {
                outln!("{} version {}", plan.template, plan.version)?;
                for s in &plan.skipped {
                    outln!("Not used: {s}")?;
                }
                let rows: Vec<Vec<String>> = plan
                    .entries
                    .iter()
                    .filter(|e| {
                        e.source.is_some() || e.hint.is_some() || e.not_carried_reason.is_some()
                    })
                    .map(|e| {
                        let value = e
                            .value
                            .iter()
                            .chain(e.values.iter().skip(1))
                            .cloned()
                            .collect::<Vec<_>>();
                        let note = match (&e.not_carried_reason, &e.hint) {
                            (Some(why), _) => format!("not carried: {why}"),
                            (None, Some(hint)) => hint.clone(),
                            _ if e.needs_confirmation => "to confirm".into(),
                            _ => String::new(),
                        };
                        vec![
                            e.key.clone(),
                            shown(&value),
                            e.source.unwrap_or("").to_string(),
                            e.source_date.clone().unwrap_or_default(),
                            note,
                        ]
                    })
                    .collect();
                output::table(&["KEY", "VALUE", "SOURCE", "FROM", "NOTE"], &rows)?;
            }
        }
    }
    Ok(())
}
