//! The year's assessment (考核): the indicators a score is made of, how each is measured from an
//! organisation's facts, and how a measure becomes points. Adding an indicator is one variant
//! here (its name, defaults and measure) and one line in the facts it reads.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// What is scored: a unit, a community or a team.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum SubjectKind {
    Unit,
    Community,
    Team,
}

impl SubjectKind {
    pub fn as_str(self) -> &'static str {
        match self {
            SubjectKind::Unit => "unit",
            SubjectKind::Community => "community",
            SubjectKind::Team => "team",
        }
    }

    pub fn parse(s: &str) -> Option<SubjectKind> {
        match s {
            "unit" => Some(SubjectKind::Unit),
            "community" => Some(SubjectKind::Community),
            "team" => Some(SubjectKind::Team),
            _ => None,
        }
    }
}

/// One indicator of the scheme.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Indicator {
    /// Milestones (formation, roster, traffic list, check-in, plan) done by their due date.
    MilestonesOnTime,
    /// Months over that met the one-activity-a-month rule.
    MonthlyActivity,
    /// People signed in on the concentrated days, per rostered volunteer and month.
    ConcentratedTurnout,
    /// Confirmed hours per rostered volunteer (points per hour).
    HoursPerVolunteer,
    /// Share of the roster that served.
    RosterServed,
    /// Managers who served, per manager and month.
    ManagersServed,
    /// Check-ins with the paired communities confirmed (units).
    CheckinsConfirmed,
    /// Dispatched actions fulfilled (accepted and held).
    DispatchesFulfilled,
    /// Activities whose hours were confirmed within the working-day deadline.
    HoursOnTime,
    /// Inspection findings rectified by their deadline.
    FindingsClosed,
}

/// What an indicator gives when there is nothing to measure (no denominator).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WhenEmpty {
    /// Nothing was asked of the organisation, so nothing failed: full points.
    Full,
    /// Nothing was done or nothing is due yet: no points.
    Zero,
}

impl Indicator {
    pub const ALL: [Indicator; 10] = [
        Indicator::MilestonesOnTime,
        Indicator::MonthlyActivity,
        Indicator::ConcentratedTurnout,
        Indicator::HoursPerVolunteer,
        Indicator::RosterServed,
        Indicator::ManagersServed,
        Indicator::CheckinsConfirmed,
        Indicator::DispatchesFulfilled,
        Indicator::HoursOnTime,
        Indicator::FindingsClosed,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Indicator::MilestonesOnTime => "milestones_on_time",
            Indicator::MonthlyActivity => "monthly_activity",
            Indicator::ConcentratedTurnout => "concentrated_turnout",
            Indicator::HoursPerVolunteer => "hours_per_volunteer",
            Indicator::RosterServed => "roster_served",
            Indicator::ManagersServed => "managers_served",
            Indicator::CheckinsConfirmed => "checkins_confirmed",
            Indicator::DispatchesFulfilled => "dispatches_fulfilled",
            Indicator::HoursOnTime => "hours_on_time",
            Indicator::FindingsClosed => "findings_closed",
        }
    }

    pub fn parse(s: &str) -> Option<Indicator> {
        Indicator::ALL.into_iter().find(|i| i.as_str() == s)
    }

    /// The scheme's defaults (weight, cap), 100 points in all: a ratio indicator's weight is its
    /// full points; hours per volunteer gives `weight` points per hour.
    pub fn defaults(self) -> (i64, i64) {
        match self {
            Indicator::MilestonesOnTime => (15, 15),
            Indicator::MonthlyActivity => (20, 20),
            Indicator::ConcentratedTurnout => (10, 10),
            Indicator::HoursPerVolunteer => (2, 10),
            Indicator::RosterServed => (10, 10),
            Indicator::ManagersServed => (10, 10),
            Indicator::CheckinsConfirmed => (5, 5),
            Indicator::DispatchesFulfilled => (5, 5),
            Indicator::HoursOnTime => (5, 5),
            Indicator::FindingsClosed => (10, 10),
        }
    }

    /// What it gives with nothing to measure. Dispatches: none dispatched, none failed. Findings:
    /// no inspection recorded (or nothing found), nothing left open. Everything else: nothing
    /// done or nothing due yet.
    pub fn when_empty(self) -> WhenEmpty {
        match self {
            Indicator::DispatchesFulfilled | Indicator::FindingsClosed => WhenEmpty::Full,
            _ => WhenEmpty::Zero,
        }
    }

    /// Whether it applies to `kind` at all (check-ins are filed by units' teams).
    pub fn applies(self, kind: SubjectKind) -> bool {
        match self {
            Indicator::CheckinsConfirmed => kind != SubjectKind::Community,
            _ => true,
        }
    }

    /// The measure, as (numerator, denominator) of the facts; the value is their ratio (hours
    /// per volunteer: hours over people, not capped at 1).
    pub fn basis(self, f: &OrgFacts) -> (f64, f64) {
        let r = |a: i64, b: i64| (a as f64, b as f64);
        match self {
            Indicator::MilestonesOnTime => r(f.milestones_on_time, f.milestones_due),
            Indicator::MonthlyActivity => r(f.months_met, f.months_due),
            Indicator::ConcentratedTurnout => r(f.concentrated_turnout, f.roster * f.months_due),
            Indicator::HoursPerVolunteer => (f.confirmed_minutes as f64 / 60.0, f.people as f64),
            Indicator::RosterServed => r(f.roster_served, f.people),
            Indicator::ManagersServed => r(f.manager_months, f.managers * f.months_due),
            Indicator::CheckinsConfirmed => r(f.checkins_confirmed, f.checkins_expected),
            Indicator::DispatchesFulfilled => r(f.dispatches_fulfilled, f.dispatches_due),
            Indicator::HoursOnTime => r(f.held - f.hours_late - f.hours_missing, f.held),
            Indicator::FindingsClosed => match &f.findings {
                Some(x) => r(x.closed_on_time, x.due),
                None => (0.0, 0.0),
            },
        }
    }

    /// The points (tenths) and the line's note (an i18n key) for `f` with `weight` and `cap`.
    pub fn score(self, f: &OrgFacts, weight: i64, cap: i64) -> (i64, Option<&'static str>) {
        if !self.applies(f.kind) {
            return (0, Some("assessment.note.not_applicable"));
        }
        if self == Indicator::FindingsClosed && f.findings.is_none() {
            return (cap * 10, Some("assessment.note.no_inspections"));
        }
        let (num, den) = self.basis(f);
        if den <= 0.0 {
            return match self.when_empty() {
                WhenEmpty::Full => (cap * 10, Some("assessment.note.nothing_asked")),
                WhenEmpty::Zero => (0, Some("assessment.note.nothing_due")),
            };
        }
        let ratio = if self == Indicator::HoursPerVolunteer {
            num / den
        } else {
            (num / den).clamp(0.0, 1.0)
        };
        (points(weight, cap, ratio), None)
    }
}

