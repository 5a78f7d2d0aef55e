//! Agencies of the administrative hierarchy.

use diesel::prelude::*;
use motcua_domain::{Agency, AgencyCode, AgencyLevel};

use crate::schema::agencies;
use crate::time::{now, to_db};
use crate::{DbConnection, StoreResult};

type Row = (String, String, String, Option<String>, String);

const COLUMNS: (
    agencies::code,
    agencies::name,
    agencies::level,
    agencies::parent_code,
    agencies::address,
) = (
    agencies::code,
    agencies::name,
    agencies::level,
    agencies::parent_code,
    agencies::address,
);

fn from_row(r: Row) -> StoreResult<Agency> {
    Ok(Agency {
        code: AgencyCode::parse(&r.0)?,
        name: r.1,
        level: AgencyLevel::parse(&r.2)?,
        parent: r.3.as_deref().map(AgencyCode::parse).transpose()?,
        address: r.4,
    })
}

pub fn insert(conn: &mut DbConnection, a: &Agency) -> StoreResult<()> {
    let t = to_db(now());
    diesel::insert_into(agencies::table)
        .values((
            agencies::code.eq(a.code.as_str()),
            agencies::name.eq(&a.name),
            agencies::level.eq(a.level.as_str()),
            agencies::parent_code.eq(a.parent.as_ref().map(|p| p.as_str())),
            agencies::address.eq(&a.address),
            agencies::created_at.eq(t),
            agencies::updated_at.eq(t),
        ))
        .execute(conn)?;
    // A new agency below a webhook subscriber's is in its scope.
    crate::subscribers::rebuild_scopes(conn)
}

pub fn update(conn: &mut DbConnection, a: &Agency) -> StoreResult<()> {
    let n = diesel::update(agencies::table.find(a.code.as_str()))
        .set((
            agencies::name.eq(&a.name),
            agencies::level.eq(a.level.as_str()),
            agencies::parent_code.eq(a.parent.as_ref().map(|p| p.as_str())),
            agencies::address.eq(&a.address),
            agencies::updated_at.eq(to_db(now())),
        ))
        .execute(conn)?;
    if n == 0 {
        return Err(crate::StoreError::NotFound);
    }
    // A new parent moves the agency into or out of scopes.
    crate::subscribers::rebuild_scopes(conn)
}

pub fn get(conn: &mut DbConnection, code: &str) -> StoreResult<Option<Agency>> {
    agencies::table
        .find(code)
        .select(COLUMNS)
        .get_result::<Row>(conn)
        .optional()?
        .map(from_row)
        .transpose()
}

pub fn list(conn: &mut DbConnection) -> StoreResult<Vec<Agency>> {
    agencies::table
        .order(agencies::code.asc())
        .select(COLUMNS)
        .load::<Row>(conn)?
        .into_iter()
        .map(from_row)
        .collect()
}

pub fn count(conn: &mut DbConnection) -> StoreResult<i64> {
    Ok(agencies::table.count().get_result(conn)?)
}

/// The agency and every agency above it, nearest first. Stops at a cycle
/// rather than looping.
pub fn with_ancestors(conn: &mut DbConnection, code: &str) -> StoreResult<Vec<String>> {
    let mut chain = vec![code.to_string()];
    let mut current = code.to_string();
    while let Some(parent) = agencies::table
        .find(&current)
        .select(agencies::parent_code)
        .get_result::<Option<String>>(conn)
        .optional()?
        .flatten()
    {
        if chain.contains(&parent) {
            break;
        }
        chain.push(parent.clone());
        current = parent;
    }
    Ok(chain)
}

/// The agency and every agency below it, for supervisors who see their
/// agency and the agencies under it.
pub fn with_descendants(conn: &mut DbConnection, code: &str) -> StoreResult<Vec<String>> {
    let all: Vec<(String, Option<String>)> = agencies::table
        .select((agencies::code, agencies::parent_code))
        .load(conn)?;
    let mut found = vec![code.to_string()];
    let mut i = 0;
    while i < found.len() {
        let parent = found[i].clone();
        for (child, p) in &all {
            if p.as_deref() == Some(parent.as_str()) && !found.contains(child) {
                found.push(child.clone());
            }
        }
        i += 1;
    }
    Ok(found)
}
