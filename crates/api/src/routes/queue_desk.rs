//! The counter hall seen from a counter (docs/queue.md): a clerk calls the
//! next ticket of the areas the counter serves (the ticket served before
//! is done), announces it again, marks it done or skipped (the citizen did
//! not come), links it to the dossiers logged from it, and lists the day's
//! tickets. Clerks of the hall's agency only; the counter is the one the
//! clerk sits at, named in each call.

use actix_web::{get, post, web, HttpResponse};
use chrono::{DateTime, NaiveDate, Utc};
use motcua_domain::queue::{TicketAction, TicketStatus};
use motcua_domain::{EventKind, Role};
use motcua_store::events::{self, NewEvent};
use motcua_store::queue_tickets::{self, Ticket};
use motcua_store::{dossiers, queue_hall, DbConnection};
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::{IntoParams, ToSchema};
use utoipa_actix_web::service_config::ServiceConfig;

use crate::auth::Staff;
use crate::body::JsonBody;
use crate::error::{ApiError, Problem};
use crate::routes::queue_public::today;
use crate::state::AppState;

/// A ticket as the desk sees it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TicketDto {
    #[schema(example = "5f0c3c1e-8d2b-4c1a-9f3e-2a7b6c5d4e3f")]
    pub id: String,
    #[schema(example = "A-023")]
    pub label: String,
    #[schema(example = "A")]
    pub area: String,
    #[schema(example = "2026-12-08")]
    pub day: String,
    #[schema(example = 23)]
    pub number: i32,
    /// The field or procedure the kiosk was asked for.
    pub field: Option<String>,
    pub procedure: Option<String>,
    pub status: TicketStatus,
    pub taken_at: DateTime<Utc>,
    /// First called: the end of the wait.
    pub called_at: Option<DateTime<Utc>>,
    pub announced_at: Option<DateTime<Utc>>,
    #[schema(example = 1)]
    pub calls: i32,
    #[schema(example = 3)]
    pub counter: Option<i32>,
    /// The clerk who called it (a user id).
    pub called_by: Option<String>,
    /// Served, or given up on.
    pub finished_at: Option<DateTime<Utc>>,
    /// The codes of the dossiers logged from it.
    pub dossiers: Vec<String>,
}

fn dto(conn: &mut DbConnection, t: Ticket) -> Result<TicketDto, ApiError> {
    let dossiers = queue_tickets::dossier_codes(conn, &t.id)?;
    Ok(TicketDto {
        label: t.label(),
        id: t.id,
        area: t.area,
        day: t.day,
        number: t.number,
        field: t.field,
        procedure: t.procedure,
        status: t.status,
        taken_at: t.taken_at,
        called_at: t.called_at,
        announced_at: t.announced_at,
        calls: t.calls,
        counter: t.counter,
        called_by: t.called_by,
        finished_at: t.finished_at,
        dossiers,
    })
}

/// The counter calling.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NextInput {
    /// The counter's number in the clerk's hall.
    #[schema(example = 1, minimum = 1, maximum = 99)]
    pub counter: i32,
}

/// What calling the next ticket did.
#[derive(Debug, Serialize, ToSchema)]
pub struct NextAnswer {
    /// The ticket called; none when nobody waits for this counter.
    pub called: Option<TicketDto>,
    /// The ticket the counter was serving, now done.
    pub finished: Option<TicketDto>,
    /// Tickets still waiting for this counter's areas.
    #[schema(example = 4)]
    pub waiting: i64,
}

fn clerk(staff: &Staff) -> Result<(), ApiError> {
    staff.require(&[Role::Clerk])
}

#[utoipa::path(post, path = "/api/v1/queue/next", tag = "queue",
    security(("bearer" = [])), request_body = NextInput,
    responses((status = 200, description = "The next ticket called to the counter (none when nobody waits); the one it served before is done", body = NextAnswer),
        (status = 403, description = "Clerks only", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "No such counter in the clerk's hall", body = Problem, content_type = "application/problem+json")))]
