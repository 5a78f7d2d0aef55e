//! Online submissions (docs/desk.md, Receiving at the counter; status 1): a citizen files from a
//! portal without logging in; the receiving desk accepts it (a dossier
//! code, a receipt, and the clock starts at acceptance) or refuses it with
//! a written reason (status 3).

use chrono::{DateTime, Utc};
use motcua_calendar::WorkingCalendar;
use motcua_domain::EventKind;
use motcua_domain::{Channel, Role, StaffMember, Status};
use motcua_store::events::{Actor, NewEvent};
use motcua_store::submissions::{self, Submission};
use motcua_store::{dossiers, events, procedures, time, DbConnection};
use serde_json::json;

use motcua_calendar::format_local;
use motcua_notify::{DeskMail, Kind};
use motcua_store::{agencies, users};

use crate::receive::{check, check_complete, log, Completeness};
use crate::{IntakeError, IntakeRequest, PinHasher, ReceivedDossier};

#[derive(Debug, Clone)]
pub struct Submitted {
    pub submission: Submission,
    /// Shown once, to follow the submission by reference and PIN.
    pub pin: String,
    /// Documents the published list requires and the submission lacks:
    /// the desk will refuse it unless they arrive.
    pub missing: Vec<motcua_domain::MissingDocument>,
}

/// Records an online submission. The procedure must allow online filing.
pub fn submit(
    conn: &mut DbConnection,
    pins: &PinHasher,
    req: &IntakeRequest,
    client_addr: &str,
) -> Result<Submitted, IntakeError> {
    // Filed online, whatever the body says: no inbound parcel.
    let checked = check(&IntakeRequest {
        channel: Channel::Online,
        ..req.clone()
    })?;
    if req.paper_receipt.is_some() {
        return Err(IntakeError::Invalid(vec![crate::FieldError::new(
            "paper_receipt",
            "only a desk logs a paper receipt, after an outage",
        )]));
    }
    let procedure = procedures::get(conn, req.procedure.trim())?
        .ok_or_else(|| IntakeError::UnknownProcedure(req.procedure.clone()))?;
    let procedure = crate::receive::of_case(
        &procedure,
        &IntakeRequest {
            channel: Channel::Online,
            ..req.clone()
        },
    )?;
    crate::represent::allowed_by(&procedure, checked.representative.is_some())?;
    if !procedure.online_allowed() {
        return Err(IntakeError::Invalid(vec![crate::FieldError::new(
            "procedure",
            format!("procedure {} cannot be filed online", procedure.code),
        )]));
    }
    let unknown = procedure.unknown_documents(&req.documents);
    if !unknown.is_empty() {
        return Err(IntakeError::Invalid(vec![crate::FieldError::new(
            "documents",
            format!("not on the published list: {}", unknown.join(", ")),
        )]));
    }
    let missing = procedure.missing_documents(&req.documents);
    let id = uuid::Uuid::now_v7().to_string();
    let pin = PinHasher::generate();
    let now = time::now();
    let submission = Submission {
        pin_hash: pins.hash(&id, &pin),
        id,
        procedure_code: procedure.code.to_string(),
        procedure_version: procedure.version,
        agency_code: procedure.agency.to_string(),
        applicant: json!(req.applicant),
        documents: json!(req.documents),
        status_code: Status::Submitted.code(),
        client_addr: client_addr.to_string(),
        submitted_at: now,
        decided_by: None,
        decided_at: None,
        refusal_reason: None,
        dossier_id: None,
        case_code: req.case.as_deref().map(str::trim).map(str::to_string),
        representative: req.representative.as_ref().map(|r| json!(r)),
        postal_return_address: checked.postal.return_address.clone(),
    };
    conn.write_tx(|conn| -> Result<(), IntakeError> {
        submissions::insert(conn, &submission)?;
        events::append(
            conn,
            &NewEvent {
                subject_type: "submission",
                subject_id: &submission.id,
                dossier_id: None,
                kind: EventKind::SubmissionReceived,
                actor: &Actor::system("online"),
                at: now,
                data: json!({"procedure": submission.procedure_code, "status_code": 1}),
            },
        )?;
        Ok(())
    })?;
    Ok(Submitted {
        submission,
        pin,
        missing,
    })
}

fn pending_at_desk(
    conn: &mut DbConnection,
    clerk: &StaffMember,
    id: &str,
) -> Result<Submission, IntakeError> {
    if clerk.role != Role::Clerk {
        return Err(IntakeError::Forbidden(
            "only counter clerks decide on submissions".into(),
        ));
    }
    let s = submissions::get(conn, id)?.ok_or(IntakeError::NotFound)?;
    if s.agency_code != clerk.agency.as_str() {
        return Err(IntakeError::Forbidden(format!(
            "the submission is addressed to {}, not to your agency {}",
            s.agency_code, clerk.agency
        )));
    }
    if s.status_code != Status::Submitted.code() {
        return Err(IntakeError::Conflict(format!(
            "the submission was already decided (status {})",
            s.status_code
        )));
    }
    Ok(s)
}

