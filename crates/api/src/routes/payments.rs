//! Payments of a dossier's fees and charges: the desk records each as it
//! is paid and lists them; a payment gateway confirms an online payment
//! with a notification signed like the desk's webhooks (HMAC-SHA256 over
//! a timestamp and the body, with the secret of `--payment-secret`),
//! checked in constant time, refused when its timestamp is more than five
//! minutes off, and recorded once per transaction however often it comes.

use actix_web::{get, post, web, HttpRequest, HttpResponse};
use chrono::{DateTime, Utc};
use motcua_domain::{PaymentChannel, Status};
use motcua_routing::payment::{self, NewPayment, Recorded};
use motcua_store::payments::{self, Payment};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_actix_web::service_config::ServiceConfig;

use crate::auth::Staff;
use crate::body::JsonBody;
use crate::error::{ApiError, Problem};
use crate::routes::dossiers::load_visible;
use crate::routes::signed_notice::{verify, Sender};
use crate::state::AppState;

/// A payment made at the desk, by transfer, or online.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PaymentRecordInput {
    /// In đồng.
    #[schema(minimum = 1, maximum = 1_000_000_000_000_i64, example = 100000)]
    pub amount_vnd: i64,
    /// `counter` (cash or card at the desk), `transfer` (a bank transfer
    /// the desk checked) or `online` (the online payment platform).
    pub channel: PaymentChannel,
    /// The number of the receipt (biên lai) or of the transaction.
    #[schema(min_length = 1, max_length = 64, example = "BL-0012345")]
    pub receipt_number: String,
}

/// A payment as the desk recorded it.
#[derive(Serialize, ToSchema)]
pub struct PaymentDto {
    #[schema(example = "01939b5e-9a4f-7c2e-8d3b-2f6a1c0e4b7d")]
    pub id: String,
    #[schema(example = 100000)]
    pub amount_vnd: i64,
    pub channel: PaymentChannel,
    #[schema(example = "BL-0012345")]
    pub receipt_number: String,
    /// The staff member's user id; none when the payment gateway
    /// confirmed it.
    pub recorded_by: Option<String>,
    /// The gateway's transaction id, for an online payment it confirmed.
    pub gateway_transaction: Option<String>,
    pub paid_at: DateTime<Utc>,
    pub recorded_at: DateTime<Utc>,
}

impl From<Payment> for PaymentDto {
    fn from(p: Payment) -> Self {
        PaymentDto {
            id: p.id,
            amount_vnd: p.amount_vnd,
            channel: p.channel,
            receipt_number: p.receipt_number,
            recorded_by: p.recorded_by,
            gateway_transaction: p.gateway_transaction,
            paid_at: p.paid_at,
            recorded_at: p.recorded_at,
        }
    }
}

/// What recording a payment did.
#[derive(Serialize, ToSchema)]
pub struct RecordedAnswer {
    #[schema(example = "H53.50.05.13-261126-0001")]
    pub code: String,
    pub payment: PaymentDto,
    /// The dossier's status code after it (4 when the payment settled
    /// the amount asked, which moved it back from 6).
    #[schema(example = 4)]
    pub status_code: i32,
    /// The payment covered what was asked since the latest payment
    /// request: the dossier is back in processing.
    pub settled: bool,
    /// The gateway had already sent this transaction: nothing was
    /// recorded again.
    pub repeat: bool,
}

fn recorded(r: Recorded) -> RecordedAnswer {
    RecordedAnswer {
        code: r.dossier.code,
        payment: r.payment.into(),
        status_code: r.dossier.status.code(),
        settled: r.settled,
        repeat: r.repeat,
    }
}

/// A dossier's payments.
#[derive(Serialize, ToSchema)]
pub struct PaymentList {
    #[schema(example = "H53.50.05.13-261126-0001")]
    pub code: String,
    /// Oldest first.
    pub items: Vec<PaymentDto>,
    /// Every payment summed, in đồng.
    #[schema(example = 100000)]
    pub total_vnd: i64,
    /// The amount of the latest payment request, if any, in đồng.
    pub requested_vnd: Option<i64>,
    /// Waiting for a payment (status 6).
    pub awaiting_payment: bool,
}

#[utoipa::path(post, path = "/api/v1/dossiers/{code}/payments", tag = "routing",
    security(("bearer" = [])), request_body = PaymentRecordInput,
    params(("code" = String, Path, description = "Dossier code")),
    responses((status = 201, description = "Recorded; a dossier waiting for a payment goes back to processing once what was paid since the request covers it", body = RecordedAnswer),
        (status = 403, description = "Not a clerk or officer of the receiving desk or the handling agency", body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The dossier is closed (returned or withdrawn)", body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json")))]
