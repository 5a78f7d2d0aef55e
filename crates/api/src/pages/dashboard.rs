//! `/quan-ly`: the supervisors' dashboard, behind a staff log-in kept in a
//! session cookie (`HttpOnly`, `SameSite=Strict`, `Secure` when served
//! over TLS, limited to `/quan-ly`). It holds the same bearer token the
//! API gives, so the session is the API's: a log-out, a disabled account
//! or a new role take effect on the next request. Every form that changes
//! something (log-in, log-out) carries a CSRF token checked against a
//! cookie of its own (double submit, compared in constant time).
//!
//! What it shows, within the caller's reach (the API's access rule): the
//! open dossiers by due state (on time, due soon, overdue, at risk where
//! the forecast says so), recorded breaches with filters, the on-time
//! rate by month as a server-rendered SVG chart, handovers not yet
//! acknowledged, feedback waiting for a step, and the results report to
//! download (`/quan-ly/bao-cao`).

use actix_web::cookie::{Cookie, SameSite};
use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use chrono::{Datelike, Duration, Months, NaiveDate};
use motcua_calendar::format_local;
use motcua_domain::{BreachKind, Period, Role};
use motcua_reports::results::{self, By};
use motcua_store::breaches::{self, BreachFilter};
use motcua_store::feedback::{self as feedback_store, FeedbackFilter};
use motcua_store::{handovers, time};
use serde::Deserialize;
use serde_json::{json, Value};
use subtle::ConstantTimeEq;

use super::{form_lang, parse_form, render, Lang, Shown};
use crate::access::Reach;
use crate::auth::{staff_of_token, Staff};
use crate::error::ApiError;
use crate::routes::reports::{answer, check_format, Which};
use crate::state::AppState;

const SESSION: &str = "motcua_session";
const CSRF: &str = "motcua_csrf";
const PATH: &str = "/quan-ly";

/// Breaches listed at once.
const BREACHES_SHOWN: i64 = 50;
/// Lists of handovers, feedback and dossiers at risk.
const SHOWN: i64 = 20;

fn secure(req: &HttpRequest, state: &AppState) -> bool {
    req.connection_info().scheme() == "https"
        || state.config.public_base_url.starts_with("https://")
}

fn cookie<'c>(req: &HttpRequest, state: &AppState, name: &'c str, value: String) -> Cookie<'c> {
    Cookie::build(name, value)
        .path(PATH)
        .http_only(true)
        .same_site(SameSite::Strict)
        .secure(secure(req, state))
        .finish()
}

/// The CSRF token the browser holds, or a new one (set with the answer).
fn csrf_token(req: &HttpRequest) -> (String, bool) {
    match req.cookie(CSRF).map(|c| c.value().to_string()) {
        Some(v) if v.len() == 64 && v.bytes().all(|b| b.is_ascii_hexdigit()) => (v, false),
        _ => {
            let bytes: [u8; 32] = rand::random();
            (hex::encode(bytes), true)
        }
    }
}

/// Whether a form's CSRF token is the cookie's.
fn csrf_ok(req: &HttpRequest, sent: &str) -> bool {
    match req.cookie(CSRF) {
        Some(c) if !sent.is_empty() => c.value().as_bytes().ct_eq(sent.as_bytes()).into(),
        _ => false,
    }
}

/// The staff member of the session cookie, if it still works.
async fn signed_in(state: &web::Data<AppState>, req: &HttpRequest) -> Option<Staff> {
    let token = req.cookie(SESSION)?.value().to_string();
    staff_of_token(state, &token).await.ok()
}

fn lang_of(req: &HttpRequest) -> Lang {
    let q = web::Query::<super::LangQuery>::from_query(req.query_string()).ok();
    Lang::of(q.as_ref().and_then(|q| q.lang.as_deref()))
}

fn switch(lang: Lang) -> String {
    match lang.other() {
        Lang::En => format!("{PATH}?lang=en"),
        Lang::Vi => PATH.to_string(),
    }
}

/// The log-in form, with an error when one is given.
fn login_page(
    req: &HttpRequest,
    lang: Lang,
    status: StatusCode,
    error: Option<String>,
    username: &str,
) -> HttpResponse {
    login_form(req, lang, status, error, json!({}), username)
}

