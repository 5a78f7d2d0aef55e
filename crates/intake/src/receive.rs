//! Logging a dossier at the counter: check, number, time, record — in one
//! transaction.

use chrono::{DateTime, Datelike, Utc};
use motcua_calendar::WorkingCalendar;
use motcua_domain::Dossier;
use motcua_domain::EventKind;
use motcua_domain::{
    Channel, DossierCode, MissingDocument, Procedure, Role, Status, SubmittedDocument,
};
use motcua_store::events::{Actor, NewEvent};
use motcua_store::guidance::GuidanceSlip;
use motcua_store::{clock, counters, dossiers, events, guidance, procedures, time, DbConnection};
use serde::Deserialize;
use serde_json::json;

use motcua_notify::DeskMail;

use crate::validate;
use crate::{FieldError, IntakeError, PinHasher};

/// The staff member logging the dossier.
pub use motcua_domain::StaffMember as Clerk;

/// The applicant as the counter sends it; validated into
/// [`motcua_domain::Applicant`].
#[derive(Debug, Clone, Deserialize, serde::Serialize, utoipa::ToSchema)]
pub struct ApplicantInput {
    /// Full name of the citizen or the business.
    #[schema(max_length = 200)]
    pub name: String,
    /// Citizen id (12 digits), former id (9), passport or business number.
    #[schema(max_length = 20)]
    pub id_number: String,
    #[schema(max_length = 32)]
    pub phone: Option<String>,
    #[schema(max_length = 254)]
    pub email: Option<String>,
    #[schema(max_length = 500)]
    pub address: Option<String>,
}

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
pub struct IntakeRequest {
    /// Procedure code from the catalogue.
    #[schema(max_length = 64)]
    pub procedure: String,
    pub applicant: ApplicantInput,
    /// Documents handed in, by the procedure's document codes.
    #[serde(default)]
    #[schema(max_items = 100)]
    pub documents: Vec<SubmittedDocument>,
    /// Receiving channel; `counter` when omitted.
    #[serde(default = "default_channel")]
    pub channel: Channel,
    /// Receiving agency; the clerk's own agency when omitted. A clerk can
    /// only log dossiers at their own agency.
    #[schema(max_length = 64)]
    pub agency: Option<String>,
    /// Free note printed in the tracking book.
    #[schema(max_length = 1000)]
    pub note: Option<String>,
    /// The procedure's case (trường hợp), for a procedure with cases:
    /// its documents, time limit, fees and plan apply.
    #[serde(default)]
    #[schema(max_length = 32)]
    pub case: Option<String>,
    /// Logged after an outage (docs/dossier-code.md, Reserved codes): the
    /// reserved code and the real receipt time printed on the paper
    /// receipt. The dossier keeps that code and its clock counts from
    /// that time.
    #[serde(default)]
    pub paper_receipt: Option<crate::reserved::PaperReceipt>,
    /// Who files for the applicant under an authorisation (ủy quyền),
    /// when the applicant does not file in person; refused for a
    /// procedure that allows no representative (docs/representation.md).
    #[serde(default)]
    pub representative: Option<crate::RepresentativeInput>,
    /// By post (bưu chính công ích, docs/post.md): the tracking code of
    /// the parcel the dossier came in (channel `post` only) and the
    /// address the result is to be sent to.
    #[serde(default)]
    pub post: Option<PostInput>,
}

/// What the post has to do with a dossier at intake.
#[derive(Debug, Clone, Default, Deserialize, serde::Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PostInput {
    /// The tracking code of the parcel the dossier came in (channel
    /// `post`).
    #[serde(default)]
    #[schema(max_length = 64, example = "EI123456785VN")]
    pub tracking_code: Option<String>,
    /// Where the citizen wants the result sent by post; omitted: they
    /// collect it at the desk.
    #[serde(default)]
    #[schema(max_length = 500, example = "Ấp 2, xã An Trường, huyện Càng Long")]
    pub result_address: Option<String>,
}

fn default_channel() -> Channel {
    Channel::Counter
}

/// A dossier just logged, with its PIN in clear: the only moment the PIN
/// exists outside the citizen's receipt.
#[derive(Debug, Clone)]
pub struct ReceivedDossier {
    pub dossier: Dossier,
    pub pin: String,
    pub procedure: Procedure,
}

