//! The results report: for a period and a set of agencies, how many
//! dossiers each had to handle, how many it handled (early, on time,
//! late), how many were still being handled at the period's end (within
//! time, overdue), with withdrawals, stops, supplement requests,
//! extensions, processing times and the on-time rate. Its columns follow
//! the periodic report on the handling of administrative procedures
//! (docs/measures.md, Results report).
//!
//! Every dossier an agency handles falls in exactly one of three ends for
//! a period: handled in it (processing ended: processed or stopped),
//! withdrawn in it, or still being handled at its end. So for every row
//! and the total: to handle = carried over + received = handled +
//! withdrawn + still being handled; and the rows add up to the total,
//! because each dossier lands in one row. An interlinked group is counted
//! through its members, each at the agency handling it, never the group
//! as well.

use std::collections::BTreeMap;

use chrono::{DateTime, Datelike, Months, NaiveDate, NaiveTime, Utc};
use motcua_calendar::WorkingCalendar;
use motcua_domain::{Channel, Period, Status};
use motcua_store::reports::{self, ReportDossier};
use motcua_store::{DbConnection, StoreResult};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// What the report's rows are.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum By {
    /// One row per agency handling the dossiers.
    Agency,
    /// One row per procedure.
    Procedure,
    /// One row per field (lĩnh vực) of the catalogue.
    Field,
    /// One row per officer assigned (dossiers nobody was assigned share
    /// a row).
    Officer,
    /// One row per month of the period.
    Month,
    /// One row per quarter of the period.
    Quarter,
}

/// The figures of one row, or of the total.
#[derive(Debug, Clone, Default, PartialEq, Serialize, ToSchema)]
pub struct Counts {
    /// Carried over plus received.
    #[schema(example = 120)]
    pub to_handle: u64,
    /// Received before the period and still being handled at its start.
    #[schema(example = 20)]
    pub carried_over: u64,
    /// Received in the period.
    #[schema(example = 100)]
    pub received: u64,
    pub received_counter: u64,
    pub received_online: u64,
    pub received_post: u64,
    /// Processing ended in the period (processed or stopped).
    #[schema(example = 90)]
    pub handled: u64,
    pub handled_early: u64,
    pub handled_on_time: u64,
    pub handled_late: u64,
    /// Still being handled at the end of the period.
    #[schema(example = 28)]
    pub open: u64,
    pub open_within_time: u64,
    /// Past their appointment at the end of the period.
    pub open_overdue: u64,
    /// Withdrawn by the citizen in the period.
    #[schema(example = 2)]
    pub withdrawn: u64,
    /// Of those handled, stopped without a result.
    pub stopped: u64,
    /// Supplement requests made on the dossiers counted.
    pub supplement_requests: u64,
    /// Dossiers counted whose appointment was extended (each with its
    /// apology letter).
    pub extensions: u64,
    /// Working days from receipt to the end of processing, over the
    /// dossiers handled: the mean, and the 90th percentile (nearest rank).
    pub processing_days_mean: Option<f64>,
    pub processing_days_p90: Option<f64>,
    /// Handled early or on time ÷ handled, in percent.
    #[schema(example = 96.67)]
    pub on_time_rate: Option<f64>,
}

impl Counts {
    /// The columns of the periodic report in their order, named as the
    /// forms name them, with their values (`None`: nothing to compute
    /// over). CSV, the printed page and the spreadsheet all use this.
    pub fn columns(&self) -> [(&'static str, Option<f64>); 17] {
        let n = |x: u64| Some(x as f64);
        [
            ("Tổng số hồ sơ nhận giải quyết", n(self.to_handle)),
            ("Từ kỳ trước chuyển sang", n(self.carried_over)),
            ("Mới tiếp nhận trong kỳ", n(self.received)),
            ("Trực tiếp", n(self.received_counter)),
            ("Trực tuyến", n(self.received_online)),
            ("Qua bưu chính", n(self.received_post)),
            ("Đã giải quyết", n(self.handled)),
            ("Trước hạn", n(self.handled_early)),
            ("Đúng hạn", n(self.handled_on_time)),
            ("Quá hạn", n(self.handled_late)),
            ("Đang giải quyết", n(self.open)),
            ("Trong hạn", n(self.open_within_time)),
            ("Quá hạn (đang giải quyết)", n(self.open_overdue)),
            ("Rút hồ sơ", n(self.withdrawn)),
            ("Dừng xử lý", n(self.stopped)),
            (
                "Thời gian giải quyết bình quân (ngày làm việc)",
                self.processing_days_mean,
            ),
            ("Tỷ lệ đúng hạn (%)", self.on_time_rate),
        ]
    }
}

/// One row of the report.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct ResultsRow {
    /// The agency code, procedure code, field, officer's id (empty for
    /// dossiers nobody was assigned), or month (`2026-11`) or quarter
    /// (`2026-Q4`).
    pub key: String,
    /// A procedure's or officer's name, a month's or quarter's name in
    /// Vietnamese; the key again otherwise.
    pub label: String,
    #[serde(flatten)]
    pub counts: Counts,
}

