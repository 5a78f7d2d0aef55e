//! The layout of an agency's counter hall (docs/queue.md): administrators
//! set its service areas (the letter of their tickets, the fields they
//! serve) and its counters (the areas each calls from), whole, in one
//! transaction with its event.

use actix_web::{get, put, web, HttpResponse};
use motcua_domain::queue::Hall;
use motcua_domain::{EventKind, Role};
use motcua_store::events::{self, NewEvent};
use motcua_store::{agencies, queue_hall};
use utoipa_actix_web::service_config::ServiceConfig;

use crate::auth::Staff;
use crate::body::JsonBody;
use crate::error::{ApiError, Problem};
use crate::state::AppState;

#[utoipa::path(get, path = "/api/v1/agencies/{code}/queue-hall", tag = "queue",
    security(("bearer" = [])),
    params(("code" = String, Path, description = "Agency code")),
    responses((status = 200, description = "The hall's areas and counters (none of either until set)", body = Hall),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such agency", body = Problem, content_type = "application/problem+json")))]
#[get("/api/v1/agencies/{code}/queue-hall")]
pub async fn get_hall(
    state: web::Data<AppState>,
    _staff: Staff,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let code = path.into_inner();
    let hall = state
        .with_conn(move |conn| {
            if agencies::get(conn, &code)?.is_none() {
                return Err(ApiError::not_found("agency"));
            }
            Ok(queue_hall::get(conn, &code)?)
        })
        .await?;
    Ok(HttpResponse::Ok().json(hall))
}

#[utoipa::path(put, path = "/api/v1/agencies/{code}/queue-hall", tag = "queue",
    security(("bearer" = [])), request_body = Hall,
    params(("code" = String, Path, description = "Agency code")),
    responses((status = 200, description = "The hall as set; tickets already taken keep their numbers", body = Hall),
        (status = 403, description = "Administrators only", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such agency", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Each problem named: a letter not A to Z or given twice, a field served by two areas, a counter calling from an area that does not exist...", body = Problem, content_type = "application/problem+json")))]
#[put("/api/v1/agencies/{code}/queue-hall")]
pub async fn set_hall(
    state: web::Data<AppState>,
    staff: Staff,
    path: web::Path<String>,
    JsonBody(input): JsonBody<Hall>,
) -> Result<HttpResponse, ApiError> {
    staff.require(&[Role::Admin])?;
    let code = path.into_inner();
    let hall = input.checked().map_err(ApiError::invalid)?;
    let saved = state
        .with_conn(move |conn| {
            conn.write_tx(|conn| {
                if agencies::get(conn, &code)?.is_none() {
                    return Err(ApiError::not_found("agency"));
                }
                queue_hall::set(conn, &code, &hall)?;
                events::append(
                    conn,
                    &NewEvent {
                        subject_type: "agency",
                        subject_id: &code,
                        dossier_id: None,
                        kind: EventKind::QueueHallSet,
                        actor: &staff.actor(),
                        at: motcua_store::time::now(),
                        data: serde_json::to_value(&hall).unwrap_or_default(),
                    },
                )?;
                Ok(hall)
            })
        })
        .await?;
    Ok(HttpResponse::Ok().json(saved))
}

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(get_hall);
    cfg.service(set_hall);
}
