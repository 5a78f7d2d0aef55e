//! The systems that follow the event feed (migration 18): each reads with
//! its own token, of which only the SHA-256 is kept, within the agency it
//! names and those below it. Disabled, it is refused on its next request.
//!
//! A subscriber may also have a webhook (migration 19): a URL each change
//! it follows is posted to, signed with a secret kept here. Which
//! subscribers a change goes to is read from `webhook_scopes`, the agencies
//! of every active subscriber with a webhook spelled out; [`rebuild_scopes`]
//! rewrites it in the transaction of any change to a subscriber or an
//! agency, so a change committed after it is delivered to the new scope.

use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;

use crate::schema::subscribers;
use crate::time::{from_db, to_db};
use crate::{DbConnection, StoreError, StoreResult};

/// A subscriber as kept (without its token's hash).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Subscriber {
    pub id: String,
    pub name: String,
    /// The agency whose dossiers (and its descendants') it follows.
    pub agency_code: String,
    /// `desk` or `national`: the shape of the items it reads.
    pub format: String,
    pub active: bool,
    pub created_by: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// Where changes are posted, if anywhere.
    pub webhook: Option<Webhook>,
}

/// A subscriber's webhook.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Webhook {
    pub url: String,
    /// The key of the HMAC-SHA256 signature of every post.
    pub secret: String,
    /// The kinds of change it wants; `None`: every kind.
    pub kinds: Option<Vec<String>>,
}

#[derive(Queryable, Selectable)]
#[diesel(table_name = subscribers)]
struct Row {
    id: String,
    name: String,
    agency_code: String,
    format: String,
    active: bool,
    created_by: String,
    created_at: NaiveDateTime,
    updated_at: NaiveDateTime,
    webhook_url: Option<String>,
    webhook_secret: Option<String>,
    webhook_kinds: Option<String>,
}

impl Row {
    fn into_subscriber(self) -> Subscriber {
        Subscriber {
            id: self.id,
            name: self.name,
            agency_code: self.agency_code,
            format: self.format,
            active: self.active,
            created_by: self.created_by,
            created_at: from_db(self.created_at),
            updated_at: from_db(self.updated_at),
            webhook: match (self.webhook_url, self.webhook_secret) {
                (Some(url), Some(secret)) => Some(Webhook {
                    url,
                    secret,
                    kinds: self
                        .webhook_kinds
                        .map(|k| k.split(',').map(str::to_string).collect()),
                }),
                _ => None,
            },
        }
    }
}

/// What a new subscriber is.
pub struct NewSubscriber<'a> {
    pub id: &'a str,
    pub name: &'a str,
    pub agency_code: &'a str,
    pub format: &'a str,
    pub token_hash: &'a str,
    pub created_by: &'a str,
    pub at: DateTime<Utc>,
}

/// Adds a subscriber; a name already taken is a conflict.
pub fn insert(conn: &mut DbConnection, s: &NewSubscriber<'_>) -> StoreResult<()> {
    let taken: i64 = subscribers::table
        .filter(subscribers::name.eq(s.name))
        .count()
        .get_result(conn)?;
    if taken > 0 {
        return Err(StoreError::Duplicate(format!("subscriber {:?}", s.name)));
    }
    diesel::insert_into(subscribers::table)
        .values((
            subscribers::id.eq(s.id),
            subscribers::name.eq(s.name),
            subscribers::agency_code.eq(s.agency_code),
            subscribers::format.eq(s.format),
            subscribers::token_hash.eq(s.token_hash),
            subscribers::active.eq(true),
            subscribers::created_by.eq(s.created_by),
            subscribers::created_at.eq(to_db(s.at)),
            subscribers::updated_at.eq(to_db(s.at)),
        ))
        .execute(conn)?;
    Ok(())
}

/// Every subscriber, by name.
pub fn list(conn: &mut DbConnection) -> StoreResult<Vec<Subscriber>> {
    Ok(subscribers::table
        .order(subscribers::name.asc())
        .select(Row::as_select())
        .load(conn)?
        .into_iter()
        .map(Row::into_subscriber)
        .collect())
}

