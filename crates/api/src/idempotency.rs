//! `Idempotency-Key` on POST requests: counter terminals on flaky networks
//! retry, and a retried request must return the first answer without
//! writing twice. The first request with a key (per user, or per client
//! address without a login) reserves it before the handler runs; a retry
//! while it runs gets 409; once it answered, retries get the same answer
//! with `Idempotent-Replayed: true`. Reusing a key for a different request
//! is a 422. Server errors release the key so a retry can run.

use actix_web::body::{to_bytes, BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{HeaderName, HeaderValue, CONTENT_TYPE};
use actix_web::http::{Method, StatusCode};
use actix_web::middleware::Next;
use actix_web::{web, HttpResponse};
use motcua_store::idempotency::{self, Reservation};
use sha2::{Digest, Sha256};

use crate::error::ApiError;
use crate::state::AppState;

pub const HEADER: &str = "idempotency-key";

/// Whose keys these are: the authenticated user, or the client when the
/// request sends no working token. A token that does not (or no longer)
/// work never reaches a user's kept answers: it falls back to the
/// client's own keys, and a route that needs the token refuses it.
async fn scope(req: &ServiceRequest, state: &AppState) -> String {
    match crate::auth::authenticate(req.request()).await {
        Ok(Some(staff)) => format!("user:{}", staff.id),
        _ => format!(
            "addr:{}",
            crate::client::of_request(req.request(), &state.config.trusted_proxies)
        ),
    }
}

fn problem(e: ApiError, req: ServiceRequest) -> ServiceResponse<BoxBody> {
    let res = actix_web::ResponseError::error_response(&e);
    req.into_response(res)
}

pub async fn middleware(
    mut req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let key = match req.headers().get(HEADER) {
        Some(k) if req.method() == Method::POST => k.clone(),
        _ => {
            return next
                .call(req)
                .await
                .map(ServiceResponse::map_into_boxed_body)
        }
    };
    let Some(state) = req.app_data::<web::Data<AppState>>().cloned() else {
        return next
            .call(req)
            .await
            .map(ServiceResponse::map_into_boxed_body);
    };
    let key = match key.to_str() {
        Ok(k) if !k.trim().is_empty() && k.len() <= 255 => k.trim().to_string(),
        _ => {
            return Ok(problem(
                ApiError::bad_request("Idempotency-Key must be 1-255 visible ASCII characters"),
                req,
            ))
        }
    };
    let body = match req.extract::<web::Bytes>().await {
        Ok(b) => b,
        Err(e) => {
            return Ok(problem(
                crate::body::payload_error(e, state.config.body_limit),
                req,
            ))
        }
    };
    let mut hasher = Sha256::new();
    hasher.update(req.method().as_str());
    hasher.update(b" ");
    hasher.update(req.uri().to_string());
    hasher.update(b"\n");
    hasher.update(&body);
    let hash = hex::encode(hasher.finalize());
    req.set_payload(actix_web::dev::Payload::from(body));
    let scope = scope(&req, &state).await;

    let (s, k, h) = (scope.clone(), key.clone(), hash.clone());
    let found = state
        .with_conn(move |conn| {
            Ok(idempotency::reserve(
                conn,
                &s,
                &k,
                &h,
                motcua_store::time::now(),
            )?)
        })
        .await;
    match found {
        Err(e) => return Ok(problem(e, req)),
        Ok(Reservation::InProgress { request_hash }) => {
            let e = if request_hash != hash {
                reused()
            } else {
                ApiError::conflict(
                    "a request with this Idempotency-Key is still being processed; retry shortly",
                )
            };
            return Ok(problem(e, req));
        }
        Ok(Reservation::Done {
            request_hash,
            status,
            content_type,
            body,
        }) => {
            if request_hash != hash {
                return Ok(problem(reused(), req));
            }
            let status = StatusCode::from_u16(status as u16).unwrap_or(StatusCode::OK);
            let res = HttpResponse::build(status)
                .content_type(content_type)
                .insert_header(("Idempotent-Replayed", "true"))
                .body(body);
            return Ok(req.into_response(res));
        }
        Ok(Reservation::Reserved) => {}
    }

    let res = next.call(req).await?;
    let status = res.status();
    if status.is_server_error() {
        let (s, k) = (scope, key);
        let _ = state
            .with_conn(move |conn| Ok(idempotency::release(conn, &s, &k)?))
            .await;
        return Ok(res.map_into_boxed_body());
    }
    let (http_req, response) = res.into_parts();
    let headers: Vec<(HeaderName, HeaderValue)> = response
        .headers()
        .iter()
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    let content_type = response
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("application/json")
        .to_string();
    let bytes = to_bytes(response.into_body())
        .await
        .map_err(|_| actix_web::error::ErrorInternalServerError("response body"))?;
    let text = String::from_utf8_lossy(&bytes).into_owned();
    let (s, k, ct) = (scope, key, content_type);
    let code = i32::from(status.as_u16());
    if let Err(e) = state
        .with_conn(move |conn| Ok(idempotency::complete(conn, &s, &k, code, &ct, &text)?))
        .await
    {
        tracing::warn!(error = %e, "could not keep the answer of an idempotent request");
    }
    let mut out = HttpResponse::build(status);
    for h in headers {
        out.insert_header(h);
    }
    Ok(ServiceResponse::new(http_req, out.body(bytes)))
}

fn reused() -> ApiError {
    ApiError::new(
        StatusCode::UNPROCESSABLE_ENTITY,
        "idempotency-key-reused",
        "Idempotency-Key reused",
        "this Idempotency-Key was already used for a different request",
    )
}
