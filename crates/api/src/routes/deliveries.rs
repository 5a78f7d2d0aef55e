//! The webhook delivery queue for administrators: what waits, what went
//! out, what failed (with the receiver's last answer kept on the row), and
//! a retry for a failed row, like the mail outbox.

use actix_web::{get, post, web, HttpResponse};
use motcua_domain::{EventKind, Role};
use motcua_store::deliveries::{self, Delivery, Filter, Retried, State};
use motcua_store::dossiers;
use motcua_store::events::{self, NewEvent};
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::{IntoParams, ToSchema};
use utoipa_actix_web::service_config::ServiceConfig;

use crate::auth::Staff;
use crate::error::{ApiError, Problem};
use crate::state::AppState;

#[derive(Serialize, ToSchema)]
pub struct DeliveryPage {
    #[schema(value_type = Vec<Object>)]
    pub items: Vec<Delivery>,
    pub total: i64,
    /// Rows per state, over the whole queue.
    #[schema(value_type = Object)]
    pub counts: serde_json::Value,
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DeliveryQuery {
    /// pending, delivered, skipped or failed.
    pub state: Option<String>,
    /// One subscriber's rows, by its id.
    pub subscriber: Option<String>,
    /// Rows about one dossier, by its code (as printed on the receipt).
    pub dossier: Option<String>,
    /// Page size, 1 to 500 (default 50).
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<i64>,
    #[param(minimum = 0, maximum = 1_000_000_000)]
    pub offset: Option<i64>,
}

#[utoipa::path(get, path = "/api/v1/deliveries", tag = "feed",
    security(("bearer" = [])), params(DeliveryQuery),
    responses((status = 200, description = "Newest first", body = DeliveryPage),
        (status = 403, description = "Administrators only", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "An unknown state, or a page out of range", body = Problem, content_type = "application/problem+json")))]
#[get("/api/v1/deliveries")]
pub async fn list(
    state: web::Data<AppState>,
    staff: Staff,
    query: web::Query<DeliveryQuery>,
) -> Result<HttpResponse, ApiError> {
    staff.require(&[Role::Admin])?;
    let q = query.into_inner();
    let wanted = q
        .state
        .as_deref()
        .map(|s| {
            State::parse(s).ok_or_else(|| {
                ApiError::invalid_field("state", "must be pending, delivered, skipped or failed")
            })
        })
        .transpose()?;
    let (limit, offset) = crate::routes::paging::page(q.limit, q.offset)?;
    let mut filter = Filter {
        state: wanted,
        subscriber_id: q.subscriber,
        dossier_id: None,
        limit,
        offset,
    };
    let (items, total, counts) = state
        .with_conn(move |conn| {
            if let Some(code) = &q.dossier {
                // An unknown code matches no row, like any filter.
                filter.dossier_id = Some(match dossiers::find_by_code(conn, code)? {
                    Some(d) => d.id,
                    None => String::new(),
                });
            }
            let (items, total) = deliveries::list(conn, &filter)?;
            Ok((items, total, deliveries::count_by_state(conn)?))
        })
        .await?;
    let counts = counts
        .into_iter()
        .map(|(s, n)| (s.as_str().to_string(), json!(n)))
        .collect();
    Ok(HttpResponse::Ok().json(DeliveryPage {
        items,
        total,
        counts: serde_json::Value::Object(counts),
    }))
}

#[utoipa::path(post, path = "/api/v1/deliveries/{id}/retry", tag = "feed",
    security(("bearer" = [])),
    params(("id" = i64, Path, minimum = 1, description = "Delivery id")),
    responses((status = 200, description = "Pending again, due now, its attempts counted afresh", body = Object),
        (status = 403, description = "Administrators only", body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Not a failed delivery", body = Problem, content_type = "application/problem+json")))]
#[post("/api/v1/deliveries/{id}/retry")]
pub async fn retry(
    state: web::Data<AppState>,
    staff: Staff,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    staff.require(&[Role::Admin])?;
    // Not a number: no such delivery.
    let id: i64 = path
        .into_inner()
        .parse()
        .map_err(|_| ApiError::not_found("delivery"))?;
    let row = state
        .with_conn(move |conn| {
            conn.write_tx(|conn| {
                let now = motcua_store::time::now();
                let row = match deliveries::retry(conn, id, now) {
                    Ok(Retried::Done(row)) => row,
                    Ok(Retried::NotFailed(s)) => {
                        return Err(ApiError::conflict(format!(
                            "only a failed delivery is retried; this one is {}",
                            s.as_str()
                        )))
                    }
                    Err(motcua_store::StoreError::NotFound) => {
                        return Err(ApiError::not_found("delivery"))
                    }
                    Err(e) => return Err(e.into()),
                };
                events::append(
                    conn,
                    &NewEvent {
                        subject_type: "delivery",
                        subject_id: &id.to_string(),
                        dossier_id: Some(&row.dossier_id),
                        kind: EventKind::DeliveryRetried,
                        actor: &staff.actor(),
                        at: now,
                        data: json!({"subscriber": row.subscriber_id, "event_id": row.event_id}),
                    },
                )?;
                Ok(row)
            })
        })
        .await?;
    Ok(HttpResponse::Ok().json(row))
}

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(list).service(retry);
}
