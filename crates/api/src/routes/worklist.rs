//! The caller's worklist and the handovers waiting to be acknowledged
//! (the desk's tracking book is in `routes::tracking_book`).

use actix_web::{get, web, HttpResponse};
use chrono::{DateTime, Duration, Utc};
use motcua_calendar::WorkingCalendar;
use motcua_domain::Status;
use motcua_sla::breach_scan::due_soon_bound;
use motcua_store::worklist::{self as work, WorkFilter};
use motcua_store::{handovers, time};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_actix_web::service_config::ServiceConfig;

use crate::access::Reach;
use crate::auth::Staff;
use crate::error::{ApiError, Problem};
use crate::routes::paging::page;
use crate::state::AppState;

#[derive(Serialize, ToSchema)]
pub struct WorkItemDto {
    pub code: String,
    pub status: Status,
    pub status_code: i32,
    pub procedure_code: String,
    pub procedure_name: String,
    pub applicant_name: String,
    pub agency_code: String,
    pub received_at: DateTime<Utc>,
    pub due_at: DateTime<Utc>,
    /// Office time left (negative when overdue; frozen while paused).
    pub remaining_working_seconds: i64,
    /// Sent to this agency and not yet acknowledged.
    pub incoming: bool,
    pub waiting_for_supplement: bool,
    /// The officer it is assigned to (user id).
    pub assigned_to: Option<String>,
    /// The probability it ends after its appointment, from the history of
    /// its procedure's steps (`GET /forecast`); none while the clock is
    /// paused or where history is too thin.
    #[schema(example = 0.35)]
    pub lateness_risk: Option<f64>,
}

