//! What every handler shares: the pool, the calendar, the keys.

use std::sync::Arc;

use motcua_calendar::WorkingCalendar;
use motcua_intake::PinHasher;
use motcua_store::{settings, Database, DbConnection, StoreError};
use rand::RngCore;

use motcua_notify::DeskMail;
use motcua_sla::calendars::{CalendarHandle, CalendarLoadError};

use crate::auth::JwtKeys;
use crate::config::Config;
use crate::error::ApiError;

#[derive(Clone)]
pub struct AppState {
    pub db: Database,
    pub calendars: Arc<CalendarHandle>,
    pub pins: PinHasher,
    /// Which mail each change sends, with this deployment's links.
    pub mail: DeskMail,
    pub jwt: Arc<JwtKeys>,
    pub config: Arc<Config>,
    /// Where dossier files are kept.
    pub files: motcua_files::Storage,
    /// Set when the server stops, so background threads end.
    pub stopping: Arc<std::sync::atomic::AtomicBool>,
    /// Hall board streams open now (bounded by `config.board_streams`).
    pub board_streams: Arc<std::sync::atomic::AtomicUsize>,
}

fn random_hex(bytes: usize) -> String {
    let mut buf = vec![0u8; bytes];
    rand::thread_rng().fill_bytes(&mut buf);
    hex::encode(buf)
}

#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("invalid stored secret {0}")]
    Secret(&'static str),
    #[error(transparent)]
    Calendar(#[from] CalendarLoadError),
    #[error(transparent)]
    Files(#[from] motcua_files::FileError),
}

impl AppState {
    /// Connects, migrates, and loads (or creates once) the server secrets.
    pub fn prepare(config: Config) -> Result<AppState, StartError> {
        let db = Database::connect(&config.database_url, config.pool_size)?;
        db.migrate()?;
        let mut conn = db.get()?;
        let jwt_secret = match &config.jwt_secret {
            Some(s) => s.clone(),
            None => settings::get_or_init(&mut conn, "jwt_secret", || random_hex(32))?,
        };
        // The PIN key always lives in the database: every server must hash
        // PINs alike, and rotating the JWT secret must not void receipts.
        let pin_key = settings::get_or_init(&mut conn, "pin_key", || random_hex(32))?;
        let pin_key = hex::decode(pin_key).map_err(|_| StartError::Secret("pin_key"))?;
        let calendars = CalendarHandle::load(&mut conn, config.calendar.clone())?;
        drop(conn);
        let files = motcua_files::Storage::open(&config.files_url())?;
        Ok(AppState {
            files,
            db,
            calendars: Arc::new(calendars),
            pins: PinHasher::new(&pin_key),
            mail: DeskMail::new(&config.public_base_url),
            jwt: Arc::new(JwtKeys::new(
                jwt_secret.as_bytes(),
                config.token_ttl_seconds,
            )),
            config: Arc::new(config),
            stopping: Arc::new(std::sync::atomic::AtomicBool::new(false)),
            board_streams: Arc::new(std::sync::atomic::AtomicUsize::new(0)),
        })
    }

    /// The calendar in force.
    pub fn calendar(&self) -> Arc<WorkingCalendar> {
        self.calendars.current()
    }

    /// Working seconds left at or under which a dossier is due soon.
    pub fn due_soon_seconds(&self) -> i64 {
        self.config
            .due_soon_seconds
            .unwrap_or_else(|| i64::from(self.calendar().settings().office_hours.day_length()))
    }

    /// Runs blocking database work on the thread pool, taking the pooled
    /// connection inside the closure.
    pub async fn with_conn<T, F>(&self, f: F) -> Result<T, ApiError>
    where
        T: Send + 'static,
        F: FnOnce(&mut DbConnection) -> Result<T, ApiError> + Send + 'static,
    {
        let db = self.db.clone();
        let clock = self.config.clock.clone();
        actix_web::web::block(move || {
            clock.scope(|| {
                let mut conn = db.get()?;
                f(&mut conn)
            })
        })
        .await?
    }
}
