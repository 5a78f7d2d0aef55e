//! The lateness forecast of an agency and every agency below it
//! (`motcua_reports::lateness`).

use actix_web::{get, web};
use chrono::Duration;
use motcua_domain::Role;
use motcua_reports::lateness::{self, ForecastItem};
use motcua_store::time;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_actix_web::service_config::ServiceConfig;

use crate::access::Reach;
use crate::auth::Staff;
use crate::error::{ApiError, Problem};
use crate::state::AppState;

/// How old the step-time histograms may be before a forecast rebuilds
/// them (the breach job keeps them fresher on a running server).
pub const MODEL_MAX_AGE_MINUTES: i64 = 60;

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ForecastQuery {
    /// The agency, with every agency below it; by default the caller's.
    #[param(max_length = 64, example = "H53.50")]
    pub agency: Option<String>,
    /// The lowest probability listed, 0 to 1 (default 0.5).
    #[param(minimum = 0.0, maximum = 1.0, example = 0.5)]
    pub threshold: Option<f64>,
}

#[derive(Serialize, ToSchema)]
pub struct Forecast {
    /// The probability above which a dossier is listed.
    #[schema(example = 0.5)]
    pub threshold: f64,
    /// Most at risk first, then earliest due.
    pub items: Vec<ForecastItem>,
}

#[utoipa::path(get, path = "/api/v1/forecast", tag = "reports",
    security(("bearer" = [])), params(ForecastQuery),
    responses((status = 200, description = "The open dossiers likely to end after their appointment, with the probability, the step and the reason", body = Forecast),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json")))]
#[get("/api/v1/forecast")]
pub async fn forecast(
    state: web::Data<AppState>,
    staff: Staff,
    query: web::Query<ForecastQuery>,
) -> Result<web::Json<Forecast>, ApiError> {
    staff.require(&[Role::Supervisor, Role::Admin])?;
    let q = query.into_inner();
    let threshold = q.threshold.unwrap_or(0.5);
    if !(0.0..=1.0).contains(&threshold) {
        return Err(ApiError::invalid_field(
            "threshold",
            "must be between 0 and 1",
        ));
    }
    let calendar = state.calendar();
    let items = state
        .with_conn(move |conn| {
            let mut reach = Reach::of(conn, &staff)?;
            if let Some(a) = q.agency.as_deref().map(str::trim) {
                reach = reach.at_and_below(conn, a)?;
            }
            let agencies = reach.agencies(conn)?;
            let now = time::now();
            lateness::refresh(
                conn,
                &calendar,
                now,
                Duration::minutes(MODEL_MAX_AGE_MINUTES),
            )?;
            Ok(lateness::forecast(
                conn, &calendar, &agencies, threshold, now,
            )?)
        })
        .await?;
    Ok(web::Json(Forecast { threshold, items }))
}

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(forecast);
}
