//! `motcua serve`.

use std::net::TcpListener;

use anyhow::{Context, Result};
use clap::Args;
use motcua_api::{demo, AppState};

use super::Common;

#[derive(Args)]
pub struct ServeArgs {
    /// Address to listen on.
    #[arg(long, env = "MOTCUA_BIND", default_value = "127.0.0.1:8080")]
    pub bind: String,
    /// Load demo agencies, procedures and users into an empty database.
    #[arg(long, env = "MOTCUA_DEMO")]
    pub demo: bool,
    /// Base URL citizens reach the server at, printed on receipts and QR
    /// codes (default: http://BIND).
    #[arg(long, env = "MOTCUA_PUBLIC_URL")]
    pub public_url: Option<String>,
    /// JWT signing secret (default: generated once, kept in the database).
    #[arg(long, env = "MOTCUA_JWT_SECRET", hide_env_values = true)]
    pub jwt_secret: Option<String>,
    /// Access-token lifetime in seconds.
    #[arg(long, env = "MOTCUA_TOKEN_TTL", default_value_t = 8 * 3600,
        value_parser = clap::value_parser!(i64).range(60..=7 * 24 * 3600))]
    pub token_ttl: i64,
    /// Largest request body in bytes.
    #[arg(long, env = "MOTCUA_BODY_LIMIT", default_value_t = 256 * 1024)]
    pub body_limit: usize,
    /// Largest file `POST /api/v1/imports/dossiers` accepts, in bytes.
    #[arg(long, env = "MOTCUA_IMPORT_BODY_LIMIT", default_value_t = 64 * 1024 * 1024)]
    pub import_body_limit: usize,
    /// Seconds between breach scans (0 turns the background job off).
    #[arg(long, env = "MOTCUA_BREACH_INTERVAL", default_value_t = 60)]
    pub breach_interval: u64,
    /// Working seconds left at or under which a dossier is due soon
    /// (default: one working day).
    #[arg(long, env = "MOTCUA_DUE_SOON_SECONDS")]
    pub due_soon_seconds: Option<i64>,
    /// Minutes after which an unacknowledged handover shows on the
    /// sender's and supervisors' lists.
    #[arg(long, env = "MOTCUA_HANDOVER_ACK_MINUTES", default_value_t = 240)]
    pub handover_ack_minutes: i64,
    /// Online submissions accepted per client address per minute (counted
    /// in the database: across every server).
    #[arg(long, env = "MOTCUA_SUBMISSIONS_PER_MINUTE", default_value_t = 10,
        value_parser = clap::value_parser!(u32).range(1..=10_000))]
    pub submissions_per_minute: u32,
    /// Reverse proxies whose X-Forwarded-For names the client: a comma
    /// list of addresses and networks (10.0.0.1, 192.168.0.0/16). None by
    /// default: the client is the connection's peer.
    #[arg(long, env = "MOTCUA_TRUSTED_PROXIES", default_value = "",
        value_parser = |s: &str| motcua_api::client::TrustedProxies::parse(s))]
    pub trusted_proxies: motcua_api::client::TrustedProxies,
    /// Local hour from which the supervisors' daily breach digest is sent.
    #[arg(long, env = "MOTCUA_DIGEST_HOUR", default_value_t = 7)]
    pub digest_hour: u32,
    #[command(flatten)]
    pub smtp: super::mail::SmtpArgs,
    /// Days a sent message stays in the outbox before it is deleted (0:
    /// keep them all).
    #[arg(long, env = "MOTCUA_OUTBOX_KEEP_DAYS", default_value_t = 90)]
    pub outbox_keep_days: u32,
    /// Do not send mail (messages still wait in the outbox).
    #[arg(long, env = "MOTCUA_MAIL_DISABLED")]
    pub no_mail: bool,
    /// Largest dossier file accepted, in bytes.
    #[arg(long, env = "MOTCUA_MAX_FILE_BYTES", default_value_t = 20 * 1024 * 1024)]
    pub max_file_bytes: u64,
    /// Most bytes of files one dossier may hold.
    #[arg(long, env = "MOTCUA_MAX_DOSSIER_FILE_BYTES", default_value_t = 200 * 1024 * 1024)]
    pub max_dossier_file_bytes: u64,
    /// Seconds an upload may take; an upload that never committed is
    /// swept after that.
    #[arg(long, env = "MOTCUA_UPLOAD_SECONDS", default_value_t = 600)]
    pub upload_seconds: i64,
    /// Seconds between two runs of the file job (sweep, retention); 0 off.
    #[arg(long, env = "MOTCUA_FILES_INTERVAL", default_value_t = 300)]
    pub files_interval: u64,
    /// Do not post webhooks from this server (rows wait in the queue for
    /// another server, or for this one started without it).
    #[arg(long, env = "MOTCUA_WEBHOOKS_DISABLED")]
    pub no_webhooks: bool,
    /// Seconds a webhook post may take before it counts as failed.
    #[arg(long, env = "MOTCUA_WEBHOOK_TIMEOUT", default_value_t = 10,
        value_parser = clap::value_parser!(u64).range(1..=300))]
    pub webhook_timeout: u64,
    /// Seconds after a webhook's first failure; doubled after each next
    /// one, up to an hour.
    #[arg(long, env = "MOTCUA_WEBHOOK_BACKOFF", default_value_t = 5,
        value_parser = clap::value_parser!(u64).range(1..=3600))]
    pub webhook_backoff: u64,
    /// Attempts before a webhook delivery is failed (an administrator may
    /// then retry it).
    #[arg(long, env = "MOTCUA_WEBHOOK_ATTEMPTS", default_value_t = 20,
        value_parser = clap::value_parser!(i32).range(1..=1000))]
    pub webhook_attempts: i32,
    /// Webhook posts in flight at once, per server.
    #[arg(long, env = "MOTCUA_WEBHOOK_CONCURRENCY", default_value_t = 32,
        value_parser = clap::value_parser!(u64).range(1..=1024))]
    pub webhook_concurrency: u64,
    /// Days a delivered webhook row is kept for the administrators' list
    /// (0: keep them all).
    #[arg(long, env = "MOTCUA_WEBHOOK_KEEP_DAYS", default_value_t = 30)]
    pub webhook_keep_days: u32,
    /// The secret the payment gateway signs its notifications with, at
    /// least 32 characters (none: POST /api/v1/payments/notify answers
    /// 503).
    #[arg(long, env = "MOTCUA_PAYMENT_SECRET", hide_env_values = true,
        value_parser = payment_secret)]
    pub payment_secret: Option<String>,
    /// The secret the postal service signs its delivery notifications
    /// with, at least 32 characters (none: POST /api/v1/postal/notify
    /// answers 503).
    #[arg(long, env = "MOTCUA_POSTAL_SECRET", hide_env_values = true,
        value_parser = postal_secret)]
    pub postal_secret: Option<String>,
    /// The average hourly income, in đồng, a citizen's time is valued at
    /// in compliance costs (GET /api/v1/procedures/{code}/compliance-cost).
    #[arg(long, env = "MOTCUA_HOURLY_INCOME_VND",
        default_value_t = motcua_api::config::DEFAULT_HOURLY_INCOME_VND,
        value_parser = clap::value_parser!(i64).range(1..=10_000_000))]
    pub hourly_income_vnd: i64,
    /// Queue tickets one kiosk (client address) may take per minute.
    #[arg(long, env = "MOTCUA_TICKETS_PER_MINUTE", default_value_t = 30,
        value_parser = clap::value_parser!(u32).range(1..=100_000))]
    pub tickets_per_minute: u32,
    /// Hours after its closing a supervisor may still reopen a dossier
    /// closed by mistake.
    #[arg(long, env = "MOTCUA_REOPEN_WINDOW_HOURS", default_value_t = 120,
        value_parser = clap::value_parser!(u32).range(1..=8760))]
    pub reopen_window_hours: u32,
    /// Hall boards (event streams) this server keeps open at once.
    #[arg(long, env = "MOTCUA_BOARD_STREAMS", default_value_t = 200,
        value_parser = clap::value_parser!(u64).range(1..=100_000))]
    pub board_streams: u64,
    /// HTTP worker threads (0: one per core).
    #[arg(long, env = "MOTCUA_WORKERS", default_value_t = 0)]
    pub workers: usize,
}

