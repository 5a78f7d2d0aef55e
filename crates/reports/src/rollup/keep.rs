//! Keeping the roll-up exact: the dossiers changed since it caught up
//! counted again, months rolled up once over, a rebuild when the figures
//! would be counted with something else.

use std::collections::BTreeMap;

use chrono::{DateTime, Months, Utc};
use motcua_calendar::WorkingCalendar;
use motcua_store::report_rollup::{self as store, Key, Meta, NewFacts};
use motcua_store::reports::{self, ReportDossier};
use motcua_store::{DbConnection, StoreResult};

use super::{corrupt, facts_row, fingerprint, months_of, parts, Month, Tree, BATCH};
use crate::counts::Line;

/// Adds `new` and takes `old` out of the stored lines they touch.
fn apply(
    conn: &mut DbConnection,
    old: &BTreeMap<Key, Line>,
    new: &BTreeMap<Key, Line>,
) -> StoreResult<()> {
    let mut keys: Vec<Key> = old.keys().chain(new.keys()).cloned().collect();
    keys.sort();
    keys.dedup();
    keys.retain(|k| old.get(k) != new.get(k));
    if keys.is_empty() {
        return Ok(());
    }
    let stored = store::lines_of(conn, &keys)?;
    let mut writes = Vec::with_capacity(keys.len());
    for key in keys {
        let mut line: Line = match stored.get(&key) {
            Some(json) => serde_json::from_str(json).map_err(corrupt)?,
            None => Line::default(),
        };
        if let Some(o) = old.get(&key) {
            line.minus(o);
        }
        if let Some(n) = new.get(&key) {
            line.plus(n);
        }
        let json = if line == Line::default() {
            None
        } else {
            Some(serde_json::to_string(&line).map_err(corrupt)?)
        };
        writes.push((key, json));
    }
    store::put_lines(conn, &writes)
}

/// Counts the dossiers `ids` again: their old figures out, their new in.
fn refresh(
    conn: &mut DbConnection,
    calendar: &WorkingCalendar,
    tree: &Tree,
    through: Option<&Month>,
    ids: &[String],
) -> StoreResult<()> {
    let old: Vec<ReportDossier> = store::facts(conn, ids)?
        .values()
        .map(|json| serde_json::from_str(json).map_err(corrupt))
        .collect::<StoreResult<_>>()?;
    let new = reports::whole(conn, ids)?;
    if let Some(through) = through {
        let sum = |list: &[ReportDossier]| {
            let mut all: BTreeMap<Key, Line> = BTreeMap::new();
            for d in list {
                for (k, line) in parts(calendar, tree, d, &months_of(calendar, d, through)) {
                    all.entry(k).or_default().plus(&line);
                }
            }
            all
        };
        apply(conn, &sum(&old), &sum(&new))?;
    }
    let rows: Vec<NewFacts> = new.iter().map(facts_row).collect::<StoreResult<_>>()?;
    store::put_facts(conn, &rows)
}

/// What [`catch_up`] did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CatchUp {
    /// Whether the roll-up was rebuilt (counted with something else).
    pub rebuilt: bool,
    /// Dossiers counted again after a change.
    pub refreshed: usize,
    /// Months rolled up.
    pub months: Vec<String>,
}

/// The last month over at `now`.
fn last_month_over(calendar: &WorkingCalendar, now: DateTime<Utc>) -> Option<Month> {
    let this = Month::containing(calendar, now)?;
    Month::of(calendar, this.first.checked_sub_months(Months::new(1))?)
}

/// Brings the roll-up up to date: rebuilt if it was counted with another
/// calendar or agency tree, the dossiers changed since counted again, and
/// the months over since rolled up. Each step is its own transaction,
/// holding the roll-up's lock.
pub fn catch_up(conn: &mut DbConnection, calendar: &WorkingCalendar) -> StoreResult<CatchUp> {
    let agencies = motcua_store::agencies::list(conn)?;
    let tree = Tree::new(&agencies);
    let fp = fingerprint(calendar, &agencies);
    let mut done = CatchUp::default();
    let now = motcua_store::time::now();
    let meta = store::meta(conn)?;
    if meta.fingerprint != fp || !meta.ready {
        rebuild(conn, calendar, &tree, &fp, now, false)?;
        done.rebuilt = true;
    }
    done.refreshed = match drain(conn, calendar, &tree, &fp) {
        Ok(n) => n,
        // A line or a dossier's facts that do not parse: count everything
        // afresh rather than keep adding to what cannot be read.
        Err(motcua_store::StoreError::Corrupt(why)) => {
            tracing::warn!(%why, "report roll-up unreadable; rebuilding it");
            rebuild(conn, calendar, &tree, &fp, now, true)?;
            done.rebuilt = true;
            0
        }
        Err(e) => return Err(e),
    };
    // Roll up the months over since.
    loop {
        let rolled = conn.write_tx(|conn| -> StoreResult<Option<String>> {
            let mut meta = store::lock_meta(conn)?;
            if meta.fingerprint != fp || !meta.ready {
                return Ok(None);
            }
            let Some(last) = last_month_over(calendar, now) else {
                return Ok(None);
            };
            let next = match Month::parse(calendar, &meta.through) {
                Some(m) => m.next(calendar),
                None => Some(last.clone()),
            };
            let Some(next) = next.filter(|m| m.first <= last.first) else {
                return Ok(None);
            };
            let mut added: BTreeMap<Key, Line> = BTreeMap::new();
            for json in store::facts_alive_in(conn, next.from, next.to)? {
                let d: ReportDossier = serde_json::from_str(&json).map_err(corrupt)?;
                for (k, line) in parts(calendar, &tree, &d, std::slice::from_ref(&next)) {
                    added.entry(k).or_default().plus(&line);
                }
            }
            apply(conn, &BTreeMap::new(), &added)?;
            meta.through = next.key.clone();
            store::set_meta(conn, &meta)?;
            Ok(Some(next.key))
        })?;
        match rolled {
            Some(month) => done.months.push(month),
            None => break,
        }
    }
    Ok(done)
}