/// The desk accepts: the dossier is logged as if at the counter, through
/// the online channel, and the clock starts now; the citizen gets the
/// receipt mail. An incomplete submission is refused instead (422).
pub fn accept(
    conn: &mut DbConnection,
    calendar: &WorkingCalendar,
    pins: &PinHasher,
    mail: &DeskMail,
    clerk: &StaffMember,
    id: &str,
) -> Result<ReceivedDossier, IntakeError> {
    conn.write_tx(|conn| {
        let s = pending_at_desk(conn, clerk, id)?;
        let req = IntakeRequest {
            procedure: s.procedure_code.clone(),
            applicant: serde_json::from_value(s.applicant.clone())
                .map_err(|e| IntakeError::Store(e.into()))?,
            documents: serde_json::from_value(s.documents.clone())
                .map_err(|e| IntakeError::Store(e.into()))?,
            channel: Channel::Online,
            agency: None,
            note: Some(format!("Nộp trực tuyến, mã tham chiếu {}", s.id)),
            case: s.case_code.clone(),
            paper_receipt: None,
            representative: s
                .representative
                .clone()
                .map(serde_json::from_value)
                .transpose()
                .map_err(|e| IntakeError::Store(e.into()))?,
            post: s
                .postal_return_address
                .clone()
                .map(|a| crate::receive::PostInput {
                    tracking_code: None,
                    result_address: Some(a),
                }),
        };
        let complete = match check_complete(conn, clerk, &req)? {
            Completeness::Complete(c) => c,
            // Nothing to hand a slip to: the citizen is not at the desk.
            // The desk refuses it in writing instead.
            Completeness::Missing(_, missing) => {
                return Err(IntakeError::Incomplete {
                    slip_id: None,
                    missing,
                })
            }
        };
        let mut received = log(conn, calendar, pins, clerk, &req, complete)?;
        let now = time::now();
        // The citizen keeps following the dossier with the PIN of the
        // submission (see `motcua_store::lookup`); no new PIN is
        // issued, since none could reach them.
        dossiers::set_pin_hash(conn, &received.dossier.id, &s.pin_hash, now)?;
        received.dossier.pin_hash = s.pin_hash.clone();
        received.pin = String::new();
        if !submissions::decide(
            conn,
            &s.id,
            Status::Received.code(),
            &clerk.user_id,
            now,
            None,
            Some(&received.dossier.id),
        )? {
            return Err(IntakeError::Conflict(
                "the submission was decided meanwhile".into(),
            ));
        }
        // The same receipt mail as a counter intake.
        mail.receipt(conn, calendar, &received.dossier)?;
        Ok(received)
    })
}

/// The desk refuses with a written reason (status 3): the notice to
/// print, and the same notice by mail to a citizen who gave an address.
pub fn refuse(
    conn: &mut DbConnection,
    calendar: &WorkingCalendar,
    mail: &DeskMail,
    clerk: &StaffMember,
    id: &str,
    reason: &str,
) -> Result<RefusalNotice, IntakeError> {
    if reason.trim().is_empty() {
        return Err(IntakeError::Invalid(vec![crate::FieldError::new(
            "reason",
            "is required: it is printed on the refusal notice",
        )]));
    }
    conn.write_tx(|conn| {
        let s = pending_at_desk(conn, clerk, id)?;
        let now = time::now();
        if !submissions::decide(
            conn,
            &s.id,
            Status::Refused.code(),
            &clerk.user_id,
            now,
            Some(reason.trim()),
            None,
        )? {
            return Err(IntakeError::Conflict(
                "the submission was decided meanwhile".into(),
            ));
        }
        events::append(
            conn,
            &NewEvent {
                subject_type: "submission",
                subject_id: &s.id,
                dossier_id: None,
                kind: EventKind::SubmissionRefused,
                actor: &Actor {
                    id: Some(clerk.user_id.clone()),
                    name: clerk.name.clone(),
                },
                at: now,
                data: json!({"status_code": 3, "reason": reason.trim()}),
            },
        )?;
        let s = submissions::get(conn, id)?.ok_or(IntakeError::NotFound)?;
        let n = RefusalNotice::load(conn, calendar, &s)?;
        mail.applicant(
            conn,
            Kind::Refused,
            s.applicant["email"].as_str(),
            &n.applicant_name,
            json!({
                "code": s.id,
                "reason": n.reason,
                "procedure_name": n.procedure_name,
                "agency_name": n.agency_name,
                "lookup_url": mail.submission_url(&s.id),
            }),
        )?;
        Ok(n)
    })
}

/// The written refusal (status 3), printable.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct RefusalNotice {
    pub reference: String,
    pub agency_name: String,
    pub applicant_name: String,
    pub procedure_name: String,
    pub submitted_at: DateTime<Utc>,
    pub submitted_at_local: String,
    pub reason: String,
    pub decided_at: DateTime<Utc>,
    pub decided_at_local: String,
    pub decided_by: String,
}

impl RefusalNotice {
    /// The notice of a refused submission, with the names it prints.
    pub fn load(
        conn: &mut DbConnection,
        calendar: &WorkingCalendar,
        s: &Submission,
    ) -> Result<RefusalNotice, IntakeError> {
        let agency =
            agencies::get(conn, &s.agency_code)?.map_or_else(|| s.agency_code.clone(), |a| a.name);
        let procedure = procedures::get_version(conn, &s.procedure_code, s.procedure_version)?
            .map_or_else(|| s.procedure_code.clone(), |p| p.name);
        let by = match &s.decided_by {
            Some(id) => users::get(conn, id)?
                .map(|u| u.full_name)
                .unwrap_or_default(),
            None => String::new(),
        };
        let decided_at = s.decided_at.ok_or(IntakeError::NotFound)?;
        Ok(RefusalNotice {
            reference: s.id.clone(),
            agency_name: agency,
            applicant_name: s.applicant["name"].as_str().unwrap_or_default().to_string(),
            procedure_name: procedure,
            submitted_at: s.submitted_at,
            submitted_at_local: format_local(calendar, s.submitted_at),
            reason: s.refusal_reason.clone().unwrap_or_default(),
            decided_at,
            decided_at_local: format_local(calendar, decided_at),
            decided_by: by,
        })
    }

    pub fn to_html(&self) -> Result<String, minijinja::Error> {
        motcua_papers::render(
            motcua_papers::Paper::Refusal,
            minijinja::context! { n => self },
        )
    }
}
