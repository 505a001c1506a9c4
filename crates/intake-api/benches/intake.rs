//! Forms and intakes: import and validate the 142-item cardiology form, open an intake
//! of the built-in form for the screen, save one field, submit, open the review of a
//! patient with 50 earlier visits.
//!
//! Everything runs through the API on a database file (`synchronous=FULL`), as the
//! screen experiences it. Each operation's p50/p95/p99 is printed, then criterion
//! gives its usual report. Targets (issue 4): save one field p99 ≤ 5 ms; open the
//! intake screen (backend work) ≤ 20 ms for the built-in form. Issue 6: open the review
//! screen (backend work) for a patient with 50 earlier visits ≤ 30 ms.
//!
//! A filter (`cargo bench -p intake-api --bench intake -- review`) skips, as criterion
//! does, every part whose benchmark name does not contain it, percentiles included.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use criterion::Criterion;
use intake_api::wire::ChangeDto;
use intake_api::wire::PatientInputDto;
use intake_api::{Api, Caller, SystemClock};
use intake_core::questionnaire::response::{evaluate, FormIndex, Response};
use serde_json::json;

mod backend;

const CLI: Caller<'static> = Caller::Cli("bench");

fn percentiles(name: &str, mut samples: Vec<Duration>) {
    samples.sort();
    let at = |q: f64| samples[((samples.len() as f64 - 1.0) * q).round() as usize];
    println!(
        "{name:<44} p50 {:>7.2} ms  p95 {:>7.2} ms  p99 {:>7.2} ms  (n={})",
        at(0.50).as_secs_f64() * 1e3,
        at(0.95).as_secs_f64() * 1e3,
        at(0.99).as_secs_f64() * 1e3,
        samples.len()
    );
}

/// Criterion's options that take a value (the filter is the first other argument).
const VALUE_OPTIONS: [&str; 19] = [
    "-c",
    "--color",
    "--colour",
    "-s",
    "--save-baseline",
    "-b",
    "--baseline",
    "--baseline-lenient",
    "--format",
    "--profile-time",
    "--load-baseline",
    "--sample-size",
    "--warm-up-time",
    "--measurement-time",
    "--nresamples",
    "--noise-threshold",
    "--confidence-level",
    "--significance-level",
    "--plotting-backend",
];

/// The benchmark filter on the command line, if any.
fn filter() -> Option<String> {
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        if VALUE_OPTIONS.contains(&arg.as_str()) || arg == "--output-format" {
            args.next();
        } else if !arg.starts_with('-') {
            return Some(arg);
        }
    }
    None
}

/// Whether the part with benchmark `name` runs (no filter, or its name contains it).
fn wanted(name: &str) -> bool {
    filter().is_none_or(|f| name.contains(&f))
}

fn time(n: usize, mut f: impl FnMut(usize)) -> Vec<Duration> {
    (0..n)
        .map(|i| {
            let start = Instant::now();
            f(i);
            start.elapsed()
        })
        .collect()
}

fn change(key: &str, value: serde_json::Value, base_rev: i64) -> ChangeDto {
    serde_json::from_value(json!({ "key": key, "values": [value], "baseRev": base_rev }))
        .expect("change")
}

/// A patient with `n` earlier submitted visits (vitals, two allergies, three
/// medications, social history), each carried from the one before and confirmed.
fn patient_with_visits(api: &Api, nurse: Caller<'_>, n: usize) -> i64 {
    let p = PatientInputDto {
        family: format!("Repeat{n}"),
        given: "Łukasz".into(),
        birth_date: "1975-11-02".into(),
        sex: "male".into(),
        ..Default::default()
    };
    let pid = api
        .register_patient(CLI, &p, Some("bench"))
        .expect("patient")
        .patient
        .expect("saved")
        .id;
    for i in 0..n {
        let e = api.start_intake(nurse, pid, None, None).expect("start");
        let opened = api.open_intake(nurse, e.id).expect("open");
        let mut changes = vec![
            change(
                "visit/reason",
                json!({ "valueString": format!("Visit {i}") }),
                0,
            ),
            change("vitals/weight", json!({ "valueDecimal": 80 + (i % 7) }), 0),
            change("vitals/pulse", json!({ "valueInteger": 70 + (i % 9) }), 0),
        ];
        if i == 0 {
            changes.push(change(
                "allergies/any-allergies",
                json!({ "valueBoolean": true }),
                0,
            ));
            changes.push(change(
                "medications/any-medications",
                json!({ "valueBoolean": true }),
                0,
            ));
            changes.push(change(
                "social/occupation",
                json!({ "valueString": "Electrician" }),
                0,
            ));
            for row in 1..=2 {
                changes.push(
                    serde_json::from_value(
                        json!({ "key": format!("allergies/allergy[{row}]"), "values": [], "baseRev": 0 }),
                    )
                    .expect("row"),
                );
                changes.push(change(
                    &format!("allergies/allergy[{row}]/allergy-substance"),
                    json!({ "valueString": format!("Substance {row}") }),
                    0,
                ));
            }
            for row in 1..=3 {
                changes.push(
                    serde_json::from_value(
                        json!({ "key": format!("medications/medication[{row}]"), "values": [], "baseRev": 0 }),
                    )
                    .expect("row"),
                );
                changes.push(change(
                    &format!("medications/medication[{row}]/med-name"),
                    json!({ "valueString": format!("Medicine {row}") }),
                    0,
                ));
            }
        }
        api.save_intake(nurse, e.id, &changes, None).expect("save");
        let confirms: Vec<intake_api::wire::ConfirmDto> = opened
            .answers
            .iter()
            .filter(|a| a.needs_confirmation)
            .map(|a| {
                serde_json::from_value(json!({ "key": a.key, "baseRev": a.rev })).expect("confirm")
            })
            .collect();
        api.confirm_intake(nurse, e.id, &confirms).expect("confirm");
        assert!(api.submit_intake(nurse, e.id).expect("submit").submitted);
    }
    pid
}

