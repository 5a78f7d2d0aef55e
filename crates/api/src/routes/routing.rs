//! Interlinked processing over HTTP: sending a dossier to the next agency
//! or back, acknowledging it, payments, withdrawal and the return of the
//! result (the papers these moves print are in `routes::slips`).

use actix_web::{post, web, HttpResponse};
use chrono::{DateTime, Utc};
use motcua_domain::Dossier;
use motcua_domain::{PaymentChannel, Status};
use motcua_routing::handover::{self, Destination};
use motcua_routing::lifecycle;
use motcua_store::users;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_actix_web::service_config::ServiceConfig;

use crate::auth::Staff;
use crate::body::JsonBody;
use crate::error::{ApiError, Problem};
use crate::state::AppState;

/// The dossier after a move.
#[derive(Serialize, ToSchema)]
pub struct MoveAnswer {
    pub code: String,
    pub status: Status,
    pub status_code: i32,
    /// The agency holding (or about to receive) the dossier.
    pub handling_agency_code: String,
    pub current_step: i32,
    /// Sent and not yet acknowledged by the receiving agency.
    pub in_transit: bool,
}

pub(crate) fn answer(d: &Dossier) -> MoveAnswer {
    MoveAnswer {
        code: d.code.clone(),
        status: d.status,
        status_code: d.status.code(),
        handling_agency_code: d.handling_agency.clone(),
        current_step: d.current_step,
        in_transit: d.in_transit,
    }
}

#[derive(Deserialize, ToSchema)]
pub struct SendInput {
    /// An earlier step to send the dossier back to; omitted: the next step.
    #[schema(minimum = 0, maximum = 50)]
    pub back_to_step: Option<i32>,
    /// Note on the control slip; required (the reason) when sending back.
    #[serde(default)]
    #[schema(max_length = 1000)]
    pub note: String,
}

#[derive(Serialize, ToSchema)]
pub struct SendAnswer {
    #[serde(flatten)]
    pub dossier: MoveAnswer,
    /// The sender's leg: early, on_time or late against its share.
    pub leg_verdict: String,
    pub leg_budget_seconds: i64,
    pub leg_used_seconds: i64,
}

#[utoipa::path(post, path = "/api/v1/dossiers/{code}/send", tag = "routing",
    security(("bearer" = [])), request_body = SendInput,
    params(("code" = String, Path, description = "Dossier code")),
    responses((status = 200, body = SendAnswer),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 409, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json")))]
#[post("/api/v1/dossiers/{code}/send")]
pub async fn send(
    state: web::Data<AppState>,
    staff: Staff,
    path: web::Path<String>,
    JsonBody(input): JsonBody<SendInput>,
) -> Result<HttpResponse, ApiError> {
    let code = path.into_inner();
    let calendar = state.calendar();
    let to = match input.back_to_step {
        Some(step) => Destination::Back { step },
        None => Destination::Next,
    };
    let mail = state.mail.clone();
    let sent = state
        .with_conn(move |conn| {
            let member = staff.member();
            Ok(handover::send(
                conn,
                &calendar,
                &mail,
                &member,
                &code,
                to,
                &input.note,
            )?)
        })
        .await?;
    Ok(HttpResponse::Ok().json(SendAnswer {
        dossier: answer(&sent.dossier),
        leg_verdict: sent.handover.leg_verdict,
        leg_budget_seconds: sent.handover.leg_budget_seconds,
        leg_used_seconds: sent.handover.leg_used_seconds,
    }))
}

#[utoipa::path(post, path = "/api/v1/dossiers/{code}/receive", tag = "routing",
    security(("bearer" = [])),
    params(("code" = String, Path, description = "Dossier code")),
    responses((status = 200, description = "Acknowledged by the receiving agency", body = MoveAnswer),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 409, body = Problem, content_type = "application/problem+json")))]
#[post("/api/v1/dossiers/{code}/receive")]
pub async fn receive(
    state: web::Data<AppState>,
    staff: Staff,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let code = path.into_inner();
    let d = state
        .with_conn(move |conn| Ok(handover::receive(conn, &staff.member(), &code)?))
        .await?;
    Ok(HttpResponse::Ok().json(answer(&d)))
}

#[derive(Deserialize, ToSchema)]
pub struct PaymentInput {
    /// Fees or taxes to pay, in đồng.
    #[schema(minimum = 0, maximum = 1e12)]
    pub amount_vnd: i64,
    #[serde(default)]
    #[schema(max_length = 1000)]
    pub note: String,
}

#[utoipa::path(post, path = "/api/v1/dossiers/{code}/payment-request", tag = "routing",
    security(("bearer" = [])), request_body = PaymentInput,
    params(("code" = String, Path, description = "Dossier code")),
    responses((status = 200, description = "Status 6", body = MoveAnswer),
        (status = 409, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json")))]
#[post("/api/v1/dossiers/{code}/payment-request")]
pub async fn payment_request(
    state: web::Data<AppState>,
    staff: Staff,
    path: web::Path<String>,
    JsonBody(input): JsonBody<PaymentInput>,
) -> Result<HttpResponse, ApiError> {
    let code = path.into_inner();
    let d = state
        .with_conn(move |conn| {
            Ok(lifecycle::request_payment(
                conn,
                &staff.member(),
                &code,
                input.amount_vnd,
                &input.note,
            )?)
        })
        .await?;
    Ok(HttpResponse::Ok().json(answer(&d)))
}

#[derive(Deserialize, ToSchema)]
pub struct PaidInput {
    /// Number of the payment receipt or transaction.
    #[serde(default)]
    #[schema(max_length = 64)]
    pub receipt_number: String,
    /// How it was paid: `online` (the online payment platform), `counter`
    /// (cash or card at the desk) or `transfer` (a bank transfer).
    pub channel: PaymentChannel,
}

#[utoipa::path(post, path = "/api/v1/dossiers/{code}/paid", tag = "routing",
    security(("bearer" = [])), request_body = PaidInput,
    params(("code" = String, Path, description = "Dossier code")),
    responses((status = 200, description = "Back to status 4", body = MoveAnswer),
        (status = 409, body = Problem, content_type = "application/problem+json")))]
