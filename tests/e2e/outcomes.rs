//! The Outcomes screen in the real window: six weeks of intakes made through the API
//! before the app starts (first visits typed, repeat visits carried and confirmed, one
//! value edited), then the admin opens Outcomes and sees the chart and a table row for
//! the week of the newest intake; an empty period and a reversed one say so.

use std::sync::Arc;

use chrono::{DateTime, Datelike, Duration, NaiveTime, Utc};
use intake_api::wire::ChangeDto;
use intake_api::wire::ConfirmDto;
use intake_api::wire::PatientInputDto;
use intake_api::wire::{NewUserRequest, SettingsUpdate};
use intake_api::{Api, Caller, DataDir, ManualClock};
use serde_json::{json, Value};

use crate::harness::{Session, ENTER};

const PASSWORD: &str = "outcomes-pw-1";
const CLI: Caller<'static> = Caller::Cli("e2e");

fn change(key: &str, values: Value, base_rev: i64) -> ChangeDto {
    serde_json::from_value(json!({ "key": key, "values": values, "baseRev": base_rev })).unwrap()
}

/// The API on the test's data folder with a clock the test moves.
struct Clinic {
    api: Api,
    clock: Arc<ManualClock>,
}

impl Clinic {
    fn open(data: &std::path::Path, at: DateTime<Utc>) -> Clinic {
        let clock = Arc::new(ManualClock::new(at));
        let api = Api::open(&DataDir::at(data), clock.clone()).expect("open the test database");
        api.create_first_admin(Some(CLI), "admin", "Clinic Admin", PASSWORD)
            .unwrap();
        let nurse = NewUserRequest {
            username: "nurse".into(),
            display_name: "Nora Nurse".into(),
            role: "nurse".into(),
            password: "temporary-1".into(),
        };
        api.create_user(CLI, &nurse).unwrap();
        let token = api.sign_in("nurse", "temporary-1").unwrap().token;
        api.change_password(Caller::Session(&token), "temporary-1", PASSWORD)
            .unwrap();
        let long = SettingsUpdate {
            session_timeout_seconds: Some(43_200),
            ..Default::default()
        };
        api.update_settings(CLI, &long).unwrap();
        Clinic { api, clock }
    }

    fn set(&self, at: DateTime<Utc>) {
        use intake_api::Clock;
        self.clock.advance(at - self.clock.now());
    }

    fn patient(&self, family: &str) -> i64 {
        let p = PatientInputDto {
            family: family.into(),
            given: "Zoë".into(),
            birth_date: "1984-03-07".into(),
            sex: "female".into(),
            emergency_name: "Ana Núñez".into(),
            ..Default::default()
        };
        let saved = self.api.register_patient(CLI, &p, Some("e2e")).unwrap();
        saved.patient.unwrap().id
    }

    /// One intake started at `at`, submitted `minutes` later. Carried values are
    /// confirmed, the occupation is replaced by `occupation` when given, and the reason,
    /// height and weight are typed; a first visit also types the lists.
    fn visit(&self, pid: i64, at: DateTime<Utc>, minutes: i64, occupation: Option<&str>) -> i64 {
        self.set(at);
        let token = self.api.sign_in("nurse", PASSWORD).unwrap().token;
        let n = Caller::Session(&token);
        let e = self.api.start_intake(n, pid, None, None).unwrap();
        let intake = self.api.open_intake(n, e.id).unwrap();
        let carried = intake.answers.iter().any(|a| a.source == "carried");
        let mut changes = vec![
            change("visit/reason", json!([{ "valueString": "Check-up" }]), 0),
            change("vitals/height", json!([{ "valueDecimal": 168 }]), 0),
            change(
                "vitals/weight",
                json!([{ "valueDecimal": 64 + minutes }]),
                0,
            ),
        ];
        if !carried {
            changes.extend([
                change(
                    "allergies/any-allergies",
                    json!([{ "valueBoolean": true }]),
                    0,
                ),
                change("allergies/allergy[1]", json!([]), 0),
                change(
                    "allergies/allergy[1]/allergy-substance",
                    json!([{ "valueString": "Latex" }]),
                    0,
                ),
                change(
                    "medications/any-medications",
                    json!([{ "valueBoolean": false }]),
                    0,
                ),
                change(
                    "social/occupation",
                    json!([{ "valueString": "Teacher" }]),
                    0,
                ),
                change("insurance/insurer", json!([{ "valueString": "Mutual" }]), 0),
            ]);
        } else if let Some(job) = occupation {
            let rev = intake
                .answers
                .iter()
                .find(|a| a.key == "social/occupation")
                .map_or(0, |a| a.rev);
            changes.push(change(
                "social/occupation",
                json!([{ "valueString": job }]),
                rev,
            ));
        }
        self.api.save_intake(n, e.id, &changes, None).unwrap();
        let confirms: Vec<ConfirmDto> = intake
            .answers
            .iter()
            .filter(|a| {
                a.needs_confirmation && !(occupation.is_some() && a.key == "social/occupation")
            })
            .map(|a| serde_json::from_value(json!({ "key": a.key, "baseRev": a.rev })).unwrap())
            .collect();
        if !confirms.is_empty() {
            self.api.confirm_intake(n, e.id, &confirms).unwrap();
        }
        self.set(at + Duration::minutes(minutes));
        let done = self.api.submit_intake(n, e.id).unwrap();
        assert!(done.submitted, "{:?}", done.problems);
        e.id
    }
}

