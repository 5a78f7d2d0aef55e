//! Interlinked groups (liên thông): a parent dossier for the citizen and a
//! child per member procedure, each with its own clock, under one overall
//! appointment. The parent follows its children: it starts processing when
//! the first child does, and ends when the last child ends, judged against
//! its own appointment and late if any child was late.

use chrono::{DateTime, Utc};
use motcua_domain::Dossier;
use motcua_domain::EventKind;
use motcua_domain::Status;
use motcua_store::dossiers;
use motcua_store::events::Actor;
use motcua_store::DbConnection;
use serde_json::json;

use super::{event, lock};
use crate::{ledger, ClockError};
use motcua_calendar::WorkingCalendar;
use motcua_calendar::{Judge, Verdict};
use motcua_notify::DeskMail;

/// A group ends with its members: it is not marked processed or stopped,
/// nor returned, while a member is still open at its agency (a member
/// left open would stay on worklists after the group's result went back).
/// The conflict names every open member and its status.
pub fn require_members_ended(conn: &mut DbConnection, group: &Dossier) -> Result<(), ClockError> {
    let open: Vec<String> = dossiers::children(conn, &group.id)?
        .into_iter()
        .filter(|c| c.status.is_open())
        .map(|c| {
            format!(
                "{} ({} {}, at {})",
                c.code,
                c.status.code(),
                c.status.name(),
                c.handling_agency
            )
        })
        .collect();
    if open.is_empty() {
        return Ok(());
    }
    Err(ClockError::Conflict(format!(
        "group {} still has open member dossiers: {}; each is decided by its own agency, and the group ends when the last one does",
        group.code,
        open.join(", ")
    )))
}

/// Moves the parent to processing when one of its children starts.
pub fn child_started(
    conn: &mut DbConnection,
    child: &Dossier,
    actor: &Actor,
    at: DateTime<Utc>,
) -> Result<(), ClockError> {
    let Some(parent_id) = &child.parent_id else {
        return Ok(());
    };
    let Some(parent) = dossiers::get(conn, parent_id)? else {
        return Ok(());
    };
    let parent = lock(conn, &parent.code)?;
    if parent.status == Status::Received {
        dossiers::set_status(conn, &parent.id, Status::Processing, at)?;
        event(
            conn,
            &parent,
            EventKind::DossierProcessing,
            actor,
            at,
            json!({"status_code": Status::Processing.code(), "cause": format!("member dossier {} started", child.code)}),
        )?;
    }
    Ok(())
}

/// Ends the parent once every child has ended: processed (9) if any child
/// was processed, else stopped (8).
pub fn child_ended(
    conn: &mut DbConnection,
    calendar: &WorkingCalendar,
    mail: &DeskMail,
    child: &Dossier,
    actor: &Actor,
    at: DateTime<Utc>,
) -> Result<(), ClockError> {
    let Some(parent_id) = &child.parent_id else {
        return Ok(());
    };
    let Some(parent) = dossiers::get(conn, parent_id)? else {
        return Ok(());
    };
    let parent = lock(conn, &parent.code)?;
    let children = dossiers::children(conn, &parent.id)?;
    if children.iter().any(|c| c.status.is_open()) {
        return Ok(());
    }
    let to = if children
        .iter()
        .any(|c| matches!(c.status, Status::Processed | Status::Returned))
    {
        Status::Processed
    } else {
        Status::Stopped
    };
    if !parent.status.can_move_to(to) {
        return Ok(());
    }
    let procedure = ledger::procedure_of(conn, &parent)?;
    let state = ledger::state(conn, calendar, &parent, &procedure)?;
    let any_late = children.iter().any(|c| c.verdict == Some(Verdict::Late));
    let verdict = Verdict::judge(
        calendar,
        at,
        state.verdict_due,
        any_late || parent.supplement_requests >= 2,
    );
    dossiers::set_ended(conn, &parent.id, at, verdict, "")?;
    dossiers::set_status(conn, &parent.id, to, at)?;
    event(
        conn,
        &parent,
        super::finish::ended_event(to)?,
        actor,
        at,
        json!({
            "status_code": to.code(),
            "verdict": verdict,
            "verdict_due_at": state.verdict_due,
            "cause": "every member dossier ended",
            "members": children.iter().map(|c| json!({"code": c.code, "status_code": c.status.code(), "verdict": c.verdict})).collect::<Vec<_>>(),
        }),
    )?;
    // The citizen follows the group: its end is their result (or its
    // stop, with each member's reason).
    let reason = children
        .iter()
        .filter(|c| c.status == Status::Stopped)
        .map(|c| format!("{}: {}", c.code, c.result_note))
        .collect::<Vec<_>>()
        .join("; ");
    let reason = if reason.is_empty() {
        // Every member was withdrawn: no officer wrote a reason.
        "Các hồ sơ thành phần đều đã kết thúc mà không có kết quả".to_string()
    } else {
        reason
    };
    let ended = lock(conn, &parent.code)?;
    super::finish::ended_mail(conn, mail, &ended, to, &reason)?;
    Ok(())
}
