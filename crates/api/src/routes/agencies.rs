//! Agencies: public list, admin create and update.

use actix_web::{get, post, put, web, HttpResponse};
use motcua_admin::agencies::{self, AgencyInput, Save};
use motcua_domain::{Agency, AgencyLevel, Role};
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_actix_web::service_config::ServiceConfig;

use crate::auth::Staff;
use crate::body::JsonBody;
use crate::error::{ApiError, Problem};
use crate::state::AppState;

#[derive(Serialize, ToSchema)]
pub struct AgencyDto {
    pub code: String,
    pub name: String,
    pub level: AgencyLevel,
    pub parent_code: Option<String>,
    /// Where citizens collect results.
    pub address: String,
}

impl From<Agency> for AgencyDto {
    fn from(a: Agency) -> Self {
        AgencyDto {
            code: a.code.to_string(),
            name: a.name,
            level: a.level,
            parent_code: a.parent.map(|p| p.to_string()),
            address: a.address,
        }
    }
}

#[utoipa::path(get, path = "/api/v1/agencies", tag = "catalogue",
    responses((status = 200, body = [AgencyDto])))]
#[get("/api/v1/agencies")]
pub async fn list(state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    let items = state
        .with_conn(|conn| Ok(motcua_store::agencies::list(conn)?))
        .await?;
    let items: Vec<AgencyDto> = items.into_iter().map(AgencyDto::from).collect();
    Ok(HttpResponse::Ok().json(items))
}

#[utoipa::path(get, path = "/api/v1/agencies/{code}", tag = "catalogue",
    params(("code" = String, Path, description = "Agency code")),
    responses((status = 200, body = AgencyDto), (status = 404, body = Problem, content_type = "application/problem+json")))]
#[get("/api/v1/agencies/{code}")]
pub async fn get_one(
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let code = path.into_inner();
    let agency = state
        .with_conn(move |conn| {
            motcua_store::agencies::get(conn, &code)?.ok_or_else(|| ApiError::not_found("agency"))
        })
        .await?;
    Ok(HttpResponse::Ok().json(AgencyDto::from(agency)))
}

/// Checks and records an agency entered under `code`.
async fn save(
    state: &AppState,
    staff: Staff,
    code: String,
    input: AgencyInput,
    how: Save,
) -> Result<Agency, ApiError> {
    staff.require(&[Role::Admin])?;
    let agency = agencies::check(&code, input)?;
    state
        .with_conn(move |conn| Ok(agencies::save(conn, &staff.actor(), agency, how)?))
        .await
}

#[utoipa::path(post, path = "/api/v1/agencies", tag = "catalogue",
    security(("bearer" = [])), request_body = AgencyInput,
    responses((status = 201, body = AgencyDto), (status = 409, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json")))]
#[post("/api/v1/agencies")]
pub async fn create(
    state: web::Data<AppState>,
    staff: Staff,
    JsonBody(input): JsonBody<AgencyInput>,
) -> Result<HttpResponse, ApiError> {
    let code = input.code.clone().unwrap_or_default();
    let saved = save(&state, staff, code, input, Save::Create).await?;
    Ok(HttpResponse::Created()
        .insert_header(("Location", format!("/api/v1/agencies/{}", saved.code)))
        .json(AgencyDto::from(saved)))
}

#[utoipa::path(put, path = "/api/v1/agencies/{code}", tag = "catalogue",
    security(("bearer" = [])), request_body = AgencyInput,
    params(("code" = String, Path, description = "Agency code")),
    responses((status = 200, body = AgencyDto), (status = 404, body = Problem, content_type = "application/problem+json")))]
#[put("/api/v1/agencies/{code}")]
pub async fn update(
    state: web::Data<AppState>,
    staff: Staff,
    path: web::Path<String>,
    JsonBody(input): JsonBody<AgencyInput>,
) -> Result<HttpResponse, ApiError> {
    let saved = save(&state, staff, path.into_inner(), input, Save::Update).await?;
    Ok(HttpResponse::Ok().json(AgencyDto::from(saved)))
}

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(list)
        .service(get_one)
        .service(create)
        .service(update);
}
