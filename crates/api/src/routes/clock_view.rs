//! The clock view of a dossier, as the staff's dossier view shows it: the
//! due time and why it is what it is, step by step as it happened, with
//! the supplement requests and the extension.

use chrono::{DateTime, Utc};
use motcua_calendar::{DueStep, WorkingCalendar};
use motcua_domain::Dossier;
use motcua_domain::EventKind;
use motcua_domain::Verdict;
use motcua_sla::ledger;
use motcua_store::{supplements, time, DbConnection};
use serde::Serialize;
use utoipa::ToSchema;

use crate::error::ApiError;

#[derive(Serialize, ToSchema)]
pub struct DueStepDto {
    pub at: DateTime<Utc>,
    /// received, paused, resumed, restarted, extended, case_changed,
    /// corrected (a supervisor's correction) or recalculated (an edit of
    /// the working calendar).
    pub cause: String,
    pub due_at: DateTime<Utc>,
    /// Working seconds the step moved the due time by (negative: earlier).
    pub shift_working_seconds: Option<i64>,
    /// The step's cause in words, where it has one: a calendar edit names
    /// the day and the decision.
    pub detail: Option<String>,
}

impl From<&DueStep> for DueStepDto {
    fn from(s: &DueStep) -> Self {
        DueStepDto {
            at: s.at,
            cause: serde_json::to_value(s.cause)
                .ok()
                .and_then(|v| v.as_str().map(str::to_string))
                .unwrap_or_default(),
            due_at: s.due_at,
            shift_working_seconds: s.shift_seconds,
            detail: None,
        }
    }
}

/// The steps of the ledger, derived with today's calendar, as they
/// happened: the received step keeps the appointment printed at intake,
/// and each calendar edit that moved the appointment is a step of its own
/// with its cause (the ledger alone would show the new date as if it had
/// always been the one).
fn steps_as_they_happened(
    calendar: &WorkingCalendar,
    state: &motcua_calendar::ClockState,
    events: &[motcua_store::events::Event],
) -> Vec<DueStepDto> {
    let mut steps: Vec<DueStepDto> = state.steps.iter().map(DueStepDto::from).collect();
    let time_of = |v: &serde_json::Value| v.as_str().and_then(|s| s.parse::<DateTime<Utc>>().ok());
    if let (Some(first), Some(printed)) = (
        steps.first_mut(),
        events
            .iter()
            .find(|e| e.kind == EventKind::DossierReceived)
            .and_then(|e| time_of(&e.data["due_at"])),
    ) {
        first.due_at = printed;
    }
    // A correction says why and under which decision, as its event does.
    for step in steps.iter_mut().filter(|s| s.cause == "corrected") {
        step.detail = events
            .iter()
            .find(|e| e.kind == EventKind::DossierDueCorrected && e.at == step.at)
            .and_then(|e| e.data["due_cause"].as_str().map(str::to_string));
    }
    for e in events
        .iter()
        .filter(|e| e.kind == EventKind::DossierDueRecomputed)
    {
        let (Some(before), Some(after)) = (
            time_of(&e.data["previous_due_at"]),
            time_of(&e.data["due_at"]),
        ) else {
            continue;
        };
        let shift = if after >= before {
            calendar.working_seconds_between(before, after)
        } else {
            -calendar.working_seconds_between(after, before)
        };
        steps.push(DueStepDto {
            at: e.at,
            cause: "recalculated".into(),
            due_at: after,
            shift_working_seconds: Some(shift),
            detail: e.data["due_cause"].as_str().map(str::to_string),
        });
    }
    steps.sort_by_key(|s| s.at);
    steps
}

#[derive(Serialize, ToSchema)]
pub struct ExtensionDto {
    pub reason: String,
    pub previous_due_at: DateTime<Utc>,
    pub new_due_at: DateTime<Utc>,
    /// Issued less than one working day before the appointment.
    pub late_notice: bool,
    pub requested_at: DateTime<Utc>,
    pub apology_letter_url: String,
}

#[derive(Serialize, ToSchema)]
pub struct SupplementRequestDto {
    pub number: i32,
    pub reason: String,
    #[schema(value_type = Object)]
    pub items: serde_json::Value,
    pub requested_at: DateTime<Utc>,
    pub received_at: Option<DateTime<Utc>>,
    pub received_note: Option<String>,
}

/// The clock ledger as staff see it.
#[derive(Serialize, ToSchema)]
pub struct ClockView {
    /// The appointment printed on the receipt.
    pub printed_appointment: DateTime<Utc>,
    /// The current appointment.
    pub due_at: DateTime<Utc>,
    /// The appointment the verdict is measured against: the original one
    /// moved only by supplement waits.
    pub verdict_due_at: DateTime<Utc>,
    pub paused: bool,
    pub paused_since: Option<DateTime<Utc>>,
    /// Working seconds spent waiting for the citizen so far.
    pub waited_working_seconds: i64,
    /// Office time left (negative when overdue; frozen while paused).
    pub remaining_working_seconds: i64,
    pub supplement_requests: Vec<SupplementRequestDto>,
    pub extension: Option<ExtensionDto>,
    pub ended_at: Option<DateTime<Utc>>,
    /// early, on_time or late, once processing ended.
    pub verdict: Option<Verdict>,
    /// Every change of the due time, oldest first: why the date is what it is.
    pub steps: Vec<DueStepDto>,
}

pub fn clock_view(
    conn: &mut DbConnection,
    calendar: &WorkingCalendar,
    d: &Dossier,
) -> Result<ClockView, ApiError> {
    let procedure = ledger::procedure_of(conn, d)?;
    let state = ledger::state(conn, calendar, d, &procedure)?;
    let requests = supplements::requests(conn, &d.id)?;
    let ext = supplements::extension(conn, &d.id)?;
    let now = d.ended_at.unwrap_or_else(time::now);
    Ok(ClockView {
        printed_appointment: d.original_due_at,
        due_at: state.due,
        verdict_due_at: state.verdict_due,
        paused: state.paused_since.is_some(),
        paused_since: state.paused_since,
        waited_working_seconds: state.waited_seconds
            + state
                .paused_since
                .map_or(0, |p| calendar.working_seconds_between(p, now)),
        remaining_working_seconds: state.remaining_seconds(calendar, now),
        supplement_requests: requests
            .into_iter()
            .map(|r| SupplementRequestDto {
                number: r.number,
                reason: r.reason,
                items: r.items,
                requested_at: r.requested_at,
                received_at: r.received_at,
                received_note: r.received_note,
            })
            .collect(),
        extension: ext.map(|e| ExtensionDto {
            reason: e.reason,
            previous_due_at: e.previous_due_at,
            new_due_at: e.new_due_at,
            late_notice: e.late_notice,
            requested_at: e.requested_at,
            apology_letter_url: format!("/api/v1/dossiers/{}/apology-letter", d.code),
        }),
        ended_at: d.ended_at,
        verdict: d.verdict,
        steps: steps_as_they_happened(
            calendar,
            &state,
            &motcua_store::events::for_dossier(conn, &d.id)?,
        ),
    })
}
