//! The counter hall's tickets (migration 24; docs/queue.md): taken at a
//! kiosk with the next number of the area's day, called to a counter in
//! the order they were taken, recalled, finished or skipped, and linked to
//! the dossiers logged from them.

use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;
use motcua_domain::queue::{ticket_label, TicketStatus};
use serde::Serialize;

use crate::schema::{dossiers, queue_ticket_dossiers, queue_tickets};
use crate::time::{from_db, to_db};
use crate::{counters, DbConnection, StoreError, StoreResult};

/// A ticket as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Ticket {
    pub id: String,
    pub agency: String,
    pub area: String,
    /// The local date it was taken on (`2026-12-08`).
    pub day: String,
    pub number: i32,
    pub field: Option<String>,
    pub procedure: Option<String>,
    pub status: TicketStatus,
    pub taken_at: DateTime<Utc>,
    pub called_at: Option<DateTime<Utc>>,
    pub announced_at: Option<DateTime<Utc>>,
    pub calls: i32,
    pub counter: Option<i32>,
    pub called_by: Option<String>,
    pub finished_at: Option<DateTime<Utc>>,
}

impl Ticket {
    /// `A-023`.
    pub fn label(&self) -> String {
        ticket_label(&self.area, self.number)
    }
}

#[derive(Queryable, Selectable)]
#[diesel(table_name = queue_tickets)]
struct Row {
    id: String,
    agency_code: String,
    area: String,
    day: String,
    number: i32,
    field: Option<String>,
    procedure_code: Option<String>,
    status: String,
    taken_at: NaiveDateTime,
    called_at: Option<NaiveDateTime>,
    announced_at: Option<NaiveDateTime>,
    calls: i32,
    counter_number: Option<i32>,
    called_by: Option<String>,
    finished_at: Option<NaiveDateTime>,
}

impl Row {
    fn into_ticket(self) -> StoreResult<Ticket> {
        Ok(Ticket {
            status: TicketStatus::parse(&self.status)?,
            id: self.id,
            agency: self.agency_code,
            area: self.area,
            day: self.day,
            number: self.number,
            field: self.field,
            procedure: self.procedure_code,
            taken_at: from_db(self.taken_at),
            called_at: self.called_at.map(from_db),
            announced_at: self.announced_at.map(from_db),
            calls: self.calls,
            counter: self.counter_number,
            called_by: self.called_by,
            finished_at: self.finished_at.map(from_db),
        })
    }
}

fn tickets(rows: Vec<Row>) -> StoreResult<Vec<Ticket>> {
    rows.into_iter().map(Row::into_ticket).collect()
}

/// The counter of an area's tickets for a day.
pub fn number_key(agency: &str, area: &str, day: &str) -> String {
    format!("queue:{agency}:{area}:{day}")
}

/// What a kiosk asks for.
#[derive(Debug, Clone)]
pub struct NewTicket<'a> {
    pub agency: &'a str,
    pub area: &'a str,
    pub day: &'a str,
    pub field: Option<&'a str>,
    pub procedure: Option<&'a str>,
    pub at: DateTime<Utc>,
}

/// Hands out the area's next number of the day, in one transaction with
/// the counter, so numbers have no gaps and no repeats.
pub fn take(conn: &mut DbConnection, new: &NewTicket<'_>) -> StoreResult<Ticket> {
    conn.write_tx(|conn| {
        let number = counters::next(conn, &number_key(new.agency, new.area, new.day))?;
        let number = i32::try_from(number)
            .map_err(|_| StoreError::Corrupt(format!("ticket number {number}")))?;
        let ticket = Ticket {
            id: uuid::Uuid::new_v4().to_string(),
            agency: new.agency.to_string(),
            area: new.area.to_string(),
            day: new.day.to_string(),
            number,
            field: new.field.map(str::to_string),
            procedure: new.procedure.map(str::to_string),
            status: TicketStatus::Waiting,
            taken_at: new.at,
            called_at: None,
            announced_at: None,
            calls: 0,
            counter: None,
            called_by: None,
            finished_at: None,
        };
        diesel::insert_into(queue_tickets::table)
            .values((
                queue_tickets::id.eq(&ticket.id),
                queue_tickets::agency_code.eq(&ticket.agency),
                queue_tickets::area.eq(&ticket.area),
                queue_tickets::day.eq(&ticket.day),
                queue_tickets::number.eq(ticket.number),
                queue_tickets::field.eq(ticket.field.as_deref()),
                queue_tickets::procedure_code.eq(ticket.procedure.as_deref()),
                queue_tickets::status.eq(ticket.status.as_str()),
                queue_tickets::taken_at.eq(to_db(ticket.taken_at)),
                queue_tickets::calls.eq(0),
            ))
            .execute(conn)?;
        Ok(ticket)
    })
}

pub fn get(conn: &mut DbConnection, id: &str) -> StoreResult<Option<Ticket>> {
    queue_tickets::table
        .find(id)
        .select(Row::as_select())
        .get_result(conn)
        .optional()?
        .map(Row::into_ticket)
        .transpose()
}

