//! The citizen's look-up by dossier code and PIN. No login. Unknown code
//! and wrong PIN answer the same 404, after the same work, so the
//! sequential codes printed on paper reveal nothing; wrong PINs are
//! limited per code and per client (see [`crate::limits`]).

use actix_web::{get, web, HttpRequest, HttpResponse};
use chrono::{DateTime, Utc};
use motcua_calendar::format_local;
use motcua_calendar::WorkingCalendar;
use motcua_domain::{mask_name, Status};
use motcua_store::lookup::{self as read, LookupRow};
use motcua_store::{dossiers, DbConnection};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_actix_web::service_config::ServiceConfig;

use crate::error::{ApiError, Problem};
use crate::limits;
use crate::routes::files::ResultFile;
use crate::state::AppState;

#[derive(Serialize, ToSchema)]
pub struct PublicAgency {
    pub code: String,
    pub name: String,
}

#[derive(Serialize, ToSchema)]
pub struct PublicDossier {
    pub code: String,
    pub status: Status,
    pub status_code: i32,
    pub status_text_vi: &'static str,
    pub status_text_en: &'static str,
    pub procedure_name: String,
    /// The agency handling the dossier now.
    pub agency: PublicAgency,
    /// Initials only: "N***** V** A*".
    pub applicant_name: String,
    /// The representative who filed for the applicant, initials only
    /// like the applicant's; none when the applicant filed in person.
    #[schema(example = "T*** T** B***")]
    pub representative_name: Option<String>,
    pub received_at: DateTime<Utc>,
    pub received_at_local: String,
    /// The current appointment.
    pub due_at: DateTime<Utc>,
    pub due_at_local: String,
    /// The appointment printed on the receipt. When it differs from
    /// `due_at`, the appointment moved (a supplement wait, the extension,
    /// a supervisor's correction) and the citizen should go by `due_at`.
    pub printed_due_at: DateTime<Utc>,
    pub appointment_moved: bool,
    /// True while the desk waits for the citizen's supplement: the clock
    /// is paused and the appointment will move by the time waited.
    pub waiting_for_supplement: bool,
    /// For an interlinked group: where each part stands.
    pub parts: Vec<PublicPart>,
    /// Why the dossier ended without a result: the reason of a stop or of
    /// a withdrawal, as printed on its notice.
    pub reason: Option<String>,
    /// What the citizen should know now, in Vietnamese and English.
    pub note_vi: Option<String>,
    pub note_en: Option<String>,
    /// The electronic result, once it is ready, for a procedure that
    /// issues its result as a file: download it from `download_path` with
    /// the PIN (`?pin=`).
    pub result_file: Option<PublicResultFile>,
    /// By post, both ways (docs/post.md); none for a dossier that never
    /// met the post.
    pub post: Option<PublicPost>,
}

/// The dossier's journeys by post as the citizen follows them; the
/// address is not shown.
#[derive(Serialize, ToSchema)]
pub struct PublicPost {
    /// The parcel the dossier came in.
    #[schema(example = "EI123456785VN")]
    pub inbound_code: Option<String>,
    /// The result is to be sent by post.
    pub result_by_post: bool,
    /// The result's parcel, once handed to the post: follow it on the
    /// post's own tracking page.
    #[schema(example = "EI987654321VN")]
    pub tracking_code: Option<String>,
    pub dispatched_at: Option<DateTime<Utc>>,
    pub delivered_at: Option<DateTime<Utc>>,
    /// The post could not deliver it and returns it to the desk.
    pub returned_to_sender_at: Option<DateTime<Utc>>,
}

impl PublicPost {
    fn of(p: &motcua_domain::Postal) -> Option<PublicPost> {
        (p.inbound_code.is_some() || p.return_address.is_some() || p.outbound_code.is_some()).then(
            || PublicPost {
                inbound_code: p.inbound_code.clone(),
                result_by_post: p.return_address.is_some(),
                tracking_code: p.outbound_code.clone(),
                dispatched_at: p.dispatched_at,
                delivered_at: p.delivered_at,
                returned_to_sender_at: p.failed_at,
            },
        )
    }
}

#[derive(Serialize, ToSchema)]
pub struct PublicResultFile {
    #[schema(example = "giay-khai-sinh.pdf")]
    pub name: String,
    #[schema(example = "application/pdf")]
    pub media_type: String,
    pub size_bytes: i64,
    #[schema(example = "/api/v1/public/dossiers/H53.50.05.13-261126-0001/result")]
    pub download_path: String,
}

#[derive(Serialize, ToSchema)]
pub struct PublicPart {
    pub procedure_name: String,
    pub agency_code: String,
    pub status_code: i32,
    pub status_text_vi: &'static str,
    pub status_text_en: &'static str,
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct LookupQuery {
    /// The PIN printed on the receipt.
    pub pin: String,
}

/// The PIN of a public look-up: an empty one is refused before anything
/// is counted (it is no guess).
pub fn required_pin(pin: String) -> Result<String, ApiError> {
    if pin.trim().is_empty() {
        return Err(ApiError::invalid_field(
            "pin",
            "the PIN printed on the receipt is required",
        ));
    }
    Ok(pin)
}

fn not_found() -> ApiError {
    ApiError::new(
        actix_web::http::StatusCode::NOT_FOUND,
        "dossier-not-found",
        "Dossier not found",
        "no dossier matches this code and PIN; check both on your receipt",
    )
    .vi("Không tìm thấy hồ sơ với mã hồ sơ và mã tra cứu này; vui lòng kiểm tra lại giấy tiếp nhận")
}

#[utoipa::path(get, path = "/api/v1/public/dossiers/{code}", tag = "public",
    params(("code" = String, Path, description = "Dossier code from the receipt"), LookupQuery),
    responses((status = 200, body = PublicDossier),
        (status = 400, description = "No PIN given", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Unknown code or wrong PIN (indistinguishable)", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many wrong PINs for this code or from this address; nothing was checked",
            body = Problem, content_type = "application/problem+json",
            headers(("Retry-After" = i64, description = "Seconds to wait")))))]
