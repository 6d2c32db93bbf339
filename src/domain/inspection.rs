//! Inspections (督查) and their findings (整改): the kinds of object inspected, the results of a
//! checklist item, a finding's severity, and the states of both with the moves allowed — the one
//! place these transitions are decided. Also how a finding counts for the assessment (on time,
//! late, overdue, not yet due).

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// What is inspected.
#[derive(Clone, Copy, Debug, PartialEq, Eq, sqlx::Type, Serialize, Deserialize, ToSchema)]
#[sqlx(type_name = "text", rename_all = "snake_case")]
#[serde(rename_all = "snake_case")]
pub enum TargetKind {
    Unit,
    Community,
    Team,
    Activity,
}

impl TargetKind {
    pub const ALL: [TargetKind; 4] = [
        TargetKind::Unit,
        TargetKind::Community,
        TargetKind::Team,
        TargetKind::Activity,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            TargetKind::Unit => "unit",
            TargetKind::Community => "community",
            TargetKind::Team => "team",
            TargetKind::Activity => "activity",
        }
    }

    pub fn parse(s: &str) -> Option<TargetKind> {
        TargetKind::ALL.into_iter().find(|k| k.as_str() == s.trim())
    }
}

/// Where an inspection stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, sqlx::Type, Serialize, Deserialize, ToSchema)]
#[sqlx(type_name = "text", rename_all = "snake_case")]
#[serde(rename_all = "snake_case")]
pub enum InspectionStatus {
    /// Planned for a day; an unannounced one is not shown to the inspected until it is recorded.
    Planned,
    /// Done on site: items recorded; findings may be raised and followed.
    Recorded,
    /// Every finding accepted (or none raised): nothing left to follow.
    Closed,
    /// Called off before it took place.
    Cancelled,
}

/// What an inspector does to an inspection.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum InspectionMove {
    /// Record (or correct) the items, the date and the summary.
    Record,
    RaiseFinding,
    Close,
    Cancel,
}

impl InspectionStatus {
    pub const ALL: [InspectionStatus; 4] = [
        InspectionStatus::Planned,
        InspectionStatus::Recorded,
        InspectionStatus::Closed,
        InspectionStatus::Cancelled,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            InspectionStatus::Planned => "planned",
            InspectionStatus::Recorded => "recorded",
            InspectionStatus::Closed => "closed",
            InspectionStatus::Cancelled => "cancelled",
        }
    }

    pub fn parse(s: &str) -> Option<InspectionStatus> {
        Self::ALL.into_iter().find(|k| k.as_str() == s.trim())
    }

    /// The state after `m`, or None when `m` is not allowed from here. Closing also needs every
    /// finding accepted, which the caller checks.
    pub fn after(self, m: InspectionMove) -> Option<InspectionStatus> {
        use InspectionMove::*;
        use InspectionStatus::*;
        match (self, m) {
            (Planned | Recorded, Record) => Some(Recorded),
            (Recorded, RaiseFinding) => Some(Recorded),
            (Recorded, Close) => Some(Closed),
            (Planned, Cancel) => Some(Cancelled),
            _ => None,
        }
    }
}

/// An item's result on site; the empty string while not yet checked.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, sqlx::Type, Serialize, Deserialize)]
#[sqlx(type_name = "text", rename_all = "snake_case")]
#[serde(rename_all = "snake_case")]
pub enum ItemResult {
    #[default]
    #[sqlx(rename = "")]
    #[serde(rename = "")]
    Unchecked,
    Pass,
    Fail,
    /// Not applicable (不适用).
    Na,
}

impl ItemResult {
    pub fn as_str(self) -> &'static str {
        match self {
            ItemResult::Unchecked => "",
            ItemResult::Pass => "pass",
            ItemResult::Fail => "fail",
            ItemResult::Na => "na",
        }
    }

    pub fn parse(s: &str) -> Option<ItemResult> {
        [
            ItemResult::Unchecked,
            ItemResult::Pass,
            ItemResult::Fail,
            ItemResult::Na,
        ]
        .into_iter()
        .find(|k| k.as_str() == s.trim())
    }
}

