//! The end-to-end harness: a real server on a real database, reached over
//! real HTTP on a loopback port.
//!
//! Each test gets its own database: a SQLite file in a temporary folder, or
//! a PostgreSQL database created for it and dropped afterwards, so tests
//! run in parallel without colliding. PostgreSQL is found at
//! `MOTCUA_TEST_POSTGRES_URL` (default `postgres://postgres@127.0.0.1:5432/postgres`).
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::net::TcpListener;
use std::thread::JoinHandle;
use std::time::Duration;

use motcua_api::{demo, AppState, Config};
use motcua_store::time::Clock;
use motcua_store::DbConnection;
use serde_json::{json, Value};

pub mod a11y;
mod db;
pub mod events;
pub mod receiver;
pub mod s3;
pub mod workbook;
pub mod world;
pub use db::*;

/// A running server with the demo data.
pub struct TestServer {
    pub base: String,
    pub backend: Backend,
    handle: actix_web::dev::ServerHandle,
    thread: Option<JoinHandle<()>>,
    agent: ureq::Agent,
    stopping: std::sync::Arc<std::sync::atomic::AtomicBool>,
    pub db_url: String,
    /// The server's clock, also installed on the test's thread, so that
    /// `motcua_store::time::now()` in the test reads it.
    pub clock: Clock,
    /// Where the server keeps dossier files (a folder of its own unless
    /// the test chose S3).
    pub files_url: String,
    // Declared last: dropped after the server stops. `None` for a second
    // server on another server's database.
    files_dir: Option<tempfile::TempDir>,
    db: Option<ScratchDb>,
}

/// An answer read as bytes (a file download).
pub struct RawResponse {
    pub status: u16,
    pub headers: std::collections::HashMap<String, String>,
    pub bytes: Vec<u8>,
}

/// The instant a test server's clock starts at unless the test says
/// otherwise: Tuesday 8 December 2026, 09:00 in Vietnam, an ordinary
/// working morning. Tests never read the wall clock, so the suite passes at
/// any hour (`scripts/test-at-hours.sh` checks it); `tests/any_hour.rs`
/// runs the desk's main paths at the instants that used to break them.
pub const ORDINARY_MORNING: &str = "2026-12-08T02:00:00Z";

/// The secret the test servers' payment gateway signs with.
pub const PAYMENT_SECRET: &str = "test-payment-gateway-secret-0123456789";
/// The postal service's secret the test servers are set up with.
pub const POSTAL_SECRET: &str = "test-postal-service-secret-0123456789";

impl TestServer {
    pub fn start(backend: Backend) -> TestServer {
        Self::start_with(backend, |_| {})
    }

    /// A server whose clock starts at `at` (RFC 3339).
    pub fn start_at(backend: Backend, at: &str) -> TestServer {
        let at = at.parse().unwrap();
        Self::start_with(backend, move |c| c.clock = Clock::starting_at(at))
    }

    /// Now on the server's clock.
    pub fn now(&self) -> chrono::DateTime<chrono::Utc> {
        self.clock.now()
    }

    pub fn start_with(backend: Backend, tweak: impl FnOnce(&mut Config)) -> TestServer {
        let db = ScratchDb::new(backend);
        let url = db.url.clone();
        Self::launch(backend, Some(db), url, tweak)
    }

    /// A server that takes the test's loopback address for a trusted proxy,
    /// so each request can say which client it comes from
    /// (`X-Forwarded-For`), with online submissions unlimited unless a test
    /// limits them.
    pub fn behind_proxy(backend: Backend) -> TestServer {
        Self::start_with(backend, trust_loopback)
    }

    /// Another server on the same database as `first` (as behind a load
    /// balancer).
    pub fn second(first: &TestServer, tweak: impl FnOnce(&mut Config)) -> TestServer {
        let clock = first.clock.clone();
        let files_url = first.files_url.clone();
        Self::launch(first.backend, None, first.db_url.clone(), move |c| {
            c.clock = clock;
            c.files_url = Some(files_url);
            tweak(c)
        })
    }

