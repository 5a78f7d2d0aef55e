//! The service-index metrics: the measures of the national index for
//! serving citizens and businesses (Decision 766/QĐ-TTg) that the desk's
//! own data supports, per agency and per procedure (docs/measures.md,
//! Service index). Each figure carries its numerator and denominator so a
//! supervisor can check it; a measure whose data the desk does not hold
//! yet says what is missing instead of inventing a value.
//!
//! The figures come from the results report's counts over the same
//! period: per agency from each agency's own stay with the dossiers, per
//! procedure and in the total from the dossiers once.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use motcua_calendar::WorkingCalendar;
use motcua_domain::Period;
use motcua_store::{DbConnection, StoreResult};
use serde::Serialize;
use utoipa::ToSchema;

use crate::counts::Counts;
use crate::results::{count, load, rolled, By, ResultsRow};

/// One measure of one line.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct Measure {
    /// `on_time`, `online`, `online_payment`, `supplement`, `extension`,
    /// `satisfaction`, `feedback_on_time`, `digitised_components` or
    /// `electronic_results`.
    #[schema(example = "on_time")]
    pub code: &'static str,
    #[schema(example = "Tiến độ giải quyết: tỷ lệ hồ sơ giải quyết trước và đúng hạn")]
    pub name: &'static str,
    #[schema(example = 87)]
    pub numerator: Option<u64>,
    #[schema(example = 90)]
    pub denominator: Option<u64>,
    /// numerator ÷ denominator in percent (for satisfaction, 100 − the
    /// parts in percent); none when there is nothing to divide by or the
    /// desk holds no data for the measure.
    #[schema(example = 96.67)]
    pub percent: Option<f64>,
    /// The points the measure weighs in the index; none for a measure the
    /// index does not score on its own.
    #[schema(example = 20.0)]
    pub max_score: Option<f64>,
    /// max_score × percent ÷ 100.
    #[schema(example = 19.33)]
    pub score: Option<f64>,
    /// What the desk does not hold yet to compute the measure whole.
    #[schema(example = json!(["citizens' ratings and complaints"]))]
    pub missing: Vec<&'static str>,
}

/// The measures of one agency, one procedure, or the total.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct IndexLine {
    #[schema(example = "H53.50")]
    pub key: String,
    #[schema(example = "Ủy ban nhân dân huyện Càng Long")]
    pub label: String,
    pub measures: Vec<Measure>,
    /// The sum of the scores computed, out of `scored_out_of` (the
    /// maxima of the measures that could be computed).
    #[schema(example = 31.5)]
    pub score: f64,
    #[schema(example = 42.0)]
    pub scored_out_of: f64,
}

/// The index for a period.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct IndexReport {
    #[schema(example = "H53.50")]
    pub agency: Option<String>,
    #[schema(example = "Ủy ban nhân dân huyện Càng Long")]
    pub agency_name: String,
    pub period: Period,
    /// When the figures were taken: the period's end, or now.
    #[schema(example = "2026-11-30T17:00:00Z")]
    pub as_of: DateTime<Utc>,
    pub agencies: Vec<IndexLine>,
    pub procedures: Vec<IndexLine>,
    pub total: IndexLine,
}

/// The points each scored measure weighs: the groups of the index that
/// dossier data decides. Kept in this one table so a province can set
/// them to the scoring guide it is judged by.
const ON_TIME_POINTS: f64 = 20.0;
const ONLINE_POINTS: f64 = 12.0;
const ONLINE_PAYMENT_POINTS: f64 = 10.0;
const SATISFACTION_POINTS: f64 = 18.0;
const DIGITISATION_POINTS: f64 = 22.0;

