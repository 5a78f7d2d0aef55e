//! Gap-free counters. The increment locks the counter's row until the
//! transaction ends, so concurrent callers queue, each gets the next
//! number, and a rolled-back transaction gives its number back: no gaps, no
//! repeats (DESIGN.md §3).

use diesel::prelude::*;

use crate::schema::counters;
use crate::{each_backend, DbConnection, StoreResult};

/// Increments the named counter (creating it at 1) and returns the new
/// value. Must run inside a write transaction.
pub fn next(conn: &mut DbConnection, name: &str) -> StoreResult<i64> {
    let value = each_backend!(conn, |c| diesel::insert_into(counters::table)
        .values((counters::name.eq(name), counters::value.eq(1i64)))
        .on_conflict(counters::name)
        .do_update()
        .set(counters::value.eq(counters::value + 1i64))
        .returning(counters::value)
        .get_result::<i64>(c))?;
    Ok(value)
}

/// The counter name of a receiving agency's daily dossier sequence.
pub fn daily_dossier_key(agency: &str, day_key: &str) -> String {
    format!("dossier:{agency}:{day_key}")
}

/// The counter name of a receiving agency's tracking book for a year.
pub fn tracking_book_key(agency: &str, year: i32) -> String {
    format!("book:{agency}:{year}")
}
