//! Patient search on the clinic server answers as on SQLite: the same few thousand
//! generated patients registered on both, then every kind of query the API asks (name
//! prefixes and whole names, names one typing error away, phone starts and endings,
//! birth dates, MRNs with and without their dash, exact phones and emails) gives the same
//! patients in the same order on both; a renamed patient is found by the new name only.
//! Runs beside a test cluster (`scripts/with-postgres.sh`, which sets `INTAKE_TEST_PG`).

use std::fmt::Debug;

use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use intake_core::mrn::generated_mrn;
use intake_core::patient::{Sex, ValidPatient};
use intake_core::search::{self, NearWord};
use intake_core::{text, PatientId};
use intake_store::pg::testing::{cluster, TestDatabase};
use intake_store::prelude::*;
use intake_store::{Db, PatientRow, PatientStatus, SqliteStore, Store, StoreError, WordMatch};

const PATIENTS: u64 = 3_000;
/// The API's candidate count per index query.
const CANDIDATES: u32 = 200;

const FAMILIES: &[&str] = &[
    "Kowalski",
    "Kowalska",
    "Nowak",
    "O'Brien",
    "Smith-Jones",
    "Núñez",
    "Łukasiewicz",
    "Müller",
    "Zoeyson",
    "Nguyen",
    "García Márquez",
    "Dubois",
    "Иванов",
    "Παπαδόπουλος",
    "van der Berg",
    "Al-Sayed",
    "D'Angelo",
    "Søren",
    "Straße",
    "Kim",
];
const GIVEN: &[&str] = &[
    "Zoë",
    "Jan",
    "Anna",
    "Ana",
    "Anne",
    "Max",
    "José",
    "Jürgen",
    "Marie-Claire",
    "Łucja",
    "Mei",
    "Ahmed",
    "Zoe",
    "Ægir",
    "Li",
];
const SUFFIXES: &[&str] = &["", "", "", "a", "ski", "son", "ová", "berg", "x"];

/// A small deterministic generator (xorshift), so every run registers the same people.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len())]
    }

    fn digits(&mut self, n: usize) -> String {
        (0..n)
            .map(|_| char::from(b'0' + self.below(10) as u8))
            .collect()
    }
}

fn at(minutes: i64) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 1, 5, 8, 0, 0)
        .single()
        .expect("a time")
        + Duration::minutes(minutes)
}

/// The `i`-th generated patient and its MRN.
fn generated(rng: &mut Rng, i: u64) -> (ValidPatient, String) {
    let family = format!("{}{}", rng.pick(FAMILIES), rng.pick(SUFFIXES));
    let given = rng.pick(GIVEN).to_string();
    let phone = match rng.below(5) {
        0 => String::new(),
        1 => format!("+1 (555) {}-{}", rng.digits(3), rng.digits(4)),
        2 => format!("555 {}", rng.digits(4)),
        3 => format!(
            "+48 22 {} {} {}",
            rng.digits(3),
            rng.digits(2),
            rng.digits(2)
        ),
        _ => rng.digits(9),
    };
    let email = match rng.below(4) {
        0 => String::new(),
        1 => "shared@example.org".to_string(),
        _ => format!("p{}@example.org", rng.below(500)),
    };
    let mrn = match rng.below(10) {
        0 => format!("A-{i}"),
        1 => format!("{}-{}", rng.digits(3), i),
        _ => generated_mrn(i),
    };
    let birth = NaiveDate::from_ymd_opt(1980, 1, 1).expect("a date")
        + Duration::days(rng.below(400) as i64);
    let patient = ValidPatient {
        mrn: Some(mrn.clone()),
        family,
        given,
        birth_date: birth,
        sex: Sex::ALL[rng.below(4)],
        phone,
        email,
        address_line: String::new(),
        city: String::new(),
        postal_code: String::new(),
        country: String::new(),
        language: String::new(),
        emergency_name: String::new(),
        emergency_relationship: String::new(),
        emergency_phone: String::new(),
        notes: String::new(),
    };
    (patient, mrn)
}

/// Registers the generated patients (one write) and marks every 17th entered in error.
fn register(store: &Store) -> Vec<(ValidPatient, PatientId)> {
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    store
        .write(|db| {
            let mut out = Vec::new();
            for i in 0..PATIENTS {
                let (p, mrn) = generated(&mut rng, i);
                if db.patient_by_mrn(&mrn)?.is_some() {
                    continue;
                }
                let changes = serde_json::json!({ "demo": [null, i % 3 == 0] });
                let id = db.insert_patient(&p, &mrn, &changes, at(i as i64), "setup")?;
                if i % 17 == 0 {
                    db.set_patient_status(
                        id,
                        1,
                        PatientStatus::EnteredInError,
                        "duplicate",
                        at(i as i64),
                        "admin",
                    )?;
                }
                out.push((p, id));
            }
            Ok::<_, StoreError>(out)
        })
        .expect("registering the generated patients")
}

