//! The webhook worker: on each server, a task that keeps up to
//! `concurrency` posts in flight. It claims due rows of the delivery queue
//! whenever it has room, starts each post as a slot frees, and records how
//! each ended a few at a time, so a quick receiver never waits for a slow
//! one: a slow receiver holds at most `per_subscriber` of the slots.
//! Hourly it deletes delivered rows past their keeping time.

use std::collections::{HashMap, VecDeque};
use std::future::Future;
use std::pin::Pin;
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use futures_util::stream::FuturesUnordered;
use futures_util::{FutureExt, StreamExt};
use motcua_store::deliveries::{self, Finish, Room};
use motcua_store::feed;

use super::changes::{changes, wanted};
use super::post::{body, Attempt, Poster};
use super::WebhookSettings;
use crate::error::ApiError;
use crate::state::AppState;

/// A post to make.
struct Post {
    delivery_id: i64,
    event_id: i64,
    attempts: i32,
    subscriber: String,
    url: String,
    secret: String,
    body: Vec<u8>,
}

/// A post that ended.
struct Ended {
    delivery_id: i64,
    attempts: i32,
    subscriber: String,
    attempt: Attempt,
}

type Flight = Pin<Box<dyn Future<Output = Ended>>>;

fn chrono_of(d: Duration) -> chrono::Duration {
    chrono::Duration::from_std(d).unwrap_or(chrono::Duration::MAX)
}

/// Leases due rows within `room` and makes their posts; rows of kinds
/// their subscriber did not ask for come back as skipped at once.
async fn claim(
    state: &AppState,
    held: &HashMap<String, i64>,
    room: i64,
) -> Result<(Vec<Post>, Vec<(i64, Finish)>), ApiError> {
    let settings = &state.config.webhooks;
    let now = motcua_store::time::now();
    let lease = chrono_of(settings.lease());
    let per_subscriber = settings.per_subscriber_held();
    let held = held.clone();
    let claimed = state
        .with_conn(move |conn| {
            if !deliveries::anything_due(conn, now)? {
                return Ok(Vec::new());
            }
            // Items get their positions first, so each post carries its
            // cursor in the feed.
            feed::sequence(conn)?;
            let room = Room {
                total: room,
                per_subscriber,
                held: &held,
            };
            let ids = deliveries::claim(conn, now, now + lease, room)?;
            Ok(deliveries::claimed(conn, &ids)?)
        })
        .await?;
    let calendar = state.calendar();
    let mut posts = Vec::with_capacity(claimed.len());
    let mut skipped = Vec::new();
    for c in &claimed {
        let kinds = changes(&c.item, c.previous.as_ref());
        match c.subscriber.webhook.as_ref() {
            Some(h) if wanted(h.kinds.as_deref(), &kinds) => posts.push(Post {
                delivery_id: c.delivery_id,
                event_id: c.item.event_id,
                attempts: c.attempts,
                subscriber: c.subscriber.id.clone(),
                url: h.url.clone(),
                secret: h.secret.clone(),
                body: body(c, kinds, &calendar)?,
            }),
            // Not a kind it asked for; or its webhook was removed after
            // the claim read it (the row would not have been claimed
            // before).
            _ => skipped.push((c.delivery_id, Finish::Skipped)),
        }
    }
    Ok((posts, skipped))
}

fn fly(poster: &Poster, p: Post) -> Flight {
    let poster = poster.clone();
    Box::pin(async move {
        let timestamp = motcua_store::time::now().timestamp();
        let attempt = poster
            .post(
                &p.url,
                &p.secret,
                (p.delivery_id, p.event_id),
                timestamp,
                p.body,
            )
            .await;
        Ended {
            delivery_id: p.delivery_id,
            attempts: p.attempts,
            subscriber: p.subscriber,
            attempt,
        }
    })
}

/// What the row of a post that ended becomes.
fn finish_of(settings: &WebhookSettings, e: Ended, now: DateTime<Utc>) -> Finish {
    match e.attempt {
        Attempt::Delivered(status) => Finish::Delivered {
            status: i32::from(status),
        },
        Attempt::Failed { status, error } => {
            let status = status.map(i32::from);
            let attempt = e.attempts.saturating_add(1);
            if attempt >= settings.max_attempts {
                Finish::GaveUp { status, error }
            } else {
                Finish::Retry {
                    status,
                    error,
                    at: now + chrono_of(settings.backoff_after(attempt)),
                }
            }
        }
    }
}

