//! Patients through the API: search, duplicates, revisions, entered in error,
//! permissions, conflicts, and CSV import.

use std::sync::Arc;

use chrono::{TimeZone, Utc};
use intake_api::wire::ImportOptions;
use intake_api::wire::PatientInputDto;
use intake_api::wire::{AuditFilterDto, SettingsUpdate};
use intake_api::{Api, Caller, ErrorCode, ManualClock};

const CLI: Caller<'static> = Caller::Cli("tester");

fn api() -> Api {
    let clock = Arc::new(ManualClock::new(
        Utc.with_ymd_and_hms(2026, 11, 23, 9, 0, 0).unwrap(),
    ));
    let api = Api::for_tests(clock).unwrap();
    intake_demo::seed_demo(&api, CLI).unwrap(); // users, and 200 demo patients
    api
}

fn empty_api() -> Api {
    let clock = Arc::new(ManualClock::new(
        Utc.with_ymd_and_hms(2026, 11, 23, 9, 0, 0).unwrap(),
    ));
    Api::for_tests(clock).unwrap()
}

fn person(family: &str, given: &str, birth: &str) -> PatientInputDto {
    PatientInputDto {
        family: family.into(),
        given: given.into(),
        birth_date: birth.into(),
        sex: "female".into(),
        ..Default::default()
    }
}

fn register(api: &Api, caller: Caller<'_>, p: &PatientInputDto) -> intake_api::wire::PatientDto {
    let saved = api.register_patient(caller, p, None).expect("registered");
    saved
        .patient
        .unwrap_or_else(|| panic!("no duplicates expected: {:?}", saved.duplicates))
}

fn names(api: &Api, caller: Caller<'_>, query: &str) -> Vec<String> {
    api.search_patients(caller, query)
        .unwrap()
        .patients
        .into_iter()
        .map(|p| format!("{} {}", p.given, p.family))
        .collect()
}

fn token(api: &Api, user: &str) -> String {
    api.sign_in(user, "demo").unwrap().token
}

#[test]
fn search_folds_accents_ignores_order_and_matches_prefixes() {
    let api = empty_api();
    register(&api, CLI, &person("Núñez", "Zoë", "1984-03-07"));
    register(&api, CLI, &person("Kowalski", "Łukasz", "1975-11-02"));
    register(&api, CLI, &person("O'Brien-Smith", "Mary", "1990-06-15"));
    assert_eq!(
        names(&api, CLI, "zoe nun"),
        ["Zoë Núñez"],
        "accents, prefix"
    );
    assert_eq!(
        names(&api, CLI, "NUÑEZ zo"),
        ["Zoë Núñez"],
        "any order, any case"
    );
    assert_eq!(
        names(&api, CLI, "lukasz"),
        ["Łukasz Kowalski"],
        "Ł folds to l"
    );
    assert_eq!(
        names(&api, CLI, "obrien"),
        ["Mary O'Brien-Smith"],
        "apostrophe and hyphen"
    );
    assert_eq!(names(&api, CLI, "smith mary"), ["Mary O'Brien-Smith"]);
    assert!(
        names(&api, CLI, "zoe kowalski").is_empty(),
        "every fragment must match"
    );
}

#[test]
fn search_by_birth_date_in_iso_and_local_forms() {
    let api = empty_api();
    register(&api, CLI, &person("Núñez", "Zoë", "1984-03-07"));
    register(&api, CLI, &person("Other", "Person", "1984-07-03"));
    assert_eq!(names(&api, CLI, "1984-03-07"), ["Zoë Núñez"]);
    assert_eq!(
        names(&api, CLI, "07.03.1984"),
        ["Zoë Núñez"],
        "dmy is the default"
    );
    assert_eq!(
        names(&api, CLI, "zoe 07.03.1984"),
        ["Zoë Núñez"],
        "name and date"
    );
    let mdy = SettingsUpdate {
        date_order: Some("mdy".into()),
        ..Default::default()
    };
    api.update_settings(CLI, &mdy).unwrap();
    assert_eq!(
        names(&api, CLI, "03/07/1984"),
        ["Zoë Núñez"],
        "mdy when configured"
    );
}

