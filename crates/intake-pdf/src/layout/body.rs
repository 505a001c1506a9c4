//! What a summary puts on its pages: the first page's header, the legend for the
//! carried-forward mark, each section (question and answer in two columns, notes,
//! sub-headings, tables) and the signature block.

use intake_core::summary::{source_note, Answer, Block, Origin, Row, SignatureLine, Summary};

use super::{Page, Rgb, Sheet, ACCENT, ALERT, FAINT, INK, MUTED, RULE};
use crate::font::Fonts;
use crate::wrap::wrap;
use crate::Paper;

/// Body text size and line height.
pub(super) const SIZE: f32 = 9.0;
pub(super) const LEAD: f32 = 11.5;
const NOTE_SIZE: f32 = 7.5;
const NOTE_LEAD: f32 = 9.5;
const PAD: f32 = 3.5;

/// One line of a column, in its style.
#[derive(Debug, Clone)]
pub(super) struct Line {
    pub(super) text: String,
    pub(super) size: f32,
    pub(super) bold: bool,
    pub(super) color: Rgb,
    pub(super) lead: f32,
}

/// A column of lines starting at `x`.
pub(super) type Column = (f32, Vec<Line>);

/// Every page of `summary`, footers included.
pub(crate) fn lay_out(
    fonts: &Fonts,
    summary: &Summary,
    paper: Paper,
    generated_at: &str,
) -> Vec<Page> {
    let mut sheet = Sheet::new(fonts, summary, paper);
    sheet.new_page();
    sheet.header();
    for section in &summary.sections {
        sheet.section_title(&section.title);
        for block in &section.blocks {
            match block {
                Block::Row(row) => sheet.row(row),
                Block::Note(text) => sheet.note(text),
                Block::Subheading(text) => sheet.subheading(text),
                Block::Table(table) => sheet.table(table),
            }
        }
    }
    sheet.signature();
    sheet.footers(generated_at);
    sheet.pages
}

