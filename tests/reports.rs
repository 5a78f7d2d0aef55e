//! The results report over HTTP on both databases: figures checked
//! against hand-counted dossiers for a month, the month after it (with a
//! dossier carried over) and the quarter of both, the CSV export, and who
//! may ask for which agency.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use chrono::Duration;
use common::{birth_registration, Backend, TestServer};
use serde_json::{json, Value};

const COMMUNE: &str = "H53.50.05.13";

fn intake(s: &TestServer, clerk: &str, channel: &str) -> String {
    let mut body = birth_registration();
    body["channel"] = json!(channel);
    let r = s.post("/api/v1/dossiers", Some(clerk), &body);
    assert_eq!(r.status, 201, "{}", r.text);
    r.json["code"].as_str().unwrap().to_string()
}

fn process(s: &TestServer, clerk: &str, officer: &str, code: &str) {
    let at = |what: &str| format!("/api/v1/dossiers/{code}/{what}");
    for (what, who) in [
        ("send", clerk),
        ("receive", officer),
        ("processed", officer),
    ] {
        let r = s.post(&at(what), Some(who), &json!({}));
        assert!(r.status < 300, "{what}: {}", r.text);
    }
}

fn report(s: &TestServer, token: &str, query: &str) -> Value {
    let r = s.get(&format!("/api/v1/reports/results?{query}"), Some(token));
    assert_eq!(r.status, 200, "{query}: {}", r.text);
    r.json
}

/// The figures of `counts` named in `expected`; the rest must be zero.
#[track_caller]
fn assert_counts(counts: &Value, expected: &[(&str, u64)]) {
    for field in [
        "to_handle",
        "carried_over",
        "received",
        "received_counter",
        "received_online",
        "received_post",
        "handled",
        "handled_early",
        "handled_on_time",
        "handled_late",
        "open",
        "open_within_time",
        "open_overdue",
        "withdrawn",
        "stopped",
    ] {
        let want = expected
            .iter()
            .find(|(f, _)| *f == field)
            .map_or(0, |(_, n)| *n);
        assert_eq!(counts[field], want, "{field} in {counts}");
    }
}

/// Every row and the total add up: to handle = carried over + received =
/// handled + withdrawn + still open; and the rows sum to the total.
#[track_caller]
fn assert_adds_up(report: &Value) {
    let n = |c: &Value, f: &str| c[f].as_u64().unwrap();
    let rows = report["rows"].as_array().unwrap();
    for c in rows.iter().chain([&report["total"]]) {
        assert_eq!(n(c, "to_handle"), n(c, "carried_over") + n(c, "received"));
        assert_eq!(
            n(c, "to_handle"),
            n(c, "handled") + n(c, "withdrawn") + n(c, "open")
        );
    }
    for f in ["to_handle", "received", "handled", "open", "withdrawn"] {
        let sum: u64 = rows.iter().map(|r| n(r, f)).sum();
        assert_eq!(sum, n(&report["total"], f), "{f}");
    }
}

