//! The rest of the lifecycle (docs/statuses.md, Who makes each move): financial obligations (6 and
//! back to 4), withdrawal by the citizen (7), and the return of the result
//! (10). Each is one transaction with its event, checked against the
//! status table.

use motcua_calendar::{format_local, WorkingCalendar};
use motcua_domain::{Dossier, EventKind, PaymentChannel, ReturnMethod, Role, StaffMember, Status};
use motcua_notify::{DeskMail, Kind};
use motcua_sla::ops::{actor, check_transition, event, lock, require_clerk_of, require_officer_of};
use motcua_sla::ClockError;
use motcua_store::dossiers;
use motcua_store::payments::{self, Payment};
use motcua_store::{time, DbConnection};
use serde_json::json;

/// An officer asks the citizen to pay fees or taxes (status 6).
pub fn request_payment(
    conn: &mut DbConnection,
    staff: &StaffMember,
    code: &str,
    amount_vnd: i64,
    note: &str,
) -> Result<Dossier, ClockError> {
    if amount_vnd <= 0 {
        return Err(ClockError::invalid(
            "amount_vnd",
            "must be a positive amount in đồng",
        ));
    }
    conn.write_tx(|conn| {
        let d = lock(conn, code)?;
        require_officer_of(staff, &d, "request payments")?;
        check_transition(d.status, Status::AwaitingPayment)?;
        let now = time::now();
        dossiers::set_payment(conn, &d.id, Some(amount_vnd))?;
        dossiers::set_status(conn, &d.id, Status::AwaitingPayment, now)?;
        event(
            conn,
            &d,
            EventKind::DossierPaymentRequested,
            &actor(staff),
            now,
            json!({"status_code": Status::AwaitingPayment.code(), "amount_vnd": amount_vnd, "note": note.trim()}),
        )?;
        lock(conn, code)
    })
}

/// The payment arrived: back to processing (status 4).
pub fn paid(
    conn: &mut DbConnection,
    staff: &StaffMember,
    code: &str,
    receipt_number: &str,
    channel: PaymentChannel,
) -> Result<Dossier, ClockError> {
    conn.write_tx(|conn| {
        let d = lock(conn, code)?;
        crate::payment::require_payment_recorder(staff, &d)?;
        if d.status != Status::AwaitingPayment {
            check_transition(d.status, Status::Processing)?;
            return Err(ClockError::Conflict(format!(
                "dossier {} is not waiting for a payment",
                d.code
            )));
        }
        let now = time::now();
        dossiers::set_status(conn, &d.id, Status::Processing, now)?;
        dossiers::set_paid(conn, &d.id, channel, now)?;
        // The amount asked, paid in one go: on the dossier's payments too.
        if let Some(amount_vnd) = d.payment_amount_vnd {
            payments::insert(
                conn,
                &Payment {
                    id: uuid::Uuid::now_v7().to_string(),
                    dossier_id: d.id.clone(),
                    amount_vnd,
                    channel,
                    receipt_number: receipt_number.trim().to_string(),
                    recorded_by: Some(staff.user_id.clone()),
                    gateway_transaction: None,
                    paid_at: now,
                    recorded_at: now,
                },
            )?;
        }
        event(
            conn,
            &d,
            EventKind::DossierPaid,
            &actor(staff),
            now,
            json!({
                "status_code": Status::Processing.code(),
                "amount_vnd": d.payment_amount_vnd,
                "receipt_number": receipt_number.trim(),
                "channel": channel,
            }),
        )?;
        lock(conn, code)
    })
}

/// The citizen withdraws the dossier (status 7), logged by the desk. A
/// group's last open member withdrawn ends the group.
pub fn withdraw(
    conn: &mut DbConnection,
    calendar: &WorkingCalendar,
    mail: &DeskMail,
    staff: &StaffMember,
    code: &str,
    reason: &str,
) -> Result<Dossier, ClockError> {
    if reason.trim().is_empty() {
        return Err(ClockError::invalid("reason", "is required"));
    }
    conn.write_tx(|conn| {
        let d = lock(conn, code)?;
        require_clerk_of(staff, &d, "log withdrawals")?;
        check_transition(d.status, Status::Withdrawn)?;
        let now = time::now();
        dossiers::set_status(conn, &d.id, Status::Withdrawn, now)?;
        dossiers::set_result_note(conn, &d.id, reason.trim())?;
        event(
            conn,
            &d,
            EventKind::DossierWithdrawn,
            &actor(staff),
            now,
            json!({"status_code": Status::Withdrawn.code(), "reason": reason.trim()}),
        )?;
        let d = lock(conn, code)?;
        motcua_sla::ops::group::child_ended(conn, calendar, mail, &d, &actor(staff), now)?;
        Ok(d)
    })
}

