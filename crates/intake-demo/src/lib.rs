//! Intake Desk's demo register, for trying the app at once (`intake seed-demo`, and
//! `make run`'s first start) and for tests: three demo accounts, 200 made-up patients
//! ([`patients`]) and their earlier visits ([`visits`]), entered and signed through the
//! API's seeding door (`intake_api::admin::seeding`) with the same steps and checks the use
//! cases run. The desktop app does not link this crate.
//!
//! Demo accounts use the password `demo`, below the password policy on purpose; they
//! are for demonstrations and tests, never for a real clinic's data.

pub mod patients;
mod records;
pub mod visits;

use std::collections::BTreeSet;

use intake_api::admin::builtin::GENERAL_INTAKE_SLUG;
use intake_api::admin::seeding::Seeding;
use intake_api::{Api, ApiError, Caller};
use intake_core::ids::PatientId;
use intake_core::Role;
use intake_store::{AuditFilter, NewUser};
use serde::Serialize;
use serde_json::json;

use patients::{demo_patients, synthetic_patients};

pub use visits::{DEMO_NURSE, DEMO_PHYSICIAN};

pub const DEMO_PASSWORD: &str = "demo";

const DEMO_USERS: [(&str, &str, Role); 3] = [
    ("nurse", "Nora Lindqvist", Role::Nurse),
    ("physician", "Dr. Paul Okafor", Role::Physician),
    ("admin", "Ada Admin", Role::Admin),
];

/// What [`seed_demo`] did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DemoSeedDto {
    /// `(user name, role)` of each demo account, created now or already there.
    pub users: Vec<DemoUserDto>,
    pub password: String,
    /// Demo patients added now (none when the database already had patients).
    pub patients: u64,
    /// Earlier visits added for them.
    pub visits: u64,
    /// Of those, signed by the demo physician (amended ones included).
    pub signed: u64,
    /// Of the signed ones, amended (with a reason) and signed again.
    pub amended: u64,
    /// Submitted and waiting in the review queue.
    pub waiting: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DemoUserDto {
    pub username: String,
    pub role: String,
    pub created: bool,
}

/// Adds the demo accounts that are missing; existing accounts are left as they are.
/// Refused, with nothing added, on a database that holds anything the demo did not put
/// there ([`refuse_a_clinic`]): demo accounts with the password `demo` have no place
/// in a real clinic's database.
/// A register with no patients also gets the demo patients and their earlier visits
/// ([`visits`]), most signed by the demo physician and a few waiting for review,
/// audited as `patient.demo_seeded` and `encounter.demo_seeded`. Only the CLI and
/// admins may (`Permission::SeedDemo`).
pub fn seed_demo(api: &Api, caller: Caller<'_>) -> Result<DemoSeedDto, ApiError> {
    api.seeding(caller, |s| {
        refuse_a_clinic(s)?;
        let hash = s.hash_password(DEMO_PASSWORD)?;
        let db = s.db();
        let now = s.now();
        let mut users = Vec::new();
        for (username, display_name, role) in DEMO_USERS {
            let exists = db.user_by_username(username)?.is_some();
            if !exists {
                let demo = NewUser {
                    username,
                    display_name,
                    role,
                    password_hash: &hash,
                    must_change_password: false,
                };
                s.add_user(&demo, &[("demo", json!(true))])?;
            }
            users.push(DemoUserDto {
                username: username.to_string(),
                role: role.as_str().to_string(),
                created: !exists,
            });
        }
        // The earlier visits are made on version 1 of the built-in form, as a clinic's
        // were; the current version is installed after them (as an upgrade does).
        s.builtin_v1()?;
        // Only a fresh register gets the demo patients and their earlier visits.
        let mut patients = 0;
        let mut visits = visits::Seeded::default();
        if db.count_patients()? == 0 {
            let list = demo_patients(now.date_naive());
            let ids = insert_patients(s, list.iter())?;
            patients = ids.len() as u64;
            s.audit(
                "patient.demo_seeded",
                "patient",
                json!({ "patients": patients }),
            )?;
            let inserted: Vec<_> = ids.iter().copied().zip(list.iter()).collect();
            visits = visits::seed_visits(s, &inserted)?;
            records::contacts_from_visits(s, &ids)?;
            s.audit(
                "encounter.demo_seeded",
                "encounter",
                json!({
                    "patients": visits.patients,
                    "encounters": visits.visits,
                    "template": GENERAL_INTAKE_SLUG,
                    "enteredBy": DEMO_NURSE,
                    "signed": visits.signed,
                    "amended": visits.amended,
                    "waiting": visits.waiting,
                    "signedBy": DEMO_PHYSICIAN,
                }),
            )?;
        }
        s.ensure_builtin()?;
        Ok(DemoSeedDto {
            users,
            password: DEMO_PASSWORD.to_string(),
            patients,
            visits: visits.visits as u64,
            signed: visits.signed as u64,
            amended: visits.amended as u64,
            waiting: visits.waiting as u64,
        })
    })
}