/// The report for a period.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct ResultsReport {
    pub period: Period,
    /// The start and end of the period as instants (local midnights).
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
    /// When the figures were taken: the period's end, or now for a period
    /// not over yet ("overdue" is judged at this instant).
    pub as_of: DateTime<Utc>,
    pub by: By,
    /// The agencies whose dossiers are counted.
    pub agencies: Vec<String>,
    pub rows: Vec<ResultsRow>,
    pub total: Counts,
}

/// The report of `agencies` for `period`, one row per `by`.
pub fn results(
    conn: &mut DbConnection,
    calendar: &WorkingCalendar,
    agencies: Vec<String>,
    period: Period,
    by: By,
) -> StoreResult<ResultsReport> {
    let from = calendar.to_utc(period.first.and_time(NaiveTime::MIN));
    let to = calendar.to_utc(period.end().and_time(NaiveTime::MIN));
    let as_of = to.min(motcua_store::time::now());
    let dossiers = reports::handled_in(conn, &agencies, from, to)?;
    let span = Span { from, to, as_of };
    Ok(count(calendar, period, span, by, agencies, &dossiers))
}

/// The report over dossiers already read (pure: the property tests call
/// it on generated dossiers).
pub fn count(
    calendar: &WorkingCalendar,
    period: Period,
    span: Span,
    by: By,
    agencies: Vec<String>,
    dossiers: &[ReportDossier],
) -> ResultsReport {
    let rows = match by {
        By::Month | By::Quarter => slices(calendar, &period, span, by, dossiers),
        By::Agency | By::Procedure | By::Field | By::Officer => keyed(calendar, span, by, dossiers),
    };
    ResultsReport {
        period,
        from: span.from,
        to: span.to,
        as_of: span.as_of,
        by,
        agencies,
        rows,
        total: tally(calendar, span, dossiers.iter()).finish(),
    }
}

/// One row per agency, procedure, field or officer: each dossier in the
/// row of its key.
fn keyed(
    calendar: &WorkingCalendar,
    span: Span,
    by: By,
    dossiers: &[ReportDossier],
) -> Vec<ResultsRow> {
    let mut groups: BTreeMap<String, (String, Vec<&ReportDossier>)> = BTreeMap::new();
    for d in dossiers {
        let (key, label) = match by {
            By::Procedure => (d.procedure_code.clone(), d.procedure_name.clone()),
            By::Field => (d.field.clone(), d.field.clone()),
            By::Officer => match &d.officer {
                Some((id, name)) => (id.clone(), name.clone()),
                None => (String::new(), "Chưa phân công".to_string()),
            },
            By::Agency | By::Month | By::Quarter => {
                (d.handling_agency.clone(), d.handling_agency.clone())
            }
        };
        groups
            .entry(key)
            .or_insert_with(|| (label, Vec::new()))
            .1
            .push(d);
    }
    groups
        .into_iter()
        .map(|(key, (label, ds))| ResultsRow {
            key,
            label,
            counts: tally(calendar, span, ds.into_iter()).finish(),
        })
        .filter(|r| r.counts.to_handle > 0)
        .collect()
}

