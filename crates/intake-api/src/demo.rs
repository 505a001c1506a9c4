//! Demo data for trying the app at once: `intake seed-demo` and `make run`'s first start.
//! Demo accounts use the password `demo`, below the password policy on purpose; they
//! are for demonstrations and tests, never for a real clinic's data.

use intake_core::Role;
use serde_json::json;

use intake_store::NewUser;

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
    pub fn seed_demo(&self, caller: Caller<'_>) -> Result<DemoSeedDto, ApiError> {
        let who = self.authorize(caller, Permission::SeedDemo)?;
        let hash = passwords::hash(DEMO_PASSWORD)?;
        let now = self.now();
        self.store.write(|db| {
            let mut users = Vec::new();
            for (username, display_name, role) in DEMO_USERS {
                let exists = db.user_by_username(username)?.is_some();
                if !exists {
                    let id = db.insert_user(
                        &NewUser {
                            username,
                            display_name,
                            role,
                            password_hash: &hash,
                            must_change_password: false,
                        },
                        now,
                        &who.actor,
                    )?;
                    db.append_audit(&audit_entry(
                        now,
                        &who.actor,
                        "user.created",
                        "user",
                        Some(id.to_string()),
                        json!({ "username": username, "role": role.as_str(), "demo": true }),
                    ))?;
                }
                users.push(DemoUserDto {
                    username: username.to_string(),
                    role: role.as_str().to_string(),
                    created: !exists,
                });
            }
            Ok(DemoSeedDto {
                users,
                password: DEMO_PASSWORD.to_string(),
            })
        })
    }
}
