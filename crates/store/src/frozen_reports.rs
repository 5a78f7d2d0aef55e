//! Results reports frozen when submitted upward: the figures as they were
//! that day, kept whole as JSON so they never change with later
//! corrections (the report recomputed today is compared with them).

use chrono::{DateTime, NaiveDate, Utc};
use diesel::prelude::*;
use serde_json::Value;

use crate::schema::{frozen_reports, users};
use crate::time::{from_db, to_db};
use crate::{DbConnection, StoreError, StoreResult};

/// The agency code stored for a report on every agency.
pub const EVERY_AGENCY: &str = "*";

/// A frozen report.
#[derive(Debug, Clone, PartialEq)]
pub struct FrozenReport {
    pub id: String,
    /// The agency reported on, or [`EVERY_AGENCY`].
    pub agency_code: String,
    pub period_name: String,
    pub first_day: NaiveDate,
    pub last_day: NaiveDate,
    /// The form ("06a") or the rows ("by:procedure").
    pub layout: String,
    /// The report as answered the day it was frozen.
    pub figures: Value,
    pub note: String,
    pub frozen_by: String,
    /// The full name of who froze it (filled in when read).
    pub frozen_by_name: String,
    pub frozen_at: DateTime<Utc>,
}

type Row = (
    String,
    String,
    String,
    NaiveDate,
    NaiveDate,
    String,
    String,
    String,
    String,
    Option<String>,
    chrono::NaiveDateTime,
);

fn from_row(r: Row) -> StoreResult<FrozenReport> {
    Ok(FrozenReport {
        id: r.0,
        agency_code: r.1,
        period_name: r.2,
        first_day: r.3,
        last_day: r.4,
        layout: r.5,
        figures: serde_json::from_str(&r.6)?,
        note: r.7,
        frozen_by: r.8,
        frozen_by_name: r.9.unwrap_or_default(),
        frozen_at: from_db(r.10),
    })
}

pub fn insert(conn: &mut DbConnection, f: &FrozenReport) -> StoreResult<()> {
    diesel::insert_into(frozen_reports::table)
        .values((
            frozen_reports::id.eq(&f.id),
            frozen_reports::agency_code.eq(&f.agency_code),
            frozen_reports::period_name.eq(&f.period_name),
            frozen_reports::first_day.eq(f.first_day),
            frozen_reports::last_day.eq(f.last_day),
            frozen_reports::layout.eq(&f.layout),
            frozen_reports::figures.eq(f.figures.to_string()),
            frozen_reports::note.eq(&f.note),
            frozen_reports::frozen_by.eq(&f.frozen_by),
            frozen_reports::frozen_at.eq(to_db(f.frozen_at)),
        ))
        .execute(conn)?;
    Ok(())
}

macro_rules! select_frozen {
    () => {
        frozen_reports::table.left_join(users::table).select((
            frozen_reports::id,
            frozen_reports::agency_code,
            frozen_reports::period_name,
            frozen_reports::first_day,
            frozen_reports::last_day,
            frozen_reports::layout,
            frozen_reports::figures,
            frozen_reports::note,
            frozen_reports::frozen_by,
            users::full_name.nullable(),
            frozen_reports::frozen_at,
        ))
    };
}

pub fn get(conn: &mut DbConnection, id: &str) -> StoreResult<FrozenReport> {
    let row: Row = select_frozen!()
        .filter(frozen_reports::id.eq(id))
        .get_result(conn)
        .optional()?
        .ok_or(StoreError::NotFound)?;
    from_row(row)
}

/// The report already frozen for this agency, period and layout, if any.
pub fn find(
    conn: &mut DbConnection,
    agency_code: &str,
    first_day: NaiveDate,
    last_day: NaiveDate,
    layout: &str,
) -> StoreResult<Option<FrozenReport>> {
    let row: Option<Row> = select_frozen!()
        .filter(frozen_reports::agency_code.eq(agency_code))
        .filter(frozen_reports::first_day.eq(first_day))
        .filter(frozen_reports::last_day.eq(last_day))
        .filter(frozen_reports::layout.eq(layout))
        .get_result(conn)
        .optional()?;
    row.map(from_row).transpose()
}

/// The reports frozen for `agencies` (all, for `None`), newest first, at
/// most `limit`.
pub fn list(
    conn: &mut DbConnection,
    agencies: Option<&[String]>,
    limit: i64,
) -> StoreResult<Vec<FrozenReport>> {
    let mut q = select_frozen!()
        .order(frozen_reports::frozen_at.desc())
        .limit(limit)
        .into_boxed();
    if let Some(codes) = agencies {
        q = q.filter(frozen_reports::agency_code.eq_any(codes.to_vec()));
    }
    let rows: Vec<Row> = q.load(conn)?;
    rows.into_iter().map(from_row).collect()
}