pub fn get(conn: &mut DbConnection, id: &str) -> StoreResult<Option<Subscriber>> {
    Ok(subscribers::table
        .find(id)
        .select(Row::as_select())
        .get_result(conn)
        .optional()?
        .map(Row::into_subscriber))
}

/// The subscriber whose token hashes to `token_hash`.
pub fn by_token_hash(conn: &mut DbConnection, token_hash: &str) -> StoreResult<Option<Subscriber>> {
    Ok(subscribers::table
        .filter(subscribers::token_hash.eq(token_hash))
        .select(Row::as_select())
        .get_result(conn)
        .optional()?
        .map(Row::into_subscriber))
}

/// Changes what an administrator may change; `None` leaves it. Returns
/// false when there is no such subscriber.
pub fn update(
    conn: &mut DbConnection,
    id: &str,
    active: Option<bool>,
    token_hash: Option<&str>,
    at: DateTime<Utc>,
) -> StoreResult<bool> {
    let target = subscribers::table.find(id);
    let mut n = diesel::update(target)
        .set(subscribers::updated_at.eq(to_db(at)))
        .execute(conn)?;
    if let Some(a) = active {
        n = diesel::update(target)
            .set(subscribers::active.eq(a))
            .execute(conn)?;
    }
    if let Some(h) = token_hash {
        n = diesel::update(target)
            .set(subscribers::token_hash.eq(h))
            .execute(conn)?;
    }
    if n > 0 && active.is_some() {
        rebuild_scopes(conn)?;
    }
    Ok(n > 0)
}

/// Sets (or with `None` removes) a subscriber's webhook. Returns false when
/// there is no such subscriber.
pub fn set_webhook(
    conn: &mut DbConnection,
    id: &str,
    webhook: Option<&Webhook>,
    at: DateTime<Utc>,
) -> StoreResult<bool> {
    let n = diesel::update(subscribers::table.find(id))
        .set((
            subscribers::webhook_url.eq(webhook.map(|w| w.url.as_str())),
            subscribers::webhook_secret.eq(webhook.map(|w| w.secret.as_str())),
            subscribers::webhook_kinds
                .eq(webhook.and_then(|w| w.kinds.as_ref().map(|k| k.join(",")))),
            subscribers::updated_at.eq(to_db(at)),
        ))
        .execute(conn)?;
    if n > 0 {
        rebuild_scopes(conn)?;
    }
    Ok(n > 0)
}

/// Rewrites `webhook_scopes`: for each active subscriber with a webhook,
/// its agency and every agency below it. Called in the transaction that
/// changes a subscriber or an agency; a few hundred rows at most.
///
/// A subscriber hooked afresh (a new webhook, or enabled again) has its
/// deliveries begin at the feed's end: it gets the changes from now on,
/// not those made while it had no webhook ([`crate::deliveries::enqueue`]).
pub fn rebuild_scopes(conn: &mut DbConnection) -> StoreResult<()> {
    use crate::schema::webhook_scopes;
    let before: std::collections::HashSet<String> = webhook_scopes::table
        .select(webhook_scopes::subscriber_id)
        .distinct()
        .load::<String>(conn)?
        .into_iter()
        .collect();
    diesel::delete(webhook_scopes::table).execute(conn)?;
    let hooked: Vec<(String, String)> = subscribers::table
        .filter(subscribers::active.eq(true))
        .filter(subscribers::webhook_url.is_not_null())
        .select((subscribers::id, subscribers::agency_code))
        .load(conn)?;
    if hooked.iter().any(|(id, _)| !before.contains(id)) {
        // The changes committed so far get their positions first, so the
        // feed's end is after every one of them.
        while crate::feed::sequence(conn)? == crate::feed::SEQUENCE_BATCH as usize {}
    }
    let end = crate::feed::last_position(conn)?;
    for (id, agency) in hooked {
        if !before.contains(&id) {
            diesel::update(subscribers::table.find(&id))
                .set(subscribers::delivered_through.eq(end))
                .execute(conn)?;
        }
        for code in crate::agencies::with_descendants(conn, &agency)? {
            diesel::insert_into(webhook_scopes::table)
                .values((
                    webhook_scopes::agency_code.eq(code),
                    webhook_scopes::subscriber_id.eq(&id),
                ))
                .execute(conn)?;
        }
    }
    Ok(())
}
