//! Which mail a change sends, written into the outbox in the same
//! transaction as the change (a change that rolls back sends nothing).
//! Citizens get mail only when they gave an address at intake; officers
//! when their account has one. Messages carry the dossier code and the
//! public look-up address without the PIN (the outbox keeps plain text).

use motcua_domain::Role;
use motcua_intake::receipt::{format_local, lookup_url};
use motcua_notify::{outbox, Kind, NewMessage, NotifyError};
use motcua_store::dossiers::Dossier;
use motcua_store::{users, DbConnection};
use serde_json::{json, Value};

use crate::error::ApiError;
use crate::state::AppState;

impl From<NotifyError> for ApiError {
    fn from(e: NotifyError) -> Self {
        match e {
            NotifyError::Store(s) => s.into(),
            NotifyError::NotRetryable(status) => ApiError::conflict(format!(
                "only failed messages can be retried; this one is {status}"
            )),
            other => {
                tracing::error!(error = %other, "could not write a message to the outbox");
                ApiError::internal()
            }
        }
    }
}

fn enqueue(conn: &mut DbConnection, msg: &NewMessage) -> Result<(), ApiError> {
    match outbox::add(conn, msg) {
        Ok(()) => Ok(()),
        // A mistyped address must not undo the desk's work.
        Err(NotifyError::InvalidAddress(e)) => {
            tracing::warn!(error = %e, "skipping mail to an invalid address");
            Ok(())
        }
        Err(e) => Err(e.into()),
    }
}

fn merge(mut base: Value, extra: Value) -> Value {
    if let (Some(b), Value::Object(e)) = (base.as_object_mut(), extra) {
        b.extend(e);
    }
    base
}

/// Mail to the applicant of a dossier (not to members of a group: the
/// citizen follows the group).
/// The receipt mail, the same for a counter intake and an accepted online
/// submission: the code, the received time and the appointment, the
/// look-up link (never the PIN).
pub fn receipt(
    conn: &mut DbConnection,
    state: &AppState,
    calendar: &motcua_calendar::WorkingCalendar,
    d: &Dossier,
) -> Result<(), ApiError> {
    citizen(
        conn,
        state,
        Kind::DossierReceived,
        d,
        json!({
            "received_at": motcua_intake::receipt::format_local(calendar, d.received_at),
            "appointment_at": motcua_intake::receipt::format_local(calendar, d.due_at),
        }),
    )
}

pub fn citizen(
    conn: &mut DbConnection,
    state: &AppState,
    kind: Kind,
    d: &Dossier,
    extra: Value,
) -> Result<(), ApiError> {
    let Some(email) = d.applicant_email.as_deref().filter(|e| !e.is_empty()) else {
        return Ok(());
    };
    if d.parent_id.is_some() {
        return Ok(());
    }
    let data = merge(
        json!({
            "code": d.code,
            "procedure_name": d.procedure_name,
            "lookup_url": lookup_url(&state.config.public_base_url, &d.code, None),
        }),
        extra,
    );
    enqueue(
        conn,
        &NewMessage::new(kind, email, data)
            .to_name(d.applicant_name.clone())
            .about_dossier(d.id.clone()),
    )
}

/// Mail to a citizen who filed online, before any dossier exists.
pub fn applicant(
    conn: &mut DbConnection,
    kind: Kind,
    email: Option<&str>,
    name: &str,
    data: Value,
) -> Result<(), ApiError> {
    let Some(email) = email.filter(|e| !e.is_empty()) else {
        return Ok(());
    };
    enqueue(
        conn,
        &NewMessage::new(kind, email, data).to_name(name.to_string()),
    )
}

/// Mail to every officer of an agency who has an address.
pub fn officers(
    conn: &mut DbConnection,
    state: &AppState,
    kind: Kind,
    agency: &str,
    d: &Dossier,
    extra: Value,
) -> Result<(), ApiError> {
    let calendar = state.calendar();
    for u in users::list(conn, Some(agency))? {
        let Some(email) = u.email.as_deref() else {
            continue;
        };
        if u.role != Role::Officer || !u.active {
            continue;
        }
        let data = merge(
            json!({
                "code": d.code,
                "procedure_name": d.procedure_name,
                "due_at": format_local(&calendar, d.due_at),
                "dossier_url": format!("{}/api/v1/dossiers/{}", state.config.public_base_url.trim_end_matches('/'), d.code),
            }),
            extra.clone(),
        );
        enqueue(
            conn,
            &NewMessage::new(kind, email, data)
                .to_name(u.full_name.clone())
                .about_dossier(d.id.clone()),
        )?;
    }
    Ok(())
}

/// The supervisors' daily digest: one message per supervisor with an
/// address, listing the breaches of their agency and those below it
/// recorded in the last day. Sent once per supervisor and local day, even
/// with several servers (a counter row marks it, in the same transaction).
pub fn daily_digests(conn: &mut DbConnection, state: &AppState) -> Result<usize, ApiError> {
    use motcua_store::breaches::{self, BreachFilter};
    let calendar = state.calendar();
    let now = motcua_store::time::now();
    let local = calendar.local(now);
    // From the configured morning hour, so the digest covers the night.
    let from =
        chrono::NaiveTime::from_hms_opt(state.config.digest_hour.min(23), 0, 0).unwrap_or_default();
    if local.time() < from {
        return Ok(0);
    }
    let day = local.date();
    let mut sent = 0;
    for u in users::list(conn, None)? {
        let Some(email) = u.email.clone() else {
            continue;
        };
        if u.role != Role::Supervisor || !u.active {
            continue;
        }
        let sent_one = conn.write_tx(|conn| -> Result<bool, ApiError> {
            let agencies = motcua_store::agencies::with_descendants(conn, u.agency.as_str())?;
            let (items, _) = breaches::list(
                conn,
                &BreachFilter {
                    agencies,
                    limit: 200,
                    ..BreachFilter::default()
                },
            )?;
            let since = now - chrono::Duration::days(1);
            let items: Vec<Value> = items
                .into_iter()
                .filter(|b| b.detected_at >= since)
                .map(|b| {
                    json!({
                        "code": b.dossier_code,
                        "kind": b.kind,
                        "due_at": format_local(&calendar, b.due_at),
                        "agency": b.agency_code,
                    })
                })
                .collect();
            if items.is_empty() {
                return Ok(false);
            }
            let marker = format!("digest:{}:{day}", u.id);
            if motcua_store::counters::next(conn, &marker)? != 1 {
                return Ok(false);
            }
            enqueue(
                conn,
                &NewMessage::new(
                    motcua_notify::Kind::BreachDigest,
                    email.clone(),
                    json!({
                        "date": day.format("%d/%m/%Y").to_string(),
                        "items": items,
                        "agency_name": u.agency.to_string(),
                        "list_url": format!("{}/api/v1/breaches", state.config.public_base_url.trim_end_matches('/')),
                    }),
                )
                .to_name(u.full_name.clone()),
            )?;
            Ok(true)
        })?;
        sent += usize::from(sent_one);
    }
    Ok(sent)
}
