//! Dossier codes reserved for an outage (docs/dossier-code.md, Reserved
//! codes). The numbers are drawn from the desk's daily sequence like any
//! intake's, so nothing else ever takes them; each is used by one dossier
//! at most (a compare-and-set, and a unique key); those unused once the
//! days allowed for logging are over are marked void.

use chrono::{DateTime, NaiveDate, Utc};
use diesel::prelude::*;

use crate::schema::reserved_codes;
use crate::time::{from_db, to_db};
use crate::{DbConnection, StoreResult};

/// Where a reserved code stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CodeState {
    Reserved,
    Used,
    Void,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReservedCode {
    pub code: String,
    pub agency: String,
    pub day: NaiveDate,
    pub reserved_by: String,
    pub reserved_at: DateTime<Utc>,
    pub dossier_id: Option<String>,
    pub used_at: Option<DateTime<Utc>>,
    pub voided_at: Option<DateTime<Utc>>,
}

impl ReservedCode {
    /// Its state, counting a code still unused after `last_open_day` as
    /// void even before the job marks it.
    pub fn state(&self, last_open_day: NaiveDate) -> CodeState {
        match (&self.dossier_id, &self.voided_at) {
            (Some(_), _) => CodeState::Used,
            (None, Some(_)) => CodeState::Void,
            (None, None) if self.day < last_open_day => CodeState::Void,
            (None, None) => CodeState::Reserved,
        }
    }
}

#[derive(Queryable, Selectable)]
#[diesel(table_name = reserved_codes)]
struct Row {
    code: String,
    agency_code: String,
    day: String,
    reserved_by: String,
    reserved_at: chrono::NaiveDateTime,
    dossier_id: Option<String>,
    used_at: Option<chrono::NaiveDateTime>,
    voided_at: Option<chrono::NaiveDateTime>,
}

fn from_row(r: Row) -> ReservedCode {
    ReservedCode {
        code: r.code,
        agency: r.agency_code,
        day: NaiveDate::parse_from_str(&r.day, "%Y-%m-%d").unwrap_or_default(),
        reserved_by: r.reserved_by,
        reserved_at: from_db(r.reserved_at),
        dossier_id: r.dossier_id,
        used_at: r.used_at.map(from_db),
        voided_at: r.voided_at.map(from_db),
    }
}

/// Records codes drawn for `agency` and `day`. Run in the transaction
/// that drew their numbers.
pub fn insert(
    conn: &mut DbConnection,
    agency: &str,
    day: NaiveDate,
    codes: &[String],
    by: &str,
    at: DateTime<Utc>,
) -> StoreResult<()> {
    let day = day.to_string();
    let rows: Vec<_> = codes
        .iter()
        .map(|c| {
            (
                reserved_codes::code.eq(c),
                reserved_codes::agency_code.eq(agency),
                reserved_codes::day.eq(&day),
                reserved_codes::reserved_by.eq(by),
                reserved_codes::reserved_at.eq(to_db(at)),
            )
        })
        .collect();
    crate::each_backend!(conn, |c| diesel::insert_into(reserved_codes::table)
        .values(&rows)
        .execute(c))?;
    Ok(())
}

pub fn get(conn: &mut DbConnection, code: &str) -> StoreResult<Option<ReservedCode>> {
    Ok(reserved_codes::table
        .find(code)
        .select(Row::as_select())
        .get_result::<Row>(conn)
        .optional()?
        .map(from_row))
}

/// Marks the code used by `dossier_id`, if it is still unused and not
/// void; false when someone else took it first.
pub fn claim(
    conn: &mut DbConnection,
    code: &str,
    dossier_id: &str,
    at: DateTime<Utc>,
) -> StoreResult<bool> {
    let n = diesel::update(
        reserved_codes::table
            .find(code)
            .filter(reserved_codes::dossier_id.is_null())
            .filter(reserved_codes::voided_at.is_null()),
    )
    .set((
        reserved_codes::dossier_id.eq(Some(dossier_id)),
        reserved_codes::used_at.eq(Some(to_db(at))),
    ))
    .execute(conn)?;
    Ok(n == 1)
}

/// An agency's reserved codes for the days `from..=to`, in code order.
pub fn of_days(
    conn: &mut DbConnection,
    agency: &str,
    from: NaiveDate,
    to: NaiveDate,
) -> StoreResult<Vec<ReservedCode>> {
    Ok(reserved_codes::table
        .filter(reserved_codes::agency_code.eq(agency))
        .filter(reserved_codes::day.ge(from.to_string()))
        .filter(reserved_codes::day.le(to.to_string()))
        .order(reserved_codes::code.asc())
        .select(Row::as_select())
        .load::<Row>(conn)?
        .into_iter()
        .map(from_row)
        .collect())
}

/// Marks void every code still unused of a day before `last_open_day`;
/// returns them.
pub fn void_before(
    conn: &mut DbConnection,
    last_open_day: NaiveDate,
    at: DateTime<Utc>,
) -> StoreResult<Vec<ReservedCode>> {
    let due = reserved_codes::table
        .filter(reserved_codes::day.lt(last_open_day.to_string()))
        .filter(reserved_codes::dossier_id.is_null())
        .filter(reserved_codes::voided_at.is_null());
    let rows: Vec<Row> = crate::each_backend!(conn, |c| diesel::update(due)
        .set(reserved_codes::voided_at.eq(Some(to_db(at))))
        .returning(Row::as_returning())
        .get_results::<Row>(c))?;
    Ok(rows.into_iter().map(from_row).collect())
}
