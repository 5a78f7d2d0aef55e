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
use diesel::prelude::*;
use diesel::sql_types::Text;
use motcua_sla::breach_scan::scan;
use motcua_sla::{CalendarSettings, WorkingCalendar, YearAdjustments};
use motcua_store::{count_rows, generate, Database, DbConnection, SimpleConnection};

const AGENCIES: usize = 100;

fn count() -> usize {
    std::env::var("MOTCUA_BENCH_DOSSIERS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000_000)
}

fn database(backend: &str, n: usize) -> Database {
    let url = match backend {
        "sqlite" => {
            let dir =
                std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/bench-data");
            std::fs::create_dir_all(&dir).unwrap();
            format!("sqlite://{}", dir.join(format!("scan-{n}.db")).display())
        }
        _ => {
            let admin = std::env::var("MOTCUA_TEST_POSTGRES_URL")
                .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into());
            let mut conn = DbConnection::open(&admin).unwrap();
            let name = format!("motcua_bench_scan_{n}");
            let _ = conn.batch_execute(&format!("CREATE DATABASE {name}"));
            format!("{}/{name}", admin.rsplit_once('/').unwrap().0)
        }
    };
    let db = Database::connect(&url, 2).unwrap();
    db.migrate().unwrap();
    db
}

fn fill(db: &Database, n: usize) {
    let mut conn = db.get().unwrap();
    let have = count_rows(&mut conn, "dossiers").unwrap() as usize;
    if have >= n {
        return;
    }
    let started = Instant::now();
    generate::prepare(&mut conn, AGENCIES).unwrap();
    let now = motcua_store::time::now();
    let step = 50_000;
    let mut from = have;
    while from < n {
        let to = (from + step).min(n);
        generate::dossiers(&mut conn, AGENCIES, from, to, now).unwrap();
        from = to;
        eprintln!("  generated {to} dossiers ({:.0?})", started.elapsed());
    }
    if db.backend() == motcua_store::Backend::Postgres {
        conn.batch_execute("VACUUM ANALYZE dossiers").unwrap();
    } else {
        conn.batch_execute("ANALYZE").unwrap();
    }
}

#[derive(QueryableByName)]
struct PgPlan {
    #[diesel(sql_type = Text, column_name = "QUERY PLAN")]
    line: String,
}

#[derive(QueryableByName)]
struct SqlitePlan {
    #[diesel(sql_type = Text)]
    detail: String,
}

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
    match conn {
        DbConnection::Pg(c) => diesel::sql_query(format!("EXPLAIN {select}"))
            .load::<PgPlan>(c)
            .unwrap()
            .into_iter()
            .map(|p| p.line)
            .collect(),
        DbConnection::Sqlite(c) => diesel::sql_query(format!("EXPLAIN QUERY PLAN {select}"))
            .load::<SqlitePlan>(c)
            .unwrap()
            .into_iter()
            .map(|p| p.detail)
            .collect(),
    }
}

fn bench(c: &mut Criterion) {
    let n = count();
    let backends =
        std::env::var("MOTCUA_BENCH_BACKENDS").unwrap_or_else(|_| "sqlite,postgres".into());
    let calendar = WorkingCalendar::for_years(
        CalendarSettings::default(),
        2000..=2100,
        &YearAdjustments::vn_public_servants().unwrap(),
    );
    let day = 8 * 3600;
    let mut group = c.benchmark_group("breach_scan");
    group.sample_size(10);
    for backend in backends.split(',') {
        let db = database(backend, n);
        fill(&db, n);
        let mut conn = db.get().unwrap();
        conn.batch_execute("DELETE FROM breaches").unwrap();
        eprintln!("{backend}: query plan of the overdue scan:");
        for line in plan(&mut conn) {
            eprintln!("    {line}");
        }
        let started = Instant::now();
        let first = scan(&mut conn, &calendar, motcua_store::time::now(), day).unwrap();
        eprintln!(
            "{backend}: first scan over {n} open dossiers recorded {} overdue and {} due soon in {:.2?}",
            first.overdue,
            first.due_soon,
            started.elapsed()
        );
        group.bench_function(format!("{backend}/{n}"), |b| {
            b.iter(|| scan(&mut conn, &calendar, motcua_store::time::now(), day).unwrap())
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
