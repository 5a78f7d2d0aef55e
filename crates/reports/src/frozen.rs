//! Freezing a results report when it is submitted upward: its figures are
//! kept as they were that day. Reading a frozen report recomputes the same
//! report today and lists every figure that has moved since (a dossier
//! ended late after a correction, a handover entered afterwards), so a
//! later correction shows as a difference, never silently.

use chrono::{DateTime, NaiveTime, Utc};
use motcua_calendar::WorkingCalendar;
use motcua_domain::{EventKind, FieldError};
use motcua_store::events::{self, Actor, NewEvent};
use motcua_store::frozen_reports::{self, FrozenReport, EVERY_AGENCY};
use motcua_store::{time, DbConnection, StoreError};
use serde::Serialize;
use serde_json::{json, Value};
use thiserror::Error;
use utoipa::ToSchema;

use crate::results::{results, Request, ResultsReport};

/// Why a report could not be frozen.
#[derive(Debug, Error)]
pub enum FreezeError {
    /// The period has not ended: its figures are still moving.
    #[error("{}: {}", .0.field, .0.message)]
    Invalid(FieldError),
    /// The same report (agency, period, rows) was frozen already.
    #[error("this report was frozen already on {} (report {id})", at.format("%Y-%m-%d %H:%M:%S UTC"))]
    AlreadyFrozen { id: String, at: DateTime<Utc> },
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<motcua_store::DieselError> for FreezeError {
    fn from(e: motcua_store::DieselError) -> Self {
        FreezeError::Store(e.into())
    }
}

/// A frozen report: who froze it and when, and its figures as they were.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Frozen {
    #[schema(example = "0193a5c2-7d4e-7c1a-9b0e-5f3d2a1b4c6d")]
    pub id: String,
    /// The agency reported on; none for every agency.
    #[schema(example = "H53.50")]
    pub agency: Option<String>,
    #[schema(example = "2026-11")]
    pub period_name: String,
    /// The form (`06a`...) or the rows (`by:procedure`).
    #[schema(example = "06b")]
    pub layout: String,
    #[schema(example = "Gửi Văn phòng UBND tỉnh ngày 03/12/2026")]
    pub note: String,
    /// The user who froze it (id).
    #[schema(example = "0193a5c2-2222-7c1a-9b0e-5f3d2a1b4c6d")]
    pub frozen_by: String,
    #[schema(example = "Lê Minh Châu")]
    pub frozen_by_name: String,
    #[schema(example = "2026-12-03T02:15:00Z")]
    pub frozen_at: DateTime<Utc>,
    /// The report as it was answered that day.
    pub report: ResultsReport,
}

/// One figure that has moved since the report was frozen.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct Difference {
    /// The row's key, or `total`.
    #[schema(example = "Hộ tịch")]
    pub row: String,
    #[schema(example = "Hộ tịch")]
    pub label: String,
    /// The figure's name in the report (`handled_late`...).
    #[schema(example = "handled_late")]
    pub column: String,
    /// As frozen (none: the row was not in the frozen report, or nothing
    /// to compute over).
    #[schema(example = 1.0)]
    pub frozen: Option<f64>,
    /// As the same report counts it today.
    #[schema(example = 2.0)]
    pub now: Option<f64>,
}

/// A frozen report compared with the same report computed today.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct FrozenCompared {
    #[serde(flatten)]
    pub frozen: Frozen,
    /// When today's figures were taken.
    #[schema(example = "2026-12-04T03:00:00Z")]
    pub compared_at: DateTime<Utc>,
    /// Every figure that differs today; empty when nothing has moved.
    pub differences: Vec<Difference>,
}

/// How a report's rows are stored: its form, or `by:` its rows.
fn layout(report: &ResultsReport) -> String {
    match report.form {
        Some(f) => f.number().to_string(),
        None => format!(
            "by:{}",
            serde_json::to_value(report.by)
                .ok()
                .and_then(|v| v.as_str().map(str::to_string))
                .unwrap_or_default()
        ),
    }
}