#[test]
fn search_by_phone_digits_and_mrn() {
    let api = empty_api();
    let mut zoe = person("Núñez", "Zoë", "1984-03-07");
    zoe.phone = "+1 (555) 010-0101".into();
    let zoe = register(&api, CLI, &zoe);
    register(&api, CLI, &person("Kowalski", "Łukasz", "1975-11-02"));
    assert_eq!(names(&api, CLI, "5550100101"), ["Zoë Núñez"], "digits only");
    assert_eq!(
        names(&api, CLI, "010-0101"),
        ["Zoë Núñez"],
        "the last digits, punctuated"
    );
    assert_eq!(names(&api, CLI, &zoe.mrn), ["Zoë Núñez"], "the MRN");
    assert_eq!(names(&api, CLI, &zoe.mrn.to_lowercase()), ["Zoë Núñez"]);
    let letters = PatientInputDto {
        mrn: "ABCDEF".into(),
        ..person("Letters", "Only", "1970-01-01")
    };
    register(&api, CLI, &letters);
    assert_eq!(
        names(&api, CLI, "abcdef"),
        ["Only Letters"],
        "an MRN of letters only"
    );
}

#[test]
fn a_phone_number_finds_its_patient_however_it_is_typed() {
    let api = empty_api();
    let mut ana = person("Kowalski", "Ana", "1962-08-19");
    ana.phone = "+1 (555) 010-2000".into();
    register(&api, CLI, &ana);
    let mut other = person("Other", "Person", "1990-01-01");
    other.phone = "+1 (555) 010-3000".into();
    register(&api, CLI, &other);
    for typed in [
        "1 555 010 2000",
        "+1 (555) 010-2000",
        "555-010-2000",
        "5550102000",
        "555 010 2000",
    ] {
        assert_eq!(
            names(&api, CLI, typed),
            ["Ana Kowalski"],
            "{typed:?} finds the patient with that number, and only her"
        );
    }
}

#[test]
fn exact_mrn_ranks_first_then_full_names_then_partial() {
    let api = empty_api();
    let mut custom = person("Annabel", "Lee", "1970-01-01");
    custom.mrn = "ANN-1".into();
    register(&api, CLI, &custom);
    register(&api, CLI, &person("Anna", "Marie", "1980-01-01"));
    register(&api, CLI, &person("Annamaria", "Zed", "1980-01-02"));
    let found = names(&api, CLI, "anna");
    assert_eq!(
        found,
        ["Marie Anna", "Lee Annabel", "Zed Annamaria"],
        "whole word first"
    );
    let found = names(&api, CLI, "ann-1");
    assert_eq!(
        found.first().map(String::as_str),
        Some("Lee Annabel"),
        "exact MRN first"
    );
}

#[test]
fn search_returns_at_most_fifty() {
    let api = empty_api();
    intake_demo::seed_synthetic(&api, CLI, 2_000, 3).unwrap();
    let found = api.search_patients(CLI, "a").unwrap();
    assert_eq!(found.patients.len(), 50);
    assert!(found.truncated, "the answer says there are more");
    let few = api.search_patients(CLI, "zzzz").unwrap();
    assert!(!few.truncated);
}

#[test]
fn hostile_search_input_is_text_and_never_matches_everything() {
    let api = api();
    for query in [
        "\"",
        "*",
        "%",
        "%%",
        "'",
        "NEAR(a b)",
        "a OR b",
        "zoe\" OR \"x",
        "' OR 1=1 --",
        "DROP TABLE patients;",
        "^",
        "(",
        "names:zoe",
        "-",
        "",
        "   ",
    ] {
        let found = api
            .search_patients(CLI, query)
            .unwrap_or_else(|e| panic!("{query}: {e}"));
        assert!(
            found.patients.len() < 50,
            "{query:?} must not match everything"
        );
    }
    assert_eq!(
        names(&api, CLI, "zoe\" OR \"x").len(),
        0,
        "quotes are not operators"
    );
    let long = "z".repeat(100_000);
    assert!(
        api.search_patients(CLI, &long).is_ok(),
        "a huge query is cut, not an error"
    );
}