#[post("/api/v1/dossiers/{code}/paid")]
pub async fn paid(
    state: web::Data<AppState>,
    staff: Staff,
    path: web::Path<String>,
    JsonBody(input): JsonBody<PaidInput>,
) -> Result<HttpResponse, ApiError> {
    let code = path.into_inner();
    let d = state
        .with_conn(move |conn| {
            Ok(lifecycle::paid(
                conn,
                &staff.member(),
                &code,
                &input.receipt_number,
                input.channel,
            )?)
        })
        .await?;
    Ok(HttpResponse::Ok().json(answer(&d)))
}

#[derive(Deserialize, ToSchema)]
pub struct WithdrawInput {
    /// Why the citizen withdraws, as they said it.
    #[schema(max_length = 2000)]
    pub reason: String,
}

#[utoipa::path(post, path = "/api/v1/dossiers/{code}/withdraw", tag = "routing",
    security(("bearer" = [])), request_body = WithdrawInput,
    params(("code" = String, Path, description = "Dossier code")),
    responses((status = 200, description = "Status 7", body = MoveAnswer),
        (status = 409, body = Problem, content_type = "application/problem+json")))]
#[post("/api/v1/dossiers/{code}/withdraw")]
pub async fn withdraw(
    state: web::Data<AppState>,
    staff: Staff,
    path: web::Path<String>,
    JsonBody(input): JsonBody<WithdrawInput>,
) -> Result<HttpResponse, ApiError> {
    let code = path.into_inner();
    let (calendar, mail) = (state.calendar(), state.mail.clone());
    let d = state
        .with_conn(move |conn| {
            let member = staff.member();
            let reason = &input.reason;
            Ok(lifecycle::withdraw(
                conn, &calendar, &mail, &member, &code, reason,
            )?)
        })
        .await?;
    Ok(HttpResponse::Ok().json(answer(&d)))
}

#[derive(Deserialize, ToSchema)]
pub struct ReturnInput {
    /// Who collected the result.
    #[schema(max_length = 200)]
    pub collected_by: String,
    /// counter, post or online.
    #[schema(max_length = 16)]
    pub method: String,
}

#[derive(Serialize, ToSchema)]
pub struct ReturnAnswer {
    #[serde(flatten)]
    pub dossier: MoveAnswer,
    pub returned_at: Option<DateTime<Utc>>,
}

#[utoipa::path(post, path = "/api/v1/dossiers/{code}/return", tag = "routing",
    security(("bearer" = [])), request_body = ReturnInput,
    params(("code" = String, Path, description = "Dossier code")),
    responses((status = 200, description = "Status 10", body = ReturnAnswer),
        (status = 409, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json")))]
#[post("/api/v1/dossiers/{code}/return")]
pub async fn return_result(
    state: web::Data<AppState>,
    staff: Staff,
    path: web::Path<String>,
    JsonBody(input): JsonBody<ReturnInput>,
) -> Result<HttpResponse, ApiError> {
    let code = path.into_inner();
    let calendar = state.calendar();
    let mail = state.mail.clone();
    let d = state
        .with_conn(move |conn| {
            let member = staff.member();
            let (by, method) = (&input.collected_by, &input.method);
            Ok(lifecycle::returned(
                conn, &calendar, &mail, &member, &code, by, method,
            )?)
        })
        .await?;
    Ok(HttpResponse::Ok().json(ReturnAnswer {
        returned_at: d.returned_at,
        dossier: answer(&d),
    }))
}

#[derive(Deserialize, ToSchema)]
pub struct AssignInput {
    /// The officer's username; `null` clears the assignment.
    #[schema(max_length = 64)]
    pub username: Option<String>,
}

#[utoipa::path(post, path = "/api/v1/dossiers/{code}/assign", tag = "routing",
    security(("bearer" = [])), request_body = AssignInput,
    params(("code" = String, Path, description = "Dossier code")),
    responses((status = 200, description = "Assigned (or cleared)", body = MoveAnswer),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json")))]
#[post("/api/v1/dossiers/{code}/assign")]
pub async fn assign(
    state: web::Data<AppState>,
    staff: Staff,
    path: web::Path<String>,
    JsonBody(input): JsonBody<AssignInput>,
) -> Result<HttpResponse, ApiError> {
    let code = path.into_inner();
    let d = state
        .with_conn(move |conn| {
            let officer = match input.username.as_deref() {
                Some(name) => Some(
                    users::find_by_username(conn, name.trim())?
                        .map(|(u, _)| u)
                        .ok_or_else(|| ApiError::invalid_field("username", "no such user"))?,
                ),
                None => None,
            };
            let holder = motcua_store::dossiers::find_by_code(conn, &code)?
                .map(|d| d.handling_agency)
                .unwrap_or_default();
            let supervises = crate::access::supervises(conn, &staff, &holder)?;
            Ok(lifecycle::assign(
                conn,
                &staff.member(),
                &code,
                officer.as_ref(),
                supervises,
            )?)
        })
        .await?;
    Ok(HttpResponse::Ok().json(answer(&d)))
}

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(assign);
    cfg.service(send)
        .service(receive)
        .service(payment_request)
        .service(paid)
        .service(withdraw)
        .service(return_result);
}
