//! Working-time arithmetic over office hours and days off.
//!
//! All arithmetic runs on local wall-clock time in the deployment's time
//! zone, in whole seconds (sub-second parts of an input are dropped), day
//! by day; results are returned in UTC. A day is a working day unless it
//! is a weekly day off or listed as a day off, and a listed make-up working
//! day overrides both.
//!
//! Day lookups are the inner loop of every due-date computation, so the
//! listed days live in a dense table of flags indexed by day number (one
//! byte a day, about 365 bytes a year): a lookup is an index, not a tree
//! search.
//!
//! Why one file over 500 lines: the working-time walk (adding working
//! time, counting it between instants, due times by unit) shares one day
//! model; splitting it would scatter the rule a reader checks against the
//! hand-computed cases. About 220 lines are its unit tests.

use std::collections::BTreeMap;
use std::ops::RangeInclusive;

use chrono::{
    DateTime, Datelike, Duration, LocalResult, NaiveDate, NaiveDateTime, TimeZone, Timelike, Utc,
};
use motcua_domain::{DurationUnit, StatutoryDuration};
use serde::{Deserialize, Serialize};

use crate::holidays::{DayOffKind, HolidayRules};
use crate::settings::{CalendarSettings, CountFrom};
use crate::year_table::YearAdjustments;

const SECONDS_PER_DAY: u32 = 86_400;

/// The instant returned when a time is never reached: a calendar in which
/// every weekday is a weekly day off has no working time after its listed
/// working days.
const NEVER: DateTime<Utc> = DateTime::<Utc>::MAX_UTC;

/// Flag of a listed day off.
const OFF: u8 = 1;
/// Flag of a listed working day (wins over [`OFF`]).
const WORK: u8 = 2;

/// What a listed day is, for the list of a year's days
/// ([`WorkingCalendar::days_off_in_year`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DayKind {
    /// A public holiday of the holiday rules.
    Holiday,
    /// A compensatory day off for a holiday on a weekly day off.
    Compensatory,
    /// Another day off: from the per-year table, or listed without a name.
    DayOff,
    /// A make-up working day (worked although otherwise a day off).
    WorkingDay,
}

impl DayKind {
    /// Which label a date keeps when several sources name it: the one
    /// that decides whether it is worked, then the most specific.
    fn rank(self) -> u8 {
        match self {
            DayKind::DayOff => 0,
            DayKind::Compensatory => 1,
            DayKind::Holiday => 2,
            DayKind::WorkingDay => 3,
        }
    }
}

/// A day that differs from, or is named on top of, the weekly pattern.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DayInfo {
    pub date: NaiveDate,
    pub kind: DayKind,
    /// The holiday's name, or the reason given in the per-year table.
    pub name_vi: String,
    /// The English name of a built-in holiday; the table's reasons are
    /// not translated.
    pub name_en: Option<String>,
}

impl DayInfo {
    /// Whether the day is worked.
    pub fn is_working(&self) -> bool {
        self.kind == DayKind::WorkingDay
    }
}

/// Listed days as flags in a dense array indexed by day number
/// ([`NaiveDate::num_days_from_ce`]), growing to cover what is listed.
#[derive(Debug, Clone, Default)]
struct DayTable {
    first: i32,
    flags: Vec<u8>,
}

impl DayTable {
    #[inline]
    fn get(&self, day: i32) -> u8 {
        let index = i64::from(day) - i64::from(self.first);
        if index < 0 {
            return 0;
        }
        usize::try_from(index)
            .ok()
            .and_then(|i| self.flags.get(i))
            .copied()
            .unwrap_or(0)
    }

    fn set(&mut self, day: i32, flag: u8) {
        if self.flags.is_empty() {
            self.first = day;
        }
        if day < self.first {
            let grow = (i64::from(self.first) - i64::from(day)) as usize;
            let mut flags = vec![0; grow + self.flags.len()];
            flags[grow..].copy_from_slice(&self.flags);
            self.flags = flags;
            self.first = day;
        }
        let index = (i64::from(day) - i64::from(self.first)) as usize;
        if index >= self.flags.len() {
            self.flags.resize(index + 1, 0);
        }
        self.flags[index] |= flag;
    }

