//! PDF summaries of visits: the summary document of an encounter (built by
//! `intake_core::summary` from the record as it stands), rendered by `intake-pdf`, written
//! whole or not at all, and audited. One visit here; many in [`crate::export::batch`].
//!
//! - The summary shows what the record holds: for a submitted, signed or amended visit
//!   the answers in the record (while an amendment is open, the record as last signed);
//!   for a draft what the form enables now. Its footer carries the SHA-256 of the record's canonical JSON
//!   ([`crate::record::canonical`]), the same hash a signature keeps.
//! - People are named as the clinic knows them: "Dr. Paul Okafor (physician)".
//! - File names are made from the visit date, the MRN and the encounter id only, with
//!   anything but letters, digits and `-` replaced, so no MRN can reach another folder.

use std::collections::BTreeMap;
use std::path::Path;

use chrono::{DateTime, NaiveDate, Utc};
use intake_core::questionnaire::response::{evaluate, FormIndex, Key};
use intake_core::summary::{self, Amendment, Origin, Signature, Summary, SummaryInput};
use intake_core::{EncounterId, EncounterStatus, EventKind};
use intake_store::prelude::*;
use intake_store::{AnswerRow, Db, EncounterRow};
use serde_json::json;
use sha2::{Digest, Sha256};

use crate::clock::{clinic_zone, ClinicZone};
use crate::export::files::{check_destination, Kind};
use crate::permissions::Permission;
use crate::record::answers::{response_of, shown_response};
use crate::record::canonical::{canonical, signed_answers, RecordForm};
use crate::record::seal::visit_differs;
use crate::wire::export::ExportedDto;
use crate::{Api, ApiError, Caller};

/// One visit ready to render: its summary, what the file is called, and its facts.
pub(crate) struct Prepared {
    pub summary: Summary,
    pub file_name: String,
    pub encounter: EncounterId,
    pub mrn: String,
    pub visit_date: NaiveDate,
    pub status: EncounterStatus,
}

/// Letters, digits and `-` of `s`, anything else as `_` (runs of it once), at most 40
/// characters; never empty, never `.` or `..`.
pub(crate) fn file_safe(s: &str) -> String {
    let mut out = String::new();
    for c in s.chars() {
        let keep = c.is_ascii_alphanumeric() || c == '-';
        if keep {
            out.push(c);
        } else if !out.ends_with('_') {
            out.push('_');
        }
        if out.len() >= 40 {
            break;
        }
    }
    let out = out.trim_matches('_').to_string();
    if out.is_empty() {
        "unknown".to_string()
    } else {
        out
    }
}

/// `YYYY-MM-DD_MRN_visit-ID.pdf`.
pub(crate) fn file_name(visit: NaiveDate, mrn: &str, id: EncounterId) -> String {
    format!("{visit}_{}_visit-{id}.pdf", file_safe(mrn))
}

fn source_of(a: &AnswerRow, name: &dyn Fn(&str) -> String, zone: &ClinicZone) -> Origin {
    Origin::new(
        a.source,
        a.carried
            .as_ref()
            .map(|c| (zone.day_of(c.date), a.confirmed_by.as_deref().map(name))),
    )
}

pub(crate) fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

