//! The breach scan over a large number of open dossiers (default
//! 1,000,000; `MOTCUA_BENCH_DOSSIERS` to change), on SQLite and on
//! PostgreSQL (`MOTCUA_BENCH_BACKENDS=sqlite,postgres`). Generated data is
//! kept between runs (a SQLite file under target/, a PostgreSQL database
//! `motcua_bench_scan`). Prints each backend's query plan and the time of
//! the first scan (which records every breach), then measures repeated
//! scans with criterion.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Instant;

use criterion::{criterion_group, criterion_main, Criterion};
use motcua_calendar::{CalendarSettings, WorkingCalendar, YearAdjustments};
use motcua_sla::breach_scan::scan;
use motcua_store::{generate, DbConnection, SimpleConnection};

const AGENCIES: usize = 100;

/// The scan's SELECT, as the INSERT ... SELECT runs it.
fn plan(conn: &mut DbConnection) -> Vec<String> {
    let now = chrono::Utc::now()
        .naive_utc()
        .format("%Y-%m-%d %H:%M:%S")
        .to_string();
    let select = format!(
        "SELECT d.id FROM dossiers d WHERE d.status_code IN (2, 4, 6) \
         AND d.due_at >= '1970-01-01 00:00:00' AND d.due_at < '{now}' \
         AND NOT EXISTS (SELECT 1 FROM breaches b WHERE b.dossier_id = d.id \
         AND b.kind = 'overdue' AND b.clock_version = d.clock_version)"
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
    let day = 8 * 3600;
    let mail = motcua_notify::DeskMail::new("http://127.0.0.1:8080");
    let mut group = c.benchmark_group("breach_scan");
    group.sample_size(10);
    for backend in backends {
        let db = generate::bench_database(backend, &admin, &target, n, AGENCIES).unwrap();
        let backend = backend.name();
        let mut conn = db.get().unwrap();
        conn.batch_execute("DELETE FROM breaches").unwrap();
        eprintln!("{backend}: query plan of the overdue scan:");
        for line in plan(&mut conn) {
            eprintln!("    {line}");
        }
        let started = Instant::now();
        let first = scan(&mut conn, &calendar, &mail, motcua_store::time::now(), day).unwrap();
        eprintln!(
            "{backend}: first scan over {n} open dossiers recorded {} overdue and {} due soon in {:.2?}",
            first.overdue,
            first.due_soon,
            started.elapsed()
        );
        group.bench_function(format!("{backend}/{n}"), |b| {
            b.iter(|| scan(&mut conn, &calendar, &mail, motcua_store::time::now(), day).unwrap())
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
