//! The bench's own HTML rendering of a `Summary` (not part of the app): what a clinic
//! would print through a browser instead, with the same content as our PDF: the header,
//! the carried-forward legend, each section as question and answer in two columns,
//! repeating groups as tables (a table header repeats on a new printed page, rows never
//! split), the signature block, a DRAFT band for an unsigned record and the record's
//! SHA-256. DejaVu Sans, the family our PDF embeds, is named as the page's font.

use intake_core::summary::{source_note, Answer, Block, Origin, Summary};

const MARK: char = '↺';

const STYLE: &str = r#"
@page { size: A4; margin: 16mm 14mm 18mm 14mm; }
* { box-sizing: border-box; }
body { font-family: "DejaVu Sans", sans-serif; font-size: 9.5pt; color: #1a1a1a; margin: 0; }
header { border-bottom: 1pt solid #2b5d8c; padding-bottom: 6pt; margin-bottom: 8pt; }
header .clinic { font-size: 9pt; color: #555; }
header h1 { font-size: 15pt; margin: 2pt 0 4pt; }
header dl { display: grid; grid-template-columns: repeat(3, auto); gap: 2pt 12pt; margin: 0; }
header dt { font-weight: bold; font-size: 7.5pt; color: #555; }
header dd { margin: 0 0 2pt; }
.band { border: 1.5pt solid #b00020; color: #b00020; font-weight: bold; text-align: center; padding: 3pt; margin-bottom: 6pt; }
.legend, .note, .source { color: #555; font-size: 7.5pt; }
h2 { font-size: 11.5pt; color: #2b5d8c; border-bottom: 0.5pt solid #ccc; margin: 12pt 0 4pt; break-after: avoid; }
h3 { font-size: 10pt; margin: 8pt 0 3pt; break-after: avoid; }
table { width: 100%; border-collapse: collapse; }
table.rows td { vertical-align: top; padding: 2pt 4pt; }
table.rows td.q { width: 45%; color: #333; }
table.group caption { text-align: left; font-weight: bold; padding: 4pt 0 2pt; }
table.group th { text-align: left; font-size: 8pt; background: #eef3f8; padding: 2pt 4pt; }
table.group td { padding: 2pt 4pt; border-bottom: 0.5pt solid #ddd; vertical-align: top; }
thead { display: table-header-group; }
tr { break-inside: avoid; }
.missing { color: #777; font-style: italic; }
.signature { margin-top: 14pt; border-top: 1pt solid #2b5d8c; padding-top: 6pt; font-weight: bold; }
footer { margin-top: 10pt; font-size: 7pt; color: #555; word-break: break-all; }
"#;

fn escape(s: &str, out: &mut String) {
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
}

fn answer(a: &Answer, out: &mut String) {
    match a {
        Answer::Values(_) => escape(&a.text(), out),
        Answer::NotAnswered | Answer::NotAsked => {
            out.push_str("<span class=\"missing\">");
            escape(&a.text(), out);
            out.push_str("</span>");
        }
    }
}

fn note(source: &Origin, out: &mut String) {
    if let Some(n) = source_note(source) {
        out.push_str("<div class=\"source\">");
        if matches!(source, Origin::Carried { .. }) {
            out.push(MARK);
            out.push(' ');
        }
        escape(&n, out);
        out.push_str("</div>");
    }
}

/// The summary as one HTML document; `generated` is the generation time as printed.
pub fn html(summary: &Summary, generated: &str) -> String {
    let mut out = String::with_capacity(32 * 1024);
    let h = &summary.header;
    out.push_str("<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>");
    escape(
        &format!("Visit summary: {}, {}", h.patient_name, h.visit_date),
        &mut out,
    );
    out.push_str("</title><style>");
    out.push_str(STYLE);
    out.push_str("</style></head><body>\n");
    if !summary.status.is_signed() {
        out.push_str(
            "<div class=\"band\">DRAFT / NOT SIGNED: not reviewed or signed by a physician</div>\n",
        );
    }
    out.push_str("<header><div class=\"clinic\">");
    escape(&h.clinic_name, &mut out);
    out.push_str("</div><h1>");
    escape(&h.patient_name, &mut out);
    out.push_str("</h1><dl>");
    for (label, value) in [
        ("Date of birth", &h.birth_date),
        ("MRN", &h.mrn),
        ("Visit date", &h.visit_date),
        ("Form", &h.template),
        ("Status", &h.status),
    ] {
        out.push_str("<div><dt>");
        out.push_str(label);
        out.push_str("</dt><dd>");
        escape(value, &mut out);
        out.push_str("</dd></div>");
    }
    out.push_str("</dl></header>\n");
    if summary.has_carried {
        out.push_str("<p class=\"legend\">");
        out.push(MARK);
        out.push_str("  Carried forward from an earlier visit: the visit it came from and who confirmed it are printed with the answer.</p>\n");
    }
    for section in &summary.sections {
        out.push_str("<section><h2>");
        escape(&section.title, &mut out);
        out.push_str("</h2>\n");
        let mut open_rows = false;
        for block in &section.blocks {
            let is_row = matches!(block, Block::Row(_));
            if open_rows && !is_row {
                out.push_str("</table>\n");
                open_rows = false;
            }
            match block {
                Block::Row(row) => {
                    if !open_rows {
                        out.push_str("<table class=\"rows\">");
                        open_rows = true;
                    }
                    out.push_str("<tr><td class=\"q\">");
                    escape(&row.question, &mut out);
                    out.push_str("</td><td>");
                    answer(&row.answer, &mut out);
                    note(&row.source, &mut out);
                    out.push_str("</td></tr>\n");
                }
                Block::Note(text) => {
                    out.push_str("<p class=\"note\">");
                    escape(text, &mut out);
                    out.push_str("</p>\n");
                }
                Block::Subheading(text) => {
                    out.push_str("<h3>");
                    escape(text, &mut out);
                    out.push_str("</h3>\n");
                }
                Block::Table(table) => {
                    out.push_str("<table class=\"group\"><caption>");
                    escape(&table.title, &mut out);
                    out.push_str("</caption><thead><tr><th>#</th>");
                    for column in &table.columns {
                        out.push_str("<th>");
                        escape(column, &mut out);
                        out.push_str("</th>");
                    }
                    out.push_str("</tr></thead><tbody>\n");
                    for (i, row) in table.rows.iter().enumerate() {
                        out.push_str("<tr><td>");
                        out.push_str(&(i + 1).to_string());
                        if matches!(row.source, Origin::Carried { .. }) {
                            out.push(' ');
                            out.push(MARK);
                        }
                        out.push_str("</td>");
                        for cell in &row.cells {
                            out.push_str("<td>");
                            answer(&cell.answer, &mut out);
                            if cell.source != row.source {
                                note(&cell.source, &mut out);
                            }
                            out.push_str("</td>");
                        }
                        out.push_str("</tr>\n");
                    }
                    out.push_str("</tbody></table>\n");
                    let notes: Vec<String> = table
                        .rows
                        .iter()
                        .enumerate()
                        .filter_map(|(i, r)| {
                            Some(format!("Row {} {}", i + 1, source_note(&r.source)?))
                        })
                        .collect();
                    for n in notes {
                        out.push_str("<div class=\"source\">");
                        out.push(MARK);
                        out.push(' ');
                        escape(&n, &mut out);
                        out.push_str("</div>");
                    }
                }
            }
        }
        if open_rows {
            out.push_str("</table>\n");
        }
        out.push_str("</section>\n");
    }
    out.push_str("<div class=\"signature\">");
    escape(&summary.signature.text(), &mut out);
    out.push_str("</div>\n<footer>Generated ");
    escape(generated, &mut out);
    out.push_str(" · record SHA-256 ");
    escape(&summary.record_sha256, &mut out);
    out.push_str("</footer>\n</body></html>\n");
    out
}
