//! The `encounters` and `encounter_answers` tables: one intake form filled for one
//! patient, with every answer's source, author, time and write count (`rev`). Triggers
//! refuse any change to the answers of an encounter that is not a draft.

use chrono::{DateTime, Utc};
use rusqlite::{params, OptionalExtension, Row};

use crate::{format_time, parse_time, Db, StoreError};

/// An encounter with what the screens show beside it (patient, template).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EncounterRow {
    pub id: i64,
    pub patient_id: i64,
    pub mrn: String,
    pub patient_name: String,
    pub template_id: i64,
    pub template_slug: String,
    pub template_version: String,
    pub template_title: String,
    pub status: String,
    pub section: Option<String>,
    pub started_at: DateTime<Utc>,
    pub started_by: String,
    pub updated_at: DateTime<Utc>,
    pub submitted_at: Option<DateTime<Utc>>,
    pub submitted_by: Option<String>,
    /// How many answer rows it has (rows of repeating groups included).
    pub answered: i64,
}

/// One stored answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AnswerRow {
    pub key: String,
    pub link_id: String,
    /// A JSON array of FHIR `value[x]` objects.
    pub values: String,
    pub source: String,
    pub author: String,
    pub at: DateTime<Utc>,
    pub rev: i64,
    pub in_record: bool,
}

/// What one write of an answer carries.
#[derive(Debug, Clone)]
pub struct AnswerWrite<'a> {
    pub key: &'a str,
    pub link_id: &'a str,
    pub values: &'a str,
    pub source: &'a str,
}

/// Which encounters to list.
#[derive(Debug, Clone, Default)]
pub struct EncounterFilter {
    pub patient_id: Option<i64>,
    pub status: Option<String>,
    pub limit: Option<u32>,
}

const SELECT: &str =
    "SELECT e.id, e.patient_id, p.mrn, p.given || ' ' || p.family, e.template_id, \
     t.slug, t.version, t.title, e.status, e.section, e.started_at, e.started_by, e.updated_at, \
     e.submitted_at, e.submitted_by, \
     (SELECT count(*) FROM encounter_answers a WHERE a.encounter_id = e.id) \
     FROM encounters e JOIN patients p ON p.id = e.patient_id \
     JOIN templates t ON t.id = e.template_id";

fn time(s: String) -> Result<DateTime<Utc>, StoreError> {
    parse_time(&s)
}

fn from_row(r: &Row<'_>) -> rusqlite::Result<Result<EncounterRow, StoreError>> {
    let started: String = r.get(10)?;
    let updated: String = r.get(12)?;
    let submitted: Option<String> = r.get(13)?;
    let fields = (
        r.get(0)?,
        r.get(1)?,
        r.get(2)?,
        r.get(3)?,
        r.get(4)?,
        r.get(5)?,
        r.get(6)?,
        r.get(7)?,
        r.get(8)?,
        r.get(9)?,
        r.get(11)?,
        r.get(14)?,
        r.get(15)?,
    );
    Ok((|| {
        Ok(EncounterRow {
            id: fields.0,
            patient_id: fields.1,
            mrn: fields.2,
            patient_name: fields.3,
            template_id: fields.4,
            template_slug: fields.5,
            template_version: fields.6,
            template_title: fields.7,
            status: fields.8,
            section: fields.9,
            started_at: time(started)?,
            started_by: fields.10,
            updated_at: time(updated)?,
            submitted_at: submitted.map(time).transpose()?,
            submitted_by: fields.11,
            answered: fields.12,
        })
    })())
}

fn answer_from_row(r: &Row<'_>) -> rusqlite::Result<Result<AnswerRow, StoreError>> {
    let at: String = r.get(5)?;
    let row = (
        r.get(0)?,
        r.get(1)?,
        r.get(2)?,
        r.get(3)?,
        r.get(4)?,
        r.get(6)?,
        r.get::<_, i64>(7)?,
    );
    Ok(parse_time(&at).map(|at| AnswerRow {
        key: row.0,
        link_id: row.1,
        values: row.2,
        source: row.3,
        author: row.4,
        at,
        rev: row.5,
        in_record: row.6 != 0,
    }))
}