/// The log-in form with a message, or with problems beside its fields.
fn login_form(
    req: &HttpRequest,
    lang: Lang,
    status: StatusCode,
    error: Option<String>,
    errors: Value,
    username: &str,
) -> HttpResponse {
    let (token, new) = csrf_token(req);
    let ctx = json!({"csrf": token, "error": error, "errors": errors, "username": username});
    let mut page = render(status, "login.html", lang, &switch(lang), ctx);
    if new {
        if let Some(state) = req.app_data::<web::Data<AppState>>() {
            let _ = page.add_cookie(&cookie(req, state, CSRF, token));
        }
    }
    page
}

#[derive(Debug, Default, Deserialize)]
pub struct DashboardQuery {
    #[serde(default)]
    agency: Option<String>,
    #[serde(default)]
    kind: Option<String>,
    #[serde(default)]
    from: Option<String>,
    #[serde(default)]
    to: Option<String>,
    #[serde(default)]
    lang: Option<String>,
}

pub async fn page(
    state: web::Data<AppState>,
    req: HttpRequest,
    query: web::Query<DashboardQuery>,
) -> HttpResponse {
    let q = query.into_inner();
    let lang = Lang::of(q.lang.as_deref());
    let Some(staff) = signed_in(&state, &req).await else {
        return login_page(&req, lang, StatusCode::OK, None, "");
    };
    let (csrf, new_csrf) = csrf_token(&req);
    let typed = json!({"agency": q.agency, "kind": q.kind, "from": q.from, "to": q.to});
    let outcome = match dashboard(&state, &staff, q, lang).await {
        // A filter that cannot be read: the dashboard unfiltered, the
        // problem beside the filter's field.
        Err(e) if e.status() == StatusCode::UNPROCESSABLE_ENTITY => {
            let shown = Shown::of(&e, lang);
            dashboard(&state, &staff, DashboardQuery::default(), lang)
                .await
                .map(|mut ctx| {
                    ctx["filter"] = typed;
                    ctx["errors"] = json!(shown.fields);
                    (StatusCode::UNPROCESSABLE_ENTITY, ctx)
                })
        }
        other => other.map(|ctx| (StatusCode::OK, ctx)),
    };
    let mut answer = match outcome {
        Ok((status, mut ctx)) => {
            ctx["csrf"] = json!(csrf);
            render(status, "dashboard.html", lang, &switch(lang), ctx)
        }
        Err(e) => error_page(&e, lang, &csrf, &staff.name),
    };
    if new_csrf {
        let _ = answer.add_cookie(&cookie(&req, &state, CSRF, csrf));
    }
    answer
}

/// The dashboard's frame with an error's message instead of its figures.
fn error_page(e: &ApiError, lang: Lang, csrf: &str, name: &str) -> HttpResponse {
    let shown = Shown::of(e, lang);
    let ctx = json!({"csrf": csrf, "staff": {"name": name}, "error": shown.message});
    shown.headers(render(
        shown.status,
        "dashboard.html",
        lang,
        &switch(lang),
        ctx,
    ))
}

/// A local day of a filter, or the field's error.
fn day(field: &str, value: &Option<String>) -> Result<Option<NaiveDate>, ApiError> {
    match value.as_deref().map(str::trim).filter(|v| !v.is_empty()) {
        None => Ok(None),
        Some(v) => NaiveDate::parse_from_str(v, "%Y-%m-%d")
            .map(Some)
            .map_err(|_| ApiError::invalid_field(field, "must be YYYY-MM-DD")),
    }
}

