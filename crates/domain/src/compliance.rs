//! What complying with a procedure costs the people who use it, by the
//! reform plan's method (docs/catalogue.md, Compliance cost): the time a
//! citizen spends preparing each document, travelling to the desk and
//! waiting there, and collecting the result, valued at an average hourly
//! income; plus the fees and charges, outside services (notarisation,
//! copies, post) and other costs. Pure arithmetic, so each rule is tested
//! here; the API adds the desk's own count of dossiers for the yearly cost.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::{FieldError, Procedure};

/// The most minutes any one activity may take (a month of full days).
pub const MAX_MINUTES: u32 = 30 * 24 * 60;
/// The most trips to the desk one dossier may need.
pub const MAX_VISITS: u32 = 20;
/// The most outside services or other costs a procedure may list.
pub const MAX_ITEMS: usize = 20;
/// The largest amount of money, in đồng, any input may carry.
pub const MAX_VND: i64 = 1_000_000_000_000;

/// The time to prepare one document of the procedure's list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct DocumentTime {
    /// The document's code on the procedure's list.
    #[schema(max_length = 40, example = "TK")]
    pub code: String,
    /// Minutes to obtain or fill it in.
    #[schema(minimum = 0, maximum = 43200, example = 30)]
    pub minutes: u32,
}

/// A cost paid in money besides the fees.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct CostItem {
    #[schema(max_length = 200, example = "Chứng thực bản sao")]
    pub name: String,
    #[schema(minimum = 0, maximum = 1e12, example = 4000)]
    pub amount_vnd: i64,
}

/// What an administrator enters for one version of a procedure.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, ToSchema)]
pub struct ComplianceInputs {
    /// Minutes to prepare each document, by its code; a listed document
    /// left out takes none.
    #[serde(default)]
    #[schema(max_items = 100)]
    pub documents: Vec<DocumentTime>,
    /// Trips to the desk a dossier takes (filing, and collecting when it
    /// is collected in person).
    #[serde(default)]
    #[schema(minimum = 0, maximum = 20, example = 2)]
    pub visits: u32,
    /// Minutes of travel per trip, there and back.
    #[serde(default)]
    #[schema(minimum = 0, maximum = 43200, example = 60)]
    pub travel_minutes: u32,
    /// Minutes of waiting at the desk per trip.
    #[serde(default)]
    #[schema(minimum = 0, maximum = 43200, example = 20)]
    pub wait_minutes: u32,
    /// Minutes to collect the result, besides the trip.
    #[serde(default)]
    #[schema(minimum = 0, maximum = 43200, example = 10)]
    pub collect_minutes: u32,
    /// Services bought outside (notarisation, copies, post).
    #[serde(default)]
    #[schema(max_items = 20)]
    pub outside_services: Vec<CostItem>,
    /// Any other cost.
    #[serde(default)]
    #[schema(max_items = 20)]
    pub other_costs: Vec<CostItem>,
}

/// What a line of the calculation is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum CostKind {
    Document,
    Travel,
    Wait,
    Collect,
    Fee,
    OutsideService,
    Other,
}

/// One line of the calculation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct CostLine {
    pub kind: CostKind,
    #[schema(example = "Tờ khai (TK)")]
    pub label: String,
    /// The citizen's time, for the lines that are time.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(example = 30)]
    pub minutes: Option<u64>,
    #[schema(example = 15000)]
    pub amount_vnd: i64,
}

/// The cost of one dossier, itemised.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct DossierCost {
    pub lines: Vec<CostLine>,
    /// The citizen's time in all, in minutes.
    pub minutes: u64,
    /// That time valued at the hourly income.
    pub time_vnd: i64,
    /// Fees, outside services and other costs.
    pub money_vnd: i64,
    /// Both: what one dossier costs its applicant.
    pub total_vnd: i64,
}

