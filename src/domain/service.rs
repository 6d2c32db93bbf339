//! Rules of service with no I/O: the activity's kinds, hours from sign-in and sign-out, star
//! levels, working days for the confirmation deadline, the rotating sign-in code, the geofence.

use chrono::{Datelike, Duration, NaiveDate, Weekday};
use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::Sha256;
use utoipa::ToSchema;

/// The five goods (五个好) each activity serves; stored and sent as `environment`, `order`,
/// `culture`, `security` or `service`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, sqlx::Type, Serialize, Deserialize, ToSchema)]
#[sqlx(type_name = "text", rename_all = "snake_case")]
#[serde(rename_all = "snake_case")]
pub enum Dimension {
    Environment,
    Order,
    Culture,
    Security,
    Service,
}

impl Dimension {
    pub const ALL: [Dimension; 5] = [
        Dimension::Environment,
        Dimension::Order,
        Dimension::Culture,
        Dimension::Security,
        Dimension::Service,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Dimension::Environment => "environment",
            Dimension::Order => "order",
            Dimension::Culture => "culture",
            Dimension::Security => "security",
            Dimension::Service => "service",
        }
    }

    /// The official name (环境好 …).
    pub fn label(self) -> &'static str {
        match self {
            Dimension::Environment => "环境好",
            Dimension::Order => "秩序好",
            Dimension::Culture => "文化好",
            Dimension::Security => "治安好",
            Dimension::Service => "服务好",
        }
    }

    /// By its stored code only.
    pub fn from_code(s: &str) -> Option<Dimension> {
        Dimension::ALL.into_iter().find(|d| d.code() == s.trim())
    }

    /// By its code, its name or the start of its name (环境).
    pub fn parse(s: &str) -> Option<Dimension> {
        let s = s.trim();
        if s.is_empty() {
            return None;
        }
        Dimension::ALL
            .into_iter()
            .find(|d| d.code() == s || d.label() == s || d.label().starts_with(s))
    }
}

/// The district's rules of service; local practice, so configuration (SPEC §9).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(default)]
pub struct Rules {
    /// Service time is rounded to this many minutes (default a quarter hour).
    pub round_minutes: i64,
    /// `nearest`, `down` or `up`.
    pub round_mode: String,
    /// Below this share of the activity's span (percent) no hours count.
    pub min_share_pct: i64,
    /// Cumulative hours for one to five stars.
    pub stars: Vec<i64>,
    /// Working days after the end within which the leader confirms hours.
    pub confirm_working_days: i64,
    /// Sign-in opens this many minutes before the start.
    pub signin_early_minutes: i64,
    /// Sign-out is accepted until this many minutes after the end (time capped at the end).
    pub signout_grace_minutes: i64,
    /// How long a rotating code lives, in seconds (the previous one is still accepted).
    pub code_rotate_secs: i64,
    /// Who answers for certificates the district issues, and how to reach them.
    pub issuer_person: String,
    pub issuer_contact: String,
}

impl Default for Rules {
    fn default() -> Rules {
        Rules {
            round_minutes: 15,
            round_mode: "nearest".into(),
            min_share_pct: 25,
            stars: vec![100, 300, 600, 1000, 1500],
            confirm_working_days: 10,
            signin_early_minutes: 30,
            signout_grace_minutes: 120,
            code_rotate_secs: 30,
            issuer_person: String::new(),
            issuer_contact: String::new(),
        }
    }
}

impl Rules {
    /// The problems with a set of rules, as (field, i18n key).
    pub fn problems(&self) -> Vec<(&'static str, &'static str)> {
        let mut out = vec![];
        if !(1..=60).contains(&self.round_minutes) {
            out.push(("round_minutes", "err.rules_round"));
        }
        if !["nearest", "down", "up"].contains(&self.round_mode.as_str()) {
            out.push(("round_mode", "err.rules_mode"));
        }
        if !(0..=100).contains(&self.min_share_pct) {
            out.push(("min_share_pct", "err.rules_share"));
        }
        if self.stars.len() != 5 || self.stars.windows(2).any(|w| w[0] >= w[1]) || self.stars[0] <= 0 {
            out.push(("stars", "err.rules_stars"));
        }
        if !(1..=60).contains(&self.confirm_working_days) {
            out.push(("confirm_working_days", "err.rules_days"));
        }
        if !(0..=240).contains(&self.signin_early_minutes) || !(0..=1440).contains(&self.signout_grace_minutes) {
            out.push(("signin_early_minutes", "err.rules_window"));
        }
        if !(10..=3600).contains(&self.code_rotate_secs) {
            out.push(("code_rotate_secs", "err.rules_rotate"));
        }
        out
    }

