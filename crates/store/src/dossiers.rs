//! Dossiers: the citizen's file for one procedure.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use motcua_domain::{Channel, ReturnMethod, Status, Verdict};

use motcua_domain::Dossier;

use crate::schema::dossiers;
use crate::time::{from_db, to_db};
use crate::{DbConnection, StoreResult};

/// A dossier row as stored; read by name as well, for the public
/// look-up's hand-written statement ([`crate::lookup`]).
#[derive(Queryable, Selectable, QueryableByName)]
#[diesel(table_name = dossiers)]
pub(crate) struct Row {
    id: String,
    code: String,
    pin_hash: String,
    procedure_code: String,
    procedure_version: i32,
    receiving_agency_code: String,
    handling_agency_code: String,
    status_code: i32,
    channel: i32,
    applicant_name: String,
    applicant_id_number: String,
    applicant_phone: Option<String>,
    applicant_email: Option<String>,
    applicant_address: Option<String>,
    documents: String,
    fee_vnd: i64,
    book_year: i32,
    book_entry: i64,
    received_at: chrono::NaiveDateTime,
    due_at: chrono::NaiveDateTime,
    original_due_at: chrono::NaiveDateTime,
    received_by: String,
    note: String,
    created_at: chrono::NaiveDateTime,
    updated_at: chrono::NaiveDateTime,
    procedure_name: String,
    clock_version: i32,
    paused_since: Option<chrono::NaiveDateTime>,
    supplement_requests: i32,
    ended_at: Option<chrono::NaiveDateTime>,
    verdict: Option<String>,
    result_note: String,
    parent_id: Option<String>,
    current_step: i32,
    in_transit: bool,
    payment_amount_vnd: Option<i64>,
    returned_at: Option<chrono::NaiveDateTime>,
    returned_to: Option<String>,
    return_method: Option<String>,
    assigned_to: Option<String>,
    case_code: Option<String>,
    representative: Option<String>,
    postal_inbound_code: Option<String>,
    postal_return_address: Option<String>,
    postal_outbound_code: Option<String>,
    postal_dispatched_at: Option<chrono::NaiveDateTime>,
    postal_delivered_at: Option<chrono::NaiveDateTime>,
    postal_failed_at: Option<chrono::NaiveDateTime>,
    postal_failure: Option<String>,
    received_for: Option<String>,
}

impl Row {
    pub(crate) fn into_domain(self) -> StoreResult<Dossier> {
        Ok(Dossier {
            id: self.id,
            code: self.code,
            pin_hash: self.pin_hash,
            procedure_code: self.procedure_code,
            procedure_version: self.procedure_version,
            receiving_agency: self.receiving_agency_code,
            handling_agency: self.handling_agency_code,
            status: Status::from_code(self.status_code)?,
            channel: Channel::from_code(self.channel)?,
            applicant_name: self.applicant_name,
            applicant_id_number: self.applicant_id_number,
            applicant_phone: self.applicant_phone,
            applicant_email: self.applicant_email,
            applicant_address: self.applicant_address,
            documents: serde_json::from_str(&self.documents)?,
            fee_vnd: self.fee_vnd,
            book_year: self.book_year,
            book_entry: self.book_entry,
            received_at: from_db(self.received_at),
            due_at: from_db(self.due_at),
            original_due_at: from_db(self.original_due_at),
            received_by: self.received_by,
            note: self.note,
            created_at: from_db(self.created_at),
            updated_at: from_db(self.updated_at),
            procedure_name: self.procedure_name,
            clock_version: self.clock_version,
            paused_since: self.paused_since.map(from_db),
            supplement_requests: self.supplement_requests,
            ended_at: self.ended_at.map(from_db),
            verdict: self.verdict.as_deref().map(parse_verdict).transpose()?,
            result_note: self.result_note,
            parent_id: self.parent_id,
            current_step: self.current_step,
            in_transit: self.in_transit,
            payment_amount_vnd: self.payment_amount_vnd,
            returned_at: self.returned_at.map(from_db),
            returned_to: self.returned_to,
            return_method: self
                .return_method
                .as_deref()
                .map(parse_method)
                .transpose()?,
            assigned_to: self.assigned_to,
            case_code: self.case_code,
            representative: self
                .representative
                .as_deref()
                .map(serde_json::from_str)
                .transpose()?,
            postal: motcua_domain::Postal {
                inbound_code: self.postal_inbound_code,
                return_address: self.postal_return_address,
                outbound_code: self.postal_outbound_code,
                dispatched_at: self.postal_dispatched_at.map(from_db),
                delivered_at: self.postal_delivered_at.map(from_db),
                failed_at: self.postal_failed_at.map(from_db),
                failure: self.postal_failure,
            },
            received_for: self.received_for,
        })
    }
}

