//! The per-year table: extra days off and make-up working days that the
//! government decides each year for public servants, on top of the
//! built-in holiday rules.
//!
//! The editable, database-backed table belongs to the store; this module
//! gives its value type, [`YearAdjustments`], and the decisions known when
//! this version shipped, embedded from `data/calendar/vn-public-servants.json`
//! so that a deployment without any table still gets them.

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};
use thiserror::Error;

/// The shipped table of decisions for public servants (JSON).
pub const VN_PUBLIC_SERVANTS_JSON: &str =
    include_str!("../../../data/calendar/vn-public-servants.json");

/// The adjustments of one year: dates that are days off although the rules
/// make them working days, and dates that are worked although the rules
/// make them days off (make-up Saturdays, or a compensatory day the
/// government placed elsewhere). A working day overrides everything.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct YearAdjustments {
    /// `(date, reason)` of each extra day off.
    pub days_off: Vec<(NaiveDate, String)>,
    /// `(date, reason)` of each make-up working day.
    pub working_days: Vec<(NaiveDate, String)>,
}

#[derive(Debug, Error)]
pub enum YearTableError {
    #[error("invalid calendar table: {0}")]
    Json(#[from] serde_json::Error),
    #[error("calendar table: {date} is listed under year {year}")]
    WrongYear { year: i32, date: NaiveDate },
    #[error("calendar table: {date} is listed both as a day off and as a working day")]
    Conflict { date: NaiveDate },
}

#[derive(Deserialize)]
struct TableFile {
    years: Vec<YearEntry>,
}

#[derive(Deserialize)]
struct YearEntry {
    year: i32,
    #[serde(default)]
    days_off: Vec<DayEntry>,
    #[serde(default)]
    working_days: Vec<DayEntry>,
    /// Decisions not known for certain: shown, never applied.
    #[serde(default)]
    unconfirmed: Vec<String>,
    #[serde(default)]
    sources: Vec<String>,
}

/// That a year's arrangements were decided and are in the table, with the
/// documents they come from. A year the table does not list follows the
/// rules alone: its swapped days and make-up Saturdays are not known yet.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct YearDecision {
    pub year: i32,
    /// The decisions and pages the year's entries rely on.
    pub sources: Vec<String>,
    /// Arrangements proposed or reported but not confirmed; not applied.
    pub unconfirmed: Vec<String>,
}

impl YearDecision {
    /// The years of a table in the format of `vn-public-servants.json`.
    pub fn parse_table(json: &str) -> Result<Vec<YearDecision>, YearTableError> {
        let file: TableFile = serde_json::from_str(json)?;
        Ok(file
            .years
            .into_iter()
            .map(|y| YearDecision {
                year: y.year,
                sources: y.sources,
                unconfirmed: y.unconfirmed,
            })
            .collect())
    }

    /// The years of the shipped table ([`VN_PUBLIC_SERVANTS_JSON`]).
    pub fn vn_public_servants() -> Result<Vec<YearDecision>, YearTableError> {
        YearDecision::parse_table(VN_PUBLIC_SERVANTS_JSON)
    }
}

#[derive(Deserialize)]
struct DayEntry {
    date: NaiveDate,
    reason: String,
}

impl YearAdjustments {
    /// Parses a table in the format of `vn-public-servants.json`: one
    /// [`YearAdjustments`] per listed year, in file order. Each date must lie
    /// in its year, and no date may be both a day off and a working day.
    pub fn parse_table(json: &str) -> Result<Vec<YearAdjustments>, YearTableError> {
        let file: TableFile = serde_json::from_str(json)?;
        file.years
            .into_iter()
            .map(|entry| {
                let year = entry.year;
                let check =
                    |days: Vec<DayEntry>| -> Result<Vec<(NaiveDate, String)>, YearTableError> {
                        days.into_iter()
                            .map(|d| {
                                if d.date.year() == year {
                                    Ok((d.date, d.reason))
                                } else {
                                    Err(YearTableError::WrongYear { year, date: d.date })
                                }
                            })
                            .collect()
                    };
                let adjustments = YearAdjustments {
                    days_off: check(entry.days_off)?,
                    working_days: check(entry.working_days)?,
                };
                adjustments.validate()?;
                Ok(adjustments)
            })
            .collect()
    }

    /// The shipped decisions for public servants
    /// ([`VN_PUBLIC_SERVANTS_JSON`]).
    pub fn vn_public_servants() -> Result<Vec<YearAdjustments>, YearTableError> {
        YearAdjustments::parse_table(VN_PUBLIC_SERVANTS_JSON)
    }

    /// Refuses a date listed both as a day off and as a working day: one of
    /// the two entries is a mistake, and which would win is not obvious.
    pub fn validate(&self) -> Result<(), YearTableError> {
        for (date, _) in &self.days_off {
            if self.working_days.iter().any(|(w, _)| w == date) {
                return Err(YearTableError::Conflict { date: *date });
            }
        }
        Ok(())
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    #[test]
    fn shipped_table_parses() {
        let table = YearAdjustments::vn_public_servants().unwrap();
        let decided = YearDecision::vn_public_servants().unwrap();
        let years: Vec<i32> = decided.iter().map(|y| y.year).collect();
        assert_eq!(years, (2020..=2026).collect::<Vec<_>>());
        assert_eq!(table.len(), years.len());
        assert!(decided.iter().all(|y| !y.sources.is_empty()));
        let d = |y, m, day| NaiveDate::from_ymd_opt(y, m, day).unwrap();
        assert!(table[5]
            .working_days
            .iter()
            .any(|(w, _)| *w == d(2025, 4, 26)));
        assert!(table[5].days_off.iter().any(|(w, _)| *w == d(2025, 5, 2)));
    }

    #[test]
    fn rejects_dates_outside_their_year_and_conflicts() {
        let wrong =
            r#"{"years": [{"year": 2025, "days_off": [{"date": "2026-01-02", "reason": "x"}]}]}"#;
        assert!(matches!(
            YearAdjustments::parse_table(wrong),
            Err(YearTableError::WrongYear { .. })
        ));
        let both = r#"{"years": [{"year": 2025, "days_off": [{"date": "2025-01-02", "reason": "x"}],
            "working_days": [{"date": "2025-01-02", "reason": "y"}]}]}"#;
        assert!(matches!(
            YearAdjustments::parse_table(both),
            Err(YearTableError::Conflict { .. })
        ));
        assert!(YearAdjustments::parse_table("{").is_err());
    }
}
