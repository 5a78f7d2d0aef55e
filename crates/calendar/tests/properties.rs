//! Property tests of the working-time arithmetic, over real calendars
//! (holidays, compensatory days, the public-servant table) for receipts in
//! 2024–2027.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::OnceLock;

use chrono::{DateTime, Duration, NaiveDate, Timelike, Utc, Weekday};
use motcua_calendar::{CalendarSettings, CountFrom, OfficeHours, WorkingCalendar, YearAdjustments};
use motcua_domain::{DurationUnit, StatutoryDuration};
use proptest::prelude::*;

/// Calendars: the default deployment in both count-from modes, and one
/// with other hours (a 12:00–13:00 lunch, 7.5 h) and Sunday as the only
/// weekly day off.
fn calendars() -> &'static [WorkingCalendar] {
    static CALENDARS: OnceLock<Vec<WorkingCalendar>> = OnceLock::new();
    CALENDARS.get_or_init(|| {
        let table = YearAdjustments::vn_public_servants().unwrap();
        let default = CalendarSettings::default();
        let next_day = CalendarSettings {
            count_from: CountFrom::NextWorkingDay,
            ..CalendarSettings::default()
        };
        let other = CalendarSettings {
            office_hours: OfficeHours::parse("07:30-12:00,13:00-16:00").unwrap(),
            weekly_days_off: vec![Weekday::Sun],
            ..CalendarSettings::default()
        };
        [default, next_day, other]
            .into_iter()
            .map(|s| WorkingCalendar::for_years(s, 2023..=2030, &table))
            .collect()
    })
}

/// Whole-second instants from 2024-01-01 to 2027-12-31 (UTC+7).
fn instant() -> impl Strategy<Value = DateTime<Utc>> {
    let start = NaiveDate::from_ymd_opt(2023, 12, 31)
        .unwrap()
        .and_hms_opt(17, 0, 0)
        .unwrap()
        .and_utc();
    (0i64..4 * 365 * 86_400).prop_map(move |s| start + Duration::seconds(s))
}

fn duration() -> impl Strategy<Value = StatutoryDuration> {
    prop_oneof![
        (1u32..=60).prop_map(StatutoryDuration::working_days),
        (1u32..=200).prop_map(StatutoryDuration::working_hours),
        (1u32..=90).prop_map(StatutoryDuration::calendar_days),
        (0u16..24 * 60).prop_map(StatutoryDuration::same_day),
    ]
}

