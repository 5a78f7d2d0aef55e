//! The audit trail for administrators and supervisors: every recorded
//! change, inside a dossier or outside it (the catalogue, accounts, the
//! calendar, the outbox), newest first, filtered and paged. A supervisor
//! sees the events of the dossiers of their agency and the agencies below
//! it; an administrator sees everything.

use actix_web::{get, web, HttpResponse};
use chrono::{DateTime, Utc};
use motcua_domain::{EventKind, Role};
use motcua_store::events::{self, Event, EventFilter};
use motcua_store::{users, DbConnection};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_actix_web::service_config::ServiceConfig;

use crate::access::Reach;
use crate::auth::Staff;
use crate::error::{ApiError, Problem};
use crate::routes::dossiers::EventDto;
use crate::routes::paging::page;
use crate::state::AppState;

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct EventQuery {
    /// What changed: `dossier`, `user`, `agency`, `procedure`,
    /// `calendar`, `outbox`, `login`...
    #[param(max_length = 32, example = "user")]
    pub subject_type: Option<String>,
    /// The user name of the staff member who made the change.
    #[param(max_length = 64, example = "admin")]
    pub actor: Option<String>,
    /// One kind of event, e.g. `user.updated` or `dossier.received`.
    #[param(max_length = 64, example = "user.updated")]
    pub kind: Option<String>,
    /// From this instant (included).
    pub from: Option<DateTime<Utc>>,
    /// Until this instant (excluded).
    pub to: Option<DateTime<Utc>>,
    /// Page size, 1 to 500 (default 50).
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<i64>,
    #[param(minimum = 0, maximum = 1_000_000_000)]
    pub offset: Option<i64>,
}

/// One recorded change: what it was about, and the event as a dossier's
/// history shows it.
#[derive(Serialize, ToSchema)]
pub struct AuditEvent {
    pub subject_type: String,
    pub subject_id: String,
    #[serde(flatten)]
    pub event: EventDto,
}

impl From<Event> for AuditEvent {
    fn from(e: Event) -> Self {
        AuditEvent {
            subject_type: e.subject_type.clone(),
            subject_id: e.subject_id.clone(),
            event: EventDto::from(e),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct AuditPage {
    pub items: Vec<AuditEvent>,
    pub total: i64,
    pub limit: i64,
    pub offset: i64,
}

#[utoipa::path(get, path = "/api/v1/events", tag = "operations",
    security(("bearer" = [])), params(EventQuery),
    responses((status = 200, description = "Newest first", body = AuditPage),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json")))]
#[get("/api/v1/events")]
pub async fn list(
    state: web::Data<AppState>,
    staff: Staff,
    query: web::Query<EventQuery>,
) -> Result<HttpResponse, ApiError> {
    staff.require(&[Role::Admin, Role::Supervisor])?;
    let q = query.into_inner();
    let (limit, offset) = page(q.limit, q.offset)?;
    if let Some(k) = q.kind.as_deref().filter(|k| EventKind::parse(k).is_none()) {
        return Err(ApiError::invalid_field(
            "kind",
            format!("no event kind {k:?}"),
        ));
    }
    if q.from.zip(q.to).is_some_and(|(from, to)| to < from) {
        return Err(ApiError::invalid_field("to", "must not be before from"));
    }
    let (items, total) = state
        .with_conn(move |conn| {
            let filter = filter(conn, &staff, q, limit, offset)?;
            Ok(events::list(conn, &filter)?)
        })
        .await?;
    Ok(HttpResponse::Ok().json(AuditPage {
        items: items.into_iter().map(AuditEvent::from).collect(),
        total,
        limit,
        offset,
    }))
}

/// The filter of a checked query: the actor's user name resolved, and a
/// supervisor held to the dossiers within reach.
fn filter(
    conn: &mut DbConnection,
    staff: &Staff,
    q: EventQuery,
    limit: i64,
    offset: i64,
) -> Result<EventFilter, ApiError> {
    let actor_id = match q.actor.as_deref().map(|a| a.trim().to_lowercase()) {
        None => None,
        Some(name) => match users::find_by_username(conn, &name)? {
            Some((u, _)) => Some(u.id),
            None => return Err(ApiError::invalid_field("actor", "no such user")),
        },
    };
    let dossier_agencies = match Reach::of(conn, staff)? {
        Reach::All => None,
        Reach::Agencies(codes) => Some(codes),
    };
    Ok(EventFilter {
        subject_type: q.subject_type,
        actor_id,
        kind: q.kind,
        from: q.from,
        to: q.to,
        dossier_agencies,
        limit,
        offset,
    })
}

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(list);
}
