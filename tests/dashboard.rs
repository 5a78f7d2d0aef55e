//! The supervisors' dashboard over HTTP on both databases: the log-in
//! with its CSRF token and its session cookie (HttpOnly, SameSite=Strict,
//! kept to /quan-ly), what a supervisor sees (open dossiers by due state,
//! a recorded breach, the on-time chart, feedback waiting, the report to
//! download), what others may not, and a session that stops at once when
//! it is logged out or the account is disabled.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{a11y, overdue_dossier, Backend, TestServer};
use serde_json::json;

/// A browser without JavaScript: cookies kept by hand, redirects not
/// followed (so the 303 and its cookie are seen).
struct Browser<'a> {
    s: &'a TestServer,
    agent: ureq::Agent,
    cookies: Vec<(String, String)>,
}

struct Page {
    status: u16,
    text: String,
    set_cookie: Vec<String>,
    location: Option<String>,
    content_type: String,
}

impl<'a> Browser<'a> {
    fn new(s: &'a TestServer) -> Browser<'a> {
        Browser {
            s,
            agent: ureq::AgentBuilder::new().redirects(0).build(),
            cookies: Vec::new(),
        }
    }

    fn call(&mut self, method: &str, path: &str, form: Option<&[(&str, &str)]>) -> Page {
        let mut req = self
            .agent
            .request(method, &format!("{}{path}", self.s.base));
        if !self.cookies.is_empty() {
            let jar: Vec<String> = self
                .cookies
                .iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect();
            req = req.set("Cookie", &jar.join("; "));
        }
        let resp = match form {
            Some(fields) => {
                let body = form_urlencoded::Serializer::new(String::new())
                    .extend_pairs(fields)
                    .finish();
                req.set("Content-Type", "application/x-www-form-urlencoded")
                    .send_string(&body)
            }
            None => req.call(),
        };
        let resp = match resp {
            Ok(r) | Err(ureq::Error::Status(_, r)) => r,
            Err(e) => panic!("{method} {path}: {e}"),
        };
        let set_cookie: Vec<String> = resp
            .all("set-cookie")
            .into_iter()
            .map(str::to_string)
            .collect();
        for c in &set_cookie {
            let pair = c.split(';').next().unwrap();
            let (k, v) = pair.split_once('=').unwrap();
            self.cookies.retain(|(name, _)| name != k);
            if !v.is_empty() {
                self.cookies.push((k.to_string(), v.to_string()));
            }
        }
        let page = Page {
            status: resp.status(),
            location: resp.header("location").map(str::to_string),
            content_type: resp.header("content-type").unwrap_or("").to_string(),
            set_cookie,
            text: String::new(),
        };
        Page {
            text: resp.into_string().unwrap(),
            ..page
        }
    }

    fn get(&mut self, path: &str) -> Page {
        let p = self.call("GET", path, None);
        if p.content_type.starts_with("text/html") {
            a11y::check(path, &p.text);
        }
        p
    }

    fn csrf(&self) -> String {
        self.cookies
            .iter()
            .find(|(k, _)| k == "motcua_csrf")
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    }

    fn log_in(&mut self, username: &str, password: &str) -> Page {
        self.get("/quan-ly");
        let csrf = self.csrf();
        self.call(
            "POST",
            "/quan-ly/dang-nhap",
            Some(&[
                ("username", username),
                ("password", password),
                ("csrf", &csrf),
            ]),
        )
    }
}

fn a_supervisor_logs_in_and_sees_the_breach(backend: Backend) {
    let s = TestServer::start(backend);
    let code = overdue_dossier(&s);
    let feedback = s.post(
        "/api/v1/public/feedback",
        None,
        &json!({"name": "An", "phone": "0912345678", "subject": "Chờ lâu", "content": "Chờ lâu", "agency": "H53.50.05.13"}),
    );
    assert_eq!(feedback.status, 201, "{}", feedback.text);
    // One dossier handled on time this month: the chart's December bar.
    let (clerk, officer) = (s.login("clerk"), s.login("officer"));
    let r = s.post(
        "/api/v1/dossiers",
        Some(&clerk),
        &common::birth_registration(),
    );
    let handled = r.json["code"].as_str().unwrap().to_string();
    let r = s.post(
        &format!("/api/v1/dossiers/{handled}/processed"),
        Some(&officer),
        &json!({"result": "Giấy khai sinh"}),
    );
    assert_eq!(r.status, 200, "{}", r.text);
    // A ticket served at the commune's hall: the halls' table.
    let ticket = s.post(
        "/api/v1/public/queue/H53.50.05.13/tickets",
        None,
        &json!({"area": "B"}),
    );
    assert_eq!(ticket.status, 201, "{}", ticket.text);
    s.clock.advance(chrono::Duration::minutes(4));
    let call = s.post("/api/v1/queue/next", Some(&clerk), &json!({"counter": 2}));
    assert_eq!(call.json["called"]["label"], "B-001", "{}", call.text);
    let mut b = Browser::new(&s);

    // The log-in page sets the CSRF cookie: HttpOnly, SameSite=Strict,
    // kept to /quan-ly, not Secure over plain HTTP.
    let login = b.get("/quan-ly");
    assert_eq!(login.status, 200);
    assert!(login.text.contains("id=\"login\""));
    let csrf_cookie = login
        .set_cookie
        .iter()
        .find(|c| c.starts_with("motcua_csrf="))
        .unwrap();
    for attribute in ["HttpOnly", "SameSite=Strict", "Path=/quan-ly"] {
        assert!(csrf_cookie.contains(attribute), "{csrf_cookie}");
    }
    assert!(!csrf_cookie.contains("Secure"), "{csrf_cookie}");
    // Without the CSRF token: refused, no session.
    let r = b.call(
        "POST",
        "/quan-ly/dang-nhap",
        Some(&[("username", "supervisor"), ("password", "demo")]),
    );
    assert_eq!(r.status, 403);
    assert!(r
        .set_cookie
        .iter()
        .all(|c| !c.starts_with("motcua_session=")));
    // No username: said beside the field, in Vietnamese.
    let r = b.log_in("", "demo");
    assert_eq!(r.status, 422, "{}", r.text);
    assert!(
        r.text
            .contains("<p class=\"error\" id=\"username-error\">Không được để trống</p>"),
        "{}",
        r.text
    );
    // A wrong password: said on the page, in Vietnamese.
    let r = b.log_in("supervisor", "wrong");
    assert_eq!(r.status, 401, "{}", r.text);
    assert!(
        r.text
            .contains("id=\"login-error\">Sai tên đăng nhập hoặc mật khẩu"),
        "{}",
        r.text
    );
    // Logged in: a session cookie and back to the dashboard.
    let r = b.log_in("supervisor", "demo");
    assert_eq!(r.status, 303, "{}", r.text);
    assert_eq!(r.location.as_deref(), Some("/quan-ly"));
    let session = r
        .set_cookie
        .iter()
        .find(|c| c.starts_with("motcua_session="))
        .unwrap();
    for attribute in ["HttpOnly", "SameSite=Strict", "Path=/quan-ly", "Max-Age="] {
        assert!(session.contains(attribute), "{session}");
    }
    let page = b.get("/quan-ly");
    assert_eq!(page.status, 200, "{}", page.text);
    assert!(
        page.text.contains(&format!("<td>{code}</td>")),
        "the breach is listed"
    );
    assert!(page.text.contains("id=\"open-overdue\">1<"), "one overdue");
    assert!(page.text.contains("<svg id=\"chart\""));
    assert!(
        page.text.contains("2026-12: 100.0% (1 hồ sơ)") && page.text.contains(">100%</text>"),
        "the month's bar and its description"
    );
    assert!(page
        .text
        .contains(feedback.json["reference"].as_str().unwrap()));
    assert!(
        page.text.contains("<td>B · Cư trú - Bảo hiểm y tế (H53.50.05.13)</td><td>1</td><td>0</td><td>0</td><td>4.0 / 4.0</td>"),
        "the hall's day: one ticket, four minutes' wait: {}",
        page.text
    );
    // Filtered to due-soon breaches: the overdue one is not there.
    let page = b.get("/quan-ly?kind=due_soon");
    assert!(!page.text.contains(&format!("<td>{code}</td>")));
    let page = b.get("/quan-ly?from=2026-13-01");
    assert_eq!(page.status, 422);
    assert!(
        page.text
            .contains("<p class=\"error\" id=\"from-error\">Ngày theo dạng YYYY-MM-DD"),
        "{}",
        page.text
    );
    assert!(
        page.text.contains("value=\"2026-13-01\""),
        "the filter is kept"
    );
    // An agency outside the supervisor's reach.
    let page = b.get("/quan-ly?agency=H99");
    assert_eq!(page.status, 403);

    // The report to download, with the session's rights.
    let r = b.get("/quan-ly/bao-cao?period=2026-12&format=csv");
    assert_eq!(r.status, 200, "{}", r.text);
    assert!(r.content_type.starts_with("text/csv"), "{}", r.content_type);
    assert!(r.text.contains("Tổng số hồ sơ nhận giải quyết"));

    // Logged out (with the CSRF token): the same cookie no longer works.
    let old = b.cookies.clone();
    let csrf = b.csrf();
    let r = b.call("POST", "/quan-ly/dang-xuat", Some(&[("csrf", &csrf)]));
    assert_eq!(r.status, 303);
    b.cookies = old;
    let page = b.get("/quan-ly");
    assert!(page.text.contains("id=\"login\""), "the session ended");
}

fn only_supervisors_and_a_disabled_account_stops_at_once(backend: Backend) {
    let s = TestServer::start(backend);
    let mut officer = Browser::new(&s);
    assert_eq!(officer.log_in("officer", "demo").status, 303);
    let page = officer.get("/quan-ly");
    assert_eq!(page.status, 403, "{}", page.text);
    assert!(!page.text.contains("id=\"breaches\""));
    let r = officer.get("/quan-ly/bao-cao?period=2026-12&format=csv");
    assert_eq!(r.status, 403);

    let mut supervisor = Browser::new(&s);
    assert_eq!(supervisor.log_in("supervisor", "demo").status, 303);
    assert_eq!(supervisor.get("/quan-ly").status, 200);
    let admin = s.login("admin");
    let r = s.patch(
        "/api/v1/users/supervisor",
        Some(&admin),
        &json!({"active": false}),
    );
    assert_eq!(r.status, 200, "{}", r.text);
    let page = supervisor.get("/quan-ly");
    assert!(
        page.text.contains("id=\"login\""),
        "a disabled account stops at once"
    );
    // The dashboard's English.
    let mut en = Browser::new(&s);
    let page = en.get("/quan-ly?lang=en");
    assert!(page.text.contains("Staff log-in"));
}

on_both_backends!(
    a_supervisor_logs_in_and_sees_the_breach,
    only_supervisors_and_a_disabled_account_stops_at_once,
);
