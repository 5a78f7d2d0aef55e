//! The results report: for a period and a set of agencies, how many
//! dossiers each had to handle, how many it handled (early, on time,
//! late), how many were still being handled at the period's end (within
//! time, overdue), with withdrawals, stops, refusals, supplement requests,
//! extensions, processing times and the on-time rate. Its columns follow
//! the periodic report on the handling of administrative procedures
//! (docs/measures.md, Results report), and [`Form`] names the forms it
//! reproduces.
//!
//! Every stay of a dossier with a line's agencies falls in exactly one of
//! three ends for a period ([`crate::stay`]): handled (processing ended
//! there, or passed on to another agency), withdrawn, or still being
//! handled at its end. So for every row and the total: to handle = carried over +
//! received + handed in = handled + withdrawn + still being handled. Rows
//! that split the dossiers (procedure, field, officer) add up to the total
//! in every column; rows by agency or unit count a handed dossier once at
//! each agency, so there only "handed in" and "passed on" (and through
//! them "to handle" and "handled") exceed the total, by exactly the
//! handovers between the rows. An interlinked group is counted through its
//! members, each at the agency handling it, never the group as well; it is
//! received once (its first member), the other members handed in with it.
//! Lines are counted as [`Line`]s, which add up over agencies and over
//! months: the roll-up relies on it.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use chrono::{DateTime, Datelike, Months, NaiveDate, NaiveTime, Utc};
use motcua_calendar::WorkingCalendar;
use motcua_domain::{Agency, Period, ServiceLevel};
use motcua_store::reports::{self, Refusal, ReportDossier};
use motcua_store::{DbConnection, StoreResult};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

pub use crate::counts::{Counts, Line};
pub use crate::form::Form;
use crate::stay::stays;

/// What the report's rows are.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum By {
    /// One row per agency, each counting its own stay with the dossiers.
    Agency,
    /// One row for the agency reported on (its own dossiers) and one per
    /// agency directly below it, rolled up with every agency below that.
    Unit,
    /// One row per procedure.
    Procedure,
    /// One row per field (lĩnh vực) of the catalogue.
    Field,
    /// One row per online service level of the procedures, as the
    /// catalogue gives it today.
    ServiceLevel,
    /// One row per procedure case (`1.009994/nong-thon`; a procedure
    /// without cases is its own row), named as the dossiers were
    /// received.
    Case,
    /// One row per officer assigned (dossiers nobody was assigned share
    /// a row).
    Officer,
    /// One row per month of the period.
    Month,
    /// One row per quarter of the period.
    Quarter,
}

/// One row of the report.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct ResultsRow {
    /// The agency code, procedure code, field, officer's id (empty for
    /// dossiers nobody was assigned), or month (`2026-11`) or quarter
    /// (`2026-Q4`).
    #[schema(example = "1.001193")]
    pub key: String,
    /// An agency's, procedure's or officer's name, a month's or quarter's
    /// name in Vietnamese; the key again otherwise.
    #[schema(example = "Đăng ký khai sinh")]
    pub label: String,
    #[serde(flatten)]
    pub counts: Counts,
}

/// The report for a period.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct ResultsReport {
    /// The form reproduced, if one was asked for.
    pub form: Option<Form>,
    /// The report's title, the form's own for a form.
    #[schema(example = "Tình hình, kết quả giải quyết thủ tục hành chính")]
    pub title: String,
    /// The agency reported on; none for every agency (administrators).
    #[schema(example = "H53.50")]
    pub agency: Option<String>,
    #[schema(example = "Ủy ban nhân dân huyện Càng Long")]
    pub agency_name: String,
    pub period: Period,
    /// The start and end of the period as instants (local midnights).
    #[schema(example = "2026-10-31T17:00:00Z")]
    pub from: DateTime<Utc>,
    #[schema(example = "2026-11-30T17:00:00Z")]
    pub to: DateTime<Utc>,
    /// When the figures were taken: the period's end, or now for a period
    /// not over yet ("overdue" is judged at this instant).
    #[schema(example = "2026-11-30T17:00:00Z")]
    pub as_of: DateTime<Utc>,
    pub by: By,
    /// The agencies whose dossiers are counted.
    #[schema(example = json!(["H53.50", "H53.50.05.13"]))]
    pub agencies: Vec<String>,
    pub rows: Vec<ResultsRow>,
    pub total: Counts,
    /// The last month whose figures came from the roll-up (the months
    /// after it were counted from the dossiers); none when the whole
    /// report was counted from the dossiers. The figures are the same
    /// either way.
    #[schema(example = "2026-10")]
    #[serde(default)]
    pub rolled_up_through: Option<String>,
    /// The counter halls of the agencies counted: per area and day, the
    /// tickets, the wait and the service (docs/queue.md, Figures). Not
    /// part of the rows and total, nor of a frozen report's comparison.
    #[serde(default)]
    pub queue: Vec<crate::queue_times::QueueLine>,
}

