//! A world to call every route of the OpenAPI document in: the demo data,
//! a token for each role, and for each operation the records it needs in
//! the state it needs them (a dossier being processed, a paused one, a
//! submission, a guidance slip...), with a valid body and path. Used by
//! the role-by-route matrix and by the property test on numbers and
//! dates.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::cell::Cell;
use std::collections::BTreeMap;

use serde_json::{json, Value};

use super::{birth_registration, working_days_from_now, Response, TestServer};

/// Every caller the matrix tries: the demo users, a district officer, and
/// no token at all.
pub const CALLERS: [&str; 7] = [
    "anonymous",
    "admin",
    "clerk",
    "officer",
    "supervisor",
    "clerk.huyen",
    "officer.huyen",
];

/// Who may call each operation, the README's table as the tests read it.
/// `public`: anyone, without a token; `staff`: any logged-in staff member; otherwise the callers named (see
/// `CALLERS`: the commune's clerk and officer, the district's supervisor,
/// clerk and officer, the province's administrator). Callers of another
/// agency are refused even where their role would be allowed.
pub const RULES: &[(&str, &str)] = &[
    ("GET /healthz", "public"),
    ("GET /api/v1/openapi.json", "public"),
    ("POST /api/v1/auth/token", "public"),
    ("POST /api/v1/auth/logout", "staff"),
    ("GET /api/v1/me", "staff"),
    // The catalogue and the calendar: read by anyone, kept by admins.
    ("GET /api/v1/agencies", "public"),
    ("GET /api/v1/agencies/{code}", "public"),
    ("POST /api/v1/agencies", "admin"),
    ("PUT /api/v1/agencies/{code}", "admin"),
    ("GET /api/v1/procedures", "public"),
    ("GET /api/v1/procedures/{code}", "public"),
    ("GET /api/v1/procedures/{code}/versions", "public"),
    ("GET /api/v1/procedures/{code}/changes", "public"),
    ("GET /api/v1/procedures/{code}/compliance-cost", "public"),
    ("GET /api/v1/catalogue/export", "admin"),
    ("POST /api/v1/catalogue/import", "admin"),
    ("POST /api/v1/imports/dossiers", "admin"),
    ("POST /api/v1/procedures", "admin"),
    ("PUT /api/v1/procedures/{code}", "admin"),
    ("GET /api/v1/calendar/{year}", "public"),
    ("POST /api/v1/calendar/due-date", "public"),
    ("PUT /api/v1/calendar/days/{date}", "admin"),
    ("DELETE /api/v1/calendar/days/{date}", "admin"),
    // Accounts and mail: admins only.
    ("GET /api/v1/users", "admin"),
    ("POST /api/v1/users", "admin"),
    ("PATCH /api/v1/users/{username}", "admin"),
    ("GET /api/v1/users/{username}/sessions", "admin"),
    ("DELETE /api/v1/users/{username}/sessions", "admin"),
    ("GET /api/v1/outbox", "admin"),
    ("POST /api/v1/outbox/{id}/retry", "admin"),
    ("POST /api/v1/breaches/scan", "admin"),
    // Citizens.
    ("POST /api/v1/public/dossiers", "public"),
    ("GET /api/v1/public/dossiers/{code}", "public"),
    ("POST /api/v1/public/dossiers/{code}/rating", "public"),
    ("GET /api/v1/public/submissions/{reference}", "public"),
    ("POST /api/v1/public/feedback", "public"),
    ("GET /api/v1/public/feedback", "public"),
    ("GET /api/v1/public/feedback/{reference}", "public"),
    (
        "POST /api/v1/public/feedback/{reference}/information",
        "public",
    ),
    // Feedback to the commune: read by its staff, supervisors above and
    // admins; its steps taken by its officers and the supervisors above.
    ("GET /api/v1/feedback", "staff"),
    (
        "GET /api/v1/feedback/{reference}",
        "admin clerk officer supervisor",
    ),
    (
        "POST /api/v1/feedback/{reference}/accept",
        "officer supervisor",
    ),
    (
        "POST /api/v1/feedback/{reference}/refuse",
        "officer supervisor",
    ),
    (
        "POST /api/v1/feedback/{reference}/request-information",
        "officer supervisor",
    ),
    (
        "POST /api/v1/feedback/{reference}/answer",
        "officer supervisor",
    ),
    (
        "POST /api/v1/feedback/{reference}/publish",
        "officer supervisor",
    ),
    (
        "GET /api/v1/feedback-breaches",
        "admin officer supervisor officer.huyen",
    ),
    // Reading a commune dossier: its agency's staff, supervisors above,
    // admins (read only).
    (
        "GET /api/v1/dossiers/{code}",
        "admin clerk officer supervisor",
    ),
    (
        "GET /api/v1/dossiers/{code}/receipt",
        "admin clerk officer supervisor",
    ),
    (
        "GET /api/v1/dossiers/{code}/control-slip",
        "admin clerk officer supervisor",
    ),
    (
        "GET /api/v1/dossiers/{code}/apology-letter",
        "admin clerk officer supervisor",
    ),
    (
        "GET /api/v1/dossiers/{code}/notice",
        "admin clerk officer supervisor",
    ),
    (
        "GET /api/v1/guidance-slips/{id}",
        "admin clerk officer supervisor",
    ),
    (
        "GET /api/v1/submissions/{reference}/refusal",
        "admin clerk officer supervisor",
    ),
    (
        "GET /api/v1/agencies/{code}/tracking-book",
        "admin clerk officer supervisor",
    ),
    // Lists scoped to the caller's reach.
    ("GET /api/v1/worklist", "staff"),
    ("GET /api/v1/handovers/unacknowledged", "staff"),
    (
        "GET /api/v1/breaches/due-soon",
        "admin officer supervisor officer.huyen",
    ),
    ("GET /api/v1/breaches", "admin supervisor"),
    ("GET /api/v1/reports/results", "admin supervisor"),
    ("GET /api/v1/reports/index", "admin supervisor"),
    ("GET /api/v1/forecast", "admin supervisor"),
    ("POST /api/v1/reports/results/frozen", "admin supervisor"),
    ("GET /api/v1/reports/results/frozen", "admin supervisor"),
    (
        "GET /api/v1/reports/results/frozen/{id}",
        "admin supervisor",
    ),
    ("GET /api/v1/events", "admin supervisor"),
    (
        "GET /api/v1/submissions",
        "admin clerk supervisor clerk.huyen",
    ),
    // The receiving desk acts.
    ("POST /api/v1/dossiers", "clerk"),
    ("POST /api/v1/dossiers/{code}/pin", "clerk"),
    ("POST /api/v1/dossiers/{code}/supplement-received", "clerk"),
    ("POST /api/v1/dossiers/{code}/withdraw", "clerk"),
    ("POST /api/v1/dossiers/{code}/return", "clerk"),
    ("POST /api/v1/dossiers/{code}/postal-dispatch", "clerk"),
    ("POST /api/v1/dossiers/{code}/postal-delivery", "clerk"),
    ("POST /api/v1/dossiers/{code}/rating", "clerk"),
    ("POST /api/v1/dossiers/{code}/send", "clerk"),
    ("POST /api/v1/submissions/{reference}/accept", "clerk"),
    ("POST /api/v1/submissions/{reference}/refuse", "clerk"),
    // The handling agency's officers act; supervisors above assign.
    ("POST /api/v1/dossiers/{code}/supplement-request", "officer"),
    ("POST /api/v1/dossiers/{code}/extension", "officer"),
    ("POST /api/v1/dossiers/{code}/processed", "officer"),
    ("POST /api/v1/dossiers/{code}/stop", "officer"),
    ("POST /api/v1/dossiers/{code}/payment-request", "officer"),
    ("POST /api/v1/dossiers/{code}/paid", "clerk officer"),
    ("POST /api/v1/dossiers/{code}/payments", "clerk officer"),
    ("POST /api/v1/dossiers/{code}/case", "clerk officer"),
    (
        "GET /api/v1/dossiers/{code}/payments",
        "admin clerk officer supervisor",
    ),
    // The payment gateway: no token, a signature (see `World::headers`).
    ("POST /api/v1/payments/notify", "public"),
    // The postal service: no token, a signature (see `World::headers`).
    ("POST /api/v1/postal/notify", "public"),
    ("POST /api/v1/dossiers/{code}/receive", "clerk officer"),
    ("POST /api/v1/dossiers/{code}/assign", "officer supervisor"),
    // Repairs: supervisors of the dossier's agencies (or above) only.
    ("POST /api/v1/dossiers/{code}/reassign", "supervisor"),
    ("POST /api/v1/dossiers/{code}/recall", "supervisor"),
    ("POST /api/v1/dossiers/{code}/step-back", "supervisor"),
    ("POST /api/v1/dossiers/{code}/due-correction", "supervisor"),
    ("POST /api/v1/dossiers/{code}/reopen", "supervisor"),
    ("POST /api/v1/repairs/reassign", "supervisor"),
    // Codes reserved for an outage: the desk's clerks reserve them; those
    // who see the agency list them.
    ("POST /api/v1/agencies/{code}/reserved-codes", "clerk"),
    (
        "GET /api/v1/agencies/{code}/reserved-codes",
        "clerk officer supervisor admin",
    ),
    // Files: attached by the receiving desk's clerks and the handling
    // agency's officers, read by whoever may read the dossier.
    ("POST /api/v1/dossiers/{code}/files", "clerk officer"),
    (
        "GET /api/v1/dossiers/{code}/files",
        "admin clerk officer supervisor",
    ),
    (
        "GET /api/v1/dossiers/{code}/files/{id}",
        "admin clerk officer supervisor",
    ),
    (
        "GET /api/v1/dossiers/{code}/identity-documents",
        "admin clerk officer supervisor",
    ),
    (
        "POST /api/v1/dossiers/{code}/identity-documents",
        "clerk officer",
    ),
    ("GET /api/v1/public/dossiers/{code}/result", "public"),
    ("GET /api/v1/procedures/{code}/file-policy", "staff"),
    ("PUT /api/v1/procedures/{code}/file-policy", "admin"),
    ("POST /api/v1/files/housekeeping", "admin"),
    // The event feed: subscribers with their own tokens, and
    // administrators, who manage the subscribers.
    ("GET /api/v1/feed", "admin"),
    ("POST /api/v1/subscribers", "admin"),
    ("GET /api/v1/subscribers", "admin"),
    ("PATCH /api/v1/subscribers/{id}", "admin"),
    ("GET /api/v1/deliveries", "admin"),
    // The counter hall: set by admins; the kiosk, the board and a
    // ticket's holder without a token; the hall's clerks at the counters.
    ("GET /api/v1/agencies/{code}/queue-hall", "staff"),
    ("PUT /api/v1/agencies/{code}/queue-hall", "admin"),
    ("GET /api/v1/public/queue/{agency}", "public"),
    ("GET /api/v1/public/queue/{agency}/board", "public"),
    ("POST /api/v1/public/queue/{agency}/tickets", "public"),
    ("GET /api/v1/public/queue/tickets/{id}", "public"),
    ("POST /api/v1/queue/next", "clerk clerk.huyen"),
    ("POST /api/v1/queue/tickets/{id}/recall", "clerk"),
    ("POST /api/v1/queue/tickets/{id}/finish", "clerk"),
    ("POST /api/v1/queue/tickets/{id}/skip", "clerk"),
    ("POST /api/v1/queue/tickets/{id}/dossiers", "clerk"),
    ("GET /api/v1/queue/tickets", "clerk supervisor clerk.huyen"),
    ("POST /api/v1/deliveries/{id}/retry", "admin"),
];

