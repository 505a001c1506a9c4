//! What carry-forward saved, per submitted encounter: how many of its recorded answers
//! were carried unchanged, carried and then edited, typed, or pre-filled from the record
//! or the form, and when it was started and submitted. One query over a range of
//! submission times; grouping by week, shares and medians are the API's job.
//!
//! Counted: answers of encounters that were submitted (`submitted`, `signed`,
//! `amended`; never drafts or `entered_in_error`) that hold a value (`value_json` is not
//! `[]`, which marks a row of a repeating group, not an answer), are in the record
//! (`in_record`; disabled items are left out) and are not `calculated`. An answer whose
//! source is `typed` and whose revision history holds a `carried` value was carried and
//! edited. The four kinds partition the answers: they add up to `answered`.

use chrono::{DateTime, Utc};
use intake_core::{AnswerSource, EncounterId, EncounterStatus};
use rusqlite::params;

use crate::traits::Outcomes;
use crate::{format_time, parse_time, SqliteDb, StoreError};

/// One submitted encounter's answers by where they came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutcomeRow {
    pub encounter_id: EncounterId,
    pub mrn: String,
    pub started_at: DateTime<Utc>,
    pub submitted_at: DateTime<Utc>,
    /// Every counted answer.
    pub answered: i64,
    /// Source `carried`: copied from an earlier visit and kept as it was.
    pub carried_unchanged: i64,
    /// Source `typed` with a `carried` value in its history.
    pub carried_edited: i64,
    /// Source `typed`, never carried.
    pub typed: i64,
    /// Source `record` or `initial`.
    pub prefilled: i64,
}

/// The query; its words come from the enums ([`outcomes_sql`]).
const OUTCOMES: &str = "\
SELECT e.id, p.mrn, e.started_at, e.submitted_at,
       count(a.answer_key),
       coalesce(sum(a.source = '{w_carried}'), 0),
       coalesce(sum(a.source = '{w_typed}' AND EXISTS (
           SELECT 1 FROM encounter_answer_revisions r
           WHERE r.encounter_id = a.encounter_id AND r.answer_key = a.answer_key
             AND r.source = '{w_carried}')), 0),
       coalesce(sum(a.source = '{w_typed}'), 0),
       coalesce(sum(a.source IN ('{w_record}', '{w_initial}')), 0)
FROM encounters e
JOIN patients p ON p.id = e.patient_id
LEFT JOIN encounter_answers a
       ON a.encounter_id = e.id AND a.in_record = 1 AND a.source <> '{w_calculated}'
      AND a.value_json <> '[]'
WHERE e.status IN ('{w_submitted}', '{w_signed}', '{w_amended}')
  AND e.submitted_at >= ?1 AND e.submitted_at < ?2
GROUP BY e.id
ORDER BY e.submitted_at, e.id";

/// [`OUTCOMES`] with each `{word}` replaced by its enum's stored word (fixed ASCII words).
fn outcomes_sql() -> String {
    use AnswerSource as A;
    use EncounterStatus as S;
    let words = [
        ("w_carried", A::Carried.as_str()),
        ("w_typed", A::Typed.as_str()),
        ("w_record", A::Record.as_str()),
        ("w_initial", A::Initial.as_str()),
        ("w_calculated", A::Calculated.as_str()),
        ("w_submitted", S::Submitted.as_str()),
        ("w_signed", S::Signed.as_str()),
        ("w_amended", S::Amended.as_str()),
    ];
    words
        .iter()
        .fold(OUTCOMES.to_string(), |sql, (name, word)| {
            sql.replace(&format!("{{{name}}}"), word)
        })
}

impl Outcomes for SqliteDb<'_> {
    fn outcomes(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Vec<OutcomeRow>, StoreError> {
        let mut stmt = self.conn.prepare_cached(&outcomes_sql())?;
        let rows = stmt.query_map(params![format_time(from), format_time(to)], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, String>(3)?,
                [
                    r.get::<_, i64>(4)?,
                    r.get::<_, i64>(5)?,
                    r.get::<_, i64>(6)?,
                    r.get::<_, i64>(7)?,
                    r.get::<_, i64>(8)?,
                ],
            ))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (id, mrn, started, submitted, [answered, carried, edited, typed, prefilled]) = row?;
            out.push(OutcomeRow {
                encounter_id: EncounterId(id),
                mrn,
                started_at: parse_time(&started)?,
                submitted_at: parse_time(&submitted)?,
                answered,
                carried_unchanged: carried,
                carried_edited: edited,
                // `typed` above counts every typed answer; those carried first are not.
                typed: typed - edited,
                prefilled,
            });
        }
        Ok(out)
    }
}
