//! Patient search on the server: the table `patient_search_words (patient_id, col, word)`
//! holds, one row a word, the words SQLite's FTS5 table `patient_search` indexes (those
//! of [`search::index_names`] and [`search::index_phones`], as `unicode61` reads them:
//! see `words.rs`), and each query is the one the FTS5 `MATCH` answers: every searched
//! word matched by a word of the patient's (a prefix is a `LIKE 'prefix%'` range scan on
//! the `text_pattern_ops` index, which holds the patient ids too). Patients come in id
//! order, as FTS5 gives its rows, so both backends return the same ones up to the same
//! limit.

use chrono::NaiveDate;
use intake_core::patient::ValidPatient;
use intake_core::search::{self, NearWord};
use intake_core::PatientId;
use postgres::types::ToSql;

use super::row::{decode_all, COLUMNS};
use super::words::{index_words, near_term, starting_with, term, Piece, Term};
use crate::pg::{get, PgDb};
use crate::{PatientRow, StoreError, WordMatch};

/// Statement parameters, collected as the statement is written.
#[derive(Default)]
struct Params(Vec<Box<dyn ToSql + Sync>>);

impl Params {
    /// Adds a value; returns its placeholder.
    fn add(&mut self, value: impl ToSql + Sync + 'static) -> String {
        self.0.push(Box::new(value));
        format!("${}", self.0.len())
    }
}

/// A query of the ids of the patients with index words of `col` meeting every one of
/// `terms`, or `None` when one of them can match nobody.
fn ids_matching(col: &'static str, terms: &[Term], params: &mut Params) -> Option<String> {
    let col = params.add(col);
    let mut each = Vec::new();
    for term in terms {
        let mut conditions = Vec::new();
        let mut wholes = Vec::new();
        let mut phrases = Vec::new();
        for alternative in &term.alternatives {
            match alternative.as_slice() {
                [Piece::Whole(w)] => wholes.push(w.clone()),
                [Piece::Prefix(w)] => {
                    conditions.push(format!("word LIKE {}", params.add(starting_with(w))))
                }
                pieces => phrases.push(pieces),
            }
        }
        if !wholes.is_empty() {
            conditions.push(format!("word = ANY({}::text[])", params.add(wholes)));
        }
        let select = |condition: String| {
            format!(
                "(SELECT patient_id FROM patient_search_words \
                 WHERE col = {col}::text AND {condition})"
            )
        };
        // One select a condition, united: joined with OR, the planner scans the table
        // for them (a bitmap heap scan, 6 ms for a typo's 1,800 words at 100k patients),
        // apart, each reads the index alone.
        let mut parts: Vec<String> = conditions.into_iter().map(select).collect();
        for pieces in phrases {
            let all: Vec<String> = pieces
                .iter()
                .map(|piece| match piece {
                    Piece::Whole(w) => select(format!("word = {}", params.add(w.clone()))),
                    Piece::Prefix(w) => {
                        select(format!("word LIKE {}", params.add(starting_with(w))))
                    }
                })
                .collect();
            parts.push(format!("({})", all.join(" INTERSECT ")));
        }
        if parts.is_empty() {
            return None;
        }
        each.push(format!("({})", parts.join(" UNION ")));
    }
    if each.is_empty() {
        return None;
    }
    Some(each.join(" INTERSECT "))
}

