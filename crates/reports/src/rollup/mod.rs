//! The results report's roll-up: each month's [`Line`] per scope and
//! dimension, so a report over a year of a province reads a few thousand
//! lines instead of half a million dossiers.
//!
//! **What is kept.** For every month over (up to `through`), per scope
//! (`own:CODE`: the agency alone; `tree:CODE`: the agency and every
//! agency below it; `all`) and dimension (the whole line, or one per
//! procedure, or one per officer assigned), the line of the report
//! counting that scope over that month. Lines add up over months
//! ([`Line::then`]) and over procedures or officers ([`Line::plus`]), so
//! any report whose period is whole months, on a scope kept, is the
//! lines of its months one after the other; the months not rolled up
//! yet (the current one) are counted from the dossiers and joined on.
//! Refused submissions are few and always counted from the submissions.
//!
//! **How it stays exact.** Every change of a dossier writes its event,
//! and a trigger on the events table notes the dossier in the same
//! transaction (`report_rollup_pending`), whatever the code path. The
//! roll-up keeps what it counted each dossier from
//! (`report_rollup_facts`): catching up takes a noted dossier's old
//! figures out of its lines and puts its new ones in, under a lock so
//! two servers never interleave. A report catches up before it reads, so
//! it never misses a committed change; the breach job catches up too, and
//! rolls up each month once it is over. What the figures were counted
//! with (the calendar, the working day, the agency tree) is its
//! fingerprint: when that changes, the roll-up is rebuilt (in one
//! transaction) and reports count from the dossiers until it is. The tests compare
//! it with the report counted from the dossiers
//! (`tests/rollup.rs`).

use std::collections::{BTreeMap, BTreeSet, HashMap};

use chrono::{DateTime, Datelike, Months, NaiveDate, NaiveTime, Utc};
use motcua_calendar::WorkingCalendar;
use motcua_domain::Agency;
use motcua_store::report_rollup::{Key, NewFacts};
use motcua_store::reports::ReportDossier;
use motcua_store::StoreResult;
use sha2::{Digest, Sha256};

use crate::counts::Line;
use crate::results::Span;
use crate::stay::stays;

mod keep;
mod read;

pub use keep::{catch_up, drain, set_aside, CatchUp};
pub(crate) use read::count;

/// Dossiers counted in one transaction while catching up or rebuilding.
const BATCH: usize = 1000;

/// A month of the calendar, as instants.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Month {
    /// `2026-11`.
    pub key: String,
    pub first: NaiveDate,
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
}

impl Month {
    fn of(calendar: &WorkingCalendar, first: NaiveDate) -> Option<Month> {
        let next = first.checked_add_months(Months::new(1))?;
        let midnight = |d: NaiveDate| calendar.to_utc(d.and_time(NaiveTime::MIN));
        Some(Month {
            key: first.format("%Y-%m").to_string(),
            first,
            from: midnight(first),
            to: midnight(next),
        })
    }

    /// The month `at` falls in.
    fn containing(calendar: &WorkingCalendar, at: DateTime<Utc>) -> Option<Month> {
        let day = calendar.local_date(at);
        Month::of(calendar, day.with_day(1)?)
    }

    fn parse(calendar: &WorkingCalendar, key: &str) -> Option<Month> {
        let first = NaiveDate::parse_from_str(&format!("{key}-01"), "%Y-%m-%d").ok()?;
        Month::of(calendar, first)
    }

    fn next(&self, calendar: &WorkingCalendar) -> Option<Month> {
        Month::of(calendar, self.first.checked_add_months(Months::new(1))?)
    }
}

/// The agency tree: for each agency, itself and the agencies above it.
#[derive(Debug, Clone, Default)]
pub struct Tree {
    above: HashMap<String, Vec<String>>,
}

impl Tree {
    pub fn new(agencies: &[Agency]) -> Tree {
        let parent: HashMap<&str, Option<&str>> = agencies
            .iter()
            .map(|a| (a.code.as_str(), a.parent.as_ref().map(|p| p.as_str())))
            .collect();
        let mut above = HashMap::new();
        for a in agencies {
            let mut chain = vec![a.code.to_string()];
            let mut cur = a.code.as_str();
            while let Some(Some(p)) = parent.get(cur) {
                if chain.iter().any(|c| c == p) || chain.len() > agencies.len() {
                    break;
                }
                chain.push(p.to_string());
                cur = p;
            }
            above.insert(a.code.to_string(), chain);
        }
        Tree { above }
    }

