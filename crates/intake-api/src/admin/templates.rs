//! Form templates: import a FHIR R4 Questionnaire (with its report), list, activate,
//! retire, and export the original bytes unchanged.

use chrono::{DateTime, Utc};
use intake_core::questionnaire::{self, ImportReport, ItemOutcome};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

use intake_core::TemplateStatus;
use intake_store::prelude::*;
use intake_store::{Db, NewTemplate, TemplateRow};

use crate::admin::builtin::{ACTOR, GENERAL_INTAKE, GENERAL_INTAKE_SLUG, GENERAL_INTAKE_V1};
use crate::export::files::Kind;

use crate::permissions::Permission;
use crate::wire::admin::TemplateDto;
use crate::{audit_entry, Api, ApiError, Caller};

impl From<&TemplateRow> for TemplateDto {
    fn from(t: &TemplateRow) -> Self {
        TemplateDto {
            slug: t.slug.clone(),
            version: t.version.clone(),
            title: t.title.clone(),
            status: t.status.as_str().to_string(),
            sha256: t.sha256.clone(),
            imported_at: intake_store::format_time(t.imported_at),
            imported_by: t.imported_by.clone(),
            built_in: t.imported_by == ACTOR,
            report: serde_json::from_str(&t.report).unwrap_or(Value::Null),
        }
    }
}

fn report_json(report: &ImportReport) -> Value {
    let items: Vec<Value> = report
        .items
        .iter()
        .map(|i| {
            let (outcome, reasons) = match &i.outcome {
                ItemOutcome::Supported => ("supported", Vec::new()),
                ItemOutcome::Degraded(r) => ("degraded", r.clone()),
                ItemOutcome::Ignored(r) => ("ignored", vec![r.clone()]),
            };
            json!({ "linkId": i.link_id, "text": i.text, "outcome": outcome, "reasons": reasons })
        })
        .collect();
    json!({ "summary": report.summary(), "items": items, "notes": report.notes })
}

/// A slug from the form's name, id or title: lower-case ASCII letters, digits and '-'.
fn slug_of(raw: &str) -> String {
    let mut slug = String::new();
    for c in intake_core::text::fold(raw).chars() {
        if c.is_ascii_alphanumeric() {
            slug.push(c);
        } else if !slug.ends_with('-') && !slug.is_empty() {
            slug.push('-');
        }
    }
    let slug = slug
        .trim_end_matches('-')
        .chars()
        .take(60)
        .collect::<String>();
    if slug.is_empty() {
        "form".into()
    } else {
        slug
    }
}

fn identity(bytes: &[u8], q: &questionnaire::Questionnaire) -> (String, String, String) {
    let root: Value = serde_json::from_slice(bytes).unwrap_or(Value::Null);
    let id = root.get("id").and_then(Value::as_str);
    let title = q
        .title
        .clone()
        .or_else(|| q.name.clone())
        .or_else(|| id.map(str::to_string))
        .unwrap_or_else(|| "Untitled form".into());
    let slug = slug_of(q.name.as_deref().or(id).unwrap_or(&title));
    let version = q.version.clone().unwrap_or_else(|| "1".into());
    (slug, version, title)
}

/// Imports `bytes` as a template with `status`, with its audit entry. The same slug
/// and version twice is refused; the original bytes are kept as given.
pub(crate) fn store_template(
    db: &intake_store::Db<'_>,
    bytes: &[u8],
    status: TemplateStatus,
    now: chrono::DateTime<chrono::Utc>,
    actor: &str,
) -> Result<TemplateDto, ApiError> {
    let (q, report) = questionnaire::import(bytes)
        .map_err(|e| ApiError::invalid("file", crate::error::sentence(&e.to_string())))?;
    let (slug, version, title) = identity(bytes, &q);
    let sha256 = hex::encode(Sha256::digest(bytes));
    let report = report_json(&report);
    if let Some(existing) = db.template(&slug, &version)? {
        let same = existing.sha256 == sha256;
        return Err(ApiError::Conflict(if same {
            format!("This form is already imported as {slug} version {version}.")
        } else {
            format!("{slug} version {version} already exists with different content; give the form a new version.")
        }));
    }
    let report_text = report.to_string();
    let id = db.insert_template(
        &NewTemplate {
            slug: &slug,
            version: &version,
            title: &title,
            original: bytes,
            sha256: &sha256,
            report: &report_text,
        },
        now,
        actor,
    )?;
    if status != TemplateStatus::Draft {
        db.set_template_status(id, status, now, actor)?;
    }
    db.append_audit(&audit_entry(
        now,
        actor,
        "template.imported",
        "template",
        Some(format!("{slug}@{version}")),
        json!({ "sha256": sha256, "summary": report["summary"], "status": status.as_str() }),
    ))?;
    let row = db
        .template(&slug, &version)?
        .ok_or_else(|| ApiError::Internal("the template vanished".into()))?;
    Ok(TemplateDto::from(&row))
}

