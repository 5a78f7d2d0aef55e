//! The first thing every request meets: its path and method against the
//! document, its path and query parameters against their declared limits.
//!
//! - A request target longer than [`MAX_TARGET_BYTES`] is 414.
//! - A path the document does not have is 404; a method the path does not
//!   take is 405 with `Allow` (so `TRACE` is 405, never echoed); `OPTIONS`
//!   answers 204 with `Allow`; `HEAD` is served as `GET` without the body.
//! - Every path and query parameter, declared or not, passes the text rules
//!   (no control characters, NFC; a query value written in another
//!   normal form is rewritten to NFC before the handler reads it), and a
//!   declared one its `maxLength`, `minimum` and `maximum` and date range:
//!   422 naming the parameter.
//!
//! Nothing downstream (the idempotency reservation, the handler) runs for
//! a request refused here. The pages (`crate::pages::is_page`) are not
//! in the document: they pass, and check their own input.

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::{Method, StatusCode, Uri};
use actix_web::middleware::Next;
use actix_web::{HttpResponse, ResponseError};
use percent_encoding::percent_decode_str;
use serde_json::Value;

use super::check::{text_at, Findings, Limits};
use super::spec::{allow_header, spec};
use crate::error::ApiError;

/// The longest request target (path and query) served, in bytes. Codes,
/// filters and a PIN fit in a few hundred.
pub const MAX_TARGET_BYTES: usize = 8 * 1024;

fn answer(req: ServiceRequest, e: ApiError) -> ServiceResponse<BoxBody> {
    let res = e.error_response();
    req.into_response(res)
}

/// Checks a parameter's raw text against its schema.
fn param_limits(findings: &mut Findings, name: &str, value: &str, schema: &Value) {
    let limits = Limits::of(schema);
    if limits.is_numeric() {
        let number = value
            .parse::<i64>()
            .map(serde_json::Number::from)
            .ok()
            .or_else(|| {
                value
                    .parse::<f64>()
                    .ok()
                    .and_then(serde_json::Number::from_f64)
            });
        match number {
            Some(n) => limits.number(findings, name, &n),
            None => findings.push(name, limits.number_expected()),
        }
    } else {
        limits.text(findings, name, value);
    }
}

pub async fn middleware(
    mut req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let target_len = req.uri().path_and_query().map_or(0, |pq| pq.as_str().len());
    if target_len > MAX_TARGET_BYTES {
        let e = ApiError::new(
            StatusCode::URI_TOO_LONG,
            "uri-too-long",
            "URI too long",
            format!(
                "the request target is {target_len} bytes; at most {MAX_TARGET_BYTES} are served"
            ),
        );
        return Ok(answer(req, e));
    }
    // The pages check their own forms and answer in HTML (crate::pages).
    if crate::pages::is_page(req.path()) {
        return next
            .call(req)
            .await
            .map(ServiceResponse::map_into_boxed_body);
    }
    let spec = spec();
    let path = req.path().to_string();
    let Some(found) = spec.find(&path) else {
        let e = crate::routes::no_such_route(req.method(), &path);
        return Ok(answer(req, e));
    };
    let method = req.method().clone();
    if !found.allowed.contains(&method) {
        if method == Method::HEAD && found.allowed.contains(&Method::GET) {
            // actix-http drops the body of an answer to HEAD.
            req.head_mut().method = Method::GET;
        } else if method == Method::OPTIONS {
            let res = HttpResponse::NoContent()
                .insert_header(("Allow", allow_header(&found.allowed)))
                .finish();
            return Ok(req.into_response(res));
        } else {
            let allow = allow_header(&found.allowed);
            let e = ApiError::new(
                StatusCode::METHOD_NOT_ALLOWED,
                "method-not-allowed",
                "Method not allowed",
                format!("{method} is not allowed on {path}; allowed: {allow}"),
            )
            .with_header("Allow", allow);
            return Ok(answer(req, e));
        }
    }
    let effective = req.method().clone();
    let Some((op, params)) = found.operation(&effective) else {
        return Ok(answer(req, ApiError::internal()));
    };
    let mut findings = Findings::default();
    for (name, raw) in params {
        let Ok(decoded) = percent_decode_str(raw).decode_utf8() else {
            let e = ApiError::bad_request(format!("the path parameter {name} is not valid UTF-8"));
            return Ok(answer(req, e));
        };
        if let Some(text) = text_at(&mut findings, name, &decoded) {
            if let Some(p) = op.parameter("path", name) {
                param_limits(&mut findings, name, &text, spec.resolve(&p["schema"]));
            }
        }
    }
    let mut rewritten = false;
    let mut pairs: Vec<(String, String)> = Vec::new();
    if let Some(query) = req.uri().query() {
        for (k, v) in form_urlencoded::parse(query.as_bytes()) {
            let Some(key) = text_at(&mut findings, "query", &k) else {
                continue;
            };
            let Some(value) = text_at(&mut findings, &key, &v) else {
                continue;
            };
            if let Some(p) = op.parameter("query", &key) {
                param_limits(&mut findings, &key, &value, spec.resolve(&p["schema"]));
            }
            rewritten |= key != k || value != v;
            pairs.push((key, value));
        }
    }
    for name in op.required("query") {
        if !pairs.iter().any(|(k, _)| k == name) {
            findings.push(name, "is required");
        }
    }
    if !findings.errors.is_empty() {
        return Ok(answer(req, ApiError::invalid(findings.errors)));
    }
    if rewritten {
        let mut query = form_urlencoded::Serializer::new(String::new());
        for (k, v) in &pairs {
            query.append_pair(k, v);
        }
        let target = format!("{path}?{}", query.finish());
        let mut parts = req.uri().clone().into_parts();
        match target.parse() {
            Ok(pq) => parts.path_and_query = Some(pq),
            Err(_) => return Ok(answer(req, ApiError::bad_request("invalid query string"))),
        }
        match Uri::from_parts(parts) {
            Ok(uri) => {
                req.match_info_mut().get_mut().update(&uri);
                req.head_mut().uri = uri;
            }
            Err(_) => return Ok(answer(req, ApiError::bad_request("invalid query string"))),
        }
    }
    next.call(req)
        .await
        .map(ServiceResponse::map_into_boxed_body)
}
