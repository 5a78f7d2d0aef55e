//! The outbox end to end: real SMTP server, real databases (SQLite and
//! PostgreSQL).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::collections::HashMap;
use std::time::Duration;

use common::{Backend, Sink, TestDb};
use diesel::prelude::*;
use motcua_notify::outbox::{self, OutboxFilter};
use motcua_notify::schema::outbox as table;
use motcua_notify::{
    deliver_batch, DeliverySettings, Kind, Locale, Mailer, NewMessage, NewMessageCursor,
    NotifyError, Status,
};
use motcua_store::{Database, StoreError};
use serde_json::{json, Value};

/// Retries at once: the tests drive time by calling the worker again.
fn settings() -> DeliverySettings {
    DeliverySettings {
        batch_size: 20,
        concurrency: 4,
        max_attempts: 3,
        base_backoff: Duration::ZERO,
        max_backoff: Duration::ZERO,
        lease: Duration::from_secs(120),
    }
}

fn received(code: &str) -> NewMessage {
    NewMessage::new(
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
    .to_name("Nguyễn Văn An")
}

fn enqueue(db: &Database, msg: &NewMessage) -> i64 {
    let mut conn = db.get().unwrap();
    conn.write_tx(|c| outbox::enqueue(c, msg)).unwrap()
}

fn counts(db: &Database) -> HashMap<Status, i64> {
    outbox::count_by_status(&mut db.get().unwrap())
        .unwrap()
        .into_iter()
        .collect()
}

fn row(db: &Database, id: i64) -> outbox::OutboxRow {
    outbox::get(&mut db.get().unwrap(), id).unwrap()
}

/// Runs the worker until a batch claims nothing.
fn drain(
    db: &Database,
    mailer: &Mailer,
    s: &DeliverySettings,
    cur: &mut NewMessageCursor,
) -> usize {
    let mut sent = 0;
    loop {
        let stats = deliver_batch(db, mailer, s, cur).unwrap();
        sent += stats.sent;
        if stats.claimed == 0 {
            return sent;
        }
    }
}

fn delivers_with_subject_and_code(backend: Backend) {
    let t = TestDb::new(backend);
    let mut cur = NewMessageCursor::default();
    let sink = Sink::start();
    let code = "H53.50.05.13-261130-0001";
    let id = enqueue(&t.db, &received(code).about_dossier("d-1"));
    let en = enqueue(
        &t.db,
        &received("H53.50.05.13-261130-0002").in_locale(Locale::En),
    );
    assert_eq!(row(&t.db, id).status, Status::Pending);

    let stats = deliver_batch(&t.db, &sink.mailer(), &settings(), &mut cur).unwrap();
    assert_eq!(
        (stats.claimed, stats.sent, stats.retried, stats.failed),
        (2, 2, 0, 0)
    );

    let mail = sink.messages();
    assert_eq!(mail.len(), 2);
    let message_id = |id| format!("<{}@motcua.local>", row(&t.db, id).message_key());
    let vi = mail
        .iter()
        .find(|m| m["message_id"] == message_id(id))
        .unwrap();
    assert_eq!(vi["subject"], format!("Đã tiếp nhận hồ sơ {code}"));
    assert_eq!(vi["rcpt_tos"], json!(["an.nguyen@example.vn"]));
    assert_eq!(vi["mail_from"], "noreply@motcua.local");
    let text = vi["text"].as_str().unwrap();
    assert!(text.contains("Kính gửi Nguyễn Văn An,"), "{text}");
    assert!(text.contains(&format!("Mã hồ sơ: {code}")));
    assert!(text.contains(&format!("http://motcua.test/api/v1/public/dossiers/{code}")));
    assert!(vi["html"].as_str().unwrap().contains(code));
    assert!(vi["raw"]
        .as_str()
        .unwrap()
        .contains("Auto-Submitted: auto-generated"));
    let english = mail
        .iter()
        .find(|m| m["message_id"] == message_id(en))
        .unwrap();
    assert_eq!(
        english["subject"],
        "Dossier H53.50.05.13-261130-0002 received"
    );

    let r = row(&t.db, id);
    assert_eq!(r.status, Status::Sent);
    assert_eq!(r.attempts, 1);
    assert!(r.sent_at.is_some() && r.locked_until.is_none() && r.last_error.is_none());
    assert_eq!(r.dossier_id.as_deref(), Some("d-1"));
    // Nothing left to do: a second batch claims nothing and sends nothing.
    let again = deliver_batch(&t.db, &sink.mailer(), &settings(), &mut cur).unwrap();
    assert_eq!(again.claimed, 0);
    assert_eq!(sink.messages().len(), 2);
}

fn rolled_back_write_leaves_no_message(backend: Backend) {
    let t = TestDb::new(backend);
    let mut conn = t.db.get().unwrap();
    let result: Result<(), NotifyError> = conn.write_tx(|c| {
        outbox::enqueue(c, &received("A-261130-0001"))?;
        Err(NotifyError::Store(StoreError::Corrupt(
            "the intake failed".into(),
        )))
    });
    assert!(result.is_err());
    assert!(counts(&t.db).is_empty(), "{:?}", counts(&t.db));
    // Committed: there it is.
    conn.write_tx(|c| outbox::enqueue(c, &received("A-261130-0002")))
        .unwrap();
    assert_eq!(counts(&t.db).get(&Status::Pending), Some(&1));
}

fn bad_messages_are_refused_at_enqueue(backend: Backend) {
    let t = TestDb::new(backend);
    let mut conn = t.db.get().unwrap();
    let mut bad_address = received("A-1");
    bad_address.recipient = "not an address".into();
    assert!(matches!(
        outbox::enqueue(&mut conn, &bad_address),
        Err(NotifyError::InvalidAddress(_))
    ));
    let missing = NewMessage::new(Kind::Refused, "a@example.vn", json!({"code": "A-1"}));
    assert!(matches!(
        outbox::enqueue(&mut conn, &missing),
        Err(NotifyError::MissingValue {
            kind: "refused",
            name: "reason"
        })
    ));
    let not_object = NewMessage::new(Kind::Test, "a@example.vn", json!([1]));
    assert!(matches!(
        outbox::enqueue(&mut conn, &not_object),
        Err(NotifyError::InvalidData(_))
    ));
    assert!(counts(&t.db).is_empty());
}

fn outage_loses_nothing_and_sends_once(backend: Backend) {
    let t = TestDb::new(backend);
    let mut cur = NewMessageCursor::default();
    let mut sink = Sink::stopped();
    let mailer = sink.mailer();
    let ids: Vec<i64> = (1..=5)
        .map(|i| enqueue(&t.db, &received(&format!("A-261130-{i:04}"))))
        .collect();

    // The server is down: every message counts a try, keeps the error and
    // stays pending; none is failed however often the worker runs.
    let s = settings();
    for round in 1..=s.max_attempts + 2 {
        let stats = deliver_batch(&t.db, &mailer, &s, &mut cur).unwrap();
        assert_eq!(
            (stats.claimed, stats.retried, stats.sent, stats.failed),
            (5, 5, 0, 0)
        );
        for &id in &ids {
            let r = row(&t.db, id);
            assert_eq!(r.status, Status::Pending);
            assert_eq!(r.attempts, round);
            assert!(
                r.last_error
                    .as_deref()
                    .unwrap()
                    .to_lowercase()
                    .contains("connect"),
                "{:?}",
                r.last_error
            );
            assert!(r.locked_until.is_none());
        }
    }

    // With a real backoff the messages wait instead of being claimed again.
    let patient = DeliverySettings {
        base_backoff: Duration::from_secs(600),
        max_backoff: Duration::from_secs(3600),
        ..settings()
    };
    assert_eq!(
        deliver_batch(&t.db, &mailer, &patient, &mut cur)
            .unwrap()
            .retried,
        5
    );
    assert_eq!(
        deliver_batch(&t.db, &mailer, &patient, &mut cur)
            .unwrap()
            .claimed,
        0
    );
    assert!(
        row(&t.db, ids[0]).next_attempt_at.unwrap()
            > chrono::Utc::now() + chrono::Duration::minutes(30)
    );
    // Make them due again, as time would.
    diesel::update(table::table)
        .set(table::next_attempt_at.eq(chrono::Utc::now().naive_utc()))
        .execute(&mut **t.db.get().unwrap())
        .unwrap();

    // The server is back: each message goes out exactly once.
    sink.resume();
    assert_eq!(drain(&t.db, &mailer, &s, &mut cur), 5);
    let mail = sink.messages();
    assert_eq!(mail.len(), 5);
    for (i, &id) in ids.iter().enumerate() {
        let r = row(&t.db, id);
        assert_eq!(r.status, Status::Sent);
        assert!(r.last_error.is_none());
        let code = format!("A-261130-{:04}", i + 1);
        assert_eq!(
            mail.iter()
                .filter(|m| m["subject"].as_str().unwrap().contains(&code))
                .count(),
            1
        );
    }
    assert_eq!(counts(&t.db), HashMap::from([(Status::Sent, 5)]));
}

fn refused_until_failed_then_retried(backend: Backend) {
    let t = TestDb::new(backend);
    let mut cur = NewMessageCursor::default();
    let sink = Sink::start_with(Some("reject"));
    let mailer = sink.mailer();
    let mut refused = received("A-261130-0009");
    refused.recipient = "reject.me@example.vn".into();
    let bad = enqueue(&t.db, &refused);
    let good = enqueue(&t.db, &received("A-261130-0010"));

    let s = settings();
    let first = deliver_batch(&t.db, &mailer, &s, &mut cur).unwrap();
    assert_eq!((first.sent, first.retried, first.failed), (1, 1, 0));
    let r = row(&t.db, bad);
    assert_eq!((r.status, r.attempts), (Status::Pending, 1));
    assert!(
        r.last_error.as_deref().unwrap().contains("550"),
        "{:?}",
        r.last_error
    );

    drain(&t.db, &mailer, &s, &mut cur);
    let r = row(&t.db, bad);
    assert_eq!((r.status, r.attempts), (Status::Failed, s.max_attempts));
    assert_eq!(row(&t.db, good).status, Status::Sent);
    assert_eq!(sink.messages().len(), 1);

    // An administrator retries it: pending again, due now, attempts kept;
    // refused once more, it fails again after that one try.
    let mut conn = t.db.get().unwrap();
    let admin = motcua_store::events::Actor::system("admin");
    let back = outbox::retry(&mut conn, bad, &admin).unwrap();
    let retried = motcua_store::events::for_subject(&mut conn, "outbox", &bad.to_string()).unwrap();
    assert_eq!(retried.len(), 1, "the retry is recorded with its actor");
    assert_eq!(retried[0].actor_name, "admin");
    assert_eq!(
        (back.status, back.attempts),
        (Status::Pending, s.max_attempts)
    );
    assert!(back.next_attempt_at.unwrap() <= chrono::Utc::now());
    let stats = deliver_batch(&t.db, &mailer, &s, &mut cur).unwrap();
    assert_eq!((stats.claimed, stats.failed), (1, 1));
    assert_eq!(row(&t.db, bad).attempts, s.max_attempts + 1);

    assert!(
        matches!(outbox::retry(&mut conn, good, &admin), Err(NotifyError::NotRetryable(s)) if s == "sent")
    );
    assert!(matches!(
        outbox::retry(&mut conn, bad + good + 1000, &admin),
        Err(NotifyError::Store(StoreError::NotFound))
    ));
}

fn abandoned_claims_are_taken_over(backend: Backend) {
    let t = TestDb::new(backend);
    let mut cur = NewMessageCursor::default();
    let sink = Sink::start();
    let dead = enqueue(&t.db, &received("A-261130-0021"));
    let alive = enqueue(&t.db, &received("A-261130-0022"));
    let now = chrono::Utc::now().naive_utc();
    let mut conn = t.db.get().unwrap();
    // A worker died holding `dead` (its lease is over) while another one
    // still holds `alive`.
    for (id, until) in [
        (&dead, now - chrono::Duration::seconds(1)),
        (&alive, now + chrono::Duration::minutes(5)),
    ] {
        diesel::update(table::table.filter(table::id.eq(id)))
            .set((
                table::status.eq("sending"),
                table::next_attempt_at.eq(Some(until)),
                table::locked_until.eq(Some(until)),
                table::claim_token.eq(Some("someone-else")),
            ))
            .execute(&mut **conn)
            .unwrap();
    }
    let stats = deliver_batch(&t.db, &sink.mailer(), &settings(), &mut cur).unwrap();
    assert_eq!((stats.claimed, stats.sent), (1, 1));
    assert_eq!(row(&t.db, dead).status, Status::Sent);
    assert_eq!(row(&t.db, alive).status, Status::Sending);
    assert_eq!(sink.messages().len(), 1);
}

fn lists_with_filters(backend: Backend) {
    let t = TestDb::new(backend);
    let mut cur = NewMessageCursor::default();
    let sink = Sink::start_with(Some("reject"));
    for i in 0..3 {
        enqueue(&t.db, &received(&format!("A-{i}")).about_dossier("d-7"));
    }
    let test = enqueue(
        &t.db,
        &NewMessage::new(Kind::Test, "reject@example.vn", json!({})),
    );
    let once = DeliverySettings {
        max_attempts: 1,
        ..settings()
    };
    deliver_batch(&t.db, &sink.mailer(), &once, &mut cur).unwrap();
    enqueue(&t.db, &received("A-9"));

    let mut conn = t.db.get().unwrap();
    let (all, total) = outbox::list(&mut conn, &OutboxFilter::default()).unwrap();
    assert_eq!((all.len(), total), (5, 5));
    assert!(
        all.windows(2).all(|w| w[0].created_at >= w[1].created_at),
        "newest first"
    );
    assert_eq!(all[0].status, Status::Pending);
    let failed = OutboxFilter {
        status: Some(Status::Failed),
        ..OutboxFilter::default()
    };
    let (rows, total) = outbox::list(&mut conn, &failed).unwrap();
    assert_eq!((rows.len(), total), (1, 1));
    assert_eq!(rows[0].id, test);
    assert_eq!(rows[0].kind, "test");
    assert!(rows[0].last_error.is_some());
    let by_dossier = OutboxFilter {
        dossier_id: Some("d-7".into()),
        limit: 2,
        offset: 0,
        ..OutboxFilter::default()
    };
    let (rows, total) = outbox::list(&mut conn, &by_dossier).unwrap();
    assert_eq!((rows.len(), total), (2, 3));
    assert!(rows
        .iter()
        .all(|r| r.status == Status::Sent && r.data["code"].is_string()));
    let page2 = OutboxFilter {
        offset: 2,
        ..by_dossier.clone()
    };
    assert_eq!(outbox::list(&mut conn, &page2).unwrap().0.len(), 1);
    let by_kind = OutboxFilter {
        kind: Some("dossier_received".into()),
        ..OutboxFilter::default()
    };
    assert_eq!(outbox::list(&mut conn, &by_kind).unwrap().1, 4);
    assert_eq!(
        serde_json::to_value(&rows[0]).unwrap()["status"],
        Value::from("sent")
    );

    // Sent messages can be purged; pending and failed ones stay.
    let an_hour_ago = chrono::Utc::now() - chrono::Duration::hours(1);
    assert_eq!(outbox::purge_sent(&mut conn, an_hour_ago, 100).unwrap(), 0);
    assert_eq!(
        outbox::purge_sent(&mut conn, chrono::Utc::now(), 100).unwrap(),
        3
    );
    assert_eq!(
        counts(&t.db),
        HashMap::from([(Status::Pending, 1), (Status::Failed, 1)])
    );
}

fn no_send_starts_that_could_outlast_the_lease(backend: Backend) {
    let t = TestDb::new(backend);
    let mut cur = NewMessageCursor::default();
    let sink = Sink::start();
    let mailer = sink.mailer();
    let ids: Vec<i64> = (0..3)
        .map(|i| enqueue(&t.db, &received(&format!("A-{i}"))))
        .collect();
    // A lease a microsecond longer than a send can take: by the time a
    // sender looks, a send could end after the lease.
    let tight = DeliverySettings {
        lease: mailer.send_deadline() + Duration::from_micros(1),
        ..settings()
    };
    let stats = deliver_batch(&t.db, &mailer, &tight, &mut cur).unwrap();
    assert_eq!((stats.claimed, stats.released, stats.sent), (3, 3, 0));
    assert!(sink.messages().is_empty());
    for &id in &ids {
        let r = row(&t.db, id);
        assert_eq!((r.status, r.attempts), (Status::Pending, 0));
        assert!(r.locked_until.is_none());
    }
    // A lease no longer than a send is refused outright.
    let broken = DeliverySettings {
        lease: mailer.send_deadline(),
        ..settings()
    };
    assert!(matches!(
        deliver_batch(&t.db, &mailer, &broken, &mut cur),
        Err(NotifyError::Config(_))
    ));
    assert_eq!(drain(&t.db, &mailer, &settings(), &mut cur), 3);
}

/// The worker keeps one cursor from batch to batch (on SQLite it reads
/// new messages only after the last id it has seen). Whatever happens to
/// ids in between, a rolled-back write or sent messages purged, every
/// message written after a batch is found by the next one.
fn messages_written_after_a_batch_are_found_by_the_next(backend: Backend) {
    let t = TestDb::new(backend);
    let mut cur = NewMessageCursor::default();
    let sink = Sink::start();
    let mailer = sink.mailer();
    // Batches smaller than what waits: the cursor stops inside the new
    // messages, not at the end of the table.
    let small = DeliverySettings {
        batch_size: 2,
        ..settings()
    };
    for i in 1..=5 {
        enqueue(&t.db, &received(&format!("C-{i}")));
    }
    assert_eq!(drain(&t.db, &mailer, &small, &mut cur), 5);

    // A write that rolls back: SQLite gives its id to the next message.
    let mut conn = t.db.get().unwrap();
    let rolled_back: Result<i64, NotifyError> = conn.write_tx(|c| {
        let id = outbox::enqueue(c, &received("C-lost"))?;
        Err(NotifyError::Store(StoreError::Corrupt(format!(
            "undo {id}"
        ))))
    });
    assert!(rolled_back.is_err());
    let sixth = enqueue(&t.db, &received("C-6"));
    assert_eq!(drain(&t.db, &mailer, &small, &mut cur), 1);
    assert_eq!(row(&t.db, sixth).status, Status::Sent);

    // Sent messages purged, two a call: the newest is kept, so ids keep
    // growing.
    let now = chrono::Utc::now();
    let purged: Vec<usize> = (0..4)
        .map(|_| outbox::purge_sent(&mut conn, now, 2).unwrap())
        .collect();
    assert_eq!(purged, [2, 2, 1, 0]);
    assert_eq!(row(&t.db, sixth).status, Status::Sent);
    let seventh = enqueue(&t.db, &received("C-7"));
    assert!(seventh > sixth, "{seventh} after {sixth}");
    assert_eq!(drain(&t.db, &mailer, &small, &mut cur), 1);

    let subjects: Vec<String> = sink
        .messages()
        .iter()
        .map(|m| m["subject"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(subjects.len(), 7, "{subjects:?}");
    for i in 1..=7 {
        let code = format!("C-{i}");
        assert_eq!(
            subjects.iter().filter(|s| s.ends_with(&code)).count(),
            1,
            "{code} in {subjects:?}"
        );
    }
}

on_both_backends!(
    no_send_starts_that_could_outlast_the_lease,
    messages_written_after_a_batch_are_found_by_the_next,
    delivers_with_subject_and_code,
    rolled_back_write_leaves_no_message,
    bad_messages_are_refused_at_enqueue,
    outage_loses_nothing_and_sends_once,
    refused_until_failed_then_retried,
    abandoned_claims_are_taken_over,
    lists_with_filters,
);