/// Monday 00:00 UTC of `t`'s week.
fn monday(t: DateTime<Utc>) -> DateTime<Utc> {
    let day = t.date_naive() - Duration::days(i64::from(t.weekday().num_days_from_monday()));
    day.and_time(NaiveTime::MIN).and_utc()
}

#[tokio::test]
async fn the_admin_sees_carried_and_typed_answers_per_week() {
    let data = tempfile::tempdir().unwrap();
    let now = Utc::now();
    let this_week = monday(now);
    // The newest intake is submitted this week (UTC), however early in it the test runs.
    let last_submitted = (now - Duration::minutes(1)).max(this_week);
    let week = |n: i64| this_week - Duration::weeks(n) + Duration::hours(33);
    let clinic = Clinic::open(data.path(), week(7));
    let [a, b, c, d] = ["Abbott", "Baker", "Castillo", "Dubois"].map(|f| clinic.patient(f));
    clinic.visit(a, week(6), 14, None);
    clinic.visit(b, week(6) + Duration::hours(2), 11, None);
    clinic.visit(c, week(5), 12, None);
    clinic.visit(a, week(4), 6, Some("Head teacher"));
    clinic.visit(d, week(4) + Duration::hours(3), 13, None);
    clinic.visit(b, week(2), 5, None);
    clinic.visit(c, week(2) + Duration::hours(1), 4, Some("Nurse"));
    clinic.visit(a, week(1), 3, None);
    let newest = clinic.visit(d, last_submitted - Duration::minutes(4), 4, None);
    let report = clinic
        .api
        .outcomes(
            CLI,
            &week(6).date_naive().to_string(),
            &now.date_naive().to_string(),
        )
        .unwrap();
    let newest_week = this_week.date_naive().to_string();
    let expected = report
        .weeks
        .iter()
        .find(|w| w.week_start == newest_week)
        .expect("this week is in the report");
    assert_eq!(expected.figures.encounters, 1, "{report:#?}");
    assert!(report.encounters.iter().any(|e| e.id == newest));
    drop(clinic);

    let s = Session::start("outcomes", data).await;
    s.type_into("#sign-in-username", "admin").await;
    s.type_into("#sign-in-password", &format!("{PASSWORD}{ENTER}"))
        .await;
    s.find("#home").await;
    s.click("#nav a[data-section=\"outcomes\"]").await;
    s.wait_for_text("h1", "Outcomes").await;
    s.find("#outcomes-chart").await;
    // The newest week: one bar in the chart, one row in the table with its figures.
    let bar = format!("#outcomes-chart g[data-week=\"{newest_week}\"] rect");
    s.find(&bar).await;
    let row = format!("#outcomes-table tbody tr[data-week=\"{newest_week}\"]");
    let cells = |n: usize| format!("{row} td:nth-of-type({n})");
    s.wait_for_text(&cells(1), "1").await;
    assert_eq!(
        s.wait_for_text(&cells(2), "").await,
        expected.figures.answered.to_string()
    );
    assert_eq!(s.wait_for_text(&cells(9), "min").await, "4.0 min");
    let carried = format!(
        "{}%",
        (expected.figures.carried_share.unwrap() * 100.0).round()
    );
    assert_eq!(s.wait_for_text(&cells(7), "%").await, carried);
    // Every week of the default period (12) has its row, the empty ones too.
    let rows = s
        .client
        .find_all(fantoccini::Locator::Css("#outcomes-table tbody tr"))
        .await
        .unwrap();
    assert_eq!(rows.len(), 12, "the last 12 weeks");
    assert_eq!(
        s.wait_for_text("#outcomes-table tfoot td:nth-of-type(1)", "9")
            .await,
        "9"
    );
    s.wait_for_text("#outcomes-summary", "9 intakes").await;
    s.screenshot("outcomes").await;
    let script = "document.querySelector('#outcomes-table').scrollIntoView({block: 'end'});";
    let _ = s.client.execute(script, vec![]).await;
    s.screenshot("outcomes-table").await;

    // A period without intakes says so; a reversed one is refused in the notice.
    s.set_value("#outcomes-from", "2020-01-01").await;
    s.set_value("#outcomes-to", "2020-01-31").await;
    s.click("#outcomes-show").await;
    s.wait_for_text(
        "#outcomes-result",
        "No intakes were submitted in this period.",
    )
    .await;
    assert!(
        !s.exists("#outcomes-chart").await,
        "no chart without intakes"
    );
    s.set_value("#outcomes-from", "2020-02-01").await;
    s.click("#outcomes-show").await;
    s.wait_for_text("#outcomes-notice", "is after the end date")
        .await;
    s.screenshot("outcomes-error").await;
    s.finish().await;
}
