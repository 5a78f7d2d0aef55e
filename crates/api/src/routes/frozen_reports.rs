//! Frozen results reports: a supervisor freezes the report they submit
//! upward; its figures stay as they were, and reading it shows what has
//! moved since (`motcua_reports::frozen`).

use actix_web::{get, post, web, HttpRequest, HttpResponse};
use motcua_domain::Role;
use motcua_reports::frozen::{self, Frozen, FrozenCompared};
use motcua_reports::results::{By, Counts, Form};
use motcua_store::frozen_reports::{self, EVERY_AGENCY};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_actix_web::service_config::ServiceConfig;

use super::reports::{answer, check_format, Which};
use crate::access::Reach;
use crate::auth::Staff;
use crate::body::JsonBody;
use crate::error::{ApiError, Problem};
use crate::state::AppState;

/// The report to freeze: as for the report itself.
#[derive(Deserialize, ToSchema)]
pub struct FreezeInput {
    /// By default the caller's own agency (for an administrator, every
    /// agency).
    #[schema(max_length = 64, example = "H53.50")]
    pub agency: Option<String>,
    #[schema(max_length = 7, example = "2026-11")]
    pub period: Option<String>,
    #[schema(max_length = 10, format = Date)]
    pub from: Option<String>,
    #[schema(max_length = 10, format = Date)]
    pub to: Option<String>,
    pub by: Option<By>,
    pub form: Option<Form>,
    /// To whom and when it was sent.
    #[serde(default)]
    #[schema(max_length = 500, example = "Gửi Văn phòng UBND tỉnh ngày 03/12/2026")]
    pub note: String,
}

#[utoipa::path(post, path = "/api/v1/reports/results/frozen", tag = "reports",
    security(("bearer" = [])), request_body = FreezeInput,
    responses(
        (status = 201, description = "Frozen: the figures as counted now, kept as they are", body = Frozen),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The same report was frozen already", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Bad period, or a period not over yet", body = Problem, content_type = "application/problem+json")))]
#[post("/api/v1/reports/results/frozen")]
pub async fn freeze(
    state: web::Data<AppState>,
    staff: Staff,
    JsonBody(input): JsonBody<FreezeInput>,
) -> Result<HttpResponse, ApiError> {
    staff.require(&[Role::Supervisor, Role::Admin])?;
    let calendar = state.calendar();
    let done = state
        .with_conn(move |conn| {
            let which = Which {
                agency: input.agency.as_deref(),
                period: input.period.as_deref(),
                from: input.from.as_deref(),
                to: input.to.as_deref(),
                by: input.by,
                form: input.form,
            };
            let request = which.request(conn, &staff)?;
            Ok(frozen::freeze(
                conn,
                &calendar,
                request,
                &staff.actor(),
                &input.note,
            )?)
        })
        .await?;
    Ok(HttpResponse::Created()
        .insert_header((
            "Location",
            format!("/api/v1/reports/results/frozen/{}", done.id),
        ))
        .json(done))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct FrozenListQuery {
    /// Only the reports of this agency (within the caller's reach).
    #[param(max_length = 64, example = "H53.50")]
    pub agency: Option<String>,
}

/// A frozen report in the list: what it is and its total, without rows.
#[derive(Serialize, ToSchema)]
pub struct FrozenSummary {
    #[schema(example = "0193a5c2-7d4e-7c1a-9b0e-5f3d2a1b4c6d")]
    pub id: String,
    #[schema(example = "H53.50")]
    pub agency: Option<String>,
    #[schema(example = "2026-11")]
    pub period_name: String,
    #[schema(example = "06b")]
    pub layout: String,
    #[schema(example = "Gửi Văn phòng UBND tỉnh ngày 03/12/2026")]
    pub note: String,
    #[schema(example = "Lê Minh Châu")]
    pub frozen_by_name: String,
    #[schema(example = "2026-12-03T02:15:00Z")]
    pub frozen_at: chrono::DateTime<chrono::Utc>,
    pub total: Counts,
}

#[derive(Serialize, ToSchema)]
pub struct FrozenList {
    pub items: Vec<FrozenSummary>,
}

/// How many frozen reports the list shows (newest first): a year of
/// monthly, quarterly and yearly reports in every form for a district.
const LIST_LIMIT: i64 = 500;

#[utoipa::path(get, path = "/api/v1/reports/results/frozen", tag = "reports",
    security(("bearer" = [])), params(FrozenListQuery),
    responses((status = 200, description = "The reports frozen for the agencies within reach, newest first (at most 500)", body = FrozenList),
        (status = 403, body = Problem, content_type = "application/problem+json")))]
