//! Every day of 2020–2026 against the government's decisions for public
//! servants, as published (docs/calendar-sources.md names each document):
//! the weekdays offices close and the Saturdays they open. The lists are
//! written from the decisions, not from the calendar, so a rule or a table
//! entry that disagrees with a decision fails here, day by day.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use chrono::{Datelike, NaiveDate, Weekday};
use motcua_calendar::{CalendarSettings, WorkingCalendar, YearAdjustments};

/// (year, weekdays off as (month, day), weekend days worked).
type Year = (i32, &'static [(u32, u32)], &'static [(u32, u32)]);

const DECIDED: &[Year] = &[
    // Labour Code 2012: one day for the National Day. Tết 23–29 Jan.
    (
        2020,
        &[
            (1, 1),
            (1, 23),
            (1, 24),
            (1, 27),
            (1, 28),
            (1, 29),
            (4, 2),
            (4, 30),
            (5, 1),
            (9, 2),
        ],
        &[],
    ),
    // Tết 10–16 Feb (Thông báo 4875/TB-LĐTBXH); National Day 2–3 Sep.
    (
        2021,
        &[
            (1, 1),
            (2, 10),
            (2, 11),
            (2, 12),
            (2, 15),
            (2, 16),
            (4, 21),
            (4, 30),
            (5, 3),
            (9, 2),
            (9, 3),
        ],
        &[],
    ),
    // Công văn 245/VPCP-KGVX: everything as the Labour Code gives it.
    (
        2022,
        &[
            (1, 3),
            (1, 31),
            (2, 1),
            (2, 2),
            (2, 3),
            (2, 4),
            (4, 11),
            (5, 2),
            (5, 3),
            (9, 1),
            (9, 2),
        ],
        &[],
    ),
    // Tết 20–26 Jan (Công văn 8056/VPCP-KGVX); 29 Apr–3 May; 1–4 Sep.
    (
        2023,
        &[
            (1, 2),
            (1, 20),
            (1, 23),
            (1, 24),
            (1, 25),
            (1, 26),
            (5, 1),
            (5, 2),
            (5, 3),
            (9, 1),
            (9, 4),
        ],
        &[],
    ),
    // Tết 8–14 Feb (8662/VPCP-KGVX); 27 Apr–1 May with Sat 4 May worked
    // (2450/VPCP-KGVX); 31 Aug–3 Sep.
    (
        2024,
        &[
            (1, 1),
            (2, 8),
            (2, 9),
            (2, 12),
            (2, 13),
            (2, 14),
            (4, 18),
            (4, 29),
            (4, 30),
            (5, 1),
            (9, 2),
            (9, 3),
        ],
        &[(5, 4)],
    ),
    // Tết 25 Jan–2 Feb (8726/VPCP-KGVX); 30 Apr–4 May with Sat 26 Apr
    // worked; 30 Aug–2 Sep.
    (
        2025,
        &[
            (1, 1),
            (1, 27),
            (1, 28),
            (1, 29),
            (1, 30),
            (1, 31),
            (4, 7),
            (4, 30),
            (5, 1),
            (5, 2),
            (9, 1),
            (9, 2),
        ],
        &[(4, 26)],
    ),
    // New Year 1–4 Jan with Sat 10 Jan worked (12729/VPCP-KGVX); Tết
    // 14–22 Feb; 25–27 Apr; 30 Apr–3 May; 29 Aug–2 Sep with Sat 22 Aug
    // worked (9441/TB-BNV); Vietnam Culture Day 24 Nov.
    (
        2026,
        &[
            (1, 1),
            (1, 2),
            (2, 16),
            (2, 17),
            (2, 18),
            (2, 19),
            (2, 20),
            (4, 27),
            (4, 30),
            (5, 1),
            (8, 31),
            (9, 1),
            (9, 2),
            (11, 24),
        ],
        &[(1, 10), (8, 22)],
    ),
];

#[test]
fn every_day_of_the_decided_years_is_as_decided() {
    let table = YearAdjustments::vn_public_servants().unwrap();
    let cal = WorkingCalendar::for_years(CalendarSettings::default(), 2019..=2027, &table);
    let mut wrong = Vec::new();
    let mut days = 0;
    for (year, off, worked) in DECIDED {
        let mut date = NaiveDate::from_ymd_opt(*year, 1, 1).unwrap();
        while date.year() == *year {
            let md = (date.month(), date.day());
            let weekend = matches!(date.weekday(), Weekday::Sat | Weekday::Sun);
            let decided_working = if weekend {
                worked.contains(&md)
            } else {
                !off.contains(&md)
            };
            if cal.is_working_day(date) != decided_working {
                wrong.push(format!(
                    "{date} ({}): decided {}, the calendar says {}",
                    date.weekday(),
                    if decided_working { "working" } else { "off" },
                    if decided_working { "off" } else { "working" },
                ));
            }
            days += 1;
            date = date.succ_opt().unwrap();
        }
    }
    assert_eq!(days, 7 * 365 + 2);
    assert!(
        wrong.is_empty(),
        "{} days differ:\n{}",
        wrong.len(),
        wrong.join("\n")
    );
}
