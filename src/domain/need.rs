//! 四单 (点单 → 派单 → 接单 → 评单): a community need's states and the one place the moves
//! between them are allowed, who rates it, and the timers that flag a step not taken in time
//! (in working days, Monday to Friday).

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// Where a need stands (stored and sent as these strings).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, sqlx::Type, Serialize, Deserialize, ToSchema)]
#[sqlx(type_name = "text", rename_all = "snake_case")]
#[serde(rename_all = "snake_case")]
pub enum NeedStatus {
    /// 审核中: posted, waiting for the community to publish or close it.
    Submitted,
    /// 待派单: published, waiting for the street or the district to dispatch it.
    Published,
    /// 已派单: sent to one team, waiting for its answer.
    Dispatched,
    /// 待认领: open for any team to claim.
    Open,
    /// 服务中: a team accepted; its activity is being held.
    Accepted,
    /// 已完成: the linked activity was completed.
    Fulfilled,
    /// 已关闭: closed with a reason.
    Closed,
}

impl NeedStatus {
    pub const ALL: [NeedStatus; 7] = [
        NeedStatus::Submitted,
        NeedStatus::Published,
        NeedStatus::Dispatched,
        NeedStatus::Open,
        NeedStatus::Accepted,
        NeedStatus::Fulfilled,
        NeedStatus::Closed,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            NeedStatus::Submitted => "submitted",
            NeedStatus::Published => "published",
            NeedStatus::Dispatched => "dispatched",
            NeedStatus::Open => "open",
            NeedStatus::Accepted => "accepted",
            NeedStatus::Fulfilled => "fulfilled",
            NeedStatus::Closed => "closed",
        }
    }

    pub fn parse(s: &str) -> Option<NeedStatus> {
        NeedStatus::ALL.into_iter().find(|k| k.as_str() == s.trim())
    }

    /// Whether `self → to` is a move of the workflow. Re-dispatching moves `dispatched` to
    /// `dispatched` (another team); cancelling or declining moves back to `published` (the queue).
    pub fn may_become(self, to: NeedStatus) -> bool {
        use NeedStatus::*;
        matches!(
            (self, to),
            (Submitted, Published)
                | (Submitted, Closed)
                | (Published, Dispatched)
                | (Published, Open)
                | (Published, Closed)
                | (Dispatched, Dispatched)
                | (Dispatched, Open)
                | (Dispatched, Published)
                | (Dispatched, Accepted)
                | (Open, Dispatched)
                | (Open, Accepted)
                | (Open, Published)
                | (Open, Closed)
                | (Accepted, Published)
                | (Accepted, Fulfilled)
        )
    }

    /// Still waiting for a team (shown on the public wall).
    pub fn on_wall(self) -> bool {
        matches!(self, NeedStatus::Published | NeedStatus::Dispatched | NeedStatus::Open)
    }
}

/// The steps of a need's timeline (stored as these strings).
#[derive(Clone, Copy, Debug, PartialEq, Eq, sqlx::Type, Serialize, Deserialize, ToSchema)]
#[sqlx(type_name = "text", rename_all = "snake_case")]
#[serde(rename_all = "snake_case")]
pub enum NeedStep {
    Posted,
    Published,
    Closed,
    Dispatched,
    Opened,
    Cancelled,
    Accepted,
    Claimed,
    Declined,
    Fulfilled,
    Rated,
}

/// Who rates a fulfilled need: the community, or the resident through their link; once each.
#[derive(Clone, Copy, Debug, PartialEq, Eq, sqlx::Type, Serialize, Deserialize, ToSchema)]
#[sqlx(type_name = "text", rename_all = "snake_case")]
#[serde(rename_all = "snake_case")]
pub enum Rater {
    Community,
    Resident,
}

/// Who posted the need.
#[derive(Clone, Copy, Debug, PartialEq, Eq, sqlx::Type, Serialize, Deserialize, ToSchema)]
#[sqlx(type_name = "text", rename_all = "snake_case")]
#[serde(rename_all = "snake_case")]
pub enum NeedSource {
    /// Community staff on their pages.
    Staff,
    /// A resident through the public form.
    Resident,
}

/// Stars given when rating: 1 to 5.
pub fn stars(n: i64) -> Option<i64> {
    (1..=5).contains(&n).then_some(n)
}