async fn dashboard(
    state: &web::Data<AppState>,
    staff: &Staff,
    q: DashboardQuery,
    lang: Lang,
) -> Result<Value, ApiError> {
    staff.require(&[Role::Supervisor, Role::Admin])?;
    let kind = match q.kind.as_deref().filter(|k| !k.is_empty()) {
        None => None,
        Some(k) => Some(
            BreachKind::parse(k)
                .ok_or_else(|| ApiError::invalid_field("kind", "must be due_soon or overdue"))?,
        ),
    };
    let (from, to) = (day("from", &q.from)?, day("to", &q.to)?);
    let calendar = state.calendar();
    let soon_seconds = state.due_soon_seconds();
    let staff = staff.clone();
    let agency_filter = q.agency.clone().filter(|a| !a.trim().is_empty());
    state
        .with_conn(move |conn| {
            let now = time::now();
            let reach = Reach::of(conn, &staff)?;
            let choices = reach.clone().agencies(conn)?;
            let reach = match agency_filter.as_deref() {
                Some(a) => reach.at_and_below(conn, a.trim())?,
                None => reach,
            };
            let agencies = reach.agencies(conn)?;
            let soon = motcua_sla::breach_scan::due_soon_bound(&calendar, now, soon_seconds);
            let (within, due_soon, overdue) = breaches::open_counts(conn, &agencies, now, soon)?;
            let at_risk = motcua_reports::lateness::forecast(conn, &calendar, &agencies, 0.5, now)?;
            let instant = |d: Option<NaiveDate>, end: bool| {
                d.map(|d| {
                    let d = if end { d + Duration::days(1) } else { d };
                    calendar.to_utc(d.and_time(chrono::NaiveTime::MIN))
                })
            };
            let (breach_list, breach_total) = breaches::list(
                conn,
                &BreachFilter {
                    agencies: agencies.clone(),
                    procedure: None,
                    kind,
                    due_from: instant(from, false),
                    due_to: instant(to, true),
                    limit: BREACHES_SHOWN,
                    offset: 0,
                },
            )?;
            let pending = handovers::unacknowledged(conn, &agencies, now - Duration::hours(4), SHOWN)?;
            let (waiting, waiting_total) = feedback_store::list(
                conn,
                &FeedbackFilter {
                    agencies: agencies.clone(),
                    status: None,
                    due_before: None,
                    open_only: true,
                    limit: SHOWN,
                    offset: 0,
                },
            )?;
            // The on-time rate of the last twelve months: each month's
            // total, so that the months over are read from the results
            // report's roll-up, not counted from the dossiers again.
            let today = calendar.local_date(now);
            let this_month = today.with_day(1).unwrap_or(today);
            let mut months: Vec<(String, Option<f64>, u64)> = Vec::with_capacity(12);
            for back in (0..12).rev() {
                let Some(first) = this_month.checked_sub_months(Months::new(back)) else {
                    continue;
                };
                let name = first.format("%Y-%m").to_string();
                let period = Period::parse(&name)
                    .map_err(|e| ApiError::invalid_field("period", e.to_string()))?;
                let month = results::results(
                    conn,
                    &calendar,
                    results::Request {
                        agency: agency_filter.clone().or_else(|| {
                            (staff.role != Role::Admin).then(|| staff.agency.to_string())
                        }),
                        agencies: agencies.clone(),
                        period,
                        by: By::Agency,
                        form: None,
                    },
                )?;
                months.push((name, month.total.on_time_rate, month.total.handled));
            }
            let last_month = today
                .with_day(1)
                .and_then(|d| d.checked_sub_months(Months::new(1)))
                .unwrap_or(today);
            // The halls' last seven days, today included, newest first.
            let week_start = calendar.to_utc(
                (today - chrono::Duration::days(6))
                    .and_hms_opt(0, 0, 0)
                    .unwrap_or_default(),
            );
            let mut queue = motcua_reports::queue_times::lines(
                conn,
                &calendar,
                &agencies,
                week_start,
                now + chrono::Duration::seconds(1),
            )?;
            queue.sort_by(|a, b| b.day.cmp(&a.day).then_with(|| a.agency.cmp(&b.agency)));
            let minutes = |m: Option<f64>| m.map_or_else(String::new, |m| format!("{m:.1}"));
            Ok(json!({
                "queue": queue.iter().map(|q| json!({
                    "day": q.day, "agency": q.agency, "area": format!("{} · {}", q.area, q.area_name),
                    "tickets": q.tickets, "served": q.served, "no_show": q.no_show,
                    "wait_avg": minutes(q.wait.average_minutes), "wait_p90": minutes(q.wait.p90_minutes),
                    "service_avg": minutes(q.service.average_minutes), "service_p90": minutes(q.service.p90_minutes),
                    "per_hour": minutes(q.tickets_per_hour),
                })).collect::<Vec<_>>(),
                "staff": {"name": staff.name, "role": staff.role.as_str(), "agency": staff.agency.as_str()},
                "agencies": choices,
                "filter": {"agency": agency_filter, "kind": kind.map(|k| k.as_str()),
                    "from": from.map(|d| d.to_string()), "to": to.map(|d| d.to_string())},
                "open": {"within": within, "due_soon": due_soon, "overdue": overdue, "at_risk": at_risk.len()},
                "at_risk": at_risk.iter().take(SHOWN as usize).map(|f| json!({
                    "code": f.code, "procedure": f.procedure_name,
                    "probability": format!("{:.0} %", f.probability * 100.0),
                })).collect::<Vec<_>>(),
                "breaches": breach_list.iter().map(|b| json!({
                    "code": b.dossier_code, "kind": b.kind.as_str(), "agency": b.agency_code,
                    "procedure": b.procedure_code, "due_at": format_local(&calendar, b.due_at),
                })).collect::<Vec<_>>(),
                "breach_total": breach_total,
                "handovers": pending.iter().map(|(h, code)| json!({
                    "code": code, "from": h.from_agency, "to": h.to_agency,
                    "sent_at": format_local(&calendar, h.sent_at),
                })).collect::<Vec<_>>(),
                "feedback": waiting.iter().map(|f| json!({
                    "reference": f.reference, "subject": f.subject, "status": match lang {
                        Lang::Vi => f.status.text_vi(), Lang::En => f.status.text_en() },
                    "due_at": f.step_due_at.map(|d| format_local(&calendar, d)),
                    "overdue": f.step_due_at.is_some_and(|d| d < now),
                })).collect::<Vec<_>>(),
                "feedback_total": waiting_total,
                "chart": chart(&months, lang),
                "report_period": last_month.format("%Y-%m").to_string(),
            }))
        })
        .await
}

