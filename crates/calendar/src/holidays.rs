//! Public holidays (ngày nghỉ lễ, tết) as data-driven rules, and the
//! compensatory days they give.
//!
//! The law (Labour Code 2019 art. 112) names the holidays; it changes now
//! and then (24 November, Vietnam Culture Day, becomes a paid holiday from
//! 2026), so each holiday is a [`HolidayRule`] value: a solar or lunar
//! anchor date, an offset and a number of days, and the years it applies.
//! A new recurring holiday is one more rule, not new code; rules
//! deserialize from JSON for the same reason.
//!
//! What the rules cannot know is how the government arranges each year's
//! breaks for public servants (which five days of Tết, swapped days,
//! make-up Saturdays): that is the per-year table of
//! [`crate::year_table`], applied on top.

use std::collections::BTreeSet;

use chrono::{Datelike, Duration, NaiveDate, Weekday};
use serde::{Deserialize, Serialize};

use crate::lunar::lunar_to_solar;
use crate::settings::CalendarSettings;

/// The anchor date of a holiday in a given year.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "calendar", rename_all = "snake_case")]
pub enum HolidayDate {
    /// A day of the (Gregorian) solar calendar, e.g. 2 September.
    Solar { month: u32, day: u32 },
    /// A day of an ordinary (not leap) month of the Vietnamese lunar
    /// calendar, e.g. 10/3 for Hùng Kings' day. In a year where the day
    /// does not exist (a 30th of a 29-day month) the rule gives nothing.
    Lunar { month: u32, day: u32 },
}

/// One recurring holiday: `days` consecutive days off starting
/// `offset_days` after the anchor date, in the years from `from_year` to
/// `until_year` (inclusive, either open). For a lunar anchor the year is
/// the lunar year (lunar 1/1/2026 is 17 February 2026).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HolidayRule {
    pub name_vi: String,
    pub name_en: String,
    pub date: HolidayDate,
    /// Days from the anchor to the first day off: −1 starts the day
    /// before (the last day of the lunar year for Tết).
    #[serde(default)]
    pub offset_days: i32,
    #[serde(default = "one")]
    pub days: u32,
    #[serde(default)]
    pub from_year: Option<i32>,
    #[serde(default)]
    pub until_year: Option<i32>,
}

fn one() -> u32 {
    1
}

/// The longest run of days one rule can give.
pub const MAX_HOLIDAY_DAYS: u32 = 31;

impl HolidayRule {
    /// A one-day holiday on a fixed solar date, every year.
    pub fn solar(name_vi: &str, name_en: &str, month: u32, day: u32) -> Self {
        HolidayRule {
            name_vi: name_vi.to_string(),
            name_en: name_en.to_string(),
            date: HolidayDate::Solar { month, day },
            offset_days: 0,
            days: 1,
            from_year: None,
            until_year: None,
        }
    }

    /// A one-day holiday on a lunar date, every year.
    pub fn lunar(name_vi: &str, name_en: &str, month: u32, day: u32) -> Self {
        HolidayRule {
            date: HolidayDate::Lunar { month, day },
            ..HolidayRule::solar(name_vi, name_en, 1, 1)
        }
    }

    /// The same rule starting `offset_days` after the anchor and lasting
    /// `days` days.
    pub fn spanning(mut self, offset_days: i32, days: u32) -> Self {
        self.offset_days = offset_days;
        self.days = days;
        self
    }

    /// The same rule restricted to the years `from..=until`.
    pub fn in_years(mut self, from: Option<i32>, until: Option<i32>) -> Self {
        self.from_year = from;
        self.until_year = until;
        self
    }

    pub fn applies_in(&self, year: i32) -> bool {
        self.from_year.is_none_or(|y| year >= y) && self.until_year.is_none_or(|y| year <= y)
    }

