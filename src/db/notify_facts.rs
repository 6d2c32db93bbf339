//! What the notifications' events and reminders read: who is told (the people signed up, a
//! team's staff, a street's), what is due (activities about to start, hours unconfirmed), and the
//! district's reminder rules. Re-exported by `db::notifications`.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::audit::{self, Actor, Op, Subject};
use super::{now, Db, Tx};
use crate::domain::notification::NoticeKind;
use crate::{on_db, on_tx};

// ---- recipients of events ------------------------------------------------------------------

/// The accounts of everyone signed up for activity `activity_id` or waiting for a place.
pub async fn users_signed_up(tx: &mut Tx, activity_id: i64) -> sqlx::Result<Vec<i64>> {
    on_tx!(tx, c => sqlx::query_scalar(
        "select v.user_id from signups s join volunteers v on v.id = s.volunteer_id
         where s.activity_id = $1 and s.status in ('confirmed', 'waiting') and v.user_id is not null")
        .bind(activity_id).fetch_all(&mut *c).await)
}

/// The account of volunteer `volunteer_id`, if it has one.
pub async fn user_of_volunteer(tx: &mut Tx, volunteer_id: i64) -> sqlx::Result<Option<i64>> {
    let u: Option<Option<i64>> = on_tx!(tx, c => sqlx::query_scalar("select user_id from volunteers where id = $1")
        .bind(volunteer_id).fetch_optional(&mut *c).await?);
    Ok(u.flatten())
}

/// The accounts and minutes of everyone whose hours on activity `activity_id` are confirmed.
pub async fn confirmed_minutes(tx: &mut Tx, activity_id: i64) -> sqlx::Result<Vec<(i64, i64)>> {
    on_tx!(tx, c => sqlx::query_as(
        "select v.user_id, coalesce(t.minutes, 0) from attendance t join volunteers v on v.id = t.volunteer_id
         where t.activity_id = $1 and t.confirmed_at is not null and v.user_id is not null")
        .bind(activity_id).fetch_all(&mut *c).await)
}

/// The staff accounts of a unit or a community (those who keep its teams and rosters).
pub async fn staff_of(tx: &mut Tx, unit_id: Option<i64>, community_id: Option<i64>) -> sqlx::Result<Vec<i64>> {
    on_tx!(tx, c => sqlx::query_scalar(
        "select id from users where active and role <> 'volunteer'
           and ((unit_id is not null and unit_id = $1) or (community_id is not null and community_id = $2))")
        .bind(unit_id.unwrap_or(-1)).bind(community_id.unwrap_or(-1)).fetch_all(&mut *c).await)
}

/// The district's accounts.
pub async fn district_staff(tx: &mut Tx) -> sqlx::Result<Vec<i64>> {
    on_tx!(tx, c => sqlx::query_scalar("select id from users where active and role = 'district_admin'")
        .fetch_all(&mut *c).await)
}

// ---- the district's rules ------------------------------------------------------------------

/// What the district decides about reminders.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct NotifyRules {
    /// Milestone reminders go this many days before the deadline (and on the day), 0–30.
    pub milestone_days: i64,
}

impl Default for NotifyRules {
    fn default() -> NotifyRules {
        NotifyRules { milestone_days: 3 }
    }
}

pub async fn rules(db: &Db) -> sqlx::Result<NotifyRules> {
    let v: Option<String> = on_db!(db, pool => sqlx::query_scalar(
        "select value from settings where key = 'notification_rules'").fetch_optional(pool).await?);
    Ok(v.and_then(|s| serde_json::from_str(&s).ok()).unwrap_or_default())
}

pub async fn set_rules(tx: &mut Tx, actor: &Actor, before: &NotifyRules, after: &NotifyRules) -> sqlx::Result<()> {
    let value = serde_json::to_string(after).unwrap_or_default();
    on_tx!(tx, c => sqlx::query(
        "insert into settings (key, value, updated_at) values ('notification_rules', $1, $2)
         on conflict (key) do update set value = excluded.value, updated_at = excluded.updated_at")
        .bind(&value).bind(now()).execute(&mut *c).await?.rows_affected());
    audit::record(
        tx,
        actor,
        Op::Update,
        Subject::new("notification_rules", None, "notification rules"),
        Some(before),
        Some(after),
    )
    .await
}

/// One confirmed sign-up of an activity starting between two times, not yet reminded with
/// `event_kind` (its inbox message under `<kind>:<activity>` is missing).
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct Upcoming {
    pub activity_id: i64,
    pub title: String,
    pub starts_at: i64,
    pub address: String,
    pub user_id: i64,
}

pub async fn upcoming_unreminded(db: &Db, from: i64, to: i64, kind: NoticeKind) -> sqlx::Result<Vec<Upcoming>> {
    on_db!(db, pool => sqlx::query_as(
        "select a.id as activity_id, a.title, a.starts_at, a.address, v.user_id
         from activities a join signups s on s.activity_id = a.id join volunteers v on v.id = s.volunteer_id
         where a.status = 'published' and a.starts_at > $1 and a.starts_at <= $2 and s.status = 'confirmed'
           and v.user_id is not null
           and not exists (select 1 from outbox o
               where o.idempotency_key = $3 || ':' || a.id || '|u' || v.user_id || '|inbox')")
        .bind(from).bind(to).bind(kind.as_str()).fetch_all(pool).await)
}

/// Published activities that ended and whose hours are not confirmed, with their teams' orgs.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct Unconfirmed {
    pub id: i64,
    pub title: String,
    pub ends_at: i64,
    pub unit_id: Option<i64>,
    pub community_id: Option<i64>,
}

pub async fn unconfirmed_hours(db: &Db, ended_before: i64, ended_after: i64) -> sqlx::Result<Vec<Unconfirmed>> {
    on_db!(db, pool => sqlx::query_as(
        "select a.id, a.title, a.ends_at, t.unit_id, t.community_id from activities a join teams t on t.id = a.team_id
         where a.status in ('published', 'completed') and a.hours_confirmed_at is null
           and a.ends_at <= $1 and a.ends_at > $2")
        .bind(ended_before).bind(ended_after).fetch_all(pool).await)
}

/// The staff accounts of the unit or community a team belongs to.
pub async fn staff_of_team(tx: &mut Tx, team_id: i64) -> sqlx::Result<Vec<i64>> {
    on_tx!(tx, c => sqlx::query_scalar(
        "select u.id from users u join teams t on t.id = $1
         where u.active and u.role <> 'volunteer'
           and ((t.unit_id is not null and u.unit_id = t.unit_id)
             or (t.community_id is not null and u.community_id = t.community_id))")
        .bind(team_id).fetch_all(&mut *c).await)
}

/// The street staff of street `street_id`.
pub async fn staff_of_street(tx: &mut Tx, street_id: i64) -> sqlx::Result<Vec<i64>> {
    on_tx!(tx, c => sqlx::query_scalar(
        "select id from users where active and role = 'street_admin' and street_id = $1")
        .bind(street_id).fetch_all(&mut *c).await)
}

/// Every account that can sign in, by id (the demo gives each an e-mail address and a phone).
pub async fn accounts_that_sign_in(db: &Db) -> sqlx::Result<Vec<(i64, String)>> {
    on_db!(db, pool => sqlx::query_as(
        "select id, username from users where password_hash <> '!' order by id").fetch_all(pool).await)
}
