//! The lateness forecast on the desk's data: rebuilding the step-time
//! histograms from the last year of finished legs ([`rebuild`], run with
//! the breach scan when they are older than an hour), and the risk of each
//! open dossier ([`forecast`], and [`risks_of`] for worklist items). The
//! model is [`crate::forecast`]; the method and its measured recall and
//! precision are in docs/forecast.md.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Duration, Utc};
use motcua_calendar::WorkingCalendar;
use motcua_store::forecast::{self as store, LegState, StepTimes};
use motcua_store::{DbConnection, StoreResult};
use serde::Serialize;
use utoipa::ToSchema;

use crate::forecast::{histogram, Model, StepKey, MIN_SAMPLES};

/// How far back the history goes.
pub const HISTORY_DAYS: i64 = 365;

/// Rebuilds every histogram from the legs finished in the last
/// [`HISTORY_DAYS`]; returns how many were stored.
pub fn rebuild(
    conn: &mut DbConnection,
    calendar: &WorkingCalendar,
    now: DateTime<Utc>,
) -> StoreResult<usize> {
    let since = now - Duration::days(HISTORY_DAYS);
    let mut legs: HashMap<StepKey, Vec<i64>> = HashMap::new();
    let mut add = |procedure: &str, step: i32, officer: Option<&str>, seconds: i64| {
        for officer in [Some(""), officer].into_iter().flatten() {
            legs.entry(StepKey {
                procedure: procedure.to_string(),
                step,
                officer: officer.to_string(),
            })
            .or_default()
            .push(seconds);
        }
    };
    for l in store::handed_legs(conn, since)? {
        add(&l.procedure_code, l.step, Some(&l.officer), l.seconds);
    }
    for d in store::ended_since(conn, since)? {
        if let Some(end) = d.ended_at {
            let seconds = calendar.working_seconds_between(d.leg_started_at, end);
            add(&d.procedure_code, d.step, d.officer.as_deref(), seconds);
        }
    }
    let all: Vec<StepTimes> = legs
        .into_iter()
        .filter(|(k, times)| k.officer.is_empty() || times.len() >= MIN_SAMPLES as usize)
        .map(|(k, times)| StepTimes {
            procedure_code: k.procedure,
            step: k.step,
            officer: k.officer,
            bins: histogram(times),
        })
        .collect();
    store::replace_all(conn, &all, now)?;
    Ok(all.len())
}

/// Rebuilds the histograms when there are none or they are older than
/// `max_age`; says whether it did.
pub fn refresh(
    conn: &mut DbConnection,
    calendar: &WorkingCalendar,
    now: DateTime<Utc>,
    max_age: Duration,
) -> StoreResult<bool> {
    match store::rebuilt_at(conn)? {
        Some(at) if now - at < max_age => Ok(false),
        _ => rebuild(conn, calendar, now).map(|_| true),
    }
}

/// The model of `procedures`, from the stored histograms.
pub fn model_for(conn: &mut DbConnection, procedures: &[String]) -> StoreResult<Model> {
    let steps = store::for_procedures(conn, procedures)?
        .into_iter()
        .map(|s| {
            let key = StepKey {
                procedure: s.procedure_code,
                step: s.step,
                officer: s.officer,
            };
            (key, s.bins)
        })
        .collect();
    Ok(Model::new(steps))
}

/// One open dossier's forecast.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct ForecastItem {
    #[schema(example = "H53.50.05.13-261126-0001")]
    pub code: String,
    #[schema(example = "1.009994")]
    pub procedure_code: String,
    #[schema(example = "Cấp giấy phép xây dựng nhà ở riêng lẻ")]
    pub procedure_name: String,
    #[schema(example = "H53.50")]
    pub handling_agency: String,
    /// The step of its process plan it is at (0: the receiving desk).
    #[schema(example = 2)]
    pub step: i32,
    /// The officer assigned, if any (user id).
    #[schema(example = "0193a5c2-1111-7c1a-9b0e-5f3d2a1b4c6d")]
    pub officer: Option<String>,
    #[schema(example = "2026-12-08T10:00:00Z")]
    pub due_at: DateTime<Utc>,
    /// The probability it ends after its appointment.
    #[schema(example = 0.82)]
    pub probability: f64,
    /// Working days it has spent in its step.
    #[schema(example = 4.5)]
    pub elapsed_days: f64,
    /// Working days left before its appointment (negative: past it).
    #[schema(example = 1.0)]
    pub remaining_days: f64,
    /// The median working days its step and the later ones still need.
    #[schema(example = 3.2)]
    pub expected_days: f64,
    /// Finished legs of its step the estimate rests on.
    #[schema(example = 120)]
    pub samples: u32,
    /// The reason, in words.
    #[schema(
        example = "step 2 has run 4.5 working days; finished dossiers needed 3.2 more (median of 120 legs); 1.0 left before the appointment"
    )]
    pub reason: String,
}

