//! The procedure catalogue (docs/catalogue.md): what a procedure requires and how
//! long the state promises to take.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::{AgencyCode, DomainError, ProcedureCode, ServiceLevel};

/// The unit of a statutory duration (docs/time.md, Durations).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum DurationUnit {
    /// Full days of office hours; arithmetic runs over working time.
    WorkingDays,
    /// Hours of office time.
    WorkingHours,
    /// Every day counts, but the end never falls on a day off.
    CalendarDays,
    /// Due at the close of the day of receipt when received before the
    /// cut-off, else at the close of the next working day.
    SameDay,
}

impl DurationUnit {
    pub const ALL: [DurationUnit; 4] = [
        DurationUnit::WorkingDays,
        DurationUnit::WorkingHours,
        DurationUnit::CalendarDays,
        DurationUnit::SameDay,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            DurationUnit::WorkingDays => "working_days",
            DurationUnit::WorkingHours => "working_hours",
            DurationUnit::CalendarDays => "calendar_days",
            DurationUnit::SameDay => "same_day",
        }
    }

    pub fn parse(s: &str) -> Result<Self, DomainError> {
        DurationUnit::ALL
            .into_iter()
            .find(|u| u.as_str() == s)
            .ok_or_else(|| DomainError::UnknownValue {
                kind: "duration unit",
                value: s.to_string(),
            })
    }
}

/// A statutory processing time: an amount in a unit, and for `same_day`
/// the local cut-off time in minutes after midnight.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct StatutoryDuration {
    pub amount: u32,
    pub unit: DurationUnit,
    pub cutoff_minute: Option<u16>,
}

impl StatutoryDuration {
    pub fn working_days(amount: u32) -> Self {
        StatutoryDuration {
            amount,
            unit: DurationUnit::WorkingDays,
            cutoff_minute: None,
        }
    }

    pub fn working_hours(amount: u32) -> Self {
        StatutoryDuration {
            amount,
            unit: DurationUnit::WorkingHours,
            cutoff_minute: None,
        }
    }

    pub fn calendar_days(amount: u32) -> Self {
        StatutoryDuration {
            amount,
            unit: DurationUnit::CalendarDays,
            cutoff_minute: None,
        }
    }

    pub fn same_day(cutoff_minute: u16) -> Self {
        StatutoryDuration {
            amount: 0,
            unit: DurationUnit::SameDay,
            cutoff_minute: Some(cutoff_minute),
        }
    }

    /// Checks the combination: amounts for day and hour units, a cut-off
    /// inside the day for `same_day`.
    pub fn validate(&self) -> Result<(), DomainError> {
        match self.unit {
            DurationUnit::SameDay => match self.cutoff_minute {
                Some(m) if m < 24 * 60 => Ok(()),
                Some(_) => Err(DomainError::invalid(
                    "duration.cutoff",
                    "must be a time of day HH:MM",
                )),
                None => Err(DomainError::invalid(
                    "duration.cutoff",
                    "same_day durations need a cut-off time",
                )),
            },
            _ if self.amount == 0 => Err(DomainError::invalid(
                "duration.amount",
                "must be at least 1",
            )),
            _ if self.amount > 3650 => Err(DomainError::invalid(
                "duration.amount",
                "must be at most 3650",
            )),
            _ => Ok(()),
        }
    }
}

/// What a supplement request does to the clock (docs/desk.md, Supplements): most
/// procedures pause it while the citizen gathers papers; some restart the
/// full statutory time when the complete dossier arrives.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum SupplementPolicy {
    #[default]
    Pause,
    Restart,
}

impl SupplementPolicy {
    pub fn as_str(self) -> &'static str {
        match self {
            SupplementPolicy::Pause => "pause",
            SupplementPolicy::Restart => "restart",
        }
    }

    pub fn parse(s: &str) -> Result<Self, DomainError> {
        match s {
            "pause" => Ok(SupplementPolicy::Pause),
            "restart" => Ok(SupplementPolicy::Restart),
            other => Err(DomainError::UnknownValue {
                kind: "supplement policy",
                value: other.to_string(),
            }),
        }
    }
}

/// One step of a procedure's process plan: which agency acts, in which
/// role, and its share of the statutory time (shares add up to 100).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ProcessStep {
    /// What happens at this step, e.g. "Thẩm định hồ sơ".
    #[schema(max_length = 200)]
    pub name: String,
    #[schema(max_length = 64)]
    pub agency_code: String,
    /// The role that acts at this step (officer, or clerk for the desk).
    pub role: crate::Role,
    /// Percent of the statutory time this step may use.
    #[schema(minimum = 0, maximum = 100)]
    pub share_percent: u32,
}

