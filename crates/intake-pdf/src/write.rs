//! Laid-out pages to PDF bytes through printpdf: fonts subset to the characters the
//! document draws, metadata from the summary and the passed-in time, and everything
//! that printpdf would pick at random (font resource names, the trailer's /ID) fixed,
//! so the same summary and time give the same bytes. See README.md for why this
//! does not use printpdf's own font subsetting and save path.

use std::collections::BTreeSet;

use chrono::{DateTime, Utc};
use lopdf::{Object, StringFormat};
use printpdf::{
    Color, FontId, Line, LinePoint, Op, PaintMode, PdfDocument, PdfFontHandle, PdfPage,
    PdfSaveOptions, Point, Pt, Rect, TextItem, TextMatrix,
};
use sha2::{Digest, Sha256};

use crate::font::Fonts;
use crate::layout::{Draw, Geometry, Page, Rgb};
use crate::PdfError;

fn color(c: Rgb) -> Color {
    Color::Rgb(printpdf::Rgb {
        r: c.0,
        g: c.1,
        b: c.2,
        icc_profile: None,
    })
}

/// The characters drawn in each face.
fn used(pages: &[Page]) -> (BTreeSet<char>, BTreeSet<char>) {
    let (mut regular, mut bold) = (BTreeSet::new(), BTreeSet::new());
    for draw in pages.iter().flat_map(|p| &p.draws) {
        if let Draw::Text { bold: b, text, .. } = draw {
            let set = if *b { &mut bold } else { &mut regular };
            set.extend(text.chars());
        }
    }
    (regular, bold)
}

/// A six-letter subset tag from what the subset holds (same glyphs, same tag).
fn tag(chars: &BTreeSet<char>, salt: u8) -> String {
    let mut hash = Sha256::new();
    hash.update([salt]);
    for c in chars {
        hash.update((*c as u32).to_be_bytes());
    }
    hash.finalize()
        .iter()
        .take(6)
        .map(|b| char::from(b'A' + b % 26))
        .collect()
}

/// A page's content: shapes first (they are backgrounds and rules, never over
/// text), then all its text in one text object, setting font and colour only when
/// they change.
fn page_ops(page: &Page, geo: &Geometry, regular: &FontId, bold: &FontId) -> Vec<Op> {
    let mut ops = Vec::new();
    let flip = |y: f32| geo.height - y;
    for draw in &page.draws {
        match draw {
            Draw::Rect {
                x,
                y,
                w,
                h,
                color: c,
            } => {
                ops.push(Op::SetFillColor { col: color(*c) });
                ops.push(Op::DrawRectangle {
                    rectangle: Rect {
                        x: Pt(*x),
                        y: Pt(flip(y + h)),
                        width: Pt(*w),
                        height: Pt(*h),
                        mode: Some(PaintMode::Fill),
                        winding_order: None,
                    },
                });
            }
            Draw::Rule {
                x1,
                x2,
                y,
                width,
                color: c,
            } => {
                ops.push(Op::SetOutlineColor { col: color(*c) });
                ops.push(Op::SetOutlineThickness { pt: Pt(*width) });
                let point = |x: f32| LinePoint {
                    p: Point {
                        x: Pt(x),
                        y: Pt(flip(*y)),
                    },
                    bezier: false,
                };
                ops.push(Op::DrawLine {
                    line: Line {
                        points: vec![point(*x1), point(*x2)],
                        is_closed: false,
                    },
                });
            }
            Draw::Text { .. } => {}
        }
    }
    ops.push(Op::StartTextSection);
    let mut font_now: Option<(bool, f32)> = None;
    let mut color_now: Option<Rgb> = None;
    for draw in &page.draws {
        let Draw::Text {
            x,
            y,
            size,
            bold: b,
            color: c,
            text,
        } = draw
        else {
            continue;
        };
        if color_now != Some(*c) {
            ops.push(Op::SetFillColor { col: color(*c) });
            color_now = Some(*c);
        }
        if font_now != Some((*b, *size)) {
            let font = if *b { bold } else { regular };
            ops.push(Op::SetFont {
                font: PdfFontHandle::External(font.clone()),
                size: Pt(*size),
            });
            font_now = Some((*b, *size));
        }
        ops.push(Op::SetTextMatrix {
            matrix: TextMatrix::Translate(Pt(*x), Pt(flip(*y))),
        });
        ops.push(Op::ShowText {
            items: vec![TextItem::Text(text.clone())],
        });
    }
    ops.push(Op::EndTextSection);
    ops
}

