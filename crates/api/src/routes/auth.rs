//! Staff log-in and log-out.
//!
//! A log-in is refused with 429 before its password is hashed when the
//! account or the client address has failed too often (see
//! [`crate::limits`]). Every log-in, failed or successful, is an event; a
//! successful one opens a session that the token names.

use actix_web::{get, post, web, HttpRequest, HttpResponse};
use chrono::{DateTime, Utc};
use motcua_domain::Role;
use motcua_store::sessions::Session;
use motcua_store::{time, users};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_actix_web::service_config::ServiceConfig;

use crate::auth::login;
use crate::auth::Staff;
use crate::body::JsonBody;
use crate::error::{ApiError, Problem};
use crate::limits::{self};
use crate::state::AppState;
use motcua_admin::sessions::{log_in, Attempt, Outcome};

#[derive(Deserialize, ToSchema)]
pub struct TokenRequest {
    #[schema(max_length = 64)]
    pub username: String,
    #[schema(max_length = 256)]
    pub password: String,
}

#[derive(Serialize, ToSchema)]
pub struct TokenResponse {
    pub access_token: String,
    /// Always `Bearer`.
    pub token_type: &'static str,
    /// Seconds until the token expires.
    pub expires_in: i64,
}

#[derive(Serialize, ToSchema)]
pub struct Me {
    pub id: String,
    pub username: String,
    pub name: String,
    pub role: Role,
    pub agency_code: String,
}

const WHAT: &str = "failed log-ins";

fn wrong() -> ApiError {
    ApiError::unauthorized("wrong username or password").vi("Sai tên đăng nhập hoặc mật khẩu")
}

#[utoipa::path(post, path = "/api/v1/auth/token", tag = "auth",
    request_body = TokenRequest,
    responses(
        (status = 200, body = TokenResponse),
        (status = 401, description = "Wrong username or password, or a disabled account", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many failed log-ins for this account or from this address; nothing was checked",
            body = Problem, content_type = "application/problem+json",
            headers(("Retry-After" = i64, description = "Seconds to wait")))))]
#[post("/api/v1/auth/token")]
pub async fn token(
    state: web::Data<AppState>,
    http: HttpRequest,
    JsonBody(req): JsonBody<TokenRequest>,
) -> Result<HttpResponse, ApiError> {
    let (access_token, ttl) = sign_in(&state, &http, &req.username, req.password).await?;
    Ok(HttpResponse::Ok()
        .insert_header(("Cache-Control", "no-store"))
        .json(TokenResponse {
            access_token,
            token_type: "Bearer",
            expires_in: ttl,
        }))
}

/// Checks a log-in under its limits and opens a session: its bearer
/// token and lifetime in seconds. The API's token route and the
/// supervisors' pages (a session cookie) both log in here.
pub(crate) async fn sign_in(
    state: &web::Data<AppState>,
    http: &HttpRequest,
    username: &str,
    password: String,
) -> Result<(String, i64), ApiError> {
    let username = username.trim().to_lowercase();
    if username.is_empty() {
        return Err(ApiError::invalid_field("username", "is required"));
    }
    let client = crate::client::limit_key(crate::client::of_request(
        http,
        &state.config.trusted_proxies,
    ));
    let attempt = credentials(state, username, client, password).await?;
    let (now, ttl) = (attempt.now, attempt.ttl);
    // Every outcome commits its count and its event; only an opened
    // session is a token.
    let session = opened(
        state
            .with_conn(move |conn| Ok(log_in(conn, attempt)?))
            .await?,
        now,
    )?;
    let access_token = state.jwt.issue(
        &session.user_id,
        &session.id,
        session.created_at,
        session.expires_at,
    )?;
    Ok((access_token, ttl))
}

/// What a log-in attempt brings: the account named (refused at once while
/// one of the attempt's buckets is locked: no password is checked then)
/// and whether the password matches, checked away from the request
/// threads (it takes a fifth of a second).
async fn credentials(
    state: &AppState,
    username: String,
    client: String,
    password: String,
) -> Result<Attempt, ApiError> {
    let buckets = login::buckets(&username, &client);
    let now = time::now();
    let (b, u) = (buckets.clone(), username.clone());
    let user = state
        .with_conn(move |conn| {
            limits::check(conn, &b, now, WHAT)?;
            Ok(users::find_by_username(conn, &u)?)
        })
        .await?;
    let (password_ok, user) = web::block(move || login::check_password(user, &password)).await?;
    Ok(Attempt {
        user,
        password_ok,
        buckets,
        username,
        client,
        now: time::now(),
        ttl: state.jwt.ttl_seconds,
    })
}

/// The session an attempt opened, or the answer to a refused one.
fn opened(outcome: Outcome, now: DateTime<Utc>) -> Result<Session, ApiError> {
    match outcome {
        Outcome::Opened(session) => Ok(session),
        Outcome::Wrong => Err(wrong()),
        Outcome::Locked(until) => Err(limits::refused(until, now, WHAT)),
        Outcome::Disabled => Err(ApiError::unauthorized(
            "this account is disabled; ask an administrator",
        )
        .vi("Tài khoản đã bị khóa; vui lòng liên hệ quản trị hệ thống")),
    }
}

#[utoipa::path(post, path = "/api/v1/auth/logout", tag = "auth",
    security(("bearer" = [])),
    responses((status = 204, description = "The session has ended: its token no longer works")))]
#[post("/api/v1/auth/logout")]
pub async fn logout(state: web::Data<AppState>, staff: Staff) -> Result<HttpResponse, ApiError> {
    state
        .with_conn(move |conn| {
            let actor = staff.actor();
            Ok(motcua_admin::sessions::log_out(
                conn,
                &actor,
                &staff.id,
                &staff.session_id,
            )?)
        })
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

#[utoipa::path(get, path = "/api/v1/me", tag = "auth",
    security(("bearer" = [])),
    responses((status = 200, body = Me)))]
#[get("/api/v1/me")]
pub async fn me(staff: Staff) -> HttpResponse {
    HttpResponse::Ok().json(Me {
        id: staff.id,
        username: staff.username,
        name: staff.name,
        role: staff.role,
        agency_code: staff.agency.to_string(),
    })
}

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(token).service(logout).service(me);
}
