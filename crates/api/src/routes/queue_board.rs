//! The hall board's live feed (docs/queue.md, The board): server-sent
//! events, each the whole hall now ([`HallNow`]), sent when a stream
//! opens and whenever what it shows changes. Every event is the full
//! picture, so a board that reconnects (after a network cut or a server
//! restart: `EventSource` reconnects by itself, after the `retry` this
//! stream asks for) is right again at once, and no event needs replaying.
//! Each stream looks at the database, not at this server's memory, so a
//! call made on another server behind the same load balancer shows too.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use actix_web::{get, web, HttpResponse};
use bytes::Bytes;
use utoipa_actix_web::service_config::ServiceConfig;

use crate::error::{ApiError, Problem};
use crate::routes::queue_public::{hall_now, today};
use crate::state::AppState;

/// Milliseconds a board waits before reconnecting.
const RETRY_MILLIS: u64 = 2000;
/// A comment line sent after this many quiet looks, so proxies and the
/// browser see the stream alive.
const KEEP_ALIVE_EVERY: u32 = 15;

/// Holds one of the server's board streams; gives it back when dropped
/// (the client went away, or the stream ended).
struct Slot(Arc<AtomicUsize>);

impl Slot {
    fn take(open: &Arc<AtomicUsize>, max: usize) -> Option<Slot> {
        open.fetch_update(Ordering::AcqRel, Ordering::Acquire, |n| {
            (n < max).then_some(n + 1)
        })
        .ok()
        .map(|_| Slot(open.clone()))
    }
}

impl Drop for Slot {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::AcqRel);
    }
}

struct Stream {
    state: web::Data<AppState>,
    agency: String,
    /// The last picture sent (its JSON).
    last: Option<String>,
    quiet: u32,
    started: bool,
    _slot: Slot,
}

/// The event carrying `json`.
fn event(json: &str) -> Bytes {
    Bytes::from(format!("event: hall\ndata: {json}\n\n"))
}

async fn next(mut s: Stream) -> Option<(Result<Bytes, actix_web::Error>, Stream)> {
    if !s.started {
        s.started = true;
        return Some((Ok(Bytes::from(format!("retry: {RETRY_MILLIS}\n\n"))), s));
    }
    loop {
        if s.state.stopping.load(Ordering::Relaxed) {
            return None;
        }
        if s.last.is_some() {
            actix_web::rt::time::sleep(Duration::from_millis(s.state.config.board_poll_millis))
                .await;
        }
        let agency = s.agency.clone();
        let day = today(&s.state, motcua_store::time::now());
        let json = match s
            .state
            .with_conn(move |conn| {
                let now = hall_now(conn, &agency, &day)?;
                serde_json::to_string(&now).map_err(|e| {
                    tracing::error!(error = %e, "hall board could not be written");
                    ApiError::internal()
                })
            })
            .await
        {
            Ok(json) => json,
            // The database is away (restarting): end the stream; the
            // board reconnects and starts again.
            Err(e) => {
                tracing::warn!(error = %e, "hall board stream ends");
                return None;
            }
        };
        if s.last.as_deref() != Some(json.as_str()) {
            let out = event(&json);
            s.last = Some(json);
            s.quiet = 0;
            return Some((Ok(out), s));
        }
        s.quiet += 1;
        if s.quiet >= KEEP_ALIVE_EVERY {
            s.quiet = 0;
            return Some((Ok(Bytes::from_static(b": still here\n\n")), s));
        }
    }
}

#[utoipa::path(get, path = "/api/v1/public/queue/{agency}/board", tag = "queue",
    params(("agency" = String, Path, description = "Agency code")),
    responses((status = 200, description = "Server-sent events: `retry`, then an event `hall` whose data is the hall now (HallNow, as GET /api/v1/public/queue/{agency} answers) when the stream opens and each time it changes; a comment line while nothing changes",
            content_type = "text/event-stream", body = String),
        (status = 404, description = "No such agency", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "This server has as many boards open as it keeps (`--board-streams`)",
            body = Problem, content_type = "application/problem+json",
            headers(("Retry-After" = i64, description = "Seconds to wait")))))]
#[get("/api/v1/public/queue/{agency}/board")]
pub async fn board(
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let agency = path.into_inner();
    let known = agency.clone();
    let exists = state
        .with_conn(move |conn| Ok(motcua_store::agencies::get(conn, &known)?.is_some()))
        .await?;
    if !exists {
        return Err(ApiError::not_found("agency"));
    }
    let slot = Slot::take(&state.board_streams, state.config.board_streams).ok_or_else(|| {
        ApiError::too_many(
            (RETRY_MILLIS / 1000) as i64 * 5,
            "this server has as many hall boards open as it keeps",
        )
    })?;
    let stream = Stream {
        state: state.clone(),
        agency,
        last: None,
        quiet: 0,
        started: false,
        _slot: slot,
    };
    Ok(HttpResponse::Ok()
        .content_type("text/event-stream")
        .insert_header(("Cache-Control", "no-cache"))
        .insert_header(("X-Accel-Buffering", "no"))
        .streaming(futures_util::stream::unfold(stream, next)))
}

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(board);
}