/// The index of `agencies` (named after `agency`) for `period`: from the
/// results report's roll-up where it can give both the rows by agency and
/// by procedure, from the dossiers (read once) otherwise.
pub fn index(
    conn: &mut DbConnection,
    calendar: &WorkingCalendar,
    agency: Option<String>,
    agencies: Vec<String>,
    period: Period,
) -> StoreResult<IndexReport> {
    let rolled = |conn: &mut DbConnection, by: By| {
        rolled(conn, calendar, agency.as_deref(), &agencies, &period, by)
    };
    let from_rollup = match rolled(conn, By::Agency)? {
        Some(by_agency) => rolled(conn, By::Procedure)?.map(|p| (by_agency, p.1)),
        None => None,
    };
    let (l, by_agency, by_procedure, total) = match from_rollup {
        Some(((l, by_agency, total, _), by_procedure)) => (l, by_agency, by_procedure, total),
        None => {
            let l = load(
                conn,
                calendar,
                agency.as_deref(),
                agencies.clone(),
                &period,
                By::Agency,
            )?;
            let count = |by: By| {
                count(
                    calendar,
                    &period,
                    l.span,
                    by,
                    &l.scope,
                    &l.dossiers,
                    &l.refusals,
                )
            };
            let (by_agency, total) = count(By::Agency);
            let (by_procedure, _) = count(By::Procedure);
            (l, by_agency, by_procedure, total)
        }
    };
    let (from, to) = (l.span.from, l.span.to);
    let handled = Extras::tally(
        motcua_store::feedback::closed_in(conn, &agencies, from, to)?,
        motcua_store::files::components_digitised(conn, &agencies, from, to)?,
        motcua_store::files::results_digitised(conn, &agencies, from, to)?,
    );
    let agencies_lines = lines(conn, by_agency, &handled.by_agency, Named::Agency)?;
    let procedure_lines = lines(conn, by_procedure, &handled.by_procedure, Named::Procedure)?;
    Ok(IndexReport {
        total: line(
            agency.clone().unwrap_or_default(),
            l.agency_name.clone(),
            &total,
            handled.total,
        ),
        agency,
        agency_name: l.agency_name,
        period,
        as_of: l.span.as_of,
        agencies: agencies_lines,
        procedures: procedure_lines,
    })
}

/// What the keys of a list of lines name.
#[derive(Clone, Copy)]
enum Named {
    Agency,
    Procedure,
}

/// The lines of the rows, each with its feedback handled and its
/// digitisation, and a line for every agency or procedure that closed
/// feedback in the period without a dossier to count (its dossier
/// figures all zero).
fn lines(
    conn: &mut DbConnection,
    rows: Vec<ResultsRow>,
    handled: &HashMap<String, Extra>,
    named: Named,
) -> StoreResult<Vec<IndexLine>> {
    let mut out: Vec<IndexLine> = Vec::with_capacity(rows.len());
    let mut seen = std::collections::HashSet::new();
    for r in rows {
        let fb = handled.get(&r.key).copied().unwrap_or_default();
        seen.insert(r.key.clone());
        out.push(line(r.key, r.label, &r.counts, fb));
    }
    let mut rest: Vec<(&String, &Extra)> =
        handled.iter().filter(|(k, _)| !seen.contains(*k)).collect();
    rest.sort_by_key(|(k, _)| *k);
    for (key, fb) in rest {
        let label = match named {
            Named::Agency => motcua_store::agencies::get(conn, key)?.map(|a| a.name),
            Named::Procedure => motcua_store::procedures::get(conn, key)?.map(|p| p.name),
        };
        let label = label.unwrap_or_else(|| key.clone());
        out.push(line(key.clone(), label, &Counts::default(), *fb));
    }
    Ok(out)
}

/// Feedback closed in the period (refused or its answer published), and
/// of those, handled with every step within its limit.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Handled {
    pub closed: u64,
    pub on_time: u64,
}

/// Part of a whole: dossiers digitised of the dossiers counted.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Share {
    pub part: u64,
    pub of: u64,
}

/// What a line counts besides the results report's counts: its feedback
/// handled, and its digitisation (dossiers received with every required
/// component as a file; dossiers finished with an electronic result).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Extra {
    pub feedback: Handled,
    pub components: Share,
    pub results: Share,
}