/// The document's metadata.
pub(crate) struct Meta<'a> {
    pub(crate) title: &'a str,
    pub(crate) author: &'a str,
    pub(crate) subject: &'a str,
    pub(crate) created: DateTime<Utc>,
}

/// The PDF bytes of `pages`.
pub(crate) fn write(
    fonts: &Fonts,
    pages: &[Page],
    geo: &Geometry,
    meta: &Meta<'_>,
) -> Result<Vec<u8>, PdfError> {
    let (regular_chars, bold_chars) = used(pages);
    let mut doc = PdfDocument::new(meta.title);
    let info = &mut doc.metadata.info;
    let created = printpdf::OffsetDateTime::from_unix_timestamp(meta.created.timestamp())
        .map_err(|e| PdfError::Time(e.to_string()))?;
    info.creation_date = created;
    info.modification_date = created;
    info.metadata_date = created;
    info.author = meta.author.to_string();
    info.subject = meta.subject.to_string();
    info.creator = "Intake Desk".to_string();
    info.producer = "Intake Desk (printpdf)".to_string();
    let regular = FontId("F1".into());
    let bold = FontId("F2".into());
    for (id, face, chars, salt) in [
        (&regular, &fonts.regular, &regular_chars, 1u8),
        (&bold, &fonts.bold, &bold_chars, 2u8),
    ] {
        if chars.is_empty() {
            continue;
        }
        let font = face.subset(chars, &tag(chars, salt))?;
        doc.resources
            .fonts
            .map
            .insert(id.clone(), printpdf::PdfFont::new(font));
    }
    let bounds = Rect::from_wh(Pt(geo.width), Pt(geo.height));
    doc.pages = pages
        .iter()
        .map(|p| PdfPage {
            media_box: bounds.clone(),
            trim_box: bounds.clone(),
            crop_box: bounds.clone(),
            ops: page_ops(p, geo, &regular, &bold),
        })
        .collect();
    let mut warnings = Vec::new();
    let opts = PdfSaveOptions {
        optimize: true,
        subset_fonts: false,
        secure: true,
        image_optimization: None,
    };
    let mut lo = doc.to_lopdf_document(&opts, &mut warnings);
    // printpdf draws the /ID from a process-wide counter; ours comes from the content.
    let mut id = Sha256::new();
    id.update(meta.title.as_bytes());
    id.update(meta.subject.as_bytes());
    id.update(meta.created.timestamp().to_be_bytes());
    let id = id.finalize()[..16].to_vec();
    lo.trailer.set(
        "ID",
        Object::Array(vec![
            Object::String(id.clone(), StringFormat::Hexadecimal),
            Object::String(id, StringFormat::Hexadecimal),
        ]),
    );
    // printpdf's Info claims PDF/X conformance (GTS_PDFXVersion) and leaves empty keys.
    if let Ok(info) = lo
        .trailer
        .get(b"Info")
        .and_then(Object::as_reference)
        .and_then(|r| lo.get_object_mut(r))
        .and_then(Object::as_dict_mut)
    {
        for key in ["GTS_PDFXVersion", "Identifier", "Keywords", "Trapped"] {
            info.remove(key.as_bytes());
        }
    }
    deflate(&mut lo);
    let mut out = Vec::new();
    lo.save_to(&mut out)
        .map_err(|e| PdfError::Write(e.to_string()))?;
    Ok(out)
}

/// Deflates every stream that is not compressed yet. lopdf's own `compress` uses
/// `Compression::best()`; on text and small font programs the default level gives
/// nearly the same size in less time.
fn deflate(doc: &mut lopdf::Document) {
    use std::io::Write;
    for object in doc.objects.values_mut() {
        let Object::Stream(stream) = object else {
            continue;
        };
        if stream.dict.get(b"Filter").is_ok() {
            continue;
        }
        let mut encoder =
            flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
        if encoder.write_all(&stream.content).is_err() {
            continue;
        }
        let Ok(compressed) = encoder.finish() else {
            continue;
        };
        if compressed.len() + 19 < stream.content.len() {
            stream.dict.set("Filter", "FlateDecode");
            stream.set_content(compressed);
        }
    }
}
