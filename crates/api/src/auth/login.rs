//! What a log-in attempt brings to its settlement
//! ([`motcua_admin::sessions::log_in`]): the buckets it counts in, and the
//! password checked against the stored hash (slow, outside the
//! transaction).

use motcua_domain::throttle::{Bucket, Policy};
use motcua_store::users;

/// The buckets a log-in attempt counts in: the account and the client.
pub fn buckets(username: &str, client: &str) -> [Bucket; 2] {
    [
        Bucket::new("login-account", username, Policy::LOGIN_ACCOUNT),
        Bucket::new("login-address", client, Policy::LOGIN_ADDRESS),
    ]
}

/// Checks the password against the account's hash, and against a dummy
/// hash when the account does not exist, so both cases take as long.
pub fn check_password(
    found: Option<(users::User, String)>,
    password: &str,
) -> (bool, Option<users::User>) {
    match found {
        Some((user, hash)) => (super::password::verify(password, &hash), Some(user)),
        None => {
            super::password::verify(password, super::password::dummy_hash());
            (false, None)
        }
    }
}
