//! Server configuration, passed explicitly (no global singleton). The CLI
//! fills it from flags and `MOTCUA_*` environment variables.

use motcua_calendar::CalendarSettings;

#[derive(Debug, Clone)]
pub struct Config {
    pub database_url: String,
    /// 0 picks a default per backend.
    pub pool_size: u32,
    /// Base address citizens reach the server at, printed on receipts.
    pub public_base_url: String,
    /// JWT signing secret; generated once and kept in the database when
    /// absent, so tokens survive a restart and work on every server.
    pub jwt_secret: Option<String>,
    /// Lifetime of access tokens, in seconds.
    pub token_ttl_seconds: i64,
    /// Largest accepted request body, in bytes.
    pub body_limit: usize,
    /// Largest file `POST /api/v1/imports/dossiers` accepts, in bytes
    /// (docs/import.md); larger imports go through `motcua import`.
    pub import_body_limit: usize,
    pub calendar: CalendarSettings,
    /// Seconds between two breach scans (and calendar reloads) of the
    /// background job; 0 turns the job off.
    pub breach_interval_seconds: u64,
    /// Working seconds left at or under which a dossier is due soon; `None`
    /// means one working day.
    pub due_soon_seconds: Option<i64>,
    /// Minutes after which a handover not yet acknowledged shows on the
    /// sender's and the supervisors' lists.
    pub handover_ack_minutes: i64,
    /// Online submissions accepted per client address per minute (counted
    /// in the database, so across every server).
    pub submissions_per_minute: u32,
    /// Reverse proxies whose `X-Forwarded-For` names the client; none by
    /// default.
    pub trusted_proxies: crate::client::TrustedProxies,
    /// Local hour from which the supervisors' daily digest goes out.
    pub digest_hour: u32,
    /// Where to send mail; `None` leaves messages waiting in the outbox.
    pub mail: Option<MailConfig>,
    /// Days a sent message stays in the outbox (for the admin list) before
    /// the mail worker deletes it; 0 keeps them all. The outbox holds
    /// names, addresses and dossier details.
    pub outbox_keep_days: u32,
    /// Where dossier files are kept: a folder path (or `file:///path`),
    /// or `s3://bucket/prefix?aws_endpoint=...` (crates/files). `None`
    /// keeps them in a folder beside the SQLite file (`<name>-files`), or
    /// `./motcua-files` with PostgreSQL.
    pub files_url: Option<String>,
    /// Size limits of uploads and how long one may take.
    pub file_limits: motcua_files::Limits,
    /// Seconds between two runs of the file job (the sweep of uploads that
    /// never committed, and the removal of files past their retention);
    /// 0 turns it off.
    pub files_interval_seconds: u64,
    /// How the webhook worker posts and retries.
    pub webhooks: crate::webhook::WebhookSettings,
    /// The secret the payment gateway signs its notifications with
    /// (`POST /api/v1/payments/notify`); `None`: no gateway, the route
    /// answers 503.
    pub payment_secret: Option<String>,
    /// The secret the postal service signs its notifications with
    /// (`POST /api/v1/postal/notify`, docs/post.md); `None`: no postal
    /// service, the route answers 503.
    pub postal_secret: Option<String>,
    /// The average hourly income, in đồng, a citizen's time is valued at
    /// in a procedure's compliance cost (docs/catalogue.md).
    pub hourly_income_vnd: i64,
    /// Queue tickets a kiosk (one client address) may take per minute
    /// (docs/queue.md); counted in the database, so across every server.
    pub tickets_per_minute: u32,
    /// Hours after its closing during which a supervisor may reopen a
    /// dossier closed by mistake (docs/repairs.md).
    pub reopen_window_hours: u32,
    /// Hall boards (server-sent event streams) one server keeps open at
    /// once; one more is refused with 429.
    pub board_streams: usize,
    /// Seconds between two looks at the hall for an open board stream.
    pub board_poll_millis: u64,
    /// Where "now" comes from: the system's clock, or in tests a clock set
    /// to the instant the test is about (see `motcua_store::time`).
    pub clock: motcua_store::time::Clock,
}

/// The SMTP server and how the outbox worker uses it.
#[derive(Debug, Clone)]
pub struct MailConfig {
    pub smtp: motcua_notify::SmtpConfig,
    pub delivery: motcua_notify::DeliverySettings,
}

/// The hourly income a citizen's time is valued at unless configured:
/// about a month's average income per head (some 5.4 million đồng in
/// 2024) over 22 working days of 8 hours, rounded to 30,000 đồng.
pub const DEFAULT_HOURLY_INCOME_VND: i64 = 30_000;

impl Default for Config {
    fn default() -> Self {
        Config {
            database_url: "sqlite://motcua.db".into(),
            pool_size: 0,
            public_base_url: "http://127.0.0.1:8080".into(),
            jwt_secret: None,
            token_ttl_seconds: 8 * 3600,
            body_limit: 256 * 1024,
            import_body_limit: 64 * 1024 * 1024,
            calendar: CalendarSettings::default(),
            breach_interval_seconds: 60,
            due_soon_seconds: None,
            handover_ack_minutes: 240,
            submissions_per_minute: 10,
            trusted_proxies: crate::client::TrustedProxies::default(),
            mail: None,
            digest_hour: 7,
            outbox_keep_days: 90,
            files_url: None,
            file_limits: motcua_files::Limits::default(),
            files_interval_seconds: 300,
            webhooks: crate::webhook::WebhookSettings::default(),
            payment_secret: None,
            postal_secret: None,
            hourly_income_vnd: DEFAULT_HOURLY_INCOME_VND,
            tickets_per_minute: 30,
            reopen_window_hours: 120,
            board_streams: 200,
            board_poll_millis: 1000,
            clock: motcua_store::time::Clock::System,
        }
    }
}

impl Config {
    /// The file storage's URL: the one configured, or a folder beside the
    /// SQLite file (`./motcua-files` with PostgreSQL).
    pub fn files_url(&self) -> String {
        if let Some(url) = &self.files_url {
            return url.clone();
        }
        let db = self.database_url.as_str();
        if db.starts_with("postgres://") || db.starts_with("postgresql://") {
            return "motcua-files".into();
        }
        let path = db.strip_prefix("sqlite://").unwrap_or(db);
        let path = std::path::Path::new(path);
        let stem = path
            .file_stem()
            .map_or_else(|| "motcua".into(), |s| s.to_string_lossy().into_owned());
        path.with_file_name(format!("{stem}-files"))
            .to_string_lossy()
            .into_owned()
    }
}