pub fn allowed(rule: &str, caller: &str) -> bool {
    match rule {
        "public" => true,
        "staff" => caller != "anonymous",
        names => names.split(' ').any(|n| n == caller),
    }
}

/// The user the `{username}` routes change; nobody else needs it.
pub const SPARE_USER: &str = "tam.thoi";

/// One operation of the document.
#[derive(Debug, Clone)]
pub struct Operation {
    pub method: String,
    pub template: String,
    pub secured: bool,
    /// The component name of the JSON body, if it takes one.
    pub body: Option<String>,
    pub parameters: Vec<Value>,
}

impl Operation {
    pub fn key(&self) -> String {
        format!("{} {}", self.method, self.template)
    }
}

/// The operations of a document.
pub fn operations(doc: &Value) -> Vec<Operation> {
    let mut out = Vec::new();
    for (template, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            let body = op["requestBody"]["content"]["application/json"]["schema"]["$ref"]
                .as_str()
                .map(|r| r.rsplit('/').next().unwrap().to_string());
            out.push(Operation {
                method: method.to_uppercase(),
                template: template.clone(),
                secured: op.get("security").is_some(),
                body,
                parameters: op["parameters"].as_array().cloned().unwrap_or_default(),
            });
        }
    }
    out
}

pub struct World<'a> {
    pub s: &'a TestServer,
    pub tokens: BTreeMap<&'static str, String>,
    n: Cell<u32>,
    /// The PIN of the dossier the last public rating's target made.
    pin: std::cell::RefCell<String>,
}

