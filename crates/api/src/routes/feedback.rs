//! Citizens' feedback and recommendations (phản ánh, kiến nghị;
//! docs/feedback.md). The public side: send it (rate-limited per client
//! address), follow it and give information asked for with its reference
//! and PIN (the look-up's limits on wrong PINs), read the published
//! answers. The staff side: the agency's list with the step owed and its
//! due time, each step, and the breaches of the steps' limits.

use actix_web::{get, post, web, HttpRequest, HttpResponse};
use chrono::{DateTime, Utc};
use motcua_domain::throttle::Policy;
use motcua_domain::{FeedbackStatus, NewFeedback, Role};
use motcua_feedback::send::{self, About};
use motcua_feedback::steps::{self, Decision};
use motcua_store::feedback::{self as store, Feedback, FeedbackFilter, PublishedFeedback};
use motcua_store::{time, DbConnection};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_actix_web::service_config::ServiceConfig;

use crate::access::Reach;
use crate::auth::Staff;
use crate::body::JsonBody;
use crate::error::{ApiError, Problem};
use crate::limits;
use crate::routes::paging::page;
use crate::routes::public::{pin_checked, required_pin};
use crate::state::AppState;

/// What a citizen sends.
#[derive(Deserialize, ToSchema)]
pub struct FeedbackInput {
    #[schema(max_length = 200, example = "Nguyễn Văn An")]
    pub name: String,
    /// An e-mail address or a phone number (at least one) to be answered.
    #[schema(max_length = 254, example = "an.nguyen@example.vn")]
    pub email: Option<String>,
    #[schema(max_length = 20, example = "0912345678")]
    pub phone: Option<String>,
    #[schema(max_length = 200, example = "Thời gian chờ tại quầy")]
    pub subject: String,
    #[schema(max_length = 4000, example = "Tôi phải chờ hơn hai giờ để nộp hồ sơ.")]
    pub content: String,
    /// About a dossier: its code and the PIN on its receipt (the feedback
    /// then goes to the agency holding it).
    #[schema(max_length = 64, example = "H53.50.05.13-261126-0001")]
    pub dossier_code: Option<String>,
    #[schema(max_length = 64, example = "482913")]
    pub dossier_pin: Option<String>,
    /// Otherwise the agency it is for, and perhaps the procedure.
    #[schema(max_length = 64, example = "H53.50")]
    pub agency: Option<String>,
    #[schema(max_length = 64, example = "1.001234")]
    pub procedure: Option<String>,
}

/// A feedback just sent.
#[derive(Serialize, ToSchema)]
pub struct FeedbackSent {
    /// What to follow it with, with the PIN.
    #[schema(example = "PA-261205-0001")]
    pub reference: String,
    /// Shown once.
    #[schema(example = "482913")]
    pub pin: String,
    pub status: FeedbackStatus,
    /// When the agency must accept or refuse it.
    #[schema(example = "2026-12-08T10:00:00Z")]
    pub step_due_at: Option<DateTime<Utc>>,
    #[schema(example = "https://motcua.example.vn/phan-anh/theo-doi?reference=PA-261205-0001")]
    pub follow_url: String,
}

