//! Staff accounts, managed by admins.

use actix_web::{delete, get, patch, post, web, HttpResponse};
use motcua_admin::accounts::{self, UserInput};
use motcua_domain::Role;
use motcua_store::users::{self, User};
use motcua_store::{sessions, time};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_actix_web::service_config::ServiceConfig;

use crate::auth::{password, Staff};
use crate::body::JsonBody;
use crate::error::{ApiError, Problem};
use crate::state::AppState;

#[derive(Serialize, ToSchema)]
pub struct UserDto {
    pub id: String,
    pub username: String,
    pub full_name: String,
    pub role: Role,
    pub agency_code: String,
    pub email: Option<String>,
    pub active: bool,
}

impl From<User> for UserDto {
    fn from(u: User) -> Self {
        UserDto {
            id: u.id,
            username: u.username,
            full_name: u.full_name,
            role: u.role,
            agency_code: u.agency.to_string(),
            email: u.email,
            active: u.active,
        }
    }
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    /// Only users of this agency.
    #[param(max_length = 64)]
    pub agency: Option<String>,
}

#[utoipa::path(get, path = "/api/v1/users", tag = "users",
    security(("bearer" = [])), params(ListQuery),
    responses((status = 200, body = [UserDto]), (status = 403, body = Problem, content_type = "application/problem+json")))]
#[get("/api/v1/users")]
pub async fn list(
    state: web::Data<AppState>,
    staff: Staff,
    query: web::Query<ListQuery>,
) -> Result<HttpResponse, ApiError> {
    staff.require(&[Role::Admin])?;
    let agency = query.into_inner().agency;
    let items = state
        .with_conn(move |conn| Ok(users::list(conn, agency.as_deref())?))
        .await?;
    let items: Vec<UserDto> = items.into_iter().map(UserDto::from).collect();
    Ok(HttpResponse::Ok().json(items))
}

#[utoipa::path(post, path = "/api/v1/users", tag = "users",
    security(("bearer" = [])), request_body = UserInput,
    responses((status = 201, body = UserDto), (status = 409, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json")))]
#[post("/api/v1/users")]
pub async fn create(
    state: web::Data<AppState>,
    staff: Staff,
    JsonBody(input): JsonBody<UserInput>,
) -> Result<HttpResponse, ApiError> {
    staff.require(&[Role::Admin])?;
    let user = accounts::check_new(&input)?;
    let hash = hash_password(input.password).await?;
    let saved = state
        .with_conn(move |conn| {
            accounts::create(conn, &staff.actor(), &user, &hash)?;
            Ok(user)
        })
        .await?;
    Ok(HttpResponse::Created().json(UserDto::from(saved)))
}

/// Changes to an account; an absent field stays as it is.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UserPatch {
    #[schema(max_length = 200)]
    pub full_name: Option<String>,
    pub role: Option<Role>,
    #[schema(max_length = 64)]
    pub agency_code: Option<String>,
    /// `null` removes the address.
    #[serde(default, deserialize_with = "crate::body::present")]
    #[schema(value_type = Option<String>, max_length = 254)]
    pub email: Option<Option<String>>,
    /// `false` disables the account and ends its sessions at once; `true`
    /// lets it log in again.
    pub active: Option<bool>,
    /// A new password; ends the account's sessions.
    #[schema(min_length = 8, max_length = 256)]
    pub password: Option<String>,
}

impl From<UserPatch> for accounts::Changes {
    fn from(p: UserPatch) -> Self {
        accounts::Changes {
            full_name: p.full_name,
            role: p.role,
            agency_code: p.agency_code,
            email: p.email,
            active: p.active,
            password: p.password,
        }
    }
}

/// Hashes a password away from the request threads (it takes a fifth of a
/// second).
async fn hash_password(password: String) -> Result<String, ApiError> {
    web::block(move || password::hash(&password))
        .await?
        .map_err(|e| {
            tracing::error!(error = %e, "password hashing failed");
            ApiError::internal()
        })
}

#[utoipa::path(patch, path = "/api/v1/users/{username}", tag = "users",
    security(("bearer" = [])), request_body = UserPatch,
    params(("username" = String, Path, description = "The account's user name")),
    responses((status = 200, description = "The account as it is now; each change applies from the next request, on every server", body = UserDto),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Would disable or demote yourself or the last administrator", body = Problem, content_type = "application/problem+json")))]
#[patch("/api/v1/users/{username}")]
pub async fn update(
    state: web::Data<AppState>,
    staff: Staff,
    path: web::Path<String>,
    JsonBody(patch): JsonBody<UserPatch>,
) -> Result<HttpResponse, ApiError> {
    staff.require(&[Role::Admin])?;
    let username = path.into_inner().trim().to_lowercase();
    let changes = accounts::Changes::from(patch);
    let hash = match changes.password.clone() {
        Some(p) if accounts::password_is_acceptable(&p) => Some(hash_password(p).await?),
        _ => None,
    };
    let (user, _) = state
        .with_conn(move |conn| {
            let by = accounts::Requester {
                actor: &staff.actor(),
                user_id: Some(&staff.id),
            };
            Ok(accounts::update(conn, &by, &username, &changes, hash)?)
        })
        .await?;
    Ok(HttpResponse::Ok().json(UserDto::from(user)))
}

#[derive(Serialize, ToSchema)]
pub struct SessionDto {
    pub id: String,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub expires_at: chrono::DateTime<chrono::Utc>,
    /// The client it logged in from.
    pub client: String,
}

#[derive(Serialize, ToSchema)]
pub struct SessionsEnded {
    /// Sessions that were open and are now ended.
    pub ended: usize,
}

#[utoipa::path(get, path = "/api/v1/users/{username}/sessions", tag = "users",
    security(("bearer" = [])),
    params(("username" = String, Path, description = "The account's user name")),
    responses((status = 200, description = "Open sessions, newest first", body = [SessionDto]),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json")))]
#[get("/api/v1/users/{username}/sessions")]
pub async fn list_sessions(
    state: web::Data<AppState>,
    staff: Staff,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    staff.require(&[Role::Admin])?;
    let username = path.into_inner().trim().to_lowercase();
    let open = state
        .with_conn(move |conn| {
            let user = accounts::user_named(conn, &username)?;
            Ok(sessions::open_for_user(conn, &user.id, time::now())?)
        })
        .await?;
    let out: Vec<SessionDto> = open
        .into_iter()
        .map(|s| SessionDto {
            id: s.id,
            created_at: s.created_at,
            expires_at: s.expires_at,
            client: s.client_addr,
        })
        .collect();
    Ok(HttpResponse::Ok().json(out))
}

#[utoipa::path(delete, path = "/api/v1/users/{username}/sessions", tag = "users",
    security(("bearer" = [])),
    params(("username" = String, Path, description = "The account's user name")),
    responses((status = 200, description = "Every session of the account has ended: its tokens stop working at once", body = SessionsEnded),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json")))]
#[delete("/api/v1/users/{username}/sessions")]
pub async fn end_sessions(
    state: web::Data<AppState>,
    staff: Staff,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    staff.require(&[Role::Admin])?;
    let username = path.into_inner().trim().to_lowercase();
    let ended = state
        .with_conn(move |conn| Ok(accounts::end_sessions(conn, &staff.actor(), &username)?))
        .await?;
    Ok(HttpResponse::Ok().json(SessionsEnded { ended }))
}

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(list)
        .service(create)
        .service(update)
        .service(list_sessions)
        .service(end_sessions);
}
