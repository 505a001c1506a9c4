//! The `templates` table: imported forms, their original bytes (never changed: a trigger
//! refuses it) and their import report. Versions of one slug live side by side.

use chrono::{DateTime, Utc};
use rusqlite::{params, OptionalExtension, Row};

use crate::{format_time, parse_time, Db, StoreError};

/// A template as listed (without its bytes).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TemplateRow {
    pub id: i64,
    pub slug: String,
    pub version: String,
    pub title: String,
    pub status: String,
    pub sha256: String,
    pub report: String,
    pub imported_at: DateTime<Utc>,
    pub imported_by: String,
}

/// What it takes to store an imported form.
#[derive(Debug, Clone)]
pub struct NewTemplate<'a> {
    pub slug: &'a str,
    pub version: &'a str,
    pub title: &'a str,
    pub original: &'a [u8],
    pub sha256: &'a str,
    pub report: &'a str,
}

const COLUMNS: &str = "id, slug, version, title, status, sha256, report, imported_at, imported_by";

fn from_row(r: &Row<'_>) -> rusqlite::Result<Result<TemplateRow, StoreError>> {
    let at: String = r.get(7)?;
    let row = (
        r.get(0)?,
        r.get(1)?,
        r.get(2)?,
        r.get(3)?,
        r.get(4)?,
        r.get(5)?,
        r.get(6)?,
        r.get(8)?,
    );
    Ok(parse_time(&at).map(|imported_at| TemplateRow {
        id: row.0,
        slug: row.1,
        version: row.2,
        title: row.3,
        status: row.4,
        sha256: row.5,
        report: row.6,
        imported_at,
        imported_by: row.7,
    }))
}

impl Db<'_> {
    /// Stores a new template as a draft; a taken slug and version is a duplicate.
    pub fn insert_template(
        &self,
        t: &NewTemplate<'_>,
        at: DateTime<Utc>,
        by: &str,
    ) -> Result<i64, StoreError> {
        self.conn
            .execute(
                "INSERT INTO templates (slug, version, title, original, sha256, report, \
                 imported_at, imported_by) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                params![
                    t.slug,
                    t.version,
                    t.title,
                    t.original,
                    t.sha256,
                    t.report,
                    format_time(at),
                    by
                ],
            )
            .map_err(|e| match StoreError::from(e) {
                StoreError::Duplicate { .. } => StoreError::Duplicate {
                    what: "template version",
                },
                other => other,
            })?;
        Ok(self.conn.last_insert_rowid())
    }

    pub fn template(&self, slug: &str, version: &str) -> Result<Option<TemplateRow>, StoreError> {
        self.conn
            .query_row(
                &format!("SELECT {COLUMNS} FROM templates WHERE slug = ?1 AND version = ?2"),
                params![slug, version],
                from_row,
            )
            .optional()?
            .transpose()
    }

    /// Every template, by slug then import order.
    pub fn list_templates(&self) -> Result<Vec<TemplateRow>, StoreError> {
        let mut stmt = self.conn.prepare(&format!(
            "SELECT {COLUMNS} FROM templates ORDER BY slug, id"
        ))?;
        let rows = stmt.query_map([], from_row)?;
        let mut out = Vec::new();
        for row in rows {
            out.push(row??);
        }
        Ok(out)
    }

    /// The original bytes of a template, exactly as imported.
    pub fn template_original(&self, id: i64) -> Result<Option<Vec<u8>>, StoreError> {
        Ok(self
            .conn
            .query_row("SELECT original FROM templates WHERE id = ?1", [id], |r| {
                r.get(0)
            })
            .optional()?)
    }

    pub fn set_template_status(
        &self,
        id: i64,
        status: &str,
        at: DateTime<Utc>,
        by: &str,
    ) -> Result<(), StoreError> {
        self.conn.execute(
            "UPDATE templates SET status = ?2, status_changed_at = ?3, status_changed_by = ?4 \
             WHERE id = ?1",
            params![id, status, format_time(at), by],
        )?;
        Ok(())
    }
}
