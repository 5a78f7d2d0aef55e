//! The deadline clock of a dossier: supplement requests, the one
//! extension with its apology letter, and the end of processing with its
//! verdict (the clock view that explains the due time is in
//! `routes::clock_view`).

use actix_web::{get, post, web, HttpRequest, HttpResponse};
use chrono::{DateTime, Utc};
use motcua_calendar::WorkingCalendar;
use motcua_domain::Dossier;
use motcua_domain::Status;
use motcua_sla::apology::{ApologyInput, ApologyLetter};
use motcua_sla::ops::{extension, finish, supplement};
use motcua_store::{agencies, supplements, users, DbConnection};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_actix_web::service_config::ServiceConfig;

use crate::auth::Staff;
use crate::body::JsonBody;
use crate::error::{ApiError, Problem};
use crate::routes::clock_view::{ExtensionDto, SupplementRequestDto};
use crate::routes::dossiers::dossier_paper;
use crate::state::AppState;

/// A short answer after a clock write.
#[derive(Serialize, ToSchema)]
pub struct ClockAnswer {
    pub code: String,
    pub status: Status,
    pub status_code: i32,
    pub due_at: DateTime<Utc>,
    pub paused: bool,
}

pub(crate) fn answer(d: &Dossier) -> ClockAnswer {
    ClockAnswer {
        code: d.code.clone(),
        status: d.status,
        status_code: d.status.code(),
        due_at: d.due_at,
        paused: d.paused_since.is_some(),
    }
}

#[derive(Deserialize, ToSchema)]
pub struct NeededItemInput {
    /// The procedure's document code, when it is a listed document.
    #[schema(max_length = 32)]
    pub code: Option<String>,
    #[schema(max_length = 500)]
    pub name: String,
    #[schema(max_length = 1000)]
    pub note: Option<String>,
}

#[derive(Deserialize, ToSchema)]
pub struct SupplementRequestInput {
    #[schema(max_length = 2000)]
    pub reason: String,
    /// Everything the citizen must bring, listed once.
    #[schema(max_items = 100)]
    pub items: Vec<NeededItemInput>,
}

#[derive(Serialize, ToSchema)]
pub struct SupplementRequestAnswer {
    #[serde(flatten)]
    pub dossier: ClockAnswer,
    /// The supplement-request slip.
    pub slip: SupplementRequestDto,
    /// A second request makes the dossier count as late.
    pub counts_late: bool,
}

#[utoipa::path(post, path = "/api/v1/dossiers/{code}/supplement-request", tag = "clock",
    security(("bearer" = [])), request_body = SupplementRequestInput,
    params(("code" = String, Path, description = "Dossier code")),
    responses(
        (status = 200, description = "Status 5, clock paused; the slip lists what is needed", body = SupplementRequestAnswer),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Not allowed from the current status", body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json")))]
#[post("/api/v1/dossiers/{code}/supplement-request")]
pub async fn supplement_request(
    state: web::Data<AppState>,
    staff: Staff,
    path: web::Path<String>,
    JsonBody(input): JsonBody<SupplementRequestInput>,
) -> Result<HttpResponse, ApiError> {
    let code = path.into_inner();
    let calendar = state.calendar();
    let items: Vec<supplement::NeededItem> = input
        .items
        .into_iter()
        .map(|i| supplement::NeededItem {
            code: i.code,
            name: i.name.trim().to_string(),
            note: i.note,
        })
        .collect();
    let mail = state.mail.clone();
    let out = state
        .with_conn(move |conn| {
            let member = staff.member();
            let (reason, items) = (&input.reason, &items);
            Ok(supplement::request(
                conn, &calendar, &mail, &member, &code, reason, items,
            )?)
        })
        .await?;
    Ok(HttpResponse::Ok().json(SupplementRequestAnswer {
        dossier: answer(&out.dossier),
        slip: SupplementRequestDto {
            number: out.request.number,
            reason: out.request.reason,
            items: out.request.items,
            requested_at: out.request.requested_at,
            received_at: None,
            received_note: None,
        },
        counts_late: out.counts_late,
    }))
}

