//! The working-time calendar: a year's days off and make-up days, admin
//! edits (which move open dossiers' due times, each with its cause), and a
//! due-date calculator anyone can use to check us.

use actix_web::{delete, get, post, put, web, HttpResponse};
use chrono::Datelike;
use chrono::{DateTime, NaiveDate, Utc};
use motcua_calendar::DayKind;
use motcua_domain::{Role, StatutoryDuration};
use motcua_store::procedures;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_actix_web::service_config::ServiceConfig;

use crate::auth::Staff;
use crate::body::JsonBody;
use crate::error::{ApiError, Problem};
use crate::routes::procedures::{parse_duration, DurationDto};
use crate::state::AppState;
use motcua_sla::ops::calendar_edit::{edit_day, DaySetting};

#[derive(Serialize, ToSchema)]
pub struct CalendarDay {
    pub date: NaiveDate,
    /// holiday, compensatory, day_off or working_day (a make-up working day).
    pub kind: String,
    pub working: bool,
    pub name_vi: String,
    pub name_en: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct CalendarYear {
    pub year: i32,
    pub time_zone: String,
    pub office_hours: String,
    pub weekly_days_off: Vec<String>,
    /// `decided`: the government's arrangements for the year (swapped
    /// days, make-up Saturdays, Tết for public servants) are in the
    /// shipped table, from the documents in `sources`. `computed`: they
    /// are not known to this version, so only the statutory rules apply
    /// (holidays, Tết, compensatory days); an administrator enters the
    /// year's decisions as they are published. Administrators' edits
    /// apply to both.
    #[schema(example = "decided")]
    pub arrangements: String,
    /// The decisions the year's arrangements come from.
    pub sources: Vec<String>,
    /// Arrangements proposed or reported but not confirmed: not applied.
    pub unconfirmed: Vec<String>,
    /// Every listed day: holidays (also on weekends), compensatory days,
    /// extra days off and make-up working days.
    pub days: Vec<CalendarDay>,
}

fn kind_name(k: DayKind) -> &'static str {
    match k {
        DayKind::Holiday => "holiday",
        DayKind::Compensatory => "compensatory",
        DayKind::DayOff => "day_off",
        DayKind::WorkingDay => "working_day",
    }
}

#[utoipa::path(get, path = "/api/v1/calendar/{year}", tag = "calendar",
    params(("year" = i32, Path, minimum = 1900, maximum = 2100, description = "Solar year")),
    responses((status = 200, body = CalendarYear), (status = 422, body = Problem, content_type = "application/problem+json")))]
#[get("/api/v1/calendar/{year}")]
pub async fn year(
    state: web::Data<AppState>,
    path: web::Path<i32>,
) -> Result<HttpResponse, ApiError> {
    let year = path.into_inner();
    if !(1900..=2100).contains(&year) {
        return Err(ApiError::invalid_field(
            "year",
            "must be between 1900 and 2100",
        ));
    }
    let cal = state.calendar();
    let s = cal.settings();
    let days = cal
        .days_off_in_year(year)
        .into_iter()
        .map(|d| CalendarDay {
            date: d.date,
            kind: kind_name(d.kind).to_string(),
            working: cal.is_working_day(d.date),
            name_vi: d.name_vi,
            name_en: d.name_en,
        })
        .collect();
    let decision = state.calendars.decision(year);
    Ok(HttpResponse::Ok().json(CalendarYear {
        year,
        arrangements: if decision.is_some() {
            "decided"
        } else {
            "computed"
        }
        .to_string(),
        sources: decision.map(|d| d.sources.clone()).unwrap_or_default(),
        unconfirmed: decision.map(|d| d.unconfirmed.clone()).unwrap_or_default(),
        time_zone: s.time_zone.name().to_string(),
        office_hours: s.office_hours.to_string(),
        weekly_days_off: s.weekly_days_off.iter().map(|d| d.to_string()).collect(),
        days,
    }))
}

#[derive(Deserialize, ToSchema)]
pub struct DayEdit {
    /// `day_off` or `working_day`.
    #[schema(max_length = 16)]
    pub kind: String,
    /// Why: the decision that set it, e.g. "Công văn 1234/BNV".
    #[schema(max_length = 1000)]
    pub reason: String,
}

#[derive(Serialize, ToSchema)]
pub struct DayEditAnswer {
    pub date: NaiveDate,
    /// The day's kind now (`null` after a removal restores the rules).
    pub kind: Option<String>,
    pub working: bool,
    /// Open dossiers whose due time moved, each with the cause recorded.
    pub moved_dossiers: Vec<String>,
}

/// A day of the calendar's years (the contract guard checks the same
/// from the document; this keeps the handler right on its own).
fn parse_date(s: &str) -> Result<NaiveDate, ApiError> {
    let date = NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .map_err(|_| ApiError::invalid_field("date", "must be a date, YYYY-MM-DD"))?;
    if !crate::contract::check::YEARS.contains(&date.year()) {
        return Err(ApiError::invalid_field(
            "date",
            "must fall in the years 1900 to 2100",
        ));
    }
    Ok(date)
}

