//! Notifications as rules: the events people are told about, the channels, where a message
//! stands, quiet hours, the backoff between tries and the masking of addresses in the send log.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::dates::{china, local};

/// What a message is about. Each kind has its subject and body in both languages
/// (`notify.<kind>.subject` / `notify.<kind>.body` in the i18n files).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, sqlx::Type, Serialize, Deserialize, ToSchema)]
#[sqlx(type_name = "text", rename_all = "snake_case")]
#[serde(rename_all = "snake_case")]
pub enum NoticeKind {
    ActivityChanged,
    ActivityCancelled,
    Promoted,
    HoursConfirmed,
    CertificateIssued,
    RosterReturned,
    RosterAccepted,
    MilestoneDue,
    MilestoneToday,
    ActivityTomorrow,
    ActivitySoon,
    DispatchReceived,
    DispatchAnswered,
    DispatchReviewed,
    CheckinWaiting,
    CheckinReturned,
    CheckinConfirmed,
    HoursDue,
    HoursOverdue,
    SignupWaiting,
    /// A community need (四单) was dispatched to a team: its staff are told.
    NeedDispatched,
    /// An inspection raised a finding (the inspected are told), its rectification was answered
    /// (the inspector), returned or accepted (the inspected).
    FindingRaised,
    FindingAnswered,
    FindingReturned,
    FindingAccepted,
    /// The district approved or rejected a nomination (the nominating unit's or street's staff).
    NominationApproved,
    NominationRejected,
    /// An objection to the public notice was answered (the district and the nominating unit or
    /// street); the objector gets `ObjectionReply` when they left an e-mail address.
    ObjectionAnswered,
    ObjectionReply,
    /// The honour roll was finalised: each commended team's, unit's or community's staff and
    /// each commended volunteer are told, with the honour certificate.
    HonourConferred,
    /// A one-time code proving a person holds the phone on record.
    LinkCode,
    /// A one-time code to set a new password.
    RecoveryCode,
    /// Any other one-time code.
    OneTimeCode,
    /// `leifeng notify test`.
    Test,
}

pub const ALL_KINDS: &[NoticeKind] = &[
    NoticeKind::ActivityChanged,
    NoticeKind::ActivityCancelled,
    NoticeKind::Promoted,
    NoticeKind::HoursConfirmed,
    NoticeKind::CertificateIssued,
    NoticeKind::RosterReturned,
    NoticeKind::RosterAccepted,
    NoticeKind::MilestoneDue,
    NoticeKind::MilestoneToday,
    NoticeKind::ActivityTomorrow,
    NoticeKind::ActivitySoon,
    NoticeKind::DispatchReceived,
    NoticeKind::DispatchAnswered,
    NoticeKind::DispatchReviewed,
    NoticeKind::CheckinWaiting,
    NoticeKind::CheckinReturned,
    NoticeKind::CheckinConfirmed,
    NoticeKind::HoursDue,
    NoticeKind::HoursOverdue,
    NoticeKind::SignupWaiting,
    NoticeKind::NeedDispatched,
    NoticeKind::FindingRaised,
    NoticeKind::FindingAnswered,
    NoticeKind::FindingReturned,
    NoticeKind::FindingAccepted,
    NoticeKind::NominationApproved,
    NoticeKind::NominationRejected,
    NoticeKind::ObjectionAnswered,
    NoticeKind::ObjectionReply,
    NoticeKind::HonourConferred,
    NoticeKind::LinkCode,
    NoticeKind::RecoveryCode,
    NoticeKind::OneTimeCode,
    NoticeKind::Test,
];

