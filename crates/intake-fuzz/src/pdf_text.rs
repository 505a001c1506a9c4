//! Text into a PDF: a visit summary whose every text field (header, signature,
//! questions, answers, notes, table cells) is cut from the fuzz input, rendered by
//! [`intake_pdf::render`] (word wrap, glyph mapping, font subsetting, pagination).

use chrono::{NaiveDate, TimeZone, Utc};
use intake_core::summary::{
    Answer, Block, Cell, Header, Origin, Row, Section, SignatureLine, Summary, Table, TableRow,
};
use intake_core::EncounterStatus;
use intake_pdf::{Paper, RenderOptions};

/// What separates the input's pieces (the ASCII unit separator).
const SEPARATOR: char = '\u{1f}';

/// The summary of a visit whose text comes from `text`: its pieces, between
/// [`SEPARATOR`]s, fill the fields in turn (cycling when there are fewer pieces than
/// fields); `choice` picks the status and the answers' origins.
fn summary_of(text: &str, choice: u8) -> Summary {
    let pieces: Vec<&str> = text.split(SEPARATOR).collect();
    let piece = |i: usize| pieces[i % pieces.len()].to_string();
    let status = match choice % 5 {
        0 => EncounterStatus::Draft,
        1 => EncounterStatus::Submitted,
        2 => EncounterStatus::Signed,
        3 => EncounterStatus::Amended,
        _ => EncounterStatus::EnteredInError,
    };
    let signature = match status {
        EncounterStatus::Signed => SignatureLine::Signed {
            by: piece(4),
            at: piece(5),
        },
        EncounterStatus::Amended => SignatureLine::Amended {
            on: piece(5),
            by: piece(4),
            reason: piece(6),
            signed: Some((piece(4), piece(5))),
        },
        _ => SignatureLine::NotSigned,
    };
    let carried = Origin::Carried {
        from: NaiveDate::from_ymd_opt(2026, 10, 2).expect("a date"),
        confirmed_by: Some(piece(4)),
    };
    let origin = |i: usize| match (usize::from(choice) + i) % 4 {
        0 => Origin::Typed,
        1 => carried.clone(),
        2 => Origin::Calculated,
        _ => Origin::Record,
    };
    let mut blocks = vec![Block::Note(text.to_string()), Block::Subheading(piece(7))];
    for (i, pair) in pieces.chunks(2).enumerate() {
        let values = pair.iter().skip(1).map(|v| v.to_string()).collect();
        blocks.push(Block::Row(Row {
            question: pair[0].to_string(),
            answer: Answer::Values(values),
            source: origin(i),
        }));
    }
    let columns: Vec<String> = pieces.iter().take(4).map(|p| p.to_string()).collect();
    let rows = pieces
        .chunks(columns.len())
        .enumerate()
        .map(|(i, row)| TableRow {
            source: origin(i),
            cells: (0..columns.len())
                .map(|c| Cell {
                    answer: match row.get(c) {
                        Some(v) => Answer::Values(vec![v.to_string()]),
                        None => Answer::NotAsked,
                    },
                    source: origin(i + c),
                })
                .collect(),
        })
        .collect();
    blocks.push(Block::Table(Table {
        title: piece(3),
        columns,
        rows,
    }));
    Summary {
        header: Header {
            clinic_name: piece(0),
            patient_name: piece(1),
            birth_date: "12 Mar 1961".into(),
            mrn: piece(2),
            visit_date: "2 Oct 2026".into(),
            template: piece(3),
            status: piece(8),
        },
        status,
        signature,
        record_sha256: "0".repeat(64),
        sections: vec![
            Section {
                title: piece(0),
                blocks,
            },
            Section {
                title: text.to_string(),
                blocks: vec![Block::Row(Row {
                    question: piece(1),
                    answer: Answer::NotAnswered,
                    source: Origin::Typed,
                })],
            },
        ],
        has_carried: true,
    }
}

/// Renders a summary of `data` (as text, invalid UTF-8 replaced). Property: any text
/// renders to a complete PDF. (That the same summary gives the same bytes is
/// `intake-pdf`'s own test; checked here it halved the runs, most of whose time is the
/// font subset and the compression.)
pub fn pdf_text(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let choice = data.first().copied().unwrap_or(0);
    let summary = summary_of(&text, choice);
    let options = RenderOptions {
        paper: if choice % 2 == 0 {
            Paper::A4
        } else {
            Paper::Letter
        },
        generated_at: Utc
            .with_ymd_and_hms(2026, 12, 1, 8, 0, 0)
            .single()
            .expect("a valid time"),
    };
    let pdf = intake_pdf::render(&summary, &options)
        .unwrap_or_else(|e| panic!("a summary of {text:?} does not render: {e}"));
    assert!(
        pdf.starts_with(b"%PDF-") && pdf.windows(5).rev().take(64).any(|w| w == b"%%EOF"),
        "a complete PDF"
    );
}
