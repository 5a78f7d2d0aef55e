//! Online submissions: citizens file without logging in (rate-limited per
//! client address); the receiving desk accepts (the dossier is logged and
//! the clock starts) or refuses with a written, printable reason.

use actix_web::{get, post, web, HttpRequest, HttpResponse};
use chrono::{DateTime, Utc};
use motcua_domain::throttle::Policy;
use motcua_domain::{MissingDocument, Role, Status};
use motcua_intake::online::{self, RefusalNotice};
use motcua_intake::IntakeRequest;
use motcua_store::{dossiers, submissions, DbConnection};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_actix_web::service_config::ServiceConfig;

use crate::auth::Staff;
use crate::body::JsonBody;
use crate::error::{ApiError, Problem};
use crate::limits;
use crate::routes::dossiers::{intake_response, printable, IntakeResponse};
use crate::state::AppState;

#[derive(Serialize, ToSchema)]
pub struct SubmittedAnswer {
    /// Reference to follow the submission with the PIN.
    pub reference: String,
    /// Shown once.
    pub pin: String,
    pub status: Status,
    pub status_code: i32,
    pub submitted_at: DateTime<Utc>,
    /// Documents the published list requires that the submission lacks.
    pub missing_documents: Vec<MissingDocument>,
    pub lookup_url: String,
}

#[utoipa::path(post, path = "/api/v1/public/dossiers", tag = "public",
    request_body = IntakeRequest,
    responses((status = 201, description = "Status 1: waiting for the desk", body = SubmittedAnswer),
        (status = 422, body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many submissions from this address (MOTCUA_SUBMISSIONS_PER_MINUTE, counted on every server)",
            body = Problem, content_type = "application/problem+json",
            headers(("Retry-After" = i64, description = "Seconds to wait")))))]
#[post("/api/v1/public/dossiers")]
pub async fn submit(
    state: web::Data<AppState>,
    req: HttpRequest,
    JsonBody(body): JsonBody<IntakeRequest>,
) -> Result<HttpResponse, ApiError> {
    let out = submit_counted(&state, &req, body).await?;
    let base = state.config.public_base_url.trim_end_matches('/');
    Ok(HttpResponse::Created()
        .insert_header(("Cache-Control", "no-store"))
        .json(SubmittedAnswer {
            lookup_url: format!(
                "{base}/api/v1/public/submissions/{}?pin={}",
                out.submission.id, out.pin
            ),
            reference: out.submission.id,
            pin: out.pin,
            status: Status::Submitted,
            status_code: Status::Submitted.code(),
            submitted_at: out.submission.submitted_at,
            missing_documents: out.missing,
        }))
}

/// Records an online submission under the per-client limit (every
/// submission counts, accepted or not, in a transaction of its own:
/// refused input must not be free to send). The API's route and the
/// catalogue page's form both submit here.
pub(crate) async fn submit_counted(
    state: &web::Data<AppState>,
    req: &HttpRequest,
    body: IntakeRequest,
) -> Result<online::Submitted, ApiError> {
    let ip = crate::client::of_request(req, &state.config.trusted_proxies);
    let addr = ip.to_string();
    let rate = limits::Bucket::new(
        "submit-address",
        &crate::client::limit_key(ip),
        Policy::per_minute(state.config.submissions_per_minute),
    );
    let pins = state.pins.clone();
    state
        .with_conn(move |conn| {
            let now = motcua_store::time::now();
            let buckets = [rate];
            limits::check(conn, &buckets, now, "online submissions")?;
            if let Some(until) = motcua_store::throttle::record(conn, &buckets, now)? {
                return Err(limits::refused(until, now, "online submissions"));
            }
            Ok(online::submit(conn, &pins, &body, &addr)?)
        })
        .await
}