pub(crate) struct Checked {
    pub(crate) applicant_name: String,
    pub(crate) id_number: String,
    pub(crate) phone: Option<String>,
    pub(crate) email: Option<String>,
    pub(crate) address: Option<String>,
    pub(crate) note: String,
    pub(crate) representative: Option<motcua_domain::Representative>,
    pub(crate) postal: motcua_domain::Postal,
}

/// The post's part of an intake: an inbound tracking code only for a
/// dossier that came by post.
fn postal(errors: &mut Vec<FieldError>, req: &IntakeRequest) -> motcua_domain::Postal {
    let Some(post) = &req.post else {
        return motcua_domain::Postal::default();
    };
    let inbound = validate::optional(
        errors,
        "post.tracking_code",
        post.tracking_code.as_deref(),
        64,
    )
    .and_then(|code| {
        if req.channel != Channel::Post {
            errors.push(FieldError::new(
                "post.tracking_code",
                "only a dossier received by post (channel post) has an inbound parcel",
            ));
            return None;
        }
        motcua_domain::postal::tracking_code(&code)
            .map_err(|m| errors.push(FieldError::new("post.tracking_code", m)))
            .ok()
    });
    motcua_domain::Postal {
        inbound_code: inbound,
        return_address: validate::optional(
            errors,
            "post.result_address",
            post.result_address.as_deref(),
            500,
        ),
        ..motcua_domain::Postal::default()
    }
}

/// The latest date an authorisation may bear: today wherever on Earth it
/// is today, so a paper dated this morning in Hà Nội passes before the
/// UTC date has turned.
fn latest_issue_date() -> chrono::NaiveDate {
    (time::now() + chrono::Duration::hours(14)).date_naive()
}

pub(crate) fn check(req: &IntakeRequest) -> Result<Checked, IntakeError> {
    let mut errors = Vec::new();
    if req.procedure.trim().is_empty() {
        errors.push(FieldError::new("procedure", "is required"));
    }
    let a = &req.applicant;
    let checked = Checked {
        applicant_name: validate::required(&mut errors, "applicant.name", &a.name, 200),
        id_number: validate::id_number(&mut errors, "applicant.id_number", &a.id_number),
        phone: validate::phone(&mut errors, "applicant.phone", a.phone.as_deref()),
        email: validate::email(&mut errors, "applicant.email", a.email.as_deref()),
        address: validate::optional(&mut errors, "applicant.address", a.address.as_deref(), 500),
        note: validate::optional(&mut errors, "note", req.note.as_deref(), 1000)
            .unwrap_or_default(),
        representative: None,
        postal: postal(&mut errors, req),
    };
    let representative = req
        .representative
        .as_ref()
        .map(|r| crate::represent::check(&mut errors, r, &checked.id_number, latest_issue_date()));
    let checked = Checked {
        representative,
        ..checked
    };
    if req.documents.len() > 100 {
        errors.push(FieldError::new("documents", "at most 100 entries"));
    }
    for (i, d) in req.documents.iter().enumerate() {
        if d.original == 0 && d.copies == 0 {
            errors.push(FieldError::new(
                format!("documents[{i}]"),
                "needs at least one original or one copy",
            ));
        }
        if d.original > 100 || d.copies > 100 {
            errors.push(FieldError::new(
                format!("documents[{i}]"),
                "at most 100 originals and 100 copies",
            ));
        }
    }
    if errors.is_empty() {
        Ok(checked)
    } else {
        Err(IntakeError::Invalid(errors))
    }
}

/// Receives a dossier at the counter. A complete dossier gets a code, a
/// PIN, a receipt and a due time, written in one transaction with its
/// event and its receipt mail. An incomplete one gets a recorded guidance
/// slip (committed on its own) and [`IntakeError::Incomplete`]; no code
/// is issued.
pub fn receive(
    conn: &mut DbConnection,
    calendar: &WorkingCalendar,
    pins: &PinHasher,
    mail: &DeskMail,
    clerk: &Clerk,
    req: &IntakeRequest,
) -> Result<ReceivedDossier, IntakeError> {
    match check_complete(conn, clerk, req)? {
        Completeness::Missing(c, missing) => {
            record_guidance(conn, clerk, req, &c.procedure, &c.checked, missing)
        }
        Completeness::Complete(c) => conn.write_tx(|conn| {
            let received = log(conn, calendar, pins, clerk, req, c)?;
            mail.receipt(conn, calendar, &received.dossier)?;
            Ok(received)
        }),
    }
}

