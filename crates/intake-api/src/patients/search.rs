//! Patient search: one box, ranked answers (see `intake_core::search` for how typed text
//! is taken apart): an exact MRN (typed with or without its dash), whole names, name
//! prefixes, then names one typing error away. A chart merged into another is found
//! saying where it leads. Every search is audited with its result count, never its text.

use intake_core::search::{self, NearWord, Tier};
use intake_core::{text, PatientId, Role};
use serde_json::json;

use intake_store::prelude::*;
use intake_store::{Db, PatientRow, PatientStatus, WordMatch};

use crate::admin::settings;
use crate::patients::merge;
use crate::permissions::Permission;
use crate::wire::patients::{LastVisitDto, PatientSearchDto, PatientSummaryDto};
use crate::{Api, ApiError, Caller};

/// The most results a search returns.
pub const SEARCH_LIMIT: usize = 50;
/// How many rows each index query reads before ranking.
const CANDIDATES: u32 = 200;
/// How many name words sharing a typed word's first two letters are compared with it.
const NEAR_CANDIDATES: u32 = 2_000;

/// Each query word with the indexed name words one typing error from it (words of
/// [`search::NEAR_MIN_CHARS`] letters or more; shorter ones match as prefixes only):
/// those sharing its first two letters, read from the index and compared, and every
/// edit of its first two letters ([`search::early_edits`], matched whole by the index).
fn near_words(db: &Db<'_>, words: &[String]) -> Result<Vec<NearWord>, ApiError> {
    let mut out = Vec::with_capacity(words.len());
    for word in words {
        let mut near = Vec::new();
        if search::is_fuzzed(word) {
            let n = word.chars().count();
            let prefix = search::near_prefix(word);
            for term in db.name_words_starting(&prefix, n - 1, n + 1, NEAR_CANDIDATES)? {
                if term != *word && search::one_edit_apart(word, &term) {
                    near.push(term);
                }
            }
            near.extend(search::early_edits(word));
        }
        out.push(NearWord {
            word: word.clone(),
            near,
        });
    }
    Ok(out)
}

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
                // An MRN typed with or without its dash ("0000034" finds "000003-4").
                let row = match db.patient_by_mrn(mrn)? {
                    Some(row) => Some(row),
                    None => db.patient_by_compact_mrn(&mrn.replace('-', ""))?,
                };
                if let Some(row) = row {
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
                let mut near_rows = Vec::new();
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
                // Names one typing error away rank after every exact and prefix match, so
                // they are looked for only while those leave room.
                if partial.len() < SEARCH_LIMIT && query.words.iter().any(|w| search::is_fuzzed(w))
                {
                    let near = near_words(db, &query.words)?;
                    let found = db.search_patient_names_near(
                        &near,
                        query.birth_date,
                        include_inactive,
                        CANDIDATES,
                    )?;
                    full |= found.len() >= CANDIDATES as usize;
                    near_rows = found;
                }
                rows.extend(partial);
                let phone_ok = |row: &PatientRow| {
                    query
                        .digits
                        .as_ref()
                        .is_none_or(|d| text::digits(&row.fields.phone).contains(d.as_str()))
                };
                for row in rows {
                    if phone_ok(&row) {
                        push(name_tier(&row), row);
                    }
                }
                for row in near_rows {
                    if phone_ok(&row) {
                        push(Tier::Near, row);
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
            // A chart merged into another is still found, saying where it leads; each
            // shows its last visit (a survivor's over every chart merged into it). The
            // links and last visits of the whole page are read at once.
            let ids: Vec<PatientId> = ranked.iter().map(|(_, row)| row.id).collect();
            let links = db.merges_touching(&ids)?;
            let charts: Vec<Vec<PatientId>> = ids
                .iter()
                .map(|&id| merge::chart_ids_among(&links, id))
                .collect();
            let every_chart: Vec<PatientId> = charts.iter().flatten().copied().collect();
            let last = db.last_visits(&every_chart)?;
            let mut found = Vec::with_capacity(ranked.len());
            for ((_, row), chart) in ranked.into_iter().zip(charts) {
                let mut summary = PatientSummaryDto::new(&row, today);
                merge::mark_merged_among(db, &links, &mut summary)?;
                summary.last_visit = last
                    .iter()
                    .filter(|(id, _, _)| chart.contains(id))
                    .max_by_key(|(_, at, _)| *at)
                    .map(|(_, at, status)| LastVisitDto::new(*at, *status));
                found.push(summary);
            }
            Ok((found, truncated))
        })?;
        if !raw.trim().is_empty() {
            let detail = json!({ "results": patients.len() });
            self.note_read(&who, "patient.searched", None, "patient", None, detail);
        }
        Ok(PatientSearchDto {
            patients,
            truncated,
        })
    }
}