/// Checks the inputs against the procedure's list of documents; every
/// problem at once, each named by its field (`compliance.` first).
pub fn check(inputs: &ComplianceInputs, p: &Procedure) -> Vec<FieldError> {
    let mut errors = Vec::new();
    let f = |s: String| format!("compliance.{s}");
    let mut seen = std::collections::HashSet::new();
    for (i, d) in inputs.documents.iter().enumerate() {
        if !p.required_documents.iter().any(|r| r.code == d.code) {
            errors.push(FieldError::new(
                f(format!("documents[{i}].code")),
                format!("{:?} is not on the procedure's list of documents", d.code),
            ));
        } else if !seen.insert(d.code.as_str()) {
            errors.push(FieldError::new(
                f(format!("documents[{i}].code")),
                "listed twice",
            ));
        }
        if d.minutes > MAX_MINUTES {
            errors.push(FieldError::new(
                f(format!("documents[{i}].minutes")),
                format!("must be at most {MAX_MINUTES}"),
            ));
        }
    }
    if inputs.visits > MAX_VISITS {
        errors.push(FieldError::new(
            f("visits".into()),
            format!("must be at most {MAX_VISITS}"),
        ));
    }
    for (name, v) in [
        ("travel_minutes", inputs.travel_minutes),
        ("wait_minutes", inputs.wait_minutes),
        ("collect_minutes", inputs.collect_minutes),
    ] {
        if v > MAX_MINUTES {
            errors.push(FieldError::new(
                f(name.into()),
                format!("must be at most {MAX_MINUTES}"),
            ));
        }
    }
    for (list, items) in [
        ("outside_services", &inputs.outside_services),
        ("other_costs", &inputs.other_costs),
    ] {
        if items.len() > MAX_ITEMS {
            errors.push(FieldError::new(
                f(list.into()),
                format!("at most {MAX_ITEMS} items"),
            ));
        }
        for (i, c) in items.iter().enumerate() {
            let name = c.name.trim();
            if name.is_empty() || name.chars().count() > 200 {
                errors.push(FieldError::new(
                    f(format!("{list}[{i}].name")),
                    "1-200 characters",
                ));
            }
            if !(0..=MAX_VND).contains(&c.amount_vnd) {
                errors.push(FieldError::new(
                    f(format!("{list}[{i}].amount_vnd")),
                    "must be between 0 and 10^12",
                ));
            }
        }
    }
    errors
}

/// `minutes` valued at `hourly_vnd` an hour, to the nearest đồng.
pub fn value_of(minutes: u64, hourly_vnd: i64) -> i64 {
    let m = i128::from(minutes);
    let h = i128::from(hourly_vnd.max(0));
    i64::try_from((m * h + 30) / 60).unwrap_or(i64::MAX)
}

/// The itemised cost of one dossier of `p` under `inputs`, the citizen's
/// time valued at `hourly_vnd` an hour.
pub fn dossier_cost(p: &Procedure, inputs: &ComplianceInputs, hourly_vnd: i64) -> DossierCost {
    let mut lines = Vec::new();
    let mut time = |kind, label: String, minutes: u64| {
        lines.push(CostLine {
            kind,
            label,
            minutes: Some(minutes),
            amount_vnd: value_of(minutes, hourly_vnd),
        })
    };
    for d in &inputs.documents {
        let name = p
            .required_documents
            .iter()
            .find(|r| r.code == d.code)
            .map_or(d.code.clone(), |r| format!("{} ({})", r.name, r.code));
        time(CostKind::Document, name, u64::from(d.minutes));
    }
    let visits = u64::from(inputs.visits);
    time(
        CostKind::Travel,
        format!("Đi lại: {} lượt", inputs.visits),
        visits * u64::from(inputs.travel_minutes),
    );
    time(
        CostKind::Wait,
        format!("Chờ đợi: {} lượt", inputs.visits),
        visits * u64::from(inputs.wait_minutes),
    );
    time(
        CostKind::Collect,
        "Nhận kết quả".to_string(),
        u64::from(inputs.collect_minutes),
    );
    let mut money = |kind, label: String, amount_vnd: i64| {
        lines.push(CostLine {
            kind,
            label,
            minutes: None,
            amount_vnd,
        })
    };
    money(CostKind::Fee, "Phí, lệ phí".to_string(), p.fee_vnd);
    for c in &inputs.outside_services {
        money(
            CostKind::OutsideService,
            c.name.trim().to_string(),
            c.amount_vnd,
        );
    }
    for c in &inputs.other_costs {
        money(CostKind::Other, c.name.trim().to_string(), c.amount_vnd);
    }
    let minutes = lines.iter().filter_map(|l| l.minutes).sum();
    let time_vnd = lines
        .iter()
        .filter(|l| l.minutes.is_some())
        .map(|l| l.amount_vnd)
        .fold(0i64, i64::saturating_add);
    let money_vnd = lines
        .iter()
        .filter(|l| l.minutes.is_none())
        .map(|l| l.amount_vnd)
        .fold(0i64, i64::saturating_add);
    DossierCost {
        lines,
        minutes,
        time_vnd,
        money_vnd,
        total_vnd: time_vnd.saturating_add(money_vnd),
    }
}

