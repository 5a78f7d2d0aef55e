//! The results report as a printable page (A4 landscape, in Vietnamese),
//! laid out by `crates/papers/templates/results_report.html` with the
//! columns of the periodic report: what a supervisor signs and sends
//! upward.

use minijinja::{context, Value};
use motcua_calendar::{format_local, WorkingCalendar};
use motcua_papers::{render, Paper};
use serde::Serialize;

use crate::results::{By, Counts, ResultsReport};

#[derive(Serialize)]
struct Page<'a> {
    agency_name: &'a str,
    period_name: &'a str,
    first: String,
    last: String,
    as_of: String,
    by_title: &'static str,
    rows: Vec<PageRow<'a>>,
    total: Vec<String>,
}

#[derive(Serialize)]
struct PageRow<'a> {
    label: &'a str,
    figures: Vec<String>,
}

/// The page of `report` for the agency named `agency_name`.
pub fn to_html(
    report: &ResultsReport,
    agency_name: &str,
    calendar: &WorkingCalendar,
) -> Result<String, minijinja::Error> {
    let page = Page {
        agency_name,
        period_name: &report.period.name,
        first: report.period.first.format("%d/%m/%Y").to_string(),
        last: report.period.last.format("%d/%m/%Y").to_string(),
        as_of: format_local(calendar, report.as_of),
        by_title: match report.by {
            By::Agency => "Cơ quan giải quyết",
            By::Procedure => "Thủ tục hành chính",
            By::Field => "Lĩnh vực",
            By::Officer => "Cán bộ xử lý",
            By::Month => "Tháng",
            By::Quarter => "Quý",
        },
        rows: report
            .rows
            .iter()
            .map(|r| PageRow {
                label: if r.label.is_empty() { &r.key } else { &r.label },
                figures: figures(&r.counts),
            })
            .collect(),
        total: figures(&report.total),
    };
    render(
        Paper::ResultsReport,
        context! { r => Value::from_serialize(&page) },
    )
}

/// The printed columns, in the page's order.
fn figures(c: &Counts) -> Vec<String> {
    let rate = |x: Option<f64>| x.map(|x| format!("{x:.2}")).unwrap_or_else(|| "–".into());
    let mut out: Vec<String> = [
        c.to_handle,
        c.carried_over,
        c.received,
        c.received_counter,
        c.received_online,
        c.received_post,
        c.handled,
        c.handled_early,
        c.handled_on_time,
        c.handled_late,
        c.open,
        c.open_within_time,
        c.open_overdue,
        c.withdrawn,
        c.stopped,
    ]
    .iter()
    .map(u64::to_string)
    .collect();
    out.push(rate(c.processing_days_mean));
    out.push(rate(c.on_time_rate));
    out
}