/// The worker's posts: waiting for a slot, in flight, and ended but not
/// yet recorded.
struct Pipeline {
    settings: WebhookSettings,
    waiting: VecDeque<Post>,
    flying: FuturesUnordered<Flight>,
    /// Rows of each subscriber waiting or in flight.
    held: HashMap<String, i64>,
    /// Posts in flight of each subscriber.
    in_flight: HashMap<String, i64>,
    ended: Vec<(i64, Finish)>,
    /// When the oldest outcome not yet recorded came.
    ended_since: Option<Instant>,
    /// Claim again from then on: at once after a row ended well (its
    /// dossier's next row may go), after `idle` when nothing was due.
    next_claim: Instant,
}

/// Outcomes recorded in one write, at most; and how long one may wait.
const RECORD_AT_ONCE: usize = 64;
const RECORD_WITHIN: Duration = Duration::from_millis(200);

/// One less of `key`, forgotten at none.
fn less(counts: &mut HashMap<String, i64>, key: &str) {
    if let Some(n) = counts.get_mut(key) {
        *n -= 1;
        if *n <= 0 {
            counts.remove(key);
        }
    }
}

impl Pipeline {
    fn new(settings: WebhookSettings) -> Pipeline {
        Pipeline {
            settings,
            waiting: VecDeque::new(),
            flying: FuturesUnordered::new(),
            held: HashMap::new(),
            in_flight: HashMap::new(),
            ended: Vec::new(),
            ended_since: None,
            next_claim: Instant::now(),
        }
    }

    fn slots(&self) -> usize {
        self.settings.concurrency.max(1)
    }

    fn may_start(&self, p: &Post) -> bool {
        self.flying.len() < self.slots()
            && self.in_flight.get(&p.subscriber).copied().unwrap_or(0)
                < i64::try_from(self.settings.per_subscriber()).unwrap_or(i64::MAX)
    }

    /// Starts the waiting posts that may start: within the slots, and at
    /// most `per_subscriber` of one subscriber; the others keep their turn.
    fn start(&mut self, poster: &Poster) {
        let mut kept = VecDeque::with_capacity(self.waiting.len());
        while let Some(p) = self.waiting.pop_front() {
            if self.may_start(&p) {
                *self.in_flight.entry(p.subscriber.clone()).or_default() += 1;
                self.flying.push(fly(poster, p));
            } else {
                kept.push_back(p);
            }
        }
        self.waiting = kept;
    }

    fn take(&mut self, posts: Vec<Post>, skipped: Vec<(i64, Finish)>) {
        for p in posts {
            *self.held.entry(p.subscriber.clone()).or_default() += 1;
            self.waiting.push_back(p);
        }
        if !skipped.is_empty() {
            self.ended_since.get_or_insert_with(Instant::now);
            self.ended.extend(skipped);
            // Their dossiers' next rows may go once they are recorded.
            self.next_claim = Instant::now();
        }
    }

    fn end(&mut self, e: Ended) {
        less(&mut self.held, &e.subscriber);
        less(&mut self.in_flight, &e.subscriber);
        if matches!(e.attempt, Attempt::Delivered(_)) {
            self.next_claim = Instant::now();
        }
        let id = e.delivery_id;
        let finish = finish_of(&self.settings, e, motcua_store::time::now());
        if let Finish::Retry { error, .. } | Finish::GaveUp { error, .. } = &finish {
            tracing::info!(delivery = id, error = %error, "a webhook post failed");
        }
        self.ended_since.get_or_insert_with(Instant::now);
        self.ended.push((id, finish));
    }

    /// How many rows a claim now may take: none while a waiting post
    /// could use a free slot, else enough to fill the slots and queue as
    /// many again.
    fn room(&self) -> i64 {
        let free = self.slots().saturating_sub(self.flying.len());
        if free == 0 || self.waiting.iter().any(|p| self.may_start(p)) {
            return 0;
        }
        let room = (self.slots() * 2).saturating_sub(self.flying.len() + self.waiting.len());
        i64::try_from(room).unwrap_or(0)
    }

    fn should_record(&self, claiming: bool) -> bool {
        !self.ended.is_empty()
            && (claiming
                || self.flying.is_empty()
                || self.ended.len() >= RECORD_AT_ONCE
                || self
                    .ended_since
                    .is_some_and(|t| t.elapsed() >= RECORD_WITHIN))
    }

