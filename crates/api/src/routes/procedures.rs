//! The procedure catalogue: public reads, and the administrators' writes
//! ([`motcua_admin::catalogue`] checks and publishes them).

pub use motcua_admin::catalogue::{parse_duration, DurationDto};

use actix_web::{get, post, put, web, HttpResponse};
use motcua_admin::agencies::Save;
use motcua_admin::catalogue::{self, FeesDto, ProcedureInput};
use motcua_domain::{
    ComplianceInputs, Procedure, ProcessStep, RequiredDocument, Role, ServiceLevel,
    SupplementPolicy,
};
use motcua_store::procedures::{self, ProcedureFilter};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_actix_web::service_config::ServiceConfig;

use crate::auth::Staff;
use crate::body::JsonBody;
use crate::error::{ApiError, Problem};
use crate::state::AppState;

#[derive(Serialize, ToSchema)]
pub struct ProcedureDto {
    pub code: String,
    pub version: i32,
    pub name: String,
    /// Field (lĩnh vực), e.g. "Hộ tịch".
    pub field: String,
    pub agency_code: String,
    pub duration: DurationDto,
    pub fees: FeesDto,
    pub required_documents: Vec<RequiredDocument>,
    pub legal_basis: String,
    pub result: String,
    /// How far it can be done online (docs/catalogue.md, Service level).
    pub service_level: ServiceLevel,
    /// Whether it can be filed online: `service_level` is not `not_online`.
    pub online_allowed: bool,
    pub supplement_policy: SupplementPolicy,
    pub steps: Vec<ProcessStep>,
    /// Member procedures of an interlinked group.
    pub members: Vec<String>,
    /// The inputs of its compliance cost, when entered
    /// (`/compliance-cost` computes it).
    pub compliance: Option<ComplianceInputs>,
    /// Its cases (trường hợp), each with its own documents, time limits,
    /// fees and plan; a dossier is of one of them (docs/catalogue.md,
    /// Cases). Empty for most procedures.
    pub cases: Vec<motcua_admin::procedure_cases::CaseInput>,
    /// Whether a representative may file for the applicant under an
    /// authorisation (docs/representation.md).
    pub representation_allowed: bool,
    /// Whether any desk may receive it, not only the agency's own
    /// (docs/desk.md, Intake at any desk).
    pub any_desk: bool,
}

#[derive(Serialize, ToSchema)]
pub struct ProcedurePage {
    pub items: Vec<ProcedureDto>,
    pub total: i64,
    pub limit: i64,
    pub offset: i64,
}

pub fn to_dto(p: Procedure) -> ProcedureDto {
    ProcedureDto {
        code: p.code.to_string(),
        version: p.version,
        name: p.name,
        field: p.field,
        agency_code: p.agency.to_string(),
        duration: DurationDto::of(&p.duration),
        fees: FeesDto {
            amount_vnd: p.fee_vnd,
            note: p.fee_note,
        },
        required_documents: p.required_documents,
        legal_basis: p.legal_basis,
        result: p.result,
        online_allowed: p.service_level.online(),
        service_level: p.service_level,
        supplement_policy: p.supplement_policy,
        cases: p
            .cases
            .iter()
            .map(motcua_admin::procedure_cases::case_input)
            .collect(),
        steps: p.steps,
        members: p.members.iter().map(|m| m.to_string()).collect(),
        compliance: p.compliance,
        representation_allowed: p.representation_allowed,
        any_desk: p.any_desk,
    }
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    /// Only procedures received at this agency.
    pub agency: Option<String>,
    /// Free text over code, name and field; accents optional.
    #[param(max_length = 200)]
    pub q: Option<String>,
    /// Only procedures at this online service level.
    #[param(inline)]
    pub service_level: Option<ServiceLevel>,
    /// Page size, 1 to 500 (default 50).
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<i64>,
    #[param(minimum = 0, maximum = 1_000_000_000)]
    pub offset: Option<i64>,
}

