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
use motcua_store::{generate, DbConnection};

const AGENCIES: usize = 100;

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
    let (n, backends, admin) = generate::bench_settings();
    let target = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target");
    let mut group = c.benchmark_group("reads");
    group.sample_size(20);
    for backend in backends {
        let db = generate::bench_database(backend, &admin, &target, n, AGENCIES).unwrap();
        let backend = backend.name();
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