/// The forecast of one dossier; `None` while the clock is paused (the
/// citizen's supplement is awaited) or where history is too thin.
pub fn assess(
    calendar: &WorkingCalendar,
    model: &Model,
    d: &LegState,
    now: DateTime<Utc>,
) -> Option<ForecastItem> {
    if d.paused {
        return None;
    }
    let elapsed = calendar.working_seconds_between(d.leg_started_at.min(now), now);
    let remaining = if d.due_at >= now {
        calendar.working_seconds_between(now, d.due_at)
    } else {
        -calendar.working_seconds_between(d.due_at, now)
    };
    let officer = d.officer.as_deref().unwrap_or("");
    let risk = model.risk(&d.procedure_code, d.step, officer, elapsed, remaining)?;
    let day = f64::from(calendar.settings().office_hours.day_length().max(1));
    let days = |s: i64| (s as f64 / day * 10.0).round() / 10.0;
    let whose = if risk.officer_history {
        " by this officer"
    } else {
        ""
    };
    Some(ForecastItem {
        reason: format!(
            "step {} has run {:.1} working days; finished dossiers{whose} needed {:.1} more (median of {} legs); {:.1} left before the appointment",
            d.step,
            days(elapsed),
            days(risk.expected_seconds),
            risk.samples,
            days(remaining)
        ),
        code: d.code.clone(),
        procedure_code: d.procedure_code.clone(),
        procedure_name: d.procedure_name.clone(),
        handling_agency: d.handling_agency.clone(),
        step: d.step,
        officer: d.officer.clone(),
        due_at: d.due_at,
        probability: risk.probability,
        elapsed_days: days(elapsed),
        remaining_days: days(remaining),
        expected_days: days(risk.expected_seconds),
        samples: risk.samples,
    })
}

fn procedures_of(states: &[LegState]) -> Vec<String> {
    let set: HashSet<&str> = states.iter().map(|d| d.procedure_code.as_str()).collect();
    set.into_iter().map(str::to_string).collect()
}

/// The open dossiers of `agencies` at or above `threshold`, most at risk
/// first (then earliest due).
pub fn forecast(
    conn: &mut DbConnection,
    calendar: &WorkingCalendar,
    agencies: &[String],
    threshold: f64,
    now: DateTime<Utc>,
) -> StoreResult<Vec<ForecastItem>> {
    let open = store::open_in(conn, agencies)?;
    let model = model_for(conn, &procedures_of(&open))?;
    let mut items: Vec<ForecastItem> = open
        .iter()
        .filter_map(|d| assess(calendar, &model, d, now))
        .filter(|f| f.probability >= threshold)
        .collect();
    items.sort_by(|a, b| {
        b.probability
            .total_cmp(&a.probability)
            .then(a.due_at.cmp(&b.due_at))
    });
    Ok(items)
}

/// The probability of each of `codes` still being handled ending late
/// (those with a forecast).
pub fn risks_of(
    conn: &mut DbConnection,
    calendar: &WorkingCalendar,
    codes: &[String],
    now: DateTime<Utc>,
) -> StoreResult<HashMap<String, f64>> {
    let open = store::open_by_codes(conn, codes)?;
    let model = model_for(conn, &procedures_of(&open))?;
    Ok(open
        .iter()
        .filter_map(|d| assess(calendar, &model, d, now).map(|f| (f.code, f.probability)))
        .collect())
}