impl Db<'_> {
    /// Starts a draft encounter.
    pub fn insert_encounter(
        &self,
        patient_id: i64,
        template_id: i64,
        at: DateTime<Utc>,
        by: &str,
    ) -> Result<i64, StoreError> {
        let at = format_time(at);
        self.conn.execute(
            "INSERT INTO encounters (patient_id, template_id, started_at, started_by, updated_at) \
             VALUES (?1, ?2, ?3, ?4, ?3)",
            params![patient_id, template_id, at, by],
        )?;
        Ok(self.conn.last_insert_rowid())
    }

    pub fn encounter(&self, id: i64) -> Result<Option<EncounterRow>, StoreError> {
        self.conn
            .query_row(&format!("{SELECT} WHERE e.id = ?1"), [id], from_row)
            .optional()?
            .transpose()
    }

    /// Encounters, newest first.
    pub fn list_encounters(&self, f: &EncounterFilter) -> Result<Vec<EncounterRow>, StoreError> {
        let mut stmt = self.conn.prepare_cached(&format!(
            "{SELECT} WHERE (?1 IS NULL OR e.patient_id = ?1) AND (?2 IS NULL OR e.status = ?2) \
             ORDER BY e.started_at DESC, e.id DESC LIMIT ?3"
        ))?;
        let limit = i64::from(f.limit.unwrap_or(1000));
        let rows = stmt.query_map(params![f.patient_id, f.status, limit], from_row)?;
        let mut out = Vec::new();
        for row in rows {
            out.push(row??);
        }
        Ok(out)
    }

    /// Every answer of an encounter, by key.
    pub fn answers(&self, encounter_id: i64) -> Result<Vec<AnswerRow>, StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT answer_key, link_id, value_json, source, author, at, rev, in_record \
             FROM encounter_answers WHERE encounter_id = ?1 ORDER BY answer_key",
        )?;
        let rows = stmt.query_map([encounter_id], answer_from_row)?;
        let mut out = Vec::new();
        for row in rows {
            out.push(row??);
        }
        Ok(out)
    }

    /// Writes one answer (insert or replace), counting the write; returns the new `rev`.
    pub fn put_answer(
        &self,
        encounter_id: i64,
        a: &AnswerWrite<'_>,
        at: DateTime<Utc>,
        by: &str,
    ) -> Result<i64, StoreError> {
        let rev: i64 = self.conn.prepare_cached(
            "INSERT INTO encounter_answers (encounter_id, answer_key, link_id, value_json, source, author, at, rev) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, 1) \
             ON CONFLICT (encounter_id, answer_key) DO UPDATE SET value_json = excluded.value_json, \
             source = excluded.source, author = excluded.author, at = excluded.at, rev = rev + 1 \
             RETURNING rev",
        )?
        .query_row(
            params![encounter_id, a.key, a.link_id, a.values, a.source, by, format_time(at)],
            |r| r.get(0),
        )?;
        Ok(rev)
    }

    /// Removes one answer; true when there was one.
    pub fn delete_answer(&self, encounter_id: i64, key: &str) -> Result<bool, StoreError> {
        let n = self
            .conn
            .prepare_cached(
                "DELETE FROM encounter_answers WHERE encounter_id = ?1 AND answer_key = ?2",
            )?
            .execute(params![encounter_id, key])?;
        Ok(n > 0)
    }

    /// Records a change to a draft: when, and optionally the section the nurse is in.
    pub fn touch_encounter(
        &self,
        id: i64,
        section: Option<&str>,
        at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        self.conn
            .prepare_cached(
                "UPDATE encounters SET updated_at = ?2, section = coalesce(?3, section) WHERE id = ?1",
            )?
            .execute(params![id, format_time(at), section])?;
        Ok(())
    }

    /// Marks which answers go into the submitted record (disabled ones do not) and
    /// moves the draft to `submitted`, in that order (answers change only in drafts).
    pub fn submit_encounter(
        &self,
        id: i64,
        left_out: &[String],
        at: DateTime<Utc>,
        by: &str,
    ) -> Result<(), StoreError> {
        let mut mark = self.conn.prepare_cached(
            "UPDATE encounter_answers SET in_record = 0 WHERE encounter_id = ?1 AND answer_key = ?2",
        )?;
        for key in left_out {
            mark.execute(params![id, key])?;
        }
        self.conn.execute(
            "UPDATE encounters SET status = 'submitted', submitted_at = ?2, submitted_by = ?3, \
             updated_at = ?2 WHERE id = ?1 AND status = 'draft'",
            params![id, format_time(at), by],
        )?;
        Ok(())
    }

    /// The last visit of each of these patients (started_at of their newest encounter).
    pub fn last_visits(
        &self,
        patient_ids: &[i64],
    ) -> Result<Vec<(i64, DateTime<Utc>)>, StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT max(started_at) FROM encounters WHERE patient_id = ?1 \
             AND status <> 'entered_in_error'",
        )?;
        let mut out = Vec::new();
        for &id in patient_ids {
            let at: Option<String> = stmt.query_row([id], |r| r.get(0))?;
            if let Some(at) = at {
                out.push((id, parse_time(&at)?));
            }
        }
        Ok(out)
    }

    /// The stored template an encounter uses: its original bytes.
    pub fn template_by_id(&self, id: i64) -> Result<Option<Vec<u8>>, StoreError> {
        self.template_original(id)
    }
}
