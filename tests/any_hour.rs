//! The desk's main paths at the instants that used to break tests run by
//! the wall clock (issue 12): before the office opens, at lunch, after it
//! closes, on a weekend, and on the Friday evening before Tết. Each server
//! runs on a clock set to the instant; what is expected is worked out from
//! the instant, never from the hour the suite happens to run.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use chrono::{DateTime, Datelike, Duration, NaiveTime, Utc, Weekday};
use common::{birth_registration, Backend, TestServer};
use motcua_calendar::{CalendarSettings, WorkingCalendar, YearAdjustments};
use motcua_domain::StatutoryDuration;
use serde_json::json;

/// (what, instant in UTC; Vietnam is seven hours ahead)
const INSTANTS: [(&str, &str); 5] = [
    (
        "Tuesday 05:00, before the office opens",
        "2026-12-07T22:00:00Z",
    ),
    ("Tuesday 12:00, at lunch", "2026-12-08T05:00:00Z"),
    ("Tuesday 18:00, after closing", "2026-12-08T11:00:00Z"),
    ("Saturday 10:00, a weekend", "2026-12-05T03:00:00Z"),
    (
        "Friday 18:00, the eve of the Tết break (14-22 Feb 2026)",
        "2026-02-13T11:00:00Z",
    ),
];

fn calendar() -> WorkingCalendar {
    WorkingCalendar::for_years(
        CalendarSettings::default(),
        2020..=2030,
        &YearAdjustments::vn_public_servants().unwrap(),
    )
}

fn time(v: &serde_json::Value) -> DateTime<Utc> {
    v.as_str().unwrap().parse().unwrap()
}

fn the_desk_at_every_hour(backend: Backend) {
    let cal = calendar();
    for (what, at) in INSTANTS {
        let s = TestServer::start_at(backend, at);
        let clerk = s.login("clerk");
        let officer = s.login("officer");
        let admin = s.login("admin");
        let now: DateTime<Utc> = at.parse().unwrap();

        // A five-working-day procedure: its appointment is counted from
        // the next opening when the desk is closed, never inside a day off.
        let r = s.post(
            "/api/v1/dossiers",
            Some(&clerk),
            &json!({"procedure": "1.000894",
                "applicant": {"name": "Trần Văn Hùng", "id_number": "001090054321"},
                "documents": [{"code": "TK", "original": 1}, {"code": "GTTT", "copies": 2}]}),
        );
        assert_eq!(r.status, 201, "{what}: {}", r.text);
        let code = r.json["code"].as_str().unwrap().to_string();
        let pin = r.json["pin"].as_str().unwrap().to_string();
        let received = time(&r.json["received_at"]);
        assert!(
            received >= now && received - now < Duration::seconds(30),
            "{what}: received at {received}"
        );
        let local_day = cal.local(received).date();
        assert!(
            code.contains(&local_day.format("%y%m%d").to_string()),
            "{what}: the code {code} carries the local day {local_day}"
        );
        let due = time(&r.json["due_at"]);
        assert_eq!(
            due,
            cal.due_at(received, &StatutoryDuration::working_days(5)),
            "{what}"
        );
        let due_local = cal.local(due);
        assert!(
            cal.is_working_day(due_local.date()),
            "{what}: due on {due_local}"
        );
        assert!(
            !matches!(due_local.weekday(), Weekday::Sat | Weekday::Sun),
            "{what}: due on {due_local}"
        );
        assert!(
            cal.working_seconds_between(received, due) == 5 * 8 * 3600,
            "{what}: five working days between {received} and {due}"
        );
        // The citizen sees it.
        let public = s.get(&format!("/api/v1/public/dossiers/{code}?pin={pin}"), None);
        assert_eq!(public.json["status_code"], 2, "{what}: {}", public.text);
        assert_eq!(public.json["due_at"], r.json["due_at"]);

        // A same-day procedure is on the officer's due-soon list at once.
        let r = s.post("/api/v1/dossiers", Some(&clerk), &birth_registration());
        assert_eq!(r.status, 201, "{what}: {}", r.text);
        let today = r.json["code"].as_str().unwrap().to_string();
        let soon = s.get("/api/v1/breaches/due-soon", Some(&officer));
        assert!(soon.text.contains(&today), "{what}: {}", soon.text);
        assert!(!soon.text.contains(&code), "{what}: {}", soon.text);

        // Decided now, days before its appointment: early.
        let r = s.post(
            &format!("/api/v1/dossiers/{code}/processed"),
            Some(&officer),
            &json!({"result": "Giấy chứng nhận kết hôn số 12"}),
        );
        assert_eq!(r.status, 200, "{what}: {}", r.text);
        assert_eq!(r.json["verdict"], "early", "{what}: {}", r.text);
        let r = s.post(
            &format!("/api/v1/dossiers/{code}/return"),
            Some(&clerk),
            &json!({"collected_by": "Trần Văn Hùng", "method": "counter"}),
        );
        assert_eq!(r.json["status_code"], 10, "{what}: {}", r.text);

        // Two weeks on, the tokens of the morning have expired (a session
        // lasts 8 hours of the server's clock), the same-day dossier is
        // overdue, and the scan records it for the supervisors.
        s.clock.advance(Duration::days(14));
        s.get("/api/v1/me", Some(&admin))
            .assert_problem(401, "unauthorized");
        let admin = s.login("admin");
        let scan = s.post("/api/v1/breaches/scan", Some(&admin), &json!({}));
        assert_eq!(scan.status, 200, "{what}: {}", scan.text);
        let breaches = s.get("/api/v1/breaches?kind=overdue", Some(&admin));
        assert!(breaches.text.contains(&today), "{what}: {}", breaches.text);
        assert!(!breaches.text.contains(&code), "{what}: {}", breaches.text);
    }
}

/// The tests' own clock starts on an ordinary working morning whatever the
/// hour outside, so every other test runs as if at 09:00 on a Tuesday.
fn test_servers_start_on_an_ordinary_morning(backend: Backend) {
    let s = TestServer::start(backend);
    let local = calendar().local(s.now());
    assert_eq!(local.weekday(), Weekday::Tue);
    assert!(local.time() >= NaiveTime::from_hms_opt(9, 0, 0).unwrap());
    assert!(local.time() < NaiveTime::from_hms_opt(9, 5, 0).unwrap());
    assert_eq!(local.date().year(), 2026);
}

on_both_backends!(
    the_desk_at_every_hour,
    test_servers_start_on_an_ordinary_morning
);