/// Freezes the report `request` asks for, as counted now, with its event.
/// Only a period that has ended can be frozen, and each report once.
pub fn freeze(
    conn: &mut DbConnection,
    calendar: &WorkingCalendar,
    request: Request,
    actor: &Actor,
    note: &str,
) -> Result<Frozen, FreezeError> {
    let now = time::now();
    let end = calendar.to_utc(request.period.end().and_time(NaiveTime::MIN));
    if end > now {
        return Err(FreezeError::Invalid(FieldError::new(
            "period",
            "has not ended yet: a report is frozen when it is submitted, after its period",
        )));
    }
    let frozen_by = actor
        .id
        .clone()
        .ok_or_else(|| FreezeError::Invalid(FieldError::new("actor", "must be a staff member")))?;
    conn.write_tx(|conn| {
        let report = results(conn, calendar, request)?;
        let agency_code = report.agency.clone().unwrap_or(EVERY_AGENCY.to_string());
        let layout = layout(&report);
        let (first, last) = (report.period.first, report.period.last);
        if let Some(done) = frozen_reports::find(conn, &agency_code, first, last, &layout)? {
            return Err(FreezeError::AlreadyFrozen {
                id: done.id,
                at: done.frozen_at,
            });
        }
        let row = FrozenReport {
            id: uuid::Uuid::now_v7().to_string(),
            agency_code,
            period_name: report.period.name.clone(),
            first_day: first,
            last_day: last,
            layout,
            figures: serde_json::to_value(&report).map_err(StoreError::from)?,
            note: note.trim().to_string(),
            frozen_by,
            frozen_by_name: actor.name.clone(),
            frozen_at: now,
        };
        frozen_reports::insert(conn, &row)?;
        events::append(
            conn,
            &NewEvent {
                subject_type: "report",
                subject_id: &row.id,
                dossier_id: None,
                kind: EventKind::ReportFrozen,
                actor,
                at: now,
                data: json!({
                    "agency": report.agency,
                    "period": report.period.name,
                    "layout": row.layout,
                    "note": row.note,
                    "total": report.total,
                }),
            },
        )?;
        Ok(frozen(row, report))
    })
}

fn frozen(row: FrozenReport, report: ResultsReport) -> Frozen {
    Frozen {
        id: row.id,
        agency: (row.agency_code != EVERY_AGENCY).then_some(row.agency_code),
        period_name: row.period_name,
        layout: row.layout,
        note: row.note,
        frozen_by: row.frozen_by,
        frozen_by_name: row.frozen_by_name,
        frozen_at: row.frozen_at,
        report,
    }
}

/// A stored frozen report as it was.
pub fn as_frozen(row: FrozenReport) -> Result<Frozen, StoreError> {
    let report: ResultsReport = serde_json::from_value(row.figures.clone())?;
    Ok(frozen(row, report))
}

/// The frozen report `row` with the same report counted today (same
/// agencies, period and rows) and the figures that differ.
pub fn compare(
    conn: &mut DbConnection,
    calendar: &WorkingCalendar,
    row: FrozenReport,
) -> Result<FrozenCompared, StoreError> {
    let was = as_frozen(row)?;
    let r = &was.report;
    let today = results(
        conn,
        calendar,
        Request {
            agency: r.agency.clone(),
            agencies: r.agencies.clone(),
            period: r.period.clone(),
            by: r.by,
            form: r.form,
        },
    )?;
    Ok(FrozenCompared {
        compared_at: time::now(),
        differences: differences(&was.report, &today),
        frozen: was,
    })
}

/// Every figure of every row (matched by key) and of the total that
/// differs between `was` and `now`.
pub fn differences(was: &ResultsReport, now: &ResultsReport) -> Vec<Difference> {
    let lines = |r: &ResultsReport| -> Vec<(String, String, Value)> {
        r.rows
            .iter()
            .map(|row| {
                let counts = serde_json::to_value(&row.counts).unwrap_or(Value::Null);
                (row.key.clone(), row.label.clone(), counts)
            })
            .chain([(
                "total".to_string(),
                "Tổng cộng".to_string(),
                serde_json::to_value(&r.total).unwrap_or(Value::Null),
            )])
            .collect()
    };
    let (before, after) = (lines(was), lines(now));
    let mut keys: Vec<(&str, &str)> = before
        .iter()
        .chain(&after)
        .map(|(k, l, _)| (k.as_str(), l.as_str()))
        .collect();
    let mut seen = std::collections::HashSet::new();
    keys.retain(|k| seen.insert(k.0));
    let find = |lines: &[(String, String, Value)], key: &str| {
        lines
            .iter()
            .find(|(k, _, _)| k == key)
            .map(|(_, _, v)| v.clone())
            .unwrap_or(Value::Null)
    };
    let mut out = Vec::new();
    for (key, label) in keys {
        let (a, b) = (find(&before, key), find(&after, key));
        let fields = a
            .as_object()
            .or(b.as_object())
            .map(|o| o.keys().cloned().collect::<Vec<_>>())
            .unwrap_or_default();
        for field in fields {
            let (x, y) = (a[&field].as_f64(), b[&field].as_f64());
            // A row that appeared or went away differs in its non-zero
            // figures only.
            let nothing = |v: Option<f64>| v.is_none_or(|v| v == 0.0);
            if x != y && !(nothing(x) && nothing(y)) {
                out.push(Difference {
                    row: key.to_string(),
                    label: label.to_string(),
                    column: field,
                    frozen: x,
                    now: y,
                });
            }
        }
    }
    out
}
