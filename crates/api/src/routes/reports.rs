//! Reports for supervisors and administrators: the results report of an
//! agency and every agency below it, for a named period or a range of
//! days, as JSON, CSV, an XLSX workbook or a printable page.

use actix_web::{get, web, HttpRequest, HttpResponse};
use chrono::NaiveDate;
use motcua_domain::{Period, Role};
use motcua_reports::results::{self, By, Counts, Form, ResultsReport};
use motcua_reports::{printed, spreadsheet};
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_actix_web::service_config::ServiceConfig;

use crate::access::Reach;
use crate::auth::Staff;
use crate::error::{ApiError, Problem};
use crate::state::AppState;

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ResultsQuery {
    /// The agency reported on, with every agency below it; by default the
    /// caller's own (for an administrator, every agency).
    #[param(max_length = 64, example = "H53.50")]
    pub agency: Option<String>,
    /// A named period: `2026` (year), `2026-H2`, `2026-Q4` or `2026-11`.
    /// Give either this or `from` and `to`.
    #[param(max_length = 7, example = "2026-Q4")]
    pub period: Option<String>,
    /// First local day of the period.
    #[param(format = Date, example = "2026-10-01")]
    pub from: Option<String>,
    /// Last local day of the period (included).
    #[param(format = Date, example = "2026-12-31")]
    pub to: Option<String>,
    /// One row per `agency` (default), `unit` (the agency's own dossiers,
    /// then each agency directly below it rolled up), `procedure`,
    /// `field`, `service_level`, `officer`, `month` or `quarter`.
    #[param(inline)]
    pub by: Option<By>,
    /// The form of Circular 01/2020/TT-VPCP to reproduce, instead of `by`:
    /// `06a` (the agency's own dossiers by field), `06b` (rolled up, by
    /// field), `07a` (by unit), `07b` (rolled up, by agency).
    #[param(inline)]
    pub form: Option<Form>,
    /// `csv` for a spreadsheet (or send Accept: text/csv), `xlsx` for an
    /// Excel workbook, `html` for the printable A4 landscape page in
    /// Vietnamese (or send Accept: text/html); JSON otherwise.
    #[param(max_length = 8, example = "csv")]
    pub format: Option<String>,
}

/// Which report: the agency, the period, the rows. Shared by the report,
/// and by freezing one.
pub(crate) struct Which<'a> {
    pub agency: Option<&'a str>,
    pub period: Option<&'a str>,
    pub from: Option<&'a str>,
    pub to: Option<&'a str>,
    pub by: Option<By>,
    pub form: Option<Form>,
}

impl Which<'_> {
    /// The report asked for, checked against the caller's reach: an
    /// agency outside it is 403, and the agencies counted are the named
    /// one (by default the caller's own; for an administrator, every
    /// agency) and those below it.
    pub(crate) fn request(
        &self,
        conn: &mut motcua_store::DbConnection,
        staff: &Staff,
    ) -> Result<results::Request, ApiError> {
        let (by, form) = match (self.by, self.form) {
            (Some(_), Some(_)) => {
                return Err(ApiError::invalid_field(
                    "form",
                    "give either a form or by, not both",
                ))
            }
            (_, Some(form)) => (form.by(), Some(form)),
            (by, None) => (by.unwrap_or(By::Agency), None),
        };
        let period = period(self.period, self.from, self.to)?;
        let mut reach = Reach::of(conn, staff)?;
        let agency = match self.agency.map(str::trim) {
            Some(a) => {
                reach = reach.at_and_below(conn, a)?;
                Some(a.to_string())
            }
            None => (staff.role != Role::Admin).then(|| staff.agency.to_string()),
        };
        if agency.is_none() && form.is_some_and(Form::own_only) {
            return Err(ApiError::invalid_field(
                "agency",
                "form 06a is an agency's own report: name the agency",
            ));
        }
        Ok(results::Request {
            agency,
            agencies: reach.agencies(conn)?,
            period,
            by,
            form,
        })
    }
}

/// Refuses an unknown `format` before any work.
pub(crate) fn check_format(format: Option<&str>) -> Result<(), ApiError> {
    if format.is_some_and(|f| !["json", "csv", "html", "xlsx"].contains(&f)) {
        return Err(ApiError::invalid_field(
            "format",
            "must be json, csv, html or xlsx",
        ));
    }
    Ok(())
}

