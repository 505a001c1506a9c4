//! Times are stored as RFC 3339 UTC text with milliseconds, which sorts correctly as text.

use chrono::{DateTime, SecondsFormat, Utc};

use crate::StoreError;

/// `2026-11-23T10:00:00.000Z`
pub fn format_time(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Millis, true)
}

/// Reads a time written by [`format_time`].
pub fn parse_time(s: &str) -> Result<DateTime<Utc>, StoreError> {
    DateTime::parse_from_rfc3339(s)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|e| StoreError::damaged("a table", "a row", format!("time {s:?}: {e}")))
}
