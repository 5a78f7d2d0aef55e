//! Due times computed by hand, one table row each, over the deployment's
//! default settings (07:00–11:30 and 13:30–17:00, Monday to Friday,
//! Asia/Ho_Chi_Minh), the built-in holidays and the shipped public-servant
//! table. All times are local.
//!
//! Days off used below:
//! - 2024: Tết 8–14 Feb (table; the rules' compensatory Thu 15 Feb is
//!   worked), 30/4: Mon 29 Apr off, Sat 4 May worked; 2/9: Sun 1 Sep
//!   (adjacent day) → compensatory Tue 3 Sep.
//! - 2025: Tết 25 Jan–2 Feb (Mon 27 Jan from the table, Mon 3 Feb worked);
//!   Hùng Kings Mon 7 Apr; 30/4–1/5 Wed–Thu, Fri 2 May off, Sat 26 Apr
//!   worked; 2/9: Mon 1 and Tue 2 Sep.
//! - 2026: Thu 1 Jan; Tết Mon 16–Fri 20 Feb (14–22 Feb with the weekends);
//!   Hùng Kings Sun 26 Apr → compensatory Mon 27 Apr; Thu 30 Apr, Fri 1 May;
//!   Tue 1 and Wed 2 Sep; Tue 24 Nov (Culture Day).
//! - 2027: Fri 1 Jan; Tết Fri 5 (29 Chạp)–Tue 9 Feb, Sat 6 and Sun 7 →
//!   compensatory Wed 10 and Thu 11 Feb.
//! - 2028: Sat 1 Jan → compensatory Mon 3 Jan. 2029: Sat 24 Nov →
//!   compensatory Mon 26 Nov.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use chrono::{DateTime, NaiveDate, Utc};
use motcua_calendar::{CalendarSettings, CountFrom, WorkingCalendar, YearAdjustments};
use motcua_domain::StatutoryDuration;

type Local = (i32, u32, u32, u32, u32);

struct Case {
    received: Local,
    duration: StatutoryDuration,
    count_from: CountFrom,
    due: Local,
    why: &'static str,
}

fn wd(n: u32) -> StatutoryDuration {
    StatutoryDuration::working_days(n)
}
fn wh(n: u32) -> StatutoryDuration {
    StatutoryDuration::working_hours(n)
}
fn cd(n: u32) -> StatutoryDuration {
    StatutoryDuration::calendar_days(n)
}
fn same_day(h: u16, m: u16) -> StatutoryDuration {
    StatutoryDuration::same_day(h * 60 + m)
}

fn case(received: Local, duration: StatutoryDuration, due: Local, why: &'static str) -> Case {
    Case {
        received,
        duration,
        count_from: CountFrom::Receipt,
        due,
        why,
    }
}

fn next_day_mode(
    received: Local,
    duration: StatutoryDuration,
    due: Local,
    why: &'static str,
) -> Case {
    Case {
        count_from: CountFrom::NextWorkingDay,
        ..case(received, duration, due, why)
    }
}

