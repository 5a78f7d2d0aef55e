//! The reports on a province's history (default 1,000,000 dossiers over
//! two years and 100 agencies; `MOTCUA_BENCH_DOSSIERS` to change), on
//! SQLite and PostgreSQL (`MOTCUA_BENCH_BACKENDS`). Generated data is kept
//! between runs (target/bench-data/history-N.db, the PostgreSQL database
//! `motcua_bench_history_N`). Prints the plan of the dossier read and the
//! time of the first run of each, then measures with criterion: the
//! province-wide year report by agency, one agency's month by procedure,
//! and the lateness forecast of one agency.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Instant;

use chrono::{Datelike, Duration};
use criterion::{criterion_group, criterion_main, Criterion};
use motcua_calendar::{CalendarSettings, WorkingCalendar, YearAdjustments};
use motcua_domain::Period;
use motcua_reports::lateness;
use motcua_reports::results::{results, results_from_dossiers, By, Request};
use motcua_reports::rollup;
use motcua_store::{generate, generate_history, DbConnection};

const AGENCIES: usize = 100;

/// The plan of the report's main read (the dossiers an agency holds)
/// for one agency's month.
fn plan(conn: &mut DbConnection, agency: &str, from: &str, to: &str) -> Vec<String> {
    let select = format!(
        "SELECT d.id FROM dossiers d WHERE d.handling_agency_code IN ('{agency}') \
         AND d.received_at < '{to}' AND (d.ended_at IS NULL OR d.ended_at >= '{from}') \
         AND d.id NOT IN (SELECT p.parent_id FROM dossiers p WHERE p.parent_id IS NOT NULL)"
    );
    generate::explain(conn, &select).unwrap()
}

fn bench(c: &mut Criterion) {
    let (n, backends, admin) = generate::bench_settings();
    let target = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target");
    let calendar = WorkingCalendar::for_years(
        CalendarSettings::default(),
        2000..=2100,
        &YearAdjustments::vn_public_servants().unwrap(),
    );
    let now = motcua_store::time::now();
    let last_year = Period::parse(&(now.year() - 1).to_string()).unwrap();
    let month = now.date_naive() - Duration::days(40);
    let last_month = Period::parse(&month.format("%Y-%m").to_string()).unwrap();
    let agency = generate::agency_code(6);
    let all: Vec<String> = std::iter::once(generate::PROVINCE.to_string())
        .chain((0..AGENCIES).map(generate::agency_code))
        .collect();
    let province_year = || Request {
        agency: Some(generate::PROVINCE.into()),
        agencies: all.clone(),
        period: last_year.clone(),
        by: By::Agency,
        form: None,
    };
    let agency_month = || Request {
        agency: Some(agency.clone()),
        agencies: vec![agency.clone()],
        period: last_month.clone(),
        by: By::Procedure,
        form: None,
    };
    let mut group = c.benchmark_group("reports");
    group.sample_size(10);
    for backend in backends {
        let db = generate_history::bench_database(backend, &admin, &target, n, AGENCIES).unwrap();
        let backend = backend.name();
        let mut conn = db.get().unwrap();
        let (from, to) = (last_month.first.to_string(), last_month.end().to_string());
        eprintln!("{backend}: plan of the dossier read for one agency's month:");
        for line in plan(&mut conn, &agency, &from, &to) {
            eprintln!("    {line}");
        }
        let started = Instant::now();
        let year = results_from_dossiers(&mut conn, &calendar, province_year()).unwrap();
        eprintln!(
            "{backend}: province year {} by agency from the dossiers: {} rows, {} to handle, first run {:.2?}",
            last_year.name,
            year.rows.len(),
            year.total.to_handle,
            started.elapsed()
        );
        let started = Instant::now();
        let caught_up = rollup::catch_up(&mut conn, &calendar).unwrap();
        eprintln!(
            "{backend}: roll-up caught up (rebuilt: {}, months rolled up since: {:?}) in {:.2?}",
            caught_up.rebuilt,
            caught_up.months,
            started.elapsed()
        );
        let rolled = results(&mut conn, &calendar, province_year()).unwrap();
        assert!(rolled.rolled_up_through.is_some(), "the roll-up is used");
        assert_eq!(rolled.rows, year.rows, "the roll-up gives the same rows");
        assert_eq!(rolled.total, year.total, "the roll-up gives the same total");
        let started = Instant::now();
        let rebuilt = lateness::rebuild(&mut conn, &calendar, now).unwrap();
        eprintln!(
            "{backend}: forecast history rebuilt ({rebuilt} histograms) in {:.2?}",
            started.elapsed()
        );
        group.bench_function(format!("{backend}/{n}/province-year-by-agency"), |b| {
            b.iter(|| results(&mut conn, &calendar, province_year()).unwrap())
        });
        group.bench_function(format!("{backend}/{n}/agency-month-by-procedure"), |b| {
            b.iter(|| results(&mut conn, &calendar, agency_month()).unwrap())
        });
        // The same two counted from the dossiers, for the ratio.
        group.bench_function(
            format!("{backend}/{n}/province-year-by-agency-from-dossiers"),
            |b| b.iter(|| results_from_dossiers(&mut conn, &calendar, province_year()).unwrap()),
        );
        group.bench_function(
            format!("{backend}/{n}/agency-month-by-procedure-from-dossiers"),
            |b| b.iter(|| results_from_dossiers(&mut conn, &calendar, agency_month()).unwrap()),
        );
        group.bench_function(format!("{backend}/{n}/forecast-one-agency"), |b| {
            b.iter(|| {
                lateness::forecast(
                    &mut conn,
                    &calendar,
                    std::slice::from_ref(&agency),
                    0.5,
                    now,
                )
                .unwrap()
            })
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