/// The on-time rate by month as an SVG bar chart, drawn on the server:
/// one bar per month (none for a month with nothing handled), its rate
/// written above it, the month below; a title and a description for
/// screen readers.
fn chart(months: &[(String, Option<f64>, u64)], lang: Lang) -> Value {
    const W: f64 = 640.0;
    const H: f64 = 240.0;
    const TOP: f64 = 30.0;
    const BOTTOM: f64 = 40.0;
    let n = months.len().max(1) as f64;
    let slot = W / n;
    let plot = H - TOP - BOTTOM;
    let bars: Vec<Value> = months
        .iter()
        .enumerate()
        .map(|(i, (month, rate, handled))| {
            let x = i as f64 * slot + slot * 0.2;
            let height = rate.map_or(0.0, |r| plot * r / 100.0);
            let label = month
                .split_once('-')
                .map_or(month.clone(), |(y, m)| format!("{m}/{}", &y[2..]));
            json!({
                "x": format!("{x:.1}"), "y": format!("{:.1}", TOP + plot - height),
                "width": format!("{:.1}", slot * 0.6), "height": format!("{height:.1}"),
                "cx": format!("{:.1}", x + slot * 0.3), "label": label,
                "rate": rate.map(|r| format!("{r:.0}%")), "handled": handled,
            })
        })
        .collect();
    let described: Vec<String> = months
        .iter()
        .map(|(m, r, h)| match (r, lang) {
            (Some(r), Lang::Vi) => format!("{m}: {r:.1}% ({h} hồ sơ)"),
            (Some(r), Lang::En) => format!("{m}: {r:.1}% ({h} dossiers)"),
            (None, Lang::Vi) => format!("{m}: không có hồ sơ"),
            (None, Lang::En) => format!("{m}: none handled"),
        })
        .collect();
    json!({
        "width": W, "height": H, "baseline": format!("{:.1}", TOP + plot),
        "label_y": format!("{:.1}", H - BOTTOM + 18.0), "bars": bars,
        "description": described.join("; "),
    })
}

/// The log-in form as sent.
#[derive(Debug, Default, Deserialize)]
pub struct LoginForm {
    #[serde(default)]
    username: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    csrf: String,
}

