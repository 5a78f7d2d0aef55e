//! Two servers on one database: every message is sent exactly once.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::collections::HashMap;
use std::sync::{Arc, Barrier};
use std::time::Duration;

use common::{Backend, Sink, TestDb};
use motcua_notify::{
    deliver_batch, outbox, DeliverySettings, Kind, NewMessage, NewMessageCursor, Status,
};
use serde_json::json;

const MESSAGES: usize = 200;

fn two_workers_send_each_message_once(backend: Backend) {
    let t = TestDb::new(backend);
    let sink = Sink::start();
    {
        let mut conn = t.db.get().unwrap();
        conn.write_tx(|c| {
            for i in 0..MESSAGES {
                let msg = NewMessage::new(
                    Kind::Test,
                    format!("officer{i}@example.vn"),
                    json!({"nonce": format!("n{i:04}")}),
                );
                outbox::enqueue(c, &msg)?;
            }
            Ok::<_, motcua_notify::NotifyError>(())
        })
        .unwrap();
    }
    let settings = DeliverySettings {
        batch_size: 7,
        lease: Duration::from_secs(120),
        ..DeliverySettings::default()
    };
    let start = Arc::new(Barrier::new(2));
    let workers: Vec<_> = (0..2)
        .map(|_| {
            // Each "server" has its own pool and its own SMTP transport.
            let db = t.second_pool();
            let mailer = sink.mailer();
            let settings = settings.clone();
            let start = start.clone();
            std::thread::spawn(move || {
                start.wait();
                let (mut sent, mut batches) = (0, 0);
                let mut cursor = NewMessageCursor::default();
                loop {
                    let stats = deliver_batch(&db, &mailer, &settings, &mut cursor).unwrap();
                    assert_eq!(
                        stats.failed + stats.retried + stats.released,
                        0,
                        "{stats:?}"
                    );
                    if stats.claimed == 0 {
                        return (sent, batches);
                    }
                    sent += stats.sent;
                    batches += 1;
                }
            })
        })
        .collect();
    let results: Vec<(usize, usize)> = workers.into_iter().map(|w| w.join().unwrap()).collect();
    assert_eq!(
        results.iter().map(|r| r.0).sum::<usize>(),
        MESSAGES,
        "{results:?}"
    );
    // Both took part (a batch is small next to 200 messages).
    assert!(results.iter().all(|r| r.1 > 0), "{results:?}");

    let mail = sink.messages();
    assert_eq!(mail.len(), MESSAGES);
    let mut seen: HashMap<String, usize> = HashMap::new();
    for m in &mail {
        let subject = m["subject"].as_str().unwrap();
        let nonce = subject
            .rsplit_once('[')
            .unwrap()
            .1
            .trim_end_matches(']')
            .to_string();
        *seen.entry(nonce).or_default() += 1;
    }
    assert_eq!(seen.len(), MESSAGES);
    assert!(seen.values().all(|&n| n == 1));
    let counts: HashMap<Status, i64> = outbox::count_by_status(&mut t.db.get().unwrap())
        .unwrap()
        .into_iter()
        .collect();
    assert_eq!(counts, HashMap::from([(Status::Sent, MESSAGES as i64)]));
}

mod two_workers_send_each_message_once {
    #[test]
    fn postgres() {
        super::two_workers_send_each_message_once(super::Backend::Postgres)
    }
    #[test]
    fn sqlite() {
        super::two_workers_send_each_message_once(super::Backend::Sqlite)
    }
}