/// A feedback as its sender follows it.
#[derive(Serialize, ToSchema)]
pub struct FeedbackView {
    #[schema(example = "PA-261205-0001")]
    pub reference: String,
    #[schema(example = "Thời gian chờ tại quầy")]
    pub subject: String,
    #[schema(example = "Tôi phải chờ hơn hai giờ để nộp hồ sơ.")]
    pub content: String,
    #[schema(example = "H53.50")]
    pub agency_code: String,
    #[schema(example = "1.001234")]
    pub procedure_code: Option<String>,
    pub status: FeedbackStatus,
    #[schema(example = "Đang xử lý")]
    pub status_text_vi: &'static str,
    #[schema(example = "Being handled")]
    pub status_text_en: &'static str,
    /// The step the agency owes now (`accept`, `answer`, `publish`), and
    /// when it is due.
    #[schema(example = "answer")]
    pub step_owed: Option<&'static str>,
    #[schema(example = "2026-12-28T10:00:00Z")]
    pub step_due_at: Option<DateTime<Utc>>,
    #[schema(example = "2026-12-05T02:00:00Z")]
    pub received_at: DateTime<Utc>,
    #[schema(example = "2026-12-07T02:00:00Z")]
    pub decided_at: Option<DateTime<Utc>>,
    #[schema(example = json!(null))]
    pub refusal_reason: Option<String>,
    #[schema(example = "Xin cho biết ngày và quầy đã nộp hồ sơ")]
    pub information_request: Option<String>,
    #[schema(example = "Ngày 02/12, quầy số 3")]
    pub information_reply: Option<String>,
    #[schema(example = "Đã bố trí thêm một quầy tiếp nhận vào buổi sáng")]
    pub answer: Option<String>,
    #[schema(example = "2026-12-10T02:00:00Z")]
    pub answered_at: Option<DateTime<Utc>>,
    #[schema(example = "2026-12-11T02:00:00Z")]
    pub published_at: Option<DateTime<Utc>>,
}

/// A feedback as the agency's staff see it: with who sent it.
#[derive(Serialize, ToSchema)]
pub struct StaffFeedback {
    #[serde(flatten)]
    pub view: FeedbackView,
    #[schema(example = "Nguyễn Văn An")]
    pub name: String,
    #[schema(example = "an.nguyen@example.vn")]
    pub email: Option<String>,
    #[schema(example = "0912345678")]
    pub phone: Option<String>,
    /// The dossier it is about, if any.
    #[schema(example = "H53.50.05.13-261126-0001")]
    pub dossier_code: Option<String>,
    /// Whether the step owed is past its due time now.
    #[schema(example = false)]
    pub overdue: bool,
    #[schema(example = "Tình trạng chờ tại quầy buổi sáng")]
    pub public_summary: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct StaffFeedbackPage {
    pub items: Vec<StaffFeedback>,
    #[schema(example = 1)]
    pub total: i64,
    #[schema(example = 50)]
    pub limit: i64,
    #[schema(example = 0)]
    pub offset: i64,
}

/// A published answer: no name, no contact.
#[derive(Serialize, ToSchema)]
pub struct PublishedItem {
    #[schema(example = "PA-261205-0001")]
    pub reference: String,
    #[schema(example = "H53.50")]
    pub agency_code: String,
    #[schema(example = "1.001234")]
    pub procedure_code: Option<String>,
    #[schema(example = "Thời gian chờ tại quầy")]
    pub subject: String,
    /// The matter, as the agency published it.
    #[schema(example = "Tình trạng chờ lâu tại quầy tiếp nhận buổi sáng")]
    pub summary: String,
    #[schema(example = "Đã bố trí thêm một quầy tiếp nhận vào buổi sáng")]
    pub answer: String,
    #[schema(example = "2026-12-05T02:00:00Z")]
    pub received_at: DateTime<Utc>,
    #[schema(example = "2026-12-10T02:00:00Z")]
    pub answered_at: DateTime<Utc>,
    #[schema(example = "2026-12-11T02:00:00Z")]
    pub published_at: DateTime<Utc>,
}

#[derive(Serialize, ToSchema)]
pub struct PublishedPage {
    pub items: Vec<PublishedItem>,
    #[schema(example = 1)]
    pub total: i64,
    #[schema(example = 50)]
    pub limit: i64,
    #[schema(example = 0)]
    pub offset: i64,
}

pub(crate) fn view(f: &Feedback) -> FeedbackView {
    FeedbackView {
        reference: f.reference.clone(),
        subject: f.subject.clone(),
        content: f.content.clone(),
        agency_code: f.agency_code.clone(),
        procedure_code: f.procedure_code.clone(),
        status: f.status,
        status_text_vi: f.status.text_vi(),
        status_text_en: f.status.text_en(),
        step_owed: f.step_due().map(|s| s.as_str()),
        step_due_at: f.step_due_at,
        received_at: f.received_at,
        decided_at: f.decided_at,
        refusal_reason: f.refusal_reason.clone(),
        information_request: f.information_request.clone(),
        information_reply: f.information_reply.clone(),
        answer: f.answer.clone(),
        answered_at: f.answered_at,
        published_at: f.published_at,
    }
}

fn staff_view(
    conn: &mut DbConnection,
    f: &Feedback,
    now: DateTime<Utc>,
) -> Result<StaffFeedback, ApiError> {
    let code = store::dossier_codes(conn, std::slice::from_ref(f))?
        .into_values()
        .next();
    Ok(with_code(f, code, now))
}

/// The staff's view of a feedback, with its dossier's code when it has one.
fn with_code(f: &Feedback, dossier_code: Option<String>, now: DateTime<Utc>) -> StaffFeedback {
    StaffFeedback {
        view: view(f),
        name: f.name.clone(),
        email: f.email.clone(),
        phone: f.phone.clone(),
        dossier_code,
        overdue: f.step_due_at.is_some_and(|d| d < now),
        public_summary: f.public_summary.clone(),
    }
}

fn published_item(p: PublishedFeedback) -> PublishedItem {
    PublishedItem {
        reference: p.reference,
        agency_code: p.agency_code,
        procedure_code: p.procedure_code,
        subject: p.subject,
        summary: p.summary,
        answer: p.answer,
        received_at: p.received_at,
        answered_at: p.answered_at,
        published_at: p.published_at,
    }
}

/// An optional text field, bounded before anything is read.
fn bounded(field: &str, value: &Option<String>, max: usize) -> Result<(), ApiError> {
    match value {
        Some(v) if v.chars().count() > max => Err(ApiError::invalid_field(
            field,
            format!("must be at most {max} characters"),
        )),
        _ => Ok(()),
    }
}

#[utoipa::path(post, path = "/api/v1/public/feedback", tag = "public",
    request_body = FeedbackInput,
    responses((status = 201, description = "Received: the agency must accept or refuse it within 2 working days", body = FeedbackSent),
        (status = 404, description = "The dossier code and PIN given do not match (indistinguishable)", body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too much feedback from this address (MOTCUA_SUBMISSIONS_PER_MINUTE), or too many wrong PINs",
            body = Problem, content_type = "application/problem+json",
            headers(("Retry-After" = i64, description = "Seconds to wait")))))]
