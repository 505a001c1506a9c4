//! The contract of imported forms.

use intake_core::{TemplateId, TemplateStatus};

use super::fixtures::{ok, t};
use crate::prelude::*;
use crate::{NewTemplate, StoreError};

fn new_template<'a>(slug: &'a str, version: &'a str, original: &'a [u8]) -> NewTemplate<'a> {
    NewTemplate {
        slug,
        version,
        title: "Général intake",
        original,
        sha256: "abc123",
        report: "{\"items\": []}",
    }
}

pub fn insert_template_then_read_it<B: Backend>(b: &B) {
    let id = ok(
        b.write(|tx| tx.insert_template(&new_template("general", "2.0", b"{}"), t(3), "admin")),
        "importing",
    );
    let row = ok(b.read(|tx| tx.template("general", "2.0")), "reading")
        .expect("the template is found by slug and version");
    assert_eq!(
        (
            row.id,
            row.slug.as_str(),
            row.version.as_str(),
            row.title.as_str()
        ),
        (id, "general", "2.0", "Général intake")
    );
    assert_eq!(
        (row.status, row.sha256.as_str(), row.report.as_str()),
        (TemplateStatus::Draft, "abc123", "{\"items\": []}"),
        "a new template is a draft; its report is kept as text"
    );
    assert_eq!((row.imported_at, row.imported_by.as_str()), (t(3), "admin"));
    assert_eq!(
        ok(b.read(|tx| tx.template("general", "2")), "reading"),
        None,
        "another version is not found"
    );
}

pub fn refused_a_taken_template_version_is_a_duplicate<B: Backend>(b: &B) {
    ok(
        b.write(|tx| tx.insert_template(&new_template("general", "1", b"{}"), t(0), "admin")),
        "importing",
    );
    let again =
        b.write(|tx| tx.insert_template(&new_template("general", "1", b"[]"), t(1), "admin"));
    assert!(
        matches!(
            again,
            Err(StoreError::Duplicate {
                what: "template version"
            })
        ),
        "a taken slug and version is Duplicate {{ what: \"template version\" }}: {again:?}"
    );
    assert_eq!(
        ok(b.read(|tx| tx.list_templates()), "listing").len(),
        1,
        "nothing was added"
    );
}

pub fn list_templates_by_slug_then_import_order<B: Backend>(b: &B) {
    for (slug, version) in [("b", "1"), ("a", "2"), ("a", "1")] {
        ok(
            b.write(|tx| tx.insert_template(&new_template(slug, version, b"{}"), t(0), "admin")),
            "importing",
        );
    }
    let seen: Vec<(String, String)> = ok(b.read(|tx| tx.list_templates()), "listing")
        .into_iter()
        .map(|r| (r.slug, r.version))
        .collect();
    assert_eq!(
        seen,
        [
            ("a".to_string(), "2".to_string()),
            ("a".to_string(), "1".to_string()),
            ("b".to_string(), "1".to_string())
        ],
        "by slug, then in the order imported"
    );
}

pub fn template_original_is_kept_byte_for_byte<B: Backend>(b: &B) {
    let bytes: &[u8] =
        b"{ \"resourceType\" : \"Questionnaire\",\r\n \"title\": \"Zo\xc3\xab\" }\xff\x00";
    let id = ok(
        b.write(|tx| tx.insert_template(&new_template("f", "1", bytes), t(0), "admin")),
        "importing",
    );
    assert_eq!(
        ok(b.read(|tx| tx.template_original(id)), "reading").as_deref(),
        Some(bytes),
        "the original bytes, exactly (even bytes that are not UTF-8)"
    );
    assert_eq!(
        ok(
            b.read(|tx| tx.template_original(TemplateId(id.0 + 5))),
            "reading"
        ),
        None,
        "a missing template has no bytes"
    );
}

pub fn set_template_status_changes_it<B: Backend>(b: &B) {
    let id = ok(
        b.write(|tx| tx.insert_template(&new_template("f", "1", b"{}"), t(0), "admin")),
        "importing",
    );
    for status in [TemplateStatus::Active, TemplateStatus::Retired] {
        ok(
            b.write(|tx| tx.set_template_status(id, status, t(1), "admin")),
            "changing the status",
        );
        let row = ok(b.read(|tx| tx.template("f", "1")), "reading").expect("the template");
        assert_eq!(row.status, status, "the status is {status}");
    }
}
