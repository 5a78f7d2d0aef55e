//! Working-time arithmetic over office hours and days off.
//!
//! All arithmetic runs on local wall-clock time in the deployment's time
//! zone, in whole seconds, day by day; results are returned in UTC. A day
//! is a working day unless it is a weekly day off or listed as a day off,
//! and a listed make-up working day overrides both.

use std::collections::BTreeSet;

use chrono::{DateTime, Datelike, Duration, LocalResult, NaiveDate, NaiveDateTime, TimeZone, Utc};
use motcua_domain::{DurationUnit, StatutoryDuration};

use crate::settings::{CalendarSettings, CountFrom};

const SECONDS_PER_DAY: u32 = 86_400;

/// A working-time calendar: settings plus the days off and make-up working
/// days that differ from the weekly pattern.
#[derive(Debug, Clone)]
pub struct WorkingCalendar {
    settings: CalendarSettings,
    weekly_off: [bool; 7],
    days_off: BTreeSet<NaiveDate>,
    working_days: BTreeSet<NaiveDate>,
}

impl WorkingCalendar {
    /// A calendar with only the weekly days off.
    pub fn new(settings: CalendarSettings) -> Self {
        let mut weekly_off = [false; 7];
        for d in &settings.weekly_days_off {
            weekly_off[d.num_days_from_monday() as usize] = true;
        }
        WorkingCalendar {
            settings,
            weekly_off,
            days_off: BTreeSet::new(),
            working_days: BTreeSet::new(),
        }
    }

    /// Adds dates that are days off (holidays, compensatory days, days
    /// swapped off by the government).
    pub fn with_days_off(mut self, days: impl IntoIterator<Item = NaiveDate>) -> Self {
        self.days_off.extend(days);
        self
    }

    /// Adds make-up working days: dates worked although they fall on a
    /// weekly day off.
    pub fn with_working_days(mut self, days: impl IntoIterator<Item = NaiveDate>) -> Self {
        self.working_days.extend(days);
        self
    }

    pub fn settings(&self) -> &CalendarSettings {
        &self.settings
    }

    pub fn is_working_day(&self, date: NaiveDate) -> bool {
        if self.working_days.contains(&date) {
            return true;
        }
        !self.weekly_off[date.weekday().num_days_from_monday() as usize]
            && !self.days_off.contains(&date)
    }

    /// The local date of an instant in the deployment's time zone.
    pub fn local_date(&self, at: DateTime<Utc>) -> NaiveDate {
        self.local(at).date()
    }

    /// The local wall-clock time of an instant.
    pub fn local(&self, at: DateTime<Utc>) -> NaiveDateTime {
        at.with_timezone(&self.settings.time_zone).naive_local()
    }

    /// The instant of a local wall-clock time. In a zone with daylight
    /// saving, a skipped local time is read as UTC offset of the zone's
    /// standard time, and a repeated one as its first occurrence.
    pub fn to_utc(&self, local: NaiveDateTime) -> DateTime<Utc> {
        match self.settings.time_zone.from_local_datetime(&local) {
            LocalResult::Single(t) | LocalResult::Ambiguous(t, _) => t.with_timezone(&Utc),
            LocalResult::None => {
                let shifted = local + Duration::hours(1);
                match self.settings.time_zone.from_local_datetime(&shifted) {
                    LocalResult::Single(t) | LocalResult::Ambiguous(t, _) => {
                        t.with_timezone(&Utc) - Duration::hours(1)
                    }
                    LocalResult::None => Utc.from_utc_datetime(&local),
                }
            }
        }
    }

    fn at(&self, date: NaiveDate, second: u32) -> DateTime<Utc> {
        let local = date.and_hms_opt(0, 0, 0).unwrap_or_default() + Duration::seconds(second.into());
        self.to_utc(local)
    }

    fn next_working_day(&self, mut date: NaiveDate) -> NaiveDate {
        loop {
            date = date.succ_opt().unwrap_or(date);
            if self.is_working_day(date) {
                return date;
            }
        }
    }

