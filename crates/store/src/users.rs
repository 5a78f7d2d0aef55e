//! Staff accounts. Passwords arrive here already hashed.

use diesel::prelude::*;
use motcua_domain::{AgencyCode, Role};

use crate::schema::users;
use crate::time::{now, to_db};
use crate::{DbConnection, StoreResult};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    pub id: String,
    pub username: String,
    pub full_name: String,
    pub role: Role,
    pub agency: AgencyCode,
    pub email: Option<String>,
    pub active: bool,
}

#[derive(Queryable, Selectable)]
#[diesel(table_name = users)]
struct Row {
    id: String,
    username: String,
    password_hash: String,
    full_name: String,
    role: String,
    agency_code: String,
    email: Option<String>,
    active: bool,
}

impl Row {
    fn split(self) -> StoreResult<(User, String)> {
        Ok((
            User {
                id: self.id,
                username: self.username,
                full_name: self.full_name,
                role: Role::parse(&self.role)?,
                agency: AgencyCode::parse(&self.agency_code)?,
                email: self.email,
                active: self.active,
            },
            self.password_hash,
        ))
    }
}

pub fn insert(conn: &mut DbConnection, u: &User, password_hash: &str) -> StoreResult<()> {
    let t = to_db(now());
    diesel::insert_into(users::table)
        .values((
            users::id.eq(&u.id),
            users::username.eq(&u.username),
            users::password_hash.eq(password_hash),
            users::full_name.eq(&u.full_name),
            users::role.eq(u.role.as_str()),
            users::agency_code.eq(u.agency.as_str()),
            users::email.eq(u.email.as_deref()),
            users::active.eq(u.active),
            users::created_at.eq(t),
            users::updated_at.eq(t),
        ))
        .execute(conn)?;
    Ok(())
}

/// The user and their password hash, for login.
pub fn find_by_username(
    conn: &mut DbConnection,
    username: &str,
) -> StoreResult<Option<(User, String)>> {
    users::table
        .filter(users::username.eq(username))
        .select(Row::as_select())
        .get_result(conn)
        .optional()?
        .map(Row::split)
        .transpose()
}

pub fn get(conn: &mut DbConnection, id: &str) -> StoreResult<Option<User>> {
    Ok(users::table
        .find(id)
        .select(Row::as_select())
        .get_result(conn)
        .optional()?
        .map(Row::split)
        .transpose()?
        .map(|(u, _)| u))
}

pub fn list(conn: &mut DbConnection, agency: Option<&str>) -> StoreResult<Vec<User>> {
    let mut q = users::table.into_boxed();
    if let Some(a) = agency {
        q = q.filter(users::agency_code.eq(a.to_string()));
    }
    q.order(users::username.asc())
        .select(Row::as_select())
        .load(conn)?
        .into_iter()
        .map(|r| r.split().map(|(u, _)| u))
        .collect()
}

/// What an administrator may change on an account; `None` leaves a value
/// as it is.
#[derive(Debug, Clone, Default, AsChangeset)]
#[diesel(table_name = users)]
pub struct Changes {
    pub full_name: Option<String>,
    pub role: Option<String>,
    pub agency_code: Option<String>,
    /// `Some(None)` removes the address.
    pub email: Option<Option<String>>,
    pub active: Option<bool>,
    pub password_hash: Option<String>,
}

/// Applies `changes` to the account; false when there is no such account.
pub fn update(conn: &mut DbConnection, id: &str, changes: &Changes) -> StoreResult<bool> {
    let n = diesel::update(users::table.find(id))
        .set((changes, users::updated_at.eq(to_db(now()))))
        .execute(conn)?;
    Ok(n == 1)
}

/// Active administrators, to keep at least one.
pub fn count_active_admins(conn: &mut DbConnection) -> StoreResult<i64> {
    Ok(users::table
        .filter(users::role.eq(Role::Admin.as_str()))
        .filter(users::active.eq(true))
        .count()
        .get_result(conn)?)
}

pub fn count(conn: &mut DbConnection) -> StoreResult<i64> {
    Ok(users::table.count().get_result(conn)?)
}