#[post("/api/v1/public/feedback")]
pub async fn send_feedback(
    state: web::Data<AppState>,
    req: HttpRequest,
    JsonBody(input): JsonBody<FeedbackInput>,
) -> Result<HttpResponse, ApiError> {
    let (sent, follow_url) = send_from(&state, &req, input).await?;
    Ok(HttpResponse::Created()
        .insert_header(("Cache-Control", "no-store"))
        .json(FeedbackSent {
            reference: sent.feedback.reference,
            pin: sent.pin,
            status: sent.feedback.status,
            step_due_at: sent.feedback.step_due_at,
            follow_url,
        }))
}

/// Checks and records a citizen's feedback under the per-client limit:
/// the API's route and the page's form both send through here. Answers
/// the feedback with its PIN, and its follow-up address.
pub(crate) async fn send_from(
    state: &web::Data<AppState>,
    req: &HttpRequest,
    input: FeedbackInput,
) -> Result<(send::Sent, String), ApiError> {
    for (field, value) in [
        ("dossier_code", &input.dossier_code),
        ("dossier_pin", &input.dossier_pin),
        ("agency", &input.agency),
        ("procedure", &input.procedure),
    ] {
        bounded(field, value, 64)?;
    }
    let new = NewFeedback::new(
        &input.name,
        input.email.as_deref(),
        input.phone.as_deref(),
        &input.subject,
        &input.content,
    )
    .map_err(ApiError::invalid)?;
    let trimmed = |v: Option<String>| v.map(|s| s.trim().to_string()).filter(|s| !s.is_empty());
    let (dossier_code, dossier_pin) = (trimmed(input.dossier_code), trimmed(input.dossier_pin));
    let (agency, procedure) = (trimmed(input.agency), trimmed(input.procedure));
    if dossier_code.is_none() && agency.is_none() {
        return Err(ApiError::invalid_field(
            "agency",
            "name the agency the feedback is for, or give a dossier's code and PIN",
        ));
    }
    if dossier_code.is_some() && dossier_pin.is_none() {
        return Err(ApiError::invalid_field(
            "dossier_pin",
            "the PIN printed on the dossier's receipt is required with its code",
        ));
    }
    let ip = crate::client::of_request(req, &state.config.trusted_proxies);
    let client = crate::client::limit_key(ip);
    let rate = limits::Bucket::new(
        "feedback-address",
        &client,
        Policy::per_minute(state.config.submissions_per_minute),
    );
    let st = state.clone();
    let sent = state
        .with_conn(move |conn| {
            let now = time::now();
            let buckets = [rate];
            limits::check(conn, &buckets, now, "feedback")?;
            if let Some(until) = motcua_store::throttle::record(conn, &buckets, now)? {
                return Err(limits::refused(until, now, "feedback"));
            }
            let about = match (dossier_code, dossier_pin) {
                (Some(code), Some(pin)) => About::Dossier(Box::new(
                    pin_checked(conn, &st, &code, &pin, &client)?.dossier,
                )),
                _ => About::Agency {
                    agency: agency.unwrap_or_default(),
                    procedure,
                },
            };
            let calendar = st.calendar();
            Ok(send::send(
                conn, &calendar, &st.mail, &st.pins, new, about, now,
            )?)
        })
        .await?;
    let follow_url = format!(
        "{}/phan-anh/theo-doi?reference={}",
        state.config.public_base_url.trim_end_matches('/'),
        sent.feedback.reference
    );
    Ok((sent, follow_url))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PublishedQuery {
    /// Only this agency's answers.
    pub agency: Option<String>,
    /// Page size, 1 to 500 (default 50).
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<i64>,
    #[param(minimum = 0, maximum = 1_000_000_000)]
    pub offset: Option<i64>,
}

#[utoipa::path(get, path = "/api/v1/public/feedback", tag = "public",
    params(PublishedQuery),
    responses((status = 200, description = "Published answers, newest first, without personal data", body = PublishedPage),
        (status = 422, body = Problem, content_type = "application/problem+json")))]
