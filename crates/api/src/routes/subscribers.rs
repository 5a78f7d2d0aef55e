//! The systems that follow the event feed, as administrators manage them:
//! added with a name and the agency whose dossiers they follow (with the
//! agencies below it), each given its own token, shown once; disabled (its
//! next request is refused) or given a new token (the old one stops).

use actix_web::{get, patch, post, web, HttpResponse};
use chrono::{DateTime, Utc};
use motcua_domain::{EventKind, Role};
use motcua_store::events::{self, NewEvent};
use motcua_store::subscribers::{self, NewSubscriber, Subscriber};
use motcua_store::{agencies, DbConnection};
use serde::{Deserialize, Serialize};
use serde_json::json;
use sha2::{Digest, Sha256};
use utoipa::ToSchema;
use utoipa_actix_web::service_config::ServiceConfig;

use crate::auth::Staff;
use crate::body::JsonBody;
use crate::error::{ApiError, Problem};
use crate::routes::feed::Format;
use crate::state::AppState;

/// What a subscriber's token starts with, telling it from a staff token.
pub const TOKEN_PREFIX: &str = "mcs_";

/// A new token: the prefix and 32 random bytes in hex.
fn new_token() -> String {
    let bytes: [u8; 32] = rand::random();
    format!("{TOKEN_PREFIX}{}", hex::encode(bytes))
}

/// What is kept of a token. A token has 256 random bits, so a plain hash
/// is as hard to reverse as the token is to guess (no password stretching
/// needed).
pub fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SubscriberInput {
    /// Who reads: "Cổng Dịch vụ công quốc gia", "Hệ thống báo cáo tỉnh".
    #[schema(min_length = 1, max_length = 200, example = "Hệ thống báo cáo tỉnh")]
    pub name: String,
    /// The agency whose dossiers it follows, with those below it.
    #[schema(min_length = 1, max_length = 32, example = "H53")]
    pub agency: String,
    /// The shape of the items it reads: `desk` (the default) or
    /// `national` (the national portal's status synchronisation).
    #[schema(max_length = 16, example = "national")]
    pub format: Option<String>,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SubscriberPatch {
    /// false: its token is refused from the next request on.
    pub active: Option<bool>,
    /// true: a new token is made and shown once; the old one stops.
    #[serde(default)]
    pub new_token: bool,
}

#[derive(Serialize, ToSchema)]
pub struct SubscriberDto {
    pub id: String,
    pub name: String,
    pub agency: String,
    /// `desk` or `national`.
    pub format: String,
    pub active: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// The bearer token to read the feed with: shown only when made.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(example = "mcs_3f1c...")]
    pub token: Option<String>,
}

fn dto(s: Subscriber, token: Option<String>) -> SubscriberDto {
    SubscriberDto {
        id: s.id,
        name: s.name,
        agency: s.agency_code,
        format: s.format,
        active: s.active,
        created_at: s.created_at,
        updated_at: s.updated_at,
        token,
    }
}

#[derive(Serialize, ToSchema)]
pub struct SubscriberList {
    pub items: Vec<SubscriberDto>,
}

fn logged(
    conn: &mut DbConnection,
    staff: &Staff,
    id: &str,
    kind: EventKind,
    data: serde_json::Value,
) -> Result<(), ApiError> {
    events::append(
        conn,
        &NewEvent {
            subject_type: "subscriber",
            subject_id: id,
            dossier_id: None,
            kind,
            actor: &staff.actor(),
            at: motcua_store::time::now(),
            data,
        },
    )?;
    Ok(())
}

#[utoipa::path(post, path = "/api/v1/subscribers", tag = "feed",
    security(("bearer" = [])), request_body = SubscriberInput,
    responses((status = 201, description = "Added, with its token (shown this once)", body = SubscriberDto),
        (status = 403, description = "Administrators only", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The name is taken", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "No such agency, or an empty name", body = Problem, content_type = "application/problem+json")))]
#[post("/api/v1/subscribers")]
pub async fn create(
    state: web::Data<AppState>,
    staff: Staff,
    JsonBody(input): JsonBody<SubscriberInput>,
) -> Result<HttpResponse, ApiError> {
    staff.require(&[Role::Admin])?;
    let name = input.name.trim().to_string();
    if name.is_empty() {
        return Err(ApiError::invalid_field("name", "is required"));
    }
    let agency = input.agency.trim().to_string();
    let format = Format::chosen(input.format.as_deref(), Format::Desk)?;
    let token = new_token();
    let hash = token_hash(&token);
    let made = state
        .with_conn(move |conn| {
            conn.write_tx(|conn| {
                if agencies::get(conn, &agency)?.is_none() {
                    return Err(ApiError::invalid_field(
                        "agency",
                        format!("no agency {agency}"),
                    ));
                }
                let id = uuid::Uuid::now_v7().to_string();
                subscribers::insert(
                    conn,
                    &NewSubscriber {
                        id: &id,
                        name: &name,
                        agency_code: &agency,
                        format: format.as_str(),
                        token_hash: &hash,
                        created_by: &staff.id,
                        at: motcua_store::time::now(),
                    },
                )?;
                logged(
                    conn,
                    &staff,
                    &id,
                    EventKind::SubscriberCreated,
                    json!({"name": name, "agency": agency, "format": format.as_str()}),
                )?;
                subscribers::get(conn, &id)?.ok_or_else(ApiError::internal)
            })
        })
        .await?;
    Ok(HttpResponse::Created().json(dto(made, Some(token))))
}

#[utoipa::path(get, path = "/api/v1/subscribers", tag = "feed",
    security(("bearer" = [])),
    responses((status = 200, body = SubscriberList),
        (status = 403, description = "Administrators only", body = Problem, content_type = "application/problem+json")))]
#[get("/api/v1/subscribers")]
pub async fn list(state: web::Data<AppState>, staff: Staff) -> Result<HttpResponse, ApiError> {
    staff.require(&[Role::Admin])?;
    let all = state.with_conn(|conn| Ok(subscribers::list(conn)?)).await?;
    Ok(HttpResponse::Ok().json(SubscriberList {
        items: all.into_iter().map(|s| dto(s, None)).collect(),
    }))
}

#[utoipa::path(patch, path = "/api/v1/subscribers/{id}", tag = "feed",
    security(("bearer" = [])), request_body = SubscriberPatch,
    params(("id" = String, Path, description = "Subscriber id")),
    responses((status = 200, description = "Changed; with the new token when one was asked for", body = SubscriberDto),
        (status = 403, description = "Administrators only", body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json")))]
#[patch("/api/v1/subscribers/{id}")]
pub async fn update(
    state: web::Data<AppState>,
    staff: Staff,
    path: web::Path<String>,
    JsonBody(input): JsonBody<SubscriberPatch>,
) -> Result<HttpResponse, ApiError> {
    staff.require(&[Role::Admin])?;
    let id = path.into_inner();
    let token = input.new_token.then(new_token);
    let hash = token.as_deref().map(token_hash);
    let changed = state
        .with_conn(move |conn| {
            conn.write_tx(|conn| {
                let now = motcua_store::time::now();
                if !subscribers::update(conn, &id, input.active, hash.as_deref(), now)? {
                    return Err(ApiError::not_found("subscriber"));
                }
                logged(
                    conn,
                    &staff,
                    &id,
                    EventKind::SubscriberUpdated,
                    json!({"active": input.active, "new_token": input.new_token}),
                )?;
                subscribers::get(conn, &id)?.ok_or_else(ApiError::internal)
            })
        })
        .await?;
    Ok(HttpResponse::Ok().json(dto(changed, token)))
}

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(create).service(list).service(update);
}
