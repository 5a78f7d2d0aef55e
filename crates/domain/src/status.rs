//! The public status vocabulary of the national public-service portal
//! (docs/statuses.md, The transition table) and the transition table every write is checked against.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::DomainError;

/// A dossier status, numbered as the national portal numbers them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// 1 — Mới đăng ký: submitted online, not yet accepted by the desk.
    Submitted,
    /// 2 — Được tiếp nhận: received, receipt issued.
    Received,
    /// 3 — Không được tiếp nhận: refused at intake.
    Refused,
    /// 4 — Đang xử lý: being processed.
    Processing,
    /// 5 — Yêu cầu bổ sung: supplement requested, clock paused.
    SupplementRequested,
    /// 6 — Yêu cầu thực hiện nghĩa vụ tài chính: waiting for fees or taxes.
    AwaitingPayment,
    /// 7 — Công dân rút hồ sơ: withdrawn by the citizen.
    Withdrawn,
    /// 8 — Dừng xử lý: processing stopped.
    Stopped,
    /// 9 — Đã xử lý xong: processed, result ready.
    Processed,
    /// 10 — Đã trả kết quả: result returned.
    Returned,
}

impl Status {
    pub const ALL: [Status; 10] = [
        Status::Submitted,
        Status::Received,
        Status::Refused,
        Status::Processing,
        Status::SupplementRequested,
        Status::AwaitingPayment,
        Status::Withdrawn,
        Status::Stopped,
        Status::Processed,
        Status::Returned,
    ];

    /// The national portal's numeric code.
    pub const fn code(self) -> i32 {
        match self {
            Status::Submitted => 1,
            Status::Received => 2,
            Status::Refused => 3,
            Status::Processing => 4,
            Status::SupplementRequested => 5,
            Status::AwaitingPayment => 6,
            Status::Withdrawn => 7,
            Status::Stopped => 8,
            Status::Processed => 9,
            Status::Returned => 10,
        }
    }

    pub fn from_code(code: i32) -> Result<Status, DomainError> {
        Status::ALL
            .into_iter()
            .find(|s| s.code() == code)
            .ok_or_else(|| DomainError::UnknownValue {
                kind: "status code",
                value: code.to_string(),
            })
    }

    /// The machine name used in JSON (`received`, `processing`, ...).
    pub fn name(self) -> &'static str {
        match self {
            Status::Submitted => "submitted",
            Status::Received => "received",
            Status::Refused => "refused",
            Status::Processing => "processing",
            Status::SupplementRequested => "supplement_requested",
            Status::AwaitingPayment => "awaiting_payment",
            Status::Withdrawn => "withdrawn",
            Status::Stopped => "stopped",
            Status::Processed => "processed",
            Status::Returned => "returned",
        }
    }

    /// The text the national portal shows.
    pub fn label_vi(self) -> &'static str {
        match self {
            Status::Submitted => "Mới đăng ký",
            Status::Received => "Được tiếp nhận",
            Status::Refused => "Không được tiếp nhận",
            Status::Processing => "Đang xử lý",
            Status::SupplementRequested => "Yêu cầu bổ sung",
            Status::AwaitingPayment => "Yêu cầu thực hiện nghĩa vụ tài chính",
            Status::Withdrawn => "Công dân rút hồ sơ",
            Status::Stopped => "Dừng xử lý",
            Status::Processed => "Đã xử lý xong",
            Status::Returned => "Đã trả kết quả",
        }
    }

    pub fn label_en(self) -> &'static str {
        match self {
            Status::Submitted => "Submitted online, awaiting acceptance",
            Status::Received => "Received",
            Status::Refused => "Not accepted",
            Status::Processing => "Being processed",
            Status::SupplementRequested => "Supplement requested",
            Status::AwaitingPayment => "Awaiting payment of fees or taxes",
            Status::Withdrawn => "Withdrawn by the applicant",
            Status::Stopped => "Processing stopped",
            Status::Processed => "Processed, result ready",
            Status::Returned => "Result returned",
        }
    }

    /// The statuses a dossier may move to from this one. This table is the
    /// single source of truth: writes are checked against it and the API
    /// names its entries when it refuses a transition.
    pub fn allowed_next(self) -> &'static [Status] {
        use Status::*;
        match self {
            Submitted => &[Received, Refused, Withdrawn],
            Received => &[
                Processing,
                SupplementRequested,
                Withdrawn,
                Stopped,
                Processed,
            ],
            Processing => &[
                SupplementRequested,
                AwaitingPayment,
                Withdrawn,
                Stopped,
                Processed,
            ],
            SupplementRequested => &[Processing, Withdrawn, Stopped],
            AwaitingPayment => &[Processing, Withdrawn, Stopped],
            Processed => &[Returned],
            Refused | Withdrawn | Stopped | Returned => &[],
        }
    }

    pub fn can_move_to(self, next: Status) -> bool {
        self.allowed_next().contains(&next)
    }

    /// True once nothing more can happen to the dossier.
    pub fn is_final(self) -> bool {
        self.allowed_next().is_empty()
    }

    /// True while the dossier counts against an agency's clock.
    pub fn is_open(self) -> bool {
        matches!(
            self,
            Status::Received
                | Status::Processing
                | Status::SupplementRequested
                | Status::AwaitingPayment
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip_and_match_the_portal() {
        for (i, s) in Status::ALL.into_iter().enumerate() {
            assert_eq!(s.code(), i as i32 + 1);
            assert_eq!(Status::from_code(s.code()).unwrap(), s);
        }
        assert!(Status::from_code(0).is_err());
        assert!(Status::from_code(11).is_err());
    }

    #[test]
    fn final_states_have_no_exit_and_every_other_state_can_end() {
        for s in Status::ALL {
            if s.is_final() {
                assert!(matches!(
                    s,
                    Status::Refused | Status::Withdrawn | Status::Stopped | Status::Returned
                ));
            }
            assert!(!s.can_move_to(s), "{s:?} may not loop to itself");
        }
        assert!(Status::Submitted.can_move_to(Status::Received));
        assert!(!Status::Returned.can_move_to(Status::Processing));
    }

    #[test]
    fn names_are_distinct() {
        let mut names: Vec<_> = Status::ALL.iter().map(|s| s.name()).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), 10);
    }
}