#[derive(Serialize, ToSchema)]
pub struct PublicSubmission {
    pub reference: String,
    /// Once accepted, the dossier's status as it goes on (supplement
    /// requested, extended, processed, returned...), so the citizen
    /// follows it here too; the same PIN opens the dossier's own view.
    pub status: Status,
    pub status_code: i32,
    pub status_text_vi: &'static str,
    pub status_text_en: &'static str,
    pub submitted_at: DateTime<Utc>,
    /// Set once accepted: look the dossier up with this code and the
    /// submission's PIN.
    pub dossier_code: Option<String>,
    /// Once accepted, the dossier's current appointment.
    pub due_at: Option<DateTime<Utc>>,
    pub refusal_reason: Option<String>,
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PinQuery {
    /// The PIN given when the application was submitted.
    pub pin: String,
}

#[utoipa::path(get, path = "/api/v1/public/submissions/{reference}", tag = "public",
    params(("reference" = String, Path, description = "Reference from the submission"), PinQuery),
    responses((status = 200, body = PublicSubmission),
        (status = 404, description = "Unknown reference or wrong PIN (indistinguishable)", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many wrong PINs for this reference or from this address; nothing was checked",
            body = Problem, content_type = "application/problem+json",
            headers(("Retry-After" = i64, description = "Seconds to wait")))))]
#[get("/api/v1/public/submissions/{reference}")]
pub async fn public_status(
    state: web::Data<AppState>,
    path: web::Path<String>,
    query: web::Query<PinQuery>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    let pin = crate::routes::public::required_pin(query.into_inner().pin)?;
    let client = crate::client::limit_key(crate::client::of_request(
        &req,
        &state.config.trusted_proxies,
    ));
    let st = state.clone();
    let view = state
        .with_conn(move |conn| {
            let now = motcua_store::time::now();
            let buckets = limits::pin_buckets(&id, &client);
            limits::check(conn, &buckets, now, limits::WRONG_PINS)?;
            let stored = submissions::pin_hash(conn, &id)?;
            if !limits::verify_pin(conn, &st.pins, &buckets, &id, &pin, stored.as_deref(), now)? {
                return Err(ApiError::not_found("submission"));
            }
            status_view(conn, &id)
        })
        .await?;
    Ok(HttpResponse::Ok()
        .insert_header(("Cache-Control", "no-store"))
        .json(view))
}

#[derive(Serialize, ToSchema)]
pub struct SubmissionDto {
    pub reference: String,
    pub procedure_code: String,
    pub agency_code: String,
    #[schema(value_type = Object)]
    pub applicant: serde_json::Value,
    #[schema(value_type = Object)]
    pub documents: serde_json::Value,
    pub status_code: i32,
    pub submitted_at: DateTime<Utc>,
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    /// Status code, default 1 (waiting).
    #[param(minimum = 1, maximum = 10)]
    pub status: Option<i32>,
    /// Page size, 1 to 500 (default 50).
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<i64>,
    #[param(minimum = 0, maximum = 1_000_000_000)]
    pub offset: Option<i64>,
}

#[utoipa::path(get, path = "/api/v1/submissions", tag = "dossiers",
    security(("bearer" = [])), params(ListQuery),
    responses((status = 200, description = "Online submissions to the caller's desk, oldest first", body = [SubmissionDto])))]
#[get("/api/v1/submissions")]
pub async fn list(
    state: web::Data<AppState>,
    staff: Staff,
    query: web::Query<ListQuery>,
) -> Result<HttpResponse, ApiError> {
    staff.require(&[Role::Clerk, Role::Supervisor, Role::Admin])?;
    let q = query.into_inner();
    let (limit, offset) = crate::routes::paging::page(q.limit, q.offset)?;
    let items = state
        .with_conn(move |conn| {
            Ok(submissions::list(
                conn,
                staff.agency.as_str(),
                q.status.unwrap_or(1),
                limit,
                offset,
            )?)
        })
        .await?;
    let out: Vec<SubmissionDto> = items
        .into_iter()
        .map(|s| SubmissionDto {
            reference: s.id,
            procedure_code: s.procedure_code,
            agency_code: s.agency_code,
            applicant: s.applicant,
            documents: s.documents,
            status_code: s.status_code,
            submitted_at: s.submitted_at,
        })
        .collect();
    Ok(HttpResponse::Ok().json(out))
}

#[utoipa::path(post, path = "/api/v1/submissions/{reference}/accept", tag = "dossiers",
    security(("bearer" = [])),
    params(("reference" = String, Path, description = "Submission reference")),
    responses((status = 201, description = "Logged: code, PIN, appointment; the clock starts now", body = IntakeResponse),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Already decided", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Incomplete: refuse it instead", body = Problem, content_type = "application/problem+json")))]