#[get("/api/v1/reports/results/frozen")]
pub async fn list(
    state: web::Data<AppState>,
    staff: Staff,
    query: web::Query<FrozenListQuery>,
) -> Result<web::Json<FrozenList>, ApiError> {
    staff.require(&[Role::Supervisor, Role::Admin])?;
    let wanted = query.into_inner().agency;
    let rows = state
        .with_conn(move |conn| {
            let reach = Reach::of(conn, &staff)?;
            let agencies = match (wanted.as_deref(), reach) {
                (Some(a), reach) => {
                    reach.only(a.trim())?;
                    Some(vec![a.trim().to_string()])
                }
                (None, Reach::All) => None,
                (None, Reach::Agencies(list)) => Some(list),
            };
            Ok(frozen_reports::list(conn, agencies.as_deref(), LIST_LIMIT)?)
        })
        .await?;
    let items = rows
        .into_iter()
        .map(|row| {
            let total = serde_json::from_value(row.figures["total"].clone()).unwrap_or_default();
            FrozenSummary {
                agency: (row.agency_code != EVERY_AGENCY).then_some(row.agency_code),
                id: row.id,
                period_name: row.period_name,
                layout: row.layout,
                note: row.note,
                frozen_by_name: row.frozen_by_name,
                frozen_at: row.frozen_at,
                total,
            }
        })
        .collect();
    Ok(web::Json(FrozenList { items }))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct FrozenQuery {
    /// `csv`, `xlsx` or `html` for the frozen figures as they were, in the
    /// report's own formats; JSON (with today's differences) otherwise.
    #[param(max_length = 8, example = "html")]
    pub format: Option<String>,
}

#[utoipa::path(get, path = "/api/v1/reports/results/frozen/{id}", tag = "reports",
    security(("bearer" = [])),
    params(("id" = String, Path, max_length = 64, description = "The frozen report's id"), FrozenQuery),
    responses((status = 200, description = "The figures as frozen, and every figure that differs in the same report counted today", body = FrozenCompared),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json")))]
#[get("/api/v1/reports/results/frozen/{id}")]
pub async fn show(
    state: web::Data<AppState>,
    staff: Staff,
    path: web::Path<String>,
    query: web::Query<FrozenQuery>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    staff.require(&[Role::Supervisor, Role::Admin])?;
    let format = query.into_inner().format;
    check_format(format.as_deref())?;
    let id = path.into_inner();
    let calendar = state.calendar();
    let cal = calendar.clone();
    let printed = !matches!(format.as_deref(), None | Some("json"));
    let compared = state
        .with_conn(move |conn| {
            let row = frozen_reports::get(conn, &id).map_err(|e| match e {
                motcua_store::StoreError::NotFound => ApiError::not_found("frozen report"),
                other => other.into(),
            })?;
            let reach = Reach::of(conn, &staff)?;
            if row.agency_code == EVERY_AGENCY && reach != Reach::All {
                return Err(ApiError::forbidden(
                    "a report on every agency is for administrators",
                ));
            }
            if row.agency_code != EVERY_AGENCY {
                reach.only(&row.agency_code)?;
            }
            if printed {
                return Ok(Err(frozen::as_frozen(row)?));
            }
            Ok(Ok(frozen::compare(conn, &cal, row)?))
        })
        .await?;
    match compared {
        Ok(compared) => Ok(HttpResponse::Ok().json(compared)),
        Err(was) => answer(&req, format.as_deref(), &was.report, &calendar),
    }
}

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(freeze).service(list).service(show);
}
