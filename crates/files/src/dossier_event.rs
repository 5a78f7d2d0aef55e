//! The one shape of every file event: on the dossier the file concerns.

use chrono::{DateTime, Utc};
use motcua_domain::EventKind;
use motcua_store::events::{self, Actor, NewEvent};
use motcua_store::{DbConnection, StoreResult};

/// Appends `kind` with `data` to dossier `dossier_id`'s history.
pub(crate) fn append(
    conn: &mut DbConnection,
    dossier_id: &str,
    kind: EventKind,
    actor: &Actor,
    at: DateTime<Utc>,
    data: serde_json::Value,
) -> StoreResult<()> {
    events::append(
        conn,
        &NewEvent {
            subject_type: "dossier",
            subject_id: dossier_id,
            dossier_id: Some(dossier_id),
            kind,
            actor,
            at,
            data,
        },
    )
}
