//! Input that must not poison a record (issue 11): control characters are
//! refused in every field and parameter before anything is written, text
//! is kept in one Unicode normal form, exports cannot carry formulas, a
//! body is exactly one JSON value within its stated limits, numbers and
//! dates out of range are 422, and every error, down to the ones the HTTP
//! parser makes, is problem+json.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

use common::{birth_registration, count, Backend, Response, TestServer};
use serde_json::{json, Value};

fn field_of(r: &Response) -> String {
    r.json["errors"][0]["field"]
        .as_str()
        .unwrap_or_default()
        .to_string()
}

fn assert_refused(r: &Response, field: &str) {
    r.assert_problem(422, "validation");
    assert_eq!(field_of(r), field, "{}", r.text);
}

fn submit(s: &TestServer, body: &Value) -> Response {
    s.post("/api/v1/public/dossiers", None, body)
}

fn control_characters_are_refused_everywhere_before_anything_is_written(backend: Backend) {
    let s = TestServer::start(backend);
    let clerk = s.login("clerk");
    // Anonymous, at log-in, in a query, in a path.
    assert_refused(
        &s.post(
            "/api/v1/auth/token",
            None,
            &json!({"username": "ad\u{0}min", "password": "x"}),
        ),
        "username",
    );
    assert_refused(&s.get("/api/v1/procedures?q=khai%00sinh", None), "q");
    assert_refused(
        &s.get("/api/v1/public/dossiers/H53%00X?pin=AAAAAA", None),
        "code",
    );
    assert_refused(
        &s.get("/api/v1/dossiers/H53.50.05.13-261201-0001%1B", Some(&clerk)),
        "code",
    );
    assert_refused(&s.get("/api/v1/procedures?q%00=x", None), "query");
    // In a body: the applicant's name at the counter, and online.
    let mut body = birth_registration();
    body["applicant"]["name"] = json!("Nguyễn\u{0}Văn An");
    assert_refused(
        &s.post("/api/v1/dossiers", Some(&clerk), &body),
        "applicant.name",
    );
    assert_refused(&submit(&s, &body), "applicant.name");
    body["applicant"]["name"] = json!("Nguyễn Văn An\u{202E}");
    assert_refused(&submit(&s, &body), "applicant.name");
    let mut conn = s.conn();
    assert_eq!(count(&mut conn, "dossiers"), 0);
    assert_eq!(count(&mut conn, "submissions"), 0);
    // A reason on a dossier.
    let r = s.post("/api/v1/dossiers", Some(&clerk), &birth_registration());
    let code = r.json["code"].as_str().unwrap();
    let w = s.post(
        &format!("/api/v1/dossiers/{code}/withdraw"),
        Some(&clerk),
        &json!({"reason": "Công dân xin rút\u{7}"}),
    );
    assert_refused(&w, "reason");
    let view = s.get(&format!("/api/v1/dossiers/{code}"), Some(&clerk));
    assert_eq!(view.json["status_code"], 2, "nothing changed");
    // Tab and newline are text; a Windows line end becomes a newline.
    let w = s.post(
        &format!("/api/v1/dossiers/{code}/withdraw"),
        Some(&clerk),
        &json!({"reason": "Dòng một\r\nDòng hai\tcột"}),
    );
    assert_eq!(w.status, 200, "{}", w.text);
    let history = s
        .get(&format!("/api/v1/dossiers/{code}"), Some(&clerk))
        .json["history"]
        .clone();
    assert!(
        history.to_string().contains("Dòng một\\nDòng hai\\tcột"),
        "{history}"
    );
}

fn vietnamese_text_is_kept_in_one_normal_form(backend: Backend) {
    let s = TestServer::start(backend);
    let clerk = s.login("clerk");
    // "Nguyễn Thị Hồng" typed with combining marks.
    let decomposed = "Nguye\u{302}\u{303}n Thi\u{323} Ho\u{302}\u{300}ng";
    let composed = "Nguyễn Thị Hồng";
    let mut body = birth_registration();
    body["applicant"]["name"] = json!(decomposed);
    let sent = submit(&s, &body);
    assert_eq!(sent.status, 201, "{}", sent.text);
    let reference = sent.json["reference"].as_str().unwrap();
    // The desk accepts it (this is what failed for a name the database
    // could not store) and it is stored precomposed.
    let accepted = s.post(
        &format!("/api/v1/submissions/{reference}/accept"),
        Some(&clerk),
        &json!({}),
    );
    assert_eq!(accepted.status, 201, "{}", accepted.text);
    let code = accepted.json["code"].as_str().unwrap();
    let view = s.get(&format!("/api/v1/dossiers/{code}"), Some(&clerk));
    assert_eq!(view.json["applicant"]["name"], composed);
    // A search typed either way finds the same procedures.
    let a = s.get("/api/v1/procedures?q=%C4%90a%CC%86ng%20ky%CC%81", None);
    let b = s.get("/api/v1/procedures?q=%C4%90%C4%83ng%20k%C3%BD", None);
    assert_eq!(a.status, 200, "{}", a.text);
    assert!(a.json["total"].as_i64().unwrap() > 0);
    assert_eq!(a.json, b.json);
}

