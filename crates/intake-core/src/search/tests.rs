use super::*;

fn p(raw: &str) -> SearchQuery {
    parse(raw, DateOrder::DayMonthYear)
}

#[test]
fn name_fragments_fold_and_keep_their_order_free() {
    assert_eq!(p("Zoë  NÚÑ").words, ["zoe", "nun"]);
    assert_eq!(p("o'brien").words, ["o", "brien"]);
}

#[test]
fn dates_in_iso_and_local_forms() {
    let d = NaiveDate::from_ymd_opt(1984, 3, 7);
    assert_eq!(p("1984-03-07").birth_date, d);
    assert_eq!(p("07.03.1984").birth_date, d);
    assert_eq!(p("7/3/1984").birth_date, d);
    assert_eq!(parse("03/07/1984", DateOrder::MonthDayYear).birth_date, d);
    assert_eq!(p("31.02.1984").birth_date, None, "not a date");
}

#[test]
fn phone_digits_ignore_punctuation() {
    assert_eq!(p("(555) 010-1234").digits.as_deref(), Some("5550101234"));
    assert_eq!(p("12").digits, None, "two digits are too few");
}

#[test]
fn a_query_that_looks_like_a_phone_number_is_its_digits_alone() {
    for typed in [
        "1 555 010 2000",
        "+1 (555) 010-2000",
        "+1 555.010.2000",
        " 1-555-010-2000 ",
    ] {
        let q = p(typed);
        assert_eq!(
            (q.digits.as_deref(), q.words.len(), q.birth_date),
            (Some("15550102000"), 0, None),
            "{typed:?} is a phone number: its digits, no name words"
        );
    }
    assert_eq!(p("555 010 2000").digits.as_deref(), Some("5550102000"));
    assert_eq!(p("5550102000").digits.as_deref(), Some("5550102000"));
}

#[test]
fn names_with_digits_dates_and_short_numbers_are_not_phone_numbers() {
    let q = p("Smith 2 555 0101");
    assert_eq!(
        (q.words, q.digits.as_deref()),
        (vec!["smith".to_string(), "2".to_string()], Some("5550101")),
        "a letter makes it a name query, with its phone-like tokens as digits"
    );
    let q = p("07.03.1984");
    assert_eq!(
        (q.birth_date, q.digits),
        (NaiveDate::from_ymd_opt(1984, 3, 7), None),
        "a date with eight digits stays a date"
    );
    let q = p("1984-03-07 555 0101");
    assert_eq!(
        (q.birth_date, q.digits.as_deref()),
        (NaiveDate::from_ymd_opt(1984, 3, 7), Some("5550101")),
        "a date and a number: both kept, the number is not read as a date"
    );
    assert_eq!(p("12 34").words, ["12", "34"], "four digits are too few");
    assert_eq!(
        p("000042-2").mrn.as_deref(),
        Some("000042-2"),
        "an MRN of digits is still looked up as an MRN"
    );
}

#[test]
fn an_mrn_is_recognised_whole() {
    assert_eq!(p("000042-2").mrn.as_deref(), Some("000042-2"));
    assert_eq!(
        p("abcdef").mrn.as_deref(),
        Some("ABCDEF"),
        "letters-only MRNs exist"
    );
    assert_eq!(p("zoe nun").mrn, None, "a space is never in an MRN");
}

#[test]
fn hostile_input_is_only_text() {
    for raw in [
        "\"",
        "*",
        "%",
        "NEAR(a b)",
        "'; DROP TABLE patients; --",
        "a OR b",
        "^x",
        "",
    ] {
        let q = p(raw);
        let fts = fts_prefix(&q.words);
        assert!(
            !fts.contains("OR \"") && !fts.contains("NEAR("),
            "{raw}: {fts}"
        );
        for w in &q.words {
            assert!(w.chars().all(char::is_alphanumeric), "{raw}: word {w:?}");
        }
    }
    assert!(p("\"*%").is_empty(), "punctuation alone finds nothing");
}

#[test]
fn index_terms() {
    assert_eq!(
        index_names("O'Brien-Smith", "Zoë"),
        "o brien smith zoe obriensmith"
    );
    assert_eq!(index_phones("555-0101"), "5550101 550101 50101 0101");
}

#[test]
fn full_name_matches_need_whole_words() {
    let words = p("zoe nunez").words;
    assert!(is_full_name_match(&words, "Núñez", "Zoë"));
    assert!(!is_full_name_match(&p("zo nun").words, "Núñez", "Zoë"));
}

#[test]
fn one_typing_error_apart_in_each_kind() {
    for (typed, name, what) in [
        ("kowalksi", "kowalski", "two neighbouring letters swapped"),
        ("kowalsky", "kowalski", "one letter wrong"),
        ("kowalsi", "kowalski", "one letter missing"),
        ("kowalskii", "kowalski", "one letter extra"),
        ("okwalski", "kowalski", "the first two letters swapped"),
        ("nowak", "nowak", "the same word"),
    ] {
        assert!(one_edit_apart(typed, name), "{typed} ~ {name}: {what}");
    }
    for (typed, name) in [
        ("kowlaksi", "kowalski"),
        ("kowalsak", "kowalski"),
        ("smith", "nguyen"),
    ] {
        assert!(
            !one_edit_apart(typed, name),
            "{typed} is two errors from {name}: not near"
        );
    }
}

#[test]
fn only_words_of_four_letters_or_more_are_fuzzed() {
    assert!(is_fuzzed("jana"), "four letters are fuzzed");
    assert!(
        !is_fuzzed("jan"),
        "three letters are not (Jan would find Jon, Ian, Jana)"
    );
    assert!(is_fuzzed("łódź"), "letters, not bytes, are counted");
}

#[test]
fn early_edits_and_the_shared_prefix_cover_every_word_one_error_away() {
    let word = "kowalski";
    let early = early_edits(word);
    for near in [
        "owalski",
        "kwalski",
        "okwalski",
        "kwoalski",
        "xowalski",
        "kxwalski",
        "xkowalski",
        "kxowalski",
    ] {
        assert!(
            early.contains(&near.to_string()),
            "{near} is an early edit of {word}"
        );
        assert!(
            one_edit_apart(word, near),
            "{near} is one error from {word}"
        );
    }
    assert!(
        !early.contains(&word.to_string()),
        "the word itself is not an edit"
    );
    // Every error from the third letter on keeps the first two letters.
    for later in ["kowalksi", "kowlski", "koxwalski", "kowalskx"] {
        assert!(
            later.starts_with(&near_prefix(word)),
            "{later} keeps the prefix"
        );
    }
}

#[test]
fn near_queries_are_only_text() {
    let words = vec![NearWord {
        word: "kowalksi".into(),
        near: vec!["kowalski".into(), "x\" OR *".into()],
    }];
    assert_eq!(
        fts_near(&words),
        "(\"kowalksi\"* OR \"kowalski\")",
        "a near word that is not letters and digits is dropped"
    );
}