#[post("/api/v1/dossiers/{code}/payments")]
pub async fn record(
    state: web::Data<AppState>,
    staff: Staff,
    path: web::Path<String>,
    JsonBody(input): JsonBody<PaymentRecordInput>,
) -> Result<HttpResponse, ApiError> {
    let code = path.into_inner();
    let new = NewPayment {
        amount_vnd: input.amount_vnd,
        channel: input.channel,
        receipt_number: input.receipt_number,
        paid_at: motcua_store::time::now(),
    };
    let r = state
        .with_conn(move |conn| Ok(payment::record(conn, &staff.member(), &code, &new)?))
        .await?;
    Ok(HttpResponse::Created().json(recorded(r)))
}

#[utoipa::path(get, path = "/api/v1/dossiers/{code}/payments", tag = "routing",
    security(("bearer" = [])),
    params(("code" = String, Path, description = "Dossier code")),
    responses((status = 200, description = "The dossier's payments, oldest first", body = PaymentList),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json")))]
#[get("/api/v1/dossiers/{code}/payments")]
pub async fn list(
    state: web::Data<AppState>,
    staff: Staff,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let code = path.into_inner();
    let answer = state
        .with_conn(move |conn| {
            let d = load_visible(conn, &staff, &code)?;
            let items: Vec<PaymentDto> = payments::for_dossier(conn, &d.id)?
                .into_iter()
                .map(PaymentDto::from)
                .collect();
            Ok(PaymentList {
                total_vnd: items
                    .iter()
                    .map(|p| p.amount_vnd)
                    .fold(0, i64::saturating_add),
                code: d.code,
                items,
                requested_vnd: d.payment_amount_vnd,
                awaiting_payment: d.status == Status::AwaitingPayment,
            })
        })
        .await?;
    Ok(HttpResponse::Ok().json(answer))
}

/// The payment gateway's notice of an online payment.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PaymentNotice {
    /// The gateway's id of the transaction: a notice with an id already
    /// recorded is a repeat.
    #[schema(min_length = 1, max_length = 100, example = "VNPT-20261205-000123")]
    pub transaction_id: String,
    #[schema(max_length = 64, example = "H53.50.05.13-261126-0001")]
    pub dossier_code: String,
    /// In đồng.
    #[schema(minimum = 1, maximum = 1_000_000_000_000_i64, example = 100000)]
    pub amount_vnd: i64,
    /// When the citizen paid.
    pub paid_at: DateTime<Utc>,
}

/// The payment gateway, as its notices are checked.
const GATEWAY: Sender = Sender {
    not_set_up: "no payment gateway is set up on this desk",
    refused_vi: "Chữ ký của thông báo thanh toán không hợp lệ",
};

#[utoipa::path(post, path = "/api/v1/payments/notify", tag = "public",
    request_body = PaymentNotice,
    params(("Motcua-Signature" = String, Header,
        description = "t=<Unix seconds>,v1=<hex HMAC-SHA256 of \"<t>.<body>\" keyed with the payment secret>")),
    responses((status = 200, description = "Recorded, or a repeat of a transaction already recorded (`repeat`)", body = RecordedAnswer),
        (status = 401, description = "No signature, a wrong one, or one more than five minutes off the desk's clock", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No dossier has this code", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The dossier is closed, or the transaction was recorded for another dossier or amount", body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "No payment gateway is set up on this desk (`--payment-secret`)", body = Problem, content_type = "application/problem+json")))]
#[post("/api/v1/payments/notify")]
pub async fn notify(
    state: web::Data<AppState>,
    req: HttpRequest,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    verify(
        &GATEWAY,
        state.config.payment_secret.as_deref(),
        &req,
        &body,
    )?;
    let notice: PaymentNotice = crate::body::parse(&body)?;
    let transaction = notice.transaction_id.trim().to_string();
    if transaction.is_empty() {
        return Err(ApiError::invalid_field("transaction_id", "must be given"));
    }
    let new = NewPayment {
        amount_vnd: notice.amount_vnd,
        channel: PaymentChannel::Online,
        receipt_number: transaction.clone(),
        paid_at: notice.paid_at,
    };
    let code = notice.dossier_code;
    let r = state
        .with_conn(move |conn| Ok(payment::confirm_online(conn, &code, &transaction, &new)?))
        .await?;
    Ok(HttpResponse::Ok().json(recorded(r)))
}

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(record);
    cfg.service(list);
    cfg.service(notify);
}