fn spreadsheet_formulas_are_neutralised_in_the_csv(backend: Backend) {
    let s = TestServer::start(backend);
    let clerk = s.login("clerk");
    let mut body = birth_registration();
    body["applicant"]["name"] = json!("=HYPERLINK(\"http://evil.example\",\"Xem\")");
    body["applicant"]["address"] = json!("@SUM(1+1)*cmd|' /C calc'!A0");
    body["applicant"]["phone"] = json!(null);
    body["applicant"]["email"] = json!(null);
    let reference = submit(&s, &body).json["reference"]
        .as_str()
        .unwrap()
        .to_string();
    let accepted = s.post(
        &format!("/api/v1/submissions/{reference}/accept"),
        Some(&clerk),
        &json!({}),
    );
    assert_eq!(accepted.status, 201, "{}", accepted.text);
    let today = s.now().date_naive();
    let (from, to) = (
        today - chrono::Duration::days(1),
        today + chrono::Duration::days(1),
    );
    let path = format!("/api/v1/agencies/H53.50.05.13/tracking-book?from={from}&to={to}");
    let csv = s.get(&format!("{path}&format=csv"), Some(&clerk));
    assert!(csv.content_type.starts_with("text/csv"), "{}", csv.text);
    let mut reader = csv::Reader::from_reader(csv.text.as_bytes());
    let header = reader.headers().unwrap().clone();
    let column = |name: &str| header.iter().position(|h| h == name).unwrap();
    let row = reader.records().next().unwrap().unwrap();
    assert_eq!(
        &row[column("Người nộp")],
        "'=HYPERLINK(\"http://evil.example\",\"Xem\")"
    );
    assert!(
        row[column("Liên hệ")].starts_with('\''),
        "{:?}",
        &row[column("Liên hệ")]
    );
    for cell in row.iter() {
        assert!(
            !cell.starts_with(['=', '+', '-', '@', '\t', '\r']),
            "{cell:?}"
        );
    }
    // The record itself is kept as typed.
    let json = s.get(&path, Some(&clerk));
    assert_eq!(
        json.json[0]["applicant"],
        "=HYPERLINK(\"http://evil.example\",\"Xem\")"
    );
}

fn a_body_must_be_one_json_value_within_its_limits(backend: Backend) {
    let s = TestServer::start(backend);
    let clerk = s.login("clerk");
    let ct = [("Content-Type", "application/json")];
    let good = birth_registration().to_string();
    for bad in [
        format!("{good}xyz"),
        format!("{good}{good}"),
        format!("{good},"),
        good.replacen("\"channel\"", "\"procedure\":\"1.001193\",\"channel\"", 1),
    ] {
        let r = s.send("POST", "/api/v1/dossiers", Some(&clerk), &ct, Some(&bad));
        assert_eq!(r.status, 400, "{bad}: {}", r.text);
        assert_eq!(r.content_type, "application/problem+json");
    }
    let mut conn = s.conn();
    assert_eq!(count(&mut conn, "dossiers"), 0);
    assert_eq!(count(&mut conn, "submissions"), 0);
    let r = s.send(
        "POST",
        "/api/v1/dossiers",
        Some(&clerk),
        &ct,
        Some(&format!(" {good}\n")),
    );
    assert_eq!(
        r.status, 201,
        "white space around the value is fine: {}",
        r.text
    );
    // A 200 KB reason is refused, not stored; the limit is in the document.
    let code = r.json["code"].as_str().unwrap();
    let long = s.post(
        &format!("/api/v1/dossiers/{code}/withdraw"),
        Some(&clerk),
        &json!({"reason": "x".repeat(200_000)}),
    );
    assert_refused(&long, "reason");
    assert!(long.text.contains("at most 2000 characters"));
    let doc = s.get("/api/v1/openapi.json", None).json;
    assert_eq!(
        doc["components"]["schemas"]["WithdrawInput"]["properties"]["reason"]["maxLength"],
        2000
    );
    // Every text a body can carry has a stated limit.
    let mut unbounded = Vec::new();
    for (name, schema) in doc["components"]["schemas"].as_object().unwrap() {
        if !name.ends_with("Input")
            && !name.ends_with("Request")
            && !name.ends_with("Question")
            && ![
                "DayEdit",
                "UserPatch",
                "DurationDto",
                "FeesDto",
                "RequiredDocument",
                "ProcessStep",
                "SubmittedDocument",
                "ApplicantInput",
                "NeededItemInput",
            ]
            .contains(&name.as_str())
        {
            continue;
        }
        for (field, p) in schema["properties"].as_object().unwrap() {
            let types = p["type"].to_string();
            if types.contains("string") && p.get("format").is_none() && p.get("maxLength").is_none()
            {
                unbounded.push(format!("{name}.{field}"));
            }
            if types.contains("integer")
                && (p.get("minimum").is_none() || p.get("maximum").is_none())
            {
                unbounded.push(format!("{name}.{field}"));
            }
            if types.contains("array") && p.get("maxItems").is_none() {
                unbounded.push(format!("{name}.{field}"));
            }
        }
    }
    assert!(
        unbounded.is_empty(),
        "fields without a stated limit: {unbounded:?}"
    );
}

