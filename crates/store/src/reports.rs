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
use diesel::prelude::*;

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use crate::schema::{
    dossiers, events, extensions, feedback, handovers, procedures, ratings, submissions,
    supplement_requests, users,
};
use crate::time::{from_db, to_db};
use crate::{DbConnection, StoreResult};

/// One handled dossier as the report counts it. Serialised, it is what
/// the roll-up keeps of a dossier (`report_rollup_facts`): the labels
/// (names, the field, the holder now), which the roll-up does not count
/// by, and empty lists are left out of that.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReportDossier {
    pub id: String,
    /// Its dossier code (a group's members: the group's code and `-1`,
    /// `-2`...).
    pub code: String,
    /// The agency holding it now (or when it ended).
    #[serde(skip_serializing, default)]
    pub handling_agency: String,
    /// The agency that held it first, from its receipt.
    pub first_agency: String,
    /// Its handovers that touch the agencies read, in order. Every move
    /// into or out of one of them is here, so a stay at any of them (or
    /// any set of them) can be told from these alone.
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub moves: Vec<Move>,
    pub procedure_code: String,
    /// The procedure's name in the catalogue today (the name the dossier
    /// was received under when the procedure is gone from it).
    #[serde(skip_serializing, default)]
    pub procedure_name: String,
    /// The procedure's field (lĩnh vực) in the catalogue today.
    #[serde(skip_serializing, default)]
    pub field: String,
    /// The procedure's online service level in the catalogue today
    /// (`not_online` when it is gone from the catalogue).
    #[serde(skip_serializing, default)]
    pub service_level: String,
    /// The row of its case: the procedure's code and the case's
    /// (`1.009994/nong-thon`), or the procedure's code alone for a
    /// procedure without cases.
    #[serde(skip_serializing, default)]
    pub case_key: String,
    /// The name it was received under: the procedure's, with its case's.
    #[serde(skip_serializing, default)]
    pub case_label: String,
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
    /// Its supplement requests made in the period read, each with its
    /// number (1 for the dossier's first).
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub supplement_requests: Vec<(DateTime<Utc>, i32)>,
    /// When its appointment was extended, if it was in the period read.
    pub extended_at: Option<DateTime<Utc>>,
    /// A member of an interlinked group other than its first (by code):
    /// the group is received once, with its first member.
    pub follower: bool,
    /// The officer assigned to it, if any: user id and full name.
    pub officer: Option<(String, String)>,
    /// How the fee asked for was paid (`online`, `counter`, `transfer`),
    /// once paid; `None` before payments recorded their channel.
    pub payment_channel: Option<String>,
    /// When the fee was paid, with that channel.
    pub paid_at: Option<DateTime<Utc>>,
    /// The citizen's overall satisfaction (`very_satisfied`, `satisfied`,
    /// `not_satisfied`), once rated, whenever that was: a rating comes
    /// after the return, so it is counted with the dossier's handling.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub rating: Option<String>,
    /// Whether the citizen sent feedback about it that the agency
    /// accepted (a complaint, for the satisfaction measure).
    #[serde(skip_serializing_if = "std::ops::Not::not", default)]
    pub complained: bool,
    /// Filed through a representative (docs/representation.md).
    #[serde(skip_serializing_if = "std::ops::Not::not", default)]
    pub represented: bool,
    /// How its result went back (`counter`, `post`, `online`), once
    /// returned, whenever that was: counted with its handling, like the
    /// rating.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub return_method: Option<String>,
}

/// One handover: the sender's leg ended, the receiver's began.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
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
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    String,
    Option<String>,
    Option<chrono::NaiveDateTime>,
    Option<String>,
    bool,
    Option<String>,
    Option<String>,
    bool,
    Option<String>,
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
        let officer_name = users::table
            .filter(users::id.nullable().eq(dossiers::assigned_to))
            .select(users::full_name)
            .single_value();
        let rating = ratings::table
            .filter(ratings::dossier_id.eq(dossiers::id))
            .select(ratings::overall)
            .single_value();
        let complained = diesel::dsl::exists(
            feedback::table
                .filter(feedback::dossier_id.eq(dossiers::id.nullable()))
                .filter(feedback::decided_at.is_not_null())
                .filter(feedback::status.ne("refused")),
        );
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
                dossiers::parent_id,
                dossiers::assigned_to,
                officer_name,
                dossiers::payment_channel,
                dossiers::code,
                procedures::name.nullable(),
                dossiers::paid_at,
                rating,
                complained,
                procedures::service_level.nullable(),
                dossiers::case_code,
                dossiers::representative.is_not_null(),
                dossiers::return_method,
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
        .filter(handovers::recalled_at.is_null())
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
    let mut happened = happened_in(conn, from, to)?;
    happened.first_of_group = first_of_groups(conn, &rows)?;
    Ok(rows
        .into_iter()
        .map(|t| {
            let moves = moves.remove(&t.0).unwrap_or_default();
            from_tuple(t, moves, &mut happened)
        })
        .collect())
}

