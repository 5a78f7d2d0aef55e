//! The results report adds up on any dossiers: for every row and the
//! total, to handle = carried over + received + handed in = handled +
//! withdrawn + still open; received, handled and open split into their
//! parts without remainder; rows that split the dossiers sum to the total
//! in every column; rows by agency or unit count a handed dossier once at
//! each agency, exceeding the total by exactly the handovers between
//! them. Generated dossiers, received, handed between agencies (some
//! outside the report), ended and withdrawn at any times around a period.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::collections::HashMap;

use chrono::{DateTime, Duration, Utc};
use common::adds_up;
use motcua_calendar::{CalendarSettings, WorkingCalendar, YearAdjustments};
use motcua_domain::Period;
use motcua_reports::results::{count, count_lines, By, Counts, Scope, Span};
use motcua_store::reports::{Move, Refusal, ReportDossier};
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

/// A0, A1 and A2 are reported on; X is an agency outside the report.
const AGENCIES: [&str; 4] = ["A0", "A1", "A2", "X"];
/// The service levels, as the catalogue names them.
const LEVELS: [&str; 3] = ["not_online", "partly_online", "fully_online"];
const RATINGS: [&str; 3] = ["very_satisfied", "satisfied", "not_satisfied"];
const VERDICTS: [&str; 3] = ["early", "on_time", "late"];

prop_compose! {
    fn dossier()(
        path in prop::collection::vec((0..4usize, 1i64..400, 0..3usize), 1..5),
        procedure in 0..4usize, channel in 1..=3i32,
        received in -2000i64..4000, due_after in 1i64..500,
        end in prop::option::of(0i64..3000), withdrawn in any::<bool>(),
        verdict in 0..3usize, stopped in any::<bool>(),
        requests in prop::collection::vec(0i64..3000, 0..3), extended in prop::option::of(0i64..3000),
        officer in prop::option::of(0..3usize), paid in prop::option::of((0..3usize, 0i64..3000)),
        follower in any::<bool>(), tag in any::<u32>(), rating in prop::option::of(0..3usize),
    ) -> ReportDossier {
        let received_at = at(received);
        let end = end.map(|e| received_at + Duration::hours(e));
        let (ended_at, withdrawn_at) = if withdrawn { (None, end) } else { (end, None) };
        // Handovers along the path, before the dossier ended.
        let mut moves = Vec::new();
        let mut when = received_at;
        for pair in path.windows(2) {
            when += Duration::hours(pair[1].1);
            if end.is_some_and(|e| when >= e) {
                break;
            }
            moves.push(Move {
                from_agency: AGENCIES[pair[0].0].into(),
                to_agency: AGENCIES[pair[1].0].into(),
                at: when,
                leg_verdict: VERDICTS[pair[0].2].into(),
            });
        }
        let first_agency = AGENCIES[path[0].0].to_string();
        // Requests, extensions and payments happen while it is processed.
        let during = |h: i64| Some(received_at + Duration::hours(h)).filter(|t| end.is_none_or(|e| *t < e));
        ReportDossier {
            id: String::new(),
            code: format!("D{tag}"),
            handling_agency: moves.last().map_or(first_agency.clone(), |m| m.to_agency.clone()),
            first_agency,
            moves,
            procedure_code: format!("P{procedure}"),
            procedure_name: format!("Procedure {procedure}"),
            field: format!("F{}", procedure % 2),
            service_level: LEVELS[procedure % 3].into(),
            case_key: format!("P{procedure}/{}", procedure % 2),
            case_label: format!("P{procedure} case {}", procedure % 2),
            channel,
            status_code: if stopped { 8 } else { 9 },
            received_at,
            due_at: received_at + Duration::hours(due_after),
            ended_at,
            verdict: ended_at.map(|_| VERDICTS[verdict].to_string()),
            withdrawn_at,
            supplement_requests: requests
                .iter()
                .filter_map(|h| during(*h))
                .enumerate()
                .map(|(i, at)| (at, i as i32 + 1))
                .collect(),
            extended_at: extended.and_then(during),
            follower,
            officer: officer.map(|o| (format!("u{o}"), format!("Officer {o}"))),
            rating: ended_at.and(rating).map(|r| RATINGS[r].to_string()),
            complained: ended_at.is_some() && rating == Some(1),
            payment_channel: paid.map(|(p, _)| ["online", "counter", "transfer"][p].to_string()),
            paid_at: paid.and_then(|(_, h)| during(h)),
            represented: tag % 3 == 0,
            return_method: (ended_at.is_some() && !stopped)
                .then(|| ["counter", "post", "online"][(tag % 4) as usize % 3].to_string())
                .filter(|_| tag % 4 != 3),
        }
    }
}

prop_compose! {
    fn refusal()(agency in 0..4usize, procedure in 0..4usize, when in -500i64..2500) -> Refusal {
        Refusal {
            agency: AGENCIES[agency].into(),
            procedure_code: format!("P{procedure}"),
            procedure_name: format!("Procedure {procedure}"),
            field: format!("F{}", procedure % 2),
            service_level: LEVELS[procedure % 3].into(),
            officer: None,
            at: at(when),
        }
    }
}

