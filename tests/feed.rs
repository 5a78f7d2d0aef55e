//! The event feed over HTTP, on both databases: a subscriber reading from
//! the beginning rebuilds every dossier exactly as the database has it,
//! within its agencies; a disabled subscriber or an old token is refused
//! at once; bad cursors and limits are named; and with writers on two
//! servers at once and a reader following all along, the reader misses no
//! change and sees none twice.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::collections::{BTreeMap, BTreeSet};

use common::{birth_registration, count, Backend, TestServer};
use serde_json::{json, Value};

fn subscriber(s: &TestServer, admin: &str, name: &str, agency: &str) -> (String, String) {
    let r = s.post(
        "/api/v1/subscribers",
        Some(admin),
        &json!({"name": name, "agency": agency}),
    );
    assert_eq!(r.status, 201, "{}", r.text);
    let token = r.json["token"].as_str().unwrap().to_string();
    assert!(token.starts_with("mcs_"), "{token}");
    (r.json["id"].as_str().unwrap().to_string(), token)
}

/// Every item from the cursor on, page by page.
fn read_from(s: &TestServer, token: &str, mut after: i64, limit: u32) -> (Vec<Value>, i64) {
    let mut items = Vec::new();
    loop {
        let r = s.get(
            &format!("/api/v1/feed?after={after}&limit={limit}"),
            Some(token),
        );
        assert_eq!(r.status, 200, "{}", r.text);
        let page = r.json["items"].as_array().unwrap().clone();
        assert!(page.len() <= limit as usize);
        items.extend(page);
        after = r.json["next"].as_i64().unwrap();
        if r.json["caught_up"] == true {
            return (items, after);
        }
    }
}

fn step(s: &TestServer, token: &str, code: &str, what: &str, body: Value) {
    let r = s.post(
        &format!("/api/v1/dossiers/{code}/{what}"),
        Some(token),
        &body,
    );
    assert!(r.status < 300, "{what} {code}: {}", r.text);
}

fn take_in(s: &TestServer, clerk: &str, n: u32) -> String {
    let mut body = birth_registration();
    body["applicant"]["id_number"] = json!(format!("0010900{n:05}"));
    let r = s.post("/api/v1/dossiers", Some(clerk), &body);
    assert_eq!(r.status, 201, "{}", r.text);
    r.json["code"].as_str().unwrap().to_string()
}

/// Takes dossier `n` through a path of its own: left at the desk, sent
/// and received, processed, returned, or withdrawn.
fn walk(s: &TestServer, clerk: &str, officer: &str, n: u32) -> String {
    let code = take_in(s, clerk, n);
    match n % 5 {
        0 => {}
        1 => step(
            s,
            clerk,
            &code,
            "withdraw",
            json!({"reason": "Công dân xin rút"}),
        ),
        _ => {
            step(s, clerk, &code, "send", json!({}));
            step(s, officer, &code, "receive", json!({}));
            if n % 5 >= 3 {
                step(s, officer, &code, "processed", json!({"result": "GKS"}));
            }
            if n % 5 == 4 {
                step(
                    s,
                    clerk,
                    &code,
                    "return",
                    json!({"collected_by": "Nguyễn Văn An", "method": "counter"}),
                );
            }
        }
    }
    code
}

/// Rebuilds each dossier from the items (the last item of each wins) and
/// compares it with the database; every dossier must be there.
fn assert_rebuilds_the_database(s: &TestServer, items: &[Value]) {
    let mut last: BTreeMap<String, &Value> = BTreeMap::new();
    let mut ids = BTreeSet::new();
    let mut position = 0;
    for i in items {
        assert!(
            ids.insert(i["event_id"].as_str().unwrap().to_string()),
            "twice: {i}"
        );
        let p = i["position"].as_i64().unwrap();
        assert!(p > position, "out of order: {p} after {position}");
        position = p;
        last.insert(i["dossier_code"].as_str().unwrap().to_string(), i);
    }
    let mut conn = s.conn();
    let codes = motcua_store::dossiers::codes_with_prefix(&mut conn, "").unwrap();
    assert_eq!(codes.len(), last.len(), "every dossier is in the feed");
    for code in codes {
        let d = motcua_store::dossiers::find_by_code(&mut conn, &code)
            .unwrap()
            .unwrap();
        let item = last[&code];
        assert_eq!(item["status_code"], d.status.code(), "{code}: {item}");
        assert_eq!(item["agency"], d.handling_agency, "{code}: {item}");
        assert_eq!(item["receiving_agency"], d.receiving_agency, "{code}");
        assert_eq!(item["procedure_code"], d.procedure_code, "{code}");
        let due: chrono::DateTime<chrono::Utc> = item["due_at"].as_str().unwrap().parse().unwrap();
        assert_eq!(due, d.due_at, "{code}: {item}");
        assert_eq!(item["paused"], d.paused_since.is_some(), "{code}");
        assert_eq!(item["in_transit"], d.in_transit, "{code}");
        assert_eq!(item["handler"].as_str(), d.assigned_to.as_deref(), "{code}");
        assert_eq!(
            item["verdict"].as_str(),
            d.verdict.map(|v| v.as_str()),
            "{code}"
        );
        assert_eq!(item["ended_at"].is_null(), d.ended_at.is_none(), "{code}");
        assert_eq!(
            item["returned_at"].is_null(),
            d.returned_at.is_none(),
            "{code}"
        );
    }
}