/// Reads a form file, refusing one above the import limit before reading it whole.
fn read_limited(path: &std::path::Path) -> Result<Vec<u8>, ApiError> {
    let shown = path.display();
    let meta = std::fs::metadata(path)
        .map_err(|e| ApiError::invalid("file", format!("Cannot read {shown}: {e}.")))?;
    if !meta.is_file() {
        return Err(ApiError::invalid("file", format!("{shown} is not a file.")));
    }
    if meta.len() > questionnaire::MAX_BYTES as u64 {
        return Err(ApiError::invalid(
            "file",
            format!(
                "{shown} is {} bytes; forms of at most {} MB are accepted.",
                meta.len(),
                questionnaire::MAX_BYTES / (1024 * 1024)
            ),
        ));
    }
    std::fs::read(path).map_err(|e| ApiError::invalid("file", format!("Cannot read {shown}: {e}.")))
}

impl Api {
    /// Run when a database file is opened: one that has users and lacks the current
    /// built-in form gets it ([`ensure_builtin`]); one without users gets it with its
    /// first administrator. A read first, so an up-to-date database is not written.
    pub(crate) fn upgrade_builtin(&self) -> Result<(), ApiError> {
        let now = self.now();
        let version = builtin_version(GENERAL_INTAKE)?;
        let lacking = self.store.read(|db| -> Result<bool, ApiError> {
            Ok(db.count_users()? > 0 && db.template(GENERAL_INTAKE_SLUG, &version)?.is_none())
        })?;
        if lacking {
            self.store.write(|db| ensure_builtin(db, now).map(|_| ()))?;
        }
        Ok(())
    }

    /// Imports a Questionnaire as a draft template and returns it with its report.
    /// The same slug and version twice is refused; the original bytes are kept as given.
    pub fn import_template(
        &self,
        caller: Caller<'_>,
        bytes: &[u8],
    ) -> Result<TemplateDto, ApiError> {
        let who = self.authorize(caller, Permission::ManageTemplates)?;
        let now = self.now();
        self.store.write(|db| {
            store_template(
                db,
                bytes,
                intake_core::TemplateStatus::Draft,
                now,
                &who.actor,
            )
        })
    }

    /// Imports a template from a file the person chose (the app's file dialog).
    pub fn import_template_file(
        &self,
        caller: Caller<'_>,
        path: &std::path::Path,
    ) -> Result<TemplateDto, ApiError> {
        self.authorize(caller, Permission::ManageTemplates)?;
        crate::export::files::check_source(path, self.data_folder().as_deref())?;
        let bytes = read_limited(path)?;
        self.import_template(caller, &bytes)
    }

    /// Writes a template's original bytes to a file (temp file, then rename).
    pub fn export_template_file(
        &self,
        caller: Caller<'_>,
        slug: &str,
        version: &str,
        path: &std::path::Path,
    ) -> Result<(), ApiError> {
        let bytes = self.export_template(caller, slug, version)?;
        let data = self.data_folder();
        crate::export::files::check_destination(path, data.as_deref(), Kind::Form)?;
        crate::export::files::write_atomically(path, &bytes)
    }

    /// Every template version.
    pub fn list_templates(&self, caller: Caller<'_>) -> Result<Vec<TemplateDto>, ApiError> {
        self.authorize(caller, Permission::ViewTemplates)?;
        self.store
            .read(|db| Ok(db.list_templates()?.iter().map(TemplateDto::from).collect()))
    }

    /// Makes a version `active` or `retired`.
    pub fn set_template_status(
        &self,
        caller: Caller<'_>,
        slug: &str,
        version: &str,
        status: &str,
    ) -> Result<TemplateDto, ApiError> {
        let who = self.authorize(caller, Permission::ManageTemplates)?;
        let (status, action) = match TemplateStatus::parse(status) {
            Ok(s @ TemplateStatus::Active) => (s, "template.activated"),
            Ok(s @ TemplateStatus::Retired) => (s, "template.retired"),
            _ => {
                return Err(ApiError::invalid(
                    "status",
                    "A template is made active or retired.",
                ))
            }
        };
        let now = self.now();
        self.store.write(|db| {
            let t = db
                .template(slug, version)?
                .ok_or_else(|| not_found(slug, version))?;
            db.set_template_status(t.id, status, now, &who.actor)?;
            db.append_audit(&audit_entry(
                now,
                &who.actor,
                action,
                "template",
                Some(format!("{slug}@{version}")),
                json!({}),
            ))?;
            let row = db
                .template(slug, version)?
                .ok_or_else(|| not_found(slug, version))?;
            Ok(TemplateDto::from(&row))
        })
    }

    /// The original bytes of a template version, exactly as imported.
    pub fn export_template(
        &self,
        caller: Caller<'_>,
        slug: &str,
        version: &str,
    ) -> Result<Vec<u8>, ApiError> {
        let who = self.authorize(caller, Permission::ManageTemplates)?;
        let now = self.now();
        self.store.write(|db| {
            let t = db
                .template(slug, version)?
                .ok_or_else(|| not_found(slug, version))?;
            let bytes = db
                .template_original(t.id)?
                .ok_or_else(|| not_found(slug, version))?;
            db.append_audit(&audit_entry(
                now,
                &who.actor,
                "template.exported",
                "template",
                Some(format!("{slug}@{version}")),
                json!({}),
            ))?;
            Ok(bytes)
        })
    }
}

