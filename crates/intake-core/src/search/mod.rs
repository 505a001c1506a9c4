//! Patient search, the pure part: how typed text becomes a query, what goes into the
//! search index, and how results are ranked. The store runs the queries.
//!
//! One box takes everything: name fragments in any order ("zoe nun"), a date of birth
//! in ISO form or the clinic's local form, an MRN, or phone digits with any punctuation.
//! A query that looks like a phone number as a whole (see [`looks_like_phone`]) is
//! matched on its digits alone, however it is spaced: "1 555 010 2000" is a number, not
//! the name word "1" and some digits.
//! Whatever is typed is only ever text: words are folded to letters and digits and
//! quoted, so FTS5 operators (`NEAR`, `"`, `*`) and SQL have no effect.

use chrono::NaiveDate;

use crate::{mrn, text};

/// How the clinic writes dates, besides ISO (`1984-03-07`), which always works.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum DateOrder {
    /// `07.03.1984`, `07/03/1984`
    #[default]
    DayMonthYear,
    /// `03/07/1984`
    MonthDayYear,
}

impl DateOrder {
    pub fn as_str(self) -> &'static str {
        match self {
            DateOrder::DayMonthYear => "dmy",
            DateOrder::MonthDayYear => "mdy",
        }
    }

    pub fn parse(s: &str) -> Option<DateOrder> {
        match s {
            "dmy" => Some(DateOrder::DayMonthYear),
            "mdy" => Some(DateOrder::MonthDayYear),
            _ => None,
        }
    }

    /// A day as the clinic writes it on screen: `06/12/2026` day first, `12/06/2026`
    /// month first (documents that leave the clinic write `6 Dec 2026` instead).
    pub fn write(self, day: NaiveDate) -> String {
        match self {
            DateOrder::DayMonthYear => day.format("%d/%m/%Y").to_string(),
            DateOrder::MonthDayYear => day.format("%m/%d/%Y").to_string(),
        }
    }
}

/// The most characters of a query that are looked at, and the most name words.
pub const QUERY_MAX_CHARS: usize = 200;
const MAX_WORDS: usize = 8;
/// The fewest digits a whole query needs to be taken as a phone number (a local number
/// without its area code has seven).
pub const PHONE_MIN_DIGITS: usize = 7;

/// A typed query, taken apart.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SearchQuery {
    /// Folded name fragments, each matched as a word prefix.
    pub words: Vec<String>,
    pub birth_date: Option<NaiveDate>,
    /// Phone digits (three or more), matched as the start of a number or its last digits.
    pub digits: Option<String>,
    /// The whole query, if it could be an MRN (upper-cased).
    pub mrn: Option<String>,
}

impl SearchQuery {
    /// Whether there is anything to look for; an empty query finds nothing.
    pub fn is_empty(&self) -> bool {
        self.words.is_empty()
            && self.birth_date.is_none()
            && self.digits.is_none()
            && self.mrn.is_none()
    }
}

fn parse_date(token: &str, order: DateOrder) -> Option<NaiveDate> {
    if let Ok(d) = NaiveDate::parse_from_str(token, "%Y-%m-%d") {
        return Some(d);
    }
    let parts: Vec<&str> = token.split(['.', '/', '-']).collect();
    if parts.len() != 3 || parts[2].len() != 4 {
        return None;
    }
    let nums: Vec<u32> = parts.iter().filter_map(|p| p.parse().ok()).collect();
    if nums.len() != 3 {
        return None;
    }
    let (day, month) = match order {
        DateOrder::DayMonthYear => (nums[0], nums[1]),
        DateOrder::MonthDayYear => (nums[1], nums[0]),
    };
    NaiveDate::from_ymd_opt(nums[2] as i32, month, day)
}

fn is_phone_like(token: &str) -> bool {
    text::digits(token).len() >= 3
        && token
            .chars()
            .all(|c| c.is_ascii_digit() || "+-().,/".contains(c))
}

/// Whether a whole (trimmed) query looks like a phone number: nothing but digits, spaces
/// and the punctuation people write numbers with (`+ ( ) - . /`), at least
/// [`PHONE_MIN_DIGITS`] digits, and no part that reads as a date ("07.03.1984" and
/// "1984-03-07" stay dates). Names never qualify: a letter anywhere makes it a name query.
pub fn looks_like_phone(trimmed: &str, order: DateOrder) -> bool {
    trimmed
        .chars()
        .all(|c| c.is_ascii_digit() || c == ' ' || "+().-/".contains(c))
        && text::digits(trimmed).len() >= PHONE_MIN_DIGITS
        && trimmed
            .split_whitespace()
            .all(|token| parse_date(token, order).is_none())
}

/// Takes a typed query apart.
pub fn parse(raw: &str, order: DateOrder) -> SearchQuery {
    let raw: String = raw.chars().take(QUERY_MAX_CHARS).collect();
    let trimmed = raw.trim();
    let mut query = SearchQuery::default();
    if mrn::is_valid_mrn(trimmed) {
        query.mrn = Some(trimmed.to_uppercase());
    }
    if looks_like_phone(trimmed, order) {
        query.digits = Some(text::digits(trimmed));
        return query;
    }
    let mut digits = String::new();
    for token in trimmed.split_whitespace() {
        if let Some(date) = parse_date(token, order) {
            query.birth_date = Some(date);
        } else if is_phone_like(token) {
            digits.push_str(&text::digits(token));
        } else {
            for word in text::words(token) {
                if query.words.len() < MAX_WORDS && !query.words.contains(&word) {
                    query.words.push(word);
                }
            }
        }
    }
    if digits.len() >= 3 {
        query.digits = Some(digits);
    }
    query
}

