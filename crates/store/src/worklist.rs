//! Worklists and the tracking book: the reads the desk and the agencies
//! live in, served from the `(handling_agency_code, due_at)` and
//! `(receiving_agency_code, received_at)` indexes.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use motcua_domain::Status;

use crate::schema::{dossiers, handovers};
use crate::time::{from_db, to_db};
use crate::{DbConnection, StoreResult};

#[derive(Debug, Clone, PartialEq)]
pub struct WorkItem {
    pub code: String,
    pub status: Status,
    pub procedure_code: String,
    pub procedure_name: String,
    pub applicant_name: String,
    pub handling_agency: String,
    pub received_at: DateTime<Utc>,
    pub due_at: DateTime<Utc>,
    pub in_transit: bool,
    pub paused_since: Option<DateTime<Utc>>,
    pub assigned_to: Option<String>,
}

#[derive(Debug, Clone, Default)]
pub struct WorkFilter {
    pub agencies: Vec<String>,
    pub statuses: Vec<i32>,
    pub procedure: Option<String>,
    /// Only dossiers due before this instant.
    pub due_before: Option<DateTime<Utc>>,
    /// Only dossiers due at or after this instant.
    pub due_after: Option<DateTime<Utc>>,
    /// Only dossiers assigned to this user.
    pub assigned_to: Option<String>,
    pub limit: i64,
    pub offset: i64,
}

type WorkTuple = (
    String,
    i32,
    String,
    String,
    String,
    String,
    chrono::NaiveDateTime,
    chrono::NaiveDateTime,
    bool,
    Option<chrono::NaiveDateTime>,
    Option<String>,
);

/// Dossiers held by the agencies, earliest due first, with the total.
pub fn worklist(conn: &mut DbConnection, f: &WorkFilter) -> StoreResult<(Vec<WorkItem>, i64)> {
    let build = || {
        let mut q = dossiers::table
            .filter(dossiers::handling_agency_code.eq_any(f.agencies.clone()))
            .filter(dossiers::status_code.eq_any(f.statuses.clone()))
            .into_boxed();
        if let Some(p) = &f.procedure {
            q = q.filter(dossiers::procedure_code.eq(p.clone()));
        }
        if let Some(t) = f.due_before {
            q = q.filter(dossiers::due_at.lt(to_db(t)));
        }
        if let Some(t) = f.due_after {
            q = q.filter(dossiers::due_at.ge(to_db(t)));
        }
        if let Some(u) = &f.assigned_to {
            q = q.filter(dossiers::assigned_to.eq(u.clone()));
        }
        q
    };
    let total: i64 = build().count().get_result(conn)?;
    // On SQLite `ORDER BY due_at` makes the planner walk the agency's
    // (handling, due) index in due order and test each row's status: with
    // months of closed dossiers ahead of the open ones that is every row
    // the desk ever handled (18 ms at 34,000 closed dossiers). `+due_at`
    // is the same order without the index, so SQLite takes the (handling,
    // status, due) index to the open rows and sorts the few it finds.
    // SQLite keeps no statistics of the status spread that would tell it.
    let due_order = match conn {
        DbConnection::Sqlite(_) => "+dossiers.due_at",
        DbConnection::Pg(_) => "dossiers.due_at",
    };
    let rows: Vec<WorkTuple> = build()
        .order((
            diesel::dsl::sql::<diesel::sql_types::Timestamp>(due_order).asc(),
            dossiers::code.asc(),
        ))
        .limit(f.limit)
        .offset(f.offset)
        .select((
            dossiers::code,
            dossiers::status_code,
            dossiers::procedure_code,
            dossiers::procedure_name,
            dossiers::applicant_name,
            dossiers::handling_agency_code,
            dossiers::received_at,
            dossiers::due_at,
            dossiers::in_transit,
            dossiers::paused_since,
            dossiers::assigned_to,
        ))
        .load(conn)?;
    let items = rows
        .into_iter()
        .map(|t| {
            Ok(WorkItem {
                code: t.0,
                status: Status::from_code(t.1)?,
                procedure_code: t.2,
                procedure_name: t.3,
                applicant_name: t.4,
                handling_agency: t.5,
                received_at: from_db(t.6),
                due_at: from_db(t.7),
                in_transit: t.8,
                paused_since: t.9.map(from_db),
                assigned_to: t.10,
            })
        })
        .collect::<StoreResult<Vec<_>>>()?;
    Ok((items, total))
}

/// One line of the tracking book (sổ theo dõi hồ sơ).
#[derive(Debug, Clone, PartialEq)]
pub struct BookRow {
    pub book_entry: i64,
    pub code: String,
    pub procedure_name: String,
    pub status: Status,
    pub applicant_name: String,
    pub applicant_phone: Option<String>,
    pub applicant_email: Option<String>,
    pub applicant_address: Option<String>,
    pub procedure_code: String,
    /// Sets of papers: an interlinked group's members, else one.
    pub sets: i64,
    /// The group a member belongs to.
    pub group: Option<String>,
    pub received_at: DateTime<Utc>,
    pub appointment: DateTime<Utc>,
    /// The first agency beyond the desk the dossier was sent to (the
    /// desk's own agency for a dossier decided in the house).
    pub sent_to: Option<String>,
    pub sent_at: Option<DateTime<Utc>>,
    pub result_at: Option<DateTime<Utc>>,
    pub returned_at: Option<DateTime<Utc>>,
    pub returned_to: Option<String>,
    pub note: String,
    /// The desk that received it, when another desk received it for this
    /// agency (docs/desk.md, Intake at any desk): the code is that desk's.
    pub received_at_desk: Option<String>,
}