pub fn insert(conn: &mut DbConnection, d: &Dossier) -> StoreResult<()> {
    diesel::insert_into(dossiers::table)
        .values((
            (
                dossiers::id.eq(&d.id),
                dossiers::code.eq(&d.code),
                dossiers::pin_hash.eq(&d.pin_hash),
                dossiers::procedure_code.eq(&d.procedure_code),
                dossiers::procedure_version.eq(d.procedure_version),
                dossiers::receiving_agency_code.eq(&d.receiving_agency),
                dossiers::handling_agency_code.eq(&d.handling_agency),
                dossiers::status_code.eq(d.status.code()),
                dossiers::channel.eq(d.channel.code()),
                dossiers::applicant_name.eq(&d.applicant_name),
                dossiers::applicant_id_number.eq(&d.applicant_id_number),
                dossiers::applicant_phone.eq(d.applicant_phone.as_deref()),
            ),
            (
                dossiers::applicant_email.eq(d.applicant_email.as_deref()),
                dossiers::applicant_address.eq(d.applicant_address.as_deref()),
                dossiers::documents.eq(serde_json::to_string(&d.documents)?),
                dossiers::fee_vnd.eq(d.fee_vnd),
                dossiers::book_year.eq(d.book_year),
                dossiers::book_entry.eq(d.book_entry),
                dossiers::received_at.eq(to_db(d.received_at)),
                dossiers::due_at.eq(to_db(d.due_at)),
                dossiers::original_due_at.eq(to_db(d.original_due_at)),
                dossiers::received_by.eq(&d.received_by),
                dossiers::note.eq(&d.note),
                dossiers::created_at.eq(to_db(d.created_at)),
                dossiers::updated_at.eq(to_db(d.updated_at)),
                dossiers::procedure_name.eq(&d.procedure_name),
                dossiers::parent_id.eq(d.parent_id.as_deref()),
                dossiers::case_code.eq(d.case_code.as_deref()),
                dossiers::representative.eq(d
                    .representative
                    .as_ref()
                    .map(serde_json::to_string)
                    .transpose()?),
                dossiers::postal_inbound_code.eq(d.postal.inbound_code.as_deref()),
                dossiers::postal_return_address.eq(d.postal.return_address.as_deref()),
                dossiers::received_for.eq(d.received_for.as_deref()),
            ),
        ))
        .execute(conn)?;
    crate::feed::touch(conn, &d.id)?;
    Ok(())
}

/// Reads a dossier and, on PostgreSQL, locks its row until the transaction
/// ends, so two writes on one dossier (a supplement request racing an
/// extension) are applied one after the other. SQLite write transactions
/// are already serialised.
pub fn find_by_code_for_update(
    conn: &mut DbConnection,
    code: &str,
) -> StoreResult<Option<Dossier>> {
    let row: Option<Row> = match conn {
        DbConnection::Pg(c) => dossiers::table
            .filter(dossiers::code.eq(code))
            .select(Row::as_select())
            .for_update()
            .get_result(c)
            .optional()?,
        DbConnection::Sqlite(c) => dossiers::table
            .filter(dossiers::code.eq(code))
            .select(Row::as_select())
            .get_result(c)
            .optional()?,
    };
    row.map(Row::into_domain).transpose()
}

/// The derived clock projections written back after a ledger change.
#[derive(Debug, Clone)]
pub struct ClockProjection {
    pub due_at: DateTime<Utc>,
    pub paused_since: Option<DateTime<Utc>>,
    /// Bump the clock version (the due time or the pause state changed).
    pub bump: bool,
}

/// Records that a dossier is of another case of its procedure, with the
/// name and fees that case gives it.
pub fn set_case(
    conn: &mut DbConnection,
    id: &str,
    case: &str,
    procedure_name: &str,
    fee_vnd: i64,
) -> StoreResult<()> {
    diesel::update(dossiers::table.find(id))
        .set((
            dossiers::case_code.eq(case),
            dossiers::procedure_name.eq(procedure_name),
            dossiers::fee_vnd.eq(fee_vnd),
        ))
        .execute(conn)?;
    crate::feed::touch(conn, id)?;
    Ok(())
}