#[get("/api/v1/public/feedback")]
pub async fn published(
    state: web::Data<AppState>,
    query: web::Query<PublishedQuery>,
) -> Result<HttpResponse, ApiError> {
    let q = query.into_inner();
    let (limit, offset) = page(q.limit, q.offset)?;
    bounded("agency", &q.agency, 64)?;
    let (items, total) = state
        .with_conn(move |conn| Ok(store::published(conn, q.agency.as_deref(), limit, offset)?))
        .await?;
    Ok(HttpResponse::Ok().json(PublishedPage {
        items: items.into_iter().map(published_item).collect(),
        total,
        limit,
        offset,
    }))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct FeedbackPinQuery {
    /// The PIN given when the feedback was sent.
    pub pin: String,
}

/// The feedback `reference` when `pin` is its PIN, under the look-up's
/// limits on wrong PINs.
pub(crate) fn feedback_pin_checked(
    conn: &mut DbConnection,
    st: &AppState,
    reference: &str,
    pin: &str,
    client: &str,
) -> Result<(), ApiError> {
    let now = time::now();
    let buckets = limits::pin_buckets(reference, client);
    limits::check(conn, &buckets, now, limits::WRONG_PINS)?;
    let stored = store::pin_hash(conn, reference)?;
    if !limits::verify_pin(
        conn,
        &st.pins,
        &buckets,
        reference,
        pin,
        stored.as_deref(),
        now,
    )? {
        return Err(ApiError::not_found("feedback"));
    }
    Ok(())
}

#[utoipa::path(get, path = "/api/v1/public/feedback/{reference}", tag = "public",
    params(("reference" = String, Path, description = "The feedback's reference"), FeedbackPinQuery),
    responses((status = 200, body = FeedbackView),
        (status = 404, description = "Unknown reference or wrong PIN (indistinguishable)", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many wrong PINs for this reference or from this address; nothing was checked",
            body = Problem, content_type = "application/problem+json",
            headers(("Retry-After" = i64, description = "Seconds to wait")))))]
