//! Keeping files for their retention period, then removing them. A file
//! is kept while any dossier holding it is still open; once every holder
//! is over (returned, or ended without a result), it is kept for the
//! longest retention of their procedures (default 5 years) after the last
//! of them ended, then its bytes are deleted. The record stays, marked
//! `removed` with the time, and each holder's history gets a
//! `file.removed` event: what was removed is always on record.

use std::collections::HashMap;

use chrono::{DateTime, Months, Utc};
use motcua_domain::EventKind;
use motcua_store::events::Actor;
use motcua_store::files::{self, FilePolicy, Holder};
use motcua_store::DbConnection;
use serde_json::json;

use crate::error::FileResult;

/// A file whose retention ran out, and the dossiers holding it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Expired {
    pub file_id: String,
    pub holders: Vec<Holder>,
    pub keep_until: DateTime<Utc>,
}

/// The files after `after` (by id, one page of `limit` looked at) whose
/// retention ran out at `now`, and where to go on from (`None`: done).
pub fn expired(
    conn: &mut DbConnection,
    now: DateTime<Utc>,
    after: &str,
    limit: i64,
) -> FileResult<(Vec<Expired>, Option<String>)> {
    let (holders, next) = files::held_only_by_closed(conn, after, limit)?;
    let mut policies: HashMap<String, FilePolicy> = HashMap::new();
    let mut by_file: HashMap<String, Vec<Holder>> = HashMap::new();
    for h in holders {
        if !policies.contains_key(&h.procedure_code) {
            let p = files::policy(conn, &h.procedure_code)?;
            policies.insert(h.procedure_code.clone(), p);
        }
        by_file.entry(h.file_id.clone()).or_default().push(h);
    }
    let mut out = Vec::new();
    for (file_id, holders) in by_file {
        let keep_until = holders
            .iter()
            .map(|h| {
                let years = policies
                    .get(&h.procedure_code)
                    .map_or(5, |p| p.retention_years);
                let months = u32::try_from(years.max(1)).unwrap_or(5) * 12;
                h.over_at
                    .checked_add_months(Months::new(months))
                    .unwrap_or(DateTime::<Utc>::MAX_UTC)
            })
            .max()
            .unwrap_or(DateTime::<Utc>::MAX_UTC);
        if keep_until <= now {
            out.push(Expired {
                file_id,
                holders,
                keep_until,
            });
        }
    }
    out.sort_by(|a, b| a.file_id.cmp(&b.file_id));
    Ok((out, next))
}

/// Marks an expired file removed, with an event on each holder, in one
/// transaction; `false` when it was no longer stored. The caller deletes
/// the bytes after this commits: a record may say removed while the
/// bytes linger (and are deleted again), never the reverse.
pub fn mark_removed(conn: &mut DbConnection, e: &Expired, now: DateTime<Utc>) -> FileResult<bool> {
    conn.write_tx(|conn| {
        if !files::mark_removed(conn, &e.file_id, now)? {
            return Ok(false);
        }
        let actor = Actor::system("retention");
        for h in &e.holders {
            crate::dossier_event::append(
                conn,
                &h.dossier_id,
                EventKind::FileRemoved,
                &actor,
                now,
                json!({
                    "file_id": e.file_id,
                    "kept_until": e.keep_until,
                    "reason": "retention period over",
                }),
            )?;
        }
        Ok(true)
    })
}