pub fn set_clock(
    conn: &mut DbConnection,
    id: &str,
    p: &ClockProjection,
    at: DateTime<Utc>,
) -> StoreResult<()> {
    let bump = i32::from(p.bump);
    diesel::update(dossiers::table.find(id))
        .set((
            dossiers::due_at.eq(to_db(p.due_at)),
            dossiers::paused_since.eq(p.paused_since.map(to_db)),
            dossiers::clock_version.eq(dossiers::clock_version + bump),
            dossiers::updated_at.eq(to_db(at)),
        ))
        .execute(conn)?;
    crate::feed::touch(conn, id)?;
    Ok(())
}

/// Records how and when the fee asked for was paid.
pub fn set_paid(
    conn: &mut DbConnection,
    id: &str,
    channel: motcua_domain::PaymentChannel,
    at: DateTime<Utc>,
) -> StoreResult<()> {
    diesel::update(dossiers::table.find(id))
        .set((
            dossiers::payment_channel.eq(channel.as_str()),
            dossiers::paid_at.eq(to_db(at)),
        ))
        .execute(conn)?;
    Ok(())
}

pub fn set_status(
    conn: &mut DbConnection,
    id: &str,
    status: Status,
    at: DateTime<Utc>,
) -> StoreResult<()> {
    diesel::update(dossiers::table.find(id))
        .set((
            dossiers::status_code.eq(status.code()),
            dossiers::updated_at.eq(to_db(at)),
        ))
        .execute(conn)?;
    crate::feed::touch(conn, id)?;
    Ok(())
}

pub fn count_supplement_request(conn: &mut DbConnection, id: &str) -> StoreResult<i32> {
    diesel::update(dossiers::table.find(id))
        .set(dossiers::supplement_requests.eq(dossiers::supplement_requests + 1))
        .execute(conn)?;
    Ok(dossiers::table
        .find(id)
        .select(dossiers::supplement_requests)
        .get_result(conn)?)
}

/// Records the end of processing and its verdict.
pub fn set_ended(
    conn: &mut DbConnection,
    id: &str,
    ended_at: DateTime<Utc>,
    verdict: Verdict,
    result_note: &str,
) -> StoreResult<()> {
    diesel::update(dossiers::table.find(id))
        .set((
            dossiers::ended_at.eq(Some(to_db(ended_at))),
            dossiers::verdict.eq(Some(verdict.as_str())),
            dossiers::result_note.eq(result_note),
        ))
        .execute(conn)?;
    crate::feed::touch(conn, id)?;
    Ok(())
}

/// Keeps why a dossier ended without a result (a withdrawal's reason), as
/// a stop keeps its reason through [`set_ended`]: the citizen's view and
/// the printed notice show it.
pub fn set_result_note(conn: &mut DbConnection, id: &str, note: &str) -> StoreResult<()> {
    diesel::update(dossiers::table.find(id))
        .set(dossiers::result_note.eq(note))
        .execute(conn)?;
    Ok(())
}

/// Open dossiers whose clock may be touched by a change of the calendar on
/// or after `from`: running clocks due at or after it, and every paused
/// clock. Returns codes.
pub fn open_codes_due_after(
    conn: &mut DbConnection,
    from: DateTime<Utc>,
) -> StoreResult<Vec<String>> {
    Ok(dossiers::table
        .filter(
            dossiers::status_code
                .eq_any(crate::breaches::RUNNING)
                .and(dossiers::due_at.ge(to_db(from)))
                .or(dossiers::status_code.eq(Status::SupplementRequested.code())),
        )
        .order(dossiers::code.asc())
        .select(dossiers::code)
        .load(conn)?)
}

pub fn find_by_code(conn: &mut DbConnection, code: &str) -> StoreResult<Option<Dossier>> {
    dossiers::table
        .filter(dossiers::code.eq(code))
        .select(Row::as_select())
        .get_result(conn)
        .optional()?
        .map(Row::into_domain)
        .transpose()
}

/// Replaces the PIN hash (a clerk reissuing a lost PIN).
pub fn set_pin_hash(
    conn: &mut DbConnection,
    id: &str,
    pin_hash: &str,
    at: DateTime<Utc>,
) -> StoreResult<()> {
    diesel::update(dossiers::table.find(id))
        .set((
            dossiers::pin_hash.eq(pin_hash),
            dossiers::updated_at.eq(to_db(at)),
        ))
        .execute(conn)?;
    Ok(())
}