/// Applies an edit (or a removal) through the calendar-edit operation and
/// answers with the day as it now counts.
async fn apply(
    state: &AppState,
    staff: Staff,
    date: NaiveDate,
    edit: Option<DayEdit>,
) -> Result<DayEditAnswer, ApiError> {
    let (calendars, mail) = (state.calendars.clone(), state.mail.clone());
    let setting = edit.map(|e| DaySetting {
        kind: e.kind,
        reason: e.reason,
    });
    let edited = state
        .with_conn(move |conn| {
            let actor = staff.actor();
            let setting = setting.as_ref();
            Ok(edit_day(conn, &calendars, &mail, &actor, date, setting)?)
        })
        .await?;
    let cal = edited.calendar;
    let kind = cal
        .days_off_in_year(chrono::Datelike::year(&date))
        .into_iter()
        .find(|d| d.date == date)
        .map(|d| kind_name(d.kind).to_string());
    Ok(DayEditAnswer {
        date,
        kind,
        working: cal.is_working_day(date),
        moved_dossiers: edited.moved_dossiers,
    })
}

#[utoipa::path(put, path = "/api/v1/calendar/days/{date}", tag = "calendar",
    security(("bearer" = [])), request_body = DayEdit,
    params(("date" = String, Path, format = Date, description = "YYYY-MM-DD")),
    responses((status = 200, body = DayEditAnswer),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json")))]
#[put("/api/v1/calendar/days/{date}")]
pub async fn set_day(
    state: web::Data<AppState>,
    staff: Staff,
    path: web::Path<String>,
    JsonBody(edit): JsonBody<DayEdit>,
) -> Result<HttpResponse, ApiError> {
    staff.require(&[Role::Admin])?;
    let date = parse_date(&path.into_inner())?;
    Ok(HttpResponse::Ok().json(apply(&state, staff, date, Some(edit)).await?))
}

#[utoipa::path(delete, path = "/api/v1/calendar/days/{date}", tag = "calendar",
    security(("bearer" = [])),
    params(("date" = String, Path, format = Date, description = "YYYY-MM-DD")),
    responses((status = 200, body = DayEditAnswer),
        (status = 404, description = "No edit for this date", body = Problem, content_type = "application/problem+json")))]
#[delete("/api/v1/calendar/days/{date}")]
pub async fn remove_day(
    state: web::Data<AppState>,
    staff: Staff,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    staff.require(&[Role::Admin])?;
    let date = parse_date(&path.into_inner())?;
    Ok(HttpResponse::Ok().json(apply(&state, staff, date, None).await?))
}

#[derive(Deserialize, ToSchema)]
pub struct DueDateQuestion {
    /// The moment of receipt; the calendar counts from 2000 to 2100.
    pub received_at: DateTime<Utc>,
    /// A duration, or
    pub duration: Option<DurationDto>,
    /// a procedure code whose statutory time to use.
    #[schema(max_length = 64)]
    pub procedure: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct DueDateAnswer {
    pub received_at: DateTime<Utc>,
    pub received_at_local: String,
    pub due_at: DateTime<Utc>,
    pub due_at_local: String,
    /// Office time between receipt and due time.
    pub working_seconds: i64,
}

/// The duration a due-date question names: given, or the procedure's.
async fn asked_duration(
    state: &AppState,
    duration: Option<DurationDto>,
    procedure: Option<String>,
) -> Result<StatutoryDuration, ApiError> {
    match (duration, procedure) {
        (Some(d), None) => parse_duration(&d).map_err(ApiError::invalid),
        (None, Some(code)) => {
            state
                .with_conn(move |conn| {
                    procedures::get(conn, &code)?
                        .map(|p| p.duration)
                        .ok_or_else(|| ApiError::invalid_field("procedure", "unknown procedure"))
                })
                .await
        }
        _ => Err(ApiError::invalid_field(
            "duration",
            "give either a duration or a procedure code",
        )),
    }
}

#[utoipa::path(post, path = "/api/v1/calendar/due-date", tag = "calendar",
    request_body = DueDateQuestion,
    responses((status = 200, body = DueDateAnswer), (status = 422, body = Problem, content_type = "application/problem+json")))]
#[post("/api/v1/calendar/due-date")]
pub async fn due_date(
    state: web::Data<AppState>,
    JsonBody(q): JsonBody<DueDateQuestion>,
) -> Result<HttpResponse, ApiError> {
    let duration = asked_duration(&state, q.duration, q.procedure).await?;
    let cal = state.calendar();
    // Outside these years the calendar knows no holidays: an answer would
    // look right and be wrong.
    let years = motcua_sla::calendars::CALENDAR_YEARS;
    if !years.contains(&cal.local_date(q.received_at).year()) {
        return Err(ApiError::invalid_field(
            "received_at",
            format!(
                "the calendar counts working time from {} to {}",
                years.start(),
                years.end()
            ),
        ));
    }
    let due = cal.due_at(q.received_at, &duration);
    let fmt = |t| motcua_calendar::format_local(&cal, t);
    Ok(HttpResponse::Ok().json(DueDateAnswer {
        received_at: q.received_at,
        received_at_local: fmt(q.received_at),
        due_at: due,
        due_at_local: fmt(due),
        working_seconds: cal.working_seconds_between(q.received_at, due),
    }))
}

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(year)
        .service(set_day)
        .service(remove_day)
        .service(due_date);
}