/// Dossiers by id as the report counts them over all time, with every
/// move, supplement request and extension: what the roll-up counts a
/// dossier from. An interlinked group's parent (never counted) and ids
/// that are no dossier are left out.
pub fn whole(conn: &mut DbConnection, ids: &[String]) -> StoreResult<Vec<ReportDossier>> {
    let from = DateTime::<Utc>::from_naive_utc_and_offset(
        chrono::NaiveDate::from_ymd_opt(1900, 1, 1)
            .unwrap_or_default()
            .and_time(chrono::NaiveTime::MIN),
        Utc,
    );
    let to = from + chrono::Duration::days(365 * 8000);
    let mut out = Vec::with_capacity(ids.len());
    // Bounded lists keep each statement's parameters few.
    for chunk in ids.chunks(500) {
        let rows: Vec<Tuple> = report_rows!(from, to, dossiers::id.eq_any(chunk)).load(conn)?;
        let mut by_dossier = by_dossier(
            handovers::table
                .filter(handovers::dossier_id.eq_any(chunk))
                .filter(handovers::recalled_at.is_null())
                .order((handovers::dossier_id.asc(), handovers::seq.asc()))
                .select(MOVE_COLUMNS)
                .load(conn)?,
        );
        let requests: Vec<(String, chrono::NaiveDateTime, i32)> = supplement_requests::table
            .filter(supplement_requests::dossier_id.eq_any(chunk))
            .order((
                supplement_requests::dossier_id.asc(),
                supplement_requests::number.asc(),
            ))
            .select((
                supplement_requests::dossier_id,
                supplement_requests::requested_at,
                supplement_requests::number,
            ))
            .load(conn)?;
        let extended: Vec<(String, chrono::NaiveDateTime)> = extensions::table
            .filter(extensions::dossier_id.eq_any(chunk))
            .select((extensions::dossier_id, extensions::requested_at))
            .load(conn)?;
        let mut happened = Happened::of(requests, extended);
        happened.first_of_group = first_of_groups(conn, &rows)?;
        out.extend(rows.into_iter().map(|t| {
            let moves = by_dossier.remove(&t.0).unwrap_or_default();
            from_tuple(t, moves, &mut happened)
        }));
    }
    Ok(out)
}

/// What the report counts when it happened: the supplement requests and
/// extensions made in a period, by dossier.
#[derive(Debug, Default)]
struct Happened {
    requests: HashMap<String, Vec<(DateTime<Utc>, i32)>>,
    extensions: HashMap<String, DateTime<Utc>>,
    /// The first member's code of each interlinked group read.
    first_of_group: HashMap<String, String>,
}

impl Happened {
    /// From the requests (dossier, when, number) and extensions
    /// (dossier, when) read.
    fn of(
        requests: Vec<(String, chrono::NaiveDateTime, i32)>,
        extended: Vec<(String, chrono::NaiveDateTime)>,
    ) -> Happened {
        let mut happened = Happened::default();
        for (dossier, at, number) in requests {
            let list = happened.requests.entry(dossier).or_default();
            list.push((from_db(at), number));
        }
        for (dossier, at) in extended {
            happened.extensions.insert(dossier, from_db(at));
        }
        happened
    }
}

/// The first member's code (the smallest) of each group whose members are
/// among `rows`. Read apart, by the groups' ids: a correlated `MIN(code)`
/// made SQLite walk the code index for every dossier.
fn first_of_groups(
    conn: &mut DbConnection,
    rows: &[Tuple],
) -> StoreResult<HashMap<String, String>> {
    let mut groups: Vec<String> = rows.iter().filter_map(|t| t.13.clone()).collect();
    groups.sort();
    groups.dedup();
    let mut out = HashMap::new();
    for chunk in groups.chunks(500) {
        let found: Vec<(Option<String>, Option<String>)> = dossiers::table
            .filter(dossiers::parent_id.eq_any(chunk))
            .group_by(dossiers::parent_id)
            .select((dossiers::parent_id, diesel::dsl::min(dossiers::code)))
            .load(conn)?;
        out.extend(found.into_iter().filter_map(|(g, c)| Some((g?, c?))));
    }
    Ok(out)
}