fn out_of_range_numbers_and_dates_are_refused_not_a_dropped_connection(backend: Backend) {
    let s = TestServer::start(backend);
    let admin = s.login("admin");
    let r = s.post(
        "/api/v1/calendar/due-date",
        None,
        &json!({"received_at": "+262142-12-31T09:00:00Z", "duration": {"amount": 1, "unit": "working_days"}}),
    );
    assert_refused(&r, "received_at");
    let r = s.get(
        "/api/v1/handovers/unacknowledged?older_than_minutes=153722867280",
        Some(&admin),
    );
    assert_refused(&r, "older_than_minutes");
    let r = s.get("/api/v1/calendar/99999", None);
    assert_refused(&r, "year");
    let r = s.get("/api/v1/procedures?limit=9223372036854775807", None);
    assert_refused(&r, "limit");
    let r = s.get("/api/v1/procedures?limit=99999999999999999999999", None);
    assert_refused(&r, "limit");
}

/// Issue 12: one shape for every bad input. A parameter missing, of the
/// wrong type or out of range, a body field missing or of the wrong shape,
/// a date outside the calendar's years: 422 problem+json with `errors[]`
/// naming the field and a Vietnamese detail. 400 is only for a body that
/// is not JSON at all.
fn one_error_shape_for_every_bad_input(backend: Backend) {
    let s = TestServer::start(backend);
    let admin = s.login("admin");
    let clerk = s.login("clerk");
    let officer = s.login("officer");
    let code = s
        .post("/api/v1/dossiers", Some(&clerk), &birth_registration())
        .json["code"]
        .as_str()
        .unwrap()
        .to_string();
    let fields = |r: &Response| -> Vec<String> {
        r.assert_problem(422, "validation");
        assert!(r.json["detail_vi"].is_string(), "{}", r.text);
        r.json["errors"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["field"].as_str().unwrap().to_string())
            .collect()
    };
    let book = "/api/v1/agencies/H53.50.05.13/tracking-book";
    assert_eq!(fields(&s.get(book, Some(&clerk))), ["from", "to"]);
    let r = s.get(
        &format!("{book}?from=2026-02-30&to=2026-03-01"),
        Some(&clerk),
    );
    assert_eq!(fields(&r), ["from"]);
    assert_eq!(r.json["errors"][0]["message"], "must be a date, YYYY-MM-DD");
    let r = s.get("/api/v1/worklist?limit=ten", Some(&officer));
    assert_eq!(fields(&r), ["limit"]);
    assert_eq!(r.json["errors"][0]["message"], "must be a whole number");
    assert_eq!(
        fields(&s.get("/api/v1/calendar/99999999999", None)),
        ["year"]
    );
    // One paging rule: 1 to 500 everywhere, never clamped in silence.
    for list in [
        "/api/v1/procedures",
        "/api/v1/submissions",
        "/api/v1/outbox",
    ] {
        let token = if list.ends_with("outbox") {
            &admin
        } else {
            &clerk
        };
        let r = s.get(&format!("{list}?limit=300"), Some(token));
        assert_eq!(r.status, 200, "{list}: {}", r.text);
        for bad in ["limit=0", "limit=501", "offset=-5"] {
            let r = s.get(&format!("{list}?{bad}"), Some(token));
            assert_eq!(fields(&r), [bad.split('=').next().unwrap()], "{list}?{bad}");
        }
    }
    assert_eq!(
        fields(&s.get("/api/v1/breaches?from=yesterday", Some(&admin))),
        ["from"]
    );
    // Bodies: `{}` without the reason, a JSON text instead of an object.
    let r = s.post(
        &format!("/api/v1/dossiers/{code}/stop"),
        Some(&officer),
        &json!({}),
    );
    assert_eq!(fields(&r), ["reason"]);
    assert_eq!(r.json["errors"][0]["message"], "is required");
    let r = s.post(
        &format!("/api/v1/dossiers/{code}/withdraw"),
        Some(&clerk),
        &json!(""),
    );
    assert_eq!(fields(&r), ["body"]);
    assert_eq!(r.json["errors"][0]["message"], "must be a JSON object");
    let r = s.post(
        "/api/v1/dossiers",
        Some(&clerk),
        &json!({"procedure": "1.001193", "applicant": {"name": 5, "id_number": "001090012345"}}),
    );
    assert_eq!(fields(&r), ["applicant.name"]);
    // Not JSON at all is the one 400.
    s.send(
        "POST",
        &format!("/api/v1/dossiers/{code}/withdraw"),
        Some(&clerk),
        &[("Content-Type", "application/json")],
        Some("{\"reason\": "),
    )
    .assert_problem(400, "malformed-json");
    // Dates outside the calendar's years (1900 to 2100), everywhere.
    let r = s.put(
        "/api/v1/calendar/days/9999-12-31",
        Some(&admin),
        &json!({"kind": "day_off", "reason": "Nghỉ"}),
    );
    assert_eq!(fields(&r), ["date"]);
    let r = s.put(
        "/api/v1/calendar/days/2101-01-02",
        Some(&admin),
        &json!({"kind": "day_off", "reason": "Nghỉ"}),
    );
    assert_eq!(fields(&r), ["date"]);
    let r = s.post(
        "/api/v1/calendar/due-date",
        None,
        &json!({"received_at": "9999-12-31T09:00:00Z", "duration": {"amount": 5, "unit": "working_days"}}),
    );
    assert_eq!(fields(&r), ["received_at"]);
    assert_eq!(
        fields(&s.get(
            &format!("{book}?from=1899-12-31&to=1900-01-02"),
            Some(&clerk)
        )),
        ["from"]
    );
    // Nothing was written by any of them.
    let days = s.get("/api/v1/calendar/2100", None);
    assert_eq!(days.status, 200, "{}", days.text);
    assert!(!days.text.contains("9999-12-31"));
    let view = s.get(&format!("/api/v1/dossiers/{code}"), Some(&clerk));
    assert_eq!(view.json["status_code"], 2, "{}", view.text);
}

