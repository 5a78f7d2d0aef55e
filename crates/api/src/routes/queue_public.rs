//! The counter hall seen from the hall (docs/queue.md): a kiosk takes a
//! ticket without logging in (limited per client address), a citizen
//! follows a ticket by its id, and anyone sees the hall now (the areas
//! with their queues, the tickets being served at which counter, the
//! latest calls), the same figures the board's event stream sends.

use actix_web::{get, post, web, HttpRequest, HttpResponse};
use chrono::{DateTime, Utc};
use motcua_domain::queue::{Counter, Hall, TicketStatus};
use motcua_domain::throttle::Policy;
use motcua_store::queue_tickets::{self, NewTicket, Ticket};
use motcua_store::{agencies, procedures, queue_hall, DbConnection};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_actix_web::service_config::ServiceConfig;

use crate::body::JsonBody;
use crate::error::{ApiError, Problem};
use crate::limits;
use crate::state::AppState;

/// The local date tickets are numbered by, `2026-12-08`.
pub fn today(state: &AppState, now: DateTime<Utc>) -> String {
    state
        .calendar()
        .local_date(now)
        .format("%Y-%m-%d")
        .to_string()
}

/// A call shown on the board: which ticket goes to which counter.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct BoardCall {
    #[schema(example = "A-023")]
    pub label: String,
    #[schema(example = "A")]
    pub area: String,
    #[schema(example = 3)]
    pub counter: Option<i32>,
    #[schema(example = "Quầy 3")]
    pub counter_name: Option<String>,
    /// When it was last announced.
    pub announced_at: Option<DateTime<Utc>>,
    /// Times announced (more than one: recalled).
    #[schema(example = 1)]
    pub calls: i32,
    pub status: TicketStatus,
}

/// An area of the hall with its queue now.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct AreaNow {
    #[schema(example = "A")]
    pub letter: String,
    #[schema(example = "Tư pháp - Hộ tịch")]
    pub name: String,
    pub fields: Vec<String>,
    /// Tickets of today not called yet.
    #[schema(example = 4)]
    pub waiting: i64,
}

/// The hall now: what the kiosk offers and the board shows.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct HallNow {
    #[schema(example = "H53.50.05.13")]
    pub agency: String,
    #[schema(example = "UBND xã Tân An")]
    pub agency_name: String,
    /// The local day the tickets count in.
    #[schema(example = "2026-12-08")]
    pub day: String,
    pub areas: Vec<AreaNow>,
    pub counters: Vec<Counter>,
    /// The tickets being served, by counter.
    pub serving: Vec<BoardCall>,
    /// The latest announcements, newest first (at most eight).
    pub recent: Vec<BoardCall>,
}

/// The name of the counter a ticket was called to.
fn counter_name(t: &Ticket, hall: &Hall) -> Option<String> {
    t.counter
        .and_then(|n| hall.counter(n))
        .map(|c| c.name.clone())
}

fn board_call(t: &Ticket, hall: &Hall) -> BoardCall {
    BoardCall {
        label: t.label(),
        area: t.area.clone(),
        counter: t.counter,
        counter_name: counter_name(t, hall),
        announced_at: t.announced_at,
        calls: t.calls,
        status: t.status,
    }
}

/// The hall of `agency` now (404 for an agency that does not exist).
pub fn hall_now(conn: &mut DbConnection, agency: &str, day: &str) -> Result<HallNow, ApiError> {
    let a = agencies::get(conn, agency)?.ok_or_else(|| ApiError::not_found("agency"))?;
    let hall = queue_hall::get(conn, agency)?;
    let waiting = queue_tickets::waiting_by_area(conn, agency, day)?;
    let (serving, recent) = queue_tickets::board(conn, agency, day)?;
    Ok(HallNow {
        agency: agency.to_string(),
        agency_name: a.name,
        day: day.to_string(),
        areas: hall
            .areas
            .iter()
            .map(|area| AreaNow {
                letter: area.letter.clone(),
                name: area.name.clone(),
                fields: area.fields.clone(),
                waiting: waiting
                    .iter()
                    .find(|(l, _)| *l == area.letter)
                    .map_or(0, |(_, n)| *n),
            })
            .collect(),
        serving: serving.iter().map(|t| board_call(t, &hall)).collect(),
        recent: recent.iter().map(|t| board_call(t, &hall)).collect(),
        counters: hall.counters,
    })
}

