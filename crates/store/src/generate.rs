//! A generator of open dossiers for benchmarks: agencies, a procedure, a
//! user and `n` dossiers with their clock start, due times spread from a
//! few days overdue to two months ahead, inserted in batches inside
//! transactions. Not used by the server.

use chrono::{DateTime, Duration, Utc};
use diesel::prelude::*;
use motcua_domain::{
    Agency, AgencyCode, AgencyLevel, Procedure, ProcedureCode, Role, StatutoryDuration,
    SupplementPolicy,
};

use crate::schema::{clock_entries, dossiers};
use crate::time::to_db;
use crate::users::User;
use crate::{agencies, each_backend, procedures, users, DbConnection, StoreError, StoreResult};

pub const PROVINCE: &str = "GEN";
pub const PROCEDURE: &str = "GEN.1";
pub const USER_ID: &str = "00000000-0000-7000-8000-000000000001";

/// The code of generated agency `i` (0-based).
pub fn agency_code(i: usize) -> String {
    format!("GEN.{:03}", i + 1)
}

fn code(s: &str) -> StoreResult<AgencyCode> {
    AgencyCode::parse(s).map_err(StoreError::from)
}

/// Creates the catalogue rows the dossiers refer to, once.
pub fn prepare(conn: &mut DbConnection, agency_count: usize) -> StoreResult<()> {
    if agencies::get(conn, PROVINCE)?.is_some() {
        return Ok(());
    }
    conn.write_tx(|conn| {
        agencies::insert(
            conn,
            &Agency {
                code: code(PROVINCE)?,
                name: "Tỉnh thử tải".into(),
                level: AgencyLevel::Province,
                parent: None,
                address: String::new(),
            },
        )?;
        for i in 0..agency_count {
            agencies::insert(
                conn,
                &Agency {
                    code: code(&agency_code(i))?,
                    name: format!("Cơ quan thử tải {}", i + 1),
                    level: AgencyLevel::District,
                    parent: Some(code(PROVINCE)?),
                    address: String::new(),
                },
            )?;
        }
        procedures::insert(
            conn,
            &Procedure {
                code: ProcedureCode::parse(PROCEDURE).map_err(StoreError::from)?,
                version: 1,
                name: "Thủ tục thử tải".into(),
                field: "Thử tải".into(),
                agency: code(&agency_code(0))?,
                duration: StatutoryDuration::working_days(10),
                fee_vnd: 0,
                fee_note: String::new(),
                required_documents: Vec::new(),
                legal_basis: String::new(),
                result: String::new(),
                service_level: motcua_domain::ServiceLevel::NotOnline,
                supplement_policy: SupplementPolicy::Pause,
                steps: Vec::new(),
                members: Vec::new(),
                compliance: None,
                cases: Vec::new(),
                representation_allowed: true,
                any_desk: false,
            },
        )?;
        users::insert(
            conn,
            &User {
                id: USER_ID.into(),
                username: "generator".into(),
                full_name: "Generator".into(),
                role: Role::Clerk,
                agency: code(&agency_code(0))?,
                email: None,
                active: false,
            },
            "!",
        )?;
        Ok(())
    })
}

/// Inserts dossiers `from..to` (numbering makes runs resumable), spread
/// round-robin over `agency_count` agencies, received up to 30 days
/// before `now`, due between 5 days before and 60 days after `now`.
pub fn dossiers(
    conn: &mut DbConnection,
    agency_count: usize,
    from: usize,
    to: usize,
    now: DateTime<Utc>,
) -> StoreResult<()> {
    const BATCH: usize = 500;
    let mut start = from;
    while start < to {
        let end = (start + BATCH).min(to);
        conn.write_tx(|conn| -> StoreResult<()> {
            let mut rows = Vec::with_capacity(end - start);
            let mut starts = Vec::with_capacity(end - start);
            for i in start..end {
                // A cheap deterministic spread (Weyl sequence).
                let r = (i as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 40;
                let due = now - Duration::days(5) + Duration::seconds((r % (65 * 86_400)) as i64);
                let received = due - Duration::days(14 + (r % 16) as i64);
                let agency = agency_code(i % agency_count);
                let id = format!("00000000-0000-7000-9000-{i:012}");
                let status = if r.is_multiple_of(3) { 4 } else { 2 };
                rows.push((
                    (
                        dossiers::id.eq(id.clone()),
                        dossiers::code.eq(format!("{agency}-GEN-{i:07}")),
                        dossiers::pin_hash.eq(""),
                        dossiers::procedure_code.eq(PROCEDURE),
                        dossiers::procedure_version.eq(1),
                        dossiers::receiving_agency_code.eq(agency.clone()),
                        dossiers::handling_agency_code.eq(agency),
                        dossiers::status_code.eq(status),
                        dossiers::channel.eq(1),
                        dossiers::applicant_name.eq(format!("Công dân {i}")),
                        dossiers::applicant_id_number.eq(format!("{i:012}")),
                        dossiers::documents.eq("[]"),
                    ),
                    (
                        dossiers::fee_vnd.eq(0i64),
                        dossiers::book_year.eq(2000 + (i / 1_000_000) as i32),
                        dossiers::book_entry.eq(i as i64),
                        dossiers::received_at.eq(to_db(received)),
                        dossiers::due_at.eq(to_db(due)),
                        dossiers::original_due_at.eq(to_db(due)),
                        dossiers::received_by.eq(USER_ID),
                        dossiers::created_at.eq(to_db(received)),
                        dossiers::updated_at.eq(to_db(received)),
                        dossiers::procedure_name.eq("Thủ tục thử tải"),
                    ),
                ));
                starts.push((
                    clock_entries::dossier_id.eq(id),
                    clock_entries::seq.eq(1),
                    clock_entries::kind.eq("start"),
                    clock_entries::at.eq(to_db(received)),
                ));
            }
            // Multi-row inserts go through the concrete connection: the
            // multi-connection cannot express them.
            each_backend!(conn, |c| {
                diesel::insert_into(dossiers::table)
                    .values(&rows)
                    .execute(c)?;
                diesel::insert_into(clock_entries::table)
                    .values(&starts)
                    .execute(c)
            })?;
            Ok(())
        })?;
        start = end;
    }
    Ok(())
}

/// The database the benchmarks share for `n` generated dossiers: a SQLite
/// file under `target/bench-data/`, or a PostgreSQL database
/// `motcua_bench_scan_{n}` next to `postgres_admin_url`'s (created if
/// missing). Migrated, and filled up to `n` dossiers over `agency_count`
/// agencies when it has fewer, so reruns reuse the data.
pub fn bench_database(
    backend: crate::Backend,
    postgres_admin_url: &str,
    workspace_target: &std::path::Path,
    n: usize,
    agency_count: usize,
) -> StoreResult<crate::Database> {
    let place = BenchPlace {
        backend,
        postgres_admin_url,
        workspace_target,
        name: &format!("scan_{n}"),
    };
    filled_database(&place, n, |conn, have, now| {
        prepare(conn, agency_count)?;
        let mut from = have;
        while from < n {
            let to = (from + 50_000).min(n);
            dossiers(conn, agency_count, from, to, now)?;
            from = to;
            tracing::info!(generated = to, "bench data");
        }
        Ok(())
    })
}

/// Where a benchmark's data lives: `target/bench-data/{name}.db` (dashes
/// for underscores), or the PostgreSQL database `motcua_bench_{name}`.
pub struct BenchPlace<'a> {
    pub backend: crate::Backend,
    pub postgres_admin_url: &'a str,
    pub workspace_target: &'a std::path::Path,
    pub name: &'a str,
}