impl PgDb<'_> {
    /// Replaces the search words of patient `id` with those of `p`.
    pub(super) fn write_search_words(
        &self,
        id: PatientId,
        p: &ValidPatient,
    ) -> Result<(), StoreError> {
        self.execute(
            "DELETE FROM patient_search_words WHERE patient_id = $1",
            &[&id.0],
        )?;
        let names = index_words(&search::index_names(&p.family, &p.given));
        let phones = index_words(&search::index_phones(&p.phone));
        self.execute(
            "INSERT INTO patient_search_words (patient_id, col, word) \
             SELECT $1::bigint, 'names', w FROM unnest($2::text[]) AS w \
             UNION ALL SELECT $1::bigint, 'phones', w FROM unnest($3::text[]) AS w",
            &[&id.0, &names, &phones],
        )?;
        Ok(())
    }

    /// Patients whose index words of `col` meet every one of `terms` (born on
    /// `birth_date` if given; inactive ones only with `include_inactive`), at most
    /// `limit`, by id.
    fn matching(
        &self,
        col: &'static str,
        terms: &[Term],
        birth_date: Option<NaiveDate>,
        include_inactive: bool,
        limit: u32,
    ) -> Result<Vec<PatientRow>, StoreError> {
        if terms.is_empty() {
            return Ok(Vec::new());
        }
        let mut params = Params::default();
        let birth = params.add(birth_date.map(|d| d.to_string()));
        let inactive = params.add(include_inactive);
        let limit = params.add(i64::from(limit));
        let Some(ids) = ids_matching(col, terms, &mut params) else {
            return Ok(Vec::new());
        };
        // The ids first, as one array (read from the index alone), then the patients by
        // primary key in id order until the limit: joined instead, the planner misjudged
        // how many ids an intersection leaves and walked the whole table (35 ms at 100k).
        let sql = format!(
            "SELECT {COLUMNS} FROM patients p WHERE p.id = ANY(ARRAY({ids})) \
             AND ({birth}::text IS NULL OR p.birth_date = {birth}::text) \
             AND ({inactive}::boolean OR p.status = 'active') \
             ORDER BY p.id LIMIT {limit}::bigint"
        );
        let all: Vec<&(dyn ToSql + Sync)> = params.0.iter().map(|p| p.as_ref()).collect();
        decode_all(&self.query(&sql, &all)?)
    }

    pub(super) fn search_names(
        &self,
        words: &[String],
        how: WordMatch,
        birth_date: Option<NaiveDate>,
        include_inactive: bool,
        limit: u32,
    ) -> Result<Vec<PatientRow>, StoreError> {
        if words.is_empty() {
            return Ok(Vec::new());
        }
        let terms: Vec<Term> = words.iter().map(|w| term(w, how)).collect();
        self.matching("names", &terms, birth_date, include_inactive, limit)
    }

    pub(super) fn search_names_near(
        &self,
        words: &[NearWord],
        birth_date: Option<NaiveDate>,
        include_inactive: bool,
        limit: u32,
    ) -> Result<Vec<PatientRow>, StoreError> {
        if words.is_empty() {
            return Ok(Vec::new());
        }
        let terms: Vec<Term> = words.iter().map(near_term).collect();
        self.matching("names", &terms, birth_date, include_inactive, limit)
    }

    pub(super) fn name_words(
        &self,
        prefix: &str,
        min_chars: usize,
        max_chars: usize,
        limit: u32,
    ) -> Result<Vec<String>, StoreError> {
        if prefix.is_empty() {
            return Ok(Vec::new());
        }
        let bound = |n: usize| i64::try_from(n).unwrap_or(i64::MAX);
        let rows = self.query(
            "SELECT word FROM patient_search_words \
             WHERE col = 'names' AND word LIKE $1 AND char_length(word) BETWEEN $2::bigint AND $3::bigint \
             GROUP BY word ORDER BY word COLLATE \"C\" LIMIT $4",
            &[
                &starting_with(prefix),
                &bound(min_chars),
                &bound(max_chars),
                &i64::from(limit),
            ],
        )?;
        rows.iter()
            .map(|r| get(r, 0, "patient_search_words"))
            .collect()
    }

    pub(super) fn search_phones(
        &self,
        digits: &str,
        include_inactive: bool,
        limit: u32,
    ) -> Result<Vec<PatientRow>, StoreError> {
        if digits.is_empty() {
            return Ok(Vec::new());
        }
        let terms = [term(digits, WordMatch::Prefix)];
        self.matching("phones", &terms, None, include_inactive, limit)
    }
}
