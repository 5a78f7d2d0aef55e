//! Server-sent event streams read over real HTTP, event by event (the
//! hall board's stream, `GET /api/v1/public/queue/{agency}/board`).

use std::io::{BufRead, BufReader, Read};

use serde_json::Value;

use super::{Response, TestServer};

/// An open stream.
pub struct EventStream {
    reader: BufReader<Box<dyn Read + Send + Sync>>,
    pub content_type: String,
}

/// One event: its name and data (JSON when it parses).
#[derive(Debug, Clone)]
pub struct Event {
    pub name: String,
    pub data: String,
    pub json: Value,
}

impl EventStream {
    /// The next event with data (comments and the `retry` line skipped);
    /// `None` when the server ended the stream.
    pub fn next_event(&mut self) -> Option<Event> {
        let (mut name, mut data) = (String::from("message"), String::new());
        loop {
            let mut line = String::new();
            if self.reader.read_line(&mut line).ok()? == 0 {
                return None;
            }
            let line = line.trim_end_matches(['\n', '\r']);
            if line.is_empty() {
                if !data.is_empty() {
                    let json = serde_json::from_str(&data).unwrap_or(Value::Null);
                    return Some(Event { name, data, json });
                }
                continue;
            }
            if let Some(v) = line.strip_prefix("event: ") {
                name = v.to_string();
            } else if let Some(v) = line.strip_prefix("data: ") {
                data.push_str(v);
            }
        }
    }

    /// Reads events until one satisfies `wanted`; panics if the stream
    /// ends first.
    pub fn until(&mut self, wanted: impl Fn(&Value) -> bool) -> Event {
        loop {
            let e = self.next_event().expect("the stream ended");
            if wanted(&e.json) {
                return e;
            }
        }
    }
}

impl TestServer {
    /// Opens an event stream; a refusal comes back as the answer.
    pub fn events(&self, path: &str) -> Result<EventStream, Box<Response>> {
        let agent = ureq::AgentBuilder::new()
            .timeout_connect(std::time::Duration::from_secs(5))
            .timeout_read(std::time::Duration::from_secs(30))
            .build();
        match agent.get(&self.url(path)).call() {
            Ok(r) => Ok(EventStream {
                content_type: r.content_type().to_string(),
                reader: BufReader::new(r.into_reader()),
            }),
            Err(ureq::Error::Status(status, r)) => {
                let content_type = r.content_type().to_string();
                let headers = r
                    .headers_names()
                    .into_iter()
                    .filter_map(|h| r.header(&h).map(|v| (h.to_lowercase(), v.to_string())))
                    .collect();
                let text = r.into_string().unwrap_or_default();
                let json = serde_json::from_str(&text).unwrap_or(Value::String(text.clone()));
                Err(Box::new(Response {
                    status,
                    content_type,
                    text,
                    json,
                    replayed: false,
                    headers,
                }))
            }
            Err(e) => panic!("GET {path}: {e}"),
        }
    }

    /// The first event of a stream as an answer (status 200, the event's
    /// data as its body), or the refusal.
    pub fn first_event(&self, path: &str) -> Response {
        match self.events(path) {
            Ok(mut s) => {
                let e = s
                    .next_event()
                    .expect("the stream ended before its first event");
                Response {
                    status: 200,
                    content_type: s.content_type.clone(),
                    text: e.data.clone(),
                    json: e.json,
                    replayed: false,
                    headers: Default::default(),
                }
            }
            Err(r) => *r,
        }
    }
}