#[test]
fn searches_are_audited_without_the_query_text() {
    let api = empty_api();
    register(&api, CLI, &person("Núñez", "Zoë", "1984-03-07"));
    api.search_patients(CLI, "zoe secret-words").unwrap();
    let entries = api.list_audit(CLI, &AuditFilterDto::default()).unwrap();
    let searched = entries
        .iter()
        .find(|e| e.action == "patient.searched")
        .unwrap();
    assert!(
        !searched.detail.to_string().contains("zoe"),
        "{}",
        searched.detail
    );
    assert_eq!(searched.detail["results"], 0);
}

#[test]
fn likely_duplicates_stop_a_registration_until_a_reason_is_given() {
    let api = empty_api();
    let mut zoe = person("Núñez", "Zoë", "1984-03-07");
    zoe.phone = "555 0101".into();
    zoe.email = "zoe@example.org".into();
    let zoe = register(&api, CLI, &zoe);
    let cases = [
        (
            "accents and case",
            person("NUNEZ", "zoe", "1984-03-07"),
            "similar name",
        ),
        (
            "swapped",
            person("Zoe", "Nunez", "1984-03-07"),
            "similar name",
        ),
        ("typo", person("Nunes", "Zoe", "1984-03-07"), "similar name"),
        (
            "prefix",
            person("Núñez", "Zo", "1984-03-07"),
            "similar name",
        ),
        (
            "phone",
            PatientInputDto {
                phone: "(555) 01-01".into(),
                ..person("Other", "Name", "1950-01-01")
            },
            "phone",
        ),
        (
            "email",
            PatientInputDto {
                email: "ZOE@example.org".into(),
                ..person("Other", "Name", "1950-01-01")
            },
            "email",
        ),
    ];
    for (name, p, reason) in cases {
        let saved = api.register_patient(CLI, &p, None).unwrap();
        assert!(saved.patient.is_none(), "{name}: nothing saved");
        assert_eq!(saved.duplicates.len(), 1, "{name}");
        assert_eq!(saved.duplicates[0].patient.mrn, zoe.mrn, "{name}");
        assert!(
            saved.duplicates[0]
                .reasons
                .iter()
                .any(|r| r.contains(reason)),
            "{name}: {:?}",
            saved.duplicates[0].reasons
        );
    }
    let not_duplicates = [
        person("Núñez", "Zoë", "1984-03-08"),
        person("Nguyen", "Zoë", "1984-03-07"),
        person("Núñez", "Marta", "1984-03-07"),
    ];
    for p in not_duplicates {
        assert!(
            api.register_patient(CLI, &p, None)
                .unwrap()
                .patient
                .is_some(),
            "{} {} {}",
            p.given,
            p.family,
            p.birth_date
        );
    }
    let err = api
        .register_patient(CLI, &person("Nunez", "Zoe", "1984-03-07"), Some("  "))
        .unwrap_err();
    assert_eq!(err.field(), Some("duplicateReason"));
    let saved = api
        .register_patient(
            CLI,
            &person("Nunez", "Zoe", "1984-03-07"),
            Some("twin sister, same name"),
        )
        .unwrap();
    assert!(saved.patient.is_some(), "registered with a reason");
    let entries = api.list_audit(CLI, &AuditFilterDto::default()).unwrap();
    let overridden = entries
        .iter()
        .find(|e| e.action == "patient.duplicate_overridden")
        .unwrap();
    assert_eq!(overridden.detail["reason"], "twin sister, same name");
    assert_eq!(overridden.detail["candidates"][0], zoe.mrn);
}

#[test]
fn parallel_failed_sign_ins_all_count_towards_the_lock() {
    let api = api();
    std::thread::scope(|scope| {
        for _ in 0..8 {
            scope.spawn(|| {
                let _ = api.sign_in("nurse", "wrong-password");
            });
        }
    });
    let err = api.sign_in("nurse", "demo").unwrap_err();
    assert!(
        err.to_string().contains("Too many failed sign-ins"),
        "{err}"
    );
}

#[test]
fn viewing_history_and_duplicate_candidates_is_audited() {
    let api = empty_api();
    let zoe = register(&api, CLI, &person("Núñez", "Zoë", "1984-03-07"));
    api.patient_history(CLI, zoe.id).unwrap();
    api.register_patient(CLI, &person("Nunez", "Zoe", "1984-03-07"), None)
        .unwrap();
    let entries = api.list_audit(CLI, &AuditFilterDto::default()).unwrap();
    for action in ["patient.history_viewed", "patient.shown_as_duplicate"] {
        let entry = entries
            .iter()
            .find(|e| e.action == action)
            .unwrap_or_else(|| panic!("{action}"));
        assert_eq!(entry.patient_id, Some(zoe.id), "{action} names the patient");
    }
}

