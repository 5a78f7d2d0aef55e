//! The figures of one line of the results report, named and ordered as
//! the periodic report's columns, and how a line is tallied from the
//! dossiers' stays.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use motcua_calendar::WorkingCalendar;
use motcua_domain::{Channel, Status};
use motcua_store::reports::ReportDossier;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::results::Span;
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
    /// Of those received, filed through a representative under an
    /// authorisation (ủy quyền, docs/representation.md).
    #[serde(default)]
    #[schema(example = 7)]
    pub received_represented: u64,
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
    /// Supplement requests made in the period on the dossiers counted,
    /// while with the line's agencies.
    #[schema(example = 9)]
    pub supplement_requests: u64,
    /// Of those, first requests (so: dossiers that had to be supplemented
    /// for the first time).
    #[schema(example = 8)]
    pub supplemented: u64,
    /// Fees (asked for during processing) paid in the period, with the
    /// channel recorded, on dossiers with the line's agencies; and of
    /// those, paid online.
    #[schema(example = 20)]
    pub paid: u64,
    #[schema(example = 12)]
    pub paid_online: u64,
    /// Appointments extended in the period (each with its apology letter)
    /// of dossiers with the line's agencies.
    #[schema(example = 1)]
    pub extensions: u64,
    /// Of the dossiers handled, those the citizen rated after the return
    /// (whenever they did), and of those, rated not satisfied overall.
    #[schema(example = 40)]
    pub rated: u64,
    #[schema(example = 3)]
    pub rated_not_satisfied: u64,
    /// Of the dossiers handled, those with feedback the agency accepted
    /// (a complaint); and those rated not satisfied or complained about
    /// (each once): the satisfaction measure's second part.
    #[schema(example = 1)]
    pub complained: u64,
    #[schema(example = 4)]
    pub dissatisfied: u64,
    /// Of the dossiers whose processing ended, those whose result went
    /// back to the citizen (whenever it did), by how: collected at the
    /// counter, delivered by post (docs/post.md) or online.
    #[serde(default)]
    #[schema(example = 70)]
    pub returned_counter: u64,
    #[serde(default)]
    #[schema(example = 6)]
    pub returned_post: u64,
    #[serde(default)]
    #[schema(example = 10)]
    pub returned_online: u64,
    /// Working days with the line's agencies, from receipt or hand-in to
    /// the end of processing or passing on, over the stays handled: the
    /// mean, and the 90th percentile (nearest rank) to a tenth of a day
    /// (each stay's time taken to the nearest tenth).
    #[schema(example = 4.25)]
    pub processing_days_mean: Option<f64>,
    #[schema(example = 9.0)]
    pub processing_days_p90: Option<f64>,
    /// Handled early or on time ÷ handled, in percent.
    #[schema(example = 96.67)]
    pub on_time_rate: Option<f64>,
    /// Rated satisfied or very satisfied ÷ rated, in percent (the reform
    /// plan's goal is above 80 %).
    #[schema(example = 92.5)]
    pub satisfied_rate: Option<f64>,
}

impl Counts {
    /// Every count (not the measures), in a fixed order.
    fn count_fields(&self) -> [u64; 31] {
        [
            self.to_handle,
            self.carried_over,
            self.received,
            self.received_counter,
            self.received_online,
            self.received_post,
            self.received_represented,
            self.handed_in,
            self.handled,
            self.handled_early,
            self.handled_on_time,
            self.handled_late,
            self.passed_on,
            self.open,
            self.open_within_time,
            self.open_overdue,
            self.withdrawn,
            self.stopped,
            self.refused,
            self.supplement_requests,
            self.supplemented,
            self.paid,
            self.paid_online,
            self.extensions,
            self.rated,
            self.rated_not_satisfied,
            self.complained,
            self.dissatisfied,
            self.returned_counter,
            self.returned_post,
            self.returned_online,
        ]
    }

    /// The same, to change them.
    fn count_fields_mut(&mut self) -> [&mut u64; 31] {
        [
            &mut self.to_handle,
            &mut self.carried_over,
            &mut self.received,
            &mut self.received_counter,
            &mut self.received_online,
            &mut self.received_post,
            &mut self.received_represented,
            &mut self.handed_in,
            &mut self.handled,
            &mut self.handled_early,
            &mut self.handled_on_time,
            &mut self.handled_late,
            &mut self.passed_on,
            &mut self.open,
            &mut self.open_within_time,
            &mut self.open_overdue,
            &mut self.withdrawn,
            &mut self.stopped,
            &mut self.refused,
            &mut self.supplement_requests,
            &mut self.supplemented,
            &mut self.paid,
            &mut self.paid_online,
            &mut self.extensions,
            &mut self.rated,
            &mut self.rated_not_satisfied,
            &mut self.complained,
            &mut self.dissatisfied,
            &mut self.returned_counter,
            &mut self.returned_post,
            &mut self.returned_online,
        ]
    }
}

