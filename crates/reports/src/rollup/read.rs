//! A report read from the roll-up: the lines of its months one after the
//! other, the months not rolled up yet counted from the dossiers, the
//! refused submissions from the submissions.

use std::collections::{BTreeMap, HashMap};

use chrono::Datelike;
use motcua_calendar::WorkingCalendar;
use motcua_domain::{Agency, Period};
use motcua_store::report_rollup as store;
use motcua_store::reports;
use motcua_store::{DbConnection, StoreResult};

use super::keep::drain;
use super::{corrupt, fingerprint, Month, Tree};
use crate::counts::Line;
use crate::results::{count_lines, By, LineRow, Scope, Span};

/// Rows being built: key → (label, line).
type Rows = BTreeMap<String, (String, Line)>;

/// The rows and total of a report from the roll-up, when it can give
/// them: the roll-up is ready and counted with this calendar and tree,
/// the period is whole months and begins in a month rolled up, and the
/// agencies are a scope it keeps (an agency alone, an agency with every
/// agency below it, or all). `None` otherwise: the report counts from
/// the dossiers. Catches up first, so no committed change is missed.
/// With the rows and total, the last month taken from the roll-up.
#[allow(clippy::too_many_arguments)]
pub(crate) fn count(
    conn: &mut DbConnection,
    calendar: &WorkingCalendar,
    agencies: &[Agency],
    root: Option<&str>,
    scope: &Scope,
    period: &Period,
    span: Span,
    by: By,
) -> StoreResult<Option<(Vec<LineRow>, Line, String)>> {
    let tree = Tree::new(agencies);
    let fp = fingerprint(calendar, agencies);
    drain(conn, calendar, &tree, &fp)?;
    let meta = store::meta(conn)?;
    if meta.fingerprint != fp || !meta.ready {
        return Ok(None);
    }
    let Some(months) = months_rolled(calendar, period, &meta.through) else {
        return Ok(None);
    };
    let Some(total_scope) = scope_kept(&tree, scope, root) else {
        return Ok(None);
    };
    let keys: Vec<String> = months.iter().map(|m| m.key.clone()).collect();
    let mut total_months: BTreeMap<String, Line> = BTreeMap::new();
    for (_, month, _, json) in store::lines(conn, std::slice::from_ref(&total_scope), &keys, "")? {
        total_months.insert(month, serde_json::from_str(&json).map_err(corrupt)?);
    }
    let mut rows = match by {
        By::Agency | By::Unit => scope_rows(conn, scope, root, by, &keys)?,
        By::Procedure | By::Field | By::ServiceLevel | By::Officer => {
            dim_rows(conn, &total_scope, by, &keys)?
        }
        // Counted from the dossiers (`results::rolled` never asks).
        By::Case => return Ok(None),
        By::Month | By::Quarter => slice_rows(&months, &total_months, by),
    };
    let mut total = fold(&keys, &total_months);
    if let Some(next) = months.last().and_then(|m| m.next(calendar)) {
        if next.first <= period.last {
            let rest = Rest {
                calendar,
                scope,
                period,
                span,
                by,
            };
            rest.join(conn, &next, &mut rows, &mut total)?;
        }
    }
    // Refused submissions, from the submissions, over the whole period.
    let list: Vec<String> = scope.agencies.iter().cloned().collect();
    let refusals = reports::refused_in(conn, &list, span.from, span.to)?;
    let (refused_rows, refused_total) =
        count_lines(calendar, period, span, by, scope, &[], &refusals);
    for r in refused_rows {
        let row = rows
            .entry(r.key)
            .or_insert_with(|| (r.label, Line::default()));
        row.1.plus(&r.line);
    }
    total.plus(&refused_total);
    // Months and quarters keep their rows even when empty, as the report
    // counted from the dossiers does.
    let slices = matches!(by, By::Month | By::Quarter);
    let rows = rows
        .into_iter()
        .filter(|(_, (_, line))| slices || !line.is_empty())
        .map(|(key, (label, line))| LineRow { key, label, line })
        .collect();
    let last = keys.last().cloned().unwrap_or_default();
    Ok(Some((rows, total, last)))
}

