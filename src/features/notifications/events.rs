//! The events this capability tells people about, queued in the transaction of the change:
//! each function is called by the service that makes the change, before it commits.

use crate::db::activities::Activity;
use crate::db::checkins::CheckIn;
use crate::db::commendations::{Nomination, Objection};
use crate::db::dispatches::DispatchTeam;
use crate::db::notifications::{self as store, Notice};
use crate::db::teams::Team;
use crate::db::{now, Tx};
use crate::domain::checkin::CheckInStatus;
use crate::domain::commendation::{NominationStatus, NomineeKind};
use crate::domain::dates::format_local;
use crate::domain::notification::{Channel, NoticeKind};
use crate::domain::service::hours;
use crate::i18n::Lang;

fn activity_notice(kind: NoticeKind, event: String, a: &Activity) -> Notice {
    Notice::to_user(kind, event, 0)
        .param("title", &a.title)
        .param("starts", format_local(a.starts_at))
        .param("address", &a.address)
        .link(format!("/activities/{}", a.id))
}

/// The time or place of an activity changed: everyone signed up or waiting is told.
pub async fn activity_changed(tx: &mut Tx, before: &Activity, after: &Activity) -> sqlx::Result<u64> {
    if before.starts_at == after.starts_at && before.ends_at == after.ends_at && before.address == after.address {
        return Ok(0);
    }
    let users = store::users_signed_up(tx, after.id).await?;
    let event = format!(
        "activity_changed:{}:{}:{}:{}",
        after.id,
        after.starts_at,
        after.ends_at,
        now()
    );
    let n = activity_notice(NoticeKind::ActivityChanged, event, after);
    store::queue(tx, &n.to_each(&users)).await
}

/// An activity was cancelled: everyone signed up or waiting is told.
pub async fn activity_cancelled(tx: &mut Tx, a: &Activity) -> sqlx::Result<u64> {
    let users = store::users_signed_up(tx, a.id).await?;
    let n = activity_notice(NoticeKind::ActivityCancelled, format!("activity_cancelled:{}", a.id), a);
    store::queue(tx, &n.to_each(&users)).await
}

/// Volunteer `volunteer_id` moved up from the waiting list of `a`.
pub async fn promoted(tx: &mut Tx, a: &Activity, volunteer_id: i64) -> sqlx::Result<u64> {
    let Some(user) = store::user_of_volunteer(tx, volunteer_id).await? else {
        return Ok(0);
    };
    let n = activity_notice(
        NoticeKind::Promoted,
        format!("promoted:{}:{}:{}", a.id, volunteer_id, now()),
        a,
    );
    store::queue(tx, &n.to_each(&[user])).await
}

/// The hours of `a` were confirmed: each volunteer with confirmed hours is told how many.
pub async fn hours_confirmed(tx: &mut Tx, a: &Activity) -> sqlx::Result<u64> {
    let lines = store::confirmed_minutes(tx, a.id).await?;
    let notices: Vec<Notice> = lines
        .into_iter()
        .map(|(user, minutes)| {
            Notice::to_user(NoticeKind::HoursConfirmed, format!("hours_confirmed:{}", a.id), user)
                .param("title", &a.title)
                .param("hours", format!("{:.1}", hours(minutes)))
                .link("/me/service")
        })
        .collect();
    store::queue(tx, &notices).await
}

/// A certificate was issued to volunteer `volunteer_id`.
pub async fn certificate_issued(
    tx: &mut Tx,
    volunteer_id: i64,
    number: &str,
    minutes: i64,
    link: &str,
) -> sqlx::Result<u64> {
    let Some(user) = store::user_of_volunteer(tx, volunteer_id).await? else {
        return Ok(0);
    };
    let n = Notice::to_user(
        NoticeKind::CertificateIssued,
        format!("certificate_issued:{number}"),
        user,
    )
    .param("number", number)
    .param("hours", format!("{:.1}", hours(minutes)))
    .link(link);
    store::queue(tx, &[n]).await
}

/// The district accepted or returned a team's roster: the team's unit or community staff are told.
pub async fn roster_reviewed(tx: &mut Tx, team: &Team, accepted: bool, reason: &str) -> sqlx::Result<u64> {
    let users = store::staff_of(tx, team.unit_id, team.community_id).await?;
    let kind = if accepted {
        NoticeKind::RosterAccepted
    } else {
        NoticeKind::RosterReturned
    };
    let n = Notice::to_user(kind, format!("{}:{}:{}", kind.as_str(), team.id, now()), 0)
        .param("team", &team.name)
        .param("reason", reason)
        .link(format!("/teams/{}", team.id));
    store::queue(tx, &n.to_each(&users)).await
}

fn code_of<T: serde::Serialize>(v: &T) -> String {
    serde_json::to_value(v)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default()
}

