//! The agency's steps on a feedback, and the citizen's reply when asked
//! for more information. Each is one transaction: the feedback locked,
//! the step checked against where it stands, the change, its event and the
//! citizen's mail. A step taken after its limit records the breach at
//! once (the scan would only see it while it is still owed).
//!
//! Who may act: an officer of the feedback's agency, or a supervisor of
//! that agency or of one above it. Clerks and administrators read it but
//! take no step.

use chrono::{DateTime, Utc};
use motcua_calendar::WorkingCalendar;
use motcua_domain::feedback::{staff_text, Step};
use motcua_domain::{EventKind, FeedbackStatus, Role, StaffMember};
use motcua_notify::DeskMail;
use motcua_store::events::Actor;
use motcua_store::feedback::{self, Feedback};
use motcua_store::{agencies, DbConnection};

use crate::send::record;
use crate::{due, mail, FeedbackError, FeedbackResult};

/// The agency's decision on a feedback received.
pub enum Decision {
    Accept,
    Refuse { reason: String },
}

/// Accepts (the answer is then due in 15 working days) or refuses (with
/// the reason; it ends there) a feedback received.
pub fn decide(
    conn: &mut DbConnection,
    calendar: &WorkingCalendar,
    desk_mail: &DeskMail,
    staff: &StaffMember,
    reference: &str,
    decision: Decision,
    now: DateTime<Utc>,
) -> FeedbackResult<Feedback> {
    let reason = match &decision {
        Decision::Refuse { reason } => Some(text("reason", reason)?),
        Decision::Accept => None,
    };
    step(
        conn,
        staff,
        reference,
        FeedbackStatus::Received,
        now,
        |conn, f| {
            f.decided_at = Some(now);
            f.decided_by = Some(staff.user_id.clone());
            match reason {
                None => {
                    f.status = FeedbackStatus::Accepted;
                    f.step_due_at = Some(due(calendar, now, Step::Answer));
                }
                Some(reason) => {
                    f.status = FeedbackStatus::Refused;
                    f.refusal_reason = Some(reason);
                    f.step_due_at = None;
                    f.closed_at = Some(now);
                }
            }
            finish(conn, calendar, desk_mail, staff, f, now)
        },
    )
}

/// Asks the citizen for more information on an accepted feedback (once):
/// nothing is owed by the agency until the citizen replies, and the
/// answer is then due 15 working days after the reply. Asked more than 5
/// working days after acceptance, the request's breach is recorded.
pub fn request_information(
    conn: &mut DbConnection,
    calendar: &WorkingCalendar,
    desk_mail: &DeskMail,
    staff: &StaffMember,
    reference: &str,
    question: &str,
    now: DateTime<Utc>,
) -> FeedbackResult<Feedback> {
    let question = text("question", question)?;
    step(
        conn,
        staff,
        reference,
        FeedbackStatus::Accepted,
        now,
        |conn, f| {
            if f.information_requested_at.is_some() {
                return Err(FeedbackError::Conflict(format!(
                    "more information was asked for feedback {} already; answer it",
                    f.reference
                )));
            }
            let accepted = f.decided_at.unwrap_or(f.received_at);
            let limit = due(calendar, accepted, Step::RequestInformation);
            if now > limit {
                feedback::record_breach(conn, f, Step::RequestInformation, limit, now)?;
            }
            f.status = FeedbackStatus::InformationRequested;
            f.information_request = Some(question);
            f.information_requested_at = Some(now);
            f.step_due_at = None;
            finish(conn, calendar, desk_mail, staff, f, now)
        },
    )
}

/// The citizen gives the information asked for (their PIN checked by the
/// caller): the answer is due 15 working days from now.
pub fn give_information(
    conn: &mut DbConnection,
    calendar: &WorkingCalendar,
    desk_mail: &DeskMail,
    reference: &str,
    reply: &str,
    now: DateTime<Utc>,
) -> FeedbackResult<Feedback> {
    let reply = text("reply", reply)?;
    conn.write_tx(|conn| {
        let mut f = feedback::lock(conn, reference)?.ok_or(FeedbackError::NotFound("feedback"))?;
        if f.status != FeedbackStatus::InformationRequested {
            return Err(FeedbackError::Conflict(format!(
                "feedback {} does not wait for information (it is {})",
                f.reference,
                f.status.as_str()
            )));
        }
        f.status = FeedbackStatus::Accepted;
        f.information_reply = Some(reply);
        f.information_given_at = Some(now);
        f.step_due_at = Some(due(calendar, now, Step::Answer));
        f.updated_at = now;
        feedback::update(conn, &f)?;
        record(
            conn,
            &f,
            EventKind::FeedbackInformationGiven,
            &Actor::system("Công dân"),
            now,
        )?;
        mail::citizen(conn, calendar, desk_mail, &f, "accepted", None)?;
        Ok(f)
    })
}

