//! Handovers between agencies: each row is one line of the
//! process-control slip (phiếu kiểm soát quá trình giải quyết hồ sơ).

use chrono::{DateTime, Utc};
use diesel::prelude::*;

use crate::schema::handovers;
use crate::time::{from_db, to_db};
use crate::{DbConnection, StoreResult};
use motcua_domain::Status;

#[derive(Debug, Clone, PartialEq)]
pub struct Handover {
    pub id: String,
    pub dossier_id: String,
    pub seq: i32,
    pub from_step: i32,
    pub to_step: i32,
    pub from_agency: String,
    pub to_agency: String,
    /// forward, or back to an earlier step.
    pub direction: String,
    pub note: String,
    pub sent_by: String,
    pub sent_at: DateTime<Utc>,
    pub received_by: Option<String>,
    pub received_at: Option<DateTime<Utc>>,
    pub leg_started_at: DateTime<Utc>,
    pub leg_budget_seconds: i64,
    pub leg_used_seconds: i64,
    pub leg_verdict: String,
    /// The supervisor's repair this handover made (`reassign`,
    /// `step_back`), if it was one.
    pub repair: Option<String>,
    /// Recalled by a supervisor before it was acknowledged: it stays on
    /// the slip but no longer counts as a leg.
    pub recalled_by: Option<String>,
    pub recalled_at: Option<DateTime<Utc>>,
}

impl Handover {
    /// Whether the handover stands (was not recalled).
    pub fn stands(&self) -> bool {
        self.recalled_at.is_none()
    }
}

#[derive(Queryable, Selectable)]
#[diesel(table_name = handovers)]
struct Row {
    id: String,
    dossier_id: String,
    seq: i32,
    from_step: i32,
    to_step: i32,
    from_agency: String,
    to_agency: String,
    direction: String,
    note: String,
    sent_by: String,
    sent_at: chrono::NaiveDateTime,
    received_by: Option<String>,
    received_at: Option<chrono::NaiveDateTime>,
    leg_started_at: chrono::NaiveDateTime,
    leg_budget_seconds: i64,
    leg_used_seconds: i64,
    leg_verdict: String,
    repair: Option<String>,
    recalled_by: Option<String>,
    recalled_at: Option<chrono::NaiveDateTime>,
}

impl From<Row> for Handover {
    fn from(r: Row) -> Self {
        Handover {
            id: r.id,
            dossier_id: r.dossier_id,
            seq: r.seq,
            from_step: r.from_step,
            to_step: r.to_step,
            from_agency: r.from_agency,
            to_agency: r.to_agency,
            direction: r.direction,
            note: r.note,
            sent_by: r.sent_by,
            sent_at: from_db(r.sent_at),
            received_by: r.received_by,
            received_at: r.received_at.map(from_db),
            leg_started_at: from_db(r.leg_started_at),
            leg_budget_seconds: r.leg_budget_seconds,
            leg_used_seconds: r.leg_used_seconds,
            leg_verdict: r.leg_verdict,
            repair: r.repair,
            recalled_by: r.recalled_by,
            recalled_at: r.recalled_at.map(from_db),
        }
    }
}

pub fn insert(conn: &mut DbConnection, h: &Handover) -> StoreResult<()> {
    diesel::insert_into(handovers::table)
        .values((
            (
                handovers::id.eq(&h.id),
                handovers::dossier_id.eq(&h.dossier_id),
                handovers::seq.eq(h.seq),
                handovers::from_step.eq(h.from_step),
                handovers::to_step.eq(h.to_step),
                handovers::from_agency.eq(&h.from_agency),
                handovers::to_agency.eq(&h.to_agency),
                handovers::direction.eq(&h.direction),
                handovers::note.eq(&h.note),
            ),
            (
                handovers::sent_by.eq(&h.sent_by),
                handovers::sent_at.eq(to_db(h.sent_at)),
                handovers::leg_started_at.eq(to_db(h.leg_started_at)),
                handovers::leg_budget_seconds.eq(h.leg_budget_seconds),
                handovers::leg_used_seconds.eq(h.leg_used_seconds),
                handovers::leg_verdict.eq(&h.leg_verdict),
                handovers::repair.eq(h.repair.as_deref()),
            ),
        ))
        .execute(conn)?;
    Ok(())
}

/// A dossier's handovers, in order.
pub fn for_dossier(conn: &mut DbConnection, dossier_id: &str) -> StoreResult<Vec<Handover>> {
    Ok(handovers::table
        .filter(handovers::dossier_id.eq(dossier_id))
        .order(handovers::seq.asc())
        .select(Row::as_select())
        .load(conn)?
        .into_iter()
        .map(Handover::from)
        .collect())
}

pub fn acknowledge(
    conn: &mut DbConnection,
    id: &str,
    by: &str,
    at: DateTime<Utc>,
) -> StoreResult<()> {
    diesel::update(handovers::table.find(id))
        .set((
            handovers::received_by.eq(Some(by)),
            handovers::received_at.eq(Some(to_db(at))),
        ))
        .execute(conn)?;
    Ok(())
}

/// Recalls a handover not yet acknowledged: the row stays, marked.
pub fn recall(conn: &mut DbConnection, id: &str, by: &str, at: DateTime<Utc>) -> StoreResult<()> {
    diesel::update(
        handovers::table
            .find(id)
            .filter(handovers::received_at.is_null()),
    )
    .set((
        handovers::recalled_by.eq(Some(by)),
        handovers::recalled_at.eq(Some(to_db(at))),
    ))
    .execute(conn)?;
    Ok(())
}

/// Handovers not acknowledged since before `older_than`, to or from any
/// of `agencies` (empty: all), oldest first. A dossier whose path has
/// ended (refused, withdrawn, returned to the citizen, as a group's
/// members are with their group) needs no acknowledgement any more; a
/// result or a stop notice on its way back to the desk still does.
pub fn unacknowledged(
    conn: &mut DbConnection,
    agencies: &[String],
    older_than: DateTime<Utc>,
    limit: i64,
) -> StoreResult<Vec<(Handover, String)>> {
    use crate::schema::dossiers;
    let mut q = handovers::table
        .inner_join(dossiers::table.on(dossiers::id.eq(handovers::dossier_id)))
        .filter(handovers::received_at.is_null())
        .filter(handovers::recalled_at.is_null())
        .filter(handovers::sent_at.lt(to_db(older_than)))
        .filter(
            dossiers::status_code
                .ne_all([Status::Refused, Status::Withdrawn, Status::Returned].map(Status::code)),
        )
        .into_boxed();
    if !agencies.is_empty() {
        q = q.filter(
            handovers::from_agency
                .eq_any(agencies.to_vec())
                .or(handovers::to_agency.eq_any(agencies.to_vec())),
        );
    }
    Ok(q.order(handovers::sent_at.asc())
        .limit(limit)
        .select((Row::as_select(), dossiers::code))
        .load::<(Row, String)>(conn)?
        .into_iter()
        .map(|(r, code)| (Handover::from(r), code))
        .collect())
}
