//! The S3-compatible server the file tests store into: the one at
//! `MOTCUA_TEST_S3_URL` (an endpoint such as `http://127.0.0.1:5055`),
//! or else moto in server mode (`pip install "moto[server]"`), started
//! once per test binary by `tests/s3_server.py` and ended with it. Each
//! test server gets its own prefix in one bucket.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::{Mutex, OnceLock};

pub const BUCKET: &str = "motcua-test";

static ENDPOINT: OnceLock<String> = OnceLock::new();
/// Kept so the server lives (and its stdin stays open) as long as the
/// test binary.
static CHILD: Mutex<Option<Child>> = Mutex::new(None);

/// The endpoint, with the test bucket created.
pub fn endpoint() -> String {
    ENDPOINT
        .get_or_init(|| {
            let endpoint = std::env::var("MOTCUA_TEST_S3_URL").unwrap_or_else(|_| start());
            // moto does not check signatures: an unsigned request creates
            // the bucket (again: answered 200 or 409, both fine).
            let _ = ureq::put(&format!("{endpoint}/{BUCKET}")).call();
            endpoint
        })
        .clone()
}

fn start() -> String {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/s3_server.py");
    let mut child = Command::new("python3")
        .arg(script)
        .args(["--port", &port.to_string()])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| panic!("the file tests need python3 with moto[server]: {e}"));
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    assert_eq!(
        line.trim(),
        "ready",
        "moto did not start; these tests need `pip install \"moto[server]\"`"
    );
    *CHILD.lock().unwrap() = Some(child);
    format!("http://127.0.0.1:{port}")
}

/// A storage URL of its own for one test server.
pub fn url() -> String {
    let endpoint = endpoint();
    let endpoint: String = form_urlencoded::byte_serialize(endpoint.as_bytes()).collect();
    format!(
        "s3://{BUCKET}/{}?aws_endpoint={endpoint}&aws_allow_http=true&aws_region=us-east-1&aws_access_key_id=test&aws_secret_access_key=test",
        uuid::Uuid::new_v4().simple()
    )
}
