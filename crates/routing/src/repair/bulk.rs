//! Moving many dossiers at once (docs/repairs.md, Bulk moves): an officer
//! leaves, an agency is split. A supervisor selects open dossiers by
//! filter, previews what would happen to each, and confirms with the
//! preview's token; the move is then made for every one of them in one
//! transaction, or for none.
//!
//! The preview runs the very same operation in a transaction it rolls
//! back, so what it says is what the confirmation does; the token is a
//! digest of the selection, the action and the reason, so a confirmation
//! whose selection changed in between (a dossier closed, another arrived)
//! is refused rather than applied to dossiers nobody saw.

use motcua_calendar::WorkingCalendar;
use motcua_domain::{Role, StaffMember};
use motcua_notify::DeskMail;
use motcua_sla::ops::{required_text, supervises};
use motcua_store::repair_selection::{self, Selection};
use motcua_store::DbConnection;
use sha2::{Digest, Sha256};

use super::reassign::{reassign_in, By, Reassignment};
use crate::ClockError;

/// At most this many dossiers move at once.
pub const MAX_DOSSIERS: usize = 500;

/// What happens, or would happen, to one selected dossier.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Line {
    pub code: String,
    /// Where it goes: the agency, or the officer's username.
    pub to: String,
    /// Why it cannot move, when it cannot.
    pub refused: Option<String>,
}

/// A preview, or what a confirmation did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    pub lines: Vec<Line>,
    /// Give it back to confirm exactly this move.
    pub token: String,
    /// Whether the move was made (a confirmation without refusals).
    pub applied: bool,
    /// The batch id every event of the move carries, once applied.
    pub batch: Option<String>,
}

/// What the preview's transaction ends with: its lines, always rolled back.
enum Tx {
    Rollback(Vec<Line>),
    Failed(ClockError),
}

impl From<motcua_store::DieselError> for Tx {
    fn from(e: motcua_store::DieselError) -> Self {
        Tx::Failed(e.into())
    }
}

impl From<ClockError> for Tx {
    fn from(e: ClockError) -> Self {
        Tx::Failed(e)
    }
}

/// Previews (`confirm` None) or makes (`confirm` the preview's token) a
/// bulk reassignment.
#[allow(clippy::too_many_arguments)]
pub fn reassign_many(
    conn: &mut DbConnection,
    calendar: &WorkingCalendar,
    mail: &DeskMail,
    staff: &StaffMember,
    selection: &Selection,
    to: &Reassignment,
    reason: &str,
    confirm: Option<&str>,
) -> Result<Outcome, ClockError> {
    let reason = required_text("reason", reason, 1000)?;
    if staff.role != Role::Supervisor {
        return Err(ClockError::Forbidden(
            "only supervisors move dossiers in bulk".into(),
        ));
    }
    if !supervises(conn, staff, &selection.agency)? {
        return Err(ClockError::Forbidden(format!(
            "agency {} is outside your agency {} and the agencies below it",
            selection.agency, staff.agency
        )));
    }
    let codes = repair_selection::codes(conn, selection, MAX_DOSSIERS as i64 + 1)?;
    if codes.is_empty() {
        return Err(ClockError::invalid("filter", "selects no open dossier"));
    }
    if codes.len() > MAX_DOSSIERS {
        return Err(ClockError::invalid(
            "filter",
            format!("selects more than {MAX_DOSSIERS} dossiers; narrow it"),
        ));
    }
    let target = match to {
        Reassignment::Agency(a) => a.clone(),
        Reassignment::Officer(u) => u.username.clone(),
    };
    let token = token_of(&codes, to, &target, &reason);
    let batch = uuid::Uuid::now_v7().to_string();
    let run = |conn: &mut DbConnection, batch: Option<&str>| -> Vec<Line> {
        codes
            .iter()
            .map(|code| {
                let by = By {
                    calendar,
                    mail,
                    staff,
                    reason: &reason,
                    batch,
                };
                let refused = conn
                    .write_tx(|conn| reassign_in(conn, by, code, to))
                    .err()
                    .map(|e| e.to_string());
                Line {
                    code: code.clone(),
                    to: target.clone(),
                    refused,
                }
            })
            .collect()
    };
    let Some(given) = confirm else {
        let lines = preview(conn, |conn| run(conn, None))?;
        return Ok(Outcome {
            lines,
            token,
            applied: false,
            batch: None,
        });
    };
    if given != token {
        return Err(ClockError::Conflict(
            "the selection changed since the preview (or this is not its token): preview again"
                .into(),
        ));
    }
    let applied = conn.write_tx(|conn| {
        let lines = run(conn, Some(&batch));
        if lines.iter().any(|l| l.refused.is_some()) {
            Err(Tx::Rollback(lines))
        } else {
            Ok(lines)
        }
    });
    match applied {
        Ok(lines) => Ok(Outcome {
            lines,
            token,
            applied: true,
            batch: Some(batch),
        }),
        Err(Tx::Rollback(lines)) => Ok(Outcome {
            lines,
            token,
            applied: false,
            batch: None,
        }),
        Err(Tx::Failed(e)) => Err(e),
    }
}

/// Runs `f` in a transaction that is always rolled back.
fn preview(
    conn: &mut DbConnection,
    f: impl FnOnce(&mut DbConnection) -> Vec<Line>,
) -> Result<Vec<Line>, ClockError> {
    match conn.write_tx(|conn| Err::<(), Tx>(Tx::Rollback(f(conn)))) {
        Err(Tx::Rollback(lines)) => Ok(lines),
        Err(Tx::Failed(e)) => Err(e),
        Ok(()) => Ok(Vec::new()),
    }
}

fn token_of(codes: &[String], to: &Reassignment, target: &str, reason: &str) -> String {
    let mut h = Sha256::new();
    let kind = match to {
        Reassignment::Agency(_) => "agency",
        Reassignment::Officer(_) => "officer",
    };
    for part in [kind, target, reason] {
        h.update(part.as_bytes());
        h.update([0]);
    }
    for c in codes {
        h.update(c.as_bytes());
        h.update([0]);
    }
    h.finalize()
        .iter()
        .take(16)
        .map(|b| format!("{b:02x}"))
        .collect()
}
