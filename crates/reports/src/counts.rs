//! The figures of one line of the results report, named and ordered as
//! the periodic report's columns, and how a line is tallied from the
//! dossiers' stays.

use chrono::{DateTime, Utc};
use motcua_calendar::WorkingCalendar;
use motcua_domain::{Channel, Status};
use motcua_store::reports::ReportDossier;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::stay::{Entry, Exit, Stay};

/// The figures of one row, or of the total.
///
/// For every line: to handle = carried over + received + handed in =
/// handled + withdrawn + still being handled.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Counts {
    /// Carried over, received and handed in.
    #[schema(example = 120)]
    pub to_handle: u64,
    /// With the agencies before the period and still being handled at its
    /// start.
    #[schema(example = 20)]
    pub carried_over: u64,
    /// Received in the period.
    #[schema(example = 100)]
    pub received: u64,
    #[schema(example = 60)]
    pub received_counter: u64,
    #[schema(example = 38)]
    pub received_online: u64,
    #[schema(example = 2)]
    pub received_post: u64,
    /// Handed in the period by an agency outside the line's agencies (a
    /// step of an interlinked process).
    #[schema(example = 5)]
    pub handed_in: u64,
    /// Handled in the period: processing ended (processed or stopped), or
    /// the line's agencies did their step and passed the dossier on.
    #[schema(example = 90)]
    pub handled: u64,
    #[schema(example = 30)]
    pub handled_early: u64,
    #[schema(example = 57)]
    pub handled_on_time: u64,
    #[schema(example = 3)]
    pub handled_late: u64,
    /// Of those handled, passed on to an agency outside the line's (judged
    /// by the verdict of their own leg).
    #[schema(example = 4)]
    pub passed_on: u64,
    /// Still being handled at the end of the period.
    #[schema(example = 28)]
    pub open: u64,
    #[schema(example = 25)]
    pub open_within_time: u64,
    /// Past their appointment at the end of the period.
    #[schema(example = 3)]
    pub open_overdue: u64,
    /// Withdrawn by the citizen in the period.
    #[schema(example = 2)]
    pub withdrawn: u64,
    /// Of those handled, stopped without a result.
    #[schema(example = 1)]
    pub stopped: u64,
    /// Online submissions refused in the period (never dossiers, so not
    /// in "to handle").
    #[schema(example = 2)]
    pub refused: u64,
    /// Supplement requests made on the dossiers counted.
    #[schema(example = 9)]
    pub supplement_requests: u64,
    /// Dossiers counted with at least one supplement request.
    #[schema(example = 8)]
    pub supplemented: u64,
    /// Dossiers counted whose fee (asked for during processing) was paid,
    /// with the channel recorded; and of those, paid online.
    #[schema(example = 20)]
    pub paid: u64,
    #[schema(example = 12)]
    pub paid_online: u64,
    /// Dossiers counted whose appointment was extended (each with its
    /// apology letter).
    #[schema(example = 1)]
    pub extensions: u64,
    /// Working days with the line's agencies, from receipt or hand-in to
    /// the end of processing or passing on, over the dossiers handled: the
    /// mean, and the 90th percentile (nearest rank).
    #[schema(example = 4.25)]
    pub processing_days_mean: Option<f64>,
    #[schema(example = 9.0)]
    pub processing_days_p90: Option<f64>,
    /// Handled early or on time ÷ handled, in percent.
    #[schema(example = 96.67)]
    pub on_time_rate: Option<f64>,
}

/// The columns from this index on are working days and percentages, with
/// two decimals; the ones before are counts.
pub const FIRST_MEASURE: usize = 20;

