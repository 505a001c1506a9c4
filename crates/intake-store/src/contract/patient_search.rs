//! The contract of patient search: whole names and prefixes, names one typing error
//! away, phone digits, birth dates and emails, active patients unless asked otherwise.

use intake_core::patient::ValidPatient;
use intake_core::search::NearWord;

use super::fixtures::{add_patient, ok, person};
use super::patients::{full, ids, retire};
use crate::prelude::*;
use crate::WordMatch;

pub fn search_patient_names_whole_and_prefix<B: Backend>(b: &B) {
    let zoe = add_patient(b, &full(), "A-1");
    let zoey = add_patient(b, &person("Zoeyson", "Max", "1990-05-06"), "A-2");
    let obrien = add_patient(b, &person("O'Brien", "Zoë", "1980-02-03"), "A-3");
    let gone = add_patient(b, &person("Lukasz", "Zoe", "1980-02-03"), "A-4");
    retire(b, gone);
    let search = |words: &[&str], how, birth: Option<&str>, inactive| {
        let words: Vec<String> = words.iter().map(|w| w.to_string()).collect();
        let birth =
            birth.map(|d| chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d").expect("a date"));
        ids(ok(
            b.read(|tx| tx.search_patient_names(&words, how, birth, inactive, 50)),
            "searching",
        ))
    };
    assert_eq!(
        search(&["zoe"], WordMatch::Whole, None, false),
        [zoe, obrien],
        "whole words, accents folded; inactive left out"
    );
    assert_eq!(
        search(&["zoe"], WordMatch::Prefix, None, false),
        [zoe, zoey, obrien],
        "prefixes"
    );
    assert_eq!(
        search(&["zoe", "luk"], WordMatch::Prefix, None, false),
        [zoe],
        "every word must match"
    );
    assert_eq!(
        search(&["obrien"], WordMatch::Whole, None, false),
        [obrien],
        "a name without its separators"
    );
    assert_eq!(
        search(&["zoe"], WordMatch::Prefix, Some("1980-02-03"), false),
        [zoe, obrien],
        "and born on that date"
    );
    assert_eq!(
        search(&["zoe"], WordMatch::Whole, None, true),
        [zoe, obrien, gone],
        "inactive patients when asked"
    );
    assert_eq!(
        search(&[], WordMatch::Prefix, None, true),
        [],
        "no words, nobody"
    );
    let limited = ok(
        b.read(|tx| tx.search_patient_names(&["zoe".into()], WordMatch::Prefix, None, true, 2)),
        "searching",
    );
    assert_eq!(limited.len(), 2, "at most the limit");
}

pub fn search_patient_names_near_and_their_words<B: Backend>(b: &B) {
    let kowalski = add_patient(b, &person("Kowalski", "Jan", "1970-01-02"), "A-1");
    let kowalska = add_patient(b, &person("Kowalska", "Anna", "1972-01-02"), "A-2");
    add_patient(b, &person("Nowak", "Jan", "1980-01-02"), "A-3");
    let mut words = ok(
        b.read(|tx| tx.name_words_starting("ko", 7, 9, 100)),
        "reading words",
    );
    words.sort();
    assert_eq!(
        words,
        ["kowalska", "kowalski"],
        "the name words with that start and length"
    );
    assert!(
        ok(
            b.read(|tx| tx.name_words_starting("ko", 2, 6, 100)),
            "reading words"
        )
        .is_empty(),
        "none of those lengths"
    );
    let near = |word: &str, near: &[&str]| NearWord {
        word: word.into(),
        near: near.iter().map(|n| n.to_string()).collect(),
    };
    let found = ok(
        b.read(|tx| {
            tx.search_patient_names_near(
                &[near("kowalksi", &["kowalski"]), near("ja", &[])],
                None,
                false,
                10,
            )
        }),
        "searching",
    );
    assert_eq!(
        ids(found),
        vec![kowalski],
        "a near word and a prefix, both required"
    );
    let found = ok(
        b.read(|tx| tx.search_patient_names_near(&[near("kowal", &["nowak"])], None, false, 10)),
        "searching",
    );
    assert_eq!(found.len(), 3, "a prefix or a near word: {:?}", ids(found));
    let _ = kowalska;
}

pub fn search_patient_phones_by_start_and_ending<B: Backend>(b: &B) {
    let zoe = add_patient(b, &full(), "A-1");
    let other = add_patient(
        b,
        &ValidPatient {
            phone: "555 0177".into(),
            ..person("Other", "One", "1990-01-01")
        },
        "A-2",
    );
    let search = |digits: &str| {
        ids(ok(
            b.read(|tx| tx.search_patient_phones(digits, false, 50)),
            "searching",
        ))
    };
    assert_eq!(search("1555010"), [zoe], "the start of the number");
    assert_eq!(search("2000"), [zoe], "its last four digits");
    assert_eq!(search("555"), [zoe, other], "a start of any index term");
    assert_eq!(search("0177"), [other]);
    assert_eq!(search(""), [], "no digits, nobody");
    retire(b, other);
    assert_eq!(search("0177"), [], "inactive patients are left out");
    assert_eq!(
        ids(ok(
            b.read(|tx| tx.search_patient_phones("0177", true, 50)),
            "searching"
        )),
        [other],
        "unless asked for"
    );
}

pub fn patients_born_on_a_date<B: Backend>(b: &B) {
    let zoe = add_patient(b, &full(), "A-1");
    add_patient(b, &person("Other", "One", "1990-01-01"), "A-2");
    let gone = add_patient(b, &person("Gone", "One", "1980-02-03"), "A-3");
    retire(b, gone);
    let date = chrono::NaiveDate::from_ymd_opt(1980, 2, 3).expect("a date");
    let found = |inactive| {
        ids(ok(
            b.read(|tx| tx.patients_born_on(date, inactive, 50)),
            "searching",
        ))
    };
    assert_eq!(found(false), [zoe], "born that day, active");
    assert_eq!(found(true), [zoe, gone], "inactive ones when asked");
}

pub fn patients_with_phone_digits_are_active_ones<B: Backend>(b: &B) {
    let zoe = add_patient(b, &full(), "A-1");
    let twin = add_patient(
        b,
        &ValidPatient {
            family: "Twin".into(),
            ..full()
        },
        "A-2",
    );
    add_patient(b, &person("No", "Phone", "1990-01-01"), "A-3");
    retire(b, twin);
    let found = |digits: &str| {
        ids(ok(
            b.read(|tx| tx.patients_with_phone_digits(digits, 50)),
            "searching",
        ))
    };
    assert_eq!(
        found("15550102000"),
        [zoe],
        "exactly these digits, active only"
    );
    assert_eq!(found("5550102000"), [], "not a part of the number");
    assert_eq!(
        found(""),
        [],
        "no digits match nobody, not the patients without a phone"
    );
}

pub fn patients_with_email_are_active_ones<B: Backend>(b: &B) {
    let zoe = add_patient(b, &full(), "A-1");
    let twin = add_patient(
        b,
        &ValidPatient {
            family: "Twin".into(),
            ..full()
        },
        "A-2",
    );
    add_patient(b, &person("No", "Email", "1990-01-01"), "A-3");
    retire(b, twin);
    let found = |email: &str| {
        ids(ok(
            b.read(|tx| tx.patients_with_email(email, 50)),
            "searching",
        ))
    };
    assert_eq!(
        found("zoe@example.org"),
        [zoe],
        "exactly this email, active only"
    );
    assert_eq!(found("zoe@example"), [], "not a part of it");
    assert_eq!(found(""), [], "no email matches nobody");
}