    /// The first moment at or after `at` that lies inside office hours.
    pub fn next_working_moment(&self, at: DateTime<Utc>) -> DateTime<Utc> {
        self.add_working_seconds(at, 0)
    }

    /// Adds working time: the result is the instant at which `seconds` of
    /// office time after `from` have elapsed. With zero seconds it is the
    /// next working moment. A result that lands exactly at the end of an
    /// office interval stays there (due at 11:30, not at 13:30).
    pub fn add_working_seconds(&self, from: DateTime<Utc>, seconds: i64) -> DateTime<Utc> {
        let local = self.local(from);
        let mut date = local.date();
        let mut second = local.time().num_seconds_from_midnight_u32();
        let mut remaining = seconds.max(0);
        let day_length = i64::from(self.settings.office_hours.day_length());
        loop {
            if !self.is_working_day(date) {
                date = self.next_working_day(date);
                second = 0;
                continue;
            }
            if second == 0 && remaining > day_length {
                remaining -= day_length;
                date = self.next_working_day(date);
                continue;
            }
            for &(start, end) in self.settings.office_hours.intervals() {
                if second >= end {
                    continue;
                }
                let begin = second.max(start);
                let available = i64::from(end - begin);
                if remaining <= available {
                    let at = begin + remaining as u32;
                    return self.at(date, at);
                }
                remaining -= available;
                second = end;
            }
            date = self.next_working_day(date);
            second = 0;
        }
    }

    /// Office time, in seconds, between two instants (zero when `to` is not
    /// after `from`).
    pub fn working_seconds_between(&self, from: DateTime<Utc>, to: DateTime<Utc>) -> i64 {
        if to <= from {
            return 0;
        }
        let (a, b) = (self.local(from), self.local(to));
        let day_length = i64::from(self.settings.office_hours.day_length());
        let mut total = 0i64;
        let mut date = a.date();
        while date <= b.date() {
            if self.is_working_day(date) {
                let lo = if date == a.date() {
                    a.time().num_seconds_from_midnight_u32()
                } else {
                    0
                };
                let hi = if date == b.date() {
                    b.time().num_seconds_from_midnight_u32()
                } else {
                    SECONDS_PER_DAY
                };
                if lo == 0 && hi == SECONDS_PER_DAY {
                    total += day_length;
                } else {
                    for &(s, e) in self.settings.office_hours.intervals() {
                        let (s, e) = (s.max(lo), e.min(hi));
                        if e > s {
                            total += i64::from(e - s);
                        }
                    }
                }
            }
            match date.succ_opt() {
                Some(d) => date = d,
                None => break,
            }
        }
        total
    }

    /// The close of office on the given date.
    fn closing_of(&self, date: NaiveDate) -> DateTime<Utc> {
        self.at(date, self.settings.office_hours.closing())
    }

    /// The due time of a statutory duration for a dossier received at
    /// `received` (DESIGN.md §4).
    pub fn due_at(&self, received: DateTime<Utc>, duration: &StatutoryDuration) -> DateTime<Utc> {
        let day = i64::from(self.settings.office_hours.day_length());
        match duration.unit {
            DurationUnit::WorkingDays => {
                let start = match self.settings.count_from {
                    CountFrom::Receipt => received,
                    CountFrom::NextWorkingDay => {
                        let next = self.next_working_day(self.local_date(received));
                        self.at(next, self.settings.office_hours.opening())
                    }
                };
                self.add_working_seconds(start, i64::from(duration.amount) * day)
            }
            DurationUnit::WorkingHours => {
                self.add_working_seconds(received, i64::from(duration.amount) * 3600)
            }
            DurationUnit::CalendarDays => {
                let last = self.local_date(received) + Duration::days(duration.amount.into());
                let last = if self.is_working_day(last) {
                    last
                } else {
                    self.next_working_day(last)
                };
                self.closing_of(last)
            }
            DurationUnit::SameDay => {
                let start = self.next_working_moment(received);
                let local = self.local(start);
                let cutoff = u32::from(duration.cutoff_minute.unwrap_or(u16::MAX)) * 60;
                if local.time().num_seconds_from_midnight_u32() < cutoff {
                    self.closing_of(local.date())
                } else {
                    self.closing_of(self.next_working_day(local.date()))
                }
            }
        }
    }
}

