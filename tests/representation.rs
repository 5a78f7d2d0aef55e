//! Filing on someone's behalf over HTTP on both databases
//! (docs/representation.md): the desk logs who filed for the applicant
//! and the authorisation they hold (a document line of its own), at the
//! counter and online; a procedure may ask for the applicant in person;
//! the staff view shows the representative in full, the public look-up
//! and its page masked, the receipt names them, the event says so and the
//! results report counts them.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{birth_registration, trust_loopback, Backend, TestServer};
use serde_json::{json, Value};

const BIRTH: &str = "1.001193";

fn representative() -> Value {
    json!({
        "name": "Trần Thị Bình",
        "id_number": "001190054321",
        "relation": "bà nội",
        "authorisation": {"title": "Giấy ủy quyền", "number": "125/2026/UQ",
            "issued_on": "2026-12-01", "original": 1}
    })
}

fn with_representative(rep: Value) -> Value {
    let mut body = birth_registration();
    body["representative"] = rep;
    body
}

fn submit_online(s: &TestServer, body: &Value, client: &str) -> common::Response {
    s.send(
        "POST",
        "/api/v1/public/dossiers",
        None,
        &[
            ("Content-Type", "application/json"),
            ("X-Forwarded-For", client),
        ],
        Some(&body.to_string()),
    )
}

fn history_of(s: &TestServer, token: &str, code: &str) -> Vec<Value> {
    let view = s.get(&format!("/api/v1/dossiers/{code}"), Some(token));
    assert_eq!(view.status, 200, "{}", view.text);
    view.json["history"].as_array().unwrap().clone()
}

/// At the counter: the representative kept, shown in full to staff and
/// masked to the citizen, on the receipt and its page, in the event; the
/// authorisation a line of its own that the completeness check ignores.
fn a_representative_files_for_the_applicant(backend: Backend) {
    let s = TestServer::start(backend);
    let clerk = s.login("clerk");
    let r = s.post(
        "/api/v1/dossiers",
        Some(&clerk),
        &with_representative(representative()),
    );
    assert_eq!(r.status, 201, "{}", r.text);
    let code = r.json["code"].as_str().unwrap().to_string();
    let pin = r.json["pin"].as_str().unwrap().to_string();

    // The staff view: in full, and the authorisation among the documents.
    let view = s.get(&format!("/api/v1/dossiers/{code}"), Some(&clerk));
    assert_eq!(view.status, 200, "{}", view.text);
    let rep = &view.json["representative"];
    assert_eq!(rep["name"], "Trần Thị Bình");
    assert_eq!(rep["id_number"], "001190054321");
    assert_eq!(rep["relation"], "bà nội");
    assert_eq!(rep["authorisation"]["number"], "125/2026/UQ");
    assert_eq!(rep["authorisation"]["issued_on"], "2026-12-01");
    let documents = view.json["documents"].as_array().unwrap();
    assert_eq!(documents.len(), 3, "{documents:?}");
    assert_eq!(
        documents[2],
        json!({"code": "UY-QUYEN", "original": 1, "copies": 0})
    );
    let received = history_of(&s, &clerk, &code)
        .into_iter()
        .find(|e| e["kind"] == "dossier.received")
        .unwrap();
    assert_eq!(received["data"]["filed_by"], "representative");
    assert_eq!(received["data"]["representative"]["name"], "Trần Thị Bình");

    // The receipt names them and prints the authorisation's line.
    let receipt = s.get(
        &format!("/api/v1/dossiers/{code}/receipt?pin={pin}"),
        Some(&clerk),
    );
    assert_eq!(receipt.status, 200, "{}", receipt.text);
    assert_eq!(receipt.json["representative"]["name"], "Trần Thị Bình");
    assert_eq!(
        receipt.json["representative"]["authorisation"],
        "Giấy ủy quyền số 125/2026/UQ ngày 01/12/2026"
    );
    assert_eq!(
        receipt.json["documents"][2]["name"],
        "Giấy ủy quyền số 125/2026/UQ ngày 01/12/2026"
    );
    let page = s.send(
        "GET",
        &format!("/api/v1/dossiers/{code}/receipt?pin={pin}"),
        Some(&clerk),
        &[("Accept", "text/html")],
        None,
    );
    assert_eq!(page.status, 200, "{}", page.text);
    assert!(page.text.contains("Người nộp hồ sơ thay (theo ủy quyền)"));
    assert!(page.text.contains("Trần Thị Bình"));

    // The citizen's look-up and its page: initials only.
    let public = s.get(&format!("/api/v1/public/dossiers/{code}?pin={pin}"), None);
    assert_eq!(public.status, 200, "{}", public.text);
    assert_eq!(public.json["representative_name"], "T*** T** B***");
    assert!(!public.text.contains("Trần Thị Bình"));
    let page = s.get(&format!("/?code={code}&pin={pin}"), None);
    assert_eq!(page.status, 200, "{}", page.text);
    assert!(page.text.contains("T*** T** B***"), "{}", page.text);
    assert!(!page.text.contains("Trần Thị Bình"));

    // In person: no representative anywhere.
    let r = s.post("/api/v1/dossiers", Some(&clerk), &birth_registration());
    assert_eq!(r.status, 201, "{}", r.text);
    let (code, pin) = (
        r.json["code"].as_str().unwrap().to_string(),
        r.json["pin"].as_str().unwrap().to_string(),
    );
    let public = s.get(&format!("/api/v1/public/dossiers/{code}?pin={pin}"), None);
    assert!(public.json["representative_name"].is_null());
    let received = history_of(&s, &clerk, &code)
        .into_iter()
        .find(|e| e["kind"] == "dossier.received")
        .unwrap();
    assert_eq!(received["data"]["filed_by"], "applicant");
}

