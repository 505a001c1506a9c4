//! Patient search on the server: the table `patient_search_words (patient_id, col, word)`
//! holds, one row a word, what SQLite's FTS5 table `patient_search` holds as text (the
//! words of [`search::index_names`] and [`search::index_phones`]), and each query is the
//! one the FTS5 `MATCH` answers: every searched word matched by a word of the patient's
//! (a prefix is a `LIKE 'prefix%'` range scan on the `text_pattern_ops` index). Patients
//! come in id order, as FTS5 gives its rows, so both backends return the same ones.

use chrono::NaiveDate;
use intake_core::patient::ValidPatient;
use intake_core::search::{self, NearWord};
use intake_core::PatientId;
use postgres::types::ToSql;

use super::row::{decode_all, COLUMNS};
use crate::pg::{get, PgDb};
use crate::{PatientRow, StoreError, WordMatch};

/// The index's words of one column's text, each once, as FTS5's tokenizer splits it.
fn words_of(text: &str) -> Vec<String> {
    let mut words: Vec<String> = Vec::new();
    for word in text.split_whitespace() {
        if !words.iter().any(|w| w == word) {
            words.push(word.to_string());
        }
    }
    words
}

/// A `LIKE` pattern matching the words that start with `prefix` (its `%`, `_` and `\`
/// taken literally).
pub(super) fn starting_with(prefix: &str) -> String {
    let mut pattern = String::with_capacity(prefix.len() + 1);
    for c in prefix.chars() {
        if matches!(c, '%' | '_' | '\\') {
            pattern.push('\\');
        }
        pattern.push(c);
    }
    pattern.push('%');
    pattern
}

/// One searched word: the condition a `patient_search_words` row meets.
enum Term {
    /// The word exactly.
    Whole(String),
    /// A word starting with it.
    Prefix(String),
    /// A word starting with it, or one of these words exactly.
    Near(String, Vec<String>),
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
        let names = words_of(&search::index_names(&p.family, &p.given));
        let phones = words_of(&search::index_phones(&p.phone));
        self.execute(
            "INSERT INTO patient_search_words (patient_id, col, word) \
             SELECT $1::bigint, 'names', w FROM unnest($2::text[]) AS w \
             UNION ALL SELECT $1::bigint, 'phones', w FROM unnest($3::text[]) AS w",
            &[&id.0, &names, &phones],
        )?;
        Ok(())
    }

    /// Patients whose name words meet every one of `terms` (born on `birth_date` if
    /// given; inactive ones only with `include_inactive`), at most `limit`, by id.
    fn names_matching(
        &self,
        terms: &[Term],
        birth_date: Option<NaiveDate>,
        include_inactive: bool,
        limit: u32,
    ) -> Result<Vec<PatientRow>, StoreError> {
        if terms.is_empty() {
            return Ok(Vec::new());
        }
        let birth = birth_date.map(|d| d.to_string());
        let limit = i64::from(limit);
        // Only placeholders are written into the statement; every value is a parameter.
        let mut params: Vec<Box<dyn ToSql + Sync>> = Vec::new();
        let mut selects = Vec::new();
        for term in terms {
            let condition = match term {
                Term::Whole(word) => {
                    params.push(Box::new(word.clone()));
                    format!("word = ${}", params.len() + 3)
                }
                Term::Prefix(word) => {
                    params.push(Box::new(starting_with(word)));
                    format!("word LIKE ${}", params.len() + 3)
                }
                Term::Near(word, near) => {
                    params.push(Box::new(starting_with(word)));
                    params.push(Box::new(near.clone()));
                    format!(
                        "(word LIKE ${} OR word = ANY(${}::text[]))",
                        params.len() + 2,
                        params.len() + 3
                    )
                }
            };
            selects.push(format!(
                "SELECT patient_id FROM patient_search_words WHERE col = 'names' AND {condition}"
            ));
        }
        let sql = format!(
            "SELECT {COLUMNS} FROM patients p WHERE p.id IN ({}) \
             AND ($1::text IS NULL OR p.birth_date = $1) AND ($2 OR p.status = 'active') \
             ORDER BY p.id LIMIT $3",
            selects.join(" INTERSECT ")
        );
        let mut all: Vec<&(dyn ToSql + Sync)> = vec![&birth, &include_inactive, &limit];
        all.extend(params.iter().map(|p| p.as_ref()));
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
        let terms: Vec<Term> = words
            .iter()
            .map(|w| match how {
                WordMatch::Whole => Term::Whole(w.clone()),
                WordMatch::Prefix => Term::Prefix(w.clone()),
            })
            .collect();
        self.names_matching(&terms, birth_date, include_inactive, limit)
    }

    pub(super) fn search_names_near(
        &self,
        words: &[NearWord],
        birth_date: Option<NaiveDate>,
        include_inactive: bool,
        limit: u32,
    ) -> Result<Vec<PatientRow>, StoreError> {
        // The near words SQLite's query keeps (`search::fts_near`): whole words only.
        let terms: Vec<Term> = words
            .iter()
            .map(|w| {
                let near = w
                    .near
                    .iter()
                    .filter(|n| n.chars().all(char::is_alphanumeric) && !n.is_empty())
                    .cloned()
                    .collect();
                Term::Near(w.word.clone(), near)
            })
            .collect();
        self.names_matching(&terms, birth_date, include_inactive, limit)
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
        let sql = format!(
            "SELECT {COLUMNS} FROM patients p WHERE p.id IN ( \
                 SELECT patient_id FROM patient_search_words \
                 WHERE col = 'phones' AND word LIKE $1) \
             AND ($2 OR p.status = 'active') ORDER BY p.id LIMIT $3"
        );
        decode_all(&self.query(
            &sql,
            &[&starting_with(digits), &include_inactive, &i64::from(limit)],
        )?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_prefix_pattern_takes_like_wildcards_literally() {
        assert_eq!(starting_with("zoe"), "zoe%");
        assert_eq!(starting_with("a%b_c\\"), "a\\%b\\_c\\\\%");
    }

    #[test]
    fn index_words_come_once_each() {
        assert_eq!(words_of("o brien obrien o"), ["o", "brien", "obrien"]);
        assert!(words_of("").is_empty());
    }
}
