//! The legs a dossier travels: the receiving desk first, then the
//! procedure's process plan (or, without one, its own agency alone).

use chrono::{DateTime, Utc};
use motcua_calendar::WorkingCalendar;
use motcua_domain::{Procedure, Role, StatutoryDuration};

/// One stop on the dossier's way.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Leg {
    /// 0 is the receiving desk; 1.. are the plan's steps.
    pub index: i32,
    pub name: String,
    pub agency: String,
    pub role: Role,
    /// Percent of the statutory time; 0 for the desk (see [`leg_budget`]).
    pub share_percent: u32,
}

/// The legs of a dossier received at `receiving_agency` under `p`.
pub fn legs(p: &Procedure, receiving_agency: &str) -> Vec<Leg> {
    let mut out = vec![Leg {
        index: 0,
        name: "Tiếp nhận hồ sơ".into(),
        agency: receiving_agency.to_string(),
        role: Role::Clerk,
        share_percent: 0,
    }];
    if p.steps.is_empty() {
        out.push(Leg {
            index: 1,
            name: "Giải quyết hồ sơ".into(),
            agency: p.agency.to_string(),
            role: Role::Officer,
            share_percent: 100,
        });
    } else {
        out.extend(p.steps.iter().enumerate().map(|(i, s)| Leg {
            index: i as i32 + 1,
            name: s.name.clone(),
            agency: s.agency_code.clone(),
            role: s.role,
            share_percent: s.share_percent,
        }));
    }
    out
}

/// The legs of the dossier `d` under `p`: those of its receiving desk,
/// and for a dossier received at another desk than the competent one
/// (docs/desk.md, Intake at any desk) the competent agency's desk taking
/// it over as the first leg, with a desk's day like the receiving desk's.
pub fn legs_of(p: &Procedure, d: &motcua_domain::Dossier) -> Vec<Leg> {
    let mut out = legs(p, &d.receiving_agency);
    if let Some(competent) = &d.received_for {
        for leg in out.iter_mut().skip(1) {
            leg.index += 1;
        }
        out.insert(
            1,
            Leg {
                index: 1,
                name: "Tiếp nhận tại cơ quan có thẩm quyền (phi địa giới)".into(),
                agency: competent.clone(),
                role: Role::Clerk,
                share_percent: 0,
            },
        );
    }
    out
}

/// The working time a leg is given and when it is due.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LegBudget {
    pub seconds: i64,
    pub due: DateTime<Utc>,
}

/// The time of `leg`, which started at `started`, for a dossier received
/// at `received` with its statutory time ending at `original_due`, and to
/// be judged against `latest` (the appointment, moved by the time waited
/// for the citizen). A step of the plan gets its share of the statutory
/// time. The desk has no share: it hands the dossier on the day it
/// receives it, or by the close of the next working day when it received
/// it after 15:00 (Nghị định 61/2018/NĐ-CP, art. 19); a dossier sent back
/// to the desk is received there when the desk acknowledges it, so its
/// day counts from the leg's start. No leg is due after
/// the dossier itself: the desk of a two-hour procedure does not get a
/// working day, nor its agency two hours from a late handover.
pub fn leg_budget(
    calendar: &WorkingCalendar,
    leg: &Leg,
    received: DateTime<Utc>,
    original_due: DateTime<Utc>,
    latest: DateTime<Utc>,
    started: DateTime<Utc>,
) -> LegBudget {
    let due = if leg.share_percent == 0 {
        calendar.due_at(started, &StatutoryDuration::same_day(DESK_CUTOFF_MINUTE))
    } else {
        let total = calendar.working_seconds_between(received, original_due);
        calendar.add_working_seconds(started, total * i64::from(leg.share_percent) / 100)
    }
    .min(latest);
    LegBudget {
        seconds: calendar.working_seconds_between(started, due),
        due,
    }
}

/// 15:00, after which the desk may hand a dossier on the next working day.
const DESK_CUTOFF_MINUTE: u16 = 15 * 60;

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use motcua_calendar::{CalendarSettings, YearAdjustments};

    fn calendar() -> WorkingCalendar {
        WorkingCalendar::for_years(
            CalendarSettings::default(),
            2026..=2027,
            &YearAdjustments::vn_public_servants().unwrap(),
        )
    }

    fn local(cal: &WorkingCalendar, s: &str) -> DateTime<Utc> {
        cal.to_utc(s.parse().unwrap())
    }

    fn desk() -> Leg {
        Leg {
            index: 0,
            name: "Tiếp nhận hồ sơ".into(),
            agency: "H53.50.05.13".into(),
            role: Role::Clerk,
            share_percent: 0,
        }
    }

    #[test]
    fn the_desk_hands_on_the_same_day_or_the_next_after_three() {
        let cal = calendar();
        let far = local(&cal, "2026-12-31T17:00:00");
        // Tuesday 09:00: by Tuesday's close.
        let at = local(&cal, "2026-12-08T09:00:00");
        let b = leg_budget(&cal, &desk(), at, far, far, at);
        assert_eq!(b.due, local(&cal, "2026-12-08T17:00:00"));
        assert_eq!(b.seconds, 6 * 3600);
        // Friday 15:30: by Monday's close, past the weekend.
        let at = local(&cal, "2026-12-11T15:30:00");
        let b = leg_budget(&cal, &desk(), at, far, far, at);
        assert_eq!(b.due, local(&cal, "2026-12-14T17:00:00"));
        // Never after the dossier itself.
        let at = local(&cal, "2026-12-08T09:00:00");
        let two_hours = local(&cal, "2026-12-08T11:00:00");
        let b = leg_budget(&cal, &desk(), at, two_hours, two_hours, at);
        assert_eq!((b.due, b.seconds), (two_hours, 2 * 3600));
    }

    #[test]
    fn a_step_gets_its_share_of_the_statutory_time_within_the_appointment() {
        let cal = calendar();
        let step = Leg {
            share_percent: 50,
            index: 1,
            role: Role::Officer,
            ..desk()
        };
        let received = local(&cal, "2026-12-08T09:00:00");
        let due = cal.add_working_seconds(received, 10 * 8 * 3600);
        let b = leg_budget(&cal, &step, received, due, due, received);
        assert_eq!(b.seconds, 5 * 8 * 3600);
        // Started late, it still ends with the dossier.
        let late_start = cal.add_working_seconds(received, 8 * 8 * 3600);
        let b = leg_budget(&cal, &step, received, due, due, late_start);
        assert_eq!((b.due, b.seconds), (due, 2 * 8 * 3600));
    }
}
