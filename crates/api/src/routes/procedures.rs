//! The procedure catalogue: public reads, admin writes. Every write
//! publishes a new version; dossiers keep the version they were received
//! under.

use actix_web::{get, post, put, web, HttpResponse};
use motcua_domain::EventKind;
use motcua_domain::{
    AgencyCode, DurationUnit, Procedure, ProcedureCode, ProcessStep, RequiredDocument, Role,
    StatutoryDuration, SupplementPolicy,
};
use motcua_intake::FieldError;
use motcua_store::procedures::{self, ProcedureFilter};
use motcua_store::{agencies, events, time};
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::{IntoParams, ToSchema};
use utoipa_actix_web::service_config::ServiceConfig;

use crate::auth::Staff;
use crate::body::JsonBody;
use crate::error::{ApiError, Problem};
use crate::state::AppState;

/// A statutory processing time.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct DurationDto {
    /// Number of units; ignored for `same_day`.
    #[serde(default)]
    #[schema(minimum = 0, maximum = 3650)]
    pub amount: u32,
    pub unit: DurationUnit,
    /// Local cut-off time `HH:MM` for `same_day`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(max_length = 5)]
    pub cutoff: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct FeesDto {
    /// Fees and charges in đồng.
    #[schema(minimum = 0, maximum = 1e12)]
    pub amount_vnd: i64,
    #[serde(default)]
    #[schema(max_length = 1000)]
    pub note: String,
}

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
    pub online_allowed: bool,
    pub supplement_policy: SupplementPolicy,
    pub steps: Vec<ProcessStep>,
    /// Member procedures of an interlinked group.
    pub members: Vec<String>,
}

#[derive(Serialize, ToSchema)]
pub struct ProcedurePage {
    pub items: Vec<ProcedureDto>,
    pub total: i64,
    pub limit: i64,
    pub offset: i64,
}

#[derive(Deserialize, ToSchema)]
pub struct ProcedureInput {
    /// Required on create; ignored on update (the path names it).
    #[schema(max_length = 64)]
    pub code: Option<String>,
    #[schema(max_length = 500)]
    pub name: String,
    #[schema(max_length = 200)]
    pub field: String,
    #[schema(max_length = 64)]
    pub agency_code: String,
    pub duration: DurationDto,
    pub fees: Option<FeesDto>,
    #[serde(default)]
    #[schema(max_items = 100)]
    pub required_documents: Vec<RequiredDocument>,
    #[serde(default)]
    #[schema(max_length = 4000)]
    pub legal_basis: String,
    #[serde(default)]
    #[schema(max_length = 2000)]
    pub result: String,
    #[serde(default)]
    pub online_allowed: bool,
    /// What a supplement request does to the clock: `pause` (default) or
    /// `restart` the full time when the supplement arrives.
    #[serde(default)]
    pub supplement_policy: SupplementPolicy,
    /// The process plan after the desk: ordered steps whose shares add up
    /// to 100%. Empty: the receiving agency handles it alone.
    #[serde(default)]
    #[schema(max_items = 20)]
    pub steps: Vec<ProcessStep>,
    /// For an interlinked group: the member procedures' codes (one child
    /// dossier each, handled by its own agency).
    #[serde(default)]
    #[schema(max_items = 20)]
    pub members: Vec<String>,
}

pub fn to_dto(p: Procedure) -> ProcedureDto {
    ProcedureDto {
        code: p.code.to_string(),
        version: p.version,
        name: p.name,
        field: p.field,
        agency_code: p.agency.to_string(),
        duration: DurationDto {
            amount: p.duration.amount,
            unit: p.duration.unit,
            cutoff: p
                .duration
                .cutoff_minute
                .map(|m| format!("{:02}:{:02}", m / 60, m % 60)),
        },
        fees: FeesDto {
            amount_vnd: p.fee_vnd,
            note: p.fee_note,
        },
        required_documents: p.required_documents,
        legal_basis: p.legal_basis,
        result: p.result,
        online_allowed: p.online_allowed,
        supplement_policy: p.supplement_policy,
        steps: p.steps,
        members: p.members.iter().map(|m| m.to_string()).collect(),
    }
}

