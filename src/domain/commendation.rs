//! 表彰: what a commendation is made of, with no I/O — the kinds of nominee, a nomination's
//! states and the moves between them (the one place they are allowed), objections and their
//! outcomes, the notice period in working days, and eligibility.

use chrono::{Datelike, Duration, NaiveDate, Weekday};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// What a category commends (stored and sent as these strings).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, sqlx::Type, Serialize, Deserialize, ToSchema)]
#[sqlx(type_name = "text", rename_all = "snake_case")]
#[serde(rename_all = "snake_case")]
pub enum NomineeKind {
    /// 优秀志愿服务队
    Team,
    /// 优秀志愿者
    Volunteer,
    /// 优秀组织单位
    Unit,
    /// 优秀社区
    Community,
}

impl NomineeKind {
    pub const ALL: [NomineeKind; 4] = [
        NomineeKind::Team,
        NomineeKind::Volunteer,
        NomineeKind::Unit,
        NomineeKind::Community,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            NomineeKind::Team => "team",
            NomineeKind::Volunteer => "volunteer",
            NomineeKind::Unit => "unit",
            NomineeKind::Community => "community",
        }
    }

    pub fn parse(s: &str) -> Option<NomineeKind> {
        NomineeKind::ALL.into_iter().find(|k| k.as_str() == s.trim())
    }
}

/// A category as the district's defaults ship it: name, kind, quota overall and per nominating
/// unit or street, minimum confirmed hours.
pub struct DefaultCategory {
    pub name: &'static str,
    pub kind: NomineeKind,
    pub quota: i64,
    pub quota_per_nominator: i64,
    pub min_hours: i64,
}

pub const DEFAULT_CATEGORIES: [DefaultCategory; 4] = [
    DefaultCategory {
        name: "优秀志愿服务队",
        kind: NomineeKind::Team,
        quota: 10,
        quota_per_nominator: 2,
        min_hours: 4,
    },
    DefaultCategory {
        name: "优秀志愿者",
        kind: NomineeKind::Volunteer,
        quota: 30,
        quota_per_nominator: 3,
        min_hours: 2,
    },
    DefaultCategory {
        name: "优秀组织单位",
        kind: NomineeKind::Unit,
        quota: 5,
        quota_per_nominator: 1,
        min_hours: 4,
    },
    DefaultCategory {
        name: "优秀社区",
        kind: NomineeKind::Community,
        quota: 5,
        quota_per_nominator: 2,
        min_hours: 4,
    },
];

/// The longest deed text (事迹) a nomination carries, in characters.
pub const DEED_MAX: usize = 1500;
/// The default notice period (公示), in working days.
pub const NOTICE_WORKING_DAYS: i64 = 5;

/// A nomination's state (stored and sent as these strings).
#[derive(Clone, Copy, Debug, PartialEq, Eq, sqlx::Type, Serialize, Deserialize, ToSchema)]
#[sqlx(type_name = "text", rename_all = "snake_case")]
#[serde(rename_all = "snake_case")]
pub enum NominationStatus {
    /// Sent by the unit or street, waiting for the district.
    Submitted,
    /// Approved by the district: on the notice once it is published.
    Approved,
    /// Refused by the district, with a reason.
    Rejected,
    /// Taken off after an objection was upheld.
    Withdrawn,
    /// Finalised: on the honour roll, with an honour certificate.
    Commended,
}

/// What moves a nomination.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NominationEvent {
    /// The nominator changes the deed text or takes it back.
    Edit,
    Approve,
    Reject,
    /// An objection against it was upheld.
    Uphold,
    Finalise,
}

impl NominationStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            NominationStatus::Submitted => "submitted",
            NominationStatus::Approved => "approved",
            NominationStatus::Rejected => "rejected",
            NominationStatus::Withdrawn => "withdrawn",
            NominationStatus::Commended => "commended",
        }
    }

    /// The one table of allowed moves: the state after `event`, or `None` when it may not happen.
    pub fn after(self, event: NominationEvent) -> Option<NominationStatus> {
        use NominationEvent::*;
        use NominationStatus::*;
        match (self, event) {
            (Submitted, Edit) => Some(Submitted),
            (Submitted, Approve) => Some(Approved),
            (Submitted, Reject) => Some(Rejected),
            (Approved, Uphold) => Some(Withdrawn),
            (Approved, Finalise) => Some(Commended),
            _ => None,
        }
    }

    /// Whether it counts against a quota (not refused or taken off).
    pub fn counts(self) -> bool {
        !matches!(self, NominationStatus::Rejected | NominationStatus::Withdrawn)
    }
}

/// The district's decision on a nomination (`approve` or `reject`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReviewChoice {
    Approve,
    Reject,
}

impl ReviewChoice {
    pub fn parse(s: &str) -> Option<ReviewChoice> {
        match s.trim() {
            "approve" => Some(ReviewChoice::Approve),
            "reject" => Some(ReviewChoice::Reject),
            _ => None,
        }
    }

