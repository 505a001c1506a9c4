//! Text folding for search and duplicate checks: lower case, accents removed, and the
//! letters that carry no combining accent written as their base letters ("Ł" → "l",
//! "ß" → "ss"), so "zoe nunez" finds "Zoë Núñez" and "lukasz" finds "Łukasz".

use unicode_normalization::char::is_combining_mark;
use unicode_normalization::UnicodeNormalization;

/// Letters that canonical decomposition leaves alone, and what they fold to.
fn fold_special(c: char) -> Option<&'static str> {
    Some(match c {
        'ł' | 'Ł' => "l",
        'ø' | 'Ø' => "o",
        'đ' | 'Đ' | 'ð' | 'Ð' => "d",
        'ß' | 'ẞ' => "ss",
        'æ' | 'Æ' => "ae",
        'œ' | 'Œ' => "oe",
        'þ' | 'Þ' => "th",
        'ı' => "i",
        'ħ' | 'Ħ' => "h",
        'ŧ' | 'Ŧ' => "t",
        _ => return None,
    })
}

/// Folds `text` for comparison: NFKD, combining marks dropped, lower case, special
/// letters replaced. Apostrophes and hyphens become spaces, so "O'Brien-Smith" holds
/// the words "o", "brien" and "smith" as well as matching "obrien" through [`compact`].
pub fn fold(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.nfkd() {
        if is_combining_mark(c) {
            continue;
        }
        if let Some(s) = fold_special(c) {
            out.push_str(s);
        } else if c.is_alphanumeric() {
            out.extend(c.to_lowercase());
        } else {
            out.push(' ');
        }
    }
    out
}

/// The folded words of `text`.
pub fn words(text: &str) -> Vec<String> {
    fold(text).split_whitespace().map(str::to_string).collect()
}

/// The folded text with every separator removed ("O'Brien-Smith" → "obriensmith").
pub fn compact(text: &str) -> String {
    fold(text).chars().filter(|c| !c.is_whitespace()).collect()
}

/// The digits of `text`, in order ("+48 (22) 555-0101" → "48225550101").
pub fn digits(text: &str) -> String {
    text.chars().filter(char::is_ascii_digit).collect()
}

/// Damerau-Levenshtein distance (optimal string alignment) between two short strings,
/// giving up early once it exceeds `limit`.
pub fn edit_distance_within(a: &str, b: &str, limit: usize) -> Option<usize> {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    if a.len().abs_diff(b.len()) > limit {
        return None;
    }
    let width = b.len() + 1;
    let mut prev2 = vec![0usize; width];
    let mut prev: Vec<usize> = (0..width).collect();
    let mut cur = vec![0usize; width];
    for i in 1..=a.len() {
        cur[0] = i;
        let mut row_min = cur[0];
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut d = (prev[j] + 1).min(cur[j - 1] + 1).min(prev[j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                d = d.min(prev2[j - 2] + 1);
            }
            cur[j] = d;
            row_min = row_min.min(d);
        }
        if row_min > limit {
            return None;
        }
        std::mem::swap(&mut prev2, &mut prev);
        std::mem::swap(&mut prev, &mut cur);
    }
    Some(prev[b.len()]).filter(|d| *d <= limit)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accents_case_and_special_letters_fold() {
        assert_eq!(fold("Zoë Núñez"), "zoe nunez");
        assert_eq!(fold("Łukasz Żółć"), "lukasz zolc");
        assert_eq!(fold("STRAẞE Ørsted Æbelø"), "strasse orsted aebelo");
        assert_eq!(words("O'Brien-Smith"), ["o", "brien", "smith"]);
        assert_eq!(compact("O'Brien-Smith"), "obriensmith");
    }

    #[test]
    fn non_latin_scripts_are_kept() {
        assert_eq!(fold("Ἀθηνᾶ"), "αθηνα");
        assert_eq!(fold("Иван"), "иван");
        assert_eq!(fold("山田"), "山田");
    }

    #[test]
    fn digits_ignore_punctuation() {
        assert_eq!(digits("+48 (22) 555-0101"), "48225550101");
        assert_eq!(digits("no digits"), "");
    }

    #[test]
    fn edit_distance_counts_swaps_as_one() {
        assert_eq!(edit_distance_within("jon", "john", 2), Some(1));
        assert_eq!(edit_distance_within("maria", "mraia", 2), Some(1));
        assert_eq!(edit_distance_within("kowalski", "kowalska", 2), Some(1));
        assert_eq!(edit_distance_within("smith", "nguyen", 2), None);
        assert_eq!(edit_distance_within("", "abc", 2), None);
    }
}
