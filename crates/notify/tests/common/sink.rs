//! A real SMTP server for tests: `tests/smtp_sink.py` (Python aiosmtpd)
//! run as a child process on a free port, writing what it receives to a
//! file. Shared by the notify crate's tests and the workspace's end-to-end
//! tests.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::io::{BufRead, BufReader};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use motcua_notify::{Mailer, SmtpConfig};
use serde_json::Value;

/// A port nothing listens on (at the moment).
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// `tests/smtp_sink.py` of the workspace, from this crate's tests or from
/// the workspace's own.
fn sink_script() -> PathBuf {
    let here = Path::new(env!("CARGO_MANIFEST_DIR"));
    [
        here.join("tests/smtp_sink.py"),
        here.join("../../tests/smtp_sink.py"),
    ]
    .into_iter()
    .find(|p| p.exists())
    .unwrap_or_else(|| here.join("tests/smtp_sink.py"))
}

/// `tests/smtp_sink.py` running on a port, writing to a file. Stopped when
/// dropped; the file stays with the test's folder.
pub struct Sink {
    child: Option<Child>,
    pub port: u16,
    pub out: PathBuf,
    reject_to: Option<String>,
    raw: bool,
    _dir: std::sync::Arc<tempfile::TempDir>,
}

impl Sink {
    /// A sink on a free port.
    pub fn start() -> Sink {
        Self::start_with(None)
    }

    /// A sink that refuses recipients containing `reject_to` with 550.
    pub fn start_with(reject_to: Option<&str>) -> Sink {
        let mut sink = Self::stopped();
        sink.reject_to = reject_to.map(str::to_string);
        sink.resume();
        sink
    }

    /// A sink that keeps messages as received, without decoding their
    /// parts (`--raw`): for throughput benchmarks, which read nothing back
    /// and where decoding would cost the sink more than the sender spends.
    pub fn start_raw() -> Sink {
        let mut sink = Self::stopped();
        sink.raw = true;
        sink.resume();
        sink
    }

    /// A port and a file, with no server yet: the mail server is down.
    pub fn stopped() -> Sink {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("mail.jsonl");
        Sink {
            child: None,
            port: free_port(),
            out,
            reject_to: None,
            raw: false,
            _dir: std::sync::Arc::new(dir),
        }
    }

    /// Starts (or restarts) the server on this sink's port.
    pub fn resume(&mut self) {
        assert!(self.child.is_none(), "the sink is already running");
        let mut cmd = Command::new("python3");
        cmd.arg(sink_script())
            .args(["--port", &self.port.to_string()])
            .arg("--out")
            .arg(&self.out)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            // A file, not a pipe nobody reads, which would fill and block
            // the sink once it has logged enough.
            .stderr(std::fs::File::create(self.out.with_extension("stderr")).unwrap());
        if let Some(r) = &self.reject_to {
            cmd.args(["--reject-to", r]);
        }
        if self.raw {
            cmd.arg("--raw");
        }
        let mut child = cmd.spawn().unwrap_or_else(|e| {
            panic!("these tests need python3 with aiosmtpd (`pip install aiosmtpd`): cannot run python3: {e}")
        });
        let stdout = child.stdout.take().unwrap();
        let mut line = String::new();
        BufReader::new(stdout).read_line(&mut line).unwrap();
        if line.trim() != "ready" {
            let _ = child.kill();
            let _ = child.wait();
            let err =
                std::fs::read_to_string(self.out.with_extension("stderr")).unwrap_or_default();
            panic!(
                "the SMTP sink did not start; these tests need python3 with aiosmtpd (`pip install aiosmtpd`).\n{err}"
            );
        }
        self.child = Some(child);
    }

    /// Stops the server: the mail server is down.
    pub fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    pub fn config(&self) -> SmtpConfig {
        SmtpConfig {
            port: self.port,
            timeout: Duration::from_secs(5),
            ..SmtpConfig::default()
        }
    }

    pub fn mailer(&self) -> Mailer {
        Mailer::new(&self.config()).unwrap()
    }

    /// Every message received so far. Only whole lines count: the sink may
    /// be writing the next one while this reads the file, and a line is
    /// whole once its newline is there.
    pub fn messages(&self) -> Vec<Value> {
        match std::fs::read_to_string(&self.out) {
            Ok(text) => text
                .rsplit_once('\n')
                .map_or("", |(whole, _partial)| whole)
                .lines()
                .filter(|l| !l.trim().is_empty())
                .map(|l| serde_json::from_str(l).unwrap())
                .collect(),
            Err(_) => Vec::new(),
        }
    }
}

impl Drop for Sink {
    fn drop(&mut self) {
        self.stop();
    }
}
