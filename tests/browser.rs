//! The public pages in a real browser: headless Chromium driven through
//! ChromeDriver (Debian's `chromium` and `chromium-driver`; `.ci/run`
//! installs them) with the `fantoccini` WebDriver client, against a real
//! server. A citizen scans the receipt's link, sees the status and rates
//! the returned dossier; files online from the catalogue page; sends
//! feedback and later reads the published answer; a supervisor logs in
//! and sees a breach on the dashboard. Every page opened
//! passes the accessibility check, and is photographed at phone and
//! desktop widths under `target/screenshots/` (checked not blank).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use common::{a11y, birth_registration, count, overdue_dossier, Backend, TestServer};
use fantoccini::key::Key;
use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::json;

const CHROMEDRIVER: &str = "/usr/bin/chromedriver";
const CHROMIUM: &str = "/usr/bin/chromium";

/// Phone and desktop widths (CSS pixels).
const PHONE: (u32, u32) = (390, 844);
const DESKTOP: (u32, u32) = (1280, 900);

/// A ChromeDriver of this test's own, stopped when dropped.
struct Driver {
    child: Child,
    port: u16,
}

impl Driver {
    fn start() -> Driver {
        assert!(
            std::path::Path::new(CHROMEDRIVER).exists() && std::path::Path::new(CHROMIUM).exists(),
            "the browser tests need Debian's chromium and chromium-driver \
             (apt-get install chromium chromium-driver; .ci/run installs them)"
        );
        let port = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        // The browser keeps the machine's own clock: when the suite runs
        // under libfaketime (scripts/test-at-hours.sh), only the server
        // and the test see the faked one; Chromium under it hangs.
        let child = Command::new(CHROMEDRIVER)
            .arg(format!("--port={port}"))
            .env_remove("LD_PRELOAD")
            .env_remove("FAKETIME")
            .env_remove("FAKETIME_DONT_FAKE_MONOTONIC")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver starts");
        let ready = Instant::now() + Duration::from_secs(20);
        let status = format!("http://127.0.0.1:{port}/status");
        while ureq::get(&status).call().is_err() {
            assert!(Instant::now() < ready, "chromedriver did not come up");
            std::thread::sleep(Duration::from_millis(50));
        }
        Driver { child, port }
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

async fn browser(driver: &Driver) -> Client {
    let mut caps = serde_json::Map::new();
    caps.insert(
        "goog:chromeOptions".into(),
        json!({
            "binary": CHROMIUM,
            "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--lang=vi", "--window-size=1280,900"],
        }),
    );
    let connector = hyper_util::client::legacy::connect::HttpConnector::new();
    ClientBuilder::new(connector)
        .capabilities(caps)
        .connect(&format!("http://127.0.0.1:{}", driver.port))
        .await
        .expect("a browser session")
}

/// Opens `path` on the server, checks the page's accessibility.
async fn open(c: &Client, s: &TestServer, path: &str) {
    c.goto(&format!("{}{path}", s.base)).await.unwrap();
    let html = c.source().await.unwrap();
    a11y::check(path, &html);
}

/// The text of the element with this id.
async fn text(c: &Client, id: &str) -> String {
    c.find(Locator::Id(id)).await.unwrap().text().await.unwrap()
}

async fn fill(c: &Client, id: &str, value: &str) {
    let field = c.find(Locator::Id(id)).await.unwrap();
    field.clear().await.unwrap();
    field.send_keys(value).await.unwrap();
}

async fn click(c: &Client, css: &str) {
    c.find(Locator::Css(css))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
}

/// Clicks what sends a form or follows a link, and waits for the next
/// page to be loaded (the old document marked, until it is gone).
async fn submit(c: &Client, css: &str) {
    c.execute("document.documentElement.dataset.left = '1'", vec![])
        .await
        .unwrap();
    click(c, css).await;
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        let loaded = c
            .execute(
                "return document.readyState === 'complete' && !document.documentElement.dataset.left",
                vec![],
            )
            .await;
        if matches!(loaded, Ok(serde_json::Value::Bool(true))) {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the next page did not load after {css}"
        );
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    let html = c.source().await.unwrap();
    a11y::check(css, &html);
}

/// Photographs the page at phone and desktop widths under
/// `target/screenshots/{name}-{phone|desktop}.png`, and checks each is
/// not blank (its pixels are not all one colour).
async fn photograph(c: &Client, name: &str) {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/screenshots");
    std::fs::create_dir_all(&dir).unwrap();
    for (width, (w, h)) in [("phone", PHONE), ("desktop", DESKTOP)] {
        c.set_window_size(w, h).await.unwrap();
        let png = c.screenshot().await.unwrap();
        assert_not_blank(&png, name);
        std::fs::write(dir.join(format!("{name}-{width}.png")), &png).unwrap();
    }
    c.set_window_size(DESKTOP.0, DESKTOP.1).await.unwrap();
}

fn assert_not_blank(png: &[u8], name: &str) {
    let decoder = png::Decoder::new(std::io::Cursor::new(png));
    let mut reader = decoder.read_info().unwrap();
    let mut buf = vec![0; reader.output_buffer_size().unwrap()];
    let info = reader.next_frame(&mut buf).unwrap();
    let bytes = &buf[..info.buffer_size()];
    let px = info.color_type.samples();
    let first = &bytes[..px];
    let differing = bytes.chunks(px).filter(|p| *p != first).count();
    assert!(
        differing * 100 > bytes.len() / px,
        "{name}: the screenshot is blank ({differing} pixels differ from the first)"
    );
}

fn run(f: impl std::future::Future<Output = ()>) {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(f);
}

fn a_citizen_scans_the_receipt_and_rates_the_returned_dossier(backend: Backend) {
    let s = TestServer::start(backend);
    let (clerk, officer) = (s.login("clerk"), s.login("officer"));
    let r = s.post("/api/v1/dossiers", Some(&clerk), &birth_registration());
    assert_eq!(r.status, 201, "{}", r.text);
    let code = r.json["code"].as_str().unwrap().to_string();
    let link = r.json["lookup_url"].as_str().unwrap().to_string();
    let path = link.strip_prefix(&s.base).unwrap().to_string();
    let driver = Driver::start();
    run(async {
        let c = browser(&driver).await;
        open(&c, &s, &path).await;
        assert_eq!(text(&c, "status").await, "Được tiếp nhận");
        photograph(&c, "lookup").await;
        for (what, who, body) in [
            ("processed", &officer, json!({"result": "Giấy khai sinh"})),
            (
                "return",
                &clerk,
                json!({"collected_by": "Nguyễn Văn An", "method": "counter"}),
            ),
        ] {
            let r = s.post(&format!("/api/v1/dossiers/{code}/{what}"), Some(who), &body);
            assert!(r.status < 300, "{what}: {}", r.text);
        }
        open(&c, &s, &path).await;
        assert_eq!(text(&c, "status").await, "Đã trả kết quả");
        // Sent with a score missing: the message beside it, the rest kept.
        for n in 1..=8 {
            click(&c, &format!("#s{n}-2")).await;
        }
        click(&c, "#overall-very_satisfied").await;
        submit(&c, "#rating button[type=submit]").await;
        assert_eq!(text(&c, "s9-error").await, "Mỗi tiêu chí chấm 0, 1 hoặc 2");
        let kept = c.find(Locator::Id("s1-2")).await.unwrap();
        assert!(kept.is_selected().await.unwrap(), "the choices are kept");
        click(&c, "#s9-1").await;
        submit(&c, "#rating button[type=submit]").await;
        assert!(text(&c, "rated").await.contains("Cảm ơn"));
        photograph(&c, "rated").await;
        c.close().await.unwrap();
    });
    let mut conn = s.conn();
    assert_eq!(count(&mut conn, "ratings"), 1);
}

fn a_citizen_files_online_from_the_catalogue(backend: Backend) {
    let s = TestServer::start(backend);
    let driver = Driver::start();
    run(async {
        let c = browser(&driver).await;
        open(&c, &s, "/thu-tuc").await;
        fill(&c, "q", "khai sinh").await;
        submit(&c, "form[role=search] button").await;
        assert!(
            !c.source().await.unwrap().contains("1.000894"),
            "only what matches"
        );
        submit(&c, "a[href='/thu-tuc/1.001193']").await;
        photograph(&c, "procedure").await;
        fill(&c, "name", "Trần Thị Bình").await;
        fill(&c, "id_number", "001190012345").await;
        fill(&c, "email", "binh@example.vn").await;
        click(&c, "#doc-1").await;
        click(&c, "#doc-2").await;
        submit(&c, "#online button[type=submit]").await;
        let reference = text(&c, "reference").await;
        let pin = text(&c, "submission-pin").await;
        assert!(!reference.is_empty() && !pin.is_empty());
        let r = s.get(
            &format!("/api/v1/public/submissions/{reference}?pin={pin}"),
            None,
        );
        assert_eq!(r.status, 200, "{}", r.text);
        c.close().await.unwrap();
    });
}

fn a_citizen_sends_feedback_and_reads_the_published_answer(backend: Backend) {
    let s = TestServer::start(backend);
    let driver = Driver::start();
    let sent = std::cell::RefCell::new((String::new(), String::new()));
    run(async {
        let c = browser(&driver).await;
        open(&c, &s, "/phan-anh").await;
        // Nothing filled: the messages beside the fields, in Vietnamese.
        submit(&c, "#send button[type=submit]").await;
        assert_eq!(text(&c, "fb-name-error").await, "Không được để trống");
        fill(&c, "fb-name", "Lê Văn Cường").await;
        fill(&c, "fb-phone", "0987654321").await;
        fill(&c, "fb-subject", "Biểu mẫu khó tìm").await;
        fill(&c, "fb-content", "Không tìm thấy tờ khai trên trang.").await;
        c.find(Locator::Css("#fb-agency option[value='H53.50.05.13']"))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
        submit(&c, "#send button[type=submit]").await;
        *sent.borrow_mut() = (text(&c, "reference").await, text(&c, "feedback-pin").await);
        photograph(&c, "feedback-sent").await;
        c.close().await.unwrap();
    });
    let (reference, pin) = sent.into_inner();
    let officer = s.login("officer");
    for (what, body) in [
        ("accept", json!({})),
        (
            "answer",
            json!({"answer": "Đã đưa tờ khai lên trang thủ tục"}),
        ),
        ("publish", json!({"summary": "Tờ khai khó tìm trên trang"})),
    ] {
        let r = s.post(
            &format!("/api/v1/feedback/{reference}/{what}"),
            Some(&officer),
            &body,
        );
        assert_eq!(r.status, 200, "{what}: {}", r.text);
    }
    run(async {
        let c = browser(&driver).await;
        open(&c, &s, "/phan-anh").await;
        let published = text(&c, &format!("published-{reference}")).await;
        assert!(
            published.contains("Đã đưa tờ khai lên trang thủ tục"),
            "{published}"
        );
        fill(&c, "follow-reference", &reference).await;
        fill(&c, "follow-pin", &pin).await;
        submit(&c, "#follow button[type=submit]").await;
        assert_eq!(text(&c, "status").await, "Đã công khai kết quả");
        photograph(&c, "feedback-answered").await;
        c.close().await.unwrap();
    });
}

fn a_supervisor_logs_in_and_sees_a_breach(backend: Backend) {
    let s = TestServer::start(backend);
    let code = overdue_dossier(&s);
    let driver = Driver::start();
    run(async {
        let c = browser(&driver).await;
        open(&c, &s, "/quan-ly").await;
        fill(&c, "username", "supervisor").await;
        fill(&c, "password", "demo").await;
        submit(&c, "#login button[type=submit]").await;
        let breaches = text(&c, "breaches").await;
        assert!(breaches.contains(&code), "{breaches}");
        assert_eq!(text(&c, "open-overdue").await, "1");
        photograph(&c, "dashboard").await;
        // Logged out: the dashboard asks for the log-in again.
        submit(&c, "#logout button[type=submit]").await;
        c.find(Locator::Id("login")).await.unwrap();
        c.close().await.unwrap();
    });
}

/// What the keyboard reaches, Tab after Tab from the top of the page:
/// each focused element's id, or its link text.
async fn tab_order(c: &Client, presses: usize) -> Vec<String> {
    let mut seen = Vec::new();
    for _ in 0..presses {
        let focused = c.active_element().await.unwrap();
        focused.send_keys(&Key::Tab.to_string()).await.unwrap();
        let now = c.active_element().await.unwrap();
        let id = now.attr("id").await.unwrap().unwrap_or_default();
        seen.push(if id.is_empty() {
            now.text().await.unwrap()
        } else {
            id
        });
    }
    seen
}

fn the_look_up_is_used_with_the_keyboard_alone(backend: Backend) {
    let s = TestServer::start(backend);
    let clerk = s.login("clerk");
    let r = s.post("/api/v1/dossiers", Some(&clerk), &birth_registration());
    let (code, pin) = (
        r.json["code"].as_str().unwrap().to_string(),
        r.json["pin"].as_str().unwrap().to_string(),
    );
    let driver = Driver::start();
    run(async {
        let c = browser(&driver).await;
        open(&c, &s, "/").await;
        // The skip link comes first, then the header's links, then the
        // form's fields and its button, in reading order.
        let order = tab_order(&c, 8).await;
        assert_eq!(order[0], "Bỏ qua, đến nội dung chính", "{order:?}");
        let at = |what: &str| {
            order
                .iter()
                .position(|o| o == what)
                .unwrap_or_else(|| panic!("{what} not reached: {order:?}"))
        };
        assert!(
            at("English") < at("code") && at("code") < at("pin"),
            "{order:?}"
        );
        // Typed and sent with Enter: the dossier.
        c.find(Locator::Id("code"))
            .await
            .unwrap()
            .send_keys(&code)
            .await
            .unwrap();
        let field = c.find(Locator::Id("pin")).await.unwrap();
        field.send_keys(&pin).await.unwrap();
        c.execute("document.documentElement.dataset.left = '1'", vec![])
            .await
            .unwrap();
        field.send_keys(&Key::Enter.to_string()).await.unwrap();
        c.wait().for_element(Locator::Id("status")).await.unwrap();
        assert_eq!(text(&c, "status").await, "Được tiếp nhận");
        c.close().await.unwrap();
    });
}

/// Waits until the element `id` shows `wanted` (the board redraws itself
/// from its event stream).
async fn until_text(c: &Client, id: &str, wanted: &str) {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let now = text(c, id).await;
        if now.contains(wanted) {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "#{id} never showed {wanted:?}: {now:?}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// The hall's screen shows each call as it is made, without a reload, and
/// goes on after the server restarts (the page's event stream reconnects
/// by itself and its first event is the hall as it is).
fn the_hall_board_follows_the_calls_across_a_restart(backend: Backend) {
    let mut s = TestServer::start(backend);
    let clerk = s.login("clerk");
    let take = |s: &TestServer, area: &str| {
        let r = s.post(
            "/api/v1/public/queue/H53.50.05.13/tickets",
            None,
            &json!({ "area": area }),
        );
        assert_eq!(r.status, 201, "{}", r.text);
    };
    let call = |s: &TestServer, clerk: &str, counter: i32| {
        let r = s.post(
            "/api/v1/queue/next",
            Some(clerk),
            &json!({ "counter": counter }),
        );
        assert_eq!(r.status, 200, "{}", r.text);
    };
    take(&s, "A");
    let driver = Driver::start();
    run(async {
        let c = browser(&driver).await;
        open(&c, &s, "/hang-cho/H53.50.05.13").await;
        assert!(text(&c, "serving").await.contains("Chưa gọi số nào"));
        until_text(&c, "waiting", "A · Tư pháp - Hộ tịch: 1").await;
        call(&s, &clerk, 1);
        until_text(&c, "serving", "A-001 Quầy 1").await;
        photograph(&c, "hall-board").await;

        s.restart();
        take(&s, "B");
        call(&s, &s.login("clerk"), 2);
        until_text(&c, "serving", "B-001 Quầy 2").await;
        until_text(&c, "recent", "B-001 → Quầy 2").await;
        assert!(text(&c, "serving").await.contains("A-001 Quầy 1"));
        let html = c.source().await.unwrap();
        a11y::check("board, redrawn", &html);

        // The kiosk: a button per area, the ticket ready to print.
        open(&c, &s, "/hang-cho/H53.50.05.13/lay-so").await;
        c.execute(
            "window.print = function () { document.body.dataset.printed = '1'; }",
            vec![],
        )
        .await
        .unwrap();
        submit(&c, "#take-A").await;
        assert_eq!(text(&c, "label").await, "A-002");
        photograph(&c, "queue-ticket").await;
        c.close().await.unwrap();
    });
}

on_both_backends!(
    the_hall_board_follows_the_calls_across_a_restart,
    the_look_up_is_used_with_the_keyboard_alone,
    a_supervisor_logs_in_and_sees_a_breach,
    a_citizen_scans_the_receipt_and_rates_the_returned_dossier,
    a_citizen_files_online_from_the_catalogue,
    a_citizen_sends_feedback_and_reads_the_published_answer,
);