impl NoticeKind {
    pub fn as_str(self) -> &'static str {
        match self {
            NoticeKind::ActivityChanged => "activity_changed",
            NoticeKind::ActivityCancelled => "activity_cancelled",
            NoticeKind::Promoted => "promoted",
            NoticeKind::HoursConfirmed => "hours_confirmed",
            NoticeKind::CertificateIssued => "certificate_issued",
            NoticeKind::RosterReturned => "roster_returned",
            NoticeKind::RosterAccepted => "roster_accepted",
            NoticeKind::MilestoneDue => "milestone_due",
            NoticeKind::MilestoneToday => "milestone_today",
            NoticeKind::ActivityTomorrow => "activity_tomorrow",
            NoticeKind::ActivitySoon => "activity_soon",
            NoticeKind::DispatchReceived => "dispatch_received",
            NoticeKind::DispatchAnswered => "dispatch_answered",
            NoticeKind::DispatchReviewed => "dispatch_reviewed",
            NoticeKind::CheckinWaiting => "checkin_waiting",
            NoticeKind::CheckinReturned => "checkin_returned",
            NoticeKind::CheckinConfirmed => "checkin_confirmed",
            NoticeKind::HoursDue => "hours_due",
            NoticeKind::HoursOverdue => "hours_overdue",
            NoticeKind::SignupWaiting => "signup_waiting",
            NoticeKind::NeedDispatched => "need_dispatched",
            NoticeKind::FindingRaised => "finding_raised",
            NoticeKind::FindingAnswered => "finding_answered",
            NoticeKind::FindingReturned => "finding_returned",
            NoticeKind::FindingAccepted => "finding_accepted",
            NoticeKind::NominationApproved => "nomination_approved",
            NoticeKind::NominationRejected => "nomination_rejected",
            NoticeKind::ObjectionAnswered => "objection_answered",
            NoticeKind::ObjectionReply => "objection_reply",
            NoticeKind::HonourConferred => "honour_conferred",
            NoticeKind::LinkCode => "link_code",
            NoticeKind::RecoveryCode => "recovery_code",
            NoticeKind::OneTimeCode => "one_time_code",
            NoticeKind::Test => "test",
        }
    }

    /// The kind stored as `s` (None for anything else).
    pub fn parse(s: &str) -> Option<NoticeKind> {
        ALL_KINDS.iter().copied().find(|k| k.as_str() == s)
    }

    /// The kind of a one-time code named the way callers of the identity outbox name it
    /// (`link_code`, `recovery_code`, …): anything unknown is a one-time code.
    pub fn of_code(s: &str) -> NoticeKind {
        match NoticeKind::parse(s) {
            Some(k) if k.is_code() || k == NoticeKind::Test => k,
            _ if s.contains("recover") || s.contains("reset") || s.contains("password") => NoticeKind::RecoveryCode,
            _ => NoticeKind::OneTimeCode,
        }
    }

    /// One-time codes: urgent, never in the inbox (they go to the address being proved).
    pub fn is_code(self) -> bool {
        matches!(
            self,
            NoticeKind::LinkCode | NoticeKind::RecoveryCode | NoticeKind::OneTimeCode
        )
    }

    /// Sent at once, also in quiet hours.
    pub fn is_urgent(self) -> bool {
        self.is_code() || self == NoticeKind::Test
    }

    pub fn subject_key(self) -> String {
        format!("notify.{}.subject", self.as_str())
    }

    pub fn body_key(self) -> String {
        format!("notify.{}.body", self.as_str())
    }
}

/// How a message reaches its recipient.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, sqlx::Type, Serialize, Deserialize, ToSchema)]
#[sqlx(type_name = "text", rename_all = "snake_case")]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    /// The in-app inbox (the bell): delivered when queued.
    Inbox,
    Email,
    Sms,
}

impl Channel {
    pub fn as_str(self) -> &'static str {
        match self {
            Channel::Inbox => "inbox",
            Channel::Email => "email",
            Channel::Sms => "sms",
        }
    }

    pub fn parse(s: &str) -> Option<Channel> {
        match s {
            "inbox" => Some(Channel::Inbox),
            "email" => Some(Channel::Email),
            "sms" => Some(Channel::Sms),
            _ => None,
        }
    }

    /// The channel an address belongs to: an e-mail address has an `@`, anything else is a phone.
    pub fn of_address(address: &str) -> Channel {
        if address.contains('@') {
            Channel::Email
        } else {
            Channel::Sms
        }
    }
}

/// Which of an account's own addresses a change on `/me/contact` is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ContactChannel {
    Email,
    Phone,
}

impl ContactChannel {
    pub fn as_str(self) -> &'static str {
        match self {
            ContactChannel::Email => "email",
            ContactChannel::Phone => "phone",
        }
    }

    /// `email` or `phone` (None for anything else).
    pub fn parse(s: &str) -> Option<ContactChannel> {
        match s.trim() {
            "email" => Some(ContactChannel::Email),
            "phone" => Some(ContactChannel::Phone),
            _ => None,
        }
    }
}

/// Where a message stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, sqlx::Type, Serialize, Deserialize, ToSchema)]
#[sqlx(type_name = "text", rename_all = "snake_case")]
#[serde(rename_all = "snake_case")]
pub enum DeliveryState {
    Queued,
    /// Claimed by one instance, which is sending it.
    Sending,
    Sent,
    /// Given up after the last try.
    Failed,
    /// Not sent: the channel is not configured, or the recipient turned it off.
    Skipped,
}