    fn launch(
        backend: Backend,
        db: Option<ScratchDb>,
        db_url: String,
        tweak: impl FnOnce(&mut Config),
    ) -> TestServer {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        Self::launch_on(backend, db, db_url, listener, tweak)
    }

    /// Stops the server and starts it again on the same address, database,
    /// files and clock, as a deployment restarts it: clients that reconnect
    /// by themselves (a board's event stream) find it where it was.
    pub fn restart(&mut self) {
        self.stop();
        let addr = self.base.trim_start_matches("http://").to_string();
        let deadline = std::time::Instant::now() + Duration::from_secs(10);
        let listener = loop {
            match TcpListener::bind(&addr) {
                Ok(l) => break l,
                Err(_) if std::time::Instant::now() < deadline => {
                    std::thread::sleep(Duration::from_millis(50));
                }
                Err(e) => panic!("rebinding {addr}: {e}"),
            }
        };
        let (clock, files_url) = (self.clock.clone(), self.files_url.clone());
        let mut fresh = Self::launch_on(self.backend, None, self.db_url.clone(), listener, |c| {
            c.clock = clock;
            c.files_url = Some(files_url);
        });
        std::mem::swap(&mut self.handle, &mut fresh.handle);
        std::mem::swap(&mut self.thread, &mut fresh.thread);
        std::mem::swap(&mut self.stopping, &mut fresh.stopping);
        // `fresh` now holds the stopped server: dropping it stops nothing.
    }

    /// Stops the server now (open connections cut) and waits for it.
    fn stop(&mut self) {
        self.stopping
            .store(true, std::sync::atomic::Ordering::Relaxed);
        let handle = self.handle.clone();
        let _ = std::thread::spawn(move || {
            actix_web::rt::System::new().block_on(handle.stop(false));
        })
        .join();
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }

    fn launch_on(
        backend: Backend,
        db: Option<ScratchDb>,
        db_url: String,
        listener: TcpListener,
        tweak: impl FnOnce(&mut Config),
    ) -> TestServer {
        let _ = tracing_subscriber::fmt()
            .with_test_writer()
            .with_env_filter(tracing_subscriber::EnvFilter::new("warn,motcua_api=warn"))
            .try_init();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let mut config = Config {
            database_url: db_url.clone(),
            public_base_url: base.clone(),
            // Tests trigger scans themselves unless they ask for the job.
            breach_interval_seconds: 0,
            files_interval_seconds: 0,
            clock: Clock::starting_at(ORDINARY_MORNING.parse().unwrap()),
            payment_secret: Some(PAYMENT_SECRET.into()),
            postal_secret: Some(POSTAL_SECRET.into()),
            ..Config::default()
        };
        tweak(&mut config);
        let files_dir = match config.files_url {
            Some(_) => None,
            None => {
                let dir = tempfile::tempdir().unwrap();
                config.files_url = Some(dir.path().join("files").display().to_string());
                Some(dir)
            }
        };
        let files_url = config.files_url.clone().unwrap();
        let clock = config.clock.clone();
        clock.install();
        let state = AppState::prepare(config).unwrap();
        demo::load_if_empty(&mut state.db.get().unwrap()).unwrap();
        let stopping = state.stopping.clone();
        let (tx, rx) = std::sync::mpsc::channel();
        let thread = std::thread::spawn(move || {
            actix_web::rt::System::new().block_on(async move {
                motcua_api::jobs::start(&state);
                let server = motcua_api::http_server(state, listener, 2).unwrap();
                tx.send(server.handle()).unwrap();
                server.await.unwrap();
            })
        });
        let handle = rx.recv().unwrap();
        let agent = ureq::AgentBuilder::new()
            .timeout(Duration::from_secs(60))
            .max_idle_connections_per_host(64)
            .build();
        TestServer {
            base,
            backend,
            handle,
            thread: Some(thread),
            agent,
            stopping,
            db_url,
            clock,
            files_url,
            files_dir,
            db,
        }
    }