/// Tickets of the same area and day still waiting that were taken before
/// this one.
pub fn waiting_ahead(conn: &mut DbConnection, t: &Ticket) -> StoreResult<i64> {
    Ok(queue_tickets::table
        .filter(queue_tickets::agency_code.eq(&t.agency))
        .filter(queue_tickets::day.eq(&t.day))
        .filter(queue_tickets::area.eq(&t.area))
        .filter(queue_tickets::status.eq(TicketStatus::Waiting.as_str()))
        .filter(queue_tickets::number.lt(t.number))
        .count()
        .get_result(conn)?)
}

/// Tickets waiting on `day`, per area letter.
pub fn waiting_by_area(
    conn: &mut DbConnection,
    agency: &str,
    day: &str,
) -> StoreResult<Vec<(String, i64)>> {
    Ok(queue_tickets::table
        .filter(queue_tickets::agency_code.eq(agency))
        .filter(queue_tickets::day.eq(day))
        .filter(queue_tickets::status.eq(TicketStatus::Waiting.as_str()))
        .group_by(queue_tickets::area)
        .select((queue_tickets::area, diesel::dsl::count_star()))
        .order(queue_tickets::area.asc())
        .load(conn)?)
}

/// What calling the next ticket did.
#[derive(Debug, Clone)]
pub struct Called {
    /// The ticket the counter was serving, now done.
    pub finished: Option<Ticket>,
    /// The ticket called; none when nobody waits for the counter's areas.
    pub called: Option<Ticket>,
}

/// At counter `counter` of `agency`: the ticket it was serving is done,
/// and the oldest ticket of `day` waiting in one of `areas` is called.
/// Two counters calling at once never get the same ticket: on PostgreSQL
/// the ticket is locked as it is chosen (one being chosen elsewhere is
/// skipped), SQLite has one writer at a time, and the call is a
/// compare-and-set on the ticket's status besides.
pub fn call_next(
    conn: &mut DbConnection,
    agency: &str,
    day: &str,
    counter: i32,
    areas: &[String],
    user: &str,
    now: DateTime<Utc>,
) -> StoreResult<Called> {
    conn.write_tx(|conn| {
        let serving = serving_at(conn, agency, counter)?;
        let mut finished = None;
        for t in serving {
            if set_status(conn, &t, TicketStatus::Done, now)? {
                finished = Some(get(conn, &t.id)?.ok_or(StoreError::NotFound)?);
            }
        }
        for _ in 0..8 {
            let waiting = || {
                queue_tickets::table
                    .filter(queue_tickets::agency_code.eq(agency))
                    .filter(queue_tickets::day.eq(day))
                    .filter(queue_tickets::status.eq(TicketStatus::Waiting.as_str()))
                    .filter(queue_tickets::area.eq_any(areas))
                    .order((queue_tickets::taken_at.asc(), queue_tickets::id.asc()))
                    .select(queue_tickets::id)
            };
            // PostgreSQL: a ticket another counter is calling right now is
            // locked; skip it rather than queue behind it and lose.
            let next: Option<String> = match conn {
                DbConnection::Pg(c) => waiting()
                    .limit(1)
                    .for_update()
                    .skip_locked()
                    .get_result(c)
                    .optional()?,
                DbConnection::Sqlite(c) => waiting().limit(1).get_result(c).optional()?,
            };
            let Some(id) = next else {
                return Ok(Called {
                    finished,
                    called: None,
                });
            };
            let n = diesel::update(
                queue_tickets::table
                    .filter(queue_tickets::id.eq(&id))
                    .filter(queue_tickets::status.eq(TicketStatus::Waiting.as_str())),
            )
            .set((
                queue_tickets::status.eq(TicketStatus::Called.as_str()),
                queue_tickets::called_at.eq(to_db(now)),
                queue_tickets::announced_at.eq(to_db(now)),
                queue_tickets::calls.eq(1),
                queue_tickets::counter_number.eq(counter),
                queue_tickets::called_by.eq(user),
            ))
            .execute(conn)?;
            if n == 1 {
                return Ok(Called {
                    finished,
                    called: get(conn, &id)?,
                });
            }
        }
        Err(StoreError::Corrupt(
            "the next ticket kept being taken by other counters".into(),
        ))
    })
}

/// The tickets a counter is serving (one, unless the hall was changed
/// while a ticket was called).
fn serving_at(conn: &mut DbConnection, agency: &str, counter: i32) -> StoreResult<Vec<Ticket>> {
    tickets(
        queue_tickets::table
            .filter(queue_tickets::agency_code.eq(agency))
            .filter(queue_tickets::counter_number.eq(counter))
            .filter(queue_tickets::status.eq(TicketStatus::Called.as_str()))
            .select(Row::as_select())
            .load(conn)?,
    )
}