#[get("/api/v1/public/feedback/{reference}")]
pub async fn follow(
    state: web::Data<AppState>,
    path: web::Path<String>,
    query: web::Query<FeedbackPinQuery>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let reference = path.into_inner();
    let pin = required_pin(query.into_inner().pin)?;
    let client = crate::client::limit_key(crate::client::of_request(
        &req,
        &state.config.trusted_proxies,
    ));
    let st = state.clone();
    let f = state
        .with_conn(move |conn| {
            feedback_pin_checked(conn, &st, &reference, &pin, &client)?;
            store::get(conn, &reference)?.ok_or_else(|| ApiError::not_found("feedback"))
        })
        .await?;
    Ok(HttpResponse::Ok()
        .insert_header(("Cache-Control", "no-store"))
        .json(view(&f)))
}

/// The information the agency asked for.
#[derive(Deserialize, ToSchema)]
pub struct InformationInput {
    /// The PIN given when the feedback was sent.
    #[schema(max_length = 64, example = "482913")]
    pub pin: String,
    #[schema(max_length = 4000, example = "Ngày 02/12, quầy số 3")]
    pub reply: String,
}

#[utoipa::path(post, path = "/api/v1/public/feedback/{reference}/information", tag = "public",
    request_body = InformationInput,
    params(("reference" = String, Path, description = "The feedback's reference")),
    responses((status = 200, description = "Given: the answer is due 15 working days from now", body = FeedbackView),
        (status = 404, description = "Unknown reference or wrong PIN (indistinguishable)", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "No information is asked for", body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many wrong PINs", body = Problem, content_type = "application/problem+json",
            headers(("Retry-After" = i64, description = "Seconds to wait")))))]
