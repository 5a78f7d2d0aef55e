//! The caller's worklist, handovers waiting to be acknowledged, and a
//! desk's tracking book (sổ theo dõi hồ sơ) as JSON or CSV.

use actix_web::{get, web, HttpRequest, HttpResponse};
use chrono::{DateTime, Duration, NaiveDate, Utc};
use motcua_domain::Status;
use motcua_store::worklist::{self as work, WorkFilter};
use motcua_store::{handovers, procedures, time};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_actix_web::service_config::ServiceConfig;

use crate::access::Reach;
use crate::auth::Staff;
use crate::error::{ApiError, Problem};
use crate::routes::paging::page;
use crate::state::AppState;

#[derive(Serialize, ToSchema)]
pub struct WorkItemDto {
    pub code: String,
    pub status: Status,
    pub status_code: i32,
    pub procedure_code: String,
    pub procedure_name: String,
    pub applicant_name: String,
    pub agency_code: String,
    pub received_at: DateTime<Utc>,
    pub due_at: DateTime<Utc>,
    /// Office time left (negative when overdue; frozen while paused).
    pub remaining_working_seconds: i64,
    /// Sent to this agency and not yet acknowledged.
    pub incoming: bool,
    pub waiting_for_supplement: bool,
    /// The officer it is assigned to (user id).
    pub assigned_to: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct WorkPage {
    pub items: Vec<WorkItemDto>,
    pub total: i64,
    pub limit: i64,
    pub offset: i64,
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct WorkQuery {
    /// Status code (repeatable as a comma list, e.g. `4,5`); default the
    /// open ones: 2, 4, 5, 6.
    pub status: Option<String>,
    pub procedure: Option<String>,
    /// `soon` (within the due-soon threshold, not yet overdue) or `overdue`.
    pub due: Option<String>,
    /// One agency within the caller's reach (supervisors).
    pub agency: Option<String>,
    /// `me`: only dossiers assigned to the caller.
    pub assigned: Option<String>,
    /// Page size, 1 to 500 (default 50).
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<i64>,
    #[param(minimum = 0, maximum = 1_000_000_000)]
    pub offset: Option<i64>,
}

#[utoipa::path(get, path = "/api/v1/worklist", tag = "routing",
    security(("bearer" = [])), params(WorkQuery),
    responses((status = 200, description = "Dossiers waiting at the caller's agency (supervisors: and below), earliest due first", body = WorkPage),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json")))]
#[get("/api/v1/worklist")]
pub async fn worklist(
    state: web::Data<AppState>,
    staff: Staff,
    query: web::Query<WorkQuery>,
) -> Result<HttpResponse, ApiError> {
    let q = query.into_inner();
    let (limit, offset) = page(q.limit, q.offset)?;
    let statuses: Vec<i32> = match &q.status {
        None => vec![2, 4, 5, 6],
        Some(list) => list
            .split(',')
            .map(|s| {
                s.trim()
                    .parse::<i32>()
                    .ok()
                    .filter(|c| Status::from_code(*c).is_ok())
                    .ok_or_else(|| ApiError::invalid_field("status", "status codes are 1-10"))
            })
            .collect::<Result<_, _>>()?,
    };
    let calendar = state.calendar();
    let now = time::now();
    let (due_before, due_after) = match q.due.as_deref() {
        None => (None, None),
        Some("overdue") => (Some(now), None),
        Some("soon") => (
            Some(motcua_sla::breach_scan::due_soon_bound(
                &calendar,
                now,
                state.due_soon_seconds(),
            )),
            Some(now),
        ),
        Some(_) => return Err(ApiError::invalid_field("due", "must be soon or overdue")),
    };
    let assigned_to = match q.assigned.as_deref() {
        None => None,
        Some("me") => Some(staff.id.clone()),
        Some(_) => {
            return Err(ApiError::invalid_field(
                "assigned",
                "only `me` is supported",
            ))
        }
    };
    let cal = calendar.clone();
    let (items, total) = state
        .with_conn(move |conn| {
            let mut reach = Reach::of(conn, &staff)?;
            if let Some(a) = &q.agency {
                reach = reach.only(a)?;
            }
            let agencies = reach.agencies(conn)?;
            Ok(work::worklist(
                conn,
                &WorkFilter {
                    agencies,
                    statuses,
                    procedure: q.procedure,
                    due_before,
                    due_after,
                    assigned_to,
                    limit,
                    offset,
                },
            )?)
        })
        .await?;
    let items = items
        .into_iter()
        .map(|w| {
            let from = w.paused_since.unwrap_or(now);
            let remaining = if from <= w.due_at {
                cal.working_seconds_between(from, w.due_at)
            } else {
                -cal.working_seconds_between(w.due_at, from)
            };
            WorkItemDto {
                status_code: w.status.code(),
                status: w.status,
                code: w.code,
                procedure_code: w.procedure_code,
                procedure_name: w.procedure_name,
                applicant_name: w.applicant_name,
                agency_code: w.handling_agency,
                received_at: w.received_at,
                due_at: w.due_at,
                remaining_working_seconds: remaining,
                incoming: w.in_transit,
                waiting_for_supplement: w.paused_since.is_some(),
                assigned_to: w.assigned_to,
            }
        })
        .collect();
    Ok(HttpResponse::Ok().json(WorkPage {
        items,
        total,
        limit,
        offset,
    }))
}

#[derive(Serialize, ToSchema)]
pub struct PendingHandover {
    pub dossier_code: String,
    pub from_agency: String,
    pub to_agency: String,
    pub sent_at: DateTime<Utc>,
    /// Real minutes since it was sent.
    pub waiting_minutes: i64,
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PendingQuery {
    /// Only handovers older than this many minutes (default from the
    /// server's configuration).
    #[param(minimum = 0, maximum = 525_600)]
    pub older_than_minutes: Option<i64>,
}

#[utoipa::path(get, path = "/api/v1/handovers/unacknowledged", tag = "routing",
    security(("bearer" = [])), params(PendingQuery),
    responses((status = 200, description = "Handovers from or to the caller's agencies (supervisors: and below) not acknowledged in time, oldest first", body = [PendingHandover])))]
#[get("/api/v1/handovers/unacknowledged")]
pub async fn unacknowledged(
    state: web::Data<AppState>,
    staff: Staff,
    query: web::Query<PendingQuery>,
) -> Result<HttpResponse, ApiError> {
    let minutes = query
        .into_inner()
        .older_than_minutes
        .unwrap_or(state.config.handover_ack_minutes);
    if minutes < 0 {
        return Err(ApiError::invalid_field(
            "older_than_minutes",
            "must not be negative",
        ));
    }
    let now = time::now();
    let older_than = now - Duration::minutes(minutes);
    let rows = state
        .with_conn(move |conn| {
            // An empty list means every agency.
            let agencies = match Reach::of(conn, &staff)? {
                Reach::All => Vec::new(),
                Reach::Agencies(list) => list,
            };
            Ok(handovers::unacknowledged(conn, &agencies, older_than, 500)?)
        })
        .await?;
    let out: Vec<PendingHandover> = rows
        .into_iter()
        .map(|(h, code)| PendingHandover {
            dossier_code: code,
            waiting_minutes: (now - h.sent_at).num_minutes(),
            from_agency: h.from_agency,
            to_agency: h.to_agency,
            sent_at: h.sent_at,
        })
        .collect();
    Ok(HttpResponse::Ok().json(out))
}

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
    let day = |field: &str, s: &str| {
        NaiveDate::parse_from_str(s, "%Y-%m-%d")
            .map_err(|_| ApiError::invalid_field(field, "must be YYYY-MM-DD"))
    };
    let (from, to) = (day("from", &q.from)?, day("to", &q.to)?);
    if to < from || (to - from).num_days() > 366 {
        return Err(ApiError::invalid_field(
            "to",
            "must be on or after from, at most a year later",
        ));
    }
    let calendar = state.calendar();
    let start = calendar.to_utc(from.and_hms_opt(0, 0, 0).unwrap_or_default());
    let end = calendar.to_utc(
        to.succ_opt()
            .unwrap_or(to)
            .and_hms_opt(0, 0, 0)
            .unwrap_or_default(),
    );
    let ag = agency.clone();
    let rows = state
        .with_conn(move |conn| {
            if !Reach::of(conn, &staff)?.contains(&ag) {
                return Err(ApiError::forbidden(format!(
                    "the tracking book of {ag} is not within your reach"
                )));
            }
            let rows = work::tracking_book(conn, &ag, start, end)?;
            let mut leads = std::collections::HashMap::<String, String>::new();
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
                });
            }
            Ok(out)
        })
        .await?;
    let wants_csv = q.format.as_deref() == Some("csv")
        || req
            .headers()
            .get(actix_web::http::header::ACCEPT)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.contains("text/csv"));
    if !wants_csv {
        return Ok(HttpResponse::Ok().json(rows));
    }
    let mut w = csv::Writer::from_writer(Vec::new());
    let fmt = |t: Option<DateTime<Utc>>| {
        t.map(|t| calendar.local(t).format("%d/%m/%Y %H:%M").to_string())
            .unwrap_or_default()
    };
    let header = [
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
    let csv_error = |e: csv::Error| {
        tracing::error!(error = %e, "csv");
        ApiError::internal()
    };
    w.write_record(header).map_err(csv_error)?;
    // Text a spreadsheet would run as a formula is written as text: names,
    // notes and contacts come from citizens (online submissions).
    let cell = |t: &str| motcua_domain::text::spreadsheet_safe(t).into_owned();
    for r in &rows {
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
        .map_err(csv_error)?;
    }
    let bytes = w.into_inner().map_err(|e| {
        tracing::error!(error = %e, "csv");
        ApiError::internal()
    })?;
    Ok(HttpResponse::Ok()
        .content_type("text/csv; charset=utf-8")
        .insert_header((
            "Content-Disposition",
            format!("attachment; filename=\"so-theo-doi-{agency}-{from}-{to}.csv\""),
        ))
        .body(bytes))
}

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(worklist)
        .service(unacknowledged)
        .service(tracking_book);
}
