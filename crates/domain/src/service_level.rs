//! How far a procedure can be done online, as the catalogue publishes it
//! (docs/catalogue.md, Service level): the public catalogue filters by it
//! and the results report counts by it.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::DomainError;

/// A procedure's online service level (mức độ dịch vụ công trực tuyến).
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    Default,
    Serialize,
    Deserialize,
    ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum ServiceLevel {
    /// Filed and collected at the desk only.
    #[default]
    NotOnline,
    /// Partly online (một phần): filed online, the result collected at the
    /// desk (or where the procedure says), fees possibly paid there.
    PartlyOnline,
    /// Fully online (toàn trình): filed, paid and the result given online;
    /// the citizen need not come to the desk at all.
    FullyOnline,
}

impl ServiceLevel {
    pub const ALL: [ServiceLevel; 3] = [
        ServiceLevel::NotOnline,
        ServiceLevel::PartlyOnline,
        ServiceLevel::FullyOnline,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ServiceLevel::NotOnline => "not_online",
            ServiceLevel::PartlyOnline => "partly_online",
            ServiceLevel::FullyOnline => "fully_online",
        }
    }

    pub fn parse(s: &str) -> Result<Self, DomainError> {
        ServiceLevel::ALL
            .into_iter()
            .find(|l| l.as_str() == s)
            .ok_or_else(|| DomainError::UnknownValue {
                kind: "service level",
                value: s.to_string(),
            })
    }

    /// Whether a dossier of this procedure may be filed online.
    pub fn online(self) -> bool {
        self != ServiceLevel::NotOnline
    }

    /// The name the catalogue and the reports print.
    pub fn label_vi(self) -> &'static str {
        match self {
            ServiceLevel::NotOnline => "Không trực tuyến",
            ServiceLevel::PartlyOnline => "Dịch vụ công trực tuyến một phần",
            ServiceLevel::FullyOnline => "Dịch vụ công trực tuyến toàn trình",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_unknown_is_refused() {
        for l in ServiceLevel::ALL {
            assert_eq!(ServiceLevel::parse(l.as_str()).unwrap(), l);
            let json = serde_json::to_string(&l).unwrap();
            assert_eq!(json, format!("\"{}\"", l.as_str()));
        }
        assert!(ServiceLevel::parse("online").is_err());
        assert!(!ServiceLevel::NotOnline.online());
        assert!(ServiceLevel::PartlyOnline.online() && ServiceLevel::FullyOnline.online());
    }
}