    /// The days off this rule gives for its year `year` (solar or lunar as
    /// the anchor is), empty when it does not apply or the date does not
    /// exist.
    pub fn dates(&self, year: i32) -> Vec<NaiveDate> {
        if !self.applies_in(year) {
            return Vec::new();
        }
        let anchor = match self.date {
            HolidayDate::Solar { month, day } => NaiveDate::from_ymd_opt(year, month, day),
            HolidayDate::Lunar { month, day } => lunar_to_solar(year, month, day, false),
        };
        let Some(first) =
            anchor.and_then(|a| a.checked_add_signed(Duration::days(self.offset_days.into())))
        else {
            return Vec::new();
        };
        // A rule is data (possibly edited): cap its length rather than walk
        // to the end of time on a typo.
        first
            .iter_days()
            .take(self.days.min(MAX_HOLIDAY_DAYS) as usize)
            .collect()
    }
}

/// Which day accompanies 2 September as the second day of National Day.
///
/// Labour Code 2019 art. 112(1)(đ) gives "2 September and one adjacent day
/// before or after", and the government picks it each year: 3 September in
/// 2021 and 2024, 1 September in 2022, 2023 and 2025. No fixed rule is
/// published, so the default (`Before`, 1 September, as in 2025) is a
/// guess for years not yet decided; the per-year table records the actual
/// choice once it is announced.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AdjacentDay {
    #[default]
    Before,
    After,
}

/// A set of holiday rules.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HolidayRules {
    pub rules: Vec<HolidayRule>,
}

impl Default for HolidayRules {
    fn default() -> Self {
        HolidayRules::labour_code_2019(AdjacentDay::default())
    }
}

/// Whether a day off comes from a holiday rule or compensates for one that
/// fell on a weekly day off.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DayOffKind {
    Holiday,
    Compensatory,
}

/// A day off given by the holiday rules.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DayOff {
    pub date: NaiveDate,
    pub name_vi: String,
    pub name_en: String,
    pub kind: DayOffKind,
}

impl HolidayRules {
    /// The holidays of Labour Code 2019 art. 112 (in force since 2021), with
    /// Vietnam Culture Day (24 November) from 2026:
    /// - 1 January;
    /// - Tết, 5 days: the last day of the lunar year (the 29th or 30th of
    ///   month 12) and lunar 1/1 to 1/4. The Code only says "5 days"; each
    ///   year the government picks them around Tết: the eve and four days
    ///   after in 2026 (16–20 February), two days before and three after in
    ///   2024 and 2025. The eve and four after is the default chosen here;
    ///   the other pattern is the same rule with `spanning(-2, 5)`, and the
    ///   per-year table records each actual decision;
    /// - Hùng Kings' day, lunar 10/3;
    /// - 30 April and 1 May;
    /// - 2 September and the adjacent day of `national_day_adjacent`
    ///   (2 September alone before 2021, under the Labour Code 2012).
    pub fn labour_code_2019(national_day_adjacent: AdjacentDay) -> Self {
        let national_day_offset = match national_day_adjacent {
            AdjacentDay::Before => -1,
            AdjacentDay::After => 0,
        };
        HolidayRules {
            rules: vec![
                HolidayRule::solar("Tết Dương lịch", "New Year's Day", 1, 1),
                HolidayRule::lunar("Tết Nguyên đán", "Lunar New Year (Tết)", 1, 1).spanning(-1, 5),
                HolidayRule::lunar("Giỗ Tổ Hùng Vương", "Hùng Kings' Commemoration Day", 3, 10),
                HolidayRule::solar("Ngày Chiến thắng", "Reunification Day", 4, 30),
                HolidayRule::solar("Ngày Quốc tế Lao động", "International Labour Day", 5, 1),
                HolidayRule::solar("Quốc khánh", "National Day", 9, 2).in_years(None, Some(2020)),
                HolidayRule::solar("Quốc khánh", "National Day", 9, 2)
                    .spanning(national_day_offset, 2)
                    .in_years(Some(2021), None),
                HolidayRule::solar("Ngày Văn hóa Việt Nam", "Vietnam Culture Day", 11, 24)
                    .in_years(Some(2026), None),
            ],
        }
    }

