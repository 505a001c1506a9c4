//! Patient search: one box, ranked answers (see `intake_core::search` for how typed text
//! is taken apart). Every search is audited with its result count, never its text.

use intake_core::search::{self, Tier};
use intake_core::{text, Role};
use serde_json::json;

use intake_store::prelude::*;
use intake_store::{PatientRow, PatientStatus, WordMatch};

use crate::admin::settings;
use crate::permissions::Permission;
use crate::wire::patients::{PatientSearchDto, PatientSummaryDto};
use crate::{Api, ApiError, Caller};

/// The most results a search returns.
pub const SEARCH_LIMIT: usize = 50;
/// How many rows each index query reads before ranking.
const CANDIDATES: u32 = 200;

impl Api {
    /// Finds patients by name fragments, date of birth, MRN or phone digits; at most
    /// [`SEARCH_LIMIT`], best first. Patients entered in error are left out, except for
    /// administrators.
    pub fn search_patients(
        &self,
        caller: Caller<'_>,
        raw: &str,
    ) -> Result<PatientSearchDto, ApiError> {
        let who = self.authorize(caller, Permission::ViewPatients)?;
        let include_inactive = who.role == Role::Admin;
        let today = self.today()?;
        let (patients, truncated) = self.store.read(|db| {
            let query = search::parse(raw, settings::date_order(db)?);
            if query.is_empty() {
                return Ok::<_, ApiError>((Vec::new(), false));
            }
            // Each query reads at most CANDIDATES rows (in index order) before ranking; if
            // one is full, better matches may exist beyond it, and the answer says so.
            let mut full = false;
            let mut ranked: Vec<(Tier, PatientRow)> = Vec::new();
            let mut push = |tier: Tier, row: PatientRow| {
                if let Some(existing) = ranked.iter_mut().find(|(_, r)| r.id == row.id) {
                    existing.0 = existing.0.min(tier);
                } else {
                    ranked.push((tier, row));
                }
            };
            if let Some(mrn) = &query.mrn {
                if let Some(row) = db.patient_by_mrn(mrn)? {
                    if include_inactive || row.status == PatientStatus::Active {
                        push(Tier::ExactMrn, row);
                    }
                }
            }
            let name_tier = |row: &PatientRow| {
                if search::is_full_name_match(&query.words, &row.fields.family, &row.fields.given) {
                    Tier::FullName
                } else {
                    Tier::Partial
                }
            };
            if !query.words.is_empty() {
                let mut rows = db.search_patient_names(
                    &query.words,
                    WordMatch::Whole,
                    query.birth_date,
                    include_inactive,
                    CANDIDATES,
                )?;
                let partial = db.search_patient_names(
                    &query.words,
                    WordMatch::Prefix,
                    query.birth_date,
                    include_inactive,
                    CANDIDATES,
                )?;
                full |= partial.len() >= CANDIDATES as usize;
                rows.extend(partial);
                for row in rows {
                    let phone_ok = query
                        .digits
                        .as_ref()
                        .is_none_or(|d| text::digits(&row.fields.phone).contains(d.as_str()));
                    if phone_ok {
                        push(name_tier(&row), row);
                    }
                }
            } else {
                if let Some(date) = query.birth_date {
                    let rows = db.patients_born_on(date, include_inactive, CANDIDATES)?;
                    full |= rows.len() >= CANDIDATES as usize;
                    for row in rows {
                        push(Tier::Partial, row);
                    }
                }
                if let Some(digits) = &query.digits {
                    let rows = db.search_patient_phones(digits, include_inactive, CANDIDATES)?;
                    full |= rows.len() >= CANDIDATES as usize;
                    for row in rows {
                        push(Tier::Partial, row);
                    }
                }
            }
            ranked.sort_by_cached_key(|(tier, r)| {
                (
                    *tier,
                    text::fold(&r.fields.family),
                    text::fold(&r.fields.given),
                    r.id,
                )
            });
            let truncated = full || ranked.len() > SEARCH_LIMIT;
            ranked.truncate(SEARCH_LIMIT);
            Ok((
                ranked.into_iter().map(|(_, r)| r).collect::<Vec<_>>(),
                truncated,
            ))
        })?;
        if !raw.trim().is_empty() {
            let detail = json!({ "results": patients.len() });
            self.note_read(&who, "patient.searched", None, "patient", None, detail);
        }
        Ok(PatientSearchDto {
            patients: patients
                .iter()
                .map(|p| PatientSummaryDto::new(p, today))
                .collect(),
            truncated,
        })
    }
}
