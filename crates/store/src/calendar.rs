//! Admin edits of the calendar: dates made days off or make-up working
//! days, on top of the built-in rules and the shipped table.

use chrono::{DateTime, NaiveDate, Utc};
use diesel::prelude::*;

use crate::schema::calendar_adjustments;
use crate::time::{from_db, to_db};
use crate::{each_backend, DbConnection, StoreResult};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Adjustment {
    pub day: NaiveDate,
    /// `day_off` or `working_day`.
    pub kind: String,
    pub reason: String,
    pub updated_by: String,
    pub updated_at: DateTime<Utc>,
}

pub fn all(conn: &mut DbConnection) -> StoreResult<Vec<Adjustment>> {
    let rows: Vec<(NaiveDate, String, String, String, chrono::NaiveDateTime)> =
        calendar_adjustments::table
            .order(calendar_adjustments::day.asc())
            .select((
                calendar_adjustments::day,
                calendar_adjustments::kind,
                calendar_adjustments::reason,
                calendar_adjustments::updated_by,
                calendar_adjustments::updated_at,
            ))
            .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(day, kind, reason, updated_by, updated_at)| Adjustment {
            day,
            kind,
            reason,
            updated_by,
            updated_at: from_db(updated_at),
        })
        .collect())
}

pub fn get(conn: &mut DbConnection, day: NaiveDate) -> StoreResult<Option<Adjustment>> {
    let row: Option<(NaiveDate, String, String, String, chrono::NaiveDateTime)> =
        calendar_adjustments::table
            .find(day)
            .select((
                calendar_adjustments::day,
                calendar_adjustments::kind,
                calendar_adjustments::reason,
                calendar_adjustments::updated_by,
                calendar_adjustments::updated_at,
            ))
            .get_result(conn)
            .optional()?;
    Ok(
        row.map(|(day, kind, reason, updated_by, updated_at)| Adjustment {
            day,
            kind,
            reason,
            updated_by,
            updated_at: from_db(updated_at),
        }),
    )
}

/// Sets (inserts or replaces) the adjustment of a date.
pub fn upsert(conn: &mut DbConnection, a: &Adjustment) -> StoreResult<()> {
    let values = (
        calendar_adjustments::day.eq(a.day),
        calendar_adjustments::kind.eq(&a.kind),
        calendar_adjustments::reason.eq(&a.reason),
        calendar_adjustments::updated_by.eq(&a.updated_by),
        calendar_adjustments::updated_at.eq(to_db(a.updated_at)),
    );
    each_backend!(conn, |c| diesel::insert_into(calendar_adjustments::table)
        .values(values)
        .on_conflict(calendar_adjustments::day)
        .do_update()
        .set((
            calendar_adjustments::kind.eq(&a.kind),
            calendar_adjustments::reason.eq(&a.reason),
            calendar_adjustments::updated_by.eq(&a.updated_by),
            calendar_adjustments::updated_at.eq(to_db(a.updated_at)),
        ))
        .execute(c))?;
    Ok(())
}

pub fn delete(conn: &mut DbConnection, day: NaiveDate) -> StoreResult<usize> {
    Ok(diesel::delete(calendar_adjustments::table.find(day)).execute(conn)?)
}