/// A document on the procedure's published list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct RequiredDocument {
    /// Short code of the document within the procedure, e.g. `TK01`.
    #[schema(max_length = 32)]
    pub code: String,
    #[schema(max_length = 500)]
    pub name: String,
    /// Number of originals (bản chính) required.
    #[schema(minimum = 0, maximum = 100)]
    pub original: u32,
    /// Number of copies (bản sao) required.
    #[schema(minimum = 0, maximum = 100)]
    pub copies: u32,
    /// Optional document: listed but not required for completeness.
    #[serde(default)]
    pub optional: bool,
}

/// One published version of a procedure.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Procedure {
    pub code: ProcedureCode,
    pub version: i32,
    pub name: String,
    pub field: String,
    pub agency: AgencyCode,
    pub duration: StatutoryDuration,
    pub fee_vnd: i64,
    pub fee_note: String,
    pub required_documents: Vec<RequiredDocument>,
    pub legal_basis: String,
    pub result: String,
    /// How far it can be done online; older snapshots without it were
    /// rewritten by the migration that brought it.
    #[serde(default)]
    pub service_level: ServiceLevel,
    #[serde(default)]
    pub supplement_policy: SupplementPolicy,
    /// The process plan after the desk; empty means the receiving agency
    /// handles it alone.
    #[serde(default)]
    pub steps: Vec<ProcessStep>,
    /// For an interlinked group: the member procedures, one child dossier
    /// each, under this procedure's overall appointment.
    #[serde(default)]
    pub members: Vec<ProcedureCode>,
    /// What complying with it costs the citizen besides the fees, as the
    /// reform plan counts it (docs/catalogue.md, Compliance cost); none
    /// until an administrator enters it.
    #[serde(default)]
    pub compliance: Option<crate::ComplianceInputs>,
    /// The variants the law publishes under it, each with its own
    /// documents, time limits, fees and plan (docs/catalogue.md, Cases);
    /// none for most procedures.
    #[serde(default)]
    pub cases: Vec<crate::procedure_case::ProcedureCase>,
    /// Whether someone may file for the applicant under an authorisation
    /// (ủy quyền, docs/representation.md). True unless the law asks the
    /// applicant in person; versions published before it was kept read
    /// as true, as the law's default.
    #[serde(default = "allowed")]
    pub representation_allowed: bool,
    /// Whether any desk may receive it, not only its own agency's
    /// (tiếp nhận không phụ thuộc địa giới hành chính, docs/desk.md,
    /// Intake at any desk): the receiving desk hands it to this agency
    /// as the first leg. False unless the catalogue says so.
    #[serde(default)]
    pub any_desk: bool,
}

fn allowed() -> bool {
    true
}

/// A document the applicant handed in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct SubmittedDocument {
    #[schema(max_length = 32)]
    pub code: String,
    #[serde(default)]
    #[schema(minimum = 0, maximum = 100)]
    pub original: u32,
    #[serde(default)]
    #[schema(minimum = 0, maximum = 100)]
    pub copies: u32,
}

/// What is missing from a dossier, one entry per listed document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct MissingDocument {
    pub code: String,
    pub name: String,
    pub original_required: u32,
    pub original_given: u32,
    pub copies_required: u32,
    pub copies_given: u32,
}

impl Procedure {
    /// Checks the process plan: shares add up to 100, each step names an
    /// agency and acts in a processing role.
    pub fn validate_plan(&self) -> Result<(), DomainError> {
        if self.steps.is_empty() {
            return Ok(());
        }
        for (i, s) in self.steps.iter().enumerate() {
            if s.name.trim().is_empty() {
                return Err(DomainError::invalid(
                    format!("steps[{i}].name"),
                    "is required",
                ));
            }
            crate::AgencyCode::parse(&s.agency_code).map_err(|e| {
                DomainError::invalid(format!("steps[{i}].agency_code"), e.to_string())
            })?;
            if s.share_percent == 0 {
                return Err(DomainError::invalid(
                    format!("steps[{i}].share_percent"),
                    "must be at least 1",
                ));
            }
            if !matches!(s.role, crate::Role::Officer | crate::Role::Clerk) {
                return Err(DomainError::invalid(
                    format!("steps[{i}].role"),
                    "must be officer or clerk",
                ));
            }
        }
        let total: u32 = self.steps.iter().map(|s| s.share_percent).sum();
        if total != 100 {
            return Err(DomainError::invalid(
                "steps",
                format!("shares add up to {total}%, not 100%"),
            ));
        }
        Ok(())
    }

    /// Whether a dossier of it may be filed online (partly or fully).
    pub fn online_allowed(&self) -> bool {
        self.service_level.online()
    }

    pub fn is_group(&self) -> bool {
        !self.members.is_empty()
    }

