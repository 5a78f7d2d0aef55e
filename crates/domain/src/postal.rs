//! The public postal service both ways (bưu chính công ích, docs/post.md):
//! a dossier that came by post keeps its parcel's tracking code; a result
//! the citizen asked to get by post is handed to the post (its tracking
//! code and time) and counts as returned when the post delivers it.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// A dossier's journeys by post; all empty for one that never met it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Postal {
    /// The tracking code of the parcel the dossier came in (channel
    /// `post`).
    #[schema(example = "EI123456785VN")]
    pub inbound_code: Option<String>,
    /// Where the citizen asked the result to be sent; none: collected at
    /// the desk.
    pub return_address: Option<String>,
    /// The tracking code of the result's parcel, once handed to the post.
    #[schema(example = "EI987654321VN")]
    pub outbound_code: Option<String>,
    pub dispatched_at: Option<DateTime<Utc>>,
    /// When the post delivered it: the result's return.
    pub delivered_at: Option<DateTime<Utc>>,
    /// When the post gave up and sent it back to the desk, and why; a new
    /// dispatch clears it.
    pub failed_at: Option<DateTime<Utc>>,
    pub failure: Option<String>,
}

/// What the post reports of a parcel.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum PostalOutcome {
    /// Handed to the addressee.
    Delivered,
    /// Not delivered; returned to the sender (the desk).
    Failed,
}

impl PostalOutcome {
    pub fn as_str(self) -> &'static str {
        match self {
            PostalOutcome::Delivered => "delivered",
            PostalOutcome::Failed => "failed",
        }
    }

    pub fn parse(s: &str) -> Option<PostalOutcome> {
        [PostalOutcome::Delivered, PostalOutcome::Failed]
            .into_iter()
            .find(|o| o.as_str() == s)
    }
}

impl Postal {
    /// With the post now: handed over, neither delivered nor back.
    pub fn in_flight(&self) -> bool {
        self.dispatched_at.is_some() && self.delivered_at.is_none() && self.failed_at.is_none()
    }
}

/// A tracking code as the post prints it ("EI123456785VN"): 6 to 40
/// letters and digits, kept upper-case, spaces and dashes dropped.
pub fn tracking_code(raw: &str) -> Result<String, &'static str> {
    let code: String = raw
        .chars()
        .filter(|c| !matches!(c, ' ' | '-'))
        .collect::<String>()
        .to_ascii_uppercase();
    if (6..=40).contains(&code.len()) && code.bytes().all(|b| b.is_ascii_alphanumeric()) {
        Ok(code)
    } else {
        Err("must be the post's tracking code: 6-40 letters and digits")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tracking_codes_are_kept_as_printed() {
        assert_eq!(
            tracking_code(" ei 123-456-785 vn ").unwrap(),
            "EI123456785VN"
        );
        assert!(tracking_code("EI1").is_err());
        assert!(tracking_code("EI12345/6785VN").is_err());
        for o in [PostalOutcome::Delivered, PostalOutcome::Failed] {
            assert_eq!(PostalOutcome::parse(o.as_str()), Some(o));
        }
    }

    #[test]
    fn in_flight_until_delivered_or_back() {
        let t = Utc::now();
        let mut p = Postal {
            dispatched_at: Some(t),
            ..Postal::default()
        };
        assert!(p.in_flight());
        p.failed_at = Some(t);
        assert!(!p.in_flight());
        assert!(!Postal::default().in_flight());
    }
}
