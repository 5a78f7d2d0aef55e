//! The service-index metrics over HTTP on both databases: four dossiers of
//! the commune in November, counted by hand, each measure with its
//! numerator and denominator, the payment channel recorded with each
//! payment, what is missing said as missing, and who may ask.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use chrono::Duration;
use common::{birth_registration, Backend, TestServer};
use serde_json::{json, Value};

const COMMUNE: &str = "H53.50.05.13";

fn ok(r: common::Response) -> Value {
    assert!(r.status < 300, "{}", r.text);
    r.json
}

/// The measure `code` of `line`.
#[track_caller]
fn measure<'a>(line: &'a Value, code: &str) -> &'a Value {
    line["measures"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["code"] == code)
        .unwrap_or_else(|| panic!("no measure {code} in {line}"))
}

#[track_caller]
fn assert_measure(line: &Value, code: &str, of: (u64, u64), percent: Value, score: Value) {
    let m = measure(line, code);
    assert_eq!(
        (m["numerator"].clone(), m["denominator"].clone()),
        (json!(of.0), json!(of.1)),
        "{code}: {m}"
    );
    assert_eq!(m["percent"], percent, "{code}: {m}");
    assert_eq!(m["score"], score, "{code}: {m}");
}

fn four_dossiers_of_november_are_measured_as_the_index_measures(backend: Backend) {
    // Thursday 26 November 2026, 09:00 in Vietnam.
    let s = TestServer::start_at(backend, "2026-11-26T02:00:00Z");
    let (clerk, officer) = (s.login("clerk"), s.login("officer"));
    let at = |code: &str, what: &str| format!("/api/v1/dossiers/{code}/{what}");
    let intake = || {
        ok(s.post("/api/v1/dossiers", Some(&clerk), &birth_registration()))["code"]
            .as_str()
            .unwrap()
            .to_string()
    };
    // A: received and processed.
    let a = intake();
    ok(s.post(
        &at(&a, "processed"),
        Some(&officer),
        &json!({"result": "Giấy khai sinh"}),
    ));
    // B and D: a supplement, then a fee, paid online (B) or at the desk (D).
    let paid = |channel: &str| {
        let code = intake();
        ok(s.post(
            &at(&code, "supplement-request"),
            Some(&officer),
            &json!({"reason": "Thiếu", "items": [{"name": "Giấy chứng sinh"}]}),
        ));
        ok(s.post(
            &at(&code, "supplement-received"),
            Some(&clerk),
            &json!({"note": "Đã nhận"}),
        ));
        ok(s.post(
            &at(&code, "payment-request"),
            Some(&officer),
            &json!({"amount_vnd": 8000}),
        ));
        // The channel is required from now on.
        s.post(
            &at(&code, "paid"),
            Some(&clerk),
            &json!({"receipt_number": "BL-1"}),
        )
        .assert_problem(422, "validation");
        ok(s.post(
            &at(&code, "paid"),
            Some(&clerk),
            &json!({"receipt_number": "BL-1", "channel": channel}),
        ));
        ok(s.post(
            &at(&code, "processed"),
            Some(&officer),
            &json!({"result": "Giấy khai sinh"}),
        ));
        code
    };
    let b = paid("online");
    paid("counter");
    // C: filed online, accepted, still open at the end of the month.
    let reference = ok(s.post("/api/v1/public/dossiers", None, &birth_registration()))["reference"]
        .as_str()
        .unwrap()
        .to_string();
    ok(s.post(
        &format!("/api/v1/submissions/{reference}/accept"),
        Some(&clerk),
        &json!({}),
    ));
    let history = s.get(&format!("/api/v1/dossiers/{b}"), Some(&clerk)).json["history"].clone();
    let paid_event = history
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["kind"] == "dossier.paid")
        .unwrap();
    assert_eq!(paid_event["data"]["channel"], "online", "{paid_event}");

    // Thursday 3 December.
    s.clock.advance(Duration::days(7));
    let supervisor = s.login("supervisor");
    let r = s.get("/api/v1/reports/index?period=2026-11", Some(&supervisor));
    assert_eq!(r.status, 200, "{}", r.text);
    let index = r.json;
    assert_eq!(index["agency"], "H53.50");
    let commune = index["agencies"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["key"] == COMMUNE)
        .unwrap();
    let procedure = &index["procedures"][0];
    assert_eq!(procedure["key"], "1.001193");
    for line in [&index["total"], commune, procedure] {
        // Three handled, all by their appointment: 20 points of 20.
        assert_measure(line, "on_time", (3, 3), json!(100.0), json!(20.0));
        // One of four received online: a quarter of 12 points.
        assert_measure(line, "online", (1, 4), json!(25.0), json!(3.0));
        // One of two fees paid online: half of 10 points.
        assert_measure(line, "online_payment", (1, 2), json!(50.0), json!(5.0));
        // Two of four needed a supplement; no extension. Not scored alone.
        assert_measure(line, "supplement", (2, 4), json!(50.0), Value::Null);
        assert_measure(line, "extension", (0, 4), json!(0.0), Value::Null);
        // Satisfaction: none of three late, none rated not satisfied or
        // complained about: 100 % of 18 points.
        assert_measure(line, "satisfaction", (0, 3), json!(100.0), json!(18.0));
        assert_eq!(measure(line, "satisfaction")["missing"], json!([]));
        // No feedback closed: nothing to divide by.
        assert_measure(line, "feedback_on_time", (0, 0), Value::Null, Value::Null);
        // No files kept with these dossiers: none of the four received had
        // its components digitised, none of the three finished had an
        // electronic result; 0 of 11 points each.
        assert_measure(line, "digitised_components", (0, 4), json!(0.0), json!(0.0));
        assert_measure(line, "electronic_results", (0, 3), json!(0.0), json!(0.0));
        // 0 of 22 points for digitisation, which counts (its denominators
        // are the four received and the three finished): 46 of 82.
        assert_eq!(line["score"], 46.0);
        assert_eq!(line["scored_out_of"], 82.0);
    }

    // Only supervisors and administrators, within their reach.
    for who in ["clerk", "officer"] {
        let t = s.login(who);
        s.get("/api/v1/reports/index?period=2026-11", Some(&t))
            .assert_problem(403, "forbidden");
    }
    s.get(
        "/api/v1/reports/index?period=2026-11&agency=H53",
        Some(&supervisor),
    )
    .assert_problem(403, "forbidden");
    let admin = s.login("admin");
    let all = ok(s.get("/api/v1/reports/index?period=2026-11", Some(&admin)));
    assert_eq!(all["agency"], Value::Null);
    assert_eq!(all["total"]["score"], 46.0);
    for bad in [
        "period=2026-13",
        "",
        "from=2026-11-01",
        "period=2026&from=2026-01-01&to=2026-01-31",
    ] {
        let r = s.get(&format!("/api/v1/reports/index?{bad}"), Some(&admin));
        assert_eq!(r.status, 422, "{bad}: {}", r.text);
    }
}

on_both_backends!(four_dossiers_of_november_are_measured_as_the_index_measures);
