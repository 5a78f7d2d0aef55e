//! Staff accounts, managed by admins.

use actix_web::{get, post, web, HttpResponse};
use motcua_domain::{AgencyCode, Role};
use motcua_intake::FieldError;
use motcua_store::users::{self, User};
use motcua_store::{agencies, events, time};
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::{IntoParams, ToSchema};

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

#[derive(Deserialize, ToSchema)]
pub struct UserInput {
    pub username: String,
    /// At least 8 characters.
    pub password: String,
    pub full_name: String,
    pub role: Role,
    pub agency_code: String,
    pub email: Option<String>,
}

/// Validates a new account; shared by the API and the CLI.
pub fn validate_new_user(input: &UserInput) -> Result<User, Vec<FieldError>> {
    let mut errors = Vec::new();
    let username = input.username.trim().to_lowercase();
    if username.len() < 3
        || username.len() > 64
        || !username
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'))
    {
        errors.push(FieldError::new(
            "username",
            "3-64 characters of letters, digits, '.', '_' and '-'",
        ));
    }
    if input.password.chars().count() < 8 {
        errors.push(FieldError::new("password", "must be at least 8 characters"));
    }
    if input.full_name.trim().is_empty() {
        errors.push(FieldError::new("full_name", "is required"));
    }
    let agency = AgencyCode::parse(input.agency_code.trim())
        .map_err(|e| errors.push(FieldError::new("agency_code", e.to_string())))
        .ok();
    let email = motcua_intake::validate::email(&mut errors, "email", input.email.as_deref());
    match agency {
        Some(agency) if errors.is_empty() => Ok(User {
            id: uuid::Uuid::now_v7().to_string(),
            username,
            full_name: input.full_name.trim().to_string(),
            role: input.role,
            agency,
            email,
            active: true,
        }),
        _ => Err(errors),
    }
}

#[derive(Deserialize, IntoParams)]
pub struct ListQuery {
    /// Only users of this agency.
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
    let user = validate_new_user(&input).map_err(ApiError::invalid)?;
    let password = input.password;
    let hash = web::block(move || password::hash(&password))
        .await?
        .map_err(|e| {
            tracing::error!(error = %e, "password hashing failed");
            ApiError::internal()
        })?;
    let saved = state
        .with_conn(move |conn| {
            conn.write_tx(|conn| {
                if agencies::get(conn, user.agency.as_str())?.is_none() {
                    return Err(ApiError::invalid_field("agency_code", "no such agency"));
                }
                if users::find_by_username(conn, &user.username)?.is_some() {
                    return Err(ApiError::conflict(format!("username {} is taken", user.username)));
                }
                users::insert(conn, &user, &hash)?;
                events::append(
                    conn,
                    &events::NewEvent {
                        subject_type: "user",
                        subject_id: &user.id,
                        dossier_id: None,
                        kind: "user.created",
                        actor: &staff.actor(),
                        at: time::now(),
                        data: json!({ "username": user.username, "role": user.role, "agency": user.agency }),
                    },
                )?;
                Ok(user)
            })
        })
        .await?;
    Ok(HttpResponse::Created().json(UserDto::from(saved)))
}

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(list).service(create);
}
