//! The central entity of the desk and its typed parts: the dossier, the
//! verdict on its processing and how its result went back to the citizen.

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::{Channel, Status, SubmittedDocument};

/// A dossier: the citizen's file for one procedure, from its receipt to
/// the return of its result (docs/statuses.md).
#[derive(Debug, Clone, PartialEq)]
pub struct Dossier {
    pub id: String,
    /// The case of its procedure it was received as (none: the procedure
    /// has no cases); its documents, time and plan are the case's.
    pub case_code: Option<String>,
    pub code: String,
    pub pin_hash: String,
    pub procedure_code: String,
    pub procedure_version: i32,
    pub receiving_agency: String,
    pub handling_agency: String,
    pub status: Status,
    pub channel: Channel,
    pub applicant_name: String,
    pub applicant_id_number: String,
    pub applicant_phone: Option<String>,
    pub applicant_email: Option<String>,
    pub applicant_address: Option<String>,
    pub documents: Vec<SubmittedDocument>,
    pub fee_vnd: i64,
    pub book_year: i32,
    pub book_entry: i64,
    pub received_at: DateTime<Utc>,
    pub due_at: DateTime<Utc>,
    pub original_due_at: DateTime<Utc>,
    pub received_by: String,
    pub note: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// Procedure name of the version kept, as printed on the receipt.
    pub procedure_name: String,
    /// Bumped whenever the due time changes; breach records are unique per
    /// dossier, kind and clock version.
    pub clock_version: i32,
    pub paused_since: Option<DateTime<Utc>>,
    pub supplement_requests: i32,
    pub ended_at: Option<DateTime<Utc>>,
    /// Early, on time or late, once processing ended.
    pub verdict: Option<Verdict>,
    pub result_note: String,
    /// The group dossier this one belongs to (interlinked processing).
    pub parent_id: Option<String>,
    /// Index into the procedure's process plan of the step holding it
    /// (0: the receiving desk).
    pub current_step: i32,
    /// Sent to the next agency and not yet acknowledged there.
    pub in_transit: bool,
    pub payment_amount_vnd: Option<i64>,
    pub returned_at: Option<DateTime<Utc>>,
    pub returned_to: Option<String>,
    pub return_method: Option<ReturnMethod>,
    /// The officer of the holding agency the dossier is assigned to.
    pub assigned_to: Option<String>,
    /// Who filed it for the applicant, under an authorisation; none when
    /// the applicant filed in person (docs/representation.md).
    pub representative: Option<crate::Representative>,
    /// Its journeys by post, both ways (docs/post.md).
    pub postal: crate::Postal,
    /// Received at a desk other than the competent one (phi địa giới,
    /// docs/desk.md, Intake at any desk): the competent agency it was
    /// received for, which takes it over as the first leg.
    pub received_for: Option<String>,
}

/// Early / on time / late (docs/time.md, Verdicts): how processing ended
/// against the appointment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    Early,
    OnTime,
    Late,
}

impl Verdict {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Early => "early",
            Verdict::OnTime => "on_time",
            Verdict::Late => "late",
        }
    }

    pub fn parse(s: &str) -> Option<Verdict> {
        match s {
            "early" => Some(Verdict::Early),
            "on_time" => Some(Verdict::OnTime),
            "late" => Some(Verdict::Late),
            _ => None,
        }
    }
}

/// How the result went back to the citizen.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ReturnMethod {
    /// Collected at the counter.
    Counter,
    /// Sent by post (public postal service).
    Post,
    /// Delivered online.
    Online,
}

impl ReturnMethod {
    pub const ALL: [ReturnMethod; 3] = [
        ReturnMethod::Counter,
        ReturnMethod::Post,
        ReturnMethod::Online,
    ];

    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            ReturnMethod::Counter => "counter",
            ReturnMethod::Post => "post",
            ReturnMethod::Online => "online",
        }
    }

    pub fn parse(s: &str) -> Option<ReturnMethod> {
        ReturnMethod::ALL.into_iter().find(|m| m.as_str() == s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stored_names_read_back() {
        for v in [Verdict::Early, Verdict::OnTime, Verdict::Late] {
            assert_eq!(Verdict::parse(v.as_str()), Some(v));
        }
        for m in ReturnMethod::ALL {
            assert_eq!(ReturnMethod::parse(m.as_str()), Some(m));
        }
        assert_eq!(Verdict::parse("ontime"), None);
        assert_eq!(ReturnMethod::parse("fax"), None);
    }
}
