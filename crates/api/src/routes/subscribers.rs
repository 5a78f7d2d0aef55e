//! The systems that follow the event feed, as administrators manage them:
//! added with a name and the agency whose dossiers they follow (with the
//! agencies below it), each given its own token, shown once; disabled (its
//! next request is refused) or given a new token (the old one stops). A
//! subscriber may have a webhook: a URL each change it follows is posted
//! to, signed with a secret made here and shown once.

use actix_web::{get, patch, post, web, HttpResponse};
use chrono::{DateTime, Utc};
use motcua_domain::{EventKind, Role};
use motcua_store::events::{self, NewEvent};
use motcua_store::subscribers::{self, NewSubscriber, Subscriber, Webhook};
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
use crate::webhook::changes::ChangeKind;
use crate::webhook::signature::new_secret;

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
    /// Post each change it follows to a URL too.
    pub webhook: Option<WebhookInput>,
}

/// Where a subscriber's changes are posted, and which.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WebhookInput {
    /// An http or https URL; redirects are not followed.
    #[schema(
        max_length = 2000,
        example = "https://baocao.tinh.gov.vn/motcua/webhook"
    )]
    pub url: String,
    /// The kinds of change to post: received, status, due, handler,
    /// result. Every kind unless given; a change of other kinds only is
    /// kept as `skipped`.
    #[schema(max_items = 5, example = json!(["status", "result"]))]
    pub kinds: Option<Vec<String>>,
}

/// The most characters of a webhook URL.
const MAX_URL: usize = 2000;

