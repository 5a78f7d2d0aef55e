//! A citizen sends feedback: about a dossier (whose code and PIN the
//! caller has checked: it goes to the agency holding the dossier), or to
//! an agency, optionally about one of its procedures. It gets a reference
//! and a PIN to follow it, and the agency owes its acceptance or refusal
//! within two working days.

use chrono::{DateTime, Utc};
use motcua_calendar::WorkingCalendar;
use motcua_domain::feedback::Step;
use motcua_domain::{Dossier, EventKind, FeedbackStatus, FieldError, NewFeedback};
use motcua_intake::PinHasher;
use motcua_notify::DeskMail;
use motcua_store::events::{self, Actor, NewEvent};
use motcua_store::feedback::{self, Feedback};
use motcua_store::{agencies, counters, procedures, DbConnection};
use serde_json::json;

use crate::{due, mail, FeedbackError, FeedbackResult};

/// What the feedback is about.
pub enum About {
    /// A dossier, its PIN checked by the caller.
    Dossier(Box<Dossier>),
    /// An agency, and perhaps one of its procedures.
    Agency {
        agency: String,
        procedure: Option<String>,
    },
}

/// A feedback recorded, with its PIN (shown once).
#[derive(Debug, Clone)]
pub struct Sent {
    pub feedback: Feedback,
    pub pin: String,
}

/// Records a citizen's feedback: one transaction with its event and the
/// citizen's mail.
pub fn send(
    conn: &mut DbConnection,
    calendar: &WorkingCalendar,
    desk_mail: &DeskMail,
    pins: &PinHasher,
    new: NewFeedback,
    about: About,
    now: DateTime<Utc>,
) -> FeedbackResult<Sent> {
    conn.write_tx(|conn| {
        let (dossier_id, agency_code, procedure_code) = match &about {
            About::Dossier(d) => (
                Some(d.id.clone()),
                d.handling_agency.clone(),
                Some(d.procedure_code.clone()),
            ),
            About::Agency { agency, procedure } => {
                let mut errors = Vec::new();
                if agencies::get(conn, agency)?.is_none() {
                    errors.push(FieldError::new("agency", "no agency has this code"));
                }
                if let Some(p) = procedure {
                    if procedures::get(conn, p)?.is_none() {
                        errors.push(FieldError::new("procedure", "no procedure has this code"));
                    }
                }
                if !errors.is_empty() {
                    return Err(FeedbackError::Invalid(errors));
                }
                (None, agency.clone(), procedure.clone())
            }
        };
        let day = calendar.local_date(now).format("%y%m%d").to_string();
        let n = counters::next(conn, &format!("feedback:{day}"))?;
        let reference = format!("PA-{day}-{n:04}");
        let pin = PinHasher::generate();
        let f = Feedback {
            id: uuid::Uuid::now_v7().to_string(),
            pin_hash: pins.hash(&reference, &pin),
            reference,
            name: new.name,
            email: new.email,
            phone: new.phone,
            subject: new.subject,
            content: new.content,
            dossier_id,
            agency_code,
            procedure_code,
            status: FeedbackStatus::Received,
            step_due_at: Some(due(calendar, now, Step::Accept)),
            received_at: now,
            decided_at: None,
            decided_by: None,
            refusal_reason: None,
            information_request: None,
            information_requested_at: None,
            information_reply: None,
            information_given_at: None,
            answer: None,
            answered_at: None,
            answered_by: None,
            public_summary: None,
            published_at: None,
            closed_at: None,
            updated_at: now,
        };
        feedback::insert(conn, &f)?;
        record(
            conn,
            &f,
            EventKind::FeedbackReceived,
            &Actor::system("Công dân"),
            now,
        )?;
        mail::citizen(conn, calendar, desk_mail, &f, "received", None)?;
        Ok(Sent { feedback: f, pin })
    })
}

/// The event of a feedback's step: about the feedback, and about its
/// dossier when it has one (so the dossier's history shows it and the
/// report counts the complaint).
pub(crate) fn record(
    conn: &mut DbConnection,
    f: &Feedback,
    kind: EventKind,
    actor: &Actor,
    at: DateTime<Utc>,
) -> FeedbackResult<()> {
    events::append(
        conn,
        &NewEvent {
            subject_type: "feedback",
            subject_id: &f.id,
            dossier_id: f.dossier_id.as_deref(),
            kind,
            actor,
            at,
            data: json!({
                "reference": f.reference,
                "status": f.status.as_str(),
                "agency": f.agency_code,
                "step_due_at": f.step_due_at,
            }),
        },
    )?;
    Ok(())
}