/// `weight × measure`, at most `cap`, in tenths of a point (rounded half up).
pub fn points(weight: i64, cap: i64, measure: f64) -> i64 {
    let tenths = (weight as f64 * measure * 10.0 + 1e-9).round() as i64;
    tenths.clamp(0, cap * 10)
}

/// An organisation's inspection findings (from the inspections' summary).
#[derive(Clone, Debug, Default, Serialize, Deserialize, ToSchema)]
pub struct Findings {
    /// Findings recorded.
    pub total: i64,
    /// Findings whose rectification deadline has passed or that were closed.
    pub due: i64,
    /// Of those, closed by the deadline.
    pub closed_on_time: i64,
}

/// The facts one organisation (or team) is scored on, summed from the records.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct OrgFacts {
    pub kind: SubjectKind,
    pub milestones_due: i64,
    pub milestones_on_time: i64,
    pub months_due: i64,
    pub months_met: i64,
    pub concentrated_turnout: i64,
    pub roster: i64,
    /// The people hours and service are counted over: the roster (a team's own roster, where
    /// `roster` is its organisation's).
    pub people: i64,
    pub managers: i64,
    /// Managers who served, summed over the months.
    pub manager_months: i64,
    pub confirmed_minutes: i64,
    pub roster_served: i64,
    pub checkins_expected: i64,
    pub checkins_confirmed: i64,
    pub dispatches_due: i64,
    pub dispatches_fulfilled: i64,
    /// Activities held, and those whose hours were confirmed late or are overdue.
    pub held: i64,
    pub hours_late: i64,
    pub hours_missing: i64,
    /// None when no inspection was recorded.
    pub findings: Option<Findings>,
}

impl OrgFacts {
    pub fn new(kind: SubjectKind) -> OrgFacts {
        OrgFacts {
            kind,
            milestones_due: 0,
            milestones_on_time: 0,
            months_due: 0,
            months_met: 0,
            concentrated_turnout: 0,
            roster: 0,
            people: 0,
            managers: 0,
            manager_months: 0,
            confirmed_minutes: 0,
            roster_served: 0,
            checkins_expected: 0,
            checkins_confirmed: 0,
            dispatches_due: 0,
            dispatches_fulfilled: 0,
            held: 0,
            hours_late: 0,
            hours_missing: 0,
            findings: None,
        }
    }
}

/// Points as shown: tenths to one decimal.
pub fn shown(tenths: i64) -> f64 {
    tenths as f64 / 10.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn points_are_capped_and_rounded() {
        assert_eq!(points(20, 20, 7.0 / 9.0), 156);
        assert_eq!(points(2, 10, 12.0), 100);
        assert_eq!(points(5, 5, 0.0), 0);
    }

    #[test]
    fn empty_measures_follow_the_documented_rule() {
        let f = OrgFacts::new(SubjectKind::Unit);
        assert_eq!(Indicator::DispatchesFulfilled.score(&f, 5, 5).0, 50);
        assert_eq!(Indicator::FindingsClosed.score(&f, 10, 10).0, 100);
        assert_eq!(Indicator::MonthlyActivity.score(&f, 20, 20).0, 0);
        let c = OrgFacts::new(SubjectKind::Community);
        assert_eq!(Indicator::CheckinsConfirmed.score(&c, 5, 5).0, 0);
    }

    #[test]
    fn every_indicator_parses_back() {
        for i in Indicator::ALL {
            assert_eq!(Indicator::parse(i.as_str()), Some(i));
        }
    }
}
