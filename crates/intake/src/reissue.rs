//! A new PIN for a citizen who lost the receipt: only the receiving desk
//! issues it, the old one stops working at once, and the event records who
//! did it (never the PIN).

use motcua_domain::EventKind;
use motcua_domain::StaffMember;
use motcua_store::events::{self, Actor, NewEvent};
use motcua_store::{dossiers, time, DbConnection};
use serde_json::json;

use crate::{IntakeError, PinHasher};

/// A dossier's code and its new PIN (shown once, to print).
#[derive(Debug, Clone)]
pub struct NewPin {
    pub code: String,
    pub pin: String,
}

pub fn reissue_pin(
    conn: &mut DbConnection,
    pins: &PinHasher,
    clerk: &StaffMember,
    code: &str,
) -> Result<NewPin, IntakeError> {
    conn.write_tx(|conn| {
        let d = dossiers::find_by_code(conn, code)?.ok_or(IntakeError::NoDossier)?;
        if d.receiving_agency != clerk.agency.as_str() {
            return Err(IntakeError::Forbidden(
                "only the receiving desk can reissue a PIN".into(),
            ));
        }
        let pin = PinHasher::generate();
        let now = time::now();
        dossiers::set_pin_hash(conn, &d.id, &pins.hash(&d.code, &pin), now)?;
        events::append(
            conn,
            &NewEvent {
                subject_type: "dossier",
                subject_id: &d.id,
                dossier_id: Some(&d.id),
                kind: EventKind::DossierPinReissued,
                actor: &Actor {
                    id: Some(clerk.user_id.clone()),
                    name: clerk.name.clone(),
                },
                at: now,
                data: json!({}),
            },
        )?;
        Ok(NewPin { code: d.code, pin })
    })
}
