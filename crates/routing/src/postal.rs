//! The result by post (bưu chính công ích, docs/post.md): a clerk of the
//! receiving desk hands a processed result to the post with its tracking
//! code; the post's delivery, recorded by a clerk or notified by the
//! postal service (signed, checked by the route), is the result's return
//! (9 → 10 at the delivery time, method `post`); a parcel the post could
//! not deliver is recorded and leaves the dossier processed (9), to be
//! sent again or collected. Nothing here moves a due date: the verdict
//! was given when processing ended.

use chrono::{DateTime, Duration, Utc};
use motcua_calendar::{format_local, WorkingCalendar};
use motcua_domain::{postal, Dossier, EventKind, PostalOutcome, ReturnMethod, StaffMember, Status};
use motcua_notify::{DeskMail, Kind};
use motcua_sla::ops::{actor, check_transition, event, lock, require_clerk_of};
use motcua_sla::ClockError;
use motcua_store::events::Actor;
use motcua_store::postal::{self as store, Notice};
use motcua_store::{dossiers, time, DbConnection};
use serde_json::json;

/// How far ahead of the desk's clock a reported time may be (the post's
/// clock may run a little ahead).
const CLOCK_SLACK_MINUTES: i64 = 5;

/// A result handed to the post.
#[derive(Debug, Clone)]
pub struct Dispatch {
    pub tracking_code: String,
    /// When it was handed over; now when not given.
    pub at: Option<DateTime<Utc>>,
    /// Where it goes; the address the citizen gave at intake when not
    /// given.
    pub address: Option<String>,
}

/// What the post reports of the result's parcel.
#[derive(Debug, Clone)]
pub struct Report {
    pub outcome: PostalOutcome,
    pub at: DateTime<Utc>,
    /// Who signed for it, for a delivery.
    pub received_by: Option<String>,
    /// Why it could not be delivered, for a failure.
    pub reason: Option<String>,
}

/// What a postal notification did.
#[derive(Debug, Clone)]
pub struct Notified {
    pub dossier: Dossier,
    /// The notice (or the same outcome) was already recorded: nothing
    /// new was written.
    pub repeat: bool,
}

fn not_ahead(field: &str, at: DateTime<Utc>) -> Result<(), ClockError> {
    if at > time::now() + Duration::minutes(CLOCK_SLACK_MINUTES) {
        return Err(ClockError::invalid(field, "must not be in the future"));
    }
    Ok(())
}

fn text(field: &str, value: Option<&str>, max: usize) -> Result<Option<String>, ClockError> {
    let v = value.map(str::trim).filter(|v| !v.is_empty());
    if v.is_some_and(|v| v.chars().count() > max) {
        return Err(ClockError::invalid(
            field,
            format!("must be at most {max} characters"),
        ));
    }
    Ok(v.map(str::to_string))
}

/// A clerk of the receiving desk hands the processed result to the post.
pub fn dispatch(
    conn: &mut DbConnection,
    staff: &StaffMember,
    code: &str,
    input: &Dispatch,
) -> Result<Dossier, ClockError> {
    let tracking = postal::tracking_code(&input.tracking_code)
        .map_err(|m| ClockError::invalid("tracking_code", m))?;
    let address = text("address", input.address.as_deref(), 500)?;
    let at = input.at.unwrap_or_else(time::now);
    not_ahead("dispatched_at", at)?;
    conn.write_tx(|conn| {
        let d = lock(conn, code)?;
        require_clerk_of(staff, &d, "hand results to the post")?;
        if d.status != Status::Processed {
            return Err(ClockError::Conflict(format!(
                "dossier {} has no result waiting at the desk (status {})",
                d.code,
                d.status.code()
            )));
        }
        motcua_sla::ops::group::require_members_ended(conn, &d)?;
        if d.postal.in_flight() {
            return Err(ClockError::Conflict(format!(
                "the result of {} is already with the post under {}",
                d.code,
                d.postal.outbound_code.as_deref().unwrap_or_default()
            )));
        }
        if d.ended_at.is_some_and(|ended| at < ended) {
            return Err(ClockError::invalid(
                "dispatched_at",
                "must not be before the result was ready",
            ));
        }
        let Some(address) = address.or_else(|| d.postal.return_address.clone()) else {
            return Err(ClockError::invalid(
                "address",
                "the citizen gave no address for the result at intake: give one",
            ));
        };
        if let Some(other) = store::holder_of(conn, &tracking)? {
            if other != d.id {
                return Err(ClockError::Conflict(format!(
                    "tracking code {tracking} is another dossier's"
                )));
            }
        }
        store::dispatched(conn, &d.id, &tracking, at, &address)?;
        event(
            conn,
            &d,
            EventKind::DossierPostalDispatched,
            &actor(staff),
            time::now(),
            json!({
                "status_code": d.status.code(),
                "tracking_code": tracking,
                "dispatched_at": at,
                "address": address,
                "again": d.postal.failed_at.is_some(),
            }),
        )?;
        lock(conn, code)
    })
}

/// A clerk of the receiving desk records what the post reported (the
/// delivery slip came back, or the parcel did).
pub fn record(
    conn: &mut DbConnection,
    calendar: &WorkingCalendar,
    mail: &DeskMail,
    staff: &StaffMember,
    code: &str,
    report: &Report,
) -> Result<Dossier, ClockError> {
    let report = checked(report)?;
    conn.write_tx(|conn| {
        let d = lock(conn, code)?;
        require_clerk_of(staff, &d, "record what the post reported")?;
        let tracking = d.postal.outbound_code.clone().unwrap_or_default();
        apply(conn, calendar, mail, &actor(staff), d, &tracking, &report)?;
        lock(conn, code)
    })
}