#[test]
fn edits_keep_every_revision_and_refuse_stale_versions() {
    let api = api();
    let nurse = token(&api, "nurse");
    let physician = token(&api, "physician");
    let p = register(
        &api,
        Caller::Session(&nurse),
        &person("Testperson", "Alma", "1950-05-05"),
    );
    let mut edit = person("Testperson", "Alma", "1950-05-05");
    edit.phone = "555 1234".into();
    let v2 = api
        .update_patient(Caller::Session(&nurse), p.id, p.version, &edit, None)
        .unwrap()
        .patient
        .unwrap();
    assert_eq!(v2.version, 2);
    let mut stale = edit.clone();
    stale.email = "alma@example.org".into();
    let err = api
        .update_patient(Caller::Session(&physician), p.id, p.version, &stale, None)
        .unwrap_err();
    assert_eq!(
        err.code(),
        ErrorCode::Conflict,
        "an edit from version 1 is refused"
    );
    assert!(
        err.to_string().contains("nurse"),
        "says who changed it: {err}"
    );
    let history = api
        .patient_history(Caller::Session(&physician), p.id)
        .unwrap();
    assert_eq!(history.len(), 2);
    assert_eq!(history[0].changes["family"][1], "Testperson");
    assert_eq!(
        history[1].changes["phone"],
        serde_json::json!(["", "555 1234"])
    );
    assert_eq!(history[1].by, "nurse");
    let unchanged = api.get_patient(Caller::Session(&physician), p.id).unwrap();
    assert_eq!(unchanged.email, "", "the stale edit wrote nothing");
}

#[test]
fn entered_in_error_leaves_search_but_not_the_record() {
    let api = api();
    let admin = token(&api, "admin");
    let nurse = token(&api, "nurse");
    let p = register(&api, CLI, &person("Mistaken", "Entry", "1960-02-02"));
    let err = api
        .mark_patient_in_error(Caller::Session(&admin), p.id, p.version, "")
        .unwrap_err();
    assert_eq!(err.field(), Some("reason"));
    let marked = api
        .mark_patient_in_error(
            Caller::Session(&admin),
            p.id,
            p.version,
            "registered twice by mistake",
        )
        .unwrap();
    assert_eq!(marked.status, "entered_in_error");
    assert!(
        names(&api, Caller::Session(&nurse), "mistaken").is_empty(),
        "gone from search"
    );
    let err = api.get_patient(Caller::Session(&nurse), p.id).unwrap_err();
    assert_eq!(err.code(), ErrorCode::NotFound);
    let found = api
        .search_patients(Caller::Session(&admin), "mistaken")
        .unwrap();
    assert_eq!(
        found.patients[0].status, "entered_in_error",
        "admins still see it"
    );
    let history = api.patient_history(Caller::Session(&admin), p.id).unwrap();
    assert_eq!(
        history.last().unwrap().reason.as_deref(),
        Some("registered twice by mistake")
    );
}

#[test]
fn permissions_for_patients() {
    let api = api();
    let p = register(&api, CLI, &person("Perm", "Check", "1970-07-07"));
    for (role, may_edit, may_mark) in [
        ("nurse", true, false),
        ("physician", true, false),
        ("admin", false, true),
    ] {
        let t = token(&api, role);
        let c = Caller::Session(&t);
        assert!(api.search_patients(c, "perm").is_ok(), "{role} searches");
        let current = api.get_patient(c, p.id).expect("everyone views");
        assert!(api.patient_history(c, p.id).is_ok(), "{role} reads history");
        let registered = api.register_patient(c, &person("New", role, "1999-09-09"), None);
        assert_eq!(
            registered.is_ok(),
            may_edit,
            "{role} registers: {registered:?}"
        );
        let edited = api.update_patient(
            c,
            p.id,
            current.version,
            &person("Perm", "Check", "1970-07-07"),
            None,
        );
        assert_eq!(edited.is_ok(), may_edit, "{role} edits");
        if !may_edit {
            assert_eq!(edited.unwrap_err().code(), ErrorCode::Forbidden);
        }
        let marked = api.mark_patient_in_error(c, p.id, current.version, "test");
        assert_eq!(
            marked.is_ok(),
            may_mark,
            "{role} marks in error: {marked:?}"
        );
    }
    for bad in ["", "forged"] {
        let err = api.search_patients(Caller::Session(bad), "x").unwrap_err();
        assert_eq!(err.code(), ErrorCode::Unauthenticated);
    }
}