/// A payment secret long enough not to be guessed.
fn payment_secret(s: &str) -> Result<String, String> {
    if s.chars().count() < 32 {
        return Err("the payment secret must be at least 32 characters".into());
    }
    Ok(s.to_string())
}

/// A postal secret long enough not to be guessed.
fn postal_secret(s: &str) -> Result<String, String> {
    if s.chars().count() < 32 {
        return Err("the postal secret must be at least 32 characters".into());
    }
    Ok(s.to_string())
}

pub fn run(common: &Common, args: ServeArgs) -> Result<()> {
    let mut config = common.config()?;
    config.public_base_url = args
        .public_url
        .clone()
        .unwrap_or_else(|| format!("http://{}", args.bind));
    config.jwt_secret = args.jwt_secret.clone();
    config.token_ttl_seconds = args.token_ttl;
    config.body_limit = args.body_limit;
    config.import_body_limit = args.import_body_limit;
    config.breach_interval_seconds = args.breach_interval;
    config.due_soon_seconds = args.due_soon_seconds;
    config.handover_ack_minutes = args.handover_ack_minutes;
    config.submissions_per_minute = args.submissions_per_minute;
    config.trusted_proxies = args.trusted_proxies.clone();
    config.digest_hour = args.digest_hour;
    config.outbox_keep_days = args.outbox_keep_days;
    config.file_limits = motcua_files::Limits {
        max_file_bytes: args.max_file_bytes,
        max_dossier_bytes: args.max_dossier_file_bytes,
        upload_seconds: args.upload_seconds,
    };
    config.files_interval_seconds = args.files_interval;
    config.webhooks = motcua_api::webhook::WebhookSettings {
        enabled: !args.no_webhooks,
        timeout: std::time::Duration::from_secs(args.webhook_timeout),
        backoff: std::time::Duration::from_secs(args.webhook_backoff),
        max_attempts: args.webhook_attempts,
        concurrency: usize::try_from(args.webhook_concurrency).unwrap_or(32),
        keep_days: args.webhook_keep_days,
        ..motcua_api::webhook::WebhookSettings::default()
    };
    config.payment_secret = args.payment_secret.clone();
    config.postal_secret = args.postal_secret.clone();
    config.hourly_income_vnd = args.hourly_income_vnd;
    config.tickets_per_minute = args.tickets_per_minute;
    config.reopen_window_hours = args.reopen_window_hours;
    config.board_streams = usize::try_from(args.board_streams).unwrap_or(200);
    if !args.no_mail {
        config.mail = Some(motcua_api::config::MailConfig {
            smtp: args.smtp.config()?,
            delivery: args.smtp.delivery_settings(),
        });
    }
    let state = AppState::prepare(config).context("preparing the database")?;
    if args.demo {
        let mut conn = state.db.get()?;
        if demo::load_if_empty(&mut conn).context("loading demo data")? {
            tracing::warn!(
                "demo data loaded: users admin, clerk, officer, supervisor, clerk.huyen, all with password {:?}; never use them in production",
                demo::DEMO_PASSWORD
            );
        } else {
            tracing::info!("database already has data; demo data not loaded");
        }
    }
    let listener =
        TcpListener::bind(&args.bind).with_context(|| format!("binding {}", args.bind))?;
    tracing::info!(
        address = %args.bind,
        database = state.db.backend().name(),
        "motcua is serving; try GET /healthz or /api/v1/openapi.json"
    );
    actix_web::rt::System::new().block_on(async move {
        // The breach scan and the outbox worker (unless --no-mail).
        motcua_api::jobs::start(&state);
        let stopping = state.stopping.clone();
        let served = motcua_api::http_server(state, listener, args.workers)?.await;
        // Lets the outbox worker finish its batch and stop.
        stopping.store(true, std::sync::atomic::Ordering::Relaxed);
        served
    })?;
    Ok(())
}
