//! Staff login: a username and password for a bearer token.

use actix_web::{get, post, web, HttpResponse};
use motcua_domain::Role;
use motcua_store::users;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::auth::{password, Staff};
use crate::body::JsonBody;
use crate::error::{ApiError, Problem};
use crate::state::AppState;

#[derive(Deserialize, ToSchema)]
pub struct TokenRequest {
    pub username: String,
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
    pub name: String,
    pub role: Role,
    pub agency_code: String,
}

#[utoipa::path(post, path = "/api/v1/auth/token", tag = "auth",
    request_body = TokenRequest,
    responses(
        (status = 200, body = TokenResponse),
        (status = 401, description = "Wrong username or password", body = Problem, content_type = "application/problem+json"),
        (status = 400, body = Problem, content_type = "application/problem+json")))]
#[post("/api/v1/auth/token")]
pub async fn token(
    state: web::Data<AppState>,
    JsonBody(req): JsonBody<TokenRequest>,
) -> Result<HttpResponse, ApiError> {
    let username = req.username.trim().to_string();
    let user = state
        .with_conn(move |conn| Ok(users::find_by_username(conn, &username)?))
        .await?;
    // Verify even when the user is unknown so both cases take as long.
    let (ok, user) = web::block(move || match user {
        Some((user, hash)) => (
            password::verify(&req.password, &hash) && user.active,
            Some(user),
        ),
        None => {
            password::verify(&req.password, password::dummy_hash());
            (false, None)
        }
    })
    .await?;
    let user = match (ok, user) {
        (true, Some(u)) => u,
        _ => {
            return Err(ApiError::unauthorized("wrong username or password")
                .vi("Sai tên đăng nhập hoặc mật khẩu"))
        }
    };
    let access_token =
        state
            .jwt
            .issue(&user.id, &user.full_name, user.role, user.agency.as_str())?;
    Ok(HttpResponse::Ok()
        .insert_header(("Cache-Control", "no-store"))
        .json(TokenResponse {
            access_token,
            token_type: "Bearer",
            expires_in: state.jwt.ttl_seconds,
        }))
}

#[utoipa::path(get, path = "/api/v1/me", tag = "auth",
    security(("bearer" = [])),
    responses((status = 200, body = Me), (status = 401, body = Problem, content_type = "application/problem+json")))]
#[get("/api/v1/me")]
pub async fn me(staff: Staff) -> HttpResponse {
    HttpResponse::Ok().json(Me {
        id: staff.id,
        name: staff.name,
        role: staff.role,
        agency_code: staff.agency.to_string(),
    })
}

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(token).service(me);
}