    /// Sends a request with a body of bytes and reads the answer as bytes.
    pub fn send_raw(
        &self,
        method: &str,
        path: &str,
        token: Option<&str>,
        headers: &[(&str, &str)],
        body: Option<&[u8]>,
    ) -> RawResponse {
        // A pooled connection the server closed while idle (its keep-alive
        // ran out on a loaded machine) fails before the request is sent:
        // the server never read it, so it is sent once more on a new one.
        let mut retried = false;
        let result = loop {
            let mut req = self.agent.request(method, &self.url(path));
            if let Some(t) = token {
                req = req.set("Authorization", &format!("Bearer {t}"));
            }
            for (k, v) in headers {
                req = req.set(k, v);
            }
            let sent = match body {
                Some(b) => req.send_bytes(b),
                None => req.call(),
            };
            match sent {
                Err(ureq::Error::Transport(t)) if !retried && unsent(&t) => retried = true,
                other => break other,
            }
        };
        let resp = match result {
            Ok(r) => r,
            Err(ureq::Error::Status(_, r)) => r,
            Err(e) => panic!("{method} {path}: {e}"),
        };
        let status = resp.status();
        let headers = resp
            .headers_names()
            .into_iter()
            .filter_map(|n| {
                resp.header(&n)
                    .map(|v| (n.to_ascii_lowercase(), v.to_string()))
            })
            .collect();
        let mut bytes = Vec::new();
        std::io::Read::read_to_end(&mut resp.into_reader(), &mut bytes).unwrap();
        RawResponse {
            status,
            headers,
            bytes,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    /// Sends a request; returns status, content type and the body (JSON
    /// when it parses, else a string).
    pub fn send(
        &self,
        method: &str,
        path: &str,
        token: Option<&str>,
        headers: &[(&str, &str)],
        body: Option<&str>,
    ) -> Response {
        let raw = self.send_raw(method, path, token, headers, body.map(str::as_bytes));
        let header = |name: &str| raw.headers.get(name).cloned();
        let text = String::from_utf8_lossy(&raw.bytes).into_owned();
        let json = serde_json::from_str(&text).unwrap_or(Value::String(text.clone()));
        Response {
            status: raw.status,
            content_type: header("content-type").unwrap_or_default(),
            replayed: header("idempotent-replayed").is_some(),
            text,
            json,
            headers: raw.headers.into_iter().collect(),
        }
    }

    pub fn get(&self, path: &str, token: Option<&str>) -> Response {
        self.send("GET", path, token, &[], None)
    }

    pub fn post(&self, path: &str, token: Option<&str>, body: &Value) -> Response {
        self.send(
            "POST",
            path,
            token,
            &[("Content-Type", "application/json")],
            Some(&body.to_string()),
        )
    }

    pub fn put(&self, path: &str, token: Option<&str>, body: &Value) -> Response {
        self.send(
            "PUT",
            path,
            token,
            &[("Content-Type", "application/json")],
            Some(&body.to_string()),
        )
    }

    pub fn login(&self, username: &str) -> String {
        let r = self.post(
            "/api/v1/auth/token",
            None,
            &json!({"username": username, "password": demo::DEMO_PASSWORD}),
        );
        assert_eq!(r.status, 200, "login {username}: {}", r.text);
        r.json["access_token"].as_str().unwrap().to_string()
    }

    /// Sends a PATCH with a JSON body.
    pub fn patch(&self, path: &str, token: Option<&str>, body: &Value) -> Response {
        self.send(
            "PATCH",
            path,
            token,
            &[("Content-Type", "application/json")],
            Some(&body.to_string()),
        )
    }

    /// A log-in attempt, as from `client` when the server trusts the test's
    /// loopback address as a proxy (`X-Forwarded-For`).
    pub fn try_login(&self, username: &str, password: &str, client: Option<&str>) -> Response {
        let mut headers = vec![("Content-Type", "application/json")];
        if let Some(c) = client {
            headers.push(("X-Forwarded-For", c));
        }
        self.send(
            "POST",
            "/api/v1/auth/token",
            None,
            &headers,
            Some(&json!({"username": username, "password": password}).to_string()),
        )
    }

    /// Creates a staff account (as `admin`) with the password
    /// `mat-khau-dai` and logs it in.
    pub fn create_user(&self, admin: &str, username: &str, role: &str, agency: &str) -> String {
        let r = self.post(
            "/api/v1/users",
            Some(admin),
            &json!({"username": username, "password": "mat-khau-dai",
                "full_name": format!("Cán bộ {username}"), "role": role, "agency_code": agency}),
        );
        assert_eq!(r.status, 201, "{}", r.text);
        let login = self.try_login(username, "mat-khau-dai", None);
        assert_eq!(login.status, 200, "{}", login.text);
        login.json["access_token"].as_str().unwrap().to_string()
    }

    /// Runs SQL on the test's database (to move a lock into the past, as
    /// the clock would).
    pub fn sql(&self, statement: &str) {
        use motcua_store::SimpleConnection;
        self.conn().batch_execute(statement).unwrap();
    }

    /// A direct connection to the test's database, to check what was (not)
    /// written.
    pub fn conn(&self) -> DbConnection {
        DbConnection::open(&self.db_url).unwrap()
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        self.stop();
    }
}

#[derive(Debug, Clone)]
pub struct Response {
    pub status: u16,
    pub content_type: String,
    pub text: String,
    pub json: Value,
    /// Answered from an earlier request with the same Idempotency-Key.
    pub replayed: bool,
    /// Header names in lower case.
    pub headers: std::collections::BTreeMap<String, String>,
}

impl Response {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).map(String::as_str)
    }