/// A request that passed every check, with what logging it needs.
pub(crate) struct Complete {
    procedure: Procedure,
    checked: Checked,
    members: Vec<Procedure>,
}

/// Whether the documents handed in are all the procedure requires.
pub(crate) enum Completeness {
    Complete(Complete),
    Missing(Complete, Vec<MissingDocument>),
}

/// The procedure as it applies to the request's case (docs/catalogue.md,
/// Cases): a procedure with cases needs one of them, one without none.
pub(crate) fn of_case(
    procedure: &Procedure,
    req: &IntakeRequest,
) -> Result<Procedure, IntakeError> {
    procedure
        .for_case(
            req.case.as_deref().map(str::trim),
            req.channel == motcua_domain::Channel::Online,
        )
        .map_err(|e| match e {
            motcua_domain::DomainError::Invalid { field, message } => {
                IntakeError::Invalid(vec![FieldError::new(field, message)])
            }
            other => IntakeError::Invalid(vec![FieldError::new("case", other.to_string())]),
        })
}

/// Checks the caller, the fields, the procedure and the documents; reads
/// only.
pub(crate) fn check_complete(
    conn: &mut DbConnection,
    clerk: &Clerk,
    req: &IntakeRequest,
) -> Result<Completeness, IntakeError> {
    if !matches!(clerk.role, Role::Clerk) {
        return Err(IntakeError::Forbidden(
            "only counter clerks log dossiers".into(),
        ));
    }
    if let Some(agency) = &req.agency {
        if agency != clerk.agency.as_str() {
            return Err(IntakeError::Forbidden(format!(
                "clerks of {} cannot log dossiers at {agency}",
                clerk.agency
            )));
        }
    }
    let checked = check(req)?;
    let procedure = procedures::get(conn, req.procedure.trim())?
        .ok_or_else(|| IntakeError::UnknownProcedure(req.procedure.clone()))?;
    let procedure = of_case(&procedure, req)?;
    crate::represent::allowed_by(&procedure, checked.representative.is_some())?;
    // Another desk receives only a procedure open to any desk, and not
    // an interlinked group, whose members each go their own way
    // (docs/desk.md, Intake at any desk).
    if procedure.agency != clerk.agency && (!procedure.any_desk || !procedure.members.is_empty()) {
        return Err(IntakeError::Forbidden(format!(
            "procedure {} is received at {}, not at {}",
            procedure.code, procedure.agency, clerk.agency
        )));
    }
    let unknown = procedure.unknown_documents(&req.documents);
    if !unknown.is_empty() {
        return Err(IntakeError::Invalid(
            unknown
                .into_iter()
                .map(|c| {
                    FieldError::new(
                        "documents",
                        format!("{c:?} is not on the published list of procedure {}; the desk may not ask for or log other papers", procedure.code),
                    )
                })
                .collect(),
        ));
    }
    let missing = procedure.missing_documents(&req.documents);
    // An interlinked group: one child dossier per member procedure.
    let members = procedure
        .members
        .iter()
        .map(|code| {
            procedures::get(conn, code.as_str())?.ok_or_else(|| {
                IntakeError::Store(motcua_store::StoreError::Corrupt(format!(
                    "member procedure {code} of group {} is missing",
                    procedure.code
                )))
            })
        })
        .collect::<Result<Vec<_>, _>>()?;
    let complete = Complete {
        procedure,
        checked,
        members,
    };
    Ok(if missing.is_empty() {
        Completeness::Complete(complete)
    } else {
        Completeness::Missing(complete, missing)
    })
}

