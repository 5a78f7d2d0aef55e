//! A webhook receiver on loopback, for the webhook tests: a real HTTP
//! server (actix-web on its own thread) that keeps every post it gets and
//! answers as the test sets it: up, down (503) or slow.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use actix_web::{web, App, HttpRequest, HttpResponse, HttpServer};

/// How the receiver answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Up,
    /// 503 to every post.
    Down,
    /// 200 after this long.
    Slow(Duration),
}

/// A post as received.
#[derive(Debug, Clone)]
pub struct Post {
    pub event_id: String,
    pub signature: String,
    pub body: Vec<u8>,
    /// Answered 2xx (a slow answer counts even if the desk stopped
    /// waiting: the receiver did its work).
    pub accepted: bool,
}

impl Post {
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).unwrap()
    }
}

#[derive(Default)]
struct Shared {
    mode: Mutex<Option<Mode>>,
    posts: Mutex<Vec<Post>>,
}

pub struct Receiver {
    pub url: String,
    shared: Arc<Shared>,
    handle: actix_web::dev::ServerHandle,
}

async fn take(req: HttpRequest, body: web::Bytes, shared: web::Data<Arc<Shared>>) -> HttpResponse {
    let mode = shared.mode.lock().unwrap().unwrap_or(Mode::Up);
    let header = |name: &str| {
        req.headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_string()
    };
    // Kept before any wait: a slow receiver does its work, then is slow
    // to answer (and the desk may have stopped waiting).
    let accepted = mode != Mode::Down;
    shared.posts.lock().unwrap().push(Post {
        event_id: header("Motcua-Event-Id"),
        signature: header("Motcua-Signature"),
        body: body.to_vec(),
        accepted,
    });
    if let Mode::Slow(d) = mode {
        actix_web::rt::time::sleep(d).await;
    }
    if accepted {
        HttpResponse::NoContent().finish()
    } else {
        HttpResponse::ServiceUnavailable().body("down for maintenance")
    }
}

impl Receiver {
    pub fn start(mode: Mode) -> Receiver {
        let shared = Arc::new(Shared::default());
        *shared.mode.lock().unwrap() = Some(mode);
        let (tx, rx) = std::sync::mpsc::channel();
        let data = shared.clone();
        std::thread::spawn(move || {
            actix_web::rt::System::new().block_on(async move {
                let server = HttpServer::new(move || {
                    App::new()
                        .app_data(web::Data::new(data.clone()))
                        .default_service(web::post().to(take))
                })
                .workers(2)
                .bind(("127.0.0.1", 0))
                .unwrap();
                let port = server.addrs()[0].port();
                let server = server.run();
                tx.send((port, server.handle())).unwrap();
                server.await.unwrap();
            })
        });
        let (port, handle) = rx.recv().unwrap();
        Receiver {
            url: format!("http://127.0.0.1:{port}/hook"),
            shared,
            handle,
        }
    }

    pub fn set(&self, mode: Mode) {
        *self.shared.mode.lock().unwrap() = Some(mode);
    }

    /// Every post so far, in the order they arrived.
    pub fn posts(&self) -> Vec<Post> {
        self.shared.posts.lock().unwrap().clone()
    }
}

impl Drop for Receiver {
    fn drop(&mut self) {
        drop(self.handle.stop(false));
    }
}
