//! The pages' words in Vietnamese and English, in one table: a template
//! prints `t.key`, and a key missing in a language fails its render (the
//! environment is strict) and the test below.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use actix_web::http::StatusCode;

/// The page's language: Vietnamese unless `lang=en`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    Vi,
    En,
}

impl Lang {
    pub fn of(param: Option<&str>) -> Lang {
        match param {
            Some("en") => Lang::En,
            _ => Lang::Vi,
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            Lang::Vi => "vi",
            Lang::En => "en",
        }
    }

    /// What links add to keep the language (empty for Vietnamese).
    pub fn query(self) -> &'static str {
        match self {
            Lang::Vi => "",
            Lang::En => "lang=en",
        }
    }

    pub fn other(self) -> Lang {
        match self {
            Lang::Vi => Lang::En,
            Lang::En => Lang::Vi,
        }
    }

    /// The switch's label, in its own language.
    pub fn label(self) -> &'static str {
        match self {
            Lang::Vi => "Tiếng Việt",
            Lang::En => "English",
        }
    }
}

/// (key, Vietnamese, English).
const TEXTS: &[(&str, &str, &str)] = &[
    ("site", "Bộ phận Một cửa", "One-stop desk"),
    ("skip", "Bỏ qua, đến nội dung chính", "Skip to the main content"),
    ("nav_lookup", "Tra cứu hồ sơ", "Look up a dossier"),
    ("nav_catalogue", "Thủ tục hành chính", "Procedures"),
    ("nav_feedback", "Phản ánh, kiến nghị", "Feedback"),
    ("language", "Ngôn ngữ", "Language"),
    ("lookup_title", "Tra cứu tình trạng hồ sơ", "Look up your dossier"),
    ("lookup_intro", "Nhập mã hồ sơ và mã tra cứu (PIN) in trên Giấy tiếp nhận hồ sơ và hẹn trả kết quả.", "Enter the dossier code and the PIN printed on your receipt."),
    ("code", "Mã hồ sơ", "Dossier code"),
    ("pin", "Mã tra cứu (PIN)", "PIN"),
    ("look_up", "Tra cứu", "Look up"),
    ("status", "Tình trạng", "Status"),
    ("procedure", "Thủ tục", "Procedure"),
    ("agency", "Cơ quan giải quyết", "Handling agency"),
    ("applicant", "Người nộp", "Applicant"),
    ("representative", "Người nộp thay (ủy quyền)", "Filed on their behalf by"),
    ("post_tracking", "Kết quả gửi qua bưu chính, số hiệu bưu gửi", "Result sent by post, tracking code"),
    ("post_dispatched", "gửi lúc", "sent"),
    ("post_delivered", "đã phát lúc", "delivered"),
    ("received_at", "Ngày tiếp nhận", "Received"),
    ("appointment", "Hẹn trả kết quả", "Appointment"),
    ("printed_appointment", "Ngày hẹn ghi trên giấy tiếp nhận", "Appointment on the receipt"),
    ("waiting_supplement", "Hồ sơ đang chờ bổ sung", "Waiting for your supplement"),
    ("supplement_needed", "Giấy tờ cần bổ sung", "Documents to bring"),
    ("reason", "Lý do", "Reason"),
    ("result_file", "Kết quả điện tử", "Electronic result"),
    ("parts", "Các phần của hồ sơ liên thông", "Parts of the interlinked dossier"),
    ("history", "Quá trình giải quyết", "History"),
    ("rating_title", "Đánh giá mức độ hài lòng", "Rate the service"),
    ("rating_intro", "Chấm mỗi tiêu chí: 0 (chưa tốt), 1 (đạt), 2 (tốt).", "Score each criterion: 0 (poor), 1 (acceptable), 2 (good)."),
    ("score_0", "0: chưa tốt", "0: poor"),
    ("score_1", "1: đạt", "1: acceptable"),
    ("score_2", "2: tốt", "2: good"),
    ("overall", "Mức độ hài lòng chung", "Overall satisfaction"),
    ("very_satisfied", "Rất hài lòng", "Very satisfied"),
    ("satisfied", "Hài lòng", "Satisfied"),
    ("not_satisfied", "Không hài lòng", "Not satisfied"),
    ("comment", "Ý kiến khác (không bắt buộc)", "Comment (optional)"),
    ("send_rating", "Gửi đánh giá", "Send the rating"),
    ("rated", "Cảm ơn Quý ông/bà đã đánh giá.", "Thank you for your rating."),
    ("already_rated", "Hồ sơ này đã được đánh giá.", "This dossier has been rated."),
    ("catalogue_title", "Thủ tục hành chính", "Administrative procedures"),
    ("search", "Tìm thủ tục (có thể gõ không dấu)", "Search (accents optional)"),
    ("search_button", "Tìm", "Search"),
    ("found", "thủ tục", "procedures"),
    ("none_found", "Không tìm thấy thủ tục phù hợp.", "No procedure matches."),
    ("field", "Lĩnh vực", "Field"),
    ("time_limit", "Thời hạn giải quyết", "Time limit"),
    ("fee", "Phí, lệ phí", "Fees"),
    ("free", "Không thu phí", "Free"),
    ("documents", "Thành phần hồ sơ", "Documents"),
    ("document", "Giấy tờ", "Document"),
    ("originals", "Bản chính", "Originals"),
    ("copies", "Bản sao", "Copies"),
    ("optional", "không bắt buộc", "optional"),
    ("legal_basis", "Căn cứ pháp lý", "Legal basis"),
    ("result", "Kết quả", "Result"),
    ("where_to_file", "Nơi nộp hồ sơ", "Where to file"),
    ("online", "Nộp trực tuyến", "File online"),
    ("online_yes", "Có thể nộp trực tuyến", "Can be filed online"),
    ("online_no", "Nộp trực tiếp tại Bộ phận Một cửa", "File at the one-stop desk"),
    ("service_level", "Mức độ dịch vụ công trực tuyến", "Online service level"),
    ("all_levels", "Tất cả", "All"),
    ("level_not_online", "Không trực tuyến", "Not online"),
    ("level_partly_online", "Trực tuyến một phần", "Partly online"),
    ("level_fully_online", "Trực tuyến toàn trình", "Fully online"),
    ("compliance_title", "Chi phí tuân thủ thủ tục hành chính", "Compliance cost of the procedure"),
    ("version", "phiên bản", "version"),
    ("hourly_income", "Thu nhập bình quân một giờ", "Average hourly income"),
    ("received_year", "Hồ sơ tiếp nhận trong 12 tháng", "Dossiers received in 12 months"),
    ("cost_item", "Khoản chi phí", "Cost item"),
    ("cost_time", "Thời gian", "Time"),
    ("cost_amount", "Thành tiền", "Amount"),
    ("cost_document", "Chuẩn bị giấy tờ", "Preparing a document"),
    ("cost_travel", "Đi lại", "Travel"),
    ("cost_wait", "Chờ đợi tại Bộ phận Một cửa", "Waiting at the desk"),
    ("cost_collect", "Nhận kết quả", "Collecting the result"),
    ("cost_fee", "Phí, lệ phí", "Fees and charges"),
    ("cost_outside_service", "Dịch vụ thuê ngoài", "Outside service"),
    ("cost_other", "Chi phí khác", "Other cost"),
    ("cost_time_total", "Thời gian của người dân, quy ra tiền", "The citizen's time, valued"),
    ("cost_money_total", "Phí, lệ phí và chi phí khác", "Fees and other costs"),
    ("cost_per_dossier", "Chi phí tuân thủ một hồ sơ", "Compliance cost of one dossier"),
    ("cost_yearly", "Chi phí tuân thủ một năm", "Compliance cost in a year"),
    ("cost_saved", "Phương án cắt giảm tiết kiệm", "The reform saves"),
    ("cost_more", "Phiên bản mới tốn thêm", "The new version costs"),
    ("cost_per_dossier_short", "mỗi hồ sơ", "per dossier"),
    ("cost_per_year", "mỗi năm", "a year"),
    ("cost_of_time", "thời gian", "of time"),
    ("compliance_method", "Thời gian của người dân được quy ra tiền theo thu nhập bình quân một giờ; chi phí một năm bằng chi phí một hồ sơ nhân số hồ sơ tiếp nhận trong 12 tháng gần nhất.", "The citizen's time is valued at the average hourly income; the yearly cost is one dossier's cost times the dossiers received over the last 12 months."),
    ("online_intro", "Điền thông tin và đánh dấu các giấy tờ sẽ nộp. Bộ phận Một cửa sẽ xem xét và thông báo.", "Fill in your details and tick the documents you will provide. The desk will review the application."),
    ("name", "Họ và tên", "Full name"),
    ("id_number", "Số định danh cá nhân (CCCD)", "Citizen id number"),
    ("phone", "Số điện thoại", "Phone"),
    ("email", "Thư điện tử", "E-mail"),
    ("address", "Địa chỉ", "Address"),
    ("submit", "Nộp hồ sơ", "Submit"),
    ("submitted", "Đã nộp hồ sơ trực tuyến", "Application submitted"),
    ("reference", "Mã tham chiếu", "Reference"),
    ("keep_pin", "Hãy ghi lại mã tham chiếu và mã PIN: mã PIN chỉ hiển thị một lần.", "Write down the reference and the PIN: the PIN is shown only once."),
    ("missing_documents", "Còn thiếu", "Still missing"),
    ("feedback_title", "Phản ánh, kiến nghị", "Feedback and recommendations"),
    ("feedback_intro", "Gửi phản ánh, kiến nghị về việc giải quyết thủ tục hành chính. Cơ quan sẽ xem xét trong 2 ngày làm việc và trả lời trong 15 ngày làm việc.", "Tell us about the handling of a procedure. The agency reviews it within 2 working days and answers within 15."),
    ("subject", "Tiêu đề", "Subject"),
    ("content", "Nội dung", "Content"),
    ("about_dossier", "Về hồ sơ (không bắt buộc): mã hồ sơ và mã PIN", "About a dossier (optional): its code and PIN"),
    ("dossier_code", "Mã hồ sơ", "Dossier code"),
    ("dossier_pin", "Mã PIN của hồ sơ", "Dossier PIN"),
    ("or_agency", "Hoặc chọn cơ quan", "Or choose the agency"),
    ("choose", "Chọn", "Choose"),
    ("procedure_code", "Mã thủ tục (không bắt buộc)", "Procedure code (optional)"),
    ("procedure_id", "Mã thủ tục", "Procedure code"),
    ("contact_note", "Cần ít nhất thư điện tử hoặc số điện thoại để nhận trả lời.", "Give an e-mail address or a phone number to be answered."),
    ("send", "Gửi", "Send"),
    ("sent", "Đã gửi phản ánh, kiến nghị", "Feedback sent"),
    ("due_by", "Hạn xem xét", "Review due by"),
    ("follow_title", "Theo dõi phản ánh, kiến nghị", "Follow your feedback"),
    ("follow", "Theo dõi", "Follow"),
    ("published_title", "Kết quả trả lời đã công khai", "Published answers"),
    ("no_published", "Chưa có kết quả trả lời nào được công khai.", "No answers published yet."),
    ("matter", "Nội dung phản ánh", "The matter"),
    ("answer", "Trả lời", "Answer"),
    ("answered_at", "Ngày trả lời", "Answered"),
    ("published_at", "Ngày công khai", "Published"),
    ("step_due", "Hạn xử lý bước hiện tại", "Current step due by"),
    ("question", "Cơ quan đề nghị bổ sung thông tin", "The agency asks"),
    ("reply", "Thông tin bổ sung", "Your reply"),
    ("send_reply", "Gửi thông tin bổ sung", "Send the reply"),
    ("refusal", "Lý do từ chối", "Reason for refusal"),
    ("errors_title", "Vui lòng kiểm tra lại các mục được đánh dấu.", "Please check the marked fields."),
    ("nav_dashboard", "Quản lý", "Dashboard"),
    ("login_title", "Đăng nhập dành cho cán bộ", "Staff log-in"),
    ("username", "Tên đăng nhập", "Username"),
    ("password", "Mật khẩu", "Password"),
    ("log_in", "Đăng nhập", "Log in"),
    ("log_out", "Đăng xuất", "Log out"),
    ("dashboard_title", "Theo dõi giải quyết hồ sơ", "Dossier handling at a glance"),
    ("signed_in_as", "Đăng nhập với tên", "Signed in as"),
    ("open_dossiers", "Hồ sơ đang giải quyết", "Open dossiers"),
    ("within_time", "Trong hạn", "Within time"),
    ("due_soon", "Sắp đến hạn", "Due soon"),
    ("overdue", "Quá hạn", "Overdue"),
    ("at_risk", "Có nguy cơ trễ hạn", "At risk of being late"),
    ("probability", "Khả năng trễ", "Chance of lateness"),
    ("breaches_title", "Vi phạm thời hạn đã ghi nhận", "Recorded deadline breaches"),
    ("kind", "Loại", "Kind"),
    ("all", "Tất cả", "All"),
    ("from", "Hạn từ ngày", "Due from"),
    ("to", "đến ngày", "to"),
    ("filter", "Lọc", "Filter"),
    ("no_breaches", "Không có vi phạm nào.", "No breaches."),
    ("due_at", "Hạn", "Due"),
    ("chart_title", "Tỷ lệ giải quyết đúng hạn theo tháng", "On-time rate by month"),
    ("handovers_title", "Hồ sơ chuyển chưa được xác nhận", "Handovers not acknowledged"),
    ("no_handovers", "Không có hồ sơ chuyển nào chờ xác nhận.", "No handover waits for acknowledgement."),
    ("sent_from", "Từ", "From"),
    ("sent_to", "Đến", "To"),
    ("sent_at", "Lúc", "Sent"),
    ("feedback_waiting", "Phản ánh, kiến nghị đang chờ xử lý", "Feedback waiting"),
    ("no_feedback", "Không có phản ánh, kiến nghị nào đang chờ.", "No feedback waiting."),
    ("reports_title", "Tải báo cáo kết quả giải quyết", "Download the results report"),
    ("month", "Tháng (YYYY-MM)", "Month (YYYY-MM)"),
    ("format", "Định dạng", "Format"),
    ("download", "Tải về", "Download"),
    ("cases", "Các trường hợp", "Cases"),
    ("case", "Trường hợp", "Case"),
    ("online_time", "nộp trực tuyến", "filed online"),
    ("queue_heading", "Hàng chờ tại bộ phận một cửa, 7 ngày qua", "The counter halls, last 7 days"),
    ("queue_day", "Ngày", "Day"),
    ("queue_area", "Khu vực", "Area"),
    ("queue_tickets", "Số phiếu", "Tickets"),
    ("queue_served", "Đã phục vụ", "Served"),
    ("queue_no_show", "Vắng mặt", "No-shows"),
    ("queue_wait", "Chờ, phút (TB / 90%)", "Wait, min (avg / 90%)"),
    ("queue_service", "Phục vụ, phút (TB / 90%)", "Service, min (avg / 90%)"),
    ("queue_per_hour", "Phiếu mỗi giờ", "Tickets per hour"),
    ("no_queue", "Chưa có phiếu số thứ tự nào trong 7 ngày qua.", "No queue ticket in the last 7 days."),
    ("queue_board_title", "Mời công dân", "Now calling"),
    ("now_serving", "Số đang được phục vụ và quầy cần đến", "Tickets being served and the counter to go to"),
    ("ticket_col", "Số thứ tự", "Ticket"),
    ("counter_col", "Quầy", "Counter"),
    ("recent_calls", "Vừa gọi", "Called just now"),
    ("waiting_col", "Đang chờ theo khu vực", "Waiting by area"),
    ("no_calls", "Chưa gọi số nào.", "No ticket called yet."),
    ("board_live", "Bảng tự cập nhật khi có số mới được gọi.", "This board updates itself as tickets are called."),
    ("kiosk_title", "Lấy số thứ tự", "Take a ticket"),
    ("kiosk_intro", "Chọn lĩnh vực bạn cần giải quyết, rồi nhận phiếu số thứ tự.", "Choose what you came for, then take your ticket."),
    ("area_waiting", "người đang chờ", "waiting"),
    ("no_areas", "Bộ phận một cửa này chưa thiết lập khu vực tiếp nhận.", "This desk has not set up its service areas yet."),
    ("ticket_title", "Phiếu số thứ tự", "Queue ticket"),
    ("ticket_taken", "Lấy lúc", "Taken"),
    ("ticket_ahead", "Số người chờ trước bạn", "Waiting before you"),
    ("ticket_go", "Mời đến", "Please go to"),
    ("ticket_done", "Đã được phục vụ", "Served"),
    ("ticket_no_show", "Đã qua lượt", "Missed"),
    ("ticket_keep", "Vui lòng giữ phiếu và theo dõi bảng gọi số.", "Keep this ticket and watch the board."),
];

