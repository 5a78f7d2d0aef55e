//! Dossiers for staff: intake at the counter, the full view with history,
//! reissuing a lost PIN, and guidance slips (the receipt is
//! [`crate::routes::receipts`]).

use actix_web::{get, post, web, HttpRequest, HttpResponse};
use chrono::{DateTime, Utc};
use motcua_calendar::{format_local, WorkingCalendar};
use motcua_domain::Dossier;
use motcua_domain::Verdict;
use motcua_domain::{Channel, Role, Status, SubmittedDocument};
use motcua_intake::NewPin;
use motcua_intake::{Clerk, IntakeRequest};
use motcua_notify::dossier_mail::lookup_url;
use motcua_store::events::Event;
use motcua_store::{dossiers, events, guidance, DbConnection};
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_actix_web::service_config::ServiceConfig;

use crate::auth::Staff;
use crate::body::JsonBody;
use crate::error::{ApiError, Problem};
use crate::state::AppState;

#[derive(Serialize, ToSchema)]
pub struct IntakeResponse {
    pub code: String,
    /// The PIN for the public look-up. Shown once: print it on the receipt.
    /// Empty for a dossier accepted from an online submission: the citizen
    /// follows it with the PIN of the submission.
    pub pin: String,
    pub status: Status,
    pub status_code: i32,
    pub received_at: DateTime<Utc>,
    /// The appointment to return the result.
    pub due_at: DateTime<Utc>,
    pub due_at_local: String,
    pub procedure_code: String,
    pub procedure_version: i32,
    /// The receipt, with the PIN, as JSON or (Accept: text/html) printable.
    pub receipt_url: String,
    pub lookup_url: String,
}

