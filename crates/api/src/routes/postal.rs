//! The result by post (docs/post.md): a clerk of the receiving desk hands
//! the result to the post and records what the post reported; the postal
//! service notifies a delivery or a failure itself, without a token,
//! signed as the payment gateway signs its notices (HMAC-SHA256 over a
//! timestamp and the raw body, with the secret of `--postal-secret`),
//! refused when the timestamp is more than five minutes off, and recorded
//! once per notice however often it comes.

use actix_web::{post, web, HttpRequest, HttpResponse};
use chrono::{DateTime, Utc};
use motcua_domain::{Dossier, Postal, PostalOutcome};
use motcua_routing::postal::{self, Dispatch, Report};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_actix_web::service_config::ServiceConfig;

use crate::auth::Staff;
use crate::body::JsonBody;
use crate::error::{ApiError, Problem};
use crate::routes::signed_notice::{verify, Sender};
use crate::state::AppState;

/// The result handed to the post.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PostalDispatchInput {
    /// The parcel's tracking code (số hiệu bưu gửi).
    #[schema(min_length = 1, max_length = 64, example = "EI987654321VN")]
    pub tracking_code: String,
    /// When it was handed to the post; now when omitted.
    #[serde(default)]
    pub dispatched_at: Option<DateTime<Utc>>,
    /// Where it goes; the address the citizen gave at intake when
    /// omitted (required when they gave none).
    #[serde(default)]
    #[schema(max_length = 500, example = "Ấp 2, xã An Trường, huyện Càng Long")]
    pub address: Option<String>,
}

/// What the post reported of the result's parcel, as a clerk records it.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PostalDeliveryInput {
    pub outcome: PostalOutcome,
    /// When it was delivered or given up; now when omitted.
    #[serde(default)]
    pub at: Option<DateTime<Utc>>,
    /// Who signed for it (a delivery); the applicant when omitted.
    #[serde(default)]
    #[schema(max_length = 200, example = "Nguyễn Văn An")]
    pub received_by: Option<String>,
    /// Why it could not be delivered (required for a failure).
    #[serde(default)]
    #[schema(max_length = 1000, example = "Không có người nhận")]
    pub reason: Option<String>,
}

/// The postal service's notice of a parcel's delivery or failure.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PostalNotice {
    /// The postal service's id of this notice: a notice with an id
    /// already recorded is a repeat.
    #[schema(min_length = 1, max_length = 100, example = "VNP-EV-20261208-000123")]
    pub notice_id: String,
    #[schema(min_length = 1, max_length = 64, example = "EI987654321VN")]
    pub tracking_code: String,
    pub outcome: PostalOutcome,
    /// When it was delivered or given up.
    pub at: DateTime<Utc>,
    #[serde(default)]
    #[schema(max_length = 200, example = "Nguyễn Văn An")]
    pub received_by: Option<String>,
    #[serde(default)]
    #[schema(max_length = 1000, example = "Không có người nhận")]
    pub reason: Option<String>,
}

/// A dossier's postal state after a change.
#[derive(Serialize, ToSchema)]
pub struct PostalAnswer {
    #[schema(example = "H53.50.05.13-261208-0001")]
    pub code: String,
    /// 9 while the result is with the post or back at the desk, 10 once
    /// delivered.
    #[schema(example = 9)]
    pub status_code: i32,
    pub post: Postal,
    /// For a notice: it (or the outcome it reports) was already
    /// recorded, and nothing was written again.
    pub repeat: bool,
}

fn answer(d: Dossier, repeat: bool) -> PostalAnswer {
    PostalAnswer {
        code: d.code,
        status_code: d.status.code(),
        post: d.postal,
        repeat,
    }
}