/// The postal service's notification (already checked as signed by the
/// route): recorded once per notice id; a repeat, or an outcome the
/// dossier already shows, writes nothing.
pub fn notified(
    conn: &mut DbConnection,
    calendar: &WorkingCalendar,
    mail: &DeskMail,
    notice_id: &str,
    tracking_code: &str,
    report: &Report,
) -> Result<Notified, ClockError> {
    let notice_id = notice_id.trim();
    if notice_id.is_empty() || notice_id.chars().count() > 100 {
        return Err(ClockError::invalid(
            "notice_id",
            "must be given, at most 100 characters",
        ));
    }
    let tracking = postal::tracking_code(tracking_code)
        .map_err(|m| ClockError::invalid("tracking_code", m))?;
    let report = checked(report)?;
    conn.write_tx(|conn| {
        if let Some(seen) = store::notice(conn, notice_id)? {
            let d = dossiers::get(conn, &seen.dossier_id)?.ok_or(ClockError::NotFound)?;
            if seen.tracking_code != tracking || seen.outcome != report.outcome {
                return Err(ClockError::Conflict(format!(
                    "notice {notice_id} was recorded for another parcel or outcome"
                )));
            }
            return Ok(Notified {
                dossier: d,
                repeat: true,
            });
        }
        let code = store::holder_of(conn, &tracking)?
            .and_then(|id| dossiers::get(conn, &id).ok().flatten())
            .map(|d| d.code)
            .ok_or(ClockError::NotFound)?;
        let d = lock(conn, &code)?;
        let already = match report.outcome {
            PostalOutcome::Delivered => d.postal.delivered_at.is_some(),
            PostalOutcome::Failed => d.postal.failed_at.is_some(),
        };
        let post = Actor {
            id: None,
            name: "Bưu chính công ích".into(),
        };
        if !already {
            apply(conn, calendar, mail, &post, d.clone(), &tracking, &report)?;
        }
        store::insert_notice(
            conn,
            &Notice {
                notice_id: notice_id.to_string(),
                dossier_id: d.id.clone(),
                tracking_code: tracking.clone(),
                outcome: report.outcome,
                happened_at: report.at,
                received_at: time::now(),
            },
        )?;
        Ok(Notified {
            dossier: lock(conn, &code)?,
            repeat: already,
        })
    })
}

fn checked(r: &Report) -> Result<Report, ClockError> {
    not_ahead("at", r.at)?;
    let received_by = text("received_by", r.received_by.as_deref(), 200)?;
    let reason = text("reason", r.reason.as_deref(), 1000)?;
    if r.outcome == PostalOutcome::Failed && reason.is_none() {
        return Err(ClockError::invalid(
            "reason",
            "say why the post could not deliver it",
        ));
    }
    Ok(Report {
        received_by,
        reason,
        ..r.clone()
    })
}

/// Writes the post's report on the locked dossier `d`, whose result is
/// with the post under `tracking`.
fn apply(
    conn: &mut DbConnection,
    calendar: &WorkingCalendar,
    mail: &DeskMail,
    who: &Actor,
    d: Dossier,
    tracking: &str,
    report: &Report,
) -> Result<(), ClockError> {
    if !d.postal.in_flight() || d.postal.outbound_code.as_deref() != Some(tracking) {
        return Err(ClockError::Conflict(format!(
            "the result of {} is not with the post{}",
            d.code,
            d.postal
                .outbound_code
                .as_deref()
                .map(|c| format!(" (last parcel {c})"))
                .unwrap_or_default()
        )));
    }
    if d.postal.dispatched_at.is_some_and(|sent| report.at < sent) {
        return Err(ClockError::invalid(
            "at",
            "must not be before the result was handed to the post",
        ));
    }
    let now = time::now();
    match report.outcome {
        PostalOutcome::Failed => {
            let reason = report.reason.clone().unwrap_or_default();
            store::failed(conn, &d.id, report.at, &reason)?;
            event(
                conn,
                &d,
                EventKind::DossierPostalFailed,
                who,
                now,
                json!({"status_code": d.status.code(), "tracking_code": tracking,
                    "failed_at": report.at, "reason": reason}),
            )?;
        }
        PostalOutcome::Delivered => {
            check_transition(d.status, Status::Returned)?;
            let to = report
                .received_by
                .clone()
                .unwrap_or_else(|| d.applicant_name.clone());
            store::delivered(conn, &d.id, report.at)?;
            event(
                conn,
                &d,
                EventKind::DossierPostalDelivered,
                who,
                now,
                json!({"tracking_code": tracking, "delivered_at": report.at, "received_by": to}),
            )?;
            // The delivery is the return: at its time, by post.
            for returned in std::iter::once(d.clone()).chain(
                dossiers::children(conn, &d.id)?
                    .into_iter()
                    .filter(|c| c.status == Status::Processed),
            ) {
                dossiers::set_returned(conn, &returned.id, report.at, &to, ReturnMethod::Post)?;
                dossiers::set_status(conn, &returned.id, Status::Returned, now)?;
                let data = if returned.id == d.id {
                    json!({"status_code": Status::Returned.code(), "collected_by": to,
                        "method": ReturnMethod::Post.as_str(), "returned_at": report.at,
                        "tracking_code": tracking})
                } else {
                    json!({"status_code": Status::Returned.code(), "with_group": d.code})
                };
                event(conn, &returned, EventKind::DossierReturned, who, now, data)?;
            }
            let d = dossiers::get(conn, &d.id)?.ok_or(ClockError::NotFound)?;
            let returned_at = format_local(calendar, report.at);
            mail.citizen(
                conn,
                Kind::Returned,
                &d,
                json!({"returned_at": returned_at}),
            )?;
        }
    }
    Ok(())
}