#[post("/api/v1/queue/next")]
pub async fn next(
    state: web::Data<AppState>,
    staff: Staff,
    JsonBody(input): JsonBody<NextInput>,
) -> Result<HttpResponse, ApiError> {
    clerk(&staff)?;
    let now = motcua_store::time::now();
    let day = today(&state, now);
    let answer = state
        .with_conn(move |conn| {
            let agency = staff.agency.to_string();
            let hall = queue_hall::get(conn, &agency)?;
            let counter = hall.counter(input.counter).ok_or_else(|| {
                ApiError::invalid_field(
                    "counter",
                    format!("no counter {} in the hall of {agency}", input.counter),
                )
            })?;
            let r = queue_tickets::call_next(
                conn,
                &agency,
                &day,
                counter.number,
                &counter.areas,
                &staff.id,
                now,
            )?;
            let waiting = queue_tickets::waiting_by_area(conn, &agency, &day)?
                .into_iter()
                .filter(|(a, _)| counter.areas.contains(a))
                .map(|(_, n)| n)
                .sum();
            Ok(NextAnswer {
                called: r.called.map(|t| dto(conn, t)).transpose()?,
                finished: r.finished.map(|t| dto(conn, t)).transpose()?,
                waiting,
            })
        })
        .await?;
    Ok(HttpResponse::Ok().json(answer))
}

/// A ticket of the clerk's hall.
fn own_ticket(conn: &mut DbConnection, staff: &Staff, id: &str) -> Result<Ticket, ApiError> {
    match queue_tickets::get(conn, id)? {
        Some(t) if t.agency == staff.agency.as_str() => Ok(t),
        Some(_) => Err(ApiError::forbidden(
            "the ticket is of another agency's hall",
        )),
        None => Err(ApiError::not_found("ticket")),
    }
}

async fn act(
    state: web::Data<AppState>,
    staff: Staff,
    id: String,
    action: TicketAction,
) -> Result<HttpResponse, ApiError> {
    clerk(&staff)?;
    let now = motcua_store::time::now();
    let t = state
        .with_conn(move |conn| {
            conn.write_tx(|conn| {
                let t = own_ticket(conn, &staff, &id)?;
                let to = t.status.after(action).ok_or_else(|| {
                    ApiError::conflict(format!(
                        "ticket {} is {}: only a called ticket can be {}",
                        t.label(),
                        t.status.as_str(),
                        match action {
                            TicketAction::Recall => "recalled",
                            TicketAction::Finish => "finished",
                            _ => "skipped",
                        }
                    ))
                })?;
                if !queue_tickets::set_status(conn, &t, to, now)? {
                    return Err(ApiError::conflict(format!(
                        "ticket {} was finished meanwhile",
                        t.label()
                    )));
                }
                let t = queue_tickets::get(conn, &t.id)?
                    .ok_or_else(|| ApiError::not_found("ticket"))?;
                dto(conn, t)
            })
        })
        .await?;
    Ok(HttpResponse::Ok().json(t))
}

