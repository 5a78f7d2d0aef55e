//! Which mail each change of the desk sends, and to whom. The operations
//! below the HTTP layer (intake, online decisions, the clock, routing, the
//! calendar edit, the breach scan) call these inside their own transaction,
//! so a change that rolls back sends nothing and no change can forget its
//! mail.
//!
//! Citizens get mail only when they gave an address; officers and
//! supervisors when their account has one. Messages carry the dossier code
//! and the public look-up address without the PIN (the outbox keeps plain
//! text). A mistyped citizen address never undoes the desk's work: the
//! message is skipped with a warning.

use motcua_calendar::{format_local, WorkingCalendar};
use motcua_domain::Dossier;
use motcua_domain::Role;
use motcua_store::{users, DbConnection};
use serde_json::{json, Value};

use crate::{outbox, Kind, NewMessage, NotifyError, NotifyResult};

/// The public look-up page of a dossier, with its code filled in (and the
/// PIN only where it is printed for its holder: the receipt's QR code).
pub fn lookup_url(base: &str, code: &str, pin: Option<&str>) -> String {
    let base = base.trim_end_matches('/');
    let mut query = form_urlencoded::Serializer::new(String::new());
    query.append_pair("code", code);
    if let Some(pin) = pin {
        query.append_pair("pin", pin);
    }
    format!("{base}/?{}", query.finish())
}

/// What the desk's mail needs to know of the deployment: the public
/// address its links start with. Cheap to clone; one per server.
#[derive(Debug, Clone)]
pub struct DeskMail {
    base_url: String,
}

impl DeskMail {
    pub fn new(public_base_url: &str) -> Self {
        DeskMail {
            base_url: public_base_url.trim_end_matches('/').to_string(),
        }
    }

    /// The public base address, without a trailing slash.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// The receipt mail, the same for a counter intake and an accepted
    /// online submission: the code, the received time and the
    /// appointment, the look-up link (never the PIN).
    pub fn receipt(
        &self,
        conn: &mut DbConnection,
        calendar: &WorkingCalendar,
        d: &Dossier,
    ) -> NotifyResult<()> {
        self.citizen(
            conn,
            Kind::DossierReceived,
            d,
            json!({
                "received_at": format_local(calendar, d.received_at),
                "appointment_at": format_local(calendar, d.due_at),
            }),
        )
    }

    /// Mail to the applicant of a dossier. Members of an interlinked group
    /// send none: the citizen follows the group.
    pub fn citizen(
        &self,
        conn: &mut DbConnection,
        kind: Kind,
        d: &Dossier,
        extra: Value,
    ) -> NotifyResult<()> {
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
                "lookup_url": lookup_url(&self.base_url, &d.code, None),
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
        &self,
        conn: &mut DbConnection,
        kind: Kind,
        email: Option<&str>,
        name: &str,
        data: Value,
    ) -> NotifyResult<()> {
        let Some(email) = email.filter(|e| !e.is_empty()) else {
            return Ok(());
        };
        enqueue(
            conn,
            &NewMessage::new(kind, email, data).to_name(name.to_string()),
        )
    }

    /// The public status address of an online submission.
    pub fn submission_url(&self, reference: &str) -> String {
        format!("{}/api/v1/public/submissions/{reference}", self.base_url)
    }

    /// Mail to every active officer of an agency who has an address.
    pub fn officers(
        &self,
        conn: &mut DbConnection,
        calendar: &WorkingCalendar,
        kind: Kind,
        agency: &str,
        d: &Dossier,
        extra: Value,
    ) -> NotifyResult<()> {
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
                    "due_at": format_local(calendar, d.due_at),
                    "dossier_url": format!("{}/api/v1/dossiers/{}", self.base_url, d.code),
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

    /// A message to one staff member (the supervisors' digest).
    pub fn staff(&self, conn: &mut DbConnection, msg: &NewMessage) -> NotifyResult<()> {
        enqueue(conn, msg)
    }
}

fn enqueue(conn: &mut DbConnection, msg: &NewMessage) -> NotifyResult<()> {
    match outbox::add(conn, msg) {
        Ok(()) => Ok(()),
        // A mistyped address must not undo the desk's work.
        Err(NotifyError::InvalidAddress(e)) => {
            tracing::warn!(error = %e, "skipping mail to an invalid address");
            Ok(())
        }
        Err(e) => Err(e),
    }
}

fn merge(mut base: Value, extra: Value) -> Value {
    if let (Some(b), Value::Object(e)) = (base.as_object_mut(), extra) {
        b.extend(e);
    }
    base
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lookup_url_includes_pin_only_when_given() {
        assert_eq!(
            lookup_url("http://x/", "A-260101-0001", None),
            "http://x/?code=A-260101-0001"
        );
        assert_eq!(
            lookup_url("http://x", "A-260101-0001", Some("ABC234")),
            "http://x/?code=A-260101-0001&pin=ABC234"
        );
    }
}
