//! Renders a visit's summary document (`intake_core::summary::Summary`) to PDF bytes.
//!
//! [`Renderer`] parses the two faces of DejaVu Sans (regular and bold) once; each
//! [`Renderer::render`] lays the summary out on A4 or Letter (header, two-column
//! questions and answers with word wrap, repeating groups as tables whose header
//! repeats on a new page and whose rows never split, the carried-forward legend, the
//! signature block, a DRAFT / NOT SIGNED band on every page of an unsigned record,
//! and a footer with "Page n of m", the generation time and the record's SHA-256),
//! embeds only the glyphs it drew, and writes the document. A `Renderer` is `Send`
//! and `Sync`: a batch export shares one across threads. [`render`] uses one shared
//! renderer.
//!
//! Same summary and same `generated_at` give the same bytes: nothing reads a clock or
//! a random source. A character the font lacks is drawn as the replacement glyph.
//! This crate does not read records or write files; `intake-api` does.

mod font;
mod layout;
mod wrap;
mod write;

use std::sync::OnceLock;

use chrono::{DateTime, Utc};
use intake_core::summary::{format_time, Summary};

use font::Fonts;
use layout::{lay_out, Geometry};

/// The paper size.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Paper {
    #[default]
    A4,
    Letter,
}

/// How to render.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RenderOptions {
    pub paper: Paper,
    /// When the copy is made: printed in the footer and stored as the document's
    /// creation date.
    pub generated_at: DateTime<Utc>,
}

/// Why a summary could not be rendered.
#[derive(Debug, thiserror::Error)]
pub enum PdfError {
    #[error("the embedded font {0} could not be used: {1}")]
    Font(&'static str, String),
    #[error("the generation time cannot be written into the document: {0}")]
    Time(String),
    #[error("the document could not be written: {0}")]
    Write(String),
}

/// Renders summaries; holds the parsed fonts (parse once, render many).
#[derive(Debug)]
pub struct Renderer {
    fonts: Fonts,
}

impl Renderer {
    pub fn new() -> Result<Renderer, PdfError> {
        Ok(Renderer {
            fonts: Fonts::load()?,
        })
    }

    /// The PDF bytes of `summary`.
    pub fn render(&self, summary: &Summary, options: &RenderOptions) -> Result<Vec<u8>, PdfError> {
        let generated = format_time(options.generated_at);
        let pages = lay_out(&self.fonts, summary, options.paper, &generated);
        let h = &summary.header;
        let title = format!("Visit summary: {}, {}", h.patient_name, h.visit_date);
        let subject = format!(
            "{} · MRN {} · {} · record SHA-256 {}",
            h.template, h.mrn, h.status, summary.record_sha256
        );
        let meta = write::Meta {
            title: &title,
            author: &h.clinic_name,
            subject: &subject,
            created: options.generated_at,
        };
        write::write(&self.fonts, &pages, &Geometry::of(options.paper), &meta)
    }
}

/// The renderer shared by the whole process (the fonts are parsed on first use).
pub fn shared() -> Result<&'static Renderer, PdfError> {
    static SHARED: OnceLock<Result<Renderer, PdfError>> = OnceLock::new();
    match SHARED.get_or_init(Renderer::new) {
        Ok(renderer) => Ok(renderer),
        Err(e) => Err(PdfError::Font("DejaVu Sans", e.to_string())),
    }
}

/// The PDF bytes of `summary`, with the renderer shared by the whole process.
pub fn render(summary: &Summary, options: &RenderOptions) -> Result<Vec<u8>, PdfError> {
    shared()?.render(summary, options)
}
