//! Dossier codes reserved for an outage (docs/dossier-code.md, Reserved
//! codes): a desk's clerks reserve a block ahead and print paper receipts
//! with them while the network is down; the dossiers are logged later with
//! `paper_receipt` on `POST /api/v1/dossiers`.

use actix_web::{get, post, web, HttpResponse};
use chrono::{DateTime, NaiveDate, Utc};
use motcua_intake::reserved;
use motcua_store::reserved_codes::{self, CodeState, ReservedCode};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_actix_web::service_config::ServiceConfig;

use crate::access::Reach;
use crate::auth::Staff;
use crate::body::JsonBody;
use crate::error::{ApiError, Problem};
use crate::state::AppState;

/// How many codes, and for which local day.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReserveCodesInput {
    #[schema(example = 20, minimum = 1, maximum = 200)]
    pub count: u32,
    /// Today when omitted; at most 7 days ahead.
    #[schema(value_type = Option<String>, format = Date, example = "2026-12-08")]
    pub day: Option<NaiveDate>,
}

#[derive(Serialize, ToSchema)]
pub struct ReservedCodeDto {
    #[schema(example = "H53.50.05.13-261208-0005")]
    pub code: String,
    #[schema(value_type = String, format = Date, example = "2026-12-08")]
    pub day: NaiveDate,
    /// reserved (may be logged), used, or void (never used; the days to
    /// log it are over).
    #[schema(example = "reserved")]
    pub state: &'static str,
    pub reserved_at: DateTime<Utc>,
    pub used_at: Option<DateTime<Utc>>,
}

fn dto(c: ReservedCode, open_day: NaiveDate) -> ReservedCodeDto {
    ReservedCodeDto {
        state: match c.state(open_day) {
            CodeState::Reserved => "reserved",
            CodeState::Used => "used",
            CodeState::Void => "void",
        },
        code: c.code,
        day: c.day,
        reserved_at: c.reserved_at,
        used_at: c.used_at,
    }
}

#[utoipa::path(post, path = "/api/v1/agencies/{code}/reserved-codes", tag = "dossiers",
    security(("bearer" = [])), request_body = ReserveCodesInput,
    params(("code" = String, Path, description = "The desk's agency")),
    responses(
        (status = 201, description = "The codes reserved, drawn from the day's sequence: print them on paper receipts during an outage", body = [ReservedCodeDto]),
        (status = 403, description = "Not a clerk of this desk", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A count outside 1–200, or a day in the past or more than 7 days ahead", body = Problem, content_type = "application/problem+json")))]
#[post("/api/v1/agencies/{code}/reserved-codes")]
pub async fn reserve(
    state: web::Data<AppState>,
    staff: Staff,
    path: web::Path<String>,
    JsonBody(input): JsonBody<ReserveCodesInput>,
) -> Result<HttpResponse, ApiError> {
    let agency = path.into_inner();
    let calendar = state.calendar();
    let codes = state
        .with_conn(move |conn| {
            Ok(reserved::reserve(
                conn,
                &calendar,
                &staff.member(),
                &agency,
                input.day,
                input.count,
            )?)
        })
        .await?;
    let open_day = reserved::last_open_day(&state.calendar(), motcua_store::time::now());
    Ok(HttpResponse::Created().json(
        codes
            .into_iter()
            .map(|c| dto(c, open_day))
            .collect::<Vec<_>>(),
    ))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ReservedQuery {
    /// First local day, YYYY-MM-DD.
    #[param(format = Date)]
    pub from: String,
    /// Last local day (inclusive), YYYY-MM-DD; at most 31 days after `from`.
    #[param(format = Date)]
    pub to: String,
}

#[utoipa::path(get, path = "/api/v1/agencies/{code}/reserved-codes", tag = "dossiers",
    security(("bearer" = [])),
    params(("code" = String, Path, description = "The desk's agency"), ReservedQuery),
    responses(
        (status = 200, description = "The desk's reserved codes of those days, each reserved, used or void", body = [ReservedCodeDto]),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json")))]
#[get("/api/v1/agencies/{code}/reserved-codes")]
pub async fn list(
    state: web::Data<AppState>,
    staff: Staff,
    path: web::Path<String>,
    query: web::Query<ReservedQuery>,
) -> Result<HttpResponse, ApiError> {
    let agency = path.into_inner();
    let (from, to) =
        crate::routes::tracking_book::local_days(&query.from, &query.to, 31, "31 days")?;
    let open_day = reserved::last_open_day(&state.calendar(), motcua_store::time::now());
    let codes = state
        .with_conn(move |conn| {
            if !Reach::of(conn, &staff)?.contains(&agency) {
                return Err(ApiError::forbidden(format!(
                    "the codes of {agency} are not within your reach"
                )));
            }
            Ok(reserved_codes::of_days(conn, &agency, from, to)?)
        })
        .await?;
    Ok(HttpResponse::Ok().json(
        codes
            .into_iter()
            .map(|c| dto(c, open_day))
            .collect::<Vec<_>>(),
    ))
}

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(reserve).service(list);
}