/// Answers an accepted feedback: the answer must be published within 2
/// working days.
pub fn answer(
    conn: &mut DbConnection,
    calendar: &WorkingCalendar,
    desk_mail: &DeskMail,
    staff: &StaffMember,
    reference: &str,
    answer: &str,
    now: DateTime<Utc>,
) -> FeedbackResult<Feedback> {
    let answer = text("answer", answer)?;
    step(
        conn,
        staff,
        reference,
        FeedbackStatus::Accepted,
        now,
        |conn, f| {
            f.status = FeedbackStatus::Answered;
            f.answer = Some(answer);
            f.answered_at = Some(now);
            f.answered_by = Some(staff.user_id.clone());
            f.step_due_at = Some(due(calendar, now, Step::Publish));
            finish(conn, calendar, desk_mail, staff, f, now)
        },
    )
}

/// Publishes an answered feedback with `summary`, the matter as the
/// public may read it (without the citizen's personal data): it ends
/// there.
pub fn publish(
    conn: &mut DbConnection,
    calendar: &WorkingCalendar,
    desk_mail: &DeskMail,
    staff: &StaffMember,
    reference: &str,
    summary: &str,
    now: DateTime<Utc>,
) -> FeedbackResult<Feedback> {
    let summary = text("summary", summary)?;
    step(
        conn,
        staff,
        reference,
        FeedbackStatus::Answered,
        now,
        |conn, f| {
            f.status = FeedbackStatus::Published;
            f.public_summary = Some(summary);
            f.published_at = Some(now);
            f.step_due_at = None;
            f.closed_at = Some(now);
            finish(conn, calendar, desk_mail, staff, f, now)
        },
    )
}

/// Whether a staff member may take the agency's steps on feedback to
/// `agency`.
pub fn may_handle(
    conn: &mut DbConnection,
    staff: &StaffMember,
    agency: &str,
) -> FeedbackResult<bool> {
    Ok(match staff.role {
        Role::Officer => staff.agency.as_str() == agency,
        Role::Supervisor => agencies::with_descendants(conn, staff.agency.as_str())?
            .iter()
            .any(|a| a == agency),
        Role::Clerk | Role::Admin => false,
    })
}

/// One of the agency's steps: locks the feedback, checks who acts and
/// where it stands, records the breach of the step owed if it is late,
/// then lets `change` do the step.
fn step(
    conn: &mut DbConnection,
    staff: &StaffMember,
    reference: &str,
    expected: FeedbackStatus,
    now: DateTime<Utc>,
    change: impl FnOnce(&mut DbConnection, &mut Feedback) -> FeedbackResult<()>,
) -> FeedbackResult<Feedback> {
    conn.write_tx(|conn| {
        let mut f = feedback::lock(conn, reference)?.ok_or(FeedbackError::NotFound("feedback"))?;
        if !may_handle(conn, staff, &f.agency_code)? {
            return Err(FeedbackError::Forbidden(format!(
                "feedback {} is handled by {}: only its officers and the supervisors above it take its steps",
                f.reference, f.agency_code
            )));
        }
        if f.status != expected {
            return Err(FeedbackError::Conflict(format!(
                "feedback {} is {}: this step needs it {}",
                f.reference,
                f.status.as_str(),
                expected.as_str()
            )));
        }
        if let (Some(owed), Some(due_at)) = (f.step_due(), f.step_due_at) {
            if now > due_at {
                feedback::record_breach(conn, &f, owed, due_at, now)?;
            }
        }
        change(conn, &mut f)?;
        Ok(f)
    })
}

/// Writes the step the feedback's new status says, its event and the
/// citizen's mail.
fn finish(
    conn: &mut DbConnection,
    calendar: &WorkingCalendar,
    desk_mail: &DeskMail,
    staff: &StaffMember,
    f: &mut Feedback,
    now: DateTime<Utc>,
) -> FeedbackResult<()> {
    let (kind, text) = match f.status {
        FeedbackStatus::Accepted => (EventKind::FeedbackAccepted, None),
        FeedbackStatus::Refused => (EventKind::FeedbackRefused, f.refusal_reason.clone()),
        FeedbackStatus::InformationRequested => (
            EventKind::FeedbackInformationRequested,
            f.information_request.clone(),
        ),
        FeedbackStatus::Answered => (EventKind::FeedbackAnswered, f.answer.clone()),
        FeedbackStatus::Published => (EventKind::FeedbackPublished, None),
        FeedbackStatus::Received => {
            return Err(FeedbackError::Conflict(format!(
                "feedback {} took no step",
                f.reference
            )))
        }
    };
    f.updated_at = now;
    feedback::update(conn, f)?;
    let actor = Actor {
        id: Some(staff.user_id.clone()),
        name: staff.name.clone(),
    };
    record(conn, f, kind, &actor, now)?;
    mail::citizen(
        conn,
        calendar,
        desk_mail,
        f,
        f.status.as_str(),
        text.as_deref(),
    )
}

/// A staff member's or the citizen's text, checked.
fn text(field: &str, value: &str) -> FeedbackResult<String> {
    staff_text(field, value).map_err(|e| FeedbackError::Invalid(vec![e.into_field_error(field)]))
}
