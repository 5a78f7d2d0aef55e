//! Staff accounts, managed by admins.

use actix_web::{delete, get, patch, post, web, HttpResponse};
use motcua_domain::EventKind;
use motcua_domain::{AgencyCode, Role};
use motcua_intake::FieldError;
use motcua_store::users::{self, User};
use motcua_store::{agencies, events, sessions, time, DbConnection};
use serde::{Deserialize, Serialize};
use serde_json::json;
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

#[derive(Deserialize, ToSchema)]
pub struct UserInput {
    /// Letters, digits, '.', '_' and '-'; kept in lower case.
    #[schema(min_length = 3, max_length = 64)]
    pub username: String,
    #[schema(min_length = 8, max_length = 256)]
    pub password: String,
    #[schema(max_length = 200)]
    pub full_name: String,
    pub role: Role,
    #[schema(max_length = 64)]
    pub agency_code: String,
    #[schema(max_length = 254)]
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
    check_password(&mut errors, &input.password);
    let full_name =
        motcua_intake::validate::required(&mut errors, "full_name", &input.full_name, 200);
    let agency = AgencyCode::parse(input.agency_code.trim())
        .map_err(|e| errors.push(FieldError::new("agency_code", e.to_string())))
        .ok();
    let email = motcua_intake::validate::email(&mut errors, "email", input.email.as_deref());
    match agency {
        Some(agency) if errors.is_empty() => Ok(User {
            id: uuid::Uuid::now_v7().to_string(),
            username,
            full_name,
            role: input.role,
            agency,
            email,
            active: true,
        }),
        _ => Err(errors),
    }
}

fn check_password(errors: &mut Vec<FieldError>, password: &str) {
    let n = password.chars().count();
    if !(8..=256).contains(&n) {
        errors.push(FieldError::new("password", "must be 8 to 256 characters"));
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
                        kind: EventKind::UserCreated,
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

/// Applies an administrator's changes to an account, in the caller's
/// transaction: the account as it is afterwards and the sessions ended.
/// Shared by the API and the CLI. `password_hash` is the new password,
/// already hashed (hashing is slow; it happens before the transaction).
pub fn apply_changes(
    conn: &mut DbConnection,
    actor: &events::Actor,
    actor_user_id: Option<&str>,
    username: &str,
    patch: &UserPatch,
    password_hash: Option<String>,
) -> Result<(User, usize), ApiError> {
    let user = user_named(conn, username)?;
    let mut errors = Vec::new();
    let full_name = patch
        .full_name
        .as_deref()
        .map(|n| motcua_intake::validate::required(&mut errors, "full_name", n, 200));
    if let Some(p) = &patch.password {
        check_password(&mut errors, p);
    }
    let agency = match patch.agency_code.as_deref().map(str::trim) {
        None => None,
        Some(code) => match AgencyCode::parse(code) {
            Ok(a) if agencies::get(conn, a.as_str())?.is_some() => Some(a),
            Ok(_) => {
                errors.push(FieldError::new("agency_code", "no such agency"));
                None
            }
            Err(e) => {
                errors.push(FieldError::new("agency_code", e.to_string()));
                None
            }
        },
    };
    let email = patch
        .email
        .as_ref()
        .map(|e| motcua_intake::validate::email(&mut errors, "email", e.as_deref()));
    if !errors.is_empty() {
        return Err(ApiError::invalid(errors));
    }
    let changes = users::Changes {
        full_name,
        role: patch.role.map(|r| r.as_str().to_string()),
        agency_code: agency.as_ref().map(|a| a.to_string()),
        email,
        active: patch.active,
        password_hash,
    };
    if changes.full_name.is_none()
        && changes.role.is_none()
        && changes.agency_code.is_none()
        && changes.email.is_none()
        && changes.active.is_none()
        && changes.password_hash.is_none()
    {
        return Err(ApiError::invalid_field("body", "names nothing to change"));
    }
    let myself = actor_user_id == Some(user.id.as_str());
    let disables = patch.active == Some(false) && user.active;
    let demotes = patch.role.is_some_and(|r| r != Role::Admin) && user.role == Role::Admin;
    if myself && (disables || demotes) {
        return Err(ApiError::conflict(
            "you cannot disable your own account or take away your own administrator role; ask another administrator",
        ));
    }
    if user.role == Role::Admin
        && user.active
        && (disables || demotes)
        && users::count_active_admins(conn)? <= 1
    {
        return Err(ApiError::conflict(
            "this is the last active administrator; make another one first",
        ));
    }
    let now = time::now();
    users::update(conn, &user.id, &changes)?;
    let ended = if disables || changes.password_hash.is_some() {
        let reason = if disables {
            "disabled"
        } else {
            "password_changed"
        };
        sessions::end_all_for_user(conn, &user.id, reason, now)?
    } else {
        0
    };
    let (after, _) = users::find_by_username(conn, username)?.ok_or_else(ApiError::internal)?;
    events::append(
        conn,
        &events::NewEvent {
            subject_type: "user",
            subject_id: &user.id,
            dossier_id: None,
            kind: EventKind::UserUpdated,
            actor,
            at: now,
            data: json!({
                "username": user.username,
                "full_name": patch.full_name.as_ref().map(|_| &after.full_name),
                "role": patch.role,
                "agency": patch.agency_code.as_ref().map(|_| &after.agency),
                "email": patch.email.as_ref().map(|_| &after.email),
                "active": patch.active,
                "password_changed": patch.password.is_some(),
                "sessions_ended": ended,
            }),
        },
    )?;
    Ok((after, ended))
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
    let hash = match patch.password.clone() {
        Some(p) if (8..=256).contains(&p.chars().count()) => {
            Some(web::block(move || password::hash(&p)).await?.map_err(|e| {
                tracing::error!(error = %e, "password hashing failed");
                ApiError::internal()
            })?)
        }
        _ => None,
    };
    let (user, _) = state
        .with_conn(move |conn| {
            conn.write_tx(|conn| {
                apply_changes(
                    conn,
                    &staff.actor(),
                    Some(&staff.id),
                    &username,
                    &patch,
                    hash,
                )
            })
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

fn user_named(conn: &mut DbConnection, username: &str) -> Result<User, ApiError> {
    Ok(users::find_by_username(conn, username)?
        .ok_or_else(|| ApiError::not_found("user"))?
        .0)
}

/// Ends every open session of an account, with its event, in the caller's
/// transaction; returns how many were open. Shared by the API and the CLI.
pub fn end_all_sessions(
    conn: &mut DbConnection,
    actor: &events::Actor,
    username: &str,
) -> Result<usize, ApiError> {
    let user = user_named(conn, username)?;
    let now = time::now();
    let ended = sessions::end_all_for_user(conn, &user.id, "ended_by_admin", now)?;
    events::append(
        conn,
        &events::NewEvent {
            subject_type: "user",
            subject_id: &user.id,
            dossier_id: None,
            kind: EventKind::UserSessionsEnded,
            actor,
            at: now,
            data: json!({ "username": user.username, "sessions_ended": ended }),
        },
    )?;
    Ok(ended)
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
            let user = user_named(conn, &username)?;
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
        .with_conn(move |conn| {
            conn.write_tx(|conn| end_all_sessions(conn, &staff.actor(), &username))
        })
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