/// The months of `period` rolled up (through `through`), when the period
/// is whole months and begins in one of them.
fn months_rolled(calendar: &WorkingCalendar, period: &Period, through: &str) -> Option<Vec<Month>> {
    let through = Month::parse(calendar, through)?;
    if period.first.day() != 1 || period.end().day() != 1 {
        return None;
    }
    let first = Month::of(calendar, period.first).filter(|m| m.first <= through.first)?;
    let mut months = vec![first];
    while let Some(next) = months.last().and_then(|m| m.next(calendar)) {
        if next.first > period.last || next.first > through.first {
            break;
        }
        months.push(next);
    }
    Some(months)
}

/// The roll-up's scope for the report's agencies, if it keeps one.
fn scope_kept(tree: &Tree, scope: &Scope, root: Option<&str>) -> Option<String> {
    match root {
        None if scope.agencies == tree.all() => Some("all".to_string()),
        Some(root) if scope.agencies.len() == 1 && scope.agencies.contains(root) => {
            Some(format!("own:{root}"))
        }
        Some(root) if scope.agencies == tree.subtree(root) => Some(format!("tree:{root}")),
        _ => None,
    }
}

/// A line over the months `keys`, one after the other (a month without a
/// line had nothing with the scope).
fn fold(keys: &[String], by_month: &BTreeMap<String, Line>) -> Line {
    let mut out: Option<Line> = None;
    for m in keys {
        let line = by_month.get(m).cloned().unwrap_or_default();
        match &mut out {
            None => out = Some(line),
            Some(o) => o.then(&line),
        }
    }
    out.unwrap_or_default()
}

/// Rows by agency (each its own lines) or unit (the root's own lines,
/// each unit's lines with everything below it).
fn scope_rows(
    conn: &mut DbConnection,
    scope: &Scope,
    root: Option<&str>,
    by: By,
    keys: &[String],
) -> StoreResult<Rows> {
    let mut of: HashMap<String, (String, String)> = HashMap::new();
    for (key, label) in scope.agencies.iter().filter_map(|a| scope.rows.get(a)) {
        let kept = if by == By::Agency || Some(key.as_str()) == root {
            format!("own:{key}")
        } else {
            format!("tree:{key}")
        };
        of.insert(kept, (key.clone(), label.clone()));
    }
    let scopes: Vec<String> = of.keys().cloned().collect();
    let mut months: BTreeMap<String, (String, BTreeMap<String, Line>)> = BTreeMap::new();
    for (kept, month, _, json) in store::lines(conn, &scopes, keys, "")? {
        let Some((key, label)) = of.get(&kept) else {
            continue;
        };
        let line: Line = serde_json::from_str(&json).map_err(corrupt)?;
        let row = months
            .entry(key.clone())
            .or_insert_with(|| (label.clone(), BTreeMap::new()));
        row.1.insert(month, line);
    }
    Ok(months
        .into_iter()
        .map(|(key, (label, by_month))| (key, (label, fold(keys, &by_month))))
        .collect())
}

