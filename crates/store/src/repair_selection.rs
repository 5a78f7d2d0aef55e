//! The dossiers a supervisor's bulk move selects (docs/repairs.md, Bulk
//! moves): open dossiers held by one agency, narrowed by status,
//! procedure, officer or a list of codes, in code order.

use diesel::prelude::*;
use motcua_domain::Status;

use crate::schema::dossiers;
use crate::{DbConnection, StoreResult};

/// What a bulk move selects.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Selection {
    /// The agency holding the dossiers.
    pub agency: String,
    pub status: Option<Status>,
    pub procedure: Option<String>,
    /// The id of the officer they are assigned to.
    pub assigned_to: Option<String>,
    /// Only these codes (empty: any).
    pub codes: Vec<String>,
}

/// The codes of the open dossiers `selection` matches, at most `limit`.
pub fn codes(
    conn: &mut DbConnection,
    selection: &Selection,
    limit: i64,
) -> StoreResult<Vec<String>> {
    let open: Vec<i32> = Status::ALL
        .iter()
        .filter(|s| s.is_open())
        .map(|s| s.code())
        .collect();
    let mut q = dossiers::table
        .filter(dossiers::handling_agency_code.eq(&selection.agency))
        .filter(dossiers::status_code.eq_any(open))
        .into_boxed();
    if let Some(status) = selection.status {
        q = q.filter(dossiers::status_code.eq(status.code()));
    }
    if let Some(p) = &selection.procedure {
        q = q.filter(dossiers::procedure_code.eq(p));
    }
    if let Some(u) = &selection.assigned_to {
        q = q.filter(dossiers::assigned_to.eq(u));
    }
    if !selection.codes.is_empty() {
        q = q.filter(dossiers::code.eq_any(selection.codes.clone()));
    }
    Ok(q.order(dossiers::code.asc())
        .limit(limit)
        .select(dossiers::code)
        .load(conn)?)
}
