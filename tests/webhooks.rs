//! Webhooks over real HTTP, on both databases, to a real receiver on
//! loopback: every change a subscriber follows is posted signed, in order
//! per dossier, at least once, through a receiver that is down for a
//! while, slow, or fed by two servers at once; kinds and scope choose what
//! is posted; a failed row holds its dossier's line until an administrator
//! retries it.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::time::{Duration, Instant};

use common::receiver::{Mode, Post, Receiver};
use common::{birth_registration, Backend, TestServer};
use motcua_api::webhook::signature::{verify, SignatureError};
use motcua_api::webhook::WebhookSettings;
use motcua_api::Config;
use serde_json::{json, Value};

/// Quick retries, so a test waits seconds, not hours.
fn quick(c: &mut Config) {
    c.webhooks = WebhookSettings {
        backoff: Duration::from_millis(100),
        backoff_max: Duration::from_millis(400),
        idle: Duration::from_millis(50),
        timeout: Duration::from_secs(1),
        max_attempts: 1000,
        ..WebhookSettings::default()
    };
}

/// Adds a subscriber with a webhook; returns its id, feed token and secret.
fn hooked(
    s: &TestServer,
    admin: &str,
    name: &str,
    agency: &str,
    webhook: Value,
) -> (String, String, String) {
    let r = s.post(
        "/api/v1/subscribers",
        Some(admin),
        &json!({"name": name, "agency": agency, "webhook": webhook}),
    );
    assert_eq!(r.status, 201, "{}", r.text);
    let secret = r.json["webhook_secret"].as_str().unwrap().to_string();
    assert!(secret.starts_with("whsec_"), "{secret}");
    (
        r.json["id"].as_str().unwrap().to_string(),
        r.json["token"].as_str().unwrap().to_string(),
        secret,
    )
}

fn step(s: &TestServer, token: &str, code: &str, what: &str, body: Value) {
    let r = s.post(
        &format!("/api/v1/dossiers/{code}/{what}"),
        Some(token),
        &body,
    );
    assert!(r.status < 300, "{what} {code}: {}", r.text);
}

/// Dossier `n` taken in and along a path of its own.
fn walk(s: &TestServer, clerk: &str, officer: &str, n: u32) -> String {
    let mut body = birth_registration();
    body["applicant"]["id_number"] = json!(format!("0010910{n:05}"));
    let r = s.post("/api/v1/dossiers", Some(clerk), &body);
    assert_eq!(r.status, 201, "{}", r.text);
    let code = r.json["code"].as_str().unwrap().to_string();
    if !n.is_multiple_of(3) {
        step(s, clerk, &code, "send", json!({}));
        step(s, officer, &code, "receive", json!({}));
        step(s, officer, &code, "processed", json!({"result": "GKS"}));
        if n % 3 == 2 {
            step(
                s,
                clerk,
                &code,
                "return",
                json!({"collected_by": "Nguyễn Văn An", "method": "counter"}),
            );
        }
    }
    code
}

