//! What the results report reads: every dossier an agency handles that
//! matters to a period (received before its end, and not ended before its
//! start), one row each, with the few columns the report counts. The
//! counting itself is `motcua_reports`.
//!
//! Only dossiers that are handled themselves are read: an interlinked
//! group's parent is left out (its members are the dossiers the agencies
//! handle), so a group is never counted twice in a total.

use chrono::{DateTime, Utc};
use diesel::dsl::{exists, not};
use diesel::prelude::*;

use crate::schema::{clock_entries, dossiers, events, procedures, users};
use crate::time::{from_db, to_db};
use crate::{DbConnection, StoreResult};

/// One handled dossier as the report counts it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportDossier {
    pub handling_agency: String,
    pub procedure_code: String,
    pub procedure_name: String,
    /// The procedure's field (lĩnh vực) in the catalogue today.
    pub field: String,
    /// National channel code: 1 counter, 2 online, 3 post.
    pub channel: i32,
    pub status_code: i32,
    pub received_at: DateTime<Utc>,
    pub due_at: DateTime<Utc>,
    /// When processing ended (processed or stopped), with its verdict.
    pub ended_at: Option<DateTime<Utc>>,
    pub verdict: Option<String>,
    /// When the citizen withdrew it, if they did.
    pub withdrawn_at: Option<DateTime<Utc>>,
    pub supplement_requests: i32,
    pub extended: bool,
    /// Part of an interlinked group.
    pub member: bool,
    /// The officer assigned to it, if any: user id and full name.
    pub officer: Option<(String, String)>,
}

type Tuple = (
    String,
    String,
    String,
    Option<String>,
    i32,
    i32,
    chrono::NaiveDateTime,
    chrono::NaiveDateTime,
    Option<chrono::NaiveDateTime>,
    Option<String>,
    Option<chrono::NaiveDateTime>,
    i32,
    bool,
    Option<String>,
    Option<String>,
    Option<String>,
);

/// The dossiers handled by `agencies` that matter to `[from, to)`.
pub fn handled_in(
    conn: &mut DbConnection,
    agencies: &[String],
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> StoreResult<Vec<ReportDossier>> {
    let parts = diesel::alias!(dossiers as parts);
    let withdrawn_at = events::table
        .filter(events::dossier_id.eq(dossiers::id.nullable()))
        .filter(events::kind.eq("dossier.withdrawn"))
        .select(events::at)
        .order(events::id.asc())
        .limit(1)
        .single_value();
    let extended = exists(
        clock_entries::table
            .filter(clock_entries::dossier_id.eq(dossiers::id))
            .filter(clock_entries::kind.eq("extension")),
    );
    let officer_name = users::table
        .filter(users::id.nullable().eq(dossiers::assigned_to))
        .select(users::full_name)
        .single_value();
    let rows: Vec<Tuple> = dossiers::table
        .left_join(procedures::table.on(procedures::code.eq(dossiers::procedure_code)))
        .filter(dossiers::handling_agency_code.eq_any(agencies))
        .filter(dossiers::received_at.lt(to_db(to)))
        .filter(
            dossiers::ended_at
                .is_null()
                .or(dossiers::ended_at.ge(to_db(from))),
        )
        .filter(not(exists(
            parts
                .filter(parts.field(dossiers::parent_id).eq(dossiers::id.nullable()))
                .select(parts.field(dossiers::id)),
        )))
        .order(dossiers::received_at.asc())
        .select((
            dossiers::handling_agency_code,
            dossiers::procedure_code,
            dossiers::procedure_name,
            procedures::field.nullable(),
            dossiers::channel,
            dossiers::status_code,
            dossiers::received_at,
            dossiers::due_at,
            dossiers::ended_at,
            dossiers::verdict,
            withdrawn_at,
            dossiers::supplement_requests,
            extended,
            dossiers::parent_id,
            dossiers::assigned_to,
            officer_name,
        ))
        .load(conn)?;
    Ok(rows.into_iter().map(from_tuple).collect())
}

fn from_tuple(t: Tuple) -> ReportDossier {
    ReportDossier {
        handling_agency: t.0,
        procedure_code: t.1,
        procedure_name: t.2,
        field: t.3.unwrap_or_default(),
        channel: t.4,
        status_code: t.5,
        received_at: from_db(t.6),
        due_at: from_db(t.7),
        ended_at: t.8.map(from_db),
        verdict: t.9,
        withdrawn_at: t.10.map(from_db),
        supplement_requests: t.11,
        extended: t.12,
        member: t.13.is_some(),
        officer: t.14.map(|id| (id, t.15.unwrap_or_default())),
    }
}