/// Bad representatives are named field by field and nothing is written;
/// a procedure asking for the applicant in person refuses any; the
/// reserved document code stays out of the catalogue; the wrong callers
/// are refused.
fn bad_representatives_are_refused(backend: Backend) {
    let s = TestServer::start_with(backend, trust_loopback);
    let (clerk, admin) = (s.login("clerk"), s.login("admin"));
    let before = common::count(&mut s.conn(), "dossiers");
    let mut cases: Vec<(Value, &str)> = Vec::new();
    let mut bad = |edit: &dyn Fn(&mut Value), field: &'static str| {
        let mut rep = representative();
        edit(&mut rep);
        cases.push((rep, field));
    };
    bad(&|r| r["name"] = json!("  "), "representative.name");
    bad(
        &|r| r["id_number"] = json!("12"),
        "representative.id_number",
    );
    // The applicant's own number: nobody represents themselves.
    bad(
        &|r| r["id_number"] = json!("001090012345"),
        "representative.id_number",
    );
    bad(
        &|r| {
            r.as_object_mut().unwrap().remove("relation");
        },
        "relation",
    );
    bad(
        &|r| r["authorisation"]["issued_on"] = json!("2031-01-01"),
        "representative.authorisation.issued_on",
    );
    bad(
        &|r| r["authorisation"]["issued_on"] = json!("01/12/2026"),
        "issued_on",
    );
    bad(
        &|r| r["authorisation"] = json!({"original": 0, "copies": 0}),
        "representative.authorisation",
    );
    bad(&|r| r["name"] = json!("An\u{0007}"), "representative.name");
    for (rep, field) in cases {
        let r = s.post("/api/v1/dossiers", Some(&clerk), &with_representative(rep));
        r.assert_problem(422, "validation");
        assert!(r.text.contains(field), "{field}: {}", r.text);
    }
    assert_eq!(common::count(&mut s.conn(), "dossiers"), before);

    // The wrong callers, with a good representative.
    for who in ["officer", "supervisor", "admin"] {
        let r = s.post(
            "/api/v1/dossiers",
            Some(&s.login(who)),
            &with_representative(representative()),
        );
        r.assert_problem(403, "forbidden");
    }
    let mut elsewhere = with_representative(representative());
    elsewhere["agency"] = json!("H53.50");
    s.post("/api/v1/dossiers", Some(&clerk), &elsewhere)
        .assert_problem(403, "forbidden");

    // The procedure asks for the applicant in person.
    let mut p = s.get(&format!("/api/v1/procedures/{BIRTH}"), None).json;
    assert_eq!(p["representation_allowed"], true);
    p["representation_allowed"] = json!(false);
    let r = s.put(&format!("/api/v1/procedures/{BIRTH}"), Some(&admin), &p);
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.json["representation_allowed"], false);
    let r = s.post(
        "/api/v1/dossiers",
        Some(&clerk),
        &with_representative(representative()),
    );
    r.assert_problem(422, "validation");
    assert!(r.text.contains("\"representative\""), "{}", r.text);
    let r = submit_online(&s, &with_representative(representative()), "10.7.7.1");
    r.assert_problem(422, "validation");
    assert!(r.text.contains("\"representative\""), "{}", r.text);
    assert_eq!(common::count(&mut s.conn(), "dossiers"), before);
    assert_eq!(common::count(&mut s.conn(), "submissions"), 0);
    // In person it is received.
    let r = s.post("/api/v1/dossiers", Some(&clerk), &birth_registration());
    assert_eq!(r.status, 201, "{}", r.text);
    // The export keeps the setting.
    let export = s.get("/api/v1/catalogue/export", Some(&admin));
    assert_eq!(export.status, 200, "{}", export.text);
    let birth = export.json["procedures"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["code"] == BIRTH)
        .unwrap()
        .clone();
    assert_eq!(birth["representation_allowed"], false);

    // The authorisation's code is no procedure's document.
    let mut p = s.get(&format!("/api/v1/procedures/{BIRTH}"), None).json;
    p["required_documents"][0]["code"] = json!("UY-QUYEN");
    let r = s.put(&format!("/api/v1/procedures/{BIRTH}"), Some(&admin), &p);
    r.assert_problem(422, "validation");
    assert!(r.text.contains("required_documents[0].code"), "{}", r.text);
}

