//! The supervisors' daily digest: one message per supervisor with an
//! address, listing the breaches of their agency and those below it
//! recorded in the last day. Sent once per supervisor and local day, even
//! with several servers (a counter row marks it, in the same transaction
//! as the message).

use chrono::{DateTime, Duration, NaiveTime, Utc};
use motcua_calendar::{format_local, WorkingCalendar};
use motcua_domain::Role;
use motcua_notify::{DeskMail, Kind, NewMessage};
use motcua_store::breaches::{self, BreachFilter};
use motcua_store::{agencies, counters, users, DbConnection};
use serde_json::{json, Value};

use crate::ClockError;

/// Writes the day's digests due at `now`, from the local hour
/// `digest_hour` on (so a digest covers the night); returns how many.
pub fn daily_digests(
    conn: &mut DbConnection,
    calendar: &WorkingCalendar,
    mail: &DeskMail,
    digest_hour: u32,
    now: DateTime<Utc>,
) -> Result<usize, ClockError> {
    let local = calendar.local(now);
    let from = NaiveTime::from_hms_opt(digest_hour.min(23), 0, 0).unwrap_or_default();
    if local.time() < from {
        return Ok(0);
    }
    let mut sent = 0;
    for u in users::list(conn, None)? {
        let Some(email) = u.email.clone() else {
            continue;
        };
        if u.role != Role::Supervisor || !u.active {
            continue;
        }
        let one = conn.write_tx(|conn| -> Result<bool, ClockError> {
            let items = recent_breaches(conn, calendar, u.agency.as_str(), now)?;
            if items.is_empty() {
                return Ok(false);
            }
            let marker = format!("digest:{}:{}", u.id, local.date());
            if counters::next(conn, &marker)? != 1 {
                return Ok(false);
            }
            let data = json!({
                "date": local.date().format("%d/%m/%Y").to_string(),
                "items": items,
                "agency_name": u.agency.to_string(),
                "list_url": format!("{}/api/v1/breaches", mail.base_url()),
            });
            let msg = NewMessage::new(Kind::BreachDigest, email.clone(), data)
                .to_name(u.full_name.clone());
            mail.staff(conn, &msg)?;
            Ok(true)
        })?;
        sent += usize::from(one);
    }
    Ok(sent)
}

/// The breaches of `agency` and those below it recorded in the day
/// before `now`, as the digest lists them.
fn recent_breaches(
    conn: &mut DbConnection,
    calendar: &WorkingCalendar,
    agency: &str,
    now: DateTime<Utc>,
) -> Result<Vec<Value>, ClockError> {
    let filter = BreachFilter {
        agencies: agencies::with_descendants(conn, agency)?,
        limit: 200,
        ..BreachFilter::default()
    };
    let (items, _) = breaches::list(conn, &filter)?;
    let since = now - Duration::days(1);
    Ok(items
        .into_iter()
        .filter(|b| b.detected_at >= since)
        .map(|b| {
            json!({
                "code": b.dossier_code,
                "kind": b.kind,
                "due_at": format_local(calendar, b.due_at),
                "agency": b.agency_code,
            })
        })
        .collect())
}