#[get("/api/v1/public/dossiers/{code}")]
pub async fn lookup(
    state: web::Data<AppState>,
    path: web::Path<String>,
    query: web::Query<LookupQuery>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let code = path.into_inner();
    let pin = required_pin(query.into_inner().pin)?;
    let client = crate::client::limit_key(crate::client::of_request(
        &req,
        &state.config.trusted_proxies,
    ));
    let st = state.clone();
    let view = state
        .with_conn(move |conn| {
            let found = pin_checked(conn, &st, &code, &pin, &client)?;
            view(conn, &st.calendar(), found)
        })
        .await?;
    Ok(HttpResponse::Ok()
        .insert_header(("Cache-Control", "no-store"))
        .json(view))
}

/// The dossier `code` when `pin` is its PIN, counted against the limits
/// on wrong PINs (per code and per `client`): unknown code and wrong PIN
/// answer the same 404 after the same work; a locked bucket answers 429.
pub(crate) fn pin_checked(
    conn: &mut DbConnection,
    st: &AppState,
    code: &str,
    pin: &str,
    client: &str,
) -> Result<LookupRow, ApiError> {
    let now = motcua_store::time::now();
    let buckets = limits::pin_buckets(code, client);
    let keys = [buckets[0].key.as_str(), buckets[1].key.as_str()];
    // One statement: the limits' lock and the dossier.
    let seen = read::find(conn, keys, code, now)?;
    if let Some(until) = seen.locked_until {
        return Err(limits::refused(until, now, limits::WRONG_PINS));
    }
    let found = seen.found;
    let key = found.as_ref().map_or(code, |f| f.pin.key.as_str());
    let hash = found.as_ref().map(|f| f.pin.hash.as_str());
    if !limits::verify_pin(conn, &st.pins, &buckets, key, pin, hash, now)? {
        return Err(not_found());
    }
    found.ok_or_else(not_found)
}

/// What the citizen sees of a dossier whose PIN matched.
pub(crate) fn view(
    conn: &mut DbConnection,
    calendar: &WorkingCalendar,
    found: LookupRow,
) -> Result<PublicDossier, ApiError> {
    let LookupRow {
        dossier: d,
        agency_name,
        has_parts,
        ..
    } = found;
    let mut parts = Vec::new();
    let children = if has_parts {
        dossiers::children(conn, &d.id)?
    } else {
        Vec::new()
    };
    for c in children {
        parts.push(PublicPart {
            agency_code: motcua_sla::ledger::procedure_of(conn, &c)?
                .agency
                .to_string(),
            procedure_name: c.procedure_name,
            status_code: c.status.code(),
            status_text_vi: c.status.label_vi(),
            status_text_en: c.status.label_en(),
        });
    }
    let result_file = match crate::routes::files::electronic_result(conn, &d)? {
        ResultFile::Ready(a) => Some(*a),
        ResultFile::NotReady | ResultFile::None => None,
    }
    .filter(|a| a.file.removed_at.is_none())
    .map(|a| PublicResultFile {
        name: motcua_files::upload::download_name(&a.file.name, &a.file.media_type),
        media_type: a.file.media_type,
        size_bytes: a.file.size_bytes,
        download_path: format!("/api/v1/public/dossiers/{}/result", d.code),
    });
    let reason = matches!(d.status, Status::Stopped | Status::Withdrawn)
        .then(|| d.result_note.clone())
        .filter(|r| !r.is_empty());
    Ok(PublicDossier {
        result_file,
        parts,
        reason,
        code: d.code,
        status: d.status,
        status_code: d.status.code(),
        status_text_vi: d.status.label_vi(),
        status_text_en: d.status.label_en(),
        procedure_name: d.procedure_name,
        agency: PublicAgency {
            code: d.handling_agency,
            name: agency_name,
        },
        applicant_name: mask_name(&d.applicant_name),
        representative_name: d.representative.as_ref().map(|r| r.masked_name()),
        post: PublicPost::of(&d.postal),
        received_at: d.received_at,
        received_at_local: format_local(calendar, d.received_at),
        due_at: d.due_at,
        due_at_local: format_local(calendar, d.due_at),
        printed_due_at: d.original_due_at,
        appointment_moved: d.due_at != d.original_due_at,
        waiting_for_supplement: d.paused_since.is_some(),
        note_vi: d.paused_since.map(|_| {
            "Hồ sơ đang chờ công dân bổ sung giấy tờ; thời hạn giải quyết tạm dừng cho đến khi nhận đủ hồ sơ bổ sung.".to_string()
        }),
        note_en: d.paused_since.map(|_| {
            "Waiting for the applicant's supplementary documents; the deadline is paused until they arrive.".to_string()
        }),
    })
}

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(lookup);
}
