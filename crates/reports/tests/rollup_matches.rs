//! The results report on a real database, both backends, over any history
//! a generator makes: written into the desk's tables (dossiers received by
//! every channel, handed between agencies of a three-level tree and back,
//! interlinked groups, supplement requests, extensions, payments,
//! withdrawals, stops, officers), then every kind of report asked twice,
//! from the roll-up and from the dossiers: the two are equal figure for
//! figure, and each adds up. Then dossiers of months rolled up change
//! (assigned, withdrawn), as the desk's operations change them (with their
//! event), and the reports are asked again.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

#[path = "../../../tests/common/db.rs"]
mod db;

use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use common::adds_up;
use db::{Backend, ScratchDb};
use motcua_calendar::{CalendarSettings, WorkingCalendar, YearAdjustments};
use motcua_domain::{Agency, AgencyCode, AgencyLevel, Period};
use motcua_reports::results::{results, results_from_dossiers, By, Request};
use motcua_reports::rollup;
use motcua_store::generate::{self, agency_code, PROVINCE};
use motcua_store::generate_history::{self, officer_id, procedure_code};
use motcua_store::reports::{Move, ReportDossier};
use motcua_store::time::Clock;
use motcua_store::{agencies, write_history, Database, DbConnection, SimpleConnection};
use proptest::prelude::*;

fn calendar() -> WorkingCalendar {
    WorkingCalendar::for_years(
        CalendarSettings::default(),
        2025..=2028,
        &YearAdjustments::vn_public_servants().unwrap(),
    )
}

/// Now: Friday 15 January 2027, 10:00 in Vietnam. December is the last
/// month over.
fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2027, 1, 15, 3, 0, 0).unwrap()
}

/// `hours` after 1 July 2026 (Vietnam), never after now.
fn at(hours: i64) -> DateTime<Utc> {
    let start = Utc.with_ymd_and_hms(2026, 6, 30, 17, 0, 0).unwrap();
    (start + Duration::hours(hours)).min(now() - Duration::minutes(1))
}

/// The agencies: three under the province, and a commune under the
/// first.
const COMMUNE: &str = "GEN.001.01";
fn agency(i: usize) -> String {
    match i {
        3 => COMMUNE.to_string(),
        i => agency_code(i),
    }
}
const RATINGS: [&str; 3] = ["very_satisfied", "satisfied", "not_satisfied"];
const VERDICTS: [&str; 3] = ["early", "on_time", "late"];

prop_compose! {
    fn dossier()(
        path in prop::collection::vec((0..4usize, 1i64..300, 0..3usize), 1..5),
        procedure in 0..4usize, channel in 1..=3i32,
        received in 0i64..4800, due_after in 1i64..500,
        end in prop::option::of(1i64..2000), withdrawn in any::<bool>(),
        verdict in 0..3usize, stopped in any::<bool>(),
        requests in prop::collection::vec(0i64..2000, 0..3), extended in prop::option::of(0i64..2000),
        officer in prop::option::of(0..2usize), paid in prop::option::of((0..3usize, 0i64..2000)),
        group in prop::option::of(0..3usize), rating in prop::option::of(0..3usize),
    ) -> (ReportDossier, Option<String>) {
        let received_at = at(received);
        let end = end.map(|e| received_at + Duration::hours(e)).filter(|e| *e < now());
        let (ended_at, withdrawn_at) = if withdrawn { (None, end) } else { (end, None) };
        let mut moves = Vec::new();
        let mut when = received_at;
        for pair in path.windows(2) {
            when += Duration::hours(pair[1].1);
            if end.is_some_and(|e| when >= e) || when >= now() || pair[0].0 == pair[1].0 {
                break;
            }
            moves.push(Move {
                from_agency: agency(pair[0].0),
                to_agency: agency(pair[1].0),
                at: when,
                leg_verdict: VERDICTS[pair[0].2].into(),
            });
        }
        let during = |h: i64| {
            Some(received_at + Duration::hours(h))
                .filter(|t| end.is_none_or(|e| *t < e) && *t < now())
        };
        let mut times: Vec<DateTime<Utc>> = requests.iter().filter_map(|h| during(*h)).collect();
        times.sort();
        let d = ReportDossier {
            id: String::new(),
            code: String::new(),
            handling_agency: String::new(),
            first_agency: agency(path[0].0),
            moves,
            procedure_code: procedure_code(procedure),
            procedure_name: String::new(),
            field: String::new(),
            service_level: String::new(),
            case_key: String::new(),
            case_label: String::new(),
            channel,
            status_code: if end.is_none() { 4 } else if stopped { 8 } else { 9 },
            received_at,
            due_at: received_at + Duration::hours(due_after),
            ended_at,
            verdict: ended_at.map(|_| VERDICTS[verdict].to_string()),
            withdrawn_at,
            supplement_requests: times.into_iter().zip(1..).collect(),
            extended_at: extended.and_then(during),
            follower: false,
            officer: officer.map(|k| (officer_id(0, k), String::new())),
            payment_channel: paid.and_then(|(p, h)| during(h).map(|_| ["online", "counter", "transfer"][p].to_string())),
            paid_at: paid.and_then(|(_, h)| during(h)),
            rating: ended_at.and(rating).map(|r| RATINGS[r].to_string()),
            complained: ended_at.is_some() && rating == Some(1),
            represented: received % 3 == 0,
            return_method: (ended_at.is_some() && !stopped)
                .then(|| ["counter", "post", "online"][(due_after % 3) as usize].to_string())
                .filter(|_| due_after % 4 != 0),
        };
        (d, group.map(|g| format!("G{g}")))
    }
}