#[derive(Deserialize, ToSchema)]
pub struct SupplementReceivedInput {
    #[serde(default)]
    #[schema(max_length = 1000)]
    pub note: String,
}

#[derive(Serialize, ToSchema)]
pub struct SupplementReceivedAnswer {
    #[serde(flatten)]
    pub dossier: ClockAnswer,
    /// pause (the clock resumed) or restart (the full time runs again).
    pub policy: String,
    /// Working seconds the wait moved the appointment by.
    pub shift_working_seconds: i64,
}

#[utoipa::path(post, path = "/api/v1/dossiers/{code}/supplement-received", tag = "clock",
    security(("bearer" = [])), request_body = SupplementReceivedInput,
    params(("code" = String, Path, description = "Dossier code")),
    responses(
        (status = 200, description = "Status 4; the clock resumes or restarts", body = SupplementReceivedAnswer),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 409, body = Problem, content_type = "application/problem+json")))]
#[post("/api/v1/dossiers/{code}/supplement-received")]
pub async fn supplement_received(
    state: web::Data<AppState>,
    staff: Staff,
    path: web::Path<String>,
    JsonBody(input): JsonBody<SupplementReceivedInput>,
) -> Result<HttpResponse, ApiError> {
    let code = path.into_inner();
    let calendar = state.calendar();
    let out = state
        .with_conn(move |conn| {
            Ok(supplement::receive(
                conn,
                &calendar,
                &staff.member(),
                &code,
                &input.note,
            )?)
        })
        .await?;
    Ok(HttpResponse::Ok().json(SupplementReceivedAnswer {
        dossier: answer(&out.dossier),
        policy: out.policy.as_str().to_string(),
        shift_working_seconds: out.shift_seconds,
    }))
}

#[derive(Deserialize, ToSchema)]
pub struct ExtensionInput {
    /// Printed on the apology letter.
    #[schema(max_length = 2000)]
    pub reason: String,
    /// The new appointment (RFC 3339), on a working day, after the current one.
    pub new_due_at: DateTime<Utc>,
}

#[derive(Serialize, ToSchema)]
pub struct ExtensionAnswer {
    #[serde(flatten)]
    pub dossier: ClockAnswer,
    pub extension: ExtensionDto,
}

#[utoipa::path(post, path = "/api/v1/dossiers/{code}/extension", tag = "clock",
    security(("bearer" = [])), request_body = ExtensionInput,
    params(("code" = String, Path, description = "Dossier code")),
    responses(
        (status = 200, description = "Extended once; the apology letter is ready", body = ExtensionAnswer),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Already extended once, or the dossier is closed", body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json")))]
#[post("/api/v1/dossiers/{code}/extension")]
pub async fn extend(
    state: web::Data<AppState>,
    staff: Staff,
    path: web::Path<String>,
    JsonBody(input): JsonBody<ExtensionInput>,
) -> Result<HttpResponse, ApiError> {
    let code = path.into_inner();
    let calendar = state.calendar();
    let mail = state.mail.clone();
    let out = state
        .with_conn(move |conn| {
            let member = staff.member();
            let (reason, new_due) = (&input.reason, input.new_due_at);
            Ok(extension::extend(
                conn, &calendar, &mail, &member, &code, reason, new_due,
            )?)
        })
        .await?;
    let e = out.extension;
    Ok(HttpResponse::Ok().json(ExtensionAnswer {
        extension: ExtensionDto {
            reason: e.reason,
            previous_due_at: e.previous_due_at,
            new_due_at: e.new_due_at,
            late_notice: e.late_notice,
            requested_at: e.requested_at,
            apology_letter_url: format!("/api/v1/dossiers/{}/apology-letter", out.dossier.code),
        },
        dossier: answer(&out.dossier),
    }))
}