/// Carry-forward with the database: the plan for a patient with 50 and 500 earlier
/// visits, and starting then opening a repeat-visit intake (target: at most 30 ms).
fn repeat_visits(api: &Api, nurse: Caller<'_>, c: &mut Criterion) {
    for n in [50, 500] {
        if !wanted(&format!("plan_intake_{n}_visits")) {
            continue;
        }
        let pid = patient_with_visits(api, nurse, n);
        percentiles(
            &format!("plan a repeat visit, {n} earlier visits"),
            time(200, |_| {
                api.plan_intake(nurse, pid, None, None).expect("plan");
            }),
        );
        c.bench_function(&format!("plan_intake_{n}_visits"), |b| {
            b.iter(|| api.plan_intake(nurse, pid, None, None).expect("plan"))
        });
        if n == 50 {
            percentiles(
                "start + open a repeat-visit intake (backend)",
                time(200, |_| {
                    let e = api.start_intake(nurse, pid, None, None).expect("start");
                    api.open_intake(nurse, e.id).expect("open");
                }),
            );
        }
    }
}

/// The review screen (backend work) of a submitted visit whose patient has 50 earlier
/// visits, each signed by the physician (target: at most 30 ms). Opening a review is
/// audited, so each call is a write transaction.
fn review_open(api: &Api, nurse: Caller<'_>, c: &mut Criterion) {
    const NAME: &str = "review/open 50 visits";
    if !wanted(NAME) {
        return;
    }
    let token = api.sign_in("physician", "demo").expect("sign in").token;
    let physician = Caller::Session(&token);
    let pid = patient_with_visits(api, nurse, 51);
    let list = api
        .list_encounters(CLI, Some(pid), Some("submitted"))
        .expect("list");
    let (newest, earlier) = list.split_first().expect("51 visits"); // newest first
    for e in earlier {
        let hash = api
            .open_review(physician, e.id)
            .expect("review")
            .record_hash;
        api.sign_intake(physician, e.id, &hash).expect("sign");
    }
    let review = api.open_review(physician, newest.id).expect("review");
    assert_eq!(review.encounter.status, "submitted");
    assert_eq!(
        review.previous.as_ref().map(|p| p.status.as_str()),
        Some("signed"),
        "compared with the signed visit before"
    );
    let id = newest.id;
    println!("{NAME}: the record holds {} answers", review.answers.len());
    percentiles(
        NAME,
        time(300, |_| {
            api.open_review(physician, id).expect("review");
        }),
    );
    // The physician's queue: the demo clinic's waiting intakes and this one.
    let waiting = api
        .review_queue(physician, None, None, None)
        .expect("queue")
        .items
        .len();
    percentiles(
        &format!("review queue ({waiting} waiting)"),
        time(300, |_| {
            api.review_queue(physician, None, None, None)
                .expect("queue");
        }),
    );
    let mut group = c.benchmark_group("review");
    group.bench_function("open 50 visits", |b| {
        b.iter(|| api.open_review(physician, id).expect("review"))
    });
    group.finish();
}