    /// Asserts an RFC 9457 problem with this status and type slug.
    pub fn assert_problem(&self, status: u16, slug: &str) {
        assert_eq!(self.status, status, "body: {}", self.text);
        assert_eq!(
            self.content_type, "application/problem+json",
            "body: {}",
            self.text
        );
        assert_eq!(
            self.json["type"],
            format!("/problems/{slug}"),
            "body: {}",
            self.text
        );
        assert_eq!(self.json["status"], status);
        assert!(self.json["detail"].as_str().is_some_and(|d| !d.is_empty()));
    }
}

/// Trusts the loopback address as a proxy; lifts the submissions limit.
pub fn trust_loopback(c: &mut Config) {
    c.trusted_proxies = motcua_api::client::TrustedProxies::parse("127.0.0.1, ::1").unwrap();
    c.submissions_per_minute = 10_000;
}

/// A complete birth registration for the demo commune.
pub fn birth_registration() -> Value {
    json!({
        "procedure": "1.001193",
        "applicant": {
            "name": "Nguyễn Văn An",
            "id_number": "001090012345",
            "phone": "0912 345 678",
            "email": "an@example.vn",
            "address": "Ấp 2, xã An Trường"
        },
        "documents": [
            {"code": "TK", "original": 1},
            {"code": "GCS", "original": 1}
        ],
        "channel": "counter"
    })
}

pub fn count(conn: &mut DbConnection, table: &str) -> i64 {
    motcua_store::count_rows(conn, table).unwrap()
}

/// A time `days` working days from now on the server's default calendar
/// (always on a working day, unlike "now + N days").
pub fn working_days_from_now(days: i64) -> chrono::DateTime<chrono::Utc> {
    let calendar = motcua_calendar::WorkingCalendar::for_years(
        motcua_calendar::CalendarSettings::default(),
        2000..=2100,
        &motcua_calendar::YearAdjustments::vn_public_servants().unwrap(),
    );
    calendar.add_working_seconds(motcua_store::time::now(), days * 8 * 3600)
}

