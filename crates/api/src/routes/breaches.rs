//! Deadline breaches for supervisors: the recorded due-soon and overdue
//! events, and the live due-soon worklist. Supervisors see their agency
//! and the agencies below it.

use actix_web::{get, post, web, HttpResponse};
use chrono::{DateTime, Utc};
use motcua_calendar::WorkingCalendar;
use motcua_domain::BreachKind;
use motcua_domain::{Role, Status};
use motcua_store::breaches::{self, BreachFilter};
use motcua_store::{agencies, time, DbConnection};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_actix_web::service_config::ServiceConfig;

use crate::access::Reach;
use crate::auth::Staff;
use crate::error::{ApiError, Problem};
use crate::routes::paging::page;
use crate::state::AppState;

#[derive(Serialize, ToSchema)]
pub struct BreachDto {
    pub id: i64,
    pub dossier_code: String,
    /// The dossier's status now.
    pub status: Status,
    /// due_soon or overdue.
    pub kind: String,
    pub clock_version: i32,
    pub due_at: DateTime<Utc>,
    pub detected_at: DateTime<Utc>,
    pub agency_code: String,
    pub procedure_code: String,
    /// Office time past the due time now (0 when not yet due).
    pub late_by_working_seconds: i64,
}

#[derive(Serialize, ToSchema)]
pub struct BreachPage {
    pub items: Vec<BreachDto>,
    pub total: i64,
    pub limit: i64,
    pub offset: i64,
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct BreachQuery {
    /// One agency (within the caller's reach); default all the caller sees.
    pub agency: Option<String>,
    pub procedure: Option<String>,
    /// due_soon or overdue.
    pub kind: Option<String>,
    /// Breaches due at or after this time (RFC 3339).
    pub from: Option<DateTime<Utc>>,
    /// Breaches due before this time.
    pub to: Option<DateTime<Utc>>,
    /// Page size, 1 to 500 (default 50).
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<i64>,
    #[param(minimum = 0, maximum = 1_000_000_000)]
    pub offset: Option<i64>,
}

/// The agencies the caller watches ([`Reach`]), narrowed to `wanted` and
/// the agencies below it when given; an empty list means every agency.
fn reach(
    conn: &mut DbConnection,
    staff: &Staff,
    wanted: Option<&str>,
) -> Result<Vec<String>, ApiError> {
    let mut reach = Reach::of(conn, staff)?;
    if let Some(w) = wanted {
        reach = reach.at_and_below(conn, w)?;
    }
    Ok(match reach {
        Reach::All => Vec::new(),
        Reach::Agencies(mut codes) => {
            codes.sort();
            codes
        }
    })
}

#[utoipa::path(get, path = "/api/v1/breaches", tag = "breaches",
    security(("bearer" = [])), params(BreachQuery),
    responses((status = 200, description = "Most late first", body = BreachPage),
        (status = 403, body = Problem, content_type = "application/problem+json")))]
#[get("/api/v1/breaches")]
pub async fn list(
    state: web::Data<AppState>,
    staff: Staff,
    query: web::Query<BreachQuery>,
) -> Result<HttpResponse, ApiError> {
    staff.require(&[Role::Supervisor, Role::Admin])?;
    let q = query.into_inner();
    let (limit, offset) = page(q.limit, q.offset)?;
    let kind = q
        .kind
        .as_deref()
        .map(|k| {
            BreachKind::parse(k)
                .ok_or_else(|| ApiError::invalid_field("kind", "must be due_soon or overdue"))
        })
        .transpose()?;
    let calendar = state.calendar();
    let (items, total) = state
        .with_conn(move |conn| {
            let agencies = reach(conn, &staff, q.agency.as_deref())?;
            let filter = BreachFilter {
                agencies,
                procedure: q.procedure,
                kind,
                due_from: q.from,
                due_to: q.to,
                limit,
                offset,
            };
            Ok(breaches::list(conn, &filter)?)
        })
        .await?;
    let now = time::now();
    Ok(HttpResponse::Ok().json(BreachPage {
        items: items.into_iter().map(|b| dto(&calendar, now, b)).collect(),
        total,
        limit,
        offset,
    }))
}