fn a_month_and_the_next_are_counted_as_the_periodic_report_counts(backend: Backend) {
    // Thursday 26 November 2026, 09:00 in Vietnam.
    let s = TestServer::start_at(backend, "2026-11-26T02:00:00Z");
    let (clerk, officer) = (s.login("clerk"), s.login("officer"));
    // Birth registration is due the day it is received (by the cut-off).
    let on_time = intake(&s, &clerk, "counter");
    process(&s, &clerk, &officer, &on_time);
    let late = intake(&s, &clerk, "counter");
    let withdrawn = intake(&s, &clerk, "counter");
    let r = s.post(
        &format!("/api/v1/dossiers/{withdrawn}/withdraw"),
        Some(&clerk),
        &json!({"reason": "Công dân xin rút"}),
    );
    assert_eq!(r.status, 200, "{}", r.text);

    // Tuesday 8 December, 09:00: the late one is processed, one arrives by
    // post (due this afternoon).
    s.clock.advance(Duration::days(12));
    // Twelve days on, the tokens have expired.
    let (clerk, officer) = (s.login("clerk"), s.login("officer"));
    let supervisor = s.login("supervisor");
    process(&s, &clerk, &officer, &late);
    intake(&s, &clerk, "post");

    let november = report(&s, &supervisor, "period=2026-11");
    assert_eq!(november["period"]["first"], "2026-11-01");
    assert_eq!(november["period"]["last"], "2026-11-30");
    assert_eq!(november["rows"].as_array().unwrap().len(), 1);
    assert_eq!(november["rows"][0]["key"], COMMUNE);
    let expected_november = [
        ("to_handle", 3),
        ("received", 3),
        ("received_counter", 3),
        ("handled", 1),
        ("handled_on_time", 1),
        ("open", 1),
        ("open_overdue", 1),
        ("withdrawn", 1),
    ];
    assert_counts(&november["total"], &expected_november);
    assert_counts(&november["rows"][0], &expected_november);
    assert_eq!(november["total"]["on_time_rate"], 100.0);
    assert_eq!(november["total"]["processing_days_mean"], 0.0);
    assert_adds_up(&november);

    let december = report(&s, &supervisor, "period=2026-12&agency=H53.50");
    assert_counts(
        &december["total"],
        &[
            ("to_handle", 2),
            ("carried_over", 1),
            ("received", 1),
            ("received_post", 1),
            ("handled", 1),
            ("handled_late", 1),
            ("open", 1),
            ("open_within_time", 1),
        ],
    );
    // Thursday 26 November 09:00 to Tuesday 8 December 09:00: eight
    // working days.
    assert_eq!(december["total"]["processing_days_mean"], 8.0);
    assert_eq!(december["total"]["processing_days_p90"], 8.0);
    assert_eq!(december["total"]["on_time_rate"], 0.0);
    assert_adds_up(&december);

    // The quarter holds both months without counting anything twice.
    let quarter = report(&s, &supervisor, "period=2026-Q4&by=procedure");
    assert_eq!(quarter["rows"][0]["key"], "1.001193");
    assert_eq!(quarter["rows"][0]["label"], "Đăng ký khai sinh");
    assert_counts(
        &quarter["total"],
        &[
            ("to_handle", 4),
            ("received", 4),
            ("received_counter", 3),
            ("received_post", 1),
            ("handled", 2),
            ("handled_on_time", 1),
            ("handled_late", 1),
            ("open", 1),
            ("open_within_time", 1),
            ("withdrawn", 1),
        ],
    );
    assert_eq!(quarter["total"]["on_time_rate"], 50.0);
    assert_adds_up(&quarter);
    // By month, each month is the month's own report.
    let months = report(&s, &supervisor, "period=2026-Q4&by=month");
    let keys: Vec<&str> = months["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["key"].as_str().unwrap())
        .collect();
    assert_eq!(keys, ["2026-10", "2026-11", "2026-12"]);
    assert_eq!(months["rows"][1]["label"], "Tháng 11/2026");
    for (row, month) in [(1, &november), (2, &december)] {
        let mut counts = months["rows"][row].clone();
        for k in ["key", "label"] {
            counts.as_object_mut().unwrap().remove(k);
        }
        assert_eq!(counts, month["total"], "row {row}");
    }
    let officers = report(&s, &supervisor, "period=2026-Q4&by=officer");
    assert_adds_up(&officers);
    assert_eq!(officers["total"], quarter["total"]);
    // By service level: the demo's birth registration is partly online.
    let levels = report(&s, &supervisor, "period=2026-Q4&by=service_level");
    assert_eq!(levels["rows"].as_array().unwrap().len(), 1, "{levels}");
    assert_eq!(levels["rows"][0]["key"], "partly_online");
    assert_eq!(
        levels["rows"][0]["label"],
        "Dịch vụ công trực tuyến một phần"
    );
    assert_eq!(levels["total"], quarter["total"]);
    let days = report(&s, &supervisor, "from=2026-10-01&to=2026-12-31&by=field");
    assert_eq!(
        days["total"], quarter["total"],
        "the same days, named or not"
    );
    assert_eq!(days["rows"][0]["key"], "Hộ tịch");

    // The spreadsheet: UTF-8 with a byte-order mark, the total last.
    let r = s.get(
        "/api/v1/reports/results?period=2026-Q4&format=csv",
        Some(&supervisor),
    );
    assert_eq!(r.status, 200, "{}", r.text);
    assert!(r.content_type.starts_with("text/csv"), "{}", r.content_type);
    assert!(r.text.starts_with('\u{feff}'), "no byte-order mark");
    let lines: Vec<&str> = r.text.trim_end().lines().collect();
    assert_eq!(lines.len(), 3, "{}", r.text);
    assert!(lines[0].contains("Đã giải quyết"));
    assert!(lines[1].starts_with(&format!(
        "{COMMUNE},Ủy ban nhân dân xã An Trường,4,0,4,3,0,1,0,2,0,1,1,0,1,1,0,1,0"
    )));
    assert!(lines[2].starts_with("Tổng cộng,,4,0,4,"), "{}", lines[2]);

    // The page to print and send upward.
    let r = s.get(
        "/api/v1/reports/results?period=2026-Q4&format=html",
        Some(&supervisor),
    );
    assert_eq!(r.status, 200, "{}", r.text);
    assert!(
        r.content_type.starts_with("text/html"),
        "{}",
        r.content_type
    );
    // The page's text as a browser shows it (HTML escapes '/').
    let page = r.text.replace("&#x2f;", "/");
    for text in [
        "Báo cáo kết quả giải quyết thủ tục hành chính",
        "Ủy ban nhân dân huyện",
        "từ ngày 01/10/2026 đến ngày 31/12/2026",
        "A4 landscape",
        "Tổng cộng",
        "50.00",
    ] {
        assert!(page.contains(text), "{text} missing from the page");
    }
    let r = s.get(
        "/api/v1/reports/results?period=2026-Q4&format=xlsx",
        Some(&supervisor),
    );
    assert_eq!(r.status, 200, "{}", r.text);
    assert!(
        r.content_type.contains("spreadsheetml"),
        "{}",
        r.content_type
    );
    assert!(r.text.starts_with("PK"), "an XLSX file is a zip archive");
    assert!(r.headers["content-disposition"].contains("bao-cao-ket-qua-2026-Q4.xlsx"));
    s.get(
        "/api/v1/reports/results?period=2026-Q4&format=xml",
        Some(&supervisor),
    )
    .assert_problem(422, "validation");
}

fn only_supervisors_and_administrators_within_their_reach(backend: Backend) {
    let s = TestServer::start(backend);
    for who in ["clerk", "officer"] {
        let t = s.login(who);
        s.get("/api/v1/reports/results?period=2026", Some(&t))
            .assert_problem(403, "forbidden");
    }
    let supervisor = s.login("supervisor");
    // The district's supervisor does not see the province's other
    // agencies.
    s.get(
        "/api/v1/reports/results?period=2026&agency=H53",
        Some(&supervisor),
    )
    .assert_problem(403, "forbidden");
    let admin = s.login("admin");
    let all = report(&s, &admin, "period=2026&agency=H53");
    assert!(all["agencies"].as_array().unwrap().len() > 3, "{all}");
    for bad in [
        "period=2026-13",
        "period=26",
        "",
        "from=2026-01-01",
        "from=2026-02-01&to=2026-01-01",
        "period=2026&from=2026-01-01&to=2026-01-31",
        "period=2026&by=clerk",
    ] {
        let r = s.get(&format!("/api/v1/reports/results?{bad}"), Some(&admin));
        assert_eq!(r.status, 422, "{bad}: {}", r.text);
    }
}

/// The row of `report` keyed `key`.
#[track_caller]
fn row<'a>(report: &'a Value, key: &str) -> &'a Value {
    report["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["key"] == key)
        .unwrap_or_else(|| panic!("no row {key} in {report}"))
}

