//! The events of reading a file: a download, and a file whose bytes are
//! missing or altered (never silent: an event on every dossier holding
//! it, and an error in the log).

use chrono::{DateTime, Utc};
use motcua_domain::EventKind;
use motcua_store::events::Actor;
use motcua_store::files::{self, Attachment};
use motcua_store::DbConnection;
use serde_json::json;

use crate::error::FileResult;

/// Records that `actor` downloaded a dossier's file.
pub fn record_download(
    conn: &mut DbConnection,
    a: &Attachment,
    actor: &Actor,
    now: DateTime<Utc>,
) -> FileResult<()> {
    crate::dossier_event::append(
        conn,
        &a.dossier_id,
        EventKind::FileDownloaded,
        actor,
        now,
        json!({
            "file_id": a.file.id,
            "name": a.file.name,
            "purpose": a.purpose,
            "document": a.document_code,
        }),
    )?;
    Ok(())
}

/// Records that a file failed its check, on every dossier holding it.
pub fn record_failure(
    conn: &mut DbConnection,
    file_id: &str,
    problem: &str,
    now: DateTime<Utc>,
) -> FileResult<()> {
    tracing::error!(
        file = file_id,
        problem,
        "a dossier file failed its integrity check"
    );
    let actor = Actor::system("integrity");
    conn.write_tx(|conn| {
        for dossier_id in files::holders_of(conn, file_id)? {
            crate::dossier_event::append(
                conn,
                &dossier_id,
                EventKind::FileIntegrityFailed,
                &actor,
                now,
                json!({ "file_id": file_id, "problem": problem }),
            )?;
        }
        Ok(())
    })
}