/// Whether `t` is on a working day, inside an office interval (its ends
/// included: a due time may be 11:30 or 17:00).
fn in_office_hours(cal: &WorkingCalendar, t: DateTime<Utc>) -> bool {
    let local = cal.local(t);
    let second = local.time().num_seconds_from_midnight();
    cal.is_working_day(local.date())
        && cal
            .settings()
            .office_hours
            .intervals()
            .iter()
            .any(|&(s, e)| s <= second && second <= e)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    /// (a) Adding then measuring gives back the working time added.
    #[test]
    fn add_then_measure(c in 0usize..3, from in instant(), seconds in 0i64..=60 * 8 * 3600) {
        let cal = &calendars()[c];
        let to = cal.add_working_seconds(from, seconds);
        prop_assert!(to >= from);
        prop_assert_eq!(cal.working_seconds_between(from, to), seconds);
        // And from a working moment, measuring then adding lands on the
        // earliest instant with that much working time: never after `to`.
        let start = cal.next_working_moment(from);
        let later = to.max(start);
        let back = cal.add_working_seconds(start, cal.working_seconds_between(start, later));
        prop_assert!(back <= later);
        prop_assert_eq!(cal.working_seconds_between(start, back), cal.working_seconds_between(start, later));
    }

    /// (b) A due time is after the receipt, on a working day, inside
    /// office hours, whatever the unit.
    #[test]
    fn due_is_inside_office_hours(c in 0usize..3, received in instant(), duration in duration()) {
        let cal = &calendars()[c];
        let due = cal.due_at(received, &duration);
        prop_assert!(due > received, "due {} before receipt {}", cal.local(due), cal.local(received));
        prop_assert!(in_office_hours(cal, due), "{:?} from {} due {}", duration, cal.local(received), cal.local(due));
        // Working units carry exactly their working time (receipt mode).
        if cal.settings().count_from == CountFrom::Receipt {
            let day = i64::from(cal.settings().office_hours.day_length());
            let expected = match duration.unit {
                DurationUnit::WorkingDays => Some(i64::from(duration.amount) * day),
                DurationUnit::WorkingHours => Some(i64::from(duration.amount) * 3600),
                _ => None,
            };
            if let Some(expected) = expected {
                prop_assert_eq!(cal.working_seconds_between(received, due), expected);
            }
        }
    }

    /// (c) Pausing: a clock with budget `budget` started at `start` and
    /// paused over [p, q] (p before the due time) is due when its budget
    /// is spent outside the pause: `add(q, budget − worked(start, p))`. That
    /// equals the old due time moved by the pause's working time,
    /// `add(due, worked(p, q))` (or the old due time itself when the pause
    /// holds no working time: `add(due, 0)` would skip from an 11:30 due
    /// time to 13:30).
    #[test]
    fn pause_moves_due_by_its_working_time(
        c in 0usize..3,
        from in instant(),
        budget_days in 1i64..=30,
        before_pause in 0.0f64..1.0,
        pause_seconds in 0i64..=45 * 86_400,
    ) {
        let cal = &calendars()[c];
        let day = i64::from(cal.settings().office_hours.day_length());
        let start = cal.next_working_moment(from);
        let budget = budget_days * day;
        let due = cal.add_working_seconds(start, budget);
        let worked_before = ((budget as f64) * before_pause) as i64;
        prop_assume!(worked_before < budget);
        let p = cal.add_working_seconds(start, worked_before);
        let q = p + Duration::seconds(pause_seconds);
        let paused = cal.working_seconds_between(p, q);
        let ledger_due = cal.add_working_seconds(q, budget - cal.working_seconds_between(start, p));
        let moved = if paused > 0 { cal.add_working_seconds(due, paused) } else { due };
        prop_assert_eq!(ledger_due, moved);
        prop_assert_eq!(cal.working_seconds_between(start, ledger_due) - paused, budget);
    }

    /// (d) A later receipt is never due earlier.
    #[test]
    fn due_is_monotonic_in_receipt(
        c in 0usize..3,
        received in instant(),
        later_by in 0i64..=10 * 86_400,
        duration in duration(),
    ) {
        let cal = &calendars()[c];
        let later = received + Duration::seconds(later_by);
        prop_assert!(cal.due_at(received, &duration) <= cal.due_at(later, &duration));
    }

    /// (e) A supervisor's correction (docs/repairs.md): from the entry on,
    /// the appointment and the verdict's measure are the corrected time,
    /// its step's shift measures the move exactly, and a wait after it
    /// moves the corrected time by the wait's working time.
    #[test]
    fn a_correction_sets_the_appointment_and_waits_move_it_on(
        c in 0usize..3,
        received in instant(),
        duration in duration(),
        corrected_in_days in 1i64..=90,
        pause_seconds in 0i64..=20 * 86_400,
    ) {
        use motcua_calendar::clock::{derive, ClockEntry, DueCause};
        let cal = &calendars()[c];
        let start = cal.next_working_moment(received);
        let day = i64::from(cal.settings().office_hours.day_length());
        let new_due = cal.add_working_seconds(start, corrected_in_days * day);
        let at = start + Duration::minutes(1);
        let mut entries = vec![
            ClockEntry::Start { at: start },
            ClockEntry::Correction { at, new_due },
        ];
        let s = derive(cal, &duration, &entries).unwrap();
        prop_assert_eq!(s.due, new_due);
        prop_assert_eq!(s.verdict_due, new_due);
        let step = s.steps.last().unwrap();
        prop_assert_eq!(step.cause, DueCause::Corrected);
        let before = cal.due_at(start, &duration);
        let shift = step.shift_seconds.unwrap();
        if new_due >= before {
            prop_assert_eq!(shift, cal.working_seconds_between(before, new_due));
        } else {
            prop_assert_eq!(-shift, cal.working_seconds_between(new_due, before));
        }
        let p = at + Duration::minutes(1);
        let q = p + Duration::seconds(pause_seconds);
        entries.push(ClockEntry::Pause { at: p });
        entries.push(ClockEntry::Resume { at: q });
        let waited = cal.working_seconds_between(p, q);
        let s = derive(cal, &duration, &entries).unwrap();
        let moved = if waited > 0 { cal.add_working_seconds(new_due, waited) } else { new_due };
        prop_assert_eq!(s.due, moved);
        prop_assert_eq!(s.verdict_due, moved);
    }
}
