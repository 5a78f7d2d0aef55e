//! Staff roles. Each user has exactly one role and belongs to one agency.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::DomainError;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Manages the catalogue, the calendar and users.
    Admin,
    /// Works at the counter: logs dossiers, issues receipts, returns results.
    Clerk,
    /// Processes dossiers at an agency.
    Officer,
    /// Reviews breaches and reports for an agency and the agencies below it.
    Supervisor,
}

impl Role {
    pub const ALL: [Role; 4] = [Role::Admin, Role::Clerk, Role::Officer, Role::Supervisor];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Clerk => "clerk",
            Role::Officer => "officer",
            Role::Supervisor => "supervisor",
        }
    }

    pub fn parse(s: &str) -> Result<Role, DomainError> {
        Role::ALL
            .into_iter()
            .find(|r| r.as_str() == s)
            .ok_or_else(|| DomainError::UnknownValue {
                kind: "role",
                value: s.to_string(),
            })
    }
}

impl std::fmt::Display for Role {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}
