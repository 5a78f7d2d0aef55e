//! The outbox for administrators: what waits, what went out, what failed
//! (with the error kept on the row), and a retry for failed messages.

use actix_web::{get, post, web, HttpResponse};
use motcua_domain::Role;
use motcua_notify::outbox::{self, OutboxFilter};
use motcua_notify::{OutboxRow, Status};
use motcua_store::dossiers;
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::{IntoParams, ToSchema};
use utoipa_actix_web::service_config::ServiceConfig;

use crate::auth::Staff;
use crate::error::{ApiError, Problem};
use crate::state::AppState;

#[derive(Serialize, ToSchema)]
pub struct OutboxPage {
    #[schema(value_type = Vec<Object>)]
    pub items: Vec<OutboxRow>,
    pub total: i64,
    /// Messages per status, over the whole outbox.
    #[schema(value_type = Object)]
    pub counts: serde_json::Value,
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct OutboxQuery {
    /// pending, sending, sent or failed.
    pub status: Option<String>,
    pub kind: Option<String>,
    /// Messages about one dossier, by its code (as printed on the
    /// receipt).
    pub dossier: Option<String>,
    /// Page size, 1 to 500 (default 50).
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<i64>,
    #[param(minimum = 0, maximum = 1_000_000_000)]
    pub offset: Option<i64>,
}

#[utoipa::path(get, path = "/api/v1/outbox", tag = "operations",
    security(("bearer" = [])), params(OutboxQuery),
    responses((status = 200, description = "Newest first", body = OutboxPage),
        (status = 403, body = Problem, content_type = "application/problem+json")))]
#[get("/api/v1/outbox")]
pub async fn list(
    state: web::Data<AppState>,
    staff: Staff,
    query: web::Query<OutboxQuery>,
) -> Result<HttpResponse, ApiError> {
    staff.require(&[Role::Admin])?;
    let q = query.into_inner();
    let status = q.status.as_deref().map(parse_status).transpose()?;
    let (limit, offset) = crate::routes::paging::page(q.limit, q.offset)?;
    let mut filter = OutboxFilter {
        status,
        kind: q.kind,
        dossier_id: None,
        limit,
        offset,
    };
    let (items, total, counts) = state
        .with_conn(move |conn| {
            if let Some(code) = &q.dossier {
                // An unknown code matches no message, like any filter.
                filter.dossier_id = Some(match dossiers::find_by_code(conn, code)? {
                    Some(d) => d.id,
                    None => String::new(),
                });
            }
            let (items, total) = outbox::list(conn, &filter)?;
            let counts = outbox::count_by_status(conn)?;
            Ok((items, total, counts))
        })
        .await?;
    let counts = counts
        .into_iter()
        .map(|(s, n)| (s.as_str().to_string(), json!(n)))
        .collect();
    Ok(HttpResponse::Ok().json(OutboxPage {
        items,
        total,
        counts: serde_json::Value::Object(counts),
    }))
}

fn parse_status(s: &str) -> Result<Status, ApiError> {
    s.parse()
        .map_err(|_| ApiError::invalid_field("status", "must be pending, sending, sent or failed"))
}

#[utoipa::path(post, path = "/api/v1/outbox/{id}/retry", tag = "operations",
    security(("bearer" = [])),
    params(("id" = i64, Path, minimum = 1, description = "Message id")),
    responses((status = 200, description = "Pending again, due now", body = Object),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Not a failed message", body = Problem, content_type = "application/problem+json")))]
#[post("/api/v1/outbox/{id}/retry")]
pub async fn retry(
    state: web::Data<AppState>,
    staff: Staff,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    staff.require(&[Role::Admin])?;
    // Not a number: no such message.
    let id: i64 = path
        .into_inner()
        .parse()
        .map_err(|_| ApiError::not_found("message"))?;
    let row = state
        .with_conn(move |conn| {
            outbox::retry(conn, id, &staff.actor()).map_err(|e| match e {
                motcua_notify::NotifyError::Store(motcua_store::StoreError::NotFound) => {
                    ApiError::not_found("message")
                }
                other => other.into(),
            })
        })
        .await?;
    Ok(HttpResponse::Ok().json(row))
}

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(list).service(retry);
}