/// The report on A0, A1 and A2 with each its own row, or by unit (A0's
/// own, and A1 with A2 below it).
fn scope(by: By) -> Scope {
    let mut s = Scope::flat(AGENCIES[..3].iter().map(|a| a.to_string()));
    if by == By::Unit {
        s.rows.insert("A2".into(), ("A1".into(), "A1".into()));
    }
    s
}

/// Each count column of `rows` summed.
fn sums(rows: &[Counts]) -> HashMap<&'static str, u64> {
    let mut out = HashMap::new();
    for c in std::iter::once(&Counts::default()).chain(rows) {
        for (name, value) in [
            ("to_handle", c.to_handle),
            ("carried_over", c.carried_over),
            ("received", c.received),
            ("handed_in", c.handed_in),
            ("handled", c.handled),
            ("passed_on", c.passed_on),
            ("open", c.open),
            ("open_overdue", c.open_overdue),
            ("withdrawn", c.withdrawn),
            ("refused", c.refused),
            ("supplement_requests", c.supplement_requests),
            ("supplemented", c.supplemented),
            ("paid", c.paid),
            ("paid_online", c.paid_online),
            ("extensions", c.extensions),
        ] {
            *out.entry(name).or_default() += value;
        }
    }
    out
}

proptest! {
    #[test]
    fn every_row_and_the_total_add_up(
        dossiers in prop::collection::vec(dossier(), 0..60),
        refusals in prop::collection::vec(refusal(), 0..8),
        by in prop::sample::select(vec![By::Agency, By::Unit, By::Procedure, By::Field, By::ServiceLevel, By::Case, By::Officer]),
        cut in 0i64..2500,
    ) {
        let period = Period::parse("2026-Q4").unwrap();
        let span = Span { from: at(0), to: at(2208), as_of: at(cut.min(2208)) };
        let (rows, total) = count(&calendar(), &period, span, by, &scope(by), &dossiers, &refusals);
        adds_up(&total);
        let counts: Vec<Counts> = rows.iter().map(|r| r.counts.clone()).collect();
        counts.iter().for_each(adds_up);
        let sum = sums(&counts);
        let whole = sums(std::slice::from_ref(&total));
        if matches!(by, By::Agency | By::Unit) {
            // What arrives from outside the report, ends, stays or is
            // withdrawn is at one agency at a time: it adds up.
            for f in [
                "carried_over", "received", "open", "open_overdue", "withdrawn", "refused",
                "supplement_requests", "supplemented", "paid", "paid_online", "extensions",
            ] {
                prop_assert_eq!(sum[f], whole[f], "{}", f);
            }
            // Handovers between the rows' agencies count at both ends.
            let internal = sum["passed_on"] - whole["passed_on"];
            prop_assert_eq!(sum["handed_in"] - whole["handed_in"], internal);
            prop_assert_eq!(sum["to_handle"] - whole["to_handle"], internal);
            prop_assert_eq!(sum["handled"] - whole["handled"], internal);
        } else {
            prop_assert_eq!(sum, whole);
        }
    }

    /// With every agency in the report, nothing comes from or goes
    /// outside (only an interlinked group's members come in with it), and
    /// every dossier that concerns the period is counted once.
    #[test]
    fn with_every_agency_each_dossier_is_counted_once(
        dossiers in prop::collection::vec(dossier(), 0..60),
    ) {
        let period = Period::parse("2026-Q4").unwrap();
        let span = Span { from: at(0), to: at(2208), as_of: at(2208) };
        let all = Scope::flat(AGENCIES.iter().map(|a| a.to_string()));
        let (_, total) = count(&calendar(), &period, span, By::Procedure, &all, &dossiers, &[]);
        // Nothing goes outside; what is handed in came with a group.
        prop_assert_eq!(total.passed_on, 0);
        let members = dossiers.iter().filter(|d| d.follower).count() as u64;
        prop_assert!(total.handed_in <= members);
        let concerned = dossiers.iter().filter(|d| {
            d.received_at < span.to
                && d.ended_at.is_none_or(|t| t >= span.from)
                && d.withdrawn_at.is_none_or(|t| t >= span.from)
        }).count() as u64;
        prop_assert_eq!(total.to_handle, concerned);
    }

    /// Months and quarters are periods of their own, each adding up, and
    /// one after the other they are the period: what was carried over
    /// into the first, what came and went in each, what is still open
    /// after the last, and the processing times.
    #[test]
    fn months_and_quarters_make_the_period(
        dossiers in prop::collection::vec(dossier(), 0..60),
        refusals in prop::collection::vec(refusal(), 0..8),
        by in prop::sample::select(vec![By::Month, By::Quarter]),
        agency in prop::option::of(0..3usize),
    ) {
        let period = Period::parse("2026-H2").unwrap();
        let span = Span { from: at(-2208), to: at(2208), as_of: at(2208) };
        let scope = match agency {
            Some(a) => Scope::flat([AGENCIES[a].to_string()]),
            None => scope(by),
        };
        let (rows, total) = count_lines(&calendar(), &period, span, by, &scope, &dossiers, &refusals);
        prop_assert_eq!(rows.len(), if by == By::Month { 6 } else { 2 });
        let day = calendar().settings().office_hours.day_length();
        rows.iter().for_each(|r| adds_up(&r.line.finish(day)));
        let mut joined = rows[0].line.clone();
        for r in &rows[1..] {
            joined.then(&r.line);
        }
        prop_assert_eq!(joined, total);
    }
}
