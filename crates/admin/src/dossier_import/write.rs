//! Writing a checked file's new dossiers: their tracking-book entries
//! taken a block per agency and year, then the dossiers, their clock
//! ledgers and their events in multi-row statements
//! (`motcua_store::dossier_import`), in the caller's transaction.

use std::collections::BTreeMap;

use chrono::Datelike;
use motcua_calendar::clock::{Judge, Verdict};
use motcua_calendar::WorkingCalendar;
use motcua_domain::{EventKind, Status};
use motcua_store::counters;
use motcua_store::dossier_import::{
    self as store, Batch, NewClockEntry, NewDossier, NewDossierEvent, DOSSIER_BATCH,
};
use motcua_store::{DbConnection, StoreResult};
use serde_json::json;

use super::validate::Checked;

/// The dossier row of a checked one, its book entry still to take.
fn dossier(c: &Checked, digest: &str, calendar: &WorkingCalendar, batch: &Batch<'_>) -> NewDossier {
    let ended = matches!(
        c.status,
        Status::Stopped | Status::Processed | Status::Returned
    );
    NewDossier {
        id: uuid::Uuid::now_v7().to_string(),
        code: c.code.clone(),
        procedure_code: c.procedure_code.clone(),
        procedure_version: c.procedure.version,
        procedure_name: c.procedure.name.clone(),
        receiving_agency: c.receiving_agency.clone(),
        handling_agency: c.handling_agency.clone(),
        status_code: c.status.code(),
        channel: c.channel.code(),
        applicant_name: c.applicant_name.clone(),
        applicant_id_number: c.applicant_id_number.clone(),
        applicant_phone: c.applicant_phone.clone(),
        applicant_email: c.applicant_email.clone(),
        applicant_address: c.applicant_address.clone(),
        note: c.note.clone(),
        received_at: c.received_at,
        due_at: c.due_at,
        // A withdrawal ends nothing on the dossier row (its event says
        // when, as the desk's withdrawal does).
        ended_at: c.finished_at.filter(|_| ended),
        verdict: c.finished_at.filter(|_| ended).map(|at| {
            Verdict::judge(calendar, at, c.due_at, false)
                .as_str()
                .to_string()
        }),
        returned_at: c.returned_at,
        paused_since: (c.status == Status::SupplementRequested).then_some(batch.at),
        book_year: calendar.local_date(c.received_at).year(),
        book_entry: 0,
        digest: digest.to_string(),
    }
}

/// The ledger of an imported dossier: the old system's appointment from
/// its receipt there, and for one waiting for a supplement, its clock
/// stopped from the import (when the old system stopped it is not in the
/// file).
fn ledger(d: &NewDossier, out: &mut Vec<NewClockEntry>) {
    out.push(NewClockEntry {
        dossier_id: d.id.clone(),
        seq: 1,
        kind: "import",
        at: d.received_at,
        new_due_at: Some(d.due_at),
    });
    if let Some(at) = d.paused_since {
        out.push(NewClockEntry {
            dossier_id: d.id.clone(),
            seq: 2,
            kind: "pause",
            at,
            new_due_at: None,
        });
    }
}

/// Its events: a withdrawal at the time the old system recorded (the
/// report counts withdrawals from their events), then `dossier.imported`
/// with the batch and the old system's history.
fn events(c: &Checked, d: &NewDossier, batch: &Batch<'_>, out: &mut Vec<NewDossierEvent>) {
    if let (Status::Withdrawn, Some(at)) = (c.status, c.finished_at) {
        out.push(NewDossierEvent {
            dossier_id: d.id.clone(),
            kind: EventKind::DossierWithdrawn.as_str(),
            at,
            data: json!({"imported": true, "batch": batch.label}).to_string(),
        });
    }
    out.push(NewDossierEvent {
        dossier_id: d.id.clone(),
        kind: EventKind::DossierImported.as_str(),
        at: batch.at,
        data: json!({
            "batch": batch.label,
            "status": c.status.name(),
            "received_at": c.received_at,
            "due_at": c.due_at,
            "due_cause": "imported",
            "finished_at": c.finished_at,
            "returned_at": c.returned_at,
            "history": c.history,
        })
        .to_string(),
    });
}

/// Writes `create`, calling `progress` with the rows written after each
/// batch. Inside the caller's transaction.
pub fn write(
    conn: &mut DbConnection,
    calendar: &WorkingCalendar,
    batch: &Batch<'_>,
    create: &[(Checked, String)],
    progress: &mut dyn FnMut(u64),
) -> StoreResult<()> {
    let mut rows: Vec<NewDossier> = create
        .iter()
        .map(|(c, digest)| dossier(c, digest, calendar, batch))
        .collect();
    // Each agency's book for a year, its entries in order of receipt.
    let mut books: BTreeMap<(String, i32), Vec<usize>> = BTreeMap::new();
    for (i, d) in rows.iter().enumerate() {
        books
            .entry((d.receiving_agency.clone(), d.book_year))
            .or_default()
            .push(i);
    }
    for ((agency, year), mut members) in books {
        members.sort_by_key(|&i| rows[i].received_at);
        let n = i64::try_from(members.len()).unwrap_or(i64::MAX);
        let first = store::reserve_entries(conn, &counters::tracking_book_key(&agency, year), n)?;
        for (k, i) in members.into_iter().enumerate() {
            rows[i].book_entry = first + i64::try_from(k).unwrap_or(0);
        }
    }
    for (chunk, checked) in rows.chunks(DOSSIER_BATCH).zip(create.chunks(DOSSIER_BATCH)) {
        let mut clock = Vec::with_capacity(chunk.len() + 1);
        let mut evs = Vec::with_capacity(chunk.len());
        for (d, (c, _)) in chunk.iter().zip(checked) {
            ledger(d, &mut clock);
            events(c, d, batch, &mut evs);
        }
        store::insert(conn, batch, chunk, &clock, &evs)?;
        progress(u64::try_from(chunk.len()).unwrap_or(0));
    }
    Ok(())
}