/// The district dispatched teams to an action: each team's staff are told the head count.
pub async fn dispatch_received(
    tx: &mut Tx,
    dispatch_id: i64,
    title: &str,
    starts_at: i64,
    teams: &[(i64, i64)],
) -> sqlx::Result<u64> {
    let mut notices = vec![];
    for (team_id, required) in teams {
        let users = store::staff_of_team(tx, *team_id).await?;
        let n = Notice::to_user(
            NoticeKind::DispatchReceived,
            format!("dispatch_received:{dispatch_id}:{team_id}"),
            0,
        )
        .param("title", title)
        .param("starts", format_local(starts_at))
        .param("n", required)
        .link(format!("/dispatches/{dispatch_id}"));
        notices.extend(n.to_each(&users));
    }
    store::queue(tx, &notices).await
}

/// A community need was dispatched to a team: the team's staff are told.
pub async fn need_dispatched(
    tx: &mut Tx,
    need_id: i64,
    category: &str,
    community: &str,
    team_id: i64,
) -> sqlx::Result<u64> {
    let users = store::staff_of_team(tx, team_id).await?;
    let n = Notice::to_user(
        NoticeKind::NeedDispatched,
        format!("need_dispatched:{need_id}:{team_id}:{}", now()),
        0,
    )
    .param("category", category)
    .param("community", community)
    .link(format!("/needs/{need_id}"));
    store::queue(tx, &n.to_each(&users)).await
}

/// A team answered a dispatch: the district is told.
pub async fn dispatch_answered(tx: &mut Tx, dispatch_id: i64, title: &str, line: &DispatchTeam) -> sqlx::Result<u64> {
    let users = store::district_staff(tx).await?;
    let n = Notice::to_user(
        NoticeKind::DispatchAnswered,
        format!("dispatch_answered:{dispatch_id}:{}:{}", line.team_id, now()),
        0,
    )
    .param("title", title)
    .param("team", &line.team_name)
    .param_text("answer", &format!("answer.{}", code_of(&line.answer)))
    .link(format!("/dispatches/{dispatch_id}"));
    store::queue(tx, &n.to_each(&users)).await
}

/// The district reviewed a team's decline: the team's staff are told.
pub async fn dispatch_reviewed(tx: &mut Tx, dispatch_id: i64, title: &str, line: &DispatchTeam) -> sqlx::Result<u64> {
    let users = store::staff_of_team(tx, line.team_id).await?;
    let n = Notice::to_user(
        NoticeKind::DispatchReviewed,
        format!("dispatch_reviewed:{dispatch_id}:{}:{}", line.team_id, now()),
        0,
    )
    .param("title", title)
    .param("team", &line.team_name)
    .param_text("decision", &format!("review.{}", code_of(&line.review)))
    .link(format!("/dispatches/{dispatch_id}"));
    store::queue(tx, &n.to_each(&users)).await
}

/// A check-in moved on: filed (the street is told), forwarded (the community), confirmed or
/// returned (the unit's or community team's staff).
pub async fn checkin_moved(tx: &mut Tx, k: &CheckIn) -> sqlx::Result<u64> {
    let (kind, users) = match k.status {
        CheckInStatus::Filed => (
            NoticeKind::CheckinWaiting,
            store::staff_of_street(tx, k.street_id).await?,
        ),
        CheckInStatus::Forwarded => (
            NoticeKind::CheckinWaiting,
            store::staff_of(tx, None, Some(k.community_id)).await?,
        ),
        CheckInStatus::Confirmed => (NoticeKind::CheckinConfirmed, store::staff_of_team(tx, k.team_id).await?),
        CheckInStatus::Returned => (NoticeKind::CheckinReturned, store::staff_of_team(tx, k.team_id).await?),
    };
    let n = Notice::to_user(
        kind,
        format!("{}:{}:{}:{}", kind.as_str(), k.id, k.status.as_str(), now()),
        0,
    )
    .param("name", format!("{} → {}", k.team_name, k.community_name))
    .param("reason", &k.return_reason)
    .link("/checkins");
    store::queue(tx, &n.to_each(&users)).await
}

/// A sign-up matched a record on `team_ids`' rosters and waits for the team to confirm it.
pub async fn signup_waiting(tx: &mut Tx, user_id: i64, name: &str, team_ids: &[i64]) -> sqlx::Result<u64> {
    let mut notices = vec![];
    for team_id in team_ids {
        let users = store::staff_of_team(tx, *team_id).await?;
        let n = Notice::to_user(
            NoticeKind::SignupWaiting,
            format!("signup_waiting:{user_id}:{team_id}"),
            0,
        )
        .param("name", name)
        .link(format!("/teams/{team_id}"));
        notices.extend(n.to_each(&users));
    }
    store::queue(tx, &notices).await
}