fn a_dossier_handed_up_counts_at_each_agency_and_once_in_the_total(backend: Backend) {
    // Thursday 26 November 2026, 09:00 in Vietnam.
    let s = TestServer::start_at(backend, "2026-11-26T02:00:00Z");
    let admin = s.login("admin");
    // Verified at the commune, decided at the district.
    common::land_procedure_and_district_officer(&s, &admin);
    let (clerk, commune) = (s.login("clerk"), s.login("officer"));
    let r = s.try_login("canbo.huyen", "mat-khau-dai", None);
    let district = r.json["access_token"].as_str().unwrap().to_string();
    let r = s.post(
        "/api/v1/dossiers",
        Some(&clerk),
        &json!({"procedure": "VT.DD.9", "applicant": {"name": "Đặng Văn Hùng", "id_number": "084200001234"}, "documents": [{"code": "DON", "original": 1}]}),
    );
    assert_eq!(r.status, 201, "{}", r.text);
    let code = r.json["code"].as_str().unwrap().to_string();
    let at = |what: &str| format!("/api/v1/dossiers/{code}/{what}");
    for (what, who) in [
        ("send", &clerk),
        ("receive", &commune),
        ("send", &commune),
        ("receive", &district),
        ("processed", &district),
    ] {
        let r = s.post(&at(what), Some(who), &json!({"note": "Chuyển"}));
        assert!(r.status < 300, "{what}: {}", r.text);
    }
    // An online submission the commune's desk refuses.
    let r = s.post("/api/v1/public/dossiers", None, &birth_registration());
    assert_eq!(r.status, 201, "{}", r.text);
    let reference = r.json["reference"].as_str().unwrap();
    let r = s.post(
        &format!("/api/v1/submissions/{reference}/refuse"),
        Some(&clerk),
        &json!({"reason": "Giấy chứng sinh không đọc được"}),
    );
    assert!(r.status < 300, "{}", r.text);

    let supervisor = s.login("supervisor");
    // Form 07b: every agency its own row.
    let by_agency = report(&s, &supervisor, "period=2026-11&form=07b");
    assert_eq!(by_agency["form"], "07b");
    assert_eq!(by_agency["by"], "agency");
    assert_eq!(by_agency["agency_name"], "Ủy ban nhân dân huyện Càng Long");
    let commune_row = row(&by_agency, COMMUNE);
    assert_eq!(commune_row["label"], "Ủy ban nhân dân xã An Trường");
    assert_counts(
        commune_row,
        &[
            ("to_handle", 1),
            ("received", 1),
            ("received_counter", 1),
            ("handled", 1),
            ("handled_early", 1),
        ],
    );
    // Its step done well before its share of the time ran out.
    assert_eq!(commune_row["passed_on"], 1);
    assert_eq!(commune_row["refused"], 1);
    let district_row = row(&by_agency, "H53.50");
    assert_counts(
        district_row,
        &[("to_handle", 1), ("handled", 1), ("handled_early", 1)],
    );
    assert_eq!(district_row["handed_in"], 1);
    assert_eq!(district_row["passed_on"], 0);
    // The total counts the dossier once: received, handled.
    let once = [
        ("to_handle", 1),
        ("received", 1),
        ("received_counter", 1),
        ("handled", 1),
        ("handled_early", 1),
    ];
    assert_counts(&by_agency["total"], &once);
    assert_eq!(by_agency["total"]["handed_in"], 0);
    assert_eq!(by_agency["total"]["refused"], 1);

    // Form 07a: the district's own row, and the commune rolled up.
    let by_unit = report(&s, &supervisor, "period=2026-11&form=07a");
    assert_eq!(by_unit["by"], "unit");
    let own = row(&by_unit, "H53.50");
    assert_eq!(
        own["label"],
        "Ủy ban nhân dân huyện Càng Long (trực tiếp giải quyết)"
    );
    assert_eq!(own["handed_in"], 1);
    assert_eq!(row(&by_unit, COMMUNE)["passed_on"], 1);
    assert_eq!(by_unit["total"], by_agency["total"]);

    // Form 06a: the district's own dossiers by field; 06b: rolled up.
    let own = report(&s, &supervisor, "period=2026-11&form=06a");
    assert_eq!(own["agencies"], json!(["H53.50"]));
    assert_eq!(own["rows"][0]["key"], "Đất đai");
    assert_counts(
        &own["total"],
        &[("to_handle", 1), ("handled", 1), ("handled_early", 1)],
    );
    assert_eq!(own["total"]["handed_in"], 1);
    let rolled = report(&s, &supervisor, "period=2026-11&form=06b");
    assert_eq!(
        rolled["title"],
        "Tình hình, kết quả giải quyết thủ tục hành chính thuộc phạm vi quản lý, theo lĩnh vực"
    );
    assert_counts(&row(&rolled, "Đất đai").clone(), &once);
    assert_eq!(row(&rolled, "Hộ tịch")["refused"], 1);
    assert_eq!(rolled["total"], by_agency["total"]);
    let page = s.get(
        "/api/v1/reports/results?period=2026-11&form=06b&format=html",
        Some(&supervisor),
    );
    assert!(page.text.contains("Mẫu số 06b"), "{}", page.text);
    let csv = s.get(
        "/api/v1/reports/results?period=2026-11&form=07b&format=csv",
        Some(&supervisor),
    );
    assert!(csv.headers["content-disposition"].contains("bao-cao-ket-qua-mau-07b-2026-11.csv"));

    // A form names its own rows; 06a needs an agency.
    s.get(
        "/api/v1/reports/results?period=2026-11&form=07b&by=field",
        Some(&supervisor),
    )
    .assert_problem(422, "validation");
    s.get(
        "/api/v1/reports/results?period=2026-11&form=06a",
        Some(&admin),
    )
    .assert_problem(422, "validation");
    s.get(
        "/api/v1/reports/results?period=2026-11&form=08",
        Some(&supervisor),
    )
    .assert_problem(422, "validation");
}

