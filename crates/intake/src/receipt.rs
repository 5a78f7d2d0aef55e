//! The receipt with appointment (Giấy tiếp nhận hồ sơ và hẹn trả kết quả,
//! docs/desk.md, Receiving at the counter): its data as JSON and a printable A5 page in Vietnamese
//! with a QR code of the public look-up address.

use chrono::{DateTime, Utc};
use minijinja::context;
use motcua_calendar::{format_local, WorkingCalendar};
use motcua_domain::Dossier;
use motcua_domain::{Agency, Procedure};
use motcua_notify::dossier_mail::lookup_url;
use motcua_papers::Paper;
use qrcode::render::svg;
use qrcode::QrCode;
use serde::Serialize;
use utoipa::ToSchema;

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ReceiptAgency {
    pub code: String,
    pub name: String,
    /// Where the result is collected.
    pub address: String,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ReceiptDocument {
    pub code: String,
    pub name: String,
    pub original: u32,
    pub copies: u32,
}

/// Who handed the dossier in for the applicant (docs/representation.md).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ReceiptRepresentative {
    pub name: String,
    pub id_number: String,
    pub relation: String,
    /// The authorisation as printed: title, number and date.
    #[schema(example = "Giấy ủy quyền số 125/2026/UQ ngày 01/12/2026")]
    pub authorisation: String,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Receipt {
    /// Dossier code.
    pub code: String,
    pub title: String,
    /// Tracking-book volume (the year) and entry number.
    pub book_volume: i32,
    pub book_entry: i64,
    pub agency: ReceiptAgency,
    pub procedure_code: String,
    pub procedure_name: String,
    pub procedure_version: i32,
    pub applicant_name: String,
    pub applicant_id_number: String,
    pub applicant_phone: Option<String>,
    pub applicant_address: Option<String>,
    /// The person who filed for the applicant under an authorisation.
    pub representative: Option<ReceiptRepresentative>,
    pub documents: Vec<ReceiptDocument>,
    /// Received, to the minute, UTC.
    pub received_at: DateTime<Utc>,
    /// Received, local time, as printed: `HH giờ MM phút, ngày DD/MM/YYYY`.
    pub received_at_local: String,
    /// Appointment to collect the result, UTC.
    pub appointment_at: DateTime<Utc>,
    pub appointment_at_local: String,
    /// Where to collect the result.
    pub collect_at: String,
    pub fee_vnd: i64,
    pub fee_note: String,
    pub received_by: String,
    /// The public look-up address (with the PIN when it is printed).
    pub lookup_url: String,
    /// The PIN, present only when the caller proved it knows it (right
    /// after intake) or had it reissued.
    pub pin: Option<String>,
}

/// Everything needed to build a receipt.
pub struct ReceiptInput<'a> {
    pub dossier: &'a Dossier,
    pub procedure: &'a Procedure,
    pub agency: &'a Agency,
    pub clerk_name: &'a str,
    pub public_base_url: &'a str,
    pub pin: Option<&'a str>,
    pub calendar: &'a WorkingCalendar,
}

impl Receipt {
    pub fn build(input: &ReceiptInput<'_>) -> Receipt {
        let d = input.dossier;
        let documents = d
            .documents
            .iter()
            .map(|given| ReceiptDocument {
                name: match &d.representative {
                    Some(r) if motcua_domain::representative::is_authorisation(given) => {
                        r.authorisation.label()
                    }
                    _ => input
                        .procedure
                        .required_documents
                        .iter()
                        .find(|r| r.code == given.code)
                        .map(|r| r.name.clone())
                        .unwrap_or_else(|| given.code.clone()),
                },
                code: given.code.clone(),
                original: given.original,
                copies: given.copies,
            })
            .collect();
        Receipt {
            code: d.code.clone(),
            title: "Giấy tiếp nhận hồ sơ và hẹn trả kết quả".into(),
            book_volume: d.book_year,
            book_entry: d.book_entry,
            agency: ReceiptAgency {
                code: input.agency.code.to_string(),
                name: input.agency.name.clone(),
                address: input.agency.address.clone(),
            },
            procedure_code: d.procedure_code.clone(),
            procedure_name: input.procedure.name.clone(),
            procedure_version: d.procedure_version,
            applicant_name: d.applicant_name.clone(),
            applicant_id_number: d.applicant_id_number.clone(),
            applicant_phone: d.applicant_phone.clone(),
            applicant_address: d.applicant_address.clone(),
            representative: d.representative.as_ref().map(|r| ReceiptRepresentative {
                name: r.name.clone(),
                id_number: r.id_number.clone(),
                relation: r.relation.clone(),
                authorisation: r.authorisation.label(),
            }),
            documents,
            received_at: d.received_at,
            received_at_local: format_local(input.calendar, d.received_at),
            appointment_at: d.original_due_at,
            appointment_at_local: format_local(input.calendar, d.original_due_at),
            collect_at: format!("{} — {}", input.agency.name, input.agency.address),
            fee_vnd: d.fee_vnd,
            fee_note: input.procedure.fee_note.clone(),
            received_by: input.clerk_name.to_string(),
            lookup_url: lookup_url(input.public_base_url, &d.code, input.pin),
            pin: input.pin.map(str::to_string),
        }
    }

    /// The printable A5 page. Every value is HTML-escaped by the template
    /// engine; only the generated QR code SVG is inserted as markup.
    pub fn to_html(&self) -> Result<String, minijinja::Error> {
        let qr = QrCode::new(self.lookup_url.as_bytes())
            .map(|code| {
                code.render::<svg::Color<'_>>()
                    .min_dimensions(110, 110)
                    .quiet_zone(false)
                    .build()
            })
            .unwrap_or_default();
        motcua_papers::render(
            Paper::Receipt,
            context! {
                r => self,
                qr_svg => minijinja::Value::from_safe_string(qr),
                fee => format_vnd(self.fee_vnd),
            },
        )
    }
}

/// `1.250.000 đồng`, or `Miễn phí` for zero.
pub fn format_vnd(amount: i64) -> String {
    if amount == 0 {
        return "Miễn phí".into();
    }
    let digits = amount.unsigned_abs().to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push('.');
        }
        out.push(c);
    }
    let sign = if amount < 0 { "-" } else { "" };
    format!("{sign}{out} đồng")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_amounts_the_vietnamese_way() {
        assert_eq!(format_vnd(0), "Miễn phí");
        assert_eq!(format_vnd(500), "500 đồng");
        assert_eq!(format_vnd(1_250_000), "1.250.000 đồng");
    }
}
