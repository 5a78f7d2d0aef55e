//! The lateness forecast over HTTP on both databases: a procedure whose
//! finished dossiers took two working days half the time and seven the
//! other half; a fresh dossier with five days to go is late one time in
//! two, one three days into its step with two to go is late for sure;
//! the worklist shows the same risks; only supervisors and administrators
//! may list them.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use chrono::Duration;
use common::{Backend, TestServer};
use serde_json::{json, Value};

fn marriage(s: &TestServer, clerk: &str) -> String {
    let r = s.post(
        "/api/v1/dossiers",
        Some(clerk),
        &json!({
            "procedure": "1.000894",
            "applicant": {"name": "Võ Thị Mai", "id_number": "084300001111"},
            "documents": [{"code": "TK", "original": 1}, {"code": "GTTT", "copies": 2}]
        }),
    );
    assert_eq!(r.status, 201, "{}", r.text);
    r.json["code"].as_str().unwrap().to_string()
}

fn process(s: &TestServer, officer: &str, codes: &[String]) {
    for code in codes {
        let r = s.post(
            &format!("/api/v1/dossiers/{code}/processed"),
            Some(officer),
            &json!({"result": "Giấy chứng nhận kết hôn"}),
        );
        assert_eq!(r.status, 200, "{}", r.text);
    }
}

fn the_forecast_learns_from_finished_dossiers(backend: Backend) {
    // Monday 2 November 2026, 09:00 in Vietnam: twelve dossiers.
    let s = TestServer::start_at(backend, "2026-11-02T02:00:00Z");
    let clerk = s.login("clerk");
    let history: Vec<String> = (0..12).map(|_| marriage(&s, &clerk)).collect();
    // Wednesday: half are done in two working days.
    s.clock.advance(Duration::days(2));
    process(&s, &s.login("officer"), &history[..6]);
    // Friday: one more arrives.
    s.clock.advance(Duration::days(2));
    let stuck = marriage(&s, &s.login("clerk"));
    // Wednesday 11 November: the other half done in seven working days,
    // and a new one arrives.
    s.clock.advance(Duration::days(5));
    let officer = s.login("officer");
    process(&s, &officer, &history[6..]);
    let fresh = marriage(&s, &s.login("clerk"));

    let supervisor = s.login("supervisor");
    let r = s.get("/api/v1/forecast", Some(&supervisor));
    assert_eq!(r.status, 200, "{}", r.text);
    let items = r.json["items"].as_array().unwrap();
    assert_eq!(items.len(), 2, "{}", r.text);
    // Three working days into its step, two to go: only the seven-day
    // dossiers ran that long, and they needed four more.
    assert_eq!(items[0]["code"], stuck.as_str());
    assert_eq!(items[0]["probability"], 1.0);
    assert_eq!(items[0]["elapsed_days"], 3.0);
    assert_eq!(items[0]["samples"], 12);
    assert_eq!(items[0]["step"], 0);
    assert!(items[0]["reason"]
        .as_str()
        .unwrap()
        .contains("median of 12 legs"));
    // Fresh with five days to go: late if it is one of the slow half.
    assert_eq!(items[1]["code"], fresh.as_str());
    assert_eq!(items[1]["probability"], 0.5);
    let sure = s.get(
        "/api/v1/forecast?threshold=0.9&agency=H53.50.05.13",
        Some(&supervisor),
    );
    assert_eq!(
        sure.json["items"].as_array().unwrap().len(),
        1,
        "{}",
        sure.text
    );

    // The officer's worklist carries the same risks.
    let work = s.get("/api/v1/worklist", Some(&officer));
    let risk = |code: &str| -> Value {
        work.json["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|i| i["code"] == code)
            .unwrap()["lateness_risk"]
            .clone()
    };
    assert_eq!(risk(&stuck), json!(1.0), "{}", work.text);
    assert_eq!(risk(&fresh), json!(0.5));

    for who in ["clerk", "officer"] {
        let t = s.login(who);
        s.get("/api/v1/forecast", Some(&t))
            .assert_problem(403, "forbidden");
    }
    s.get("/api/v1/forecast?agency=H53", Some(&supervisor))
        .assert_problem(403, "forbidden");
    let r = s.get("/api/v1/forecast?threshold=2", Some(&supervisor));
    assert_eq!(r.status, 422, "{}", r.text);
    let admin = s.login("admin");
    let all = s.get("/api/v1/forecast?threshold=0", Some(&admin));
    assert_eq!(
        all.json["items"].as_array().unwrap().len(),
        2,
        "{}",
        all.text
    );
}

on_both_backends!(the_forecast_learns_from_finished_dossiers);
