//! Demo data for trying the app at once: `intake seed-demo` and `make run`'s first start.
//! Demo accounts use the password `demo`, below the password policy on purpose; they
//! are for demonstrations and tests, never for a real clinic's data.

use intake_core::ids::PatientId;
use intake_core::Role;
use serde_json::json;

use intake_store::prelude::*;
use intake_store::{Db, NewUser};

use crate::demo_patients::{demo_patients, synthetic_patients};
use crate::users::add_user;

use crate::dto::{DemoSeedDto, DemoUserDto};
use crate::permissions::Permission;
use crate::{audit_entry, passwords, Api, ApiError, Caller};

pub const DEMO_PASSWORD: &str = "demo";

const DEMO_USERS: [(&str, &str, Role); 3] = [
    ("nurse", "Nora Lindqvist", Role::Nurse),
    ("physician", "Dr. Paul Okafor", Role::Physician),
    ("admin", "Ada Admin", Role::Admin),
];

impl Api {
    /// Adds the demo accounts that are missing; existing accounts are left as they are.
    /// A register with no patients also gets the demo patients and their earlier visits
    /// (`demo_visits`), most signed by the demo physician and a few waiting for review,
    /// audited as `patient.demo_seeded` and `encounter.demo_seeded`.
    pub fn seed_demo(&self, caller: Caller<'_>) -> Result<DemoSeedDto, ApiError> {
        let who = self.authorize(caller, Permission::SeedDemo)?;
        let hash = passwords::hash(DEMO_PASSWORD)?;
        let now = self.now();
        self.store.write(|db| {
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
                    add_user(db, &demo, now, &who.actor, &[("demo", json!(true))])?;
                }
                users.push(DemoUserDto {
                    username: username.to_string(),
                    role: role.as_str().to_string(),
                    created: !exists,
                });
            }
            crate::builtin::ensure_builtin(db, now)?;
            // Only a fresh register gets the demo patients and their earlier visits.
            let mut patients = 0;
            let mut visits = crate::demo_visits::Seeded::default();
            if db.count_patients()? == 0 {
                let list = demo_patients(now.date_naive());
                let ids = insert_patients(db, list.iter(), now, &who.actor)?;
                patients = ids.len() as u64;
                db.append_audit(&audit_entry(
                    now,
                    &who.actor,
                    "patient.demo_seeded",
                    "patient",
                    None,
                    json!({ "patients": patients }),
                ))?;
                let inserted: Vec<_> = ids.into_iter().zip(list.iter()).collect();
                visits = self.seed_demo_visits(db, &inserted, now)?;
                db.append_audit(&audit_entry(
                    now,
                    &who.actor,
                    "encounter.demo_seeded",
                    "encounter",
                    None,
                    json!({
                        "patients": visits.patients,
                        "encounters": visits.visits,
                        "template": crate::builtin::GENERAL_INTAKE_SLUG,
                        "enteredBy": crate::demo_visits::DEMO_NURSE,
                        "signed": visits.signed,
                        "amended": visits.amended,
                        "waiting": visits.waiting,
                        "signedBy": crate::demo_visits::DEMO_PHYSICIAN,
                    }),
                ))?;
            }
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
}

/// Inserts patients with generated MRNs, skipping the duplicate check (made-up data);
/// returns their ids, in order.
fn insert_patients<'p>(
    db: &Db<'_>,
    patients: impl Iterator<Item = &'p intake_core::patient::ValidPatient>,
    now: chrono::DateTime<chrono::Utc>,
    actor: &str,
) -> Result<Vec<PatientId>, ApiError> {
    let mut ids = Vec::new();
    for p in patients {
        let mrn = db.next_generated_mrn()?;
        let created = json!({ "mrn": [null, mrn], "demo": [null, true] });
        ids.push(db.insert_patient(p, &mrn, &created, now, actor)?);
    }
    Ok(ids)
}

/// Patients added per transaction by [`Api::seed_synthetic`].
const SYNTHETIC_BATCH: u64 = 5_000;

impl Api {
    /// Adds `n` reproducible synthetic patients (for benchmarks); returns how many.
    pub fn seed_synthetic(&self, caller: Caller<'_>, n: u64, seed: u64) -> Result<u64, ApiError> {
        let who = self.authorize(caller, Permission::SeedDemo)?;
        let now = self.now();
        let mut all = synthetic_patients(seed, now.date_naive(), n).peekable();
        let mut added = 0;
        while all.peek().is_some() {
            let batch: Vec<_> = all.by_ref().take(SYNTHETIC_BATCH as usize).collect();
            // Each batch commits with its own audit entry, so an interrupted run leaves
            // no patient unaccounted for.
            added += self.store.write(|db| {
                let count = insert_patients(db, batch.iter(), now, &who.actor)?.len() as u64;
                db.append_audit(&audit_entry(
                    now,
                    &who.actor,
                    "patient.synthetic_seeded",
                    "patient",
                    None,
                    json!({ "patients": count, "seed": seed }),
                ))?;
                Ok::<_, ApiError>(count)
            })?;
        }
        Ok(added)
    }
}