/// How long each step may wait, in working days (local practice, so configurable).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct NeedTimers {
    /// The community publishes or closes a posted need.
    pub review_days: i64,
    /// The street or district dispatches a published need (or opens it for claim).
    pub dispatch_days: i64,
    /// The team accepts or declines a dispatched need (the response time).
    pub accept_days: i64,
}

impl Default for NeedTimers {
    fn default() -> Self {
        NeedTimers {
            review_days: 2,
            dispatch_days: 3,
            accept_days: 2,
        }
    }
}

impl NeedTimers {
    /// The working days a need in `status` may wait, if a timer runs in it.
    pub fn days_for(&self, status: NeedStatus) -> Option<i64> {
        match status {
            NeedStatus::Submitted => Some(self.review_days),
            NeedStatus::Published | NeedStatus::Open => Some(self.dispatch_days),
            NeedStatus::Dispatched => Some(self.accept_days),
            _ => None,
        }
    }

    /// Each duration is 1–30 working days.
    pub fn problems(&self) -> Vec<(&'static str, &'static str)> {
        let mut out = vec![];
        for (f, v) in [
            ("review_days", self.review_days),
            ("dispatch_days", self.dispatch_days),
            ("accept_days", self.accept_days),
        ] {
            if !(1..=30).contains(&v) {
                out.push((f, "err.need_timer_days"));
            }
        }
        out
    }
}

/// The last day a step begun on `since` may be taken: `n` working days later.
pub fn due_on(since: NaiveDate, n: i64) -> NaiveDate {
    super::service::confirm_due(since, n)
}

/// Whether a step begun on `since` with `n` working days is overdue on `today`.
pub fn overdue(since: NaiveDate, n: i64, today: NaiveDate) -> bool {
    today > due_on(since, n)
}

/// The median of response times (seconds), `None` for none.
pub fn median(mut xs: Vec<i64>) -> Option<i64> {
    if xs.is_empty() {
        return None;
    }
    xs.sort_unstable();
    let n = xs.len();
    Some(if n % 2 == 1 {
        xs[n / 2]
    } else {
        (xs[n / 2 - 1] + xs[n / 2]) / 2
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use NeedStatus::*;

    #[test]
    fn the_workflow_moves_only_as_allowed() {
        assert!(Submitted.may_become(Published));
        assert!(Submitted.may_become(Closed));
        assert!(!Submitted.may_become(Dispatched), "published first");
        assert!(Published.may_become(Dispatched) && Published.may_become(Open));
        assert!(Dispatched.may_become(Dispatched), "re-dispatch");
        assert!(
            Dispatched.may_become(Published),
            "declined or cancelled back to the queue"
        );
        assert!(Dispatched.may_become(Accepted) && Open.may_become(Accepted));
        assert!(!Published.may_become(Accepted), "nobody was asked");
        assert!(Accepted.may_become(Fulfilled));
        assert!(!Fulfilled.may_become(Published) && !Closed.may_become(Published));
        for s in NeedStatus::ALL {
            assert_eq!(NeedStatus::parse(s.as_str()), Some(s));
            assert!(!Fulfilled.may_become(s) && !Closed.may_become(s));
        }
        assert!(Published.on_wall() && !Submitted.on_wall() && !Fulfilled.on_wall());
    }

    #[test]
    fn timers_count_working_days() {
        let t = NeedTimers::default();
        assert_eq!(t.days_for(Submitted), Some(2));
        assert_eq!(t.days_for(Dispatched), Some(2));
        assert_eq!(t.days_for(Fulfilled), None);
        // Posted on a Friday: two working days end on Tuesday.
        let fri = NaiveDate::from_ymd_opt(2026, 4, 17).unwrap();
        assert_eq!(due_on(fri, 2), NaiveDate::from_ymd_opt(2026, 4, 21).unwrap());
        assert!(!overdue(fri, 2, NaiveDate::from_ymd_opt(2026, 4, 21).unwrap()));
        assert!(overdue(fri, 2, NaiveDate::from_ymd_opt(2026, 4, 22).unwrap()));
        assert!(NeedTimers { review_days: 0, ..t }.problems().len() == 1);
        assert!(t.problems().is_empty());
    }

    #[test]
    fn stars_and_median() {
        assert_eq!(stars(0), None);
        assert_eq!(stars(5), Some(5));
        assert_eq!(stars(6), None);
        assert_eq!(median(vec![]), None);
        assert_eq!(median(vec![5, 1, 3]), Some(3));
        assert_eq!(median(vec![4, 1, 3, 2]), Some(2));
    }
}