/// What a reform saved: `before - after`, and as a percentage of
/// `before` to a tenth (none when `before` is 0).
pub fn saving(before: i64, after: i64) -> (i64, Option<f64>) {
    let saved = before.saturating_sub(after);
    let percent = (before > 0).then(|| (saved as f64 * 1000.0 / before as f64).round() / 10.0);
    (saved, percent)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{AgencyCode, ProcedureCode, RequiredDocument, StatutoryDuration};

    fn procedure(fee_vnd: i64) -> Procedure {
        let doc = |code: &str, name: &str| RequiredDocument {
            code: code.into(),
            name: name.into(),
            original: 1,
            copies: 0,
            optional: false,
        };
        Procedure {
            code: ProcedureCode::parse("1.000656").unwrap(),
            version: 1,
            name: "Đăng ký kết hôn".into(),
            field: "Hộ tịch".into(),
            agency: AgencyCode::parse("H53.50.05.13").unwrap(),
            duration: StatutoryDuration::working_days(3),
            fee_vnd,
            fee_note: String::new(),
            required_documents: vec![doc("TK", "Tờ khai"), doc("GTTT", "Giấy tờ tùy thân")],
            legal_basis: String::new(),
            result: String::new(),
            service_level: Default::default(),
            supplement_policy: Default::default(),
            steps: Vec::new(),
            members: Vec::new(),
            compliance: None,
            cases: Vec::new(),
            representation_allowed: true,
            any_desk: false,
        }
    }

    fn inputs() -> ComplianceInputs {
        ComplianceInputs {
            documents: vec![
                DocumentTime {
                    code: "TK".into(),
                    minutes: 30,
                },
                DocumentTime {
                    code: "GTTT".into(),
                    minutes: 45,
                },
            ],
            visits: 2,
            travel_minutes: 60,
            wait_minutes: 20,
            collect_minutes: 10,
            outside_services: vec![CostItem {
                name: "Chứng thực bản sao".into(),
                amount_vnd: 4_000,
            }],
            other_costs: Vec::new(),
        }
    }

    #[test]
    fn time_is_valued_at_the_hourly_income_and_money_added() {
        let c = dossier_cost(&procedure(20_000), &inputs(), 30_000);
        // 30 + 45 + 2×60 + 2×20 + 10 = 245 minutes at 500 đồng a minute.
        assert_eq!(c.minutes, 245);
        assert_eq!(c.time_vnd, 122_500);
        assert_eq!(c.money_vnd, 24_000);
        assert_eq!(c.total_vnd, 146_500);
        let kinds: Vec<CostKind> = c.lines.iter().map(|l| l.kind).collect();
        assert_eq!(
            kinds,
            [
                CostKind::Document,
                CostKind::Document,
                CostKind::Travel,
                CostKind::Wait,
                CostKind::Collect,
                CostKind::Fee,
                CostKind::OutsideService
            ]
        );
        assert_eq!(c.lines[0].label, "Tờ khai (TK)");
        assert_eq!(c.lines[2].minutes, Some(120));
    }

    #[test]
    fn values_round_to_the_nearest_dong() {
        assert_eq!(value_of(1, 100), 2); // 1.67
        assert_eq!(value_of(1, 89), 1); // 1.48
        assert_eq!(value_of(0, 30_000), 0);
        assert_eq!(value_of(u64::MAX, i64::MAX), i64::MAX);
    }

    #[test]
    fn savings_in_dong_and_percent() {
        assert_eq!(saving(200, 150), (50, Some(25.0)));
        assert_eq!(saving(3, 2), (1, Some(33.3)));
        assert_eq!(saving(100, 120), (-20, Some(-20.0)));
        assert_eq!(saving(0, 10), (-10, None));
    }

    #[test]
    fn inputs_are_checked_against_the_list() {
        let p = procedure(0);
        assert!(check(&inputs(), &p).is_empty());
        let mut bad = inputs();
        bad.documents.push(DocumentTime {
            code: "XX".into(),
            minutes: MAX_MINUTES + 1,
        });
        bad.documents.push(DocumentTime {
            code: "TK".into(),
            minutes: 1,
        });
        bad.visits = MAX_VISITS + 1;
        bad.other_costs.push(CostItem {
            name: " ".into(),
            amount_vnd: -1,
        });
        let fields: Vec<String> = check(&bad, &p).into_iter().map(|e| e.field).collect();
        assert_eq!(
            fields,
            [
                "compliance.documents[2].code",
                "compliance.documents[2].minutes",
                "compliance.documents[3].code",
                "compliance.visits",
                "compliance.other_costs[0].name",
                "compliance.other_costs[0].amount_vnd",
            ]
        );
    }
}