#[post("/api/v1/public/feedback/{reference}/information")]
pub async fn give_information(
    state: web::Data<AppState>,
    path: web::Path<String>,
    req: HttpRequest,
    JsonBody(input): JsonBody<InformationInput>,
) -> Result<HttpResponse, ApiError> {
    let reference = path.into_inner();
    let pin = required_pin(input.pin)?;
    let client = crate::client::limit_key(crate::client::of_request(
        &req,
        &state.config.trusted_proxies,
    ));
    let st = state.clone();
    let f = state
        .with_conn(move |conn| {
            feedback_pin_checked(conn, &st, &reference, &pin, &client)?;
            let calendar = st.calendar();
            Ok(steps::give_information(
                conn,
                &calendar,
                &st.mail,
                &reference,
                &input.reply,
                time::now(),
            )?)
        })
        .await?;
    Ok(HttpResponse::Ok()
        .insert_header(("Cache-Control", "no-store"))
        .json(view(&f)))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct StaffListQuery {
    /// One agency (within the caller's reach, with the agencies below
    /// it); default all the caller sees.
    pub agency: Option<String>,
    /// received, accepted, information_requested, answered, refused or
    /// published.
    pub status: Option<String>,
    /// Only those whose step owed is past due now.
    pub overdue: Option<bool>,
    /// Only those still open (default true).
    pub open: Option<bool>,
    /// Page size, 1 to 500 (default 50).
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<i64>,
    #[param(minimum = 0, maximum = 1_000_000_000)]
    pub offset: Option<i64>,
}

/// The agencies whose feedback the caller reads.
fn reach(
    conn: &mut DbConnection,
    staff: &Staff,
    wanted: Option<&str>,
) -> Result<Vec<String>, ApiError> {
    let mut reach = Reach::of(conn, staff)?;
    if let Some(w) = wanted {
        reach = reach.at_and_below(conn, w)?;
    }
    Ok(reach.agencies(conn)?)
}

#[utoipa::path(get, path = "/api/v1/feedback", tag = "feedback",
    security(("bearer" = [])), params(StaffListQuery),
    responses((status = 200, description = "The feedback the caller's agencies owe a step on, the soonest due first", body = StaffFeedbackPage),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json")))]
#[get("/api/v1/feedback")]
pub async fn list(
    state: web::Data<AppState>,
    staff: Staff,
    query: web::Query<StaffListQuery>,
) -> Result<HttpResponse, ApiError> {
    let q = query.into_inner();
    let (limit, offset) = page(q.limit, q.offset)?;
    bounded("agency", &q.agency, 64)?;
    let status = q
        .status
        .as_deref()
        .map(|s| {
            FeedbackStatus::parse(s).map_err(|_| {
                ApiError::invalid_field(
                    "status",
                    "must be received, accepted, information_requested, answered, refused or published",
                )
            })
        })
        .transpose()?;
    let now = time::now();
    let page = state
        .with_conn(move |conn| {
            let agencies = reach(conn, &staff, q.agency.as_deref())?;
            let filter = FeedbackFilter {
                agencies,
                status,
                due_before: q.overdue.unwrap_or(false).then_some(now),
                open_only: q.open.unwrap_or(true),
                limit,
                offset,
            };
            let (items, total) = store::list(conn, &filter)?;
            let codes = store::dossier_codes(conn, &items)?;
            let items = items
                .iter()
                .map(|f| {
                    let code = f.dossier_id.as_ref().and_then(|id| codes.get(id)).cloned();
                    with_code(f, code, now)
                })
                .collect();
            Ok(StaffFeedbackPage {
                items,
                total,
                limit,
                offset,
            })
        })
        .await?;
    Ok(HttpResponse::Ok().json(page))
}

/// A feedback the caller may read.
fn readable(conn: &mut DbConnection, staff: &Staff, reference: &str) -> Result<Feedback, ApiError> {
    let f = store::get(conn, reference)?.ok_or_else(|| ApiError::not_found("feedback"))?;
    if !Reach::of(conn, staff)?.contains(&f.agency_code) {
        return Err(ApiError::forbidden(format!(
            "feedback {reference} is for {}, outside your reach",
            f.agency_code
        )));
    }
    Ok(f)
}

#[utoipa::path(get, path = "/api/v1/feedback/{reference}", tag = "feedback",
    security(("bearer" = [])),
    params(("reference" = String, Path, description = "The feedback's reference")),
    responses((status = 200, body = StaffFeedback),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json")))]
#[get("/api/v1/feedback/{reference}")]
pub async fn get_one(
    state: web::Data<AppState>,
    staff: Staff,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let reference = path.into_inner();
    let out = state
        .with_conn(move |conn| {
            let f = readable(conn, &staff, &reference)?;
            staff_view(conn, &f, time::now())
        })
        .await?;
    Ok(HttpResponse::Ok().json(out))
}

/// The staff's text of a step.
#[derive(Deserialize, ToSchema)]
pub struct RefuseFeedback {
    #[schema(
        max_length = 4000,
        example = "Nội dung không thuộc thẩm quyền của cơ quan"
    )]
    pub reason: String,
}

#[derive(Deserialize, ToSchema)]
pub struct AskInformation {
    #[schema(max_length = 4000, example = "Xin cho biết ngày và quầy đã nộp hồ sơ")]
    pub question: String,
}

#[derive(Deserialize, ToSchema)]
pub struct AnswerFeedback {
    #[schema(
        max_length = 4000,
        example = "Đã bố trí thêm một quầy tiếp nhận vào buổi sáng"
    )]
    pub answer: String,
}

#[derive(Deserialize, ToSchema)]
pub struct PublishFeedback {
    /// The matter as the public may read it, without personal data.
    #[schema(
        max_length = 4000,
        example = "Tình trạng chờ lâu tại quầy tiếp nhận buổi sáng"
    )]
    pub summary: String,
}

