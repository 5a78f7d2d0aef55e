//! The desk's first day, end to end over HTTP on both backends: login,
//! catalogue, intake, receipt, public look-up, and every way intake can be
//! refused.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use calamine::Data;
use common::workbook::{cells, column, formulas, row, sheet, workbook, Sheets, XLSX};
use common::{birth_registration, count, Backend, TestServer};
use serde_json::{json, Value};

fn login_catalogue_intake_receipt_lookup(backend: Backend) {
    let s = TestServer::start(backend);
    assert_eq!(s.get("/healthz", None).json["status"], "ok");
    let token = s.login("clerk");

    // The catalogue is public, filterable by agency and accent-free text.
    let page = s.get("/api/v1/procedures?agency=H53.50.05.13&q=khai%20sinh", None);
    assert_eq!(page.status, 200, "{}", page.text);
    let codes: Vec<_> = page.json["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["code"].as_str().unwrap().to_string())
        .collect();
    assert!(codes.contains(&"1.001193".to_string()), "{codes:?}");
    assert!(
        !codes.contains(&"2.000720".to_string()),
        "district procedure listed"
    );
    let one = s.get("/api/v1/procedures/1.001193", None);
    assert_eq!(one.json["agency_code"], "H53.50.05.13");
    assert_eq!(one.json["duration"]["unit"], "same_day");
    assert_eq!(one.json["required_documents"][1]["code"], "GCS");
    assert_eq!(one.json["required_documents"][1]["original"], 1);
    assert_eq!(one.json["required_documents"][1]["copies"], 0);

    // Complete intake: a code, a PIN, an appointment.
    let r = s.post("/api/v1/dossiers", Some(&token), &birth_registration());
    assert_eq!(r.status, 201, "{}", r.text);
    let code = r.json["code"].as_str().unwrap().to_string();
    let pin = r.json["pin"].as_str().unwrap().to_string();
    assert!(code.starts_with("H53.50.05.13-"), "{code}");
    assert!(code.ends_with("-0001"), "{code}");
    assert_eq!(code.len(), "H53.50.05.13-261008-0001".len());
    assert_eq!(pin.len(), 6);
    assert_eq!(r.json["status"], "received");
    assert_eq!(r.json["status_code"], 2);
    let received: chrono::DateTime<chrono::Utc> =
        r.json["received_at"].as_str().unwrap().parse().unwrap();
    let due: chrono::DateTime<chrono::Utc> = r.json["due_at"].as_str().unwrap().parse().unwrap();
    assert!(due > received);
    // Same-day procedure: due at 17:00 local (10:00 UTC) on a weekday.
    assert_eq!(due.format("%H:%M").to_string(), "10:00");
    assert!(
        (due - received) <= chrono::Duration::days(4),
        "{received} → {due}"
    );

    // The receipt as JSON...
    let receipt = s.get(
        &format!("/api/v1/dossiers/{code}/receipt?pin={pin}"),
        Some(&token),
    );
    assert_eq!(receipt.status, 200, "{}", receipt.text);
    assert_eq!(receipt.json["code"], code.as_str());
    assert_eq!(receipt.json["pin"], pin.as_str());
    // Book volume is the local year of receipt, the code's yy.
    let yy = &code["H53.50.05.13-".len().."H53.50.05.13-".len() + 2];
    assert_eq!(
        receipt.json["book_volume"].as_i64().unwrap() % 100,
        yy.parse::<i64>().unwrap()
    );
    assert_eq!(receipt.json["book_entry"], 1);
    assert_eq!(receipt.json["appointment_at"], r.json["due_at"]);
    assert_eq!(receipt.json["documents"][1]["name"], "Giấy chứng sinh");
    assert!(receipt.json["collect_at"]
        .as_str()
        .unwrap()
        .contains("An Trường"));
    assert!(receipt.json["received_at_local"]
        .as_str()
        .unwrap()
        .contains(" giờ "));
    assert_eq!(receipt.json["received_by"], "Nguyễn Thị Lan");
    // ... and as a printable page with a QR code.
    let html = s.send(
        "GET",
        &format!("/api/v1/dossiers/{code}/receipt?pin={pin}"),
        Some(&token),
        &[("Accept", "text/html")],
        None,
    );
    assert_eq!(html.status, 200);
    assert!(html.content_type.starts_with("text/html"));
    assert!(html
        .text
        .contains("Giấy tiếp nhận hồ sơ và hẹn trả kết quả"));
    assert!(html.text.contains(&code));
    assert!(html.text.contains(&pin));
    assert!(html.text.contains("<svg"), "no QR code");
    assert!(html.text.contains("size: A5"));
    // A wrong PIN on the receipt is refused.
    let bad = s.get(
        &format!("/api/v1/dossiers/{code}/receipt?pin=ZZZZZZ"),
        Some(&token),
    );
    bad.assert_problem(422, "validation");

    // The citizen's look-up.
    let public = s.get(&format!("/api/v1/public/dossiers/{code}?pin={pin}"), None);
    assert_eq!(public.status, 200, "{}", public.text);
    assert_eq!(public.json["status_code"], 2);
    assert_eq!(public.json["status_text_vi"], "Được tiếp nhận");
    assert_eq!(public.json["status_text_en"], "Received");
    assert_eq!(public.json["applicant_name"], "N***** V** A*");
    assert_eq!(public.json["agency"]["code"], "H53.50.05.13");
    assert_eq!(public.json["due_at"], r.json["due_at"]);
    for secret in [
        "001090012345",
        "0912345678",
        "Ấp 2",
        "an@example.vn",
        "Nguyễn Văn An",
    ] {
        assert!(!public.text.contains(secret), "public view leaks {secret}");
    }
    // PINs are case-insensitive for citizens typing them.
    let lower = s.get(
        &format!("/api/v1/public/dossiers/{code}?pin={}", pin.to_lowercase()),
        None,
    );
    assert_eq!(lower.status, 200);

    // The staff view with its history.
    let view = s.get(&format!("/api/v1/dossiers/{code}"), Some(&token));
    assert_eq!(view.status, 200, "{}", view.text);
    assert_eq!(view.json["applicant"]["id_number"], "001090012345");
    assert_eq!(view.json["applicant"]["phone"], "0912345678");
    let history = view.json["history"].as_array().unwrap();
    assert_eq!(history.len(), 1);
    assert_eq!(history[0]["kind"], "dossier.received");
    assert_eq!(history[0]["actor_name"], "Nguyễn Thị Lan");
    assert!(history[0]["data"]["due_cause"]
        .as_str()
        .unwrap()
        .contains("same_day"));
    // A supervisor of the district above sees it; an officer of another agency does not.
    let sup = s.login("supervisor");
    assert_eq!(
        s.get(&format!("/api/v1/dossiers/{code}"), Some(&sup))
            .status,
        200
    );
    let other = s.login("clerk.huyen");
    s.get(&format!("/api/v1/dossiers/{code}"), Some(&other))
        .assert_problem(403, "forbidden");

    // The PIN is not stored in clear.
    let mut conn = s.conn();
    let stored = motcua_store::dossiers::find_by_code(&mut conn, &code)
        .unwrap()
        .unwrap();
    assert_ne!(stored.pin_hash, pin);
    assert!(!stored.pin_hash.contains(&pin));
    assert_eq!(stored.pin_hash.len(), 64);
}

fn incomplete_intake_gets_guidance_and_no_code(backend: Backend) {
    let s = TestServer::start(backend);
    let token = s.login("clerk");
    let mut body = birth_registration();
    body["documents"] = json!([{"code": "TK", "copies": 1}]);
    let r = s.post("/api/v1/dossiers", Some(&token), &body);
    r.assert_problem(422, "incomplete-dossier");
    let missing = r.json["missing_documents"].as_array().unwrap();
    let codes: Vec<_> = missing
        .iter()
        .map(|m| m["code"].as_str().unwrap())
        .collect();
    assert_eq!(
        codes,
        ["TK", "GCS"],
        "every missing document, once: {}",
        r.text
    );
    assert_eq!(missing[0]["original_required"], 1);
    assert_eq!(missing[0]["original_given"], 0);
    assert!(r.json["detail_vi"]
        .as_str()
        .unwrap()
        .contains("Giấy chứng sinh"));
    assert!(r.json.get("code").is_none());
    // The guidance was recorded and can be shown again.
    let slip_id = r.json["guidance_slip"].as_str().unwrap();
    let slip = s.get(&format!("/api/v1/guidance-slips/{slip_id}"), Some(&token));
    assert_eq!(slip.status, 200, "{}", slip.text);
    assert_eq!(slip.json["missing"].as_array().unwrap().len(), 2);
    assert_eq!(slip.json["applicant_name"], "Nguyễn Văn An");
    let mut conn = s.conn();
    assert_eq!(count(&mut conn, "dossiers"), 0);
    assert_eq!(count(&mut conn, "guidance_slips"), 1);
    // No number was consumed: the first complete dossier is 0001.
    let ok = s.post("/api/v1/dossiers", Some(&token), &birth_registration());
    assert!(
        ok.json["code"].as_str().unwrap().ends_with("-0001"),
        "{}",
        ok.text
    );
}

fn wrong_pin_and_unknown_code_look_the_same(backend: Backend) {
    let s = TestServer::start(backend);
    let token = s.login("clerk");
    let r = s.post("/api/v1/dossiers", Some(&token), &birth_registration());
    let code = r.json["code"].as_str().unwrap();
    let wrong_pin = s.get(&format!("/api/v1/public/dossiers/{code}?pin=AAAAAA"), None);
    let unknown = s.get(
        "/api/v1/public/dossiers/H53.50.05.13-200101-0042?pin=AAAAAA",
        None,
    );
    wrong_pin.assert_problem(404, "dossier-not-found");
    assert_eq!(wrong_pin.text, unknown.text);
    assert_eq!(wrong_pin.status, unknown.status);
    // Without a PIN the look-up is refused outright.
    s.get(&format!("/api/v1/public/dossiers/{code}"), None)
        .assert_problem(422, "validation");
}

fn clerks_log_only_at_their_own_agency(backend: Backend) {
    let s = TestServer::start(backend);
    // A district clerk cannot log a commune procedure.
    let district_clerk = s.login("clerk.huyen");
    let r = s.post(
        "/api/v1/dossiers",
        Some(&district_clerk),
        &birth_registration(),
    );
    r.assert_problem(403, "forbidden");
    // Nor name another agency explicitly.
    let commune_clerk = s.login("clerk");
    let mut body = birth_registration();
    body["agency"] = json!("H53.50");
    s.post("/api/v1/dossiers", Some(&commune_clerk), &body)
        .assert_problem(403, "forbidden");
    // Officers do not log dossiers.
    let officer = s.login("officer");
    s.post("/api/v1/dossiers", Some(&officer), &birth_registration())
        .assert_problem(403, "forbidden");
    // No token, a forged token, a wrong password.
    s.post("/api/v1/dossiers", None, &birth_registration())
        .assert_problem(401, "unauthorized");
    s.post(
        "/api/v1/dossiers",
        Some("not.a.token"),
        &birth_registration(),
    )
    .assert_problem(401, "unauthorized");
    let login = s.post(
        "/api/v1/auth/token",
        None,
        &json!({"username": "clerk", "password": "wrong"}),
    );
    login.assert_problem(401, "unauthorized");
    let unknown = s.post(
        "/api/v1/auth/token",
        None,
        &json!({"username": "nobody", "password": "demo"}),
    );
    assert_eq!(unknown.text, login.text);
    // The district clerk can log a district procedure.
    let body = json!({
        "procedure": "2.000720",
        "applicant": {"name": "Công ty TNHH Ánh Dương", "id_number": "0312345678"},
        "documents": [{"code": "GDN", "original": 1}, {"code": "CCCD", "copies": 1}]
    });
    let ok = s.post("/api/v1/dossiers", Some(&district_clerk), &body);
    assert_eq!(ok.status, 201, "{}", ok.text);
    assert!(ok.json["code"].as_str().unwrap().starts_with("H53.50-"));
    let mut conn = s.conn();
    assert_eq!(count(&mut conn, "dossiers"), 1);
}

fn bad_bodies_are_clear_4xx_and_write_nothing(backend: Backend) {
    let s = TestServer::start(backend);
    let token = s.login("clerk");
    let json_ct = [("Content-Type", "application/json")];
    let post_raw = |body: &str, headers: &[(&str, &str)]| {
        s.send(
            "POST",
            "/api/v1/dossiers",
            Some(&token),
            headers,
            Some(body),
        )
    };
    post_raw("{\"procedure\": ", &json_ct).assert_problem(400, "malformed-json");
    post_raw("", &json_ct).assert_problem(400, "bad-request");
    let missing = post_raw("{\"procedure\": \"1.001193\"}", &json_ct);
    missing.assert_problem(422, "validation");
    assert_eq!(missing.json["errors"][0]["field"], "applicant");
    assert_eq!(missing.json["errors"][0]["message"], "is required");
    let missing_name = post_raw(
        "{\"procedure\": \"1.001193\", \"applicant\": {\"id_number\": \"001090012345\"}}",
        &json_ct,
    );
    assert_eq!(
        missing_name.json["errors"][0]["field"], "applicant.name",
        "{}",
        missing_name.text
    );
    let wrong_type = post_raw("{\"procedure\": 7, \"applicant\": {}}", &json_ct);
    wrong_type.assert_problem(422, "validation");
    assert_eq!(wrong_type.json["errors"][0]["field"], "procedure");
    assert_eq!(
        wrong_type.json["errors"][0]["message"],
        "must be a text (a JSON string)"
    );
    post_raw(
        &birth_registration().to_string(),
        &[("Content-Type", "text/plain")],
    )
    .assert_problem(415, "unsupported-media-type");
    let huge = json!({"procedure": "1.001193", "applicant": {"name": "x".repeat(400_000), "id_number": "001090012345"}});
    post_raw(&huge.to_string(), &json_ct).assert_problem(413, "body-too-large");
    // Unknown procedure, invalid fields, papers not on the list.
    let mut body = birth_registration();
    body["procedure"] = json!("9.999999");
    s.post("/api/v1/dossiers", Some(&token), &body)
        .assert_problem(422, "unknown-procedure");
    let mut body = birth_registration();
    body["applicant"]["email"] = json!("not-an-email");
    body["applicant"]["id_number"] = json!("12");
    let invalid = s.post("/api/v1/dossiers", Some(&token), &body);
    invalid.assert_problem(422, "validation");
    let fields: Vec<_> = invalid.json["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["applicant.id_number", "applicant.email"]);
    let mut body = birth_registration();
    body["documents"]
        .as_array_mut()
        .unwrap()
        .push(json!({"code": "SHK", "original": 1}));
    s.post("/api/v1/dossiers", Some(&token), &body)
        .assert_problem(422, "validation");
    // Unknown routes answer problem+json too.
    s.get("/api/v1/nothing-here", None)
        .assert_problem(404, "no-such-route");

    let mut conn = s.conn();
    assert_eq!(count(&mut conn, "dossiers"), 0);
    assert_eq!(count(&mut conn, "counters"), 0);
    assert_eq!(count(&mut conn, "guidance_slips"), 0);
}

fn admins_publish_procedure_versions(backend: Backend) {
    let s = TestServer::start(backend);
    let admin = s.login("admin");
    let clerk = s.login("clerk");
    let new = json!({
        "code": "1.000656",
        "name": "Đăng ký kết hôn",
        "field": "Hộ tịch",
        "agency_code": "H53.50.05.13",
        "duration": {"amount": 3, "unit": "working_days"},
        "fees": {"amount_vnd": 0, "note": "Miễn lệ phí"},
        "required_documents": [
            {"code": "TK", "name": "Tờ khai đăng ký kết hôn", "original": 1, "copies": 0},
            {"code": "GTTT", "name": "Giấy tờ tùy thân", "original": 0, "copies": 2}
        ],
        "legal_basis": "Luật Hộ tịch 2014",
        "result": "Giấy chứng nhận kết hôn",
        "online_allowed": true
    });
    s.post("/api/v1/procedures", Some(&clerk), &new)
        .assert_problem(403, "forbidden");
    let created = s.post("/api/v1/procedures", Some(&admin), &new);
    assert_eq!(created.status, 201, "{}", created.text);
    assert_eq!(created.json["version"], 1);
    s.post("/api/v1/procedures", Some(&admin), &new)
        .assert_problem(409, "conflict");

    // A dossier received under version 1 keeps it after version 2.
    let intake = json!({
        "procedure": "1.000656",
        "applicant": {"name": "Võ Thị Mai", "id_number": "079190001234"},
        "documents": [{"code": "TK", "original": 1}, {"code": "GTTT", "copies": 2}]
    });
    let r = s.post("/api/v1/dossiers", Some(&clerk), &intake);
    assert_eq!(r.status, 201, "{}", r.text);
    let mut v2 = new.clone();
    v2["duration"] = json!({"amount": 5, "unit": "working_days"});
    v2["name"] = json!("Đăng ký kết hôn (sửa đổi)");
    v2["service_level"] = json!("fully_online");
    let updated = s.put("/api/v1/procedures/1.000656", Some(&admin), &v2);
    assert_eq!(updated.status, 200, "{}", updated.text);
    assert_eq!(updated.json["version"], 2);
    assert_eq!(
        s.get("/api/v1/procedures/1.000656", None).json["duration"]["amount"],
        5
    );
    let code = r.json["code"].as_str().unwrap();
    let view = s.get(&format!("/api/v1/dossiers/{code}"), Some(&clerk));
    assert_eq!(view.json["procedure_version"], 1);
    assert_eq!(view.json["procedure_name"], "Đăng ký kết hôn");

    // Version 1 can still be read, as published; what changed is listed.
    let v1 = s.get("/api/v1/procedures/1.000656?version=1", None);
    assert_eq!(v1.status, 200, "{}", v1.text);
    assert_eq!(v1.json["version"], 1);
    assert_eq!(v1.json["duration"]["amount"], 3);
    assert_eq!(v1.json["name"], "Đăng ký kết hôn");
    assert_eq!(
        s.get("/api/v1/procedures/1.000656?version=2", None).json["duration"]["amount"],
        5
    );
    s.get("/api/v1/procedures/1.000656?version=3", None)
        .assert_problem(404, "not-found");
    for bad in ["0", "-1", "abc"] {
        let r = s.get(&format!("/api/v1/procedures/1.000656?version={bad}"), None);
        assert!(r.status == 400 || r.status == 422, "{bad}: {}", r.text);
        assert_eq!(r.content_type, "application/problem+json");
    }
    let versions = s.get("/api/v1/procedures/1.000656/versions", None);
    assert_eq!(versions.status, 200, "{}", versions.text);
    let numbers: Vec<i64> = versions.json["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["version"].as_i64().unwrap())
        .collect();
    assert_eq!(numbers, [1, 2]);
    let changes = s.get("/api/v1/procedures/1.000656/changes?from=1", None);
    assert_eq!(changes.status, 200, "{}", changes.text);
    assert_eq!(
        (changes.json["from"].clone(), changes.json["to"].clone()),
        (json!(1), json!(2))
    );
    let changed: Vec<&str> = changes.json["changes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["field"].as_str().unwrap())
        .collect();
    assert_eq!(changed, ["name", "duration", "service_level"]);
    assert_eq!(changes.json["changes"][2]["before"], "partly_online");
    assert_eq!(changes.json["changes"][2]["after"], "fully_online");
    assert_eq!(changes.json["changes"][1]["before"]["amount"], 3);
    assert_eq!(changes.json["changes"][1]["after"]["amount"], 5);
    let same = s.get("/api/v1/procedures/1.000656/changes?from=2&to=2", None);
    assert_eq!(same.json["changes"], json!([]));
    s.get("/api/v1/procedures/1.000656/changes?from=2&to=1", None)
        .assert_problem(422, "validation");
    s.get("/api/v1/procedures/1.000656/changes?from=7", None)
        .assert_problem(404, "not-found");
    s.get("/api/v1/procedures/none/versions", None)
        .assert_problem(404, "not-found");

    // Version 1 said only "online_allowed": it is partly online.
    assert_eq!(v1.json["service_level"], "partly_online");
    assert_eq!(v1.json["online_allowed"], true);
    service_levels_filter_the_catalogue(&s, &admin, &new);

    // Invalid catalogue input names each field.
    let mut bad = new.clone();
    bad["code"] = json!("1.000657");
    bad["agency_code"] = json!("nope");
    bad["duration"] = json!({"amount": 0, "unit": "working_days"});
    let r = s.post("/api/v1/procedures", Some(&admin), &bad);
    r.assert_problem(422, "validation");
    let fields: Vec<_> = r.json["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert!(
        fields.contains(&"agency_code") && fields.contains(&"duration"),
        "{fields:?}"
    );
    s.put("/api/v1/procedures/none", Some(&admin), &new)
        .assert_problem(404, "not-found");
}

/// The catalogue by service level: the API's filter and the public
/// page's, and a level that contradicts `online_allowed` refused.
fn service_levels_filter_the_catalogue(s: &TestServer, admin: &str, new: &Value) {
    let codes = |query: &str| -> Vec<String> {
        let r = s.get(&format!("/api/v1/procedures?{query}"), None);
        assert_eq!(r.status, 200, "{query}: {}", r.text);
        r.json["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["code"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(codes("service_level=fully_online"), ["1.000656"]);
    let partly = codes("service_level=partly_online");
    assert!(partly.contains(&"1.001193".to_string()), "{partly:?}");
    assert!(!partly.contains(&"1.000656".to_string()), "{partly:?}");
    let all = codes("limit=500");
    let by_level: usize = ["not_online", "partly_online", "fully_online"]
        .iter()
        .map(|l| codes(&format!("service_level={l}&limit=500")).len())
        .sum();
    assert_eq!(by_level, all.len(), "every procedure has one level");
    let r = s.get("/api/v1/procedures?service_level=online", None);
    assert!(r.status == 400 || r.status == 422, "{}", r.text);
    assert_eq!(r.content_type, "application/problem+json");

    let page = s.get("/thu-tuc?level=fully_online", None);
    assert_eq!(page.status, 200);
    assert!(page.text.contains("1.000656"), "{}", page.text);
    assert!(!page.text.contains("1.001193"), "{}", page.text);
    assert!(page
        .text
        .contains(r#"<span class="level">Trực tuyến toàn trình</span>"#));

    let mut contradicts = new.clone();
    contradicts["code"] = json!("1.000658");
    contradicts["service_level"] = json!("not_online");
    let r = s.post("/api/v1/procedures", Some(admin), &contradicts);
    r.assert_problem(422, "validation");
    assert_eq!(r.json["errors"][0]["field"], "online_allowed", "{}", r.text);
    s.get("/api/v1/procedures/1.000658", None)
        .assert_problem(404, "not-found");
}

/// The compliance cost of a procedure: entered with the catalogue, one
/// dossier's cost itemised, the yearly cost from the dossiers received,
/// what a reform saved, and its printable page.
fn compliance_cost_and_what_a_reform_saved(backend: Backend) {
    let s = TestServer::start(backend);
    let (admin, clerk) = (s.login("admin"), s.login("clerk"));
    let mut v1 = json!({
        "code": "1.000700",
        "name": "Đăng ký kết hôn có yếu tố nước ngoài",
        "field": "Hộ tịch",
        "agency_code": "H53.50.05.13",
        "duration": {"amount": 3, "unit": "working_days"},
        "fees": {"amount_vnd": 20000},
        "required_documents": [
            {"code": "TK", "name": "Tờ khai", "original": 1, "copies": 0},
            {"code": "GTTT", "name": "Giấy tờ tùy thân", "original": 0, "copies": 2}
        ],
        "compliance": {
            "documents": [{"code": "TK", "minutes": 30}, {"code": "GTTT", "minutes": 45}],
            "visits": 2, "travel_minutes": 60, "wait_minutes": 20, "collect_minutes": 10,
            "outside_services": [{"name": "Chứng thực bản sao", "amount_vnd": 4000}]
        }
    });
    // Inputs that do not fit the procedure are refused, each named.
    let mut unknown = v1.clone();
    unknown["compliance"]["documents"][1]["code"] = json!("XX");
    let mut too_many = v1.clone();
    too_many["compliance"]["visits"] = json!(21);
    for (bad, field) in [
        (unknown, "compliance.documents[1].code"),
        (too_many, "compliance.visits"),
    ] {
        let r = s.post("/api/v1/procedures", Some(&admin), &bad);
        r.assert_problem(422, "validation");
        assert_eq!(r.json["errors"][0]["field"], field, "{}", r.text);
    }
    s.get("/api/v1/procedures/1.000700", None)
        .assert_problem(404, "not-found");
    let r = s.post("/api/v1/procedures", Some(&admin), &v1);
    assert_eq!(r.status, 201, "{}", r.text);
    assert_eq!(r.json["compliance"]["visits"], 2);
    let intake = json!({
        "procedure": "1.000700",
        "applicant": {"name": "Võ Thị Mai", "id_number": "079190001234"},
        "documents": [{"code": "TK", "original": 1}, {"code": "GTTT", "copies": 2}]
    });
    for _ in 0..2 {
        let r = s.post("/api/v1/dossiers", Some(&clerk), &intake);
        assert_eq!(r.status, 201, "{}", r.text);
    }
    let cost = |query: &str| {
        let r = s.get(
            &format!("/api/v1/procedures/1.000700/compliance-cost{query}"),
            None,
        );
        assert_eq!(r.status, 200, "{query}: {}", r.text);
        r.json
    };
    // 30 + 45 + 2×60 + 2×20 + 10 = 245 minutes at 30,000 đồng an hour,
    // plus the fee and the certified copies.
    let c = cost("");
    assert_eq!(c["hourly_income_vnd"], 30000);
    assert_eq!(c["dossiers_received"], 2);
    assert_eq!(c["cost"]["version"], 1);
    let d = &c["cost"]["per_dossier"];
    assert_eq!(
        (d["minutes"].clone(), d["time_vnd"].clone()),
        (json!(245), json!(122500))
    );
    assert_eq!(d["money_vnd"], 24000);
    assert_eq!(d["total_vnd"], 146500);
    assert_eq!(d["lines"].as_array().unwrap().len(), 7);
    assert_eq!(c["cost"]["yearly_vnd"], 293000);
    assert!(c["saving"].is_null());

    // The reform: one trip fewer, the identity papers quicker, no copies.
    v1["compliance"]["visits"] = json!(1);
    v1["compliance"]["documents"][1]["minutes"] = json!(15);
    v1["compliance"]["outside_services"] = json!([]);
    let r = s.put("/api/v1/procedures/1.000700", Some(&admin), &v1);
    assert_eq!(r.status, 200, "{}", r.text);
    let c = cost("?against=1");
    assert_eq!(c["cost"]["version"], 2);
    assert_eq!(c["cost"]["per_dossier"]["total_vnd"], 87500);
    assert_eq!(c["compared_with"]["per_dossier"]["total_vnd"], 146500);
    assert_eq!(
        c["saving"],
        json!({"minutes": 110, "per_dossier_vnd": 59000, "yearly_vnd": 118000, "percent": 40.3})
    );
    // Time valued at another income; version 1 still costed as it was.
    let c = cost("?hourly_income_vnd=60000");
    assert_eq!(c["cost"]["per_dossier"]["total_vnd"], 135000 + 20000);
    assert_eq!(
        cost("?version=1")["cost"]["per_dossier"]["total_vnd"],
        146500
    );
    let changes = s.get("/api/v1/procedures/1.000700/changes?from=1", None);
    assert!(changes.text.contains("\"compliance\""), "{}", changes.text);

    // What cannot be costed says why.
    for (query, status) in [
        ("?hourly_income_vnd=0", 422),
        ("?hourly_income_vnd=abc", 422),
        ("?against=0", 422),
    ] {
        let r = s.get(
            &format!("/api/v1/procedures/1.000700/compliance-cost{query}"),
            None,
        );
        assert_eq!(r.status, status, "{query}: {}", r.text);
        assert_eq!(r.content_type, "application/problem+json");
    }
    s.get(
        "/api/v1/procedures/1.000700/compliance-cost?version=3",
        None,
    )
    .assert_problem(404, "not-found");
    let none = s.get("/api/v1/procedures/1.001193/compliance-cost", None);
    none.assert_problem(404, "not-found");
    assert!(
        none.text.contains("no compliance cost inputs"),
        "{}",
        none.text
    );

    // The printable page shows the same figures, in either language.
    let page = s.get("/thu-tuc/1.000700/chi-phi-tuan-thu?against=1", None);
    assert_eq!(page.status, 200, "{}", page.text);
    for shown in [
        "146.500 đồng",
        "87.500 đồng",
        "59.000 đồng",
        "40.3%",
        "id=\"saving\"",
    ] {
        assert!(page.text.contains(shown), "{shown}: {}", page.text);
    }
    let en = s.get("/thu-tuc/1.000700/chi-phi-tuan-thu?lang=en", None);
    assert!(en.text.contains("87,500 VND"), "{}", en.text);
    let missing = s.get("/thu-tuc/1.001193/chi-phi-tuan-thu", None);
    assert_eq!(missing.status, 404);
    let detail = s.get("/thu-tuc/1.000700", None);
    assert!(detail.text.contains("compliance-link"), "{}", detail.text);

    // Thirteen months on, no dossier was received in the last twelve.
    s.clock.advance(chrono::Duration::days(400));
    let c = cost("");
    assert_eq!(c["dossiers_received"], 0);
    assert_eq!(c["cost"]["yearly_vnd"], 0);
}

/// A catalogue file imported: every row checked before anything is
/// written, what differs saved (a changed procedure as its next version),
/// and the same file imported twice changes nothing the second time.
fn catalogue_import_is_checked_whole_and_idempotent(backend: Backend) {
    let s = TestServer::start(backend);
    let (admin, clerk) = (s.login("admin"), s.login("clerk"));
    let exported = s.get("/api/v1/catalogue/export", Some(&admin));
    assert_eq!(exported.status, 200, "{}", exported.text);
    let mut file = exported.json.clone();
    let (agencies, procedures) = (
        file["agencies"].as_array().unwrap().len(),
        file["procedures"].as_array().unwrap().len(),
    );
    file["agencies"].as_array_mut().unwrap().push(json!({
        "code": "H53.50.05.99", "name": "UBND xã Thử", "level": "commune",
        "parent_code": "H53.50", "address": "Ấp 1"
    }));
    let birth = file["procedures"]
        .as_array()
        .unwrap()
        .iter()
        .position(|p| p["code"] == "1.001193")
        .unwrap();
    file["procedures"][birth]["name"] = json!("Đăng ký khai sinh (sửa đổi)");
    let mut new = file["procedures"][birth].clone();
    new["code"] = json!("1.000999");
    new["agency_code"] = json!("H53.50.05.99");
    file["procedures"].as_array_mut().unwrap().push(new);
    let import = |body: &Value, token: &str| s.post("/api/v1/catalogue/import", Some(token), body);
    import(&file, &clerk).assert_problem(403, "forbidden");

    // Two bad rows: both named, nothing written.
    let mut bad = file.clone();
    bad["procedures"][0]["duration"] = json!({"amount": 0, "unit": "working_days"});
    bad["agencies"][1]["name"] = json!(" ");
    let r = import(&bad, &admin);
    r.assert_problem(422, "validation");
    let fields: Vec<&str> = r.json["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["agencies[1].name", "procedures[0].duration"]);
    // A reference that fails only when written: still nothing written.
    let mut orphan = file.clone();
    orphan["agencies"][agencies]["parent_code"] = json!("H99");
    let r = import(&orphan, &admin);
    r.assert_problem(422, "validation");
    assert_eq!(
        r.json["errors"][0]["field"],
        format!("agencies[{agencies}].parent_code")
    );
    s.get("/api/v1/procedures/1.000999", None)
        .assert_problem(404, "not-found");
    assert_eq!(
        s.get("/api/v1/procedures/1.001193", None).json["version"],
        1
    );

    let r = import(&file, &admin);
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(
        r.json,
        json!({
            "agencies": {"created": 1, "updated": 0, "unchanged": agencies},
            "procedures": {"created": 1, "updated": 1, "unchanged": procedures - 1}
        })
    );
    let birth = s.get("/api/v1/procedures/1.001193", None);
    assert_eq!(
        (birth.json["version"].clone(), birth.json["name"].clone()),
        (json!(2), json!("Đăng ký khai sinh (sửa đổi)"))
    );
    assert_eq!(
        s.get("/api/v1/procedures/1.000999", None).json["version"],
        1
    );
    // Again: nothing changes, no version is published.
    let r = import(&file, &admin);
    assert_eq!(
        r.json,
        json!({
            "agencies": {"created": 0, "updated": 0, "unchanged": agencies + 1},
            "procedures": {"created": 0, "updated": 0, "unchanged": procedures + 1}
        })
    );
    assert_eq!(
        s.get("/api/v1/procedures/1.001193", None).json["version"],
        2
    );
    let mut wrong = file.clone();
    wrong["format"] = json!("other/1");
    import(&wrong, &admin).assert_problem(422, "validation");
}

/// The catalogue as a workbook, both ways: exported (a procedure with
/// cases among the rest) and imported unedited (nothing changes, the
/// cases kept), edited as a spreadsheet program saves it, imported (one
/// procedure changed, one new version), imported again (nothing
/// changes); a workbook with bad cells
/// refused with each named by sheet, row and column, nothing written; a
/// name that looks like a formula kept as text.
fn catalogue_workbook_round_trip(backend: Backend) {
    let s = TestServer::start(backend);
    let (admin, clerk) = (s.login("admin"), s.login("clerk"));
    let permit = json!({
        "code": "2.001000", "name": "Cấp giấy phép xây dựng", "field": "Xây dựng",
        "agency_code": "H53.50", "duration": {"amount": 15, "unit": "working_days"},
        "required_documents": [{"code": "DON", "name": "Đơn", "original": 1, "copies": 0}],
        "cases": [
            {"code": "nong-thon", "name": "Nhà ở nông thôn",
             "duration": {"amount": 10, "unit": "working_days"},
             "online_duration": {"amount": 7, "unit": "working_days"},
             "fees": {"amount_vnd": 50000, "note": "Lệ phí"},
             "required_documents": [
                {"code": "DON", "name": "Đơn", "original": 1, "copies": 0},
                {"code": "BV", "name": "Bản vẽ", "original": 0, "copies": 2, "optional": true}],
             "steps": [{"name": "Thẩm định", "agency_code": "H53.50", "role": "officer", "share_percent": 100}]},
            {"code": "do-thi", "name": "Nhà ở đô thị",
             "duration": {"amount": 15, "unit": "working_days"},
             "fees": {"amount_vnd": 75000},
             "required_documents": [{"code": "DON", "name": "Đơn", "original": 1, "copies": 0}]}]
    });
    let created = s.post("/api/v1/procedures", Some(&admin), &permit);
    assert_eq!(created.status, 201, "{}", created.text);
    let export = |path: &str, token: &str, headers: &[(&str, &str)]| {
        s.send_raw("GET", path, Some(token), headers, None)
    };
    let r = export("/api/v1/catalogue/export?format=xlsx", &admin, &[]);
    assert_eq!(r.status, 200);
    assert_eq!(r.headers["content-type"], XLSX);
    let disposition = &r.headers["content-disposition"];
    assert!(
        disposition.starts_with("attachment; filename=\"danh-muc-thu-tuc-")
            && disposition.ends_with(".xlsx\""),
        "{disposition}"
    );
    let book = r.bytes;
    let asked = export("/api/v1/catalogue/export", &admin, &[("Accept", XLSX)]);
    assert_eq!(asked.headers["content-type"], XLSX);
    assert_eq!(cells(&asked.bytes), cells(&book));
    let json = s.get("/api/v1/catalogue/export", Some(&admin)).json;
    let sheets = cells(&book);
    let procedures = sheets.iter().find(|(n, _)| n == "procedures").unwrap();
    assert_eq!(
        procedures.1.len() - 1,
        json["procedures"].as_array().unwrap().len()
    );
    s.get("/api/v1/catalogue/export?format=csv", Some(&admin))
        .assert_problem(422, "validation");
    assert_eq!(
        export("/api/v1/catalogue/export?format=xlsx", &clerk, &[]).status,
        403
    );

    let import = |bytes: &[u8], token: &str| {
        let r = s.send_raw(
            "POST",
            "/api/v1/catalogue/import",
            Some(token),
            &[("Content-Type", XLSX)],
            Some(bytes),
        );
        let json: Value = serde_json::from_slice(&r.bytes).unwrap_or(Value::Null);
        (r.status, json)
    };
    let version = |code: &str| s.get(&format!("/api/v1/procedures/{code}"), None).json;
    // Imported as exported: nothing changes, the cases come back whole.
    let cases = sheets.iter().find(|(n, _)| n == "cases").unwrap();
    assert_eq!(cases.1.len() - 1, 2);
    let (status, summary) = import(&book, &admin);
    assert_eq!(status, 200, "{summary}");
    assert_eq!(
        (
            &summary["agencies"]["unchanged"],
            &summary["procedures"]["unchanged"]
        ),
        (
            &json!(json["agencies"].as_array().unwrap().len()),
            &json!(json["procedures"].as_array().unwrap().len())
        )
    );
    assert_eq!(summary["procedures"]["updated"], 0);
    let permit = version("2.001000");
    assert_eq!(permit["version"], 1);
    assert_eq!(permit["cases"], created.json["cases"]);
    assert_eq!(permit["cases"][0]["online_duration"]["amount"], 7);
    let edit = |change: &dyn Fn(&mut Sheets)| {
        let mut sheets = cells(&book);
        change(&mut sheets);
        workbook(&sheets)
    };
    let renamed = |code: &'static str, name: &str| {
        let name = Data::String(name.into());
        move |sheets: &mut Sheets| {
            let rows = sheet(sheets, "procedures");
            let (at, col) = (row(rows, code), column(rows, "name"));
            rows[at][col] = name.clone();
        }
    };
    let changed = edit(&renamed("1.001193", "Đăng ký khai sinh (sửa đổi)"));
    assert_eq!(import(&changed, &clerk).0, 403);
    let (agencies, count) = (
        json["agencies"].as_array().unwrap().len(),
        json["procedures"].as_array().unwrap().len(),
    );
    let (status, summary) = import(&changed, &admin);
    assert_eq!(status, 200, "{summary}");
    assert_eq!(
        summary,
        json!({
            "agencies": {"created": 0, "updated": 0, "unchanged": agencies},
            "procedures": {"created": 0, "updated": 1, "unchanged": count - 1}
        })
    );
    let birth = version("1.001193");
    assert_eq!(
        (birth["version"].clone(), birth["name"].clone()),
        (json!(2), json!("Đăng ký khai sinh (sửa đổi)"))
    );
    let (status, summary) = import(&changed, &admin);
    assert_eq!(status, 200, "{summary}");
    assert_eq!(summary["procedures"]["unchanged"], count);
    assert_eq!(summary["agencies"]["unchanged"], agencies);
    assert_eq!(version("1.001193")["version"], 2);

    // Bad cells: every one named, nothing written.
    let bad = edit(&|sheets: &mut Sheets| {
        renamed("1.001193", "Tên mới")(sheets);
        let rows = sheet(sheets, "procedures");
        let (at, col) = (row(rows, "2.000720"), column(rows, "duration_amount"));
        rows[at][col] = Data::String("ba".into());
        let docs = sheet(sheets, "documents");
        docs[2][0] = Data::String("9.999999".into());
    });
    let (status, problem) = import(&bad, &admin);
    assert_eq!(status, 422, "{problem}");
    let at = row(
        &sheets.iter().find(|(n, _)| n == "procedures").unwrap().1,
        "2.000720",
    ) + 1;
    assert_eq!(
        problem["errors"],
        json!([
            {"field": format!("procedures row {at}: duration_amount"), "message": "not a number"},
            {"field": "documents row 3: procedure_code",
             "message": "\"9.999999\" is not in the procedures sheet"},
        ])
    );
    assert!(
        problem["detail"].as_str().unwrap().contains(&format!(
            "procedures row {at}: duration_amount: not a number"
        )),
        "{problem}"
    );
    // Past the checks the JSON body meets (a name over 500 characters),
    // or the administrators' (a blank name): still named by row.
    let birth_at = row(
        &sheets.iter().find(|(n, _)| n == "procedures").unwrap().1,
        "1.001193",
    ) + 1;
    for name in ["x".repeat(501), " ".into()] {
        let (status, problem) = import(&edit(&renamed("1.001193", &name)), &admin);
        assert_eq!(status, 422, "{problem}");
        assert_eq!(
            problem["errors"][0]["field"],
            format!("procedures row {birth_at}: name")
        );
    }
    let missing = edit(&|sheets: &mut Sheets| sheets.retain(|(n, _)| n != "documents"));
    let (status, problem) = import(&missing, &admin);
    assert_eq!(
        (status, &problem["errors"][0]["field"]),
        (422, &json!("documents"))
    );
    s.send(
        "POST",
        "/api/v1/catalogue/import",
        Some(&admin),
        &[("Content-Type", "text/csv")],
        Some("code,name"),
    )
    .assert_problem(415, "unsupported-media-type");
    let (status, problem) = import(b"not a workbook", &admin);
    assert_eq!(
        (status, &problem["type"]),
        (400, &json!("/problems/malformed-workbook"))
    );
    assert_eq!(version("1.001193")["name"], "Đăng ký khai sinh (sửa đổi)");
    assert_eq!(version("2.000720")["version"], 1);

    // A name a spreadsheet would run stays a name (the workbook is the
    // first export's, so 1.001193 takes its old name back too).
    let formula = "=HYPERLINK(\"http://example.com\",\"x\")";
    let (status, summary) = import(&edit(&renamed("1.000894", formula)), &admin);
    assert_eq!(
        (status, &summary["procedures"]["updated"]),
        (200, &json!(2)),
        "{summary}"
    );
    assert_eq!(version("1.000894")["name"], formula);
    let again = export("/api/v1/catalogue/export?format=xlsx", &admin, &[]).bytes;
    assert_eq!(formulas(&again), 0);
    let rows = &cells(&again)[1].1;
    assert_eq!(
        rows[row(rows, "1.000894")][column(rows, "name")],
        Data::String(formula.into())
    );
}

on_both_backends!(
    catalogue_workbook_round_trip,
    catalogue_import_is_checked_whole_and_idempotent,
    compliance_cost_and_what_a_reform_saved,
    login_catalogue_intake_receipt_lookup,
    incomplete_intake_gets_guidance_and_no_code,
    wrong_pin_and_unknown_code_look_the_same,
    clerks_log_only_at_their_own_agency,
    bad_bodies_are_clear_4xx_and_write_nothing,
    admins_publish_procedure_versions,
);
