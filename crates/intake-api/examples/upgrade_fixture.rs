//! Writes the upgrade fixture: a small database made by this checkout's code, with
//! content like the demo's, for `tests/upgrade.rs` to open with later code.
//!
//! Run by `scripts/make-upgrade-fixture.sh`, never by the tests. Everything goes through
//! the API, as a clinic's day would, on a fixed clock: an administrator with a password
//! of the policy's length, the demo nurse and physician, five patients with non-ASCII
//! names, and visits in every status (draft, a draft returned by the physician,
//! submitted, signed, amended with its earlier version, entered in error), carried
//! values confirmed on a repeat visit and waiting for confirmation on a newer draft.
//! It prints each visit's id, status and signed hashes, which the test names.
//!
//! Usage: `cargo run -p intake-api --example upgrade_fixture -- <new database file>`

use std::path::PathBuf;
use std::sync::Arc;

use chrono::{Duration, TimeZone, Utc};
use intake_api::wire::ChangeDto;
use intake_api::wire::PatientInputDto;
use intake_api::wire::SettingsUpdate;
use intake_api::{Api, ApiError, Caller, ManualClock};
use serde_json::{json, Value};

/// The administrator's password in the fixture (the test signs in with it).
const ADMIN_PASSWORD: &str = "upgrade-fixture-1";
const CLI: Caller<'static> = Caller::Cli("fixture");

struct Day {
    api: Api,
    clock: Arc<ManualClock>,
    nurse: String,
    physician: String,
}

impl Day {
    fn nurse(&self) -> Caller<'_> {
        Caller::Session(&self.nurse)
    }
    fn physician(&self) -> Caller<'_> {
        Caller::Session(&self.physician)
    }
    fn later(&self, minutes: i64) {
        self.clock.advance(Duration::minutes(minutes));
    }
    /// Moves to another day; the nurse and the physician sign in again.
    fn days_later(&mut self, days: i64) -> Result<(), ApiError> {
        self.clock.advance(Duration::days(days));
        self.nurse = self.api.sign_in("nurse", "demo")?.token;
        self.physician = self.api.sign_in("physician", "demo")?.token;
        Ok(())
    }
}

fn change(key: &str, values: Value, base_rev: i64) -> Result<ChangeDto, ApiError> {
    serde_json::from_value(json!({ "key": key, "values": values, "baseRev": base_rev }))
        .map_err(|e| ApiError::Internal(format!("a change: {e}")))
}

fn patient(family: &str, given: &str, birth_date: &str, sex: &str, phone: &str) -> PatientInputDto {
    PatientInputDto {
        family: family.into(),
        given: given.into(),
        birth_date: birth_date.into(),
        sex: sex.into(),
        phone: phone.into(),
        ..Default::default()
    }
}

/// Starts a visit and fills it (confirming carried values when `confirm`); leaves it a
/// draft. Returns its id.
fn filled(
    d: &Day,
    patient: i64,
    reason: &str,
    weight: f64,
    medication: &str,
    confirm: bool,
) -> Result<i64, ApiError> {
    let e = d.api.start_intake(d.nurse(), patient, None, None)?;
    let intake = d.api.open_intake(d.nurse(), e.id)?;
    if confirm {
        let waiting = intake
            .answers
            .iter()
            .filter(|a| a.needs_confirmation && a.confirmed_by.is_none())
            .map(|a| serde_json::from_value(json!({ "key": a.key, "baseRev": a.rev })))
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| ApiError::Internal(format!("a confirmation: {e}")))?;
        if !waiting.is_empty() {
            d.api.confirm_intake(d.nurse(), e.id, &waiting)?;
        }
    }
    d.later(3);
    let rev = |key: &str| {
        intake
            .answers
            .iter()
            .find(|a| a.key == key)
            .map_or(0, |a| a.rev)
    };
    let mut changes = vec![
        change(
            "visit/reason",
            json!([{ "valueString": reason }]),
            rev("visit/reason"),
        )?,
        change(
            "vitals/weight",
            json!([{ "valueDecimal": weight }]),
            rev("vitals/weight"),
        )?,
        change(
            "allergies/nka",
            json!([{ "valueBoolean": true }]),
            rev("allergies/nka"),
        )?,
    ];
    if intake
        .answers
        .iter()
        .all(|a| a.key != "medications/medication[1]")
    {
        changes.push(change("medications/medication[1]", json!([]), 0)?);
        changes.push(change(
            "medications/medication[1]/med-name",
            json!([{ "valueString": medication }]),
            0,
        )?);
    }
    d.api.save_intake(d.nurse(), e.id, &changes, None)?;
    d.later(4);
    Ok(e.id)
}

fn submit(d: &Day, id: i64) -> Result<(), ApiError> {
    let done = d.api.submit_intake(d.nurse(), id)?;
    if !done.submitted {
        return Err(ApiError::Internal(format!(
            "intake {id} was not submitted: {:?}",
            done.problems
        )));
    }
    d.later(20);
    Ok(())
}

fn sign(d: &Day, id: i64) -> Result<(), ApiError> {
    let seen = d.api.open_review(d.physician(), id)?;
    d.later(2);
    d.api.sign_intake(d.physician(), id, &seen.record_hash)?;
    d.later(5);
    Ok(())
}

