//! The results report adds up on any dossiers: for every row and the
//! total, to handle = carried over + received = handled + withdrawn +
//! still open; received, handled and open split into their parts without
//! remainder; and the rows sum to the total. Generated dossiers, received,
//! ended and withdrawn at any times around a period.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use chrono::{DateTime, Duration, Utc};
use motcua_calendar::{CalendarSettings, WorkingCalendar, YearAdjustments};
use motcua_domain::Period;
use motcua_reports::results::{count, By, Counts, Span};
use motcua_store::reports::ReportDossier;
use proptest::prelude::*;

fn calendar() -> WorkingCalendar {
    WorkingCalendar::for_years(
        CalendarSettings::default(),
        2025..=2027,
        &YearAdjustments::vn_public_servants().unwrap(),
    )
}

/// `hours` after the start of 1 October 2026 in Vietnam (2208 hours is
/// the end of the year there).
fn at(hours: i64) -> DateTime<Utc> {
    let midnight = chrono::NaiveDate::from_ymd_opt(2026, 10, 1)
        .unwrap()
        .and_time(chrono::NaiveTime::MIN);
    calendar().to_utc(midnight) + Duration::hours(hours)
}

prop_compose! {
    fn dossier()(
        agency in 0..3usize, procedure in 0..4usize, channel in 1..=3i32,
        received in -2000i64..4000, due_after in 1i64..500,
        end in prop::option::of(0i64..3000), withdrawn in any::<bool>(),
        verdict in 0..3usize, stopped in any::<bool>(), requests in 0..3i32, extended in any::<bool>(),
        officer in prop::option::of(0..3usize),
    ) -> ReportDossier {
        let received_at = at(received);
        let end = end.map(|e| received_at + Duration::hours(e));
        let (ended_at, withdrawn_at) = if withdrawn { (None, end) } else { (end, None) };
        ReportDossier {
            handling_agency: format!("A{agency}"),
            procedure_code: format!("P{procedure}"),
            procedure_name: format!("Procedure {procedure}"),
            field: format!("F{}", procedure % 2),
            channel,
            status_code: if stopped { 8 } else { 9 },
            received_at,
            due_at: received_at + Duration::hours(due_after),
            ended_at,
            verdict: ended_at.map(|_| ["early", "on_time", "late"][verdict].to_string()),
            withdrawn_at,
            supplement_requests: requests,
            extended,
            member: false,
            officer: officer.map(|o| (format!("u{o}"), format!("Officer {o}"))),
        }
    }
}

fn adds_up(c: &Counts) {
    assert_eq!(c.to_handle, c.carried_over + c.received);
    assert_eq!(c.to_handle, c.handled + c.withdrawn + c.open);
    assert_eq!(
        c.received,
        c.received_counter + c.received_online + c.received_post
    );
    assert_eq!(
        c.handled,
        c.handled_early + c.handled_on_time + c.handled_late
    );
    assert_eq!(c.open, c.open_within_time + c.open_overdue);
    assert!(c.stopped <= c.handled);
}

proptest! {
    #[test]
    fn every_row_and_the_total_add_up(
        dossiers in prop::collection::vec(dossier(), 0..60),
        by in prop::sample::select(vec![By::Agency, By::Procedure, By::Field, By::Officer]),
        cut in 0i64..2500,
    ) {
        let period = Period::parse("2026-Q4").unwrap();
        let span = Span { from: at(0), to: at(2208), as_of: at(cut.min(2208)) };
        let report = count(&calendar(), period, span, by, vec![], &dossiers);
        adds_up(&report.total);
        let mut sum = Counts::default();
        for row in &report.rows {
            adds_up(&row.counts);
            sum.to_handle += row.counts.to_handle;
            sum.handled += row.counts.handled;
            sum.open_overdue += row.counts.open_overdue;
            sum.withdrawn += row.counts.withdrawn;
            sum.supplement_requests += row.counts.supplement_requests;
        }
        prop_assert_eq!(sum.to_handle, report.total.to_handle);
        prop_assert_eq!(sum.handled, report.total.handled);
        prop_assert_eq!(sum.open_overdue, report.total.open_overdue);
        prop_assert_eq!(sum.withdrawn, report.total.withdrawn);
        prop_assert_eq!(sum.supplement_requests, report.total.supplement_requests);
        // Every dossier that concerns the period is counted once.
        let concerned = dossiers.iter().filter(|d| {
            d.received_at < span.to
                && d.ended_at.is_none_or(|t| t >= span.from)
                && d.withdrawn_at.is_none_or(|t| t >= span.from)
        }).count() as u64;
        prop_assert_eq!(report.total.to_handle, concerned);
    }

    /// Months and quarters are periods of their own: each adds up, and
    /// what arrives, ends or is withdrawn in them adds up to the whole.
    #[test]
    fn months_and_quarters_add_up_to_the_period(
        dossiers in prop::collection::vec(dossier(), 0..60),
        by in prop::sample::select(vec![By::Month, By::Quarter]),
    ) {
        let period = Period::parse("2026-H2").unwrap();
        let span = Span { from: at(-2208), to: at(2208), as_of: at(2208) };
        let report = count(&calendar(), period, span, by, vec![], &dossiers);
        prop_assert_eq!(report.rows.len(), if by == By::Month { 6 } else { 2 });
        let (mut received, mut handled, mut withdrawn) = (0, 0, 0);
        for row in &report.rows {
            adds_up(&row.counts);
            received += row.counts.received;
            handled += row.counts.handled;
            withdrawn += row.counts.withdrawn;
        }
        prop_assert_eq!(received, report.total.received);
        prop_assert_eq!(handled, report.total.handled);
        prop_assert_eq!(withdrawn, report.total.withdrawn);
    }
}
