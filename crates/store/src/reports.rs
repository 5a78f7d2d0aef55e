//! What the results report reads: every dossier an agency handles that
//! matters to a period (received before its end, and not ended before its
//! start), one row each, with the few columns the report counts. The
//! counting itself is `motcua_reports`.
//!
//! Only dossiers that are handled themselves are read: an interlinked
//! group's parent is left out (its members are the dossiers the agencies
//! handle), so a group is never counted twice in a total. A dossier handed
//! between agencies is read once, with its moves between agencies, so the
//! report can count each agency's own stay.

use chrono::{DateTime, Utc};
use diesel::dsl::exists;
use diesel::prelude::*;

use std::collections::HashMap;

use crate::schema::{clock_entries, dossiers, events, handovers, procedures, submissions, users};
use crate::time::{from_db, to_db};
use crate::{DbConnection, StoreResult};

/// One handled dossier as the report counts it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportDossier {
    pub id: String,
    /// Its dossier code (a group's members: the group's code and `-1`,
    /// `-2`...).
    pub code: String,
    /// The agency holding it now (or when it ended).
    pub handling_agency: String,
    /// The agency that held it first, from its receipt.
    pub first_agency: String,
    /// Its handovers that touch the agencies read, in order. Every move
    /// into or out of one of them is here, so a stay at any of them (or
    /// any set of them) can be told from these alone.
    pub moves: Vec<Move>,
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
    /// The interlinked group it is a member of (the group's id), if any.
    pub group: Option<String>,
    /// The officer assigned to it, if any: user id and full name.
    pub officer: Option<(String, String)>,
    /// How the fee asked for was paid (`online`, `counter`, `transfer`),
    /// once paid; `None` before payments recorded their channel.
    pub payment_channel: Option<String>,
}

/// One handover: the sender's leg ended, the receiver's began.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Move {
    pub from_agency: String,
    pub to_agency: String,
    pub at: DateTime<Utc>,
    /// The sender's leg against its share of the time: early, on_time or
    /// late.
    pub leg_verdict: String,
}

type Tuple = (
    String,
    Option<String>,
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
    Option<String>,
    String,
);

/// The report's read of dossiers received before `$to` and not ended
/// before `$from`, that `$which` keeps, with the columns it counts.
macro_rules! report_rows {
    ($from:expr, $to:expr, $which:expr) => {{
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
        let parents = diesel::alias!(dossiers as parents);
        let first_agency = handovers::table
            .filter(handovers::dossier_id.eq(dossiers::id))
            .filter(handovers::seq.eq(1))
            .select(handovers::from_agency)
            .single_value();
        dossiers::table
            .left_join(procedures::table.on(procedures::code.eq(dossiers::procedure_code)))
            .filter($which)
            .filter(dossiers::received_at.lt(to_db($to)))
            .filter(
                dossiers::ended_at
                    .is_null()
                    .or(dossiers::ended_at.ge(to_db($from))),
            )
            // Not an interlinked group's parent (its members are what
            // agencies handle). Uncorrelated, so each backend computes
            // the set once (a correlated NOT EXISTS made SQLite scan the
            // table for every row).
            .filter(
                dossiers::id.nullable().ne_all(
                    parents
                        .select(parents.field(dossiers::parent_id))
                        .filter(parents.field(dossiers::parent_id).is_not_null()),
                ),
            )
            .select((
                dossiers::id,
                first_agency,
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
                dossiers::payment_channel,
                dossiers::code,
            ))
    }};
}