type BookTuple = (
    (
        String,
        i64,
        String,
        String,
        i32,
        String,
        Option<String>,
        Option<String>,
        Option<String>,
        String,
    ),
    (
        chrono::NaiveDateTime,
        chrono::NaiveDateTime,
        Option<chrono::NaiveDateTime>,
        Option<chrono::NaiveDateTime>,
        Option<String>,
        String,
        Option<String>,
        String,
    ),
);

/// Every dossier a desk received in `[from, to)`, in the order of
/// receipt, an interlinked group's members after their group: each
/// took a number at intake, so the numbers run without a gap. Two
/// statements whatever the number of rows: the dossiers and their
/// handovers.
pub fn tracking_book(
    conn: &mut DbConnection,
    agency: &str,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> StoreResult<Vec<BookRow>> {
    let in_book = || {
        dossiers::table
            .filter(
                dossiers::receiving_agency_code
                    .eq(agency.to_string())
                    .or(dossiers::received_for.eq(agency.to_string())),
            )
            .filter(dossiers::received_at.ge(to_db(from)))
            .filter(dossiers::received_at.lt(to_db(to)))
    };
    // In order of receipt; a group and its members share their instant and
    // took consecutive numbers. (Numbers alone would put January's first
    // entries before December's in a range across the new year.)
    let rows: Vec<BookTuple> = in_book()
        .order((dossiers::received_at.asc(), dossiers::book_entry.asc()))
        .select((
            (
                dossiers::id,
                dossiers::book_entry,
                dossiers::code,
                dossiers::procedure_name,
                dossiers::status_code,
                dossiers::applicant_name,
                dossiers::applicant_phone,
                dossiers::applicant_email,
                dossiers::applicant_address,
                dossiers::procedure_code,
            ),
            (
                dossiers::received_at,
                dossiers::original_due_at,
                dossiers::ended_at,
                dossiers::returned_at,
                dossiers::returned_to,
                dossiers::note,
                dossiers::parent_id,
                dossiers::receiving_agency_code,
            ),
        ))
        .load(conn)?;
    // A chain's first legs may stay at the desk's own agency (its clerk to
    // its officer): "sent to" is the first agency beyond it, or, for a
    // dossier decided in the house, the first handover there.
    let handed: Vec<(String, String, chrono::NaiveDateTime)> = handovers::table
        .filter(handovers::dossier_id.eq_any(in_book().select(dossiers::id)))
        // A handover recalled by a supervisor never happened for the book.
        .filter(handovers::recalled_at.is_null())
        .order((handovers::dossier_id.asc(), handovers::seq.asc()))
        .select((
            handovers::dossier_id,
            handovers::to_agency,
            handovers::sent_at,
        ))
        .load(conn)?;
    let mut sent: std::collections::HashMap<String, (String, DateTime<Utc>)> =
        std::collections::HashMap::new();
    for (dossier, to_agency, at) in handed {
        let beyond = to_agency != agency;
        match sent.get(&dossier) {
            Some((first, _)) if first != agency || !beyond => {}
            _ => {
                sent.insert(dossier, (to_agency, from_db(at)));
            }
        }
    }
    // A group's members are received with it (same desk, same instant),
    // so they are rows of this book too.
    let mut members: std::collections::HashMap<String, i64> = std::collections::HashMap::new();
    for (_, b) in &rows {
        if let Some(parent) = &b.6 {
            *members.entry(parent.clone()).or_default() += 1;
        }
    }
    let codes: std::collections::HashMap<String, String> = rows
        .iter()
        .map(|(a, _)| (a.0.clone(), a.2.clone()))
        .collect();
    rows.into_iter()
        .map(|(a, b)| {
            let (sent_to, sent_at) = match sent.remove(&a.0) {
                Some((to, at)) => (Some(to), Some(at)),
                None => (None, None),
            };
            Ok(BookRow {
                sets: members.get(&a.0).copied().unwrap_or(1),
                group: b.6.and_then(|p| codes.get(&p).cloned()),
                book_entry: a.1,
                code: a.2,
                procedure_name: a.3,
                status: Status::from_code(a.4)?,
                applicant_name: a.5,
                applicant_phone: a.6,
                applicant_email: a.7,
                applicant_address: a.8,
                procedure_code: a.9,
                received_at: from_db(b.0),
                appointment: from_db(b.1),
                sent_to,
                sent_at,
                result_at: b.2.map(from_db),
                returned_at: b.3.map(from_db),
                returned_to: b.4,
                note: b.5,
                received_at_desk: (b.7 != agency).then_some(b.7),
            })
        })
        .collect()
}
