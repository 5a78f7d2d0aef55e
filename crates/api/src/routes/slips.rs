//! The papers of a dossier's journey: the process-control slip (phiếu
//! kiểm soát quá trình giải quyết hồ sơ), with one row per leg and its
//! verdict, and the notice of a stop or a withdrawal; as JSON or, with
//! `Accept: text/html`, the page to print.

use actix_web::{get, web, HttpRequest, HttpResponse};
use chrono::{DateTime, Utc};
use motcua_calendar::{format_local, WorkingCalendar};
use motcua_domain::Dossier;
use motcua_domain::EventKind;
use motcua_domain::Status;
use motcua_domain::Verdict;
use motcua_routing::control_slip::{verdict_vi, ControlSlip, SlipRow};
use motcua_routing::end_notice::EndNotice;
use motcua_store::{agencies, handovers, users, DbConnection};
use utoipa_actix_web::service_config::ServiceConfig;

use crate::auth::Staff;
use crate::error::{ApiError, Problem};
use crate::routes::dossiers::dossier_paper;
use crate::state::AppState;

#[utoipa::path(get, path = "/api/v1/dossiers/{code}/control-slip", tag = "routing",
    security(("bearer" = [])),
    params(("code" = String, Path, description = "Dossier code")),
    responses((status = 200, description = "The process-control slip as JSON, or with Accept: text/html a printable page in Vietnamese"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json")))]
#[get("/api/v1/dossiers/{code}/control-slip")]
pub async fn control_slip(
    state: web::Data<AppState>,
    staff: Staff,
    path: web::Path<String>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let code = path.into_inner();
    let to_html = |p: &ControlSlip| p.to_html();
    dossier_paper(
        &state,
        staff,
        code,
        &req,
        "control slip",
        build_slip,
        to_html,
    )
    .await
}

/// The control slip of `d`: one row per handover with the agencies, the
/// people and the leg's verdict, and the decision's own leg last.
fn build_slip(
    conn: &mut DbConnection,
    calendar: &WorkingCalendar,
    d: Dossier,
) -> Result<ControlSlip, ApiError> {
    let list = handovers::for_dossier(conn, &d.id)?;
    let mut names: std::collections::HashMap<String, String> = std::collections::HashMap::new();
    let mut agency_name = |conn: &mut DbConnection, code: &str| -> Result<String, ApiError> {
        if let Some(n) = names.get(code) {
            return Ok(n.clone());
        }
        let n = agencies::get(conn, code)?.map_or_else(|| code.to_string(), |a| a.name);
        names.insert(code.to_string(), n.clone());
        Ok(n)
    };
    let user_name = |conn: &mut DbConnection, id: &str| -> Result<String, ApiError> {
        Ok(users::get(conn, id)?.map_or_else(|| id.to_string(), |u| u.full_name))
    };
    let last_leg = final_leg(conn, calendar, &d, &list)?;
    let mut rows = Vec::with_capacity(list.len() + 1);
    for h in list {
        rows.push(SlipRow {
            seq: h.seq,
            from_agency_name: agency_name(conn, &h.from_agency)?,
            to_agency_name: agency_name(conn, &h.to_agency)?,
            from_agency: h.from_agency,
            to_agency: h.to_agency,
            sent_at_local: format_local(calendar, h.sent_at),
            sent_at: h.sent_at,
            received_at_local: h.received_at.map(|t| format_local(calendar, t)),
            received_at: h.received_at,
            giver: user_name(conn, &h.sent_by)?,
            receiver: h
                .received_by
                .as_deref()
                .map(|id| user_name(conn, id))
                .transpose()?,
            verdict_vi: verdict_vi(&h.leg_verdict).to_string(),
            verdict: h.leg_verdict,
            leg_budget_seconds: h.leg_budget_seconds,
            leg_used_seconds: h.leg_used_seconds,
            direction: match (&h.recalled_at, h.repair.as_deref()) {
                (Some(_), _) => "recalled".into(),
                (None, Some("reassign")) => "reassigned".into(),
                _ => h.direction,
            },
            note: h.note,
        });
    }
    if let Some(leg) = last_leg {
        rows.push(SlipRow {
            seq: rows.len() as i32 + 1,
            from_agency_name: agency_name(conn, &d.handling_agency)?,
            to_agency_name: agency_name(conn, &d.receiving_agency)?,
            from_agency: d.handling_agency.clone(),
            to_agency: d.receiving_agency.clone(),
            sent_at_local: format_local(calendar, leg.ended_at),
            sent_at: leg.ended_at,
            received_at_local: None,
            received_at: None,
            giver: leg.by,
            receiver: None,
            verdict_vi: verdict_vi(leg.verdict.as_str()).to_string(),
            verdict: leg.verdict.as_str().to_string(),
            leg_budget_seconds: leg.budget_seconds,
            leg_used_seconds: leg.used_seconds,
            direction: "result".into(),
            note: leg.note,
        });
    }
    Ok(ControlSlip {
        title: "Phiếu kiểm soát quá trình giải quyết hồ sơ".into(),
        code: d.code,
        procedure_name: d.procedure_name,
        applicant_name: d.applicant_name,
        received_at_local: format_local(calendar, d.received_at),
        appointment_local: format_local(calendar, d.original_due_at),
        rows,
        verdict: d.verdict.map(|v| verdict_vi(v.as_str()).to_string()),
    })
}

/// The leg that ends with the decision: it hands nothing over, so no
/// handover carries it, but it has its time and its verdict like the
/// others; the slip shows it as the result going back to the desk.
struct FinalLeg {
    ended_at: DateTime<Utc>,
    by: String,
    note: String,
    verdict: Verdict,
    budget_seconds: i64,
    used_seconds: i64,
}

fn final_leg(
    conn: &mut motcua_store::DbConnection,
    calendar: &motcua_calendar::WorkingCalendar,
    d: &Dossier,
    list: &[handovers::Handover],
) -> Result<Option<FinalLeg>, ApiError> {
    let Some(ended_at) = d.ended_at else {
        return Ok(None);
    };
    // A group ends with its members, each with its own slip.
    if !motcua_store::dossiers::children(conn, &d.id)?.is_empty() {
        return Ok(None);
    }
    let procedure = motcua_sla::ledger::procedure_of(conn, d)?;
    let plan = motcua_routing::plan::legs_of(&procedure, d);
    let Some(leg) = plan.iter().find(|l| l.index == d.current_step) else {
        return Ok(None);
    };
    let started = motcua_routing::handover::leg_started(d, list);
    let state = motcua_sla::ledger::state(conn, calendar, d, &procedure)?;
    let budget = motcua_routing::plan::leg_budget(
        calendar,
        leg,
        d.received_at,
        state.original_due,
        state.verdict_due,
        started,
    );
    let decided = motcua_store::events::for_dossier(conn, &d.id)?
        .into_iter()
        .rev()
        .find(|e| e.kind == EventKind::DossierProcessed || e.kind == EventKind::DossierStopped);
    Ok(Some(FinalLeg {
        ended_at,
        by: decided.map(|e| e.actor_name).unwrap_or_default(),
        note: d.result_note.clone(),
        verdict: <Verdict as motcua_calendar::Judge>::judge(calendar, ended_at, budget.due, false),
        budget_seconds: budget.seconds,
        used_seconds: calendar.working_seconds_between(started, ended_at),
    }))
}

#[utoipa::path(get, path = "/api/v1/dossiers/{code}/notice", tag = "routing",
    security(("bearer" = [])),
    params(("code" = String, Path, description = "Dossier code")),
    responses(
        (status = 200, description = "The stop notice (status 8) or the withdrawal confirmation (status 7), as JSON or, with Accept: text/html, printable", body = EndNotice),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The dossier was neither stopped nor withdrawn", body = Problem, content_type = "application/problem+json")))]
#[get("/api/v1/dossiers/{code}/notice")]
pub async fn end_notice(
    state: web::Data<AppState>,
    staff: Staff,
    path: web::Path<String>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let code = path.into_inner();
    let to_html = |p: &EndNotice| p.to_html();
    dossier_paper(&state, staff, code, &req, "notice", build_notice, to_html).await
}

/// The notice of a stopped or withdrawn dossier, with its reason and who
/// decided it when.
fn build_notice(
    conn: &mut DbConnection,
    calendar: &WorkingCalendar,
    d: Dossier,
) -> Result<EndNotice, ApiError> {
    let (kind, event, agency) = match d.status {
        Status::Stopped => ("stopped", EventKind::DossierStopped, &d.handling_agency),
        Status::Withdrawn => (
            "withdrawn",
            EventKind::DossierWithdrawn,
            &d.receiving_agency,
        ),
        other => {
            return Err(ApiError::conflict(format!(
                "dossier {} is {} ({}): only a stopped or withdrawn dossier has a notice",
                d.code,
                other.name(),
                other.code()
            )))
        }
    };
    let ended = motcua_store::events::for_dossier(conn, &d.id)?
        .into_iter()
        .rev()
        .find(|e| e.kind == event)
        .ok_or_else(|| ApiError::not_found("notice"))?;
    // Withdrawals logged before the reason was kept on the dossier
    // have it only in their event.
    let reason = if d.result_note.is_empty() {
        ended.data["reason"]
            .as_str()
            .unwrap_or_default()
            .to_string()
    } else {
        d.result_note.clone()
    };
    Ok(EndNotice {
        kind: kind.into(),
        title: EndNotice::title_of(kind).into(),
        agency_name: agencies::get(conn, agency)?.map_or_else(|| agency.clone(), |a| a.name),
        applicant_name: d.applicant_name.clone(),
        procedure_name: d.procedure_name.clone(),
        received_at_local: format_local(calendar, d.received_at),
        reason,
        decided_at_local: format_local(calendar, ended.at),
        decided_at: ended.at,
        decided_by: ended.actor_name,
        code: d.code,
    })
}

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(control_slip).service(end_notice);
}
