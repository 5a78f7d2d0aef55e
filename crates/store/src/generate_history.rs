//! A generator of a province's history for the reports' benchmarks: on
//! the agencies of [`crate::generate::prepare`], ten procedures in five
//! fields, two officers per agency, and `n` dossiers received over the two
//! years before `now`: most ended (processed early, on time or late,
//! returned, stopped, withdrawn), the last weeks' still open, one in five
//! handed to a neighbouring agency, with channels, supplement requests,
//! assigned officers and payments. Deterministic (a hash of the dossier's
//! number), inserted in batches inside transactions. Not used by the
//! server.

use chrono::{DateTime, Duration, Utc};
use diesel::prelude::*;
use motcua_domain::{
    AgencyCode, Procedure, ProcedureCode, Role, StatutoryDuration, SupplementPolicy,
};

use crate::generate::{agency_code, USER_ID};
use crate::schema::{dossiers, events, handovers};
use crate::time::to_db;
use crate::users::User;
use crate::{each_backend, procedures, users, DbConnection, StoreError, StoreResult};

/// How many procedures and officers per agency the history uses.
pub const PROCEDURES: usize = 10;
pub const OFFICERS_PER_AGENCY: usize = 2;

/// The code of generated procedure `p`.
pub fn procedure_code(p: usize) -> String {
    format!("GEN.P{:02}", p + 1)
}

/// The id of generated officer `k` of agency `agency`.
pub fn officer_id(agency: usize, k: usize) -> String {
    format!("00000000-0000-7000-8100-{:06}{:06}", agency, k)
}

/// The procedures and officers the history refers to, once (after
/// [`crate::generate::prepare`]).
pub fn prepare(conn: &mut DbConnection, agency_count: usize) -> StoreResult<()> {
    if procedures::get(conn, &procedure_code(0))?.is_some() {
        return Ok(());
    }
    let agency = |i: usize| AgencyCode::parse(&agency_code(i)).map_err(StoreError::from);
    conn.write_tx(|conn| {
        for p in 0..PROCEDURES {
            procedures::insert(
                conn,
                &Procedure {
                    code: ProcedureCode::parse(&procedure_code(p)).map_err(StoreError::from)?,
                    version: 1,
                    name: format!("Thủ tục thử tải {}", p + 1),
                    field: format!("Lĩnh vực {}", p % 5 + 1),
                    agency: agency(0)?,
                    duration: StatutoryDuration::working_days(3 + (p as u32 % 5) * 3),
                    fee_vnd: 0,
                    fee_note: String::new(),
                    required_documents: Vec::new(),
                    legal_basis: String::new(),
                    result: String::new(),
                    service_level: motcua_domain::ServiceLevel::PartlyOnline,
                    supplement_policy: SupplementPolicy::Pause,
                    steps: Vec::new(),
                    members: Vec::new(),
                    compliance: None,
                    cases: Vec::new(),
                    representation_allowed: true,
                    any_desk: false,
                },
            )?;
        }
        for a in 0..agency_count {
            for k in 0..OFFICERS_PER_AGENCY {
                users::insert(
                    conn,
                    &User {
                        id: officer_id(a, k),
                        username: format!("gen.officer.{a}.{k}"),
                        full_name: format!("Cán bộ {a}.{k}"),
                        role: Role::Officer,
                        agency: agency(a)?,
                        email: None,
                        active: false,
                    },
                    "!",
                )?;
            }
        }
        Ok(())
    })
}

