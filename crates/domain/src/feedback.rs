//! Citizens' feedback and recommendations (phản ánh, kiến nghị): what a
//! citizen sends, the steps the agency takes, and the working days each
//! step may take (docs/feedback.md). The deadlines are counted with the
//! desk's working calendar by `motcua-feedback`; this module only says
//! which step is due after which and how many days it has.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::field::FieldError;
use crate::validate;
use crate::DomainError;

/// The longest name, subject, content, and staff text kept.
pub const NAME_MAX: usize = 200;
pub const SUBJECT_MAX: usize = 200;
pub const CONTENT_MAX: usize = 4000;
pub const TEXT_MAX: usize = 4000;

/// Where a feedback stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum FeedbackStatus {
    /// Sent; the agency must accept or refuse it.
    Received,
    /// Refused, with the reason (ends it).
    Refused,
    /// Accepted; the agency must answer it.
    Accepted,
    /// The agency asked the citizen for more information; nothing is due
    /// from the agency until the citizen replies.
    InformationRequested,
    /// Answered; the answer must be published.
    Answered,
    /// The answer is published (ends it).
    Published,
}

impl FeedbackStatus {
    pub const ALL: [FeedbackStatus; 6] = [
        FeedbackStatus::Received,
        FeedbackStatus::Refused,
        FeedbackStatus::Accepted,
        FeedbackStatus::InformationRequested,
        FeedbackStatus::Answered,
        FeedbackStatus::Published,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            FeedbackStatus::Received => "received",
            FeedbackStatus::Refused => "refused",
            FeedbackStatus::Accepted => "accepted",
            FeedbackStatus::InformationRequested => "information_requested",
            FeedbackStatus::Answered => "answered",
            FeedbackStatus::Published => "published",
        }
    }

    pub fn parse(s: &str) -> Result<FeedbackStatus, DomainError> {
        FeedbackStatus::ALL
            .into_iter()
            .find(|x| x.as_str() == s)
            .ok_or_else(|| DomainError::UnknownValue {
                kind: "feedback status",
                value: s.to_string(),
            })
    }

    /// In Vietnamese, as the public page and the mail say it.
    pub fn text_vi(self) -> &'static str {
        match self {
            FeedbackStatus::Received => "Đã tiếp nhận, chờ xem xét",
            FeedbackStatus::Refused => "Từ chối xử lý",
            FeedbackStatus::Accepted => "Đang xử lý",
            FeedbackStatus::InformationRequested => "Chờ bổ sung thông tin",
            FeedbackStatus::Answered => "Đã trả lời",
            FeedbackStatus::Published => "Đã công khai kết quả",
        }
    }

    pub fn text_en(self) -> &'static str {
        match self {
            FeedbackStatus::Received => "Received, awaiting review",
            FeedbackStatus::Refused => "Refused",
            FeedbackStatus::Accepted => "Being handled",
            FeedbackStatus::InformationRequested => "Waiting for more information",
            FeedbackStatus::Answered => "Answered",
            FeedbackStatus::Published => "Answer published",
        }
    }

    /// The step the agency owes in this status, if any: nothing is owed
    /// once it ended, nor while the citizen is asked for information.
    pub fn step_due(self) -> Option<Step> {
        match self {
            FeedbackStatus::Received => Some(Step::Accept),
            FeedbackStatus::Accepted => Some(Step::Answer),
            FeedbackStatus::Answered => Some(Step::Publish),
            FeedbackStatus::Refused
            | FeedbackStatus::InformationRequested
            | FeedbackStatus::Published => None,
        }
    }

    /// Whether the agency's handling ended (refused or published).
    pub fn is_closed(self) -> bool {
        matches!(self, FeedbackStatus::Refused | FeedbackStatus::Published)
    }
}

/// A step with a statutory limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Step {
    /// Accept or refuse (with a reason): 2 working days from receipt.
    Accept,
    /// Ask the citizen for more information: within 5 working days of
    /// acceptance (asking later is allowed, and recorded as a breach).
    RequestInformation,
    /// Answer: 15 working days from acceptance, or from the citizen's
    /// reply when more information was asked.
    Answer,
    /// Publish the answer: 2 working days from answering.
    Publish,
}