    /// The days off of solar year `year`: every holiday date, then one
    /// compensatory day for each holiday that falls on a weekly day off of
    /// `settings` (Labour Code 2019 art. 111(3)), on the next day that is
    /// neither a weekly day off, a holiday nor already a compensatory day.
    /// Sorted by date; a date named by two rules is listed once, under the
    /// first.
    pub fn days_off(&self, year: i32, settings: &CalendarSettings) -> Vec<DayOff> {
        let weekly_off = |d: NaiveDate| settings.weekly_days_off.contains(&d.weekday());
        // Neighbouring years too: a lunar holiday of lunar year Y−1 can fall
        // in January of Y, and a late holiday's compensatory day in the next
        // year.
        let mut holidays: Vec<DayOff> = Vec::new();
        for rule_year in year.saturating_sub(1)..=year.saturating_add(1) {
            for rule in &self.rules {
                for date in rule.dates(rule_year) {
                    holidays.push(DayOff {
                        date,
                        name_vi: rule.name_vi.clone(),
                        name_en: rule.name_en.clone(),
                        kind: DayOffKind::Holiday,
                    });
                }
            }
        }
        holidays.sort_by_key(|d| d.date);
        holidays.dedup_by_key(|d| d.date);
        let holiday_dates: BTreeSet<NaiveDate> = holidays.iter().map(|d| d.date).collect();

        let mut compensatory: Vec<DayOff> = Vec::new();
        let mut taken: BTreeSet<NaiveDate> = BTreeSet::new();
        // A week of weekly days off would leave no day to compensate on.
        let any_working_weekday = (0..7)
            .any(|i| Weekday::try_from(i).is_ok_and(|w| !settings.weekly_days_off.contains(&w)));
        if any_working_weekday {
            for holiday in holidays.iter().filter(|h| weekly_off(h.date)) {
                let next =
                    holiday.date.iter_days().skip(1).find(|d| {
                        !weekly_off(*d) && !holiday_dates.contains(d) && !taken.contains(d)
                    });
                if let Some(date) = next {
                    taken.insert(date);
                    compensatory.push(DayOff {
                        date,
                        name_vi: format!("Nghỉ bù {}", holiday.name_vi),
                        name_en: format!("Compensatory day off for {}", holiday.name_en),
                        kind: DayOffKind::Compensatory,
                    });
                }
            }
        }

        let mut all: Vec<DayOff> = holidays
            .into_iter()
            .chain(compensatory)
            .filter(|d| d.date.year() == year)
            .collect();
        all.sort_by_key(|d| d.date);
        all
    }
}