/// Refuses a database with accounts other than the demo's own (a demo name counts only
/// when its `user.created` audit entry says `demo`, so a clinic's own `admin` is not
/// mistaken for the demo's), or with patients whose first revision does not carry
/// `"demo": true`.
fn refuse_a_clinic(s: &Seeding<'_>) -> Result<(), ApiError> {
    let db = s.db();
    let mut seeded_by_demo = BTreeSet::new();
    let mut before_seq = None;
    loop {
        let page = db.list_audit(&AuditFilter {
            before_seq,
            action_prefix: Some("user.created".into()),
            limit: 500,
            ..Default::default()
        })?;
        for row in &page {
            let detail: serde_json::Value =
                serde_json::from_str(&row.content.detail).unwrap_or_default();
            if detail["demo"] == json!(true) {
                if let Some(name) = detail["username"].as_str() {
                    seeded_by_demo.insert(name.to_string());
                }
            }
        }
        match page.last() {
            Some(last) if page.len() == 500 => before_seq = Some(last.content.seq),
            _ => break,
        }
    }
    let demo_name = |name: &str| DEMO_USERS.iter().any(|(n, _, _)| *n == name);
    let others: Vec<String> = db
        .list_users()?
        .into_iter()
        .map(|u| u.username)
        .filter(|name| !(demo_name(name) && seeded_by_demo.contains(name)))
        .collect();
    if !others.is_empty() {
        return Err(ApiError::Conflict(format!(
            "This database has accounts the demo did not create ({}); demo accounts with \
             the password \"{DEMO_PASSWORD}\" are never added to a clinic's database. \
             Nothing was added; try the demo in a new data folder (--data-dir).",
            others.join(", ")
        )));
    }
    let real = db.count_patients_not_flagged("demo")?;
    if real > 0 {
        return Err(ApiError::Conflict(format!(
            "This database has {real} patient(s) the demo did not add; demo accounts and \
             records are never mixed with a clinic's. Nothing was added; try the demo in \
             a new data folder (--data-dir)."
        )));
    }
    Ok(())
}

/// Inserts patients with generated MRNs, skipping the duplicate check (made-up data);
/// returns their ids, in order.
fn insert_patients<'p>(
    s: &Seeding<'_>,
    patients: impl Iterator<Item = &'p intake_core::patient::ValidPatient>,
) -> Result<Vec<PatientId>, ApiError> {
    let db = s.db();
    let mut ids = Vec::new();
    for p in patients {
        let mrn = db.next_generated_mrn()?;
        let created = json!({ "mrn": [null, mrn], "demo": [null, true] });
        ids.push(db.insert_patient(p, &mrn, &created, s.now(), s.actor())?);
    }
    Ok(ids)
}

/// Patients added per transaction by [`seed_synthetic`].
const SYNTHETIC_BATCH: u64 = 5_000;

/// Adds `n` reproducible synthetic patients (for benchmarks); returns how many.
pub fn seed_synthetic(api: &Api, caller: Caller<'_>, n: u64, seed: u64) -> Result<u64, ApiError> {
    // The first batch's clock gives every batch the same birth dates' "today".
    let today = api.seeding(caller, |s| Ok(s.now().date_naive()))?;
    let mut all = synthetic_patients(seed, today, n).peekable();
    let mut added = 0;
    while all.peek().is_some() {
        let batch: Vec<_> = all.by_ref().take(SYNTHETIC_BATCH as usize).collect();
        // Each batch commits with its own audit entry, so an interrupted run leaves
        // no patient unaccounted for.
        added += api.seeding(caller, |s| {
            let count = insert_patients(s, batch.iter())?.len() as u64;
            s.audit(
                "patient.synthetic_seeded",
                "patient",
                json!({ "patients": count, "seed": seed }),
            )?;
            Ok(count)
        })?;
    }
    Ok(added)
}
