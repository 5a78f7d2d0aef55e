//! A supervisor's repairs of one dossier (docs/repairs.md): reassign,
//! recall, step back, correct the appointment, reopen. Each is one
//! operation below this layer (`motcua_routing::repair`,
//! `motcua_sla::ops::due_correction`) with one event; none rewrites what
//! was written.

use actix_web::{post, web, HttpResponse};
use chrono::{DateTime, Utc};
use motcua_domain::Status;
use motcua_routing::repair::reassign::{self, Reassignment};
use motcua_routing::repair::{recall, reopen, step_back};
use motcua_sla::ops::due_correction::{self, Correction};
use motcua_store::{users, DbConnection};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_actix_web::service_config::ServiceConfig;

use crate::auth::Staff;
use crate::body::JsonBody;
use crate::error::{ApiError, Problem};
use crate::routes::routing::{answer, MoveAnswer};
use crate::state::AppState;

/// Where the dossier goes: exactly one of `agency` and `officer`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReassignInput {
    /// Give the current step to this agency (within your reach).
    #[schema(example = "H53.50.05", max_length = 64)]
    pub agency: Option<String>,
    /// Give the dossier to this officer (username) of the agency holding it.
    #[schema(example = "canbo.xa", max_length = 64)]
    pub officer: Option<String>,
    /// Why: kept on the dossier's history (and the slip, for an agency).
    #[schema(example = "Chuyển nhầm cơ quan", min_length = 1, max_length = 1000)]
    pub reason: String,
}

/// The reassignment asked for, with the officer looked up.
pub(crate) fn reassignment(
    conn: &mut DbConnection,
    agency: Option<&str>,
    officer: Option<&str>,
) -> Result<Reassignment, ApiError> {
    match (agency.map(str::trim), officer.map(str::trim)) {
        (Some(a), None) if !a.is_empty() => Ok(Reassignment::Agency(a.to_string())),
        (None, Some(o)) if !o.is_empty() => users::find_by_username(conn, o)?
            .map(|(u, _)| Reassignment::Officer(u))
            .ok_or_else(|| ApiError::invalid_field("officer", "no such user")),
        _ => Err(ApiError::invalid_field(
            "agency",
            "give exactly one of agency and officer",
        )),
    }
}

#[derive(Serialize, ToSchema)]
pub struct RepairAnswer {
    #[serde(flatten)]
    pub dossier: MoveAnswer,
    /// The officer the dossier is assigned to now (their id).
    pub assigned_to: Option<String>,
}

fn repaired(d: &motcua_domain::Dossier) -> RepairAnswer {
    RepairAnswer {
        dossier: answer(d),
        assigned_to: d.assigned_to.clone(),
    }
}

#[utoipa::path(post, path = "/api/v1/dossiers/{code}/reassign", tag = "repairs",
    security(("bearer" = [])), request_body = ReassignInput,
    params(("code" = String, Path, description = "Dossier code")),
    responses(
        (status = 200, description = "Reassigned: to an agency, the dossier is in transit to it (a pending handover is recalled and replaced); to an officer, assigned", body = RepairAnswer),
        (status = 403, description = "Not a supervisor of the dossier's agencies, or the new agency is outside your reach", body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Closed, paused, at the receiving desk, or held there already", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Not exactly one of agency and officer, no such agency or officer, no reason", body = Problem, content_type = "application/problem+json")))]
#[post("/api/v1/dossiers/{code}/reassign")]
pub async fn reassign_one(
    state: web::Data<AppState>,
    staff: Staff,
    path: web::Path<String>,
    JsonBody(input): JsonBody<ReassignInput>,
) -> Result<HttpResponse, ApiError> {
    let code = path.into_inner();
    let (calendar, mail) = (state.calendar(), state.mail.clone());
    let out = state
        .with_conn(move |conn| {
            let to = reassignment(conn, input.agency.as_deref(), input.officer.as_deref())?;
            Ok(reassign::reassign(
                conn,
                &calendar,
                &mail,
                &staff.member(),
                &code,
                &to,
                &input.reason,
            )?)
        })
        .await?;
    Ok(HttpResponse::Ok().json(repaired(&out.dossier)))
}

/// Why the repair is made.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RepairReasonInput {
    #[schema(
        example = "Chuyển nhầm, thu hồi để chuyển lại",
        min_length = 1,
        max_length = 1000
    )]
    pub reason: String,
}

#[utoipa::path(post, path = "/api/v1/dossiers/{code}/recall", tag = "repairs",
    security(("bearer" = [])), request_body = RepairReasonInput,
    params(("code" = String, Path, description = "Dossier code")),
    responses(
        (status = 200, description = "Recalled: the handover stays on the slip, marked; the dossier is back with its sender", body = RepairAnswer),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Not in transit (already acknowledged)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "No reason", body = Problem, content_type = "application/problem+json")))]
#[post("/api/v1/dossiers/{code}/recall")]
pub async fn recall_one(
    state: web::Data<AppState>,
    staff: Staff,
    path: web::Path<String>,
    JsonBody(input): JsonBody<RepairReasonInput>,
) -> Result<HttpResponse, ApiError> {
    let code = path.into_inner();
    let out = state
        .with_conn(move |conn| Ok(recall::recall(conn, &staff.member(), &code, &input.reason)?))
        .await?;
    Ok(HttpResponse::Ok().json(repaired(&out.dossier)))
}

