//! A dossier's digitisation as the service index counts it: every
//! required component held as a file (at least one file, and one on each
//! document line the procedure does not mark optional), and an electronic
//! result. Recomputed by every attachment, in its transaction.

use chrono::{DateTime, Utc};
use motcua_domain::{Dossier, Procedure};
use motcua_store::files;
use motcua_store::DbConnection;

use crate::error::FileResult;

/// Recomputes and writes the dossier's digitisation.
pub fn refresh(
    conn: &mut DbConnection,
    d: &Dossier,
    p: &Procedure,
    now: DateTime<Utc>,
) -> FileResult<()> {
    let held = files::of_dossier(conn, &d.id)?;
    let lines: Vec<&str> = held
        .iter()
        .filter(|a| a.purpose == "component")
        .filter_map(|a| a.document_code.as_deref())
        .collect();
    let complete = !lines.is_empty()
        && p.required_documents
            .iter()
            .filter(|r| !r.optional)
            .all(|r| lines.contains(&r.code.as_str()));
    let result = held.iter().any(|a| a.purpose == "result");
    files::set_digitisation(conn, &d.id, complete, result, now)?;
    Ok(())
}