/// The extras by agency, by procedure and in all.
struct Extras {
    by_agency: HashMap<String, Extra>,
    by_procedure: HashMap<String, Extra>,
    total: Extra,
}

impl Extras {
    fn tally(
        closed: Vec<(String, Option<String>, bool)>,
        components: Vec<motcua_store::files::DigitisedCount>,
        results: Vec<motcua_store::files::DigitisedCount>,
    ) -> Extras {
        let mut out = Extras {
            by_agency: HashMap::new(),
            by_procedure: HashMap::new(),
            total: Extra::default(),
        };
        for (agency, procedure, on_time) in closed {
            let add = |e: &mut Extra| {
                e.feedback.closed += 1;
                e.feedback.on_time += u64::from(on_time);
            };
            add(out.by_agency.entry(agency).or_default());
            if let Some(p) = procedure {
                add(out.by_procedure.entry(p).or_default());
            }
            add(&mut out.total);
        }
        let mut count = |rows: Vec<motcua_store::files::DigitisedCount>,
                         pick: fn(&mut Extra) -> &mut Share| {
            for r in rows {
                let (part, of) = (
                    u64::try_from(r.digitised).unwrap_or(0),
                    u64::try_from(r.total).unwrap_or(0),
                );
                for e in [
                    out.by_agency.entry(r.agency_code.clone()).or_default(),
                    out.by_procedure
                        .entry(r.procedure_code.clone())
                        .or_default(),
                    &mut out.total,
                ] {
                    let s = pick(e);
                    s.part += part;
                    s.of += of;
                }
            }
        };
        count(components, |e| &mut e.components);
        count(results, |e| &mut e.results);
        out
    }
}

/// The measures of one line's counts and its extras.
pub fn line(key: String, label: String, c: &Counts, extra: Extra) -> IndexLine {
    let feedback = extra.feedback;
    let measures = vec![
        ratio(
            "on_time",
            "Tiến độ giải quyết: tỷ lệ hồ sơ giải quyết trước và đúng hạn",
            c.handled_early + c.handled_on_time,
            c.handled,
            Some(ON_TIME_POINTS),
        ),
        ratio(
            "online",
            "Dịch vụ công trực tuyến: tỷ lệ hồ sơ tiếp nhận trực tuyến",
            c.received_online,
            c.received,
            Some(ONLINE_POINTS),
        ),
        ratio(
            "online_payment",
            "Thanh toán trực tuyến: tỷ lệ hồ sơ nộp phí, lệ phí trực tuyến",
            c.paid_online,
            c.paid,
            Some(ONLINE_PAYMENT_POINTS),
        ),
        ratio(
            "supplement",
            "Tỷ lệ hồ sơ phải yêu cầu bổ sung",
            c.supplemented,
            c.to_handle,
            None,
        ),
        ratio(
            "extension",
            "Tỷ lệ hồ sơ gia hạn (có thư xin lỗi)",
            c.extensions,
            c.to_handle,
            None,
        ),
        satisfaction(c),
        ratio(
            "feedback_on_time",
            "Tỷ lệ phản ánh, kiến nghị được xử lý đúng hạn",
            feedback.on_time,
            feedback.closed,
            None,
        ),
        ratio(
            "digitised_components",
            "Số hóa hồ sơ: tỷ lệ hồ sơ tiếp nhận có đủ thành phần hồ sơ được số hóa",
            extra.components.part,
            extra.components.of,
            Some(DIGITISATION_POINTS / 2.0),
        ),
        ratio(
            "electronic_results",
            "Số hóa kết quả: tỷ lệ hồ sơ giải quyết có kết quả điện tử",
            extra.results.part,
            extra.results.of,
            Some(DIGITISATION_POINTS / 2.0),
        ),
    ];
    let scored = measures.iter().filter_map(|m| m.score.zip(m.max_score));
    let (score, out_of) = scored.fold((0.0, 0.0), |(s, o), (x, m)| (s + x, o + m));
    IndexLine {
        key,
        label,
        measures,
        score: round2(score),
        scored_out_of: out_of,
    }
}