/// The texts of a language, by key.
pub fn texts(lang: Lang) -> &'static BTreeMap<&'static str, &'static str> {
    static VI: OnceLock<BTreeMap<&str, &str>> = OnceLock::new();
    static EN: OnceLock<BTreeMap<&str, &str>> = OnceLock::new();
    match lang {
        Lang::Vi => VI.get_or_init(|| TEXTS.iter().map(|t| (t.0, t.1)).collect()),
        Lang::En => EN.get_or_init(|| TEXTS.iter().map(|t| (t.0, t.2)).collect()),
    }
}

/// A field error's message in the page's language. The checks write them
/// in English (the API's language); the common ones read in Vietnamese
/// here, any other as a general request to check the field.
pub fn field_message(message: &str, lang: Lang) -> String {
    if lang == Lang::En {
        return message.to_string();
    }
    let m = message.to_lowercase();
    if m.contains("or a phone number") {
        "Cần thư điện tử hoặc số điện thoại để nhận trả lời".into()
    } else if m.contains("is required") {
        "Không được để trống".into()
    } else if let Some(n) = m
        .strip_prefix("must be at most ")
        .and_then(|rest| rest.split(' ').next())
    {
        format!("Tối đa {n} ký tự")
    } else if m.contains("yyyy-mm-dd") {
        "Ngày theo dạng YYYY-MM-DD, ví dụ 2026-11-30".into()
    } else if m.contains("due_soon or overdue") {
        "Chọn sắp đến hạn hoặc quá hạn".into()
    } else if m.contains("e-mail") {
        "Địa chỉ thư điện tử không hợp lệ".into()
    } else if m.contains("phone") {
        "Số điện thoại phải có 8 đến 15 chữ số".into()
    } else if m.contains("citizen id") || m.contains("6-20 letters") {
        "Số định danh gồm 6 đến 20 chữ và số (CCCD 12 số)".into()
    } else if m.contains("no agency") {
        "Không có cơ quan với mã này".into()
    } else if m.contains("no procedure") || m.contains("unknown procedure") {
        "Không có thủ tục với mã này".into()
    } else if m.contains("score") {
        "Mỗi tiêu chí chấm 0, 1 hoặc 2".into()
    } else if m.contains("control character") {
        "Có ký tự không hợp lệ".into()
    } else if m.contains("name the agency") {
        "Chọn cơ quan, hoặc nhập mã hồ sơ và mã PIN".into()
    } else if m.contains("pin") {
        "Cần nhập mã PIN".into()
    } else {
        "Giá trị không hợp lệ, vui lòng kiểm tra lại".into()
    }
}

