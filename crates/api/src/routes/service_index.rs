//! The service-index metrics of an agency and every agency below it for a
//! period (`motcua_reports::index`).

use actix_web::{get, web};
use motcua_domain::Role;
use motcua_reports::index::{self, IndexReport};
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_actix_web::service_config::ServiceConfig;

use super::reports::Which;
use crate::auth::Staff;
use crate::error::{ApiError, Problem};
use crate::state::AppState;

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct IndexQuery {
    /// The agency, with every agency below it; by default the caller's
    /// own (for an administrator, every agency).
    #[param(max_length = 64, example = "H53.50")]
    pub agency: Option<String>,
    /// A named period: `2026`, `2026-H2`, `2026-Q4` or `2026-11`. Give
    /// either this or `from` and `to`.
    #[param(max_length = 7, example = "2026-Q4")]
    pub period: Option<String>,
    #[param(format = Date, example = "2026-10-01")]
    pub from: Option<String>,
    #[param(format = Date, example = "2026-12-31")]
    pub to: Option<String>,
}

#[utoipa::path(get, path = "/api/v1/reports/index", tag = "reports",
    security(("bearer" = [])), params(IndexQuery),
    responses(
        (status = 200, description = "Per agency, per procedure and in total: each measure with its numerator, denominator, percentage and score, or what is missing to compute it", body = IndexReport),
        (status = 403, description = "Not a supervisor or an administrator, or an agency outside the caller's reach", body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json")))]
#[get("/api/v1/reports/index")]
pub async fn service_index(
    state: web::Data<AppState>,
    staff: Staff,
    query: web::Query<IndexQuery>,
) -> Result<web::Json<IndexReport>, ApiError> {
    staff.require(&[Role::Supervisor, Role::Admin])?;
    let q = query.into_inner();
    let calendar = state.calendar();
    let report = state
        .with_conn(move |conn| {
            let which = Which {
                agency: q.agency.as_deref(),
                period: q.period.as_deref(),
                from: q.from.as_deref(),
                to: q.to.as_deref(),
                by: None,
                form: None,
            };
            let r = which.request(conn, &staff)?;
            Ok(index::index(
                conn, &calendar, r.agency, r.agencies, r.period,
            )?)
        })
        .await?;
    Ok(web::Json(report))
}

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(service_index);
}