/// The supplement requests and extensions made in `[from, to)` (on any
/// dossier: those the report does not read are dropped with the map).
fn happened_in(
    conn: &mut DbConnection,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> StoreResult<Happened> {
    let requests: Vec<(String, chrono::NaiveDateTime, i32)> = supplement_requests::table
        .filter(supplement_requests::requested_at.ge(to_db(from)))
        .filter(supplement_requests::requested_at.lt(to_db(to)))
        .order((
            supplement_requests::dossier_id.asc(),
            supplement_requests::number.asc(),
        ))
        .select((
            supplement_requests::dossier_id,
            supplement_requests::requested_at,
            supplement_requests::number,
        ))
        .load(conn)?;
    let extended: Vec<(String, chrono::NaiveDateTime)> = extensions::table
        .filter(extensions::requested_at.ge(to_db(from)))
        .filter(extensions::requested_at.lt(to_db(to)))
        .select((extensions::dossier_id, extensions::requested_at))
        .load(conn)?;
    Ok(Happened::of(requests, extended))
}

/// The handovers touching `agencies` of the dossiers that may matter to
/// `[from, to)`, by dossier, each dossier's in order.
fn moves_touching(
    conn: &mut DbConnection,
    agencies: &[String],
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> StoreResult<HashMap<String, Vec<Move>>> {
    let rows: Vec<MoveRow> = handovers::table
        .inner_join(dossiers::table)
        .filter(
            handovers::from_agency
                .eq_any(agencies)
                .or(handovers::to_agency.eq_any(agencies)),
        )
        .filter(handovers::recalled_at.is_null())
        .filter(dossiers::received_at.lt(to_db(to)))
        .filter(
            dossiers::ended_at
                .is_null()
                .or(dossiers::ended_at.ge(to_db(from))),
        )
        .order((handovers::dossier_id.asc(), handovers::seq.asc()))
        .select(MOVE_COLUMNS)
        .load(conn)?;
    Ok(by_dossier(rows))
}

/// A handover as read: dossier, from, to, when, the leg's verdict.
type MoveRow = (String, String, String, chrono::NaiveDateTime, String);

const MOVE_COLUMNS: (
    handovers::dossier_id,
    handovers::from_agency,
    handovers::to_agency,
    handovers::sent_at,
    handovers::leg_verdict,
) = (
    handovers::dossier_id,
    handovers::from_agency,
    handovers::to_agency,
    handovers::sent_at,
    handovers::leg_verdict,
);

/// Handovers by dossier, in the order read.
fn by_dossier(rows: Vec<MoveRow>) -> HashMap<String, Vec<Move>> {
    let mut out: HashMap<String, Vec<Move>> = HashMap::new();
    for (dossier, from_agency, to_agency, at, leg_verdict) in rows {
        out.entry(dossier).or_default().push(Move {
            from_agency,
            to_agency,
            at: from_db(at),
            leg_verdict,
        });
    }
    out
}

fn from_tuple(t: Tuple, moves: Vec<Move>, happened: &mut Happened) -> ReportDossier {
    ReportDossier {
        first_agency: t.1.unwrap_or_else(|| t.2.clone()),
        handling_agency: t.2,
        moves,
        case_key: match &t.23 {
            Some(case) => format!("{}/{case}", t.3),
            None => t.3.clone(),
        },
        case_label: t.4.clone(),
        procedure_code: t.3,
        procedure_name: t.18.unwrap_or(t.4),
        field: t.5.unwrap_or_default(),
        service_level: t.22.unwrap_or_else(not_online),
        channel: t.6,
        status_code: t.7,
        received_at: from_db(t.8),
        due_at: from_db(t.9),
        ended_at: t.10.map(from_db),
        verdict: t.11,
        withdrawn_at: t.12.map(from_db),
        follower: t
            .13
            .as_ref()
            .and_then(|group| happened.first_of_group.get(group))
            .is_some_and(|first| t.17 > *first),
        officer: t.14.map(|id| (id, t.15.unwrap_or_default())),
        payment_channel: t.16,
        paid_at: t.19.map(from_db),
        rating: t.20,
        complained: t.21,
        represented: t.24,
        return_method: t.25,
        code: t.17,
        supplement_requests: happened.requests.remove(&t.0).unwrap_or_default(),
        extended_at: happened.extensions.remove(&t.0),
        id: t.0,
    }
}

/// The level a procedure gone from the catalogue is counted at.
fn not_online() -> String {
    motcua_domain::ServiceLevel::NotOnline.as_str().to_string()
}

/// An online submission the desk refused (status 3): never a dossier, but
/// counted by the report as a refusal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    pub agency: String,
    pub procedure_code: String,
    pub procedure_name: String,
    pub field: String,
    /// The procedure's service level in the catalogue today.
    pub service_level: String,
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
        Option<String>,
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
            procedures::service_level.nullable(),
        ))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .filter_map(|(agency, code, name, field, by, by_name, at, level)| {
            Some(Refusal {
                agency,
                procedure_name: name.unwrap_or_else(|| code.clone()),
                procedure_code: code,
                field: field.unwrap_or_default(),
                service_level: level.unwrap_or_else(not_online),
                officer: by.map(|id| (id, by_name.unwrap_or_default())),
                at: from_db(at?),
            })
        })
        .collect())
}