/// The days off of `year` under the built-in rules
/// ([`HolidayRules::default`]): holidays and compensatory days.
pub fn default_days_off(year: i32, settings: &CalendarSettings) -> Vec<DayOff> {
    HolidayRules::default().days_off(year, settings)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn dates(year: i32) -> Vec<(NaiveDate, DayOffKind)> {
        default_days_off(year, &CalendarSettings::default())
            .into_iter()
            .map(|o| (o.date, o.kind))
            .collect()
    }

    use DayOffKind::{Compensatory as C, Holiday as H};

    #[test]
    fn year_2026() {
        assert_eq!(
            dates(2026),
            vec![
                (d(2026, 1, 1), H),
                // Tết Bính Ngọ: 29 Chạp (Monday) to mùng 4.
                (d(2026, 2, 16), H),
                (d(2026, 2, 17), H),
                (d(2026, 2, 18), H),
                (d(2026, 2, 19), H),
                (d(2026, 2, 20), H),
                // Hùng Kings' day on a Sunday → Monday.
                (d(2026, 4, 26), H),
                (d(2026, 4, 27), C),
                (d(2026, 4, 30), H),
                (d(2026, 5, 1), H),
                (d(2026, 9, 1), H),
                (d(2026, 9, 2), H),
                (d(2026, 11, 24), H),
            ]
        );
    }

    #[test]
    fn weekend_holidays_inside_a_block_compensate_after_it() {
        // Tết Giáp Thìn 2024: 30 Chạp = Friday 9 Feb, 1/1 = Saturday.
        let tet: Vec<_> = dates(2024)
            .into_iter()
            .filter(|(d, _)| d.month() == 2)
            .collect();
        assert_eq!(
            tet,
            vec![
                (d(2024, 2, 9), H),
                (d(2024, 2, 10), H),
                (d(2024, 2, 11), H),
                (d(2024, 2, 12), H),
                (d(2024, 2, 13), H),
                (d(2024, 2, 14), C),
                (d(2024, 2, 15), C),
            ]
        );
    }

    #[test]
    fn compensation_skips_following_holidays() {
        // 2023: Hùng Kings' day Saturday 29 April, 30 April Sunday, 1 May
        // Monday → compensatory 2 and 3 May (as the government gave).
        let spring: Vec<_> = dates(2023)
            .into_iter()
            .filter(|(d, _)| (4..=5).contains(&d.month()))
            .collect();
        assert_eq!(
            spring,
            vec![
                (d(2023, 4, 29), H),
                (d(2023, 4, 30), H),
                (d(2023, 5, 1), H),
                (d(2023, 5, 2), C),
                (d(2023, 5, 3), C)
            ]
        );
        // 2024: 1 September (adjacent day) is a Sunday → 3 September.
        let sep: Vec<_> = dates(2024)
            .into_iter()
            .filter(|(d, _)| d.month() == 9)
            .collect();
        assert_eq!(
            sep,
            vec![(d(2024, 9, 1), H), (d(2024, 9, 2), H), (d(2024, 9, 3), C)]
        );
    }

    #[test]
    fn national_day_adjacent_day_is_configurable_and_new_in_2021() {
        let settings = CalendarSettings::default();
        let after = HolidayRules::labour_code_2019(AdjacentDay::After);
        let sep = |rules: &HolidayRules, year| -> Vec<NaiveDate> {
            rules
                .days_off(year, &settings)
                .into_iter()
                .filter(|o| o.date.month() == 9)
                .map(|o| o.date)
                .collect()
        };
        assert_eq!(sep(&after, 2026), vec![d(2026, 9, 2), d(2026, 9, 3)]);
        assert_eq!(
            sep(&HolidayRules::default(), 2026),
            vec![d(2026, 9, 1), d(2026, 9, 2)]
        );
        assert_eq!(sep(&HolidayRules::default(), 2019), vec![d(2019, 9, 2)]);
    }

    #[test]
    fn culture_day_from_2026_only() {
        assert!(!dates(2025).iter().any(|(d, _)| d.month() == 11));
        // 24 November 2029 is a Saturday → Monday 26.
        let nov: Vec<_> = dates(2029)
            .into_iter()
            .filter(|(d, _)| d.month() == 11)
            .collect();
        assert_eq!(nov, vec![(d(2029, 11, 24), H), (d(2029, 11, 26), C)]);
    }

    #[test]
    fn a_new_holiday_is_data() {
        let json = r#"{"name_vi": "Ngày thử", "name_en": "Test day",
            "date": {"calendar": "lunar", "month": 8, "day": 15}, "from_year": 2027}"#;
        let rule: HolidayRule = serde_json::from_str(json).unwrap();
        let mut rules = HolidayRules::default();
        rules.rules.push(rule);
        let settings = CalendarSettings::default();
        // Mid-autumn 2027 (15/8 lunar) is Wednesday 15 September 2027.
        assert!(rules
            .days_off(2027, &settings)
            .iter()
            .any(|o| o.date == d(2027, 9, 15) && o.name_en == "Test day"));
        assert!(!rules
            .days_off(2026, &settings)
            .iter()
            .any(|o| o.name_en == "Test day"));
    }

    #[test]
    fn weekly_days_off_come_from_the_settings() {
        // With Sunday as the only weekly day off, a Saturday holiday gives
        // no compensatory day: 1 May 2027 is a Saturday.
        let settings = CalendarSettings {
            weekly_days_off: vec![Weekday::Sun],
            ..CalendarSettings::default()
        };
        let may: Vec<_> = default_days_off(2027, &settings)
            .into_iter()
            .filter(|o| o.date.month() == 5)
            .collect();
        assert_eq!(may.len(), 1);
        assert_eq!(
            dates(2027).iter().filter(|(d, _)| d.month() == 5).count(),
            2
        );
    }
}
