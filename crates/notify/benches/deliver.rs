//! Delivery throughput: messages per second from the outbox to a local
//! SMTP server (`tests/smtp_sink.py`), on SQLite and on PostgreSQL. One
//! worker with the default settings (batches of 100, 16 messages in
//! flight on pooled SMTP connections). Target: at least 200 messages/s.
//!
//! Each iteration delivers a block of 200 messages enqueued beforehand.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "../tests/common/mod.rs"]
mod common;

use std::time::{Duration, Instant};

use common::{Backend, Sink, TestDb};
use criterion::{criterion_group, criterion_main, Criterion, SamplingMode, Throughput};
use motcua_notify::{deliver_batch, outbox, DeliverySettings, Kind, NewMessage, NewMessageCursor};
use serde_json::json;

/// Messages per iteration.
const BLOCK: u64 = 200;

fn enqueue(t: &TestDb, n: u64) {
    let mut conn = t.db.get().unwrap();
    conn.write_tx(|c| {
        for i in 0..n {
            let code = format!("H53.50.05.13-261130-{i:04}");
            let msg = NewMessage::new(
                Kind::DossierReceived,
                "an.nguyen@example.vn",
                json!({
                    "code": code,
                    "procedure_name": "Đăng ký khai sinh",
                    "received_at": "08 giờ 30 phút, ngày 30/11/2026",
                    "appointment_at": "17 giờ 00 phút, ngày 02/12/2026",
                    "lookup_url": format!("http://motcua.test/api/v1/public/dossiers/{code}"),
                }),
            )
            .to_name("Nguyễn Văn An");
            outbox::enqueue(c, &msg)?;
        }
        Ok::<_, motcua_notify::NotifyError>(())
    })
    .unwrap();
}

fn deliver(c: &mut Criterion) {
    let sink = Sink::start_raw();
    let mailer = sink.mailer();
    // MOTCUA_BENCH_CONCURRENCY overrides the default messages in flight.
    let settings = DeliverySettings {
        concurrency: std::env::var("MOTCUA_BENCH_CONCURRENCY")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(DeliverySettings::default().concurrency),
        ..DeliverySettings::default()
    };
    let mut group = c.benchmark_group("deliver");
    group.throughput(Throughput::Elements(BLOCK));
    group.sampling_mode(SamplingMode::Flat);
    group.sample_size(10);
    group.measurement_time(Duration::from_secs(10));
    for backend in [Backend::Sqlite, Backend::Postgres] {
        let t = TestDb::new(backend);
        let name = format!("{backend:?}").to_lowercase();
        let mut cursor = NewMessageCursor::default();
        group.bench_function(name, |b| {
            b.iter_custom(|iters| {
                let total = iters * BLOCK;
                enqueue(&t, total);
                let started = Instant::now();
                let mut sent = 0;
                while sent < total as usize {
                    let stats = deliver_batch(&t.db, &mailer, &settings, &mut cursor).unwrap();
                    assert!(stats.claimed > 0, "{stats:?}");
                    sent += stats.sent;
                }
                started.elapsed()
            })
        });
    }
    group.finish();
}

criterion_group!(benches, deliver);
criterion_main!(benches);
