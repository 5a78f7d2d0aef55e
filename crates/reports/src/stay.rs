//! How a dossier stands, for a set of agencies and a period: how it came
//! to them (received there, carried over from before the period, or
//! handed in by another agency) and how it left them (handled there,
//! passed on to another agency, withdrawn) or that it was still with them
//! at the period's end.
//!
//! The set is one agency for a row of the report by agency, the agencies
//! of a subtree for a row by unit, and every agency reported on for the
//! total and the other rows. So a dossier handed from a commune to its
//! district counts once at each (received at the commune and passed on;
//! handed in at the district and handled there) and once in a total over
//! both (received and handled): never twice.

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

/// A dossier's stay with a set of agencies, as a period sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stay<'a> {
    pub entry: Entry,
    /// When it came to them (received or handed in), even before the
    /// period.
    pub entered_at: DateTime<Utc>,
    pub exit: Exit<'a>,
    /// When it left them, for a dossier handled or passed on.
    pub left_at: Option<DateTime<Utc>>,
}

/// One continuous stretch with the agencies: from `start` until a
/// handover out of them (`left`), or until the dossier's own end.
struct Piece<'a> {
    start: DateTime<Utc>,
    handed_in: bool,
    left: Option<(DateTime<Utc>, &'a str)>,
}

/// The dossier's stay with the agencies `within` accepts over `[from,
/// to)`, or `None` when it was not with them in the period.
pub fn stay<'a>(
    d: &'a ReportDossier,
    within: impl Fn(&str) -> bool,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Option<Stay<'a>> {
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
    let relevant = |p: &&Piece| {
        p.start < to
            && match p.left {
                Some((at, _)) => at >= from,
                None => !ended_before,
            }
    };
    let first = pieces.iter().find(relevant)?;
    let last = pieces.iter().rev().find(relevant)?;
    let entry = match (first.start >= from, first.handed_in) {
        (false, _) => Entry::CarriedOver,
        (true, false) => Entry::Received,
        (true, true) => Entry::HandedIn,
    };
    let within_period = |t: Option<DateTime<Utc>>| t.filter(|t| *t < to);
    let (exit, left_at) = match last.left {
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
    Some(Stay {
        entry,
        entered_at: first.start,
        exit,
        left_at,
    })
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
            channel: 1,
            status_code: 9,
            received_at: t(3),
            due_at: t(40),
            ended_at: ended.map(t),
            verdict: ended.map(|_| "on_time".into()),
            withdrawn_at: None,
            supplement_requests: 0,
            extended: false,
            group: None,
            officer: None,
            payment_channel: None,
        }
    }

    #[test]
    fn a_handed_dossier_is_passed_on_by_one_and_handled_by_the_other_and_once_by_both() {
        let d = handed(10, Some(20));
        let commune = stay(&d, |a| a == "commune", t(0), t(30)).unwrap();
        assert_eq!(commune.entry, Entry::Received);
        assert_eq!(commune.exit, Exit::PassedOn { verdict: "late" });
        assert_eq!(commune.left_at, Some(t(10)));
        let district = stay(&d, |a| a == "district", t(0), t(30)).unwrap();
        assert_eq!(district.entry, Entry::HandedIn);
        assert_eq!(district.entered_at, t(10));
        assert_eq!(
            district.exit,
            Exit::Handled {
                verdict: Some("on_time")
            }
        );
        let both = stay(&d, |_| true, t(0), t(30)).unwrap();
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
        assert_eq!(stay(&d, |a| a == "district", t(0), t(8)), None);
        // The month after it left, the commune does not either.
        assert_eq!(stay(&d, |a| a == "commune", t(12), t(30)), None);
        // The district carries it over and still has it.
        let later = stay(&d, |a| a == "district", t(12), t(30)).unwrap();
        assert_eq!(later.entry, Entry::CarriedOver);
        assert_eq!(later.exit, Exit::Open);
        // Still at the commune when a period ends before the handover.
        let early = stay(&d, |a| a == "commune", t(0), t(8)).unwrap();
        assert_eq!(early.exit, Exit::Open);
    }
}