fn ratio(
    code: &'static str,
    name: &'static str,
    numerator: u64,
    denominator: u64,
    max_score: Option<f64>,
) -> Measure {
    let percent = (denominator > 0).then(|| round2(100.0 * numerator as f64 / denominator as f64));
    Measure {
        code,
        name,
        numerator: Some(numerator),
        denominator: Some(denominator),
        percent,
        max_score,
        score: max_score.zip(percent).map(|(m, p)| round2(m * p / 100.0)),
        missing: Vec::new(),
    }
}

/// 100 % − (late % + % of dossiers with a complaint or a dissatisfied
/// rating), both over the dossiers handled: the numerator is the parts
/// (handled late, plus rated not satisfied or complained about), so a
/// dossier both late and rated badly weighs twice, as the formula has it.
/// Never below zero.
fn satisfaction(c: &Counts) -> Measure {
    let parts = c.handled_late + c.dissatisfied;
    let percent =
        (c.handled > 0).then(|| round2((100.0 - 100.0 * parts as f64 / c.handled as f64).max(0.0)));
    Measure {
        code: "satisfaction",
        name: "Mức độ hài lòng: 100% − (tỷ lệ hồ sơ trễ hạn + tỷ lệ hồ sơ có phản ánh, kiến nghị hoặc không hài lòng)",
        numerator: Some(parts),
        denominator: Some(c.handled),
        percent,
        max_score: Some(SATISFACTION_POINTS),
        score: percent.map(|p| round2(SATISFACTION_POINTS * p / 100.0)),
        missing: Vec::new(),
    }
}

fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_measure_is_its_numerator_over_its_denominator_and_scores_its_share() {
        let c = Counts {
            to_handle: 10,
            received: 8,
            received_online: 2,
            handled: 4,
            handled_early: 1,
            handled_on_time: 2,
            handled_late: 1,
            supplemented: 1,
            paid: 0,
            rated: 3,
            rated_not_satisfied: 1,
            dissatisfied: 1,
            ..Counts::default()
        };
        let fb = Handled {
            closed: 4,
            on_time: 3,
        };
        let extra = Extra {
            feedback: fb,
            components: Share { part: 1, of: 4 },
            results: Share { part: 0, of: 0 },
        };
        let l = line("A".into(), "A".into(), &c, extra);
        let m = |code: &str| l.measures.iter().find(|m| m.code == code).unwrap().clone();
        assert_eq!(m("on_time").percent, Some(75.0));
        assert_eq!(m("on_time").score, Some(15.0));
        assert_eq!(m("online").percent, Some(25.0));
        assert_eq!(m("online").score, Some(3.0));
        // Nothing paid: nothing to divide by, no score, not counted.
        assert_eq!(m("online_payment").percent, None);
        assert_eq!(m("supplement").percent, Some(10.0));
        assert_eq!(m("supplement").score, None);
        // Satisfaction: 100 − (1 late of 4 + 1 not satisfied of 4).
        assert_eq!(
            (m("satisfaction").numerator, m("satisfaction").denominator),
            (Some(2), Some(4))
        );
        assert_eq!(m("satisfaction").percent, Some(50.0));
        assert_eq!(m("satisfaction").score, Some(9.0));
        assert_eq!(m("feedback_on_time").percent, Some(75.0));
        assert_eq!(m("feedback_on_time").score, None);
        // A quarter of the dossiers received came with every component as
        // a file; nothing finished yet, so no share of electronic results.
        assert_eq!(m("digitised_components").percent, Some(25.0));
        assert_eq!(m("digitised_components").score, Some(2.75));
        assert_eq!(m("electronic_results").percent, None);
        assert_eq!(l.score, 29.75);
        assert_eq!(l.scored_out_of, 61.0);
    }
}
