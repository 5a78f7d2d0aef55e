//! When the network is down (docs/dossier-code.md, Reserved codes): a desk
//! reserves a block of dossier codes ahead, prints paper receipts with them
//! during the outage, and logs those dossiers afterwards with the real
//! receipt time. A reserved code is used once, only for a receipt of its
//! own day, and only until [`DAYS_TO_LOG`] days after it; unused codes are
//! then void and the tracking book lists them so the sequence shows no
//! gap.

use chrono::{DateTime, Days, NaiveDate, Utc};
use motcua_calendar::WorkingCalendar;
use motcua_domain::{DossierCode, EventKind, FieldError, Role};
use motcua_store::events::{self, Actor, NewEvent};
use motcua_store::reserved_codes::{self, CodeState, ReservedCode};
use motcua_store::{counters, time, DbConnection};
use serde::Deserialize;
use serde_json::json;
use utoipa::ToSchema;

use crate::{Clerk, IntakeError};

/// How many days after its own day a reserved code may still be logged:
/// an outage that ends after closing time is logged the next morning.
/// After that the unused codes of the day are void.
pub const DAYS_TO_LOG: u64 = 1;
/// At most this many codes per reservation.
pub const MAX_BLOCK: u32 = 200;
/// Codes are reserved for today or up to this many days ahead.
pub const DAYS_AHEAD: u64 = 7;

/// The paper receipt a dossier was received on during an outage.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PaperReceipt {
    /// The reserved code printed on the paper receipt.
    #[schema(example = "H53.50.05.13-261208-0005", max_length = 64)]
    pub code: String,
    /// When the dossier was really received (the time on the paper
    /// receipt): the clock counts from it.
    pub received_at: DateTime<Utc>,
}

fn invalid(field: &str, message: impl Into<String>) -> IntakeError {
    IntakeError::Invalid(vec![FieldError::new(field, message)])
}

/// The first day whose unused codes are still open at `now`.
pub fn last_open_day(calendar: &WorkingCalendar, now: DateTime<Utc>) -> NaiveDate {
    let today = calendar.local_date(now);
    today
        .checked_sub_days(Days::new(DAYS_TO_LOG))
        .unwrap_or(today)
}

/// Reserves `count` codes of `day` (default today) for the clerk's desk.
pub fn reserve(
    conn: &mut DbConnection,
    calendar: &WorkingCalendar,
    clerk: &Clerk,
    agency: &str,
    day: Option<NaiveDate>,
    count: u32,
) -> Result<Vec<ReservedCode>, IntakeError> {
    if clerk.role != Role::Clerk || clerk.agency.as_str() != agency {
        return Err(IntakeError::Forbidden(format!(
            "only the counter clerks of {agency} reserve its dossier codes"
        )));
    }
    if count == 0 || count > MAX_BLOCK {
        return Err(invalid("count", format!("must be 1 to {MAX_BLOCK}")));
    }
    let now = time::now();
    let today = calendar.local_date(now);
    let day = day.unwrap_or(today);
    let latest = today
        .checked_add_days(Days::new(DAYS_AHEAD))
        .unwrap_or(today);
    if day < today || day > latest {
        return Err(invalid(
            "day",
            format!("must be today ({today}) or up to {DAYS_AHEAD} days ahead"),
        ));
    }
    conn.write_tx(|conn| {
        let key = counters::daily_dossier_key(agency, &DossierCode::day_key(day));
        let mut codes = Vec::with_capacity(count as usize);
        for _ in 0..count {
            let n = counters::next(conn, &key)?;
            let code = DossierCode::new(
                clerk.agency.clone(),
                day,
                u32::try_from(n).unwrap_or(u32::MAX),
            )
            .map_err(|e| invalid("count", e.to_string()))?;
            codes.push(code.to_string());
        }
        reserved_codes::insert(conn, agency, day, &codes, &clerk.user_id, now)?;
        events::append(
            conn,
            &NewEvent {
                subject_type: "agency",
                subject_id: agency,
                dossier_id: None,
                kind: EventKind::CodesReserved,
                actor: &Actor {
                    id: Some(clerk.user_id.clone()),
                    name: clerk.name.clone(),
                },
                at: now,
                data: json!({"day": day, "codes": codes}),
            },
        )?;
        Ok(reserved_codes::of_days(conn, agency, day, day)?
            .into_iter()
            .filter(|c| codes.contains(&c.code))
            .collect())
    })
}

/// Checks a paper receipt before its dossier is logged at `agency` at
/// `now`: the code is this desk's, reserved, unused, of the receipt's day,
/// and the days to log it are not over. Returns the code.
pub(crate) fn check(
    conn: &mut DbConnection,
    calendar: &WorkingCalendar,
    agency: &str,
    paper: &PaperReceipt,
    now: DateTime<Utc>,
) -> Result<String, IntakeError> {
    let code = paper.code.trim();
    let reserved = reserved_codes::get(conn, code)?
        .filter(|r| r.agency == agency)
        .ok_or_else(|| {
            invalid(
                "paper_receipt.code",
                format!("{code} is not a code reserved for the desk of {agency}"),
            )
        })?;
    match reserved.state(last_open_day(calendar, now)) {
        CodeState::Reserved => {}
        CodeState::Used => {
            return Err(IntakeError::Conflict(format!(
                "reserved code {code} was used already: each is logged once"
            )))
        }
        CodeState::Void => {
            return Err(IntakeError::Conflict(format!(
                "reserved code {code} is void: the days to log the codes of {} are over",
                reserved.day
            )))
        }
    }
    if paper.received_at > now {
        return Err(invalid("paper_receipt.received_at", "is in the future"));
    }
    if calendar.local_date(paper.received_at) != reserved.day {
        return Err(invalid(
            "paper_receipt.received_at",
            format!(
                "code {code} was reserved for {}, not for that day",
                reserved.day
            ),
        ));
    }
    Ok(code.to_string())
}

/// Marks the code used by the dossier just inserted, in its transaction.
pub(crate) fn claim(
    conn: &mut DbConnection,
    code: &str,
    dossier_id: &str,
    now: DateTime<Utc>,
) -> Result<(), IntakeError> {
    if reserved_codes::claim(conn, code, dossier_id, now)? {
        Ok(())
    } else {
        Err(IntakeError::Conflict(format!(
            "reserved code {code} was used meanwhile: each is logged once"
        )))
    }
}

/// Marks void the unused codes whose days to log are over; the
/// housekeeping job runs it. Returns how many.
pub fn void_expired(
    conn: &mut DbConnection,
    calendar: &WorkingCalendar,
) -> Result<usize, IntakeError> {
    let now = time::now();
    conn.write_tx(|conn| {
        let voided = reserved_codes::void_before(conn, last_open_day(calendar, now), now)?;
        for c in &voided {
            events::append(
                conn,
                &NewEvent {
                    subject_type: "agency",
                    subject_id: &c.agency,
                    dossier_id: None,
                    kind: EventKind::CodesVoided,
                    actor: &Actor {
                        id: None,
                        name: "motcua".into(),
                    },
                    at: now,
                    data: json!({"code": c.code, "day": c.day}),
                },
            )?;
        }
        Ok(voided.len())
    })
}