#[utoipa::path(get, path = "/api/v1/procedures", tag = "catalogue",
    params(ListQuery),
    responses((status = 200, body = ProcedurePage)))]
#[get("/api/v1/procedures")]
pub async fn list(
    state: web::Data<AppState>,
    query: web::Query<ListQuery>,
) -> Result<HttpResponse, ApiError> {
    let q = query.into_inner();
    let (limit, offset) = crate::routes::paging::page(q.limit, q.offset)?;
    let filter = ProcedureFilter {
        agency: q.agency.filter(|a| !a.trim().is_empty()),
        text: q.q.filter(|t| !t.trim().is_empty()),
        service_level: q.service_level,
        limit,
        offset,
    };
    let (items, total) = state
        .with_conn(move |conn| Ok(procedures::list(conn, &filter)?))
        .await?;
    Ok(HttpResponse::Ok().json(ProcedurePage {
        items: items.into_iter().map(to_dto).collect(),
        total,
        limit,
        offset,
    }))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct VersionQuery {
    /// A version published before (1 is the first); the newest when left
    /// out.
    #[param(minimum = 1, maximum = 1_000_000)]
    pub version: Option<i32>,
}

#[utoipa::path(get, path = "/api/v1/procedures/{code}", tag = "catalogue",
    params(("code" = String, Path, description = "Procedure code"), VersionQuery),
    responses((status = 200, body = ProcedureDto),
        (status = 404, description = "No such procedure, or no such version of it", body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json")))]
#[get("/api/v1/procedures/{code}")]
pub async fn get_one(
    state: web::Data<AppState>,
    path: web::Path<String>,
    query: web::Query<VersionQuery>,
) -> Result<HttpResponse, ApiError> {
    let code = path.into_inner();
    let version = crate::routes::procedure_versions::checked_version("version", query.version)?;
    let p = state
        .with_conn(move |conn| crate::routes::procedure_versions::load(conn, &code, version))
        .await?;
    Ok(HttpResponse::Ok().json(to_dto(p)))
}

/// Checks and publishes a procedure entered under `code`.
async fn save(
    state: &AppState,
    staff: Staff,
    code: String,
    input: ProcedureInput,
    how: Save,
) -> Result<Procedure, ApiError> {
    staff.require(&[Role::Admin])?;
    let p = catalogue::check(&code, input)?;
    state
        .with_conn(move |conn| Ok(catalogue::save(conn, &staff.actor(), p, how)?))
        .await
}

#[utoipa::path(post, path = "/api/v1/procedures", tag = "catalogue",
    security(("bearer" = [])), request_body = ProcedureInput,
    responses((status = 201, body = ProcedureDto), (status = 409, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json")))]
#[post("/api/v1/procedures")]
pub async fn create(
    state: web::Data<AppState>,
    staff: Staff,
    JsonBody(input): JsonBody<ProcedureInput>,
) -> Result<HttpResponse, ApiError> {
    let code = input.code.clone().unwrap_or_default();
    let saved = save(&state, staff, code, input, Save::Create).await?;
    Ok(HttpResponse::Created()
        .insert_header(("Location", format!("/api/v1/procedures/{}", saved.code)))
        .json(to_dto(saved)))
}

#[utoipa::path(put, path = "/api/v1/procedures/{code}", tag = "catalogue",
    security(("bearer" = [])), request_body = ProcedureInput,
    params(("code" = String, Path, description = "Procedure code")),
    responses((status = 200, description = "The new version", body = ProcedureDto),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json")))]
#[put("/api/v1/procedures/{code}")]
pub async fn update(
    state: web::Data<AppState>,
    staff: Staff,
    path: web::Path<String>,
    JsonBody(input): JsonBody<ProcedureInput>,
) -> Result<HttpResponse, ApiError> {
    let saved = save(&state, staff, path.into_inner(), input, Save::Update).await?;
    Ok(HttpResponse::Ok().json(to_dto(saved)))
}

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(list)
        .service(get_one)
        .service(create)
        .service(update);
}
