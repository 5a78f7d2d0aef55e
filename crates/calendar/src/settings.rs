//! Deployment settings of the working-time calendar.

use chrono::Weekday;
use chrono_tz::Tz;
use thiserror::Error;

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum SettingsError {
    #[error("invalid office hours {0:?}: expected e.g. \"07:00-11:30,13:30-17:00\" with increasing, non-overlapping intervals")]
    OfficeHours(String),
    #[error("unknown time zone {0:?}")]
    TimeZone(String),
    #[error("invalid weekly days off {0:?}: expected e.g. \"sat,sun\"")]
    WeeklyDaysOff(String),
    #[error("invalid count-from setting {0:?}: expected \"receipt\" or \"next_working_day\"")]
    CountFrom(String),
}

/// The daily office hours as increasing, non-overlapping intervals of
/// seconds after local midnight.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OfficeHours {
    intervals: Vec<(u32, u32)>,
}

impl OfficeHours {
    pub fn new(intervals: Vec<(u32, u32)>) -> Result<Self, SettingsError> {
        let describe = || {
            intervals
                .iter()
                .map(|(s, e)| format!("{}-{}", hhmm(*s), hhmm(*e)))
                .collect::<Vec<_>>()
                .join(",")
        };
        let mut last_end = 0;
        for (i, &(s, e)) in intervals.iter().enumerate() {
            if s >= e || e > 86_400 || (i > 0 && s < last_end) {
                return Err(SettingsError::OfficeHours(describe()));
            }
            last_end = e;
        }
        if intervals.is_empty() {
            return Err(SettingsError::OfficeHours(String::new()));
        }
        Ok(OfficeHours { intervals })
    }

    /// Parses `"07:00-11:30,13:30-17:00"`.
    pub fn parse(text: &str) -> Result<Self, SettingsError> {
        let bad = || SettingsError::OfficeHours(text.to_string());
        let intervals = text
            .split(',')
            .map(|part| {
                let (s, e) = part.trim().split_once('-').ok_or_else(bad)?;
                Ok((
                    parse_hhmm(s).ok_or_else(bad)?,
                    parse_hhmm(e).ok_or_else(bad)?,
                ))
            })
            .collect::<Result<Vec<_>, SettingsError>>()?;
        OfficeHours::new(intervals).map_err(|_| bad())
    }

    pub fn intervals(&self) -> &[(u32, u32)] {
        &self.intervals
    }

    /// Seconds of office time in one working day.
    pub fn day_length(&self) -> u32 {
        self.intervals.iter().map(|(s, e)| e - s).sum()
    }

    pub fn opening(&self) -> u32 {
        self.intervals.first().map_or(0, |i| i.0)
    }

    pub fn closing(&self) -> u32 {
        self.intervals.last().map_or(0, |i| i.1)
    }
}

impl Default for OfficeHours {
    /// 07:00–11:30 and 13:30–17:00: eight working hours.
    fn default() -> Self {
        OfficeHours {
            intervals: vec![(7 * 3600, 11 * 3600 + 1800), (13 * 3600 + 1800, 17 * 3600)],
        }
    }
}

impl std::fmt::Display for OfficeHours {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let text = self
            .intervals
            .iter()
            .map(|(s, e)| format!("{}-{}", hhmm(*s), hhmm(*e)))
            .collect::<Vec<_>>()
            .join(",");
        f.write_str(&text)
    }
}

/// Parses `HH:MM` into seconds after midnight; `24:00` is allowed as an end.
pub fn parse_hhmm(s: &str) -> Option<u32> {
    let (h, m) = s.trim().split_once(':')?;
    let h: u32 = h.parse().ok()?;
    let m: u32 = m.parse().ok()?;
    if m >= 60 || h > 24 || (h == 24 && m > 0) {
        return None;
    }
    Some(h * 3600 + m * 60)
}

/// Formats seconds after midnight as `HH:MM`.
pub fn hhmm(seconds: u32) -> String {
    format!("{:02}:{:02}", seconds / 3600, seconds % 3600 / 60)
}

/// Where a count of days starts: at the moment of receipt (the default,
/// as most deployed systems do) or at the opening of the next working day
/// (Civil Code 2015 art. 147 excludes the first day).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum CountFrom {
    #[default]
    Receipt,
    NextWorkingDay,
}

impl CountFrom {
    pub fn parse(s: &str) -> Result<Self, SettingsError> {
        match s {
            "receipt" => Ok(CountFrom::Receipt),
            "next_working_day" => Ok(CountFrom::NextWorkingDay),
            other => Err(SettingsError::CountFrom(other.to_string())),
        }
    }
}

/// Everything that shapes the calendar but the day tables.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CalendarSettings {
    pub time_zone: Tz,
    pub office_hours: OfficeHours,
    pub weekly_days_off: Vec<Weekday>,
    pub count_from: CountFrom,
}

impl Default for CalendarSettings {
    fn default() -> Self {
        CalendarSettings {
            time_zone: chrono_tz::Asia::Ho_Chi_Minh,
            office_hours: OfficeHours::default(),
            weekly_days_off: vec![Weekday::Sat, Weekday::Sun],
            count_from: CountFrom::Receipt,
        }
    }
}

impl CalendarSettings {
    pub fn parse_time_zone(s: &str) -> Result<Tz, SettingsError> {
        s.parse::<Tz>()
            .map_err(|_| SettingsError::TimeZone(s.to_string()))
    }

    /// Parses `"sat,sun"` (English three-letter names, any case). All seven
    /// days are refused.
    pub fn parse_weekly_days_off(s: &str) -> Result<Vec<Weekday>, SettingsError> {
        if s.trim().is_empty() {
            return Ok(Vec::new());
        }
        let days = s
            .split(',')
            .map(|d| {
                d.trim()
                    .parse::<Weekday>()
                    .map_err(|_| SettingsError::WeeklyDaysOff(s.to_string()))
            })
            .collect::<Result<Vec<_>, _>>()?;
        // A week without a working day would leave no office time at all.
        let mut distinct = days.clone();
        distinct.sort_by_key(|d| d.num_days_from_monday());
        distinct.dedup();
        if distinct.len() == 7 {
            return Err(SettingsError::WeeklyDaysOff(s.to_string()));
        }
        Ok(days)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    #[test]
    fn parses_default_office_hours() {
        let oh = OfficeHours::parse("07:00-11:30, 13:30-17:00").unwrap();
        assert_eq!(oh, OfficeHours::default());
        assert_eq!(oh.day_length(), 8 * 3600);
        assert_eq!(oh.to_string(), "07:00-11:30,13:30-17:00");
    }

    #[test]
    fn rejects_overlapping_or_reversed_hours() {
        for bad in [
            "11:00-07:00",
            "07:00-12:00,11:00-17:00",
            "",
            "7-11",
            "07:60-08:00",
        ] {
            assert!(OfficeHours::parse(bad).is_err(), "{bad:?} accepted");
        }
    }

    #[test]
    fn parses_weekly_days_off() {
        assert_eq!(
            CalendarSettings::parse_weekly_days_off("Sat, sun").unwrap(),
            vec![Weekday::Sat, Weekday::Sun]
        );
        assert!(CalendarSettings::parse_weekly_days_off("sat,caturday").is_err());
        assert!(CalendarSettings::parse_weekly_days_off("mon,tue,wed,thu,fri,sat,sun").is_err());
    }
}