/// What to report on.
#[derive(Debug, Clone)]
pub struct Request {
    /// The agency reported on; none for every agency.
    pub agency: Option<String>,
    /// The agency and every agency below it (those the caller may see).
    pub agencies: Vec<String>,
    pub period: Period,
    pub by: By,
    pub form: Option<Form>,
}

/// The agencies counted and, for rows by agency or unit, the row of each.
#[derive(Debug, Clone, Default)]
pub struct Scope {
    pub agencies: BTreeSet<String>,
    /// Agency → (row key, row label).
    pub rows: HashMap<String, (String, String)>,
}

impl Scope {
    /// Every agency its own row, labelled with its code.
    pub fn flat(agencies: impl IntoIterator<Item = String>) -> Scope {
        let agencies: BTreeSet<String> = agencies.into_iter().collect();
        let rows = agencies
            .iter()
            .map(|a| (a.clone(), (a.clone(), a.clone())))
            .collect();
        Scope { agencies, rows }
    }

    /// The rows of `agencies` by agency (each its own, with its name) or by
    /// unit (each under the agency directly below `root` it belongs to, or
    /// `root` itself; with no root, under the top of its tree).
    pub fn of_tree(tree: &[Agency], root: Option<&str>, agencies: Vec<String>, by: By) -> Scope {
        let parent: HashMap<&str, Option<&str>> = tree
            .iter()
            .map(|a| (a.code.as_str(), a.parent.as_ref().map(|p| p.as_str())))
            .collect();
        let name: HashMap<&str, &str> = tree
            .iter()
            .map(|a| (a.code.as_str(), a.name.as_str()))
            .collect();
        let label = |code: &str| name.get(code).map_or(code.to_string(), |n| n.to_string());
        let unit = |code: &str| -> String {
            let mut cur = code;
            for _ in 0..=tree.len() {
                if Some(cur) == root {
                    break;
                }
                match parent.get(cur).copied().flatten() {
                    Some(p) if Some(p) != root => cur = p,
                    _ => break,
                }
            }
            cur.to_string()
        };
        let rows = agencies
            .iter()
            .map(|a| {
                let row = match by {
                    By::Unit => {
                        let u = unit(a);
                        let l = if Some(u.as_str()) == root {
                            format!("{} (trực tiếp giải quyết)", label(&u))
                        } else {
                            label(&u)
                        };
                        (u, l)
                    }
                    _ => (a.clone(), label(a)),
                };
                (a.clone(), row)
            })
            .collect();
        Scope {
            agencies: agencies.into_iter().collect(),
            rows,
        }
    }

    fn row_of(&self, agency: &str) -> Option<&(String, String)> {
        self.rows.get(agency)
    }
}

/// What a report counts, read once: the agencies and their rows, the
/// dossiers and refusals that concern the period, its instants.
pub(crate) struct Loaded {
    pub agency_name: String,
    pub scope: Scope,
    pub dossiers: Vec<ReportDossier>,
    pub refusals: Vec<Refusal>,
    pub span: Span,
}

/// What a report is about: the agencies and their rows, its instants.
struct Frame {
    tree: Vec<Agency>,
    agency_name: String,
    scope: Scope,
    span: Span,
}