impl Step {
    pub const ALL: [Step; 4] = [
        Step::Accept,
        Step::RequestInformation,
        Step::Answer,
        Step::Publish,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Step::Accept => "accept",
            Step::RequestInformation => "request_information",
            Step::Answer => "answer",
            Step::Publish => "publish",
        }
    }

    pub fn parse(s: &str) -> Result<Step, DomainError> {
        Step::ALL
            .into_iter()
            .find(|x| x.as_str() == s)
            .ok_or_else(|| DomainError::UnknownValue {
                kind: "feedback step",
                value: s.to_string(),
            })
    }

    /// The working days the step may take.
    pub fn working_days(self) -> u32 {
        match self {
            Step::Accept => 2,
            Step::RequestInformation => 5,
            Step::Answer => 15,
            Step::Publish => 2,
        }
    }
}

/// What the citizen sends, checked: a name, a way to reach them (an
/// e-mail address or a phone number, at least one), a subject and the
/// content.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewFeedback {
    pub name: String,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub subject: String,
    pub content: String,
}

impl NewFeedback {
    /// Checks every field and lists every problem at once.
    pub fn new(
        name: &str,
        email: Option<&str>,
        phone: Option<&str>,
        subject: &str,
        content: &str,
    ) -> Result<NewFeedback, Vec<FieldError>> {
        let mut errors = Vec::new();
        let name = validate::required(&mut errors, "name", name, NAME_MAX);
        let email = validate::email(&mut errors, "email", email);
        let phone = validate::phone(&mut errors, "phone", phone);
        if email.is_none() && phone.is_none() {
            errors.push(FieldError::new(
                "email",
                "give an e-mail address or a phone number to be answered",
            ));
        }
        let subject = validate::required(&mut errors, "subject", subject, SUBJECT_MAX);
        let content = validate::required(&mut errors, "content", content, CONTENT_MAX);
        if errors.is_empty() {
            Ok(NewFeedback {
                name,
                email,
                phone,
                subject,
                content,
            })
        } else {
            Err(errors)
        }
    }
}

/// A staff member's text (a reason, a question, an answer): required,
/// bounded.
pub fn staff_text(field: &str, value: &str) -> Result<String, DomainError> {
    let v = value.trim();
    if v.is_empty() {
        return Err(DomainError::invalid(field, "is required"));
    }
    if v.chars().count() > TEXT_MAX {
        return Err(DomainError::invalid(
            field,
            format!("must be at most {TEXT_MAX} characters"),
        ));
    }
    Ok(v.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_and_steps_read_back_from_their_names() {
        for s in FeedbackStatus::ALL {
            assert_eq!(FeedbackStatus::parse(s.as_str()).unwrap(), s);
        }
        for s in Step::ALL {
            assert_eq!(Step::parse(s.as_str()).unwrap(), s);
        }
        assert!(FeedbackStatus::parse("open").is_err());
    }

    #[test]
    fn each_open_status_owes_one_step_and_the_ended_ones_none() {
        assert_eq!(FeedbackStatus::Received.step_due(), Some(Step::Accept));
        assert_eq!(FeedbackStatus::Accepted.step_due(), Some(Step::Answer));
        assert_eq!(FeedbackStatus::Answered.step_due(), Some(Step::Publish));
        assert_eq!(FeedbackStatus::InformationRequested.step_due(), None);
        assert!(FeedbackStatus::Refused.is_closed() && FeedbackStatus::Published.is_closed());
        let days: Vec<u32> = Step::ALL.iter().map(|s| s.working_days()).collect();
        assert_eq!(days, [2, 5, 15, 2]);
    }

    #[test]
    fn a_feedback_needs_a_way_to_answer_and_lists_every_problem() {
        let e = NewFeedback::new(" ", None, None, "", "x").unwrap_err();
        let fields: Vec<&str> = e.iter().map(|f| f.field.as_str()).collect();
        assert_eq!(fields, ["name", "email", "subject"]);
        let e = NewFeedback::new("An", Some("not-mail"), Some("12"), "S", "C").unwrap_err();
        let fields: Vec<&str> = e.iter().map(|f| f.field.as_str()).collect();
        assert_eq!(fields, ["email", "phone"]);
        let ok = NewFeedback::new(" An ", None, Some("0912 345 678"), "S", "C").unwrap();
        assert_eq!(
            (ok.name.as_str(), ok.phone.as_deref()),
            ("An", Some("0912345678"))
        );
        let long = "x".repeat(CONTENT_MAX + 1);
        assert!(NewFeedback::new("An", Some("a@b.vn"), None, "S", &long).is_err());
    }

    #[test]
    fn staff_text_is_required_and_bounded() {
        assert!(staff_text("reason", "  ").is_err());
        assert!(staff_text("reason", &"y".repeat(TEXT_MAX + 1)).is_err());
        assert_eq!(staff_text("reason", " Trùng ").unwrap(), "Trùng");
    }
}