/// Runs `f` on both stores and checks they answer the same; returns the answer.
fn same<T: PartialEq + Debug>(
    lite: &Store,
    pg: &Store,
    what: &str,
    f: impl Fn(&Db<'_>) -> Result<T, StoreError>,
) -> T {
    let expected = lite
        .read(|db| f(db))
        .unwrap_or_else(|e| panic!("{what} on SQLite: {e}"));
    let found = pg
        .read(|db| f(db))
        .unwrap_or_else(|e| panic!("{what} on the server: {e}"));
    assert_eq!(found, expected, "{what}: the server answers as SQLite");
    found
}

fn ids(rows: &[PatientRow]) -> Vec<PatientId> {
    rows.iter().map(|r| r.id).collect()
}

/// The typed words the queries use: every name word, its first one to three letters,
/// and a few typing errors.
fn query_words() -> Vec<String> {
    let mut words = Vec::new();
    for name in FAMILIES.iter().chain(GIVEN) {
        let upper = text::words(&name.to_uppercase());
        for word in text::words(name)
            .into_iter()
            .chain([text::compact(name)])
            .chain(upper)
        {
            for n in 1..=3 {
                words.push(word.chars().take(n).collect());
            }
            words.push(word);
        }
    }
    words.extend(
        [
            "kowalksi", "nowka", "muler", "smiht", "zoey", "ngyuen", "ivanow", "straase",
        ]
        .map(String::from),
    );
    words.sort();
    words.dedup();
    words
}

/// The near words of `words` as the API builds them (intake-api's patients/search.rs).
fn near_words(db: &Db<'_>, words: &[String]) -> Result<Vec<NearWord>, StoreError> {
    let mut out = Vec::new();
    for word in words {
        let mut near = Vec::new();
        if search::is_fuzzed(word) {
            let n = word.chars().count();
            for term in db.name_words_starting(&search::near_prefix(word), n - 1, n + 1, 2_000)? {
                if term != *word && search::one_edit_apart(word, &term) {
                    near.push(term);
                }
            }
            near.extend(search::early_edits(word));
        }
        out.push(NearWord {
            word: word.clone(),
            near,
        });
    }
    Ok(out)
}

#[test]
fn server_search_answers_as_sqlite_does() {
    let settings = cluster().unwrap_or_else(|| {
        panic!(
            "INTAKE_TEST_PG is not set: run the server tests with scripts/with-postgres.sh \
             (make test does)"
        )
    });
    let database = TestDatabase::new(&settings);
    let pg = Store::Postgres(
        database
            .store()
            .expect("the app role connects to a fresh test database"),
    );
    let lite = Store::Sqlite(SqliteStore::open_in_memory().expect("a SQLite store"));
    let registered = register(&lite);
    assert_eq!(
        register(&pg).iter().map(|(_, id)| *id).collect::<Vec<_>>(),
        registered.iter().map(|(_, id)| *id).collect::<Vec<_>>(),
        "both stores number the patients alike"
    );
    assert!(registered.len() > 2_500, "a few thousand patients");
    same(&lite, &pg, "count", |db| db.count_patients());
    same(&lite, &pg, "count not flagged", |db| {
        db.count_patients_not_flagged("demo")
    });

    let words = query_words();
    let some_date = registered[7].0.birth_date;
    let mut found_any = 0;
    for word in &words {
        let one = std::slice::from_ref(word);
        for how in [WordMatch::Whole, WordMatch::Prefix] {
            for inactive in [false, true] {
                for limit in [CANDIDATES, 7] {
                    let what = format!("names {word:?} {how:?} inactive {inactive} limit {limit}");
                    let rows = same(&lite, &pg, &what, |db| {
                        db.search_patient_names(one, how, None, inactive, limit)
                    });
                    found_any += usize::from(!rows.is_empty());
                }
            }
            let what = format!("names {word:?} {how:?} born {some_date}");
            same(&lite, &pg, &what, |db| {
                db.search_patient_names(one, how, Some(some_date), true, CANDIDATES)
            });
        }
        for (min, max) in [(1, 3), (4, 9), (2, 40)] {
            same(
                &lite,
                &pg,
                &format!("name words {word:?} {min}..{max}"),
                |db| db.name_words_starting(word, min, max, 2_000),
            );
        }
    }
    assert!(found_any > words.len(), "the queries find patients");
    for pair in words.windows(2).step_by(3) {
        let what = format!("names {pair:?} both required");
        same(&lite, &pg, &what, |db| {
            db.search_patient_names(pair, WordMatch::Prefix, None, false, CANDIDATES)
        });
    }
    let two = ["kowalski".to_string(), "an".to_string()];
    let rows = same(&lite, &pg, "kowalski an", |db| {
        db.search_patient_names(&two, WordMatch::Prefix, None, true, 10_000)
    });
    assert!(rows.len() > 10, "two words find several: {}", rows.len());

    for typed in [
        vec!["kowalksi"],
        vec!["nowka", "jan"],
        vec!["muler"],
        vec!["smiht", "jones"],
        vec!["zoey"],
        vec!["ngyuen", "mei"],
        vec!["иванв"],
        vec!["παπαδοπουλος"],
        vec!["qqqqx"],
        vec!["straase", "li"],
        vec!["obrein"],
    ] {
        let typed: Vec<String> = typed.into_iter().map(String::from).collect();
        let near = same(&lite, &pg, &format!("near words of {typed:?}"), |db| {
            near_words(db, &typed)
        });
        for inactive in [false, true] {
            let rows = same(&lite, &pg, &format!("near {typed:?}"), |db| {
                db.search_patient_names_near(&near, None, inactive, CANDIDATES)
            });
            assert!(
                !rows.is_empty() || typed[0] == "qqqqx",
                "{typed:?} finds someone"
            );
        }
        same(&lite, &pg, &format!("near {typed:?} born"), |db| {
            db.search_patient_names_near(&near, Some(some_date), true, CANDIDATES)
        });
    }

    let mut phones = 0;
    for (p, _) in registered.iter().step_by(37) {
        let digits = text::digits(&p.phone);
        if digits.len() < 7 {
            continue;
        }
        phones += 1;
        for part in [
            &digits[..3],
            &digits[..7],
            &digits[digits.len() - 4..],
            &digits[digits.len() - 6..],
            digits.as_str(),
        ] {
            for inactive in [false, true] {
                let rows = same(&lite, &pg, &format!("phone {part}"), |db| {
                    db.search_patient_phones(part, inactive, CANDIDATES)
                });
                assert!(!inactive || !rows.is_empty(), "{part} finds");
            }
        }
        same(&lite, &pg, &format!("phone digits {digits}"), |db| {
            db.patients_with_phone_digits(&digits, 50)
        });
    }
    assert!(phones > 20, "phones were searched");

    for (p, id) in registered.iter().step_by(53) {
        for inactive in [false, true] {
            let rows = same(&lite, &pg, &format!("born {}", p.birth_date), |db| {
                db.patients_born_on(p.birth_date, inactive, CANDIDATES)
            });
            assert!(!inactive || ids(&rows).contains(id), "born that day");
        }
        let mrn = p.mrn.clone().unwrap_or_default();
        let row = same(&lite, &pg, &format!("MRN {mrn}"), |db| {
            db.patient_by_mrn(&mrn)
        });
        assert_eq!(row.map(|r| r.id), Some(*id), "the MRN finds its patient");
        same(&lite, &pg, &format!("compact MRN {mrn}"), |db| {
            db.patient_by_compact_mrn(&mrn.replace('-', ""))
        });
        same(&lite, &pg, &format!("email {}", p.email), |db| {
            db.patients_with_email(&p.email, CANDIDATES)
        });
    }

    // A renamed patient is found by the new name, and no longer by the old one.
    let (before, id) = registered
        .iter()
        .find(|(p, id)| p.family.starts_with("Kowalski") && id.0 % 17 != 1)
        .cloned()
        .expect("a Kowalski");
    let renamed = ValidPatient {
        family: "Wiśniewska-Quill".into(),
        ..before.clone()
    };
    let changes = serde_json::json!({ "family": [before.family, renamed.family] });
    for store in [&lite, &pg] {
        let version = store
            .read(|db| db.patient(id))
            .expect("reading")
            .expect("the patient")
            .version;
        let written = store
            .write(|db| db.update_patient(id, version, &renamed, &changes, at(99_999), "bea"))
            .expect("renaming");
        assert_eq!(written, Some(version + 1));
    }
    let by = |words: &[&str], how| {
        let words: Vec<String> = words.iter().map(|w| w.to_string()).collect();
        ids(&same(
            &lite,
            &pg,
            &format!("after the rename: {words:?}"),
            |db| db.search_patient_names(&words, how, None, true, 10_000),
        ))
    };
    assert_eq!(by(&["wisniewska"], WordMatch::Whole), [id], "the new name");
    assert_eq!(
        by(&["wisniewskaquill"], WordMatch::Whole),
        [id],
        "without its dash"
    );
    assert_eq!(
        by(&["quil"], WordMatch::Prefix),
        [id],
        "a prefix of the new name"
    );
    assert!(
        !by(&["kowalski"], WordMatch::Prefix).contains(&id),
        "the old name no longer finds it"
    );
    assert!(
        by(&["kowalski"], WordMatch::Prefix).len() > 10,
        "the old name still finds the others"
    );
    let near = vec![NearWord {
        word: "wisniewksa".into(),
        near: vec!["wisniewska".into()],
    }];
    let rows = same(&lite, &pg, "near the new name", |db| {
        db.search_patient_names_near(&near, None, true, 50)
    });
    assert_eq!(ids(&rows), [id]);
    same(&lite, &pg, "old name words gone", |db| {
        db.name_words_starting("wi", 1, 40, 100)
    });
}