fn a_subscriber_rebuilds_every_dossier(backend: Backend) {
    let s = TestServer::start(backend);
    let (admin, clerk, officer) = (s.login("admin"), s.login("clerk"), s.login("officer"));
    let (_, province) = subscriber(&s, &admin, "Hệ thống báo cáo tỉnh", "H53");
    let codes: Vec<String> = (0..10).map(|n| walk(&s, &clerk, &officer, n)).collect();

    // Page by page, two at a time, from the beginning.
    let (items, next) = read_from(&s, &province, 0, 2);
    assert_rebuilds_the_database(&s, &items);
    // A returned dossier's changes, in the order they happened.
    let returned: Vec<i64> = items
        .iter()
        .filter(|i| i["dossier_code"] == codes[4])
        .map(|i| i["status_code"].as_i64().unwrap())
        .collect();
    assert_eq!(returned.first(), Some(&2), "{returned:?}");
    assert_eq!(returned.last(), Some(&10), "{returned:?}");
    let mut sorted = returned.clone();
    sorted.sort_unstable();
    assert_eq!(sorted, returned, "statuses only move on");
    // Nothing new: the same cursor back, caught up.
    let r = s.get(&format!("/api/v1/feed?after={next}"), Some(&province));
    assert_eq!(r.json["items"], json!([]));
    assert_eq!(r.json["next"], next);
    assert_eq!(r.json["caught_up"], true);
    // A change after that is the one new item.
    step(&s, &clerk, &codes[0], "send", json!({}));
    let (new, _) = read_from(&s, &province, next, 100);
    assert_eq!(new.len(), 1, "{new:?}");
    assert_eq!(new[0]["dossier_code"], codes[0]);
    assert_eq!(new[0]["in_transit"], true);
    // The administrators read it all too.
    let (all, _) = read_from(&s, &admin, 0, 1000);
    assert_eq!(all.len(), items.len() + 1);

    // The national portal's shape, chosen for its subscriber: the same
    // changes, in its fields, times in Vietnam's local time.
    let r = s.post(
        "/api/v1/subscribers",
        Some(&admin),
        &json!({"name": "Cổng DVC quốc gia (thử)", "agency": "H53", "format": "national"}),
    );
    assert_eq!(r.status, 201, "{}", r.text);
    assert_eq!(r.json["format"], "national");
    let portal = r.json["token"].as_str().unwrap().to_string();
    let r = s.get("/api/v1/feed?limit=1000", Some(&portal));
    assert_eq!(r.json["format"], "national", "{}", r.text);
    let national = r.json["items"].as_array().unwrap().clone();
    assert_eq!(national.len(), all.len());
    let local = |t: &Value| {
        let t: chrono::DateTime<chrono::Utc> = t.as_str().unwrap().parse().unwrap();
        t.with_timezone(&chrono::FixedOffset::east_opt(7 * 3600).unwrap())
            .format("%Y%m%d%H%M%S")
            .to_string()
    };
    for (n, d) in national.iter().zip(&all) {
        assert_eq!(n["event_id"], d["event_id"]);
        assert_eq!(n["MaHoSo"], d["dossier_code"]);
        assert_eq!(n["MaTTHC"], d["procedure_code"]);
        assert_eq!(n["TrangThaiHoSo"], d["status_code"]);
        assert_eq!(n["DonViXuLy"], d["agency"]);
        assert_eq!(n["NgayTiepNhan"], local(&d["received_at"]), "{n}");
        assert_eq!(n["NgayHenTra"], local(&d["due_at"]), "{n}");
        let ended = if d["ended_at"].is_null() {
            String::new()
        } else {
            local(&d["ended_at"])
        };
        assert_eq!(n["NgayKetThucXuLy"], ended, "{n}");
        let returned = if d["returned_at"].is_null() {
            String::new()
        } else {
            local(&d["returned_at"])
        };
        assert_eq!(n["NgayTra"], returned, "{n}");
        assert_eq!(n["QuaHan"], u8::from(d["late"] == true), "{n}");
    }
    assert!(national
        .iter()
        .any(|n| n["TrangThaiHoSo"] == 10 && n["NgayTra"] != ""));
    // A reader may ask for the other shape; an unknown one is named.
    let r = s.get("/api/v1/feed?format=desk&limit=1", Some(&portal));
    assert_eq!(r.json["items"][0]["dossier_code"], all[0]["dossier_code"]);
    let r = s.get("/api/v1/feed?format=xml", Some(&portal));
    assert_eq!(r.status, 422, "{}", r.text);
    assert!(r.text.contains("format"), "{}", r.text);
    let r = s.post(
        "/api/v1/subscribers",
        Some(&admin),
        &json!({"name": "Sai định dạng", "agency": "H53", "format": "xml"}),
    );
    assert_eq!(r.status, 422, "{}", r.text);

    // A subscriber sees only its agencies' dossiers.
    let (_, elsewhere) = subscriber(&s, &admin, "Phần mềm bảo hiểm xã hội", "H53.50.22");
    let (theirs, _) = read_from(&s, &elsewhere, 0, 100);
    assert_eq!(theirs, Vec::<Value>::new());

    // Disabled: refused at once. A new token: the old one stops.
    let (id, token) = subscriber(&s, &admin, "Cổng Dịch vụ công quốc gia", "H53");
    assert_eq!(s.get("/api/v1/feed", Some(&token)).status, 200);
    let r = s.patch(
        &format!("/api/v1/subscribers/{id}"),
        Some(&admin),
        &json!({"active": false}),
    );
    assert_eq!(r.status, 200, "{}", r.text);
    assert!(r.json.get("token").is_none());
    s.get("/api/v1/feed", Some(&token))
        .assert_problem(401, "unauthorized");
    let r = s.patch(
        &format!("/api/v1/subscribers/{id}"),
        Some(&admin),
        &json!({"active": true, "new_token": true}),
    );
    let fresh = r.json["token"].as_str().unwrap().to_string();
    s.get("/api/v1/feed", Some(&token))
        .assert_problem(401, "unauthorized");
    assert_eq!(s.get("/api/v1/feed", Some(&fresh)).status, 200);
    let listed = s.get("/api/v1/subscribers", Some(&admin));
    assert_eq!(listed.json["items"].as_array().unwrap().len(), 4);
    assert!(!listed.text.contains("mcs_"), "tokens are shown once only");
    assert_eq!(
        s.post(
            "/api/v1/subscribers",
            Some(&admin),
            &json!({"name": "Cổng Dịch vụ công quốc gia", "agency": "H53"}),
        )
        .status,
        409
    );

    // Bad input is named; others are refused.
    for (query, field) in [
        ("after=-1", "after"),
        ("limit=0", "limit"),
        ("limit=1001", "limit"),
        ("after=abc", "after"),
    ] {
        let r = s.get(&format!("/api/v1/feed?{query}"), Some(&fresh));
        assert_eq!(r.status, 422, "{query}: {}", r.text);
        assert!(r.text.contains(field), "{query}: {}", r.text);
    }
    s.get("/api/v1/feed", Some(&clerk))
        .assert_problem(403, "forbidden");
    s.get("/api/v1/feed", None)
        .assert_problem(401, "unauthorized");
    s.get("/api/v1/feed", Some("mcs_0000"))
        .assert_problem(401, "unauthorized");
    let r = s.post(
        "/api/v1/subscribers",
        Some(&admin),
        &json!({"name": "Không có cơ quan", "agency": "H99"}),
    );
    assert_eq!(r.status, 422, "{}", r.text);
    assert_eq!(
        s.post(
            "/api/v1/subscribers",
            Some(&clerk),
            &json!({"name": "X", "agency": "H53"}),
        )
        .status,
        403
    );
}

