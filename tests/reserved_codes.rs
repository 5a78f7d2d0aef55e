//! When the network is down, over HTTP on both databases
//! (docs/dossier-code.md, Reserved codes): a desk reserves codes from its
//! daily sequence, logs the paper receipts later with their real receipt
//! times (each code once, only its own day, only while the days to log it
//! last), and the codes never used are void and listed in the tracking
//! book so the sequence shows no gap.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use chrono::{DateTime, Duration, Utc};
use common::{birth_registration, Backend, TestServer};
use serde_json::{json, Value};

const DESK: &str = "H53.50.05.13";

fn seq(code: &str) -> u32 {
    code.rsplit('-').next().unwrap().parse().unwrap()
}

fn codes(v: &Value) -> Vec<String> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|c| c["code"].as_str().unwrap().to_string())
        .collect()
}

/// The land procedure's dossier (10 working days) on a paper receipt.
fn paper(code: &str, at: DateTime<Utc>) -> Value {
    json!({
        "procedure": "VT.DD.9",
        "applicant": {"name": "Đỗ Văn Hải", "id_number": "001090011111"},
        "documents": [{"code": "DON", "original": 1}],
        "paper_receipt": {"code": code, "received_at": at}
    })
}

fn a_desk_logs_its_paper_receipts_after_an_outage(backend: Backend) {
    let s = TestServer::start(backend);
    common::land_procedure_and_district_officer(&s, &s.login("admin"));
    let (clerk, officer) = (s.login("clerk"), s.login("officer"));
    let district_clerk = s.login("clerk.huyen");
    let path = format!("/api/v1/agencies/{DESK}/reserved-codes");
    // A dossier before: number 1 of the day.
    let first = s.post("/api/v1/dossiers", Some(&clerk), &birth_registration());
    assert_eq!(first.status, 201, "{}", first.text);
    let first = first.json["code"].as_str().unwrap().to_string();

    // Who may reserve, and how many.
    s.post(&path, Some(&officer), &json!({"count": 3}))
        .assert_problem(403, "forbidden");
    s.post(&path, Some(&district_clerk), &json!({"count": 3}))
        .assert_problem(403, "forbidden");
    s.post(&path, Some(&clerk), &json!({"count": 0}))
        .assert_problem(422, "validation");
    s.post(&path, Some(&clerk), &json!({"count": 201}))
        .assert_problem(422, "validation");
    s.post(
        &path,
        Some(&clerk),
        &json!({"count": 2, "day": "2026-12-01"}),
    )
    .assert_problem(422, "validation");
    let r = s.post(&path, Some(&clerk), &json!({"count": 3}));
    assert_eq!(r.status, 201, "{}", r.text);
    let reserved = codes(&r.json);
    assert_eq!(
        reserved.iter().map(|c| seq(c)).collect::<Vec<_>>(),
        [seq(&first) + 1, seq(&first) + 2, seq(&first) + 3],
        "the next numbers of the day's sequence"
    );
    assert!(r
        .json
        .as_array()
        .unwrap()
        .iter()
        .all(|c| c["state"] == "reserved"));
    // An ordinary intake goes on after them: no number is taken twice.
    let next = s.post("/api/v1/dossiers", Some(&clerk), &birth_registration());
    assert_eq!(seq(next.json["code"].as_str().unwrap()), seq(&first) + 4);

    // The outage: two paper receipts, at 08:00 and 08:20 local time.
    let at = s.now() - Duration::hours(1);
    let logged = s.post("/api/v1/dossiers", Some(&clerk), &paper(&reserved[0], at));
    assert_eq!(logged.status, 201, "{}", logged.text);
    assert_eq!(logged.json["code"], reserved[0].as_str());
    let received: DateTime<Utc> = logged.json["received_at"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    assert_eq!(received, at);
    // The clock counts from the real receipt: the same appointment as a
    // dossier received then.
    let due_then = s.post(
        "/api/v1/calendar/due-date",
        None,
        &json!({"received_at": at, "duration": {"amount": 10, "unit": "working_days"}}),
    );
    assert_eq!(due_then.status, 200, "{}", due_then.text);
    assert_eq!(
        logged.json["due_at"], due_then.json["due_at"],
        "{}",
        logged.text
    );
    // Each code once.
    s.post("/api/v1/dossiers", Some(&clerk), &paper(&reserved[0], at))
        .assert_problem(409, "conflict");
    // Only a receipt of the code's own day, not in the future, only the
    // desk's own codes.
    s.post(
        "/api/v1/dossiers",
        Some(&clerk),
        &paper(&reserved[1], at - Duration::days(1)),
    )
    .assert_problem(422, "validation");
    s.post(
        "/api/v1/dossiers",
        Some(&clerk),
        &paper(&reserved[1], s.now() + Duration::hours(1)),
    )
    .assert_problem(422, "validation");
    s.post(
        "/api/v1/dossiers",
        Some(&clerk),
        &paper(&format!("{DESK}-261208-9999"), at),
    )
    .assert_problem(422, "validation");
    s.post(
        "/api/v1/dossiers",
        Some(&district_clerk),
        &paper(&reserved[1], at),
    )
    .assert_problem(403, "forbidden");
    // Citizens never log paper receipts.
    let mut online = birth_registration();
    online["paper_receipt"] = json!({"code": reserved[1], "received_at": at});
    s.post("/api/v1/public/dossiers", None, &online)
        .assert_problem(422, "validation");
    // Nothing was written by the refused ones.
    let list = s.get(
        &format!("{path}?from=2026-12-08&to=2026-12-08"),
        Some(&clerk),
    );
    assert_eq!(list.status, 200, "{}", list.text);
    let states: Vec<&str> = list
        .json
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["state"].as_str().unwrap())
        .collect();
    assert_eq!(states, ["used", "reserved", "reserved"]);

    // The next morning the second paper receipt is logged still.
    s.clock.advance(Duration::days(1));
    let clerk = s.login("clerk");
    let r = s.post(
        "/api/v1/dossiers",
        Some(&clerk),
        &paper(&reserved[1], at + Duration::minutes(20)),
    );
    assert_eq!(r.status, 201, "{}", r.text);
    // Two days on, the third is void: refused, and listed as void in the
    // tracking book beside the dossiers of the day.
    s.clock.advance(Duration::days(1));
    let clerk = s.login("clerk");
    s.post(
        "/api/v1/dossiers",
        Some(&clerk),
        &paper(&reserved[2], at + Duration::minutes(40)),
    )
    .assert_problem(409, "conflict");
    let book = s.get(
        &format!("/api/v1/agencies/{DESK}/tracking-book?from=2026-12-08&to=2026-12-08"),
        Some(&clerk),
    );
    assert_eq!(book.status, 200, "{}", book.text);
    let mut numbers: Vec<u32> = book
        .json
        .as_array()
        .unwrap()
        .iter()
        .map(|r| seq(r["code"].as_str().unwrap()))
        .collect();
    numbers.sort_unstable();
    assert_eq!(
        numbers,
        (1..=5).collect::<Vec<_>>(),
        "no gap: {}",
        book.text
    );
    let void: Vec<&Value> = book
        .json
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["void"] == true)
        .collect();
    assert_eq!(void.len(), 1);
    assert_eq!(void[0]["code"], reserved[2].as_str());
    let csv = s.get(
        &format!("/api/v1/agencies/{DESK}/tracking-book?from=2026-12-08&to=2026-12-08&format=csv"),
        Some(&clerk),
    );
    assert!(csv.text.contains(&reserved[2]), "{}", csv.text);
}

on_both_backends!(a_desk_logs_its_paper_receipts_after_an_outage);
