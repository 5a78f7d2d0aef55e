//! The outermost layer of the application: whatever went wrong inside,
//! the client gets problem+json.
//!
//! - An error answer that is not already problem+json (one made by the
//!   framework: an extractor's rejection, a payload error) is rewritten as
//!   one with the same status and headers; a page's own HTML answer is
//!   kept.
//! - A panic in a handler becomes a logged 500 instead of a dropped
//!   connection. Panics are defects and are fixed at their cause; this
//!   layer only makes sure one never leaves a client without an answer.
//!
//! Errors found before a request reaches the application (a request line
//! that cannot be parsed, a head too large, a client too slow to send its
//! head) are answered by the HTTP layer itself; see `vendor/actix-http`.

use std::panic::AssertUnwindSafe;

use actix_web::body::{to_bytes_limited, BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderValue};
use actix_web::http::StatusCode;
use actix_web::middleware::Next;
use actix_web::{HttpResponse, ResponseError};
use futures_util::FutureExt;

use crate::error::ApiError;

const PROBLEM: &str = "application/problem+json";

/// The problem for an error status the application did not describe.
pub fn for_status(status: StatusCode, detail: Option<String>) -> ApiError {
    let (slug, title) = match status {
        StatusCode::BAD_REQUEST => ("bad-request", "Bad request"),
        StatusCode::UNAUTHORIZED => ("unauthorized", "Authentication required"),
        StatusCode::FORBIDDEN => ("forbidden", "Forbidden"),
        StatusCode::NOT_FOUND => ("not-found", "Not found"),
        StatusCode::METHOD_NOT_ALLOWED => ("method-not-allowed", "Method not allowed"),
        StatusCode::REQUEST_TIMEOUT => ("request-timeout", "Request timeout"),
        StatusCode::PAYLOAD_TOO_LARGE => ("body-too-large", "Request body too large"),
        StatusCode::URI_TOO_LONG => ("uri-too-long", "URI too long"),
        StatusCode::UNSUPPORTED_MEDIA_TYPE => ("unsupported-media-type", "Unsupported media type"),
        StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE => {
            ("headers-too-large", "Request headers too large")
        }
        s if s.is_server_error() => ("internal", "Internal error"),
        _ => ("http-error", status.canonical_reason().unwrap_or("Error")),
    };
    let detail = match detail {
        Some(d) if !status.is_server_error() && !d.trim().is_empty() => d,
        _ if status.is_server_error() => {
            "the server could not complete the request; it has been logged".to_string()
        }
        _ => title.to_lowercase(),
    };
    ApiError::new(status, slug, title, detail)
}

pub async fn middleware(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    // The request itself cannot be kept: routing needs it unshared.
    let (method, path) = (req.method().clone(), req.path().to_string());
    let res = match AssertUnwindSafe(next.call(req)).catch_unwind().await {
        Ok(Ok(res)) => res.map_into_boxed_body(),
        // An error the inner layers did not turn into an answer: the
        // server answers it with its `error_response`, made a problem here.
        Ok(Err(e)) => {
            let status = e.as_response_error().status_code();
            return Err(for_status(status, Some(e.to_string())).into());
        }
        Err(panic) => {
            let what = panic
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_default();
            tracing::error!(%method, %path, panic = %what, "handler panicked");
            return Err(ApiError::internal().into());
        }
    };
    let status = res.status();
    let is_problem = res
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with(PROBLEM));
    let is_page = crate::pages::is_page(&path)
        && res
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("text/html"));
    if status.as_u16() < 400 || is_problem || is_page {
        return Ok(res);
    }
    let (http, response) = res.into_parts();
    let kept: Vec<(header::HeaderName, HeaderValue)> = response
        .headers()
        .iter()
        .filter(|(k, _)| *k != header::CONTENT_TYPE && *k != header::CONTENT_LENGTH)
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    let is_text = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/plain"));
    let body = to_bytes_limited(response.into_body(), 1024).await;
    let detail = match body {
        Ok(Ok(b)) if is_text => Some(String::from_utf8_lossy(&b).chars().take(300).collect()),
        _ => None,
    };
    if status.is_server_error() {
        tracing::error!(status = status.as_u16(), detail = ?detail, path = %http.path(), "error answer from the framework");
    }
    let mut out: HttpResponse = for_status(status, detail).error_response();
    for (k, v) in kept {
        out.headers_mut().insert(k, v);
    }
    Ok(ServiceResponse::new(http, out))
}