/// Writers on two servers at once, a reader following the feed all along:
/// it sees every change once, and ends with the database.
fn two_servers_writing_while_a_reader_follows(backend: Backend) {
    let a = TestServer::start(backend);
    let b = TestServer::second(&a, |_| {});
    let admin = a.login("admin");
    let (_, token) = subscriber(&a, &admin, "Hệ thống báo cáo tỉnh", "H53");
    let done = std::sync::atomic::AtomicBool::new(false);
    let (followed, cursor) = std::thread::scope(|scope| {
        let reader = scope.spawn(|| {
            let (mut seen, mut after) = (Vec::new(), 0);
            while !done.load(std::sync::atomic::Ordering::SeqCst) {
                let (items, next) = read_from(&b, &token, after, 7);
                seen.extend(items);
                after = next;
            }
            (seen, after)
        });
        let writers: Vec<_> = (0..4u32)
            .map(|w| {
                let server = if w % 2 == 0 { &a } else { &b };
                scope.spawn(move || {
                    let (clerk, officer) = (server.login("clerk"), server.login("officer"));
                    for n in 0..6 {
                        walk(server, &clerk, &officer, 100 + w * 10 + n);
                    }
                })
            })
            .collect();
        for w in writers {
            w.join().unwrap();
        }
        done.store(true, std::sync::atomic::Ordering::SeqCst);
        reader.join().unwrap()
    });
    let (rest, _) = read_from(&a, &token, cursor, 50);
    let mut items = followed;
    items.extend(rest);
    assert_eq!(
        items.len() as i64,
        count(&mut a.conn(), "feed_items"),
        "every change once"
    );
    assert_rebuilds_the_database(&a, &items);
}

on_both_backends!(
    a_subscriber_rebuilds_every_dossier,
    two_servers_writing_while_a_reader_follows,
);
