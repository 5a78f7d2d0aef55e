//! How a dossier stands, for a set of agencies and a period: each stretch
//! it spent with them (a stay), how it came to them (received there,
//! carried over from before the period, or handed in by another agency)
//! and how it left them (handled there, passed on to another agency,
//! withdrawn) or that it was still with them at the period's end.
//!
//! The set is one agency for a row of the report by agency, the agencies
//! of a subtree for a row by unit, and every agency reported on for the
//! total and the other rows. So a dossier handed from a commune to its
//! district counts once at each (received at the commune and passed on;
//! handed in at the district and handled there) and once in a total over
//! both (received and handled): never twice.
//!
//! A dossier sent back to agencies it had left comes to them again: each
//! stretch is a stay of its own (handed in, and handled or passed on once
//! more). Counting stretches rather than dossiers is what makes a period
//! the sum of its months: each stay begins once and ends once, so what
//! comes and goes in a quarter is what comes and goes in its months.

use chrono::{DateTime, Utc};
use motcua_store::reports::ReportDossier;

/// How the dossier came to the agencies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Entry {
    /// Already with them when the period began.
    CarriedOver,
    /// Received by them in the period.
    Received,
    /// Handed to them by another agency in the period.
    HandedIn,
}

/// How the dossier left the agencies, if it did in the period.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit<'a> {
    /// Its processing ended with them: processed or stopped, with the
    /// dossier's verdict.
    Handled { verdict: Option<&'a str> },
    /// Sent to another agency, with the verdict of the leg it ended.
    PassedOn { verdict: &'a str },
    /// Withdrawn by the citizen.
    Withdrawn,
    /// Still with them at the period's end.
    Open,
}

/// One stretch of a dossier with a set of agencies, as a period sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stay<'a> {
    pub entry: Entry,
    /// When it came to them (received or handed in), even before the
    /// period.
    pub entered_at: DateTime<Utc>,
    pub exit: Exit<'a>,
    /// When it left them, for a dossier handled or passed on.
    pub left_at: Option<DateTime<Utc>>,
    /// When the stretch ends, even after the period: handed out of the
    /// agencies; `None` for the dossier's last stretch with them. What
    /// happens to the dossier in `[entered_at, until)` happens at them.
    pub until: Option<DateTime<Utc>>,
}

impl Stay<'_> {
    /// Whether `at` falls in this stretch and in `[from, to)`.
    pub fn holds(&self, at: DateTime<Utc>, from: DateTime<Utc>, to: DateTime<Utc>) -> bool {
        at >= from && at < to && at >= self.entered_at && self.until.is_none_or(|u| at < u)
    }
}

/// One continuous stretch with the agencies: from `start` until a
/// handover out of them (`left`), or until the dossier's own end.
struct Piece<'a> {
    start: DateTime<Utc>,
    handed_in: bool,
    left: Option<(DateTime<Utc>, &'a str)>,
}