// Written by hand: the derive cannot name a variant with the empty string it is stored and sent as.
impl utoipa::PartialSchema for ItemResult {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        utoipa::openapi::ObjectBuilder::new()
            .schema_type(utoipa::openapi::schema::Type::String)
            .enum_values(Some(["", "pass", "fail", "na"]))
            .description(Some(
                "An item's result: not yet checked (the empty string), pass, fail or not applicable.",
            ))
            .into()
    }
}

impl utoipa::ToSchema for ItemResult {}

/// How serious a finding is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, sqlx::Type, Serialize, Deserialize, ToSchema)]
#[sqlx(type_name = "text", rename_all = "snake_case")]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// 一般
    Minor,
    /// 较重
    Major,
    /// 严重
    Serious,
}

impl Severity {
    pub const ALL: [Severity; 3] = [Severity::Minor, Severity::Major, Severity::Serious];

    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Minor => "minor",
            Severity::Major => "major",
            Severity::Serious => "serious",
        }
    }

    pub fn parse(s: &str) -> Option<Severity> {
        Severity::ALL.into_iter().find(|k| k.as_str() == s.trim())
    }
}

/// Where a finding's rectification stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, sqlx::Type, Serialize, Deserialize, ToSchema)]
#[sqlx(type_name = "text", rename_all = "snake_case")]
#[serde(rename_all = "snake_case")]
pub enum FindingStatus {
    /// Raised; the inspected organisation is to rectify and answer.
    Open,
    /// Answered with what was done; the inspector is to accept or return it.
    Answered,
    /// Returned with a reason; to be answered again.
    Returned,
    /// Accepted: closed.
    Accepted,
}

/// What happens to a finding.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FindingMove {
    /// The inspected organisation answers.
    Answer,
    /// The inspector accepts the answer.
    Accept,
    /// The inspector returns the answer with a reason.
    Return,
}

impl FindingMove {
    pub fn parse(s: &str) -> Option<FindingMove> {
        match s.trim() {
            "accept" => Some(FindingMove::Accept),
            "return" => Some(FindingMove::Return),
            "answer" => Some(FindingMove::Answer),
            _ => None,
        }
    }
}

impl FindingStatus {
    pub const ALL: [FindingStatus; 4] = [
        FindingStatus::Open,
        FindingStatus::Answered,
        FindingStatus::Returned,
        FindingStatus::Accepted,
    ];

    pub fn parse(s: &str) -> Option<FindingStatus> {
        Self::ALL.into_iter().find(|k| k.as_str() == s.trim())
    }

    pub fn as_str(self) -> &'static str {
        match self {
            FindingStatus::Open => "open",
            FindingStatus::Answered => "answered",
            FindingStatus::Returned => "returned",
            FindingStatus::Accepted => "accepted",
        }
    }

    /// The state after `m`, or None when `m` is not allowed from here.
    pub fn after(self, m: FindingMove) -> Option<FindingStatus> {
        use FindingMove::*;
        use FindingStatus::*;
        match (self, m) {
            (Open | Returned, Answer) => Some(Answered),
            (Answered, Accept) => Some(Accepted),
            (Answered, Return) => Some(Returned),
            _ => None,
        }
    }

    pub fn is_closed(self) -> bool {
        self == FindingStatus::Accepted
    }
}

/// How a finding counts on a day (`today`, `YYYY-MM-DD`): a rectification is on time when the
/// answer that was accepted came by the deadline. An answer waiting for review that came by the
/// deadline is not overdue (the inspector has it); anything else past the deadline is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Standing {
    ClosedOnTime,
    ClosedLate,
    OpenOverdue,
    OpenNotDue,
}

impl Standing {
    pub const ALL: [Standing; 4] = [
        Standing::ClosedOnTime,
        Standing::ClosedLate,
        Standing::OpenOverdue,
        Standing::OpenNotDue,
    ];

