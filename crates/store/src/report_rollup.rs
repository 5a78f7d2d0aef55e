//! The tables of the results report's roll-up: the lines by scope, month
//! and dimension, what each dossier was counted from, the dossiers
//! changed since the roll-up caught up, and its state. What the lines
//! mean and how they are kept exact is `motcua_reports::rollup`.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use diesel::prelude::*;

use crate::schema::{
    report_rollup, report_rollup_facts, report_rollup_meta, report_rollup_pending,
};
use crate::time::to_db;
use crate::{each_backend, DbConnection, StoreResult};

/// Where the roll-up stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Meta {
    /// The last month rolled up (`2026-11`), empty for none.
    pub through: String,
    /// What its figures were counted with; a roll-up counted with
    /// something else is rebuilt.
    pub fingerprint: String,
    /// Whether every dossier is counted in it.
    pub ready: bool,
}

/// One line of the roll-up: a scope (`own:CODE`, `tree:CODE`, `all`), a
/// month (`2026-11`), a dimension (`` for the whole line, `procedure`,
/// `officer`) and its key.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Key {
    pub scope: String,
    pub month: String,
    pub dim: &'static str,
    pub dim_key: String,
}

/// The dimensions a line is kept by.
pub const DIMS: [&str; 3] = ["", "procedure", "officer"];

fn dim_of(name: &str) -> &'static str {
    DIMS.iter().find(|d| **d == name).copied().unwrap_or("")
}

/// The roll-up's state, read without locking.
pub fn meta(conn: &mut DbConnection) -> StoreResult<Meta> {
    let (through, fingerprint, ready) = report_rollup_meta::table
        .find(1)
        .select((
            report_rollup_meta::through,
            report_rollup_meta::fingerprint,
            report_rollup_meta::ready,
        ))
        .get_result::<(String, String, bool)>(conn)?;
    Ok(Meta {
        through,
        fingerprint,
        ready,
    })
}

/// The roll-up's state, locked until the transaction ends: whoever
/// changes the roll-up holds it, so its read-modify-writes never
/// interleave (SQLite write transactions are serialised anyway).
pub fn lock_meta(conn: &mut DbConnection) -> StoreResult<Meta> {
    if let DbConnection::Pg(c) = conn {
        report_rollup_meta::table
            .find(1)
            .select(report_rollup_meta::id)
            .for_update()
            .get_result::<i32>(c)?;
    }
    meta(conn)
}

pub fn set_meta(conn: &mut DbConnection, m: &Meta) -> StoreResult<()> {
    diesel::update(report_rollup_meta::table.find(1))
        .set((
            report_rollup_meta::through.eq(&m.through),
            report_rollup_meta::fingerprint.eq(&m.fingerprint),
            report_rollup_meta::ready.eq(m.ready),
        ))
        .execute(conn)?;
    Ok(())
}

/// Up to `limit` dossiers changed since the roll-up caught up, oldest
/// first: (note id, dossier id).
pub fn pending(conn: &mut DbConnection, limit: i64) -> StoreResult<Vec<(i64, String)>> {
    Ok(report_rollup_pending::table
        .order(report_rollup_pending::id.asc())
        .limit(limit)
        .select((report_rollup_pending::id, report_rollup_pending::dossier_id))
        .load(conn)?)
}

/// Forgets the notes `ids`, counted now.
pub fn forget_pending(conn: &mut DbConnection, ids: &[i64]) -> StoreResult<()> {
    for chunk in ids.chunks(500) {
        diesel::delete(
            report_rollup_pending::table.filter(report_rollup_pending::id.eq_any(chunk)),
        )
        .execute(conn)?;
    }
    Ok(())
}

/// Forgets every note up to `id` (a rebuild counts those dossiers).
pub fn forget_pending_through(conn: &mut DbConnection, id: i64) -> StoreResult<()> {
    diesel::delete(report_rollup_pending::table.filter(report_rollup_pending::id.le(id)))
        .execute(conn)?;
    Ok(())
}

/// The newest note's id, if any.
pub fn last_pending(conn: &mut DbConnection) -> StoreResult<Option<i64>> {
    Ok(report_rollup_pending::table
        .select(diesel::dsl::max(report_rollup_pending::id))
        .get_result(conn)?)
}

/// How many dossiers wait to be counted.
pub fn pending_count(conn: &mut DbConnection) -> StoreResult<i64> {
    Ok(report_rollup_pending::table.count().get_result(conn)?)
}