/// Online: the representative travels with the submission to the
/// dossier the desk accepts; the results report counts the dossiers
/// filed through one.
fn online_and_counted(backend: Backend) {
    let s = TestServer::start_with(backend, trust_loopback);
    let clerk = s.login("clerk");
    let r = submit_online(&s, &with_representative(representative()), "10.7.7.2");
    assert_eq!(r.status, 201, "{}", r.text);
    let reference = r.json["reference"].as_str().unwrap().to_string();
    let r = s.post(
        &format!("/api/v1/submissions/{reference}/accept"),
        Some(&clerk),
        &json!({}),
    );
    assert_eq!(r.status, 201, "{}", r.text);
    let online = r.json["code"].as_str().unwrap().to_string();
    let view = s.get(&format!("/api/v1/dossiers/{online}"), Some(&clerk));
    assert_eq!(view.json["channel"], "online");
    assert_eq!(view.json["representative"]["relation"], "bà nội");

    // One more through a representative at the counter, one in person.
    for body in [with_representative(representative()), birth_registration()] {
        let r = s.post("/api/v1/dossiers", Some(&clerk), &body);
        assert_eq!(r.status, 201, "{}", r.text);
    }
    let report = s.get(
        "/api/v1/reports/results?period=2026-12",
        Some(&s.login("supervisor")),
    );
    assert_eq!(report.status, 200, "{}", report.text);
    assert_eq!(report.json["total"]["received"], 3);
    assert_eq!(report.json["total"]["received_represented"], 2);
    let csv = s.get(
        "/api/v1/reports/results?period=2026-12&format=csv",
        Some(&s.login("supervisor")),
    );
    assert_eq!(csv.status, 200, "{}", csv.text);
    assert!(csv.text.contains("Nộp thay theo ủy quyền"), "{}", csv.text);
}

on_both_backends!(
    a_representative_files_for_the_applicant,
    bad_representatives_are_refused,
    online_and_counted,
);
