//! Repeating groups as tables: a numbered row per group row, column widths from what
//! the cells hold, a shaded header that repeats at the top of each new page, rows that
//! never split across pages (unless one alone is taller than a page), and under the
//! table which rows were carried forward, from when, confirmed by whom.

use intake_core::summary::{source_note, Answer, Origin, Table};

use super::body::{Column, Line, LEAD};
use super::{Draw, Sheet, FAINT, INK, MUTED, SHADE};

const CELL_SIZE: f32 = 8.5;
const CELL_LEAD: f32 = 10.5;
const HEAD_SIZE: f32 = 8.0;
const GAP: f32 = 8.0;
const NUMBER_WIDTH: f32 = 24.0;

impl Sheet<'_> {
    /// Column widths. Each column wants its widest cell or header (up to half the
    /// line) and needs at least its longest word; the wants are met when they fit,
    /// else every column gets its longest word and the rest of the line goes to the
    /// columns that want more, in proportion to how much more.
    fn widths(&self, table: &Table, available: f32) -> Vec<f32> {
        let n = table.columns.len().max(1);
        let cap = (available * 0.5).max(60.0);
        let (regular, bold) = (&self.fonts.regular, &self.fonts.bold);
        let measure = |bold_face: bool, text: &str| -> (f32, f32) {
            let (face, size) = if bold_face {
                (bold, HEAD_SIZE)
            } else {
                (regular, CELL_SIZE)
            };
            let text = face.clean(text);
            let word = text
                .split(' ')
                .map(|w| face.width(w, size))
                .fold(0.0, f32::max);
            (face.width(&text, size), word)
        };
        let mut want = Vec::with_capacity(n);
        let mut need = Vec::with_capacity(n);
        for (i, title) in table.columns.iter().enumerate() {
            let (mut whole, mut word) = measure(true, title);
            for cell in table.rows.iter().filter_map(|r| r.cells.get(i)) {
                let (w, longest) = measure(false, &cell.answer.text());
                whole = whole.max(w);
                word = word.max(longest);
            }
            let word = word.min(cap) + GAP;
            need.push(word);
            want.push((whole.min(cap) + GAP).max(word).max(24.0));
        }
        let (total_want, total_need): (f32, f32) = (want.iter().sum(), need.iter().sum());
        if total_want <= 0.0 {
            return vec![available / n as f32; n];
        }
        if total_want <= available {
            return want.iter().map(|w| w * available / total_want).collect();
        }
        if total_need >= available {
            return need.iter().map(|w| w * available / total_need).collect();
        }
        let spare = available - total_need;
        let more: f32 = want.iter().zip(&need).map(|(w, n)| w - n).sum();
        want.iter()
            .zip(&need)
            .map(|(w, n)| {
                n + if more > 0.0 {
                    (w - n) * spare / more
                } else {
                    0.0
                }
            })
            .collect()
    }

    fn table_header(&mut self, title: &str, columns: &[(f32, f32, String)], continued: bool) {
        let title = if continued {
            format!("{title} (continued)")
        } else {
            title.to_string()
        };
        let x = self.geo.left;
        let lines = self.lines(&title, 9.0, true, INK, 12.0, self.geo.content_width());
        self.block(&[(x, lines)], false, &|_, _| {});
        let head: Vec<Vec<Line>> = columns
            .iter()
            .map(|(_, w, t)| self.lines(t, HEAD_SIZE, true, MUTED, 10.0, w - GAP))
            .collect();
        let height = head.iter().map(|l| l.len()).max().unwrap_or(1) as f32 * 10.0 + 6.0;
        let (y, w) = (self.y, self.geo.content_width());
        self.draw(Draw::Rect {
            x,
            y,
            w,
            h: height,
            color: SHADE,
        });
        self.text(x + 4.0, y + 11.0, HEAD_SIZE, true, MUTED, "#");
        for ((cx, _, _), lines) in columns.iter().zip(head) {
            for (i, line) in lines.iter().enumerate() {
                self.text(
                    *cx,
                    y + 11.0 + i as f32 * 10.0,
                    HEAD_SIZE,
                    true,
                    MUTED,
                    &line.text,
                );
            }
        }
        self.y += height;
    }

    pub(super) fn table(&mut self, table: &Table) {
        let geo = self.geo;
        let widths = self.widths(table, geo.content_width() - NUMBER_WIDTH);
        let mut x = geo.left + NUMBER_WIDTH;
        let columns: Vec<(f32, f32, String)> = table
            .columns
            .iter()
            .zip(&widths)
            .map(|(title, w)| {
                let col = (x, *w, title.clone());
                x += w;
                col
            })
            .collect();
        let rows: Vec<Vec<Column>> = table
            .rows
            .iter()
            .enumerate()
            .map(|(i, row)| {
                let carried = matches!(row.source, Origin::Carried { .. });
                let number = if carried {
                    format!("{} {}", i + 1, self.mark)
                } else {
                    (i + 1).to_string()
                };
                let mut cols: Vec<Column> = vec![(
                    geo.left + 4.0,
                    self.lines(&number, CELL_SIZE, false, MUTED, CELL_LEAD, NUMBER_WIDTH),
                )];
                for ((cx, w, _), cell) in columns.iter().zip(&row.cells) {
                    let mut lines = self.answer_lines(&cell.answer, CELL_SIZE, CELL_LEAD, w - GAP);
                    if cell.source == Origin::Calculated && cell.answer != Answer::NotAnswered {
                        lines.extend(self.source_line(&cell.source, w - GAP));
                    }
                    cols.push((*cx, lines));
                }
                cols
            })
            .collect();
        // The title, header and first row stay together.
        let first = rows
            .first()
            .map(|r| r.iter().map(|(_, l)| l.len()).max().unwrap_or(1) as f32 * CELL_LEAD)
            .unwrap_or(CELL_LEAD);
        self.ensure(12.0 + 30.0 + first + 2.0 * LEAD);
        self.table_header(&table.title, &columns, false);
        if rows.is_empty() {
            let lines = self.lines("None recorded", CELL_SIZE, false, FAINT, CELL_LEAD, 200.0);
            self.block(&[(geo.left + 4.0, lines)], true, &|_, _| {});
        }
        let title = table.title.clone();
        let repeat = move |s: &mut Sheet<'_>, _split: bool| s.table_header(&title, &columns, true);
        let captions = self.carried_rows(table);
        let caption_height: f32 = captions.iter().map(|l| l.lead).sum();
        for (i, cols) in rows.iter().enumerate() {
            if i + 1 == rows.len() {
                // The last row keeps the lines about carried rows with it.
                let tallest = cols
                    .iter()
                    .map(|(_, l)| l.iter().map(|l| l.lead).sum::<f32>())
                    .fold(0.0, f32::max);
                let needed = tallest + caption_height + 14.0;
                if needed <= self.page_room() && self.room() < needed {
                    self.new_page();
                    repeat(self, false);
                }
            }
            self.block(cols, true, &repeat);
        }
        if !captions.is_empty() {
            let x = self.geo.left;
            self.block(&[(x, captions)], false, &|_, _| {});
        }
        self.y += 4.0;
    }

    /// "↺ Rows 1–4 carried from 2 Oct 2026, confirmed by Nurse Eze", one line per source.
    fn carried_rows(&self, table: &Table) -> Vec<Line> {
        let mut notes: Vec<(String, Vec<usize>)> = Vec::new();
        for (i, row) in table.rows.iter().enumerate() {
            if !matches!(row.source, Origin::Carried { .. }) {
                continue;
            }
            let Some(note) = source_note(&row.source) else {
                continue;
            };
            match notes.iter_mut().find(|(n, _)| *n == note) {
                Some((_, rows)) => rows.push(i + 1),
                None => notes.push((note, vec![i + 1])),
            }
        }
        let mut lines = Vec::new();
        for (note, rows) in notes {
            let which = ranges(&rows);
            let label = if rows.len() == 1 { "Row" } else { "Rows" };
            let text = format!("{} {label} {which} {note}", self.mark);
            lines.extend(self.lines(&text, 7.5, false, MUTED, 9.5, self.geo.content_width()));
        }
        lines
    }
}

/// "1–4, 6".
fn ranges(rows: &[usize]) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut i = 0;
    while i < rows.len() {
        let start = rows[i];
        let mut end = start;
        while i + 1 < rows.len() && rows[i + 1] == end + 1 {
            i += 1;
            end = rows[i];
        }
        parts.push(if end > start {
            format!("{start}–{end}")
        } else {
            start.to_string()
        });
        i += 1;
    }
    parts.join(", ")
}

#[cfg(test)]
mod tests {
    #[test]
    fn row_numbers_read_as_ranges() {
        assert_eq!(super::ranges(&[1, 2, 3, 4, 6, 8, 9]), "1–4, 6, 8–9");
    }
}