fn frame(
    conn: &mut DbConnection,
    calendar: &WorkingCalendar,
    agency: Option<&str>,
    agencies: Vec<String>,
    period: &Period,
    by: By,
) -> StoreResult<Frame> {
    let tree = motcua_store::agencies::list(conn)?;
    let agency_name = match agency {
        Some(code) => tree
            .iter()
            .find(|a| a.code.as_str() == code)
            .map_or(code.to_string(), |a| a.name.clone()),
        None => "Tất cả cơ quan".to_string(),
    };
    let scope = Scope::of_tree(&tree, agency, agencies, by);
    let from = calendar.to_utc(period.first.and_time(NaiveTime::MIN));
    let to = calendar.to_utc(period.end().and_time(NaiveTime::MIN));
    let as_of = to.min(motcua_store::time::now());
    Ok(Frame {
        tree,
        agency_name,
        scope,
        span: Span { from, to, as_of },
    })
}

/// Reads what the report on `agencies` (named after `agency`) for
/// `period` counts, with rows `by` agency or unit where asked.
pub(crate) fn load(
    conn: &mut DbConnection,
    calendar: &WorkingCalendar,
    agency: Option<&str>,
    agencies: Vec<String>,
    period: &Period,
    by: By,
) -> StoreResult<Loaded> {
    let f = frame(conn, calendar, agency, agencies, period, by)?;
    let list: Vec<String> = f.scope.agencies.iter().cloned().collect();
    let (from, to) = (f.span.from, f.span.to);
    Ok(Loaded {
        agency_name: f.agency_name,
        dossiers: reports::handled_in(conn, &list, from, to)?,
        refusals: reports::refused_in(conn, &list, from, to)?,
        scope: f.scope,
        span: f.span,
    })
}

/// The report asked for.
pub fn results(
    conn: &mut DbConnection,
    calendar: &WorkingCalendar,
    req: Request,
) -> StoreResult<ResultsReport> {
    report(conn, calendar, req, true)
}

/// The report asked for, counted from the dossiers alone (what the
/// roll-up is checked against).
pub fn results_from_dossiers(
    conn: &mut DbConnection,
    calendar: &WorkingCalendar,
    req: Request,
) -> StoreResult<ResultsReport> {
    report(conn, calendar, req, false)
}

fn report(
    conn: &mut DbConnection,
    calendar: &WorkingCalendar,
    req: Request,
    use_rollup: bool,
) -> StoreResult<ResultsReport> {
    let Request {
        agency,
        agencies,
        period,
        by,
        form,
    } = req;
    let by = form.map_or(by, Form::by);
    let agencies = match (&agency, form.is_some_and(Form::own_only)) {
        (Some(root), true) => vec![root.clone()],
        _ => agencies,
    };
    let found = match use_rollup {
        true => rolled(conn, calendar, agency.as_deref(), &agencies, &period, by)?,
        false => None,
    };
    let (l, rows, total, rolled_up_through) = match found {
        Some((l, rows, total, through)) => (l, rows, total, Some(through)),
        None => {
            let l = load(conn, calendar, agency.as_deref(), agencies, &period, by)?;
            let (rows, total) = count(
                calendar,
                &period,
                l.span,
                by,
                &l.scope,
                &l.dossiers,
                &l.refusals,
            );
            (l, rows, total, None)
        }
    };
    let scope: Vec<String> = l.scope.agencies.iter().cloned().collect();
    let queue = crate::queue_times::lines(conn, calendar, &scope, l.span.from, l.span.to)?;
    Ok(ResultsReport {
        queue,
        form,
        title: form
            .map_or(crate::form::GENERIC_TITLE, Form::title)
            .to_string(),
        agency,
        agency_name: l.agency_name,
        period,
        from: l.span.from,
        to: l.span.to,
        as_of: l.span.as_of,
        by,
        agencies: l.scope.agencies.into_iter().collect(),
        rows,
        total,
        rolled_up_through,
    })
}

/// A report from the roll-up: what it is about, its rows and total, and
/// the last month taken from the roll-up.
pub(crate) type Rolled = (Loaded, Vec<ResultsRow>, Counts, String);