    /// Compares the documents handed in with the published list and
    /// returns every shortfall, so the clerk can guide the citizen once, in
    /// writing, listing everything (docs/desk.md, Receiving at the counter). Codes not on the list are
    /// reported separately by [`Procedure::unknown_documents`].
    pub fn missing_documents(&self, given: &[SubmittedDocument]) -> Vec<MissingDocument> {
        self.required_documents
            .iter()
            .filter(|d| !d.optional)
            .filter_map(|req| {
                let (orig, copies) = given
                    .iter()
                    .filter(|g| g.code == req.code)
                    .fold((0, 0), |(o, c), g| (o + g.original, c + g.copies));
                // An original can stand in for a missing copy, never the reverse.
                let spare_originals = orig.saturating_sub(req.original);
                let copies_effective = copies + spare_originals;
                if orig >= req.original && copies_effective >= req.copies {
                    None
                } else {
                    Some(MissingDocument {
                        code: req.code.clone(),
                        name: req.name.clone(),
                        original_required: req.original,
                        original_given: orig,
                        copies_required: req.copies,
                        copies_given: copies,
                    })
                }
            })
            .collect()
    }

    /// Document codes handed in that the procedure does not list.
    pub fn unknown_documents<'a>(&self, given: &'a [SubmittedDocument]) -> Vec<&'a str> {
        given
            .iter()
            .filter(|g| !self.required_documents.iter().any(|r| r.code == g.code))
            .map(|g| g.code.as_str())
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn procedure() -> Procedure {
        Procedure {
            code: ProcedureCode::parse("1.001193").unwrap(),
            version: 1,
            name: "Đăng ký khai sinh".into(),
            field: "Hộ tịch".into(),
            agency: AgencyCode::parse("H53.50.05.13").unwrap(),
            duration: StatutoryDuration::same_day(15 * 60),
            fee_vnd: 0,
            fee_note: String::new(),
            required_documents: vec![
                RequiredDocument {
                    code: "TK".into(),
                    name: "Tờ khai".into(),
                    original: 1,
                    copies: 0,
                    optional: false,
                },
                RequiredDocument {
                    code: "GCS".into(),
                    name: "Giấy chứng sinh".into(),
                    original: 1,
                    copies: 1,
                    optional: false,
                },
                RequiredDocument {
                    code: "UQ".into(),
                    name: "Văn bản ủy quyền".into(),
                    original: 1,
                    copies: 0,
                    optional: true,
                },
            ],
            legal_basis: String::new(),
            result: String::new(),
            service_level: ServiceLevel::PartlyOnline,
            supplement_policy: SupplementPolicy::Pause,
            steps: Vec::new(),
            members: Vec::new(),
            compliance: None,
            cases: Vec::new(),
            representation_allowed: true,
            any_desk: false,
        }
    }

    #[test]
    fn plan_shares_must_add_up() {
        let step = |agency: &str, share| ProcessStep {
            name: "Thẩm định".into(),
            agency_code: agency.into(),
            role: crate::Role::Officer,
            share_percent: share,
        };
        let mut p = procedure();
        assert!(p.validate_plan().is_ok());
        p.steps = vec![step("H53.50", 40), step("H53.50.21", 60)];
        assert!(p.validate_plan().is_ok());
        p.steps[1].share_percent = 50;
        assert!(p.validate_plan().unwrap_err().to_string().contains("90%"));
        p.steps[1] = step("bad code", 60);
        assert!(p.validate_plan().is_err());
    }

    fn doc(code: &str, original: u32, copies: u32) -> SubmittedDocument {
        SubmittedDocument {
            code: code.into(),
            original,
            copies,
        }
    }

    #[test]
    fn complete_dossier_has_nothing_missing() {
        let p = procedure();
        assert!(p
            .missing_documents(&[doc("TK", 1, 0), doc("GCS", 1, 1)])
            .is_empty());
        // A second original covers the copy.
        assert!(p
            .missing_documents(&[doc("TK", 1, 0), doc("GCS", 2, 0)])
            .is_empty());
    }

    #[test]
    fn lists_every_shortfall_but_not_optional_documents() {
        let p = procedure();
        let missing = p.missing_documents(&[doc("GCS", 0, 3)]);
        let codes: Vec<_> = missing.iter().map(|m| m.code.as_str()).collect();
        assert_eq!(codes, ["TK", "GCS"]);
        assert_eq!(missing[1].original_given, 0);
        assert_eq!(missing[1].copies_given, 3);
    }

    #[test]
    fn reports_documents_not_on_the_list() {
        let p = procedure();
        let given = [doc("TK", 1, 0), doc("SHK", 1, 0)];
        assert_eq!(p.unknown_documents(&given), ["SHK"]);
    }

    #[test]
    fn duration_validation() {
        assert!(StatutoryDuration::working_days(3).validate().is_ok());
        assert!(StatutoryDuration::working_days(0).validate().is_err());
        assert!(StatutoryDuration::same_day(24 * 60).validate().is_err());
        let no_cutoff = StatutoryDuration {
            amount: 0,
            unit: DurationUnit::SameDay,
            cutoff_minute: None,
        };
        assert!(no_cutoff.validate().is_err());
    }
}
