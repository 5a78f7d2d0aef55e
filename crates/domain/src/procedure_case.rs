//! Procedure cases (trường hợp, docs/catalogue.md, Cases): the variants the
//! law publishes under one procedure (a birth registration with or without
//! a paternity acknowledgement; a permit for a house in town or in a
//! village), each with its own documents, time limit, online time limit,
//! fees and process plan. A dossier of a procedure with cases is of one of
//! them; [`Procedure::for_case`] gives the procedure as it applies to it.

use serde::{Deserialize, Serialize};

use crate::{DomainError, Procedure, ProcessStep, RequiredDocument, StatutoryDuration};

/// The longest case code.
pub const CASE_CODE_MAX: usize = 32;
/// The most cases one procedure has.
pub const MAX_CASES: usize = 20;

/// One case of a procedure.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProcedureCase {
    /// Short code within the procedure (`1`, `co-nhan-cha`).
    pub code: String,
    pub name: String,
    pub duration: StatutoryDuration,
    /// The time limit when filed online, where the law sets a shorter one.
    #[serde(default)]
    pub online_duration: Option<StatutoryDuration>,
    pub fee_vnd: i64,
    #[serde(default)]
    pub fee_note: String,
    pub required_documents: Vec<RequiredDocument>,
    /// The process plan; empty: the procedure's own.
    #[serde(default)]
    pub steps: Vec<ProcessStep>,
}

impl Procedure {
    pub fn case(&self, code: &str) -> Option<&ProcedureCase> {
        self.cases.iter().find(|c| c.code == code)
    }

    /// The procedure as it applies to a dossier of `case` filed `online`
    /// or not: the case's documents, time limit (its online one when filed
    /// online and it has one), fees and plan (the procedure's own when the
    /// case has none). A procedure with cases needs one; one without takes
    /// none.
    pub fn for_case(&self, case: Option<&str>, online: bool) -> Result<Procedure, DomainError> {
        match (case, self.cases.is_empty()) {
            (None, true) => Ok(self.clone()),
            (Some(c), true) => Err(DomainError::invalid(
                "case",
                format!(
                    "procedure {} has no cases; {c:?} cannot be chosen",
                    self.code
                ),
            )),
            (None, false) => Err(DomainError::invalid(
                "case",
                format!(
                    "procedure {} is filed as one of its cases: {}",
                    self.code,
                    self.case_codes()
                ),
            )),
            (Some(c), false) => {
                let case = self.case(c).ok_or_else(|| {
                    DomainError::invalid(
                        "case",
                        format!(
                            "procedure {} has no case {c:?}; its cases: {}",
                            self.code,
                            self.case_codes()
                        ),
                    )
                })?;
                let mut p = self.clone();
                p.name = format!("{} – {}", self.name, case.name);
                p.duration = match (online, case.online_duration) {
                    (true, Some(d)) => d,
                    _ => case.duration,
                };
                p.fee_vnd = case.fee_vnd;
                p.fee_note = case.fee_note.clone();
                p.required_documents = case.required_documents.clone();
                if !case.steps.is_empty() {
                    p.steps = case.steps.clone();
                }
                Ok(p)
            }
        }
    }

    fn case_codes(&self) -> String {
        self.cases
            .iter()
            .map(|c| c.code.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{AgencyCode, ProcedureCode};

    fn doc(code: &str) -> RequiredDocument {
        RequiredDocument {
            code: code.into(),
            name: code.into(),
            original: 1,
            copies: 0,
            optional: false,
        }
    }

    fn permit() -> Procedure {
        Procedure {
            code: ProcedureCode::parse("1.009994").unwrap(),
            version: 1,
            name: "Cấp giấy phép xây dựng".into(),
            field: "Hoạt động xây dựng".into(),
            agency: AgencyCode::parse("H53.50").unwrap(),
            duration: StatutoryDuration::working_days(15),
            fee_vnd: 75_000,
            fee_note: String::new(),
            required_documents: vec![doc("DON")],
            legal_basis: String::new(),
            result: String::new(),
            service_level: Default::default(),
            supplement_policy: Default::default(),
            steps: Vec::new(),
            members: Vec::new(),
            compliance: None,
            representation_allowed: true,
            any_desk: false,
            cases: vec![ProcedureCase {
                code: "nong-thon".into(),
                name: "Nhà ở nông thôn".into(),
                duration: StatutoryDuration::working_days(10),
                online_duration: Some(StatutoryDuration::working_days(7)),
                fee_vnd: 50_000,
                fee_note: "Lệ phí".into(),
                required_documents: vec![doc("DON"), doc("BV")],
                steps: Vec::new(),
            }],
        }
    }

    #[test]
    fn a_case_brings_its_documents_time_and_fees() {
        let p = permit();
        let at_desk = p.for_case(Some("nong-thon"), false).unwrap();
        assert_eq!(at_desk.duration, StatutoryDuration::working_days(10));
        assert_eq!(at_desk.fee_vnd, 50_000);
        assert_eq!(at_desk.required_documents.len(), 2);
        assert_eq!(at_desk.name, "Cấp giấy phép xây dựng – Nhà ở nông thôn");
        let online = p.for_case(Some("nong-thon"), true).unwrap();
        assert_eq!(online.duration, StatutoryDuration::working_days(7));
    }

    #[test]
    fn a_case_is_needed_exactly_where_there_are_cases() {
        let p = permit();
        for bad in [None, Some("thanh-thi")] {
            match p.for_case(bad, false) {
                Err(DomainError::Invalid { field, message }) => {
                    assert_eq!(field, "case");
                    assert!(message.contains("nong-thon"), "{message}");
                }
                other => panic!("{other:?}"),
            }
        }
        let plain = Procedure {
            cases: Vec::new(),
            ..permit()
        };
        assert_eq!(plain.for_case(None, true).unwrap(), plain);
        assert!(plain.for_case(Some("nong-thon"), false).is_err());
    }
}
