//! Citizens' feedback and recommendations (phản ánh, kiến nghị): a citizen
//! sends it ([`send`]), the agency accepts or refuses it, may ask for more
//! information, answers it and publishes the answer ([`steps`]), each step
//! against its statutory limit in working days counted with the desk's
//! calendar; the breach scan records every step past its limit
//! ([`scan`]). Each operation is one transaction with its event and its
//! mail to the citizen (docs/feedback.md).
//!
//! A crate of its own rather than part of routing: feedback is not a
//! dossier (no status table, no clock ledger), and keeping it apart keeps
//! the dossier's operations small.

pub mod error;
mod mail;
pub mod scan;
pub mod send;
pub mod steps;

pub use error::{FeedbackError, FeedbackResult};

use chrono::{DateTime, Utc};
use motcua_calendar::WorkingCalendar;
use motcua_domain::feedback::Step;
use motcua_domain::StatutoryDuration;

/// When a step begun at `from` is due: its working days, counted as a
/// dossier's time is (docs/time.md).
pub fn due(calendar: &WorkingCalendar, from: DateTime<Utc>, step: Step) -> DateTime<Utc> {
    calendar.due_at(from, &StatutoryDuration::working_days(step.working_days()))
}
