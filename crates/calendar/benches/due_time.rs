//! Due-time computation cost: 30 working days across Tết 2026 (the
//! longest common case: ~47 calendar days walked, a 5-day holiday inside).
//! Target: under 2 µs.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::hint::black_box;

use chrono::NaiveDate;
use criterion::{criterion_group, criterion_main, Criterion};
use motcua_calendar::{CalendarSettings, WorkingCalendar, YearAdjustments};
use motcua_domain::StatutoryDuration;

fn due_time(c: &mut Criterion) {
    let table = YearAdjustments::vn_public_servants().unwrap();
    let cal = WorkingCalendar::for_years(CalendarSettings::default(), 2024..=2027, &table);
    let received = cal.to_utc(
        NaiveDate::from_ymd_opt(2026, 2, 5)
            .unwrap()
            .and_hms_opt(10, 0, 0)
            .unwrap(),
    );
    let thirty_days = StatutoryDuration::working_days(30);
    assert_eq!(
        cal.local(cal.due_at(received, &thirty_days)),
        NaiveDate::from_ymd_opt(2026, 3, 26)
            .unwrap()
            .and_hms_opt(10, 0, 0)
            .unwrap()
    );

    c.bench_function("due_at 30 working days across Tết 2026", |b| {
        b.iter(|| cal.due_at(black_box(received), black_box(&thirty_days)))
    });
    let calendar_days = StatutoryDuration::calendar_days(30);
    c.bench_function("due_at 30 calendar days across Tết 2026", |b| {
        b.iter(|| cal.due_at(black_box(received), black_box(&calendar_days)))
    });
    let due = cal.due_at(received, &thirty_days);
    c.bench_function("working_seconds_between across Tết 2026", |b| {
        b.iter(|| cal.working_seconds_between(black_box(received), black_box(due)))
    });
    c.bench_function("build calendar 2024-2027 with table", |b| {
        b.iter(|| {
            WorkingCalendar::for_years(CalendarSettings::default(), black_box(2024..=2027), &table)
        })
    });
}

criterion_group!(benches, due_time);
criterion_main!(benches);
