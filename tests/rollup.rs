//! The results report read from the roll-up equals the report counted
//! from the dossiers, on both databases: three months of real desk work
//! over HTTP (intakes by every channel, a dossier handed from the commune
//! to the district, sent back and forwarded again, supplement requests,
//! payments, an extension, withdrawals, late and on-time results), rolled
//! up by the breach job; then changes to dossiers of months already rolled
//! up (an officer assigned, a carried-over dossier withdrawn, one
//! processed late), which the next report takes in. Every report is asked
//! twice: as served (from the roll-up) and with the roll-up set aside
//! (counted from the dossiers), and the two must be equal figure for
//! figure.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use chrono::Duration;
use common::{birth_registration, Backend, TestServer};
use serde_json::{json, Value};

struct Desk<'a> {
    s: &'a TestServer,
    clerk: String,
    commune: String,
    district: String,
    supervisor: String,
    admin: String,
}

impl<'a> Desk<'a> {
    fn login(s: &'a TestServer) -> Desk<'a> {
        let r = s.try_login("canbo.huyen", "mat-khau-dai", None);
        Desk {
            s,
            clerk: s.login("clerk"),
            commune: s.login("officer"),
            district: r.json["access_token"].as_str().unwrap().to_string(),
            supervisor: s.login("supervisor"),
            admin: s.login("admin"),
        }
    }

    fn ok(&self, code: &str, what: &str, token: &str, body: Value) {
        let r = self.s.post(
            &format!("/api/v1/dossiers/{code}/{what}"),
            Some(token),
            &body,
        );
        assert!(r.status < 300, "{what} {code}: {}", r.text);
    }

    fn birth(&self, channel: &str) -> String {
        let mut body = birth_registration();
        body["channel"] = json!(channel);
        let r = self.s.post("/api/v1/dossiers", Some(&self.clerk), &body);
        assert_eq!(r.status, 201, "{}", r.text);
        r.json["code"].as_str().unwrap().to_string()
    }

    /// Sent to the commune's officer and taken up.
    fn taken(&self, channel: &str) -> String {
        let code = self.birth(channel);
        self.ok(&code, "send", &self.clerk, json!({}));
        self.ok(&code, "receive", &self.commune, json!({}));
        code
    }

    fn processed(&self, code: &str, token: &str) {
        self.ok(code, "processed", token, json!({"result": "Đã giải quyết"}));
    }

    fn land(&self) -> String {
        let r = self.s.post(
            "/api/v1/dossiers",
            Some(&self.clerk),
            &json!({"procedure": "VT.DD.9", "applicant": {"name": "Đặng Văn Hùng", "id_number": "084200001234"}, "documents": [{"code": "DON", "original": 1}]}),
        );
        assert_eq!(r.status, 201, "{}", r.text);
        let code = r.json["code"].as_str().unwrap().to_string();
        self.ok(&code, "send", &self.clerk, json!({}));
        self.ok(&code, "receive", &self.commune, json!({}));
        code
    }

    fn forward(&self, code: &str) {
        self.ok(code, "send", &self.commune, json!({"note": "Đã xác minh"}));
        self.ok(code, "receive", &self.district, json!({}));
    }
}

/// The report for `query`, as served and counted from the dossiers: equal
/// in every figure; the first from the roll-up when `rolled` says so.
#[track_caller]
fn same(s: &TestServer, token: &str, query: &str, rolled: Option<&str>) -> Value {
    let get = || {
        let r = s.get(&format!("/api/v1/reports/results?{query}"), Some(token));
        assert_eq!(r.status, 200, "{query}: {}", r.text);
        r.json
    };
    let mut served = get();
    assert_eq!(
        served["rolled_up_through"],
        json!(rolled),
        "{query}: rolled up through"
    );
    s.sql("UPDATE report_rollup_meta SET ready = false");
    let mut counted = get();
    s.sql("UPDATE report_rollup_meta SET ready = true");
    assert_eq!(counted["rolled_up_through"], Value::Null, "{query}");
    for r in [&mut served, &mut counted] {
        r.as_object_mut().unwrap().remove("rolled_up_through");
        r.as_object_mut().unwrap().remove("as_of");
    }
    assert_eq!(served, counted, "{query}");
    served
}

/// The service index for `query`, as served and counted from the
/// dossiers: equal.
#[track_caller]
fn same_index(s: &TestServer, token: &str, query: &str) {
    let get = || {
        let r = s.get(&format!("/api/v1/reports/index?{query}"), Some(token));
        assert_eq!(r.status, 200, "{query}: {}", r.text);
        let mut v = r.json;
        v.as_object_mut().unwrap().remove("as_of");
        v
    };
    let served = get();
    s.sql("UPDATE report_rollup_meta SET ready = false");
    let counted = get();
    s.sql("UPDATE report_rollup_meta SET ready = true");
    assert_eq!(served, counted, "index {query}");
    assert!(
        !served["agencies"].as_array().unwrap().is_empty(),
        "index {query}: {served}"
    );
}

fn the_rollup_gives_the_reports_counted_from_the_dossiers(backend: Backend) {
    // Tuesday 1 September 2026, 09:00 in Vietnam.
    let s = TestServer::start_at(backend, "2026-09-01T02:00:00Z");
    let admin = s.login("admin");
    common::land_procedure_and_district_officer(&s, &admin);

    // September: on time, late, withdrawn, supplemented and paid online,
    // a land dossier handed to the district and sent back.
    let d = Desk::login(&s);
    let on_time = d.taken("counter");
    d.processed(&on_time, &d.commune);
    let late = d.taken("online");
    let withdrawn = d.birth("post");
    d.ok(
        &withdrawn,
        "withdraw",
        &d.clerk,
        json!({"reason": "Công dân xin rút"}),
    );
    let paid = d.taken("counter");
    d.ok(
        &paid,
        "supplement-request",
        &d.commune,
        json!({"reason": "Thiếu", "items": [{"name": "Giấy chứng sinh"}]}),
    );
    d.ok(
        &paid,
        "supplement-received",
        &d.clerk,
        json!({"note": "Đã nhận"}),
    );
    d.ok(
        &paid,
        "payment-request",
        &d.commune,
        json!({"amount_vnd": 8000}),
    );
    d.ok(
        &paid,
        "paid",
        &d.clerk,
        json!({"receipt_number": "BL-1", "channel": "online"}),
    );
    let land = d.land();
    s.clock.advance(Duration::days(2));
    let d = Desk::login(&s);
    d.forward(&land);
    let open_long = d.taken("counter");
    let extended = d.land();
    d.ok(
        &extended,
        "extension",
        &d.commune,
        json!({"reason": "Chờ xác minh", "new_due_at": common::working_days_from_now(30)}),
    );

    // October: the late one is processed, the land dossier goes back to
    // the commune and forward again, the paid one is processed.
    s.clock.advance(Duration::days(33));
    let d = Desk::login(&s);
    d.processed(&late, &d.commune);
    d.ok(
        &land,
        "send",
        &d.district,
        json!({"back_to_step": 1, "note": "Thiếu biên bản"}),
    );
    d.ok(&land, "receive", &d.commune, json!({}));
    d.forward(&land);
    d.processed(&paid, &d.commune);
    let october = d.taken("online");
    d.processed(&october, &d.commune);
    let stopped = d.taken("counter");
    d.ok(
        &stopped,
        "stop",
        &d.commune,
        json!({"reason": "Không đủ điều kiện"}),
    );

    // November: the land dossier is decided; more arrive.
    s.clock.advance(Duration::days(30));
    let d = Desk::login(&s);
    d.processed(&land, &d.district);
    let november = d.taken("post");
    d.forward(&extended);
    let still_open = d.taken("counter");
    let _ = november;

    // 3 December: the breach job rolls September to November up.
    s.clock.advance(Duration::days(27));
    let d = Desk::login(&s);
    let r = s.post("/api/v1/breaches/scan", Some(&d.admin), &json!({}));
    assert_eq!(r.status, 200, "{}", r.text);
    let mut conn = s.conn();
    let meta = motcua_store::report_rollup::meta(&mut conn).unwrap();
    assert!(meta.ready, "{meta:?}");
    assert_eq!(meta.through, "2026-11");

    let check = |d: &Desk| {
        for (who, query, rolled) in [
            (&d.supervisor, "period=2026-Q3&by=agency", Some("2026-09")),
            (&d.supervisor, "period=2026-Q4&by=agency", Some("2026-11")),
            (&d.supervisor, "period=2026-H2&by=unit", Some("2026-11")),
            (
                &d.supervisor,
                "period=2026-H2&by=procedure",
                Some("2026-11"),
            ),
            (&d.supervisor, "period=2026-H2&by=field", Some("2026-11")),
            (&d.supervisor, "period=2026-H2&by=officer", Some("2026-11")),
            (&d.supervisor, "period=2026-H2&by=month", Some("2026-11")),
            (&d.supervisor, "period=2026-H2&by=quarter", Some("2026-11")),
            (&d.supervisor, "period=2026-10&form=06a", Some("2026-10")),
            (&d.supervisor, "period=2026-10&form=07a", Some("2026-10")),
            (
                &d.supervisor,
                "period=2026-11&agency=H53.50.05.13",
                Some("2026-11"),
            ),
            (&d.admin, "period=2026&by=agency", Some("2026-11")),
            // December is not over: counted from the dossiers after
            // November.
            (
                &d.supervisor,
                "period=2026-Q4&by=procedure&format=json",
                Some("2026-11"),
            ),
            // Not whole months: from the dossiers.
            (&d.supervisor, "from=2026-09-15&to=2026-10-14", None),
        ] {
            same(&s, who, query, rolled);
        }
        // The service index reads the same lines.
        same_index(&s, &d.supervisor, "period=2026-Q4");
        same_index(&s, &d.supervisor, "period=2026-H2&agency=H53.50.05.13");
        same_index(&s, &d.admin, "period=2026");
    };
    check(&d);
    let year = same(&s, &d.admin, "period=2026&by=agency", Some("2026-11"));
    // Seven dossiers in September, two in October, two in November.
    assert_eq!(year["total"]["received"], 11, "{year}");
    let h2 = same(
        &s,
        &d.supervisor,
        "period=2026-H2&agency=H53.50.05.13",
        Some("2026-11"),
    );
    // The land dossier came back to the commune: two stays there, each
    // passed on to the district; the extended one passed on once.
    assert_eq!(h2["total"]["passed_on"], 3, "{h2}");
    assert_eq!(h2["total"]["handed_in"], 1, "{h2}");
    assert_eq!(h2["total"]["supplement_requests"], 1, "{h2}");
    assert_eq!(h2["total"]["paid_online"], 1, "{h2}");
    assert_eq!(h2["total"]["extensions"], 1, "{h2}");

    // Changes to dossiers of months rolled up: the next reports take
    // them in.
    // Open since September, now assigned: its three months move to the
    // officer.
    d.ok(
        &extended,
        "assign",
        &d.supervisor,
        json!({"username": "canbo.huyen"}),
    );
    d.ok(
        &open_long,
        "withdraw",
        &d.clerk,
        json!({"reason": "Công dân xin rút"}),
    );
    d.processed(&extended, &d.district);
    let pending = motcua_store::report_rollup::pending_count(&mut conn).unwrap();
    assert!(pending >= 3, "{pending} dossiers waiting");
    check(&d);
    assert_eq!(
        motcua_store::report_rollup::pending_count(&mut conn).unwrap(),
        0
    );
    let officers = same(
        &s,
        &d.supervisor,
        "period=2026-09&by=officer",
        Some("2026-09"),
    );
    let assigned = officers["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| !r["key"].as_str().unwrap().is_empty())
        .unwrap_or_else(|| panic!("{officers}"));
    assert_eq!(assigned["label"], "Lê Văn Huyện", "{officers}");
    assert_eq!(
        (&assigned["to_handle"], &assigned["open"]),
        (&json!(1), &json!(1)),
        "{officers}"
    );

    // A new calendar edit changes what working days are: the roll-up is
    // counted with another calendar, so reports count from the dossiers
    // until the job has rebuilt it.
    let r = s.put(
        "/api/v1/calendar/days/2026-10-05",
        Some(&d.admin),
        &json!({"kind": "day_off", "reason": "Nghỉ bù theo quyết định"}),
    );
    assert!(r.status < 300, "{}", r.text);
    let r = s.get(
        "/api/v1/reports/results?period=2026-Q4",
        Some(&d.supervisor),
    );
    assert_eq!(r.json["rolled_up_through"], Value::Null, "{}", r.text);
    let r = s.post("/api/v1/breaches/scan", Some(&d.admin), &json!({}));
    assert_eq!(r.status, 200, "{}", r.text);
    check(&d);

    // Lines that cannot be read: reports count from the dossiers, and the
    // next change the job counts makes it rebuild the roll-up.
    s.sql("UPDATE report_rollup SET line = 'not a line' WHERE dim = ''");
    d.processed(&still_open, &d.commune);
    let r = s.get(
        "/api/v1/reports/results?period=2026-Q4",
        Some(&d.supervisor),
    );
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.json["rolled_up_through"], Value::Null, "{}", r.text);
    let r = s.post("/api/v1/breaches/scan", Some(&d.admin), &json!({}));
    assert_eq!(r.status, 200, "{}", r.text);
    check(&d);
}

on_both_backends!(the_rollup_gives_the_reports_counted_from_the_dossiers);