fn a_frozen_report_keeps_its_figures_and_shows_what_moved_since(backend: Backend) {
    // Thursday 26 November 2026, 09:00 in Vietnam.
    let s = TestServer::start_at(backend, "2026-11-26T02:00:00Z");
    let clerk = s.login("clerk");
    let code = intake(&s, &clerk, "counter");
    let supervisor = s.login("supervisor");
    let freeze =
        |token: &str, body: Value| s.post("/api/v1/reports/results/frozen", Some(token), &body);
    // November is not over: its figures still move.
    freeze(&supervisor, json!({"period": "2026-11", "by": "officer"}))
        .assert_problem(422, "validation");

    // Thursday 3 December: November is sent upward and frozen.
    s.clock.advance(Duration::days(7));
    let supervisor = s.login("supervisor");
    let r = freeze(
        &supervisor,
        json!({"period": "2026-11", "by": "officer", "note": "Gửi Văn phòng UBND tỉnh"}),
    );
    assert_eq!(r.status, 201, "{}", r.text);
    let id = r.json["id"].as_str().unwrap().to_string();
    assert_eq!(r.json["layout"], "by:officer");
    assert_eq!(r.json["agency"], "H53.50");
    assert_eq!(r.json["frozen_by_name"], "Lê Minh Châu");
    assert_eq!(r.json["report"]["rows"][0]["key"], "");
    assert_counts(
        &r.json["report"]["total"],
        &[
            ("to_handle", 1),
            ("received", 1),
            ("received_counter", 1),
            ("open", 1),
            ("open_overdue", 1),
        ],
    );
    // Once only.
    freeze(&supervisor, json!({"period": "2026-11", "by": "officer"}))
        .assert_problem(409, "conflict");
    let unchanged = s.get(
        &format!("/api/v1/reports/results/frozen/{id}"),
        Some(&supervisor),
    );
    assert_eq!(unchanged.status, 200, "{}", unchanged.text);
    assert_eq!(unchanged.json["differences"], json!([]));

    // The dossier is assigned afterwards: today's November counts it
    // under the officer. The frozen figures stay; the move shows.
    let r = s.post(
        &format!("/api/v1/dossiers/{code}/assign"),
        Some(&supervisor),
        &json!({"username": "officer"}),
    );
    assert_eq!(r.status, 200, "{}", r.text);
    let today = report(&s, &supervisor, "period=2026-11&by=officer");
    let officer_id = today["rows"][0]["key"].as_str().unwrap().to_string();
    assert!(!officer_id.is_empty(), "{today}");
    let later = s.get(
        &format!("/api/v1/reports/results/frozen/{id}"),
        Some(&supervisor),
    );
    assert_eq!(
        later.json["report"], unchanged.json["report"],
        "the frozen figures never change"
    );
    let differences = later.json["differences"].as_array().unwrap();
    let moved = |row: &str, column: &str| {
        differences
            .iter()
            .find(|d| d["row"] == row && d["column"] == column)
            .map(|d| (d["frozen"].clone(), d["now"].clone()))
    };
    assert_eq!(
        moved("", "to_handle"),
        Some((json!(1.0), Value::Null)),
        "{differences:?}"
    );
    assert_eq!(
        moved(&officer_id, "open_overdue"),
        Some((Value::Null, json!(1.0)))
    );
    assert_eq!(moved("total", "to_handle"), None, "the total did not move");

    // Printed as it was; listed; the audit trail has it.
    let page = s.get(
        &format!("/api/v1/reports/results/frozen/{id}?format=html"),
        Some(&supervisor),
    );
    assert!(
        page.text.contains("Chưa phân công"),
        "the frozen rows are printed"
    );
    let list = s.get("/api/v1/reports/results/frozen", Some(&supervisor));
    assert_eq!(list.json["items"][0]["id"], id.as_str(), "{}", list.text);
    assert_eq!(list.json["items"][0]["total"]["open_overdue"], 1);
    let admin = s.login("admin");
    let events = s.get("/api/v1/events?kind=report.frozen", Some(&admin));
    assert_eq!(
        events.json["items"][0]["subject_id"],
        id.as_str(),
        "{}",
        events.text
    );

    // Only supervisors and administrators, within reach.
    for who in ["clerk", "officer"] {
        let t = s.login(who);
        freeze(&t, json!({"period": "2026-10"})).assert_problem(403, "forbidden");
        s.get(&format!("/api/v1/reports/results/frozen/{id}"), Some(&t))
            .assert_problem(403, "forbidden");
        s.get("/api/v1/reports/results/frozen", Some(&t))
            .assert_problem(403, "forbidden");
    }
    freeze(&supervisor, json!({"period": "2026-10", "agency": "H53"}))
        .assert_problem(403, "forbidden");
    let every = freeze(&admin, json!({"period": "2026-10"}));
    assert_eq!(every.status, 201, "{}", every.text);
    assert_eq!(every.json["agency"], Value::Null);
    s.get(
        &format!(
            "/api/v1/reports/results/frozen/{}",
            every.json["id"].as_str().unwrap()
        ),
        Some(&supervisor),
    )
    .assert_problem(403, "forbidden");
    s.get(
        "/api/v1/reports/results/frozen/no-such-report",
        Some(&admin),
    )
    .assert_problem(404, "not-found");
}