/// The patient screen shows "Start intake", "Export PDF" and "Mark entered in error"
/// from the patient's `may` flags, never from a role list; each flag says what the call
/// then does.
#[test]
fn a_patient_says_what_the_caller_may_do_with_it() {
    let api = api();
    let p = register(&api, CLI, &person("May", "Flags", "1971-01-01"));
    for (role, start, export, mark) in [
        ("nurse", true, false, false),
        ("physician", true, true, false),
        ("admin", false, true, true),
    ] {
        let t = token(&api, role);
        let c = Caller::Session(&t);
        let may = api.get_patient(c, p.id).expect("everyone views").may;
        assert_eq!(
            (may.start_intake, may.export_pdf, may.mark_in_error),
            (start, export, mark),
            "{role}: (start intake, export PDF, mark in error)"
        );
        assert_eq!(
            api.start_intake(c, p.id, None, None).is_ok(),
            may.start_intake,
            "{role}: starting an intake works exactly when startIntake says so"
        );
    }
    let admin = token(&api, "admin");
    let current = api.get_patient(Caller::Session(&admin), p.id).unwrap();
    let marked = api
        .mark_patient_in_error(Caller::Session(&admin), p.id, current.version, "twice")
        .unwrap();
    assert!(
        !marked.may.mark_in_error && !marked.may.start_intake,
        "a patient entered in error is not marked again and gets no intake: {:?}",
        marked.may
    );
}

#[test]
fn validation_errors_name_the_field_and_save_nothing() {
    let api = empty_api();
    for (p, field) in [
        (person("", "Zoe", "1984-03-07"), "family"),
        (person("X", "Zoe", ""), "birthDate"),
        (person("X", "Zoe", "2030-01-01"), "birthDate"),
        (person("X", "Zoe", "1850-01-01"), "birthDate"),
        (person("X", "Zoe", "2026-02-30"), "birthDate"),
        (
            PatientInputDto {
                sex: "x".into(),
                ..person("X", "Zoe", "1984-03-07")
            },
            "sex",
        ),
        (
            PatientInputDto {
                email: "x@".into(),
                ..person("X", "Zoe", "1984-03-07")
            },
            "email",
        ),
        (
            PatientInputDto {
                phone: "none".into(),
                ..person("X", "Zoe", "1984-03-07")
            },
            "phone",
        ),
        (
            PatientInputDto {
                notes: "n".repeat(5000),
                ..person("X", "Zoe", "1984-03-07")
            },
            "notes",
        ),
        (person("X\u{1b}", "Zoe", "1984-03-07"), "family"),
    ] {
        let err = api.register_patient(CLI, &p, None).unwrap_err();
        assert_eq!(err.field(), Some(field), "{err}");
    }
    let first = register(
        &api,
        CLI,
        &PatientInputDto {
            mrn: "A-1".into(),
            ..person("One", "A", "1980-01-01")
        },
    );
    let err = api
        .register_patient(
            CLI,
            &PatientInputDto {
                mrn: "a-1".into(),
                ..person("Two", "B", "1981-01-01")
            },
            None,
        )
        .unwrap_err();
    assert_eq!(err.field(), Some("mrn"), "{err}");
    assert_eq!(first.mrn, "A-1");
    assert_eq!(
        api.search_patients(CLI, "two").unwrap().patients.len(),
        0,
        "nothing saved"
    );
}