/// A Vietnamese message for an error the API words in English only.
pub fn generic_error(status: StatusCode) -> String {
    match status {
        StatusCode::NOT_FOUND => "Không tìm thấy; vui lòng kiểm tra lại mã và mã PIN.".into(),
        StatusCode::CONFLICT => "Không thể thực hiện ở bước này của hồ sơ.".into(),
        StatusCode::TOO_MANY_REQUESTS => "Quá nhiều yêu cầu; vui lòng thử lại sau.".into(),
        s if s.is_server_error() => "Lỗi máy chủ; vui lòng thử lại sau.".into(),
        _ => "Yêu cầu không hợp lệ; vui lòng kiểm tra lại.".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_languages_have_every_key_once_and_differ() {
        let mut seen = std::collections::HashSet::new();
        for (key, vi, en) in TEXTS {
            assert!(seen.insert(key), "{key} twice");
            assert!(!vi.is_empty() && !en.is_empty(), "{key}");
        }
        assert_eq!(texts(Lang::Vi).len(), TEXTS.len());
        assert_ne!(texts(Lang::Vi)["look_up"], texts(Lang::En)["look_up"]);
    }

    #[test]
    fn the_checks_messages_read_in_vietnamese() {
        assert_eq!(
            field_message("is required", Lang::Vi),
            "Không được để trống"
        );
        assert_eq!(
            field_message("must be at most 200 characters", Lang::Vi),
            "Tối đa 200 ký tự"
        );
        assert_eq!(field_message("is required", Lang::En), "is required");
        assert!(field_message("something new", Lang::Vi).contains("kiểm tra"));
        assert_eq!(
            field_message(
                "give an e-mail address or a phone number to be answered",
                Lang::Vi
            ),
            "Cần thư điện tử hoặc số điện thoại để nhận trả lời"
        );
    }
}
