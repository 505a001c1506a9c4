//! The `templates` table: imported forms, their original bytes (never changed: a trigger
//! refuses it) and their import report. Versions of one slug live side by side.

use chrono::{DateTime, Utc};
use intake_core::{TemplateId, TemplateStatus};
use rusqlite::{params, OptionalExtension, Row};

use crate::traits::Templates;
use crate::{format_time, parse_time, SqliteDb, StoreError};

/// A template as listed (without its bytes).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TemplateRow {
    pub id: TemplateId,
    pub slug: String,
    pub version: String,
    pub title: String,
    pub status: TemplateStatus,
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
    let id: i64 = r.get("id")?;
    let at: String = r.get("imported_at")?;
    let status: String = r.get("status")?;
    let slug: String = r.get("slug")?;
    let version: String = r.get("version")?;
    let title: String = r.get("title")?;
    let sha256: String = r.get("sha256")?;
    let report: String = r.get("report")?;
    let imported_by: String = r.get("imported_by")?;
    let damaged =
        |why: String| StoreError::damaged("templates", format!("form {slug} {version}"), why);
    Ok((|| {
        Ok(TemplateRow {
            id: TemplateId(id),
            status: TemplateStatus::parse(&status).map_err(|e| damaged(e.to_string()))?,
            imported_at: parse_time(&at).map_err(|e| damaged(e.to_string()))?,
            slug: slug.clone(),
            version: version.clone(),
            title,
            sha256,
            report,
            imported_by,
        })
    })())
}

impl Templates for SqliteDb<'_> {
    fn insert_template(
        &self,
        t: &NewTemplate<'_>,
        at: DateTime<Utc>,
        by: &str,
    ) -> Result<TemplateId, StoreError> {
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
        Ok(TemplateId(self.conn.last_insert_rowid()))
    }

    fn template(&self, slug: &str, version: &str) -> Result<Option<TemplateRow>, StoreError> {
        self.conn
            .query_row(
                &format!("SELECT {COLUMNS} FROM templates WHERE slug = ?1 AND version = ?2"),
                params![slug, version],
                from_row,
            )
            .optional()?
            .transpose()
    }

    fn list_templates(&self) -> Result<Vec<TemplateRow>, StoreError> {
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

    fn template_original(&self, id: TemplateId) -> Result<Option<Vec<u8>>, StoreError> {
        Ok(self
            .conn
            .query_row(
                "SELECT original FROM templates WHERE id = ?1",
                [id.0],
                |r| r.get(0),
            )
            .optional()?)
    }

    fn set_template_status(
        &self,
        id: TemplateId,
        status: TemplateStatus,
        at: DateTime<Utc>,
        by: &str,
    ) -> Result<(), StoreError> {
        self.conn.execute(
            "UPDATE templates SET status = ?2, status_changed_at = ?3, status_changed_by = ?4 \
             WHERE id = ?1",
            params![id.0, status.as_str(), format_time(at), by],
        )?;
        Ok(())
    }
}
