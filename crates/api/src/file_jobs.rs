//! The file job inside `motcua serve`: every
//! [`Config::files_interval_seconds`](crate::Config) it sweeps the uploads
//! that never committed (their pending rows past their time, and their
//! bytes), then removes the files whose retention ran out
//! (`motcua_files::retention`). Both are safe on several servers at once:
//! each removal is decided by a conditional update of the file's row.

use std::time::Duration;

use motcua_files::retention;
use motcua_store::files;
use motcua_store::time;
use serde::Serialize;
use utoipa::ToSchema;

use crate::error::ApiError;
use crate::state::AppState;

/// Rows looked at per read.
const PAGE: i64 = 500;

/// What one run did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, ToSchema)]
pub struct FilesHousekept {
    /// Uploads that never committed, whose bytes and rows were removed.
    pub swept: u64,
    /// Files removed after their retention period.
    pub removed: u64,
}

/// Removes the bytes and rows of uploads whose time ran out.
pub async fn sweep(state: &AppState) -> Result<u64, ApiError> {
    let mut swept = 0;
    loop {
        let now = time::now();
        let ids = state
            .with_conn(move |conn| Ok(files::expired_pending(conn, now, PAGE)?))
            .await?;
        let full = ids.len() as i64 == PAGE;
        for id in ids {
            state.files.delete(&id).await?;
            let forget = id.clone();
            state
                .with_conn(move |conn| Ok(files::forget_pending(conn, &forget)?))
                .await?;
            tracing::info!(file = %id, "swept the bytes of an upload that never committed");
            swept += 1;
        }
        if !full {
            return Ok(swept);
        }
    }
}

/// Removes the files whose retention ran out: recorded first (with an
/// event on each dossier), then the bytes deleted.
pub async fn remove_expired(state: &AppState) -> Result<u64, ApiError> {
    let mut removed = 0;
    let mut after = String::new();
    loop {
        let now = time::now();
        let from = after.clone();
        let (expired, next) = state
            .with_conn(move |conn| Ok(retention::expired(conn, now, &from, PAGE)?))
            .await?;
        for e in expired {
            let id = e.file_id.clone();
            let marked = state
                .with_conn(move |conn| Ok(retention::mark_removed(conn, &e, now)?))
                .await?;
            if marked {
                if let Err(err) = state.files.delete(&id).await {
                    tracing::warn!(file = %id, error = %err, "a removed file's bytes could not be deleted");
                }
                removed += 1;
            }
        }
        match next {
            Some(n) => after = n,
            None => return Ok(removed),
        }
    }
}

/// One run of the job.
pub async fn run_once(state: &AppState) -> Result<FilesHousekept, ApiError> {
    let swept = sweep(state).await?;
    let removed = remove_expired(state).await?;
    Ok(FilesHousekept { swept, removed })
}

/// Starts the job on the current actix runtime; returns at once. An
/// interval of zero seconds disables it.
pub fn spawn(state: AppState) {
    let seconds = state.config.files_interval_seconds;
    if seconds == 0 {
        return;
    }
    actix_web::rt::spawn(async move {
        let mut tick = actix_web::rt::time::interval(Duration::from_secs(seconds));
        loop {
            tick.tick().await;
            if state.stopping.load(std::sync::atomic::Ordering::Relaxed) {
                return;
            }
            match run_once(&state).await {
                Ok(done) if done != FilesHousekept::default() => {
                    tracing::info!(swept = done.swept, removed = done.removed, "file job")
                }
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %e, "file job failed"),
            }
        }
    });
}