/// An interlinked procedure (`VT.DD.9`: verified at the commune, decided
/// at the district, ten working days) and an officer at the district
/// (`canbo.huyen`, password `mat-khau-dai`), made by `admin`.
pub fn land_procedure_and_district_officer(s: &TestServer, admin: &str) {
    let r = s.post(
        "/api/v1/procedures",
        Some(admin),
        &serde_json::json!({
            "code": "VT.DD.9",
            "name": "Xác nhận nguồn gốc đất",
            "field": "Đất đai",
            "agency_code": "H53.50.05.13",
            "duration": {"amount": 10, "unit": "working_days"},
            "required_documents": [{"code": "DON", "name": "Đơn đề nghị", "original": 1, "copies": 0}],
            "steps": [
                {"name": "Xác minh tại xã", "agency_code": "H53.50.05.13", "role": "officer", "share_percent": 40},
                {"name": "Quyết định tại huyện", "agency_code": "H53.50", "role": "officer", "share_percent": 60}
            ]
        }),
    );
    assert_eq!(r.status, 201, "{}", r.text);
    let r = s.post(
        "/api/v1/users",
        Some(admin),
        &serde_json::json!({"username": "canbo.huyen", "password": "mat-khau-dai", "full_name": "Lê Văn Huyện", "role": "officer", "agency_code": "H53.50"}),
    );
    assert_eq!(r.status, 201, "{}", r.text);
}

/// A dossier of the commune, overdue by an hour, and the scan that
/// records its breach.
pub fn overdue_dossier(s: &TestServer) -> String {
    let clerk = s.login("clerk");
    let r = s.post("/api/v1/dossiers", Some(&clerk), &birth_registration());
    assert_eq!(r.status, 201, "{}", r.text);
    let code = r.json["code"].as_str().unwrap().to_string();
    let mut conn = s.conn();
    let d = motcua_store::dossiers::find_by_code(&mut conn, &code)
        .unwrap()
        .unwrap();
    let now = s.now();
    motcua_store::dossiers::set_clock(
        &mut conn,
        &d.id,
        &motcua_store::dossiers::ClockProjection {
            due_at: now - chrono::Duration::hours(1),
            paused_since: None,
            bump: false,
        },
        now,
    )
    .unwrap();
    let admin = s.login("admin");
    let r = s.post("/api/v1/breaches/scan", Some(&admin), &json!({}));
    assert_eq!(r.json["overdue"], 1, "{}", r.text);
    code
}

/// A small PDF, complete, with `filler` bytes inside (`seed` varies them).
pub fn sample_pdf(filler: usize, seed: u8) -> Vec<u8> {
    let mut v = b"%PDF-1.7\n%\xE2\xE3\xCF\xD3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n".to_vec();
    v.extend((0..filler).map(|i| b'a' + ((i as u8).wrapping_add(seed) % 26)));
    v.extend_from_slice(b"\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n");
    v
}

pub const BOUNDARY: &str = "motcuaTestBoundary7MA4YWxk";

/// A multipart body with one part named `file` (boundary [`BOUNDARY`]).
pub fn multipart_file(name: &str, bytes: &[u8]) -> Vec<u8> {
    let mut body = format!(
        "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\nContent-Type: application/octet-stream\r\n\r\n"
    )
    .into_bytes();
    body.extend_from_slice(bytes);
    body.extend_from_slice(format!("\r\n--{BOUNDARY}--\r\n").as_bytes());
    body
}

/// Whether a transport error means the request never reached the server:
/// the connection was closed or reset under it as it was written.
fn unsent(t: &ureq::Transport) -> bool {
    let text = t.to_string();
    text.contains("Broken pipe") || text.contains("Connection reset")
}
