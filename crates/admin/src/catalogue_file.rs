//! The catalogue as a file (docs/catalogue.md, Export): every agency and
//! every procedure as it is in force, each in the shape an administrator
//! enters it (`AgencyInput`, `ProcedureInput`), so a file exported here can
//! be read back by the same checks. Agencies come parents first and
//! procedures members before their groups, the order they can be created
//! in.

use chrono::{DateTime, Utc};
use motcua_domain::{Agency, Procedure};
use motcua_store::{agencies, procedures, DbConnection, StoreResult};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::agencies::AgencyInput;
use crate::catalogue::{DurationDto, FeesDto, ProcedureInput};

/// What the file says it is, so a reader refuses anything else.
pub const FORMAT: &str = "motcua-catalogue/1";

/// The most procedures read per page while exporting.
const PAGE: i64 = 500;

/// The catalogue as a file.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct CatalogueFile {
    /// Always `motcua-catalogue/1`.
    #[schema(example = "motcua-catalogue/1")]
    pub format: String,
    pub exported_at: DateTime<Utc>,
    /// Parents before their children; each with its `code`.
    pub agencies: Vec<AgencyInput>,
    /// Each as in force (its newest version), with its `code`; members
    /// before their groups.
    pub procedures: Vec<ProcedureInput>,
}

/// An agency as an administrator would enter it.
pub fn agency_input(a: &Agency) -> AgencyInput {
    AgencyInput {
        code: Some(a.code.to_string()),
        name: a.name.clone(),
        level: a.level,
        parent_code: a.parent.as_ref().map(|p| p.to_string()),
        address: a.address.clone(),
    }
}

/// A procedure as an administrator would enter it: what
/// [`crate::catalogue::check`] turns back into the same procedure.
pub fn procedure_input(p: &Procedure) -> ProcedureInput {
    ProcedureInput {
        code: Some(p.code.to_string()),
        name: p.name.clone(),
        field: p.field.clone(),
        agency_code: p.agency.to_string(),
        duration: DurationDto::of(&p.duration),
        fees: Some(FeesDto {
            amount_vnd: p.fee_vnd,
            note: p.fee_note.clone(),
        }),
        required_documents: p.required_documents.clone(),
        legal_basis: p.legal_basis.clone(),
        result: p.result.clone(),
        service_level: Some(p.service_level),
        online_allowed: None,
        supplement_policy: p.supplement_policy,
        steps: p.steps.clone(),
        members: p.members.iter().map(|m| m.to_string()).collect(),
        compliance: p.compliance.clone(),
    }
}

/// Agencies ordered so that each comes after its parent (an agency whose
/// parent is missing comes with the roots).
fn parents_first(mut rest: Vec<Agency>) -> Vec<Agency> {
    let mut out: Vec<Agency> = Vec::with_capacity(rest.len());
    let mut placed = std::collections::HashSet::new();
    let known: std::collections::HashSet<String> =
        rest.iter().map(|a| a.code.to_string()).collect();
    while !rest.is_empty() {
        let (ready, waiting): (Vec<Agency>, Vec<Agency>) = rest.into_iter().partition(|a| {
            a.parent
                .as_ref()
                .is_none_or(|p| placed.contains(p.as_str()) || !known.contains(p.as_str()))
        });
        if ready.is_empty() {
            // A loop the store's checks forbid; keep every agency anyway.
            out.extend(waiting);
            break;
        }
        for a in ready {
            placed.insert(a.code.to_string());
            out.push(a);
        }
        rest = waiting;
    }
    out
}

/// The whole catalogue as it is in force, at `now`.
pub fn export(conn: &mut DbConnection, now: DateTime<Utc>) -> StoreResult<CatalogueFile> {
    let agencies = parents_first(agencies::list(conn)?);
    let mut all: Vec<Procedure> = Vec::new();
    loop {
        let filter = procedures::ProcedureFilter {
            limit: PAGE,
            offset: i64::try_from(all.len()).unwrap_or(i64::MAX),
            ..Default::default()
        };
        let (page, _) = procedures::list(conn, &filter)?;
        let done = page.len() < usize::try_from(PAGE).unwrap_or(usize::MAX);
        all.extend(page);
        if done {
            break;
        }
    }
    // Members (and every plain procedure) before the groups.
    all.sort_by_key(|p| (p.is_group(), p.code.to_string()));
    Ok(CatalogueFile {
        format: FORMAT.to_string(),
        exported_at: now,
        agencies: agencies.iter().map(agency_input).collect(),
        procedures: all.iter().map(procedure_input).collect(),
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use motcua_domain::{
        AgencyCode, AgencyLevel, ProcedureCode, RequiredDocument, ServiceLevel, StatutoryDuration,
    };

    fn agency(code: &str, parent: Option<&str>) -> Agency {
        Agency {
            code: AgencyCode::parse(code).unwrap(),
            name: format!("Cơ quan {code}"),
            level: AgencyLevel::District,
            parent: parent.map(|p| AgencyCode::parse(p).unwrap()),
            address: String::new(),
        }
    }

    #[test]
    fn parents_come_before_their_children() {
        let list = vec![
            agency("H53.50.05", Some("H53.50")),
            agency("H53.50", Some("H53")),
            agency("H53", None),
            agency("X1", Some("GONE")),
        ];
        let codes: Vec<String> = parents_first(list)
            .iter()
            .map(|a| a.code.to_string())
            .collect();
        assert_eq!(codes, ["H53", "X1", "H53.50", "H53.50.05"]);
    }

    /// What is exported reads back, through the administrators' checks,
    /// as the same procedure: the file loses nothing.
    #[test]
    fn a_procedure_reads_back_as_exported() {
        for duration in [
            StatutoryDuration::working_days(5),
            StatutoryDuration::same_day(15 * 60 + 30),
        ] {
            let p = Procedure {
                code: ProcedureCode::parse("2.000720").unwrap(),
                version: 0,
                name: "Đăng ký thành lập hộ kinh doanh".into(),
                field: "Hộ kinh doanh".into(),
                agency: AgencyCode::parse("H53.50").unwrap(),
                duration,
                fee_vnd: 100_000,
                fee_note: "Lệ phí".into(),
                required_documents: vec![RequiredDocument {
                    code: "GDN".into(),
                    name: "Giấy đề nghị".into(),
                    original: 1,
                    copies: 0,
                    optional: false,
                }],
                legal_basis: "Nghị định 01/2021/NĐ-CP".into(),
                result: "Giấy chứng nhận".into(),
                service_level: ServiceLevel::FullyOnline,
                supplement_policy: Default::default(),
                steps: Vec::new(),
                members: Vec::new(),
                compliance: Some(motcua_domain::ComplianceInputs {
                    visits: 1,
                    ..Default::default()
                }),
            };
            let input = procedure_input(&p);
            let json = serde_json::to_string(&input).unwrap();
            let back: ProcedureInput = serde_json::from_str(&json).unwrap();
            let checked = crate::catalogue::check("2.000720", back).unwrap();
            assert_eq!(checked, p);
        }
    }
}