impl<'a> World<'a> {
    pub fn new(s: &'a TestServer) -> World<'a> {
        let mut tokens = BTreeMap::new();
        for user in ["admin", "clerk", "officer", "supervisor", "clerk.huyen"] {
            tokens.insert(user, s.login(user));
        }
        let admin = tokens["admin"].clone();
        tokens.insert(
            "officer.huyen",
            s.create_user(&admin, "officer.huyen", "officer", "H53.50"),
        );
        s.create_user(&admin, SPARE_USER, "clerk", "H53.50.05.13");
        World {
            s,
            tokens,
            n: Cell::new(0),
            pin: std::cell::RefCell::new(String::new()),
        }
    }

    pub fn token(&self, caller: &str) -> Option<&str> {
        self.tokens.get(caller).map(String::as_str)
    }

    /// A fresh number, for codes and names that must not repeat.
    pub fn next(&self) -> u32 {
        self.n.set(self.n.get() + 1);
        self.n.get()
    }

    fn ok(r: Response) -> Response {
        assert!(r.status < 300, "fixture: {}", r.text);
        r
    }

    /// A birth registration received at the commune desk (status 2).
    pub fn dossier(&self) -> (String, String) {
        let r = Self::ok(self.s.post(
            "/api/v1/dossiers",
            self.token("clerk"),
            &birth_registration(),
        ));
        (
            r.json["code"].as_str().unwrap().to_string(),
            r.json["pin"].as_str().unwrap().to_string(),
        )
    }

    /// A commune dossier the officer has paused for a supplement (5).
    pub fn paused(&self) -> String {
        let (code, _) = self.dossier();
        Self::ok(self.s.post(
            &format!("/api/v1/dossiers/{code}/supplement-request"),
            self.token("officer"),
            &json!({"reason": "Thiếu giấy tờ", "items": [{"name": "Giấy chứng sinh"}]}),
        ));
        code
    }

    /// A commune dossier being processed (4): paused, then supplemented.
    pub fn processing(&self) -> String {
        let code = self.paused();
        Self::ok(self.s.post(
            &format!("/api/v1/dossiers/{code}/supplement-received"),
            self.token("clerk"),
            &json!({"note": "Đã nhận"}),
        ));
        code
    }

    /// A commune dossier waiting for fees (6).
    pub fn awaiting_payment(&self) -> String {
        let code = self.processing();
        Self::ok(self.s.post(
            &format!("/api/v1/dossiers/{code}/payment-request"),
            self.token("officer"),
            &json!({"amount_vnd": 8000}),
        ));
        code
    }

    /// A file attached to a commune dossier: the dossier's code and the
    /// file's id.
    pub fn file(&self) -> (String, String) {
        let (code, _) = self.dossier();
        let content_type = format!("multipart/form-data; boundary={}", super::BOUNDARY);
        let r = self.s.send_raw(
            "POST",
            &format!("/api/v1/dossiers/{code}/files?document=TK&identity=true"),
            self.token("clerk"),
            &[("Content-Type", &content_type)],
            Some(&super::multipart_file(
                "to-khai.pdf",
                &super::sample_pdf(500, 1),
            )),
        );
        assert_eq!(
            r.status,
            201,
            "fixture: {}",
            String::from_utf8_lossy(&r.bytes)
        );
        let v: Value = serde_json::from_slice(&r.bytes).unwrap();
        (code, v["id"].as_str().unwrap().to_string())
    }

    /// A processed commune dossier with its electronic result: code, PIN.
    pub fn with_result(&self) -> (String, String) {
        Self::ok(self.s.put(
            "/api/v1/procedures/1.001193/file-policy",
            self.token("admin"),
            &json!({"electronic_result": true, "retention_years": 5}),
        ));
        let (code, pin) = self.dossier();
        Self::ok(self.s.post(
            &format!("/api/v1/dossiers/{code}/processed"),
            self.token("officer"),
            &json!({"result": "Giấy khai sinh số 1"}),
        ));
        let content_type = format!("multipart/form-data; boundary={}", super::BOUNDARY);
        let r = self.s.send_raw(
            "POST",
            &format!("/api/v1/dossiers/{code}/files?purpose=result"),
            self.token("officer"),
            &[("Content-Type", &content_type)],
            Some(&super::multipart_file(
                "ket-qua.pdf",
                &super::sample_pdf(500, 2),
            )),
        );
        assert_eq!(
            r.status,
            201,
            "fixture: {}",
            String::from_utf8_lossy(&r.bytes)
        );
        (code, pin)
    }

    /// A commune dossier processed, its result ready (9).
    pub fn processed(&self) -> String {
        let (code, _) = self.dossier();
        Self::ok(self.s.post(
            &format!("/api/v1/dossiers/{code}/processed"),
            self.token("officer"),
            &json!({"result": "Giấy khai sinh số 1"}),
        ));
        code
    }

    /// A commune dossier whose result the clerk handed to the post: its
    /// code and the parcel's tracking code.
    pub fn dispatched(&self) -> (String, String) {
        let code = self.processed();
        let tracking = format!("EI{:09}VN", self.next());
        Self::ok(self.s.post(
            &format!("/api/v1/dossiers/{code}/postal-dispatch"),
            self.token("clerk"),
            &json!({"tracking_code": tracking, "address": "Ấp 2, xã An Trường"}),
        ));
        (code, tracking)
    }

    /// A commune dossier processed and returned to the citizen (10): its
    /// code and PIN.
    pub fn returned(&self) -> (String, String) {
        let (code, pin) = self.dossier();
        Self::ok(self.s.post(
            &format!("/api/v1/dossiers/{code}/processed"),
            self.token("officer"),
            &json!({"result": "Giấy khai sinh số 1"}),
        ));
        Self::ok(self.s.post(
            &format!("/api/v1/dossiers/{code}/return"),
            self.token("clerk"),
            &json!({"collected_by": "Nguyễn Văn An", "method": "counter"}),
        ));
        (code, pin)
    }

    /// A commune dossier sent from the desk and acknowledged by the
    /// commune's officers: at step 1, not in transit.
    pub fn acknowledged(&self) -> String {
        let (code, _) = self.dossier();
        Self::ok(self.s.post(
            &format!("/api/v1/dossiers/{code}/send"),
            self.token("clerk"),
            &json!({"note": "Chuyển xử lý"}),
        ));
        Self::ok(self.s.post(
            &format!("/api/v1/dossiers/{code}/receive"),
            self.token("officer"),
            &json!({}),
        ));
        code
    }

    /// A member of an interlinked group, sent to the commune and not yet
    /// acknowledged there.
    pub fn in_transit(&self) -> String {
        let r = Self::ok(self.s.post(
            "/api/v1/dossiers",
            self.token("clerk"),
            &json!({
                "procedure": "LT.KS-TT-BHYT",
                "applicant": {"name": "Lý Thị Hồng", "id_number": "084190005555"},
                "documents": [{"code": "TK", "original": 1}, {"code": "GCS", "original": 1},
                    {"code": "TKTT", "original": 1}, {"code": "TKBH", "original": 1}]
            }),
        ));
        let member = format!("{}-1", r.json["code"].as_str().unwrap());
        Self::ok(self.s.post(
            &format!("/api/v1/dossiers/{member}/send"),
            self.token("clerk"),
            &json!({"note": "Chuyển liên thông"}),
        ));
        member
    }

    /// A guidance slip of the commune desk.
    pub fn guidance_slip(&self) -> String {
        let mut body = birth_registration();
        body["documents"] = json!([]);
        let r = self.s.post("/api/v1/dossiers", self.token("clerk"), &body);
        assert_eq!(r.status, 422, "{}", r.text);
        r.json["guidance_slip"].as_str().unwrap().to_string()
    }

    /// An online submission to the commune desk (status 1).
    pub fn submission(&self) -> (String, String) {
        let r = Self::ok(self.s.send(
            "POST",
            "/api/v1/public/dossiers",
            None,
            &[
                ("Content-Type", "application/json"),
                ("X-Forwarded-For", &format!("10.1.{}.1", self.next() % 250)),
            ],
            Some(&birth_registration().to_string()),
        ));
        (
            r.json["reference"].as_str().unwrap().to_string(),
            r.json["pin"].as_str().unwrap().to_string(),
        )
    }

    /// A subscriber of the feed; its id.
    pub fn subscriber(&self) -> String {
        let body = self.body("SubscriberInput");
        let r = Self::ok(
            self.s
                .post("/api/v1/subscribers", self.token("admin"), &body),
        );
        r.json["id"].as_str().unwrap().to_string()
    }

    /// A ticket of the commune's hall (area A), taken now, and when
    /// `called` the ticket counter 1 called next (the oldest waiting).
    /// Taken through the store: the kiosk's limit per address would
    /// refuse the many the matrix needs.
    pub fn ticket(&self, called: bool) -> String {
        let now = self.s.now();
        let day = (now + chrono::Duration::hours(7))
            .format("%Y-%m-%d")
            .to_string();
        let t = motcua_store::queue_tickets::take(
            &mut self.s.conn(),
            &motcua_store::queue_tickets::NewTicket {
                agency: "H53.50.05.13",
                area: "A",
                day: &day,
                field: None,
                procedure: None,
                at: now,
            },
        )
        .unwrap();
        if !called {
            return t.id;
        }
        let r = Self::ok(self.s.post(
            "/api/v1/queue/next",
            self.token("clerk"),
            &json!({"counter": 1}),
        ));
        r.json["called"]["id"].as_str().unwrap().to_string()
    }

    /// A report the district's supervisor froze.
    pub fn frozen_report(&self) -> String {
        let body = self.body("FreezeInput");
        let r = Self::ok(self.s.post(
            "/api/v1/reports/results/frozen",
            self.token("supervisor"),
            &body,
        ));
        r.json["id"].as_str().unwrap().to_string()
    }

    /// A submission the commune desk refused.
    pub fn refused(&self) -> String {
        let (reference, _) = self.submission();
        Self::ok(self.s.post(
            &format!("/api/v1/submissions/{reference}/refuse"),
            self.token("clerk"),
            &json!({"reason": "Thiếu giấy chứng sinh"}),
        ));
        reference
    }

    /// Feedback to the commune, taken to `status` (received, accepted,
    /// information_requested or answered): its reference and PIN.
    pub fn feedback(&self, status: &str) -> (String, String) {
        let r = Self::ok(self.s.send(
            "POST",
            "/api/v1/public/feedback",
            None,
            &[
                ("Content-Type", "application/json"),
                ("X-Forwarded-For", &format!("10.2.{}.1", self.next() % 250)),
            ],
            Some(&self.body("FeedbackInput").to_string()),
        ));
        let reference = r.json["reference"].as_str().unwrap().to_string();
        let pin = r.json["pin"].as_str().unwrap().to_string();
        let officer = self.token("officer");
        let step = |path: &str, body: Value| {
            Self::ok(self.s.post(
                &format!("/api/v1/feedback/{reference}/{path}"),
                officer,
                &body,
            ));
        };
        if status != "received" {
            step("accept", json!({}));
        }
        match status {
            "information_requested" => {
                step("request-information", json!({"question": "Quầy số mấy?"}))
            }
            "answered" => step("answer", json!({"answer": "Đã bố trí thêm quầy"})),
            _ => {}
        }
        (reference, pin)
    }

    /// The id of a webhook delivery: a subscriber with a webhook (to a
    /// port nobody listens on), then a dossier it follows.
    pub fn delivery_id(&self) -> i64 {
        let mut body = self.body("SubscriberInput");
        body["webhook"] = json!({"url": "http://127.0.0.1:9/hook"});
        Self::ok(
            self.s
                .post("/api/v1/subscribers", self.token("admin"), &body),
        );
        self.dossier();
        // The queue filled from the feed, as the worker (off here) would.
        let mut conn = self.s.conn();
        motcua_store::feed::sequence(&mut conn).unwrap();
        motcua_store::deliveries::enqueue(&mut conn, 100).unwrap();
        let r = Self::ok(self.s.get("/api/v1/deliveries", self.token("admin")));
        r.json["items"][0]["id"].as_i64().unwrap()
    }

    /// The id of a message in the outbox.
    pub fn outbox_id(&self) -> i64 {
        self.dossier();
        let r = Self::ok(self.s.get("/api/v1/outbox", self.token("admin")));
        r.json["items"][0]["id"].as_i64().unwrap()
    }

    /// A valid body for a component, fresh where it must be unique.
    pub fn body(&self, component: &str) -> Value {
        let n = self.next();
        match component {
            "TokenRequest" => json!({"username": "clerk", "password": "demo"}),
            "AgencyInput" => json!({"code": format!("H53.9{n}"), "name": format!("Xã thử {n}"),
                "level": "commune", "parent_code": "H53.50", "address": "Ấp 1"}),
            "CatalogueFile" => json!({"format": "motcua-catalogue/1", "agencies": [],
                "procedures": []}),
            "DossierImportFile" => json!({"format": "motcua-dossiers/1", "dossiers": [{
                "code": format!("CU.{n:06}"), "procedure_code": "1.001193",
                "applicant": {"name": "Lê Văn Cũ", "id_number": "001090099999"},
                "receiving_agency": "H53.50.05.13", "status": "returned",
                "received_at": "2025-03-03T08:00:00+07:00", "due_at": "2025-03-07T17:00:00+07:00",
                "finished_at": "2025-03-06T10:00:00+07:00",
                "returned_at": "2025-03-07T09:00:00+07:00"}]}),
            "ProcedureInput" => json!({"code": format!("9.{n:06}"), "name": "Thủ tục thử",
                "field": "Thử nghiệm", "agency_code": "H53.50.05.13",
                "duration": {"amount": 3, "unit": "working_days"},
                "required_documents": [{"code": "DON", "name": "Đơn", "original": 1, "copies": 0}]}),
            "UserInput" => json!({"username": format!("nguoi.moi.{n}"), "password": "mat-khau-dai",
                "full_name": "Người Mới", "role": "clerk", "agency_code": "H53.50.05.13"}),
            "UserPatch" => json!({"full_name": "Tạm Thời"}),
            "IntakeRequest" => birth_registration(),
            "SupplementRequestInput" => {
                json!({"reason": "Thiếu", "items": [{"name": "Giấy chứng sinh"}]})
            }
            "SupplementReceivedInput" => json!({"note": "Đã nhận"}),
            "ExtensionInput" => json!({"reason": "Cần xác minh thêm",
                "new_due_at": working_days_from_now(20)}),
            "ProcessedInput" => json!({"result": "Giấy khai sinh"}),
            "FilePolicyDto" => json!({"electronic_result": true, "retention_years": 5}),
            "SubscriberInput" => json!({"name": format!("Hệ thống thử {n}"), "agency": "H53"}),
            "SubscriberPatch" => json!({"active": true}),
            "LinkInput" => json!({"file_id": self.file().1}),
            "StopInput" => json!({"reason": "Không đủ điều kiện"}),
            "DayEdit" => json!({"kind": "day_off", "reason": "Thử"}),
            "DueDateQuestion" => json!({"received_at": working_days_from_now(0),
                "duration": {"amount": 5, "unit": "working_days"}}),
            "SendInput" => json!({"note": "Chuyển"}),
            "AssignInput" => json!({"username": "officer"}),
            "PaymentInput" => json!({"amount_vnd": 50000}),
            "PaidInput" => json!({"receipt_number": "BL-1", "channel": "online"}),
            "PaymentRecordInput" => json!({"amount_vnd": 20000, "channel": "counter",
                "receipt_number": format!("BL-{n}")}),
            "PaymentNotice" => json!({"transaction_id": format!("GW-{n}"),
                "dossier_code": self.dossier().0, "amount_vnd": 20000,
                "paid_at": self.s.now().to_rfc3339()}),
            "PostalDispatchInput" => json!({"tracking_code": format!("EI{n:09}VN"),
                "address": "Ấp 2, xã An Trường"}),
            "PostalDeliveryInput" => {
                json!({"outcome": "delivered", "received_by": "Nguyễn Văn An"})
            }
            "PostalNotice" => json!({"notice_id": format!("VNP-{n}"),
                "tracking_code": self.dispatched().1, "outcome": "delivered",
                "at": self.s.now().to_rfc3339()}),
            "WithdrawInput" => json!({"reason": "Công dân xin rút"}),
            "ReturnInput" => json!({"collected_by": "Nguyễn Văn An", "method": "counter"}),
            "RatingInput" => json!({"scores": [2, 2, 2, 2, 2, 2, 2, 2, 2], "overall": "satisfied"}),
            "PublicRatingInput" => json!({"pin": self.pin.borrow().clone(),
                "scores": [2, 2, 2, 2, 2, 2, 2, 2, 2], "overall": "very_satisfied"}),
            "RefuseInput" => json!({"reason": "Thiếu giấy chứng sinh"}),
            "FeedbackInput" => json!({"name": "Nguyễn Văn An", "phone": "0912345678",
                "subject": "Thời gian chờ", "content": "Chờ lâu tại quầy",
                "agency": "H53.50.05.13", "procedure": "1.001193"}),
            "InformationInput" => json!({"pin": self.pin.borrow().clone(), "reply": "Quầy số 3"}),
            "RefuseFeedback" => json!({"reason": "Không thuộc thẩm quyền"}),
            "AskInformation" => json!({"question": "Xin cho biết ngày nộp hồ sơ"}),
            "AnswerFeedback" => json!({"answer": "Đã bố trí thêm quầy"}),
            "PublishFeedback" => json!({"summary": "Chờ lâu tại quầy buổi sáng"}),
            // A report is frozen once: a period of its own each time.
            "FreezeInput" => {
                let first = chrono::NaiveDate::from_ymd_opt(2020, 1, 1).unwrap();
                let last = first + chrono::Duration::days(i64::from(n));
                json!({"from": first.to_string(), "to": last.to_string(), "by": "procedure",
                    "note": "Gửi Văn phòng UBND tỉnh"})
            }
            "Hall" => json!(motcua_api::demo::halls()[0].1),
            "TicketRequest" => json!({"area": "A"}),
            "CaseChangeInput" => json!({"case": "co-nhan-cha", "cause": "Xác minh lại"}),
            "NextInput" => json!({"counter": 1}),
            "TicketDossierInput" => json!({"dossier": self.dossier().0}),
            "ReassignInput" => json!({"officer": "officer", "reason": "Cán bộ nghỉ phép"}),
            "RepairReasonInput" => json!({"reason": "Thao tác nhầm"}),
            "StepBackInput" => json!({"step": 0, "reason": "Chuyển sớm"}),
            "DueCorrectionInput" => json!({"due_at": working_days_from_now(20),
                "reason": "Ghi nhầm ngày hẹn", "decision": "Biên bản số 1/BB"}),
            "ReserveCodesInput" => json!({"count": 2}),
            "BulkReassignInput" => json!({"filter": {"agency": "H53.50.05.13",
                "codes": [self.dossier().0]}, "officer": "officer", "reason": "Cán bộ nghỉ phép"}),
            other => panic!("no example body for {other}: add one to tests/common/world.rs"),
        }
    }

    /// The path and query to call `op` on, with the records it needs made
    /// now.
    pub fn target(&self, op: &Operation) -> String {
        let t = op.template.as_str();
        let m = op.method.as_str();
        let path = match (m, t) {
            (_, "/api/v1/agencies/{code}") => t.replace("{code}", "H53.50.05.13"),
            (_, "/api/v1/agencies/{code}/queue-hall") => t.replace("{code}", "H53.50.05.13"),
            ("GET", "/api/v1/agencies/{code}/reserved-codes") => {
                "/api/v1/agencies/H53.50.05.13/reserved-codes?from=2026-12-01&to=2026-12-31".into()
            }
            (_, "/api/v1/agencies/{code}/reserved-codes") => t.replace("{code}", "H53.50.05.13"),
            (_, "/api/v1/public/queue/tickets/{id}") => t.replace("{id}", &self.ticket(false)),
            (_, t) if t.starts_with("/api/v1/public/queue/{agency}") => {
                t.replace("{agency}", "H53.50.05.13")
            }
            (_, t) if t.starts_with("/api/v1/queue/tickets/{id}") => {
                t.replace("{id}", &self.ticket(true))
            }
            (_, "/api/v1/agencies/{code}/tracking-book") => {
                "/api/v1/agencies/H53.50.05.13/tracking-book?from=2026-01-01&to=2026-12-31".into()
            }
            (
                _,
                "/api/v1/procedures/{code}"
                | "/api/v1/procedures/{code}/file-policy"
                | "/api/v1/procedures/{code}/versions",
            ) => t.replace("{code}", "1.001193"),
            (_, "/api/v1/procedures/{code}/changes") => {
                "/api/v1/procedures/1.001193/changes?from=1".into()
            }
            // The demo's business registration has compliance cost inputs.
            (_, "/api/v1/procedures/{code}/compliance-cost") => t.replace("{code}", "2.000720"),
            (_, "/api/v1/dossiers/{code}/files/{id}") => {
                let (code, id) = self.file();
                t.replace("{code}", &code).replace("{id}", &id)
            }
            (_, "/api/v1/public/dossiers/{code}/result") => {
                let (code, pin) = self.with_result();
                format!("/api/v1/public/dossiers/{code}/result?pin={pin}")
            }
            (_, "/api/v1/dossiers/{code}/files") if m == "POST" => {
                format!("/api/v1/dossiers/{}/files?document=TK", self.dossier().0)
            }
            (_, "/api/v1/reports/results" | "/api/v1/reports/index") => {
                format!("{t}?period=2026-Q4")
            }
            (_, "/api/v1/reports/results/frozen/{id}") => t.replace("{id}", &self.frozen_report()),
            (_, "/api/v1/subscribers/{id}") => t.replace("{id}", &self.subscriber()),
            (_, "/api/v1/calendar/{year}") => t.replace("{year}", "2026"),
            (_, "/api/v1/calendar/days/{date}") => t.replace("{date}", "2031-01-02"),
            (_, "/api/v1/guidance-slips/{id}") => t.replace("{id}", &self.guidance_slip()),
            (_, "/api/v1/outbox/{id}/retry") => t.replace("{id}", &self.outbox_id().to_string()),
            (_, "/api/v1/deliveries/{id}/retry") => {
                t.replace("{id}", &self.delivery_id().to_string())
            }
            (_, t) if t.starts_with("/api/v1/users/{username}") => {
                t.replace("{username}", SPARE_USER)
            }
            (_, "/api/v1/public/dossiers/{code}/rating") => {
                let (code, pin) = self.returned();
                *self.pin.borrow_mut() = pin;
                format!("/api/v1/public/dossiers/{code}/rating")
            }
            (_, "/api/v1/public/dossiers/{code}") => {
                let (code, pin) = self.dossier();
                format!("/api/v1/public/dossiers/{code}?pin={pin}")
            }
            (_, "/api/v1/public/submissions/{reference}") => {
                let (reference, pin) = self.submission();
                format!("/api/v1/public/submissions/{reference}?pin={pin}")
            }
            (_, "/api/v1/public/feedback/{reference}") => {
                let (reference, pin) = self.feedback("received");
                format!("/api/v1/public/feedback/{reference}?pin={pin}")
            }
            (_, "/api/v1/public/feedback/{reference}/information") => {
                let (reference, pin) = self.feedback("information_requested");
                *self.pin.borrow_mut() = pin;
                format!("/api/v1/public/feedback/{reference}/information")
            }
            (_, t) if t.starts_with("/api/v1/feedback/{reference}") => {
                let status = if t.ends_with("/request-information") || t.ends_with("/answer") {
                    "accepted"
                } else if t.ends_with("/publish") {
                    "answered"
                } else {
                    "received"
                };
                t.replace("{reference}", &self.feedback(status).0)
            }
            (_, "/api/v1/submissions/{reference}/refusal") => {
                t.replace("{reference}", &self.refused())
            }
            (_, t) if t.contains("{reference}") => t.replace("{reference}", &self.submission().0),
            (_, t) if t.contains("{code}") => {
                let code = if t.ends_with("/supplement-received") {
                    self.paused()
                } else if t.ends_with("/paid") {
                    self.awaiting_payment()
                } else if t.ends_with("/return") || t.ends_with("/postal-dispatch") {
                    self.processed()
                } else if t.ends_with("/postal-delivery") {
                    self.dispatched().0
                } else if t.ends_with("/rating") {
                    self.returned().0
                } else if t.ends_with("/receive") || t.ends_with("/recall") {
                    self.in_transit()
                } else if t.ends_with("/step-back") || t.ends_with("/reassign") {
                    self.acknowledged()
                } else if t.ends_with("/reopen") {
                    self.processed()
                } else {
                    self.dossier().0
                };
                t.replace("{code}", &code)
            }
            (_, t) => t.to_string(),
        };
        assert!(
            !path.contains('{'),
            "no fixture for {m} {t}: add one to tests/common/world.rs"
        );
        path
    }

    /// Headers `op` needs besides the token: the payment gateway's
    /// signature of the body.
    pub fn headers(&self, op: &Operation, body: Option<&str>) -> Vec<(&'static str, String)> {
        match (op.method.as_str(), op.template.as_str(), body) {
            ("POST", "/api/v1/payments/notify", Some(b)) => {
                let t = self.s.now().timestamp();
                let sig =
                    motcua_api::webhook::signature::sign(super::PAYMENT_SECRET, t, b.as_bytes())
                        .unwrap();
                vec![("Motcua-Signature", sig)]
            }
            ("POST", "/api/v1/postal/notify", Some(b)) => {
                let t = self.s.now().timestamp();
                let sig =
                    motcua_api::webhook::signature::sign(super::POSTAL_SECRET, t, b.as_bytes())
                        .unwrap();
                vec![("Motcua-Signature", sig)]
            }
            _ => Vec::new(),
        }
    }

    /// Calls `op` as `caller` (a fresh target and body each time).
    pub fn call(&self, op: &Operation, caller: &str) -> Response {
        let path = self.target(op);
        let body = match (op.method.as_str(), op.template.as_str()) {
            // A new version of a catalogue entry: the entry as it is, so
            // the calls after it find the same procedure and agency.
            ("PUT", "/api/v1/procedures/{code}" | "/api/v1/agencies/{code}") => {
                Some(self.s.get(&path, None).json.to_string())
            }
            _ => op.body.as_ref().map(|b| self.body(b).to_string()),
        };
        if op.template == "/api/v1/public/queue/{agency}/board" {
            // An endless stream: its first event answers.
            return self.s.first_event(&path);
        }
        let extra = self.headers(op, body.as_deref());
        let mut headers: Vec<(&str, &str)> = extra.iter().map(|(k, v)| (*k, v.as_str())).collect();
        if body.is_some() {
            headers.push(("Content-Type", "application/json"));
        }
        self.s.send(
            &op.method,
            &path,
            self.token(caller),
            &headers,
            body.as_deref(),
        )
    }
}

/// The rule for an operation.
pub fn rule(op: &Operation) -> &'static str {
    RULES
        .iter()
        .find(|(k, _)| *k == op.key())
        .unwrap_or_else(|| panic!("{} has no access rule in tests/common/world.rs", op.key()))
        .1
}

/// A caller the rule allows (a token holder where one will do).
pub fn some_allowed_caller(op: &Operation) -> &'static str {
    let r = rule(op);
    CALLERS
        .iter()
        .copied()
        .filter(|c| allowed(r, c))
        .find(|c| *c != "anonymous")
        .unwrap_or("anonymous")
}
