//! The desk's limits on guessing and flooding, on top of the counters in
//! [`motcua_store::throttle`] and the policies of
//! [`motcua_domain::throttle::Policy`]:
//!
//! | limit | bucket | policy |
//! |---|---|---|
//! | failed log-ins per account | `login-account:{username}` | [`Policy::LOGIN_ACCOUNT`] |
//! | failed log-ins per client | `login-address:{client}` | [`Policy::LOGIN_ADDRESS`] |
//! | wrong PINs per dossier code or submission | `pin-code:{code}` | [`Policy::PIN_CODE`] |
//! | wrong PINs per client | `pin-address:{client}` | [`Policy::PIN_ADDRESS`] |
//! | online submissions per client | `submit-address:{client}` | [`Policy::per_minute`] |
//! | citizens' feedback per client | `feedback-address:{client}` | [`Policy::per_minute`] (the submissions' setting) |
//!
//! A request first reads its buckets; if one is locked it is refused with
//! 429 and `Retry-After` before any secret is checked. A failure is
//! counted in every bucket of the request inside one write transaction;
//! if another request locked a bucket meanwhile, the failure is refused
//! like any attempt during a lock, so the answer never tells an attempt
//! made during a lock apart from another.

use chrono::{DateTime, Utc};
pub use motcua_domain::throttle::Bucket;
use motcua_domain::throttle::Policy;
use motcua_store::{throttle, DbConnection};

use crate::error::ApiError;

/// The 429 for a lock lasting until `until`.
pub fn refused(until: DateTime<Utc>, now: DateTime<Utc>, what: &str) -> ApiError {
    let wait = Policy::retry_after_seconds(until, now);
    ApiError::too_many(
        wait,
        format!("too many {what}; try again in {wait} seconds"),
    )
}

/// Refuses the request when one of its buckets is locked.
pub fn check(
    conn: &mut DbConnection,
    buckets: &[Bucket],
    now: DateTime<Utc>,
    what: &str,
) -> Result<(), ApiError> {
    let keys: Vec<&str> = buckets.iter().map(|b| b.key.as_str()).collect();
    match throttle::locked_until(conn, &keys, now)? {
        Some(until) => Err(refused(until, now, what)),
        None => Ok(()),
    }
}

/// What the public look-ups call the attempts they limit.
pub const WRONG_PINS: &str = "wrong PINs";

/// The buckets a PIN attempt counts in: the dossier code (or submission
/// reference) and the client.
pub fn pin_buckets(subject: &str, client: &str) -> [Bucket; 2] {
    [
        Bucket::new("pin-code", subject, Policy::PIN_CODE),
        Bucket::new("pin-address", client, Policy::PIN_ADDRESS),
    ]
}

/// A stored PIN hash checked when the code is unknown, so that an unknown
/// code and a wrong PIN do the same work: one HMAC, one counted failure.
const UNKNOWN_CODE_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// Checks a PIN against the hash stored for `subject` (`None` when the
/// subject does not exist) after [`check`] let the request through.
/// `Ok(true)` when it matches. A wrong PIN or an unknown subject is
/// counted in `buckets` (a write transaction of its own) and answers
/// `Ok(false)`, or the 429 when a bucket was locked meanwhile.
pub fn verify_pin(
    conn: &mut DbConnection,
    pins: &motcua_intake::PinHasher,
    buckets: &[Bucket],
    subject: &str,
    pin: &str,
    stored: Option<&str>,
    now: DateTime<Utc>,
) -> Result<bool, ApiError> {
    if pins.verify(subject, pin, stored.unwrap_or(UNKNOWN_CODE_HASH)) && stored.is_some() {
        return Ok(true);
    }
    match throttle::record(conn, buckets, now)? {
        Some(until) => Err(refused(until, now, WRONG_PINS)),
        None => Ok(false),
    }
}