impl Sheet<'_> {
    pub(super) fn lines(
        &self,
        text: &str,
        size: f32,
        bold: bool,
        color: Rgb,
        lead: f32,
        width: f32,
    ) -> Vec<Line> {
        wrap(self.fonts.face(bold), text, size, width)
            .into_iter()
            .map(|text| Line {
                text,
                size,
                bold,
                color,
                lead,
            })
            .collect()
    }

    /// Columns drawn side by side from the current position, then a rule. A block
    /// that fits on an empty page is never split (it moves to the next page whole);
    /// a taller one continues line by line. On each new page `repeat` draws what the
    /// block needs there (a table's header); its flag says whether the block itself
    /// is being continued (split) rather than moved whole.
    pub(super) fn block(
        &mut self,
        columns: &[Column],
        rule: bool,
        repeat: &dyn Fn(&mut Self, bool),
    ) {
        let height = |lines: &[Line]| lines.iter().map(|l| l.lead).sum::<f32>();
        let tallest = columns.iter().map(|(_, l)| height(l)).fold(0.0, f32::max) + 2.0 * PAD;
        if tallest <= self.page_room() {
            if self.ensure(tallest) {
                repeat(self, false);
            }
        } else if self.ensure(LEAD * 3.0 + 2.0 * PAD) {
            repeat(self, false);
        }
        let mut next = vec![0usize; columns.len()];
        loop {
            let top = self.y + PAD;
            let mut bottom = top;
            for (c, (x, lines)) in columns.iter().enumerate() {
                let mut y = top;
                while let Some(line) = lines.get(next[c]) {
                    // The first line of each pass always goes, so a block advances even
                    // when what a new page repeats (a table header) fills it.
                    if y + line.lead > self.geo.bottom && y > top {
                        break;
                    }
                    let baseline = y + line.size * 0.95;
                    self.text(*x, baseline, line.size, line.bold, line.color, &line.text);
                    y += line.lead;
                    next[c] += 1;
                }
                bottom = bottom.max(y);
            }
            self.y = bottom + PAD;
            if columns
                .iter()
                .enumerate()
                .all(|(c, (_, l))| next[c] >= l.len())
            {
                break;
            }
            self.new_page();
            repeat(self, true);
        }
        if rule {
            let y = self.y;
            self.rule(y, 0.3, RULE);
        }
    }

    fn header(&mut self) {
        let h = &self.summary.header;
        let geo = self.geo;
        let mut y = self.y;
        let clinic = self.lines(
            &h.clinic_name,
            14.0,
            true,
            ACCENT,
            17.0,
            geo.content_width() * 0.62,
        );
        for line in &clinic {
            self.text(geo.left, y + 13.0, 14.0, true, ACCENT, &line.text);
            y += line.lead;
        }
        let status = format!("Status: {}", h.status);
        let status_color = if self.summary.status.is_signed() {
            INK
        } else {
            ALERT
        };
        self.text_right(geo.right, self.y + 12.0, 9.0, true, status_color, &status);
        self.text_right(geo.right, self.y + 24.0, 8.0, false, MUTED, "Visit summary");
        y += 8.0;
        for line in self.lines(&h.patient_name, 13.0, true, INK, 16.0, geo.content_width()) {
            self.text(geo.left, y + 12.0, 13.0, true, INK, &line.text);
            y += line.lead;
        }
        y += 5.0;
        let facts = [
            ("Date of birth", h.birth_date.as_str()),
            ("MRN", h.mrn.as_str()),
            ("Visit date", h.visit_date.as_str()),
            ("Form", h.template.as_str()),
        ];
        let widths = [0.2, 0.22, 0.2, 0.38];
        let mut x = geo.left;
        let mut deepest = y;
        for ((label, value), share) in facts.iter().zip(widths) {
            let w = geo.content_width() * share - 8.0;
            self.text(x, y + 7.0, 7.0, false, MUTED, label);
            let mut vy = y + 10.0;
            for line in self.lines(value, 9.5, false, INK, 11.5, w) {
                self.text(x, vy + 9.0, 9.5, false, INK, &line.text);
                vy += line.lead;
            }
            deepest = deepest.max(vy);
            x += geo.content_width() * share;
        }
        y = deepest + 6.0;
        self.rule(y, 1.0, ACCENT);
        self.y = y + 8.0;
        if self.summary.has_carried {
            let legend = format!(
                "{}  Carried forward from an earlier visit: the visit it came from and who confirmed it are printed with the answer.",
                self.mark
            );
            let lines = self.lines(&legend, 7.5, false, MUTED, 9.5, geo.content_width());
            self.block(&[(geo.left, lines)], false, &|_, _| {});
            self.y += 2.0;
        }
    }

    fn section_title(&mut self, title: &str) {
        let lines = self.lines(title, 11.0, true, ACCENT, 14.0, self.geo.content_width());
        let height = lines.len() as f32 * 14.0 + 8.0;
        // Keep the title with at least two lines of what follows.
        self.ensure(height + 2.0 * LEAD + 2.0 * PAD);
        self.y += 8.0;
        for line in &lines {
            let y = self.y + 11.0;
            self.text(self.geo.left, y, 11.0, true, ACCENT, &line.text);
            self.y += line.lead;
        }
        let y = self.y + 1.0;
        self.rule(y, 0.8, ACCENT);
        self.y += 2.0;
    }

    fn subheading(&mut self, text: &str) {
        let lines = self.lines(text, 9.5, true, INK, 12.0, self.geo.content_width());
        self.ensure(lines.len() as f32 * 12.0 + 2.0 * LEAD + 4.0 * PAD);
        self.y += 4.0;
        let x = self.geo.left;
        self.block(&[(x, lines)], false, &|_, _| {});
    }

    fn note(&mut self, text: &str) {
        let lines = self.lines(text, 8.0, false, MUTED, 10.0, self.geo.content_width());
        let x = self.geo.left;
        self.block(&[(x, lines)], false, &|_, _| {});
    }

    /// The mark and note under an answer: "↺ carried from …", "calculated".
    pub(super) fn source_line(&self, source: &Origin, width: f32) -> Vec<Line> {
        let Some(note) = source_note(source) else {
            return Vec::new();
        };
        let text = match source {
            Origin::Carried { .. } => format!("{} {note}", self.mark),
            _ => note,
        };
        self.lines(&text, NOTE_SIZE, false, MUTED, NOTE_LEAD, width)
    }

    pub(super) fn answer_lines(
        &self,
        answer: &Answer,
        size: f32,
        lead: f32,
        width: f32,
    ) -> Vec<Line> {
        match answer {
            Answer::Values(values) => values
                .iter()
                .flat_map(|v| self.lines(v, size, false, INK, lead, width))
                .collect(),
            Answer::NotAnswered | Answer::NotAsked => {
                self.lines(&answer.text(), size, false, FAINT, lead, width)
            }
        }
    }

    fn row(&mut self, row: &Row) {
        let geo = self.geo;
        let qw = geo.content_width() * 0.38;
        let ax = geo.left + qw + 12.0;
        let aw = geo.right - ax;
        let question = self.lines(&row.question, SIZE, false, MUTED, LEAD, qw);
        let mut answer = self.answer_lines(&row.answer, SIZE, LEAD, aw);
        answer.extend(self.source_line(&row.source, aw));
        // An answer longer than a page goes on under its question, named again.
        let continued = self.lines(
            &format!("{} (continued)", row.question),
            NOTE_SIZE,
            false,
            FAINT,
            NOTE_LEAD,
            qw,
        );
        let repeat = move |s: &mut Sheet<'_>, split: bool| {
            if !split {
                return;
            }
            let x = s.geo.left;
            let mut y = s.y + PAD;
            for line in &continued {
                s.text(x, y + line.size * 0.95, line.size, false, FAINT, &line.text);
                y += line.lead;
            }
        };
        self.block(&[(geo.left, question), (ax, answer)], true, &repeat);
    }

    fn signature(&mut self) {
        let geo = self.geo;
        let width = geo.content_width();
        let mut lines = self.lines("Signature", 9.5, true, ACCENT, 13.0, width);
        match &self.summary.signature {
            SignatureLine::NotSigned => {
                lines.extend(self.lines("Not signed", 10.0, true, ALERT, 13.0, width));
            }
            line @ SignatureLine::Signed { .. } => {
                lines.extend(self.lines(&line.text(), 10.0, false, INK, 13.0, width));
            }
            line @ SignatureLine::Amended { signed, .. } => {
                lines.extend(self.lines(&line.text(), 10.0, false, INK, 13.0, width));
                if let Some((by, at)) = signed {
                    let first = format!("First signed by {by} at {at}");
                    lines.extend(self.lines(&first, 8.0, false, MUTED, 11.0, width));
                }
            }
        }
        let height: f32 = lines.iter().map(|l| l.lead).sum();
        self.ensure(height + 20.0);
        self.y += 10.0;
        let y = self.y;
        self.rule(y, 0.8, ACCENT);
        self.block(&[(geo.left, lines)], false, &|_, _| {});
    }
}
