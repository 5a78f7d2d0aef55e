//! The catalogue as a file (docs/catalogue.md, Export): every agency and
//! every procedure as it is in force, each in the shape an administrator
//! enters it (`AgencyInput`, `ProcedureInput`), so a file exported here can
//! be read back by the same checks. Agencies come parents first and
//! procedures members before their groups, the order they can be created
//! in.

use chrono::{DateTime, Utc};
use motcua_domain::FieldError;
use motcua_domain::{Agency, Procedure};
use motcua_store::events::Actor;
use motcua_store::{agencies, procedures, DbConnection, StoreResult};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::agencies::{self as agency_admin, AgencyInput, Save};
use crate::catalogue::{self as procedure_admin, DurationDto, FeesDto, ProcedureInput};
use crate::AdminError;

/// What the file says it is, so a reader refuses anything else.
pub const FORMAT: &str = "motcua-catalogue/1";

/// The most procedures read per page while exporting.
const PAGE: i64 = 500;

/// The catalogue as a file.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct CatalogueFile {
    /// Always `motcua-catalogue/1`.
    #[schema(example = "motcua-catalogue/1", max_length = 32)]
    pub format: String,
    /// When it was exported (not read by an import).
    #[serde(default)]
    pub exported_at: Option<DateTime<Utc>>,
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
        cases: p
            .cases
            .iter()
            .map(crate::procedure_cases::case_input)
            .collect(),
        representation_allowed: p.representation_allowed,
        any_desk: p.any_desk,
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
        exported_at: Some(now),
        agencies: agencies.iter().map(agency_input).collect(),
        procedures: all.iter().map(procedure_input).collect(),
    })
}

/// How many rows of one kind an import created, changed or left.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, ToSchema)]
pub struct ImportCounts {
    pub created: usize,
    pub updated: usize,
    pub unchanged: usize,
}

/// What an import did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, ToSchema)]
pub struct ImportSummary {
    pub agencies: ImportCounts,
    pub procedures: ImportCounts,
}

/// `errors` with each field under `list[i]`.
fn under(list: &str, i: usize, errors: Vec<FieldError>) -> impl Iterator<Item = FieldError> + '_ {
    errors.into_iter().map(move |e| FieldError {
        field: format!("{list}[{i}].{}", e.field),
        message: e.message,
    })
}

/// The rows of `file`, checked one by one; every problem at once, each
/// named by its row (`procedures[3].duration`).
fn checked(
    file: CatalogueFile,
) -> Result<(Vec<motcua_domain::Agency>, Vec<Procedure>), AdminError> {
    let mut errors = Vec::new();
    if file.format != FORMAT {
        errors.push(FieldError::new("format", format!("must be {FORMAT}")));
    }
    let mut seen = std::collections::HashSet::new();
    let mut code_of = |list: &str, i: usize, code: Option<&str>, errors: &mut Vec<FieldError>| {
        let code = code.map(str::trim).unwrap_or_default().to_string();
        if code.is_empty() {
            errors.push(FieldError::new(format!("{list}[{i}].code"), "is required"));
        } else if !seen.insert((list.to_string(), code.clone())) {
            errors.push(FieldError::new(format!("{list}[{i}].code"), "listed twice"));
        }
        code
    };
    let mut agencies = Vec::new();
    for (i, a) in file.agencies.into_iter().enumerate() {
        let code = code_of("agencies", i, a.code.as_deref(), &mut errors);
        match agency_admin::check(&code, a) {
            Ok(a) => agencies.push(a),
            Err(AdminError::Invalid(e)) => errors.extend(under("agencies", i, e)),
            Err(other) => return Err(other),
        }
    }
    let mut procedures = Vec::new();
    for (i, p) in file.procedures.into_iter().enumerate() {
        let code = code_of("procedures", i, p.code.as_deref(), &mut errors);
        match procedure_admin::check(&code, p) {
            Ok(p) => procedures.push(p),
            Err(AdminError::Invalid(e)) => errors.extend(under("procedures", i, e)),
            Err(other) => return Err(other),
        }
    }
    if errors.is_empty() {
        Ok((agencies, procedures))
    } else {
        Err(AdminError::Invalid(errors))
    }
}

