//! Activities with no I/O: their status, its allowed changes, the phase people see, and the
//! rules an activity's fields follow (the service adds the lookups and the policy).

use chrono::Datelike;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::campaign::{parse_categories, Category};
use super::dates::parse_local;
use super::service::Dimension;

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

/// A sign-up's status; stored and sent as `confirmed` (has a place), `waiting` (on the waiting
/// list), `cancelled` or `no_show` (had a place, did not come; set when the hours are confirmed).
#[derive(Clone, Copy, Debug, PartialEq, Eq, sqlx::Type, Serialize, Deserialize, ToSchema)]
#[sqlx(type_name = "text", rename_all = "snake_case")]
#[serde(rename_all = "snake_case")]
pub enum SignupStatus {
    Confirmed,
    Waiting,
    Cancelled,
    NoShow,
}

impl SignupStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            SignupStatus::Confirmed => "confirmed",
            SignupStatus::Waiting => "waiting",
            SignupStatus::Cancelled => "cancelled",
            SignupStatus::NoShow => "no_show",
        }
    }
}

/// Who put a volunteer on an activity's list; stored and sent as `self` (they signed up),
/// `leader` (a leader of an organising team added them) or `dispatch` (named by their team for a
/// dispatched action).
#[derive(Clone, Copy, Debug, PartialEq, Eq, sqlx::Type, Serialize, Deserialize, ToSchema)]
#[sqlx(type_name = "text", rename_all = "snake_case")]
#[serde(rename_all = "snake_case")]
pub enum AddedBy {
    #[sqlx(rename = "self")]
    #[serde(rename = "self")]
    Themselves,
    Leader,
    Dispatch,
}

/// An activity's form of service (SPEC §4); stored and sent as `concentrated`, `scattered` or
/// `dispatched` (a dispatched action's activity).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, sqlx::Type, Serialize, Deserialize, ToSchema)]
#[sqlx(type_name = "text", rename_all = "snake_case")]
#[serde(rename_all = "snake_case")]
pub enum ActivityForm {
    Concentrated,
    #[default]
    Scattered,
    Dispatched,
}

impl ActivityForm {
    pub const ALL: [ActivityForm; 3] = [
        ActivityForm::Concentrated,
        ActivityForm::Scattered,
        ActivityForm::Dispatched,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ActivityForm::Concentrated => "concentrated",
            ActivityForm::Scattered => "scattered",
            ActivityForm::Dispatched => "dispatched",
        }
    }

    pub fn parse(s: &str) -> Option<ActivityForm> {
        ActivityForm::ALL.into_iter().find(|f| f.as_str() == s.trim())
    }
}

/// Who may sign up for an activity; stored and sent as `all` (any registered volunteer) or
/// `team` (the organising teams' members).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, sqlx::Type, Serialize, Deserialize, ToSchema)]
#[sqlx(type_name = "text", rename_all = "snake_case")]
#[serde(rename_all = "snake_case")]
pub enum OpenTo {
    #[default]
    All,
    Team,
}

impl OpenTo {
    pub fn as_str(self) -> &'static str {
        match self {
            OpenTo::All => "all",
            OpenTo::Team => "team",
        }
    }
}

/// The status people see; sent as `draft`, `published`, `ongoing`, `ended`, `completed` or
/// `cancelled`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Phase {
    Draft,
    /// Published, not started yet: open for sign-ups.
    Published,
    Ongoing,
    /// Over, waiting for its hours to be confirmed.
    Ended,
    Completed,
    Cancelled,
}

/// The status people see: a published activity is ongoing from its start and ended (waiting for
/// its hours) from its end.
pub fn phase(status: ActivityStatus, starts_at: i64, ends_at: i64, now: i64) -> Phase {
    match status {
        ActivityStatus::Published if now >= ends_at => Phase::Ended,
        ActivityStatus::Published if now >= starts_at => Phase::Ongoing,
        ActivityStatus::Published => Phase::Published,
        ActivityStatus::Draft => Phase::Draft,
        ActivityStatus::Completed => Phase::Completed,
        ActivityStatus::Cancelled => Phase::Cancelled,
    }
}