fn cases() -> Vec<Case> {
    vec![
        // ── Tết 2026 ────────────────────────────────────────────────────
        case((2026, 2, 5, 10, 0), wd(30), (2026, 3, 26, 10, 0),
            "Fri 6 (1), 9–13 Feb (2–6), Tết 16–20, 23–27 Feb (7–11), 2–6 Mar (12–16), 9–13 (17–21), 16–20 (22–26), 23–26 Mar (27–30)"),
        case((2026, 2, 13, 16, 0), wd(1), (2026, 2, 23, 16, 0),
            "Fri before Tết: next working day is Mon 23 Feb"),
        case((2026, 2, 13, 15, 0), wh(4), (2026, 2, 23, 9, 0),
            "2 h on Fri (15–17), 2 h from 07:00 on Mon 23 Feb"),
        case((2026, 2, 18, 9, 0), wd(1), (2026, 2, 23, 17, 0),
            "received during Tết: the clock starts Mon 23 Feb 07:00, 8 h → 17:00"),
        case((2026, 2, 12, 10, 0), cd(3), (2026, 2, 23, 17, 0),
            "Thu + 3 = Sun 15 Feb, off; 16–20 Tết, 21–22 weekend → close of Mon 23"),
        case((2026, 2, 10, 8, 0), cd(10), (2026, 2, 23, 17, 0),
            "Tue + 10 = Fri 20 Feb (Tết) → close of Mon 23"),
        case((2026, 2, 13, 15, 30), same_day(15, 0), (2026, 2, 23, 17, 0),
            "after the 15:00 cut-off on the last day before Tết → close of the next working day, Mon 23"),
        case((2026, 2, 13, 14, 0), same_day(15, 0), (2026, 2, 13, 17, 0),
            "before the cut-off → close of that Friday"),
        next_day_mode((2026, 2, 13, 10, 0), wd(2), (2026, 2, 24, 17, 0),
            "count from the next working day: Mon 23 Feb 07:00, two full days → Tue 24 17:00"),
        case((2026, 2, 13, 11, 0), wh(8), (2026, 2, 23, 11, 0),
            "Fri 11:00–11:30 and 13:30–17:00 = 4 h, then 07:00–11:00 on Mon 23"),
        case((2026, 2, 12, 9, 0), wh(40), (2026, 2, 26, 9, 0),
            "Thu 6 h, Fri 8 h (14), Mon 23, Tue 24, Wed 25 (38), 2 h on Thu 26"),
        case((2026, 2, 2, 9, 0), wd(15), (2026, 3, 2, 9, 0),
            "3–6 Feb (1–4), 9–13 (5–9), Tết, 23–27 (10–14), Mon 2 Mar (15)"),
        case((2026, 2, 17, 10, 0), same_day(15, 0), (2026, 2, 23, 17, 0),
            "received on Tết day (lunar 1/1): next opening Mon 23 07:00 is before the cut-off"),
        // ── Compensatory days ───────────────────────────────────────────
        case((2026, 4, 24, 10, 0), wd(1), (2026, 4, 28, 10, 0),
            "Hùng Kings' day Sun 26 Apr → Mon 27 off: next working day Tue 28"),
        case((2026, 4, 24, 10, 0), wd(3), (2026, 5, 4, 10, 0),
            "Tue 28 (1), Wed 29 (2), 30/4 and 1/5 off, weekend, Mon 4 May (3)"),
        case((2026, 4, 24, 10, 0), cd(2), (2026, 4, 28, 17, 0),
            "Fri + 2 = Sun 26 (holiday), Mon 27 compensatory → close of Tue 28"),
        case((2024, 8, 30, 10, 0), wd(1), (2024, 9, 4, 10, 0),
            "2/9/2024 Mon, 1/9 Sun → compensatory Tue 3: next working day Wed 4"),
        case((2027, 2, 4, 14, 0), wd(2), (2027, 2, 15, 14, 0),
            "Tết 2027 Fri 5–Tue 9 + compensatory Wed 10, Thu 11: Fri 12 (1), Mon 15 (2)"),
        case((2029, 11, 23, 10, 0), wd(1), (2029, 11, 27, 10, 0),
            "Culture Day Sat 24 Nov 2029 → compensatory Mon 26: Tue 27"),
        case((2026, 11, 23, 16, 0), wd(1), (2026, 11, 25, 16, 0),
            "Culture Day Tue 24 Nov 2026 (first year) skipped"),
        case((2026, 8, 28, 10, 0), wd(1), (2026, 9, 3, 10, 0),
            "National Day 2026 (Thông báo 9441/TB-BNV): Sat 29 Aug to Wed 2 Sep off, Mon 31 swapped → Thu 3"),
        case((2026, 8, 21, 10, 0), wd(1), (2026, 8, 22, 10, 0),
            "Sat 22 Aug 2026 is the make-up day for Mon 31 Aug → worked"),
        case((2025, 4, 4, 10, 0), wd(1), (2025, 4, 8, 10, 0),
            "Hùng Kings' day 2025 Mon 7 Apr → Tue 8"),
        // ── Make-up working days and table swaps ────────────────────────
        case((2025, 4, 25, 10, 0), wd(1), (2025, 4, 26, 10, 0),
            "Sat 26 Apr 2025 is a make-up working day"),
        case((2025, 4, 26, 9, 0), wh(2), (2025, 4, 26, 11, 0),
            "received on the make-up Saturday itself, office hours as usual"),
        case((2025, 4, 29, 10, 0), wd(1), (2025, 5, 5, 10, 0),
            "30/4, 1/5 holidays, Fri 2 May swapped off, weekend → Mon 5 May"),
        case((2024, 5, 3, 15, 0), wd(1), (2024, 5, 4, 15, 0),
            "Sat 4 May 2024 is a make-up working day"),
        case((2024, 5, 4, 10, 0), same_day(15, 0), (2024, 5, 4, 17, 0),
            "same-day on a make-up Saturday closes that Saturday"),
        case((2024, 4, 26, 16, 0), wd(1), (2024, 5, 2, 16, 0),
            "Mon 29 Apr 2024 swapped off, 30/4, 1/5 holidays → Thu 2 May"),
        case((2025, 1, 24, 10, 0), wd(1), (2025, 2, 3, 10, 0),
            "Tết 2025: off 25 Jan–2 Feb; Mon 3 Feb (the rules' compensatory day) is worked"),
        case((2024, 2, 7, 10, 0), wd(1), (2024, 2, 15, 10, 0),
            "Tết 2024: off 8–14 Feb; Thu 15 (the rules' second compensatory day) is worked"),
        case((2024, 2, 7, 10, 0), cd(3), (2024, 2, 15, 17, 0),
            "Wed + 3 = Sat 10 Feb (Tết) → close of Thu 15"),
        // ── Lunch break ─────────────────────────────────────────────────
        case((2026, 10, 7, 11, 0), wh(1), (2026, 10, 7, 14, 0),
            "30 min before lunch, 30 min after 13:30"),
        case((2026, 10, 7, 12, 15), wh(1), (2026, 10, 7, 14, 30),
            "received at lunch: the clock starts at 13:30"),
        case((2026, 10, 7, 9, 30), wh(2), (2026, 10, 7, 11, 30),
            "ends exactly at the start of lunch and stays there"),
        case((2026, 10, 7, 11, 30), wd(1), (2026, 10, 8, 11, 30),
            "from 11:30: 3.5 h in the afternoon, 4.5 h next morning"),
        case((2026, 10, 7, 11, 45), same_day(11, 0), (2026, 10, 8, 17, 0),
            "received at lunch; the clock's start, 13:30, is after an 11:00 cut-off"),
        case((2026, 10, 7, 12, 30), same_day(15, 0), (2026, 10, 7, 17, 0),
            "received at lunch, next opening 13:30 is before a 15:00 cut-off"),
        // ── After hours ─────────────────────────────────────────────────
        case((2026, 10, 7, 18, 30), wd(1), (2026, 10, 8, 17, 0),
            "evening receipt starts Thu 07:00: a full day ends Thu 17:00"),
        case((2026, 10, 7, 6, 0), wh(2), (2026, 10, 7, 9, 0),
            "early receipt starts at 07:00"),
        case((2026, 10, 9, 17, 0), wh(1), (2026, 10, 12, 8, 0),
            "received at Friday's close: Mon 07:00 + 1 h"),
        case((2026, 10, 9, 20, 0), same_day(15, 0), (2026, 10, 12, 17, 0),
            "Friday evening: next opening Mon 07:00 is before the cut-off"),
        case((2026, 10, 9, 20, 0), cd(1), (2026, 10, 12, 17, 0),
            "Fri + 1 = Sat → close of Mon (the day of receipt is not counted, art. 147)"),
        next_day_mode((2026, 10, 9, 20, 0), wd(1), (2026, 10, 12, 17, 0),
            "count from the next working day after Friday: Mon 07:00 + 8 h"),
        next_day_mode((2026, 10, 7, 10, 0), wd(3), (2026, 10, 12, 17, 0),
            "count from Thu 07:00: Thu, Fri, Mon"),
        next_day_mode((2026, 10, 7, 10, 0), cd(3), (2026, 10, 12, 17, 0),
            "calendar days ignore the setting: Wed + 3 = Sat → close of Mon"),
        // ── Year boundaries ─────────────────────────────────────────────
        case((2025, 12, 31, 10, 0), wd(1), (2026, 1, 5, 10, 0),
            "1 Jan 2026 (Thu) holiday, Fri 2 swapped off (Công văn 12729/VPCP-KGVX), weekend → Mon 5 Jan"),
        case((2026, 12, 31, 15, 0), wd(1), (2027, 1, 4, 15, 0),
            "1 Jan 2027 (Fri) holiday, weekend → Mon 4 Jan"),
        case((2026, 12, 30, 10, 0), cd(5), (2027, 1, 4, 17, 0),
            "Wed + 5 = Mon 4 Jan 2027, a working day → its close"),
        case((2026, 12, 29, 10, 0), cd(3), (2027, 1, 4, 17, 0),
            "Tue + 3 = Fri 1 Jan (holiday), weekend → close of Mon 4"),
        case((2026, 12, 31, 16, 0), wh(2), (2027, 1, 4, 8, 0),
            "1 h on 31 Dec, 1 h on Mon 4 Jan 2027"),
        case((2027, 12, 31, 10, 0), wd(1), (2028, 1, 4, 10, 0),
            "1 Jan 2028 is a Saturday → compensatory Mon 3 Jan: Tue 4"),
        // ── Long durations in each unit ─────────────────────────────────
        case((2026, 1, 5, 8, 0), wd(20), (2026, 1, 30, 8, 0),
            "6–9 Jan (1–4), Sat 10 worked for Fri 2 (5), 12–16 (6–10), 19–23 (11–15), 26–30 (16–20)"),
        case((2026, 1, 5, 8, 0), cd(30), (2026, 2, 4, 17, 0),
            "Mon 5 Jan + 30 = Wed 4 Feb, a working day → its close"),
    ]
}

fn local(cal: &WorkingCalendar, (y, m, d, h, mi): Local) -> DateTime<Utc> {
    cal.to_utc(
        NaiveDate::from_ymd_opt(y, m, d)
            .unwrap()
            .and_hms_opt(h, mi, 0)
            .unwrap(),
    )
}

#[test]
fn hand_computed_due_times() {
    let table = YearAdjustments::vn_public_servants().unwrap();
    let mut failures = Vec::new();
    let cases = cases();
    assert!(cases.len() >= 40);
    for case in &cases {
        let settings = CalendarSettings {
            count_from: case.count_from,
            ..CalendarSettings::default()
        };
        let cal = WorkingCalendar::for_years(settings, 2023..=2030, &table);
        let due = cal.due_at(local(&cal, case.received), &case.duration);
        let expected = local(&cal, case.due);
        if due != expected {
            failures.push(format!(
                "{:?} + {:?}: got {}, expected {} ({})",
                case.received,
                case.duration,
                cal.local(due),
                cal.local(expected),
                case.why
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} cases wrong:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
}