fn not_found(slug: &str, version: &str) -> ApiError {
    ApiError::NotFound(format!(
        "There is no template {slug:?} version {version:?}."
    ))
}

/// The template version a new intake uses: `slug` (by default the built-in general
/// adult intake) at `version`, or its newest active version; only active ones start.
pub(crate) fn startable_template(
    db: &Db<'_>,
    slug: Option<&str>,
    version: Option<&str>,
) -> Result<intake_store::TemplateRow, ApiError> {
    let slug = slug.unwrap_or(GENERAL_INTAKE_SLUG);
    let template = match version {
        Some(v) => db.template(slug, v)?,
        None => db
            .list_templates()?
            .into_iter()
            .rfind(|t| t.slug == slug && t.status == TemplateStatus::Active),
    }
    .ok_or_else(|| ApiError::NotFound(format!("There is no active form {slug:?} to start.")))?;
    if template.status != TemplateStatus::Active {
        return Err(ApiError::Conflict(format!(
            "{} version {} is {}; only active forms can be started.",
            template.title, template.version, template.status
        )));
    }
    Ok(template)
}

fn builtin_version(bytes: &[u8]) -> Result<String, ApiError> {
    let (q, _) = intake_core::questionnaire::import(bytes)
        .map_err(|e| ApiError::Internal(format!("the built-in form does not import: {e}")))?;
    Ok(q.version.unwrap_or_else(|| "1".into()))
}

/// Adds the current built-in form ([`crate::admin::builtin`]) when this database lacks
/// it; returns how many forms were added (0 or 1). Idempotent, audited as `system`:
/// - no version of the form yet: the current one, active;
/// - the form a new intake starts today is an earlier built-in version: the current one
///   active and that one retired (its visits still read, show and verify; drafts on it
///   keep it and submit there);
/// - otherwise (the clinic retired the built-in form or activated its own version): the
///   current one as a draft, for an administrator to activate or not.
pub(crate) fn ensure_builtin(db: &Db<'_>, now: DateTime<Utc>) -> Result<usize, ApiError> {
    let version = builtin_version(GENERAL_INTAKE)?;
    if db.template(GENERAL_INTAKE_SLUG, &version)?.is_some() {
        return Ok(0);
    }
    let versions: Vec<TemplateRow> = db
        .list_templates()?
        .into_iter()
        .filter(|t| t.slug == GENERAL_INTAKE_SLUG)
        .collect();
    if versions.is_empty() {
        store_template(db, GENERAL_INTAKE, TemplateStatus::Active, now, ACTOR)?;
        return Ok(1);
    }
    // What `startable_template` starts today.
    let started = versions
        .iter()
        .rfind(|t| t.status == TemplateStatus::Active)
        .filter(|t| t.imported_by == ACTOR);
    if started.is_none() {
        store_template(db, GENERAL_INTAKE, TemplateStatus::Draft, now, ACTOR)?;
        return Ok(1);
    }
    store_template(db, GENERAL_INTAKE, TemplateStatus::Active, now, ACTOR)?;
    for old in versions
        .iter()
        .filter(|t| t.status == TemplateStatus::Active && t.imported_by == ACTOR)
    {
        db.set_template_status(old.id, TemplateStatus::Retired, now, ACTOR)?;
        db.append_audit(&audit_entry(
            now,
            ACTOR,
            "template.retired",
            "template",
            Some(format!("{}@{}", old.slug, old.version)),
            json!({ "replacedBy": format!("{GENERAL_INTAKE_SLUG}@{version}") }),
        ))?;
    }
    Ok(1)
}

/// Version 1 of the built-in form, added if this database lacks it: active when the
/// database has no version of the form (as a clinic had it before version 2; a later
/// [`ensure_builtin`] upgrades it), retired otherwise. The demo register makes its
/// earlier visits on it.
pub(crate) fn builtin_v1(db: &Db<'_>, now: DateTime<Utc>) -> Result<TemplateRow, ApiError> {
    let version = builtin_version(GENERAL_INTAKE_V1)?;
    if let Some(row) = db.template(GENERAL_INTAKE_SLUG, &version)? {
        return Ok(row);
    }
    let any = db
        .list_templates()?
        .iter()
        .any(|t| t.slug == GENERAL_INTAKE_SLUG);
    let status = if any {
        TemplateStatus::Retired
    } else {
        TemplateStatus::Active
    };
    store_template(db, GENERAL_INTAKE_V1, status, now, ACTOR)?;
    db.template(GENERAL_INTAKE_SLUG, &version)?
        .ok_or_else(|| ApiError::Internal("the built-in form version 1 vanished".into()))
}

#[cfg(test)]
mod tests {
    use super::slug_of;

    #[test]
    fn slugs_are_plain() {
        assert_eq!(
            slug_of("PHQ-9 quick depression assessment panel"),
            "phq-9-quick-depression-assessment-panel"
        );
        assert_eq!(slug_of("Zoë's Ñ form!"), "zoe-s-n-form");
        assert_eq!(slug_of("***"), "form");
    }
}
