//! Intake at any desk (phi địa giới) over HTTP on both databases
//! (docs/desk.md, Intake at any desk): a procedure open to any desk is
//! received at another desk, which issues its own code and receipt and
//! hands it to the competent agency as the first leg; the competent
//! agency's book lists it; the report counts it once.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{land_procedure_and_district_officer, Backend, TestServer};
use serde_json::{json, Value};

const COMMUNE: &str = "H53.50.05.13";
const DISTRICT: &str = "H53.50";

fn land() -> Value {
    json!({
        "procedure": "VT.DD.9",
        "applicant": {"name": "Đỗ Văn Hải", "id_number": "001090011111"},
        "documents": [{"code": "DON", "original": 1}]
    })
}

fn a_dossier_is_received_at_another_desk(backend: Backend) {
    let s = TestServer::start(backend);
    let admin = s.login("admin");
    land_procedure_and_district_officer(&s, &admin);
    let (district_clerk, commune_clerk, officer) =
        (s.login("clerk.huyen"), s.login("clerk"), s.login("officer"));
    let district_officer = s.try_login("canbo.huyen", "mat-khau-dai", None).json["access_token"]
        .as_str()
        .unwrap()
        .to_string();
    // Not open to any desk yet: only the commune's desk receives it.
    s.post("/api/v1/dossiers", Some(&district_clerk), &land())
        .assert_problem(403, "forbidden");
    let mut p = s.get("/api/v1/procedures/VT.DD.9", None).json;
    assert_eq!(p["any_desk"], false);
    p["any_desk"] = json!(true);
    let r = s.put("/api/v1/procedures/VT.DD.9", Some(&admin), &p);
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(
        s.get("/api/v1/procedures/VT.DD.9", None).json["any_desk"],
        true
    );

    // The district's desk receives it: its own code and receipt.
    let r = s.post("/api/v1/dossiers", Some(&district_clerk), &land());
    assert_eq!(r.status, 201, "{}", r.text);
    let code = r.json["code"].as_str().unwrap().to_string();
    assert!(code.starts_with("H53.50-"), "{code}");
    let receipt = s.get(
        &format!("/api/v1/dossiers/{code}/receipt"),
        Some(&district_clerk),
    );
    assert_eq!(receipt.status, 200, "{}", receipt.text);
    let v = s
        .get(&format!("/api/v1/dossiers/{code}"), Some(&district_clerk))
        .json;
    assert_eq!(v["receiving_agency_code"], DISTRICT);
    assert_eq!(v["handling_agency_code"], DISTRICT);
    assert_eq!(v["received_for"], COMMUNE);
    // The receiving agency's officers never decide it.
    s.post(
        &format!("/api/v1/dossiers/{code}/processed"),
        Some(&district_officer),
        &json!({"result": "x"}),
    )
    .assert_problem(403, "forbidden");

    let post = |path: &str, token: &str, body: Value| {
        let r = s.post(
            &format!("/api/v1/dossiers/{code}/{path}"),
            Some(token),
            &body,
        );
        assert_eq!(r.status, 200, "{path}: {}", r.text);
        r.json
    };
    // First leg: the district's desk hands it to the commune's desk.
    let sent = post("send", &district_clerk, json!({"note": "Chuyển xã"}));
    assert_eq!(sent["handling_agency_code"], COMMUNE);
    assert_eq!(sent["current_step"], 1);
    post("receive", &commune_clerk, json!({}));
    // Then the plan: the commune's officers, then the district's.
    let sent = post("send", &commune_clerk, json!({"note": "Chuyển cán bộ"}));
    assert_eq!(sent["current_step"], 2);
    post("receive", &officer, json!({}));
    let sent = post("send", &officer, json!({"note": "Trình huyện"}));
    assert_eq!(sent["handling_agency_code"], DISTRICT);
    assert_eq!(sent["current_step"], 3);
    post("receive", &district_officer, json!({}));
    post(
        "processed",
        &district_officer,
        json!({"result": "Giấy xác nhận"}),
    );
    // The receiving desk returns the result.
    post(
        "return",
        &district_clerk,
        json!({"collected_by": "Đỗ Văn Hải", "method": "counter"}),
    );
    let slip = s.get(
        &format!("/api/v1/dossiers/{code}/control-slip"),
        Some(&district_clerk),
    );
    assert_eq!(slip.status, 200, "{}", slip.text);
    assert_eq!(slip.json["rows"][0]["to_agency"], COMMUNE, "{}", slip.text);

    // The commune's book lists it with the district desk's code.
    let book = s.get(
        &format!("/api/v1/agencies/{COMMUNE}/tracking-book?from=2026-12-01&to=2026-12-31"),
        Some(&commune_clerk),
    );
    assert_eq!(book.status, 200, "{}", book.text);
    let row = book
        .json
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["code"] == code.as_str())
        .unwrap_or_else(|| panic!("{}", book.text));
    assert_eq!(row["received_at_desk"], DISTRICT);
    let book = s.get(
        &format!("/api/v1/agencies/{DISTRICT}/tracking-book?from=2026-12-01&to=2026-12-31"),
        Some(&district_clerk),
    );
    let row = book
        .json
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["code"] == code.as_str())
        .unwrap();
    assert!(row["received_at_desk"].is_null());

    // The report counts it once: received by the district's desk.
    let sup = s.login("supervisor");
    let r = s.get(
        &format!("/api/v1/reports/results?agency={DISTRICT}&period=2026-12"),
        Some(&sup),
    );
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.json["total"]["received"], 1, "{}", r.text);
    let row = |key: &str| {
        r.json["rows"]
            .as_array()
            .unwrap()
            .iter()
            .find(|x| x["key"] == key)
            .cloned()
            .unwrap_or(Value::Null)
    };
    assert_eq!(row(DISTRICT)["received"], 1, "{}", r.text);
    // The commune had it handed in by the district's desk, and handled it.
    assert_eq!(row(COMMUNE)["received"], 0, "{}", r.text);
    assert_eq!(row(COMMUNE)["handed_in"], 1, "{}", r.text);
    assert_eq!(r.json["total"]["handled"], 1, "{}", r.text);
}

on_both_backends!(a_dossier_is_received_at_another_desk);
