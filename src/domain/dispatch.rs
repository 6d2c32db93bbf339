//! A dispatched team's answer and the district's review of a decline, with the moves allowed.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// A dispatched team's answer (stored and answered as these strings).
#[derive(Clone, Copy, Debug, PartialEq, Eq, sqlx::Type, Serialize, Deserialize, ToSchema)]
#[sqlx(type_name = "text", rename_all = "snake_case")]
#[serde(rename_all = "snake_case")]
pub enum DispatchAnswer {
    Pending,
    Accepted,
    Declined,
}

/// The district's review of a decline: none yet (the empty string), approved or rejected.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, sqlx::Type, Serialize, Deserialize)]
#[sqlx(type_name = "text", rename_all = "snake_case")]
#[serde(rename_all = "snake_case")]
pub enum DispatchReview {
    #[default]
    #[sqlx(rename = "")]
    #[serde(rename = "")]
    None,
    Approved,
    Rejected,
}

// Written by hand: the derive cannot name a variant with the empty string it is stored and sent as.
impl utoipa::PartialSchema for DispatchReview {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        utoipa::openapi::ObjectBuilder::new()
            .schema_type(utoipa::openapi::schema::Type::String)
            .enum_values(Some(["", "approved", "rejected"]))
            .description(Some(
                "The district's review of a decline: none yet (the empty string), approved or rejected.",
            ))
            .into()
    }
}

impl utoipa::ToSchema for DispatchReview {}

/// What a team answers (`accept` or `decline`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AnswerChoice {
    Accept,
    Decline,
}

impl AnswerChoice {
    pub fn parse(s: &str) -> Option<AnswerChoice> {
        match s {
            "accept" => Some(AnswerChoice::Accept),
            "decline" => Some(AnswerChoice::Decline),
            _ => None,
        }
    }

    pub fn answer(self) -> DispatchAnswer {
        match self {
            AnswerChoice::Accept => DispatchAnswer::Accepted,
            AnswerChoice::Decline => DispatchAnswer::Declined,
        }
    }
}

/// What the district decides about a decline (`approve` or `reject`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReviewDecision {
    Approve,
    Reject,
}

impl ReviewDecision {
    pub fn parse(s: &str) -> Option<ReviewDecision> {
        match s {
            "approve" => Some(ReviewDecision::Approve),
            "reject" => Some(ReviewDecision::Reject),
            _ => None,
        }
    }

    pub fn review(self) -> DispatchReview {
        match self {
            ReviewDecision::Approve => DispatchReview::Approved,
            ReviewDecision::Reject => DispatchReview::Rejected,
        }
    }
}

/// A team may answer while its answer is pending, or again when its decline was rejected.
pub fn may_answer(answer: DispatchAnswer, review: DispatchReview) -> bool {
    answer == DispatchAnswer::Pending || (answer == DispatchAnswer::Declined && review == DispatchReview::Rejected)
}

/// The district reviews a decline once.
pub fn may_review(answer: DispatchAnswer, review: DispatchReview) -> bool {
    answer == DispatchAnswer::Declined && review == DispatchReview::None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_and_reviews_follow_the_rules() {
        assert!(may_answer(DispatchAnswer::Pending, DispatchReview::None));
        assert!(may_answer(DispatchAnswer::Declined, DispatchReview::Rejected));
        assert!(!may_answer(DispatchAnswer::Declined, DispatchReview::Approved));
        assert!(!may_answer(DispatchAnswer::Accepted, DispatchReview::None));
        assert!(may_review(DispatchAnswer::Declined, DispatchReview::None));
        assert!(!may_review(DispatchAnswer::Declined, DispatchReview::Rejected));
        assert_eq!(serde_json::to_string(&DispatchReview::None).unwrap(), "\"\"");
        assert_eq!(
            AnswerChoice::parse("decline").map(AnswerChoice::answer),
            Some(DispatchAnswer::Declined)
        );
    }
}