#[utoipa::path(get, path = "/api/v1/public/queue/{agency}", tag = "queue",
    params(("agency" = String, Path, description = "Agency code")),
    responses((status = 200, description = "The hall now", body = HallNow),
        (status = 404, description = "No such agency", body = Problem, content_type = "application/problem+json")))]
#[get("/api/v1/public/queue/{agency}")]
pub async fn hall_view(
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let agency = path.into_inner();
    let day = today(&state, motcua_store::time::now());
    let now = state
        .with_conn(move |conn| hall_now(conn, &agency, &day))
        .await?;
    Ok(HttpResponse::Ok().json(now))
}

/// What the citizen came for: exactly one of an area, a field or a
/// procedure.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TicketRequest {
    /// An area's letter, as the kiosk's buttons name them.
    #[schema(example = "A", max_length = 1)]
    pub area: Option<String>,
    /// A field of the catalogue (lĩnh vực).
    #[schema(example = "Hộ tịch", max_length = 200)]
    pub field: Option<String>,
    /// A procedure's code: its field decides the area.
    #[schema(example = "1.001193", max_length = 64)]
    pub procedure: Option<String>,
}

/// A ticket as the citizen holds it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PublicTicket {
    /// What to keep to follow it (`GET /api/v1/public/queue/tickets/{id}`).
    #[schema(example = "5f0c3c1e-8d2b-4c1a-9f3e-2a7b6c5d4e3f")]
    pub id: String,
    #[schema(example = "A-023")]
    pub label: String,
    #[schema(example = "H53.50.05.13")]
    pub agency: String,
    #[schema(example = "A")]
    pub area: String,
    #[schema(example = "Tư pháp - Hộ tịch")]
    pub area_name: String,
    #[schema(example = "2026-12-08")]
    pub day: String,
    pub status: TicketStatus,
    pub taken_at: DateTime<Utc>,
    /// While waiting: tickets of the area taken before it and not called.
    #[schema(example = 3)]
    pub waiting_ahead: Option<i64>,
    /// Once called: where to go.
    #[schema(example = 3)]
    pub counter: Option<i32>,
    #[schema(example = "Quầy 3")]
    pub counter_name: Option<String>,
    pub called_at: Option<DateTime<Utc>>,
}

/// The citizen's view of a ticket.
pub fn public_ticket(conn: &mut DbConnection, t: &Ticket) -> Result<PublicTicket, ApiError> {
    let hall = queue_hall::get(conn, &t.agency)?;
    let waiting_ahead = match t.status {
        TicketStatus::Waiting => Some(queue_tickets::waiting_ahead(conn, t)?),
        _ => None,
    };
    Ok(PublicTicket {
        id: t.id.clone(),
        label: t.label(),
        agency: t.agency.clone(),
        area: t.area.clone(),
        area_name: hall
            .area(&t.area)
            .map_or_else(|| t.area.clone(), |a| a.name.clone()),
        day: t.day.clone(),
        status: t.status,
        taken_at: t.taken_at,
        waiting_ahead,
        counter: t.counter,
        counter_name: counter_name(t, &hall),
        called_at: t.called_at,
    })
}

fn trimmed(s: Option<String>) -> Option<String> {
    s.map(|s| s.trim().to_string()).filter(|s| !s.is_empty())
}