    /// Sets a day's flag outright, replacing what rules or tables said.
    fn assign(&mut self, day: i32, flag: u8) {
        self.set(day, 0);
        let index = (i64::from(day) - i64::from(self.first)) as usize;
        self.flags[index] = flag;
    }

    /// The last day number listed (or before the first when empty).
    fn last(&self) -> i64 {
        i64::from(self.first) + self.flags.len() as i64 - 1
    }
}

fn day_number(date: NaiveDate) -> i32 {
    date.num_days_from_ce()
}

fn date_of(day: i32) -> Option<NaiveDate> {
    NaiveDate::from_num_days_from_ce_opt(day)
}

/// Monday = 0: day number 1 (0001-01-01) was a Monday.
#[inline]
fn weekday_index(day: i32) -> usize {
    (i64::from(day) - 1).rem_euclid(7) as usize
}

/// A working-time calendar: settings plus the days off and make-up working
/// days that differ from the weekly pattern.
#[derive(Debug, Clone)]
pub struct WorkingCalendar {
    settings: CalendarSettings,
    weekly_off: [bool; 7],
    /// Whether some weekday is not a weekly day off (else the calendar has
    /// no working day beyond its listed ones).
    has_working_weekday: bool,
    day_length: u32,
    table: DayTable,
    labels: BTreeMap<NaiveDate, DayInfo>,
}

impl WorkingCalendar {
    /// A calendar with only the weekly days off.
    pub fn new(settings: CalendarSettings) -> Self {
        let mut weekly_off = [false; 7];
        for d in &settings.weekly_days_off {
            weekly_off[d.num_days_from_monday() as usize] = true;
        }
        WorkingCalendar {
            has_working_weekday: weekly_off.iter().any(|off| !off),
            day_length: settings.office_hours.day_length(),
            settings,
            weekly_off,
            table: DayTable::default(),
            labels: BTreeMap::new(),
        }
    }

    /// The calendar of a deployment for the given years: the weekly
    /// pattern, the built-in holidays ([`HolidayRules::default`]) with
    /// their compensatory days, then the per-year tables of `extra`
    /// (e.g. [`YearAdjustments::vn_public_servants`] and the admin-edited
    /// table). Days outside `years` follow only the weekly pattern and
    /// `extra`, so cover every year a due date may reach.
    pub fn for_years(
        settings: CalendarSettings,
        years: RangeInclusive<i32>,
        extra: &[YearAdjustments],
    ) -> Self {
        WorkingCalendar::for_years_with_rules(settings, years, &HolidayRules::default(), extra)
    }

    /// [`WorkingCalendar::for_years`] with other holiday rules.
    pub fn for_years_with_rules(
        settings: CalendarSettings,
        years: RangeInclusive<i32>,
        rules: &HolidayRules,
        extra: &[YearAdjustments],
    ) -> Self {
        extra.iter().fold(
            WorkingCalendar::new(settings).with_holidays(years, rules),
            WorkingCalendar::with_adjustments,
        )
    }

    /// Adds the holidays and compensatory days that `rules` give in each of
    /// `years`, with their names.
    pub fn with_holidays(mut self, years: RangeInclusive<i32>, rules: &HolidayRules) -> Self {
        for year in years {
            for off in rules.days_off(year, &self.settings) {
                let kind = match off.kind {
                    DayOffKind::Holiday => DayKind::Holiday,
                    DayOffKind::Compensatory => DayKind::Compensatory,
                };
                self.list(off.date, OFF, kind, off.name_vi, Some(off.name_en));
            }
        }
        self
    }

