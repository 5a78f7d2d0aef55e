//! The breach scan's part for feedback: every step owed past its limit is
//! recorded once (whichever server scans), with an event.

use chrono::{DateTime, Utc};
use motcua_domain::EventKind;
use motcua_store::events::{self, Actor, NewEvent};
use motcua_store::feedback::{self, Overdue};
use motcua_store::DbConnection;
use serde_json::json;

use crate::FeedbackResult;

/// Records the breaches of the steps owed and past due at `now`; returns
/// those recorded now.
pub fn scan(conn: &mut DbConnection, now: DateTime<Utc>) -> FeedbackResult<Vec<Overdue>> {
    conn.write_tx(|conn| {
        let recorded = feedback::record_overdue(conn, now)?;
        let actor = Actor::system("Hệ thống");
        for o in &recorded {
            events::append(
                conn,
                &NewEvent {
                    subject_type: "feedback",
                    subject_id: &o.feedback_id,
                    dossier_id: o.dossier_id.as_deref(),
                    kind: EventKind::FeedbackStepOverdue,
                    actor: &actor,
                    at: now,
                    data: json!({
                        "reference": o.reference,
                        "agency": o.agency_code,
                        "step": o.step.as_str(),
                        "due_at": o.due_at,
                    }),
                },
            )?;
        }
        Ok(recorded)
    })
}
