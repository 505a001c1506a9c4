//! The patient search box: [`intake_core::search::parse`] and the FTS5 queries built
//! from what it gives, then the same text through [`intake_api::Api::search_patients`]
//! on a small register in memory, where those queries really run.

use std::cell::RefCell;
use std::sync::Arc;

use chrono::{TimeZone, Utc};
use intake_api::wire::PatientInputDto;
use intake_api::{Api, Caller, ManualClock};
use intake_core::mrn;
use intake_core::search::{self, DateOrder, NearWord};

const CLI: Caller<'static> = Caller::Cli("fuzz");
/// Searches on one register before it is opened anew (each search is audited, so the
/// log grows).
const SEARCHES_PER_REGISTER: u32 = 5_000;

/// A register of a few patients whose names fold, carry separators and have phones.
fn register() -> Api {
    let now = Utc
        .with_ymd_and_hms(2026, 11, 23, 9, 0, 0)
        .single()
        .expect("a valid time");
    let api = Api::in_memory(Arc::new(ManualClock::new(now))).expect("an in-memory database");
    for (family, given, birth_date, phone) in [
        ("Núñez", "Zoë", "1984-03-07", "+1 (555) 010-2000"),
        ("O'Brien-Smith", "Mary Ann", "1990-06-15", ""),
        ("Kowalski", "Łukasz", "1975-11-02", "+48 22 555 0199"),
        ("Kowalksi", "Jan", "1971-01-01", "555 0101"),
    ] {
        let input = PatientInputDto {
            family: family.into(),
            given: given.into(),
            birth_date: birth_date.into(),
            sex: "female".into(),
            phone: phone.into(),
            ..Default::default()
        };
        api.register_patient(CLI, &input, Some("fuzz register"))
            .expect("a register patient");
    }
    api
}

thread_local! {
    static REGISTER: RefCell<Option<(Api, u32)>> = const { RefCell::new(None) };
}

/// Whether quotes balance: every term is quoted whole, so FTS5 sees no operator.
fn quotes_balance(fts: &str) -> bool {
    fts.matches('"').count().is_multiple_of(2)
}

/// Properties of [`search::parse`] in both date orders: at most eight name words, each
/// a folded word without quotes or spaces; phone digits are digits; an MRN is a valid
/// one; the FTS5 queries quote every term. Then the search runs and must not fail.
pub fn search_query(data: &[u8]) {
    let raw = String::from_utf8_lossy(data);
    for order in [DateOrder::DayMonthYear, DateOrder::MonthDayYear] {
        let query = search::parse(&raw, order);
        assert!(query.words.len() <= 8, "at most eight words: {query:?}");
        for word in &query.words {
            assert!(
                !word.is_empty() && !word.contains(|c: char| c == '"' || c.is_whitespace()),
                "a word is folded text, no quote or space: {word:?}"
            );
        }
        if let Some(digits) = &query.digits {
            assert!(
                digits.len() >= 3 && digits.chars().all(|c| c.is_ascii_digit()),
                "phone digits are three digits or more: {digits:?}"
            );
        }
        if let Some(m) = &query.mrn {
            assert!(mrn::is_valid_mrn(m), "an MRN query is a valid MRN: {m:?}");
        }
        let near: Vec<NearWord> = query
            .words
            .iter()
            .map(|w| NearWord {
                word: w.clone(),
                near: search::early_edits(w),
            })
            .collect();
        for NearWord { word, near } in &near {
            assert!(
                near.iter().all(|edit| edit != word && !edit.is_empty()),
                "the edits of {word:?} differ from it: {near:?}"
            );
        }
        for fts in [
            search::fts_prefix(&query.words),
            search::fts_exact(&query.words),
            search::fts_near(&near),
        ] {
            assert!(quotes_balance(&fts), "every FTS5 term is quoted: {fts}");
        }
        let _ = search::is_full_name_match(&query.words, &raw, &raw);
    }
    let _ = search::index_names(&raw, &raw);
    let _ = search::index_phones(&raw);

    REGISTER.with(|cell| {
        let mut cell = cell.borrow_mut();
        if cell
            .as_ref()
            .is_none_or(|(_, n)| *n >= SEARCHES_PER_REGISTER)
        {
            *cell = Some((register(), 0));
        }
        let (api, searches) = cell.as_mut().expect("a register");
        *searches += 1;
        if let Err(e) = api.search_patients(CLI, &raw) {
            panic!("a search of {raw:?} fails: {e:?}");
        }
    });
}