    /// Minutes of service for time given between `signed_in` and `signed_out` (epoch seconds)
    /// at an activity from `start` to `end`: the time given inside the span (travel before the
    /// sign-in and after the sign-out is not service), nothing below the minimum share, rounded.
    pub fn minutes(&self, start: i64, end: i64, signed_in: i64, signed_out: i64) -> i64 {
        let span = (end - start).max(0);
        let given = (signed_out.min(end) - signed_in.max(start)).max(0);
        if span == 0 || given * 100 < span * self.min_share_pct {
            return 0;
        }
        let step = self.round_minutes.max(1) * 60;
        let rounded = match self.round_mode.as_str() {
            "down" => given / step * step,
            "up" => (given + step - 1) / step * step,
            _ => (given + step / 2) / step * step,
        };
        rounded.min(span) / 60
    }

    /// The star level (0–5) of cumulative minutes.
    pub fn stars_for(&self, minutes: i64) -> usize {
        self.stars.iter().filter(|h| minutes >= *h * 60).count()
    }

    /// Hours still needed for the next star, if there is one.
    pub fn next_star(&self, minutes: i64) -> Option<i64> {
        self.stars.iter().find(|h| minutes < *h * 60).copied()
    }
}

/// The day hours are due: `n` working days (Monday to Friday) after the day the activity ended.
pub fn confirm_due(ended_on: NaiveDate, n: i64) -> NaiveDate {
    let mut d = ended_on;
    let mut left = n;
    while left > 0 {
        d += Duration::days(1);
        if !matches!(d.weekday(), Weekday::Sat | Weekday::Sun) {
            left -= 1;
        }
    }
    d
}

pub use crate::domain::dates::{china, format_local, local, parse_local};

type HmacSha256 = Hmac<Sha256>;

/// An HMAC of `message` under `key`, hex encoded and cut to `len` characters.
pub fn sign(key: &str, message: &str, len: usize) -> String {
    let mut mac = HmacSha256::new_from_slice(key.as_bytes()).expect("any key length");
    mac.update(message.as_bytes());
    let bytes = mac.finalize().into_bytes();
    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    hex[..len.min(hex.len())].to_string()
}

/// The sign-in code on an activity's poster at `now`: fixed, or changing every `period` seconds.
pub fn signin_code(secret: &str, rotates: bool, period: i64, now: i64) -> String {
    if rotates {
        sign(secret, &format!("w{}", now.div_euclid(period.max(1))), 10)
    } else {
        sign(secret, "fixed", 10)
    }
}

/// Whether `code` is the poster's code now, or (when it rotates) the one just before — so a
/// scan made as the code changes still counts, but a photo of an old poster does not.
pub fn code_valid(secret: &str, rotates: bool, period: i64, now: i64, code: &str) -> bool {
    let code = code.trim();
    if code.is_empty() {
        return false;
    }
    if !rotates {
        return constant_eq(code, &signin_code(secret, false, period, now));
    }
    constant_eq(code, &signin_code(secret, true, period, now))
        || constant_eq(code, &signin_code(secret, true, period, now - period))
}

