//! Fees and charges paid for a dossier (docs/desk.md, Payment): each
//! payment is recorded as it is paid, with its amount, channel, receipt
//! number and who recorded it; a dossier waiting for a payment (status 6)
//! goes back to processing (4) once what was paid since the request
//! covers the amount asked. The desk records a payment; the payment
//! gateway confirms an online one with a signed notification (the route
//! checks the signature), recorded once however often it is sent.

use chrono::{DateTime, Utc};
use motcua_domain::{Dossier, EventKind, PaymentChannel, Role, StaffMember, Status};
use motcua_sla::ops::{actor, event, lock};
use motcua_sla::ClockError;
use motcua_store::events::{self, Actor};
use motcua_store::payments::{self, Payment};
use motcua_store::{dossiers, time, DbConnection};
use serde_json::json;

/// A payment to record.
#[derive(Debug, Clone)]
pub struct NewPayment {
    pub amount_vnd: i64,
    pub channel: PaymentChannel,
    pub receipt_number: String,
    /// When it was paid (the gateway's time for an online payment; now
    /// for one recorded at the desk).
    pub paid_at: DateTime<Utc>,
}

/// What recording a payment did.
#[derive(Debug, Clone)]
pub struct Recorded {
    pub dossier: Dossier,
    pub payment: Payment,
    /// The payment settled the amount asked: the dossier is back in
    /// processing.
    pub settled: bool,
    /// The gateway had already confirmed this transaction: nothing new
    /// was written.
    pub repeat: bool,
}

/// Largest amount of one payment, in đồng (a thousand billion).
pub const MAX_AMOUNT_VND: i64 = 1_000_000_000_000;

fn check(p: &NewPayment) -> Result<(), ClockError> {
    if p.amount_vnd <= 0 || p.amount_vnd > MAX_AMOUNT_VND {
        return Err(ClockError::invalid(
            "amount_vnd",
            "must be a positive amount in đồng, at most 1,000,000,000,000",
        ));
    }
    // A gateway's clock may run a little ahead of the desk's; a payment
    // dated later than that has not happened.
    if p.paid_at > time::now() + chrono::Duration::minutes(5) {
        return Err(ClockError::invalid("paid_at", "must not be in the future"));
    }
    let receipt = p.receipt_number.trim();
    if receipt.is_empty() || receipt.chars().count() > 64 {
        return Err(ClockError::invalid(
            "receipt_number",
            "must be given, at most 64 characters",
        ));
    }
    Ok(())
}

/// Payments are recorded by a clerk or an officer of the desk that
/// received the dossier or of the agency handling it.
pub fn require_payment_recorder(staff: &StaffMember, d: &Dossier) -> Result<(), ClockError> {
    let own = staff.agency.as_str();
    if !matches!(staff.role, Role::Clerk | Role::Officer)
        || (own != d.handling_agency && own != d.receiving_agency)
    {
        return Err(ClockError::Forbidden(
            "only the desk or the handling agency records a payment".into(),
        ));
    }
    Ok(())
}

/// The desk that received the dossier or the agency handling it records
/// a payment made while the dossier is open.
pub fn record(
    conn: &mut DbConnection,
    staff: &StaffMember,
    code: &str,
    p: &NewPayment,
) -> Result<Recorded, ClockError> {
    check(p)?;
    conn.write_tx(|conn| {
        let d = lock(conn, code)?;
        require_payment_recorder(staff, &d)?;
        write(conn, d, &actor(staff), Some(staff.user_id.clone()), None, p)
    })
}

/// The payment gateway confirms an online payment of transaction
/// `transaction`. A transaction already recorded is answered with its
/// payment and writes nothing (the gateway repeats a notification until
/// it is acknowledged).
pub fn confirm_online(
    conn: &mut DbConnection,
    code: &str,
    transaction: &str,
    p: &NewPayment,
) -> Result<Recorded, ClockError> {
    check(p)?;
    conn.write_tx(|conn| {
        let d = lock(conn, code)?;
        if let Some(payment) = payments::by_transaction(conn, transaction)? {
            if payment.dossier_id != d.id || payment.amount_vnd != p.amount_vnd {
                return Err(ClockError::Conflict(format!(
                    "transaction {transaction} was recorded for another dossier or amount"
                )));
            }
            return Ok(Recorded {
                dossier: d,
                payment,
                settled: false,
                repeat: true,
            });
        }
        let gateway = Actor {
            id: None,
            name: "Cổng thanh toán".into(),
        };
        write(conn, d, &gateway, None, Some(transaction.to_string()), p)
    })
}

fn write(
    conn: &mut DbConnection,
    d: Dossier,
    who: &Actor,
    recorded_by: Option<String>,
    transaction: Option<String>,
    p: &NewPayment,
) -> Result<Recorded, ClockError> {
    if d.status.is_final() {
        return Err(ClockError::Conflict(format!(
            "dossier {} is closed: no payment can be recorded",
            d.code
        )));
    }
    let now = time::now();
    let payment = Payment {
        id: uuid::Uuid::now_v7().to_string(),
        dossier_id: d.id.clone(),
        amount_vnd: p.amount_vnd,
        channel: p.channel,
        receipt_number: p.receipt_number.trim().to_string(),
        recorded_by,
        gateway_transaction: transaction,
        paid_at: p.paid_at,
        recorded_at: now,
    };
    payments::insert(conn, &payment)?;
    dossiers::set_paid(conn, &d.id, p.channel, p.paid_at)?;
    event(
        conn,
        &d,
        EventKind::DossierPaymentRecorded,
        who,
        now,
        json!({
            "amount_vnd": payment.amount_vnd,
            "channel": payment.channel,
            "receipt_number": payment.receipt_number,
            "gateway_transaction": payment.gateway_transaction,
            "paid_at": payment.paid_at,
        }),
    )?;
    let settled = d.status == Status::AwaitingPayment && covers_request(conn, &d)?;
    if settled {
        dossiers::set_status(conn, &d.id, Status::Processing, now)?;
        event(
            conn,
            &d,
            EventKind::DossierPaid,
            who,
            now,
            json!({
                "status_code": Status::Processing.code(),
                "amount_vnd": d.payment_amount_vnd,
                "receipt_number": payment.receipt_number,
                "channel": payment.channel,
            }),
        )?;
    }
    Ok(Recorded {
        dossier: lock(conn, &d.code)?,
        payment,
        settled,
        repeat: false,
    })
}

/// Does what was paid since the latest payment request cover its amount?
fn covers_request(conn: &mut DbConnection, d: &Dossier) -> Result<bool, ClockError> {
    let Some(asked) = d.payment_amount_vnd else {
        return Ok(false);
    };
    let requested_at = events::for_dossier(conn, &d.id)?
        .into_iter()
        .filter(|e| e.kind == EventKind::DossierPaymentRequested)
        .map(|e| e.at)
        .max();
    Ok(payments::paid_since(conn, &d.id, requested_at)? >= asked)
}
