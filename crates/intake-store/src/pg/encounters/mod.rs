//! Templates, encounters, answers, revisions, the review, outcomes and exports on the
//! server: the SQLite implementation's queries (`crate::templates`, `crate::encounters`,
//! `crate::reviews`, …) in PostgreSQL's dialect, and its row decoding, so a value the
//! store cannot read back is named the same way. The guarantees are the triggers of
//! `migrations/pg/0004_record_guarantees.sql`, so each write here is ordered as on
//! SQLite (an event before the encounter's move it allows).
//!
//! Text that sorts (keys, slugs, names, times) is ordered and compared with `COLLATE "C"`:
//! byte order, as SQLite's, whatever the server's default collation.

mod answers;
mod history;
mod reviews;
mod rows;
mod templates;

use chrono::{DateTime, Utc};

use crate::{parse_time, StoreError};

/// A time of visit `id` stored in `table`, or the row named as damaged.
fn time_of(table: &'static str, id: i64, s: &str) -> Result<DateTime<Utc>, StoreError> {
    parse_time(s).map_err(|e| StoreError::damaged(table, format!("visit {id}"), e.to_string()))
}
