//! A log-in attempt settled in one transaction: a wrong password or an
//! unknown user counts a failure in every bucket of the attempt; a right
//! one is still refused while a bucket is locked (another request may
//! have locked it meanwhile) or the account is disabled; otherwise the
//! account's count is cleared and a session opens. Each outcome writes
//! its event and commits; the handler turns it into the answer.

use chrono::{DateTime, Duration, Utc};
use motcua_domain::throttle::Policy;
use motcua_domain::EventKind;
use motcua_store::events::{self, Actor, NewEvent};
use motcua_store::sessions::{self, Session};
use motcua_store::{throttle, time, users, DbConnection};
use serde_json::json;

use crate::error::ApiError;
use crate::limits::{self, Bucket};

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

/// What a log-in attempt brings to be settled.
pub struct Attempt {
    /// The account named, if it exists.
    pub user: Option<users::User>,
    /// Whether the password matched its hash (checked outside the
    /// transaction: it takes a fifth of a second).
    pub password_ok: bool,
    pub buckets: [Bucket; 2],
    pub username: String,
    pub client: String,
    pub now: DateTime<Utc>,
    /// The session's lifetime in seconds.
    pub ttl: i64,
}

/// How the attempt ended.
pub enum Outcome {
    Opened(Session),
    /// Wrong username or password.
    Wrong,
    /// A bucket is locked until then.
    Locked(DateTime<Utc>),
    /// The account is disabled.
    Disabled,
}

pub fn settle(conn: &mut DbConnection, a: Attempt) -> Result<Outcome, ApiError> {
    conn.write_tx(|conn| {
        let user = match a.user {
            Some(u) if a.password_ok => u,
            other => {
                let refuse = limits::count(conn, &a.buckets, a.now)?;
                let data = json!({ "refused": refuse.is_some() });
                let kind = EventKind::AuthLoginFailed;
                login_event(conn, kind, other.as_ref(), &a.username, &a.client, data)?;
                return Ok(refuse.map_or(Outcome::Wrong, Outcome::Locked));
            }
        };
        let keys: Vec<&str> = a.buckets.iter().map(|b| b.key.as_str()).collect();
        if let Some(until) = throttle::locked_until(conn, &keys, a.now)? {
            return Ok(Outcome::Locked(until));
        }
        if !user.active {
            let data = json!({ "reason": "disabled" });
            let kind = EventKind::AuthLoginRefused;
            login_event(conn, kind, Some(&user), &a.username, &a.client, data)?;
            return Ok(Outcome::Disabled);
        }
        throttle::clear(conn, &a.buckets[0].key)?;
        let session = Session {
            id: uuid::Uuid::new_v4().to_string(),
            user_id: user.id.clone(),
            created_at: a.now,
            expires_at: a.now + Duration::seconds(a.ttl),
            ended_at: None,
            ended_reason: None,
            client_addr: a.client.clone(),
        };
        sessions::insert(conn, &session)?;
        let data = json!({ "session": session.id });
        let kind = EventKind::AuthLoginSucceeded;
        login_event(conn, kind, Some(&user), &a.username, &a.client, data)?;
        Ok(Outcome::Opened(session))
    })
}

/// The event of a log-in attempt: on the user when the account exists,
/// else on the name tried.
pub fn login_event(
    conn: &mut DbConnection,
    kind: EventKind,
    user: Option<&users::User>,
    username: &str,
    client: &str,
    extra: serde_json::Value,
) -> Result<(), ApiError> {
    let (subject_type, subject_id, actor) = match user {
        Some(u) => (
            "user",
            u.id.as_str(),
            Actor {
                id: Some(u.id.clone()),
                name: u.full_name.clone(),
            },
        ),
        None => (
            "login",
            username,
            Actor {
                id: None,
                name: username.to_string(),
            },
        ),
    };
    let mut data = json!({ "username": username, "client": client });
    if let (Some(d), Some(e)) = (data.as_object_mut(), extra.as_object()) {
        d.extend(e.clone());
    }
    events::append(
        conn,
        &NewEvent {
            subject_type,
            subject_id,
            dossier_id: None,
            kind,
            actor: &actor,
            at: time::now(),
            data,
        },
    )?;
    Ok(())
}