fn main() -> Result<(), ApiError> {
    let path: PathBuf = std::env::args_os()
        .nth(1)
        .map(PathBuf::from)
        .ok_or_else(|| ApiError::Internal("usage: upgrade_fixture <new database file>".into()))?;
    if path.exists() {
        return Err(ApiError::Internal(format!(
            "{} exists; the fixture is written into a new file",
            path.display()
        )));
    }
    let clock = Arc::new(ManualClock::new(
        Utc.with_ymd_and_hms(2026, 9, 1, 8, 0, 0)
            .single()
            .ok_or_else(|| ApiError::Internal("the fixture's start time".into()))?,
    ));
    let api = Api::open_file(&path, clock.clone())?;
    api.create_first_admin(None, "admin", "Ada Admin", ADMIN_PASSWORD)?;

    // Patients first, so the demo accounts come without the demo register.
    let people = [
        patient(
            "Kowalski",
            "Łukasz",
            "1958-04-12",
            "male",
            "+1 (555) 010-2000",
        ),
        patient("Núñez", "Zoë", "1984-03-07", "female", "555-010-3000"),
        patient("Ødegård", "Søren", "1991-11-30", "male", ""),
        patient("Nguyễn", "Thị Hoa", "1975-06-02", "female", ""),
        patient("O'Brien", "Siobhán", "2001-01-15", "female", ""),
    ];
    let mut ids = Vec::new();
    for p in &people {
        clock.advance(Duration::minutes(1));
        let registered = api.register_patient(CLI, p, None)?;
        let id = registered
            .patient
            .ok_or_else(|| ApiError::Internal(format!("{} was not registered", p.family)))?
            .id;
        ids.push(id);
    }
    intake_demo::seed_demo(&api, CLI)?;
    api.update_settings(
        CLI,
        &SettingsUpdate {
            clinic_name: Some("Clinique du Lac – Łódź".into()),
            session_timeout_seconds: Some(4 * 3600),
            ..Default::default()
        },
    )?;
    let token = |name: &str| api.sign_in(name, "demo").map(|s| s.token);
    let mut d = Day {
        nurse: token("nurse")?,
        physician: token("physician")?,
        api,
        clock,
    };
    let [lukasz, zoe, soren, hoa, siobhan] = [ids[0], ids[1], ids[2], ids[3], ids[4]];

    // Łukasz: a first visit signed; a repeat visit carrying its medication (confirmed),
    // signed, then amended (the weight was in pounds); a third visit left a draft with
    // the carried list still to confirm.
    let first = filled(
        &d,
        lukasz,
        "Annual check-up",
        84.5,
        "Metformin 500 mg",
        true,
    )?;
    submit(&d, first)?;
    sign(&d, first)?;
    d.days_later(14)?;
    let repeat = filled(&d, lukasz, "Follow-up: blood pressure", 182.0, "", true)?;
    submit(&d, repeat)?;
    sign(&d, repeat)?;
    let signed = d.api.open_review(d.physician(), repeat)?;
    d.api.start_amendment(
        d.physician(),
        repeat,
        "Weight was entered in pounds",
        &signed.record_hash,
    )?;
    let intake = d.api.open_intake(d.physician(), repeat)?;
    let rev = intake
        .answers
        .iter()
        .find(|a| a.key == "vitals/weight")
        .map_or(0, |a| a.rev);
    d.api.save_intake(
        d.physician(),
        repeat,
        &[change(
            "vitals/weight",
            json!([{ "valueDecimal": 82.6 }]),
            rev,
        )?],
        None,
    )?;
    sign(&d, repeat)?;
    d.days_later(14)?;
    let third = filled(&d, lukasz, "Cough for two weeks", 82.0, "", false)?;

    // Zoë: submitted, then returned to the nurse with a comment: a draft again.
    let returned = filled(&d, zoe, "Headache", 61.0, "Ibuprofen 200 mg", true)?;
    submit(&d, returned)?;
    let seen = d.api.open_review(d.physician(), returned)?;
    d.api.return_intake(
        d.physician(),
        returned,
        "Weight looks wrong: re-weigh, please?",
        &seen.record_hash,
    )?;
    d.later(10);

    // Søren: waits in the review queue.
    let waiting = filled(&d, soren, "Sprained ankle", 77.0, "Paracetamol 1 g", true)?;
    submit(&d, waiting)?;

    // Hoa: a draft the nurse is still filling.
    let draft = filled(&d, hoa, "Vaccination", 58.0, "Levothyroxine 50 µg", true)?;

    // Siobhán: submitted for the wrong patient, marked entered in error.
    let wrong = filled(&d, siobhan, "Wrong chart", 70.0, "None", true)?;
    submit(&d, wrong)?;
    d.api
        .mark_encounter_in_error(d.physician(), wrong, "Entered on the wrong patient's chart")?;

    for (name, id) in [
        ("first (signed)", first),
        ("repeat (amended)", repeat),
        ("third (draft, carried unconfirmed)", third),
        ("returned (draft)", returned),
        ("waiting (submitted)", waiting),
        ("draft", draft),
        ("wrong (entered in error)", wrong),
    ] {
        let review = d.api.open_review(CLI, id)?;
        println!(
            "encounter {id} {name}: status {}, record {}",
            review.encounter.status, review.record_hash
        );
        for v in &review.versions {
            println!("  version {} {} {}", v.version, v.kind, v.record_hash);
        }
    }
    Ok(())
}