/// Which area a request is for, with the field and procedure to record.
fn area_for(
    conn: &mut DbConnection,
    hall: &Hall,
    req: TicketRequest,
) -> Result<(String, Option<String>, Option<String>), ApiError> {
    let (area, field, procedure) = (
        trimmed(req.area),
        trimmed(req.field),
        trimmed(req.procedure),
    );
    let given = [area.is_some(), field.is_some(), procedure.is_some()];
    if given.iter().filter(|g| **g).count() != 1 {
        return Err(ApiError::invalid_field(
            "area",
            "give exactly one of area, field and procedure",
        ));
    }
    if let Some(letter) = area {
        return match hall.area(&letter) {
            Some(a) => Ok((a.letter.clone(), None, None)),
            None => Err(ApiError::invalid_field(
                "area",
                format!("this hall has no area {letter:?}"),
            )),
        };
    }
    let (field, procedure, name) = match procedure {
        Some(code) => {
            let p = procedures::get(conn, &code)?.ok_or_else(|| {
                ApiError::invalid_field("procedure", format!("no procedure {code}"))
            })?;
            (p.field.clone(), Some(p.code.to_string()), "procedure")
        }
        None => (field.unwrap_or_default(), None, "field"),
    };
    match hall.area_for_field(&field) {
        Some(a) => Ok((a.letter.clone(), Some(field), procedure)),
        None => Err(ApiError::invalid_field(
            name,
            format!("no area of this hall serves the field {field:?}"),
        )),
    }
}

/// Takes a ticket under the per-client limit (every request counts,
/// accepted or not, so refused input is not free to send). The API's
/// route and the kiosk page both take tickets here.
pub(crate) async fn take_counted(
    state: &web::Data<AppState>,
    req: &HttpRequest,
    agency: String,
    body: TicketRequest,
) -> Result<Ticket, ApiError> {
    let ip = crate::client::of_request(req, &state.config.trusted_proxies);
    let rate = limits::Bucket::new(
        "ticket-address",
        &crate::client::limit_key(ip),
        Policy::per_minute(state.config.tickets_per_minute),
    );
    let now = motcua_store::time::now();
    let day = today(state, now);
    state
        .with_conn(move |conn| {
            let buckets = [rate];
            limits::check(conn, &buckets, now, "queue tickets")?;
            if let Some(until) = motcua_store::throttle::record(conn, &buckets, now)? {
                return Err(limits::refused(until, now, "queue tickets"));
            }
            if agencies::get(conn, &agency)?.is_none() {
                return Err(ApiError::not_found("agency"));
            }
            let hall = queue_hall::get(conn, &agency)?;
            let (area, field, procedure) = area_for(conn, &hall, body)?;
            Ok(queue_tickets::take(
                conn,
                &NewTicket {
                    agency: &agency,
                    area: &area,
                    day: &day,
                    field: field.as_deref(),
                    procedure: procedure.as_deref(),
                    at: now,
                },
            )?)
        })
        .await
}

#[utoipa::path(post, path = "/api/v1/public/queue/{agency}/tickets", tag = "queue",
    request_body = TicketRequest,
    params(("agency" = String, Path, description = "Agency code")),
    responses((status = 201, description = "The ticket: the area's next number of the day", body = PublicTicket),
        (status = 404, description = "No such agency", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Not exactly one of area, field and procedure, or nothing in this hall serves it", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many tickets from this address",
            body = Problem, content_type = "application/problem+json",
            headers(("Retry-After" = i64, description = "Seconds to wait")))))]
#[post("/api/v1/public/queue/{agency}/tickets")]
pub async fn take(
    state: web::Data<AppState>,
    req: HttpRequest,
    path: web::Path<String>,
    JsonBody(body): JsonBody<TicketRequest>,
) -> Result<HttpResponse, ApiError> {
    let t = take_counted(&state, &req, path.into_inner(), body).await?;
    let view = state.with_conn(move |conn| public_ticket(conn, &t)).await?;
    Ok(HttpResponse::Created()
        .insert_header((
            "Location",
            format!("/api/v1/public/queue/tickets/{}", view.id),
        ))
        .json(view))
}

#[utoipa::path(get, path = "/api/v1/public/queue/tickets/{id}", tag = "queue",
    params(("id" = String, Path, description = "The ticket's id")),
    responses((status = 200, description = "The ticket now: how many are ahead, or the counter to go to", body = PublicTicket),
        (status = 404, body = Problem, content_type = "application/problem+json")))]
#[get("/api/v1/public/queue/tickets/{id}")]
pub async fn ticket(
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    let view = state
        .with_conn(move |conn| {
            let t = queue_tickets::get(conn, &id)?.ok_or_else(|| ApiError::not_found("ticket"))?;
            public_ticket(conn, &t)
        })
        .await?;
    Ok(HttpResponse::Ok().json(view))
}

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(hall_view);
    cfg.service(take);
    cfg.service(ticket);
}
