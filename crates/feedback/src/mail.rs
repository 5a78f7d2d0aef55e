//! The citizen's mail at each step (when they gave an address): the step,
//! its text (a reason, a question, the answer), the next deadline, and the
//! follow-up address (never the PIN).

use motcua_calendar::{format_local, WorkingCalendar};
use motcua_notify::{DeskMail, Kind};
use motcua_store::feedback::Feedback;
use motcua_store::{agencies, DbConnection};
use serde_json::json;

use crate::FeedbackResult;

/// The public follow-up page of a feedback (the PIN is asked there).
pub fn follow_url(mail: &DeskMail, reference: &str) -> String {
    format!(
        "{}/phan-anh/theo-doi?reference={reference}",
        mail.base_url()
    )
}

/// Mails the citizen that the feedback took `step` (a status name), with
/// `text` when the step has one.
pub fn citizen(
    conn: &mut DbConnection,
    calendar: &WorkingCalendar,
    mail: &DeskMail,
    f: &Feedback,
    step: &str,
    text: Option<&str>,
) -> FeedbackResult<()> {
    let agency_name = agencies::get(conn, &f.agency_code)?.map(|a| a.name);
    let mut data = json!({
        "reference": f.reference,
        "matter": f.subject,
        "step": step,
        "follow_url": follow_url(mail, &f.reference),
        "agency_name": agency_name,
    });
    if let Some(due) = f.step_due_at {
        data["due_at"] = json!(format_local(calendar, due));
    }
    if let Some(text) = text {
        data["text"] = json!(text);
    }
    mail.applicant(
        conn,
        Kind::FeedbackUpdate,
        f.email.as_deref(),
        &f.name,
        data,
    )?;
    Ok(())
}