/// Issue 12: the outbox is searched by the dossier's code, as printed on
/// the receipt, not by an internal id.
fn the_outbox_is_searched_by_dossier_code(backend: Backend) {
    let s = TestServer::start(backend);
    let admin = s.login("admin");
    let clerk = s.login("clerk");
    let mut with_mail = birth_registration();
    with_mail["applicant"]["email"] = json!("an@example.vn");
    let code = s.post("/api/v1/dossiers", Some(&clerk), &with_mail).json["code"]
        .as_str()
        .unwrap()
        .to_string();
    let other = s.post("/api/v1/dossiers", Some(&clerk), &with_mail).json["code"]
        .as_str()
        .unwrap()
        .to_string();
    assert_ne!(code, other);
    let r = s.get(&format!("/api/v1/outbox?dossier={code}"), Some(&admin));
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.json["total"], 1, "{}", r.text);
    assert_eq!(r.json["items"][0]["kind"], "dossier_received", "{}", r.text);
    let r = s.get(
        "/api/v1/outbox?dossier=H53.50.05.13-000000-9999",
        Some(&admin),
    );
    assert_eq!(r.json["total"], 0, "{}", r.text);
    let r = s.get("/api/v1/outbox?offset=-5", Some(&admin));
    assert_refused(&r, "offset");
}

