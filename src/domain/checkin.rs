//! The check-in (联系报到) and its steps: the unit's team files it, the street forwards it, the
//! community confirms it or returns it (then the team files again).

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// Where a check-in stands (stored and answered as these strings).
#[derive(Clone, Copy, Debug, PartialEq, Eq, sqlx::Type, Serialize, Deserialize, ToSchema)]
#[sqlx(type_name = "text", rename_all = "snake_case")]
#[serde(rename_all = "snake_case")]
pub enum CheckInStatus {
    Filed,
    Forwarded,
    Confirmed,
    Returned,
}

impl CheckInStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            CheckInStatus::Filed => "filed",
            CheckInStatus::Forwarded => "forwarded",
            CheckInStatus::Confirmed => "confirmed",
            CheckInStatus::Returned => "returned",
        }
    }

    /// A returned check-in may be filed again; any other stands.
    pub fn may_file_again(self) -> bool {
        self == CheckInStatus::Returned
    }

    /// The long-term plan is filed once the community has confirmed.
    pub fn may_file_plan(self) -> bool {
        self == CheckInStatus::Confirmed
    }
}

/// A step that moves a check-in on (the `step` of a move).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CheckInStep {
    /// The street forwards a filed check-in.
    Forward,
    /// The community confirms a forwarded one.
    Confirm,
    /// The community returns a forwarded one, with a reason.
    Return,
}

impl CheckInStep {
    /// `forward`, `confirm` or `return`.
    pub fn parse(s: &str) -> Option<CheckInStep> {
        match s {
            "forward" => Some(CheckInStep::Forward),
            "confirm" => Some(CheckInStep::Confirm),
            "return" => Some(CheckInStep::Return),
            _ => None,
        }
    }

    /// The status the step starts from.
    pub fn from(self) -> CheckInStatus {
        match self {
            CheckInStep::Forward => CheckInStatus::Filed,
            CheckInStep::Confirm | CheckInStep::Return => CheckInStatus::Forwarded,
        }
    }

    /// The status it leads to.
    pub fn to(self) -> CheckInStatus {
        match self {
            CheckInStep::Forward => CheckInStatus::Forwarded,
            CheckInStep::Confirm => CheckInStatus::Confirmed,
            CheckInStep::Return => CheckInStatus::Returned,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_step_follows_the_one_before() {
        for (s, from, to) in [
            ("forward", CheckInStatus::Filed, CheckInStatus::Forwarded),
            ("confirm", CheckInStatus::Forwarded, CheckInStatus::Confirmed),
            ("return", CheckInStatus::Forwarded, CheckInStatus::Returned),
        ] {
            let step = CheckInStep::parse(s).unwrap();
            assert_eq!((step.from(), step.to()), (from, to));
        }
        assert_eq!(CheckInStep::parse("accept"), None);
        assert_eq!(
            serde_json::to_string(&CheckInStatus::Forwarded).unwrap(),
            "\"forwarded\""
        );
    }
}