#[utoipa::path(get, path = "/api/v1/dossiers/{code}/apology-letter", tag = "clock",
    security(("bearer" = [])),
    params(("code" = String, Path, description = "Dossier code")),
    responses(
        (status = 200, description = "The apology letter as JSON, or with Accept: text/html a printable page in Vietnamese"),
        (status = 404, description = "No such dossier, or it was never extended", body = Problem, content_type = "application/problem+json")))]
#[get("/api/v1/dossiers/{code}/apology-letter")]
pub async fn apology_letter(
    state: web::Data<AppState>,
    staff: Staff,
    path: web::Path<String>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let code = path.into_inner();
    let to_html = |p: &ApologyLetter| p.to_html();
    dossier_paper(
        &state,
        staff,
        code,
        &req,
        "apology letter",
        build_letter,
        to_html,
    )
    .await
}

/// The apology letter of `d`'s one extension.
fn build_letter(
    conn: &mut DbConnection,
    calendar: &WorkingCalendar,
    d: Dossier,
) -> Result<ApologyLetter, ApiError> {
    let e = supplements::extension(conn, &d.id)?
        .ok_or_else(|| ApiError::not_found("apology letter (the dossier was not extended)"))?;
    let agency = agencies::get(conn, &d.handling_agency)?
        .map(|a| a.name)
        .unwrap_or_else(|| d.handling_agency.clone());
    let issued_by = users::get(conn, &e.requested_by)?
        .map(|u| u.full_name)
        .unwrap_or_default();
    Ok(ApologyLetter::build(
        calendar,
        &ApologyInput {
            code: &d.code,
            agency_name: &agency,
            applicant_name: &d.applicant_name,
            procedure_name: &d.procedure_name,
            received_at: d.received_at,
            previous_due_at: e.previous_due_at,
            new_due_at: e.new_due_at,
            reason: &e.reason,
            issued_at: e.requested_at,
            issued_by: &issued_by,
            late_notice: e.late_notice,
        },
    ))
}

#[derive(Serialize, ToSchema)]
pub struct ProcessedAnswer {
    #[serde(flatten)]
    pub dossier: ClockAnswer,
    /// early, on_time or late.
    pub verdict: String,
    /// The electronic result, when it came with the call (multipart).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub result_file: Option<crate::routes::files::FileAnswer>,
}

/// The answer to the end of processing (processed or stopped).
pub(crate) fn ended(
    out: &finish::Finished,
    result_file: Option<crate::routes::files::FileAnswer>,
) -> ProcessedAnswer {
    ProcessedAnswer {
        dossier: answer(&out.dossier),
        verdict: out.verdict.as_str().to_string(),
        result_file,
    }
}

#[derive(Deserialize, ToSchema)]
pub struct StopInput {
    /// Why processing cannot continue (printed on the stop notice).
    #[schema(max_length = 2000)]
    pub reason: String,
}

#[utoipa::path(post, path = "/api/v1/dossiers/{code}/stop", tag = "clock",
    security(("bearer" = [])), request_body = StopInput,
    params(("code" = String, Path, description = "Dossier code")),
    responses(
        (status = 200, description = "Status 8, processing stopped, with the verdict", body = ProcessedAnswer),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 409, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json")))]
#[post("/api/v1/dossiers/{code}/stop")]
pub async fn stop(
    state: web::Data<AppState>,
    staff: Staff,
    path: web::Path<String>,
    JsonBody(input): JsonBody<StopInput>,
) -> Result<HttpResponse, ApiError> {
    let code = path.into_inner();
    let calendar = state.calendar();
    let mail = state.mail.clone();
    let out = state
        .with_conn(move |conn| {
            let member = staff.member();
            Ok(finish::stopped(
                conn,
                &calendar,
                &mail,
                &member,
                &code,
                &input.reason,
            )?)
        })
        .await?;
    Ok(HttpResponse::Ok().json(ended(&out, None)))
}

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(supplement_request)
        .service(supplement_received)
        .service(extend)
        .service(apology_letter)
        .service(stop);
}