fn parse_cutoff(s: &str) -> Option<u16> {
    let (h, m) = s.trim().split_once(':')?;
    let (h, m): (u16, u16) = (h.parse().ok()?, m.parse().ok()?);
    (h < 24 && m < 60).then_some(h * 60 + m)
}

/// Checks a duration as clients send it.
pub fn parse_duration(d: &DurationDto) -> Result<StatutoryDuration, Vec<FieldError>> {
    let mut errors = Vec::new();
    let cutoff = match &d.cutoff {
        Some(c) => match parse_cutoff(c) {
            Some(m) => Some(m),
            None => {
                errors.push(FieldError::new("duration.cutoff", "must be HH:MM"));
                None
            }
        },
        None => None,
    };
    let same_day = d.unit == DurationUnit::SameDay;
    let duration = StatutoryDuration {
        amount: if same_day { 0 } else { d.amount },
        unit: d.unit,
        cutoff_minute: if same_day { cutoff } else { None },
    };
    if let Err(e) = duration.validate() {
        errors.push(FieldError::new("duration", e.to_string()));
    }
    if errors.is_empty() {
        Ok(duration)
    } else {
        Err(errors)
    }
}

fn to_domain(code: &str, input: ProcedureInput) -> Result<Procedure, ApiError> {
    let mut errors = Vec::new();
    let code = ProcedureCode::parse(code.trim())
        .map_err(|e| errors.push(FieldError::new("code", e.to_string())))
        .ok();
    let agency = AgencyCode::parse(input.agency_code.trim())
        .map_err(|e| errors.push(FieldError::new("agency_code", e.to_string())))
        .ok();
    for (field, value) in [("name", &input.name), ("field", &input.field)] {
        if value.trim().is_empty() {
            errors.push(FieldError::new(field, "is required"));
        }
    }
    let members: Vec<ProcedureCode> = input
        .members
        .iter()
        .enumerate()
        .filter_map(|(i, m)| {
            ProcedureCode::parse(m.trim())
                .map_err(|e| errors.push(FieldError::new(format!("members[{i}]"), e.to_string())))
                .ok()
        })
        .collect();
    let duration = parse_duration(&input.duration)
        .map_err(|e| errors.extend(e))
        .ok();
    let fees = input.fees.unwrap_or(FeesDto {
        amount_vnd: 0,
        note: String::new(),
    });
    if fees.amount_vnd < 0 {
        errors.push(FieldError::new("fees.amount_vnd", "must not be negative"));
    }
    let mut seen = std::collections::HashSet::new();
    for (i, d) in input.required_documents.iter().enumerate() {
        if d.code.trim().is_empty() || d.code.len() > 40 {
            errors.push(FieldError::new(
                format!("required_documents[{i}].code"),
                "1-40 characters",
            ));
        }
        if !seen.insert(d.code.trim().to_string()) {
            errors.push(FieldError::new(
                format!("required_documents[{i}].code"),
                "duplicate document code",
            ));
        }
        if d.name.trim().is_empty() {
            errors.push(FieldError::new(
                format!("required_documents[{i}].name"),
                "is required",
            ));
        }
        if d.original == 0 && d.copies == 0 {
            errors.push(FieldError::new(
                format!("required_documents[{i}]"),
                "needs at least one original or one copy",
            ));
        }
    }
    match (code, agency, duration) {
        (Some(code), Some(agency), Some(duration)) if errors.is_empty() => {
            let p = Procedure {
                code,
                version: 0,
                name: input.name.trim().to_string(),
                field: input.field.trim().to_string(),
                agency,
                duration,
                fee_vnd: fees.amount_vnd,
                fee_note: fees.note,
                required_documents: input
                    .required_documents
                    .into_iter()
                    .map(|d| RequiredDocument {
                        code: d.code.trim().to_string(),
                        name: d.name.trim().to_string(),
                        ..d
                    })
                    .collect(),
                legal_basis: input.legal_basis,
                result: input.result,
                online_allowed: input.online_allowed,
                supplement_policy: input.supplement_policy,
                steps: input.steps,
                members,
            };
            p.validate_plan().map_err(|e| match e {
                motcua_domain::DomainError::Invalid { field, message } => {
                    ApiError::invalid_field(&field, message)
                }
                other => ApiError::invalid_field("steps", other.to_string()),
            })?;
            Ok(p)
        }
        _ => Err(ApiError::invalid(errors)),
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
    /// Page size, 1-200 (default 50).
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

#[utoipa::path(get, path = "/api/v1/procedures/{code}", tag = "catalogue",
    params(("code" = String, Path, description = "Procedure code")),
    responses((status = 200, body = ProcedureDto), (status = 404, body = Problem, content_type = "application/problem+json")))]
