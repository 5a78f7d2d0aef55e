//! The procedure catalogue as administrators keep it: checking a
//! procedure (its code, agency, statutory time, fees, documents, process
//! plan and group members) and publishing it. Every save publishes a new
//! version; dossiers keep the version they were received under.

use motcua_domain::{
    compliance, AgencyCode, ComplianceInputs, DomainError, DurationUnit, EventKind, FieldError,
    Procedure, ProcedureCode, ProcessStep, RequiredDocument, ServiceLevel, StatutoryDuration,
    SupplementPolicy,
};
use motcua_store::events::{self, Actor};
use motcua_store::{agencies, procedures, time, DbConnection, StoreError};
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::ToSchema;

use crate::agencies::Save;
use crate::AdminError;

/// A statutory processing time.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct DurationDto {
    /// Number of units; ignored for `same_day`.
    #[serde(default)]
    #[schema(minimum = 0, maximum = 3650)]
    pub amount: u32,
    pub unit: DurationUnit,
    /// Local cut-off time `HH:MM` for `same_day`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(max_length = 5)]
    pub cutoff: Option<String>,
}

impl DurationDto {
    /// A statutory time as clients read and send it (`cutoff` as `HH:MM`).
    pub fn of(d: &StatutoryDuration) -> DurationDto {
        DurationDto {
            amount: d.amount,
            unit: d.unit,
            cutoff: d
                .cutoff_minute
                .map(|m| format!("{:02}:{:02}", m / 60, m % 60)),
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct FeesDto {
    /// Fees and charges in đồng.
    #[schema(minimum = 0, maximum = 1e12)]
    pub amount_vnd: i64,
    #[serde(default)]
    #[schema(max_length = 1000)]
    pub note: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ProcedureInput {
    /// Required on create; ignored on update (the path names it).
    #[schema(max_length = 64)]
    pub code: Option<String>,
    #[schema(max_length = 500)]
    pub name: String,
    #[schema(max_length = 200)]
    pub field: String,
    #[schema(max_length = 64)]
    pub agency_code: String,
    pub duration: DurationDto,
    pub fees: Option<FeesDto>,
    #[serde(default)]
    #[schema(max_items = 100)]
    pub required_documents: Vec<RequiredDocument>,
    #[serde(default)]
    #[schema(max_length = 4000)]
    pub legal_basis: String,
    #[serde(default)]
    #[schema(max_length = 2000)]
    pub result: String,
    /// How far it can be done online: `not_online`, `partly_online`
    /// (filed online, the result collected at the desk) or `fully_online`
    /// (toàn trình). Without it, `online_allowed` decides: true is
    /// `partly_online`, false or absent `not_online`.
    #[serde(default)]
    pub service_level: Option<ServiceLevel>,
    /// Whether it can be filed online; kept for older clients. Given with
    /// `service_level`, the two must agree.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub online_allowed: Option<bool>,
    /// What a supplement request does to the clock: `pause` (default) or
    /// `restart` the full time when the supplement arrives.
    #[serde(default)]
    pub supplement_policy: SupplementPolicy,
    /// The process plan after the desk: ordered steps whose shares add up
    /// to 100%. Empty: the receiving agency handles it alone.
    #[serde(default)]
    #[schema(max_items = 20)]
    pub steps: Vec<ProcessStep>,
    /// For an interlinked group: the member procedures' codes (one child
    /// dossier each, handled by its own agency).
    #[serde(default)]
    #[schema(max_items = 20)]
    pub members: Vec<String>,
    /// What complying costs the citizen besides the fees (docs/catalogue.md,
    /// Compliance cost): minutes per listed document, trips, travel,
    /// waiting, collecting, outside services and other costs.
    #[serde(default)]
    pub compliance: Option<ComplianceInputs>,
    /// Its cases (trường hợp), each with its own documents, time limits,
    /// fees and plan; a dossier of a procedure with cases is of one of
    /// them (docs/catalogue.md, Cases).
    #[serde(default)]
    #[schema(max_items = 20)]
    pub cases: Vec<crate::procedure_cases::CaseInput>,
    /// Whether a representative may file for the applicant under an
    /// authorisation (ủy quyền, docs/representation.md); true when
    /// omitted, as the law allows it unless it asks for the applicant in
    /// person.
    #[serde(default = "yes")]
    pub representation_allowed: bool,
    /// Whether any desk may receive it, not only the agency's own
    /// (phi địa giới, docs/desk.md, Intake at any desk); false when
    /// omitted.
    #[serde(default)]
    pub any_desk: bool,
}

fn yes() -> bool {
    true
}

fn parse_cutoff(s: &str) -> Option<u16> {
    let (h, m) = s.trim().split_once(':')?;
    let (h, m): (u16, u16) = (h.parse().ok()?, m.parse().ok()?);
    (h < 24 && m < 60).then_some(h * 60 + m)
}

/// Checks a duration as clients send it.
pub fn parse_duration(d: &DurationDto) -> Result<StatutoryDuration, Vec<FieldError>> {
    let mut errors = Vec::new();
    let cutoff = match &d.cutoff {
        Some(c) => match parse_cutoff(c) {
            Some(m) => Some(m),
            None => {
                errors.push(FieldError::new("duration.cutoff", "must be HH:MM"));
                None
            }
        },
        None => None,
    };
    let same_day = d.unit == DurationUnit::SameDay;
    let duration = StatutoryDuration {
        amount: if same_day { 0 } else { d.amount },
        unit: d.unit,
        cutoff_minute: if same_day { cutoff } else { None },
    };
    if let Err(e) = duration.validate() {
        errors.push(FieldError::new("duration", e.to_string()));
    }
    if errors.is_empty() {
        Ok(duration)
    } else {
        Err(errors)
    }
}

/// Checks a procedure entered under `code`; every problem at once. The
/// process plan must hold together ([`Procedure::validate_plan`]).
/// Checks a published list of documents (codes given once, names, at
/// least one original or copy each), every problem added to `errors`
/// under `required_documents[i]`; the list trimmed.
pub fn check_documents(
    documents: Vec<RequiredDocument>,
    errors: &mut Vec<FieldError>,
) -> Vec<RequiredDocument> {
    let mut seen = std::collections::HashSet::new();
    for (i, d) in documents.iter().enumerate() {
        if d.code.trim().is_empty() || d.code.len() > 40 {
            errors.push(FieldError::new(
                format!("required_documents[{i}].code"),
                "1-40 characters",
            ));
        }
        if d.code.trim() == motcua_domain::AUTHORISATION_DOCUMENT {
            errors.push(FieldError::new(
                format!("required_documents[{i}].code"),
                "is reserved for a representative's authorisation (docs/representation.md)",
            ));
        }
        if !seen.insert(d.code.trim().to_string()) {
            errors.push(FieldError::new(
                format!("required_documents[{i}].code"),
                "duplicate document code",
            ));
        }
        if d.name.trim().is_empty() {
            errors.push(FieldError::new(
                format!("required_documents[{i}].name"),
                "is required",
            ));
        }
        if d.original == 0 && d.copies == 0 {
            errors.push(FieldError::new(
                format!("required_documents[{i}]"),
                "needs at least one original or one copy",
            ));
        }
    }
    documents
        .into_iter()
        .map(|d| RequiredDocument {
            code: d.code.trim().to_string(),
            name: d.name.trim().to_string(),
            ..d
        })
        .collect()
}

pub fn check(code: &str, input: ProcedureInput) -> Result<Procedure, AdminError> {
    let mut errors = Vec::new();
    let code = ProcedureCode::parse(code.trim())
        .map_err(|e| errors.push(FieldError::new("code", e.to_string())))
        .ok();
    let agency = AgencyCode::parse(input.agency_code.trim())
        .map_err(|e| errors.push(FieldError::new("agency_code", e.to_string())))
        .ok();
    for (field, value) in [("name", &input.name), ("field", &input.field)] {
        if value.trim().is_empty() {
            errors.push(FieldError::new(field, "is required"));
        }
    }
    let members: Vec<ProcedureCode> = input
        .members
        .iter()
        .enumerate()
        .filter_map(|(i, m)| {
            ProcedureCode::parse(m.trim())
                .map_err(|e| errors.push(FieldError::new(format!("members[{i}]"), e.to_string())))
                .ok()
        })
        .collect();
    let duration = parse_duration(&input.duration)
        .map_err(|e| errors.extend(e))
        .ok();
    let fees = input.fees.unwrap_or(FeesDto {
        amount_vnd: 0,
        note: String::new(),
    });
    if fees.amount_vnd < 0 {
        errors.push(FieldError::new("fees.amount_vnd", "must not be negative"));
    }
    let service_level = match (input.service_level, input.online_allowed) {
        (Some(level), Some(online)) if level.online() != online => {
            errors.push(FieldError::new(
                "online_allowed",
                format!("contradicts service_level {}", level.as_str()),
            ));
            level
        }
        (Some(level), _) => level,
        (None, Some(true)) => ServiceLevel::PartlyOnline,
        (None, _) => ServiceLevel::NotOnline,
    };
    let documents = check_documents(input.required_documents, &mut errors);
    match (code, agency, duration) {
        (Some(code), Some(agency), Some(duration)) if errors.is_empty() => {
            let p = Procedure {
                code,
                version: 0,
                name: input.name.trim().to_string(),
                field: input.field.trim().to_string(),
                agency,
                duration,
                fee_vnd: fees.amount_vnd,
                fee_note: fees.note,
                required_documents: documents,
                legal_basis: input.legal_basis,
                result: input.result,
                service_level,
                supplement_policy: input.supplement_policy,
                steps: input.steps,
                members,
                compliance: input.compliance,
                cases: Vec::new(),
                representation_allowed: input.representation_allowed,
                any_desk: input.any_desk,
            };
            let mut errors = Vec::new();
            let cases = crate::procedure_cases::check_cases(&p, input.cases, &mut errors);
            if !errors.is_empty() {
                return Err(AdminError::Invalid(errors));
            }
            let p = Procedure { cases, ..p };
            p.validate_plan().map_err(|e| match e {
                DomainError::Invalid { field, message } => AdminError::invalid(field, message),
                other => AdminError::invalid("steps", other.to_string()),
            })?;
            if let Some(c) = &p.compliance {
                let errors = compliance::check(c, &p);
                if !errors.is_empty() {
                    return Err(AdminError::Invalid(errors));
                }
            }
            Ok(p)
        }
        _ => Err(AdminError::Invalid(errors)),
    }
}

/// Publishes a checked procedure ([`check`]) as its next version, with
/// its event. Its agencies, plan steps' agencies and group members must
/// exist, and a member cannot itself be a group.
pub fn save(
    conn: &mut DbConnection,
    actor: &Actor,
    p: Procedure,
    how: Save,
) -> Result<Procedure, AdminError> {
    conn.write_tx(|conn| {
        references_exist(conn, &p)?;
        let (saved, kind) = match how {
            Save::Create => {
                if procedures::get(conn, p.code.as_str())?.is_some() {
                    return Err(AdminError::Conflict(format!(
                        "procedure {} already exists",
                        p.code
                    )));
                }
                (procedures::insert(conn, &p)?, EventKind::ProcedureCreated)
            }
            Save::Update => {
                let saved = procedures::update(conn, &p).map_err(|e| match e {
                    StoreError::NotFound => AdminError::NotFound("procedure"),
                    other => other.into(),
                })?;
                (saved, EventKind::ProcedureUpdated)
            }
        };
        events::append(
            conn,
            &events::NewEvent {
                subject_type: "procedure",
                subject_id: saved.code.as_str(),
                dossier_id: None,
                kind,
                actor,
                at: time::now(),
                data: json!({ "version": saved.version }),
            },
        )?;
        Ok(saved)
    })
}

/// The agencies and member procedures a procedure names exist.
fn references_exist(conn: &mut DbConnection, p: &Procedure) -> Result<(), AdminError> {
    if agencies::get(conn, p.agency.as_str())?.is_none() {
        return Err(AdminError::invalid("agency_code", "no such agency"));
    }
    for (i, m) in p.members.iter().enumerate() {
        match procedures::get(conn, m.as_str())? {
            None => {
                return Err(AdminError::invalid(
                    format!("members[{i}]"),
                    "no such procedure",
                ))
            }
            Some(member) if member.is_group() => {
                return Err(AdminError::invalid(
                    format!("members[{i}]"),
                    "a member cannot itself be a group",
                ))
            }
            Some(_) => {}
        }
    }
    for (i, step) in p.steps.iter().enumerate() {
        if agencies::get(conn, &step.agency_code)?.is_none() {
            return Err(AdminError::invalid(
                format!("steps[{i}].agency_code"),
                "no such agency",
            ));
        }
    }
    Ok(())
}