/// Numbers, times and records a complete dossier (and its group's
/// members) with its events, in the caller's transaction.
pub(crate) fn log(
    conn: &mut DbConnection,
    calendar: &WorkingCalendar,
    pins: &PinHasher,
    clerk: &Clerk,
    req: &IntakeRequest,
    complete: Complete,
) -> Result<ReceivedDossier, IntakeError> {
    let Complete {
        procedure,
        checked,
        members,
    } = complete;
    let pin = PinHasher::generate();
    let actor = Actor {
        id: Some(clerk.user_id.clone()),
        name: clerk.name.clone(),
    };
    let dossier = {
        let logged_at = time::now();
        let agency = clerk.agency.as_str();
        // After an outage the paper receipt's code and time stand.
        let reserved = match &req.paper_receipt {
            Some(paper) => Some((
                crate::reserved::check(conn, calendar, agency, paper, logged_at)?,
                paper.received_at,
            )),
            None => None,
        };
        let now = reserved.as_ref().map_or(logged_at, |(_, at)| *at);
        let local_date = calendar.local_date(now);
        let due_at = calendar.due_at(now, &procedure.duration);
        let book_entry = counters::next(
            conn,
            &counters::tracking_book_key(agency, local_date.year()),
        )?;
        let code = match &reserved {
            Some((code, _)) => code.clone(),
            None => new_code(conn, clerk, local_date)?,
        };
        let dossier = Dossier {
            id: uuid::Uuid::now_v7().to_string(),
            case_code: req.case.as_deref().map(str::trim).map(str::to_string),
            pin_hash: pins.hash(&code, &pin),
            code,
            procedure_code: procedure.code.to_string(),
            procedure_version: procedure.version,
            receiving_agency: agency.to_string(),
            // The desk holds it until it hands it on; at its own agency's
            // desk that is the competent agency itself.
            handling_agency: agency.to_string(),
            status: Status::Received,
            channel: req.channel,
            applicant_name: checked.applicant_name.clone(),
            applicant_id_number: checked.id_number.clone(),
            applicant_phone: checked.phone.clone(),
            applicant_email: checked.email.clone(),
            applicant_address: checked.address.clone(),
            // The authorisation is a line of its own, after the
            // published list's (checked complete without it).
            documents: req
                .documents
                .iter()
                .cloned()
                .chain(checked.representative.as_ref().map(|r| r.document_line()))
                .collect(),
            fee_vnd: procedure.fee_vnd,
            book_year: local_date.year(),
            book_entry,
            received_at: now,
            due_at,
            original_due_at: due_at,
            received_by: clerk.user_id.clone(),
            note: checked.note.clone(),
            created_at: logged_at,
            updated_at: logged_at,
            procedure_name: procedure.name.clone(),
            clock_version: 1,
            paused_since: None,
            supplement_requests: 0,
            ended_at: None,
            verdict: None,
            result_note: String::new(),
            parent_id: None,
            current_step: 0,
            in_transit: false,
            payment_amount_vnd: None,
            returned_at: None,
            returned_to: None,
            return_method: None,
            assigned_to: None,
            representative: checked.representative.clone(),
            postal: checked.postal.clone(),
            received_for: (procedure.agency.as_str() != agency)
                .then(|| procedure.agency.to_string()),
        };
        dossiers::insert(conn, &dossier)?;
        if let Some((code, _)) = &reserved {
            crate::reserved::claim(conn, code, &dossier.id, logged_at)?;
        }
        clock::start(conn, &dossier.id, now)?;
        for (i, member) in members.iter().enumerate() {
            let entry = counters::next(
                conn,
                &counters::tracking_book_key(agency, local_date.year()),
            )?;
            let child_due = calendar.due_at(now, &member.duration);
            let child = Dossier {
                case_code: None,
                id: uuid::Uuid::now_v7().to_string(),
                code: format!("{}-{}", dossier.code, i + 1),
                // Citizens follow the group by its code and PIN.
                pin_hash: String::new(),
                procedure_code: member.code.to_string(),
                procedure_version: member.version,
                // The desk holds every member until it sends it on.
                handling_agency: agency.to_string(),
                book_entry: entry,
                due_at: child_due,
                original_due_at: child_due,
                procedure_name: member.name.clone(),
                fee_vnd: member.fee_vnd,
                parent_id: Some(dossier.id.clone()),
                ..dossier.clone()
            };
            dossiers::insert(conn, &child)?;
            clock::start(conn, &child.id, now)?;
            events::append(
                conn,
                &NewEvent {
                    subject_type: "dossier",
                    subject_id: &child.id,
                    dossier_id: Some(&child.id),
                    kind: EventKind::DossierReceived,
                    actor: &actor,
                    at: now,
                    data: json!({
                        "code": child.code,
                        "group": dossier.code,
                        "procedure": child.procedure_code,
                        "procedure_version": child.procedure_version,
                        "status_code": Status::Received.code(),
                        "due_at": child_due,
                        "due_cause": due_cause(member, now, child_due),
                    }),
                },
            )?;
        }
        events::append(
            conn,
            &NewEvent {
                subject_type: "dossier",
                subject_id: &dossier.id,
                dossier_id: Some(&dossier.id),
                kind: EventKind::DossierReceived,
                actor: &actor,
                at: now,
                data: json!({
                    "code": dossier.code,
                    "procedure": dossier.procedure_code,
                    "procedure_version": dossier.procedure_version,
                    "channel": dossier.channel.name(),
                    "status_code": Status::Received.code(),
                    "documents": dossier.documents,
                    "filed_by": if dossier.representative.is_some() { "representative" } else { "applicant" },
                    "representative": dossier.representative,
                    "received_at": now,
                    "logged_at": logged_at,
                    "paper_receipt": reserved.is_some(),
                    "due_at": due_at,
                    "due_cause": due_cause(&procedure, now, due_at),
                }),
            },
        )?;
        dossier
    };
    Ok(ReceivedDossier {
        dossier,
        pin,
        procedure,
    })
}