impl Counts {
    /// The columns of the periodic report in their order, named as the
    /// forms name them, with their values (`None`: nothing to compute
    /// over). CSV, the printed page and the spreadsheet all use this.
    pub fn columns(&self) -> [(&'static str, Option<f64>); 23] {
        let n = |x: u64| Some(x as f64);
        [
            ("Tổng số hồ sơ nhận giải quyết", n(self.to_handle)),
            ("Từ kỳ trước chuyển sang", n(self.carried_over)),
            ("Mới tiếp nhận trong kỳ", n(self.received)),
            ("Trực tiếp", n(self.received_counter)),
            ("Trực tuyến", n(self.received_online)),
            ("Qua bưu chính", n(self.received_post)),
            ("Nhận từ cơ quan khác", n(self.handed_in)),
            ("Đã giải quyết", n(self.handled)),
            ("Trước hạn", n(self.handled_early)),
            ("Đúng hạn", n(self.handled_on_time)),
            ("Quá hạn", n(self.handled_late)),
            ("Trong đó chuyển cơ quan khác", n(self.passed_on)),
            ("Đang giải quyết", n(self.open)),
            ("Trong hạn", n(self.open_within_time)),
            ("Quá hạn (đang giải quyết)", n(self.open_overdue)),
            ("Rút hồ sơ", n(self.withdrawn)),
            ("Dừng xử lý", n(self.stopped)),
            ("Từ chối tiếp nhận", n(self.refused)),
            ("Yêu cầu bổ sung", n(self.supplement_requests)),
            ("Gia hạn (có thư xin lỗi)", n(self.extensions)),
            (
                "Thời gian giải quyết bình quân (ngày làm việc)",
                self.processing_days_mean,
            ),
            (
                "Thời gian giải quyết, 90% hồ sơ không quá (ngày làm việc)",
                self.processing_days_p90,
            ),
            ("Tỷ lệ đúng hạn (%)", self.on_time_rate),
        ]
    }
}

/// A line being counted.
#[derive(Debug, Default)]
pub(crate) struct Tally {
    c: Counts,
    days: Vec<f64>,
}

impl Tally {
    /// Counts a dossier's stay; `as_of` judges whether an open one is
    /// overdue. A `follower` (a member of an interlinked group other than
    /// its first) came with the group: the group is received once, the
    /// others are handed in to their agencies with it.
    pub(crate) fn add(
        &mut self,
        calendar: &WorkingCalendar,
        d: &ReportDossier,
        stay: &Stay,
        as_of: DateTime<Utc>,
        follower: bool,
    ) {
        let c = &mut self.c;
        c.to_handle += 1;
        match stay.entry {
            Entry::CarriedOver => c.carried_over += 1,
            Entry::HandedIn => c.handed_in += 1,
            Entry::Received if follower => c.handed_in += 1,
            Entry::Received => {
                c.received += 1;
                match Channel::from_code(d.channel).ok() {
                    Some(Channel::Online) => c.received_online += 1,
                    Some(Channel::Post) => c.received_post += 1,
                    _ => c.received_counter += 1,
                }
            }
        }
        let verdict = match stay.exit {
            Exit::Handled { verdict } => {
                if d.status_code == Status::Stopped.code() {
                    c.stopped += 1;
                }
                Some(verdict.unwrap_or("late"))
            }
            Exit::PassedOn { verdict } => {
                c.passed_on += 1;
                Some(verdict)
            }
            Exit::Withdrawn => {
                c.withdrawn += 1;
                None
            }
            Exit::Open => {
                c.open += 1;
                if d.due_at < as_of {
                    c.open_overdue += 1;
                } else {
                    c.open_within_time += 1;
                }
                None
            }
        };
        if let Some(verdict) = verdict {
            c.handled += 1;
            match verdict {
                "early" => c.handled_early += 1,
                "on_time" => c.handled_on_time += 1,
                _ => c.handled_late += 1,
            }
            if let Some(left) = stay.left_at {
                let day = f64::from(calendar.settings().office_hours.day_length().max(1));
                let seconds = calendar.working_seconds_between(stay.entered_at, left);
                self.days.push(seconds as f64 / day);
            }
        }
        c.supplement_requests += u64::try_from(d.supplement_requests).unwrap_or(0);
        c.supplemented += u64::from(d.supplement_requests > 0);
        if let Some(channel) = &d.payment_channel {
            c.paid += 1;
            c.paid_online += u64::from(channel == "online");
        }
        c.extensions += u64::from(d.extended);
    }

    /// Counts a refused submission.
    pub(crate) fn refuse(&mut self) {
        self.c.refused += 1;
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.c.to_handle == 0 && self.c.refused == 0
    }

    pub(crate) fn finish(mut self) -> Counts {
        let mut c = self.c;
        if !self.days.is_empty() {
            self.days.sort_by(f64::total_cmp);
            let n = self.days.len();
            c.processing_days_mean = Some(round2(self.days.iter().sum::<f64>() / n as f64));
            // Nearest rank: the smallest value with at least 90 % at or
            // below it.
            let rank = (n * 9).div_ceil(10).max(1);
            c.processing_days_p90 = Some(round2(self.days[rank - 1]));
        }
        if c.handled > 0 {
            let good = (c.handled_early + c.handled_on_time) as f64;
            c.on_time_rate = Some(round2(100.0 * good / c.handled as f64));
        }
        c
    }
}

fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}
