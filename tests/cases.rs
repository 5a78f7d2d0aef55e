//! Procedure cases over HTTP on both databases (docs/catalogue.md, Cases):
//! an administrator publishes a procedure's cases, each with its own
//! documents, time limits and fees; the catalogue shows them; the desk
//! logs a dossier as one of them (and only as one of them), online too,
//! and the clock keeps following the case's time limit through a pause;
//! the catalogue file carries them unchanged.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use chrono::{DateTime, Duration, Utc};
use common::{trust_loopback, Backend, TestServer};
use serde_json::{json, Value};

const PERMIT: &str = "1.009994";

fn doc(code: &str, name: &str, original: u32, copies: u32) -> Value {
    json!({"code": code, "name": name, "original": original, "copies": copies})
}

/// The permit with two cases: a rural house (10 working days, 7 online,
/// a lighter list) and a house in town (the full list, 15 days).
fn with_cases(s: &TestServer, admin: &str) -> Value {
    let mut p = s.get(&format!("/api/v1/procedures/{PERMIT}"), None).json;
    p["cases"] = json!([
        {"code": "nong-thon", "name": "Nhà ở riêng lẻ tại nông thôn",
         "duration": {"amount": 10, "unit": "working_days"},
         "online_duration": {"amount": 7, "unit": "working_days"},
         "fees": {"amount_vnd": 50000, "note": "Lệ phí cấp phép nhà ở nông thôn"},
         "required_documents": [doc("DDN", "Đơn đề nghị", 1, 0), doc("SDO", "Sơ đồ vị trí", 1, 0)]},
        {"code": "do-thi", "name": "Nhà ở riêng lẻ tại đô thị",
         "duration": {"amount": 15, "unit": "working_days"},
         "fees": {"amount_vnd": 75000},
         "required_documents": [doc("DDN", "Đơn đề nghị", 1, 0), doc("BVTK", "Bản vẽ thiết kế", 2, 0)]}
    ]);
    let r = s.put(&format!("/api/v1/procedures/{PERMIT}"), Some(admin), &p);
    assert_eq!(r.status, 200, "{}", r.text);
    r.json
}

fn intake(s: &TestServer, clerk: &str, case: Option<&str>, documents: Value) -> common::Response {
    let mut body = json!({
        "procedure": PERMIT,
        "applicant": {"name": "Trần Văn Bình", "id_number": "001090054321", "phone": "0912345679"},
        "documents": documents,
        "channel": "counter"
    });
    if let Some(c) = case {
        body["case"] = json!(c);
    }
    s.post("/api/v1/dossiers", Some(clerk), &body)
}

fn due(v: &Value) -> DateTime<Utc> {
    v["due_at"].as_str().unwrap().parse().unwrap()
}