/// A 64-bit hash of `i` and a salt: the generator's only source of chance.
fn hash(i: usize, salt: u64) -> u64 {
    let mut x = (i as u64) ^ salt.wrapping_mul(0x9E37_79B9_7F4A_7C15);
    x = (x ^ (x >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    x ^ (x >> 31)
}

/// Inserts dossiers `from..to` of `n`, received evenly over the two years
/// before `now`.
pub fn dossiers(
    conn: &mut DbConnection,
    agency_count: usize,
    from: usize,
    to: usize,
    n: usize,
    now: DateTime<Utc>,
) -> StoreResult<()> {
    const BATCH: usize = 500;
    const SPAN_SECONDS: i64 = 730 * 86_400;
    let mut start = from;
    while start < to {
        let end = (start + BATCH).min(to);
        conn.write_tx(|conn| -> StoreResult<()> {
            let mut rows = Vec::with_capacity(end - start);
            let mut moves = Vec::new();
            let mut withdrawals = Vec::new();
            for i in start..end {
                let h = |salt| hash(i, salt);
                let a = i % agency_count;
                let p = (h(1) % PROCEDURES as u64) as usize;
                let limit_days = 3 + (p as i64 % 5) * 3;
                let received = now - Duration::seconds(SPAN_SECONDS)
                    + Duration::seconds(SPAN_SECONDS * i as i64 / n.max(1) as i64)
                    + Duration::seconds((h(2) % 28_800) as i64);
                // Working days to calendar days, roughly.
                let due = received + Duration::hours(limit_days * 34);
                let channel = match h(3) % 20 {
                    0 => 3,
                    1..=7 => 2,
                    _ => 1,
                };
                // Early, on time or late, and when it ended.
                let (verdict, ended) = match h(4) % 20 {
                    0..=5 => ("early", due - Duration::hours(24 + (h(5) % 48) as i64)),
                    6..=16 => ("on_time", due - Duration::hours((h(5) % 20) as i64)),
                    _ => ("late", due + Duration::hours(2 + (h(5) % 120) as i64)),
                };
                let fate = h(6) % 50;
                let open = ended > now;
                let (status, ended_at, verdict) = match (open, fate) {
                    (true, _) => (if h(7) % 3 == 0 { 4 } else { 2 }, None, None),
                    (false, 0) => (7, None, None),
                    (false, 1) => (8, Some(ended), Some(verdict)),
                    (false, f) if f < 40 => (10, Some(ended), Some(verdict)),
                    (false, _) => (9, Some(ended), Some(verdict)),
                };
                let handed = h(8) % 5 == 0;
                let holder = if handed { (a + 1) % agency_count } else { a };
                let id = format!("00000000-0000-7000-9100-{i:012}");
                if handed {
                    let sent = received + (ended.min(now) - received) * 2 / 5;
                    moves.push((
                        (
                            handovers::id.eq(format!("00000000-0000-7000-9200-{i:012}")),
                            handovers::dossier_id.eq(id.clone()),
                            handovers::seq.eq(1),
                            handovers::from_step.eq(0),
                            handovers::to_step.eq(1),
                            handovers::from_agency.eq(agency_code(a)),
                            handovers::to_agency.eq(agency_code(holder)),
                            handovers::direction.eq("forward"),
                            handovers::sent_by.eq(officer_id(a, 0)),
                            handovers::sent_at.eq(to_db(sent)),
                        ),
                        (
                            handovers::received_by.eq(officer_id(holder, 0)),
                            handovers::received_at.eq(to_db(sent + Duration::hours(1))),
                            handovers::leg_started_at.eq(to_db(received)),
                            handovers::leg_budget_seconds.eq(limit_days * 8 * 3600 * 2 / 5),
                            handovers::leg_used_seconds.eq((sent - received).num_seconds() / 3),
                            handovers::leg_verdict.eq(verdict.unwrap_or("on_time")),
                        ),
                    ));
                }
                if status == 7 {
                    withdrawals.push((
                        events::subject_type.eq("dossier"),
                        events::subject_id.eq(id.clone()),
                        events::dossier_id.eq(id.clone()),
                        events::kind.eq("dossier.withdrawn"),
                        events::actor_name.eq("Generator"),
                        events::at.eq(to_db(ended.min(now))),
                        events::data.eq("{}"),
                    ));
                }
                let assigned = (h(9) % 10 < 7)
                    .then(|| officer_id(holder, (h(10) % OFFICERS_PER_AGENCY as u64) as usize));
                let paid = match h(11) % 10 {
                    0 => Some("online"),
                    1 => Some("counter"),
                    _ => None,
                };
                rows.push((
                    (
                        dossiers::id.eq(id),
                        dossiers::code.eq(format!("{}-H-{i:07}", agency_code(a))),
                        dossiers::pin_hash.eq(""),
                        dossiers::procedure_code.eq(procedure_code(p)),
                        dossiers::procedure_version.eq(1),
                        dossiers::receiving_agency_code.eq(agency_code(a)),
                        dossiers::handling_agency_code.eq(agency_code(holder)),
                        dossiers::status_code.eq(status),
                        dossiers::channel.eq(channel),
                        dossiers::applicant_name.eq(format!("Công dân {i}")),
                        dossiers::applicant_id_number.eq(format!("{i:012}")),
                        dossiers::documents.eq("[]"),
                    ),
                    (
                        dossiers::fee_vnd.eq(0i64),
                        dossiers::book_year.eq(3000 + (i / 1_000_000) as i32),
                        dossiers::book_entry.eq(i as i64),
                        dossiers::received_at.eq(to_db(received)),
                        dossiers::due_at.eq(to_db(due)),
                        dossiers::original_due_at.eq(to_db(due)),
                        dossiers::received_by.eq(USER_ID),
                        dossiers::created_at.eq(to_db(received)),
                        dossiers::updated_at.eq(to_db(received)),
                        dossiers::procedure_name.eq(format!("Thủ tục thử tải {}", p + 1)),
                        dossiers::ended_at.eq(ended_at.map(to_db)),
                        dossiers::verdict.eq(verdict),
                        dossiers::current_step.eq(i32::from(handed)),
                        dossiers::assigned_to.eq(assigned),
                        dossiers::supplement_requests.eq(i32::from(h(12) % 10 == 0)),
                        dossiers::payment_channel.eq(paid),
                    ),
                ));
            }
            // Multi-row inserts go through the concrete connection: the
            // multi-connection cannot express them.
            each_backend!(conn, |c| {
                diesel::insert_into(dossiers::table)
                    .values(&rows)
                    .execute(c)?;
                if !moves.is_empty() {
                    diesel::insert_into(handovers::table)
                        .values(&moves)
                        .execute(c)?;
                }
                if !withdrawals.is_empty() {
                    diesel::insert_into(events::table)
                        .values(&withdrawals)
                        .execute(c)?;
                }
                Ok::<_, diesel::result::Error>(())
            })?;
            Ok(())
        })?;
        start = end;
    }
    Ok(())
}

/// The database the reports' benchmarks share for `n` dossiers of
/// history: `target/bench-data/history-{n}.db`, or the PostgreSQL database
/// `motcua_bench_history_{n}` (created if missing). Migrated and filled
/// when it has fewer dossiers, so reruns reuse the data.
pub fn bench_database(
    backend: crate::Backend,
    postgres_admin_url: &str,
    workspace_target: &std::path::Path,
    n: usize,
    agency_count: usize,
) -> StoreResult<crate::Database> {
    let place = crate::generate::BenchPlace {
        backend,
        postgres_admin_url,
        workspace_target,
        name: &format!("history_{n}"),
    };
    crate::generate::filled_database(&place, n, |conn, have, now| {
        crate::generate::prepare(conn, agency_count)?;
        prepare(conn, agency_count)?;
        let mut from = have;
        while from < n {
            let to = (from + 50_000).min(n);
            dossiers(conn, agency_count, from, to, n, now)?;
            from = to;
            tracing::info!(generated = to, "bench history");
        }
        Ok(())
    })
}
