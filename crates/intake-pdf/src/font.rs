//! The two faces a summary uses (DejaVu Sans regular and bold, from the `dejavu`
//! crate), parsed once: which glyph each character maps to and how wide it is, so
//! layout can measure text and a document can embed only the glyphs it uses.
//!
//! Why we subset here and not printpdf: built with `default-features = false`
//! printpdf has no `text_layout`, and in that build `subset_font` returns the whole
//! font and `PdfSaveOptions::subset_fonts` is ignored. Every document then embedded
//! both faces whole (about 1.4 MB of font program) and lopdf deflated them again at
//! `Compression::best()` on every save: that was most of a render's time and size.
//! [`Face::subset`] cuts a font program of only the glyphs used with allsorts (which
//! printpdf depends on anyway) and hands printpdf a `ParsedFont` built from it.

use std::collections::{BTreeMap, BTreeSet};

use allsorts::binary::read::ReadScope;
use allsorts::font_data::FontData;
use allsorts::subset::{subset, CmapTarget, SubsetProfile};
use printpdf::{FontMetrics, FontType, ParsedFont, PdfFontMetricsStub};
use unicode_normalization::UnicodeNormalization;

use crate::PdfError;

/// What a character not in the font is drawn as.
const REPLACEMENT: char = '\u{FFFD}';

/// One parsed face.
#[derive(Debug)]
pub(crate) struct Face {
    name: &'static str,
    bytes: &'static [u8],
    glyphs: BTreeMap<u32, u16>,
    /// Advance widths in font units, by glyph id.
    advances: Vec<u16>,
    units_per_em: f32,
    metrics: FontMetrics,
    pdf_metrics: PdfFontMetricsStub,
    /// The glyph drawn for characters the font lacks.
    fallback: char,
}

impl Face {
    pub(crate) fn load(name: &'static str, bytes: &'static [u8]) -> Result<Face, PdfError> {
        let mut warnings = Vec::new();
        let parsed = ParsedFont::from_bytes(bytes, 0, &mut warnings).ok_or(PdfError::Font(
            name,
            "not a font this version can read".into(),
        ))?;
        let mut advances = vec![0u16; parsed.glyph_widths.len()];
        for (gid, width) in &parsed.glyph_widths {
            if let Some(slot) = advances.get_mut(usize::from(*gid)) {
                *slot = *width;
            }
        }
        let fallback = if parsed
            .codepoint_to_glyph
            .contains_key(&(REPLACEMENT as u32))
        {
            REPLACEMENT
        } else {
            '?'
        };
        Ok(Face {
            name,
            bytes,
            units_per_em: f32::from(parsed.units_per_em.max(1)),
            metrics: parsed.font_metrics.clone(),
            pdf_metrics: parsed.pdf_font_metrics.clone(),
            glyphs: parsed.codepoint_to_glyph,
            advances,
            fallback,
        })
    }

    /// The character as it will be drawn: itself, a space for tabs and other
    /// spacing, or the replacement glyph when the font lacks it.
    pub(crate) fn printable(&self, c: char) -> char {
        if c == '\t' || c.is_whitespace() {
            ' '
        } else if c.is_control() || !self.glyphs.contains_key(&(c as u32)) {
            self.fallback
        } else {
            c
        }
    }

    /// `text` composed (NFC: "e" + combining diaeresis is drawn as the one glyph
    /// "ë") with every character made printable (see [`Face::printable`]).
    pub(crate) fn clean(&self, text: &str) -> String {
        text.nfc().map(|c| self.printable(c)).collect()
    }

    fn advance(&self, c: char) -> f32 {
        let gid = self.glyphs.get(&(c as u32)).copied().unwrap_or(0);
        f32::from(self.advances.get(usize::from(gid)).copied().unwrap_or(0))
    }

    /// The width of `text` (already clean) at `size` points.
    pub(crate) fn width(&self, text: &str, size: f32) -> f32 {
        text.chars().map(|c| self.advance(c)).sum::<f32>() * size / self.units_per_em
    }

    /// A font program holding only the glyphs of `chars` (and `.notdef`), as a
    /// `ParsedFont` whose cmap and widths point into the subset. `tag` is the
    /// six-letter subset prefix of its PostScript name.
    pub(crate) fn subset(&self, chars: &BTreeSet<char>, tag: &str) -> Result<ParsedFont, PdfError> {
        let mut by_gid: BTreeMap<u16, Vec<char>> = BTreeMap::new();
        for c in chars {
            if let Some(gid) = self.glyphs.get(&(*c as u32)) {
                by_gid.entry(*gid).or_default().push(*c);
            }
        }
        let ids: Vec<u16> = std::iter::once(0)
            .chain(by_gid.keys().copied().filter(|g| *g != 0))
            .collect();
        let font = ReadScope::new(self.bytes)
            .read::<FontData<'_>>()
            .map_err(|e| PdfError::Font(self.name, e.to_string()))?;
        let provider = font
            .table_provider(0)
            .map_err(|e| PdfError::Font(self.name, e.to_string()))?;
        let program = subset(&provider, &ids, &SubsetProfile::Pdf, CmapTarget::Unicode)
            .map_err(|e| PdfError::Font(self.name, e.to_string()))?;
        // allsorts numbers the kept glyphs by their place in `ids`.
        let mut codepoint_to_glyph = BTreeMap::new();
        let mut glyph_widths = BTreeMap::new();
        for (new, old) in ids.iter().enumerate() {
            let new = u16::try_from(new)
                .map_err(|_| PdfError::Font(self.name, "too many glyphs".into()))?;
            glyph_widths.insert(
                new,
                self.advances.get(usize::from(*old)).copied().unwrap_or(0),
            );
            for c in by_gid.get(old).into_iter().flatten() {
                codepoint_to_glyph.insert(*c as u32, new);
            }
        }
        Ok(ParsedFont {
            original_bytes: program,
            font_index: 0,
            font_name: Some(format!("{tag}+{}", self.name)),
            codepoint_to_glyph,
            glyph_widths,
            units_per_em: self.units_per_em as u16,
            font_metrics: self.metrics.clone(),
            font_type: FontType::TrueType,
            pdf_font_metrics: self.pdf_metrics.clone(),
        })
    }
}

/// Regular and bold, parsed once and shared by every document.
#[derive(Debug)]
pub(crate) struct Fonts {
    pub(crate) regular: Face,
    pub(crate) bold: Face,
}

impl Fonts {
    pub(crate) fn load() -> Result<Fonts, PdfError> {
        Ok(Fonts {
            regular: Face::load("DejaVuSans", dejavu::sans::regular())?,
            bold: Face::load("DejaVuSans-Bold", dejavu::sans::bold())?,
        })
    }

    pub(crate) fn face(&self, bold: bool) -> &Face {
        if bold {
            &self.bold
        } else {
            &self.regular
        }
    }
}
