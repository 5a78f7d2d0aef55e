//! The process-control slip (Phiếu kiểm soát quá trình giải quyết hồ sơ,
//! docs/desk.md, Interlinked processing): one row per handover with the agency, the times handed
//! over and received, giver, receiver, the leg's verdict and a note.

use chrono::{DateTime, Utc};
use minijinja::context;
use motcua_papers::Paper;
use serde::Serialize;

#[derive(Debug, Clone, Serialize)]
pub struct SlipRow {
    pub seq: i32,
    /// The agency handing over.
    pub from_agency: String,
    pub from_agency_name: String,
    /// The agency receiving.
    pub to_agency: String,
    pub to_agency_name: String,
    pub sent_at: DateTime<Utc>,
    pub sent_at_local: String,
    pub received_at: Option<DateTime<Utc>>,
    pub received_at_local: Option<String>,
    pub giver: String,
    pub receiver: Option<String>,
    /// The handing-over agency's leg: early, on_time or late.
    pub verdict: String,
    pub verdict_vi: String,
    pub leg_budget_seconds: i64,
    pub leg_used_seconds: i64,
    /// forward, back, result (the decision's own leg), reassigned (a
    /// supervisor gave the step to another agency) or recalled (sent by
    /// mistake and taken back before it was acknowledged: no leg).
    pub direction: String,
    pub note: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct ControlSlip {
    pub title: String,
    pub code: String,
    pub procedure_name: String,
    pub applicant_name: String,
    pub received_at_local: String,
    pub appointment_local: String,
    pub rows: Vec<SlipRow>,
    /// Overall verdict once processing ended.
    pub verdict: Option<String>,
}

pub fn verdict_vi(v: &str) -> &'static str {
    match v {
        "early" => "Trước hạn",
        "on_time" => "Đúng hạn",
        "late" => "Quá hạn",
        _ => "",
    }
}

impl ControlSlip {
    pub fn to_html(&self) -> Result<String, minijinja::Error> {
        motcua_papers::render(Paper::ControlSlip, context! { s => self })
    }
}