#[utoipa::path(post, path = "/api/v1/queue/tickets/{id}/recall", tag = "queue",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "The ticket's id")),
    responses((status = 200, description = "Announced again on the board", body = TicketDto),
        (status = 403, description = "Clerks of the hall's agency only", body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The ticket is not being called (waiting, done or skipped)", body = Problem, content_type = "application/problem+json")))]
#[post("/api/v1/queue/tickets/{id}/recall")]
pub async fn recall(
    state: web::Data<AppState>,
    staff: Staff,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    act(state, staff, path.into_inner(), TicketAction::Recall).await
}

#[utoipa::path(post, path = "/api/v1/queue/tickets/{id}/finish", tag = "queue",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "The ticket's id")),
    responses((status = 200, description = "Served (done)", body = TicketDto),
        (status = 403, description = "Clerks of the hall's agency only", body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The ticket is not being called", body = Problem, content_type = "application/problem+json")))]
#[post("/api/v1/queue/tickets/{id}/finish")]
pub async fn finish(
    state: web::Data<AppState>,
    staff: Staff,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    act(state, staff, path.into_inner(), TicketAction::Finish).await
}

#[utoipa::path(post, path = "/api/v1/queue/tickets/{id}/skip", tag = "queue",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "The ticket's id")),
    responses((status = 200, description = "The citizen did not come (no-show)", body = TicketDto),
        (status = 403, description = "Clerks of the hall's agency only", body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The ticket is not being called", body = Problem, content_type = "application/problem+json")))]
#[post("/api/v1/queue/tickets/{id}/skip")]
pub async fn skip(
    state: web::Data<AppState>,
    staff: Staff,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    act(state, staff, path.into_inner(), TicketAction::Skip).await
}

/// The dossier logged from a ticket.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TicketDossierInput {
    #[schema(example = "H53.50.05.13-261208-0001", max_length = 64)]
    pub dossier: String,
}

#[utoipa::path(post, path = "/api/v1/queue/tickets/{id}/dossiers", tag = "queue",
    security(("bearer" = [])), request_body = TicketDossierInput,
    params(("id" = String, Path, description = "The ticket's id")),
    responses((status = 200, description = "Linked (linking the same dossier again changes nothing)", body = TicketDto),
        (status = 403, description = "Clerks of the hall's agency only", body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The ticket was never called, or the dossier was logged from another ticket", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "No such dossier received by this agency", body = Problem, content_type = "application/problem+json")))]
#[post("/api/v1/queue/tickets/{id}/dossiers")]
pub async fn link(
    state: web::Data<AppState>,
    staff: Staff,
    path: web::Path<String>,
    JsonBody(input): JsonBody<TicketDossierInput>,
) -> Result<HttpResponse, ApiError> {
    clerk(&staff)?;
    let id = path.into_inner();
    let code = input.dossier.trim().to_string();
    let now = motcua_store::time::now();
    let t = state
        .with_conn(move |conn| {
            conn.write_tx(|conn| {
                let t = own_ticket(conn, &staff, &id)?;
                if t.status == TicketStatus::Waiting {
                    return Err(ApiError::conflict(format!(
                        "ticket {} has not been called yet",
                        t.label()
                    )));
                }
                let d = dossiers::find_by_code(conn, &code)?
                    .filter(|d| d.receiving_agency == staff.agency.as_str())
                    .ok_or_else(|| {
                        ApiError::invalid_field(
                            "dossier",
                            format!("no dossier {code} received by {}", staff.agency),
                        )
                    })?;
                let linked = queue_tickets::link(conn, &t.id, &d.id, now).map_err(|e| match e {
                    motcua_store::StoreError::Duplicate(m) => ApiError::conflict(m),
                    other => other.into(),
                })?;
                if linked {
                    events::append(
                        conn,
                        &NewEvent {
                            subject_type: "queue_ticket",
                            subject_id: &t.id,
                            dossier_id: Some(&d.id),
                            kind: EventKind::QueueTicketLinked,
                            actor: &staff.actor(),
                            at: now,
                            data: json!({"ticket": t.label(), "day": t.day, "dossier": d.code}),
                        },
                    )?;
                }
                dto(conn, t)
            })
        })
        .await?;
    Ok(HttpResponse::Ok().json(t))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct TicketQuery {
    /// The local day (`2026-12-08`); today when left out.
    pub day: Option<String>,
    /// Only tickets in this state.
    #[param(inline)]
    pub status: Option<TicketStatus>,
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<i64>,
    #[param(minimum = 0)]
    pub offset: Option<i64>,
}

/// A page of the day's tickets.
#[derive(Debug, Serialize, ToSchema)]
pub struct TicketList {
    #[schema(example = "2026-12-08")]
    pub day: String,
    /// In the order taken.
    pub items: Vec<TicketDto>,
    #[schema(example = 42)]
    pub total: i64,
}

#[utoipa::path(get, path = "/api/v1/queue/tickets", tag = "queue",
    security(("bearer" = [])), params(TicketQuery),
    responses((status = 200, description = "The day's tickets of the clerk's hall, in the order taken", body = TicketList),
        (status = 403, description = "Clerks and supervisors only", body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json")))]
#[get("/api/v1/queue/tickets")]
pub async fn list(
    state: web::Data<AppState>,
    staff: Staff,
    query: web::Query<TicketQuery>,
) -> Result<HttpResponse, ApiError> {
    staff.require(&[Role::Clerk, Role::Supervisor])?;
    let q = query.into_inner();
    let (limit, offset) = crate::routes::paging::page(q.limit, q.offset)?;
    let day = match q.day.as_deref().map(str::trim) {
        Some(d) => NaiveDate::parse_from_str(d, "%Y-%m-%d")
            .map_err(|_| ApiError::invalid_field("day", "must be a date, 2026-12-08"))?
            .format("%Y-%m-%d")
            .to_string(),
        None => today(&state, motcua_store::time::now()),
    };
    let answer = state
        .with_conn(move |conn| {
            let (tickets, total) =
                queue_tickets::of_day(conn, staff.agency.as_str(), &day, q.status, limit, offset)?;
            Ok(TicketList {
                items: tickets
                    .into_iter()
                    .map(|t| dto(conn, t))
                    .collect::<Result<_, _>>()?,
                total,
                day,
            })
        })
        .await?;
    Ok(HttpResponse::Ok().json(answer))
}

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(next);
    cfg.service(recall);
    cfg.service(finish);
    cfg.service(skip);
    cfg.service(link);
    cfg.service(list);
}