/// A migrated database with the agencies, procedures and officers, and
/// `history` written into it.
fn database(
    backend: Backend,
    history: &[(ReportDossier, Option<String>)],
) -> (ScratchDb, Database) {
    let scratch = ScratchDb::new(backend);
    let db = Database::connect(&scratch.url, 2).unwrap();
    db.migrate().unwrap();
    let mut conn = db.get().unwrap();
    generate::prepare(&mut conn, 3).unwrap();
    generate_history::prepare(&mut conn, 3).unwrap();
    agencies::insert(
        &mut conn,
        &Agency {
            code: AgencyCode::parse(COMMUNE).unwrap(),
            name: "Xã thử".into(),
            level: AgencyLevel::Commune,
            parent: Some(AgencyCode::parse(&agency_code(0)).unwrap()),
            address: String::new(),
        },
    )
    .unwrap();
    let list: Vec<(ReportDossier, Option<String>)> = history
        .iter()
        .enumerate()
        .map(|(i, (d, g))| {
            let mut d = d.clone();
            d.id = format!("00000000-0000-7000-9300-{i:012}");
            d.code = format!("D{i:04}");
            (d, g.clone())
        })
        .collect();
    write_history::write(&mut conn, &list).unwrap();
    drop(conn);
    (scratch, db)
}