/// The benchmark database at `place`, migrated, and given to `fill` (with
/// how many dossiers it has and now) when it has fewer than `n`; analysed
/// after filling. Reruns reuse the data.
pub fn filled_database(
    place: &BenchPlace,
    n: usize,
    fill: impl FnOnce(&mut DbConnection, usize, DateTime<Utc>) -> StoreResult<()>,
) -> StoreResult<crate::Database> {
    use diesel::connection::SimpleConnection;
    let url = match place.backend {
        crate::Backend::Sqlite => {
            let dir = place.workspace_target.join("bench-data");
            std::fs::create_dir_all(&dir).map_err(|e| StoreError::Connection(e.to_string()))?;
            let file = format!("{}.db", place.name.replace('_', "-"));
            format!("sqlite://{}", dir.join(file).display())
        }
        crate::Backend::Postgres => {
            let admin_url = place.postgres_admin_url;
            let mut admin = DbConnection::open(admin_url)?;
            let name = format!("motcua_bench_{}", place.name);
            // Fails when it exists, which is the point of reusing it.
            let _ = admin.batch_execute(&format!("CREATE DATABASE {name}"));
            let base = admin_url.rsplit_once('/').map_or(admin_url, |(b, _)| b);
            format!("{base}/{name}")
        }
    };
    let db = crate::Database::connect(&url, 2)?;
    db.migrate()?;
    let mut conn = db.get()?;
    let have = crate::count_rows(&mut conn, "dossiers")? as usize;
    if have < n {
        fill(&mut conn, have, crate::time::now())?;
        conn.batch_execute(match place.backend {
            crate::Backend::Postgres => "VACUUM ANALYZE",
            crate::Backend::Sqlite => "ANALYZE",
        })?;
    }
    drop(conn);
    Ok(db)
}

#[derive(diesel::QueryableByName)]
struct PgPlanLine {
    #[diesel(sql_type = diesel::sql_types::Text, column_name = "QUERY PLAN")]
    line: String,
}

#[derive(diesel::QueryableByName)]
struct SqlitePlanLine {
    #[diesel(sql_type = diesel::sql_types::Text)]
    detail: String,
}

/// The backend's plan of `select`, a line each, for the benchmarks to
/// print.
pub fn explain(conn: &mut DbConnection, select: &str) -> StoreResult<Vec<String>> {
    Ok(match conn {
        DbConnection::Pg(c) => diesel::sql_query(format!("EXPLAIN {select}"))
            .load::<PgPlanLine>(c)?
            .into_iter()
            .map(|p| p.line)
            .collect(),
        DbConnection::Sqlite(c) => diesel::sql_query(format!("EXPLAIN QUERY PLAN {select}"))
            .load::<SqlitePlanLine>(c)?
            .into_iter()
            .map(|p| p.detail)
            .collect(),
    })
}

/// The benchmarks' settings from the environment: how many dossiers
/// (`MOTCUA_BENCH_DOSSIERS`, default 1,000,000), which backends
/// (`MOTCUA_BENCH_BACKENDS`, default both) and PostgreSQL's admin URL.
pub fn bench_settings() -> (usize, Vec<crate::Backend>, String) {
    let n = std::env::var("MOTCUA_BENCH_DOSSIERS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000_000);
    let backends = std::env::var("MOTCUA_BENCH_BACKENDS")
        .unwrap_or_else(|_| "sqlite,postgres".into())
        .split(',')
        .filter_map(|b| match b.trim() {
            "sqlite" => Some(crate::Backend::Sqlite),
            "postgres" => Some(crate::Backend::Postgres),
            _ => None,
        })
        .collect();
    let admin = std::env::var("MOTCUA_TEST_POSTGRES_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into());
    (n, backends, admin)
}