/// A breach as listed, with the office time it is late by at `now`.
fn dto(calendar: &WorkingCalendar, now: DateTime<Utc>, b: breaches::Breach) -> BreachDto {
    BreachDto {
        late_by_working_seconds: calendar.working_seconds_between(b.due_at, now),
        id: b.id,
        dossier_code: b.dossier_code,
        status: b.status,
        kind: b.kind.as_str().to_string(),
        clock_version: b.clock_version,
        due_at: b.due_at,
        detected_at: b.detected_at,
        agency_code: b.agency_code,
        procedure_code: b.procedure_code,
    }
}

#[derive(Serialize, ToSchema)]
pub struct DueSoonItem {
    pub code: String,
    pub status: Status,
    pub procedure_code: String,
    pub procedure_name: String,
    pub agency_code: String,
    pub due_at: DateTime<Utc>,
    /// Office time left (negative when overdue).
    pub remaining_working_seconds: i64,
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DueSoonQuery {
    pub agency: Option<String>,
    /// Page size, 1 to 500 (default 50).
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<i64>,
    #[param(minimum = 0, maximum = 1_000_000_000)]
    pub offset: Option<i64>,
}

#[utoipa::path(get, path = "/api/v1/breaches/due-soon", tag = "breaches",
    security(("bearer" = [])), params(DueSoonQuery),
    responses((status = 200, description = "Running dossiers due within the due-soon threshold (and overdue ones), earliest first", body = [DueSoonItem]),
        (status = 403, body = Problem, content_type = "application/problem+json")))]
#[get("/api/v1/breaches/due-soon")]
pub async fn due_soon(
    state: web::Data<AppState>,
    staff: Staff,
    query: web::Query<DueSoonQuery>,
) -> Result<HttpResponse, ApiError> {
    staff.require(&[Role::Supervisor, Role::Admin, Role::Officer])?;
    let q = query.into_inner();
    let (limit, offset) = page(q.limit, q.offset)?;
    let calendar = state.calendar();
    let now = time::now();
    let cutoff = motcua_sla::breach_scan::due_soon_bound(&calendar, now, state.due_soon_seconds());
    let items = state
        .with_conn(move |conn| {
            let agencies = match reach(conn, &staff, q.agency.as_deref())? {
                a if a.is_empty() => agencies::list(conn)?
                    .into_iter()
                    .map(|a| a.code.to_string())
                    .collect(),
                a => a,
            };
            Ok(breaches::due_before(
                conn, &agencies, cutoff, limit, offset,
            )?)
        })
        .await?;
    let out: Vec<DueSoonItem> = items
        .into_iter()
        .map(|d| due_soon_item(&calendar, now, d))
        .collect();
    Ok(HttpResponse::Ok().json(out))
}

/// A dossier due soon, with the working time left (negative once late).
fn due_soon_item(
    calendar: &motcua_calendar::WorkingCalendar,
    now: chrono::DateTime<chrono::Utc>,
    d: breaches::DueItem,
) -> DueSoonItem {
    DueSoonItem {
        remaining_working_seconds: if d.due_at >= now {
            calendar.working_seconds_between(now, d.due_at)
        } else {
            -calendar.working_seconds_between(d.due_at, now)
        },
        code: d.code,
        status: d.status,
        procedure_code: d.procedure_code,
        procedure_name: d.procedure_name,
        agency_code: d.handling_agency,
        due_at: d.due_at,
    }
}

#[derive(Serialize, ToSchema)]
pub struct ScanAnswer {
    /// Breaches recorded by this scan (already recorded ones are not
    /// recorded again).
    pub overdue: usize,
    pub due_soon: usize,
    /// Feedback steps recorded past their limit.
    pub feedback_overdue: usize,
}

#[utoipa::path(post, path = "/api/v1/breaches/scan", tag = "breaches",
    security(("bearer" = [])),
    responses((status = 200, description = "Runs the breach scan now (it also runs in the background)", body = ScanAnswer),
        (status = 403, body = Problem, content_type = "application/problem+json")))]
#[post("/api/v1/breaches/scan")]
pub async fn scan(state: web::Data<AppState>, staff: Staff) -> Result<HttpResponse, ApiError> {
    staff.require(&[Role::Admin])?;
    let r = crate::jobs::scan_once(&state).await?;
    Ok(HttpResponse::Ok().json(ScanAnswer {
        overdue: r.dossiers.overdue,
        due_soon: r.dossiers.due_soon,
        feedback_overdue: r.feedback_overdue,
    }))
}

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(due_soon).service(scan).service(list);
}