/// The report from the roll-up, where it can give it
/// ([`crate::rollup`]).
pub(crate) fn rolled(
    conn: &mut DbConnection,
    calendar: &WorkingCalendar,
    agency: Option<&str>,
    agencies: &[String],
    period: &Period,
    by: By,
) -> StoreResult<Option<Rolled>> {
    // The roll-up keeps lines by procedure, not by case.
    if by == By::Case {
        return Ok(None);
    }
    let f = frame(conn, calendar, agency, agencies.to_vec(), period, by)?;
    // A roll-up that cannot be read (a line that does not parse) must
    // not stop the report: it is counted from the dossiers, the failure
    // goes to the log, and the roll-up is set aside for the breach job to
    // rebuild.
    let found = match crate::rollup::count(
        conn, calendar, &f.tree, agency, &f.scope, period, f.span, by,
    ) {
        Ok(found) => found,
        Err(e) => {
            tracing::warn!(error = %e, "report roll-up unreadable; counting from the dossiers");
            if matches!(e, motcua_store::StoreError::Corrupt(_)) {
                crate::rollup::set_aside(conn)?;
            }
            None
        }
    };
    let Some((rows, total, through)) = found else {
        return Ok(None);
    };
    let (rows, total) = finish(calendar, rows, total);
    let loaded = Loaded {
        agency_name: f.agency_name,
        scope: f.scope,
        dossiers: Vec::new(),
        refusals: Vec::new(),
        span: f.span,
    };
    Ok(Some((loaded, rows, total, through)))
}

/// The rows and the total over dossiers and refusals already read (pure:
/// the property tests call it on generated dossiers).
pub fn count(
    calendar: &WorkingCalendar,
    period: &Period,
    span: Span,
    by: By,
    scope: &Scope,
    dossiers: &[ReportDossier],
    refusals: &[Refusal],
) -> (Vec<ResultsRow>, Counts) {
    let (rows, total) = count_lines(calendar, period, span, by, scope, dossiers, refusals);
    finish(calendar, rows, total)
}

/// The rows and the total with their measures worked out.
fn finish(
    calendar: &WorkingCalendar,
    rows: Vec<LineRow>,
    total: Line,
) -> (Vec<ResultsRow>, Counts) {
    let day = calendar.settings().office_hours.day_length();
    let rows = rows
        .into_iter()
        .map(|r| ResultsRow {
            key: r.key,
            label: r.label,
            counts: r.line.finish(day),
        })
        .collect();
    (rows, total.finish(day))
}

/// A row before its measures are worked out.
#[derive(Debug, Clone, PartialEq)]
pub struct LineRow {
    pub key: String,
    pub label: String,
    pub line: Line,
}

/// The rows and the total as [`Line`]s, which add up (see [`count`]).
pub fn count_lines(
    calendar: &WorkingCalendar,
    period: &Period,
    span: Span,
    by: By,
    scope: &Scope,
    dossiers: &[ReportDossier],
    refusals: &[Refusal],
) -> (Vec<LineRow>, Line) {
    let lines = Lines {
        calendar,
        scope,
        dossiers,
        refusals,
    };
    let rows = match by {
        By::Month | By::Quarter => slices(&lines, period, span, by),
        _ => keyed(&lines, span, by),
    };
    (rows, tally(&lines, span))
}

/// What every line of a report is counted from.
struct Lines<'a> {
    calendar: &'a WorkingCalendar,
    scope: &'a Scope,
    dossiers: &'a [ReportDossier],
    refusals: &'a [Refusal],
}