    /// Adds a per-year table: its days off and its make-up working days,
    /// with their reasons.
    pub fn with_adjustments(mut self, adjustments: &YearAdjustments) -> Self {
        for (date, reason) in &adjustments.days_off {
            self.list(*date, OFF, DayKind::DayOff, reason.clone(), None);
        }
        for (date, reason) in &adjustments.working_days {
            self.list(*date, WORK, DayKind::WorkingDay, reason.clone(), None);
        }
        self
    }

    /// Applies administrators' edits last, each overriding whatever the
    /// rules and shipped tables said of its date: `(date, working, reason)`.
    pub fn with_overrides(mut self, edits: &[(NaiveDate, bool, String)]) -> Self {
        for (date, working, reason) in edits {
            let (flag, kind) = if *working {
                (WORK, DayKind::WorkingDay)
            } else {
                (OFF, DayKind::DayOff)
            };
            self.table.assign(day_number(*date), flag);
            self.labels.insert(
                *date,
                DayInfo {
                    date: *date,
                    kind,
                    name_vi: reason.clone(),
                    name_en: None,
                },
            );
        }
        self
    }

    /// Adds dates that are days off (holidays, compensatory days, days
    /// swapped off by the government).
    pub fn with_days_off(mut self, days: impl IntoIterator<Item = NaiveDate>) -> Self {
        for date in days {
            self.list(
                date,
                OFF,
                DayKind::DayOff,
                "Ngày nghỉ".to_string(),
                Some("Day off".to_string()),
            );
        }
        self
    }

    /// Adds make-up working days: dates worked although they fall on a
    /// weekly day off.
    pub fn with_working_days(mut self, days: impl IntoIterator<Item = NaiveDate>) -> Self {
        for date in days {
            self.list(
                date,
                WORK,
                DayKind::WorkingDay,
                "Ngày làm việc".to_string(),
                Some("Working day".to_string()),
            );
        }
        self
    }

    fn list(
        &mut self,
        date: NaiveDate,
        flag: u8,
        kind: DayKind,
        name_vi: String,
        name_en: Option<String>,
    ) {
        self.table.set(day_number(date), flag);
        let info = DayInfo {
            date,
            kind,
            name_vi,
            name_en,
        };
        match self.labels.get(&date) {
            Some(existing) if existing.kind.rank() >= kind.rank() => {}
            _ => {
                self.labels.insert(date, info);
            }
        }
    }

    /// The listed days of a solar year, in date order, for display: every
    /// holiday (also one on a weekend), compensatory day, extra day off and
    /// make-up working day, one entry a date, named by what decides it
    /// (a make-up working day over a holiday, a holiday over a table entry).
    pub fn days_off_in_year(&self, year: i32) -> Vec<DayInfo> {
        let (Some(first), Some(last)) = (
            NaiveDate::from_ymd_opt(year, 1, 1),
            NaiveDate::from_ymd_opt(year, 12, 31),
        ) else {
            return Vec::new();
        };
        self.labels
            .range(first..=last)
            .map(|(_, info)| info.clone())
            .collect()
    }

    pub fn settings(&self) -> &CalendarSettings {
        &self.settings
    }

    pub fn is_working_day(&self, date: NaiveDate) -> bool {
        self.is_working(day_number(date))
    }

    #[inline]
    fn is_working(&self, day: i32) -> bool {
        let flag = self.table.get(day);
        if flag & WORK != 0 {
            return true;
        }
        flag & OFF == 0 && !self.weekly_off[weekday_index(day)]
    }

