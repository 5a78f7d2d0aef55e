//! The periods reports are made for: a month (`2026-11`), a quarter
//! (`2026-Q4`), a half year (`2026-H2`), a year (`2026`), or any range of
//! days. Periods are whole local days, first and last included; the
//! reporting code turns them into instants with the desk's calendar.

use chrono::{Datelike, Months, NaiveDate};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::DomainError;

/// The years a report may cover, as every date the desk accepts.
pub const YEARS: std::ops::RangeInclusive<i32> = 1900..=2100;

/// A reporting period: whole local days from `first` to `last`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Period {
    /// As asked (`2026-11`, `2026-Q4`, `2026-H2`, `2026`) or
    /// `FIRST..LAST` for a range of days.
    #[schema(example = "2026-Q4")]
    pub name: String,
    #[schema(example = "2026-10-01")]
    pub first: NaiveDate,
    #[schema(example = "2026-12-31")]
    pub last: NaiveDate,
}

impl Period {
    /// A named period: `YYYY`, `YYYY-Hn`, `YYYY-Qn` or `YYYY-MM`.
    pub fn parse(s: &str) -> Result<Period, DomainError> {
        let bad = || {
            DomainError::invalid(
                "period",
                "use YYYY, YYYY-H1/H2, YYYY-Q1..Q4 or YYYY-MM (1900 to 2100)",
            )
        };
        let s = s.trim();
        let (year, part) = match s.split_once('-') {
            Some((y, p)) => (y, Some(p)),
            None => (s, None),
        };
        if year.len() != 4 {
            return Err(bad());
        }
        let year: i32 = year.parse().map_err(|_| bad())?;
        if !YEARS.contains(&year) {
            return Err(bad());
        }
        let (first_month, months) = match part {
            None => (1, 12),
            Some("H1") => (1, 6),
            Some("H2") => (7, 6),
            Some(q) if q.len() == 2 && q.starts_with('Q') => match &q[1..] {
                "1" => (1, 3),
                "2" => (4, 3),
                "3" => (7, 3),
                "4" => (10, 3),
                _ => return Err(bad()),
            },
            Some(m) if m.len() == 2 => match m.parse::<u32>() {
                Ok(m) if (1..=12).contains(&m) => (m, 1),
                _ => return Err(bad()),
            },
            Some(_) => return Err(bad()),
        };
        let first = NaiveDate::from_ymd_opt(year, first_month, 1).ok_or_else(bad)?;
        let last = first
            .checked_add_months(Months::new(months))
            .and_then(|d| d.pred_opt())
            .ok_or_else(bad)?;
        Ok(Period {
            name: s.to_string(),
            first,
            last,
        })
    }

    /// The days from `first` to `last`, both included.
    pub fn between(first: NaiveDate, last: NaiveDate) -> Result<Period, DomainError> {
        if !YEARS.contains(&first.year()) || !YEARS.contains(&last.year()) {
            return Err(DomainError::invalid("from", "must be from 1900 to 2100"));
        }
        if last < first {
            return Err(DomainError::invalid("to", "must not be before `from`"));
        }
        Ok(Period {
            name: format!("{first}..{last}"),
            first,
            last,
        })
    }

    /// The day after the last, where the period ends.
    pub fn end(&self) -> NaiveDate {
        self.last.succ_opt().unwrap_or(self.last)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn day(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn named_periods_cover_whole_months() {
        let cases = [
            ("2026-11", "2026-11-01", "2026-11-30"),
            ("2024-02", "2024-02-01", "2024-02-29"),
            ("2026-Q4", "2026-10-01", "2026-12-31"),
            ("2026-Q1", "2026-01-01", "2026-03-31"),
            ("2026-H2", "2026-07-01", "2026-12-31"),
            ("2026-H1", "2026-01-01", "2026-06-30"),
            ("2026", "2026-01-01", "2026-12-31"),
        ];
        for (name, first, last) in cases {
            let p = Period::parse(name).unwrap();
            assert_eq!((p.first, p.last), (day(first), day(last)), "{name}");
            assert_eq!(p.name, name);
        }
    }

    #[test]
    fn anything_else_is_refused() {
        for bad in [
            "",
            "26",
            "2026-13",
            "2026-00",
            "2026-Q5",
            "2026-Q0",
            "2026-H3",
            "2026-1",
            "1899",
            "2101-01",
            "2026-q4",
            "2026-11-01",
            "abcd",
            "2026-",
        ] {
            assert!(Period::parse(bad).is_err(), "{bad:?}");
        }
        assert!(Period::between(day("2026-02-01"), day("2026-01-31")).is_err());
        assert!(Period::between(day("1899-12-31"), day("2026-01-31")).is_err());
    }

    proptest! {
        /// The quarters of a year, in order, cover it day by day, with no
        /// gap and no overlap; so do its halves and its months.
        #[test]
        fn the_parts_of_a_year_cover_it_exactly(year in 1900i32..=2100) {
            let whole = Period::parse(&format!("{year}")).unwrap();
            for parts in [
                (1..=4).map(|q| format!("{year}-Q{q}")).collect::<Vec<_>>(),
                (1..=2).map(|h| format!("{year}-H{h}")).collect(),
                (1..=12).map(|m| format!("{year}-{m:02}")).collect(),
            ] {
                let mut next = whole.first;
                for name in parts {
                    let p = Period::parse(&name).unwrap();
                    prop_assert_eq!(p.first, next, "{}", name);
                    prop_assert!(p.last >= p.first);
                    next = p.end();
                }
                prop_assert_eq!(next, whole.end());
            }
        }
    }
}
