//! The server's schema: numbered SQL files under `migrations/pg/`, applied in one
//! transaction by the owner role and recorded in `intake_schema` (one row per version),
//! then the app roles recorded in `intake_app_roles` are granted what they may do.
//! Append-only: a released file is never edited; a change is a new file.

use postgres::Client;

use super::error::classify;
use super::WRITE_LOCK;
use crate::StoreError;

/// Every server migration, in order; the schema version after migration `i` is `i + 1`.
pub const MIGRATIONS: &[&str] = &[
    include_str!("../../migrations/pg/0001_schema.sql"),
    include_str!("../../migrations/pg/0002_account_guarantees.sql"),
    include_str!("../../migrations/pg/0003_patient_guarantees.sql"),
    include_str!("../../migrations/pg/0004_record_guarantees.sql"),
    include_str!("../../migrations/pg/0005_search_from_the_index.sql"),
    include_str!("../../migrations/pg/0006_save_receipts.sql"),
];

/// The server schema version this binary writes and needs.
pub fn latest_version() -> i64 {
    MIGRATIONS.len() as i64
}

const BOOKKEEPING: &str = "
CREATE TABLE IF NOT EXISTS intake_schema (
    version    integer     PRIMARY KEY,
    applied_at timestamptz NOT NULL DEFAULT now(),
    applied_by name        NOT NULL DEFAULT current_user
);
CREATE TABLE IF NOT EXISTS intake_app_roles (
    role name PRIMARY KEY
);";

/// The schema version on the server, `None` when it has no Intake Desk schema.
pub(crate) fn found_version(client: &mut Client, server: &str) -> Result<Option<i64>, StoreError> {
    let err = |e| classify(e, server);
    let exists: bool = client
        .query_one("SELECT to_regclass('intake_schema') IS NOT NULL", &[])
        .map_err(err)?
        .get(0);
    if !exists {
        return Ok(None);
    }
    let version: Option<i32> = client
        .query_one("SELECT max(version) FROM intake_schema", &[])
        .map_err(err)?
        .get(0);
    Ok(Some(version.map(i64::from).unwrap_or(0)))
}

/// Checks, as the app's role, that the server's schema is exactly this binary's, and
/// (unless `owner_allowed`) that the role is not the schema's owner.
pub(crate) fn check(
    client: &mut Client,
    server: &str,
    owner_allowed: bool,
) -> Result<(), StoreError> {
    let supported = latest_version();
    match found_version(client, server)? {
        None | Some(0) => Err(StoreError::NoSchema {
            server: server.to_string(),
        }),
        Some(found) if found > supported => Err(StoreError::ServerSchemaNewer {
            server: server.to_string(),
            found,
            supported,
        }),
        Some(found) if found < supported => Err(StoreError::ServerSchemaOlder {
            server: server.to_string(),
            found,
            supported,
        }),
        Some(_) => {
            let row = client
                .query_one(
                    "SELECT current_user::text, \
                     (SELECT tableowner = current_user FROM pg_tables \
                      WHERE schemaname = current_schema() AND tablename = 'audit_log')",
                    &[],
                )
                .map_err(|e| classify(e, server))?;
            let role: String = row.get(0);
            let owner: Option<bool> = row.get(1);
            if owner == Some(true) && !owner_allowed {
                return Err(StoreError::OwnerRole {
                    server: server.to_string(),
                    role,
                });
            }
            Ok(())
        }
    }
}

/// Applies every missing migration in one transaction (as the owner), then grants the
/// recorded app roles their rights again. Refuses a server whose schema is newer.
pub(crate) fn migrate(client: &mut Client, server: &str) -> Result<(), StoreError> {
    let err = |e: postgres::Error| {
        if e.code() == Some(&postgres::error::SqlState::INSUFFICIENT_PRIVILEGE) {
            return StoreError::CannotOpen {
                path: server.into(),
                reason: format!(
                    "this role may not change the schema ({}): run `intake db init` or \
                     `intake db migrate` with the schema's owner role",
                    e.as_db_error()
                        .map(|d| d.message())
                        .unwrap_or("permission denied")
                ),
            };
        }
        classify(e, server)
    };
    let mut tx = client.transaction().map_err(err)?;
    tx.execute("SELECT pg_advisory_xact_lock($1)", &[&WRITE_LOCK])
        .map_err(err)?;
    tx.batch_execute(BOOKKEEPING).map_err(err)?;
    let found: i64 = tx
        .query_one(
            "SELECT coalesce(max(version), 0)::bigint FROM intake_schema",
            &[],
        )
        .map_err(err)?
        .get(0);
    let supported = latest_version();
    if found > supported {
        return Err(StoreError::ServerSchemaNewer {
            server: server.to_string(),
            found,
            supported,
        });
    }
    for (i, sql) in MIGRATIONS.iter().enumerate().skip(found as usize) {
        tx.batch_execute(sql).map_err(err)?;
        let version = i as i32 + 1;
        tx.execute(
            "INSERT INTO intake_schema (version) VALUES ($1)",
            &[&version],
        )
        .map_err(err)?;
    }
    let roles: Vec<String> = tx
        .query("SELECT role::text FROM intake_app_roles ORDER BY role", &[])
        .map_err(err)?
        .iter()
        .map(|r| r.get(0))
        .collect();
    for role in roles {
        tx.execute("SELECT intake_grant_app($1::text::name)", &[&role])
            .map_err(err)?;
    }
    tx.commit().map_err(err)
}

/// Records `role` as an app role and grants it what the app may do (as the owner).
pub(crate) fn grant_app(client: &mut Client, server: &str, role: &str) -> Result<(), StoreError> {
    let err = |e| classify(e, server);
    let mut tx = client.transaction().map_err(err)?;
    tx.execute(
        "INSERT INTO intake_app_roles (role) VALUES ($1::text::name) ON CONFLICT DO NOTHING",
        &[&role],
    )
    .map_err(err)?;
    tx.execute("SELECT intake_grant_app($1::text::name)", &[&role])
        .map_err(err)?;
    tx.commit().map_err(err)
}