/// What the dossiers `ids` were last counted from, by dossier.
pub fn facts(conn: &mut DbConnection, ids: &[String]) -> StoreResult<HashMap<String, String>> {
    let mut out = HashMap::new();
    for chunk in ids.chunks(500) {
        let rows: Vec<(String, String)> = report_rollup_facts::table
            .filter(report_rollup_facts::dossier_id.eq_any(chunk))
            .select((report_rollup_facts::dossier_id, report_rollup_facts::facts))
            .load(conn)?;
        out.extend(rows);
    }
    Ok(out)
}

/// What a dossier is counted from now.
#[derive(Debug, Clone, Insertable, AsChangeset)]
#[diesel(table_name = report_rollup_facts)]
pub struct NewFacts {
    pub dossier_id: String,
    pub received_at: chrono::NaiveDateTime,
    pub closed_at: Option<chrono::NaiveDateTime>,
    pub facts: String,
}

impl NewFacts {
    pub fn new(
        dossier_id: &str,
        received_at: DateTime<Utc>,
        closed_at: Option<DateTime<Utc>>,
        facts: String,
    ) -> NewFacts {
        NewFacts {
            dossier_id: dossier_id.to_string(),
            received_at: to_db(received_at),
            closed_at: closed_at.map(to_db),
            facts,
        }
    }
}

/// Writes what dossiers are counted from, replacing what they were.
pub fn put_facts(conn: &mut DbConnection, rows: &[NewFacts]) -> StoreResult<()> {
    for chunk in rows.chunks(200) {
        each_backend!(conn, |c| {
            for row in chunk {
                diesel::insert_into(report_rollup_facts::table)
                    .values(row)
                    .on_conflict(report_rollup_facts::dossier_id)
                    .do_update()
                    .set(row)
                    .execute(c)?;
            }
        });
    }
    Ok(())
}

/// Writes what dossiers not counted yet are counted from (a rebuild), in
/// few statements.
pub fn insert_facts(conn: &mut DbConnection, rows: &[NewFacts]) -> StoreResult<()> {
    for chunk in rows.chunks(500) {
        each_backend!(conn, |c| diesel::insert_into(report_rollup_facts::table)
            .values(chunk)
            .execute(c))?;
    }
    Ok(())
}