#[utoipa::path(post, path = "/api/v1/dossiers/{code}/postal-dispatch", tag = "routing",
    security(("bearer" = [])), request_body = PostalDispatchInput,
    params(("code" = String, Path, description = "Dossier code")),
    responses((status = 200, description = "Handed to the post; the dossier stays processed (9) until delivered", body = PostalAnswer),
        (status = 403, description = "Not a clerk of the receiving desk", body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "No result waiting (not 9), already with the post, or the tracking code is another dossier's", body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json")))]
#[post("/api/v1/dossiers/{code}/postal-dispatch")]
pub async fn dispatch(
    state: web::Data<AppState>,
    staff: Staff,
    path: web::Path<String>,
    JsonBody(input): JsonBody<PostalDispatchInput>,
) -> Result<HttpResponse, ApiError> {
    let code = path.into_inner();
    let sent = Dispatch {
        tracking_code: input.tracking_code,
        at: input.dispatched_at,
        address: input.address,
    };
    let d = state
        .with_conn(move |conn| Ok(postal::dispatch(conn, &staff.member(), &code, &sent)?))
        .await?;
    Ok(HttpResponse::Ok().json(answer(d, false)))
}

#[utoipa::path(post, path = "/api/v1/dossiers/{code}/postal-delivery", tag = "routing",
    security(("bearer" = [])), request_body = PostalDeliveryInput,
    params(("code" = String, Path, description = "Dossier code")),
    responses((status = 200, description = "Recorded: delivered is the return (10, at the delivery time, by post); failed leaves it processed (9)", body = PostalAnswer),
        (status = 403, description = "Not a clerk of the receiving desk", body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The result is not with the post", body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json")))]
#[post("/api/v1/dossiers/{code}/postal-delivery")]
pub async fn delivery(
    state: web::Data<AppState>,
    staff: Staff,
    path: web::Path<String>,
    JsonBody(input): JsonBody<PostalDeliveryInput>,
) -> Result<HttpResponse, ApiError> {
    let code = path.into_inner();
    let report = Report {
        outcome: input.outcome,
        at: input.at.unwrap_or_else(motcua_store::time::now),
        received_by: input.received_by,
        reason: input.reason,
    };
    let (calendar, mail) = (state.calendar(), state.mail.clone());
    let d = state
        .with_conn(move |conn| {
            Ok(postal::record(
                conn,
                &calendar,
                &mail,
                &staff.member(),
                &code,
                &report,
            )?)
        })
        .await?;
    Ok(HttpResponse::Ok().json(answer(d, false)))
}

/// The postal service, as its notices are checked.
const POST: Sender = Sender {
    not_set_up: "no postal service is set up on this desk",
    refused_vi: "Chữ ký của thông báo bưu chính không hợp lệ",
};

#[utoipa::path(post, path = "/api/v1/postal/notify", tag = "public",
    request_body = PostalNotice,
    params(("Motcua-Signature" = String, Header,
        description = "t=<Unix seconds>,v1=<hex HMAC-SHA256 of \"<t>.<body>\" keyed with the postal secret>")),
    responses((status = 200, description = "Recorded, or a repeat of a notice (or outcome) already recorded (`repeat`)", body = PostalAnswer),
        (status = 401, description = "No signature, a wrong one, or one more than five minutes off the desk's clock", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No dossier's result went out under this tracking code", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The notice id was recorded for another parcel or outcome, or the result is not with the post", body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "No postal service is set up on this desk (`--postal-secret`)", body = Problem, content_type = "application/problem+json")))]
#[post("/api/v1/postal/notify")]
pub async fn notify(
    state: web::Data<AppState>,
    req: HttpRequest,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    verify(&POST, state.config.postal_secret.as_deref(), &req, &body)?;
    let notice: PostalNotice = crate::body::parse(&body)?;
    let report = Report {
        outcome: notice.outcome,
        at: notice.at,
        received_by: notice.received_by,
        reason: notice.reason,
    };
    let (calendar, mail) = (state.calendar(), state.mail.clone());
    let (id, tracking) = (notice.notice_id, notice.tracking_code);
    let n = state
        .with_conn(move |conn| {
            Ok(postal::notified(
                conn, &calendar, &mail, &id, &tracking, &report,
            )?)
        })
        .await?;
    Ok(HttpResponse::Ok().json(answer(n.dossier, n.repeat)))
}

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(dispatch);
    cfg.service(delivery);
    cfg.service(notify);
}