/// Sends raw bytes and reads the answer until the server closes.
fn raw(s: &TestServer, request: &[u8]) -> (u16, String) {
    let mut stream = TcpStream::connect(s.base.trim_start_matches("http://")).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(20)))
        .unwrap();
    // A server may answer and close before it has read all of a huge
    // request; what it answered is what counts.
    let _ = stream.write_all(request);
    let mut out = Vec::new();
    let _ = stream.read_to_end(&mut out);
    let text = String::from_utf8_lossy(&out).into_owned();
    let status = text
        .split(' ')
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or_else(|| panic!("no answer: {text:?}"));
    (status, text)
}

fn assert_raw_problem(answer: &(u16, String), status: u16) {
    let (code, text) = answer;
    assert_eq!(*code, status, "{text}");
    let lower = text.to_ascii_lowercase();
    assert!(
        lower.contains("content-type: application/problem+json"),
        "{text}"
    );
    let body = text.split("\r\n\r\n").nth(1).unwrap_or_default();
    let problem: Value = serde_json::from_str(body).unwrap_or_else(|e| panic!("{e}: {text}"));
    assert_eq!(problem["status"], status);
    assert!(problem["type"].as_str().unwrap().starts_with("/problems/"));
}

fn every_error_is_problem_json_even_from_the_framework(backend: Backend) {
    let s = TestServer::start(backend);
    // A 100 KB target: past what the HTTP parser takes.
    let long = format!(
        "GET /api/v1/procedures?q={} HTTP/1.1\r\nHost: x\r\n\r\n",
        "a".repeat(100_000)
    );
    assert_raw_problem(&raw(&s, long.as_bytes()), 400);
    // A 9 KB target: parsed, then refused by the desk.
    let r = s.get(&format!("/api/v1/procedures?q={}", "a".repeat(9_000)), None);
    r.assert_problem(414, "uri-too-long");
    // A head over 128 KB, a request line that is not HTTP.
    let big = format!(
        "GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: {}\r\n\r\n",
        "b".repeat(140_000)
    );
    assert_raw_problem(&raw(&s, big.as_bytes()), 431);
    assert_raw_problem(&raw(&s, b"HELLO\r\n\r\n"), 400);
    assert_raw_problem(&raw(&s, b"GET /healthz HTTP/1.1\r\nHost x\r\n\r\n"), 400);
    // A head that never ends: the client timeout (5 s) answers 408.
    assert_raw_problem(&raw(&s, b"GET /healthz HTTP/1.1\r\nHost: x\r\n"), 408);
    // Methods a path does not take: 405 with Allow; TRACE is never echoed.
    let t = s.send("TRACE", "/api/v1/procedures", None, &[], None);
    t.assert_problem(405, "method-not-allowed");
    assert_eq!(t.header("allow"), Some("GET, POST, HEAD, OPTIONS"));
    s.send("DELETE", "/api/v1/dossiers", None, &[], None)
        .assert_problem(405, "method-not-allowed");
    let o = s.send("OPTIONS", "/api/v1/dossiers/X/receipt", None, &[], None);
    assert_eq!(
        (o.status, o.header("allow")),
        (204, Some("GET, HEAD, OPTIONS"))
    );
    let h = s.send("HEAD", "/api/v1/procedures", None, &[], None);
    assert_eq!((h.status, h.text.as_str()), (200, ""));
    s.get("/api/v1/nothing/here", None)
        .assert_problem(404, "no-such-route");
    // Framework rejections inside the application.
    let clerk = s.login("clerk");
    assert_refused(&s.get("/api/v1/procedures?limit=abc", None), "limit");
    assert_refused(&s.get("/api/v1/calendar/abc", None), "year");
    s.send(
        "GET",
        "/api/v1/me",
        None,
        &[("Authorization", "Basic eDp5")],
        None,
    )
    .assert_problem(401, "unauthorized");
    s.send(
        "POST",
        "/api/v1/dossiers",
        Some(&clerk),
        &[
            ("Content-Type", "application/json"),
            ("Idempotency-Key", ""),
        ],
        Some("{}"),
    )
    .assert_problem(400, "bad-request");
}

on_both_backends!(
    control_characters_are_refused_everywhere_before_anything_is_written,
    vietnamese_text_is_kept_in_one_normal_form,
    spreadsheet_formulas_are_neutralised_in_the_csv,
    a_body_must_be_one_json_value_within_its_limits,
    out_of_range_numbers_and_dates_are_refused_not_a_dropped_connection,
    every_error_is_problem_json_even_from_the_framework,
    one_error_shape_for_every_bad_input,
    the_outbox_is_searched_by_dossier_code,
);
