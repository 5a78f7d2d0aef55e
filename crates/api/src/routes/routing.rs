//! Interlinked processing over HTTP: sending a dossier to the next agency
//! or back, acknowledging it, the process-control slip, payments,
//! withdrawal and the return of the result.

use actix_web::{get, post, web, HttpRequest, HttpResponse};
use chrono::{DateTime, Utc};
use motcua_calendar::format_local;
use motcua_domain::EventKind;
use motcua_domain::Status;
use motcua_routing::control_slip::{verdict_vi, ControlSlip, SlipRow};
use motcua_routing::end_notice::EndNotice;
use motcua_routing::handover::{self, Destination};
use motcua_routing::lifecycle;
use motcua_store::dossiers::Dossier;
use motcua_store::{agencies, handovers, users};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::auth::Staff;
use crate::body::JsonBody;
use crate::error::{ApiError, Problem};
use crate::routes::dossiers::{load_visible, printable};
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

fn answer(d: &Dossier) -> MoveAnswer {
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

#[utoipa::path(get, path = "/api/v1/dossiers/{code}/control-slip", tag = "routing",
    security(("bearer" = [])),
    params(("code" = String, Path, description = "Dossier code")),
    responses((status = 200, description = "The process-control slip as JSON, or with Accept: text/html a printable page in Vietnamese"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json")))]
#[get("/api/v1/dossiers/{code}/control-slip")]
pub async fn control_slip(
    state: web::Data<AppState>,
    staff: Staff,
    path: web::Path<String>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let code = path.into_inner();
    let calendar = state.calendar();
    let slip = state
        .with_conn(move |conn| {
            let d = load_visible(conn, &staff, &code)?;
            let list = handovers::for_dossier(conn, &d.id)?;
            let mut names: std::collections::HashMap<String, String> =
                std::collections::HashMap::new();
            let mut agency_name =
                |conn: &mut motcua_store::DbConnection, code: &str| -> Result<String, ApiError> {
                    if let Some(n) = names.get(code) {
                        return Ok(n.clone());
                    }
                    let n = agencies::get(conn, code)?.map_or_else(|| code.to_string(), |a| a.name);
                    names.insert(code.to_string(), n.clone());
                    Ok(n)
                };
            let user_name =
                |conn: &mut motcua_store::DbConnection, id: &str| -> Result<String, ApiError> {
                    Ok(users::get(conn, id)?.map_or_else(|| id.to_string(), |u| u.full_name))
                };
            let last_leg = final_leg(conn, &calendar, &d, &list)?;
            let mut rows = Vec::with_capacity(list.len() + 1);
            for h in list {
                rows.push(SlipRow {
                    seq: h.seq,
                    from_agency_name: agency_name(conn, &h.from_agency)?,
                    to_agency_name: agency_name(conn, &h.to_agency)?,
                    from_agency: h.from_agency,
                    to_agency: h.to_agency,
                    sent_at_local: format_local(&calendar, h.sent_at),
                    sent_at: h.sent_at,
                    received_at_local: h.received_at.map(|t| format_local(&calendar, t)),
                    received_at: h.received_at,
                    giver: user_name(conn, &h.sent_by)?,
                    receiver: h
                        .received_by
                        .as_deref()
                        .map(|id| user_name(conn, id))
                        .transpose()?,
                    verdict_vi: verdict_vi(&h.leg_verdict).to_string(),
                    verdict: h.leg_verdict,
                    leg_budget_seconds: h.leg_budget_seconds,
                    leg_used_seconds: h.leg_used_seconds,
                    direction: h.direction,
                    note: h.note,
                });
            }
            if let Some(leg) = last_leg {
                rows.push(SlipRow {
                    seq: rows.len() as i32 + 1,
                    from_agency_name: agency_name(conn, &d.handling_agency)?,
                    to_agency_name: agency_name(conn, &d.receiving_agency)?,
                    from_agency: d.handling_agency.clone(),
                    to_agency: d.receiving_agency.clone(),
                    sent_at_local: format_local(&calendar, leg.ended_at),
                    sent_at: leg.ended_at,
                    received_at_local: None,
                    received_at: None,
                    giver: leg.by,
                    receiver: None,
                    verdict_vi: verdict_vi(leg.verdict.as_str()).to_string(),
                    verdict: leg.verdict.as_str().to_string(),
                    leg_budget_seconds: leg.budget_seconds,
                    leg_used_seconds: leg.used_seconds,
                    direction: "result".into(),
                    note: leg.note,
                });
            }
            Ok(ControlSlip {
                title: "Phiếu kiểm soát quá trình giải quyết hồ sơ".into(),
                code: d.code,
                procedure_name: d.procedure_name,
                applicant_name: d.applicant_name,
                received_at_local: format_local(&calendar, d.received_at),
                appointment_local: format_local(&calendar, d.original_due_at),
                rows,
                verdict: d.verdict.map(|v| verdict_vi(&v).to_string()),
            })
        })
        .await?;
    printable(&req, &slip, "control slip", |p| p.to_html())
}

/// The leg that ends with the decision: it hands nothing over, so no
/// handover carries it, but it has its time and its verdict like the
/// others; the slip shows it as the result going back to the desk.
struct FinalLeg {
    ended_at: DateTime<Utc>,
    by: String,
    note: String,
    verdict: motcua_calendar::Verdict,
    budget_seconds: i64,
    used_seconds: i64,
}

fn final_leg(
    conn: &mut motcua_store::DbConnection,
    calendar: &motcua_calendar::WorkingCalendar,
    d: &Dossier,
    list: &[handovers::Handover],
) -> Result<Option<FinalLeg>, ApiError> {
    let Some(ended_at) = d.ended_at else {
        return Ok(None);
    };
    // A group ends with its members, each with its own slip.
    if !motcua_store::dossiers::children(conn, &d.id)?.is_empty() {
        return Ok(None);
    }
    let procedure = motcua_sla::ledger::procedure_of(conn, d)?;
    let plan = motcua_routing::plan::legs(&procedure, &d.receiving_agency);
    let Some(leg) = plan.iter().find(|l| l.index == d.current_step) else {
        return Ok(None);
    };
    let started = list
        .last()
        .and_then(|h| h.received_at)
        .unwrap_or(d.received_at);
    let state = motcua_sla::ledger::state(conn, calendar, d, &procedure)?;
    let budget = motcua_routing::plan::leg_budget(
        calendar,
        leg,
        d.received_at,
        state.original_due,
        state.verdict_due,
        started,
    );
    let decided = motcua_store::events::for_dossier(conn, &d.id)?
        .into_iter()
        .rev()
        .find(|e| e.kind == EventKind::DossierProcessed || e.kind == EventKind::DossierStopped);
    Ok(Some(FinalLeg {
        ended_at,
        by: decided.map(|e| e.actor_name).unwrap_or_default(),
        note: d.result_note.clone(),
        verdict: motcua_calendar::Verdict::judge(calendar, ended_at, budget.due, false),
        budget_seconds: budget.seconds,
        used_seconds: calendar.working_seconds_between(started, ended_at),
    }))
}

#[utoipa::path(get, path = "/api/v1/dossiers/{code}/notice", tag = "routing",
    security(("bearer" = [])),
    params(("code" = String, Path, description = "Dossier code")),
    responses(
        (status = 200, description = "The stop notice (status 8) or the withdrawal confirmation (status 7), as JSON or, with Accept: text/html, printable", body = EndNotice),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The dossier was neither stopped nor withdrawn", body = Problem, content_type = "application/problem+json")))]
#[get("/api/v1/dossiers/{code}/notice")]
pub async fn end_notice(
    state: web::Data<AppState>,
    staff: Staff,
    path: web::Path<String>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let code = path.into_inner();
    let calendar = state.calendar();
    let notice = state
        .with_conn(move |conn| {
            let d = load_visible(conn, &staff, &code)?;
            let (kind, event, agency) = match d.status {
                Status::Stopped => ("stopped", EventKind::DossierStopped, &d.handling_agency),
                Status::Withdrawn => (
                    "withdrawn",
                    EventKind::DossierWithdrawn,
                    &d.receiving_agency,
                ),
                other => {
                    return Err(ApiError::conflict(format!(
                        "dossier {} is {} ({}): only a stopped or withdrawn dossier has a notice",
                        d.code,
                        other.name(),
                        other.code()
                    )))
                }
            };
            let ended = motcua_store::events::for_dossier(conn, &d.id)?
                .into_iter()
                .rev()
                .find(|e| e.kind == event)
                .ok_or_else(|| ApiError::not_found("notice"))?;
            // Withdrawals logged before the reason was kept on the dossier
            // have it only in their event.
            let reason = if d.result_note.is_empty() {
                ended.data["reason"]
                    .as_str()
                    .unwrap_or_default()
                    .to_string()
            } else {
                d.result_note.clone()
            };
            Ok(EndNotice {
                kind: kind.into(),
                title: EndNotice::title_of(kind).into(),
                agency_name: agencies::get(conn, agency)?
                    .map_or_else(|| agency.clone(), |a| a.name),
                applicant_name: d.applicant_name.clone(),
                procedure_name: d.procedure_name.clone(),
                received_at_local: format_local(&calendar, d.received_at),
                reason,
                decided_at_local: format_local(&calendar, ended.at),
                decided_at: ended.at,
                decided_by: ended.actor_name,
                code: d.code,
            })
        })
        .await?;
    printable(&req, &notice, "notice", |p| p.to_html())
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
    let d = state
        .with_conn(move |conn| {
            Ok(lifecycle::withdraw(
                conn,
                &staff.member(),
                &code,
                &input.reason,
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

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(assign);
    cfg.service(send)
        .service(receive)
        .service(control_slip)
        .service(end_notice)
        .service(payment_request)
        .service(paid)
        .service(withdraw)
        .service(return_result);
}