#[derive(Serialize, ToSchema)]
pub struct WorkPage {
    pub items: Vec<WorkItemDto>,
    pub total: i64,
    pub limit: i64,
    pub offset: i64,
    /// Citizens' feedback the same agencies owe a step on (listed by
    /// `GET /api/v1/feedback`).
    pub feedback: FeedbackOwed,
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct WorkQuery {
    /// Status code (repeatable as a comma list, e.g. `4,5`); default the
    /// open ones: 2, 4, 5, 6.
    pub status: Option<String>,
    pub procedure: Option<String>,
    /// `soon` (within the due-soon threshold, not yet overdue) or `overdue`.
    pub due: Option<String>,
    /// One agency within the caller's reach (supervisors).
    pub agency: Option<String>,
    /// `me`: only dossiers assigned to the caller.
    pub assigned: Option<String>,
    /// Page size, 1 to 500 (default 50).
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<i64>,
    #[param(minimum = 0, maximum = 1_000_000_000)]
    pub offset: Option<i64>,
}

/// Feedback owed a step, and of those past its due time.
#[derive(Serialize, ToSchema)]
pub struct FeedbackOwed {
    pub open: i64,
    pub overdue: i64,
}

#[utoipa::path(get, path = "/api/v1/worklist", tag = "routing",
    security(("bearer" = [])), params(WorkQuery),
    responses((status = 200, description = "Dossiers waiting at the caller's agency (supervisors: and below), earliest due first", body = WorkPage),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json")))]
#[get("/api/v1/worklist")]
pub async fn worklist(
    state: web::Data<AppState>,
    staff: Staff,
    query: web::Query<WorkQuery>,
) -> Result<HttpResponse, ApiError> {
    let q = query.into_inner();
    let (limit, offset) = page(q.limit, q.offset)?;
    let calendar = state.calendar();
    let now = time::now();
    let statuses = statuses(q.status.as_deref())?;
    let (due_before, due_after) = due_window(&state, q.due.as_deref(), now)?;
    let assigned_to = assigned(q.assigned.as_deref(), &staff)?;
    let cal = calendar.clone();
    let (items, total, risks, owed) = state
        .with_conn(move |conn| {
            let mut reach = Reach::of(conn, &staff)?;
            if let Some(a) = &q.agency {
                reach = reach.only(a)?;
            }
            let agencies = reach.agencies(conn)?;
            let owed = motcua_store::feedback::owed(conn, &agencies, now)?;
            let filter = WorkFilter {
                agencies,
                statuses,
                procedure: q.procedure,
                due_before,
                due_after,
                assigned_to,
                limit,
                offset,
            };
            let (items, total) = work::worklist(conn, &filter)?;
            let codes: Vec<String> = items.iter().map(|w| w.code.clone()).collect();
            let risks = motcua_reports::lateness::risks_of(conn, &cal, &codes, now)?;
            Ok((items, total, risks, owed))
        })
        .await?;
    let items = items
        .into_iter()
        .map(|w| {
            let risk = risks.get(&w.code).copied();
            WorkItemDto {
                lateness_risk: risk,
                ..item(&calendar, now, w)
            }
        })
        .collect();
    Ok(HttpResponse::Ok().json(WorkPage {
        items,
        total,
        limit,
        offset,
        feedback: FeedbackOwed {
            open: owed.0,
            overdue: owed.1,
        },
    }))
}

/// Whose dossiers: `me` (the caller's), or everyone's when absent.
fn assigned(asked: Option<&str>, staff: &Staff) -> Result<Option<String>, ApiError> {
    match asked {
        None => Ok(None),
        Some("me") => Ok(Some(staff.id.clone())),
        Some(_) => Err(ApiError::invalid_field(
            "assigned",
            "only `me` is supported",
        )),
    }
}

/// The statuses asked for (comma-separated national codes); by default
/// those in which a dossier is being worked on.
fn statuses(list: Option<&str>) -> Result<Vec<i32>, ApiError> {
    let Some(list) = list else {
        return Ok(vec![2, 4, 5, 6]);
    };
    list.split(',')
        .map(|s| {
            s.trim()
                .parse::<i32>()
                .ok()
                .filter(|c| Status::from_code(*c).is_ok())
                .ok_or_else(|| ApiError::invalid_field("status", "status codes are 1-10"))
        })
        .collect()
}

/// Due times before the first bound and at or after the second.
type DueWindow = (Option<DateTime<Utc>>, Option<DateTime<Utc>>);

/// The due times `due=soon` or `due=overdue` selects at `now`.
fn due_window(
    state: &AppState,
    due: Option<&str>,
    now: DateTime<Utc>,
) -> Result<DueWindow, ApiError> {
    Ok(match due {
        None => (None, None),
        Some("overdue") => (Some(now), None),
        Some("soon") => {
            let calendar = state.calendar();
            let bound = due_soon_bound(&calendar, now, state.due_soon_seconds());
            (Some(bound), Some(now))
        }
        Some(_) => return Err(ApiError::invalid_field("due", "must be soon or overdue")),
    })
}

/// A worklist row with the office time left at `now` (frozen while the
/// clock is paused, negative once overdue).
fn item(calendar: &WorkingCalendar, now: DateTime<Utc>, w: work::WorkItem) -> WorkItemDto {
    let from = w.paused_since.unwrap_or(now);
    let remaining = if from <= w.due_at {
        calendar.working_seconds_between(from, w.due_at)
    } else {
        -calendar.working_seconds_between(w.due_at, from)
    };
    WorkItemDto {
        status_code: w.status.code(),
        status: w.status,
        code: w.code,
        procedure_code: w.procedure_code,
        procedure_name: w.procedure_name,
        applicant_name: w.applicant_name,
        agency_code: w.handling_agency,
        received_at: w.received_at,
        due_at: w.due_at,
        remaining_working_seconds: remaining,
        incoming: w.in_transit,
        waiting_for_supplement: w.paused_since.is_some(),
        assigned_to: w.assigned_to,
        lateness_risk: None,
    }
}

#[derive(Serialize, ToSchema)]
pub struct PendingHandover {
    pub dossier_code: String,
    pub from_agency: String,
    pub to_agency: String,
    pub sent_at: DateTime<Utc>,
    /// Real minutes since it was sent.
    pub waiting_minutes: i64,
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PendingQuery {
    /// Only handovers older than this many minutes (default from the
    /// server's configuration).
    #[param(minimum = 0, maximum = 525_600)]
    pub older_than_minutes: Option<i64>,
}

#[utoipa::path(get, path = "/api/v1/handovers/unacknowledged", tag = "routing",
    security(("bearer" = [])), params(PendingQuery),
    responses((status = 200, description = "Handovers from or to the caller's agencies (supervisors: and below) not acknowledged in time, oldest first", body = [PendingHandover])))]
#[get("/api/v1/handovers/unacknowledged")]
pub async fn unacknowledged(
    state: web::Data<AppState>,
    staff: Staff,
    query: web::Query<PendingQuery>,
) -> Result<HttpResponse, ApiError> {
    let minutes = query
        .into_inner()
        .older_than_minutes
        .unwrap_or(state.config.handover_ack_minutes);
    if minutes < 0 {
        return Err(ApiError::invalid_field(
            "older_than_minutes",
            "must not be negative",
        ));
    }
    let now = time::now();
    let older_than = now - Duration::minutes(minutes);
    let rows = state
        .with_conn(move |conn| {
            // An empty list means every agency.
            let agencies = match Reach::of(conn, &staff)? {
                Reach::All => Vec::new(),
                Reach::Agencies(list) => list,
            };
            Ok(handovers::unacknowledged(conn, &agencies, older_than, 500)?)
        })
        .await?;
    let out: Vec<PendingHandover> = rows
        .into_iter()
        .map(|(h, code)| PendingHandover {
            dossier_code: code,
            waiting_minutes: (now - h.sent_at).num_minutes(),
            from_agency: h.from_agency,
            to_agency: h.to_agency,
            sent_at: h.sent_at,
        })
        .collect();
    Ok(HttpResponse::Ok().json(out))
}

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(worklist).service(unacknowledged);
}
