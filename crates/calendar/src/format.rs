//! Times as the desk prints them on papers and in mail: local to the
//! deployment's zone, in the Vietnamese order ("09 giờ 30 phút, ngày
//! 08/12/2026").

use chrono::{DateTime, Datelike, Timelike, Utc};

use crate::WorkingCalendar;

/// `HH giờ MM phút, ngày DD/MM/YYYY` in the calendar's zone.
/// Written out rather than through chrono's `format`, which parses its
/// pattern on every call: a seventh of what the receipt mail cost an
/// intake inside SQLite's write lock (two dates, 15,000 instructions).
pub fn format_local(calendar: &WorkingCalendar, t: DateTime<Utc>) -> String {
    let l = calendar.local(t);
    format!(
        "{:02} giờ {:02} phút, ngày {:02}/{:02}/{:04}",
        l.hour(),
        l.minute(),
        l.day(),
        l.month(),
        l.year()
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::CalendarSettings;

    #[test]
    fn local_times_are_written_the_vietnamese_way() {
        let calendar = WorkingCalendar::new(CalendarSettings::default());
        let at = |s: &str| s.parse::<DateTime<Utc>>().unwrap();
        // Hanoi is UTC+7: the afternoon of 31 December in UTC is already
        // New Year's morning there.
        assert_eq!(
            format_local(&calendar, at("2026-12-31T18:05:09Z")),
            "01 giờ 05 phút, ngày 01/01/2027"
        );
        assert_eq!(
            format_local(&calendar, at("2026-03-09T09:30:00Z")),
            "16 giờ 30 phút, ngày 09/03/2026"
        );
    }
}