    pub fn event(self) -> NominationEvent {
        match self {
            ReviewChoice::Approve => NominationEvent::Approve,
            ReviewChoice::Reject => NominationEvent::Reject,
        }
    }
}

/// An objection's state: open until the district answers it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, sqlx::Type, Serialize, Deserialize, ToSchema)]
#[sqlx(type_name = "text", rename_all = "snake_case")]
#[serde(rename_all = "snake_case")]
pub enum ObjectionStatus {
    Open,
    /// Upheld: the nomination it concerns is withdrawn.
    Upheld,
    Dismissed,
}

impl ObjectionStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            ObjectionStatus::Open => "open",
            ObjectionStatus::Upheld => "upheld",
            ObjectionStatus::Dismissed => "dismissed",
        }
    }

    /// The outcome of an answer (`upheld` or `dismissed`).
    pub fn parse_outcome(s: &str) -> Option<ObjectionStatus> {
        match s.trim() {
            "upheld" => Some(ObjectionStatus::Upheld),
            "dismissed" => Some(ObjectionStatus::Dismissed),
            _ => None,
        }
    }
}

/// The last day of a notice published on `published_on` that runs `n` working days (Monday to
/// Friday), the day of publishing counted when it is one.
pub fn notice_ends(published_on: NaiveDate, n: i64) -> NaiveDate {
    let mut d = published_on - Duration::days(1);
    let mut left = n.max(1);
    while left > 0 {
        d += Duration::days(1);
        if !matches!(d.weekday(), Weekday::Sat | Weekday::Sun) {
            left -= 1;
        }
    }
    d
}

/// The eligibility a category asks for.
#[derive(Clone, Debug, Default, Serialize, Deserialize, ToSchema)]
pub struct Eligibility {
    /// Confirmed hours in the campaign year (for organisations: of all their volunteers).
    pub min_hours: i64,
    /// Star level (volunteers only; 0 = none asked).
    pub min_stars: i64,
    /// Refused at this many no-shows in a row (volunteers only; 0 = not checked).
    pub no_show_streak: i64,
    /// No inspection finding may be left unresolved.
    pub no_open_findings: bool,
}

/// What a candidate is judged by.
#[derive(Clone, Debug, Default, Serialize, ToSchema)]
pub struct Facts {
    pub confirmed_minutes: i64,
    /// Cumulative star level (volunteers).
    pub stars: i64,
    /// No-shows in a row, latest first (volunteers).
    pub no_show_streak: i64,
    /// Activities held in the campaign year (organisations).
    pub activities_held: i64,
    /// Volunteers who served (organisations).
    pub volunteers_served: i64,
    /// Open inspection findings; `None` while nothing records inspections.
    pub open_findings: Option<i64>,
    /// The organisation score the suggestion ranks by.
    pub score: f64,
}

/// Why a candidate falls short (i18n keys); empty when eligible.
pub fn shortfalls(rule: &Eligibility, f: &Facts) -> Vec<&'static str> {
    let mut out = vec![];
    if f.confirmed_minutes < rule.min_hours * 60 {
        out.push("commend.short.hours");
    }
    if rule.min_stars > 0 && f.stars < rule.min_stars {
        out.push("commend.short.stars");
    }
    if rule.no_show_streak > 0 && f.no_show_streak >= rule.no_show_streak {
        out.push("commend.short.no_shows");
    }
    if rule.no_open_findings && f.open_findings.is_some_and(|n| n > 0) {
        out.push("commend.short.findings");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn moves_follow_the_table() {
        use NominationEvent::*;
        use NominationStatus::*;
        assert_eq!(Submitted.after(Approve), Some(Approved));
        assert_eq!(Approved.after(Uphold), Some(Withdrawn));
        assert_eq!(Approved.after(Finalise), Some(Commended));
        assert_eq!(Rejected.after(Approve), None);
        assert_eq!(Commended.after(Uphold), None);
        assert_eq!(Approved.after(Edit), None);
    }

    #[test]
    fn a_notice_runs_five_working_days() {
        let monday = NaiveDate::from_ymd_opt(2026, 11, 30).unwrap();
        assert_eq!(notice_ends(monday, 5), NaiveDate::from_ymd_opt(2026, 12, 4).unwrap());
        let saturday = NaiveDate::from_ymd_opt(2026, 12, 5).unwrap();
        assert_eq!(notice_ends(saturday, 5), NaiveDate::from_ymd_opt(2026, 12, 11).unwrap());
    }

    #[test]
    fn shortfalls_name_each_rule() {
        let rule = Eligibility {
            min_hours: 10,
            min_stars: 1,
            no_show_streak: 3,
            no_open_findings: true,
        };
        let f = Facts {
            confirmed_minutes: 600,
            stars: 1,
            no_show_streak: 3,
            open_findings: None,
            ..Default::default()
        };
        assert_eq!(shortfalls(&rule, &f), vec!["commend.short.no_shows"]);
    }
}