/// Runs one of the agency's steps for the caller and answers the staff
/// view.
async fn take_step(
    state: web::Data<AppState>,
    staff: Staff,
    reference: String,
    step: impl FnOnce(
            &mut DbConnection,
            &AppState,
            &motcua_domain::StaffMember,
            &str,
        ) -> Result<Feedback, motcua_feedback::FeedbackError>
        + Send
        + 'static,
) -> Result<HttpResponse, ApiError> {
    let st = state.get_ref().clone();
    let out = state
        .with_conn(move |conn| {
            // Read first so that a reference outside the caller's reach
            // answers 403 whatever its status.
            readable(conn, &staff, &reference)?;
            let f = step(conn, &st, &staff.member(), &reference)?;
            staff_view(conn, &f, time::now())
        })
        .await?;
    Ok(HttpResponse::Ok().json(out))
}

#[utoipa::path(post, path = "/api/v1/feedback/{reference}/accept", tag = "feedback",
    security(("bearer" = [])),
    params(("reference" = String, Path, description = "The feedback's reference")),
    responses((status = 200, description = "Accepted: the answer is due in 15 working days", body = StaffFeedback),
        (status = 403, description = "Not an officer of its agency nor a supervisor above it", body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Decided already", body = Problem, content_type = "application/problem+json")))]
#[post("/api/v1/feedback/{reference}/accept")]
pub async fn accept(
    state: web::Data<AppState>,
    staff: Staff,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    take_step(state, staff, path.into_inner(), |conn, st, who, r| {
        steps::decide(
            conn,
            &st.calendar(),
            &st.mail,
            who,
            r,
            Decision::Accept,
            time::now(),
        )
    })
    .await
}

#[utoipa::path(post, path = "/api/v1/feedback/{reference}/refuse", tag = "feedback",
    security(("bearer" = [])), request_body = RefuseFeedback,
    params(("reference" = String, Path, description = "The feedback's reference")),
    responses((status = 200, description = "Refused with the reason (it ends there)", body = StaffFeedback),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Decided already", body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json")))]
#[post("/api/v1/feedback/{reference}/refuse")]
pub async fn refuse(
    state: web::Data<AppState>,
    staff: Staff,
    path: web::Path<String>,
    JsonBody(input): JsonBody<RefuseFeedback>,
) -> Result<HttpResponse, ApiError> {
    take_step(state, staff, path.into_inner(), move |conn, st, who, r| {
        let decision = Decision::Refuse {
            reason: input.reason,
        };
        steps::decide(
            conn,
            &st.calendar(),
            &st.mail,
            who,
            r,
            decision,
            time::now(),
        )
    })
    .await
}

#[utoipa::path(post, path = "/api/v1/feedback/{reference}/request-information", tag = "feedback",
    security(("bearer" = [])), request_body = AskInformation,
    params(("reference" = String, Path, description = "The feedback's reference")),
    responses((status = 200, description = "Asked: nothing is owed until the citizen replies", body = StaffFeedback),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Not accepted, or asked already", body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json")))]
#[post("/api/v1/feedback/{reference}/request-information")]
pub async fn request_information(
    state: web::Data<AppState>,
    staff: Staff,
    path: web::Path<String>,
    JsonBody(input): JsonBody<AskInformation>,
) -> Result<HttpResponse, ApiError> {
    take_step(state, staff, path.into_inner(), move |conn, st, who, r| {
        steps::request_information(
            conn,
            &st.calendar(),
            &st.mail,
            who,
            r,
            &input.question,
            time::now(),
        )
    })
    .await
}

#[utoipa::path(post, path = "/api/v1/feedback/{reference}/answer", tag = "feedback",
    security(("bearer" = [])), request_body = AnswerFeedback,
    params(("reference" = String, Path, description = "The feedback's reference")),
    responses((status = 200, description = "Answered: to publish within 2 working days", body = StaffFeedback),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Not accepted (or waiting for information)", body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json")))]
#[post("/api/v1/feedback/{reference}/answer")]
pub async fn answer(
    state: web::Data<AppState>,
    staff: Staff,
    path: web::Path<String>,
    JsonBody(input): JsonBody<AnswerFeedback>,
) -> Result<HttpResponse, ApiError> {
    take_step(state, staff, path.into_inner(), move |conn, st, who, r| {
        steps::answer(
            conn,
            &st.calendar(),
            &st.mail,
            who,
            r,
            &input.answer,
            time::now(),
        )
    })
    .await
}

