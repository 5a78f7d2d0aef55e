//! A citizen's rating of a returned dossier: the nine criteria of the
//! satisfaction survey, each scored 0 (poor), 1 (acceptable) or 2 (good),
//! and the overall satisfaction. Given once, with the dossier's code and
//! PIN (or at the counter through the clerk), never changed afterwards;
//! the service index's satisfaction measure counts the dissatisfied ones
//! (docs/measures.md).

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::DomainError;

/// The criteria, in the order the scores are given, as the survey asks
/// them.
pub const CRITERIA: [&str; 9] = [
    "Tổng thời gian giải quyết so với thời hạn",
    "Thời gian giải quyết của từng cơ quan",
    "Số lần phải đi lại",
    "Số cơ quan phải liên hệ",
    "Tiếp nhận và trả kết quả qua Bộ phận Một cửa",
    "Công khai thủ tục hành chính",
    "Thái độ của cán bộ",
    "Tiếp nhận và xử lý phản ánh, kiến nghị",
    "Cung cấp dịch vụ công trực tuyến",
];

/// The longest comment kept.
pub const COMMENT_MAX: usize = 2000;

/// Overall satisfaction.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Overall {
    VerySatisfied,
    Satisfied,
    NotSatisfied,
}

impl Overall {
    pub const ALL: [Overall; 3] = [
        Overall::VerySatisfied,
        Overall::Satisfied,
        Overall::NotSatisfied,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Overall::VerySatisfied => "very_satisfied",
            Overall::Satisfied => "satisfied",
            Overall::NotSatisfied => "not_satisfied",
        }
    }

    pub fn parse(s: &str) -> Result<Overall, DomainError> {
        Overall::ALL
            .into_iter()
            .find(|o| o.as_str() == s)
            .ok_or_else(|| DomainError::UnknownValue {
                kind: "overall satisfaction",
                value: s.to_string(),
            })
    }
}

/// A rating as given: checked by [`Rating::new`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rating {
    pub scores: [u8; 9],
    pub overall: Overall,
    pub comment: String,
}

impl Rating {
    /// A rating of nine scores, each 0, 1 or 2, with an overall
    /// satisfaction and a comment of at most [`COMMENT_MAX`] characters.
    pub fn new(scores: &[i64], overall: Overall, comment: &str) -> Result<Rating, DomainError> {
        if scores.len() != CRITERIA.len() {
            return Err(DomainError::invalid(
                "scores",
                format!(
                    "give {} scores, one per criterion, in order",
                    CRITERIA.len()
                ),
            ));
        }
        let mut out = [0u8; 9];
        for (i, s) in scores.iter().enumerate() {
            out[i] = match s {
                0..=2 => *s as u8,
                _ => {
                    return Err(DomainError::invalid(
                        format!("scores[{i}]"),
                        "each score is 0, 1 or 2",
                    ))
                }
            };
        }
        let comment = comment.trim();
        if comment.chars().count() > COMMENT_MAX {
            return Err(DomainError::invalid(
                "comment",
                format!("at most {COMMENT_MAX} characters"),
            ));
        }
        Ok(Rating {
            scores: out,
            overall,
            comment: comment.to_string(),
        })
    }

    /// The scores summed (0 to 18).
    pub fn total(&self) -> u32 {
        self.scores.iter().map(|s| u32::from(*s)).sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nine_scores_of_zero_to_two_and_a_bounded_comment() {
        let r = Rating::new(&[2, 2, 1, 1, 2, 2, 2, 0, 1], Overall::Satisfied, "  Tốt ").unwrap();
        assert_eq!(r.total(), 13);
        assert_eq!(r.comment, "Tốt");
        let field = |e: DomainError| match e {
            DomainError::Invalid { field, .. } => field,
            other => panic!("{other:?}"),
        };
        assert_eq!(
            field(Rating::new(&[2; 8], Overall::Satisfied, "").unwrap_err()),
            "scores"
        );
        assert_eq!(
            field(Rating::new(&[2, 2, 3, 2, 2, 2, 2, 2, 2], Overall::Satisfied, "").unwrap_err()),
            "scores[2]"
        );
        assert_eq!(
            field(Rating::new(&[-1, 2, 2, 2, 2, 2, 2, 2, 2], Overall::Satisfied, "").unwrap_err()),
            "scores[0]"
        );
        let long = "x".repeat(COMMENT_MAX + 1);
        assert_eq!(
            field(Rating::new(&[1; 9], Overall::Satisfied, &long).unwrap_err()),
            "comment"
        );
        for o in Overall::ALL {
            assert_eq!(Overall::parse(o.as_str()).ok(), Some(o));
        }
    }
}