/// One row per month or quarter of the period that has begun, each
/// counted as a period of its own (so a dossier open across months is
/// carried over into each: the received, handled and withdrawn figures of
/// the rows add up to the total's, the others do not).
fn slices(
    calendar: &WorkingCalendar,
    period: &Period,
    span: Span,
    by: By,
    dossiers: &[ReportDossier],
) -> Vec<ResultsRow> {
    let months = if by == By::Quarter { 3 } else { 1 };
    let midnight = |d: NaiveDate| calendar.to_utc(d.and_time(NaiveTime::MIN));
    let mut rows = Vec::new();
    let mut start = NaiveDate::from_ymd_opt(
        period.first.year(),
        period.first.month0() / months * months + 1,
        1,
    );
    while let Some(first) = start {
        let next = first.checked_add_months(Months::new(months));
        let end = next.unwrap_or(period.end()).min(period.end());
        let from = midnight(first.max(period.first));
        if first > period.last || from >= span.as_of {
            break;
        }
        let to = midnight(end);
        let slice = Span {
            from,
            to,
            as_of: to.min(span.as_of),
        };
        let (key, label) = if by == By::Quarter {
            let q = first.month0() / 3 + 1;
            (
                format!("{}-Q{q}", first.year()),
                format!("Quý {q}/{}", first.year()),
            )
        } else {
            (
                first.format("%Y-%m").to_string(),
                format!("Tháng {}/{}", first.month(), first.year()),
            )
        };
        rows.push(ResultsRow {
            key,
            label,
            counts: tally(calendar, slice, dossiers.iter()).finish(),
        });
        start = next;
    }
    rows
}

/// Counts the dossiers that concern `span`.
fn tally<'a>(
    calendar: &WorkingCalendar,
    span: Span,
    dossiers: impl Iterator<Item = &'a ReportDossier>,
) -> Tally {
    let day = f64::from(calendar.settings().office_hours.day_length().max(1));
    let mut t = Tally::default();
    for d in dossiers {
        let Some(fate) = Fate::of(d, span.from, span.to) else {
            continue;
        };
        let days = match (fate, d.ended_at) {
            (Fate::Handled, Some(end)) => {
                Some(calendar.working_seconds_between(d.received_at, end) as f64 / day)
            }
            _ => None,
        };
        t.add(d, fate, &span, days);
    }
    t
}

/// The instants of a period: its start and end, and when its figures are
/// taken (its end, or now if it is not over).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Span {
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
    pub as_of: DateTime<Utc>,
}

/// How a dossier ends as far as a period is concerned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Fate {
    Handled,
    Withdrawn,
    Open,
}

impl Fate {
    /// `None` when the dossier does not concern the period: received after
    /// it, or ended or withdrawn before it.
    fn of(d: &ReportDossier, from: DateTime<Utc>, to: DateTime<Utc>) -> Option<Fate> {
        if d.received_at >= to {
            return None;
        }
        let before = |t: Option<DateTime<Utc>>| t.is_some_and(|t| t < from);
        if before(d.ended_at) || before(d.withdrawn_at) {
            return None;
        }
        let within = |t: Option<DateTime<Utc>>| t.is_some_and(|t| t < to);
        Some(if within(d.ended_at) {
            Fate::Handled
        } else if within(d.withdrawn_at) {
            Fate::Withdrawn
        } else {
            Fate::Open
        })
    }
}

#[derive(Debug, Default)]
struct Tally {
    c: Counts,
    days: Vec<f64>,
}

impl Tally {
    fn add(&mut self, d: &ReportDossier, fate: Fate, span: &Span, days: Option<f64>) {
        let c = &mut self.c;
        c.to_handle += 1;
        if d.received_at < span.from {
            c.carried_over += 1;
        } else {
            c.received += 1;
            match Channel::from_code(d.channel).ok() {
                Some(Channel::Online) => c.received_online += 1,
                Some(Channel::Post) => c.received_post += 1,
                _ => c.received_counter += 1,
            }
        }
        match fate {
            Fate::Handled => {
                c.handled += 1;
                match d.verdict.as_deref() {
                    Some("early") => c.handled_early += 1,
                    Some("on_time") => c.handled_on_time += 1,
                    _ => c.handled_late += 1,
                }
                if d.status_code == Status::Stopped.code() {
                    c.stopped += 1;
                }
            }
            Fate::Withdrawn => c.withdrawn += 1,
            Fate::Open => {
                c.open += 1;
                if d.due_at < span.as_of {
                    c.open_overdue += 1;
                } else {
                    c.open_within_time += 1;
                }
            }
        }
        c.supplement_requests += u64::try_from(d.supplement_requests).unwrap_or(0);
        c.extensions += u64::from(d.extended);
        self.days.extend(days);
    }

    fn finish(mut self) -> Counts {
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