    /// The first working day after `day`, or `None` if there is none.
    fn next_working(&self, day: i32) -> Option<i32> {
        let mut d = day;
        loop {
            d = d.checked_add(1)?;
            if self.is_working(d) {
                return Some(d);
            }
            if !self.has_working_weekday && i64::from(d) > self.table.last() {
                return None;
            }
        }
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

    /// The instant `second` seconds after local midnight starting `day`.
    fn at(&self, day: i32, second: u32) -> DateTime<Utc> {
        match date_of(day).and_then(|d| d.and_hms_opt(0, 0, 0)) {
            Some(midnight) => self.to_utc(midnight + Duration::seconds(second.into())),
            None => NEVER,
        }
    }

    /// The first moment at or after `at` that lies inside office hours.
    pub fn next_working_moment(&self, at: DateTime<Utc>) -> DateTime<Utc> {
        // `add_working_seconds` drops sub-second parts; inside office hours
        // that would land before `at`.
        self.add_working_seconds(at, 0).max(at)
    }

    /// Adds working time: the result is the instant at which `seconds` of
    /// office time after `from` have elapsed. With zero seconds it is the
    /// next working moment. A result that lands exactly at the end of an
    /// office interval stays there (due at 11:30, not at 13:30). If no
    /// working time is left (every weekday a weekly day off), the result
    /// is `DateTime::<Utc>::MAX_UTC`: never.
    pub fn add_working_seconds(&self, from: DateTime<Utc>, seconds: i64) -> DateTime<Utc> {
        let local = self.local(from);
        let mut day = day_number(local.date());
        let mut second = local.time().num_seconds_from_midnight();
        let mut remaining = seconds.max(0);
        let day_length = i64::from(self.day_length);
        let intervals = self.settings.office_hours.intervals();
        loop {
            if !self.is_working(day) {
                let Some(next) = self.next_working(day) else {
                    return NEVER;
                };
                day = next;
                second = 0;
                continue;
            }
            // A whole working day left to go and more: skip it at once.
            if second == 0 && remaining > day_length {
                remaining -= day_length;
                let Some(next) = self.next_working(day) else {
                    return NEVER;
                };
                day = next;
                continue;
            }
            for &(start, end) in intervals {
                if second >= end {
                    continue;
                }
                let begin = second.max(start);
                let available = i64::from(end - begin);
                if remaining <= available {
                    return self.at(day, begin + remaining as u32);
                }
                remaining -= available;
                second = end;
            }
            let Some(next) = self.next_working(day) else {
                return NEVER;
            };
            day = next;
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
        let (first, last) = (day_number(a.date()), day_number(b.date()));
        let (a_second, b_second) = (
            a.time().num_seconds_from_midnight(),
            b.time().num_seconds_from_midnight(),
        );
        let day_length = i64::from(self.day_length);
        let mut total = 0i64;
        for day in first..=last {
            if !self.is_working(day) {
                continue;
            }
            let lo = if day == first { a_second } else { 0 };
            let hi = if day == last {
                b_second
            } else {
                SECONDS_PER_DAY
            };
            if lo == 0 && hi == SECONDS_PER_DAY {
                total += day_length;
                continue;
            }
            for &(s, e) in self.settings.office_hours.intervals() {
                let (s, e) = (s.max(lo), e.min(hi));
                if e > s {
                    total += i64::from(e - s);
                }
            }
        }
        total
    }

    /// The close of office on the given day.
    fn closing_of(&self, day: i32) -> DateTime<Utc> {
        self.at(day, self.settings.office_hours.closing())
    }

    /// `day` if it is a working day, else the next working day.
    fn working_day_from(&self, day: i32) -> Option<i32> {
        if self.is_working(day) {
            Some(day)
        } else {
            self.next_working(day)
        }
    }

    /// The due time of a statutory duration for a dossier received at
    /// `received` (docs/time.md, Durations):
    /// - `working_days`, `working_hours`: office time added to the receipt
    ///   (a receipt outside office hours starts at the next opening); with
    ///   [`CountFrom::NextWorkingDay`] working days count from the opening
    ///   of the working day after the day of receipt instead;
    /// - `calendar_days`: the close of office on the day `amount` days
    ///   after the day of receipt, or on the next working day if that one
    ///   is off (Civil Code 2015 art. 147: the day of the event is not
    ///   counted, so both count-from settings agree; art. 148: a period
    ///   ending on a day off ends with the next working day);
    /// - `same_day`: received (or, outside office hours, next open) before
    ///   the cut-off, the close of that day; else the close of the next
    ///   working day.
    pub fn due_at(&self, received: DateTime<Utc>, duration: &StatutoryDuration) -> DateTime<Utc> {
        let day = i64::from(self.day_length);
        match duration.unit {
            DurationUnit::WorkingDays => {
                let start = match self.settings.count_from {
                    CountFrom::Receipt => received,
                    CountFrom::NextWorkingDay => {
                        let Some(next) = self.next_working(day_number(self.local_date(received)))
                        else {
                            return NEVER;
                        };
                        self.at(next, self.settings.office_hours.opening())
                    }
                };
                self.add_working_seconds(start, i64::from(duration.amount) * day)
            }
            DurationUnit::WorkingHours => {
                self.add_working_seconds(received, i64::from(duration.amount) * 3600)
            }
            DurationUnit::CalendarDays => {
                let last = day_number(self.local_date(received))
                    .checked_add_unsigned(duration.amount)
                    .and_then(|last| self.working_day_from(last));
                match last {
                    Some(last) => self.closing_of(last),
                    None => NEVER,
                }
            }
            DurationUnit::SameDay => {
                let start = self.next_working_moment(received);
                if start == NEVER {
                    return NEVER;
                }
                let local = self.local(start);
                let today = day_number(local.date());
                let cutoff = u32::from(duration.cutoff_minute.unwrap_or(u16::MAX)) * 60;
                if local.time().num_seconds_from_midnight() < cutoff {
                    self.closing_of(today)
                } else {
                    match self.next_working(today) {
                        Some(next) => self.closing_of(next),
                        None => NEVER,
                    }
                }
            }
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
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
    fn overrides_replace_rules_and_tables() {
        let d = NaiveDate::from_ymd_opt(2026, 12, 24).unwrap();
        let tet = NaiveDate::from_ymd_opt(2026, 2, 17).unwrap();
        let cal = WorkingCalendar::for_years(CalendarSettings::default(), 2026..=2026, &[])
            .with_overrides(&[(d, false, "Nghỉ bù".into()), (tet, true, "Trực Tết".into())]);
        assert!(!cal.is_working_day(d));
        assert!(cal.is_working_day(tet));
        let listed = cal.days_off_in_year(2026);
        assert!(listed.iter().any(|i| i.date == d && i.name_vi == "Nghỉ bù"));
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
        assert_eq!(
            cal().due_at(vn(2026, 10, 7, 14, 59), &d),
            vn(2026, 10, 7, 17, 0)
        );
        assert_eq!(
            cal().due_at(vn(2026, 10, 7, 15, 0), &d),
            vn(2026, 10, 8, 17, 0)
        );
        // Friday after the cut-off → Monday close.
        assert_eq!(
            cal().due_at(vn(2026, 10, 9, 16, 0), &d),
            vn(2026, 10, 12, 17, 0)
        );
    }

    #[test]
    fn calendar_days_never_end_on_a_day_off() {
        // Wednesday + 3 calendar days = Saturday → Monday close.
        let due = cal().due_at(vn(2026, 10, 7, 10, 0), &StatutoryDuration::calendar_days(3));
        assert_eq!(due, vn(2026, 10, 12, 17, 0));
    }

    #[test]
    fn count_from_next_working_day() {
        let settings = CalendarSettings {
            count_from: CountFrom::NextWorkingDay,
            ..CalendarSettings::default()
        };
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

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn weekday_from_day_numbers() {
        let mut date = d(1899, 12, 25);
        for _ in 0..3000 {
            assert_eq!(
                weekday_index(day_number(date)),
                date.weekday().num_days_from_monday() as usize
            );
            date += Duration::days(97);
        }
    }

    #[test]
    fn listing_grows_the_table_both_ways_and_working_days_win() {
        let cal = cal()
            .with_days_off([d(2026, 10, 7)])
            .with_days_off([d(2020, 1, 2)])
            .with_working_days([d(2026, 10, 7), d(2030, 1, 5)])
            .with_days_off([d(2030, 1, 5)]);
        assert!(!cal.is_working_day(d(2020, 1, 2)));
        assert!(cal.is_working_day(d(2020, 1, 3)));
        assert!(cal.is_working_day(d(2026, 10, 7)));
        assert!(
            cal.is_working_day(d(2030, 1, 5)),
            "a Saturday listed as worked"
        );
        assert!(!cal.is_working_day(d(2030, 1, 6)));
        assert!(
            !cal.is_working_day(d(2040, 1, 7)),
            "a Saturday past the table"
        );
    }

    #[test]
    fn a_calendar_without_working_weekdays_never_comes_due() {
        use chrono::Weekday::*;
        let settings = CalendarSettings {
            weekly_days_off: vec![Mon, Tue, Wed, Thu, Fri, Sat, Sun],
            ..CalendarSettings::default()
        };
        let cal = WorkingCalendar::new(settings).with_working_days([d(2026, 10, 7)]);
        let from = vn(2026, 10, 6, 10, 0);
        assert_eq!(cal.add_working_seconds(from, 3600), vn(2026, 10, 7, 8, 0));
        for duration in [
            StatutoryDuration::working_days(2),
            StatutoryDuration::working_hours(9),
            StatutoryDuration::calendar_days(3),
            StatutoryDuration::same_day(15 * 60),
        ] {
            assert_eq!(
                cal.due_at(vn(2026, 10, 8, 10, 0), &duration),
                DateTime::<Utc>::MAX_UTC
            );
        }
    }

    #[test]
    fn next_working_moment_is_never_earlier() {
        let at = vn(2026, 10, 7, 10, 0) + Duration::milliseconds(400);
        assert_eq!(cal().next_working_moment(at), at);
        assert_eq!(
            cal().next_working_moment(vn(2026, 10, 7, 11, 30)),
            vn(2026, 10, 7, 13, 30)
        );
    }

    #[test]
    fn year_listing_names_what_decides_each_day() {
        let table = YearAdjustments::vn_public_servants().unwrap();
        let cal = WorkingCalendar::for_years(CalendarSettings::default(), 2024..=2026, &table);
        let days = cal.days_off_in_year(2025);
        let find = |date| days.iter().find(|i| i.date == date).unwrap();
        // Tết Ất Tỵ: the table's extra day, then the holidays.
        assert_eq!(find(d(2025, 1, 27)).kind, DayKind::DayOff);
        assert_eq!(find(d(2025, 1, 29)).kind, DayKind::Holiday);
        assert_eq!(
            find(d(2025, 1, 29)).name_en.as_deref(),
            Some("Lunar New Year (Tết)")
        );
        // The compensatory day for Saturday 1 February was placed on 27
        // January: Monday 3 February is worked.
        assert!(find(d(2025, 2, 3)).is_working());
        assert!(cal.is_working_day(d(2025, 2, 3)));
        // 30/4–1/5: Friday 2 May off, Saturday 26 April worked.
        assert!(!cal.is_working_day(d(2025, 5, 2)));
        assert!(cal.is_working_day(d(2025, 4, 26)));
        assert_eq!(find(d(2025, 4, 26)).kind, DayKind::WorkingDay);
        // Sorted, one entry a date, only 2025.
        assert!(days.windows(2).all(|w| w[0].date < w[1].date));
        assert!(days.iter().all(|i| i.date.year() == 2025));
        let off: Vec<NaiveDate> = days
            .iter()
            .filter(|i| !i.is_working())
            .map(|i| i.date)
            .collect();
        assert_eq!(
            off,
            vec![
                d(2025, 1, 1),
                d(2025, 1, 27),
                d(2025, 1, 28),
                d(2025, 1, 29),
                d(2025, 1, 30),
                d(2025, 1, 31),
                d(2025, 2, 1),
                d(2025, 4, 7),
                d(2025, 4, 30),
                d(2025, 5, 1),
                d(2025, 5, 2),
                d(2025, 9, 1),
                d(2025, 9, 2),
            ]
        );
        assert!(cal.days_off_in_year(2031).is_empty());
    }
}
