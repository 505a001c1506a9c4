//! The outcomes report (admin): what carry-forward saved the nurses, per submitted
//! intake and per week.
//!
//! The store counts each submitted encounter's recorded answers by where they came from
//! (see `intake_store::OutcomeRow`); this module checks the date range, groups the
//! encounters by ISO week of submission (weeks start on Monday; every week between
//! `from` and `to` is listed, empty ones too) and computes the shares and the median
//! minutes from start to submission. Days are UTC days, as the stored times are.
//!
//! Reading the report changes nothing and is not audited, like the other admin reads
//! (the audit log, users, settings, encounter lists).

use chrono::{Datelike, Duration, Months, NaiveDate};
use intake_store::prelude::*;
use intake_store::{format_time, OutcomeRow};

use crate::permissions::Permission;
use crate::wire::admin::{OutcomeEncounterDto, OutcomeFiguresDto, OutcomeWeekDto, OutcomesDto};
use crate::{Api, ApiError, Caller};

/// The longest range one report covers.
pub const MAX_YEARS: u32 = 5;

/// Reads a `YYYY-MM-DD` date typed for `field`.
fn date(field: &str, label: &str, text: &str) -> Result<NaiveDate, ApiError> {
    let text = text.trim();
    let shaped = text.len() == 10
        && text.bytes().enumerate().all(|(i, b)| match i {
            4 | 7 => b == b'-',
            _ => b.is_ascii_digit(),
        });
    let parsed = shaped
        .then(|| NaiveDate::parse_from_str(text, "%Y-%m-%d").ok())
        .flatten();
    parsed.ok_or_else(|| {
        ApiError::invalid(
            field,
            format!(
                "The {label} date {text:?} is not a date; write it as YYYY-MM-DD, e.g. 2026-11-23."
            ),
        )
    })
}

/// The Monday of `day`'s week.
fn monday(day: NaiveDate) -> NaiveDate {
    day - Duration::days(i64::from(day.weekday().num_days_from_monday()))
}

fn minutes(row: &OutcomeRow) -> f64 {
    (row.submitted_at - row.started_at).num_milliseconds() as f64 / 60_000.0
}

fn one_decimal(x: f64) -> f64 {
    (x * 10.0).round() / 10.0
}

fn median(mut values: Vec<f64>) -> Option<f64> {
    values.sort_by(f64::total_cmp);
    let n = values.len();
    match n {
        0 => None,
        _ if n % 2 == 1 => Some(values[n / 2]),
        _ => Some((values[n / 2 - 1] + values[n / 2]) / 2.0),
    }
}

fn share(part: i64, whole: i64) -> Option<f64> {
    (whole > 0).then(|| part as f64 / whole as f64)
}

/// The figures over `rows`.
fn figures<'a>(rows: impl Iterator<Item = &'a OutcomeRow>) -> OutcomeFiguresDto {
    let mut f = OutcomeFiguresDto {
        encounters: 0,
        answered: 0,
        carried_unchanged: 0,
        carried_edited: 0,
        typed: 0,
        prefilled: 0,
        carried_share: None,
        typed_share: None,
        median_minutes: None,
    };
    let mut times = Vec::new();
    for r in rows {
        f.encounters += 1;
        f.answered += r.answered;
        f.carried_unchanged += r.carried_unchanged;
        f.carried_edited += r.carried_edited;
        f.typed += r.typed;
        f.prefilled += r.prefilled;
        times.push(minutes(r));
    }
    f.carried_share = share(f.carried_unchanged, f.answered);
    f.typed_share = share(f.typed + f.carried_edited, f.answered);
    f.median_minutes = median(times).map(one_decimal);
    f
}

impl Api {
    /// The outcomes of the intakes submitted from `from` to `to` (`YYYY-MM-DD`, both days
    /// included, at most [`MAX_YEARS`] years).
    pub fn outcomes(
        &self,
        caller: Caller<'_>,
        from: &str,
        to: &str,
    ) -> Result<OutcomesDto, ApiError> {
        self.authorize(caller, Permission::ViewOutcomes)?;
        let first = date("from", "start", from)?;
        let last = date("to", "end", to)?;
        if first > last {
            return Err(ApiError::invalid(
                "from",
                format!("The start date {first} is after the end date {last}."),
            ));
        }
        let limit = first.checked_add_months(Months::new(12 * MAX_YEARS));
        if limit.is_none_or(|limit| last >= limit) {
            return Err(ApiError::invalid(
                "to",
                format!(
                    "A report covers at most {MAX_YEARS} years; choose an end date before {}.",
                    limit.map_or_else(|| "then".to_string(), |d| d.to_string())
                ),
            ));
        }
        if last.succ_opt().is_none() {
            return Err(ApiError::invalid("to", "The end date is too far ahead."));
        }
        // Days and weeks begin and end in the clinic's zone.
        let (rows, zone) = self.store.read(|db| {
            let zone = crate::clock::clinic_zone(db)?;
            let rows = db.outcomes(zone.start_of(first), zone.end_of(last))?;
            Ok::<_, ApiError>((rows, zone))
        })?;

        let mut weeks = Vec::new();
        let mut week = monday(first);
        while week <= last {
            let next = week + Duration::days(7);
            let in_week = rows.iter().filter(|r| {
                let day = zone.day_of(r.submitted_at);
                day >= week && day < next
            });
            weeks.push(OutcomeWeekDto {
                week_start: week.to_string(),
                figures: figures(in_week),
            });
            week = next;
        }
        let encounters = rows
            .iter()
            .map(|r| OutcomeEncounterDto {
                id: r.encounter_id.0,
                mrn: r.mrn.clone(),
                started_at: format_time(r.started_at),
                submitted_at: format_time(r.submitted_at),
                answered: r.answered,
                carried_unchanged: r.carried_unchanged,
                carried_edited: r.carried_edited,
                typed: r.typed,
                prefilled: r.prefilled,
                minutes: one_decimal(minutes(r)),
            })
            .collect();
        Ok(OutcomesDto {
            from: first.to_string(),
            to: last.to_string(),
            weeks,
            total: figures(rows.iter()),
            encounters,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_median_of_an_even_count_is_the_mean_of_the_middle_two() {
        assert_eq!(median(vec![]), None);
        assert_eq!(median(vec![7.0]), Some(7.0));
        assert_eq!(median(vec![9.0, 1.0, 4.0]), Some(4.0));
        assert_eq!(median(vec![10.0, 2.0, 4.0, 8.0]), Some(6.0));
    }

    #[test]
    fn weeks_start_on_monday() {
        let day = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        // 2026-11-23 is a Monday.
        assert_eq!(monday(day("2026-11-23")), day("2026-11-23"));
        assert_eq!(monday(day("2026-11-29")), day("2026-11-23"), "Sunday");
        assert_eq!(monday(day("2026-11-30")), day("2026-11-30"));
    }

    #[test]
    fn only_real_iso_dates_are_read() {
        for bad in [
            "",
            "2026-2-01",
            "2026-02-30",
            "26-02-01",
            "+2026-02-01",
            "2026/02/01",
            "２０２６-02-01",
        ] {
            let err = date("from", "start", bad).unwrap_err();
            assert_eq!(err.field(), Some("from"), "{bad:?}");
        }
        assert_eq!(
            date("to", "end", " 2026-02-28 ").unwrap().to_string(),
            "2026-02-28"
        );
    }
}