#[get("/api/v1/procedures/{code}")]
pub async fn get_one(
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let code = path.into_inner();
    let p = state
        .with_conn(move |conn| {
            procedures::get(conn, &code)?.ok_or_else(|| ApiError::not_found("procedure"))
        })
        .await?;
    Ok(HttpResponse::Ok().json(to_dto(p)))
}

async fn save(
    state: &AppState,
    staff: Staff,
    p: Procedure,
    is_new: bool,
) -> Result<Procedure, ApiError> {
    state
        .with_conn(move |conn| {
            conn.write_tx(|conn| {
                if agencies::get(conn, p.agency.as_str())?.is_none() {
                    return Err(ApiError::invalid_field("agency_code", "no such agency"));
                }
                for (i, m) in p.members.iter().enumerate() {
                    match procedures::get(conn, m.as_str())? {
                        None => {
                            return Err(ApiError::invalid_field(
                                &format!("members[{i}]"),
                                "no such procedure",
                            ))
                        }
                        Some(member) if member.is_group() => {
                            return Err(ApiError::invalid_field(
                                &format!("members[{i}]"),
                                "a member cannot itself be a group",
                            ))
                        }
                        Some(_) => {}
                    }
                }
                for (i, step) in p.steps.iter().enumerate() {
                    if agencies::get(conn, &step.agency_code)?.is_none() {
                        return Err(ApiError::invalid_field(
                            &format!("steps[{i}].agency_code"),
                            "no such agency",
                        ));
                    }
                }
                let saved = if is_new {
                    if procedures::get(conn, p.code.as_str())?.is_some() {
                        return Err(ApiError::conflict(format!(
                            "procedure {} already exists",
                            p.code
                        )));
                    }
                    procedures::insert(conn, &p)?
                } else {
                    procedures::update(conn, &p).map_err(|e| match e {
                        motcua_store::StoreError::NotFound => ApiError::not_found("procedure"),
                        other => other.into(),
                    })?
                };
                events::append(
                    conn,
                    &events::NewEvent {
                        subject_type: "procedure",
                        subject_id: saved.code.as_str(),
                        dossier_id: None,
                        kind: if is_new {
                            EventKind::ProcedureCreated
                        } else {
                            EventKind::ProcedureUpdated
                        },
                        actor: &staff.actor(),
                        at: time::now(),
                        data: json!({ "version": saved.version }),
                    },
                )?;
                Ok(saved)
            })
        })
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
    staff.require(&[Role::Admin])?;
    let code = input.code.clone().unwrap_or_default();
    let p = to_domain(&code, input)?;
    let saved = save(&state, staff, p, true).await?;
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
    staff.require(&[Role::Admin])?;
    let p = to_domain(&path.into_inner(), input)?;
    let saved = save(&state, staff, p, false).await?;
    Ok(HttpResponse::Ok().json(to_dto(saved)))
}

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(list)
        .service(get_one)
        .service(create)
        .service(update);
}
