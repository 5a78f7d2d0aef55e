//! Staff log-in and log-out.
//!
//! A log-in is refused with 429 before its password is hashed when the
//! account or the client address has failed too often (see
//! [`crate::limits`]). Every log-in, failed or successful, is an event; a
//! successful one opens a session that the token names.

use actix_web::{get, post, web, HttpRequest, HttpResponse};
use chrono::Duration;
use motcua_domain::throttle::Policy;
use motcua_domain::EventKind;
use motcua_domain::Role;
use motcua_store::events::{self, Actor, NewEvent};
use motcua_store::sessions::{self, Session};
use motcua_store::{throttle, time, users, DbConnection};
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::ToSchema;

use crate::auth::{password, Staff};
use crate::body::JsonBody;
use crate::error::{ApiError, Problem};
use crate::limits::{self, Bucket};
use crate::state::AppState;

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

fn login_event(
    conn: &mut DbConnection,
    kind: EventKind,
    user: Option<&users::User>,
    username: &str,
    client: &str,
    extra: serde_json::Value,
) -> Result<(), ApiError> {
    let (subject_type, subject_id, actor) = match user {
        Some(u) => (
            "user",
            u.id.as_str(),
            Actor {
                id: Some(u.id.clone()),
                name: u.full_name.clone(),
            },
        ),
        None => (
            "login",
            username,
            Actor {
                id: None,
                name: username.to_string(),
            },
        ),
    };
    let mut data = json!({ "username": username, "client": client });
    if let (Some(d), Some(e)) = (data.as_object_mut(), extra.as_object()) {
        d.extend(e.clone());
    }
    events::append(
        conn,
        &NewEvent {
            subject_type,
            subject_id,
            dossier_id: None,
            kind,
            actor: &actor,
            at: time::now(),
            data,
        },
    )?;
    Ok(())
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
    let username = req.username.trim().to_lowercase();
    if username.is_empty() {
        return Err(ApiError::invalid_field("username", "is required"));
    }
    let client = crate::client::limit_key(crate::client::of_request(
        &http,
        &state.config.trusted_proxies,
    ));
    let buckets = [
        Bucket::new("login-account", &username, Policy::LOGIN_ACCOUNT),
        Bucket::new("login-address", &client, Policy::LOGIN_ADDRESS),
    ];
    let now = time::now();
    let (b, u) = (buckets.clone(), username.clone());
    let user = state
        .with_conn(move |conn| {
            limits::check(conn, &b, now, WHAT)?;
            Ok(users::find_by_username(conn, &u)?)
        })
        .await?;
    // Verify even when the user is unknown so both cases take as long.
    let (password_ok, user) = web::block(move || match user {
        Some((user, hash)) => (password::verify(&req.password, &hash), Some(user)),
        None => {
            password::verify(&req.password, password::dummy_hash());
            (false, None)
        }
    })
    .await?;
    let now = time::now();
    let ttl = state.jwt.ttl_seconds;
    let outcome = state
        .with_conn(move |conn| {
            conn.write_tx(|conn| -> Result<Result<Session, ApiError>, ApiError> {
                let user = match user {
                    Some(u) if password_ok => u,
                    other => {
                        let refuse = limits::count(conn, &buckets, now)?;
                        login_event(
                            conn,
                            EventKind::AuthLoginFailed,
                            other.as_ref(),
                            &username,
                            &client,
                            json!({ "refused": refuse.is_some() }),
                        )?;
                        return Ok(Err(match refuse {
                            Some(until) => limits::refused(until, now, WHAT),
                            None => wrong(),
                        }));
                    }
                };
                // A request running at the same time may have locked the
                // account: a right password then waits like a wrong one.
                let keys: Vec<&str> = buckets.iter().map(|b| b.key.as_str()).collect();
                if let Some(until) = throttle::locked_until(conn, &keys, now)? {
                    return Ok(Err(limits::refused(until, now, WHAT)));
                }
                if !user.active {
                    login_event(
                        conn,
                        EventKind::AuthLoginRefused,
                        Some(&user),
                        &username,
                        &client,
                        json!({ "reason": "disabled" }),
                    )?;
                    return Ok(Err(ApiError::unauthorized(
                        "this account is disabled; ask an administrator",
                    )
                    .vi("Tài khoản đã bị khóa; vui lòng liên hệ quản trị hệ thống")));
                }
                throttle::clear(conn, &buckets[0].key)?;
                let session = Session {
                    id: uuid::Uuid::new_v4().to_string(),
                    user_id: user.id.clone(),
                    created_at: now,
                    expires_at: now + Duration::seconds(ttl),
                    ended_at: None,
                    ended_reason: None,
                    client_addr: client.clone(),
                };
                sessions::insert(conn, &session)?;
                login_event(
                    conn,
                    EventKind::AuthLoginSucceeded,
                    Some(&user),
                    &username,
                    &client,
                    json!({ "session": session.id }),
                )?;
                Ok(Ok(session))
            })
        })
        .await?;
    // Failures commit their count and event, then answer the error.
    let session = outcome?;
    let access_token = state.jwt.issue(
        &session.user_id,
        &session.id,
        session.created_at,
        session.expires_at,
    )?;
    Ok(HttpResponse::Ok()
        .insert_header(("Cache-Control", "no-store"))
        .json(TokenResponse {
            access_token,
            token_type: "Bearer",
            expires_in: ttl,
        }))
}

#[utoipa::path(post, path = "/api/v1/auth/logout", tag = "auth",
    security(("bearer" = [])),
    responses((status = 204, description = "The session has ended: its token no longer works")))]
#[post("/api/v1/auth/logout")]
pub async fn logout(state: web::Data<AppState>, staff: Staff) -> Result<HttpResponse, ApiError> {
    state
        .with_conn(move |conn| {
            conn.write_tx(|conn| {
                let now = time::now();
                sessions::end(conn, &staff.session_id, "logout", now)?;
                events::append(
                    conn,
                    &NewEvent {
                        subject_type: "user",
                        subject_id: &staff.id,
                        dossier_id: None,
                        kind: EventKind::AuthLogout,
                        actor: &staff.actor(),
                        at: now,
                        data: json!({ "session": staff.session_id }),
                    },
                )?;
                Ok::<_, ApiError>(())
            })
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

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(token).service(logout).service(me);
}
