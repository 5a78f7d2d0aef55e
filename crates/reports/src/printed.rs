//! The results report as a printable page (A4 landscape, in Vietnamese),
//! laid out by `crates/papers/templates/results_report.html` with the
//! columns of the periodic report: what a supervisor signs and sends
//! upward.

use minijinja::{context, Value};
use motcua_calendar::{format_local, WorkingCalendar};
use motcua_papers::{render, Paper};
use serde::Serialize;

use crate::counts::FIRST_MEASURE;
use crate::results::{By, Counts, ResultsReport};

#[derive(Serialize)]
struct Page<'a> {
    /// "Mẫu số 06a" for a form.
    form: Option<String>,
    title: &'a str,
    agency_name: &'a str,
    /// Whether the agencies below the one named are counted too.
    rolled_up: bool,
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

/// The page of `report`.
pub fn to_html(
    report: &ResultsReport,
    calendar: &WorkingCalendar,
) -> Result<String, minijinja::Error> {
    let page = Page {
        form: report.form.map(|f| format!("Mẫu số {}", f.number())),
        title: &report.title,
        agency_name: &report.agency_name,
        rolled_up: report.agencies.len() > 1,
        period_name: &report.period.name,
        first: report.period.first.format("%d/%m/%Y").to_string(),
        last: report.period.last.format("%d/%m/%Y").to_string(),
        as_of: format_local(calendar, report.as_of),
        by_title: match report.by {
            By::Agency => "Cơ quan giải quyết",
            By::Unit => "Đơn vị",
            By::Procedure => "Thủ tục hành chính",
            By::Field => "Lĩnh vực",
            By::ServiceLevel => "Mức độ dịch vụ công trực tuyến",
            By::Case => "Trường hợp của thủ tục",
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

/// The printed columns ([`Counts::columns`]): counts as integers, times
/// and rates with two decimals, a dash where there is nothing to compute.
fn figures(c: &Counts) -> Vec<String> {
    c.columns()
        .iter()
        .enumerate()
        .map(|(i, (_, v))| match v {
            None => "–".to_string(),
            Some(x) if i >= FIRST_MEASURE => format!("{x:.2}"),
            Some(x) => format!("{x}"),
        })
        .collect()
}
