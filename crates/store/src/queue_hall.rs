//! The layout of an agency's counter hall (migration 24; docs/queue.md):
//! its service areas and counters, read whole and replaced whole.

use diesel::prelude::*;
use motcua_domain::queue::{Area, Counter, Hall};

use crate::schema::{queue_areas, queue_counters};
use crate::{DbConnection, StoreResult};

/// The hall of `agency`: areas in the kiosk's order, counters by number.
/// An agency without a hall has no areas and no counters.
pub fn get(conn: &mut DbConnection, agency: &str) -> StoreResult<Hall> {
    let areas: Vec<(String, String, String)> = queue_areas::table
        .filter(queue_areas::agency_code.eq(agency))
        .order(queue_areas::position.asc())
        .select((queue_areas::letter, queue_areas::name, queue_areas::fields))
        .load(conn)?;
    let counters: Vec<(i32, String, String)> = queue_counters::table
        .filter(queue_counters::agency_code.eq(agency))
        .order(queue_counters::number.asc())
        .select((
            queue_counters::number,
            queue_counters::name,
            queue_counters::areas,
        ))
        .load(conn)?;
    Ok(Hall {
        areas: areas
            .into_iter()
            .map(|(letter, name, fields)| {
                Ok(Area {
                    letter,
                    name,
                    fields: serde_json::from_str(&fields)?,
                })
            })
            .collect::<StoreResult<_>>()?,
        counters: counters
            .into_iter()
            .map(|(number, name, areas)| {
                Ok(Counter {
                    number,
                    name,
                    areas: serde_json::from_str(&areas)?,
                })
            })
            .collect::<StoreResult<_>>()?,
    })
}

/// Replaces the hall of `agency` with `hall` (already checked). Tickets
/// keep their area's letter: a ticket of an area taken away stays in the
/// records and in the reports under that letter.
pub fn set(conn: &mut DbConnection, agency: &str, hall: &Hall) -> StoreResult<()> {
    conn.write_tx(|conn| {
        diesel::delete(queue_counters::table.filter(queue_counters::agency_code.eq(agency)))
            .execute(conn)?;
        diesel::delete(queue_areas::table.filter(queue_areas::agency_code.eq(agency)))
            .execute(conn)?;
        for (i, a) in hall.areas.iter().enumerate() {
            diesel::insert_into(queue_areas::table)
                .values((
                    queue_areas::agency_code.eq(agency),
                    queue_areas::letter.eq(&a.letter),
                    queue_areas::name.eq(&a.name),
                    queue_areas::fields.eq(serde_json::to_string(&a.fields)?),
                    queue_areas::position.eq(i32::try_from(i).unwrap_or(i32::MAX)),
                ))
                .execute(conn)?;
        }
        for c in &hall.counters {
            diesel::insert_into(queue_counters::table)
                .values((
                    queue_counters::agency_code.eq(agency),
                    queue_counters::number.eq(c.number),
                    queue_counters::name.eq(&c.name),
                    queue_counters::areas.eq(serde_json::to_string(&c.areas)?),
                ))
                .execute(conn)?;
        }
        Ok(())
    })
}