/// Rows by procedure, field or service level (the procedures' lines, by
/// their field or level in the catalogue today) or officer, over the report's scope.
fn dim_rows(conn: &mut DbConnection, kept: &str, by: By, keys: &[String]) -> StoreResult<Rows> {
    let dim = if by == By::Officer {
        "officer"
    } else {
        "procedure"
    };
    let found = store::lines(conn, &[kept.to_string()], keys, dim)?;
    let codes: Vec<String> = found.iter().map(|r| r.2.clone()).collect();
    let (procedures, users) = if by == By::Officer {
        (HashMap::new(), store::user_names(conn, &codes)?)
    } else {
        (store::procedure_labels(conn, &codes)?, HashMap::new())
    };
    let mut months: BTreeMap<String, (String, BTreeMap<String, Line>)> = BTreeMap::new();
    for (_, month, dim_key, json) in found {
        let line: Line = serde_json::from_str(&json).map_err(corrupt)?;
        let (key, label) = match by {
            By::Procedure => {
                let name = procedures.get(&dim_key).map(|l| l.name.clone());
                (dim_key.clone(), name.unwrap_or(dim_key))
            }
            By::Field => {
                let field = procedures.get(&dim_key).map(|l| l.field.clone());
                let field = field.unwrap_or_default();
                (field.clone(), field)
            }
            By::ServiceLevel => {
                let level = procedures.get(&dim_key).map(|l| l.service_level.as_str());
                let (key, label) = crate::results::level_row(level.unwrap_or_default());
                (key.to_string(), label.to_string())
            }
            _ if dim_key.is_empty() => (String::new(), "Chưa phân công".to_string()),
            _ => {
                let name = users.get(&dim_key).cloned().unwrap_or_default();
                (dim_key, name)
            }
        };
        let row = months
            .entry(key)
            .or_insert_with(|| (label, BTreeMap::new()));
        // Several procedures of one field add up within a month.
        row.1.entry(month).or_default().plus(&line);
    }
    Ok(months
        .into_iter()
        .map(|(key, (label, by_month))| (key, (label, fold(keys, &by_month))))
        .collect())
}

/// Rows by month or quarter: every month begun its row (a quarter its
/// months one after the other), even an empty one.
fn slice_rows(months: &[Month], total: &BTreeMap<String, Line>, by: By) -> Rows {
    let mut rows: Rows = BTreeMap::new();
    for m in months {
        let line = total.get(&m.key).cloned().unwrap_or_default();
        let (key, label) = if by == By::Quarter {
            let q = m.first.month0() / 3 + 1;
            (
                format!("{}-Q{q}", m.first.year()),
                format!("Quý {q}/{}", m.first.year()),
            )
        } else {
            (
                m.key.clone(),
                format!("Tháng {}/{}", m.first.month(), m.first.year()),
            )
        };
        match rows.get_mut(&key) {
            Some((_, row)) => row.then(&line),
            None => {
                rows.insert(key, (label, line));
            }
        }
    }
    rows
}

/// The months of a report after the roll-up, counted from the dossiers.
struct Rest<'a> {
    calendar: &'a WorkingCalendar,
    scope: &'a Scope,
    period: &'a Period,
    span: Span,
    by: By,
}

impl Rest<'_> {
    /// Counts the period from `first` on from the dossiers and joins it
    /// after the rows and total from the roll-up (refusals are left to
    /// the caller, over the whole period).
    fn join(
        &self,
        conn: &mut DbConnection,
        first: &Month,
        rows: &mut Rows,
        total: &mut Line,
    ) -> StoreResult<()> {
        let span = Span {
            from: first.from,
            to: self.span.to,
            as_of: self.span.as_of,
        };
        if span.from >= span.as_of {
            return Ok(());
        }
        let rest = Period::between(first.first, self.period.last)
            .map_err(|e| motcua_store::StoreError::Corrupt(e.to_string()))?;
        let list: Vec<String> = self.scope.agencies.iter().cloned().collect();
        let dossiers = reports::handled_in(conn, &list, span.from, span.to)?;
        let (rest_rows, rest_total) = count_lines(
            self.calendar,
            &rest,
            span,
            self.by,
            self.scope,
            &dossiers,
            &[],
        );
        for r in rest_rows {
            match rows.get_mut(&r.key) {
                Some((_, line)) => line.then(&r.line),
                None => {
                    rows.insert(r.key, (r.label, r.line));
                }
            }
        }
        total.then(&rest_total);
        Ok(())
    }
}
