//! A notice another service posts to the desk without a token (the
//! payment gateway's, the postal service's), signed as the desk signs its
//! webhooks (docs/feed.md, *Checking the signature*): HMAC-SHA256 over
//! the timestamp and the raw body, keyed with that service's secret,
//! compared in constant time, refused when more than five minutes off the
//! desk's clock. One check, so the two services are held to the same.

use actix_web::HttpRequest;

use crate::error::ApiError;
use crate::webhook::signature::{self, SIGNATURE_HEADER};

/// Seconds a notice's timestamp may be off the desk's clock: a notice
/// captured and sent again later is refused.
pub const TOLERANCE_SECONDS: i64 = 300;

/// Who sends a kind of notice, for the answers that refuse it.
pub struct Sender {
    /// 503 detail when the desk has no secret for it.
    pub not_set_up: &'static str,
    /// The Vietnamese text of a 401.
    pub refused_vi: &'static str,
}

/// Checks the signature of `body` with `secret`: 503 without a secret,
/// 401 for a missing, wrong or stale signature.
pub fn verify(
    sender: &Sender,
    secret: Option<&str>,
    req: &HttpRequest,
    body: &[u8],
) -> Result<(), ApiError> {
    let Some(secret) = secret else {
        return Err(ApiError::unavailable(sender.not_set_up));
    };
    let refused = |detail: String| ApiError::unauthorized(detail).vi(sender.refused_vi);
    let header = req
        .headers()
        .get(SIGNATURE_HEADER)
        .and_then(|v| v.to_str().ok())
        .ok_or_else(|| refused(format!("the {SIGNATURE_HEADER} header is missing")))?;
    let now = motcua_store::time::now().timestamp();
    signature::verify(secret, header, body, now, TOLERANCE_SECONDS)
        .map_err(|e| refused(e.to_string()))
}