/// A finding of an inspection moved on: raised, returned or accepted (the inspected
/// organisation's staff are told), or answered (the inspector who planned the inspection, or the
/// district's staff when no one did).
pub async fn finding_moved(
    tx: &mut Tx,
    f: &crate::db::inspections::Finding,
    created_by: Option<i64>,
) -> sqlx::Result<u64> {
    use crate::domain::inspection::FindingStatus;
    let (kind, users) = match f.status {
        FindingStatus::Open => (
            NoticeKind::FindingRaised,
            store::staff_of(tx, f.unit_id, f.community_id).await?,
        ),
        FindingStatus::Returned => (
            NoticeKind::FindingReturned,
            store::staff_of(tx, f.unit_id, f.community_id).await?,
        ),
        FindingStatus::Accepted => (
            NoticeKind::FindingAccepted,
            store::staff_of(tx, f.unit_id, f.community_id).await?,
        ),
        FindingStatus::Answered => (
            NoticeKind::FindingAnswered,
            match created_by {
                Some(u) => vec![u],
                None => store::district_staff(tx).await?,
            },
        ),
    };
    let n = Notice::to_user(kind, format!("{}:{}:{}", kind.as_str(), f.id, now()), 0)
        .param("name", &f.target_name)
        .param("deadline", &f.deadline)
        .param("reason", &f.return_reason)
        .link(format!("/inspections/{}#finding-{}", f.inspection_id, f.id));
    store::queue(tx, &n.to_each(&users)).await
}

// ---------------------------------------------------------------- commendation (表彰)

/// The staff of the unit or street that made a nomination (none when the district did).
async fn nominators(tx: &mut Tx, by_unit_id: Option<i64>, by_street_id: Option<i64>) -> sqlx::Result<Vec<i64>> {
    match (by_unit_id, by_street_id) {
        (Some(u), _) => store::staff_of(tx, Some(u), None).await,
        (None, Some(s)) => store::staff_of_street(tx, s).await,
        (None, None) => Ok(vec![]),
    }
}

/// The district approved or rejected a nomination: the nominating unit's or street's staff are told.
pub async fn nomination_decided(tx: &mut Tx, n: &Nomination) -> sqlx::Result<u64> {
    let kind = match n.status {
        NominationStatus::Approved => NoticeKind::NominationApproved,
        NominationStatus::Rejected => NoticeKind::NominationRejected,
        _ => return Ok(0),
    };
    let users = nominators(tx, n.by_unit_id, n.by_street_id).await?;
    let notice = Notice::to_user(kind, format!("{}:{}", kind.as_str(), n.id), 0)
        .param("name", &n.nominee_name)
        .param("category", &n.category_name)
        .param("reason", &n.review_reason)
        .link(format!("/commendations/nominations/{}", n.id));
    store::queue(tx, &notice.to_each(&users)).await
}

/// An objection was answered: the district's staff and the nominating unit's or street's staff
/// are told in their inboxes; the objector by e-mail when the contact they left is an e-mail
/// address (a phone number gets nothing: the public form promises no text message).
pub async fn objection_answered(tx: &mut Tx, o: &Objection) -> sqlx::Result<u64> {
    let mut users = store::district_staff(tx).await?;
    users.extend(nominators(tx, o.by_unit_id, o.by_street_id).await?);
    users.sort_unstable();
    users.dedup();
    let event = format!("objection_answered:{}", o.id);
    let outcome = format!("commend.objection.{}", o.status.as_str());
    let staff = Notice::to_user(NoticeKind::ObjectionAnswered, event.clone(), 0)
        .param("name", &o.nominee_name)
        .param("category", &o.category_name)
        .param_text("outcome", &outcome)
        .param("answer", &o.answer)
        .link(format!("/commendations/nominations/{}", o.nomination_id));
    let mut notices = staff.to_each(&users);
    let contact = o.contact.trim();
    if Channel::of_address(contact) == Channel::Email {
        notices.push(
            Notice::to_address(NoticeKind::ObjectionReply, event, contact, Lang::Zh)
                .param("name", &o.nominee_name)
                .param("category", &o.category_name)
                .param_text("outcome", &outcome)
                .param("answer", &o.answer)
                .link("/notice"),
        );
    }
    store::queue(tx, &notices).await
}

/// The honour roll was finalised: each commended volunteer's account, and the staff of each
/// commended team, unit or community, are told, with the certificate.
pub async fn honour_conferred(tx: &mut Tx, n: &Nomination, year: i64, number: &str) -> sqlx::Result<u64> {
    let users = match n.kind {
        NomineeKind::Volunteer => match n.volunteer_id {
            Some(v) => store::user_of_volunteer(tx, v).await?.into_iter().collect(),
            None => vec![],
        },
        NomineeKind::Team => match n.team_id {
            Some(t) => store::staff_of_team(tx, t).await?,
            None => vec![],
        },
        NomineeKind::Unit | NomineeKind::Community => store::staff_of(tx, n.unit_id, n.community_id).await?,
    };
    let notice = Notice::to_user(NoticeKind::HonourConferred, format!("honour_conferred:{}", n.id), 0)
        .param("name", &n.nominee_name)
        .param("category", &n.category_name)
        .param("year", year)
        .param("number", number)
        .link(format!("/honours/certificates/{number}"));
    store::queue(tx, &notice.to_each(&users)).await
}