#[test]
fn generated_mrns_follow_the_sequence_and_skip_taken_ones() {
    let api = empty_api();
    let taken = PatientInputDto {
        mrn: "000002-6".into(),
        ..person("Hand", "Made", "1980-01-01")
    };
    register(&api, CLI, &taken);
    let a = register(&api, CLI, &person("Alpha", "A", "1981-01-01"));
    let b = register(&api, CLI, &person("Beta", "B", "1982-01-01"));
    assert_eq!(a.mrn, "000001-8");
    assert_eq!(
        b.mrn, "000003-4",
        "000002-6 was entered by hand, so it is skipped"
    );
}

const HEADER: &str = "mrn,family,given,birth_date,sex,phone,email\n";

fn import(api: &Api, csv: &str, options: ImportOptions) -> intake_api::wire::ImportReportDto {
    api.import_patients_csv(CLI, csv.as_bytes(), options)
        .expect("an import report")
}

#[test]
fn csv_import_happy_path_and_duplicates() {
    let api = empty_api();
    register(&api, CLI, &person("Núñez", "Zoë", "1984-03-07"));
    let csv = format!(
        "{HEADER}\
         ,Kowalski,Łukasz,1975-11-02,male,+48 22 555 0199,\n\
         X-77,\"O'Brien, Jr\",Mary,1990-06-15,female,,mary@example.org\n\
         ,Nunez,Zoe,1984-03-07,female,,\n\
         ,Kowalski,Lukasz,1975-11-02,male,,\n"
    );
    let report = import(&api, &csv, ImportOptions::default());
    assert!(report.committed);
    assert_eq!(report.imported, 2);
    let lines: Vec<u64> = report.skipped_duplicates.iter().map(|s| s.line).collect();
    assert_eq!(
        lines,
        [4, 5],
        "a duplicate of the register and of an earlier row"
    );
    assert_eq!(names(&api, CLI, "x-77"), ["Mary O'Brien, Jr"]);
}

#[test]
fn csv_import_is_all_or_nothing_with_line_numbers() {
    let api = empty_api();
    let csv = format!(
        "{HEADER}\
         ,Good,One,1980-01-01,female,,\n\
         ,,Nofamily,1980-01-01,female,,\n\
         ,Bad,Date,1980-02-30,male,,\n\
         ,Good,Two,1981-01-01,male,,\n"
    );
    let report = import(&api, &csv, ImportOptions::default());
    assert!(!report.committed, "rejected rows stop the import");
    let rejected: Vec<(u64, Option<&str>)> = report
        .rejected
        .iter()
        .map(|r| (r.line, r.field.as_deref()))
        .collect();
    assert_eq!(rejected, [(3, Some("family")), (4, Some("birthDate"))]);
    assert_eq!(
        api.search_patients(CLI, "good").unwrap().patients.len(),
        0,
        "nothing imported"
    );
    let dry = import(
        &api,
        &csv,
        ImportOptions {
            dry_run: true,
            skip_invalid: true,
        },
    );
    assert_eq!(
        (dry.imported, dry.committed),
        (2, false),
        "a dry run imports nothing"
    );
    assert_eq!(api.search_patients(CLI, "good").unwrap().patients.len(), 0);
    let report = import(
        &api,
        &csv,
        ImportOptions {
            dry_run: false,
            skip_invalid: true,
        },
    );
    assert!(report.committed);
    assert_eq!(report.imported, 2);
    assert_eq!(api.search_patients(CLI, "good").unwrap().patients.len(), 2);
}

#[test]
fn csv_files_with_a_bad_shape_are_refused_whole() {
    let api = empty_api();
    for (csv, words) in [
        ("family,given,birth_date,sex,shoe_size\n", "shoe_size"),
        ("family,given,sex\n", "birth_date"),
        ("", "family"),
    ] {
        let err = api
            .import_patients_csv(CLI, csv.as_bytes(), ImportOptions::default())
            .unwrap_err();
        assert!(err.to_string().contains(words), "{csv:?}: {err}");
    }
    let bad_row = format!("{HEADER},Short,Row\n,Bad\u{0}Name,X,1980-01-01,male,,\n");
    let report = import(
        &api,
        &bad_row,
        ImportOptions {
            dry_run: false,
            skip_invalid: true,
        },
    );
    assert_eq!(report.rejected.len(), 2, "{:?}", report.rejected);
    let latin1 = b"family,given,birth_date,sex\nM\xfcller,Hans,1970-01-01,male\n";
    let report = api
        .import_patients_csv(CLI, latin1, ImportOptions::default())
        .unwrap();
    assert!(
        report.rejected[0].message.contains("UTF-8"),
        "{:?}",
        report.rejected
    );
}