#[derive(Serialize, ToSchema)]
pub struct ApplicantDto {
    pub name: String,
    pub id_number: String,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub address: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct EventDto {
    pub id: i64,
    pub kind: String,
    pub at: DateTime<Utc>,
    pub actor_id: Option<String>,
    pub actor_name: String,
    #[schema(value_type = Object)]
    pub data: serde_json::Value,
}

impl From<Event> for EventDto {
    fn from(e: Event) -> Self {
        EventDto {
            id: e.id,
            kind: e.kind.as_str().to_string(),
            at: e.at,
            actor_id: e.actor_id,
            actor_name: e.actor_name,
            data: e.data,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct DossierDto {
    pub id: String,
    pub code: String,
    pub status: Status,
    pub status_code: i32,
    pub status_text_vi: &'static str,
    pub status_text_en: &'static str,
    pub channel: Channel,
    pub channel_code: i32,
    pub procedure_code: String,
    pub procedure_name: String,
    pub procedure_version: i32,
    /// The procedure's case it was received as, if the procedure has
    /// cases (docs/catalogue.md, Cases).
    pub case: Option<String>,
    pub receiving_agency_code: String,
    pub handling_agency_code: String,
    /// Received at another desk than the competent one (docs/desk.md,
    /// Intake at any desk): the competent agency it was received for.
    pub received_for: Option<String>,
    pub applicant: ApplicantDto,
    /// Who filed for the applicant under an authorisation, in full;
    /// none when the applicant filed in person (docs/representation.md).
    pub representative: Option<motcua_domain::Representative>,
    /// Its journeys by post: the parcel it came in, the address for the
    /// result, the result's parcel (docs/post.md).
    pub post: motcua_domain::Postal,
    /// The documents handed in; a representative's authorisation is the
    /// line coded `UY-QUYEN`.
    pub documents: Vec<SubmittedDocument>,
    pub fee_vnd: i64,
    pub book_volume: i32,
    pub book_entry: i64,
    pub received_at: DateTime<Utc>,
    pub received_by: String,
    /// The current appointment.
    pub due_at: DateTime<Utc>,
    /// The appointment printed on the receipt; the on-time verdict is
    /// measured against it.
    pub original_due_at: DateTime<Utc>,
    /// Office time left until the appointment, in seconds (negative when
    /// overdue; frozen while waiting for the citizen).
    pub remaining_working_seconds: i64,
    /// The clock ledger: why the date is what it is.
    pub clock: crate::routes::clock_view::ClockView,
    /// For a member of an interlinked group: the group's code.
    pub group_code: Option<String>,
    /// For an interlinked group: its member dossiers, one per agency.
    pub members: Vec<MemberDto>,
    pub note: String,
    /// Every write on the dossier, oldest first.
    pub history: Vec<EventDto>,
    /// Who read the dossier's personal data (its full view, its receipt)
    /// and when, oldest first; shown to administrators only, empty for
    /// everyone else.
    pub reads: Vec<EventDto>,
    /// Set when the dossier was moved in from an older system
    /// (docs/import.md): its code, times and appointment are that
    /// system's.
    pub imported: Option<ImportedMark>,
}

/// When and in which batch a dossier was imported.
#[derive(Serialize, ToSchema)]
pub struct ImportedMark {
    pub imported_at: DateTime<Utc>,
    pub batch: String,
}

/// The answer to a successful intake (at the counter or on accepting an
/// online submission).
pub fn intake_response(
    state: &AppState,
    received: &motcua_intake::ReceivedDossier,
) -> IntakeResponse {
    let d = &received.dossier;
    IntakeResponse {
        code: d.code.clone(),
        pin: received.pin.clone(),
        status: d.status,
        status_code: d.status.code(),
        received_at: d.received_at,
        due_at: d.due_at,
        due_at_local: format_local(&state.calendar(), d.due_at),
        procedure_code: d.procedure_code.clone(),
        procedure_version: d.procedure_version,
        receipt_url: if received.pin.is_empty() {
            format!("/api/v1/dossiers/{}/receipt", d.code)
        } else {
            format!("/api/v1/dossiers/{}/receipt?pin={}", d.code, received.pin)
        },
        lookup_url: lookup_url(
            &state.config.public_base_url,
            &d.code,
            Some(received.pin.as_str()).filter(|p| !p.is_empty()),
        ),
    }
}

/// A member dossier of an interlinked group.
#[derive(Serialize, ToSchema)]
pub struct MemberDto {
    pub code: String,
    pub procedure_code: String,
    pub procedure_name: String,
    /// The agency that decides this member.
    pub agency_code: String,
    pub status: Status,
    pub status_code: i32,
    pub due_at: DateTime<Utc>,
    pub verdict: Option<Verdict>,
}

/// Loads a dossier the caller may see; a dossier they may not see is a
/// 403, an unknown code a 404.
pub fn load_visible(
    conn: &mut DbConnection,
    staff: &Staff,
    code: &str,
) -> Result<Dossier, ApiError> {
    let d = dossiers::find_by_code(conn, code)?.ok_or_else(|| ApiError::not_found("dossier"))?;
    if !crate::access::may_view(conn, staff, &d.receiving_agency, &d.handling_agency)? {
        return Err(ApiError::forbidden(format!(
            "dossier {code} is not handled by your agency {}",
            staff.agency
        )));
    }
    Ok(d)
}

pub fn wants_html(req: &HttpRequest) -> bool {
    req.headers()
        .get(actix_web::http::header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("text/html"))
}

/// A paper the desk prints (receipt, control slip, apology letter, notice):
/// as JSON, or with `Accept: text/html` the page to print. `what` names it
/// in the log should its template fail.
pub fn printable<T: Serialize, E: std::fmt::Display>(
    req: &HttpRequest,
    paper: &T,
    what: &str,
    to_html: impl FnOnce(&T) -> Result<String, E>,
) -> Result<HttpResponse, ApiError> {
    if !wants_html(req) {
        return Ok(HttpResponse::Ok().json(paper));
    }
    let html = to_html(paper).map_err(|e| {
        tracing::error!(error = %e, paper = what, "template failed");
        ApiError::internal()
    })?;
    Ok(HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .body(html))
}

/// A paper of one dossier (control slip, end notice, apology letter): the
/// dossier the caller may see, the paper `build` makes of it with the
/// calendar in force, answered by [`printable`].
pub async fn dossier_paper<T, E>(
    state: &AppState,
    staff: Staff,
    code: String,
    req: &HttpRequest,
    what: &str,
    build: impl FnOnce(&mut DbConnection, &WorkingCalendar, Dossier) -> Result<T, ApiError>
        + Send
        + 'static,
    to_html: impl FnOnce(&T) -> Result<String, E>,
) -> Result<HttpResponse, ApiError>
where
    T: Serialize + Send + 'static,
    E: std::fmt::Display,
{
    let calendar = state.calendar();
    let paper = state
        .with_conn(move |conn| {
            let d = load_visible(conn, &staff, &code)?;
            build(conn, &calendar, d)
        })
        .await?;
    printable(req, &paper, what, to_html)
}

#[utoipa::path(post, path = "/api/v1/dossiers", tag = "dossiers",
    security(("bearer" = [])), request_body = IntakeRequest,
    responses(
        (status = 201, description = "Received: code, PIN and appointment issued", body = IntakeResponse),
        (status = 422, description = "Incomplete (the guidance lists every missing document; no code issued), unknown procedure or invalid fields", body = Problem, content_type = "application/problem+json"),
        (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not a clerk of the receiving agency", body = Problem, content_type = "application/problem+json"),
        (status = 413, body = Problem, content_type = "application/problem+json")))]
#[post("/api/v1/dossiers")]
pub async fn create(
    state: web::Data<AppState>,
    staff: Staff,
    JsonBody(req): JsonBody<IntakeRequest>,
) -> Result<HttpResponse, ApiError> {
    staff.require(&[Role::Clerk])?;
    let clerk = Clerk {
        user_id: staff.id.clone(),
        name: staff.name.clone(),
        role: staff.role,
        agency: staff.agency.clone(),
    };
    let calendar = state.calendar();
    let (pins, mail) = (state.pins.clone(), state.mail.clone());
    let received = state
        .with_conn(move |conn| {
            Ok(motcua_intake::receive(
                conn, &calendar, &pins, &mail, &clerk, &req,
            )?)
        })
        .await?;
    let body = intake_response(&state, &received);
    let d = &received.dossier;
    Ok(HttpResponse::Created()
        .insert_header(("Location", format!("/api/v1/dossiers/{}", d.code)))
        .insert_header(("Cache-Control", "no-store"))
        .json(body))
}

#[utoipa::path(get, path = "/api/v1/dossiers/{code}", tag = "dossiers",
    security(("bearer" = [])),
    params(("code" = String, Path, description = "Dossier code")),
    responses((status = 200, body = DossierDto),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json")))]
#[get("/api/v1/dossiers/{code}")]
pub async fn get_one(
    state: web::Data<AppState>,
    staff: Staff,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let code = path.into_inner();
    let calendar = state.calendar();
    let dto = state
        .with_conn(move |conn| {
            let d = load_visible(conn, &staff, &code)?;
            let now = motcua_store::time::now();
            events::record_read(conn, &d.id, &staff.actor(), "view", now)?;
            let reads = match staff.role {
                Role::Admin => events::reads_of(conn, &d.id)?,
                _ => Vec::new(),
            };
            let mut dto = view(conn, &calendar, d)?;
            dto.reads = reads.into_iter().map(EventDto::from).collect();
            Ok(dto)
        })
        .await?;
    Ok(HttpResponse::Ok().json(dto))
}

/// The staff's full view of a dossier: its data, its clock explained, its
/// group or members, and its history.
fn view(
    conn: &mut DbConnection,
    calendar: &WorkingCalendar,
    d: Dossier,
) -> Result<DossierDto, ApiError> {
    let clock = crate::routes::clock_view::clock_view(conn, calendar, &d)?;
    let group_code = match &d.parent_id {
        Some(id) => dossiers::get(conn, id)?.map(|p| p.code),
        None => None,
    };
    let mut members = Vec::new();
    for c in dossiers::children(conn, &d.id)? {
        let lead = motcua_sla::ledger::procedure_of(conn, &c)?
            .agency
            .to_string();
        members.push(MemberDto {
            code: c.code,
            procedure_code: c.procedure_code,
            procedure_name: c.procedure_name,
            agency_code: lead,
            status: c.status,
            status_code: c.status.code(),
            due_at: c.due_at,
            verdict: c.verdict,
        });
    }
    let history = events::for_dossier(conn, &d.id)?;
    let imported = motcua_store::dossier_import::mark(conn, &d.id)?
        .map(|(imported_at, batch)| ImportedMark { imported_at, batch });
    Ok(DossierDto {
        id: d.id,
        code: d.code,
        status: d.status,
        status_code: d.status.code(),
        status_text_vi: d.status.label_vi(),
        status_text_en: d.status.label_en(),
        channel: d.channel,
        channel_code: d.channel.code(),
        procedure_name: d.procedure_name,
        procedure_code: d.procedure_code,
        procedure_version: d.procedure_version,
        case: d.case_code,
        receiving_agency_code: d.receiving_agency,
        handling_agency_code: d.handling_agency,
        received_for: d.received_for,
        applicant: ApplicantDto {
            name: d.applicant_name,
            id_number: d.applicant_id_number,
            phone: d.applicant_phone,
            email: d.applicant_email,
            address: d.applicant_address,
        },
        representative: d.representative,
        post: d.postal,
        documents: d.documents,
        fee_vnd: d.fee_vnd,
        book_volume: d.book_year,
        book_entry: d.book_entry,
        received_at: d.received_at,
        received_by: d.received_by,
        due_at: clock.due_at,
        original_due_at: d.original_due_at,
        remaining_working_seconds: clock.remaining_working_seconds,
        clock,
        group_code,
        members,
        note: d.note,
        history: history.into_iter().map(EventDto::from).collect(),
        reads: Vec::new(),
        imported,
    })
}

#[derive(Serialize, ToSchema)]
pub struct PinResponse {
    pub code: String,
    /// The new PIN; the old one no longer works.
    pub pin: String,
    pub receipt_url: String,
}

#[utoipa::path(post, path = "/api/v1/dossiers/{code}/pin", tag = "dossiers",
    security(("bearer" = [])),
    params(("code" = String, Path, description = "Dossier code")),
    responses((status = 200, description = "A new PIN for a citizen who lost the receipt", body = PinResponse),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json")))]
#[post("/api/v1/dossiers/{code}/pin")]
pub async fn reissue_pin(
    state: web::Data<AppState>,
    staff: Staff,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    staff.require(&[Role::Clerk])?;
    let code = path.into_inner();
    let pins = state.pins.clone();
    let NewPin { code, pin } = state
        .with_conn(move |conn| {
            Ok(motcua_intake::reissue_pin(
                conn,
                &pins,
                &staff.member(),
                &code,
            )?)
        })
        .await?;
    Ok(HttpResponse::Ok()
        .insert_header(("Cache-Control", "no-store"))
        .json(PinResponse {
            receipt_url: format!("/api/v1/dossiers/{code}/receipt?pin={pin}"),
            code,
            pin,
        }))
}

#[derive(Serialize, ToSchema)]
pub struct GuidanceSlipDto {
    pub id: String,
    pub agency_code: String,
    pub procedure_code: String,
    pub procedure_version: i32,
    pub applicant_name: String,
    pub applicant_id_number: String,
    #[schema(value_type = Object)]
    pub documents: serde_json::Value,
    /// Everything the applicant was told to bring.
    #[schema(value_type = Object)]
    pub missing: serde_json::Value,
    pub issued_by: String,
    pub issued_at: DateTime<Utc>,
}

#[utoipa::path(get, path = "/api/v1/guidance-slips/{id}", tag = "dossiers",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "Guidance slip id, from the incomplete-dossier problem")),
    responses((status = 200, body = GuidanceSlipDto),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json")))]
#[get("/api/v1/guidance-slips/{id}")]
pub async fn guidance_slip(
    state: web::Data<AppState>,
    staff: Staff,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    let slip = state
        .with_conn(move |conn| {
            let s =
                guidance::get(conn, &id)?.ok_or_else(|| ApiError::not_found("guidance slip"))?;
            if !crate::access::Reach::of(conn, &staff)?.contains(&s.agency_code) {
                return Err(ApiError::forbidden("the slip was issued by another agency"));
            }
            Ok(s)
        })
        .await?;
    Ok(HttpResponse::Ok().json(GuidanceSlipDto {
        id: slip.id,
        agency_code: slip.agency_code,
        procedure_code: slip.procedure_code,
        procedure_version: slip.procedure_version,
        applicant_name: slip.applicant_name,
        applicant_id_number: slip.applicant_id_number,
        documents: slip.documents,
        missing: slip.missing,
        issued_by: slip.issued_by,
        issued_at: slip.issued_at,
    }))
}

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(create)
        .service(get_one)
        .service(reissue_pin)
        .service(guidance_slip);
}