pub async fn log_in(
    state: web::Data<AppState>,
    req: HttpRequest,
    body: web::Bytes,
) -> HttpResponse {
    let lang = form_lang(&body);
    let form: LoginForm = parse_form(&body).unwrap_or_default();
    if !csrf_ok(&req, &form.csrf) {
        let message = match lang {
            Lang::Vi => "Phiên biểu mẫu đã hết hạn; vui lòng đăng nhập lại.",
            Lang::En => "The form has expired; please log in again.",
        };
        return login_page(
            &req,
            lang,
            StatusCode::FORBIDDEN,
            Some(message.into()),
            &form.username,
        );
    }
    match crate::routes::auth::sign_in(&state, &req, &form.username, form.password).await {
        Ok((token, ttl)) => {
            let mut session = cookie(&req, &state, SESSION, token);
            session.set_max_age(actix_web::cookie::time::Duration::seconds(ttl));
            let target = match lang {
                Lang::Vi => PATH.to_string(),
                Lang::En => format!("{PATH}?lang=en"),
            };
            HttpResponse::SeeOther()
                .insert_header(("Location", target))
                .insert_header(("Cache-Control", "no-store"))
                .cookie(session)
                .finish()
        }
        Err(e) => {
            let shown = Shown::of(&e, lang);
            let page = login_form(
                &req,
                lang,
                shown.status,
                shown.message.clone(),
                json!(shown.fields),
                &form.username,
            );
            shown.headers(page)
        }
    }
}

#[derive(Debug, Default, Deserialize)]
pub struct LogoutForm {
    #[serde(default)]
    csrf: String,
}

pub async fn log_out(
    state: web::Data<AppState>,
    req: HttpRequest,
    body: web::Bytes,
) -> HttpResponse {
    let lang = form_lang(&body);
    let form: LogoutForm = parse_form(&body).unwrap_or_default();
    if !csrf_ok(&req, &form.csrf) {
        return login_page(&req, lang, StatusCode::FORBIDDEN, None, "");
    }
    if let Some(staff) = signed_in(&state, &req).await {
        let ended = state
            .with_conn(move |conn| {
                let actor = staff.actor();
                Ok(motcua_admin::sessions::log_out(
                    conn,
                    &actor,
                    &staff.id,
                    &staff.session_id,
                )?)
            })
            .await;
        if let Err(e) = ended {
            tracing::warn!(error = %e, "could not end a dashboard session");
        }
    }
    let mut gone = cookie(&req, &state, SESSION, String::new());
    gone.make_removal();
    HttpResponse::SeeOther()
        .insert_header(("Location", PATH))
        .cookie(gone)
        .finish()
}

#[derive(Debug, Default, Deserialize)]
pub struct ReportQuery {
    #[serde(default)]
    period: Option<String>,
    #[serde(default)]
    agency: Option<String>,
    #[serde(default)]
    format: Option<String>,
}

/// The results report to download, as the API gives it
/// (`/api/v1/reports/results`), for the session's staff member.
pub async fn report(
    state: web::Data<AppState>,
    req: HttpRequest,
    query: web::Query<ReportQuery>,
) -> HttpResponse {
    let lang = lang_of(&req);
    let Some(staff) = signed_in(&state, &req).await else {
        return login_page(&req, lang, StatusCode::UNAUTHORIZED, None, "");
    };
    let q = query.into_inner();
    let outcome = async {
        staff.require(&[Role::Supervisor, Role::Admin])?;
        check_format(q.format.as_deref())?;
        let calendar = state.calendar();
        let cal = calendar.clone();
        let (period, agency) = (q.period.clone(), q.agency.clone().filter(|a| !a.is_empty()));
        let report = state
            .with_conn(move |conn| {
                let which = Which {
                    agency: agency.as_deref(),
                    period: period.as_deref(),
                    from: None,
                    to: None,
                    by: None,
                    form: None,
                };
                let request = which.request(conn, &staff)?;
                Ok(results::results(conn, &cal, request)?)
            })
            .await?;
        answer(&req, q.format.as_deref(), &report, &calendar)
    }
    .await;
    match outcome {
        Ok(r) => r,
        Err(e) => error_page(&e, lang, "", ""),
    }
}
