//! The feed in the national portal's shape: the fields of its status
//! synchronisation (đồng bộ trạng thái hồ sơ), named and written as it
//! names and writes them, so connecting the portal is choosing this format
//! for its subscriber, not code (docs/feed.md has the mapping).
//!
//! Times are the desk's local time (the calendar's time zone) written
//! `yyyyMMddHHmmss`, and an empty text when there is none, as the portal
//! takes them.

use motcua_calendar::WorkingCalendar;
use motcua_store::feed::FeedItem;
use serde::Serialize;
use utoipa::ToSchema;

use super::feed::is_late;

/// One change of a dossier, as the national portal's status
/// synchronisation takes it.
#[derive(Serialize, ToSchema)]
pub struct NationalItem {
    /// The desk's event id (stable: a repeat is dropped by it).
    #[schema(example = "1842")]
    pub event_id: String,
    /// Where the reader is after this item.
    #[schema(example = 1842)]
    pub position: i64,
    /// Mã hồ sơ: the dossier code.
    #[serde(rename = "MaHoSo")]
    #[schema(example = "H53.50.05.13-261126-0001")]
    pub ma_ho_so: String,
    /// Mã thủ tục hành chính: the procedure's code in the national
    /// catalogue.
    #[serde(rename = "MaTTHC")]
    #[schema(example = "1.001193")]
    pub ma_tthc: String,
    /// Trạng thái hồ sơ: the national status code, 1 to 10.
    #[serde(rename = "TrangThaiHoSo")]
    #[schema(minimum = 1, maximum = 10, example = 4)]
    pub trang_thai_ho_so: i32,
    /// Ngày tiếp nhận: received.
    #[serde(rename = "NgayTiepNhan")]
    #[schema(example = "20261126090000")]
    pub ngay_tiep_nhan: String,
    /// Ngày hẹn trả: the appointment.
    #[serde(rename = "NgayHenTra")]
    #[schema(example = "20261203170000")]
    pub ngay_hen_tra: String,
    /// Ngày kết thúc xử lý: when processing ended (empty while it goes on).
    #[serde(rename = "NgayKetThucXuLy")]
    #[schema(example = "")]
    pub ngay_ket_thuc_xu_ly: String,
    /// Ngày trả: when the result was returned (empty before).
    #[serde(rename = "NgayTra")]
    #[schema(example = "")]
    pub ngay_tra: String,
    /// Đơn vị xử lý: the agency handling it now.
    #[serde(rename = "DonViXuLy")]
    #[schema(example = "H53.50.05")]
    pub don_vi_xu_ly: String,
    /// Quá hạn: 1 when late (ended after the appointment, or open past it
    /// when recorded), else 0.
    #[serde(rename = "QuaHan")]
    #[schema(minimum = 0, maximum = 1, example = 0)]
    pub qua_han: u8,
}

/// `t` in the desk's local time as `yyyyMMddHHmmss`.
fn stamp(calendar: &WorkingCalendar, t: chrono::DateTime<chrono::Utc>) -> String {
    calendar.local(t).format("%Y%m%d%H%M%S").to_string()
}

impl NationalItem {
    pub fn of(i: &FeedItem, calendar: &WorkingCalendar) -> NationalItem {
        let optional = |t: Option<chrono::DateTime<chrono::Utc>>| {
            t.map(|t| stamp(calendar, t)).unwrap_or_default()
        };
        NationalItem {
            event_id: i.event_id.to_string(),
            position: i.position,
            ma_ho_so: i.code.clone(),
            ma_tthc: i.procedure_code.clone(),
            trang_thai_ho_so: i.status_code,
            ngay_tiep_nhan: stamp(calendar, i.received_at),
            ngay_hen_tra: stamp(calendar, i.due_at),
            ngay_ket_thuc_xu_ly: optional(i.ended_at),
            ngay_tra: optional(i.returned_at),
            don_vi_xu_ly: i.handling_agency.clone(),
            qua_han: u8::from(is_late(i)),
        }
    }
}
