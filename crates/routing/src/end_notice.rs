//! The written notice of how a dossier ended without a result: processing
//! stopped by the handling agency (status 8, "thông báo dừng giải quyết")
//! or the dossier withdrawn at the citizen's request (status 7, "xác nhận
//! rút hồ sơ"), printable like the refusal of an online submission.

use chrono::{DateTime, Utc};
use minijinja::context;
use motcua_papers::Paper;
use serde::Serialize;
use utoipa::ToSchema;

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct EndNotice {
    /// `stopped` or `withdrawn`.
    pub kind: String,
    pub title: String,
    pub code: String,
    /// The agency that stopped processing, or the desk that logged the
    /// withdrawal.
    pub agency_name: String,
    pub applicant_name: String,
    pub procedure_name: String,
    pub received_at_local: String,
    /// As written by the officer or the clerk.
    pub reason: String,
    pub decided_at: DateTime<Utc>,
    pub decided_at_local: String,
    pub decided_by: String,
}

impl EndNotice {
    /// The title printed on the notice of each kind.
    pub fn title_of(kind: &str) -> &'static str {
        match kind {
            "stopped" => "Thông báo dừng giải quyết hồ sơ",
            _ => "Giấy xác nhận rút hồ sơ",
        }
    }

    pub fn to_html(&self) -> Result<String, minijinja::Error> {
        motcua_papers::render(Paper::EndNotice, context! { n => self })
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn both_kinds_print_their_reason_and_escape_it() {
        for kind in ["stopped", "withdrawn"] {
            let n = EndNotice {
                kind: kind.into(),
                title: EndNotice::title_of(kind).into(),
                code: "H53.50.05.13-261208-0001".into(),
                agency_name: "Ủy ban nhân dân xã An Trường".into(),
                applicant_name: "Nguyễn Văn An".into(),
                procedure_name: "Đăng ký kết hôn".into(),
                received_at_local: "09 giờ 00 phút, ngày 08/12/2026".into(),
                reason: "<b>Thiếu</b> giấy tờ".into(),
                decided_at: "2026-12-08T03:00:00Z".parse().unwrap(),
                decided_at_local: "10 giờ 00 phút, ngày 08/12/2026".into(),
                decided_by: "Trần Văn Bình".into(),
            };
            let html = n.to_html().unwrap();
            assert!(html.contains(EndNotice::title_of(kind)));
            assert!(
                html.contains("&lt;b&gt;Thiếu&lt;&#x2f;b&gt; giấy tờ")
                    || html.contains("&lt;b&gt;Thiếu&lt;/b&gt; giấy tờ"),
                "{html}"
            );
            assert!(html.contains("H53.50.05.13-261208-0001"));
        }
    }
}
