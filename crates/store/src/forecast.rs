//! What the lateness forecast reads and keeps: the working time finished
//! legs took (handed on, or ended), the histograms built from them
//! (`step_times`), and where each open dossier stands. The model itself is
//! `motcua_reports::forecast`.

use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;

use crate::schema::{dossiers, handovers, step_times};
use crate::time::{from_db, to_db};
use crate::{DbConnection, StoreResult};

/// A leg handed on: its step and who sent it, with the working seconds it
/// used (measured when it was sent).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HandedLeg {
    pub procedure_code: String,
    pub step: i32,
    pub officer: String,
    pub seconds: i64,
}

/// The handovers sent since `since`.
pub fn handed_legs(conn: &mut DbConnection, since: DateTime<Utc>) -> StoreResult<Vec<HandedLeg>> {
    let rows: Vec<(String, i32, String, i64)> = handovers::table
        .inner_join(dossiers::table)
        .filter(handovers::sent_at.ge(to_db(since)))
        .filter(handovers::recalled_at.is_null())
        .select((
            dossiers::procedure_code,
            handovers::from_step,
            handovers::sent_by,
            handovers::leg_used_seconds,
        ))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(procedure_code, step, officer, seconds)| HandedLeg {
            procedure_code,
            step,
            officer,
            seconds,
        })
        .collect())
}

/// Where a dossier stands (open) or stood when it ended: its step, its
/// officer, and when its current leg began.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LegState {
    pub code: String,
    pub procedure_code: String,
    pub procedure_name: String,
    pub handling_agency: String,
    pub status_code: i32,
    pub step: i32,
    pub officer: Option<String>,
    pub leg_started_at: DateTime<Utc>,
    pub due_at: DateTime<Utc>,
    pub paused: bool,
    pub ended_at: Option<DateTime<Utc>>,
}

type StateRow = (
    String,
    String,
    String,
    String,
    i32,
    i32,
    Option<String>,
    NaiveDateTime,
    Option<NaiveDateTime>,
    Option<NaiveDateTime>,
    NaiveDateTime,
    Option<NaiveDateTime>,
    Option<NaiveDateTime>,
);

macro_rules! leg_states {
    () => {{
        let parents = diesel::alias!(dossiers as parents);
        let last = diesel::alias!(handovers as last);
        let last_received = last
            .filter(last.field(handovers::dossier_id).eq(dossiers::id))
            .filter(last.field(handovers::recalled_at).is_null())
            .order(last.field(handovers::seq).desc())
            .select(last.field(handovers::received_at))
            .limit(1)
            .single_value();
        let last_sent = handovers::table
            .filter(handovers::dossier_id.eq(dossiers::id))
            .filter(handovers::recalled_at.is_null())
            .order(handovers::seq.desc())
            .select(handovers::sent_at.nullable())
            .limit(1)
            .single_value();
        dossiers::table
            // Not an interlinked group's parent (its members are what
            // agencies handle); uncorrelated, computed once.
            .filter(
                dossiers::id.nullable().ne_all(
                    parents
                        .select(parents.field(dossiers::parent_id))
                        .filter(parents.field(dossiers::parent_id).is_not_null()),
                ),
            )
            .select((
                dossiers::code,
                dossiers::procedure_code,
                dossiers::procedure_name,
                dossiers::handling_agency_code,
                dossiers::status_code,
                dossiers::current_step,
                dossiers::assigned_to,
                dossiers::received_at,
                last_received.nullable(),
                last_sent,
                dossiers::due_at,
                dossiers::paused_since,
                dossiers::ended_at,
            ))
    }};
}

fn state(r: StateRow) -> LegState {
    let started = r.8.or(r.9).unwrap_or(r.7);
    LegState {
        code: r.0,
        procedure_code: r.1,
        procedure_name: r.2,
        handling_agency: r.3,
        status_code: r.4,
        step: r.5,
        officer: r.6,
        leg_started_at: from_db(started),
        due_at: from_db(r.10),
        paused: r.11.is_some(),
        ended_at: r.12.map(from_db),
    }
}

/// Dossiers whose processing ended (processed or stopped) since `since`,
/// with their last leg.
pub fn ended_since(conn: &mut DbConnection, since: DateTime<Utc>) -> StoreResult<Vec<LegState>> {
    let rows: Vec<StateRow> = leg_states!()
        .filter(dossiers::ended_at.ge(to_db(since)))
        .load(conn)?;
    Ok(rows.into_iter().map(state).collect())
}

/// The statuses of a dossier still being handled.
const OPEN: [i32; 4] = [2, 4, 5, 6];

/// The dossiers being handled by `agencies`.
pub fn open_in(conn: &mut DbConnection, agencies: &[String]) -> StoreResult<Vec<LegState>> {
    let rows: Vec<StateRow> = leg_states!()
        .filter(dossiers::handling_agency_code.eq_any(agencies))
        .filter(dossiers::status_code.eq_any(OPEN))
        .filter(dossiers::ended_at.is_null())
        .load(conn)?;
    Ok(rows.into_iter().map(state).collect())
}

/// The dossiers named, those still being handled.
pub fn open_by_codes(conn: &mut DbConnection, codes: &[String]) -> StoreResult<Vec<LegState>> {
    let rows: Vec<StateRow> = leg_states!()
        .filter(dossiers::code.eq_any(codes))
        .filter(dossiers::status_code.eq_any(OPEN))
        .filter(dossiers::ended_at.is_null())
        .load(conn)?;
    Ok(rows.into_iter().map(state).collect())
}

/// One stored histogram.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StepTimes {
    pub procedure_code: String,
    pub step: i32,
    /// A user id, or "" for everyone.
    pub officer: String,
    pub bins: Vec<u32>,
}

/// Replaces every histogram with `all`, in one transaction.
pub fn replace_all(
    conn: &mut DbConnection,
    all: &[StepTimes],
    at: DateTime<Utc>,
) -> StoreResult<()> {
    conn.write_tx(|conn| -> StoreResult<()> {
        diesel::delete(step_times::table).execute(conn)?;
        for s in all {
            let samples: u32 = s.bins.iter().sum();
            diesel::insert_into(step_times::table)
                .values((
                    step_times::procedure_code.eq(&s.procedure_code),
                    step_times::step.eq(s.step),
                    step_times::officer.eq(&s.officer),
                    step_times::bins.eq(serde_json::to_string(&s.bins)?),
                    step_times::samples.eq(i32::try_from(samples).unwrap_or(i32::MAX)),
                    step_times::updated_at.eq(to_db(at)),
                ))
                .execute(conn)?;
        }
        Ok(())
    })
}

/// The histograms of `procedures`.
pub fn for_procedures(
    conn: &mut DbConnection,
    procedures: &[String],
) -> StoreResult<Vec<StepTimes>> {
    let rows: Vec<(String, i32, String, String)> = step_times::table
        .filter(step_times::procedure_code.eq_any(procedures))
        .select((
            step_times::procedure_code,
            step_times::step,
            step_times::officer,
            step_times::bins,
        ))
        .load(conn)?;
    rows.into_iter()
        .map(|(procedure_code, step, officer, bins)| {
            Ok(StepTimes {
                procedure_code,
                step,
                officer,
                bins: serde_json::from_str(&bins)?,
            })
        })
        .collect()
}

/// When the histograms were last rebuilt, if ever.
pub fn rebuilt_at(conn: &mut DbConnection) -> StoreResult<Option<DateTime<Utc>>> {
    let at: Option<NaiveDateTime> = step_times::table
        .select(diesel::dsl::max(step_times::updated_at))
        .get_result(conn)?;
    Ok(at.map(from_db))
}
