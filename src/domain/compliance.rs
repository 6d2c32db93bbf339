//! Monthly compliance: where an org's month stands.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// One org's month: `met`, `missed`, `open` (the month is under way) or `future`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum MonthStatus {
    Met,
    Missed,
    Open,
    #[default]
    Future,
}

impl MonthStatus {
    /// The month `month` (`YYYY-MM`, compared as text) seen in `this_month`, with `held` activities.
    pub fn of(month: &str, this_month: &str, held: i64) -> MonthStatus {
        if month > this_month {
            MonthStatus::Future
        } else if held > 0 {
            MonthStatus::Met
        } else if month == this_month {
            MonthStatus::Open
        } else {
            MonthStatus::Missed
        }
    }
}