trait SecondsFromMidnight {
    fn num_seconds_from_midnight_u32(&self) -> u32;
}

impl SecondsFromMidnight for chrono::NaiveTime {
    fn num_seconds_from_midnight_u32(&self) -> u32 {
        chrono::Timelike::num_seconds_from_midnight(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cal() -> WorkingCalendar {
        WorkingCalendar::new(CalendarSettings::default())
    }

    /// A local (UTC+7) time as UTC.
    fn vn(y: i32, mo: u32, d: u32, h: u32, mi: u32) -> DateTime<Utc> {
        cal().to_utc(
            NaiveDate::from_ymd_opt(y, mo, d)
                .unwrap()
                .and_hms_opt(h, mi, 0)
                .unwrap(),
        )
    }

    #[test]
    fn one_working_day_from_ten_is_ten_next_working_day() {
        // Wednesday 2026-10-07 10:00 → Thursday 10:00.
        let due = cal().due_at(vn(2026, 10, 7, 10, 0), &StatutoryDuration::working_days(1));
        assert_eq!(due, vn(2026, 10, 8, 10, 0));
    }

    #[test]
    fn friday_afternoon_rolls_over_the_weekend() {
        // Friday 2026-10-09 15:00 + 3 working days → Wednesday 15:00.
        let due = cal().due_at(vn(2026, 10, 9, 15, 0), &StatutoryDuration::working_days(3));
        assert_eq!(due, vn(2026, 10, 14, 15, 0));
    }

    #[test]
    fn receipt_after_hours_starts_at_next_opening() {
        // Saturday → Monday 07:00 + 8 h → Monday 17:00.
        let due = cal().due_at(vn(2026, 10, 10, 9, 0), &StatutoryDuration::working_days(1));
        assert_eq!(due, vn(2026, 10, 12, 17, 0));
        // Lunch break: 12:00 counts from 13:30.
        let due = cal().due_at(vn(2026, 10, 7, 12, 0), &StatutoryDuration::working_hours(2));
        assert_eq!(due, vn(2026, 10, 7, 15, 30));
    }

    #[test]
    fn hours_stop_at_the_end_of_a_morning() {
        let due = cal().due_at(vn(2026, 10, 7, 9, 30), &StatutoryDuration::working_hours(2));
        assert_eq!(due, vn(2026, 10, 7, 11, 30));
    }

    #[test]
    fn same_day_respects_the_cut_off() {
        let d = StatutoryDuration::same_day(15 * 60);
        assert_eq!(cal().due_at(vn(2026, 10, 7, 14, 59), &d), vn(2026, 10, 7, 17, 0));
        assert_eq!(cal().due_at(vn(2026, 10, 7, 15, 0), &d), vn(2026, 10, 8, 17, 0));
        // Friday after the cut-off → Monday close.
        assert_eq!(cal().due_at(vn(2026, 10, 9, 16, 0), &d), vn(2026, 10, 12, 17, 0));
    }

    #[test]
    fn calendar_days_never_end_on_a_day_off() {
        // Wednesday + 3 calendar days = Saturday → Monday close.
        let due = cal().due_at(vn(2026, 10, 7, 10, 0), &StatutoryDuration::calendar_days(3));
        assert_eq!(due, vn(2026, 10, 12, 17, 0));
    }

    #[test]
    fn count_from_next_working_day() {
        let mut settings = CalendarSettings::default();
        settings.count_from = CountFrom::NextWorkingDay;
        let cal = WorkingCalendar::new(settings);
        let due = cal.due_at(vn(2026, 10, 7, 10, 0), &StatutoryDuration::working_days(1));
        assert_eq!(due, vn(2026, 10, 8, 17, 0));
    }

    #[test]
    fn measuring_matches_adding() {
        let from = vn(2026, 10, 7, 10, 0);
        let to = cal().add_working_seconds(from, 5 * 8 * 3600 + 1234);
        assert_eq!(cal().working_seconds_between(from, to), 5 * 8 * 3600 + 1234);
    }
}
