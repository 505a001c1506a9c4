//! Pages as positioned drawings: the page engine (where the next line goes, when a
//! page is full, what every page carries: the DRAFT band, the running header and the
//! footer). What a summary puts on the pages is in `layout/body.rs`.
//!
//! Positions are in points from the page's top-left corner; `write` turns them into
//! PDF coordinates. Layout measures every string with the face it is drawn in.

mod body;
mod table;

use intake_core::summary::Summary;
use intake_core::EncounterStatus;

use crate::font::Fonts;
use crate::Paper;

pub(crate) use body::lay_out;

/// An RGB colour, components 0 to 1.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Rgb(pub f32, pub f32, pub f32);

pub(crate) const INK: Rgb = Rgb(0.08, 0.09, 0.11);
pub(crate) const MUTED: Rgb = Rgb(0.36, 0.38, 0.42);
pub(crate) const FAINT: Rgb = Rgb(0.55, 0.57, 0.60);
pub(crate) const RULE: Rgb = Rgb(0.80, 0.82, 0.85);
pub(crate) const ACCENT: Rgb = Rgb(0.10, 0.27, 0.42);
pub(crate) const ALERT: Rgb = Rgb(0.68, 0.09, 0.09);
pub(crate) const ALERT_BG: Rgb = Rgb(0.99, 0.91, 0.91);
pub(crate) const SHADE: Rgb = Rgb(0.93, 0.94, 0.96);

/// One thing drawn on a page.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Draw {
    /// `y` is the baseline.
    Text {
        x: f32,
        y: f32,
        size: f32,
        bold: bool,
        color: Rgb,
        text: String,
    },
    /// A filled rectangle; `y` is its top.
    Rect {
        x: f32,
        y: f32,
        w: f32,
        h: f32,
        color: Rgb,
    },
    /// A horizontal rule at `y`.
    Rule {
        x1: f32,
        x2: f32,
        y: f32,
        width: f32,
        color: Rgb,
    },
}

/// A laid-out page.
#[derive(Debug, Default)]
pub(crate) struct Page {
    pub(crate) draws: Vec<Draw>,
}

/// The page size in points and the margins.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Geometry {
    pub(crate) width: f32,
    pub(crate) height: f32,
    pub(crate) left: f32,
    pub(crate) right: f32,
    pub(crate) top: f32,
    /// Where the body ends (the footer lives below).
    pub(crate) bottom: f32,
}

impl Geometry {
    pub(crate) fn of(paper: Paper) -> Geometry {
        let (width, height) = match paper {
            Paper::A4 => (595.276, 841.89),
            Paper::Letter => (612.0, 792.0),
        };
        Geometry {
            width,
            height,
            left: 42.0,
            right: width - 42.0,
            top: 36.0,
            bottom: height - 56.0,
        }
    }

    pub(crate) fn content_width(&self) -> f32 {
        self.right - self.left
    }
}

/// The page engine: the pages so far and where the next thing goes.
pub(crate) struct Sheet<'a> {
    pub(crate) fonts: &'a Fonts,
    pub(crate) summary: &'a Summary,
    pub(crate) geo: Geometry,
    pub(crate) pages: Vec<Page>,
    /// The top of the free space on the current page.
    pub(crate) y: f32,
    /// The mark printed beside carried answers.
    pub(crate) mark: char,
}

