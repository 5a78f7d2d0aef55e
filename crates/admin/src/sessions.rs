//! A staff member's sessions: a log-in attempt settled in one transaction,
//! and logging out. A wrong password or an unknown user counts a failure
//! in every bucket of the attempt; a right one is still refused while a
//! bucket is locked (another request may have locked it meanwhile) or the
//! account is disabled; otherwise the account's count is cleared and a
//! session opens. Each outcome writes its event and commits; the HTTP
//! layer turns it into the answer. An administrator ending someone else's
//! sessions is [`crate::accounts::end_sessions`].

use chrono::{DateTime, Duration, Utc};
use motcua_domain::throttle::Bucket;
use motcua_domain::EventKind;
use motcua_store::events::{self, Actor, NewEvent};
use motcua_store::sessions::{self, Session};
use motcua_store::{throttle, time, users, DbConnection};
use serde_json::json;

use crate::AdminError;

/// Ends the session `session_id` of the staff member `user_id`, with its
/// event. Its token stops working at once; ending a session that has
/// already ended changes nothing but is still recorded.
pub fn log_out(
    conn: &mut DbConnection,
    actor: &Actor,
    user_id: &str,
    session_id: &str,
) -> Result<(), AdminError> {
    conn.write_tx(|conn| {
        let now = time::now();
        sessions::end(conn, session_id, "logout", now)?;
        events::append(
            conn,
            &events::NewEvent {
                subject_type: "user",
                subject_id: user_id,
                dossier_id: None,
                kind: EventKind::AuthLogout,
                actor,
                at: now,
                data: json!({ "session": session_id }),
            },
        )?;
        Ok(())
    })
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

/// Settles a log-in attempt in one transaction; every outcome commits its
/// count and its event.
pub fn log_in(conn: &mut DbConnection, a: Attempt) -> Result<Outcome, AdminError> {
    conn.write_tx(|conn| {
        let user = match a.user {
            Some(u) if a.password_ok => u,
            other => {
                let refuse = throttle::count_in(conn, &a.buckets, a.now)?;
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
fn login_event(
    conn: &mut DbConnection,
    kind: EventKind,
    user: Option<&users::User>,
    username: &str,
    client: &str,
    extra: serde_json::Value,
) -> Result<(), AdminError> {
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
