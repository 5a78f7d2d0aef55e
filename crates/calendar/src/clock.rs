//! The deadline clock as a ledger (docs/time.md, The clock is a ledger): a dossier's clock is the
//! ordered list of what happened to it — started, paused for the citizen,
//! resumed or restarted, extended once — and every due time is derived
//! from that list and the calendar, never kept as the only truth.
//!
//! Deriving rather than storing means a calendar edit, a pause or an
//! extension can always say why the date is what it is: [`ClockState`]
//! carries one [`DueStep`] per change of the due time.

use chrono::{DateTime, Utc};
use motcua_domain::StatutoryDuration;
use serde::Serialize;

use crate::WorkingCalendar;

/// One entry of a dossier's clock ledger.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ClockEntry {
    /// The clock starts: the dossier was received (or accepted).
    Start { at: DateTime<Utc> },
    /// Waiting for the citizen's supplement: the clock stops.
    Pause { at: DateTime<Utc> },
    /// The supplement arrived: the clock runs on from where it stopped.
    Resume { at: DateTime<Utc> },
    /// The supplement arrived under a "restart" policy: the full statutory
    /// time runs again from here.
    Restart { at: DateTime<Utc> },
    /// The one extension: a new appointment, with an apology letter.
    Extension {
        at: DateTime<Utc>,
        new_due: DateTime<Utc>,
    },
    /// The dossier was found to be of another case of its procedure: the
    /// ledger is replayed with the new case's time limit (the one
    /// `derive` is given), from the start, and this entry marks when and
    /// why the appointment moved.
    CaseChanged { at: DateTime<Utc> },
    /// A supervisor corrected a wrong appointment (typed from paper,
    /// computed from a wrong case) with a reason and a decision: the
    /// appointment, and the verdict's measure with it, is the new time
    /// from here on; later pauses move it as they move any other.
    Correction {
        at: DateTime<Utc>,
        new_due: DateTime<Utc>,
    },
    /// The dossier was moved in from an older system (docs/import.md):
    /// the clock starts at its receipt there, `at`, with the appointment
    /// that system set, `due`, rather than one computed here. It takes
    /// the place of a `Start` as a ledger's first entry.
    Imported {
        at: DateTime<Utc>,
        due: DateTime<Utc>,
    },
}

impl ClockEntry {
    pub fn at(&self) -> DateTime<Utc> {
        match self {
            ClockEntry::Start { at }
            | ClockEntry::Pause { at }
            | ClockEntry::Resume { at }
            | ClockEntry::Restart { at }
            | ClockEntry::CaseChanged { at }
            | ClockEntry::Extension { at, .. }
            | ClockEntry::Correction { at, .. }
            | ClockEntry::Imported { at, .. } => *at,
        }
    }
}

/// Why the due time changed, for the history and the staff view.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DueCause {
    Received,
    Paused,
    Resumed,
    Restarted,
    Extended,
    CaseChanged,
    Corrected,
    /// The appointment the older system set, kept when the dossier was
    /// imported.
    Imported,
}

/// One change of the due time.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DueStep {
    pub at: DateTime<Utc>,
    pub cause: DueCause,
    /// The due time after this step (while paused: the due time frozen at
    /// the pause).
    pub due_at: DateTime<Utc>,
    /// Working seconds the step moved the due time by, where that applies.
    pub shift_seconds: Option<i64>,
}

/// What the ledger says now.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ClockState {
    /// The appointment as first computed at the start (or the last
    /// restart), with the current calendar.
    pub original_due: DateTime<Utc>,
    /// The current appointment: pauses and the extension applied. While
    /// paused, the due time as it stood when the clock stopped.
    pub due: DateTime<Utc>,
    /// The appointment the on-time verdict is measured against: the
    /// original one moved by the supplement waits, never by the extension.
    pub verdict_due: DateTime<Utc>,
    /// Set while waiting for the citizen.
    pub paused_since: Option<DateTime<Utc>>,
    /// Working seconds spent waiting for supplements (closed pauses).
    pub waited_seconds: i64,
    /// The extension's new appointment, if any.
    pub extended_to: Option<DateTime<Utc>>,
    pub steps: Vec<DueStep>,
}