impl<'a> Sheet<'a> {
    pub(crate) fn new(fonts: &'a Fonts, summary: &'a Summary, paper: Paper) -> Sheet<'a> {
        let mark = ['↺', '†', '*']
            .into_iter()
            .find(|c| fonts.regular.printable(*c) == *c)
            .unwrap_or('*');
        Sheet {
            fonts,
            summary,
            geo: Geometry::of(paper),
            pages: Vec::new(),
            y: 0.0,
            mark,
        }
    }

    pub(crate) fn draw(&mut self, draw: Draw) {
        if let Some(page) = self.pages.last_mut() {
            page.draws.push(draw);
        }
    }

    /// Text (already clean) with its baseline at `y`.
    pub(crate) fn text(&mut self, x: f32, y: f32, size: f32, bold: bool, color: Rgb, text: &str) {
        if text.is_empty() {
            return;
        }
        self.draw(Draw::Text {
            x,
            y,
            size,
            bold,
            color,
            text: text.to_string(),
        });
    }

    /// Text ending at `right`.
    pub(crate) fn text_right(
        &mut self,
        right: f32,
        y: f32,
        size: f32,
        bold: bool,
        color: Rgb,
        text: &str,
    ) {
        let text = self.fonts.face(bold).clean(text);
        let w = self.fonts.face(bold).width(&text, size);
        self.text(right - w, y, size, bold, color, &text);
    }

    pub(crate) fn rule(&mut self, y: f32, width: f32, color: Rgb) {
        let (x1, x2) = (self.geo.left, self.geo.right);
        self.draw(Draw::Rule {
            x1,
            x2,
            y,
            width,
            color,
        });
    }

    /// The height left on this page.
    pub(crate) fn room(&self) -> f32 {
        self.geo.bottom - self.y
    }

    /// The height of an empty page's body (below the running header).
    pub(crate) fn page_room(&self) -> f32 {
        self.geo.bottom - self.geo.top - self.band_height() - 24.0
    }

    fn band_height(&self) -> f32 {
        if self.summary.status.is_signed() {
            0.0
        } else {
            22.0
        }
    }

    /// Starts a new page when fewer than `height` points are left; true if it did.
    pub(crate) fn ensure(&mut self, height: f32) -> bool {
        if self.pages.is_empty() || self.room() < height {
            self.new_page();
            return true;
        }
        false
    }

    /// A new page with its DRAFT band and running header (the first page's header is
    /// drawn by the body).
    pub(crate) fn new_page(&mut self) {
        self.pages.push(Page::default());
        self.y = self.geo.top;
        self.band();
        if self.pages.len() > 1 {
            let h = &self.summary.header;
            let line = format!(
                "{} · born {} · MRN {} · visit {}",
                h.patient_name, h.birth_date, h.mrn, h.visit_date
            );
            let line = self.fonts.regular.clean(&line);
            let y = self.y + 9.0;
            self.text(self.geo.left, y, 8.0, false, MUTED, &line);
            self.rule(y + 6.0, 0.5, RULE);
            self.y = y + 18.0;
        }
    }

    /// The band on every page of a record that is not signed.
    fn band(&mut self) {
        let text = match self.summary.status {
            EncounterStatus::Signed | EncounterStatus::Amended => return,
            EncounterStatus::EnteredInError => {
                "ENTERED IN ERROR: this record is not valid and must not be used"
            }
            EncounterStatus::Draft | EncounterStatus::Submitted => {
                "DRAFT / NOT SIGNED: not reviewed or signed by a physician"
            }
        };
        let (x, w) = (self.geo.left, self.geo.content_width());
        let y = self.y;
        self.draw(Draw::Rect {
            x,
            y,
            w,
            h: 16.0,
            color: ALERT_BG,
        });
        let text = self.fonts.bold.clean(text);
        let tw = self.fonts.bold.width(&text, 8.5);
        self.text(x + (w - tw) / 2.0, y + 11.0, 8.5, true, ALERT, &text);
        self.y += self.band_height();
    }

    /// The footer of every page, once the page count is known.
    pub(crate) fn footers(&mut self, generated_at: &str) {
        let count = self.pages.len();
        let y = self.geo.bottom + 18.0;
        let geo = self.geo;
        let hash = format!("Record SHA-256 {}", self.summary.record_sha256);
        let hash = self.fonts.regular.clean(&hash);
        let generated = self
            .fonts
            .regular
            .clean(&format!("Generated {generated_at}"));
        for n in 0..count {
            let page = &mut self.pages[n];
            page.draws.push(Draw::Rule {
                x1: geo.left,
                x2: geo.right,
                y,
                width: 0.5,
                color: RULE,
            });
            let label = format!("Page {} of {count}", n + 1);
            let w = self.fonts.regular.width(&label, 8.0);
            for (x, baseline, size, text) in [
                (geo.left, y + 11.0, 7.5, generated.clone()),
                (geo.right - w, y + 11.0, 8.0, label),
                (geo.left, y + 21.0, 6.5, hash.clone()),
            ] {
                page.draws.push(Draw::Text {
                    x,
                    y: baseline,
                    size,
                    bold: false,
                    color: MUTED,
                    text,
                });
            }
        }
    }
}
