//! Mail end to end: the server writes messages into the outbox with each
//! change and a worker delivers them over SMTP to a real server process
//! (Python aiosmtpd, `tests/smtp_sink.py`), on both backends.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;
#[path = "../crates/notify/tests/common/sink.rs"]
mod sink;

use std::time::{Duration, Instant};

use common::{Backend, TestServer};
use motcua_api::config::MailConfig;
use motcua_notify::DeliverySettings;
use serde_json::{json, Value};
use sink::Sink;

fn server_with_mail(backend: Backend, sink: &Sink) -> TestServer {
    let smtp = sink.config();
    TestServer::start_with(backend, move |c| {
        c.mail = Some(MailConfig {
            smtp,
            delivery: DeliverySettings {
                base_backoff: Duration::from_millis(500),
                max_backoff: Duration::from_secs(1),
                ..DeliverySettings::default()
            },
        })
    })
}

fn marriage(email: Option<&str>, name: &str) -> Value {
    json!({
        "procedure": "1.000894",
        "applicant": {"name": name, "id_number": "079190001234", "email": email},
        "documents": [{"code": "TK", "original": 1}, {"code": "GTTT", "copies": 2}]
    })
}

/// Waits until the sink holds `n` messages for `to`, and returns them.
fn wait_for(sink: &Sink, to: &str, n: usize) -> Vec<Value> {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let got: Vec<Value> = sink
            .messages()
            .into_iter()
            .filter(|m| m["rcpt_tos"].as_array().unwrap().iter().any(|r| r == to))
            .collect();
        if got.len() >= n || Instant::now() > deadline {
            assert_eq!(got.len(), n, "messages for {to}: {got:#?}");
            return got;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

fn lifecycle_mails_reach_the_citizen(backend: Backend) {
    let sink = Sink::start();
    let s = server_with_mail(backend, &sink);
    let clerk = s.login("clerk");
    let officer = s.login("officer");
    let to = "mai@example.vn";
    let r = s.post(
        "/api/v1/dossiers",
        Some(&clerk),
        &marriage(Some(to), "Võ Thị Mai"),
    );
    assert_eq!(r.status, 201, "{}", r.text);
    let code = r.json["code"].as_str().unwrap().to_string();
    let pin = r.json["pin"].as_str().unwrap().to_string();
    let receipt = &wait_for(&sink, to, 1)[0];
    let text = receipt["text"].as_str().unwrap();
    assert!(
        receipt["subject"].as_str().unwrap().contains(&code),
        "{receipt}"
    );
    assert!(text.contains(&code));
    assert!(text.contains(&format!("{}/?code={code}", s.base)), "{text}");
    assert!(!text.contains(&pin), "the PIN never travels by mail");
    assert!(receipt["html"].as_str().unwrap().contains(&code));

    // Each change that concerns the citizen sends its message, in order.
    let at = |what: &str| format!("/api/v1/dossiers/{code}/{what}");
    let steps: [(&str, &str, Value, &str); 5] = [
        (
            "supplement-request",
            "officer",
            json!({"reason": "Thiếu bản sao giấy tờ", "items": [{"code": "GTTT", "name": "Bản sao căn cước"}]}),
            "Bản sao căn cước",
        ),
        ("supplement-received", "clerk", json!({}), ""),
        (
            "extension",
            "officer",
            json!({"reason": "Chờ xác minh tình trạng hôn nhân", "new_due_at": common::working_days_from_now(15)}),
            "Chờ xác minh tình trạng hôn nhân",
        ),
        (
            "processed",
            "officer",
            json!({"result": "Giấy chứng nhận kết hôn"}),
            "",
        ),
        (
            "return",
            "clerk",
            json!({"collected_by": "Võ Thị Mai", "method": "counter"}),
            "",
        ),
    ];
    let mut expected = 1;
    for (what, who, body, must_contain) in steps {
        let token = if who == "clerk" { &clerk } else { &officer };
        let r = s.post(&at(what), Some(token), &body);
        assert_eq!(r.status, 200, "{what}: {}", r.text);
        if what == "supplement-received" {
            continue; // no message: the citizen brought the papers
        }
        expected += 1;
        let all = wait_for(&sink, to, expected);
        let last = all.last().unwrap();
        assert!(
            last["text"].as_str().unwrap().contains(&code),
            "{what}: {last}"
        );
        assert!(
            last["text"].as_str().unwrap().contains(must_contain),
            "{what}: {last}"
        );
    }
    // Exactly once each.
    std::thread::sleep(Duration::from_secs(3));
    assert_eq!(wait_for(&sink, to, 5).len(), 5);
}

fn outage_keeps_the_desk_working_and_mail_goes_out_once(backend: Backend) {
    let mut sink = Sink::stopped();
    let s = server_with_mail(backend, &sink);
    let clerk = s.login("clerk");
    let admin = s.login("admin");
    let mut codes = Vec::new();
    for i in 0..5 {
        let r = s.post(
            "/api/v1/dossiers",
            Some(&clerk),
            &marriage(Some(&format!("dan{i}@example.vn")), "Dân"),
        );
        assert_eq!(r.status, 201, "the desk keeps working: {}", r.text);
        codes.push(r.json["code"].as_str().unwrap().to_string());
    }
    // The worker tried and failed: rows wait with the error kept.
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let page = s.get("/api/v1/outbox?status=pending", Some(&admin));
        let tried = page.json["items"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|m| m["last_error"].is_string())
            .count();
        if tried == 5 {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "no delivery attempt recorded: {}",
            page.text
        );
        std::thread::sleep(Duration::from_millis(200));
    }
    assert!(sink.messages().is_empty());
    // The server is back: each message goes out exactly once.
    sink.resume();
    for (i, code) in codes.iter().enumerate() {
        let got = wait_for(&sink, &format!("dan{i}@example.vn"), 1);
        assert!(got[0]["text"].as_str().unwrap().contains(code.as_str()));
    }
    std::thread::sleep(Duration::from_secs(3));
    assert_eq!(sink.messages().len(), 5);
    let page = s.get("/api/v1/outbox?status=sent", Some(&admin));
    assert_eq!(page.json["total"], 5);
}

fn rolled_back_changes_send_nothing(backend: Backend) {
    let sink = Sink::start();
    let s = server_with_mail(backend, &sink);
    let clerk = s.login("clerk");
    let officer = s.login("officer");
    let admin = s.login("admin");
    let outbox_total = || {
        s.get("/api/v1/outbox", Some(&admin)).json["total"]
            .as_i64()
            .unwrap()
    };
    let r = s.post(
        "/api/v1/dossiers",
        Some(&clerk),
        &marriage(Some("lan@example.vn"), "Lan"),
    );
    let code = r.json["code"].as_str().unwrap().to_string();
    assert_eq!(outbox_total(), 1);
    // Without an address, no mail; an incomplete dossier sends nothing.
    s.post(
        "/api/v1/dossiers",
        Some(&clerk),
        &marriage(None, "Không thư"),
    );
    let mut incomplete = marriage(Some("lan@example.vn"), "Lan");
    incomplete["documents"] = json!([{"code": "TK", "original": 1}]);
    assert_eq!(
        s.post("/api/v1/dossiers", Some(&clerk), &incomplete).status,
        422
    );
    assert_eq!(outbox_total(), 1);
    // A refused change writes no message.
    let ext = json!({"reason": "Chờ xác minh", "new_due_at": common::working_days_from_now(15)});
    assert_eq!(
        s.post(
            &format!("/api/v1/dossiers/{code}/extension"),
            Some(&officer),
            &ext
        )
        .status,
        200
    );
    assert_eq!(outbox_total(), 2);
    assert_eq!(
        s.post(
            &format!("/api/v1/dossiers/{code}/extension"),
            Some(&officer),
            &ext
        )
        .status,
        409
    );
    assert_eq!(outbox_total(), 2);
    wait_for(&sink, "lan@example.vn", 2);
    // The outbox is for administrators only.
    s.get("/api/v1/outbox", Some(&clerk))
        .assert_problem(403, "forbidden");
}

fn breaches_tell_the_holder_and_the_supervisor_once_a_day(backend: Backend) {
    let sink = Sink::start();
    let smtp = sink.config();
    let s = TestServer::start_with(backend, move |c| {
        c.digest_hour = 0;
        c.mail = Some(MailConfig {
            smtp,
            delivery: DeliverySettings::default(),
        })
    });
    let admin = s.login("admin");
    for (username, role, agency) in [
        ("canbo.xa", "officer", "H53.50.05.13"),
        ("giamsat.huyen", "supervisor", "H53.50"),
    ] {
        let r = s.post(
            "/api/v1/users",
            Some(&admin),
            &json!({"username": username, "password": "mat-khau-dai", "full_name": username, "role": role,
                    "agency_code": agency, "email": format!("{username}@example.vn")}),
        );
        assert_eq!(r.status, 201, "{}", r.text);
    }
    let clerk = s.login("clerk");
    let mut conn = s.conn();
    let mut codes = Vec::new();
    for i in 0..3 {
        let r = s.post(
            "/api/v1/dossiers",
            Some(&clerk),
            &marriage(None, &format!("Dân {i}")),
        );
        let code = r.json["code"].as_str().unwrap().to_string();
        let d = motcua_store::dossiers::find_by_code(&mut conn, &code)
            .unwrap()
            .unwrap();
        let past = motcua_store::time::now() - chrono::Duration::hours(2);
        motcua_store::dossiers::set_clock(
            &mut conn,
            &d.id,
            &motcua_store::dossiers::ClockProjection {
                due_at: past,
                paused_since: None,
                bump: false,
            },
            past,
        )
        .unwrap();
        codes.push(code);
    }
    for _ in 0..3 {
        assert_eq!(
            s.post("/api/v1/breaches/scan", Some(&admin), &json!({}))
                .status,
            200
        );
    }
    // The holder's officer: one message per overdue dossier.
    let officer = wait_for(&sink, "canbo.xa@example.vn", 3);
    for code in &codes {
        assert!(officer
            .iter()
            .any(|m| m["text"].as_str().unwrap().contains(code.as_str())));
    }
    // The supervisor: one digest listing all three, however many scans.
    let digest = wait_for(&sink, "giamsat.huyen@example.vn", 1);
    for code in &codes {
        assert!(digest[0]["text"].as_str().unwrap().contains(code.as_str()));
    }
    std::thread::sleep(Duration::from_secs(3));
    assert_eq!(wait_for(&sink, "giamsat.huyen@example.vn", 1).len(), 1);
}

/// Two servers on one database, each with its own mail worker, as behind
/// a load balancer: 200 intakes with an address, half through each, and
/// every receipt is delivered exactly once.
fn two_servers_deliver_each_receipt_once(backend: Backend) {
    const INTAKES: usize = 200;
    let sink = Sink::start();
    let smtp = sink.config();
    let a = server_with_mail(backend, &sink);
    let b = TestServer::second(&a, move |c| {
        c.mail = Some(MailConfig {
            smtp,
            delivery: DeliverySettings::default(),
        })
    });
    let codes: Vec<(String, String)> = std::thread::scope(|scope| {
        let handles: Vec<_> = [&a, &b]
            .into_iter()
            .enumerate()
            .map(|(half, s)| {
                scope.spawn(move || {
                    let clerk = s.login("clerk");
                    (0..INTAKES / 2)
                        .map(|i| {
                            let to = format!("dan{half}-{i:03}@example.vn");
                            let r = s.post(
                                "/api/v1/dossiers",
                                Some(&clerk),
                                &marriage(Some(&to), "Dân"),
                            );
                            assert_eq!(r.status, 201, "{}", r.text);
                            (to, r.json["code"].as_str().unwrap().to_string())
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap())
            .collect()
    });
    let deadline = Instant::now() + Duration::from_secs(60);
    while sink.messages().len() < INTAKES && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(200));
    }
    // Give a duplicate time to show up.
    std::thread::sleep(Duration::from_secs(2));
    let messages = sink.messages();
    assert_eq!(messages.len(), INTAKES, "delivered messages");
    let mut seen = std::collections::HashMap::new();
    for m in &messages {
        let to = m["rcpt_tos"][0].as_str().unwrap().to_string();
        *seen.entry(to).or_insert(0) += 1;
    }
    for (to, code) in &codes {
        assert_eq!(seen.get(to), Some(&1), "receipts to {to}");
        let m = messages
            .iter()
            .find(|m| m["rcpt_tos"][0] == to.as_str())
            .unwrap();
        assert!(m["text"].as_str().unwrap().contains(code.as_str()), "{m}");
    }
    let admin = a.login("admin");
    let page = a.get(
        &format!("/api/v1/outbox?status=sent&limit={INTAKES}"),
        Some(&admin),
    );
    assert_eq!(page.json["total"], INTAKES, "{}", page.text);
    for m in page.json["items"].as_array().unwrap() {
        assert_eq!(m["attempts"], 1, "one try per message: {m}");
    }
}

/// Waits until the outbox holds `n` messages with `status`, and returns
/// the page.
fn wait_for_status(s: &TestServer, admin: &str, status: &str, n: i64) -> Value {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let page = s.get(&format!("/api/v1/outbox?status={status}"), Some(admin));
        if page.json["total"] == n {
            return page.json;
        }
        assert!(Instant::now() < deadline, "{n} {status}: {}", page.text);
        std::thread::sleep(Duration::from_millis(100));
    }
}

fn an_administrator_retries_a_refused_message(backend: Backend) {
    let sink = Sink::start_with(Some("reject"));
    let smtp = sink.config();
    let s = TestServer::start_with(backend, move |c| {
        c.mail = Some(MailConfig {
            smtp,
            delivery: DeliverySettings {
                max_attempts: 1,
                ..DeliverySettings::default()
            },
        })
    });
    let (clerk, admin) = (s.login("clerk"), s.login("admin"));
    for (email, name) in [
        ("reject.me@example.vn", "Từ chối"),
        ("ok@example.vn", "Được"),
    ] {
        let r = s.post(
            "/api/v1/dossiers",
            Some(&clerk),
            &marriage(Some(email), name),
        );
        assert_eq!(r.status, 201, "{}", r.text);
    }
    // The server refuses one address: after its one try the message fails,
    // with the server's answer kept and nothing more scheduled.
    let failed = wait_for_status(&s, &admin, "failed", 1);
    let failed = &failed["items"][0];
    assert_eq!(failed["recipient"], "reject.me@example.vn");
    assert_eq!(failed["attempts"], 1);
    assert!(
        failed["last_error"].as_str().unwrap().contains("550"),
        "{failed}"
    );
    assert!(failed["next_attempt_at"].is_null(), "{failed}");
    let sent = wait_for_status(&s, &admin, "sent", 1);
    let id = failed["id"].as_i64().unwrap();
    let sent_id = sent["items"][0]["id"].as_i64().unwrap();

    let retry = |id: &str, token: &str| {
        s.post(
            &format!("/api/v1/outbox/{id}/retry"),
            Some(token),
            &json!({}),
        )
    };
    retry(&id.to_string(), &clerk).assert_problem(403, "forbidden");
    let r = retry("not-a-number", &admin);
    r.assert_problem(422, "validation");
    assert_eq!(r.json["errors"][0]["field"], "id", "{}", r.text);
    retry(&(sent_id + id + 100).to_string(), &admin).assert_problem(404, "not-found");
    retry(&sent_id.to_string(), &admin).assert_problem(409, "conflict");

    // Retried: pending again and due now, tried once more, refused again.
    let r = retry(&id.to_string(), &admin);
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(
        (r.json["id"].as_i64(), &r.json["status"]),
        (Some(id), &json!("pending"))
    );
    assert!(r.json["next_attempt_at"].is_string(), "{}", r.text);
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let page = wait_for_status(&s, &admin, "failed", 1);
        if page["items"][0]["attempts"] == 2 {
            break;
        }
        assert!(Instant::now() < deadline, "not tried again: {page}");
        std::thread::sleep(Duration::from_millis(100));
    }
    let events =
        motcua_store::events::for_subject(&mut s.conn(), "outbox", &id.to_string()).unwrap();
    assert_eq!(
        events.iter().map(|e| e.kind.as_str()).collect::<Vec<_>>(),
        ["outbox.retried"]
    );
    assert_eq!(sink.messages().len(), 1);
}

fn sent_mail_past_the_retention_period_is_deleted(backend: Backend) {
    let sink = Sink::start();
    let smtp = sink.config();
    let s = server_with_mail(backend, &sink);
    let (clerk, admin) = (s.login("clerk"), s.login("admin"));
    for i in 0..3 {
        let r = s.post(
            "/api/v1/dossiers",
            Some(&clerk),
            &marriage(Some(&format!("cu{i}@example.vn")), "Cũ"),
        );
        assert_eq!(r.status, 201, "{}", r.text);
    }
    wait_for_status(&s, &admin, "sent", 3);
    // Sent long ago (past the default 90 days).
    use motcua_store::SimpleConnection;
    s.conn()
        .batch_execute("UPDATE outbox SET sent_at = '2020-01-01 00:00:00'")
        .unwrap();
    // A second server's worker purges at start: the two older messages go,
    // the newest stays (new ids must keep growing).
    let b = TestServer::second(&s, move |c| {
        c.mail = Some(MailConfig {
            smtp,
            delivery: DeliverySettings::default(),
        })
    });
    let kept = wait_for_status(&b, &admin, "sent", 1);
    assert_eq!(kept["items"][0]["recipient"], "cu2@example.vn", "{kept}");
    assert_eq!(b.get("/api/v1/outbox", Some(&admin)).json["total"], 1);
}

on_both_backends!(
    sent_mail_past_the_retention_period_is_deleted,
    an_administrator_retries_a_refused_message,
    two_servers_deliver_each_receipt_once,
    breaches_tell_the_holder_and_the_supervisor_once_a_day,
    lifecycle_mails_reach_the_citizen,
    outage_keeps_the_desk_working_and_mail_goes_out_once,
    rolled_back_changes_send_nothing,
);