/// The columns from this index on are working days and percentages, with
/// two decimals; the ones before are counts.
pub const FIRST_MEASURE: usize = 27;

impl Counts {
    /// The columns of the periodic report in their order, named as the
    /// forms name them, with their values (`None`: nothing to compute
    /// over). CSV, the printed page and the spreadsheet all use this.
    pub fn columns(&self) -> [(&'static str, Option<f64>); 31] {
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
            ("Được đánh giá", n(self.rated)),
            ("Không hài lòng", n(self.rated_not_satisfied)),
            ("Có phản ánh, kiến nghị", n(self.complained)),
            // Added with issue 19, after the columns forms had before.
            ("Nộp thay theo ủy quyền", n(self.received_represented)),
            ("Trả kết quả trực tiếp", n(self.returned_counter)),
            ("Trả kết quả qua bưu chính", n(self.returned_post)),
            ("Trả kết quả trực tuyến", n(self.returned_online)),
            (
                "Thời gian giải quyết bình quân (ngày làm việc)",
                self.processing_days_mean,
            ),
            (
                "Thời gian giải quyết, 90% hồ sơ không quá (ngày làm việc)",
                self.processing_days_p90,
            ),
            ("Tỷ lệ đúng hạn (%)", self.on_time_rate),
            ("Tỷ lệ hài lòng (%)", self.satisfied_rate),
        ]
    }
}

/// A line's figures before its measures are worked out: the counts, and
/// the processing times as a sum and a histogram (tenths of a day). This is what adds up:
/// lines of disjoint sets of stays add ([`Line::plus`]), a period's line
/// is its months' lines one after the other ([`Line::then`]), and the
/// measures of the sum are those of the whole. So the roll-up keeps
/// lines, and the report computed from it equals the report computed
/// from the dossiers.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Line {
    /// The count columns (the measures are left empty).
    pub counts: Counts,
    /// Working seconds of the stays handled, from entry to leaving.
    pub processing_seconds: u64,
    /// The stays handled by the working days they took, in tenths of a
    /// day to the nearest (a stay of 8 days and a few seconds took 80),
    /// and how many took each.
    pub processing_tenths: BTreeMap<u32, u64>,
}

