//! Attendance with no I/O: how a sign-in was made, and the month it counts in.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// How someone was signed in; stored and sent as `scan`, `api`, `leader` or `walk_in`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, sqlx::Type, Serialize, Deserialize, ToSchema)]
#[sqlx(type_name = "text", rename_all = "snake_case")]
#[serde(rename_all = "snake_case")]
pub enum Method {
    /// The phone page behind the poster.
    Scan,
    /// A script with a bearer token.
    Api,
    /// The leader's bulk sign-in or sign-out.
    Leader,
    /// Someone without a record, by name, phone and consent.
    WalkIn,
}

impl Method {
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Scan => "scan",
            Method::Api => "api",
            Method::Leader => "leader",
            Method::WalkIn => "walk_in",
        }
    }
}

/// The month (`YYYY-MM`, China time) an activity starting at `starts_at` counts in.
pub fn month_of(starts_at: i64) -> String {
    super::dates::local(starts_at).format("%Y-%m").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn methods_keep_their_stored_names() {
        for m in [Method::Scan, Method::Api, Method::Leader, Method::WalkIn] {
            assert_eq!(serde_json::to_value(m).unwrap(), m.as_str());
        }
    }

    #[test]
    fn the_month_is_china_time() {
        // 2026-01-31 16:30 UTC is 2026-02-01 00:30 in China.
        assert_eq!(month_of(1_769_877_000), "2026-02");
    }
}