#[utoipa::path(get, path = "/api/v1/reports/results", tag = "reports",
    security(("bearer" = [])), params(ResultsQuery),
    responses(
        (status = 200, description = "The report; with format=csv or Accept: text/csv, the same rows as CSV (UTF-8 with a byte-order mark) and the total last; with format=xlsx, a workbook with a title row, the agency, the period and the total; with format=html or Accept: text/html, the printable page", body = ResultsReport),
        (status = 403, description = "Not a supervisor or an administrator, or an agency outside the caller's reach", body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json")))]
#[get("/api/v1/reports/results")]
pub async fn results_report(
    state: web::Data<AppState>,
    staff: Staff,
    query: web::Query<ResultsQuery>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    staff.require(&[Role::Supervisor, Role::Admin])?;
    let q = query.into_inner();
    check_format(q.format.as_deref())?;
    let calendar = state.calendar();
    let cal = calendar.clone();
    let report = state
        .with_conn(move |conn| {
            let which = Which {
                agency: q.agency.as_deref(),
                period: q.period.as_deref(),
                from: q.from.as_deref(),
                to: q.to.as_deref(),
                by: q.by,
                form: q.form,
            };
            let request = which.request(conn, &staff)?;
            Ok(results::results(conn, &cal, request)?)
        })
        .await?;
    answer(&req, q.format.as_deref(), &report, &calendar)
}

/// The report as JSON, CSV (`format=csv` or `Accept: text/csv`) or the
/// printable page (`format=html` or `Accept: text/html`).
pub(crate) fn answer(
    req: &HttpRequest,
    format: Option<&str>,
    report: &ResultsReport,
    calendar: &motcua_calendar::WorkingCalendar,
) -> Result<HttpResponse, ApiError> {
    if format == Some("html") || (format.is_none() && super::dossiers::wants_html(req)) {
        let html = printed::to_html(report, calendar).map_err(|e| {
            tracing::error!(error = %e, paper = "results report", "template failed");
            ApiError::internal()
        })?;
        return Ok(HttpResponse::Ok()
            .content_type("text/html; charset=utf-8")
            .body(html));
    }
    if format == Some("xlsx") {
        let as_of = motcua_calendar::format_local(calendar, report.as_of);
        let book = spreadsheet::to_xlsx(report, &as_of).map_err(|e| {
            tracing::error!(error = %e, "xlsx");
            ApiError::internal()
        })?;
        return Ok(HttpResponse::Ok()
            .content_type("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
            .insert_header(("Content-Disposition", attachment(report, "xlsx")))
            .body(book));
    }
    if !super::tracking_book::wants_csv(format, req) {
        return Ok(HttpResponse::Ok().json(report));
    }
    Ok(HttpResponse::Ok()
        .content_type("text/csv; charset=utf-8")
        .insert_header(("Content-Disposition", attachment(report, "csv")))
        .body(csv(report)?))
}

/// The download's file name: the report and its period.
fn attachment(report: &ResultsReport, extension: &str) -> String {
    let form = report
        .form
        .map(|f| format!("mau-{}-", f.number()))
        .unwrap_or_default();
    format!(
        "attachment; filename=\"bao-cao-ket-qua-{form}{}.{extension}\"",
        report.period.name.replace("..", "_")
    )
}

/// The period asked for: named, or a range of days (at most ten years).
fn period(name: Option<&str>, from: Option<&str>, to: Option<&str>) -> Result<Period, ApiError> {
    let day = |field: &str, s: &str| {
        NaiveDate::parse_from_str(s, "%Y-%m-%d")
            .map_err(|_| ApiError::invalid_field(field, "must be YYYY-MM-DD"))
    };
    let invalid =
        |e: motcua_domain::DomainError| ApiError::invalid(vec![e.into_field_error("period")]);
    match (name, from, to) {
        (Some(p), None, None) => Period::parse(p).map_err(invalid),
        (None, Some(from), Some(to)) => {
            let (first, last) = (day("from", from)?, day("to", to)?);
            if (last - first).num_days() > 3660 {
                return Err(ApiError::invalid_field(
                    "to",
                    "at most ten years after from",
                ));
            }
            Period::between(first, last).map_err(invalid)
        }
        _ => Err(ApiError::invalid_field(
            "period",
            "give either a period (2026, 2026-H2, 2026-Q4, 2026-11) or both from and to",
        )),
    }
}

/// The report as CSV, with a byte-order mark so spreadsheet programs read
/// it as UTF-8 (Vietnamese), the columns of [`Counts::columns`], the total
/// as the last row, and every text cell made safe to open.
fn csv(report: &ResultsReport) -> Result<Vec<u8>, ApiError> {
    let csv_error = |e: &dyn std::fmt::Display| {
        tracing::error!(error = %e, "csv");
        ApiError::internal()
    };
    let cell = |t: &str| motcua_domain::text::spreadsheet_safe(t).into_owned();
    let mut w = ::csv::Writer::from_writer(b"\xEF\xBB\xBF".to_vec());
    let mut header = vec!["Mã", "Tên"];
    header.extend(Counts::default().columns().map(|(name, _)| name));
    w.write_record(&header).map_err(|e| csv_error(&e))?;
    let rows = report
        .rows
        .iter()
        .map(|r| (cell(&r.key), cell(&r.label), &r.counts))
        .chain([("Tổng cộng".to_string(), String::new(), &report.total)]);
    for (key, label, c) in rows {
        let mut record = vec![key, label];
        record.extend(
            c.columns()
                .map(|(_, v)| v.map(|v| v.to_string()).unwrap_or_default()),
        );
        w.write_record(&record).map_err(|e| csv_error(&e))?;
    }
    w.into_inner().map_err(|e| csv_error(&e))
}

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(results_report);
}
