//! The fees and charges paid for each dossier (migration 20), one row per
//! payment as it is paid: written by the desk's payment operations and by
//! the payment gateway's notification, read by the staff view. An online
//! payment confirmed by the gateway keeps the gateway's transaction id,
//! unique, so a notification sent twice is recorded once.

use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;
use motcua_domain::PaymentChannel;
use serde::Serialize;

use crate::schema::payments;
use crate::time::{from_db, to_db};
use crate::{DbConnection, StoreError, StoreResult};

/// A payment as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Payment {
    pub id: String,
    pub dossier_id: String,
    pub amount_vnd: i64,
    pub channel: PaymentChannel,
    /// The receipt's or the transaction's number.
    pub receipt_number: String,
    /// The staff member who recorded it (a user id); none when the
    /// payment gateway did.
    pub recorded_by: Option<String>,
    /// The gateway's id of the transaction, when it confirmed the payment.
    pub gateway_transaction: Option<String>,
    pub paid_at: DateTime<Utc>,
    pub recorded_at: DateTime<Utc>,
}

#[derive(Queryable, Selectable)]
#[diesel(table_name = payments)]
struct Row {
    id: String,
    dossier_id: String,
    amount_vnd: i64,
    channel: String,
    receipt_number: String,
    recorded_by: Option<String>,
    gateway_transaction: Option<String>,
    paid_at: NaiveDateTime,
    recorded_at: NaiveDateTime,
}

impl Row {
    fn into_payment(self) -> StoreResult<Payment> {
        Ok(Payment {
            channel: PaymentChannel::parse(&self.channel)
                .map_err(|_| StoreError::Corrupt(format!("payment channel {:?}", self.channel)))?,
            id: self.id,
            dossier_id: self.dossier_id,
            amount_vnd: self.amount_vnd,
            receipt_number: self.receipt_number,
            recorded_by: self.recorded_by,
            gateway_transaction: self.gateway_transaction,
            paid_at: from_db(self.paid_at),
            recorded_at: from_db(self.recorded_at),
        })
    }
}

/// Records a payment. A gateway transaction already recorded is a
/// [`StoreError::Duplicate`] (callers look it up first with
/// [`by_transaction`]; the unique index settles a race between servers).
pub fn insert(conn: &mut DbConnection, p: &Payment) -> StoreResult<()> {
    diesel::insert_into(payments::table)
        .values((
            payments::id.eq(&p.id),
            payments::dossier_id.eq(&p.dossier_id),
            payments::amount_vnd.eq(p.amount_vnd),
            payments::channel.eq(p.channel.as_str()),
            payments::receipt_number.eq(&p.receipt_number),
            payments::recorded_by.eq(p.recorded_by.as_deref()),
            payments::gateway_transaction.eq(p.gateway_transaction.as_deref()),
            payments::paid_at.eq(to_db(p.paid_at)),
            payments::recorded_at.eq(to_db(p.recorded_at)),
        ))
        .execute(conn)?;
    Ok(())
}

/// A dossier's payments, oldest first.
pub fn for_dossier(conn: &mut DbConnection, dossier_id: &str) -> StoreResult<Vec<Payment>> {
    payments::table
        .filter(payments::dossier_id.eq(dossier_id))
        .order((payments::recorded_at.asc(), payments::id.asc()))
        .select(Row::as_select())
        .load(conn)?
        .into_iter()
        .map(Row::into_payment)
        .collect()
}

/// The payment the gateway confirmed with this transaction id, if any.
pub fn by_transaction(conn: &mut DbConnection, transaction: &str) -> StoreResult<Option<Payment>> {
    payments::table
        .filter(payments::gateway_transaction.eq(transaction))
        .select(Row::as_select())
        .get_result(conn)
        .optional()?
        .map(Row::into_payment)
        .transpose()
}

/// What was paid for a dossier since `since` (all when `None`), in đồng.
pub fn paid_since(
    conn: &mut DbConnection,
    dossier_id: &str,
    since: Option<DateTime<Utc>>,
) -> StoreResult<i64> {
    let mut q = payments::table
        .filter(payments::dossier_id.eq(dossier_id))
        .select(payments::amount_vnd)
        .into_boxed();
    if let Some(t) = since {
        q = q.filter(payments::recorded_at.ge(to_db(t)));
    }
    let amounts: Vec<i64> = q.load(conn)?;
    Ok(amounts.into_iter().fold(0i64, i64::saturating_add))
}