impl Line {
    /// Counts a dossier's stay over `span` (`as_of` judges whether an
    /// open one is overdue). A follower (a member of an interlinked group
    /// other than its first) came with the group: the group is received
    /// once, the others are handed in to their agencies with it. What
    /// happened to the dossier during the stay and the span (supplement
    /// requests, an extension, the payment) is counted with it.
    pub(crate) fn add(
        &mut self,
        calendar: &WorkingCalendar,
        d: &ReportDossier,
        stay: &Stay,
        span: Span,
    ) {
        let c = &mut self.counts;
        c.to_handle += 1;
        match stay.entry {
            Entry::CarriedOver => c.carried_over += 1,
            Entry::HandedIn => c.handed_in += 1,
            Entry::Received if d.follower => c.handed_in += 1,
            Entry::Received => {
                c.received += 1;
                c.received_represented += u64::from(d.represented);
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
                match d.return_method.as_deref() {
                    Some("counter") => c.returned_counter += 1,
                    Some("post") => c.returned_post += 1,
                    Some("online") => c.returned_online += 1,
                    _ => {}
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
                if d.due_at < span.as_of {
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
            let not_satisfied = d.rating.as_deref() == Some("not_satisfied");
            c.rated += u64::from(d.rating.is_some());
            c.rated_not_satisfied += u64::from(not_satisfied);
            c.complained += u64::from(d.complained);
            c.dissatisfied += u64::from(not_satisfied || d.complained);
            if let Some(left) = stay.left_at {
                let seconds = calendar.working_seconds_between(stay.entered_at, left);
                let seconds = u64::try_from(seconds).unwrap_or(0);
                let day = u64::from(calendar.settings().office_hours.day_length().max(1));
                let tenths = (seconds * 10 + day / 2) / day;
                let tenths = u32::try_from(tenths).unwrap_or(u32::MAX);
                self.processing_seconds += seconds;
                *self.processing_tenths.entry(tenths).or_default() += 1;
            }
        }
        let here = |at: DateTime<Utc>| stay.holds(at, span.from, span.to);
        for (at, number) in &d.supplement_requests {
            if here(*at) {
                c.supplement_requests += 1;
                c.supplemented += u64::from(*number == 1);
            }
        }
        c.extensions += u64::from(d.extended_at.is_some_and(here));
        if let (Some(channel), Some(at)) = (&d.payment_channel, d.paid_at) {
            if here(at) {
                c.paid += 1;
                c.paid_online += u64::from(channel == "online");
            }
        }
    }

    /// Counts a refused submission.
    pub(crate) fn refuse(&mut self) {
        self.counts.refused += 1;
    }

    pub fn is_empty(&self) -> bool {
        self.counts.to_handle == 0 && self.counts.refused == 0
    }

    /// Adds a line of other stays over the same period (another agency's,
    /// another procedure's).
    pub fn plus(&mut self, other: &Line) {
        let (c, o) = (&mut self.counts, &other.counts);
        for (mine, theirs) in c.count_fields_mut().into_iter().zip(o.count_fields()) {
            *mine += theirs;
        }
        self.processing_seconds += other.processing_seconds;
        for (tenths, n) in &other.processing_tenths {
            *self.processing_tenths.entry(*tenths).or_default() += n;
        }
    }

    /// Takes back a line added with [`Line::plus`] (a dossier's old
    /// figures, when it changed).
    pub fn minus(&mut self, other: &Line) {
        let (c, o) = (&mut self.counts, &other.counts);
        for (mine, theirs) in c.count_fields_mut().into_iter().zip(o.count_fields()) {
            *mine = mine.saturating_sub(theirs);
        }
        self.processing_seconds = self
            .processing_seconds
            .saturating_sub(other.processing_seconds);
        for (tenths, n) in &other.processing_tenths {
            if let Some(mine) = self.processing_tenths.get_mut(tenths) {
                *mine = mine.saturating_sub(*n);
                if *mine == 0 {
                    self.processing_tenths.remove(tenths);
                }
            }
        }
    }

    /// Extends this line with the same stays' line over the period right
    /// after it: what was carried over is this one's, what is still open
    /// is the later one's, what came and went is both's.
    pub fn then(&mut self, later: &Line) {
        self.flows(later);
        let (c, l) = (&mut self.counts, &later.counts);
        c.to_handle += l.to_handle - l.carried_over;
        c.open = l.open;
        c.open_within_time = l.open_within_time;
        c.open_overdue = l.open_overdue;
    }

    /// Adds what came and went (everything but the stocks at the ends).
    fn flows(&mut self, other: &Line) {
        let (c, o) = (&mut self.counts, &other.counts);
        for (mine, theirs) in [
            (&mut c.received, o.received),
            (&mut c.received_counter, o.received_counter),
            (&mut c.received_online, o.received_online),
            (&mut c.received_post, o.received_post),
            (&mut c.received_represented, o.received_represented),
            (&mut c.returned_counter, o.returned_counter),
            (&mut c.returned_post, o.returned_post),
            (&mut c.returned_online, o.returned_online),
            (&mut c.handed_in, o.handed_in),
            (&mut c.handled, o.handled),
            (&mut c.handled_early, o.handled_early),
            (&mut c.handled_on_time, o.handled_on_time),
            (&mut c.handled_late, o.handled_late),
            (&mut c.passed_on, o.passed_on),
            (&mut c.withdrawn, o.withdrawn),
            (&mut c.stopped, o.stopped),
            (&mut c.refused, o.refused),
            (&mut c.supplement_requests, o.supplement_requests),
            (&mut c.supplemented, o.supplemented),
            (&mut c.paid, o.paid),
            (&mut c.paid_online, o.paid_online),
            (&mut c.extensions, o.extensions),
            (&mut c.rated, o.rated),
            (&mut c.rated_not_satisfied, o.rated_not_satisfied),
            (&mut c.complained, o.complained),
            (&mut c.dissatisfied, o.dissatisfied),
        ] {
            *mine += theirs;
        }
        self.processing_seconds += other.processing_seconds;
        for (tenths, n) in &other.processing_tenths {
            *self.processing_tenths.entry(*tenths).or_default() += n;
        }
    }

    /// The line's counts with their measures, working days counted in
    /// days of `day_seconds` working seconds.
    pub fn finish(&self, day_seconds: u32) -> Counts {
        let mut c = self.counts.clone();
        let n: u64 = self.processing_tenths.values().sum();
        if n > 0 {
            let day = f64::from(day_seconds.max(1));
            c.processing_days_mean = Some(round2(self.processing_seconds as f64 / day / n as f64));
            // Nearest rank: the stay's time (to a tenth of a day) within
            // which at least 90 % of the stays were handled.
            let rank = (n * 9).div_ceil(10).max(1);
            let mut seen = 0;
            for (tenths, count) in &self.processing_tenths {
                seen += count;
                if seen >= rank {
                    c.processing_days_p90 = Some(f64::from(*tenths) / 10.0);
                    break;
                }
            }
        }
        if c.handled > 0 {
            let good = (c.handled_early + c.handled_on_time) as f64;
            c.on_time_rate = Some(round2(100.0 * good / c.handled as f64));
        }
        if c.rated > 0 {
            let satisfied = (c.rated - c.rated_not_satisfied.min(c.rated)) as f64;
            c.satisfied_rate = Some(round2(100.0 * satisfied / c.rated as f64));
        }
        c
    }
}

fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}