/// Every kind of report, from the roll-up and from the dossiers: equal,
/// and adding up.
fn reports_match(conn: &mut DbConnection, cal: &WorkingCalendar) {
    let all: Vec<String> = agencies::list(conn)
        .unwrap()
        .into_iter()
        .map(|a| a.code.to_string())
        .collect();
    let subtree = |root: &str| -> Vec<String> {
        match root {
            PROVINCE => all
                .iter()
                .filter(|a| a.starts_with("GEN.0") || *a == PROVINCE)
                .cloned()
                .collect(),
            r if r == agency_code(0) => vec![agency_code(0), COMMUNE.to_string()],
            r => vec![r.to_string()],
        }
    };
    let period = |s: &str| Period::parse(s).unwrap();
    let dec_jan = Period::between(
        NaiveDate::from_ymd_opt(2026, 12, 1).unwrap(),
        NaiveDate::from_ymd_opt(2027, 1, 31).unwrap(),
    )
    .unwrap();
    let mut asked = vec![
        (None, all.clone(), period("2026"), By::Agency, true),
        (None, all.clone(), period("2026-H2"), By::Unit, true),
    ];
    for by in [
        By::Agency,
        By::Unit,
        By::Procedure,
        By::Field,
        By::ServiceLevel,
        By::Officer,
        By::Month,
        By::Quarter,
    ] {
        asked.push((
            Some(PROVINCE.to_string()),
            subtree(PROVINCE),
            period("2026-H2"),
            by,
            true,
        ));
    }
    // By case: never from the roll-up, which keeps procedures.
    asked.push((
        Some(PROVINCE.to_string()),
        subtree(PROVINCE),
        period("2026-H2"),
        By::Case,
        false,
    ));
    for by in [By::Agency, By::Unit, By::Procedure] {
        asked.push((
            Some(agency_code(0)),
            subtree(&agency_code(0)),
            period("2026-Q4"),
            by,
            true,
        ));
        asked.push((
            Some(COMMUNE.to_string()),
            vec![COMMUNE.to_string()],
            period("2026-11"),
            by,
            true,
        ));
    }
    // Over the month not over yet: the roll-up, then the dossiers.
    asked.push((
        Some(PROVINCE.to_string()),
        subtree(PROVINCE),
        dec_jan.clone(),
        By::Agency,
        true,
    ));
    asked.push((
        Some(PROVINCE.to_string()),
        subtree(PROVINCE),
        dec_jan,
        By::Month,
        true,
    ));
    // A month not rolled up, and days: from the dossiers.
    asked.push((
        Some(PROVINCE.to_string()),
        subtree(PROVINCE),
        period("2027-01"),
        By::Agency,
        false,
    ));
    asked.push((
        Some(PROVINCE.to_string()),
        subtree(PROVINCE),
        Period::between(
            NaiveDate::from_ymd_opt(2026, 9, 10).unwrap(),
            NaiveDate::from_ymd_opt(2026, 10, 20).unwrap(),
        )
        .unwrap(),
        By::Procedure,
        false,
    ));
    for (agency, agencies, period, by, rolled) in asked {
        let req = Request {
            agency: agency.clone(),
            agencies,
            period: period.clone(),
            by,
            form: None,
        };
        let from_rollup = results(conn, cal, req.clone()).unwrap();
        let counted = results_from_dossiers(conn, cal, req).unwrap();
        let what = format!("{agency:?} {} by {by:?}", period.name);
        assert_eq!(from_rollup.rolled_up_through.is_some(), rolled, "{what}");
        assert_eq!(from_rollup.rows, counted.rows, "{what}: rows");
        assert_eq!(from_rollup.total, counted.total, "{what}: total");
        adds_up(&counted.total);
        counted.rows.iter().for_each(|r| adds_up(&r.counts));
    }
}

fn check(backend: Backend, history: &[(ReportDossier, Option<String>)]) {
    Clock::starting_at(now()).scope(|| checked(backend, history));
}

fn checked(backend: Backend, history: &[(ReportDossier, Option<String>)]) {
    let cal = calendar();
    let (_scratch, db) = database(backend, history);
    let mut conn = db.get().unwrap();
    let done = rollup::catch_up(&mut conn, &cal).unwrap();
    assert!(done.rebuilt);
    reports_match(&mut conn, &cal);
    // Changes to dossiers of months rolled up, each with its event (as
    // the desk's operations make them): the first assigned to another
    // officer, the last still open withdrawn.
    let open = (0..history.len()).rev().find(|i| {
        let d = &history[*i].0;
        d.ended_at.is_none() && d.withdrawn_at.is_none()
    });
    let mut sql = format!(
        "UPDATE dossiers SET assigned_to = '{}' WHERE code = 'D0000'; \
         INSERT INTO events (subject_type, subject_id, dossier_id, kind, actor_name, at, data) \
         SELECT 'dossier', id, id, 'dossier.assigned', 'test', '2027-01-15 03:00:00', '{{}}' FROM dossiers WHERE code = 'D0000';",
        officer_id(0, 1)
    );
    if let Some(i) = open {
        sql.push_str(&format!(
            "UPDATE dossiers SET status_code = 7 WHERE code = 'D{i:04}'; \
             INSERT INTO events (subject_type, subject_id, dossier_id, kind, actor_name, at, data) \
             SELECT 'dossier', id, id, 'dossier.withdrawn', 'test', '2027-01-15 03:00:00', '{{}}' FROM dossiers WHERE code = 'D{i:04}';"
        ));
    }
    conn.batch_execute(&sql).unwrap();
    reports_match(&mut conn, &cal);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(12))]
    #[test]
    fn the_rollup_gives_the_report_counted_from_the_dossiers(
        history in prop::collection::vec(dossier(), 1..40),
    ) {
        check(Backend::Sqlite, &history);
        check(Backend::Postgres, &history);
    }
}