/// Moves a called ticket to done or no-show, or announces it again
/// (`Called`); false when it was no longer called (another request
/// finished it first).
pub fn set_status(
    conn: &mut DbConnection,
    t: &Ticket,
    to: TicketStatus,
    now: DateTime<Utc>,
) -> StoreResult<bool> {
    let target = queue_tickets::table
        .filter(queue_tickets::id.eq(&t.id))
        .filter(queue_tickets::status.eq(TicketStatus::Called.as_str()));
    let n = if to == TicketStatus::Called {
        diesel::update(target)
            .set((
                queue_tickets::announced_at.eq(to_db(now)),
                queue_tickets::calls.eq(queue_tickets::calls + 1),
            ))
            .execute(conn)?
    } else {
        diesel::update(target)
            .set((
                queue_tickets::status.eq(to.as_str()),
                queue_tickets::finished_at.eq(to_db(now)),
            ))
            .execute(conn)?
    };
    Ok(n == 1)
}

/// Records that `dossier_id` was logged from the ticket. A dossier comes
/// from one ticket at most: linking it again to the same ticket changes
/// nothing, to another is a [`StoreError::Duplicate`].
pub fn link(
    conn: &mut DbConnection,
    ticket_id: &str,
    dossier_id: &str,
    now: DateTime<Utc>,
) -> StoreResult<bool> {
    let existing: Option<String> = queue_ticket_dossiers::table
        .find(dossier_id)
        .select(queue_ticket_dossiers::ticket_id)
        .get_result(conn)
        .optional()?;
    match existing {
        Some(t) if t == ticket_id => Ok(false),
        Some(_) => Err(StoreError::Duplicate(
            "the dossier was logged from another ticket".into(),
        )),
        None => {
            diesel::insert_into(queue_ticket_dossiers::table)
                .values((
                    queue_ticket_dossiers::dossier_id.eq(dossier_id),
                    queue_ticket_dossiers::ticket_id.eq(ticket_id),
                    queue_ticket_dossiers::linked_at.eq(to_db(now)),
                ))
                .execute(conn)?;
            Ok(true)
        }
    }
}

/// The codes of the dossiers logged from a ticket, in the order linked.
pub fn dossier_codes(conn: &mut DbConnection, ticket_id: &str) -> StoreResult<Vec<String>> {
    Ok(queue_ticket_dossiers::table
        .inner_join(dossiers::table)
        .filter(queue_ticket_dossiers::ticket_id.eq(ticket_id))
        .order((queue_ticket_dossiers::linked_at.asc(), dossiers::code.asc()))
        .select(dossiers::code)
        .load(conn)?)
}

/// The tickets of a day, in the order taken, optionally of one status.
pub fn of_day(
    conn: &mut DbConnection,
    agency: &str,
    day: &str,
    status: Option<TicketStatus>,
    limit: i64,
    offset: i64,
) -> StoreResult<(Vec<Ticket>, i64)> {
    let filtered = || {
        let mut q = queue_tickets::table
            .filter(queue_tickets::agency_code.eq(agency))
            .filter(queue_tickets::day.eq(day))
            .into_boxed();
        if let Some(s) = status {
            q = q.filter(queue_tickets::status.eq(s.as_str()));
        }
        q
    };
    let total: i64 = filtered().count().get_result(conn)?;
    let rows = filtered()
        .order((queue_tickets::taken_at.asc(), queue_tickets::id.asc()))
        .limit(limit)
        .offset(offset)
        .select(Row::as_select())
        .load(conn)?;
    Ok((tickets(rows)?, total))
}

/// The most recent announcements the board shows.
pub const BOARD_RECENT: i64 = 8;

/// What the hall's board shows for `day`: the tickets being served now,
/// at their counters, and the latest announcements, newest first.
pub fn board(
    conn: &mut DbConnection,
    agency: &str,
    day: &str,
) -> StoreResult<(Vec<Ticket>, Vec<Ticket>)> {
    let serving = tickets(
        queue_tickets::table
            .filter(queue_tickets::agency_code.eq(agency))
            .filter(queue_tickets::day.eq(day))
            .filter(queue_tickets::status.eq(TicketStatus::Called.as_str()))
            .order(queue_tickets::counter_number.asc())
            .select(Row::as_select())
            .load(conn)?,
    )?;
    let recent = tickets(
        queue_tickets::table
            .filter(queue_tickets::agency_code.eq(agency))
            .filter(queue_tickets::day.eq(day))
            .filter(queue_tickets::announced_at.is_not_null())
            .order((queue_tickets::announced_at.desc(), queue_tickets::id.desc()))
            .limit(BOARD_RECENT)
            .select(Row::as_select())
            .load(conn)?,
    )?;
    Ok((serving, recent))
}

/// Every ticket of `agencies` taken in `[from, to)`, for the reports.
pub fn taken_between(
    conn: &mut DbConnection,
    agencies: &[String],
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> StoreResult<Vec<Ticket>> {
    tickets(
        queue_tickets::table
            .filter(queue_tickets::taken_at.ge(to_db(from)))
            .filter(queue_tickets::taken_at.lt(to_db(to)))
            .filter(queue_tickets::agency_code.eq_any(agencies))
            .order((queue_tickets::taken_at.asc(), queue_tickets::id.asc()))
            .select(Row::as_select())
            .load(conn)?,
    )
}
