//! The `motcua serve` binary itself, as an operator runs it: its own
//! process, configured by flags, with a real SMTP server beside it. The
//! other end-to-end tests start the server in-process through the harness;
//! this one checks what only the command line wires up, such as the
//! background jobs (a server once came up without its outbox worker, and
//! mail waited forever while every in-process test passed).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;
#[path = "../crates/notify/tests/common/sink.rs"]
mod sink;

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use common::{birth_registration, Backend, ScratchDb};
use serde_json::{json, Value};
use sink::{free_port, Sink};

/// The server process, killed when dropped.
struct Serve {
    child: Child,
    base: String,
}

impl Drop for Serve {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn serve(database_url: &str, smtp_port: u16) -> Serve {
    let port = free_port();
    let child = Command::new(env!("CARGO_BIN_EXE_motcua"))
        .args(["serve", "--demo", "--bind", &format!("127.0.0.1:{port}")])
        .args(["--database-url", database_url])
        .args(["--smtp-port", &smtp_port.to_string()])
        .env("MOTCUA_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let server = Serve {
        child,
        base: format!("http://127.0.0.1:{port}"),
    };
    let deadline = Instant::now() + Duration::from_secs(60);
    while ureq::get(&format!("{}/healthz", server.base))
        .call()
        .is_err()
    {
        assert!(Instant::now() < deadline, "motcua serve did not come up");
        std::thread::sleep(Duration::from_millis(100));
    }
    server
}

fn the_served_binary_sends_the_receipt_mail(backend: Backend) {
    let db = ScratchDb::new(backend);
    let sink = Sink::start();
    let server = serve(&db.url, sink.port);
    let token: Value = ureq::post(&format!("{}/api/v1/auth/token", server.base))
        .send_json(json!({"username": "clerk", "password": "demo"}))
        .unwrap()
        .into_json()
        .unwrap();
    let received: Value = ureq::post(&format!("{}/api/v1/dossiers", server.base))
        .set(
            "Authorization",
            &format!("Bearer {}", token["access_token"].as_str().unwrap()),
        )
        .send_json(birth_registration())
        .unwrap()
        .into_json()
        .unwrap();
    let code = received["code"].as_str().unwrap();
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let mails = sink.messages();
        if let Some(m) = mails.iter().find(|m| m["rcpt_tos"][0] == "an@example.vn") {
            assert!(
                m.to_string().contains(code),
                "the receipt names {code}: {m}"
            );
            break;
        }
        assert!(
            Instant::now() < deadline,
            "no receipt mail reached the SMTP server in 30 s: {mails:?}"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

on_both_backends!(the_served_binary_sends_the_receipt_mail);