/// Cases published, checked, shown; a dossier logged as one of them.
fn a_dossier_is_of_one_case(backend: Backend) {
    let s = TestServer::start_with(backend, trust_loopback);
    let admin = s.login("admin");
    // Checked whole, each problem under its case.
    let mut bad = s.get(&format!("/api/v1/procedures/{PERMIT}"), None).json;
    bad["cases"] = json!([
        {"code": "a", "name": " ", "duration": {"amount": 3, "unit": "working_days"},
         "required_documents": [doc("X", "X", 0, 0)]},
        {"code": "a", "name": "B", "duration": {"amount": 3, "unit": "fortnights"}}
    ]);
    let r = s.put(&format!("/api/v1/procedures/{PERMIT}"), Some(&admin), &bad);
    assert!(r.status == 422, "{}", r.text);
    assert!(
        r.text.contains("cases[1].duration.unit") || r.text.contains("fortnights"),
        "{}",
        r.text
    );
    bad["cases"][1]["duration"]["unit"] = json!("working_days");
    let r = s.put(&format!("/api/v1/procedures/{PERMIT}"), Some(&admin), &bad);
    r.assert_problem(422, "validation");
    for field in [
        "cases[0].name",
        "cases[0].required_documents[0]",
        "cases[1].code",
    ] {
        assert!(r.text.contains(field), "{field}: {}", r.text);
    }

    let p = with_cases(&s, &admin);
    assert_eq!(p["version"], 2);
    assert_eq!(p["cases"][0]["online_duration"]["amount"], 7);
    assert_eq!(p["cases"][1]["fees"]["amount_vnd"], 75000);
    let page = s.get(&format!("/thu-tuc/{PERMIT}"), None);
    assert!(
        page.text.contains("Nhà ở riêng lẻ tại nông thôn") && page.text.contains("Sơ đồ vị trí")
    );

    // The desk: a case is needed, and it must be one of them.
    let clerk = s.login("clerk.huyen");
    let full = json!([{"code": "DDN", "original": 1}, {"code": "SDO", "original": 1}]);
    for case in [None, Some("thanh-pho")] {
        let r = intake(&s, &clerk, case, full.clone());
        r.assert_problem(422, "validation");
        assert_eq!(r.json["errors"][0]["field"], "case", "{}", r.text);
        assert!(r.text.contains("nong-thon"), "{}", r.text);
    }
    // The case's own list: the sketch is needed, the design drawings not.
    let r = intake(
        &s,
        &clerk,
        Some("nong-thon"),
        json!([{"code": "DDN", "original": 1}]),
    );
    assert_eq!(r.status, 422, "{}", r.text);
    assert!(r.text.contains("SDO"), "{}", r.text);
    let rural = intake(&s, &clerk, Some("nong-thon"), full.clone());
    assert_eq!(rural.status, 201, "{}", rural.text);
    let town = intake(
        &s,
        &clerk,
        Some("do-thi"),
        json!([{"code": "DDN", "original": 1}, {"code": "BVTK", "original": 2}]),
    );
    assert_eq!(town.status, 201, "{}", town.text);
    assert!(
        due(&rural.json) < due(&town.json),
        "ten days before fifteen"
    );
    let code = rural.json["code"].as_str().unwrap().to_string();
    let d = s.get(&format!("/api/v1/dossiers/{code}"), Some(&clerk));
    assert_eq!(d.json["case"], "nong-thon");
    assert_eq!(d.json["fee_vnd"], 50000);
    assert!(d.json["procedure_name"]
        .as_str()
        .unwrap()
        .ends_with("Nhà ở riêng lẻ tại nông thôn"));

    // The town house is in a village after all: the rural case's ten days
    // from the receipt, through the ledger, with the cause on the record.
    let town_code = town.json["code"].as_str().unwrap().to_string();
    let change = |who: &str, body: Value| {
        s.post(
            &format!("/api/v1/dossiers/{town_code}/case"),
            Some(who),
            &body,
        )
    };
    let moved = change(
        &clerk,
        json!({"case": "nong-thon", "cause": "Thửa đất thuộc khu vực nông thôn"}),
    );
    assert_eq!(moved.status, 200, "{}", moved.text);
    assert_eq!(moved.json["previous_case"], "do-thi");
    assert_eq!(
        moved.json["due_at"], rural.json["due_at"],
        "ten days from the same receipt"
    );
    assert_eq!(moved.json["previous_due_at"], town.json["due_at"]);
    let seen = s.get(&format!("/api/v1/dossiers/{town_code}"), Some(&clerk));
    assert_eq!(seen.json["case"], "nong-thon");
    assert_eq!(seen.json["fee_vnd"], 50000);
    let changed = seen.json["history"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["kind"] == "dossier.case_changed")
        .unwrap_or_else(|| panic!("{}", seen.text))
        .clone();
    assert_eq!(changed["data"]["cause"], "Thửa đất thuộc khu vực nông thôn");
    change(&clerk, json!({"case": "nong-thon", "cause": "Lại"})).assert_problem(409, "conflict");
    let r = change(&clerk, json!({"case": "biet-thu", "cause": "Sai"}));
    r.assert_problem(422, "validation");
    assert_eq!(r.json["errors"][0]["field"], "case");
    change(&clerk, json!({"case": "do-thi", "cause": " "})).assert_problem(422, "validation");
    change(&s.login("clerk"), json!({"case": "do-thi", "cause": "Sai"}))
        .assert_problem(403, "forbidden");

    // A pause: the appointment moves by the wait, the case's limit kept.
    let officer = s.create_user(&admin, "can.bo.huyen", "officer", "H53.50");
    let before = due(&d.json);
    let r = s.post(
        &format!("/api/v1/dossiers/{code}/supplement-request"),
        Some(&officer),
        &json!({"reason": "Thiếu", "items": [{"name": "Sơ đồ vị trí rõ hơn"}]}),
    );
    assert_eq!(r.status, 200, "{}", r.text);
    s.clock.advance(Duration::days(1));
    let clerk = s.login("clerk.huyen");
    let r = s.post(
        &format!("/api/v1/dossiers/{code}/supplement-received"),
        Some(&clerk),
        &json!({"note": "Đã nhận"}),
    );
    assert_eq!(r.status, 200, "{}", r.text);
    let after = due(&s
        .get(&format!("/api/v1/dossiers/{code}"), Some(&clerk))
        .json);
    assert!(
        after > before && after < before + Duration::days(4),
        "{before} → {after}"
    );

    // Online: the case's online time limit, kept through acceptance.
    let mut body = json!({
        "procedure": PERMIT, "case": "nong-thon",
        "applicant": {"name": "Lê Thị Cúc", "id_number": "001090067890", "phone": "0912345670"},
        "documents": full, "channel": "online"
    });
    let sent = s.send(
        "POST",
        "/api/v1/public/dossiers",
        None,
        &[
            ("Content-Type", "application/json"),
            ("X-Forwarded-For", "10.9.9.9"),
        ],
        Some(&body.to_string()),
    );
    assert_eq!(sent.status, 201, "{}", sent.text);
    let reference = sent.json["reference"].as_str().unwrap();
    let accepted = s.post(
        &format!("/api/v1/submissions/{reference}/accept"),
        Some(&clerk),
        &json!({}),
    );
    assert_eq!(accepted.status, 201, "{}", accepted.text);
    let online = s.get(
        &format!(
            "/api/v1/dossiers/{}",
            accepted.json["code"].as_str().unwrap()
        ),
        Some(&clerk),
    );
    assert_eq!(online.json["case"], "nong-thon");
    let counter_now = intake(&s, &clerk, Some("nong-thon"), body["documents"].clone());
    assert!(
        due(&online.json) < due(&counter_now.json),
        "seven days before ten"
    );
    body["case"] = json!("khong-co");
    let refused = s.send(
        "POST",
        "/api/v1/public/dossiers",
        None,
        &[
            ("Content-Type", "application/json"),
            ("X-Forwarded-For", "10.9.9.8"),
        ],
        Some(&body.to_string()),
    );
    refused.assert_problem(422, "validation");

    // The results report by case.
    let report = s.get(
        "/api/v1/reports/results?period=2026-12&by=case",
        Some(&s.login("supervisor")),
    );
    assert_eq!(report.status, 200, "{}", report.text);
    let row = |key: &str| {
        report.json["rows"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["key"] == key)
            .unwrap_or_else(|| panic!("no row {key}: {}", report.text))
            .clone()
    };
    // Four of the rural case (the town house moved to it), none left in
    // town.
    let rural = row("1.009994/nong-thon");
    assert_eq!(rural["received"], 4);
    assert!(rural["label"]
        .as_str()
        .unwrap()
        .ends_with("Nhà ở riêng lẻ tại nông thôn"));
    assert!(
        report.json["rows"]
            .as_array()
            .unwrap()
            .iter()
            .all(|r| r["key"] != "1.009994/do-thi"),
        "{}",
        report.text
    );
}