// ---------------------------------------------------------------- field rules

/// What is wrong with one field: the field, the i18n key of the message and its parameters.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    pub field: &'static str,
    pub key: &'static str,
    pub params: Vec<(&'static str, String)>,
}

impl Problem {
    pub fn new(field: &'static str, key: &'static str) -> Problem {
        Problem {
            field,
            key,
            params: vec![],
        }
    }

    pub fn with(mut self, name: &'static str, value: impl ToString) -> Problem {
        self.params.push((name, value.to_string()));
        self
    }
}

/// The longest an activity may last.
pub const MAX_LENGTH_SECS: i64 = 7 * 86400;

fn given(v: Option<&str>) -> Option<&str> {
    v.map(str::trim).filter(|s| !s.is_empty())
}

/// A China-time `YYYY-MM-DD HH:MM` field, required or not.
pub fn time(field: &'static str, v: Option<&str>, required: bool) -> Result<Option<i64>, Problem> {
    match given(v) {
        None if required => Err(Problem::new(field, "err.required")),
        None => Ok(None),
        Some(s) => parse_local(s)
            .map(Some)
            .ok_or_else(|| Problem::new(field, "err.datetime")),
    }
}

/// A latitude (`limit` 90) or longitude (`limit` 180), if given.
pub fn coordinate(field: &'static str, v: Option<&str>, limit: f64) -> Result<Option<f64>, Problem> {
    let Some(s) = given(v) else { return Ok(None) };
    match s.parse::<f64>() {
        Ok(x) if x.is_finite() && x.abs() <= limit => Ok(Some(x)),
        _ => Err(Problem::new(field, "err.coordinate")),
    }
}

/// One category (code or name), required.
pub fn category(v: Option<&str>) -> Result<Category, Problem> {
    let s = given(v).ok_or_else(|| Problem::new("category", "err.required"))?;
    match parse_categories(s) {
        Ok(c) if c.len() == 1 => Ok(c[0]),
        _ => Err(Problem::new("category", "err.category_unknown").with("value", s)),
    }
}

/// One of the five dimensions, by code, name or the start of its name; required.
pub fn dimension(v: Option<&str>) -> Result<Dimension, Problem> {
    let s = given(v).ok_or_else(|| Problem::new("dimension", "err.required"))?;
    match Dimension::parse(s) {
        Some(d) => Ok(d),
        None => Err(Problem::new("dimension", "err.dimension_unknown")),
    }
}

/// The form of service: a dispatched action's activity is `dispatched`; others are typed as
/// `concentrated` or `scattered` (an activity that was dispatched may keep its form).
pub fn form(v: Option<&str>, dispatched: bool, was_dispatched: bool) -> Result<ActivityForm, Problem> {
    if dispatched {
        return Ok(ActivityForm::Dispatched);
    }
    match v.map(str::trim).unwrap_or("") {
        "" => Err(Problem::new("form", "err.required")),
        s => match ActivityForm::parse(s) {
            Some(ActivityForm::Dispatched) if !was_dispatched => Err(Problem::new("form", "err.form_unknown")),
            Some(f) => Ok(f),
            None => Err(Problem::new("form", "err.form_unknown")),
        },
    }
}

/// Both coordinates or neither.
pub fn coordinate_pair(lat: Option<f64>, lng: Option<f64>) -> Option<Problem> {
    (lat.is_some() != lng.is_some()).then(|| Problem::new("lng", "err.coordinate_pair"))
}

/// The end after the start, at most a week later.
pub fn span(starts_at: i64, ends_at: i64) -> Option<Problem> {
    if ends_at <= starts_at {
        Some(Problem::new("ends_at", "err.ends_before_start"))
    } else if ends_at - starts_at > MAX_LENGTH_SECS {
        Some(Problem::new("ends_at", "err.activity_too_long"))
    } else {
        None
    }
}

