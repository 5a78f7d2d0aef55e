//! Agencies of the administrative hierarchy.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::{AgencyCode, DomainError};

/// The level of an agency in the hierarchy, from the top down.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum AgencyLevel {
    Province,
    Department,
    District,
    Commune,
}

impl AgencyLevel {
    pub const ALL: [AgencyLevel; 4] = [
        AgencyLevel::Province,
        AgencyLevel::Department,
        AgencyLevel::District,
        AgencyLevel::Commune,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            AgencyLevel::Province => "province",
            AgencyLevel::Department => "department",
            AgencyLevel::District => "district",
            AgencyLevel::Commune => "commune",
        }
    }

    pub fn parse(s: &str) -> Result<Self, DomainError> {
        AgencyLevel::ALL
            .into_iter()
            .find(|l| l.as_str() == s)
            .ok_or_else(|| DomainError::UnknownValue {
                kind: "agency level",
                value: s.to_string(),
            })
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Agency {
    pub code: AgencyCode,
    pub name: String,
    pub level: AgencyLevel,
    pub parent: Option<AgencyCode>,
    /// Where citizens collect results, printed on receipts.
    pub address: String,
}
