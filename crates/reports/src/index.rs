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
    /// `satisfaction` or `digitisation`.
    #[schema(example = "on_time")]
    pub code: &'static str,
    #[schema(example = "Tiến độ giải quyết: tỷ lệ hồ sơ giải quyết trước và đúng hạn")]
    pub name: &'static str,
    #[schema(example = 87)]
    pub numerator: Option<u64>,
    #[schema(example = 90)]
    pub denominator: Option<u64>,
    /// numerator ÷ denominator in percent (for satisfaction, 100 − the
    /// parts); none when there is nothing to divide by or a part is
    /// missing.
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
    let lines = |rows: Vec<ResultsRow>| -> Vec<IndexLine> {
        rows.into_iter()
            .map(|r| line(r.key, r.label, &r.counts))
            .collect()
    };
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
    Ok(IndexReport {
        total: line(
            agency.clone().unwrap_or_default(),
            l.agency_name.clone(),
            &total,
        ),
        agency,
        agency_name: l.agency_name,
        period,
        as_of: l.span.as_of,
        agencies: lines(by_agency),
        procedures: lines(by_procedure),
    })
}

/// The measures of one line's counts.
pub fn line(key: String, label: String, c: &Counts) -> IndexLine {
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
        Measure {
            code: "digitisation",
            name: "Số hóa hồ sơ, kết quả giải quyết",
            numerator: None,
            denominator: None,
            percent: None,
            max_score: Some(DIGITISATION_POINTS),
            score: None,
            missing: vec!["digitised components and results (files kept with dossiers)"],
        },
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
/// rating). The late part is known (numerator and denominator given); the
/// ratings and complaints are not recorded yet, so no value is given.
fn satisfaction(c: &Counts) -> Measure {
    Measure {
        code: "satisfaction",
        name: "Mức độ hài lòng: 100% − (tỷ lệ hồ sơ trễ hạn + tỷ lệ hồ sơ có phản ánh, kiến nghị hoặc không hài lòng)",
        numerator: Some(c.handled_late),
        denominator: Some(c.handled),
        percent: None,
        max_score: Some(SATISFACTION_POINTS),
        score: None,
        missing: vec![
            "satisfaction ratings (recorded, not yet counted here)",
            "complaints and feedback",
        ],
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
            ..Counts::default()
        };
        let l = line("A".into(), "A".into(), &c);
        let m = |code: &str| l.measures.iter().find(|m| m.code == code).unwrap().clone();
        assert_eq!(m("on_time").percent, Some(75.0));
        assert_eq!(m("on_time").score, Some(15.0));
        assert_eq!(m("online").percent, Some(25.0));
        assert_eq!(m("online").score, Some(3.0));
        // Nothing paid: nothing to divide by, no score, not counted.
        assert_eq!(m("online_payment").percent, None);
        assert_eq!(m("supplement").percent, Some(10.0));
        assert_eq!(m("supplement").score, None);
        // Satisfaction gives its known part and names what is missing.
        assert_eq!(
            (m("satisfaction").numerator, m("satisfaction").denominator),
            (Some(1), Some(4))
        );
        assert_eq!(m("satisfaction").percent, None);
        assert!(!m("satisfaction").missing.is_empty());
        assert_eq!(l.score, 18.0);
        assert_eq!(l.scored_out_of, 32.0);
    }
}