/// An FTS5 query matching every word as a prefix of some indexed word.
/// Words come from [`text::words`], so they hold only letters and digits.
pub fn fts_prefix(words: &[String]) -> String {
    words
        .iter()
        .map(|w| format!("\"{w}\"*"))
        .collect::<Vec<_>>()
        .join(" AND ")
}

/// An FTS5 query matching every word as a whole indexed word.
pub fn fts_exact(words: &[String]) -> String {
    words
        .iter()
        .map(|w| format!("\"{w}\""))
        .collect::<Vec<_>>()
        .join(" AND ")
}

/// The `names` text the index keeps for a patient: folded words of both names, and the
/// names with separators removed, so "obrien" finds "O'Brien".
pub fn index_names(family: &str, given: &str) -> String {
    let mut terms = text::words(family);
    terms.extend(text::words(given));
    for compacted in [text::compact(family), text::compact(given)] {
        if !compacted.is_empty() && !terms.contains(&compacted) {
            terms.push(compacted);
        }
    }
    terms.join(" ")
}

/// The `phones` text the index keeps: the number's digits, and its endings from four
/// digits up, so the last digits of a number find it as well as its start.
pub fn index_phones(phone: &str) -> String {
    let digits = text::digits(phone);
    let mut terms = vec![digits.clone()];
    for start in 1..digits.len().saturating_sub(3) {
        terms.push(digits[start..].to_string());
    }
    terms.retain(|t| !t.is_empty());
    terms.join(" ")
}

/// How well a found patient matches, best first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Tier {
    ExactMrn,
    FullName,
    Partial,
    /// A name word one typing error away ("kowalksi" for "Kowalski"): after the rest.
    Near,
}

/// The fewest letters a query word needs before a name one typing error away from it
/// is found too ("Lee" does not find "Leo").
pub const NEAR_MIN_CHARS: usize = 4;

/// A query word and the indexed name words one typing error away from it: a patient
/// matches when a word of their name starts with `word` or is one of `near`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NearWord {
    pub word: String,
    pub near: Vec<String>,
}

/// Whether a query word is long enough to look for names one typing error away.
pub fn is_fuzzed(word: &str) -> bool {
    word.chars().count() >= NEAR_MIN_CHARS
}

/// Whether `a` and `b` are at most one typing error apart: one letter wrong, missing or
/// extra, or two neighbouring letters swapped (optimal string alignment distance 1, the
/// distance the registration's duplicate check uses).
pub fn one_edit_apart(a: &str, b: &str) -> bool {
    text::edit_distance_within(a, b, 1).is_some()
}

/// The letters tried where a typing error may have changed or added a first or second
/// letter: ASCII letters and digits (what folded names mostly hold) and the word's own.
fn alphabet(word: &str) -> Vec<char> {
    let mut letters: Vec<char> = ('a'..='z').chain('0'..='9').collect();
    for c in word.chars() {
        if !letters.contains(&c) {
            letters.push(c);
        }
    }
    letters
}

/// The indexed prefix every name one typing error from `word` shares with it, when the
/// error is at its third letter or later: its first two letters. Names whose error is
/// in the first two letters are [`early_edits`].
pub fn near_prefix(word: &str) -> String {
    word.chars().take(2).collect()
}

/// Every word one typing error from `word` where the error touches its first or second
/// letter (deleted, changed, swapped with the next, or a letter added before either),
/// with changed and added letters taken from [`alphabet`]. With the names sharing
/// [`near_prefix`], these are all the words one error away (over that alphabet).
pub fn early_edits(word: &str) -> Vec<String> {
    let w: Vec<char> = word.chars().collect();
    if w.len() < 2 {
        return Vec::new();
    }
    let rest = |from: usize| w[from..].iter().collect::<String>();
    let mut out = vec![
        rest(1),
        format!("{}{}", w[0], rest(2)),
        format!("{}{}{}", w[1], w[0], rest(2)),
    ];
    if w.len() >= 3 {
        out.push(format!("{}{}{}{}", w[0], w[2], w[1], rest(3)));
    }
    for x in alphabet(word) {
        out.push(format!("{x}{}", rest(1)));
        out.push(format!("{}{x}{}", w[0], rest(2)));
        out.push(format!("{x}{}", rest(0)));
        out.push(format!("{}{x}{}", w[0], rest(1)));
    }
    out.retain(|v| v != word && !v.is_empty());
    out.sort();
    out.dedup();
    out
}

/// An FTS5 query matching, for every word, a name word starting with it or one of its
/// near words (quoted whole). Words come from [`text::words`] and near words from the
/// index or [`early_edits`], so they hold only letters and digits.
pub fn fts_near(words: &[NearWord]) -> String {
    words
        .iter()
        .map(|w| {
            let mut terms = vec![format!("\"{}\"*", w.word)];
            terms.extend(
                w.near
                    .iter()
                    .filter(|n| n.chars().all(char::is_alphanumeric) && !n.is_empty())
                    .map(|n| format!("\"{n}\"")),
            );
            format!("({})", terms.join(" OR "))
        })
        .collect::<Vec<_>>()
        .join(" AND ")
}

/// Whether every query word is a whole word of the patient's name.
pub fn is_full_name_match(words: &[String], family: &str, given: &str) -> bool {
    let names: Vec<String> = index_names(family, given)
        .split(' ')
        .map(str::to_string)
        .collect();
    !words.is_empty() && words.iter().all(|w| names.contains(w))
}

#[cfg(test)]
mod tests;