impl Api {
    /// The shared renderer (the fonts are parsed once per process).
    pub(crate) fn renderer(&self) -> Result<&'static intake_pdf::Renderer, ApiError> {
        intake_pdf::shared()
            .map_err(|e| ApiError::Internal(format!("the PDF fonts cannot be used: {e}")))
    }

    /// Loads visit `id` and builds its summary.
    pub(crate) fn prepare_summary(
        &self,
        db: &Db<'_>,
        id: EncounterId,
    ) -> Result<Prepared, ApiError> {
        let e: EncounterRow = self.encounter_row(db, id)?;
        let q = self.form(db, e.template_id)?;
        let events = db.encounter_events(id)?;
        // While an amendment is open, the record is still the one last signed.
        let rows = match (
            &e.amending,
            events.iter().rev().find(|v| v.record_json.is_some()),
        ) {
            (Some(_), Some(signed)) => signed_answers(signed, &FormIndex::new(&q.items))?,
            _ => db.answers(id)?,
        };
        // A signed record must still be what was signed: one changed outside the app
        // (around the database's triggers) is not printed as if it were.
        if let Some(what) = visit_differs(db, &e)? {
            return Err(ApiError::Conflict(format!(
                "This record differs from what was signed (visit {id}, MRN {}): {what}. \
                 No PDF was written; an administrator can run `intake verify`.",
                e.mrn
            )));
        }
        let patient = db
            .patient(e.patient_id)?
            .ok_or_else(|| ApiError::Internal(format!("intake {id}'s patient is missing")))?;
        let status = e.status;
        // The people the summary names: "Dr. Paul Okafor (physician)", or the user name
        // alone when the account has no other name (or none: a CLI actor).
        let named = rows
            .iter()
            .filter_map(|a| a.confirmed_by.as_deref())
            .chain(events.iter().map(|v| v.by.as_str()));
        let people: BTreeMap<String, String> = self
            .display_names(db, named)?
            .into_iter()
            .filter(|(username, shown)| shown != username)
            .map(|(username, shown)| {
                let both = format!("{shown} ({username})");
                (username, both)
            })
            .collect();
        let shown_name = |u: &str| people.get(u).cloned().unwrap_or_else(|| u.to_string());
        // A draft shows what the form enables now; any other record what is in it.
        let disabled = (e.status == EncounterStatus::Draft)
            .then(|| evaluate(&FormIndex::new(&q.items), &response_of(&rows)).disabled);
        let response = shown_response(&rows, disabled.as_ref());
        // Days are the clinic's: an evening visit keeps its evening's date.
        let zone = clinic_zone(db)?;
        let provenance: BTreeMap<Key, Origin> = rows
            .iter()
            .map(|a| (a.key.clone(), source_of(a, &shown_name, &zone)))
            .collect();
        // The first signature; an amendment's is the amendment line.
        let signature = events
            .iter()
            .find(|v| v.kind == EventKind::Signed)
            .map(|v| Signature {
                by: shown_name(&v.by),
                at: v.at,
            });
        let amendment = e.amended.as_ref().map(|a| Amendment {
            on: a.at,
            by: shown_name(&a.by),
            reason: a.text.clone(),
        });
        let record = canonical(&e, &rows, RecordForm::current(&events)?);
        let clinic = crate::admin::settings::read(db)?.clinic_name;
        let visit_date = zone.day_of(e.started_at);
        let summary = summary::build(&SummaryInput {
            clinic_name: &clinic,
            patient_name: &e.patient_name,
            birth_date: patient.fields.birth_date,
            mrn: &e.mrn,
            visit_date,
            template_title: &e.template_title,
            template_version: &e.template_version,
            status,
            signature: signature.as_ref(),
            amendment: amendment.as_ref(),
            record_sha256: &record.sha256,
            questionnaire: &q,
            response: &response,
            provenance: &provenance,
        });
        Ok(Prepared {
            summary,
            file_name: file_name(visit_date, &e.mrn, id),
            encounter: id,
            mrn: e.mrn,
            visit_date,
            status: e.status,
        })
    }

    /// Renders a prepared summary on the clinic's paper.
    pub(crate) fn render_pdf(
        &self,
        prepared: &Prepared,
        paper: intake_pdf::Paper,
        at: DateTime<Utc>,
    ) -> Result<Vec<u8>, ApiError> {
        self.renderer()?
            .render(
                &prepared.summary,
                &intake_pdf::RenderOptions {
                    paper,
                    generated_at: at,
                },
            )
            .map_err(|e| {
                ApiError::Internal(format!(
                    "the summary of intake {} could not be rendered: {e}",
                    prepared.encounter
                ))
            })
    }

    /// The file name a PDF of visit `id` gets by default: `YYYY-MM-DD_MRN_visit-ID.pdf`.
    pub fn pdf_file_name(&self, caller: Caller<'_>, id: i64) -> Result<String, ApiError> {
        let id = EncounterId(id);
        self.authorize(caller, Permission::ExportPdf)?;
        self.store.read(|db| {
            let e = self.encounter_row(db, id)?;
            let day = clinic_zone(db)?.day_of(e.started_at);
            Ok(file_name(day, &e.mrn, id))
        })
    }

    /// Writes the PDF summary of visit `id` to `path` (whole or not at all), audited.
    pub fn export_pdf(
        &self,
        caller: Caller<'_>,
        id: i64,
        path: &Path,
    ) -> Result<ExportedDto, ApiError> {
        let id = EncounterId(id);
        let who = self.authorize(caller, Permission::ExportPdf)?;
        let data = self.data_folder();
        check_destination(path, data.as_deref(), Kind::Pdf)?;
        let now = self.now();
        let (prepared, paper, patient_id) = self.store.read(|db| {
            let prepared = self.prepare_summary(db, id)?;
            let patient = self.encounter_row(db, id)?.patient_id;
            Ok::<_, ApiError>((prepared, crate::admin::settings::paper_size(db)?, patient))
        })?;
        let bytes = self.render_pdf(&prepared, paper, now)?;
        // Written under a temporary name, audited, then renamed: no summary appears on
        // disk without its audit entry.
        let staged = crate::export::files::stage(path, &bytes)?;
        let pdf_sha256 = sha256_hex(&bytes);
        let file = path
            .file_name()
            .map(|f| f.to_string_lossy().into_owned())
            .unwrap_or_default();
        self.store.write(|db| {
            db.append_audit(&intake_store::NewAuditEntry {
                at: now,
                actor: &who.actor,
                action: "export.pdf",
                patient_id: Some(patient_id.0),
                entity: "encounter",
                entity_id: Some(id.to_string()),
                detail: json!({
                    "file": file,
                    "pdfSha256": pdf_sha256,
                    "recordSha256": prepared.summary.record_sha256,
                    "status": prepared.status.as_str(),
                }),
            })?;
            Ok::<_, ApiError>(())
        })?;
        crate::export::files::place(staged, path)?;
        Ok(ExportedDto {
            path: path.display().to_string(),
            file_name: file,
            bytes: bytes.len(),
            pdf_sha256,
            record_sha256: prepared.summary.record_sha256.clone(),
            status: prepared.status.as_str().to_string(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_names_never_leave_their_folder() {
        let day = NaiveDate::from_ymd_opt(2026, 10, 2).expect("a date");
        assert_eq!(
            file_name(day, "000123-4", EncounterId(7)),
            "2026-10-02_000123-4_visit-7.pdf"
        );
        assert_eq!(
            file_name(day, "../../x", EncounterId(7)),
            "2026-10-02_x_visit-7.pdf"
        );
        assert_eq!(
            file_name(day, "/etc/passwd", EncounterId(7)),
            "2026-10-02_etc_passwd_visit-7.pdf"
        );
        assert_eq!(
            file_name(day, "..", EncounterId(7)),
            "2026-10-02_unknown_visit-7.pdf"
        );
        assert_eq!(
            file_name(day, "Zoë Ł", EncounterId(7)),
            "2026-10-02_Zo_visit-7.pdf"
        );
        let long = "A".repeat(300);
        assert!(file_name(day, &long, EncounterId(7)).len() < 80);
    }
}