/// The desk returns the result (status 10), recording who collected it and
/// how, and confirms it to the citizen by mail.
pub fn returned(
    conn: &mut DbConnection,
    calendar: &WorkingCalendar,
    mail: &DeskMail,
    staff: &StaffMember,
    code: &str,
    collected_by: &str,
    method: &str,
) -> Result<Dossier, ClockError> {
    if collected_by.trim().is_empty() {
        return Err(ClockError::invalid("collected_by", "is required"));
    }
    let Some(method) = ReturnMethod::parse(method) else {
        return Err(ClockError::invalid(
            "method",
            "must be counter, post or online",
        ));
    };
    conn.write_tx(|conn| {
        let d = lock(conn, code)?;
        require_clerk_of(staff, &d, "return results")?;
        check_transition(d.status, Status::Returned)?;
        motcua_sla::ops::group::require_members_ended(conn, &d)?;
        let now = time::now();
        dossiers::set_returned(conn, &d.id, now, collected_by.trim(), method)?;
        dossiers::set_status(conn, &d.id, Status::Returned, now)?;
        event(
            conn,
            &d,
            EventKind::DossierReturned,
            &actor(staff),
            now,
            json!({"status_code": Status::Returned.code(), "collected_by": collected_by.trim(), "method": method.as_str()}),
        )?;
        // A group's result is its members' results: they go back together.
        for child in dossiers::children(conn, &d.id)? {
            if child.status == Status::Processed {
                dossiers::set_returned(conn, &child.id, now, collected_by.trim(), method)?;
                dossiers::set_status(conn, &child.id, Status::Returned, now)?;
                event(
                    conn,
                    &child,
                    EventKind::DossierReturned,
                    &actor(staff),
                    now,
                    json!({"status_code": Status::Returned.code(), "with_group": d.code}),
                )?;
            }
        }
        let d = lock(conn, code)?;
        let returned_at = d
            .returned_at
            .map(|t| format_local(calendar, t))
            .unwrap_or_default();
        mail.citizen(conn, Kind::Returned, &d, json!({"returned_at": returned_at}))?;
        Ok(d)
    })
}

/// Officers of the holding agency act on a dossier in processing.
pub fn officer_of(staff: &StaffMember, d: &Dossier) -> Result<(), ClockError> {
    require_officer_of(staff, d, "act on this dossier")
}

/// Assigns the dossier to an officer of the agency holding it. Officers of
/// that agency and supervisors (of it or above) assign; `None` clears it.
pub fn assign(
    conn: &mut DbConnection,
    staff: &StaffMember,
    code: &str,
    officer: Option<&motcua_store::users::User>,
    supervises_holder: bool,
) -> Result<Dossier, ClockError> {
    conn.write_tx(|conn| {
        let d = lock(conn, code)?;
        let allowed = match staff.role {
            Role::Officer => staff.agency.as_str() == d.handling_agency,
            Role::Supervisor => supervises_holder,
            Role::Admin | Role::Clerk => false,
        };
        if !allowed {
            return Err(ClockError::Forbidden(format!(
                "only officers of {} or their supervisors assign dossier {}",
                d.handling_agency, d.code
            )));
        }
        if !d.status.is_open() {
            return Err(ClockError::Conflict(format!("dossier {} is closed", d.code)));
        }
        if let Some(u) = officer {
            if u.role != Role::Officer || u.agency.as_str() != d.handling_agency || !u.active {
                return Err(ClockError::invalid(
                    "username",
                    format!("must be an active officer of {}", d.handling_agency),
                ));
            }
        }
        let now = time::now();
        dossiers::set_assigned(conn, &d.id, officer.map(|u| u.id.as_str()))?;
        event(
            conn,
            &d,
            EventKind::DossierAssigned,
            &actor(staff),
            now,
            json!({"assigned_to": officer.map(|u| &u.username), "name": officer.map(|u| &u.full_name)}),
        )?;
        lock(conn, code)
    })
}
