//! `intake template ...`: import (with the report), list, activate, retire, export.

use intake_api::wire::TemplateDto;
use intake_api::{Api, Caller};

use crate::args::TemplateCommand;
use crate::commands::CliError;
use crate::output::{self, outln};

fn print_report(t: &TemplateDto) -> Result<(), CliError> {
    outln!(
        "Imported {} version {} ({}) as a draft.",
        t.slug,
        t.version,
        t.title
    )?;
    for item in t.report["items"].as_array().into_iter().flatten() {
        let outcome = item["outcome"].as_str().unwrap_or("");
        if outcome == "supported" {
            continue;
        }
        let reasons: Vec<&str> = item["reasons"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|r| r.as_str())
            .collect();
        outln!(
            "  {:<9} {}: {}",
            outcome,
            item["linkId"].as_str().unwrap_or(""),
            reasons.join("; ")
        )?;
    }
    for note in t.report["notes"].as_array().into_iter().flatten() {
        outln!("  note: {}", note.as_str().unwrap_or(""))?;
    }
    outln!("{}", t.report["summary"].as_str().unwrap_or(""))
}

pub fn run(api: &Api, caller: Caller<'_>, cmd: TemplateCommand) -> Result<(), CliError> {
    match cmd {
        TemplateCommand::Import { file, json } => {
            let bytes = std::fs::read(&file)
                .map_err(|e| CliError::Input(format!("cannot read {}: {e}", file.display())))?;
            let imported = api.import_template(caller, &bytes)?;
            if json {
                output::json(&imported)?;
            } else {
                print_report(&imported)?;
            }
        }
        TemplateCommand::List { json } => {
            let list = api.list_templates(caller)?;
            if json {
                let rows: Vec<_> = list
                    .iter()
                    .map(|t| serde_json::json!({ "slug": t.slug, "version": t.version, "title": t.title, "status": t.status }))
                    .collect();
                output::json(&rows)?;
            } else {
                let rows: Vec<Vec<String>> = list
                    .iter()
                    .map(|t| {
                        vec![
                            t.slug.clone(),
                            t.version.clone(),
                            t.status.clone(),
                            t.title.clone(),
                        ]
                    })
                    .collect();
                output::table(&["SLUG", "VERSION", "STATUS", "TITLE"], &rows)?;
            }
        }
        TemplateCommand::Activate { slug, version } => {
            let t = api.set_template_status(caller, &slug, &version, "active")?;
            outln!("{} version {} is active.", t.slug, t.version)?;
        }
        TemplateCommand::Retire { slug, version } => {
            let t = api.set_template_status(caller, &slug, &version, "retired")?;
            outln!("{} version {} is retired.", t.slug, t.version)?;
        }
        TemplateCommand::Export { slug, version } => {
            let bytes = api.export_template(caller, &slug, &version)?;
            output::bytes(&bytes)?;
        }
    }
    Ok(())
}
