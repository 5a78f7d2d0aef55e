//! A returned dossier's rating by the citizen: on the public side with the
//! dossier's code and PIN (the same limits on wrong PINs as the look-up),
//! or at the counter through a clerk of the desk that received it. Once
//! per dossier, never changed (docs/measures.md, Satisfaction).

use actix_web::{post, web, HttpRequest, HttpResponse};
use chrono::{DateTime, Utc};
use motcua_domain::{Overall, Rating};
use motcua_routing::rating::{self, Rater};
use motcua_store::ratings::StoredRating;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_actix_web::service_config::ServiceConfig;

use crate::auth::Staff;
use crate::body::JsonBody;
use crate::error::{ApiError, Problem};
use crate::routes::public::{pin_checked, required_pin};
use crate::state::AppState;

/// The nine scores and the overall satisfaction.
#[derive(Deserialize, ToSchema)]
pub struct RatingInput {
    /// One score per criterion of the survey, in order, each 0 (poor),
    /// 1 (acceptable) or 2 (good): total time against the limit, each
    /// agency's time, times the citizen came back, agencies contacted,
    /// receipt and return through the desk, publication of the
    /// procedure, staff attitude, handling of feedback, online provision.
    #[schema(min_items = 9, max_items = 9, example = json!([2, 2, 1, 2, 2, 2, 2, 1, 1]))]
    pub scores: Vec<i64>,
    pub overall: Overall,
    #[schema(max_length = 2000, example = "Cán bộ hướng dẫn tận tình")]
    #[serde(default)]
    pub comment: String,
}

/// The citizen's rating on the public side: with the PIN of the receipt
/// (the same fields as [`RatingInput`] otherwise).
#[derive(Deserialize, ToSchema)]
pub struct PublicRatingInput {
    /// The PIN printed on the receipt.
    #[schema(max_length = 64, example = "482913")]
    pub pin: String,
    /// One score per criterion, in order, each 0, 1 or 2 (see
    /// `RatingInput`).
    #[schema(min_items = 9, max_items = 9, example = json!([2, 2, 1, 2, 2, 2, 2, 1, 1]))]
    pub scores: Vec<i64>,
    pub overall: Overall,
    #[schema(max_length = 2000, example = "Cán bộ hướng dẫn tận tình")]
    #[serde(default)]
    pub comment: String,
}

#[derive(Serialize, ToSchema)]
pub struct RatingAnswer {
    #[schema(example = "H53.50.05.13-261126-0001")]
    pub code: String,
    #[schema(example = json!([2, 2, 1, 2, 2, 2, 2, 1, 1]))]
    pub scores: Vec<u8>,
    /// The scores summed, out of 18.
    #[schema(example = 15)]
    pub total: u32,
    pub overall: Overall,
    #[schema(example = "Cán bộ hướng dẫn tận tình")]
    pub comment: String,
    /// `public` (the citizen) or `counter` (recorded by a clerk).
    #[schema(example = "public")]
    pub channel: String,
    #[schema(example = "2026-12-03T02:15:00Z")]
    pub rated_at: DateTime<Utc>,
}

fn answer(code: &str, r: &StoredRating) -> RatingAnswer {
    RatingAnswer {
        code: code.to_string(),
        scores: r.rating.scores.to_vec(),
        total: r.rating.total(),
        overall: r.rating.overall,
        comment: r.rating.comment.clone(),
        channel: r.channel.clone(),
        rated_at: r.rated_at,
    }
}

fn checked(input: &RatingInput) -> Result<Rating, ApiError> {
    Rating::new(&input.scores, input.overall, &input.comment)
        .map_err(|e| ApiError::invalid(vec![e.into_field_error("scores")]))
}

#[utoipa::path(post, path = "/api/v1/public/dossiers/{code}/rating", tag = "public",
    request_body = PublicRatingInput,
    params(("code" = String, Path, description = "Dossier code from the receipt")),
    responses((status = 201, description = "Rated (once)", body = RatingAnswer),
        (status = 404, description = "Unknown code or wrong PIN (indistinguishable)", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Not returned yet, or rated already", body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many wrong PINs for this code or from this address; nothing was checked",
            body = Problem, content_type = "application/problem+json",
            headers(("Retry-After" = i64, description = "Seconds to wait")))))]
#[post("/api/v1/public/dossiers/{code}/rating")]
pub async fn rate_public(
    state: web::Data<AppState>,
    path: web::Path<String>,
    req: HttpRequest,
    JsonBody(input): JsonBody<PublicRatingInput>,
) -> Result<HttpResponse, ApiError> {
    let code = path.into_inner();
    let rating = checked(&RatingInput {
        scores: input.scores,
        overall: input.overall,
        comment: input.comment,
    })?;
    let pin = required_pin(input.pin)?;
    let client = crate::client::limit_key(crate::client::of_request(
        &req,
        &state.config.trusted_proxies,
    ));
    let st = state.clone();
    let (code, stored) = state
        .with_conn(move |conn| {
            pin_checked(conn, &st, &code, &pin, &client)?;
            let (d, stored) = rating::rate(conn, &code, rating, Rater::Citizen)?;
            Ok((d.code, stored))
        })
        .await?;
    Ok(HttpResponse::Created()
        .insert_header(("Cache-Control", "no-store"))
        .json(answer(&code, &stored)))
}

#[utoipa::path(post, path = "/api/v1/dossiers/{code}/rating", tag = "routing",
    security(("bearer" = [])), request_body = RatingInput,
    params(("code" = String, Path, description = "Dossier code")),
    responses((status = 201, description = "Rated at the counter (once)", body = RatingAnswer),
        (status = 403, description = "Not a clerk of the desk that received it", body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Not returned yet, or rated already", body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json")))]
#[post("/api/v1/dossiers/{code}/rating")]
pub async fn rate_at_counter(
    state: web::Data<AppState>,
    staff: Staff,
    path: web::Path<String>,
    JsonBody(input): JsonBody<RatingInput>,
) -> Result<HttpResponse, ApiError> {
    let code = path.into_inner();
    let rating = checked(&input)?;
    let (code, stored) = state
        .with_conn(move |conn| {
            let member = staff.member();
            let (d, stored) = rating::rate(conn, &code, rating, Rater::Clerk(&member))?;
            Ok((d.code, stored))
        })
        .await?;
    Ok(HttpResponse::Created().json(answer(&code, &stored)))
}

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(rate_public);
    cfg.service(rate_at_counter);
}