/// The dossier's stays with the agencies `within` accepts that concern
/// `[from, to)`, in order; none when it was not with them in the period.
pub fn stays<'a>(
    d: &'a ReportDossier,
    within: impl Fn(&str) -> bool,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Vec<Stay<'a>> {
    let mut pieces: Vec<Piece<'a>> = Vec::new();
    if within(&d.first_agency) {
        pieces.push(Piece {
            start: d.received_at,
            handed_in: false,
            left: None,
        });
    }
    for m in &d.moves {
        match (within(&m.from_agency), within(&m.to_agency)) {
            (true, false) => {
                if let Some(p) = pieces.last_mut().filter(|p| p.left.is_none()) {
                    p.left = Some((m.at, &m.leg_verdict));
                }
            }
            (false, true) => pieces.push(Piece {
                start: m.at,
                handed_in: true,
                left: None,
            }),
            _ => {}
        }
    }
    let before = |t: Option<DateTime<Utc>>| t.is_some_and(|t| t < from);
    let ended_before = before(d.ended_at) || before(d.withdrawn_at);
    let within_period = |t: Option<DateTime<Utc>>| t.filter(|t| *t < to);
    pieces
        .iter()
        .filter(|p| {
            p.start < to
                && match p.left {
                    Some((at, _)) => at >= from,
                    None => !ended_before,
                }
        })
        .map(|p| {
            let entry = match (p.start >= from, p.handed_in) {
                (false, _) => Entry::CarriedOver,
                (true, false) => Entry::Received,
                (true, true) => Entry::HandedIn,
            };
            let (exit, left_at) = match p.left {
                Some((at, verdict)) if at < to => (Exit::PassedOn { verdict }, Some(at)),
                Some(_) => (Exit::Open, None),
                None => match (within_period(d.ended_at), within_period(d.withdrawn_at)) {
                    (Some(at), _) => (
                        Exit::Handled {
                            verdict: d.verdict.as_deref(),
                        },
                        Some(at),
                    ),
                    (None, Some(_)) => (Exit::Withdrawn, None),
                    (None, None) => (Exit::Open, None),
                },
            };
            Stay {
                entry,
                entered_at: p.start,
                exit,
                left_at,
                until: p.left.map(|(at, _)| at),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{Duration, TimeZone};
    use motcua_store::reports::Move;

    fn t(day: i64) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 1, 2, 0, 0).unwrap() + Duration::days(day)
    }

    /// Received at the commune on day 3, passed to the district on day
    /// `sent`, processed there on day `ended`.
    fn handed(sent: i64, ended: Option<i64>) -> ReportDossier {
        ReportDossier {
            id: "d".into(),
            code: "d".into(),
            handling_agency: "district".into(),
            first_agency: "commune".into(),
            moves: vec![Move {
                from_agency: "commune".into(),
                to_agency: "district".into(),
                at: t(sent),
                leg_verdict: "late".into(),
            }],
            procedure_code: "P".into(),
            procedure_name: "P".into(),
            field: "F".into(),
            service_level: "not_online".into(),
            case_key: String::new(),
            case_label: String::new(),
            channel: 1,
            status_code: 9,
            received_at: t(3),
            due_at: t(40),
            ended_at: ended.map(t),
            verdict: ended.map(|_| "on_time".into()),
            withdrawn_at: None,
            supplement_requests: Vec::new(),
            extended_at: None,
            follower: false,
            officer: None,
            rating: None,
            complained: false,
            payment_channel: None,
            paid_at: None,
            represented: false,
            return_method: None,
        }
    }

    fn one<'a>(
        d: &'a ReportDossier,
        agency: &str,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Option<Stay<'a>> {
        let all = stays(d, |a| a == agency || agency == "*", from, to);
        assert!(all.len() <= 1, "{all:?}");
        all.first().copied()
    }

    #[test]
    fn a_handed_dossier_is_passed_on_by_one_and_handled_by_the_other_and_once_by_both() {
        let d = handed(10, Some(20));
        let commune = one(&d, "commune", t(0), t(30)).unwrap();
        assert_eq!(commune.entry, Entry::Received);
        assert_eq!(commune.exit, Exit::PassedOn { verdict: "late" });
        assert_eq!(commune.left_at, Some(t(10)));
        let district = one(&d, "district", t(0), t(30)).unwrap();
        assert_eq!(district.entry, Entry::HandedIn);
        assert_eq!(district.entered_at, t(10));
        assert_eq!(
            district.exit,
            Exit::Handled {
                verdict: Some("on_time")
            }
        );
        let both = one(&d, "*", t(0), t(30)).unwrap();
        assert_eq!(both.entry, Entry::Received);
        assert_eq!(both.entered_at, t(3));
        assert_eq!(
            both.exit,
            Exit::Handled {
                verdict: Some("on_time")
            }
        );
    }

    #[test]
    fn periods_cut_the_stay() {
        let d = handed(10, None);
        // Before it reached the district, the district does not see it.
        assert_eq!(one(&d, "district", t(0), t(8)), None);
        // The month after it left, the commune does not either.
        assert_eq!(one(&d, "commune", t(12), t(30)), None);
        // The district carries it over and still has it.
        let later = one(&d, "district", t(12), t(30)).unwrap();
        assert_eq!(later.entry, Entry::CarriedOver);
        assert_eq!(later.exit, Exit::Open);
        // Still at the commune when a period ends before the handover.
        let early = one(&d, "commune", t(0), t(8)).unwrap();
        assert_eq!(early.exit, Exit::Open);
        assert_eq!(early.until, Some(t(10)));
    }

    #[test]
    fn a_dossier_sent_back_stays_twice() {
        let mut d = handed(10, Some(25));
        d.moves.push(Move {
            from_agency: "district".into(),
            to_agency: "commune".into(),
            at: t(15),
            leg_verdict: "on_time".into(),
        });
        let commune = stays(&d, |a| a == "commune", t(0), t(30));
        assert_eq!(commune.len(), 2);
        assert_eq!(
            (commune[0].entry, commune[0].exit),
            (Entry::Received, Exit::PassedOn { verdict: "late" })
        );
        assert_eq!(
            (commune[1].entry, commune[1].exit),
            (
                Entry::HandedIn,
                Exit::Handled {
                    verdict: Some("on_time")
                }
            )
        );
        assert!(commune[0].holds(t(9), t(0), t(30)) && !commune[0].holds(t(12), t(0), t(30)));
        assert!(commune[1].holds(t(20), t(0), t(30)) && !commune[1].holds(t(20), t(0), t(19)));
        // Over both agencies it is one stay.
        assert_eq!(stays(&d, |_| true, t(0), t(30)).len(), 1);
        // A period after it came back sees only the second.
        let later = stays(&d, |a| a == "commune", t(12), t(30));
        assert_eq!(later.len(), 1);
        assert_eq!(later[0].entry, Entry::HandedIn);
    }
}