impl DeliveryState {
    pub fn as_str(self) -> &'static str {
        match self {
            DeliveryState::Queued => "queued",
            DeliveryState::Sending => "sending",
            DeliveryState::Sent => "sent",
            DeliveryState::Failed => "failed",
            DeliveryState::Skipped => "skipped",
        }
    }

    pub fn parse(s: &str) -> Option<DeliveryState> {
        [
            DeliveryState::Queued,
            DeliveryState::Sending,
            DeliveryState::Sent,
            DeliveryState::Failed,
            DeliveryState::Skipped,
        ]
        .into_iter()
        .find(|d| d.as_str() == s)
    }
}

/// How many times a message is tried before it is marked failed.
pub const MAX_ATTEMPTS: i64 = 6;

/// Seconds to wait after the `attempts`-th failed try: 30 s, 1 min, 2 min, … at most an hour.
pub fn backoff_secs(attempts: i64) -> i64 {
    let n = attempts.clamp(1, 12) as u32 - 1;
    (30_i64 << n).min(3600)
}

/// Quiet hours, China time: from 22:00 to 07:00 non-urgent e-mail and SMS wait.
pub const QUIET_FROM_HOUR: u32 = 22;
pub const QUIET_UNTIL_HOUR: u32 = 7;

/// When a non-urgent message to someone who keeps quiet hours may go out: `now`, or 07:00
/// China time after the night `now` falls in.
pub fn after_quiet_hours(now: i64) -> i64 {
    use chrono::Timelike;
    let t = local(now);
    let h = t.hour();
    if (QUIET_UNTIL_HOUR..QUIET_FROM_HOUR).contains(&h) {
        return now;
    }
    let day = if h >= QUIET_FROM_HOUR {
        t.date().succ_opt().unwrap_or(t.date())
    } else {
        t.date()
    };
    day.and_hms_opt(QUIET_UNTIL_HOUR, 0, 0)
        .and_then(|d| d.and_local_timezone(china()).single())
        .map(|d| d.timestamp())
        .unwrap_or(now)
}

/// An address as the send log shows it: `138****0001`, `w***@example.org`.
pub fn mask_address(address: &str) -> String {
    if address.contains('@') {
        crate::domain::login::mask_email(address)
    } else {
        crate::domain::phone::Phone::mask(address)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::dates::parse_local;

    #[test]
    fn kinds_round_trip_and_codes_are_urgent() {
        for k in ALL_KINDS {
            assert_eq!(NoticeKind::parse(k.as_str()), Some(*k));
        }
        assert_eq!(NoticeKind::of_code("link_code"), NoticeKind::LinkCode);
        assert_eq!(NoticeKind::of_code("password_reset"), NoticeKind::RecoveryCode);
        assert_eq!(NoticeKind::of_code("whatever"), NoticeKind::OneTimeCode);
        assert!(NoticeKind::LinkCode.is_urgent() && !NoticeKind::ActivitySoon.is_urgent());
    }

    #[test]
    fn quiet_hours_end_at_seven() {
        let day = parse_local("2026-03-05 12:00").unwrap();
        assert_eq!(after_quiet_hours(day), day);
        let late = parse_local("2026-03-05 23:10").unwrap();
        assert_eq!(after_quiet_hours(late), parse_local("2026-03-06 07:00").unwrap());
        let early = parse_local("2026-03-06 05:59").unwrap();
        assert_eq!(after_quiet_hours(early), parse_local("2026-03-06 07:00").unwrap());
        let seven = parse_local("2026-03-06 07:00").unwrap();
        assert_eq!(after_quiet_hours(seven), seven);
    }

    #[test]
    fn backoff_grows_and_stops_at_an_hour() {
        assert_eq!(backoff_secs(1), 30);
        assert_eq!(backoff_secs(2), 60);
        assert_eq!(backoff_secs(3), 120);
        assert_eq!(backoff_secs(20), 3600);
    }

    #[test]
    fn addresses_are_masked() {
        assert_eq!(mask_address("13800000001"), "138****0001");
        assert_eq!(mask_address("wang@example.org"), "w***@example.org");
        assert!(crate::domain::login::email("a@b.cn").is_some());
        assert!(crate::domain::login::email("a b@c.cn").is_none() && crate::domain::login::email("nope").is_none());
    }
}