/// Replays a ledger. Entries must be in the order they happened; the first
/// must be a `Start`, or an `Imported` that sets the appointment itself
/// (a ledger without either yields `None`).
pub fn derive(
    calendar: &WorkingCalendar,
    duration: &StatutoryDuration,
    entries: &[ClockEntry],
) -> Option<ClockState> {
    let mut iter = entries.iter();
    let (start, original, cause) = match iter.next()? {
        ClockEntry::Start { at } => (*at, calendar.due_at(*at, duration), DueCause::Received),
        ClockEntry::Imported { at, due } => (*at, *due, DueCause::Imported),
        _ => return None,
    };
    let mut state = ClockState {
        original_due: original,
        due: original,
        verdict_due: original,
        paused_since: None,
        waited_seconds: 0,
        extended_to: None,
        steps: vec![DueStep {
            at: start,
            cause,
            due_at: original,
            shift_seconds: None,
        }],
    };
    for entry in iter {
        match *entry {
            ClockEntry::Start { .. } | ClockEntry::Imported { .. } => {}
            ClockEntry::Pause { at } => {
                if state.paused_since.is_none() {
                    state.paused_since = Some(at);
                    state.steps.push(DueStep {
                        at,
                        cause: DueCause::Paused,
                        due_at: state.due,
                        shift_seconds: None,
                    });
                }
            }
            ClockEntry::Resume { at } => {
                let Some(paused) = state.paused_since.take() else {
                    continue;
                };
                let shift = calendar.working_seconds_between(paused, at);
                state.waited_seconds += shift;
                state.due = shift_by(calendar, state.due, shift);
                state.verdict_due = shift_by(calendar, state.verdict_due, shift);
                state.steps.push(DueStep {
                    at,
                    cause: DueCause::Resumed,
                    due_at: state.due,
                    shift_seconds: Some(shift),
                });
            }
            ClockEntry::Restart { at } => {
                if let Some(paused) = state.paused_since.take() {
                    state.waited_seconds += calendar.working_seconds_between(paused, at);
                }
                let due = calendar.due_at(at, duration);
                state.original_due = due;
                state.verdict_due = due;
                state.due = state.extended_to.map_or(due, |e| e.max(due));
                state.steps.push(DueStep {
                    at,
                    cause: DueCause::Restarted,
                    due_at: state.due,
                    shift_seconds: None,
                });
            }
            ClockEntry::CaseChanged { at } => {
                state.steps.push(DueStep {
                    at,
                    cause: DueCause::CaseChanged,
                    due_at: state.due,
                    shift_seconds: None,
                });
            }
            ClockEntry::Correction { at, new_due } => {
                let shift = if new_due >= state.due {
                    calendar.working_seconds_between(state.due, new_due)
                } else {
                    -calendar.working_seconds_between(new_due, state.due)
                };
                state.due = new_due;
                state.verdict_due = new_due;
                state.steps.push(DueStep {
                    at,
                    cause: DueCause::Corrected,
                    due_at: new_due,
                    shift_seconds: Some(shift),
                });
            }
            ClockEntry::Extension { at, new_due } => {
                state.extended_to = Some(new_due);
                state.due = new_due;
                state.steps.push(DueStep {
                    at,
                    cause: DueCause::Extended,
                    due_at: new_due,
                    shift_seconds: None,
                });
            }
        }
    }
    Some(state)
}

/// Moves a due time later by working seconds. A zero shift leaves it where
/// it is (adding zero would move an 11:30 due time to the 13:30 opening).
fn shift_by(calendar: &WorkingCalendar, due: DateTime<Utc>, seconds: i64) -> DateTime<Utc> {
    if seconds <= 0 {
        due
    } else {
        calendar.add_working_seconds(due, seconds)
    }
}

impl ClockState {
    /// Office time left until the current appointment at `now`: negative
    /// when overdue; frozen while paused.
    pub fn remaining_seconds(&self, calendar: &WorkingCalendar, now: DateTime<Utc>) -> i64 {
        let from = self.paused_since.unwrap_or(now);
        if from <= self.due {
            calendar.working_seconds_between(from, self.due)
        } else {
            -calendar.working_seconds_between(self.due, from)
        }
    }
}

