//! The apology letter with a new appointment (Phiếu xin lỗi và hẹn lại
//! ngày trả kết quả, docs/desk.md, Extension and apology), as JSON data and a printable A5 page
//! in Vietnamese.

use chrono::{DateTime, Utc};
use minijinja::context;
use motcua_papers::Paper;
use serde::Serialize;

use motcua_calendar::WorkingCalendar;

#[derive(Debug, Clone, Serialize)]
pub struct ApologyLetter {
    pub title: String,
    pub code: String,
    pub agency_name: String,
    pub applicant_name: String,
    pub procedure_name: String,
    pub received_at: DateTime<Utc>,
    pub received_at_local: String,
    /// The appointment before the extension.
    pub previous_due_at: DateTime<Utc>,
    pub previous_due_at_local: String,
    pub new_due_at: DateTime<Utc>,
    pub new_due_at_local: String,
    pub reason: String,
    pub issued_at: DateTime<Utc>,
    pub issued_at_local: String,
    pub issued_by: String,
    /// Issued less than one working day before the appointment.
    pub late_notice: bool,
}

/// Everything needed to write the letter.
pub struct ApologyInput<'a> {
    pub code: &'a str,
    pub agency_name: &'a str,
    pub applicant_name: &'a str,
    pub procedure_name: &'a str,
    pub received_at: DateTime<Utc>,
    pub previous_due_at: DateTime<Utc>,
    pub new_due_at: DateTime<Utc>,
    pub reason: &'a str,
    pub issued_at: DateTime<Utc>,
    pub issued_by: &'a str,
    pub late_notice: bool,
}

fn local(calendar: &WorkingCalendar, t: DateTime<Utc>) -> String {
    calendar
        .local(t)
        .format("%H giờ %M phút, ngày %d/%m/%Y")
        .to_string()
}

impl ApologyLetter {
    pub fn build(calendar: &WorkingCalendar, i: &ApologyInput<'_>) -> ApologyLetter {
        ApologyLetter {
            title: "Phiếu xin lỗi và hẹn lại ngày trả kết quả".into(),
            code: i.code.into(),
            agency_name: i.agency_name.into(),
            applicant_name: i.applicant_name.into(),
            procedure_name: i.procedure_name.into(),
            received_at: i.received_at,
            received_at_local: local(calendar, i.received_at),
            previous_due_at: i.previous_due_at,
            previous_due_at_local: local(calendar, i.previous_due_at),
            new_due_at: i.new_due_at,
            new_due_at_local: local(calendar, i.new_due_at),
            reason: i.reason.into(),
            issued_at: i.issued_at,
            issued_at_local: local(calendar, i.issued_at),
            issued_by: i.issued_by.into(),
            late_notice: i.late_notice,
        }
    }

    /// The printable page; every value is HTML-escaped by the template.
    pub fn to_html(&self) -> Result<String, minijinja::Error> {
        motcua_papers::render(Paper::Apology, context! { a => self })
    }
}