/// A concentrated activity falls on its month's concentrated day, if the calendar names one
/// (`days`: month and `YYYY-MM-DD` day).
pub fn concentrated_day<'a>(starts_at: i64, days: impl IntoIterator<Item = (i64, &'a str)>) -> Option<Problem> {
    let day = super::dates::local(starts_at).date();
    let (_, d) = days.into_iter().find(|(m, d)| {
        *m == i64::from(day.month())
            && chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d").is_ok_and(|d| d.year() == day.year())
    })?;
    (d != day.format("%Y-%m-%d").to_string())
        .then(|| Problem::new("starts_at", "err.not_concentrated_day").with("day", d))
}

/// Places from 1 to 10,000, and not fewer than already taken (`taken`, on an edit).
pub fn capacity(v: Option<i64>, taken: Option<i64>) -> Result<i64, Problem> {
    match v {
        None => Err(Problem::new("capacity", "err.required")),
        Some(c) if !(1..=10_000).contains(&c) => Err(Problem::new("capacity", "err.capacity_range")),
        Some(c) => match taken.filter(|t| c < *t) {
            Some(t) => Err(Problem::new("capacity", "err.capacity_below_taken").with("n", t)),
            None => Ok(c),
        },
    }
}

/// Who may sign up: `all` (the default) or `team`.
pub fn open_to(v: Option<&str>) -> Result<OpenTo, Problem> {
    match v.map(str::trim).unwrap_or("all") {
        "" | "all" => Ok(OpenTo::All),
        "team" => Ok(OpenTo::Team),
        _ => Err(Problem::new("open_to", "err.open_to_unknown")),
    }
}

/// The sign-up window opens before it closes, and closes by the end.
pub fn signup_window(opens: Option<i64>, closes: Option<i64>, ends_at: Option<i64>) -> Vec<Problem> {
    let mut out = vec![];
    if let (Some(o), Some(c)) = (opens, closes) {
        if c <= o {
            out.push(Problem::new("signup_closes_at", "err.window_order"));
        }
    }
    if let (Some(c), Some(e)) = (closes, ends_at) {
        if c > e {
            out.push(Problem::new("signup_closes_at", "err.window_after_end"));
        }
    }
    out
}

/// Ages from 0 to 120, the least not above the most.
pub fn ages(min: Option<i64>, max: Option<i64>) -> Vec<Problem> {
    let mut out = vec![];
    for (field, v) in [("min_age", min), ("max_age", max)] {
        if v.is_some_and(|a| !(0..=120).contains(&a)) {
            out.push(Problem::new(field, "err.age_range"));
        }
    }
    if let (Some(lo), Some(hi)) = (min, max) {
        if lo > hi {
            out.push(Problem::new("max_age", "err.age_order"));
        }
    }
    out
}

/// A risky activity states its risks.
pub fn risk(risky: bool, statement: &str) -> Option<Problem> {
    (risky && statement.is_empty()).then(|| Problem::new("risk_statement", "err.risk_statement_required"))
}

