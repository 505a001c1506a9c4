//! Where the API gets "now" from. The desktop app and the CLI use [`SystemClock`];
//! tests use [`ManualClock`] to move time forward (session expiry, lockouts).

use std::sync::Mutex;

use intake_core::search::DateOrder;
use intake_store::{Db, StoreError};

use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveDateTime, NaiveTime, Utc};

pub trait Clock: Send + Sync {
    fn now(&self) -> DateTime<Utc>;
}

/// The computer's clock.
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }
}

/// A clock that moves only when told to.
pub struct ManualClock(Mutex<DateTime<Utc>>);

impl ManualClock {
    pub fn new(start: DateTime<Utc>) -> ManualClock {
        ManualClock(Mutex::new(start))
    }

    pub fn advance(&self, by: Duration) {
        let mut now = self.0.lock().unwrap_or_else(|p| p.into_inner());
        *now += by;
    }
}

impl Clock for ManualClock {
    fn now(&self) -> DateTime<Utc> {
        *self.0.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// The clinic's time zone: where its days begin and end. Times are stored as instants
/// (UTC text, as hashed); every day a person sees or asks for (a visit's date, an export
/// range and its file names, the review and outcome ranges, an age) is cut here, in the
/// zone the clinic set (`settings::clinic_zone`), by default the workstation's.
#[derive(Debug, Clone)]
pub struct ClinicZone {
    /// The IANA name; empty for a workstation zone that has none (then the screen uses
    /// the window's own zone, which is the same one).
    name: String,
    tz: jiff::tz::TimeZone,
}

/// A zone name the time zone database does not know.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("\"{0}\" is not a time zone name; write one like Europe/Paris or America/New_York.")]
pub struct UnknownZone(pub String);

impl ClinicZone {
    /// The zone with this IANA name (as the database spells it, whatever the case typed).
    pub fn named(name: &str) -> Result<ClinicZone, UnknownZone> {
        let trimmed = name.trim();
        // A POSIX rule ("EST5EDT,M3.2.0,M11.1.0") or a path is not a name we keep.
        if trimmed.is_empty() || trimmed.contains(',') || trimmed.starts_with('/') {
            return Err(UnknownZone(trimmed.to_string()));
        }
        let tz = jiff::tz::TimeZone::get(trimmed).map_err(|_| UnknownZone(trimmed.to_string()))?;
        let name = tz.iana_name().unwrap_or(trimmed).to_string();
        Ok(ClinicZone { name, tz })
    }

    /// The workstation's zone (the `TZ` variable, else `/etc/localtime`); UTC when none
    /// can be read.
    pub fn workstation() -> ClinicZone {
        match jiff::tz::TimeZone::try_system() {
            Ok(tz) => ClinicZone {
                name: tz.iana_name().unwrap_or_default().to_string(),
                tz,
            },
            Err(_) => ClinicZone::utc(),
        }
    }

    pub fn utc() -> ClinicZone {
        ClinicZone {
            name: "UTC".into(),
            tz: jiff::tz::TimeZone::UTC,
        }
    }

    /// The IANA name, empty when the workstation's zone has none.
    pub fn name(&self) -> &str {
        &self.name
    }

    fn zoned(&self, at: DateTime<Utc>) -> Option<jiff::Zoned> {
        let ts = jiff::Timestamp::new(at.timestamp(), at.timestamp_subsec_nanos() as i32).ok()?;
        Some(ts.to_zoned(self.tz.clone()))
    }

    /// The clinic's wall-clock time at `at`.
    pub fn local(&self, at: DateTime<Utc>) -> NaiveDateTime {
        let Some(z) = self.zoned(at) else {
            return at.naive_utc();
        };
        let (d, t) = (z.date(), z.time());
        NaiveDate::from_ymd_opt(i32::from(d.year()), d.month() as u32, d.day() as u32)
            .and_then(|d| {
                d.and_hms_nano_opt(
                    t.hour() as u32,
                    t.minute() as u32,
                    t.second() as u32,
                    t.subsec_nanosecond() as u32,
                )
            })
            .unwrap_or_else(|| at.naive_utc())
    }

    /// The clinic's day at `at`: a visit at 21:00 in New York in winter (02:00 UTC the
    /// next day) is dated that evening's day.
    pub fn day_of(&self, at: DateTime<Utc>) -> NaiveDate {
        self.local(at).date()
    }

    /// The first instant of `day` in the clinic (midnight, or the first time that exists
    /// when a clock change skips midnight).
    pub fn start_of(&self, day: NaiveDate) -> DateTime<Utc> {
        let start = i16::try_from(day.year())
            .ok()
            .and_then(|y| jiff::civil::Date::new(y, day.month() as i8, day.day() as i8).ok())
            .and_then(|d| d.to_zoned(self.tz.clone()).ok())
            .and_then(|z| z.start_of_day().ok())
            .map(|z| z.timestamp())
            .and_then(|ts| DateTime::from_timestamp(ts.as_second(), ts.subsec_nanosecond() as u32));
        start.unwrap_or_else(|| day.and_time(NaiveTime::MIN).and_utc())
    }

    /// The first instant of the day after `day`: a range of days ends before it.
    pub fn end_of(&self, day: NaiveDate) -> DateTime<Utc> {
        match day.succ_opt() {
            Some(next) => self.start_of(next),
            None => DateTime::<Utc>::MAX_UTC,
        }
    }
}

/// The setting that names the clinic's zone.
pub(crate) const TIME_ZONE: &str = "time_zone";

/// The clinic's time zone: the one set (an IANA name), else the workstation's. A stored
/// name the database no longer knows falls back to the workstation's, like every setting.
pub(crate) fn clinic_zone(db: &Db<'_>) -> Result<ClinicZone, StoreError> {
    Ok(db
        .setting(TIME_ZONE)?
        .filter(|v| !v.trim().is_empty())
        .and_then(|v| ClinicZone::named(&v).ok())
        .unwrap_or_else(ClinicZone::workstation))
}

/// The setting that says how the clinic writes dates besides ISO.
pub(crate) const DATE_ORDER: &str = "date_order";

/// How the clinic writes dates besides ISO: `dmy` (07/03/1984, the default) or `mdy`.
pub(crate) fn date_order(db: &Db<'_>) -> Result<DateOrder, StoreError> {
    Ok(db
        .setting(DATE_ORDER)?
        .and_then(|v| DateOrder::parse(&v))
        .unwrap_or_default())
}

/// How the clinic writes an instant's day in a sentence on screen: its zone's day, in
/// its order ("carried from the visit of 02/10/2026").
pub(crate) struct ClinicDays {
    pub zone: ClinicZone,
    pub order: DateOrder,
}

impl ClinicDays {
    pub(crate) fn read(db: &Db<'_>) -> Result<ClinicDays, StoreError> {
        Ok(ClinicDays {
            zone: clinic_zone(db)?,
            order: date_order(db)?,
        })
    }

    pub(crate) fn write(&self, at: DateTime<Utc>) -> String {
        self.order.write(self.zone.day_of(at))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).expect("a date")
    }

    #[test]
    fn an_evening_in_new_york_is_that_days_date() {
        let ny = ClinicZone::named("America/New_York").expect("New York is a zone");
        // 21:00 on 6 Dec 2026 in New York (UTC-5) is 02:00 UTC on the 7th.
        let at = Utc.with_ymd_and_hms(2026, 12, 7, 2, 0, 0).unwrap();
        assert_eq!(
            ny.day_of(at),
            d(2026, 12, 6),
            "the evening visit keeps its own day"
        );
        assert_eq!(
            ClinicZone::utc().day_of(at),
            d(2026, 12, 7),
            "in UTC it is the next day"
        );
        assert_eq!(ny.local(at).format("%H:%M").to_string(), "21:00");
        assert_eq!(
            ny.start_of(d(2026, 12, 6)),
            Utc.with_ymd_and_hms(2026, 12, 6, 5, 0, 0).unwrap(),
            "New York's day begins at 05:00 UTC in winter"
        );
        assert_eq!(
            ny.end_of(d(2026, 12, 6)),
            Utc.with_ymd_and_hms(2026, 12, 7, 5, 0, 0).unwrap()
        );
        // Summer: four hours behind.
        assert_eq!(
            ny.start_of(d(2026, 7, 1)),
            Utc.with_ymd_and_hms(2026, 7, 1, 4, 0, 0).unwrap()
        );
    }

    #[test]
    fn a_day_that_skips_midnight_starts_at_its_first_hour() {
        // Santiago moved its clocks from 00:00 to 01:00 on 8 Sep 2024.
        let z = ClinicZone::named("America/Santiago").expect("a zone");
        let start = z.start_of(d(2024, 9, 8));
        assert_eq!(
            z.day_of(start),
            d(2024, 9, 8),
            "the day's first instant is on that day"
        );
        assert_eq!(z.local(start).format("%H:%M").to_string(), "01:00");
    }

    #[test]
    fn names_are_checked_and_kept_as_the_database_spells_them() {
        assert_eq!(
            ClinicZone::named("america/new_york").map(|z| z.name().to_string()),
            Ok("America/New_York".into())
        );
        for bad in [
            "",
            "Mars/Olympus",
            "EST5EDT,M3.2.0,M11.1.0",
            "/etc/localtime",
            "New York",
        ] {
            assert!(
                ClinicZone::named(bad).is_err(),
                "{bad:?} is refused as a zone name"
            );
        }
    }
}
