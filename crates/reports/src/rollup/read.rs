//! A report read from the roll-up: the lines of its months one after the
//! other, the months not rolled up yet counted from the dossiers, the
//! refused submissions from the submissions.

use std::collections::{BTreeMap, BTreeSet, HashMap};

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
    let Some(through) = Month::parse(calendar, &meta.through) else {
        return Ok(None);
    };
    // Whole months only.
    let (Some(first), Some(end)) = (Month::of(calendar, period.first), Some(period.end())) else {
        return Ok(None);
    };
    if period.first.day() != 1 || end.day() != 1 || first.first > through.first {
        return Ok(None);
    }
    let total_scope = if scope.agencies == tree.all() && root.is_none() {
        "all".to_string()
    } else if let Some(root) = root {
        if scope.agencies.len() == 1 && scope.agencies.contains(root) {
            format!("own:{root}")
        } else if scope.agencies == tree.subtree(root) {
            format!("tree:{root}")
        } else {
            return Ok(None);
        }
    } else {
        return Ok(None);
    };
    let mut months = vec![first];
    while let Some(next) = months.last().and_then(|m| m.next(calendar)) {
        if next.first >= end || next.first > through.first {
            break;
        }
        months.push(next);
    }
    let month_keys: Vec<String> = months.iter().map(|m| m.key.clone()).collect();
    // The rows' scopes and keys.
    let row_scopes: Vec<(String, String, String)> = match by {
        By::Agency | By::Unit => {
            let mut seen = BTreeSet::new();
            let mut out = Vec::new();
            for agency in &scope.agencies {
                let Some((key, label)) = scope.rows.get(agency) else {
                    continue;
                };
                if !seen.insert(key.clone()) {
                    continue;
                }
                let s = if by == By::Agency || Some(key.as_str()) == root {
                    format!("own:{key}")
                } else {
                    format!("tree:{key}")
                };
                out.push((s, key.clone(), label.clone()));
            }
            out
        }
        _ => Vec::new(),
    };
    let fold = |lines: &BTreeMap<String, Line>| -> Line {
        let mut out: Option<Line> = None;
        for m in &month_keys {
            let line = lines.get(m).cloned().unwrap_or_default();
            match &mut out {
                None => out = Some(line),
                Some(o) => o.then(&line),
            }
        }
        out.unwrap_or_default()
    };
    // The total.
    let mut total_months: BTreeMap<String, Line> = BTreeMap::new();
    for (_, month, _, json) in
        store::lines(conn, std::slice::from_ref(&total_scope), &month_keys, "")?
    {
        total_months.insert(month, serde_json::from_str(&json).map_err(corrupt)?);
    }
    let mut rows: BTreeMap<String, (String, BTreeMap<String, Line>)> = BTreeMap::new();
    match by {
        By::Agency | By::Unit => {
            let scopes: Vec<String> = row_scopes.iter().map(|(s, _, _)| s.clone()).collect();
            let of: HashMap<&str, (&str, &str)> = row_scopes
                .iter()
                .map(|(s, k, l)| (s.as_str(), (k.as_str(), l.as_str())))
                .collect();
            for (s, month, _, json) in store::lines(conn, &scopes, &month_keys, "")? {
                let Some((key, label)) = of.get(s.as_str()) else {
                    continue;
                };
                let line: Line = serde_json::from_str(&json).map_err(corrupt)?;
                let row = rows
                    .entry(key.to_string())
                    .or_insert_with(|| (label.to_string(), BTreeMap::new()));
                row.1.insert(month, line);
            }
        }
        By::Procedure | By::Field | By::Officer => {
            let dim = if by == By::Officer {
                "officer"
            } else {
                "procedure"
            };
            let found = store::lines(conn, std::slice::from_ref(&total_scope), &month_keys, dim)?;
            let codes: Vec<String> = found.iter().map(|r| r.2.clone()).collect();
            let (procedures, users) = if by == By::Officer {
                (HashMap::new(), store::user_names(conn, &codes)?)
            } else {
                (store::procedure_labels(conn, &codes)?, HashMap::new())
            };
            for (_, month, dim_key, json) in found {
                let line: Line = serde_json::from_str(&json).map_err(corrupt)?;
                let (key, label) = match by {
                    By::Procedure => {
                        let name = procedures.get(&dim_key).map(|(n, _)| n.clone());
                        (dim_key.clone(), name.unwrap_or(dim_key))
                    }
                    By::Field => {
                        let field = procedures.get(&dim_key).map(|(_, f)| f.clone());
                        let field = field.unwrap_or_default();
                        (field.clone(), field)
                    }
                    _ if dim_key.is_empty() => (String::new(), "Chưa phân công".to_string()),
                    _ => {
                        let name = users.get(&dim_key).cloned().unwrap_or_default();
                        (dim_key, name)
                    }
                };
                let row = rows.entry(key).or_insert_with(|| (label, BTreeMap::new()));
                row.1.entry(month).or_default().plus(&line);
            }
        }
        By::Month | By::Quarter => {
            // Every month begun has its row, even an empty one.
            for m in &months {
                let line = total_months.get(&m.key).cloned().unwrap_or_default();
                let month = &m.key;
                let (key, label) = if by == By::Quarter {
                    let q = m.first.month0() / 3 + 1;
                    (
                        format!("{}-Q{q}", m.first.year()),
                        format!("Quý {q}/{}", m.first.year()),
                    )
                } else {
                    (
                        month.clone(),
                        format!("Tháng {}/{}", m.first.month(), m.first.year()),
                    )
                };
                let row = rows.entry(key).or_insert_with(|| (label, BTreeMap::new()));
                row.1.insert(month.clone(), line);
            }
        }
    }
    let mut lines: BTreeMap<String, (String, Line)> = BTreeMap::new();
    for (key, (label, by_month)) in rows {
        let line = if matches!(by, By::Month | By::Quarter) {
            // A quarter is its own months one after the other.
            let mut out: Option<Line> = None;
            for line in by_month.values() {
                match &mut out {
                    None => out = Some(line.clone()),
                    Some(o) => o.then(line),
                }
            }
            out.unwrap_or_default()
        } else {
            fold(&by_month)
        };
        lines.insert(key, (label, line));
    }
    let mut total = fold(&total_months);
    // The months after the roll-up, counted from the dossiers (refusals
    // are counted over the whole period below).
    let after = months.last().and_then(|m| m.next(calendar));
    if let Some(rest_first) = after.filter(|m| m.first < end) {
        let rest = Period::between(rest_first.first, period.last)
            .map_err(|e| motcua_store::StoreError::Corrupt(e.to_string()))?;
        let rest_span = Span {
            from: rest_first.from,
            to: span.to,
            as_of: span.as_of,
        };
        if rest_span.from < rest_span.as_of {
            let list: Vec<String> = scope.agencies.iter().cloned().collect();
            let dossiers = reports::handled_in(conn, &list, rest_span.from, rest_span.to)?;
            let (rest_rows, rest_total) =
                count_lines(calendar, &rest, rest_span, by, scope, &dossiers, &[]);
            for r in rest_rows {
                match lines.get_mut(&r.key) {
                    Some((_, line)) => line.then(&r.line),
                    None => {
                        lines.insert(r.key, (r.label, r.line));
                    }
                }
            }
            total.then(&rest_total);
        }
    }
    // Refused submissions, from the submissions.
    let list: Vec<String> = scope.agencies.iter().cloned().collect();
    let refusals = reports::refused_in(conn, &list, span.from, span.to)?;
    let (refused_rows, refused_total) =
        count_lines(calendar, period, span, by, scope, &[], &refusals);
    for r in refused_rows {
        lines
            .entry(r.key)
            .or_insert_with(|| (r.label, Line::default()))
            .1
            .plus(&r.line);
    }
    total.plus(&refused_total);
    let slices = matches!(by, By::Month | By::Quarter);
    let rows = lines
        .into_iter()
        .filter(|(_, (_, line))| slices || !line.is_empty())
        .map(|(key, (label, line))| LineRow { key, label, line })
        .collect();
    Ok(Some((
        rows,
        total,
        month_keys.last().cloned().unwrap_or_default(),
    )))
}