/// A sign-in fence of 20 to 5,000 metres around the activity's point (0 or none: no fence).
pub fn geofence(v: Option<i64>, has_point: bool) -> Result<Option<i64>, Problem> {
    match v {
        None | Some(0) => Ok(None),
        Some(m) if (20..=5000).contains(&m) => match has_point {
            true => Ok(Some(m)),
            false => Err(Problem::new("geofence_m", "err.geofence_needs_point")),
        },
        Some(_) => Err(Problem::new("geofence_m", "err.geofence_range")),
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
        assert_eq!(phase(Published, 10, 20, 5), Phase::Published);
        assert_eq!(phase(Published, 10, 20, 10), Phase::Ongoing);
        assert_eq!(phase(Published, 10, 20, 20), Phase::Ended);
        assert_eq!(phase(Cancelled, 10, 20, 30), Phase::Cancelled);
        assert_eq!(phase(Draft, 10, 20, 30), Phase::Draft);
        assert_eq!(serde_json::to_value(Phase::Ended).unwrap(), "ended");
    }

    fn key<T: std::fmt::Debug>(r: Result<T, Problem>) -> &'static str {
        r.unwrap_err().key
    }

    #[test]
    fn times_and_coordinates() {
        assert_eq!(key(time("starts_at", None, true)), "err.required");
        assert_eq!(time("signup_opens_at", Some(" "), false), Ok(None));
        assert_eq!(key(time("starts_at", Some("tomorrow"), true)), "err.datetime");
        assert!(time("starts_at", Some("2026-05-05 09:00"), true).unwrap().is_some());
        assert_eq!(coordinate("lat", Some("31.2"), 90.0), Ok(Some(31.2)));
        assert_eq!(key(coordinate("lat", Some("91"), 90.0)), "err.coordinate");
        assert_eq!(key(coordinate("lng", Some("NaN"), 180.0)), "err.coordinate");
        assert_eq!(coordinate("lng", None, 180.0), Ok(None));
        assert!(coordinate_pair(Some(1.0), None).is_some());
        assert!(coordinate_pair(None, None).is_none());
    }

    #[test]
    fn category_dimension_form_and_open_to() {
        assert_eq!(key(category(None)), "err.required");
        assert_eq!(
            category(Some("xyz")).unwrap_err().params,
            vec![("value", "xyz".to_string())]
        );
        assert_eq!(dimension(Some("environment")).unwrap(), Dimension::Environment);
        assert_eq!(dimension(Some("环境")).unwrap(), Dimension::Environment);
        assert_eq!(category(Some("交通")).unwrap(), Category::Traffic);
        assert_eq!(key(dimension(Some("nothing"))), "err.dimension_unknown");
        assert_eq!(form(Some("anything"), true, false).unwrap(), ActivityForm::Dispatched);
        assert_eq!(
            form(Some(" scattered "), false, false).unwrap(),
            ActivityForm::Scattered
        );
        assert_eq!(key(form(Some("dispatched"), false, false)), "err.form_unknown");
        assert_eq!(form(Some("dispatched"), false, true).unwrap(), ActivityForm::Dispatched);
        assert_eq!(key(form(None, false, false)), "err.required");
        assert_eq!(open_to(None).unwrap(), OpenTo::All);
        assert_eq!(open_to(Some("team")).unwrap(), OpenTo::Team);
        assert_eq!(key(open_to(Some("friends"))), "err.open_to_unknown");
    }

    #[test]
    fn span_capacity_window_ages_risk_fence() {
        assert_eq!(span(10, 10).unwrap().key, "err.ends_before_start");
        assert_eq!(span(0, MAX_LENGTH_SECS + 1).unwrap().key, "err.activity_too_long");
        assert!(span(0, MAX_LENGTH_SECS).is_none());
        assert_eq!(key(capacity(None, None)), "err.required");
        assert_eq!(key(capacity(Some(0), None)), "err.capacity_range");
        assert_eq!(key(capacity(Some(3), Some(5))), "err.capacity_below_taken");
        assert_eq!(capacity(Some(5), Some(5)), Ok(5));
        assert_eq!(signup_window(Some(5), Some(5), Some(4)).len(), 2);
        assert!(signup_window(None, Some(5), None).is_empty());
        assert_eq!(ages(Some(130), Some(10)).len(), 2);
        assert_eq!(ages(Some(18), Some(10))[0].key, "err.age_order");
        assert!(risk(true, "").is_some() && risk(true, "ropes").is_none() && risk(false, "").is_none());
        assert_eq!(geofence(Some(0), false), Ok(None));
        assert_eq!(geofence(Some(100), true), Ok(Some(100)));
        assert_eq!(key(geofence(Some(100), false)), "err.geofence_needs_point");
        assert_eq!(key(geofence(Some(10), true)), "err.geofence_range");
    }

    #[test]
    fn a_concentrated_activity_is_on_its_day() {
        let start = parse_local("2026-05-05 09:00").unwrap();
        assert!(concentrated_day(start, [(5, "2026-05-05")]).is_none());
        let p = concentrated_day(start, [(5, "2026-05-12")]).unwrap();
        assert_eq!(p.params, vec![("day", "2026-05-12".to_string())]);
        assert!(concentrated_day(start, [(6, "2026-06-02")]).is_none());
        assert!(concentrated_day(start, [(5, "2025-05-12")]).is_none());
    }
}