/// The next code of the desk's daily sequence for `day`.
fn new_code(
    conn: &mut DbConnection,
    clerk: &Clerk,
    day: chrono::NaiveDate,
) -> Result<String, IntakeError> {
    let key = counters::daily_dossier_key(clerk.agency.as_str(), &DossierCode::day_key(day));
    let sequence = counters::next(conn, &key)?;
    Ok(DossierCode::new(
        clerk.agency.clone(),
        day,
        u32::try_from(sequence).unwrap_or(u32::MAX),
    )
    .map_err(|e| IntakeError::Invalid(vec![FieldError::new("code", e.to_string())]))?
    .to_string())
}

/// Why the due time is what it is, in words, for the history.
fn due_cause(p: &Procedure, received: DateTime<Utc>, due: DateTime<Utc>) -> String {
    let d = p.duration;
    format!(
        "received {} under procedure {} v{}: statutory time {} {}{}, due {}",
        received.to_rfc3339(),
        p.code,
        p.version,
        d.amount,
        d.unit.as_str(),
        d.cutoff_minute
            .map(|m| format!(" (cut-off {:02}:{:02})", m / 60, m % 60))
            .unwrap_or_default(),
        due.to_rfc3339()
    )
}

fn record_guidance(
    conn: &mut DbConnection,
    clerk: &Clerk,
    req: &IntakeRequest,
    procedure: &Procedure,
    checked: &Checked,
    missing: Vec<MissingDocument>,
) -> Result<ReceivedDossier, IntakeError> {
    let slip = GuidanceSlip {
        id: uuid::Uuid::now_v7().to_string(),
        agency_code: clerk.agency.to_string(),
        procedure_code: procedure.code.to_string(),
        procedure_version: procedure.version,
        applicant_name: checked.applicant_name.clone(),
        applicant_id_number: checked.id_number.clone(),
        documents: json!(req.documents),
        missing: json!(missing),
        issued_by: clerk.user_id.clone(),
        issued_at: time::now(),
    };
    let actor = Actor {
        id: Some(clerk.user_id.clone()),
        name: clerk.name.clone(),
    };
    conn.write_tx(|conn| -> Result<(), IntakeError> {
        guidance::insert(conn, &slip)?;
        events::append(
            conn,
            &NewEvent {
                subject_type: "guidance_slip",
                subject_id: &slip.id,
                dossier_id: None,
                kind: EventKind::GuidanceIssued,
                actor: &actor,
                at: slip.issued_at,
                data: json!({ "procedure": slip.procedure_code, "missing": missing }),
            },
        )?;
        Ok(())
    })?;
    Err(IntakeError::Incomplete {
        slip_id: Some(slip.id),
        missing,
    })
}
