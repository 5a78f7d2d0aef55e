//! The counter hall's figures for a period (docs/queue.md, Figures): per
//! agency, area and local day, the tickets taken, served, missed and never
//! called, the wait (taken → first called) and the service (called →
//! served) as average and 90th percentile, and the tickets per office
//! hour. The results report and the supervisors' dashboard show them.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use motcua_calendar::WorkingCalendar;
use motcua_domain::queue::{Spread, TicketStatus};
use motcua_store::queue_tickets::{self, Ticket};
use motcua_store::{queue_hall, DbConnection, StoreResult};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// One area's day.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct QueueLine {
    #[schema(example = "H53.50.05.13")]
    pub agency: String,
    #[schema(example = "A")]
    pub area: String,
    /// The area's name in the hall today (its letter when it is gone).
    #[schema(example = "Tư pháp - Hộ tịch")]
    pub area_name: String,
    #[schema(example = "2026-12-08")]
    pub day: String,
    #[schema(example = 42)]
    pub tickets: u32,
    #[schema(example = 38)]
    pub served: u32,
    /// Called, but the citizen did not come.
    #[schema(example = 2)]
    pub no_show: u32,
    /// Never called (still waiting, or left at the end of the day).
    #[schema(example = 2)]
    pub not_called: u32,
    /// From taking the ticket to its first call.
    pub wait: Spread,
    /// From the call to the end of the service (served tickets).
    pub service: Spread,
    /// Tickets taken per hour the office was open that day (its office
    /// hours); none when the calendar gives no office hours.
    #[schema(example = 5.3)]
    pub tickets_per_hour: Option<f64>,
}

/// The lines of `agencies` for the tickets taken in `[from, to)`, by
/// agency, day and area.
pub fn lines(
    conn: &mut DbConnection,
    calendar: &WorkingCalendar,
    agencies: &[String],
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> StoreResult<Vec<QueueLine>> {
    let tickets = queue_tickets::taken_between(conn, agencies, from, to)?;
    let mut groups: BTreeMap<(String, String, String), Vec<Ticket>> = BTreeMap::new();
    for t in tickets {
        groups
            .entry((t.agency.clone(), t.day.clone(), t.area.clone()))
            .or_default()
            .push(t);
    }
    let open_hours = f64::from(calendar.settings().office_hours.day_length()) / 3600.0;
    let mut halls = BTreeMap::new();
    let mut out = Vec::with_capacity(groups.len());
    for ((agency, day, area), tickets) in groups {
        if !halls.contains_key(&agency) {
            halls.insert(agency.clone(), queue_hall::get(conn, &agency)?);
        }
        let area_name = halls
            .get(&agency)
            .and_then(|h| h.area(&area))
            .map_or_else(|| area.clone(), |a| a.name.clone());
        out.push(line(agency, area, area_name, day, &tickets, open_hours));
    }
    Ok(out)
}

fn count(tickets: &[Ticket], status: TicketStatus) -> u32 {
    u32::try_from(tickets.iter().filter(|t| t.status == status).count()).unwrap_or(u32::MAX)
}

fn line(
    agency: String,
    area: String,
    area_name: String,
    day: String,
    tickets: &[Ticket],
    open_hours: f64,
) -> QueueLine {
    let waits = tickets
        .iter()
        .filter_map(|t| t.called_at.map(|c| (c - t.taken_at).num_seconds()))
        .collect();
    let services = tickets
        .iter()
        .filter(|t| t.status == TicketStatus::Done)
        .filter_map(|t| Some((t.finished_at? - t.called_at?).num_seconds()))
        .collect();
    let n = u32::try_from(tickets.len()).unwrap_or(u32::MAX);
    QueueLine {
        agency,
        area,
        area_name,
        day,
        tickets: n,
        served: count(tickets, TicketStatus::Done),
        no_show: count(tickets, TicketStatus::NoShow),
        not_called: count(tickets, TicketStatus::Waiting),
        wait: Spread::of(waits),
        service: Spread::of(services),
        tickets_per_hour: (open_hours > 0.0)
            .then(|| (f64::from(n) / open_hours * 10.0).round() / 10.0),
    }
}
