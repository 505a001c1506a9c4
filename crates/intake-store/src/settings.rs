//! The `settings` table: clinic-wide key/value settings. Which keys exist, their
//! defaults and their checks live in `intake-api`.

use chrono::{DateTime, Utc};
use rusqlite::{params, OptionalExtension};

use crate::traits::Settings;
use crate::{format_time, SqliteDb, StoreError};

impl Settings for SqliteDb<'_> {
    fn setting(&self, key: &str) -> Result<Option<String>, StoreError> {
        Ok(self
            .conn
            .query_row("SELECT value FROM settings WHERE key = ?1", [key], |r| {
                r.get(0)
            })
            .optional()?)
    }

    fn put_setting(
        &self,
        key: &str,
        value: &str,
        at: DateTime<Utc>,
        by: &str,
    ) -> Result<(), StoreError> {
        self.conn.execute(
            "INSERT INTO settings (key, value, updated_at, updated_by) VALUES (?1, ?2, ?3, ?4) \
             ON CONFLICT (key) DO UPDATE SET value = ?2, updated_at = ?3, updated_by = ?4",
            params![key, value, format_time(at), by],
        )?;
        Ok(())
    }
}