    /// Whether `agency` is `top` or below it.
    fn under(&self, agency: &str, top: &str) -> bool {
        self.above
            .get(agency)
            .is_some_and(|chain| chain.iter().any(|c| c == top))
    }

    /// `top` and every agency below it.
    fn subtree(&self, top: &str) -> BTreeSet<String> {
        self.above
            .keys()
            .filter(|a| self.under(a, top))
            .cloned()
            .collect()
    }

    fn all(&self) -> BTreeSet<String> {
        self.above.keys().cloned().collect()
    }
}

/// What the figures are counted with: the working day and every day off
/// or made up of the calendar, and the agency tree. Stable across builds
/// (SHA-256 of a plain listing).
pub fn fingerprint(calendar: &WorkingCalendar, agencies: &[Agency]) -> String {
    let mut h = Sha256::new();
    h.update(format!("rollup v4|{:?}|", calendar.settings()));
    for year in motcua_domain::period::YEARS {
        for day in calendar.days_off_in_year(year) {
            h.update(format!("{}:{:?};", day.date, day.kind));
        }
    }
    for a in agencies {
        let parent = a.parent.as_ref().map_or("", |p| p.as_str());
        h.update(format!("{}<{};", a.code.as_str(), parent));
    }
    hex::encode(h.finalize())
}

/// A dossier's lines for the months `through` and before: per scope it
/// was in, per month, under the whole line, its procedure and its
/// officer.
pub(crate) fn parts(
    calendar: &WorkingCalendar,
    tree: &Tree,
    d: &ReportDossier,
    months: &[Month],
) -> BTreeMap<Key, Line> {
    let mut visited: Vec<&str> = std::iter::once(d.first_agency.as_str())
        .chain(d.moves.iter().map(|m| m.to_agency.as_str()))
        .collect();
    visited.sort();
    visited.dedup();
    let mut scopes: BTreeSet<String> = BTreeSet::new();
    scopes.insert("all".into());
    for a in &visited {
        scopes.insert(format!("own:{a}"));
        for top in tree.above.get(*a).into_iter().flatten() {
            scopes.insert(format!("tree:{top}"));
        }
    }
    let closed = match (d.ended_at, d.withdrawn_at) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    };
    let officer = d.officer.as_ref().map_or("", |(id, _)| id.as_str());
    let mut out = BTreeMap::new();
    for scope in &scopes {
        let within = |a: &str| match scope.split_once(':') {
            Some(("own", code)) => a == code,
            Some((_, top)) => tree.under(a, top),
            None => true,
        };
        for m in months {
            if d.received_at >= m.to || closed.is_some_and(|c| c < m.from) {
                continue;
            }
            let span = Span {
                from: m.from,
                to: m.to,
                as_of: m.to,
            };
            let mut line = Line::default();
            for s in stays(d, within, m.from, m.to) {
                line.add(calendar, d, &s, span);
            }
            if line.is_empty() {
                continue;
            }
            for (dim, dim_key) in [
                ("", ""),
                ("procedure", d.procedure_code.as_str()),
                ("officer", officer),
            ] {
                let key = Key {
                    scope: scope.clone(),
                    month: m.key.clone(),
                    dim,
                    dim_key: dim_key.to_string(),
                };
                out.entry(key).or_insert_with(Line::default).plus(&line);
            }
        }
    }
    out
}

/// The months from the one `d` was received in up to `through`.
fn months_of(calendar: &WorkingCalendar, d: &ReportDossier, through: &Month) -> Vec<Month> {
    let mut out = Vec::new();
    let mut m = Month::containing(calendar, d.received_at);
    while let Some(month) = m {
        if month.first > through.first {
            break;
        }
        m = month.next(calendar);
        out.push(month);
    }
    out
}

fn corrupt(e: serde_json::Error) -> motcua_store::StoreError {
    motcua_store::StoreError::Corrupt(format!("report roll-up: {e}"))
}

fn closed_at(d: &ReportDossier) -> Option<DateTime<Utc>> {
    match (d.ended_at, d.withdrawn_at) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}

fn facts_row(d: &ReportDossier) -> StoreResult<NewFacts> {
    let json = serde_json::to_string(d).map_err(corrupt)?;
    Ok(NewFacts::new(&d.id, d.received_at, closed_at(d), json))
}