/// The catalogue page's online form asks for the case and sends the
/// documents of that case only.
fn the_online_form_asks_for_the_case(backend: Backend) {
    let s = TestServer::start_with(backend, trust_loopback);
    let admin = s.login("admin");
    with_cases(&s, &admin);
    let page = s.get(&format!("/thu-tuc/{PERMIT}"), None);
    common::a11y::check("permit with cases", &page.text);
    assert!(
        page.text.contains("<select id=\"case\" name=\"case\">"),
        "{}",
        page.text
    );
    let form = "name=L%C3%AA+Th%E1%BB%8B+C%C3%BAc&id_number=001090067890&phone=0912345670\
        &case=nong-thon&doc_DDN=1&doc_SDO=1&doc_BVTK=1";
    let sent = s.send(
        "POST",
        &format!("/thu-tuc/{PERMIT}"),
        None,
        &[
            ("Content-Type", "application/x-www-form-urlencoded"),
            ("X-Forwarded-For", "10.7.7.7"),
        ],
        Some(form),
    );
    assert_eq!(sent.status, 201, "{}", sent.text);
    let reference = sent
        .text
        .split("id=\"reference\">")
        .nth(1)
        .and_then(|r| r.split('<').next())
        .unwrap()
        .to_string();
    let clerk = s.login("clerk.huyen");
    let accepted = s.post(
        &format!("/api/v1/submissions/{reference}/accept"),
        Some(&clerk),
        &json!({}),
    );
    assert_eq!(accepted.status, 201, "{}", accepted.text);
    let d = s.get(
        &format!(
            "/api/v1/dossiers/{}",
            accepted.json["code"].as_str().unwrap()
        ),
        Some(&clerk),
    );
    assert_eq!(d.json["case"], "nong-thon");
    let codes: Vec<&str> = d.json["documents"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["code"].as_str().unwrap())
        .collect();
    assert_eq!(
        codes,
        ["DDN", "SDO"],
        "the town's drawings are not the rural case's"
    );
}

/// The catalogue file carries the cases: exported and imported back,
/// nothing changes.
fn the_catalogue_file_keeps_the_cases(backend: Backend) {
    let s = TestServer::start(backend);
    let admin = s.login("admin");
    with_cases(&s, &admin);
    let file = s.get("/api/v1/catalogue/export", Some(&admin));
    assert_eq!(file.status, 200, "{}", file.text);
    let exported = file.json["procedures"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["code"] == PERMIT)
        .unwrap()
        .clone();
    assert_eq!(exported["cases"].as_array().unwrap().len(), 2);
    let r = s.post("/api/v1/catalogue/import", Some(&admin), &file.json);
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.json["procedures"]["updated"], 0, "{}", r.text);
    let p = s.get(&format!("/api/v1/procedures/{PERMIT}"), None);
    assert_eq!(p.json["version"], 2);
}

on_both_backends!(
    a_dossier_is_of_one_case,
    the_online_form_asks_for_the_case,
    the_catalogue_file_keeps_the_cases
);
