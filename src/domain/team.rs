//! A team's roster (附件2) and the states it moves through on its way to the district office.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// Where a roster stands. Stored and sent as the snake_case name (`draft`, `submitted`, …).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, sqlx::Type, Serialize, Deserialize, ToSchema)]
#[sqlx(type_name = "text", rename_all = "snake_case")]
#[serde(rename_all = "snake_case")]
pub enum RosterStatus {
    /// Being typed or uploaded; also a roster changed after a review (it must be submitted again).
    Draft,
    /// Sent to the district office.
    Submitted,
    /// Accepted by the district office.
    Accepted,
    /// Returned by the district office with a reason.
    Returned,
    /// Changed after it was accepted, and submitted again.
    Resubmitted,
}

/// Why a roster cannot move where it was asked to (an i18n key).
pub type Refusal = &'static str;

/// The district office's decision on a submitted roster.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReviewDecision {
    Accept,
    Return,
}

impl ReviewDecision {
    /// `accept` or `return`, as forms and JSON send it.
    pub fn parse(s: &str) -> Option<ReviewDecision> {
        match s {
            "accept" => Some(ReviewDecision::Accept),
            "return" => Some(ReviewDecision::Return),
            _ => None,
        }
    }
}

impl RosterStatus {
    /// The states a district office filters the list by, in the order offered.
    pub const FILTERS: [RosterStatus; 4] = [
        RosterStatus::Submitted,
        RosterStatus::Accepted,
        RosterStatus::Returned,
        RosterStatus::Draft,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            RosterStatus::Draft => "draft",
            RosterStatus::Submitted => "submitted",
            RosterStatus::Accepted => "accepted",
            RosterStatus::Returned => "returned",
            RosterStatus::Resubmitted => "resubmitted",
        }
    }

    pub fn parse(s: &str) -> Option<RosterStatus> {
        [
            Self::Draft,
            Self::Submitted,
            Self::Accepted,
            Self::Returned,
            Self::Resubmitted,
        ]
        .into_iter()
        .find(|x| x.as_str() == s)
    }

    /// Waiting for the district office's review.
    pub fn under_review(self) -> bool {
        matches!(self, RosterStatus::Submitted | RosterStatus::Resubmitted)
    }

    /// Sent to the office (under review or accepted): a change sends it back to draft.
    pub fn with_office(self) -> bool {
        matches!(
            self,
            RosterStatus::Submitted | RosterStatus::Accepted | RosterStatus::Resubmitted
        )
    }

    /// The unit may submit it now.
    pub fn may_submit(self) -> bool {
        matches!(self, RosterStatus::Draft | RosterStatus::Returned)
    }

    /// Submitting: `submitted`, or `resubmitted` when a roster was accepted before (so that the
    /// office sees what it reviews again).
    pub fn submit(self, accepted_before: bool) -> Result<RosterStatus, Refusal> {
        if self.with_office() {
            return Err("err.roster_already_submitted");
        }
        Ok(if accepted_before {
            RosterStatus::Resubmitted
        } else {
            RosterStatus::Submitted
        })
    }

    /// The office's review of a roster under review.
    pub fn review(self, decision: ReviewDecision) -> Result<RosterStatus, Refusal> {
        if !self.under_review() {
            return Err("err.roster_not_submitted");
        }
        Ok(match decision {
            ReviewDecision::Accept => RosterStatus::Accepted,
            ReviewDecision::Return => RosterStatus::Returned,
        })
    }

    /// After a change to the roster: anything but a draft goes back to draft.
    pub fn reopened(self) -> Option<RosterStatus> {
        (self != RosterStatus::Draft).then_some(RosterStatus::Draft)
    }

    /// The i18n key of its name.
    pub fn label_key(self) -> String {
        format!("roster.status.{}", self.as_str())
    }
}

impl std::fmt::Display for RosterStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_round_trip_and_transitions_hold() {
        for s in ["draft", "submitted", "accepted", "returned", "resubmitted"] {
            assert_eq!(RosterStatus::parse(s).unwrap().as_str(), s);
            assert_eq!(
                serde_json::to_value(RosterStatus::parse(s).unwrap()).unwrap(),
                serde_json::json!(s)
            );
        }
        assert_eq!(RosterStatus::Draft.submit(false), Ok(RosterStatus::Submitted));
        assert_eq!(RosterStatus::Returned.submit(true), Ok(RosterStatus::Resubmitted));
        assert!(RosterStatus::Accepted.submit(false).is_err());
        assert_eq!(
            RosterStatus::Resubmitted.review(ReviewDecision::Accept),
            Ok(RosterStatus::Accepted)
        );
        assert!(RosterStatus::Draft.review(ReviewDecision::Return).is_err());
        assert_eq!(RosterStatus::Draft.reopened(), None);
    }
}