fn main() {
    let cardiology = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/fixtures/questionnaires/sdc-cardiology-form.json");
    let mut c = Criterion::default().configure_from_args();

    match std::fs::read(&cardiology) {
        _ if !wanted("import_validate_cardiology") => {}
        Ok(bytes) => {
            let validate = |bytes: &[u8]| {
                let (q, _) = intake_core::questionnaire::import(bytes).expect("imports");
                let index = FormIndex::new(&q.items);
                evaluate(&index, &Response::new()).problems.len()
            };
            percentiles(
                "import + validate cardiology (142 items)",
                time(200, |_| {
                    validate(&bytes);
                }),
            );
            c.bench_function("import_validate_cardiology", |b| {
                b.iter(|| validate(&bytes))
            });
        }
        Err(_) => println!(
            "SKIPPED import + validate cardiology: {} is not there",
            cardiology.display()
        ),
    }

    let dir = tempfile::tempdir().expect("temp dir");
    let api = backend::fresh(&dir.path().join("intake.db"), Arc::new(SystemClock));
    println!("on {}", backend::name());
    intake_demo::seed_demo(&api, CLI).expect("demo");
    let token = api.sign_in("nurse", "demo").expect("sign in").token;
    let nurse = Caller::Session(&token);
    let p = PatientInputDto {
        family: "Bench".into(),
        given: "Mark".into(),
        birth_date: "1970-01-01".into(),
        sex: "female".into(),
        ..Default::default()
    };
    let pid = api
        .register_patient(CLI, &p, Some("bench"))
        .expect("patient")
        .patient
        .expect("saved")
        .id;
    let e = api.start_intake(nurse, pid, None, None).expect("start");
    // A realistic draft: vitals, three medications, a history row.
    let mut changes = vec![
        change(
            "visit/reason",
            json!({ "valueString": "Follow-up of hypertension" }),
            0,
        ),
        change("vitals/height", json!({ "valueDecimal": 172 }), 0),
        change("vitals/weight", json!({ "valueDecimal": 81.5 }), 0),
        change("vitals/pulse", json!({ "valueInteger": 72 }), 0),
        // The built-in form asks both on a first visit (it refuses submission without).
        change(
            "allergies/any-allergies",
            json!({ "valueBoolean": false }),
            0,
        ),
        change(
            "medications/any-medications",
            json!({ "valueBoolean": true }),
            0,
        ),
    ];
    for row in 1..=3 {
        changes.push(
            serde_json::from_value(
                json!({ "key": format!("medications/medication[{row}]"), "values": [], "baseRev": 0 }),
            )
            .expect("row"),
        );
        changes.push(change(
            &format!("medications/medication[{row}]/med-name"),
            json!({ "valueString": format!("Medicine {row}") }),
            0,
        ));
    }
    api.save_intake(nurse, e.id, &changes, Some("vitals"))
        .expect("draft");

    if wanted("open_intake_builtin") {
        percentiles(
            "open intake, built-in form (backend)",
            time(300, |_| {
                api.open_intake(nurse, e.id).expect("open");
            }),
        );
        c.bench_function("open_intake_builtin", |b| {
            b.iter(|| api.open_intake(nurse, e.id).expect("open"))
        });
    }

    if wanted("save_one_field") {
        save_one_field(&api, nurse, e.id, &mut c);
    }

    repeat_visits(&api, nurse, &mut c);
    review_open(&api, nurse, &mut c);

    if wanted("submit") {
        submit(&api, nurse, pid, &changes);
    }
    c.final_summary();
}

/// Saving one field of a draft, again and again.
fn save_one_field(api: &Api, nurse: Caller<'_>, id: i64, c: &mut Criterion) {
    let mut rev = 0;
    percentiles(
        "save one field (synchronous=FULL)",
        time(1000, |i| {
            let saved = api
                .save_intake(
                    nurse,
                    id,
                    &[change(
                        "vitals/bp/systolic",
                        json!({ "valueInteger": 100 + (i % 50) as i64 }),
                        rev,
                    )],
                    None,
                )
                .expect("save");
            rev = saved
                .answers
                .iter()
                .find(|a| a.key == "vitals/bp/systolic")
                .map_or(rev, |a| a.rev);
        }),
    );
    c.bench_function("save_one_field", |b| {
        b.iter(|| {
            let saved = api
                .save_intake(
                    nurse,
                    id,
                    &[change(
                        "vitals/bp/systolic",
                        json!({ "valueInteger": 120 }),
                        rev,
                    )],
                    None,
                )
                .expect("save");
            rev = saved
                .answers
                .iter()
                .find(|a| a.key == "vitals/bp/systolic")
                .map_or(rev, |a| a.rev);
        })
    });
}

/// Submission: a fresh, complete draft each time.
fn submit(api: &Api, nurse: Caller<'_>, pid: i64, changes: &[ChangeDto]) {
    let drafts: Vec<i64> = (0..100)
        .map(|_| {
            let d = api.start_intake(nurse, pid, None, None).expect("start");
            api.save_intake(nurse, d.id, changes, None).expect("fill");
            d.id
        })
        .collect();
    percentiles(
        "submit (validate + freeze)",
        time(drafts.len(), |i| {
            let done = api.submit_intake(nurse, drafts[i]).expect("submit");
            assert!(done.submitted, "not submitted: {:?}", done.problems);
        }),
    );
}
