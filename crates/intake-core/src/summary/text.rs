//! A summary as plain text: one line per fact, for snapshots, logs and a quick look.
//! It shows everything a printed copy shows, without layout.

use std::fmt;

use super::{source_note, Block, Summary};

impl fmt::Display for Summary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let h = &self.header;
        writeln!(f, "{}", h.clinic_name)?;
        writeln!(
            f,
            "Patient: {} · born {} · MRN {}",
            h.patient_name, h.birth_date, h.mrn
        )?;
        writeln!(f, "Visit: {} · {} · {}", h.visit_date, h.template, h.status)?;
        if !self.status.is_signed() {
            writeln!(f, "DRAFT / NOT SIGNED")?;
        }
        for section in &self.sections {
            writeln!(f)?;
            writeln!(f, "## {}", section.title)?;
            for block in &section.blocks {
                match block {
                    Block::Note(text) => writeln!(f, "  ({text})")?,
                    Block::Subheading(text) => writeln!(f, "  ### {text}")?,
                    Block::Row(row) => {
                        write!(f, "  {}: {}", row.question, row.answer.text())?;
                        match source_note(&row.source) {
                            Some(note) => writeln!(f, "  [{note}]")?,
                            None => writeln!(f)?,
                        }
                    }
                    Block::Table(table) => {
                        writeln!(
                            f,
                            "  [table] {}: {}",
                            table.title,
                            table.columns.join(" | ")
                        )?;
                        if table.rows.is_empty() {
                            writeln!(f, "    (no rows)")?;
                        }
                        for row in &table.rows {
                            let cells: Vec<String> =
                                row.cells.iter().map(|c| c.answer.text()).collect();
                            write!(f, "    - {}", cells.join(" | "))?;
                            match source_note(&row.source) {
                                Some(note) => writeln!(f, "  [{note}]")?,
                                None => writeln!(f)?,
                            }
                        }
                    }
                }
            }
        }
        writeln!(f)?;
        if self.has_carried {
            writeln!(f, "Legend: carried forward from an earlier visit")?;
        }
        writeln!(f, "{}", self.signature.text())?;
        writeln!(f, "Record SHA-256: {}", self.record_sha256)
    }
}