/// The earlier step to go back to, and why.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StepBackInput {
    /// The step (0: the receiving desk; 1..: the plan's steps).
    #[schema(example = 1, minimum = 0, maximum = 50)]
    pub step: i32,
    #[schema(
        example = "Bước thẩm định kết thúc sớm, thiếu ý kiến phòng chuyên môn",
        min_length = 1,
        max_length = 1000
    )]
    pub reason: String,
}

#[utoipa::path(post, path = "/api/v1/dossiers/{code}/step-back", tag = "repairs",
    security(("bearer" = [])), request_body = StepBackInput,
    params(("code" = String, Path, description = "Dossier code")),
    responses(
        (status = 200, description = "Sent back to the earlier step's agency (in transit until acknowledged)", body = RepairAnswer),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "In transit (recall it first), closed or paused", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Not an earlier step, or no reason", body = Problem, content_type = "application/problem+json")))]
#[post("/api/v1/dossiers/{code}/step-back")]
pub async fn step_back_one(
    state: web::Data<AppState>,
    staff: Staff,
    path: web::Path<String>,
    JsonBody(input): JsonBody<StepBackInput>,
) -> Result<HttpResponse, ApiError> {
    let code = path.into_inner();
    let (calendar, mail) = (state.calendar(), state.mail.clone());
    let out = state
        .with_conn(move |conn| {
            Ok(step_back::step_back(
                conn,
                &calendar,
                &mail,
                &staff.member(),
                &code,
                input.step,
                &input.reason,
            )?)
        })
        .await?;
    Ok(HttpResponse::Ok().json(repaired(&out.dossier)))
}

/// The corrected appointment, why, and the decision ordering it.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DueCorrectionInput {
    /// On a working day, after the receipt.
    pub due_at: DateTime<Utc>,
    #[schema(
        example = "Ngày hẹn ghi nhầm khi nhập từ phiếu giấy",
        min_length = 1,
        max_length = 1000
    )]
    pub reason: String,
    /// The decision or minute that orders the correction.
    #[schema(
        example = "Biên bản số 12/BB-UBND ngày 03/12/2026",
        min_length = 1,
        max_length = 200
    )]
    pub decision: String,
}

#[derive(Serialize, ToSchema)]
pub struct DueCorrectionAnswer {
    #[serde(flatten)]
    pub dossier: crate::routes::clock::ClockAnswer,
    pub previous_due_at: DateTime<Utc>,
}

#[utoipa::path(post, path = "/api/v1/dossiers/{code}/due-correction", tag = "repairs",
    security(("bearer" = [])), request_body = DueCorrectionInput,
    params(("code" = String, Path, description = "Dossier code")),
    responses(
        (status = 200, description = "Corrected: a `correction` entry on the clock's ledger; the citizen sees the moved appointment", body = DueCorrectionAnswer),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The dossier is closed", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "The same appointment, before the receipt, on a day off, or no reason or decision", body = Problem, content_type = "application/problem+json")))]
#[post("/api/v1/dossiers/{code}/due-correction")]
pub async fn correct_due(
    state: web::Data<AppState>,
    staff: Staff,
    path: web::Path<String>,
    JsonBody(input): JsonBody<DueCorrectionInput>,
) -> Result<HttpResponse, ApiError> {
    let code = path.into_inner();
    let calendar = state.calendar();
    let out = state
        .with_conn(move |conn| {
            Ok(due_correction::correct_due(
                conn,
                &calendar,
                &staff.member(),
                &code,
                &Correction {
                    due_at: input.due_at,
                    reason: &input.reason,
                    decision: &input.decision,
                },
            )?)
        })
        .await?;
    Ok(HttpResponse::Ok().json(DueCorrectionAnswer {
        dossier: crate::routes::clock::answer(&out.dossier),
        previous_due_at: out.previous_due,
    }))
}

#[derive(Serialize, ToSchema)]
pub struct ReopenAnswer {
    #[serde(flatten)]
    pub dossier: MoveAnswer,
    pub previous_status: Status,
    pub closed_at: DateTime<Utc>,
}

#[utoipa::path(post, path = "/api/v1/dossiers/{code}/reopen", tag = "repairs",
    security(("bearer" = [])), request_body = RepairReasonInput,
    params(("code" = String, Path, description = "Dossier code")),
    responses(
        (status = 200, description = "Reopened: a return undone (10 → 9), or processing resumed (7, 8, 9 → 4, or 5 if the clock was paused)", body = ReopenAnswer),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Not closed, part of a group, or closed longer ago than the reopening window", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "No reason", body = Problem, content_type = "application/problem+json")))]
#[post("/api/v1/dossiers/{code}/reopen")]
pub async fn reopen_one(
    state: web::Data<AppState>,
    staff: Staff,
    path: web::Path<String>,
    JsonBody(input): JsonBody<RepairReasonInput>,
) -> Result<HttpResponse, ApiError> {
    let code = path.into_inner();
    let window = chrono::Duration::hours(i64::from(state.config.reopen_window_hours));
    let out = state
        .with_conn(move |conn| {
            Ok(reopen::reopen(
                conn,
                &staff.member(),
                &code,
                &input.reason,
                window,
            )?)
        })
        .await?;
    Ok(HttpResponse::Ok().json(ReopenAnswer {
        dossier: answer(&out.dossier),
        previous_status: out.previous_status,
        closed_at: out.closed_at,
    }))
}

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(reassign_one)
        .service(recall_one)
        .service(step_back_one)
        .service(correct_due)
        .service(reopen_one);
}