#[utoipa::path(post, path = "/api/v1/feedback/{reference}/publish", tag = "feedback",
    security(("bearer" = [])), request_body = PublishFeedback,
    params(("reference" = String, Path, description = "The feedback's reference")),
    responses((status = 200, description = "Published (it ends there)", body = StaffFeedback),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Not answered", body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json")))]
#[post("/api/v1/feedback/{reference}/publish")]
pub async fn publish(
    state: web::Data<AppState>,
    staff: Staff,
    path: web::Path<String>,
    JsonBody(input): JsonBody<PublishFeedback>,
) -> Result<HttpResponse, ApiError> {
    take_step(state, staff, path.into_inner(), move |conn, st, who, r| {
        steps::publish(
            conn,
            &st.calendar(),
            &st.mail,
            who,
            r,
            &input.summary,
            time::now(),
        )
    })
    .await
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct FeedbackBreachQuery {
    /// One agency (within the caller's reach, with the agencies below it).
    pub agency: Option<String>,
    /// Breaches due at or after this time (RFC 3339).
    pub from: Option<DateTime<Utc>>,
    /// Breaches due before this time.
    pub to: Option<DateTime<Utc>>,
    /// Page size, 1 to 500 (default 50).
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<i64>,
    #[param(minimum = 0, maximum = 1_000_000_000)]
    pub offset: Option<i64>,
}

#[derive(Serialize, ToSchema)]
pub struct FeedbackBreachDto {
    #[schema(example = "PA-261205-0001")]
    pub reference: String,
    #[schema(example = "Thời gian chờ tại quầy")]
    pub subject: String,
    /// The feedback's status now.
    pub status: FeedbackStatus,
    /// accept, request_information, answer or publish.
    #[schema(example = "accept")]
    pub step: &'static str,
    #[schema(example = "2026-12-08T10:00:00Z")]
    pub due_at: DateTime<Utc>,
    #[schema(example = "2026-12-08T10:05:00Z")]
    pub detected_at: DateTime<Utc>,
    #[schema(example = "H53.50")]
    pub agency_code: String,
}

#[derive(Serialize, ToSchema)]
pub struct FeedbackBreachPage {
    pub items: Vec<FeedbackBreachDto>,
    #[schema(example = 1)]
    pub total: i64,
    #[schema(example = 50)]
    pub limit: i64,
    #[schema(example = 0)]
    pub offset: i64,
}

#[utoipa::path(get, path = "/api/v1/feedback-breaches", tag = "feedback",
    security(("bearer" = [])), params(FeedbackBreachQuery),
    responses((status = 200, description = "Steps of feedback past their limit, earliest due first", body = FeedbackBreachPage),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json")))]
#[get("/api/v1/feedback-breaches")]
pub async fn breaches(
    state: web::Data<AppState>,
    staff: Staff,
    query: web::Query<FeedbackBreachQuery>,
) -> Result<HttpResponse, ApiError> {
    staff.require(&[Role::Officer, Role::Supervisor, Role::Admin])?;
    let q = query.into_inner();
    let (limit, offset) = page(q.limit, q.offset)?;
    bounded("agency", &q.agency, 64)?;
    let (items, total) = state
        .with_conn(move |conn| {
            let agencies = reach(conn, &staff, q.agency.as_deref())?;
            Ok(store::breaches(
                conn, &agencies, q.from, q.to, limit, offset,
            )?)
        })
        .await?;
    Ok(HttpResponse::Ok().json(FeedbackBreachPage {
        items: items
            .into_iter()
            .map(|b| FeedbackBreachDto {
                reference: b.reference,
                subject: b.subject,
                status: b.status,
                step: b.step.as_str(),
                due_at: b.due_at,
                detected_at: b.detected_at,
                agency_code: b.agency_code,
            })
            .collect(),
        total,
        limit,
        offset,
    }))
}

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(send_feedback)
        .service(published)
        .service(follow)
        .service(give_information)
        .service(list)
        .service(breaches)
        .service(get_one)
        .service(accept)
        .service(refuse)
        .service(request_information)
        .service(answer)
        .service(publish);
}
