//! Imported forms on the server: the original bytes are `bytea`, returned byte for byte.

use chrono::{DateTime, Utc};
use intake_core::{TemplateId, TemplateStatus};
use postgres::Row;

use crate::pg::{get, PgDb};
use crate::traits::Templates;
use crate::{format_time, parse_time, NewTemplate, StoreError, TemplateRow};

const COLUMNS: &str = "id, slug, version, title, status, sha256, report, imported_at, imported_by";

/// A template row, named as SQLite's decoding names it ("form {slug} {version}").
fn from_row(r: &Row) -> Result<TemplateRow, StoreError> {
    let g = |i| get::<String>(r, i, "templates");
    let id: i64 = get(r, 0, "templates")?;
    let (slug, version, title, status) = (g(1)?, g(2)?, g(3)?, g(4)?);
    let (sha256, report, at, imported_by) = (g(5)?, g(6)?, g(7)?, g(8)?);
    let damaged =
        |why: String| StoreError::damaged("templates", format!("form {slug} {version}"), why);
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
}

impl Templates for PgDb<'_> {
    fn insert_template(
        &self,
        t: &NewTemplate<'_>,
        at: DateTime<Utc>,
        by: &str,
    ) -> Result<TemplateId, StoreError> {
        let row = self
            .query_one(
                "INSERT INTO templates (slug, version, title, original, sha256, report, \
                 imported_at, imported_by) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
                &[
                    &t.slug,
                    &t.version,
                    &t.title,
                    &t.original,
                    &t.sha256,
                    &t.report,
                    &format_time(at),
                    &by,
                ],
            )
            .map_err(|e| match e {
                StoreError::Duplicate { .. } => StoreError::Duplicate {
                    what: "template version",
                },
                other => other,
            })?;
        Ok(TemplateId(get(&row, 0, "templates")?))
    }

    fn template(&self, slug: &str, version: &str) -> Result<Option<TemplateRow>, StoreError> {
        self.query_opt(
            &format!("SELECT {COLUMNS} FROM templates WHERE slug = $1 AND version = $2"),
            &[&slug, &version],
        )?
        .as_ref()
        .map(from_row)
        .transpose()
    }

    fn list_templates(&self) -> Result<Vec<TemplateRow>, StoreError> {
        self.query(
            &format!("SELECT {COLUMNS} FROM templates ORDER BY slug COLLATE \"C\", id"),
            &[],
        )?
        .iter()
        .map(from_row)
        .collect()
    }

    fn template_original(&self, id: TemplateId) -> Result<Option<Vec<u8>>, StoreError> {
        self.query_opt("SELECT original FROM templates WHERE id = $1", &[&id.0])?
            .map(|r| get(&r, 0, "templates"))
            .transpose()
    }

    fn set_template_status(
        &self,
        id: TemplateId,
        status: TemplateStatus,
        at: DateTime<Utc>,
        by: &str,
    ) -> Result<(), StoreError> {
        self.execute(
            "UPDATE templates SET status = $2, status_changed_at = $3, status_changed_by = $4 \
             WHERE id = $1",
            &[&id.0, &status.as_str(), &format_time(at), &by],
        )?;
        Ok(())
    }
}