pub use motcua_domain::Verdict;

/// Judging a verdict needs the calendar (the appointment's local day), so
/// it lives here, beside the clock, as a trait on the domain's [`Verdict`].
pub trait Judge {
    /// The verdict for processing that ended at `ended`, against the due
    /// time (the original appointment with supplement waits excluded):
    /// late after it; early when it ended on an earlier local day; on time
    /// on the appointment's day. `forced_late` is set when the dossier
    /// had a second supplement request (docs/desk.md, Supplements).
    fn judge(
        calendar: &WorkingCalendar,
        ended: DateTime<Utc>,
        due: DateTime<Utc>,
        forced_late: bool,
    ) -> Verdict;
}

impl Judge for Verdict {
    fn judge(
        calendar: &WorkingCalendar,
        ended: DateTime<Utc>,
        due: DateTime<Utc>,
        forced_late: bool,
    ) -> Verdict {
        if forced_late || ended > due {
            Verdict::Late
        } else if calendar.local_date(ended) < calendar.local_date(due) {
            Verdict::Early
        } else {
            Verdict::OnTime
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::CalendarSettings;
    use chrono::NaiveDate;

    fn cal() -> WorkingCalendar {
        WorkingCalendar::new(CalendarSettings::default())
    }

    fn vn(d: u32, h: u32, m: u32) -> DateTime<Utc> {
        cal().to_utc(
            NaiveDate::from_ymd_opt(2026, 10, d)
                .unwrap()
                .and_hms_opt(h, m, 0)
                .unwrap(),
        )
    }

    #[test]
    fn pause_and_resume_move_the_due_time_by_the_wait() {
        // Wed 7 Oct 10:00 + 3 working days → Mon 12 Oct 10:00.
        let d = StatutoryDuration::working_days(3);
        let entries = [
            ClockEntry::Start { at: vn(7, 10, 0) },
            ClockEntry::Pause { at: vn(8, 9, 0) },
            ClockEntry::Resume { at: vn(8, 15, 0) },
        ];
        let s = derive(&cal(), &d, &entries).unwrap();
        assert_eq!(s.original_due, vn(12, 10, 0));
        // 09:00-11:30 and 13:30-15:00 = 4 h of waiting.
        assert_eq!(s.waited_seconds, 4 * 3600);
        // Mon 10:00 + 4 h: 10:00-11:30, 13:30-16:00.
        assert_eq!(s.due, vn(12, 16, 0));
        assert_eq!(s.verdict_due, s.due);
        assert_eq!(s.steps.len(), 3);
    }

    #[test]
    fn while_paused_the_due_time_is_frozen() {
        let d = StatutoryDuration::working_days(1);
        let entries = [
            ClockEntry::Start { at: vn(7, 10, 0) },
            ClockEntry::Pause { at: vn(7, 11, 0) },
        ];
        let s = derive(&cal(), &d, &entries).unwrap();
        assert_eq!(s.paused_since, Some(vn(7, 11, 0)));
        assert_eq!(s.due, vn(8, 10, 0));
        // Remaining office time stays 7 h however long the wait.
        assert_eq!(s.remaining_seconds(&cal(), vn(20, 9, 0)), 7 * 3600);
    }

    #[test]
    fn restart_runs_the_full_time_again() {
        let d = StatutoryDuration::working_days(2);
        let entries = [
            ClockEntry::Start { at: vn(7, 10, 0) },
            ClockEntry::Pause { at: vn(7, 14, 0) },
            ClockEntry::Restart { at: vn(13, 8, 0) },
        ];
        let s = derive(&cal(), &d, &entries).unwrap();
        assert_eq!(s.due, vn(15, 8, 0));
        assert_eq!(s.original_due, vn(15, 8, 0));
        assert_eq!(s.paused_since, None);
    }

    #[test]
    fn the_extension_moves_the_appointment_but_not_the_verdict() {
        let d = StatutoryDuration::working_days(1);
        let entries = [
            ClockEntry::Start { at: vn(7, 10, 0) },
            ClockEntry::Extension {
                at: vn(7, 15, 0),
                new_due: vn(12, 17, 0),
            },
        ];
        let s = derive(&cal(), &d, &entries).unwrap();
        assert_eq!(s.due, vn(12, 17, 0));
        assert_eq!(s.verdict_due, vn(8, 10, 0));
        assert_eq!(s.extended_to, Some(vn(12, 17, 0)));
        // Finishing on the new appointment is still late.
        assert_eq!(
            Verdict::judge(&cal(), vn(12, 16, 0), s.verdict_due, false),
            Verdict::Late
        );
    }

    #[test]
    fn a_correction_moves_the_appointment_and_the_verdict_and_pauses_move_it_on() {
        // Wed 7 Oct 10:00 + 3 working days → Mon 12 Oct 10:00, corrected to
        // Wed 14 Oct 10:00 (two working days later), then a one-hour wait.
        let d = StatutoryDuration::working_days(3);
        let entries = [
            ClockEntry::Start { at: vn(7, 10, 0) },
            ClockEntry::Correction {
                at: vn(7, 11, 0),
                new_due: vn(14, 10, 0),
            },
            ClockEntry::Pause { at: vn(8, 9, 0) },
            ClockEntry::Resume { at: vn(8, 10, 0) },
        ];
        let s = derive(&cal(), &d, &entries).unwrap();
        assert_eq!(s.original_due, vn(12, 10, 0));
        assert_eq!(s.due, vn(14, 11, 0));
        assert_eq!(s.verdict_due, vn(14, 11, 0));
        let corrected = &s.steps[1];
        assert_eq!(corrected.cause, DueCause::Corrected);
        assert_eq!(corrected.due_at, vn(14, 10, 0));
        assert_eq!(corrected.shift_seconds, Some(2 * 8 * 3600));
        // An earlier correction shifts by a negative amount.
        let earlier = [
            ClockEntry::Start { at: vn(7, 10, 0) },
            ClockEntry::Correction {
                at: vn(7, 11, 0),
                new_due: vn(9, 10, 0),
            },
        ];
        let s = derive(&cal(), &d, &earlier).unwrap();
        assert_eq!(s.due, vn(9, 10, 0));
        assert_eq!(s.steps[1].shift_seconds, Some(-8 * 3600));
    }

    #[test]
    fn verdicts() {
        let due = vn(8, 10, 0);
        assert_eq!(
            Verdict::judge(&cal(), vn(7, 16, 0), due, false),
            Verdict::Early
        );
        assert_eq!(
            Verdict::judge(&cal(), vn(8, 9, 0), due, false),
            Verdict::OnTime
        );
        assert_eq!(
            Verdict::judge(&cal(), vn(8, 10, 0), due, false),
            Verdict::OnTime
        );
        assert_eq!(
            Verdict::judge(&cal(), vn(8, 10, 1), due, false),
            Verdict::Late
        );
        assert_eq!(
            Verdict::judge(&cal(), vn(7, 16, 0), due, true),
            Verdict::Late
        );
    }

    #[test]
    fn an_imported_ledger_keeps_the_old_appointment() {
        let d = StatutoryDuration::working_days(1);
        let due = vn(20, 16, 0);
        let s = derive(
            &cal(),
            &d,
            &[
                ClockEntry::Imported {
                    at: vn(7, 9, 0),
                    due,
                },
                ClockEntry::Pause { at: vn(8, 9, 0) },
            ],
        )
        .unwrap();
        assert_eq!((s.original_due, s.due, s.verdict_due), (due, due, due));
        assert_eq!(s.steps[0].cause, DueCause::Imported);
        assert_eq!(s.paused_since, Some(vn(8, 9, 0)));
    }

    #[test]
    fn a_ledger_must_start() {
        let d = StatutoryDuration::working_days(1);
        assert!(derive(&cal(), &d, &[]).is_none());
        assert!(derive(&cal(), &d, &[ClockEntry::Pause { at: vn(7, 9, 0) }]).is_none());
    }
}
