//! The agency hierarchy (province, district, commune and their offices):
//! creating and changing an agency. A parent must exist and must not be
//! the agency itself or one of its descendants, so the hierarchy stays a
//! tree that reports roll up without loops.

use motcua_domain::{Agency, AgencyCode, AgencyLevel, EventKind, FieldError};
use motcua_store::events::{self, Actor};
use motcua_store::{agencies, time, DbConnection, StoreError};
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::ToSchema;

use crate::AdminError;

/// An agency as an administrator enters it.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct AgencyInput {
    /// Required on create; ignored on update (the path names the agency).
    #[schema(max_length = 64)]
    pub code: Option<String>,
    #[schema(max_length = 300)]
    pub name: String,
    pub level: AgencyLevel,
    #[schema(max_length = 64)]
    pub parent_code: Option<String>,
    #[serde(default)]
    #[schema(max_length = 500)]
    pub address: String,
}

/// Checks an agency entered under `code`; every problem at once.
pub fn check(code: &str, input: AgencyInput) -> Result<Agency, AdminError> {
    let mut errors = Vec::new();
    let code = AgencyCode::parse(code.trim()).map_err(|e| FieldError::new("code", e.to_string()));
    let parent = input
        .parent_code
        .as_deref()
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(AgencyCode::parse)
        .transpose()
        .map_err(|e| FieldError::new("parent_code", e.to_string()));
    if input.name.trim().is_empty() {
        errors.push(FieldError::new("name", "is required"));
    }
    match (code, parent) {
        (Ok(code), Ok(parent)) if errors.is_empty() => {
            if parent.as_ref() == Some(&code) {
                return Err(AdminError::invalid(
                    "parent_code",
                    "an agency cannot be its own parent",
                ));
            }
            Ok(Agency {
                code,
                name: input.name.trim().to_string(),
                level: input.level,
                parent,
                address: input.address.trim().to_string(),
            })
        }
        (code, parent) => {
            errors.extend(code.err());
            errors.extend(parent.err());
            Err(AdminError::Invalid(errors))
        }
    }
}

/// Whether [`save`] adds an agency or changes one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Save {
    Create,
    Update,
}

/// Records a checked agency ([`check`]) with its event. A new code that
/// exists is a conflict; changing an unknown one is not found.
pub fn save(
    conn: &mut DbConnection,
    actor: &Actor,
    agency: Agency,
    how: Save,
) -> Result<Agency, AdminError> {
    conn.write_tx(|conn| {
        if let Some(parent) = &agency.parent {
            if agencies::get(conn, parent.as_str())?.is_none() {
                return Err(AdminError::invalid("parent_code", "no such agency"));
            }
            let above = agencies::with_ancestors(conn, parent.as_str())?;
            if above.contains(&agency.code.to_string()) {
                return Err(AdminError::invalid(
                    "parent_code",
                    "would make a cycle in the hierarchy",
                ));
            }
        }
        let kind = match how {
            Save::Create => {
                agencies::insert(conn, &agency)?;
                EventKind::AgencyCreated
            }
            Save::Update => {
                agencies::update(conn, &agency).map_err(|e| match e {
                    StoreError::NotFound => AdminError::NotFound("agency"),
                    other => other.into(),
                })?;
                EventKind::AgencyUpdated
            }
        };
        events::append(
            conn,
            &events::NewEvent {
                subject_type: "agency",
                subject_id: agency.code.as_str(),
                dossier_id: None,
                kind,
                actor,
                at: time::now(),
                data: json!({ "name": agency.name, "level": agency.level, "parent": agency.parent, "address": agency.address }),
            },
        )?;
        Ok(agency)
    })
}
