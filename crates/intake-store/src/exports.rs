//! Which encounters a batch export covers: visits started in a range of time, with one
//! of the chosen statuses, oldest first.

use chrono::{DateTime, Utc};

use intake_core::{EncounterId, EncounterStatus};

use crate::traits::Exports;
use crate::{format_time, SqliteDb, StoreError};

impl Exports for SqliteDb<'_> {
    fn export_candidates(
        &self,
        from: DateTime<Utc>,
        until: DateTime<Utc>,
        statuses: &[EncounterStatus],
    ) -> Result<Vec<EncounterId>, StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT id, status FROM encounters WHERE started_at >= ?1 AND started_at < ?2 \
             ORDER BY started_at, id",
        )?;
        let rows = stmt.query_map([format_time(from), format_time(until)], |r| {
            Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (id, status) = row?;
            let status = EncounterStatus::parse(&status).map_err(|e| {
                StoreError::damaged("encounters", format!("visit {id}"), e.to_string())
            })?;
            if statuses.contains(&status) {
                out.push(EncounterId(id));
            }
        }
        Ok(out)
    }
}