pub fn constant_eq(a: &str, b: &str) -> bool {
    a.len() == b.len() && a.bytes().zip(b.bytes()).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// Distance in metres between two points on the earth (haversine).
pub fn distance_m(lat1: f64, lng1: f64, lat2: f64, lng2: f64) -> f64 {
    let r = 6_371_000.0_f64;
    let (p1, p2) = (lat1.to_radians(), lat2.to_radians());
    let dp = (lat2 - lat1).to_radians();
    let dl = (lng2 - lng1).to_radians();
    let a = (dp / 2.0).sin().powi(2) + p1.cos() * p2.cos() * (dl / 2.0).sin().powi(2);
    2.0 * r * a.sqrt().asin()
}

/// Minutes as hours for people, e.g. `2.25`.
pub fn hours(minutes: i64) -> f64 {
    (minutes as f64 / 60.0 * 100.0).round() / 100.0
}

#[cfg(test)]
mod tests {
    use super::*;

    const H: i64 = 3600;

    #[test]
    fn hours_are_the_time_given_inside_the_span_rounded_to_the_quarter() {
        let r = Rules::default();
        // 09:00–12:00; in at 08:40 (travel, early), out at 11:08 → 2 h 08 → 2 h 15 (nearest quarter)
        assert_eq!(r.minutes(9 * H, 12 * H, 8 * H + 40 * 60, 11 * H + 8 * 60), 135);
        // stays past the end: capped at the span
        assert_eq!(r.minutes(9 * H, 12 * H, 9 * H, 14 * H), 180);
        // 40 minutes of a 3-hour activity is below the 25 % minimum share
        assert_eq!(r.minutes(9 * H, 12 * H, 9 * H, 9 * H + 40 * 60), 0);
        // 45 minutes is exactly 25 %
        assert_eq!(r.minutes(9 * H, 12 * H, 9 * H, 9 * H + 45 * 60), 45);
        let down = Rules {
            round_mode: "down".into(),
            ..Rules::default()
        };
        assert_eq!(down.minutes(9 * H, 12 * H, 9 * H, 11 * H + 14 * 60), 120);
        let up = Rules {
            round_mode: "up".into(),
            ..Rules::default()
        };
        assert_eq!(up.minutes(9 * H, 12 * H, 9 * H, 11 * H + 60), 135);
        // signed out before signing in: nothing
        assert_eq!(r.minutes(9 * H, 12 * H, 11 * H, 10 * H), 0);
    }

    #[test]
    fn stars_follow_the_thresholds() {
        let r = Rules::default();
        assert_eq!(r.stars_for(99 * 60), 0);
        assert_eq!(r.stars_for(100 * 60), 1);
        assert_eq!(r.stars_for(1500 * 60), 5);
        assert_eq!(r.next_star(120 * 60), Some(300));
        assert_eq!(r.next_star(2000 * 60), None);
    }

    #[test]
    fn confirmation_is_due_ten_working_days_later() {
        // Saturday 2026-05-16 → the tenth working day is Friday 2026-05-29.
        let d = NaiveDate::from_ymd_opt(2026, 5, 16).unwrap();
        assert_eq!(confirm_due(d, 10), NaiveDate::from_ymd_opt(2026, 5, 29).unwrap());
    }

    #[test]
    fn rotating_codes_expire_after_one_period() {
        let s = "secret";
        let c = signin_code(s, true, 30, 1000);
        assert!(code_valid(s, true, 30, 1000, &c));
        assert!(code_valid(s, true, 30, 1029, &c));
        assert!(!code_valid(s, true, 30, 1100, &c));
        assert!(!code_valid(s, true, 30, 1000, "0000000000"));
        let fixed = signin_code(s, false, 30, 0);
        assert!(code_valid(s, false, 30, 999_999, &fixed));
        assert!(!code_valid("other", false, 30, 0, &fixed));
    }

    #[test]
    fn distance_is_in_metres() {
        // about 111 m per 0.001° of latitude
        let d = distance_m(30.0, 120.0, 30.001, 120.0);
        assert!((d - 111.2).abs() < 1.0, "{d}");
    }

    #[test]
    fn local_times_round_trip() {
        let ts = parse_local("2026-05-16T09:00").unwrap();
        assert_eq!(format_local(ts), "2026-05-16 09:00");
        assert!(parse_local("2026-13-01 09:00").is_none());
        assert!(parse_local("2026年05月16日09:00").is_none());
        assert_eq!(parse_local("2026-05-16 09:00:30"), parse_local("2026-05-16 09:00"));
    }
}
