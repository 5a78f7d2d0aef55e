//! Server-wide key/value settings, such as secrets generated once at first
//! start and shared by every server on the database.

use diesel::prelude::*;

use crate::schema::settings;
use crate::{each_backend, DbConnection, StoreResult};

pub fn get(conn: &mut DbConnection, key: &str) -> StoreResult<Option<String>> {
    Ok(settings::table
        .find(key)
        .select(settings::value)
        .get_result::<String>(conn)
        .optional()?)
}

/// Returns the stored value, storing `make()` first if there is none. Two
/// servers starting at once both end up with the value that won the
/// insert.
pub fn get_or_init(
    conn: &mut DbConnection,
    key: &str,
    make: impl FnOnce() -> String,
) -> StoreResult<String> {
    if let Some(v) = get(conn, key)? {
        return Ok(v);
    }
    let value = make();
    each_backend!(conn, |c| diesel::insert_into(settings::table)
        .values((settings::key.eq(key), settings::value.eq(&value)))
        .on_conflict_do_nothing()
        .execute(c))?;
    get(conn, key)?.ok_or(crate::StoreError::NotFound)
}

/// Sets a value, inserting or replacing it.
pub fn set(conn: &mut DbConnection, key: &str, value: &str) -> StoreResult<()> {
    each_backend!(conn, |c| diesel::insert_into(settings::table)
        .values((settings::key.eq(key), settings::value.eq(value)))
        .on_conflict(settings::key)
        .do_update()
        .set(settings::value.eq(value))
        .execute(c))?;
    Ok(())
}
