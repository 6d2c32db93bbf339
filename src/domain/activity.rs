//! Activities with no I/O: their status, its allowed changes, and the phase people see.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// An activity's stored status; stored and sent as `draft`, `published`, `completed` or
/// `cancelled` (see [`phase`] for ongoing and ended).
#[derive(Clone, Copy, Debug, PartialEq, Eq, sqlx::Type, Serialize, Deserialize, ToSchema)]
#[sqlx(type_name = "text", rename_all = "snake_case")]
#[serde(rename_all = "snake_case")]
pub enum ActivityStatus {
    Draft,
    Published,
    Completed,
    Cancelled,
}

impl ActivityStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            ActivityStatus::Draft => "draft",
            ActivityStatus::Published => "published",
            ActivityStatus::Completed => "completed",
            ActivityStatus::Cancelled => "cancelled",
        }
    }

    /// The allowed changes, in one place: a draft is published, a published activity is
    /// completed, and either is cancelled.
    pub fn may_become(self, to: ActivityStatus) -> bool {
        use ActivityStatus::*;
        matches!(
            (self, to),
            (Draft, Published) | (Published, Completed) | (Draft | Published, Cancelled)
        )
    }

    /// Whether its fields may still be edited (a draft or a published activity).
    pub fn is_open(self) -> bool {
        matches!(self, ActivityStatus::Draft | ActivityStatus::Published)
    }

    /// Whether it takes sign-ins (published, or completed while the hours are confirmed).
    pub fn was_published(self) -> bool {
        matches!(self, ActivityStatus::Published | ActivityStatus::Completed)
    }
}

/// The status people see: a published activity is ongoing from its start and ended (waiting for
/// its hours) from its end.
pub fn phase(status: ActivityStatus, starts_at: i64, ends_at: i64, now: i64) -> &'static str {
    match status {
        ActivityStatus::Published if now >= ends_at => "ended",
        ActivityStatus::Published if now >= starts_at => "ongoing",
        s => s.as_str(),
    }
}

#[cfg(test)]
mod tests {
    use super::ActivityStatus::*;
    use super::*;

    #[test]
    fn statuses_keep_their_stored_names() {
        for s in [Draft, Published, Completed, Cancelled] {
            assert_eq!(serde_json::to_value(s).unwrap(), s.as_str());
        }
    }

    #[test]
    fn only_the_allowed_changes_are_allowed() {
        assert!(Draft.may_become(Published));
        assert!(Published.may_become(Completed));
        assert!(Draft.may_become(Cancelled) && Published.may_become(Cancelled));
        assert!(!Draft.may_become(Completed));
        assert!(!Completed.may_become(Cancelled));
        assert!(!Cancelled.may_become(Published));
    }

    #[test]
    fn a_published_activity_is_ongoing_then_ended() {
        assert_eq!(phase(Published, 10, 20, 5), "published");
        assert_eq!(phase(Published, 10, 20, 10), "ongoing");
        assert_eq!(phase(Published, 10, 20, 20), "ended");
        assert_eq!(phase(Cancelled, 10, 20, 30), "cancelled");
        assert_eq!(phase(Draft, 10, 20, 30), "draft");
    }
}