/// What the dossiers alive in `[from, to)` (received before its end, not
/// closed before its start) are counted from.
pub fn facts_alive_in(
    conn: &mut DbConnection,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> StoreResult<Vec<String>> {
    Ok(report_rollup_facts::table
        .filter(report_rollup_facts::received_at.lt(to_db(to)))
        .filter(
            report_rollup_facts::closed_at
                .is_null()
                .or(report_rollup_facts::closed_at.ge(to_db(from))),
        )
        .select(report_rollup_facts::facts)
        .load(conn)?)
}

/// The lines of `scopes` for `months` by `dim`: (scope, month, dim key,
/// line).
pub fn lines(
    conn: &mut DbConnection,
    scopes: &[String],
    months: &[String],
    dim: &str,
) -> StoreResult<Vec<(String, String, String, String)>> {
    let mut out = Vec::new();
    for chunk in scopes.chunks(500) {
        let rows: Vec<(String, String, String, String)> = report_rollup::table
            .filter(report_rollup::scope.eq_any(chunk))
            .filter(report_rollup::month.eq_any(months))
            .filter(report_rollup::dim.eq(dim))
            .select((
                report_rollup::scope,
                report_rollup::month,
                report_rollup::dim_key,
                report_rollup::line,
            ))
            .load(conn)?;
        out.extend(rows);
    }
    Ok(out)
}

/// The stored lines of `keys` (those that exist).
pub fn lines_of(conn: &mut DbConnection, keys: &[Key]) -> StoreResult<HashMap<Key, String>> {
    let mut out = HashMap::new();
    for chunk in keys.chunks(100) {
        let mut q = report_rollup::table.into_boxed();
        for k in chunk {
            q = q.or_filter(
                report_rollup::scope
                    .eq(k.scope.clone())
                    .and(report_rollup::month.eq(k.month.clone()))
                    .and(report_rollup::dim.eq(k.dim))
                    .and(report_rollup::dim_key.eq(k.dim_key.clone())),
            );
        }
        let rows: Vec<(String, String, String, String, String)> = q
            .select((
                report_rollup::scope,
                report_rollup::month,
                report_rollup::dim,
                report_rollup::dim_key,
                report_rollup::line,
            ))
            .load(conn)?;
        for (scope, month, dim, dim_key, line) in rows {
            let key = Key {
                scope,
                month,
                dim: dim_of(&dim),
                dim_key,
            };
            out.insert(key, line);
        }
    }
    Ok(out)
}

/// Writes lines (`None`: the line is empty now and goes).
pub fn put_lines(conn: &mut DbConnection, lines: &[(Key, Option<String>)]) -> StoreResult<()> {
    for (key, line) in lines {
        let this = report_rollup::table
            .filter(report_rollup::scope.eq(&key.scope))
            .filter(report_rollup::month.eq(&key.month))
            .filter(report_rollup::dim.eq(key.dim))
            .filter(report_rollup::dim_key.eq(&key.dim_key));
        match line {
            None => {
                diesel::delete(this).execute(conn)?;
            }
            Some(line) => {
                let row = (
                    report_rollup::scope.eq(&key.scope),
                    report_rollup::month.eq(&key.month),
                    report_rollup::dim.eq(key.dim),
                    report_rollup::dim_key.eq(&key.dim_key),
                    report_rollup::line.eq(line),
                );
                each_backend!(conn, |c| diesel::insert_into(report_rollup::table)
                    .values(row)
                    .on_conflict((
                        report_rollup::scope,
                        report_rollup::month,
                        report_rollup::dim,
                        report_rollup::dim_key,
                    ))
                    .do_update()
                    .set(report_rollup::line.eq(line))
                    .execute(c))?;
            }
        }
    }
    Ok(())
}

/// Writes lines into an empty roll-up (a rebuild), in few statements.
pub fn insert_lines(conn: &mut DbConnection, lines: &[(Key, Option<String>)]) -> StoreResult<()> {
    let rows: Vec<_> = lines
        .iter()
        .filter_map(|(key, line)| {
            line.as_ref().map(|line| {
                (
                    report_rollup::scope.eq(&key.scope),
                    report_rollup::month.eq(&key.month),
                    report_rollup::dim.eq(key.dim),
                    report_rollup::dim_key.eq(&key.dim_key),
                    report_rollup::line.eq(line),
                )
            })
        })
        .collect();
    for chunk in rows.chunks(500) {
        each_backend!(conn, |c| diesel::insert_into(report_rollup::table)
            .values(chunk)
            .execute(c))?;
    }
    Ok(())
}

/// Empties the roll-up (lines and facts) for a rebuild.
pub fn clear(conn: &mut DbConnection) -> StoreResult<()> {
    diesel::delete(report_rollup::table).execute(conn)?;
    diesel::delete(report_rollup_facts::table).execute(conn)?;
    Ok(())
}

/// Dossier ids after `after`, in order, `limit` at most: a rebuild's
/// batches.
pub fn dossier_ids_after(
    conn: &mut DbConnection,
    after: &str,
    limit: i64,
) -> StoreResult<Vec<String>> {
    use crate::schema::dossiers;
    Ok(dossiers::table
        .filter(dossiers::id.gt(after))
        .order(dossiers::id.asc())
        .limit(limit)
        .select(dossiers::id)
        .load(conn)?)
}

/// What a report's rows by procedure, field or service level print of a
/// procedure, from the catalogue today.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProcedureLabel {
    pub name: String,
    pub field: String,
    pub service_level: String,
}

/// The catalogue's labels of the procedures `codes`.
pub fn procedure_labels(
    conn: &mut DbConnection,
    codes: &[String],
) -> StoreResult<HashMap<String, ProcedureLabel>> {
    use crate::schema::procedures;
    let mut out = HashMap::new();
    for chunk in codes.chunks(500) {
        let rows: Vec<(String, String, String, String)> = procedures::table
            .filter(procedures::code.eq_any(chunk))
            .select((
                procedures::code,
                procedures::name,
                procedures::field,
                procedures::service_level,
            ))
            .load(conn)?;
        out.extend(rows.into_iter().map(|(c, name, field, service_level)| {
            let label = ProcedureLabel {
                name,
                field,
                service_level,
            };
            (c, label)
        }));
    }
    Ok(out)
}

/// The full names of the users `ids`.
pub fn user_names(conn: &mut DbConnection, ids: &[String]) -> StoreResult<HashMap<String, String>> {
    use crate::schema::users;
    let mut out = HashMap::new();
    for chunk in ids.chunks(500) {
        let rows: Vec<(String, String)> = users::table
            .filter(users::id.eq_any(chunk))
            .select((users::id, users::full_name))
            .load(conn)?;
        out.extend(rows);
    }
    Ok(out)
}
