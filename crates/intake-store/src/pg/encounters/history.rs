//! The answers' history, outcomes and exports on the server (SQLite's `crate::revisions`,
//! `crate::outcomes`, `crate::exports`).

use chrono::{DateTime, Utc};
use intake_core::questionnaire::response::KeyParseError;
use intake_core::{AnswerSource, EncounterId, EncounterStatus};

use crate::pg::{get, PgDb};
use crate::traits::{Exports, Outcomes, Revisions};
use crate::{decode_values, format_time, parse_time, OutcomeRow, RevisionRow, StoreError};

impl Revisions for PgDb<'_> {
    fn answer_revisions(&self, encounter_id: EncounterId) -> Result<Vec<RevisionRow>, StoreError> {
        self.revisions_where(encounter_id, None)
    }

    fn carried_revisions(&self, encounter_id: EncounterId) -> Result<Vec<RevisionRow>, StoreError> {
        self.revisions_where(encounter_id, Some(AnswerSource::Carried))
    }
}

impl PgDb<'_> {
    fn revisions_where(
        &self,
        encounter_id: EncounterId,
        source: Option<AnswerSource>,
    ) -> Result<Vec<RevisionRow>, StoreError> {
        const T: &str = "encounter_answer_revisions";
        let rows = self.query(
            "SELECT answer_key, rev, value_json, source, author, at, source_encounter, \
             confirmed_by, removed FROM encounter_answer_revisions WHERE encounter_id = $1 \
             AND ($2::text IS NULL OR source = $2) ORDER BY answer_key COLLATE \"C\", rev",
            &[&encounter_id.0, &source.map(AnswerSource::as_str)],
        )?;
        let mut out = Vec::new();
        for r in &rows {
            let key: String = get(r, 0, T)?;
            let rev: i64 = get(r, 1, T)?;
            let values: String = get(r, 2, T)?;
            let source: String = get(r, 3, T)?;
            let at: String = get(r, 5, T)?;
            let damaged = |why: String| {
                StoreError::damaged(
                    T,
                    format!("visit {encounter_id}, answer {key:?} revision {rev}"),
                    why,
                )
            };
            out.push(RevisionRow {
                key: key.parse().map_err(|e: KeyParseError| {
                    damaged(format!("the key cannot be read ({})", e.text))
                })?,
                rev,
                values: decode_values(&values).map_err(damaged)?,
                source: AnswerSource::parse(&source).map_err(|e| damaged(e.to_string()))?,
                author: get(r, 4, T)?,
                at: parse_time(&at).map_err(|e| damaged(e.to_string()))?,
                source_encounter: get::<Option<i64>>(r, 6, T)?.map(EncounterId),
                confirmed_by: get(r, 7, T)?,
                removed: get(r, 8, T)?,
            });
        }
        Ok(out)
    }
}

/// What carry-forward saved (see `crate::outcomes`). Its words are parameters:
/// $3 carried, $4 typed, $5 record, $6 initial, $7 calculated, $8 submitted, $9 signed,
/// $10 amended.
const OUTCOMES: &str = "\
SELECT e.id, p.mrn, e.started_at, e.submitted_at,
       count(a.answer_key),
       count(a.answer_key) FILTER (WHERE a.source = $3),
       count(a.answer_key) FILTER (WHERE a.source = $4 AND EXISTS (
           SELECT 1 FROM encounter_answer_revisions r
           WHERE r.encounter_id = a.encounter_id AND r.answer_key = a.answer_key
             AND r.source = $3)),
       count(a.answer_key) FILTER (WHERE a.source = $4),
       count(a.answer_key) FILTER (WHERE a.source IN ($5, $6))
FROM encounters e
JOIN patients p ON p.id = e.patient_id
LEFT JOIN encounter_answers a
       ON a.encounter_id = e.id AND a.in_record AND a.source <> $7
      AND a.value_json <> '[]'
WHERE e.status IN ($8, $9, $10)
  AND e.submitted_at COLLATE \"C\" >= $1 AND e.submitted_at COLLATE \"C\" < $2
GROUP BY e.id, p.id
ORDER BY e.submitted_at COLLATE \"C\", e.id";

impl Outcomes for PgDb<'_> {
    fn outcomes(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Vec<OutcomeRow>, StoreError> {
        use AnswerSource as A;
        use EncounterStatus as S;
        const T: &str = "encounters";
        let rows = self.query(
            OUTCOMES,
            &[
                &format_time(from),
                &format_time(to),
                &A::Carried.as_str(),
                &A::Typed.as_str(),
                &A::Record.as_str(),
                &A::Initial.as_str(),
                &A::Calculated.as_str(),
                &S::Submitted.as_str(),
                &S::Signed.as_str(),
                &S::Amended.as_str(),
            ],
        )?;
        let mut out = Vec::new();
        for r in &rows {
            let started: String = get(r, 2, T)?;
            let submitted: String = get(r, 3, T)?;
            let edited: i64 = get(r, 6, T)?;
            let typed: i64 = get(r, 7, T)?;
            out.push(OutcomeRow {
                encounter_id: EncounterId(get(r, 0, T)?),
                mrn: get(r, 1, T)?,
                started_at: parse_time(&started)?,
                submitted_at: parse_time(&submitted)?,
                answered: get(r, 4, T)?,
                carried_unchanged: get(r, 5, T)?,
                carried_edited: edited,
                // `typed` above counts every typed answer; those carried first are not.
                typed: typed - edited,
                prefilled: get(r, 8, T)?,
            });
        }
        Ok(out)
    }
}

impl Exports for PgDb<'_> {
    fn export_candidates(
        &self,
        from: DateTime<Utc>,
        until: DateTime<Utc>,
        statuses: &[EncounterStatus],
    ) -> Result<Vec<EncounterId>, StoreError> {
        let rows = self.query(
            "SELECT id, status FROM encounters WHERE started_at COLLATE \"C\" >= $1 \
             AND started_at COLLATE \"C\" < $2 ORDER BY started_at COLLATE \"C\", id",
            &[&format_time(from), &format_time(until)],
        )?;
        let mut out = Vec::new();
        for r in &rows {
            let id: i64 = get(r, 0, "encounters")?;
            let status: String = get(r, 1, "encounters")?;
            let status = EncounterStatus::parse(&status).map_err(|e| {
                StoreError::damaged("encounters", format!("visit {id}"), e.to_string())
            })?;
            if statuses.contains(&status) {
                out.push(EncounterId(id));
            }
        }
        Ok(out)
    }
}