/// Sets the roll-up aside until it is rebuilt (reports count from the
/// dossiers meanwhile): what a reader does when it finds it unreadable.
pub fn set_aside(conn: &mut DbConnection) -> StoreResult<()> {
    conn.write_tx(|conn| {
        let mut meta = store::lock_meta(conn)?;
        meta.ready = false;
        store::set_meta(conn, &meta)
    })
}

/// Counts again the dossiers changed since the roll-up caught up; how
/// many. Nothing when the roll-up is counted with something else or not
/// built (a rebuild comes first, and counts them).
pub fn drain(
    conn: &mut DbConnection,
    calendar: &WorkingCalendar,
    tree: &Tree,
    fp: &str,
) -> StoreResult<usize> {
    let mut total = 0;
    loop {
        // Most reports find nothing to count: no write transaction then
        // (on SQLite it would queue behind the desk's writes).
        if store::pending(conn, 1)?.is_empty() {
            return Ok(total);
        }
        let n = conn.write_tx(|conn| -> StoreResult<usize> {
            let meta = store::lock_meta(conn)?;
            if meta.fingerprint != fp || !meta.ready {
                return Ok(0);
            }
            let notes = store::pending(conn, BATCH as i64)?;
            if notes.is_empty() {
                return Ok(0);
            }
            let mut ids: Vec<String> = notes.iter().map(|(_, d)| d.clone()).collect();
            ids.sort();
            ids.dedup();
            let through = Month::parse(calendar, &meta.through);
            refresh(conn, calendar, tree, through.as_ref(), &ids)?;
            let note_ids: Vec<i64> = notes.iter().map(|(id, _)| *id).collect();
            store::forget_pending(conn, &note_ids)?;
            Ok(ids.len())
        })?;
        if n == 0 {
            return Ok(total);
        }
        total += n;
    }
}

/// Counts every dossier afresh into an empty roll-up (unless, without
/// `force`, another server just did), in one
/// transaction: the dossiers are read `BATCH` at a time and their lines
/// added up in memory, then written. On PostgreSQL other writes go on
/// meanwhile (what they change is noted and counted after); on SQLite
/// they wait for it (a few seconds per hundred thousand dossiers, see the
/// README's performance section).
fn rebuild(
    conn: &mut DbConnection,
    calendar: &WorkingCalendar,
    tree: &Tree,
    fp: &str,
    now: DateTime<Utc>,
    force: bool,
) -> StoreResult<()> {
    let through = last_month_over(calendar, now);
    conn.write_tx(|conn| -> StoreResult<()> {
        let meta = store::lock_meta(conn)?;
        if meta.fingerprint == fp && meta.ready && !force {
            // Another server rebuilt it meanwhile.
            return Ok(());
        }
        store::clear(conn)?;
        // What changed before now is counted by the rebuild itself.
        if let Some(last) = store::last_pending(conn)? {
            store::forget_pending_through(conn, last)?;
        }
        let mut added: BTreeMap<Key, Line> = BTreeMap::new();
        let mut after = String::new();
        loop {
            let ids = store::dossier_ids_after(conn, &after, BATCH as i64)?;
            let Some(last) = ids.last().cloned() else {
                break;
            };
            let list = reports::whole(conn, &ids)?;
            if let Some(through) = &through {
                for d in &list {
                    for (k, line) in parts(calendar, tree, d, &months_of(calendar, d, through)) {
                        added.entry(k).or_default().plus(&line);
                    }
                }
            }
            let rows: Vec<NewFacts> = list.iter().map(facts_row).collect::<StoreResult<_>>()?;
            store::insert_facts(conn, &rows)?;
            after = last;
        }
        let mut writes = Vec::with_capacity(added.len());
        for (key, line) in added {
            writes.push((key, Some(serde_json::to_string(&line).map_err(corrupt)?)));
        }
        store::insert_lines(conn, &writes)?;
        store::set_meta(
            conn,
            &Meta {
                through: through.as_ref().map_or(String::new(), |m| m.key.clone()),
                fingerprint: fp.to_string(),
                ready: true,
            },
        )
    })
}