/// Imports `file` as `actor`: checks every row first (nothing is written
/// when one fails), then in one transaction creates what is new, saves
/// what differs (a procedure as its next version) and leaves what is the
/// same. A row whose references fail (a parent or member not in the
/// catalogue nor earlier in the file) fails the whole import, every such
/// row listed. `on_row` is called after each row, for a progress bar.
pub fn import(
    conn: &mut DbConnection,
    actor: &Actor,
    file: CatalogueFile,
    on_row: &mut dyn FnMut(),
) -> Result<ImportSummary, AdminError> {
    let (agencies, procedures) = checked(file)?;
    conn.write_tx(|conn| {
        let mut errors = Vec::new();
        let mut rows = Rows {
            errors: &mut errors,
            on_row: &mut *on_row,
        };
        let agencies = rows.write(
            conn,
            "agencies",
            agencies,
            |conn, a| agencies::get(conn, a.code.as_str()),
            |conn, a, how| agency_admin::save(conn, actor, a, how).map(drop),
        )?;
        let procedures = rows.write(
            conn,
            "procedures",
            procedures,
            // As checked, a procedure has no version yet.
            |conn, p| {
                let stored = procedures::get(conn, p.code.as_str())?;
                Ok(stored.map(|old| Procedure { version: 0, ..old }))
            },
            |conn, p, how| procedure_admin::save(conn, actor, p, how).map(drop),
        )?;
        if errors.is_empty() {
            Ok(ImportSummary {
                agencies,
                procedures,
            })
        } else {
            Err(AdminError::Invalid(errors))
        }
    })
}

/// Writes checked rows of one kind, collecting each row's failure.
struct Rows<'a> {
    errors: &'a mut Vec<FieldError>,
    on_row: &'a mut dyn FnMut(),
}

impl Rows<'_> {
    /// Creates each row of `list` that `stored` does not find, saves each
    /// that differs from what it finds, and leaves the rest; a row that
    /// fails its checks on saving is listed under `list[i]`.
    fn write<T: PartialEq>(
        &mut self,
        conn: &mut DbConnection,
        list: &str,
        rows: Vec<T>,
        mut stored: impl FnMut(&mut DbConnection, &T) -> StoreResult<Option<T>>,
        mut save: impl FnMut(&mut DbConnection, T, Save) -> Result<(), AdminError>,
    ) -> Result<ImportCounts, AdminError> {
        let mut counts = ImportCounts::default();
        for (i, row) in rows.into_iter().enumerate() {
            let how = match stored(conn, &row)? {
                Some(old) if old == row => None,
                Some(_) => Some(Save::Update),
                None => Some(Save::Create),
            };
            match how.map(|how| (how, save(conn, row, how))) {
                None => counts.unchanged += 1,
                Some((Save::Create, Ok(()))) => counts.created += 1,
                Some((Save::Update, Ok(()))) => counts.updated += 1,
                Some((_, Err(AdminError::Invalid(e)))) => self.errors.extend(under(list, i, e)),
                Some((_, Err(other))) => return Err(other),
            }
            (self.on_row)();
        }
        Ok(counts)
    }
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
                cases: vec![motcua_domain::ProcedureCase {
                    code: "nha-o-nong-thon".into(),
                    name: "Nhà ở riêng lẻ tại nông thôn".into(),
                    duration: motcua_domain::StatutoryDuration::working_days(7),
                    online_duration: Some(motcua_domain::StatutoryDuration::working_days(5)),
                    fee_vnd: 50_000,
                    fee_note: "Lệ phí".into(),
                    required_documents: vec![motcua_domain::RequiredDocument {
                        code: "DON".into(),
                        name: "Đơn đề nghị".into(),
                        original: 1,
                        copies: 0,
                        optional: false,
                    }],
                    steps: Vec::new(),
                }],
                // Kept through the file when not the default.
                representation_allowed: false,
                any_desk: true,
            };
            let input = procedure_input(&p);
            let json = serde_json::to_string(&input).unwrap();
            let back: ProcedureInput = serde_json::from_str(&json).unwrap();
            let checked = crate::catalogue::check("2.000720", back).unwrap();
            assert_eq!(checked, p);
        }
    }
}
