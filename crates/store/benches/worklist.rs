//! Worklist and tracking-book reads over a large database (default
//! 1,000,000 dossiers over 100 agencies; `MOTCUA_BENCH_DOSSIERS` to
//! change), on SQLite and PostgreSQL (`MOTCUA_BENCH_BACKENDS`). Shares the
//! generated databases of the breach-scan bench. Prints p50/p95 of 200
//! worklist pages (50 rows, with the total) and of 20 month-long tracking
//! books, then measures both with criterion.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::{Duration, Instant};

use chrono::Utc;
use criterion::{criterion_group, criterion_main, Criterion};
use motcua_store::worklist::{tracking_book, worklist, WorkFilter};
use motcua_store::{count_rows, generate, Backend, Database, DbConnection, SimpleConnection};

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
    let mut conn = db.get().unwrap();
    let have = count_rows(&mut conn, "dossiers").unwrap() as usize;
    if have < n {
        generate::prepare(&mut conn, AGENCIES).unwrap();
        let now = motcua_store::time::now();
        let mut from = have;
        while from < n {
            let to = (from + 50_000).min(n);
            generate::dossiers(&mut conn, AGENCIES, from, to, now).unwrap();
            from = to;
            eprintln!("  generated {to} dossiers");
        }
        conn.batch_execute(if db.backend() == Backend::Postgres {
            "VACUUM ANALYZE"
        } else {
            "ANALYZE"
        })
        .unwrap();
    }
    db
}

fn page(conn: &mut DbConnection, agency: &str) -> usize {
    let (items, _) = worklist(
        conn,
        &WorkFilter {
            agencies: vec![agency.to_string()],
            statuses: vec![2, 4, 5, 6],
            limit: 50,
            ..WorkFilter::default()
        },
    )
    .unwrap();
    items.len()
}

fn book(conn: &mut DbConnection, agency: &str) -> usize {
    let to = Utc::now();
    tracking_book(conn, agency, to - chrono::Duration::days(30), to)
        .unwrap()
        .len()
}

fn percentiles(mut d: Vec<Duration>) -> (Duration, Duration) {
    d.sort();
    (d[d.len() / 2], d[d.len() * 95 / 100])
}

fn bench(c: &mut Criterion) {
    let n = count();
    let backends =
        std::env::var("MOTCUA_BENCH_BACKENDS").unwrap_or_else(|_| "sqlite,postgres".into());
    let mut group = c.benchmark_group("reads");
    group.sample_size(20);
    for backend in backends.split(',') {
        let db = database(backend, n);
        let mut conn = db.get().unwrap();
        let mut pages = Vec::new();
        for i in 0..200 {
            let agency = generate::agency_code(i % AGENCIES);
            let t = Instant::now();
            assert_eq!(page(&mut conn, &agency), 50);
            pages.push(t.elapsed());
        }
        let (p50, p95) = percentiles(pages);
        let mut books = Vec::new();
        let mut rows = 0;
        for i in 0..20 {
            let agency = generate::agency_code(i);
            let t = Instant::now();
            rows = book(&mut conn, &agency);
            books.push(t.elapsed());
        }
        let (b50, b95) = percentiles(books);
        eprintln!(
            "{backend}, {n} dossiers: worklist page p50 {p50:.2?} p95 {p95:.2?}; month tracking book ({rows} rows) p50 {b50:.2?} p95 {b95:.2?}"
        );
        let agency = generate::agency_code(7);
        group.bench_function(format!("{backend}/worklist_page/{n}"), |b| {
            b.iter(|| page(&mut conn, &agency))
        });
        group.bench_function(format!("{backend}/tracking_book_month/{n}"), |b| {
            b.iter(|| book(&mut conn, &agency))
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