    /// Writes the outcomes in one transaction (on failure they are kept
    /// and written next time; the leases outlast a short outage).
    async fn record(&mut self, state: &AppState) {
        let outcomes = std::mem::take(&mut self.ended);
        let kept = outcomes.clone();
        let now = motcua_store::time::now();
        let written = state
            .with_conn(move |conn| Ok(deliveries::finish(conn, &outcomes, now)?))
            .await;
        match written {
            Ok(()) => self.ended_since = None,
            Err(e) => {
                tracing::warn!(error = %e, "could not record webhook outcomes");
                self.ended = kept;
            }
        }
    }

    /// Waits until a post ends (taking every other that ended by then),
    /// the next claim is due, or an outcome must be recorded.
    async fn wait(&mut self) {
        let now = Instant::now();
        let mut until = now + Duration::from_secs(1);
        if self.room() > 0 {
            until = until.min(self.next_claim);
        }
        if let Some(t) = self.ended_since {
            until = until.min(t + RECORD_WITHIN);
        }
        if self.flying.is_empty() {
            actix_web::rt::time::sleep_until(until.into()).await;
            return;
        }
        let sleep = std::pin::pin!(actix_web::rt::time::sleep_until(until.into()));
        if let futures_util::future::Either::Left((Some(e), _)) =
            futures_util::future::select(self.flying.next(), sleep).await
        {
            self.end(e);
            while let Some(Some(e)) = self.flying.next().now_or_never() {
                self.end(e);
            }
        }
    }
}

/// The worker's loop until the server stops.
async fn run(state: AppState, poster: Poster) {
    use std::sync::atomic::Ordering;
    let idle = state.config.webhooks.idle;
    let mut pipeline = Pipeline::new(state.config.webhooks.clone());
    let mut next_purge = Instant::now();
    while !state.stopping.load(Ordering::Relaxed) {
        if Instant::now() >= next_purge {
            purge(&state).await;
            next_purge = Instant::now() + Duration::from_secs(3600);
        }
        let room = pipeline.room();
        let claiming = room > 0 && Instant::now() >= pipeline.next_claim;
        // Recorded before a claim, so it sees each line's new first row.
        if pipeline.should_record(claiming) {
            pipeline.record(&state).await;
        }
        if claiming {
            match claim(&state, &pipeline.held, room).await {
                Ok((posts, skipped)) => {
                    if posts.is_empty() && skipped.is_empty() {
                        pipeline.next_claim = Instant::now() + idle;
                    }
                    pipeline.take(posts, skipped);
                }
                Err(e) => {
                    tracing::warn!(error = %e, "could not claim webhook deliveries");
                    pipeline.next_claim = Instant::now() + idle.max(Duration::from_secs(2));
                }
            }
        }
        pipeline.start(&poster);
        pipeline.wait().await;
    }
    if !pipeline.ended.is_empty() {
        pipeline.record(&state).await;
    }
}

/// Deletes delivered and skipped rows older than `keep_days`, a thousand
/// per short write.
async fn purge(state: &AppState) {
    let days = state.config.webhooks.keep_days;
    if days == 0 {
        return;
    }
    let before = motcua_store::time::now() - chrono::Duration::days(i64::from(days));
    let ran = state
        .with_conn(move |conn| {
            Ok(crate::jobs::purge_in_chunks(|chunk| {
                deliveries::purge_done(conn, before, chunk)
            }))
        })
        .await;
    let purged = match ran {
        Ok((purged, None)) => purged,
        Ok((purged, Some(e))) => {
            tracing::warn!(error = %e, "could not purge delivered webhook rows");
            purged
        }
        Err(e) => {
            tracing::warn!(error = %e, "could not purge delivered webhook rows");
            0
        }
    };
    if purged > 0 {
        tracing::info!(
            purged,
            days,
            "delivered webhook rows past their keeping time deleted"
        );
    }
}

/// Starts the worker on the current actix runtime; returns at once. Off
/// when the settings say so.
pub fn spawn(state: AppState) {
    if !state.config.webhooks.enabled {
        return;
    }
    let poster = match Poster::new(&state.config.webhooks) {
        Ok(p) => p,
        Err(e) => {
            tracing::error!(error = %e, "could not build the webhook client; deliveries wait");
            return;
        }
    };
    actix_web::rt::spawn(run(state, poster));
}