/// Waits until every change is queued and nothing is pending.
fn until_delivered(s: &TestServer, admin: &str) {
    let deadline = Instant::now() + Duration::from_secs(90);
    loop {
        // Every change queued first (the worker queues a change a round
        // after it), then nothing pending.
        let queued = motcua_store::deliveries::enqueued_all(&mut s.conn()).unwrap();
        let r = s.get("/api/v1/deliveries?limit=1", Some(admin));
        assert_eq!(r.status, 200, "{}", r.text);
        if queued && r.json["counts"]["pending"] == 0 {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "still pending: {}",
            r.json["counts"]
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// Every feed item a subscriber may read, from the beginning.
fn feed(s: &TestServer, token: &str) -> Vec<Value> {
    let (mut items, mut after) = (Vec::new(), 0);
    loop {
        let r = s.get(
            &format!("/api/v1/feed?after={after}&limit=1000"),
            Some(token),
        );
        assert_eq!(r.status, 200, "{}", r.text);
        items.extend(r.json["items"].as_array().unwrap().clone());
        after = r.json["next"].as_i64().unwrap();
        if r.json["caught_up"] == true {
            return items;
        }
    }
}

/// The accepted posts of one subscriber: each signed with its secret (and
/// with no other), and per dossier in the order of its changes (a repeat
/// may follow the post it repeats, nothing older may follow a newer one).
/// Returns the event ids accepted, each once.
fn checked_posts(s: &TestServer, posts: &[Post], name: &str, secret: &str) -> BTreeSet<i64> {
    let now = s.now().timestamp();
    let mut last: BTreeMap<String, i64> = BTreeMap::new();
    let mut ids = BTreeSet::new();
    for p in posts.iter().filter(|p| p.accepted) {
        let body = p.json();
        if body["subscriber"] != name {
            continue;
        }
        assert_eq!(verify(secret, &p.signature, &p.body, now, 600), Ok(()));
        assert_eq!(
            verify("whsec_other", &p.signature, &p.body, now, 600),
            Err(SignatureError::Mismatch)
        );
        let id: i64 = p.event_id.parse().unwrap();
        assert_eq!(body["event_id"], p.event_id, "the header and body agree");
        let code = body["item"]["dossier_code"]
            .as_str()
            .or(body["item"]["MaHoSo"].as_str())
            .unwrap()
            .to_string();
        let before = last.insert(code.clone(), id).unwrap_or(0);
        assert!(id >= before, "{code}: event {id} after {before}");
        ids.insert(id);
    }
    ids
}

/// The feed's event ids whose change is of a kind in `kinds` (as the desk
/// measures it: against the dossier's item before).
fn event_ids_of_kinds(items: &[Value], kinds: &[&str]) -> BTreeSet<i64> {
    let mut before: BTreeMap<String, &Value> = BTreeMap::new();
    let mut out = BTreeSet::new();
    for i in items {
        let code = i["dossier_code"].as_str().unwrap().to_string();
        let changed = |fields: &[&str]| {
            before
                .get(&code)
                .is_some_and(|b| fields.iter().any(|f| b[*f] != i[*f]))
        };
        let mine = kinds.iter().any(|k| match *k {
            "received" => !before.contains_key(&code),
            "status" => changed(&["status_code"]),
            "result" => changed(&["ended_at", "verdict", "returned_at"]),
            _ => unreachable!(),
        });
        if mine {
            out.insert(i["event_id"].as_str().unwrap().parse().unwrap());
        }
        before.insert(code, i);
    }
    out
}

fn all_ids(items: &[Value]) -> BTreeSet<i64> {
    items
        .iter()
        .map(|i| i["event_id"].as_str().unwrap().parse().unwrap())
        .collect()
}

/// A receiver down while the desk works, then up: every change reaches it,
/// signed and in order; kinds and scope choose what is posted; the queue
/// shows what waits and why.
fn a_receiver_down_then_up_gets_every_change(backend: Backend) {
    let down = Receiver::start(Mode::Down);
    let other = Receiver::start(Mode::Up);
    let s = TestServer::start_with(backend, quick);
    let admin = s.login("admin");
    let (a, a_token, a_secret) = hooked(
        &s,
        &admin,
        "Phần mềm một cửa huyện",
        "H53",
        json!({"url": down.url}),
    );
    let (b, b_token, b_secret) = hooked(
        &s,
        &admin,
        "Hệ thống báo cáo tỉnh",
        "H53",
        json!({"url": other.url, "kinds": ["result", "status", "result"]}),
    );
    let (c, _, _) = hooked(
        &s,
        &admin,
        "Bảo hiểm xã hội",
        "H53.50.22",
        json!({"url": other.url}),
    );
    let (clerk, officer) = (s.login("clerk"), s.login("officer"));
    for n in 0..9 {
        walk(&s, &clerk, &officer, n);
    }
    // Down: the first change of each dossier is tried again and again, the
    // rest wait behind it.
    let deadline = Instant::now() + Duration::from_secs(30);
    while down.posts().len() < 12 {
        assert!(
            Instant::now() < deadline,
            "no retries: {:?}",
            down.posts().len()
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    let waiting = s.get(
        &format!("/api/v1/deliveries?state=pending&subscriber={a}&limit=500"),
        Some(&admin),
    );
    assert_eq!(waiting.status, 200, "{}", waiting.text);
    let rows = waiting.json["items"].as_array().unwrap();
    assert!(
        rows.iter().any(|r| r["attempts"].as_i64().unwrap() >= 1
            && r["last_status"] == 503
            && r["last_error"].as_str().unwrap().contains("503")),
        "{}",
        waiting.text
    );
    let tried: BTreeSet<String> = down.posts().into_iter().map(|p| p.event_id).collect();
    assert!(
        tried.len() <= 9,
        "only the first change of each dossier is tried: {tried:?}"
    );

    down.set(Mode::Up);
    until_delivered(&s, &admin);

    // A: every change of its agencies, once at least, in order.
    let a_feed = feed(&s, &a_token);
    assert_eq!(
        checked_posts(&s, &down.posts(), "Phần mềm một cửa huyện", &a_secret),
        all_ids(&a_feed)
    );
    // B: only status and result changes (the kinds asked for), national
    // shape; the others are skipped.
    let b_feed = feed(&s, &b_token);
    let b_got = checked_posts(&s, &other.posts(), "Hệ thống báo cáo tỉnh", &b_secret);
    assert_eq!(
        b_got,
        event_ids_of_kinds(&feed(&s, &a_token), &["status", "result"])
    );
    assert!(b_got.len() < b_feed.len(), "some changes were skipped");
    for p in other
        .posts()
        .iter()
        .filter(|p| p.json()["subscriber"] == "Hệ thống báo cáo tỉnh")
    {
        let body = p.json();
        assert!(
            body["changes"]
                .as_array()
                .unwrap()
                .iter()
                .any(|k| k == "status" || k == "result"),
            "{body}"
        );
    }
    let skipped = s.get(
        &format!("/api/v1/deliveries?state=skipped&subscriber={b}"),
        Some(&admin),
    );
    assert_eq!(
        skipped.json["total"].as_u64().unwrap() as usize,
        b_feed.len() - b_got.len()
    );
    // C follows another district: nothing.
    let none = s.get(&format!("/api/v1/deliveries?subscriber={c}"), Some(&admin));
    assert_eq!(none.json["total"], 0, "{}", none.text);
    assert!(other
        .posts()
        .iter()
        .all(|p| p.json()["subscriber"] != "Bảo hiểm xã hội"));

    // The queue for administrators only; bad filters are named.
    s.get("/api/v1/deliveries", Some(&clerk))
        .assert_problem(403, "forbidden");
    let r = s.get("/api/v1/deliveries?state=lost", Some(&admin));
    assert_eq!(r.status, 422, "{}", r.text);
    assert!(r.text.contains("state"), "{}", r.text);
    let delivered = s.get("/api/v1/deliveries?state=delivered&limit=1", Some(&admin));
    let id = delivered.json["items"][0]["id"].as_i64().unwrap();
    assert_eq!(
        s.post(
            &format!("/api/v1/deliveries/{id}/retry"),
            Some(&admin),
            &json!({})
        )
        .status,
        409
    );
    assert_eq!(
        s.post("/api/v1/deliveries/999999/retry", Some(&admin), &json!({}))
            .status,
        404
    );
    assert_eq!(
        s.post(
            &format!("/api/v1/deliveries/{id}/retry"),
            Some(&clerk),
            &json!({})
        )
        .status,
        403
    );
}

/// With a low attempt limit a row fails and holds its dossier's later
/// changes; an administrator's retry sends them all, in order.
fn a_failed_delivery_holds_its_line_until_retried(backend: Backend) {
    let receiver = Receiver::start(Mode::Down);
    let s = TestServer::start_with(backend, |c| {
        quick(c);
        c.webhooks.max_attempts = 2;
    });
    let admin = s.login("admin");
    let (a, a_token, secret) = hooked(
        &s,
        &admin,
        "Phần mềm một cửa huyện",
        "H53",
        json!({"url": receiver.url}),
    );
    let (clerk, officer) = (s.login("clerk"), s.login("officer"));
    walk(&s, &clerk, &officer, 1);
    let deadline = Instant::now() + Duration::from_secs(30);
    let failed = loop {
        let r = s.get(
            &format!("/api/v1/deliveries?state=failed&subscriber={a}"),
            Some(&admin),
        );
        if r.json["total"] == 1 {
            break r.json["items"][0].clone();
        }
        assert!(Instant::now() < deadline, "never failed: {}", r.text);
        std::thread::sleep(Duration::from_millis(50));
    };
    assert_eq!(failed["attempts"], 2);
    std::thread::sleep(Duration::from_millis(500));
    // The later changes wait, untried.
    let r = s.get(
        &format!("/api/v1/deliveries?state=pending&subscriber={a}"),
        Some(&admin),
    );
    assert!(r.json["total"].as_i64().unwrap() >= 3, "{}", r.text);
    assert!(r.json["items"]
        .as_array()
        .unwrap()
        .iter()
        .all(|i| i["attempts"] == 0));
    assert_eq!(receiver.posts().len(), 2);

    receiver.set(Mode::Up);
    let id = failed["id"].as_i64().unwrap();
    let r = s.post(
        &format!("/api/v1/deliveries/{id}/retry"),
        Some(&admin),
        &json!({}),
    );
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.json["state"], "pending");
    until_delivered(&s, &admin);
    assert_eq!(
        checked_posts(&s, &receiver.posts(), "Phần mềm một cửa huyện", &secret),
        all_ids(&feed(&s, &a_token))
    );
    // The retry is on the record.
    let logged =
        motcua_store::events::for_subject(&mut s.conn(), "delivery", &id.to_string()).unwrap();
    assert_eq!(logged.len(), 1, "{logged:?}");
    assert_eq!(logged[0].kind, motcua_domain::EventKind::DeliveryRetried);
}

/// Two servers post from one queue: each change once, in order.
fn two_servers_deliver_each_change_once(backend: Backend) {
    let receiver = Receiver::start(Mode::Up);
    let a = TestServer::start_with(backend, quick);
    let b = TestServer::second(&a, quick);
    let admin = a.login("admin");
    let (_, token, secret) = hooked(
        &a,
        &admin,
        "Hệ thống báo cáo tỉnh",
        "H53",
        json!({"url": receiver.url}),
    );
    std::thread::scope(|scope| {
        for w in 0..4u32 {
            let server = if w % 2 == 0 { &a } else { &b };
            scope.spawn(move || {
                let (clerk, officer) = (server.login("clerk"), server.login("officer"));
                for n in 0..5 {
                    walk(server, &clerk, &officer, 100 + w * 10 + n);
                }
            });
        }
    });
    // The worker makes a change's delivery a round after the change, so
    // an empty queue may still have the last change to come.
    let all = all_ids(&feed(&a, &token));
    let deadline = Instant::now() + Duration::from_secs(90);
    while checked_posts(&a, &receiver.posts(), "Hệ thống báo cáo tỉnh", &secret) != all {
        assert!(Instant::now() < deadline, "not every change was posted");
        std::thread::sleep(Duration::from_millis(100));
    }
    until_delivered(&a, &admin);
    let posts = receiver.posts();
    let ids = checked_posts(&a, &posts, "Hệ thống báo cáo tỉnh", &secret);
    assert_eq!(ids, all);
    assert_eq!(posts.len(), ids.len(), "no change posted twice");
}

/// A receiver slower than the desk waits: the post counts as failed and
/// is made again (the same event id, for the receiver to drop), the
/// dossier's next change waits for it, and all arrive once it is quick.
fn a_slow_receiver_gets_repeats_in_order(backend: Backend) {
    let receiver = Receiver::start(Mode::Slow(Duration::from_millis(1500)));
    let s = TestServer::start_with(backend, quick);
    let admin = s.login("admin");
    let (a, token, secret) = hooked(
        &s,
        &admin,
        "Phần mềm một cửa huyện",
        "H53",
        json!({"url": receiver.url}),
    );
    let (clerk, officer) = (s.login("clerk"), s.login("officer"));
    for n in 1..3 {
        walk(&s, &clerk, &officer, n);
    }
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let r = s.get(
            &format!("/api/v1/deliveries?state=pending&subscriber={a}&limit=500"),
            Some(&admin),
        );
        if r.json["items"].as_array().unwrap().iter().any(|i| {
            i["last_error"]
                .as_str()
                .is_some_and(|e| e.contains("no answer in time"))
        }) {
            break;
        }
        assert!(Instant::now() < deadline, "no timeout seen: {}", r.text);
        std::thread::sleep(Duration::from_millis(100));
    }
    receiver.set(Mode::Up);
    until_delivered(&s, &admin);
    let posts = receiver.posts();
    let ids = checked_posts(&s, &posts, "Phần mềm một cửa huyện", &secret);
    assert_eq!(ids, all_ids(&feed(&s, &token)));
    assert!(posts.len() > ids.len(), "the slow posts were made again");
}

/// An administrator sets, changes and removes a webhook; bad settings are
/// named; a secret is shown once; a subscriber without a webhook, or
/// disabled, gets nothing queued.
/// The delivery rows once the queue is filled from the feed, as the
/// worker fills it before each claim (the worker is off in this test).
fn queued(s: &TestServer) -> i64 {
    let mut conn = s.conn();
    motcua_store::feed::sequence(&mut conn).unwrap();
    motcua_store::deliveries::enqueue(&mut conn, motcua_store::deliveries::ENQUEUE_BATCH).unwrap();
    common::count(&mut conn, "deliveries")
}

fn webhook_settings_are_checked(backend: Backend) {
    let s = TestServer::start_with(backend, |c| c.webhooks.enabled = false);
    let admin = s.login("admin");
    for (webhook, field) in [
        (json!({"url": "ftp://127.0.0.1/hook"}), "webhook.url"),
        (json!({"url": "khong phai url"}), "webhook.url"),
        (
            json!({"url": format!("http://a.vn/{}", "x".repeat(2000))}),
            "webhook.url",
        ),
        (
            json!({"url": "http://a.vn/", "kinds": ["everything"]}),
            "webhook.kinds",
        ),
        (json!({"url": "http://a.vn/", "kinds": []}), "webhook.kinds"),
        (json!({"url": "http://a.vn/", "secret": "mine"}), "secret"),
    ] {
        let r = s.post(
            "/api/v1/subscribers",
            Some(&admin),
            &json!({"name": "Thử", "agency": "H53", "webhook": webhook}),
        );
        assert_eq!(r.status, 422, "{webhook}: {}", r.text);
        assert!(r.text.contains(field), "{webhook}: {}", r.text);
    }
    // No webhook: nothing queued; then one set by PATCH, with its secret.
    let r = s.post(
        "/api/v1/subscribers",
        Some(&admin),
        &json!({"name": "Thử", "agency": "H53"}),
    );
    assert_eq!(r.status, 201, "{}", r.text);
    assert!(r.json["webhook"].is_null() && r.json.get("webhook_secret").is_none());
    let id = r.json["id"].as_str().unwrap().to_string();
    let patch = |body: Value| s.patch(&format!("/api/v1/subscribers/{id}"), Some(&admin), &body);
    let r = patch(json!({"new_secret": true}));
    assert_eq!(r.status, 422, "{}", r.text);
    assert!(r.text.contains("new_secret"), "{}", r.text);
    let r = patch(json!({"remove_webhook": true, "webhook": {"url": "http://a.vn/"}}));
    assert_eq!(r.status, 422, "{}", r.text);
    let (clerk, officer) = (s.login("clerk"), s.login("officer"));
    walk(&s, &clerk, &officer, 0);
    assert_eq!(queued(&s), 0);
    let r =
        patch(json!({"webhook": {"url": "https://baocao.tinh.gov.vn/hook", "kinds": ["status"]}}));
    assert_eq!(r.status, 200, "{}", r.text);
    let first = r.json["webhook_secret"].as_str().unwrap().to_string();
    assert_eq!(
        r.json["webhook"],
        json!({"url": "https://baocao.tinh.gov.vn/hook", "kinds": ["status"]})
    );
    // Changing the URL keeps the secret; a new one is shown once.
    let r = patch(json!({"webhook": {"url": "https://baocao.tinh.gov.vn/hook2"}}));
    assert!(r.json.get("webhook_secret").is_none(), "{}", r.text);
    assert!(r.json["webhook"]["kinds"].is_null());
    let r = patch(json!({"new_secret": true}));
    let second = r.json["webhook_secret"].as_str().unwrap().to_string();
    assert_ne!(first, second);
    let listed = s.get("/api/v1/subscribers", Some(&admin));
    assert!(
        !listed.text.contains("whsec_"),
        "secrets are shown once only"
    );
    walk(&s, &clerk, &officer, 3);
    let made = queued(&s);
    assert_eq!(made, 1, "one change of a new dossier");
    assert_eq!(queued(&s), made, "each change is queued once");
    // Disabled, then removed: nothing more is queued.
    patch(json!({"active": false}));
    walk(&s, &clerk, &officer, 6);
    // Enabled again: what changed meanwhile is not queued, what follows is.
    patch(json!({"active": true}));
    assert_eq!(queued(&s), made, "nothing from while it was disabled");
    walk(&s, &clerk, &officer, 12);
    let made = made + 1;
    assert_eq!(queued(&s), made);
    patch(json!({"remove_webhook": true}));
    walk(&s, &clerk, &officer, 9);
    assert_eq!(queued(&s), made);
    assert_eq!(common::count(&mut s.conn(), "webhook_scopes"), 0);
}

on_both_backends!(
    webhook_settings_are_checked,
    a_receiver_down_then_up_gets_every_change,
    a_failed_delivery_holds_its_line_until_retried,
    two_servers_deliver_each_change_once,
    a_slow_receiver_gets_repeats_in_order,
);