/// The dossiers handled by `agencies` that matter to `[from, to)`: those
/// they hold, read by the `(handling_agency_code, received_at)` index,
/// and those held elsewhere that a handover of theirs touched, read from
/// the handovers' indexes (two reads, so each uses its index).
pub fn handled_in(
    conn: &mut DbConnection,
    agencies: &[String],
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> StoreResult<Vec<ReportDossier>> {
    let mut rows: Vec<Tuple> =
        report_rows!(from, to, dossiers::handling_agency_code.eq_any(agencies)).load(conn)?;
    // A dossier held outside the agencies concerns them only through a
    // handover across their boundary (in or out).
    let touched = handovers::table
        .filter(
            (handovers::from_agency
                .eq_any(agencies)
                .and(handovers::to_agency.ne_all(agencies)))
            .or(handovers::to_agency
                .eq_any(agencies)
                .and(handovers::from_agency.ne_all(agencies))),
        )
        .select(handovers::dossier_id);
    let elsewhere: Vec<Tuple> = report_rows!(
        from,
        to,
        dossiers::handling_agency_code
            .ne_all(agencies)
            .and(dossiers::id.eq_any(touched))
    )
    .load(conn)?;
    rows.extend(elsewhere);
    rows.sort_by_key(|r| r.8);
    let mut moves = moves_touching(conn, agencies, from, to)?;
    Ok(rows
        .into_iter()
        .map(|t| {
            let moves = moves.remove(&t.0).unwrap_or_default();
            from_tuple(t, moves)
        })
        .collect())
}

/// The handovers touching `agencies` of the dossiers that may matter to
/// `[from, to)`, by dossier, each dossier's in order.
fn moves_touching(
    conn: &mut DbConnection,
    agencies: &[String],
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> StoreResult<HashMap<String, Vec<Move>>> {
    let rows: Vec<(String, String, String, chrono::NaiveDateTime, String)> = handovers::table
        .inner_join(dossiers::table)
        .filter(
            handovers::from_agency
                .eq_any(agencies)
                .or(handovers::to_agency.eq_any(agencies)),
        )
        .filter(dossiers::received_at.lt(to_db(to)))
        .filter(
            dossiers::ended_at
                .is_null()
                .or(dossiers::ended_at.ge(to_db(from))),
        )
        .order((handovers::dossier_id.asc(), handovers::seq.asc()))
        .select((
            handovers::dossier_id,
            handovers::from_agency,
            handovers::to_agency,
            handovers::sent_at,
            handovers::leg_verdict,
        ))
        .load(conn)?;
    let mut by_dossier: HashMap<String, Vec<Move>> = HashMap::new();
    for (dossier, from_agency, to_agency, at, leg_verdict) in rows {
        by_dossier.entry(dossier).or_default().push(Move {
            from_agency,
            to_agency,
            at: from_db(at),
            leg_verdict,
        });
    }
    Ok(by_dossier)
}

fn from_tuple(t: Tuple, moves: Vec<Move>) -> ReportDossier {
    ReportDossier {
        first_agency: t.1.unwrap_or_else(|| t.2.clone()),
        id: t.0,
        handling_agency: t.2,
        moves,
        procedure_code: t.3,
        procedure_name: t.4,
        field: t.5.unwrap_or_default(),
        channel: t.6,
        status_code: t.7,
        received_at: from_db(t.8),
        due_at: from_db(t.9),
        ended_at: t.10.map(from_db),
        verdict: t.11,
        withdrawn_at: t.12.map(from_db),
        supplement_requests: t.13,
        extended: t.14,
        group: t.15,
        officer: t.16.map(|id| (id, t.17.unwrap_or_default())),
        payment_channel: t.18,
        code: t.19,
    }
}

/// An online submission the desk refused (status 3): never a dossier, but
/// counted by the report as a refusal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    pub agency: String,
    pub procedure_code: String,
    pub procedure_name: String,
    pub field: String,
    /// Who refused it: user id and full name.
    pub officer: Option<(String, String)>,
    pub at: DateTime<Utc>,
}

/// The submissions to `agencies` refused in `[from, to)`.
pub fn refused_in(
    conn: &mut DbConnection,
    agencies: &[String],
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> StoreResult<Vec<Refusal>> {
    let officer_name = users::table
        .filter(users::id.nullable().eq(submissions::decided_by))
        .select(users::full_name)
        .single_value();
    type Row = (
        String,
        String,
        Option<String>,
        Option<String>,
        Option<String>,
        Option<String>,
        Option<chrono::NaiveDateTime>,
    );
    let rows: Vec<Row> = submissions::table
        .left_join(procedures::table.on(procedures::code.eq(submissions::procedure_code)))
        .filter(submissions::agency_code.eq_any(agencies))
        .filter(submissions::status_code.eq(motcua_domain::Status::Refused.code()))
        .filter(submissions::decided_at.ge(to_db(from)))
        .filter(submissions::decided_at.lt(to_db(to)))
        .order(submissions::decided_at.asc())
        .select((
            submissions::agency_code,
            submissions::procedure_code,
            procedures::name.nullable(),
            procedures::field.nullable(),
            submissions::decided_by,
            officer_name,
            submissions::decided_at,
        ))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .filter_map(|(agency, code, name, field, by, by_name, at)| {
            Some(Refusal {
                agency,
                procedure_name: name.unwrap_or_else(|| code.clone()),
                procedure_code: code,
                field: field.unwrap_or_default(),
                officer: by.map(|id| (id, by_name.unwrap_or_default())),
                at: from_db(at?),
            })
        })
        .collect())
}