#[post("/api/v1/submissions/{reference}/accept")]
pub async fn accept(
    state: web::Data<AppState>,
    staff: Staff,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    let calendar = state.calendar();
    let (pins, mail) = (state.pins.clone(), state.mail.clone());
    let received = state
        .with_conn(move |conn| {
            Ok(online::accept(
                conn,
                &calendar,
                &pins,
                &mail,
                &staff.member(),
                &id,
            )?)
        })
        .await?;
    Ok(HttpResponse::Created()
        .insert_header(("Cache-Control", "no-store"))
        .json(intake_response(&state, &received)))
}

#[derive(Deserialize, ToSchema)]
pub struct RefuseInput {
    #[schema(max_length = 2000)]
    pub reason: String,
}

#[utoipa::path(post, path = "/api/v1/submissions/{reference}/refuse", tag = "dossiers",
    security(("bearer" = [])), request_body = RefuseInput,
    params(("reference" = String, Path, description = "Submission reference")),
    responses((status = 200, description = "Status 3 with the written refusal", body = RefusalNotice),
        (status = 409, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json")))]
#[post("/api/v1/submissions/{reference}/refuse")]
pub async fn refuse(
    state: web::Data<AppState>,
    staff: Staff,
    path: web::Path<String>,
    JsonBody(input): JsonBody<RefuseInput>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    let calendar = state.calendar();
    let mail = state.mail.clone();
    let n = state
        .with_conn(move |conn| {
            let member = staff.member();
            Ok(online::refuse(
                conn,
                &calendar,
                &mail,
                &member,
                &id,
                &input.reason,
            )?)
        })
        .await?;
    Ok(HttpResponse::Ok().json(n))
}

#[utoipa::path(get, path = "/api/v1/submissions/{reference}/refusal", tag = "dossiers",
    security(("bearer" = [])),
    params(("reference" = String, Path, description = "Submission reference")),
    responses((status = 200, description = "The refusal notice as JSON, or with Accept: text/html printable", body = RefusalNotice),
        (status = 404, body = Problem, content_type = "application/problem+json")))]
#[get("/api/v1/submissions/{reference}/refusal")]
pub async fn refusal(
    state: web::Data<AppState>,
    staff: Staff,
    path: web::Path<String>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    let calendar = state.calendar();
    let n = state
        .with_conn(move |conn| {
            let s =
                submissions::get(conn, &id)?.ok_or_else(|| ApiError::not_found("submission"))?;
            if !crate::access::Reach::of(conn, &staff)?.contains(&s.agency_code) {
                return Err(ApiError::forbidden(
                    "the submission was addressed to another agency",
                ));
            }
            if s.status_code != Status::Refused.code() {
                return Err(ApiError::not_found(
                    "refusal notice (the submission was not refused)",
                ));
            }
            Ok(RefusalNotice::load(conn, &calendar, &s)?)
        })
        .await?;
    printable(&req, &n, "refusal notice", |p| p.to_html())
}

/// What the citizen sees of a submission: its status, or once accepted
/// its dossier's, with the code and the appointment.
fn status_view(conn: &mut DbConnection, id: &str) -> Result<PublicSubmission, ApiError> {
    let s = submissions::get(conn, id)?.ok_or_else(|| ApiError::not_found("submission"))?;
    let dossier = match &s.dossier_id {
        Some(id) => dossiers::get(conn, id)?,
        None => None,
    };
    let status = match &dossier {
        Some(d) => d.status,
        None => Status::from_code(s.status_code).map_err(|_| ApiError::internal())?,
    };
    let due_at = dossier.as_ref().map(|d| d.due_at);
    let code = dossier.map(|d| d.code);
    Ok(PublicSubmission {
        reference: s.id,
        status,
        status_code: status.code(),
        status_text_vi: status.label_vi(),
        status_text_en: status.label_en(),
        submitted_at: s.submitted_at,
        dossier_code: code,
        due_at,
        refusal_reason: s.refusal_reason,
    })
}

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(submit)
        .service(public_status)
        .service(list)
        .service(accept)
        .service(refuse)
        .service(refusal);
}