impl WebhookInput {
    /// The URL and kinds, checked: 422 naming the field otherwise.
    fn checked(self) -> Result<(String, Option<Vec<String>>), ApiError> {
        let url = self.url.trim().to_string();
        if url.chars().count() > MAX_URL {
            return Err(ApiError::invalid_field(
                "webhook.url",
                format!("must be at most {MAX_URL} characters"),
            ));
        }
        let parsed = reqwest::Url::parse(&url)
            .map_err(|e| ApiError::invalid_field("webhook.url", format!("is not a URL: {e}")))?;
        if !matches!(parsed.scheme(), "http" | "https") || parsed.host_str().is_none() {
            return Err(ApiError::invalid_field(
                "webhook.url",
                "must be an http:// or https:// URL with a host",
            ));
        }
        let kinds = match self.kinds {
            None => None,
            Some(asked) if asked.len() > ChangeKind::ALL.len() * 4 => {
                return Err(ApiError::invalid_field(
                    "webhook.kinds",
                    "lists too many kinds",
                ));
            }
            Some(asked) => {
                let mut kinds: Vec<String> = Vec::new();
                for k in asked {
                    let kind = ChangeKind::parse(k.trim()).ok_or_else(|| {
                        ApiError::invalid_field(
                            "webhook.kinds",
                            "each must be received, status, due, handler or result",
                        )
                    })?;
                    if !kinds.iter().any(|x| x == kind.as_str()) {
                        kinds.push(kind.as_str().to_string());
                    }
                }
                if kinds.is_empty() {
                    return Err(ApiError::invalid_field(
                        "webhook.kinds",
                        "names no kind: leave it out for every kind",
                    ));
                }
                Some(kinds)
            }
        };
        Ok((url, kinds))
    }
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SubscriberPatch {
    /// false: its token is refused from the next request on.
    pub active: Option<bool>,
    /// true: a new token is made and shown once; the old one stops.
    #[serde(default)]
    pub new_token: bool,
    /// Sets the webhook's URL and kinds (a secret is made, and shown,
    /// when it had no webhook).
    pub webhook: Option<WebhookInput>,
    /// true: no more posts; what waits in the queue stays there.
    #[serde(default)]
    pub remove_webhook: bool,
    /// true: a new webhook secret is made and shown once; posts are
    /// signed with it from now on.
    #[serde(default)]
    pub new_secret: bool,
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
    /// Where its changes are posted, if anywhere.
    pub webhook: Option<WebhookDto>,
    /// The key the posts are signed with: shown only when made.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(example = "whsec_9a0b...")]
    pub webhook_secret: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct WebhookDto {
    pub url: String,
    /// The kinds of change posted; every kind when absent.
    pub kinds: Option<Vec<String>>,
}

fn dto(s: Subscriber, token: Option<String>, secret: Option<String>) -> SubscriberDto {
    SubscriberDto {
        webhook: s.webhook.map(|w| WebhookDto {
            url: w.url,
            kinds: w.kinds,
        }),
        webhook_secret: secret,
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
    let webhook = input
        .webhook
        .map(WebhookInput::checked)
        .transpose()?
        .map(|(url, kinds)| Webhook {
            url,
            secret: new_secret(),
            kinds,
        });
    let secret = webhook.as_ref().map(|w| w.secret.clone());
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
                if let Some(w) = &webhook {
                    subscribers::set_webhook(conn, &id, Some(w), motcua_store::time::now())?;
                }
                logged(
                    conn,
                    &staff,
                    &id,
                    EventKind::SubscriberCreated,
                    json!({"name": name, "agency": agency, "format": format.as_str(),
                        "webhook": webhook.as_ref().map(|w| json!({"url": w.url, "kinds": w.kinds}))}),
                )?;
                subscribers::get(conn, &id)?.ok_or_else(ApiError::internal)
            })
        })
        .await?;
    Ok(HttpResponse::Created().json(dto(made, Some(token), secret)))
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
        items: all.into_iter().map(|s| dto(s, None, None)).collect(),
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
    if input.remove_webhook && (input.webhook.is_some() || input.new_secret) {
        return Err(ApiError::invalid_field(
            "remove_webhook",
            "cannot go with webhook or new_secret",
        ));
    }
    let hook_input = input.webhook.map(WebhookInput::checked).transpose()?;
    let (active, new_token_asked, remove, new_secret_asked) = (
        input.active,
        input.new_token,
        input.remove_webhook,
        input.new_secret,
    );
    let (changed, secret) = state
        .with_conn(move |conn| {
            conn.write_tx(|conn| {
                let now = motcua_store::time::now();
                let before = subscribers::get(conn, &id)?
                    .ok_or_else(|| ApiError::not_found("subscriber"))?;
                subscribers::update(conn, &id, active, hash.as_deref(), now)?;
                let (hook, secret) =
                    next_webhook(before.webhook, hook_input, remove, new_secret_asked)?;
                subscribers::set_webhook(conn, &id, hook.as_ref(), now)?;
                logged(
                    conn,
                    &staff,
                    &id,
                    EventKind::SubscriberUpdated,
                    json!({"active": active, "new_token": new_token_asked,
                        "webhook": hook.as_ref().map(|w| json!({"url": w.url, "kinds": w.kinds})),
                        "new_secret": secret.is_some()}),
                )?;
                let after = subscribers::get(conn, &id)?.ok_or_else(ApiError::internal)?;
                Ok((after, secret))
            })
        })
        .await?;
    Ok(HttpResponse::Ok().json(dto(changed, token, secret)))
}

/// The webhook after a change: `None` removes it. Returns the new secret
/// when one was made (it is shown once).
fn next_webhook(
    before: Option<Webhook>,
    input: Option<(String, Option<Vec<String>>)>,
    remove: bool,
    new_secret_asked: bool,
) -> Result<(Option<Webhook>, Option<String>), ApiError> {
    if remove {
        return Ok((None, None));
    }
    let hook = match (before, input) {
        (Some(b), Some((url, kinds))) => Some(Webhook {
            url,
            kinds,
            secret: b.secret,
        }),
        (None, Some((url, kinds))) => {
            let secret = new_secret();
            return Ok((
                Some(Webhook {
                    url,
                    kinds,
                    secret: secret.clone(),
                }),
                Some(secret),
            ));
        }
        (b, None) => b,
    };
    match hook {
        Some(mut h) if new_secret_asked => {
            h.secret = new_secret();
            let secret = h.secret.clone();
            Ok((Some(h), Some(secret)))
        }
        None if new_secret_asked => Err(ApiError::invalid_field(
            "new_secret",
            "this subscriber has no webhook: give one",
        )),
        h => Ok((h, None)),
    }
}

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(create).service(list).service(update);
}
