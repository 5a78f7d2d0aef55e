//! Agencies: public list, admin create and update.

use actix_web::{get, post, put, web, HttpResponse};
use motcua_domain::EventKind;
use motcua_domain::{Agency, AgencyCode, AgencyLevel, Role};
use motcua_intake::FieldError;
use motcua_store::{agencies, events, time};
use serde::{Deserialize, Serialize};
use serde_json::json;
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

#[derive(Deserialize, ToSchema)]
pub struct AgencyInput {
    /// Required on create; ignored on update (the path names the agency).
    #[schema(max_length = 64)]
    pub code: Option<String>,
    #[schema(max_length = 300)]
    pub name: String,
    pub level: AgencyLevel,
    #[schema(max_length = 64)]
    pub parent_code: Option<String>,
    #[serde(default)]
    #[schema(max_length = 500)]
    pub address: String,
}

fn to_domain(code: &str, input: AgencyInput) -> Result<Agency, ApiError> {
    let mut errors = Vec::new();
    let code = AgencyCode::parse(code.trim()).map_err(|e| FieldError::new("code", e.to_string()));
    let parent = input
        .parent_code
        .as_deref()
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(AgencyCode::parse)
        .transpose()
        .map_err(|e| FieldError::new("parent_code", e.to_string()));
    if input.name.trim().is_empty() {
        errors.push(FieldError::new("name", "is required"));
    }
    match (code, parent) {
        (Ok(code), Ok(parent)) if errors.is_empty() => {
            if parent.as_ref() == Some(&code) {
                return Err(ApiError::invalid_field(
                    "parent_code",
                    "an agency cannot be its own parent",
                ));
            }
            Ok(Agency {
                code,
                name: input.name.trim().to_string(),
                level: input.level,
                parent,
                address: input.address.trim().to_string(),
            })
        }
        (code, parent) => {
            errors.extend(code.err());
            errors.extend(parent.err());
            Err(ApiError::invalid(errors))
        }
    }
}

#[utoipa::path(get, path = "/api/v1/agencies", tag = "catalogue",
    responses((status = 200, body = [AgencyDto])))]
#[get("/api/v1/agencies")]
pub async fn list(state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    let items = state.with_conn(|conn| Ok(agencies::list(conn)?)).await?;
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
            agencies::get(conn, &code)?.ok_or_else(|| ApiError::not_found("agency"))
        })
        .await?;
    Ok(HttpResponse::Ok().json(AgencyDto::from(agency)))
}

fn save(
    state: &AppState,
    staff: Staff,
    agency: Agency,
    is_new: bool,
) -> impl std::future::Future<Output = Result<Agency, ApiError>> + '_ {
    state.with_conn(move |conn| {
        conn.write_tx(|conn| {
            if let Some(parent) = &agency.parent {
                if agencies::get(conn, parent.as_str())?.is_none() {
                    return Err(ApiError::invalid_field("parent_code", "no such agency"));
                }
                if agencies::with_ancestors(conn, parent.as_str())?.contains(&agency.code.to_string()) {
                    return Err(ApiError::invalid_field("parent_code", "would make a cycle in the hierarchy"));
                }
            }
            if is_new {
                agencies::insert(conn, &agency)?;
            } else {
                agencies::update(conn, &agency)?;
            }
            events::append(
                conn,
                &events::NewEvent {
                    subject_type: "agency",
                    subject_id: agency.code.as_str(),
                    dossier_id: None,
                    kind: if is_new { EventKind::AgencyCreated } else { EventKind::AgencyUpdated },
                    actor: &staff.actor(),
                    at: time::now(),
                    data: json!({ "name": agency.name, "level": agency.level, "parent": agency.parent, "address": agency.address }),
                },
            )?;
            Ok(agency)
        })
    })
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
    staff.require(&[Role::Admin])?;
    let code = input.code.clone().unwrap_or_default();
    let agency = to_domain(&code, input)?;
    let saved = save(&state, staff, agency, true).await?;
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
    staff.require(&[Role::Admin])?;
    let agency = to_domain(&path.into_inner(), input)?;
    let saved = save(&state, staff, agency, false).await.map_err(|e| {
        if e.status() == actix_web::http::StatusCode::NOT_FOUND {
            ApiError::not_found("agency")
        } else {
            e
        }
    })?;
    Ok(HttpResponse::Ok().json(AgencyDto::from(saved)))
}

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(list)
        .service(get_one)
        .service(create)
        .service(update);
}
