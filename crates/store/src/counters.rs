//! Gap-free counters. The increment locks the counter's row until the
//! transaction ends, so concurrent callers queue, each gets the next
//! number, and a rolled-back transaction gives its number back: no gaps, no
//! repeats (docs/dossier-code.md, Numbering without gaps or repeats).

use diesel::backend::Backend;
use diesel::prelude::*;
use diesel::query_builder::{AstPass, Query, QueryFragment, QueryId};
use diesel::serialize::ToSql;
use diesel::sql_types::{BigInt, Text};

use crate::{each_backend, DbConnection, StoreResult};

/// Increments the named counter (creating it at 1) and returns the new
/// value. Must run inside a write transaction.
pub fn next(conn: &mut DbConnection, name: &str) -> StoreResult<i64> {
    let value = each_backend!(conn, |c| Increment { name }.get_result::<i64>(c))?;
    Ok(value)
}

/// `INSERT … ON CONFLICT (name) DO UPDATE … RETURNING value`, written out
/// rather than built with diesel's upsert DSL: diesel marks every
/// `DO UPDATE` unsafe to cache (a changeset's SQL may change with its
/// values), so the DSL statement was prepared again on every call, twice
/// per intake (the dossier code and the tracking book), 7 % of an intake's
/// instructions on SQLite. This statement's text never changes, so each
/// connection prepares it once.
#[derive(Debug, Clone, Copy)]
struct Increment<'a> {
    name: &'a str,
}

/// The same statement for every name: the key diesel caches it under.
impl QueryId for Increment<'_> {
    type QueryId = Increment<'static>;
    const HAS_STATIC_QUERY_ID: bool = true;
}

impl Query for Increment<'_> {
    type SqlType = BigInt;
}

impl<DB> QueryFragment<DB> for Increment<'_>
where
    DB: Backend,
    str: ToSql<Text, DB>,
{
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, DB>) -> QueryResult<()> {
        out.push_sql("INSERT INTO counters (name, value) VALUES (");
        out.push_bind_param::<Text, str>(self.name)?;
        out.push_sql(
            ", 1) ON CONFLICT (name) DO UPDATE SET value = counters.value + 1 RETURNING value",
        );
        Ok(())
    }
}

impl<Conn> RunQueryDsl<Conn> for Increment<'_> {}

/// The counter name of a receiving agency's daily dossier sequence.
pub fn daily_dossier_key(agency: &str, day_key: &str) -> String {
    format!("dossier:{agency}:{day_key}")
}

/// The counter name of a receiving agency's tracking book for a year.
pub fn tracking_book_key(agency: &str, year: i32) -> String {
    format!("book:{agency}:{year}")
}