#[test]
fn a_name_one_typing_error_away_is_found_after_the_exact_matches() {
    let api = empty_api();
    register(&api, CLI, &person("Kowalksi", "Jan", "1971-01-01"));
    register(&api, CLI, &person("Kowalski", "Łukasz", "1975-11-02"));
    register(&api, CLI, &person("Kowalsky", "Piotr", "1980-05-05"));
    register(&api, CLI, &person("Kovalsky", "Ivan", "1990-09-09"));
    register(&api, CLI, &person("Nowak", "Jan", "1960-02-02"));
    assert_eq!(
        names(&api, CLI, "kowalksi"),
        ["Jan Kowalksi", "Łukasz Kowalski"],
        "the exact match first, then the name with two letters swapped; \
         Kowalsky and Kovalsky are two errors away"
    );
    assert_eq!(
        names(&api, CLI, "kowalski"),
        ["Łukasz Kowalski", "Jan Kowalksi", "Piotr Kowalsky"],
        "a swap and a wrong letter, after the exact match"
    );
    assert_eq!(
        names(&api, CLI, "owalski lukasz"),
        ["Łukasz Kowalski"],
        "a missing first letter, with another word that must match too"
    );
    assert_eq!(
        names(&api, CLI, "jna"),
        Vec::<String>::new(),
        "a three-letter word is not fuzzed"
    );
}

#[test]
fn an_mrn_is_found_with_or_without_its_dash() {
    let api = empty_api();
    let mut p = person("Dash", "Less", "1970-01-01");
    p.mrn = "000003-4".into();
    register(&api, CLI, &p);
    register(&api, CLI, &person("Other", "Patient", "1971-01-01"));
    assert_eq!(names(&api, CLI, "000003-4"), ["Less Dash"], "with the dash");
    assert_eq!(
        names(&api, CLI, "0000034"),
        ["Less Dash"],
        "without the dash"
    );
    let found = api
        .find_chart(CLI, "0000034")
        .expect("the CLI finds it too");
    assert_eq!(
        api.get_patient(CLI, found).unwrap().mrn,
        "000003-4",
        "the chart named by its MRN without the dash"
    );
}

#[test]
fn a_patient_registered_during_a_large_import_does_not_wait_for_it() {
    // Two programs on one workstation file: the CLI importing, the app registering.
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("intake.db");
    let clock = || {
        Arc::new(ManualClock::new(
            Utc.with_ymd_and_hms(2026, 11, 23, 9, 0, 0).unwrap(),
        ))
    };
    let cli = Api::open_file(&file, clock()).unwrap();
    let app = Api::open_file(&file, clock()).unwrap();
    let rows = 3000;
    let mut csv = String::from(HEADER);
    let first = chrono::NaiveDate::from_ymd_opt(1930, 1, 1).unwrap();
    for i in 0..rows {
        let born = first + chrono::Duration::days(i);
        csv.push_str(&format!(",Importrow{i},Ann,{born},female,,\n"));
    }
    std::thread::scope(|scope| {
        let import = scope.spawn(|| import(&cli, &csv, ImportOptions::default()));
        // The import commits as it goes: its first rows are there long before its last.
        while app
            .search_patients(CLI, "Importrow")
            .unwrap()
            .patients
            .is_empty()
        {
            assert!(
                !import.is_finished(),
                "the import showed nothing until it was done"
            );
            std::thread::yield_now();
        }
        register(&app, CLI, &person("Núñez", "Zoë", "1984-03-07"));
        assert!(
            !import.is_finished(),
            "the registration went in between the import's chunks, not after it"
        );
        let report = import.join().unwrap();
        assert!(report.committed);
        assert_eq!(report.imported, rows as u64);
    });
    assert_eq!(
        names(&app, CLI, "Importrow2999")
            .first()
            .map(String::as_str),
        Some("Ann Importrow2999"),
        "the last row is there"
    );
    assert_eq!(names(&app, CLI, "Nunez"), ["Zoë Núñez"]);
}