/// One row per agency, unit, procedure, field or officer.
fn keyed(lines: &Lines, span: Span, by: By) -> Vec<LineRow> {
    let Lines {
        calendar,
        scope,
        dossiers,
        refusals,
    } = lines;
    let mut groups: BTreeMap<String, (String, Line)> = BTreeMap::new();
    fn group<'g>(
        groups: &'g mut BTreeMap<String, (String, Line)>,
        key: &str,
        label: &str,
    ) -> &'g mut Line {
        &mut groups
            .entry(key.to_string())
            .or_insert_with(|| (label.to_string(), Line::default()))
            .1
    }
    let unassigned = (String::new(), "Chưa phân công".to_string());
    for d in dossiers.iter() {
        if matches!(by, By::Agency | By::Unit) {
            // Each row its own stays: a handed dossier once at each.
            let mut keys: Vec<&(String, String)> = std::iter::once(d.first_agency.as_str())
                .chain(
                    d.moves
                        .iter()
                        .flat_map(|m| [m.from_agency.as_str(), m.to_agency.as_str()]),
                )
                .filter_map(|a| scope.row_of(a))
                .collect();
            keys.sort();
            keys.dedup();
            for (key, label) in keys {
                let within = |a: &str| scope.row_of(a).is_some_and(|r| &r.0 == key);
                for s in stays(d, within, span.from, span.to) {
                    group(&mut groups, key, label).add(calendar, d, &s, span);
                }
            }
            continue;
        }
        let (key, label) = match by {
            By::Procedure => (d.procedure_code.as_str(), d.procedure_name.as_str()),
            By::Field => (d.field.as_str(), d.field.as_str()),
            By::ServiceLevel => level_row(&d.service_level),
            By::Case => (d.case_key.as_str(), d.case_label.as_str()),
            _ => d.officer.as_ref().map_or(
                (unassigned.0.as_str(), unassigned.1.as_str()),
                |(id, name)| (id.as_str(), name.as_str()),
            ),
        };
        for s in stays(d, |a| scope.agencies.contains(a), span.from, span.to) {
            group(&mut groups, key, label).add(calendar, d, &s, span);
        }
    }
    for r in refusals.iter().filter(|r| counts_in(r, &span, scope)) {
        let (key, label) = match by {
            By::Agency | By::Unit => match scope.row_of(&r.agency) {
                Some((k, l)) => (k.as_str(), l.as_str()),
                None => continue,
            },
            By::Procedure | By::Case => (r.procedure_code.as_str(), r.procedure_name.as_str()),
            By::Field => (r.field.as_str(), r.field.as_str()),
            By::ServiceLevel => level_row(&r.service_level),
            _ => r.officer.as_ref().map_or(
                (unassigned.0.as_str(), unassigned.1.as_str()),
                |(id, name)| (id.as_str(), name.as_str()),
            ),
        };
        group(&mut groups, key, label).refuse();
    }
    groups
        .into_iter()
        .filter(|(_, (_, line))| !line.is_empty())
        .map(|(key, (label, line))| LineRow { key, label, line })
        .collect()
}

/// The key and label of a row by service level: the level's own name,
/// and `not_online` for a procedure gone from the catalogue.
pub(crate) fn level_row(level: &str) -> (&'static str, &'static str) {
    let l = ServiceLevel::parse(level).unwrap_or_default();
    (l.as_str(), l.label_vi())
}

/// Whether a refusal counts: made in the span, by an agency reported on.
fn counts_in(r: &Refusal, span: &Span, scope: &Scope) -> bool {
    r.at >= span.from && r.at < span.to && scope.agencies.contains(&r.agency)
}

/// One row per month or quarter of the period that has begun, each
/// counted as a period of its own (so a dossier open across months is
/// carried over into each). The rows one after the other
/// ([`Line::then`]) are the period's total.
fn slices(lines: &Lines, period: &Period, span: Span, by: By) -> Vec<LineRow> {
    let calendar = lines.calendar;
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
        rows.push(LineRow {
            key,
            label,
            line: tally(lines, slice),
        });
        start = next;
    }
    rows
}

/// Counts the dossiers' stays with the agencies of `scope` as a whole over
/// `span`, and the refusals in it.
fn tally(lines: &Lines, span: Span) -> Line {
    let scope = lines.scope;
    let mut line = Line::default();
    for d in lines.dossiers {
        for s in stays(d, |a| scope.agencies.contains(a), span.from, span.to) {
            line.add(lines.calendar, d, &s, span);
        }
    }
    let refused = lines.refusals.iter().filter(|r| counts_in(r, &span, scope));
    refused.for_each(|_| line.refuse());
    line
}

/// The instants of a period: its start and end, and when its figures are
/// taken (its end, or now if it is not over).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Span {
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
    pub as_of: DateTime<Utc>,
}
