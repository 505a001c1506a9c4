//! The words of the server's search index, as SQLite's FTS5 tokenizer (`unicode61`)
//! makes them from the same text, and what a searched word needs of them.
//!
//! The text is [`intake_core::search::index_names`] and
//! [`intake_core::search::index_phones`], already folded by `intake_core::text`; FTS5 then
//! splits it into words and folds each character once more. On folded text the two
//! differ only where this module says ([`is_separator`], [`fold`]); a test compares them
//! over every code point with the SQLite library the store is built with.

use intake_core::search::NearWord;

use crate::WordMatch;

/// Whether FTS5 splits words at `c`: white space, and the few characters
/// `intake_core::text` keeps as letters that `unicode61` does not (New Tai Lue vowel
/// signs, two Vedic signs, negative circled and squared Latin letters).
fn is_separator(c: char) -> bool {
    c.is_whitespace()
        || matches!(
            c,
            '\u{19B0}'..='\u{19C0}'
                | '\u{19C8}'
                | '\u{19C9}'
                | '\u{1CF2}'
                | '\u{1CF3}'
                | '\u{1F150}'..='\u{1F169}'
                | '\u{1F170}'..='\u{1F189}'
        )
}

/// FTS5's case folding of a character `intake_core::text` left as it is: the final
/// sigma is the sigma.
fn fold(c: char) -> char {
    match c {
        'ς' => 'σ',
        other => other,
    }
}

/// The words FTS5 reads in folded `text`, in order (repeats kept).
pub(super) fn tokens(text: &str) -> Vec<String> {
    text.split(is_separator)
        .filter(|t| !t.is_empty())
        .map(|t| t.chars().map(fold).collect())
        .collect()
}

/// The index's words of one column's text, each once.
pub(super) fn index_words(text: &str) -> Vec<String> {
    let mut words: Vec<String> = Vec::new();
    for word in tokens(text) {
        if !words.contains(&word) {
            words.push(word);
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

/// One index word a patient must have.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Piece {
    /// This word.
    Whole(String),
    /// A word starting with this.
    Prefix(String),
}

/// What one searched word needs of a patient's index words: any one of its
/// alternatives, each met when the patient has every one of its pieces. A searched word
/// FTS5 reads as several (a phrase) needs each of them, in any place; one it reads as
/// none matches nobody, as in FTS5.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Term {
    pub alternatives: Vec<Vec<Piece>>,
}

/// The pieces of a searched word, the last one a prefix when `prefix` (FTS5's `"…"*`).
fn pieces(word: &str, prefix: bool) -> Vec<Piece> {
    let words = tokens(word);
    let last = words.len().saturating_sub(1);
    words
        .into_iter()
        .enumerate()
        .map(|(i, w)| {
            if prefix && i == last {
                Piece::Prefix(w)
            } else {
                Piece::Whole(w)
            }
        })
        .collect()
}

fn term_of(alternatives: impl IntoIterator<Item = Vec<Piece>>) -> Term {
    Term {
        alternatives: alternatives.into_iter().filter(|a| !a.is_empty()).collect(),
    }
}

/// The term of a searched word (`search::fts_exact` or `search::fts_prefix` on SQLite).
pub(super) fn term(word: &str, how: WordMatch) -> Term {
    term_of([pieces(word, how == WordMatch::Prefix)])
}

/// The term of a word and its near words (`search::fts_near` on SQLite, which keeps the
/// near words made of letters and digits only).
pub(super) fn near_term(word: &NearWord) -> Term {
    let near = word
        .near
        .iter()
        .filter(|n| n.chars().all(char::is_alphanumeric) && !n.is_empty())
        .map(|n| pieces(n, false));
    term_of(std::iter::once(pieces(&word.word, true)).chain(near))
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
    fn index_words_come_once_each_as_fts5_folds_them() {
        assert_eq!(index_words("o brien obrien o"), ["o", "brien", "obrien"]);
        assert_eq!(index_words("παπαδοπουλος"), ["παπαδοπουλοσ"]);
        assert!(index_words("").is_empty());
    }

    #[test]
    fn terms_are_fts5s_queries() {
        let whole = |w: &str| Piece::Whole(w.into());
        let prefix = |w: &str| Piece::Prefix(w.into());
        assert_eq!(
            term("zoe", WordMatch::Prefix).alternatives,
            [vec![prefix("zoe")]]
        );
        assert_eq!(
            term("a\u{1F150}b", WordMatch::Prefix).alternatives,
            [vec![whole("a"), prefix("b")]]
        );
        assert!(term("\u{1F150}", WordMatch::Whole).alternatives.is_empty());
        let near = NearWord {
            word: "kowalksi".into(),
            near: vec!["kowalski".into(), "o'brien".into(), String::new()],
        };
        assert_eq!(
            near_term(&near).alternatives,
            [vec![prefix("kowalksi")], vec![whole("kowalski")]]
        );
    }

    /// Every character `intake_core::text::fold` keeps becomes, through [`tokens`], what
    /// SQLite's `unicode61` tokenizer makes of it in the FTS5 index.
    #[test]
    fn tokens_are_those_of_sqlite_fts5() {
        let conn = rusqlite::Connection::open_in_memory().expect("SQLite in memory");
        conn.execute_batch(
            "CREATE VIRTUAL TABLE t USING fts5 (names, tokenize = 'unicode61'); \
             CREATE VIRTUAL TABLE v USING fts5vocab (t, 'instance');",
        )
        .expect("an FTS5 table");
        let mut seen = std::collections::HashSet::new();
        let mut texts = Vec::new();
        for c in (0..0x11_0000).filter_map(char::from_u32) {
            let folded = intake_core::text::fold(&format!("a{c}b {c}"));
            if seen.insert(folded.clone()) {
                texts.push(folded);
            }
        }
        let tx = conn.unchecked_transaction().expect("a transaction");
        for (i, text) in texts.iter().enumerate() {
            tx.execute(
                "INSERT INTO t (rowid, names) VALUES (?1, ?2)",
                rusqlite::params![i as i64, text],
            )
            .expect("indexed");
        }
        let mut stmt = tx
            .prepare("SELECT doc, term FROM v ORDER BY doc, offset")
            .expect("the vocabulary");
        let mut fts: Vec<Vec<String>> = vec![Vec::new(); texts.len()];
        let rows = stmt
            .query_map([], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?)))
            .expect("read");
        for row in rows {
            let (doc, term) = row.expect("a row");
            fts[doc as usize].push(term);
        }
        let differ: Vec<(&String, Vec<String>, &Vec<String>)> = texts
            .iter()
            .zip(&fts)
            .map(|(text, fts)| (text, tokens(text), fts))
            .filter(|(_, ours, fts)| ours != *fts)
            .take(20)
            .collect();
        assert!(differ.is_empty(), "text, our words, FTS5's: {differ:?}");
    }
}