/// Codes of the dossiers a receiving agency logged on a local day, in
/// order; used by tests and the tracking book.
pub fn codes_with_prefix(conn: &mut DbConnection, prefix: &str) -> StoreResult<Vec<String>> {
    let escaped = prefix
        .replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_");
    Ok(dossiers::table
        .filter(dossiers::code.like(format!("{escaped}%")).escape('\\'))
        .order(dossiers::code.asc())
        .select(dossiers::code)
        .load(conn)?)
}

/// Assigns the dossier to an officer (or clears the assignment).
pub fn set_assigned(conn: &mut DbConnection, id: &str, user: Option<&str>) -> StoreResult<()> {
    diesel::update(dossiers::table.find(id))
        .set(dossiers::assigned_to.eq(user))
        .execute(conn)?;
    crate::feed::touch(conn, id)?;
    Ok(())
}

/// Moves the dossier to another holder (a handover sent or received). A
/// send clears the assignment: the next agency assigns its own officer.
pub fn set_holder(
    conn: &mut DbConnection,
    id: &str,
    agency: &str,
    step: i32,
    in_transit: bool,
    at: DateTime<Utc>,
) -> StoreResult<()> {
    if in_transit {
        set_assigned(conn, id, None)?;
    }
    diesel::update(dossiers::table.find(id))
        .set((
            dossiers::handling_agency_code.eq(agency),
            dossiers::current_step.eq(step),
            dossiers::in_transit.eq(in_transit),
            dossiers::updated_at.eq(to_db(at)),
        ))
        .execute(conn)?;
    crate::feed::touch(conn, id)?;
    Ok(())
}

pub fn set_payment(conn: &mut DbConnection, id: &str, amount: Option<i64>) -> StoreResult<()> {
    diesel::update(dossiers::table.find(id))
        .set(dossiers::payment_amount_vnd.eq(amount))
        .execute(conn)?;
    Ok(())
}

pub fn set_returned(
    conn: &mut DbConnection,
    id: &str,
    at: DateTime<Utc>,
    to: &str,
    method: ReturnMethod,
) -> StoreResult<()> {
    diesel::update(dossiers::table.find(id))
        .set((
            dossiers::returned_at.eq(Some(to_db(at))),
            dossiers::returned_to.eq(Some(to)),
            dossiers::return_method.eq(Some(method.as_str())),
        ))
        .execute(conn)?;
    crate::feed::touch(conn, id)?;
    Ok(())
}

/// The child dossiers of a group, in code order.
pub fn children(conn: &mut DbConnection, parent_id: &str) -> StoreResult<Vec<Dossier>> {
    dossiers::table
        .filter(dossiers::parent_id.eq(parent_id))
        .order(dossiers::code.asc())
        .select(Row::as_select())
        .load(conn)?
        .into_iter()
        .map(Row::into_domain)
        .collect()
}

pub fn get(conn: &mut DbConnection, id: &str) -> StoreResult<Option<Dossier>> {
    dossiers::table
        .find(id)
        .select(Row::as_select())
        .get_result(conn)
        .optional()?
        .map(Row::into_domain)
        .transpose()
}

fn parse_verdict(stored: &str) -> StoreResult<Verdict> {
    Verdict::parse(stored)
        .ok_or_else(|| crate::StoreError::Corrupt(format!("unknown verdict {stored:?}")))
}

fn parse_method(stored: &str) -> StoreResult<ReturnMethod> {
    ReturnMethod::parse(stored)
        .ok_or_else(|| crate::StoreError::Corrupt(format!("unknown return method {stored:?}")))
}

/// Reopens a dossier closed by mistake (docs/repairs.md, Reopen): its
/// status goes back to `status`; the end and its verdict are cleared
/// when processing resumes, the return when the result is back at the
/// desk. The events keep what happened.
pub fn reopen(
    conn: &mut DbConnection,
    id: &str,
    status: Status,
    at: DateTime<Utc>,
) -> StoreResult<()> {
    if status == Status::Processed {
        diesel::update(dossiers::table.find(id))
            .set((
                dossiers::returned_at.eq(None::<chrono::NaiveDateTime>),
                dossiers::returned_to.eq(None::<String>),
                dossiers::return_method.eq(None::<String>),
            ))
            .execute(conn)?;
    } else {
        diesel::update(dossiers::table.find(id))
            .set((
                dossiers::ended_at.eq(None::<chrono::NaiveDateTime>),
                dossiers::verdict.eq(None::<String>),
                dossiers::result_note.eq(""),
            ))
            .execute(conn)?;
    }
    set_status(conn, id, status, at)
}
