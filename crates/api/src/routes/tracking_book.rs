//! A desk's tracking book (sổ theo dõi hồ sơ): one row per dossier
//! received in a period, as JSON or as CSV for a spreadsheet.

use std::collections::HashMap;

use actix_web::{get, web, HttpRequest, HttpResponse};
use chrono::{DateTime, NaiveDate, Utc};
use motcua_calendar::WorkingCalendar;
use motcua_store::worklist as work;
use motcua_store::{procedures, DbConnection};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_actix_web::service_config::ServiceConfig;

use crate::access::Reach;
use crate::auth::Staff;
use crate::error::{ApiError, Problem};
use crate::state::AppState;

#[derive(Serialize, ToSchema)]
pub struct BookRowDto {
    /// The entry's number in the desk's book for the year; every dossier
    /// received takes one, an interlinked group's members included, so
    /// the numbers run without a gap.
    pub book_entry: i64,
    pub code: String,
    /// For a member of an interlinked group, the group's code (its rows
    /// follow the group's).
    pub group: Option<String>,
    pub procedure: String,
    pub status_code: i32,
    /// Sets of papers (one per dossier; a group counts its members).
    pub sets: i64,
    pub applicant: String,
    pub contact: String,
    pub lead_agency: String,
    pub received_at: DateTime<Utc>,
    pub appointment: DateTime<Utc>,
    /// The first agency beyond the desk the dossier was sent to.
    pub sent_to_agency: Option<String>,
    pub sent_at: Option<DateTime<Utc>>,
    pub result_back_at: Option<DateTime<Utc>>,
    pub returned_at: Option<DateTime<Utc>>,
    pub returned_to: Option<String>,
    pub note: String,
    /// A code reserved for an outage and never used (docs/dossier-code.md,
    /// Reserved codes): listed so the daily sequence shows no gap. It
    /// takes no book entry (0), and `received_at` is when it was reserved.
    pub void: bool,
    /// Received at another desk for this agency (docs/desk.md, Intake at
    /// any desk): that desk's agency; the code and entry are its own.
    pub received_at_desk: Option<String>,
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct BookQuery {
    /// First local day, YYYY-MM-DD.
    #[param(format = Date)]
    pub from: String,
    /// Last local day (inclusive), YYYY-MM-DD.
    #[param(format = Date)]
    pub to: String,
    /// `csv` for a spreadsheet (or send Accept: text/csv).
    pub format: Option<String>,
}

#[utoipa::path(get, path = "/api/v1/agencies/{code}/tracking-book", tag = "routing",
    security(("bearer" = [])),
    params(("code" = String, Path, description = "Receiving agency"), BookQuery),
    responses((status = 200, description = "One row per dossier received, as JSON or CSV", body = [BookRowDto]),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json")))]
#[get("/api/v1/agencies/{code}/tracking-book")]
pub async fn tracking_book(
    state: web::Data<AppState>,
    staff: Staff,
    path: web::Path<String>,
    query: web::Query<BookQuery>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let agency = path.into_inner();
    let q = query.into_inner();
    let (from, to) = period(&q)?;
    let calendar = state.calendar();
    let start = calendar.to_utc(from.and_hms_opt(0, 0, 0).unwrap_or_default());
    let end = calendar.to_utc(
        to.succ_opt()
            .unwrap_or(to)
            .and_hms_opt(0, 0, 0)
            .unwrap_or_default(),
    );
    let ag = agency.clone();
    let open_day = motcua_intake::reserved::last_open_day(&calendar, motcua_store::time::now());
    let rows = state
        .with_conn(move |conn| {
            let mut out = rows(conn, &staff, &ag, start, end)?;
            out.extend(void_rows(conn, &ag, from, to, open_day)?);
            Ok(out)
        })
        .await?;
    if !wants_csv(q.format.as_deref(), &req) {
        return Ok(HttpResponse::Ok().json(rows));
    }
    Ok(HttpResponse::Ok()
        .content_type("text/csv; charset=utf-8")
        .insert_header((
            "Content-Disposition",
            format!("attachment; filename=\"so-theo-doi-{agency}-{from}-{to}.csv\""),
        ))
        .body(csv(&calendar, &rows)?))
}

/// The book's local days, at most a year.
fn period(q: &BookQuery) -> Result<(NaiveDate, NaiveDate), ApiError> {
    local_days(&q.from, &q.to, 366, "a year")
}

/// `from` and `to` as local days (YYYY-MM-DD), `to` on or after `from` and
/// at most `max_days` later.
pub(crate) fn local_days(
    from: &str,
    to: &str,
    max_days: i64,
    max_words: &str,
) -> Result<(NaiveDate, NaiveDate), ApiError> {
    let day = |field: &str, s: &str| {
        NaiveDate::parse_from_str(s, "%Y-%m-%d")
            .map_err(|_| ApiError::invalid_field(field, "must be YYYY-MM-DD"))
    };
    let (from, to) = (day("from", from)?, day("to", to)?);
    if to < from || (to - from).num_days() > max_days {
        return Err(ApiError::invalid_field(
            "to",
            format!("must be on or after from, at most {max_words} later"),
        ));
    }
    Ok((from, to))
}

/// The rows of `agency`'s book received in `[start, end)`, for a caller
/// who may see it.
fn rows(
    conn: &mut DbConnection,
    staff: &Staff,
    agency: &str,
    start: DateTime<Utc>,
    end: DateTime<Utc>,
) -> Result<Vec<BookRowDto>, ApiError> {
    if !Reach::of(conn, staff)?.contains(agency) {
        return Err(ApiError::forbidden(format!(
            "the tracking book of {agency} is not within your reach"
        )));
    }
    let rows = work::tracking_book(conn, agency, start, end)?;
    let mut leads = HashMap::<String, String>::new();
    let mut out = Vec::with_capacity(rows.len());
    for r in rows {
        if !leads.contains_key(&r.procedure_code) {
            let lead = procedures::get(conn, &r.procedure_code)?
                .map(|p| p.agency.to_string())
                .unwrap_or_default();
            leads.insert(r.procedure_code.clone(), lead);
        }
        let contact = [r.applicant_phone, r.applicant_email, r.applicant_address]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join("; ");
        out.push(BookRowDto {
            book_entry: r.book_entry,
            code: r.code,
            group: r.group,
            procedure: r.procedure_name,
            status_code: r.status.code(),
            sets: r.sets,
            applicant: r.applicant_name,
            contact,
            lead_agency: leads.get(&r.procedure_code).cloned().unwrap_or_default(),
            received_at: r.received_at,
            appointment: r.appointment,
            sent_to_agency: r.sent_to,
            sent_at: r.sent_at,
            result_back_at: r.result_at,
            returned_at: r.returned_at,
            returned_to: r.returned_to,
            note: r.note,
            void: false,
            received_at_desk: r.received_at_desk,
        });
    }
    Ok(out)
}

/// The codes of `agency` reserved for the days `from..=to` and void (or
/// void once the days to log them are over, before `open_day`).
fn void_rows(
    conn: &mut DbConnection,
    agency: &str,
    from: NaiveDate,
    to: NaiveDate,
    open_day: NaiveDate,
) -> Result<Vec<BookRowDto>, ApiError> {
    use motcua_store::reserved_codes::{self, CodeState};
    Ok(reserved_codes::of_days(conn, agency, from, to)?
        .into_iter()
        .filter(|c| c.state(open_day) == CodeState::Void)
        .map(|c| BookRowDto {
            book_entry: 0,
            code: c.code,
            group: None,
            procedure: String::new(),
            status_code: 0,
            sets: 0,
            applicant: String::new(),
            contact: String::new(),
            lead_agency: String::new(),
            received_at: c.reserved_at,
            appointment: c.reserved_at,
            sent_to_agency: None,
            sent_at: None,
            result_back_at: None,
            returned_at: None,
            returned_to: None,
            note: "Mã giữ trước khi mất mạng, không sử dụng: hủy (void)".into(),
            void: true,
            received_at_desk: None,
        })
        .collect())
}

/// Whether the caller asked for CSV: `format=csv` or `Accept: text/csv`.
pub fn wants_csv(format: Option<&str>, req: &HttpRequest) -> bool {
    format == Some("csv")
        || req
            .headers()
            .get(actix_web::http::header::ACCEPT)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.contains("text/csv"))
}

const CSV_HEADER: [&str; 16] = [
    "STT",
    "Mã hồ sơ",
    "Thuộc hồ sơ liên thông",
    "Thủ tục",
    "Số bộ",
    "Người nộp",
    "Liên hệ",
    "Cơ quan chủ trì",
    "Ngày nhận",
    "Ngày hẹn trả",
    "Chuyển đến",
    "Ngày chuyển",
    "Ngày có kết quả",
    "Ngày trả",
    "Người nhận kết quả",
    "Ghi chú",
];

/// The book as CSV. Text a spreadsheet would run as a formula is written
/// as text: names, notes and contacts come from citizens (online
/// submissions).
fn csv(calendar: &WorkingCalendar, rows: &[BookRowDto]) -> Result<Vec<u8>, ApiError> {
    let fmt = |t: Option<DateTime<Utc>>| {
        t.map(|t| calendar.local(t).format("%d/%m/%Y %H:%M").to_string())
            .unwrap_or_default()
    };
    let cell = |t: &str| motcua_domain::text::spreadsheet_safe(t).into_owned();
    let csv_error = |e: &dyn std::fmt::Display| {
        tracing::error!(error = %e, "csv");
        ApiError::internal()
    };
    let mut w = ::csv::Writer::from_writer(Vec::new());
    w.write_record(CSV_HEADER).map_err(|e| csv_error(&e))?;
    for r in rows {
        w.write_record([
            r.book_entry.to_string(),
            cell(&r.code),
            cell(r.group.as_deref().unwrap_or_default()),
            cell(&r.procedure),
            r.sets.to_string(),
            cell(&r.applicant),
            cell(&r.contact),
            cell(&r.lead_agency),
            fmt(Some(r.received_at)),
            fmt(Some(r.appointment)),
            cell(r.sent_to_agency.as_deref().unwrap_or_default()),
            fmt(r.sent_at),
            fmt(r.result_back_at),
            fmt(r.returned_at),
            cell(r.returned_to.as_deref().unwrap_or_default()),
            cell(&r.note),
        ])
        .map_err(|e| csv_error(&e))?;
    }
    w.into_inner().map_err(|e| csv_error(&e))
}

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(tracking_book);
}