    pub fn parse(s: &str) -> Option<Standing> {
        Self::ALL.into_iter().find(|k| k.as_str() == s.trim())
    }

    /// `answered_on` is the China-time date of the latest answer, if any.
    pub fn of(status: FindingStatus, deadline: &str, answered_on: Option<&str>, today: &str) -> Standing {
        let in_time = answered_on.is_some_and(|d| d <= deadline);
        match status {
            FindingStatus::Accepted if in_time => Standing::ClosedOnTime,
            FindingStatus::Accepted => Standing::ClosedLate,
            FindingStatus::Answered if in_time => Standing::OpenNotDue,
            _ if today > deadline => Standing::OpenOverdue,
            _ => Standing::OpenNotDue,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Standing::ClosedOnTime => "closed_on_time",
            Standing::ClosedLate => "closed_late",
            Standing::OpenOverdue => "open_overdue",
            Standing::OpenNotDue => "open_not_due",
        }
    }
}

/// The plan's checklist (§五): the codes of the default items, in order. Their labels are in the
/// language files as `inspection.item.<code>`.
pub const DEFAULT_ITEMS: [&str; 6] = [
    "roster_filed",
    "checked_in",
    "monthly_activity",
    "managers_serve",
    "long_term_plan",
    "publicity",
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_inspection_moves_only_forward() {
        use InspectionMove::*;
        use InspectionStatus::*;
        assert_eq!(Planned.after(Record), Some(Recorded));
        assert_eq!(Recorded.after(Record), Some(Recorded), "a correction");
        assert_eq!(Planned.after(RaiseFinding), None, "findings come from a visit");
        assert_eq!(Recorded.after(Close), Some(Closed));
        assert_eq!(Closed.after(Record), None);
        assert_eq!(Recorded.after(Cancel), None);
        assert_eq!(Cancelled.after(Record), None);
    }

    #[test]
    fn a_finding_is_answered_then_accepted_or_returned() {
        use FindingMove::*;
        use FindingStatus::*;
        assert_eq!(Open.after(Answer), Some(Answered));
        assert_eq!(Returned.after(Answer), Some(Answered));
        assert_eq!(Answered.after(Answer), None);
        assert_eq!(Open.after(Accept), None);
        assert_eq!(Answered.after(Return), Some(Returned));
        assert_eq!(Accepted.after(Return), None);
    }

    #[test]
    fn a_finding_counts_by_when_the_accepted_answer_came() {
        use FindingStatus::*;
        let d = "2026-05-10";
        assert_eq!(
            Standing::of(Accepted, d, Some("2026-05-10"), "2026-06-01"),
            Standing::ClosedOnTime
        );
        assert_eq!(
            Standing::of(Accepted, d, Some("2026-05-11"), "2026-06-01"),
            Standing::ClosedLate
        );
        assert_eq!(Standing::of(Open, d, None, "2026-05-10"), Standing::OpenNotDue);
        assert_eq!(Standing::of(Open, d, None, "2026-05-11"), Standing::OpenOverdue);
        assert_eq!(
            Standing::of(Answered, d, Some("2026-05-09"), "2026-05-20"),
            Standing::OpenNotDue
        );
        assert_eq!(
            Standing::of(Answered, d, Some("2026-05-12"), "2026-05-20"),
            Standing::OpenOverdue
        );
        assert_eq!(
            Standing::of(Returned, d, Some("2026-05-09"), "2026-05-20"),
            Standing::OpenOverdue
        );
    }

    #[test]
    fn codes_read_back() {
        for k in TargetKind::ALL {
            assert_eq!(TargetKind::parse(k.as_str()), Some(k));
        }
        assert_eq!(ItemResult::parse(""), Some(ItemResult::Unchecked));
        assert_eq!(ItemResult::parse("na"), Some(ItemResult::Na));
        assert_eq!(Severity::parse("serious"), Some(Severity::Serious));
        assert_eq!(Severity::parse("x"), None);
    }
}