fn an_interlinked_group_is_received_once_and_handled_by_each_agency(backend: Backend) {
    // Thursday 26 November 2026, 09:00 in Vietnam.
    let s = TestServer::start_at(backend, "2026-11-26T02:00:00Z");
    let clerk = s.login("clerk");
    let r = s.post(
        "/api/v1/dossiers",
        Some(&clerk),
        &json!({
            "procedure": "LT.KS-TT-BHYT",
            "applicant": {"name": "Lý Thị Hồng", "id_number": "084190005555"},
            "documents": [{"code": "TK", "original": 1}, {"code": "GCS", "original": 1},
                {"code": "TKTT", "original": 1}, {"code": "TKBH", "original": 1}]
        }),
    );
    assert_eq!(r.status, 201, "{}", r.text);
    let supervisor = s.login("supervisor");
    let by_agency = report(&s, &supervisor, "period=2026-11&by=agency");
    // One visit: received once; its three members, one per agency.
    let total = &by_agency["total"];
    assert_eq!(total["received"], 1, "{total}");
    assert_eq!(total["handed_in"], 2, "{total}");
    assert_eq!(total["to_handle"], 3, "{total}");
    assert_eq!(total["open"], 3, "{total}");
    let handling: u64 = by_agency["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["to_handle"].as_u64().unwrap())
        .sum();
    assert_eq!(handling, 3, "each member at its own agency: {by_agency}");
    let by_procedure = report(&s, &supervisor, "period=2026-11&by=procedure");
    assert_eq!(by_procedure["total"], by_agency["total"]);
}

on_both_backends!(
    an_interlinked_group_is_received_once_and_handled_by_each_agency,
    a_frozen_report_keeps_its_figures_and_shows_what_moved_since,
    a_month_and_the_next_are_counted_as_the_periodic_report_counts,
    a_dossier_handed_up_counts_at_each_agency_and_once_in_the_total,
    only_supervisors_and_administrators_within_their_reach,
);
